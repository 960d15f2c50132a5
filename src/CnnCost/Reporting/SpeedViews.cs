using System.Collections.Immutable;
using System.Globalization;
using CnnCost.Costs;
using CnnCost.Hardware;

namespace CnnCost.Reporting;

/// <summary>The table of <see cref="SpeedEstimate"/>s: frames per second and energy per frame, one device a row.</summary>
public static class SpeedViews
{
    /// <summary>One row per device: its peak, watts, frames per second and joules per frame.</summary>
    /// <param name="report">The report whose FLOPs per frame the estimates used.</param>
    /// <param name="estimates">One estimate per device, all at the same efficiency.</param>
    /// <returns>The table.</returns>
    public static TextTable Table(CostReport report, IReadOnlyList<SpeedEstimate> estimates)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(estimates);
        var rows = estimates.Select(s => (ImmutableArray<string>)
        [
            s.Device.Name, Units.Significant(s.Device.PeakFlopsPerSecond / 1e12), s.Device.Watts.ToString("0", CultureInfo.InvariantCulture),
            Units.Significant(s.FramesPerSecond), Units.Significant(s.JoulesPerFrame),
        ]).ToImmutableArray();
        ImmutableArray<TextColumn> columns = [new("device", ColumnAlignment.Left), new("peak TFLOP/s"), new("watts"), new("frames/s"), new("J/frame")];
        var efficiency = estimates.Count > 0 ? estimates[0].Efficiency : 0;
        ImmutableArray<string> notes =
        [
            $"{Units.Prefixed(SpeedModel.FlopsPerFrame(report), "FLOPs")} per frame ({report.Phase.ToString().ToLowerInvariant()}) at {efficiency:0.#%} of peak; "
                + "frames/s = peak x efficiency / FLOPs per frame, J/frame = watts / frames/s (dissertation 2.3.4-2.3.6)",
        ];
        return new TextTable($"{report.Model}: speed and energy", columns, rows, notes);
    }
}
