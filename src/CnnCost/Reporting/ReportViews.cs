using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.Reporting;

/// <summary>The per-layer table of a <see cref="CostReport"/>, for people (Markdown, CSV, the console).</summary>
public static class ReportViews
{
    /// <summary>The per-layer table in fixed units: bytes in <paramref name="unit"/>, FLOPs and MACs in G.</summary>
    /// <param name="report">The report.</param>
    /// <param name="unit">The byte unit.</param>
    /// <returns>The table.</returns>
    public static TextTable PerLayer(CostReport report, ByteUnit unit = ByteUnit.Megabytes) =>
        PerLayer(report, NumberStyle.Fixed(unit));

    /// <summary>
    /// One row per layer and a total: kind, output shape, weights, biases, parameter bytes, output bytes, MACs and
    /// FLOPs. In-place layers show their output but mark it with <c>*</c>, since it adds nothing to the total.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="style">Prefixes chosen per number, or fixed units.</param>
    /// <returns>The table.</returns>
    public static TextTable PerLayer(CostReport report, NumberStyle style)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(style);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("kind", ColumnAlignment.Left), new("output", ColumnAlignment.Left),
            new("weights"), new("biases"), new(style.BytesHeader("params", "param bytes")), new(style.BytesHeader("output", "out bytes")),
            new(style.OperationsHeader("MACs")), new(style.OperationsHeader("FLOPs")),
        ];
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<string>>(report.Layers.Length + 1);
        var anyInPlace = false;
        foreach (var row in report.Layers)
        {
            anyInPlace |= row.InPlace;
            rows.Add(
            [
                row.Name, KindLabel(row.Kind), row.Output.ToString(), style.Count(row.Weights), style.Count(row.Biases),
                style.Bytes(row.ParameterBytes), style.Bytes(row.OutputBytes) + (row.InPlace ? "*" : ""),
                style.Operations(row.Macs), style.Operations(row.Flops),
            ]);
        }

        var t = report.Totals;
        rows.Add(
        [
            "total", "", "", style.Count(t.Weights), style.Count(t.Biases), style.Bytes(t.ParameterBytes),
            style.Bytes(t.OutputBytes), style.Operations(t.Macs), style.Operations(t.Flops),
        ]);

        var c = report.Conventions;
        var notes = ImmutableArray.CreateBuilder<string>();
        notes.Add($"batch {report.Batch}, {report.Phase.ToString().ToLowerInvariant()}; FLOPs count a multiply-add as 2, MACs as 1 "
            + $"(convolution, fully-connected, linear and matrix-product layers); {c.Precision}; biases {(c.CountBiases ? "included in" : "excluded from")} parameter bytes; {style.Legend}");
        notes.Add($"FLOPs besides MACs: {style.Operations(t.OtherOps)} (pooling{(c.CountElementwiseOps ? "; element-wise, normalization and reduction operations counted" : "; element-wise, normalization and reduction operations not counted")})");
        notes.Add($"parameters {Units.Count(t.Parameters)}; activations without the input {style.Bytes(t.ActivationBytes)}{(style.FixedUnit is { } u ? " " + Units.Symbol(u) : "")}");
        if (anyInPlace)
        {
            notes.Add("output marked *: in place, the layer overwrites its input, so its output adds nothing to the total");
        }

        return new TextTable($"{report.Model}: input {report.Input}", columns, rows.ToImmutable(), notes.ToImmutable());
    }

    /// <summary>Names a run of layers briefly: all of them when few, else the first and last and the count.</summary>
    /// <param name="names">Layer names in order.</param>
    /// <returns>The text.</returns>
    public static string Abbreviate(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return names.Count <= 5 ? string.Join(", ", names) : $"{names[0]} … {names[^1]} ({names.Count} layers)";
    }

    /// <summary>The camelCase name of a layer kind, as the JSON's <c>kind</c> field writes it.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>For example <c>fullyConnected</c>.</returns>
    public static string KindName(LayerKind kind) =>
        KindNames.TryGetValue(kind, out var name) ? name : CamelCase(kind);

    /// <summary>A layer kind in words, as tables show it.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>For example <c>fully connected</c>.</returns>
    public static string KindLabel(LayerKind kind) =>
        KindLabels.TryGetValue(kind, out var label) ? label : Words(kind);

    /// <summary>Every kind's label, made once.</summary>
    private static readonly Dictionary<LayerKind, string> KindLabels = Enum.GetValues<LayerKind>().ToDictionary(k => k, k => k == LayerKind.Lrn ? "LRN" : Words(k));

    /// <summary>A PascalCase name as lower-case words: <c>FullyConnected</c> is <c>fully connected</c>, <c>PReLU</c> stays.</summary>
    private static string Words(LayerKind kind)
    {
        var name = kind.ToString();
        var words = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var upper = char.IsUpper(name[i]);
            if (upper && i > 0 && char.IsLower(name[i - 1]))
            {
                words.Append(' ');
            }

            // An acronym (two capitals in a row) keeps its case; a capitalised word is lowered.
            var acronym = upper && ((i + 1 < name.Length && char.IsUpper(name[i + 1])) || (i > 0 && char.IsUpper(name[i - 1])));
            words.Append(acronym ? name[i] : char.ToLowerInvariant(name[i]));
        }

        return words.ToString();
    }

    /// <summary>Every kind's name, made once: tables of a million layers ask for one a row.</summary>
    private static readonly Dictionary<LayerKind, string> KindNames = Enum.GetValues<LayerKind>().ToDictionary(k => k, CamelCase);

    private static string CamelCase(LayerKind kind)
    {
        var name = kind.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
