using CnnCost.Costs;
using System.Collections.Immutable;
using CnnCost.Graph;
using CnnCost.Hardware;
using CnnCost.Import;
using CnnCost.Reporting;
using CnnCost.Zoo;

namespace CnnCost.Cli.Commands;

/// <summary>The output formats of contracts.md.</summary>
public enum OutputFormat
{
    /// <summary>A console table (Spectre.Console).</summary>
    Table,
    /// <summary>GitHub-flavoured Markdown.</summary>
    Markdown,
    /// <summary>RFC 4180 CSV.</summary>
    Csv,
    /// <summary>The JSON of contracts.md.</summary>
    Json,
    /// <summary>An SVG chart, for the commands where a picture beats a table.</summary>
    Svg,
    /// <summary>A self-contained HTML page of the network's graph and costs (docs/html.md).</summary>
    Html,
}

/// <summary>The options every analysing command shares: model, batch, input, precision, bias, element-wise operations, phase, rounding, units, format.</summary>
/// <param name="Network">The model, with <c>--input</c> applied.</param>
/// <param name="Options">Batch, phase and conventions.</param>
/// <param name="Format">The output format.</param>
/// <param name="Style">How tables show sizes and counts: prefixes per number, or fixed units (<c>--units</c>).</param>
/// <param name="ImportNotes">What an importer assumed or left out (empty for zoo models).</param>
/// <param name="Skipped">The nodes an importer skipped as unsupported (empty for zoo models).</param>
public sealed record CommonOptions(Network Network, AnalysisOptions Options, OutputFormat Format, NumberStyle Style, IReadOnlyList<string> ImportNotes, IReadOnlyList<SkippedNode> Skipped)
{
    /// <summary>Reads the model argument and the shared options.</summary>
    /// <param name="arguments">The command's arguments.</param>
    /// <param name="command">The command's name, for messages.</param>
    /// <param name="generated">The network when the command generates it; null to read the MODEL argument.</param>
    /// <returns>The options.</returns>
    /// <exception cref="UsageException">An option is missing or malformed.</exception>
    /// <exception cref="CnnCostException">The model is unknown or the edited network is invalid.</exception>
    public static CommonOptions Read(Arguments arguments, string command, Network? generated = null)
    {
        if (generated is null && arguments.Positional.Count == 0)
        {
            throw new UsageException($"'{command}' needs a MODEL: one of {string.Join(", ", ModelZoo.Names)}");
        }

        var model = generated is null ? LoadModel(arguments) : new ImportedModel(generated, null, []);
        var network = model.Network;
        if (arguments.Option("input") is { } input)
        {
            network = network.WithInputShape(Shape.Parse(input));
        }

        var conventions = arguments.Choice("rounding", "model", "model", "caffe", "pytorch", "eq4.2") switch
        {
            "caffe" => Conventions.Caffe,
            "pytorch" => Conventions.PyTorch,
            "eq4.2" => Conventions.Dissertation,
            _ => network.Conventions,
        };
        conventions = conventions with
        {
            Precision = Precision.Parse(arguments.Option("precision") ?? "fp32"),
            CountBiases = arguments.Choice("bias", "include", "include", "exclude") == "include",
            CountElementwiseOps = arguments.Choice("elementwise", "exclude", "include", "exclude") == "include",
        };
        var options = new AnalysisOptions
        {
            Batch = arguments.PositiveInt("batch", 1),
            Phase = arguments.Choice("phase", "inference", "inference", "training") == "training" ? Phase.Training : Phase.Inference,
            Conventions = conventions,
        };
        var format = ReadFormat(arguments);
        return new CommonOptions(network, options, format, ReadStyle(arguments, format), model.Notes, model.Skipped);
    }

    /// <summary>Reads the MODEL argument: a zoo name or a .prototxt / .onnx path (with <c>--skip-unsupported</c> for ONNX).</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The model.</returns>
    /// <exception cref="CnnCostException">An unknown name or a bad file; the message names it.</exception>
    public static ImportedModel LoadModel(Arguments arguments)
    {
        var name = arguments.Positional[0];
        var options = new OnnxImportOptions(arguments.Flag("skip-unsupported"));
        if (Path.GetExtension(name).Length == 0 && !ModelZoo.Contains(name) && !File.Exists(name)
            && Suggestions.Closest(name, ModelZoo.Names) is { } close)
        {
            throw new UsageException($"unknown model '{name}'; did you mean '{close}'? (the built-in models are {string.Join(", ", ModelZoo.Names)})");
        }

        return ModelSource.Load(name, options, new CaffeImportOptions(options.SkipUnsupported));
    }

    /// <summary>The devices of <c>--device-file</c>, checked; empty when the option is absent.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The devices in the file's order.</returns>
    /// <exception cref="CnnCostException">The file cannot be read or is not a valid device list.</exception>
    public static ImmutableArray<Device> FileDevices(Arguments arguments) =>
        arguments.Option("device-file") is { } path ? DeviceFile.Load(path) : [];

    /// <summary>
    /// A device by name: one from the device file, a preset, or <c>this</c> (this machine, its ceilings measured now: FMA
    /// peak and triad; power unknown).
    /// </summary>
    /// <param name="name">The device name (case-insensitive).</param>
    /// <param name="fromFile">The devices of <c>--device-file</c>, which come before the presets.</param>
    /// <returns>The device.</returns>
    /// <exception cref="UsageException">No device has that name; the message lists them and suggests the nearest.</exception>
    public static Device ReadDevice(string name, ImmutableArray<Device> fromFile)
    {
        if (name.Equals("this", StringComparison.OrdinalIgnoreCase))
        {
            return CnnCost.Measurement.Ceilings.ThisMachine();
        }

        var known = fromFile.Concat(Devices.All).ToArray();
        return known.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"unknown device '{name}'{CliParser.DidYouMean(name, known.Select(d => d.Name))}: the devices are {DeviceNames(fromFile)}");
    }

    /// <summary>The names of the file's devices, the presets and <c>this</c>, for messages.</summary>
    /// <param name="fromFile">The devices of <c>--device-file</c>.</param>
    /// <returns>The list as text.</returns>
    public static string DeviceNames(ImmutableArray<Device> fromFile) =>
        string.Join(", ", fromFile.Concat(Devices.All).Select(d => d.Name).Append("this"));

    /// <summary>Reads <c>--format</c>.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The format.</returns>
    public static OutputFormat ReadFormat(Arguments arguments) =>
        Enum.Parse<OutputFormat>(arguments.Choice("format", "table", "table", "markdown", "csv", "json", "svg", "html"), ignoreCase: true);

    /// <summary>
    /// Reads <c>--units</c>: <c>auto</c> (prefixes chosen per number), <c>MB</c> or <c>MiB</c> (fixed units). The default is
    /// auto, except for CSV, whose readers want one unit per column: MB.
    /// </summary>
    /// <param name="arguments">The arguments.</param>
    /// <param name="format">The output format.</param>
    /// <returns>The style.</returns>
    public static NumberStyle ReadStyle(Arguments arguments, OutputFormat format) =>
        arguments.Choice("units", format == OutputFormat.Csv ? "mb" : "auto", "auto", "mb", "mib") switch
        {
            "mb" => NumberStyle.Fixed(ByteUnit.Megabytes),
            "mib" => NumberStyle.Fixed(ByteUnit.Mebibytes),
            _ => NumberStyle.Automatic,
        };
}
