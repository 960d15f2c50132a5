using CnnCost.Costs;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost report MODEL</c>: the per-layer costs and totals.</summary>
public static class ReportCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the report goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var metric = arguments.Choice("metric", "flops", "flops", "params", "outputs") switch
        {
            "params" => CnnCost.Reporting.Charts.LayerMetric.ParameterBytes,
            "outputs" => CnnCost.Reporting.Charts.LayerMetric.OutputBytes,
            _ => CnnCost.Reporting.Charts.LayerMetric.Flops,
        };
        var common = CommonOptions.Read(arguments, "report");
        arguments.EnsureAllUsed("report", 1);
        var report = CostModel.Analyze(common.Network, common.Options);
        if (common.Format == OutputFormat.Json)
        {
            stdout.WriteLine(JsonReport.ToJson(report, common.Skipped));
            return;
        }

        if (common.Format == OutputFormat.Svg)
        {
            stdout.Write(CnnCost.Reporting.Charts.Charts.LayerBars(report, metric));
            return;
        }

        var table = ReportViews.PerLayer(report, common.Style);
        ConsoleOutput.Write(table with { Notes = table.Notes.AddRange(common.ImportNotes) }, common.Format, stdout);
    }
}
