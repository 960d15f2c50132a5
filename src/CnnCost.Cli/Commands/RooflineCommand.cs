using System.Collections.Immutable;
using System.Globalization;
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
        var points = Roofline.Analyze(report, device);
        if (!(points.Sum(p => p.Seconds) > 0))
        {
            // Only in-place layers (or none) would give an empty table and 0 ms, NaN frames/s.
            throw new UsageException($"network '{report.Model}' has no layer that moves or computes anything to place on the roofline");
        }

        if (common.Format == OutputFormat.Svg)
        {
            stdout.Write(CnnCost.Reporting.Charts.Charts.Roofline(points, device));
            return;
        }

        var rows = points.Select(p => (ImmutableArray<string>)
        [
            p.Name, Units.Significant(p.Flops / 1e9), Units.Significant(p.Bytes / 1e6), Units.Significant(p.Intensity),
            Units.Significant(p.AttainableFlopsPerSecond / 1e12), p.ComputeBound ? "compute" : "memory", Units.Significant(p.Seconds * 1e3),
        ]).ToImmutableArray();
        var total = points.Sum(p => p.Seconds);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("GFLOPs"), new("MB moved"), new("FLOPs/byte"), new("attainable TFLOP/s"),
            new("bound", ColumnAlignment.Left), new("ms at the roof"),
        ];
        ImmutableArray<string> notes =
        [
            $"{device}; ridge point {device.RidgeFlopsPerByte.ToString("0.#", CultureInfo.InvariantCulture)} FLOPs/byte; bytes = inputs, weights and output once each (batch {report.Batch}, {report.Conventions.Precision})",
            $"lower bound on the network's time: {Units.Significant(total * 1e3)} ms per batch, {Units.Significant(report.Batch / total)} frames/s",
        ];
        ConsoleOutput.Write(new TextTable($"{report.Model} on the roofline of {device.Name}", columns, rows, notes), common.Format, stdout);
    }
}
