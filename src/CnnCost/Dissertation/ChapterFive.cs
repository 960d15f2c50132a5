using System.Collections.Immutable;
using System.Globalization;
using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Reporting;
using CnnCost.Zoo;

namespace CnnCost.Dissertation;

/// <summary>Chapter 5 recomputed: Table 5.1 (SqueezeNet's parameters per module) and Table 5.2 (compression).</summary>
public static class ChapterFive
{
    // Table 5.1's parameter counts (with biases) per module, as cost-model.md §7 lists them.
    private static readonly (string Module, long Printed)[] PrintedTable51 =
    [
        ("conv1", 14_208), ("fire2", 11_920), ("fire3", 12_432), ("fire4", 45_344), ("fire5", 49_440), ("fire6", 104_880),
        ("fire7", 111_024), ("fire8", 188_992), ("fire9", 197_184), ("conv10", 513_000), ("total", 1_248_424),
    ];

    /// <summary>Table 5.1: SqueezeNet v1.0's output sizes and parameters per module, compared with the printed counts.</summary>
    /// <returns>The recomputed table.</returns>
    public static RecomputedTable Table51()
    {
        var report = CostModel.Analyze(SqueezeNet.Version10());
        var comparisons = ImmutableArray.CreateBuilder<PrintedComparison>();
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        var notes = ImmutableArray.CreateBuilder<string>();
        foreach (var (module, printed) in PrintedTable51)
        {
            var layers = module == "total"
                ? report.Layers.ToArray()
                : report.Layers.Where(l => l.Name == module || l.Name.StartsWith(module + "/", StringComparison.Ordinal)).ToArray();
            var parameters = layers.Sum(l => l.Parameters);
            var output = module == "total" ? "" : layers[^1].Output.ToString();
            var printedText = printed.ToString(CultureInfo.InvariantCulture);
            rows.Add([module, output, NinTables.Compare("5.1", module, "parameters", printedText, parameters.ToString(CultureInfo.InvariantCulture), comparisons, notes)]);
        }

        notes.Insert(0, $"3x227x227 input (Table 5.1 says 224x224, but its 111x111 conv1 output needs 227); parameters with biases; "
            + $"{Units.Significant(Units.InUnit(report.Totals.ParameterBytes, ByteUnit.Mebibytes))} MiB in fp32 (the dissertation's 4.8 MB)");
        ImmutableArray<TextColumn> columns = [new("module", ColumnAlignment.Left), new("output", ColumnAlignment.Left), new("parameters")];
        return new RecomputedTable(new TextTable("Table 5.1: SqueezeNet v1.0", columns, rows.ToImmutable(), notes.ToImmutable()), comparisons.ToImmutable());
    }

    /// <summary>
    /// Table 5.2 recomputed with <see cref="Compression"/>'s stated model: each row's settings, the size the model
    /// gives and the printed one, and their gap. SqueezeNet's sizes are in MiB and AlexNet's in MB, as the printed
    /// values round. The SVD row (a low-rank factorization) is outside the model.
    /// </summary>
    /// <returns>The table.</returns>
    public static TextTable Table52()
    {
        var alexnet = CostModel.Analyze(AlexNet.Create());
        // Han et al.'s per-layer densities for AlexNet (Learning both Weights and Connections, 2015; reused by Deep Compression, 2016).
        var hanDensities = new Dictionary<string, double>
        {
            ["conv1"] = 0.84, ["conv2"] = 0.38, ["conv3"] = 0.35, ["conv4"] = 0.37, ["conv5"] = 0.37, ["fc6"] = 0.09, ["fc7"] = 0.09, ["fc8"] = 0.25,
        };
        var squeezenet = CostModel.Analyze(SqueezeNet.Version10());
        (string Model, string Approach, CostReport Report, CompressionSettings Settings, double Printed, ByteUnit Unit)[] rows =
        [
            ("AlexNet", "none (fp32)", alexnet, CompressionSettings.Dense, 240, ByteUnit.Megabytes),
            ("AlexNet", "pruning per layer as Han et al., fp32 values, 4-bit indices", alexnet, new CompressionSettings(1, 32, 32, LayerDensities: hanDensities), 27, ByteUnit.Megabytes),
            ("AlexNet", "Deep Compression: Han's densities, 8-bit conv, 5-bit fc, 4-bit indices", alexnet, new CompressionSettings(1, 8, 5, LayerDensities: hanDensities), 6.9, ByteUnit.Megabytes),
            ("SqueezeNet", "none (fp32)", squeezenet, CompressionSettings.Dense, 4.8, ByteUnit.Mebibytes),
            ("SqueezeNet", "Deep Compression: 33%, 8-bit, 4-bit indices", squeezenet, new CompressionSettings(0.33, 8, 8), 0.66, ByteUnit.Mebibytes),
            ("SqueezeNet", "Deep Compression: 33%, 6-bit, 4-bit indices", squeezenet, new CompressionSettings(0.33, 6, 6), 0.47, ByteUnit.Mebibytes),
        ];
        var cells = rows.Select(r =>
        {
            var compressed = Compression.Compress(r.Report, r.Settings);
            var size = Units.InUnit(compressed.CompressedBytes, r.Unit);
            return (ImmutableArray<string>)
            [
                r.Model, r.Approach, $"{Units.Significant(size)} {Units.Symbol(r.Unit)}", $"{r.Printed.ToString(CultureInfo.InvariantCulture)} {Units.Symbol(r.Unit)}",
                $"{(size - r.Printed) / r.Printed:+0%;-0%;0%}", $"{(double)alexnet.Totals.Parameters * 4 / compressed.CompressedBytes:0}x",
            ];
        }).ToImmutableArray();
        ImmutableArray<TextColumn> columns =
        [
            new("model", ColumnAlignment.Left), new("compression (stated model)", ColumnAlignment.Left), new("computed"), new("printed"),
            new("gap"), new("vs AlexNet fp32"),
        ];
        ImmutableArray<string> notes =
        [
            "model: pruned weights store a value and a relative index each, with filler zeros for gaps past the index range; a codebook of 2^bits fp32 entries per layer; biases dense; no Huffman coding",
            "AlexNet is pruned per layer as Han et al. did (conv1-5: 84, 38, 35, 37, 37%; fc6-8: 9, 9, 25%); the printed pruning row (27 MB = 240 MB / 9) counts no index storage; Deep Compression's printed sizes include Huffman coding, which the model leaves out",
            "SVD (240 MB -> 48 MB, a low-rank factorization of the fully-connected layers) is outside this model",
        ];
        return new TextTable("Table 5.2: compression, the stated model next to the printed sizes", columns, cells, notes);
    }
}
