using CnnCost.Costs;
using CnnCost.Graph;
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
}

/// <summary>The options every analysing command shares: model, batch, input, precision, bias, phase, rounding, units, format.</summary>
/// <param name="Network">The model, with <c>--input</c> applied.</param>
/// <param name="Options">Batch, phase and conventions.</param>
/// <param name="Format">The output format.</param>
/// <param name="Unit">The byte unit of tables.</param>
/// <param name="ImportNotes">What an importer assumed or left out (empty for zoo models).</param>
public sealed record CommonOptions(Network Network, AnalysisOptions Options, OutputFormat Format, ByteUnit Unit, IReadOnlyList<string> ImportNotes)
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
        };
        var options = new AnalysisOptions
        {
            Batch = arguments.PositiveInt("batch", 1),
            Phase = arguments.Choice("phase", "inference", "inference", "training") == "training" ? Phase.Training : Phase.Inference,
            Conventions = conventions,
        };
        return new CommonOptions(network, options, ReadFormat(arguments), ReadUnit(arguments), model.Notes);
    }

    /// <summary>Reads the MODEL argument: a zoo name or a .prototxt / .onnx path (with <c>--skip-unsupported</c> for ONNX).</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The model.</returns>
    /// <exception cref="CnnCostException">An unknown name or a bad file; the message names it.</exception>
    public static ImportedModel LoadModel(Arguments arguments)
    {
        return ModelSource.Load(arguments.Positional[0], new OnnxImportOptions(arguments.Flag("skip-unsupported")), new CaffeImportOptions(arguments.Flag("skip-unsupported")));
    }

    /// <summary>A device preset by name, or <c>this</c>: this machine, its ceilings measured now (FMA peak and triad; power unknown).</summary>
    /// <param name="name">The device name.</param>
    /// <returns>The device.</returns>
    /// <exception cref="CnnCostException">No preset has that name.</exception>
    public static CnnCost.Hardware.Device ReadDevice(string name) =>
        name.Equals("this", StringComparison.OrdinalIgnoreCase) ? CnnCost.Measurement.Ceilings.ThisMachine() : CnnCost.Hardware.Devices.Find(name);

    /// <summary>Reads <c>--format</c>.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The format.</returns>
    public static OutputFormat ReadFormat(Arguments arguments) =>
        Enum.Parse<OutputFormat>(arguments.Choice("format", "table", "table", "markdown", "csv", "json", "svg"), ignoreCase: true);

    /// <summary>Reads <c>--units</c>.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The byte unit.</returns>
    public static ByteUnit ReadUnit(Arguments arguments) =>
        arguments.Choice("units", "mb", "mb", "mib") == "mb" ? ByteUnit.Megabytes : ByteUnit.Mebibytes;
}
