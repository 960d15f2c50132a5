using System.Collections.Immutable;
using System.Globalization;
using CnnCost.Measurement;

namespace CnnCost.Reporting;

/// <summary>The table of a <see cref="MeasurementReport"/>: measured time per layer beside its prediction.</summary>
public static class MeasurementViews
{
    /// <summary>One row per measured layer and a total: FLOPs, measured time, achieved FLOP/s, predicted time, error.</summary>
    /// <param name="report">The measurement report.</param>
    /// <param name="options">The warm-ups and repeats the measurement used.</param>
    /// <returns>The table.</returns>
    public static TextTable Table(MeasurementReport report, MeasureOptions options)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(options);
        var rows = report.Layers.Select(l => (ImmutableArray<string>)
        [
            l.Timing.Shape.Name, Units.Prefixed(l.Timing.Shape.Flops), Units.Duration(l.Timing.MedianSeconds),
            Units.Prefixed(l.Timing.AchievedFlopsPerSecond, "FLOP/s"), Units.Duration(l.PredictedSeconds), Percent(l.RelativeError),
            RelativeError(l.Timing.MaxRelativeError),
        ]).ToImmutableArray();
        rows = rows.Add(["total", Units.Prefixed(report.Flops), Units.Duration(report.MeasuredSeconds),
            Units.Prefixed(report.AchievedFlopsPerSecond, "FLOP/s"), Units.Duration(report.PredictedSeconds), Percent(report.RelativeError), ""]);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("FLOPs"), new("measured"), new("achieved"), new("predicted"), new("error"), new("max rel. error"),
        ];
        var (repeats, warmups) = (options.Repeats, options.Warmups);
        ImmutableArray<string> notes =
        [
            $"{report.Engine} engine on {report.Device}",
            .. report.Selection.Length > 0 ? [$"why this device: {report.Selection}"] : ImmutableArray<string>.Empty,
            $"batch {report.Batch}; median of {repeats} run{(repeats == 1 ? "" : "s")} after {warmups} warm-up{(warmups == 1 ? "" : "s")}; every output verified against a double-precision reference",
            $"prediction: {report.Prediction}; error = predicted / measured - 1; max rel. error: the largest relative difference of an output from the reference",
        ];
        return new TextTable($"{report.Model}: measured convolution times", columns, rows, notes);
    }

    private static string Percent(double ratio) => ratio.ToString("+0%;-0%;0%", CultureInfo.InvariantCulture);

    /// <summary>A small relative error without exponent form: <c>0.00012</c> as <c>1.2 per 10^4</c> would be, written plainly.</summary>
    private static string RelativeError(double error) => error == 0 ? "0" : Units.Significant(error);
}
