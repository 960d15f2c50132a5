using System.Collections.Immutable;
using CnnCost.Changes;
using CnnCost.Dissertation;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost whatif MODEL --change SPEC ...</c>: what a change does, layer by layer, and whether it is local or global.</summary>
public static class WhatIfCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var common = CommonOptions.Read(arguments, "whatif");
        var specs = arguments.Options("change");
        arguments.EnsureAllUsed("whatif", 1);
        if (specs.Count == 0)
        {
            throw new UsageException("'whatif' needs at least one --change SPEC, e.g. --change filters:conv8=1536");
        }

        var modifications = specs.Select(Modification.Parse).ToArray();
        var change = ChangeAnalysis.Analyze(common.Network, modifications, common.Options);
        if (common.Format == OutputFormat.Json)
        {
            stdout.WriteLine(JsonReport.ToJson(change));
            return;
        }

        if (common.Format == OutputFormat.Svg)
        {
            stdout.Write(CnnCost.Reporting.Charts.Charts.ChangeBars(change, CnnCost.Reporting.Charts.LayerMetric.Flops));
            return;
        }

        if (common.Format == OutputFormat.Html)
        {
            stdout.Write(CnnCost.Reporting.Html.HtmlReport.Change(Modification.ApplyAll(common.Network, modifications), change,
                [.. modifications.Select(m => m.Spec)], arguments.Positional[0]));
            return;
        }

        ConsoleOutput.Write(ReportViews.PerLayer(change.Modified, common.Unit), common.Format, stdout);
        ConsoleOutput.Write(DeltaTable(change, modifications), common.Format, stdout);
    }

    /// <summary>A ratio, or "-" where it is undefined (NaN: a total that was 0 and is not now) or infinite, as for a layer.</summary>
    private static string Shown(double ratio) => double.IsFinite(ratio) ? NinTables.FormatRatio(ratio) : "-";

    private static TextTable DeltaTable(ChangeReport change, IReadOnlyList<Modification> modifications)
    {
        var rows = change.Layers
            .Where(d => d.Changed)
            .Select(d => (ImmutableArray<string>)[d.Name, d.Added ? "added" : d.Removed ? "removed" : "changed",
                NinTables.FormatRatio(d.OutputRatio), NinTables.FormatRatio(d.ParameterRatio), NinTables.FormatRatio(d.FlopRatio)])
            .ToImmutableArray();
        var r = change.Ratios;
        rows = rows.Add(["total", "", Shown(r.Activations), Shown(r.Parameters), Shown(r.Flops)]);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("", ColumnAlignment.Left), new("Δ output"), new("Δ params"), new("Δ FLOPs"),
        ];
        ImmutableArray<string> notes =
        [
            $"scope: {change.Scope.ToString().ToLowerInvariant()}; layers whose height and width change: {(change.ResizedLayers.IsEmpty ? "none" : string.Join(", ", change.ResizedLayers))}",
            $"computation per communication (FLOPs per parameter byte): {Shown(r.ComputationPerCommunication)}. {change.ScalingNote}",
        ];
        return new TextTable($"what if {string.Join(" then ", modifications.Select(m => m.Spec))}", columns, rows, notes);
    }
}
