using CnnCost.Costs;
using CnnCost.Hardware;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost roofline MODEL --device NAME</c>: each layer's arithmetic intensity, attainable FLOP/s and bound.</summary>
public static class RooflineCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var fromFile = CommonOptions.FileDevices(arguments);
        var device = arguments.Option("device") is { } name
            ? CommonOptions.ReadDevice(name, fromFile)
            : fromFile.Length == 1 ? fromFile[0] : throw new UsageException($"'roofline' needs --device: one of {CommonOptions.DeviceNames(fromFile)}");
        var common = CommonOptions.Read(arguments, "roofline");
        arguments.EnsureAllUsed("roofline", 1);
        if (common.Format == OutputFormat.Json)
        {
            throw new UsageException("'roofline' writes table, markdown or csv");
        }

        var report = CostModel.Analyze(common.Network, common.Options);
        var roofline = Roofline.Report(report, device);
        if (!(roofline.Seconds > 0))
        {
            // Only in-place layers (or none) would give an empty table and 0 ms, NaN frames/s.
            throw new UsageException($"network '{report.Model}' has no layer that moves or computes anything to place on the roofline");
        }

        if (common.Format == OutputFormat.Svg)
        {
            stdout.Write(CnnCost.Reporting.Charts.Charts.Roofline(roofline.Points, device));
            return;
        }

        ConsoleOutput.Write(RooflineViews.Table(roofline, common.Style), common.Format, stdout);
    }
}
