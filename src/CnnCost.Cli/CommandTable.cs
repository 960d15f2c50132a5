using System.Collections.Immutable;
using CnnCost.Cli.Commands;

namespace CnnCost.Cli;

/// <summary>The positional argument of a command: its name in help, how many it takes, and what completion offers.</summary>
/// <param name="Name">The placeholder, e.g. <c>MODEL</c>.</param>
/// <param name="Description">One sentence for help.</param>
/// <param name="Choices">The words completion offers (for MODEL: the zoo's names).</param>
public sealed record CliArgument(string Name, string Description, Func<IEnumerable<string>> Choices);

/// <summary>One command: its name, what help says of it, the options it takes, and what runs it.</summary>
/// <param name="Name">The command word, e.g. <c>report</c>.</param>
/// <param name="Synopsis">Its arguments as the global help lists them, e.g. <c>MODEL [--metric ...]</c>.</param>
/// <param name="Summary">What it prints, in one line.</param>
/// <param name="Examples">Command lines help shows as examples.</param>
/// <param name="Argument">Its positional argument, or null when it takes none.</param>
/// <param name="Options">The names of the options it takes (<see cref="OptionCatalog"/>).</param>
/// <param name="Run">Runs it.</param>
public sealed record CliCommand(
    string Name,
    string Synopsis,
    string Summary,
    ImmutableArray<string> Examples,
    CliArgument? Argument,
    ImmutableArray<string> Options,
    Action<Arguments, TextWriter> Run);

/// <summary>The commands of <c>cnncost</c>: the one table that drives parsing, dispatch, help and completion.</summary>
public static class CommandTable
{
    private static readonly CliArgument Model = new(
        "MODEL", "a .prototxt or .onnx file, or a built-in model", () => CnnCost.Zoo.ModelZoo.Names);

    private static ImmutableArray<string> With(params string[] options) => [.. OptionCatalog.Common, .. options];

    /// <summary>Every command, in the order help lists them.</summary>
    public static ImmutableArray<CliCommand> All { get; } =
    [
        new("report", "MODEL [--metric flops|params|outputs]",
            "per-layer shapes, weights, biases, parameter bytes, output bytes, MACs, FLOPs, totals",
            ["cnncost report nin", "cnncost report alexnet --batch 128 --format markdown", "cnncost report model.onnx --format json"],
            Model, With("metric"), ReportCommand.Run),
        new("whatif", "MODEL --change SPEC [--change SPEC ...]",
            "what a change does: per-layer ratios, changed layers, local or global scope",
            ["cnncost whatif nin --change filters:conv8=1536", "cnncost whatif nin --change input-size=454x454 --change remove:pool3"],
            Model, With("change"), WhatIfCommand.Run),
        new("squeezenet", "[--base-e N --incr-e N --pct3x3 P --freq N --sr R --bypass none|simple|complex] | --sweep sr|pct3x3|bypass",
            "a generated SqueezeNet-family network's report (defaults: SqueezeNet v1.0), or the sweeps of Figures 5.3 / 5.4 and Table 5.3",
            ["cnncost squeezenet --sr 0.75 --bypass simple", "cnncost squeezenet --sweep sr"],
            null, [.. OptionCatalog.Common.Remove("skip-unsupported"), "sweep", "base-e", "incr-e", "pct3x3", "freq", "sr", "bypass"], SqueezeNetCommand.Run),
        new("space", "vgg [--max-params N] [--max-flops N]",
            "the VGG design space (4.7): its size and the exact count within a budget (e.g. 100M, 20G)",
            ["cnncost space vgg --max-params 100M --max-flops 20G"],
            new CliArgument("SPACE", "the design space to count: vgg", () => ["vgg"]), ["max-params", "max-flops", "format"], SpaceCommand.Run),
        new("compress", "MODEL --density D --bits B [--fc-bits B] [--index-bits N]",
            "model size after pruning and quantization: values, indices and codebooks",
            ["cnncost compress alexnet --density 11% --bits 8 --fc-bits 5"],
            Model, With("density", "bits", "fc-bits", "index-bits"), CompressCommand.Run),
        new("scale", "MODEL --workers LIST --bandwidth RATE --worker-throughput RATE [--scheme ps,tree,ring] [...]",
            "distributed training step time, speedup, efficiency, break-even workers",
            ["cnncost scale nin --workers 1..128 --bandwidth 56Gbit/s --worker-throughput 3.52TFLOP/s", "cnncost scale nin --workers 1..64 --bandwidth 7GB/s --worker-throughput 6T --scheme ps,ring"],
            Model, ["workers", "bandwidth", "worker-throughput", "scheme", "branching", "latency", "batch", "gradient-bits", "scaling", "parallelism", "bias", "format", "skip-unsupported"],
            ScaleCommand.Run),
        new("roofline", "MODEL --device NAME [--device-file FILE]",
            "per-layer arithmetic intensity, attainable FLOP/s, bound",
            ["cnncost roofline nin --device P100", "cnncost roofline nin --device-file devices.json --device MyBoard --format svg"],
            Model, With("device", "device-file"), RooflineCommand.Run),
        new("memory", "MODEL [--optimizer sgd|momentum|adam]",
            "inference and training memory, part by part",
            ["cnncost memory vgg16 --batch 32 --optimizer adam"],
            Model, With("optimizer"), MemoryCommand.Run),
        new("speed", "MODEL [--device NAME] [--device-file FILE] [--efficiency E]",
            "frames per second and joules per frame",
            ["cnncost speed squeezenet1_0 --device TX1", "cnncost speed nin --device-file devices.json --efficiency 40%"],
            Model, With("device", "device-file", "efficiency"), SpeedCommand.Run),
        new("measure", "MODEL --engine cpu|opencl|ilgpu [--accelerator cuda|opencl|cpu] [--repeat K] [--warmups W] [--calibrate-on MODEL,MODEL]",
            "measured time per convolution layer (verified), achieved FLOP/s, prediction vs measurement",
            ["cnncost measure lenet --engine cpu --repeat 3", "cnncost measure nin --engine ilgpu --accelerator cuda --batch 32"],
            Model, With("engine", "accelerator", "repeat", "warmups", "calibrate-on"), MeasureCommand.Run),
        new("tables", "nin|chapter2|chapter3|chapter5",
            "the dissertation's tables recomputed, printed values and errata beside them",
            ["cnncost tables nin", "cnncost tables chapter5 --format markdown"],
            new CliArgument("SET", "the table set: nin, chapter2, chapter3 or chapter5", () => ["nin", "chapter2", "chapter3", "chapter5"]), ["format"], TablesCommand.Run),
    ];
}
