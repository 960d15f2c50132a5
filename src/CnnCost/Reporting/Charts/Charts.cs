using System.Globalization;
using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Distributed;
using CnnCost.Graph;
using CnnCost.Hardware;

namespace CnnCost.Reporting.Charts;

/// <summary>What a per-layer bar chart shows.</summary>
public enum LayerMetric
{
    /// <summary>FLOPs in the report's phase.</summary>
    Flops,

    /// <summary>Parameter bytes.</summary>
    ParameterBytes,

    /// <summary>Output (activation) bytes.</summary>
    OutputBytes,
}

/// <summary>
/// SVG charts of CnnCost's results, written by its own small renderer (no plotting package): per-layer bars (and
/// baseline against modified for a what-if), a roofline with the layers as points, speedup curves per scheme, and
/// sweeps with their Pareto front. Every mark carries its data in <c>data-*</c> attributes.
/// </summary>
public static class Charts
{
    private const string Blue = "#4e79a7";
    private const string Orange = "#f28e2b";
    private const string Red = "#e15759";
    private static readonly string[] Palette = [Blue, Orange, "#59a14f", Red, "#76b7b2", "#edc948"];

    /// <summary>One bar per layer that owns its output (in-place layers and the input left out).</summary>
    /// <param name="report">The report.</param>
    /// <param name="metric">What the bars show.</param>
    /// <returns>The SVG document.</returns>
    public static string LayerBars(CostReport report, LayerMetric metric)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Layers.Where(Shown).ToArray();
        var canvas = new SvgCanvas($"{report.Model}: {Title(metric)} per layer (batch {report.Batch})", BarsWidth(rows.Length, 1));
        Bars(canvas, rows.Select(r => r.Name).ToArray(), [rows.Select(r => (double)Value(r, metric)).ToArray()], [Blue], Title(metric));
        return canvas.ToString();
    }

    /// <summary>Baseline and modified bars per layer of a what-if; layers on one side only get one bar.</summary>
    /// <param name="change">The change report.</param>
    /// <param name="metric">What the bars show.</param>
    /// <returns>The SVG document.</returns>
    public static string ChangeBars(ChangeReport change, LayerMetric metric)
    {
        ArgumentNullException.ThrowIfNull(change);
        var names = change.Layers.Select(d => d.Name).Where(n => IsShown(change.Baseline, n) || IsShown(change.Modified, n)).ToArray();
        double ValueOf(CostReport report, string name) => report.Layers.FirstOrDefault(l => l.Name == name) is { } row ? Value(row, metric) : 0;
        var canvas = new SvgCanvas($"{change.Modified.Model}: {Title(metric)}, baseline against modified ({change.Scope.ToString().ToLowerInvariant()} change)",
            BarsWidth(names.Length, 2));
        Bars(canvas, names, [names.Select(n => ValueOf(change.Baseline, n)).ToArray(), names.Select(n => ValueOf(change.Modified, n)).ToArray()],
            [Blue, Orange], Title(metric));
        canvas.Legend(("baseline", Blue), ("modified", Orange));
        return canvas.ToString();
    }

    /// <summary>The roofline of a device (log-log) with each layer as a point at its arithmetic intensity and attainable FLOP/s.</summary>
    /// <param name="points">The layers on the roofline.</param>
    /// <param name="device">The device.</param>
    /// <returns>The SVG document.</returns>
    public static string Roofline(IReadOnlyList<RooflinePoint> points, Device device)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(device);
        var shown = points.Where(p => p.Flops > 0 && double.IsFinite(p.Intensity)).ToArray();
        var xMin = Math.Pow(10, Math.Floor(Math.Log10(Math.Min(device.RidgeFlopsPerByte, shown.Select(p => p.Intensity).DefaultIfEmpty(1).Min()) / 2)));
        var xMax = Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(device.RidgeFlopsPerByte, shown.Select(p => p.Intensity).DefaultIfEmpty(1).Max()) * 2)));
        var yMax = Math.Pow(10, Math.Ceiling(Math.Log10(device.PeakFlopsPerSecond * 1.5)));
        var yMin = Math.Pow(10, Math.Floor(Math.Log10(Math.Min(xMin * device.MemoryBytesPerSecond, shown.Select(p => p.AttainableFlopsPerSecond).DefaultIfEmpty(yMax).Min()))));
        var canvas = new SvgCanvas($"Roofline of {device.Name}: {SvgCanvas.Label(device.PeakFlopsPerSecond)}FLOP/s, {SvgCanvas.Label(device.MemoryBytesPerSecond)}B/s");
        canvas.Axes("arithmetic intensity (FLOPs per byte)", "attainable FLOP/s", (xMin, xMax, true), (yMin, yMax, true));
        double X(double v) => SvgCanvas.Scale(v, xMin, xMax, canvas.PlotLeft, canvas.PlotRight, true);
        double Y(double v) => SvgCanvas.Scale(v, yMin, yMax, canvas.PlotBottom, canvas.PlotTop, true);
        var ridge = device.RidgeFlopsPerByte;
        canvas.Polyline([(X(xMin), Y(xMin * device.MemoryBytesPerSecond)), (X(ridge), Y(device.PeakFlopsPerSecond)), (X(xMax), Y(device.PeakFlopsPerSecond))],
            "black", 2, null, ("ridge", SvgCanvas.Number(ridge)));
        foreach (var p in shown)
        {
            canvas.Circle(X(p.Intensity), Y(p.AttainableFlopsPerSecond), 4, p.ComputeBound ? Blue : Red,
                ("layer", p.Name), ("intensity", p.Intensity.ToString("R", CultureInfo.InvariantCulture)),
                ("attainable", p.AttainableFlopsPerSecond.ToString("R", CultureInfo.InvariantCulture)));
        }

        // The legend's corner is kept free; labels that find no free place are left out rather than overprinted.
        var legend = new Box(canvas.PlotRight - 172, canvas.PlotTop - 4, canvas.PlotRight, canvas.PlotTop + 40);
        var anchors = shown.Select(p => (X(p.Intensity), Y(p.AttainableFlopsPerSecond), p.Name)).ToArray();
        var bounds = new Box(canvas.PlotLeft, canvas.PlotTop, canvas.PlotRight, canvas.PlotBottom);
        foreach (var label in LabelLayout.Place(anchors, 9, 4, bounds, legend))
        {
            canvas.Label(label.X, label.Y, shown[label.Index].Name, label.Anchor, 9);
        }

        canvas.Legend(("compute bound", Blue), ("memory bound", Red));
        return canvas.ToString();
    }

    /// <summary>Speedup against workers (log2) for one or more scaling studies, with the ideal line.</summary>
    /// <param name="reports">One study per scheme (or setting) to compare.</param>
    /// <returns>The SVG document.</returns>
    public static string Scaling(IReadOnlyList<ScalingReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var workers = reports.SelectMany(r => r.Rows.Select(row => (double)row.Workers)).ToArray();
        var (xMin, xMax) = (workers.Min(), Math.Max(workers.Max(), workers.Min() * 2));
        var yMax = Math.Max(xMax, reports.SelectMany(r => r.Rows.Select(row => row.Speedup)).Max());
        var canvas = new SvgCanvas($"{reports[0].Model}: speedup against workers (batch {reports[0].Setup.Batch})");
        canvas.Axes("workers", "speedup", (xMin, xMax, true), (1, yMax, true));
        double X(double v) => SvgCanvas.Scale(v, xMin, xMax, canvas.PlotLeft, canvas.PlotRight, true);
        double Y(double v) => SvgCanvas.Scale(Math.Max(v, 1e-9), 1, yMax, canvas.PlotBottom, canvas.PlotTop, true);
        canvas.Polyline([(X(xMin), Y(xMin)), (X(xMax), Y(xMax))], "#999999", 1, "4 3", ("series", "ideal"));
        var legend = new List<(string, string)>();
        for (var i = 0; i < reports.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            var name = ScalingViews.SchemeName(reports[i].Setup.Communication.Scheme);
            canvas.Polyline(reports[i].Rows.Select(r => (X(r.Workers), Y(r.Speedup))), color, 2, null, ("series", name));
            foreach (var row in reports[i].Rows)
            {
                canvas.Circle(X(row.Workers), Y(row.Speedup), 3, color, ("series", name),
                    ("workers", row.Workers.ToString(CultureInfo.InvariantCulture)), ("speedup", row.Speedup.ToString("R", CultureInfo.InvariantCulture)));
            }

            legend.Add((name, color));
        }

        canvas.Legend([.. legend]);
        return canvas.ToString();
    }

    /// <summary>A sweep as a scatter plot with its Pareto front drawn as a line.</summary>
    /// <typeparam name="T">What describes a design.</typeparam>
    /// <param name="title">The title.</param>
    /// <param name="results">The results.</param>
    /// <param name="x">The horizontal value of a result, and its axis title.</param>
    /// <param name="y">The vertical value of a result, and its axis title.</param>
    /// <param name="front">The results on the Pareto front (drawn in red and joined).</param>
    /// <returns>The SVG document.</returns>
    public static string Sweep<T>(string title, IReadOnlyList<SweepResult<T>> results, (Func<SweepResult<T>, double> Value, string Title) x,
        (Func<SweepResult<T>, double> Value, string Title) y, IReadOnlyCollection<SweepResult<T>> front)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(front);
        var xs = results.Select(x.Value).ToArray();
        var ys = results.Select(y.Value).ToArray();
        var (xMin, xMax) = Padded(xs.Min(), xs.Max());
        var (yMin, yMax) = Padded(Math.Min(0, ys.Min()), ys.Max());
        var canvas = new SvgCanvas(title);
        canvas.Axes(x.Title, y.Title, (xMin, xMax, false), (yMin, yMax, false));
        double X(double v) => SvgCanvas.Scale(v, xMin, xMax, canvas.PlotLeft, canvas.PlotRight, false);
        double Y(double v) => SvgCanvas.Scale(v, yMin, yMax, canvas.PlotBottom, canvas.PlotTop, false);
        var onFront = front.ToHashSet();
        canvas.Polyline(results.Where(onFront.Contains).OrderBy(x.Value).Select(r => (X(x.Value(r)), Y(y.Value(r)))), Red, 1.5, "5 3", ("series", "pareto"));
        foreach (var r in results)
        {
            canvas.Circle(X(x.Value(r)), Y(y.Value(r)), 4, onFront.Contains(r) ? Red : Blue,
                ("x", x.Value(r).ToString("R", CultureInfo.InvariantCulture)), ("y", y.Value(r).ToString("R", CultureInfo.InvariantCulture)),
                ("pareto", onFront.Contains(r) ? "true" : "false"));
        }

        canvas.Legend(("design", Blue), ("Pareto front", Red));
        return canvas.ToString();
    }

    /// <summary>Figure 5.3 (model size against SR) or Figure 5.4 (against pct3x3) recomputed, with the Pareto front.</summary>
    /// <param name="bySqueezeRatio">True for Figure 5.3's squeeze-ratio sweep, false for Figure 5.4's pct3x3 sweep.</param>
    /// <returns>The SVG document.</returns>
    public static string SqueezeNetSweep(bool bySqueezeRatio)
    {
        var grid = bySqueezeRatio ? SqueezeNetSweeps.SqueezeRatioGrid : SqueezeNetSweeps.Percent3x3Grid;
        var results = DesignSpace.Sweep.Run(grid, SqueezeNetFamily.Evaluate);
        return Sweep(
            bySqueezeRatio ? "Figure 5.3: model size against the squeeze ratio" : "Figure 5.4: model size against pct3x3", results,
            (r => bySqueezeRatio ? r.Design.SqueezeRatio : r.Design.Percent3x3, bySqueezeRatio ? "squeeze ratio (SR)" : "pct3x3"),
            (r => Units.InUnit(r.Costs.ParameterBytes, ByteUnit.Mebibytes), "model size (MiB)"),
            DesignSpace.Sweep.ParetoFront(results));
    }

    private static void Bars(SvgCanvas canvas, string[] names, double[][] series, string[] colors, string yTitle)
    {
        var max = Math.Max(1e-12, series.SelectMany(s => s).DefaultIfEmpty(0).Max()) * 1.05;
        canvas.Axes("layer", yTitle, null, (0, max, false));
        var slot = (canvas.PlotRight - canvas.PlotLeft) / Math.Max(1, names.Length);
        var width = slot * 0.8 / series.Length;
        for (var i = 0; i < names.Length; i++)
        {
            var x0 = canvas.PlotLeft + i * slot + slot * 0.1;
            for (var s = 0; s < series.Length; s++)
            {
                var top = SvgCanvas.Scale(series[s][i], 0, max, canvas.PlotBottom, canvas.PlotTop, false);
                canvas.Rect(x0 + s * width, top, width, canvas.PlotBottom - top, colors[s],
                    ("layer", names[i]), ("series", s.ToString(CultureInfo.InvariantCulture)), ("value", series[s][i].ToString("R", CultureInfo.InvariantCulture)));
            }

            canvas.Text(x0 + slot * 0.4, canvas.PlotBottom + 12, Shortened(names[i]), "end", 9, -45);
        }
    }

    /// <summary>
    /// The canvas width that gives each layer a slot of at least 14 pixels (7 more per extra series), so that labels
    /// at 45° in 9-pixel type stay apart: 200 layers make a chart of 2,910 pixels, to be scrolled, not squinted at.
    /// </summary>
    internal static double BarsWidth(int layers, int series) => Math.Max(900, 110 + layers * (14 + 7 * (series - 1)));

    /// <summary>A layer name short enough for the space under the axis (the full name stays in <c>data-layer</c>).</summary>
    internal static string Shortened(string name) => name.Length <= 24 ? name : name[..23] + "…";

    private static (double, double) Padded(double min, double max) =>
        max > min ? (min - (max - min) * 0.05, max + (max - min) * 0.05) : (min - 1, max + 1);

    private static bool Shown(LayerCost row) => !row.InPlace && row.Kind != LayerKind.Input;

    private static bool IsShown(CostReport report, string name) => report.Layers.Any(l => l.Name == name && Shown(l));

    private static long Value(LayerCost row, LayerMetric metric) => metric switch
    {
        LayerMetric.Flops => row.Flops,
        LayerMetric.ParameterBytes => row.ParameterBytes,
        _ => row.OutputBytes,
    };

    private static string Title(LayerMetric metric) => metric switch
    {
        LayerMetric.Flops => "FLOPs",
        LayerMetric.ParameterBytes => "parameter bytes",
        _ => "output bytes",
    };
}
