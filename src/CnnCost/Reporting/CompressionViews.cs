using System.Collections.Immutable;
using CnnCost.DesignSpace;

namespace CnnCost.Reporting;

/// <summary>The table of a <see cref="CompressionReport"/>: each layer's kept weights and bits, and the totals.</summary>
public static class CompressionViews
{
    /// <summary>One row per layer with parameters and a total: weights, kept, fillers, and the bytes of values, indices and codebooks.</summary>
    /// <param name="report">The compression report.</param>
    /// <param name="style">Prefixes chosen per number, or fixed units.</param>
    /// <returns>The table.</returns>
    public static TextTable Table(CompressionReport report, NumberStyle style)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(style);
        string Size(long bitCount) => style.Bytes((bitCount + 7) / 8);
        var t = report.Totals;
        var rows = report.Layers.Append(t).Select(l => (ImmutableArray<string>)
        [
            l.Name, style.Count(l.Weights), style.Count(l.Kept), style.Count(l.Fillers), Size(l.ValueBits), Size(l.IndexBits), Size(l.CodebookBits),
            ReferenceEquals(l, t) ? style.Bytes(report.CompressedBytes) : Size(l.TotalBits),
        ]).ToImmutableArray();
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("weights"), new("kept"), new("fillers"), new(style.BytesHeader("values", "values")),
            new(style.BytesHeader("indices", "indices")), new(style.BytesHeader("codebook", "codebook")), new(style.BytesHeader("total", "total")),
        ];
        var s = report.Settings;
        var unit = style.FixedUnit is { } u ? " " + Units.Symbol(u) : "";
        ImmutableArray<string> notes =
        [
            $"density {s.Density:0.###}, {s.ConvolutionBits}-bit convolution and {s.FullyConnectedBits}-bit fully-connected values, {s.IndexBits}-bit relative indices, fp32 codebooks; biases dense; fillers: zeros stored where a gap is longer than the index range",
            $"{style.Bytes(report.DenseBytes)}{unit} dense fp32 -> {style.Bytes(report.CompressedBytes)}{unit}: {report.Ratio:0.0}x smaller (no Huffman coding); {style.Legend}",
        ];
        return new TextTable($"{report.Model}: compressed size", columns, rows, notes);
    }
}
