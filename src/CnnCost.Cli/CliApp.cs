using CnnCost.Cli.Commands;

namespace CnnCost.Cli;

/// <summary>The <c>cnncost</c> command line: dispatches to a command and maps errors to exit codes (contracts.md).</summary>
public static class CliApp
{
    /// <summary>Exit status for success.</summary>
    public const int Success = 0;

    /// <summary>Exit status for anything unexpected.</summary>
    public const int InternalError = 1;

    /// <summary>Exit status for bad arguments or bad input: one line on stderr, no stack trace.</summary>
    public const int BadInput = 2;

    /// <summary>Runs one command.</summary>
    /// <param name="args">The arguments after <c>cnncost</c>.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where the one-line error goes.</param>
    /// <returns>The exit status: 0, 1 or 2.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                stdout.Write(Usage);
                return Success;
            }

            if (args[0] is "--version")
            {
                stdout.WriteLine(typeof(CliApp).Assembly.GetName().Version?.ToString(3));
                return Success;
            }

            var arguments = Arguments.Parse(args.AsSpan(1).ToArray());
            switch (args[0])
            {
                case "report":
                    ReportCommand.Run(arguments, stdout);
                    break;
                case "whatif":
                    WhatIfCommand.Run(arguments, stdout);
                    break;
                case "squeezenet":
                    SqueezeNetCommand.Run(arguments, stdout);
                    break;
                case "space":
                    SpaceCommand.Run(arguments, stdout);
                    break;
                case "compress":
                    CompressCommand.Run(arguments, stdout);
                    break;
                case "scale":
                    ScaleCommand.Run(arguments, stdout);
                    break;
                case "roofline":
                    RooflineCommand.Run(arguments, stdout);
                    break;
                case "memory":
                    MemoryCommand.Run(arguments, stdout);
                    break;
                case "speed":
                    SpeedCommand.Run(arguments, stdout);
                    break;
                case "measure":
                    MeasureCommand.Run(arguments, stdout);
                    break;
                case "tables":
                    TablesCommand.Run(arguments, stdout);
                    break;
                default:
                    throw new UsageException($"unknown command '{args[0]}'; the commands are: report, whatif, squeezenet, space, compress, scale, roofline, memory, speed, measure, tables (cnncost --help)");
            }

            return Success;
        }
        catch (Exception error) when (error is UsageException or CnnCostException or FormatException)
        {
            stderr.WriteLine($"cnncost: {OneLine(error.Message)}");
            return BadInput;
        }
        catch (Exception error)
        {
            stderr.WriteLine($"cnncost: internal error ({error.GetType().Name}): {OneLine(error.Message)}");
            return InternalError;
        }
    }

    /// <summary>
    /// A message as one printable line: names read from a file may hold newlines or terminal escape sequences, which
    /// are written as <c>\n</c>, <c>\e</c> or <c>\uXXXX</c> so they can neither split the line nor drive the terminal.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <returns>The message with every control and format character escaped.</returns>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = new System.Text.StringBuilder(message.Length);
        foreach (var c in message)
        {
            switch (c)
            {
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\u001b': text.Append("\\e"); break;
                default:
                    // Format characters include the bidirectional overrides that reorder what a terminal shows.
                    if (char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
                        or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
                    {
                        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>The help text, with the built-in models and devices filled in.</summary>
    public static string Usage => UsageTemplate
        .Replace("{models}", string.Join(", ", CnnCost.Zoo.ModelZoo.Names), StringComparison.Ordinal)
        .Replace("{devices}", string.Join(", ", CnnCost.Hardware.Devices.All.Select(d => d.Name)), StringComparison.Ordinal);

    private const string UsageTemplate = """
        cnncost: what a convolutional neural network costs, per layer and in total (after Iandola, 2016)

        usage: cnncost <command> [options]

        commands:
          report MODEL        per-layer shapes, weights, biases, parameter bytes, output bytes, FLOPs, totals
          whatif MODEL --change SPEC [--change SPEC ...]
                              what a change does: per-layer ratios, changed layers, local or global scope
          squeezenet [--base-e N --incr-e N --pct3x3 P --freq N --sr R --bypass none|simple|complex]
                              a generated SqueezeNet-family network's report (defaults: SqueezeNet v1.0)
          squeezenet --sweep sr|pct3x3|bypass
                              Figures 5.3 / 5.4 and Table 5.3 recomputed: size, FLOPs, activations per design
          space vgg [--max-params N] [--max-flops N]
                              the VGG design space (4.7): its size and the exact count within a budget (e.g. 100M, 20G)
          compress MODEL --density D --bits B [--fc-bits B] [--index-bits N]
                              model size after pruning and quantization, values, indices and codebooks
          scale MODEL --workers LIST --bandwidth RATE --worker-throughput RATE [--scheme ps,tree,ring]
                [--branching B] [--latency S] [--gradient-bits 32|16|1] [--scaling strong|weak]
                [--parallelism data|hybrid] [--batch N]
                              distributed training step time, speedup, efficiency, break-even workers
          roofline MODEL --device NAME       per-layer arithmetic intensity, attainable FLOP/s, bound
          memory MODEL [--optimizer sgd|momentum|adam]   inference and training memory, part by part
          speed MODEL [--device NAME] [--efficiency E]   frames per second and joules per frame
          measure MODEL --engine cpu|opencl [--batch N] [--repeat K] [--warmups W] [--calibrate-on MODEL,MODEL]
                              measured time per convolution layer (verified), achieved FLOP/s, prediction vs measurement
          tables nin|chapter2|chapter3|chapter5
                              the dissertation's tables recomputed, printed values and errata beside them

        change specs: input-channels=12, input-size=454x454, filters:conv8=1536, kernel:conv7=6x6,pad=2,
          stride:conv1=2, pool:pool5=avg, categories=4000, remove:pool3, insert-after:conv4=conv,1x1,256

        MODEL is a .prototxt or .onnx file (--skip-unsupported skips an unknown operator or layer whose output shape is known)
        or a built-in name: {models}
        NAME (a device) is one of {devices}, or this (this machine, its ceilings measured now)

        options:
          --batch N                        data items per batch (default 1)
          --input CxHxW                    replace the model's input shape, e.g. 3x454x454
          --precision fp32|fp16|int8|Nbit  bytes per value (default fp32)
          --bias include|exclude           whether biases count toward parameter bytes (default include)
          --phase inference|training       FLOPs of a forward pass, or of a training step (3x)
          --rounding caffe|pytorch|eq4.2   output-size rounding (default: the model's own, caffe for the zoo)
          --units MB|MiB                   byte unit of tables (default MB = 10^6 bytes)
          --format table|markdown|csv|json|svg   output format (default table; svg charts for report,
                                           whatif, roofline, scale and squeezenet --sweep sr|pct3x3)
          --metric flops|params|outputs    what report's SVG bars show (default flops)

        exit status: 0 success, 2 bad arguments or input (one line on stderr), 1 anything else

        """;
}

/// <summary>A bad command line: unknown command or option, a missing or malformed value.</summary>
/// <param name="message">One line naming the problem.</param>
public sealed class UsageException(string message) : Exception(message);
