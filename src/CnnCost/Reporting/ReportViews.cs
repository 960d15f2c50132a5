using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.Reporting;

/// <summary>The per-layer table of a <see cref="CostReport"/>, for people (Markdown, CSV, the console).</summary>
public static class ReportViews
{
    /// <summary>
    /// One row per layer and a total: output shape, weights, biases, parameter bytes, output bytes and
    /// GFLOPs. In-place layers show their output but mark it, since it adds nothing to the total.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="unit">The byte unit.</param>
    /// <returns>The table.</returns>
    public static TextTable PerLayer(CostReport report, ByteUnit unit = ByteUnit.Megabytes)
    {
        ArgumentNullException.ThrowIfNull(report);
        var symbol = Units.Symbol(unit);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("kind", ColumnAlignment.Left), new("output", ColumnAlignment.Left),
            new("weights"), new("biases"), new($"params ({symbol})"), new($"output ({symbol})"), new("GFLOPs"),
        ];
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<string>>(report.Layers.Length + 1);
        foreach (var row in report.Layers)
        {
            rows.Add(
            [
                row.Name, KindName(row.Kind), row.Output.ToString(), Units.Count(row.Weights), Units.Count(row.Biases),
                Units.Significant(Units.InUnit(row.ParameterBytes, unit)),
                Units.Significant(Units.InUnit(row.OutputBytes, unit)) + (row.InPlace ? " (in place)" : ""),
                Units.Significant(row.Flops / 1e9),
            ]);
        }

        var t = report.Totals;
        rows.Add(
        [
            "total", "", "", Units.Count(t.Weights), Units.Count(t.Biases), Units.Significant(Units.InUnit(t.ParameterBytes, unit)),
            Units.Significant(Units.InUnit(t.OutputBytes, unit)), Units.Significant(t.Flops / 1e9),
        ]);

        var c = report.Conventions;
        ImmutableArray<string> notes =
        [
            $"batch {report.Batch}, {report.Phase.ToString().ToLowerInvariant()} FLOPs (multiply-add = 2), {c.Precision}, biases {(c.CountBiases ? "included in" : "excluded from")} parameter bytes, 1 {symbol} = {(unit == ByteUnit.Megabytes ? "10^6" : "2^20")} bytes",
            $"parameters {Units.Count(t.Parameters)}; activations without the input {Units.Significant(Units.InUnit(t.ActivationBytes, unit))} {symbol}",
        ];
        return new TextTable($"{report.Model}: input {report.Input}", columns, rows.ToImmutable(), notes);
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

    /// <summary>Every kind's name, made once: tables of a million layers ask for one a row.</summary>
    private static readonly Dictionary<LayerKind, string> KindNames = Enum.GetValues<LayerKind>().ToDictionary(k => k, CamelCase);

    private static string CamelCase(LayerKind kind)
    {
        var name = kind.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
