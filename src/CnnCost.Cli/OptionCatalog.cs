using System.Collections.Immutable;
using CnnCost.Measurement;
using CnnCost.Measurement.Ilgpu;

namespace CnnCost.Cli;

/// <summary>How an option takes its value.</summary>
public enum OptionShape
{
    /// <summary>One value, given once: <c>--batch 4</c>.</summary>
    Value,

    /// <summary>A value that may be given again and again: <c>--change A --change B</c>.</summary>
    Repeated,

    /// <summary>No value; present means true: <c>--skip-unsupported</c>.</summary>
    Flag,
}

/// <summary>One option of the command line, as help shows it and completion offers it.</summary>
/// <param name="Name">The name without dashes, e.g. <c>batch</c>.</param>
/// <param name="ValueName">The placeholder help shows for the value, e.g. <c>N</c>; empty for a flag.</param>
/// <param name="Description">One sentence for help, with the default when there is one.</param>
/// <param name="Shape">Value, repeated value or flag.</param>
/// <param name="Choices">The words tab completion offers; empty when the value is free.</param>
public sealed record CliOption(string Name, string ValueName, string Description, OptionShape Shape, ImmutableArray<string> Choices);

/// <summary>
/// Every option of every command, described once: the command table names the ones each command takes, and the
/// parser, help and completion are built from these descriptions. Values are checked by the commands, which say
/// what is wrong in one line (the parser only splits the words).
/// </summary>
public static class OptionCatalog
{
    private static CliOption Value(string name, string valueName, string description, params string[] choices) =>
        new(name, valueName, description, OptionShape.Value, [.. choices]);

    /// <summary>Every option, by name.</summary>
    public static ImmutableDictionary<string, CliOption> All { get; } = new[]
    {
        // Shared by the analysing commands (CommonOptions).
        Value("batch", "N", "data items per batch (default 1; scale: 1024)"),
        Value("input", "CxHxW", "replace the model's input shape, e.g. 3x454x454"),
        Value("precision", "fp32|fp16|int8|Nbit", "bytes per value (default fp32)", "fp32", "fp16", "int8"),
        Value("bias", "include|exclude", "whether biases count toward parameter bytes (default include)", "include", "exclude"),
        Value("elementwise", "include|exclude", "whether element-wise, normalization and reduction operations count toward FLOPs (default exclude, as the dissertation)", "include", "exclude"),
        Value("phase", "inference|training", "FLOPs of a forward pass, or of a training step (3x) (default inference)", "inference", "training"),
        Value("rounding", "caffe|pytorch|eq4.2", "output-size rounding (default: the model's own, caffe for the zoo)", "caffe", "pytorch", "eq4.2"),
        Value("units", "auto|MB|MiB", "auto: k, M, G, T prefixes per number (default; CSV: MB); MB or MiB: bytes in that unit, FLOPs in G", "auto", "MB", "MiB"),
        Value("format", "table|markdown|csv|json|svg|html", "output format (default table; html: the graph and its costs, for report, whatif and squeezenet)", "table", "markdown", "csv", "json", "svg", "html"),
        new("skip-unsupported", "", "skip operators CnnCost does not model where the file gives their output shape (at no cost, listed)", OptionShape.Flag, []),

        Value("metric", "flops|params|outputs", "what the SVG bars show (default flops)", "flops", "params", "outputs"),
        new("change", "SPEC", "a change to make; repeat it to make several in order, e.g. filters:conv8=1536", OptionShape.Repeated, []),

        Value("sweep", "sr|pct3x3|bypass", "print Figure 5.3 (sr), Figure 5.4 (pct3x3) or Table 5.3 (bypass) instead of one design", "sr", "pct3x3", "bypass"),
        Value("base-e", "N", "expand filters of the first fire module (default 128)"),
        Value("incr-e", "N", "expand filters added every --freq fire modules (default 128)"),
        Value("pct3x3", "P", "fraction of expand filters that are 3x3, e.g. 0.5 or 50% (default 0.5)"),
        Value("freq", "N", "fire modules between increments of the expand filters (default 2)"),
        Value("sr", "R", "squeeze ratio: squeeze filters per expand filter (default 0.125)"),
        Value("bypass", "none|simple|complex", "bypass connections around fire modules (default none)", "none", "simple", "complex"),

        Value("max-params", "N", "parameter budget, e.g. 100M (K, M, G, T are powers of 1000)"),
        Value("max-flops", "N", "FLOP budget, e.g. 20G"),

        Value("density", "D", "fraction of weights kept after pruning, e.g. 0.33 or 33% (required)"),
        Value("bits", "B", "bits per kept convolution weight (default 32)"),
        Value("fc-bits", "B", "bits per kept fully-connected weight (default: --bits)"),
        Value("index-bits", "N", "bits per relative index (default 4)"),

        Value("workers", "LIST", "worker counts: 1,2,4 or a range of powers of two 1..128 (required)"),
        Value("bandwidth", "RATE", "link bandwidth, e.g. 56Gbit/s or 7GB/s (required)"),
        Value("worker-throughput", "RATE", "sustained FLOP/s of one worker, e.g. 3.52TFLOP/s (required)"),
        Value("scheme", "ps,tree,ring", "communication scheme, or a list of them to compare (default tree)", "ps", "tree", "ring", "ps,tree,ring"),
        Value("branching", "B", "fan-in of the reduction tree (default 2)"),
        Value("latency", "SECONDS", "latency per message in seconds, e.g. 0.000005 (default 0)"),
        Value("gradient-bits", "32|16|1", "bits per gradient value sent (default 32)", "32", "16", "1"),
        Value("scaling", "strong|weak", "strong: fixed global batch; weak: fixed batch per worker (default strong)", "strong", "weak"),
        Value("parallelism", "data|hybrid", "data: every layer replicated; hybrid: fully-connected layers model-parallel (default data)", "data", "hybrid"),

        Value("device", "NAME", "a device preset, or 'this' (this machine, measured now)"),
        Value("device-file", "FILE", "a JSON file of devices: [{\"name\", \"peakFlops\", \"bandwidth\", \"watts\"}] (see README)"),
        Value("efficiency", "E", "fraction of peak FLOP/s achieved, e.g. 0.5 or 50% (default 0.5)"),
        Value("optimizer", "sgd|momentum|adam", "optimizer whose state training keeps (default momentum)", "sgd", "momentum", "adam"),

        Value("engine", string.Join('|', ConvolutionEngines.Names), "where to run the convolutions (default cpu)", [.. ConvolutionEngines.Names]),
        Value("accelerator", string.Join('|', IlgpuConvolutionEngine.Accelerators), "ilgpu only: the accelerator to run on (default: the fastest available)",
            [.. IlgpuConvolutionEngine.Accelerators]),
        Value("repeat", "K", "timed runs per layer; the median is reported (default 5)"),
        Value("warmups", "W", "untimed runs per layer first (default 2)"),
        Value("calibrate-on", "MODEL,MODEL", "predict from a model fitted to these networks' convolutions instead of the roofline"),
    }.ToImmutableDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>The options shared by every command that analyses a MODEL.</summary>
    public static ImmutableArray<string> Common { get; } =
        ["batch", "input", "precision", "bias", "elementwise", "phase", "rounding", "units", "format", "skip-unsupported"];
}
