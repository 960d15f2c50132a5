using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace CnnCost.Reporting.Charts;

/// <summary>
/// A small SVG writer for CnnCost's charts: a plot area with linear or log10 axes, ticks and labels, and the marks
/// (bars, points, lines) that carry their data in <c>data-*</c> attributes so tests can check them against the data.
/// </summary>
internal sealed class SvgCanvas
{
    private const double Left = 80, Right = 30, Top = 50, Bottom = 110;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly XElement _root;
    private readonly double _width;
    private readonly double _height;

    public SvgCanvas(string title, double width = 900, double height = 520)
    {
        (_width, _height) = (width, height);
        _root = new XElement(Svg + "svg",
            new XAttribute("width", Number(width)), new XAttribute("height", Number(height)),
            new XAttribute("viewBox", $"0 0 {Number(width)} {Number(height)}"),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", "12"));
        _root.Add(new XElement(Svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")));
        Text(width / 2, 24, title, "middle", 16);
    }

    public double PlotLeft => Left;

    public double PlotRight => _width - Right;

    public double PlotTop => Top;

    public double PlotBottom => _height - Bottom;

    /// <summary>Maps a value to a pixel along an axis, linear or log10, from (min, max) to (start, end).</summary>
    public static double Scale(double value, double min, double max, double start, double end, bool log)
    {
        var (v, lo, hi) = log ? (Math.Log10(value), Math.Log10(min), Math.Log10(max)) : (value, min, max);
        return hi == lo ? (start + end) / 2 : start + (v - lo) / (hi - lo) * (end - start);
    }

    /// <summary>Ticks of an axis: powers of ten on a log axis, about six round steps on a linear one.</summary>
    public static IReadOnlyList<double> Ticks(double min, double max, bool log)
    {
        if (log)
        {
            var ticks = new List<double>();
            for (var e = Math.Floor(Math.Log10(min)); e <= Math.Ceiling(Math.Log10(max)); e++)
            {
                var t = Math.Pow(10, e);
                if (t >= min * 0.999 && t <= max * 1.001)
                {
                    ticks.Add(t);
                }
            }

            return ticks.Count > 0 ? ticks : [min, max];
        }

        var raw = (max - min) / 6;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw <= 0 ? 1 : raw)));
        var step = new[] { 1, 2, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw);
        var list = new List<double>();
        for (var t = Math.Ceiling(min / step) * step; t <= max + step * 1e-9; t += step)
        {
            list.Add(t);
        }

        return list;
    }

    /// <summary>Draws the axes, their ticks and titles.</summary>
    public void Axes(string xTitle, string yTitle, (double Min, double Max, bool Log)? x, (double Min, double Max, bool Log) y)
    {
        Line(PlotLeft, PlotBottom, PlotRight, PlotBottom, "black", 1);
        Line(PlotLeft, PlotBottom, PlotLeft, PlotTop, "black", 1);
        foreach (var t in Ticks(y.Min, y.Max, y.Log))
        {
            var py = Scale(t, y.Min, y.Max, PlotBottom, PlotTop, y.Log);
            Line(PlotLeft - 4, py, PlotRight, py, "#e6e6e6", 1);
            Text(PlotLeft - 6, py + 4, Label(t), "end");
        }

        if (x is { } xs)
        {
            foreach (var t in Ticks(xs.Min, xs.Max, xs.Log))
            {
                var px = Scale(t, xs.Min, xs.Max, PlotLeft, PlotRight, xs.Log);
                Line(px, PlotBottom, px, PlotBottom + 4, "black", 1);
                Text(px, PlotBottom + 18, Label(t), "middle");
            }
        }

        Text((PlotLeft + PlotRight) / 2, _height - 14, xTitle, "middle", 13);
        var title = new XElement(Svg + "text", new XAttribute("transform", $"translate(18,{Number((PlotTop + PlotBottom) / 2)}) rotate(-90)"),
            new XAttribute("text-anchor", "middle"), new XAttribute("font-size", "13"), yTitle);
        _root.Add(title);
    }

