using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost compress MODEL --density D --bits B [--fc-bits B] [--index-bits N]</c>: model size after pruning and quantization.</summary>
public static class CompressCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var density = arguments.Fraction("density", null, "0.33 or 33%");
        var bits = arguments.PositiveInt("bits", 32);
        var settings = new CompressionSettings(density, bits, arguments.PositiveInt("fc-bits", bits), arguments.PositiveInt("index-bits", 4));
        try
        {
            settings.Validate();
        }
        catch (ArgumentOutOfRangeException error)
        {
            throw new UsageException(error.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }

        var common = CommonOptions.Read(arguments, "compress");
        arguments.EnsureAllUsed("compress", 1);
        if (common.Format == OutputFormat.Json)
        {
            throw new UsageException("'compress' writes table, markdown or csv");
        }

        var report = CostModel.Analyze(common.Network, common.Options);
        ConsoleOutput.Write(CompressionViews.Table(Compression.Compress(report, settings), common.Style), common.Format, stdout);
    }
}
