using System.Collections.Immutable;
using System.Globalization;
using CnnCost.Hardware;

namespace CnnCost.Reporting;

/// <summary>The table of a <see cref="RooflineReport"/>: each layer's intensity, attainable FLOP/s, bound and time.</summary>
public static class RooflineViews
{
    /// <summary>One row per layer on the roofline, and the network's bound in the notes.</summary>
    /// <param name="report">The roofline report.</param>
    /// <param name="style">Prefixes chosen per number, or fixed units (GFLOPs, MB, TFLOP/s, ms).</param>
    /// <returns>The table.</returns>
    public static TextTable Table(RooflineReport report, NumberStyle style)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(style);
        var automatic = style.FixedUnit is null;
        var rows = report.Points.Select(p => (ImmutableArray<string>)
        [
            p.Name, style.Operations(p.Flops), automatic ? Units.Prefixed(p.Bytes, "B") : Units.Significant(p.Bytes / 1e6), Units.Significant(p.Intensity),
            automatic ? Units.Prefixed(p.AttainableFlopsPerSecond, "FLOP/s") : Units.Significant(p.AttainableFlopsPerSecond / 1e12),
            p.ComputeBound ? "compute" : "memory", automatic ? Units.Duration(p.Seconds) : Units.Significant(p.Seconds * 1e3),
        ]).ToImmutableArray();
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new(style.OperationsHeader("FLOPs")), new(automatic ? "moved" : "MB moved"), new("FLOPs/byte"),
            new(automatic ? "attainable" : "attainable TFLOP/s"), new("bound", ColumnAlignment.Left), new(automatic ? "time at the roof" : "ms at the roof"),
        ];
        var device = report.Device;
        ImmutableArray<string> notes =
        [
            $"{device}; ridge point {device.RidgeFlopsPerByte.ToString("0.#", CultureInfo.InvariantCulture)} FLOPs/byte; bytes = inputs, weights and output once each (batch {report.Batch}, {report.Precision})",
            $"lower bound on the network's time: {Units.Duration(report.Seconds)} per batch, {Units.Significant(report.FramesPerSecond)} frames/s",
        ];
        return new TextTable($"{report.Model} on the roofline of {device.Name}", columns, rows, notes);
    }
}