    public void Rect(double x, double y, double width, double height, string fill, params (string Name, string Value)[] data) =>
        _root.Add(Mark("rect", data, ("x", Number(x)), ("y", Number(y)), ("width", Number(Math.Max(0, width))), ("height", Number(Math.Max(0, height))), ("fill", fill)));

    public void Circle(double x, double y, double radius, string fill, params (string Name, string Value)[] data) =>
        _root.Add(Mark("circle", data, ("cx", Number(x)), ("cy", Number(y)), ("r", Number(radius)), ("fill", fill), ("stroke", "black"), ("stroke-width", "0.5")));

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width, string? dash = null, params (string Name, string Value)[] data)
    {
        var attributes = new List<(string, string)>
        {
            ("points", string.Join(" ", points.Select(p => $"{Number(p.X)},{Number(p.Y)}"))), ("fill", "none"), ("stroke", stroke), ("stroke-width", Number(width)),
        };
        if (dash is not null)
        {
            attributes.Add(("stroke-dasharray", dash));
        }

        _root.Add(Mark("polyline", data, [.. attributes]));
    }

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width) =>
        _root.Add(new XElement(Svg + "line", new XAttribute("x1", Number(x1)), new XAttribute("y1", Number(y1)), new XAttribute("x2", Number(x2)),
            new XAttribute("y2", Number(y2)), new XAttribute("stroke", stroke), new XAttribute("stroke-width", Number(width))));

    public void Text(double x, double y, string text, string anchor = "start", double size = 12, double rotate = 0)
    {
        var element = new XElement(Svg + "text", new XAttribute("x", Number(x)), new XAttribute("y", Number(y)),
            new XAttribute("text-anchor", anchor), new XAttribute("font-size", Number(size)), text);
        if (rotate != 0)
        {
            element.Add(new XAttribute("transform", $"rotate({Number(rotate)},{Number(x)},{Number(y)})"));
        }

        _root.Add(element);
    }

    /// <summary>A point's label, marked so that tests can find the labels and check that none overlaps another.</summary>
    public void Label(double x, double y, string text, string anchor, double size) =>
        _root.Add(new XElement(Svg + "text", new XAttribute("x", Number(x)), new XAttribute("y", Number(y)), new XAttribute("text-anchor", anchor),
            new XAttribute("font-size", Number(size)), new XAttribute("class", "point-label"), text));

    /// <summary>A legend of colored squares in the top-right corner.</summary>
    public void Legend(params (string Label, string Color)[] entries)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            var y = PlotTop + 8 + i * 18;
            Rect(PlotRight - 170, y - 10, 12, 12, entries[i].Color);
            Text(PlotRight - 152, y, entries[i].Label);
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        text.Append(_root.ToString());
        text.Append('\n');
        return text.ToString();
    }

    /// <summary>A number as SVG writes it: invariant, at most two decimals.</summary>
    public static string Number(double value) => (Math.Round(value, 2) + 0.0).ToString("0.##", CultureInfo.InvariantCulture); // + 0.0 turns -0 into 0

    /// <summary>An axis label: 1.5k, 2M, 3G, 0.25 …</summary>
    public static string Label(double value)
    {
        var abs = Math.Abs(value);
        return abs >= 1e12 ? $"{Number(value / 1e12)}T" : abs >= 1e9 ? $"{Number(value / 1e9)}G" : abs >= 1e6 ? $"{Number(value / 1e6)}M"
            : abs >= 1e3 ? $"{Number(value / 1e3)}k" : abs >= 0.01 || abs == 0 ? Number(value) : Units.Significant(value);
    }

    private static XElement Mark(string name, (string Name, string Value)[] data, params (string Name, string Value)[] attributes)
    {
        var element = new XElement(Svg + name);
        foreach (var (key, value) in attributes)
        {
            element.Add(new XAttribute(key, value));
        }

        foreach (var (key, value) in data)
        {
            element.Add(new XAttribute("data-" + key, value));
        }

        return element;
    }
}
