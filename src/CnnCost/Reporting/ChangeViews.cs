using System.Collections.Immutable;
using CnnCost.Changes;

namespace CnnCost.Reporting;

/// <summary>The tables of a <see cref="ChangeReport"/>: the modified network layer by layer, and what changed.</summary>
public static class ChangeViews
{
    /// <summary>The changed layers with their ratios (output, parameters, FLOPs) and the totals' ratios; scope in the notes.</summary>
    /// <param name="change">The change report.</param>
    /// <param name="specs">The changes as given, for the title.</param>
    /// <returns>The table.</returns>
    public static TextTable Delta(ChangeReport change, IReadOnlyList<string> specs)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(specs);
        var rows = change.Layers
            .Where(d => d.Changed)
            .Select(d => (ImmutableArray<string>)[d.Name, d.Added ? "added" : d.Removed ? "removed" : "changed",
                Units.Ratio(d.OutputRatio), Units.Ratio(d.ParameterRatio), Units.Ratio(d.FlopRatio)])
            .ToImmutableArray();
        var r = change.Ratios;
        rows = rows.Add(["total", "", Shown(r.Activations), Shown(r.Parameters), Shown(r.Flops)]);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("", ColumnAlignment.Left), new("Δ output"), new("Δ params"), new("Δ FLOPs"),
        ];
        ImmutableArray<string> notes =
        [
            $"Δ = after / before, exact and rounded to one decimal; scope: {change.Scope.ToString().ToLowerInvariant()}; layers whose height and width change: "
                + (change.ResizedLayers.IsEmpty ? "none" : ReportViews.Abbreviate(change.ResizedLayers)),
            $"computation per communication (FLOPs per parameter byte): {Shown(r.ComputationPerCommunication)}. {change.ScalingNote}",
        ];
        return new TextTable($"what if {string.Join(" then ", specs)}", columns, rows, notes);
    }

    /// <summary>A ratio, or "-" where it is undefined (NaN: a total that was 0 and is not now) or infinite, as for a layer.</summary>
    private static string Shown(double ratio) => double.IsFinite(ratio) ? Units.Ratio(ratio) : "-";
}
