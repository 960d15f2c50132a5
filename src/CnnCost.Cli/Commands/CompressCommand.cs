using System.Collections.Immutable;
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
        var compressed = Compression.Compress(report, settings);
        var unit = common.Unit;
        string Size(long bitCount) => Units.Significant(Units.InUnit((bitCount + 7) / 8, unit));
        var rows = compressed.Layers.Select(l => (ImmutableArray<string>)
        [
            l.Name, Units.Count(l.Weights), Units.Count(l.Kept), Units.Count(l.Fillers), Size(l.ValueBits), Size(l.IndexBits), Size(l.CodebookBits), Size(l.TotalBits),
        ]).ToImmutableArray();
        rows = rows.Add(["total", Units.Count(compressed.Layers.Sum(l => l.Weights)), Units.Count(compressed.Layers.Sum(l => l.Kept)),
            Units.Count(compressed.Layers.Sum(l => l.Fillers)), Size(compressed.Layers.Sum(l => l.ValueBits)), Size(compressed.Layers.Sum(l => l.IndexBits)),
            Size(compressed.Layers.Sum(l => l.CodebookBits)), Units.Significant(Units.InUnit(compressed.CompressedBytes, unit))]);
        var symbol = Units.Symbol(unit);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("weights"), new("kept"), new("fillers"), new($"values ({symbol})"), new($"indices ({symbol})"),
            new($"codebook ({symbol})"), new($"total ({symbol})"),
        ];
        ImmutableArray<string> notes =
        [
            $"density {settings.Density:0.###}, {settings.ConvolutionBits}-bit convolution and {settings.FullyConnectedBits}-bit fully-connected values, {settings.IndexBits}-bit relative indices, fp32 codebooks; biases dense",
            $"{Units.Significant(Units.InUnit(compressed.DenseBytes, unit))} {symbol} dense fp32 -> {Units.Significant(Units.InUnit(compressed.CompressedBytes, unit))} {symbol}: {compressed.Ratio:0.0}x smaller (no Huffman coding)",
        ];
        ConsoleOutput.Write(new TextTable($"{report.Model}: compressed size", columns, rows, notes), common.Format, stdout);
    }
}
