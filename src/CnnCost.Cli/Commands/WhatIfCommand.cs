using CnnCost.Changes;
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

        ConsoleOutput.Write(ReportViews.PerLayer(change.Modified, common.Style), common.Format, stdout);
        ConsoleOutput.Write(ChangeViews.Delta(change, [.. modifications.Select(m => m.Spec)]), common.Format, stdout);
    }
}
