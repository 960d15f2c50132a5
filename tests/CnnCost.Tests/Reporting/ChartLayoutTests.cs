using System.Globalization;
using System.Xml.Linq;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Hardware;
using CnnCost.Reporting.Charts;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Reporting;

/// <summary>Charts that stay readable: roofline labels that never overlap, bar charts that widen with the layers.</summary>
public class ChartLayoutTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    /// <summary>A label's box from its attributes, at a width of 0.6 em per character (the layout's own estimate, stated here again).</summary>
    private static (double Left, double Top, double Right, double Bottom) BoxOf(XElement text)
    {
        var (x, y, size) = (Number(text, "x"), Number(text, "y"), Number(text, "font-size"));
        var width = text.Value.Length * size * 0.6;
        var left = text.Attribute("text-anchor")!.Value switch { "start" => x, "end" => x - width, _ => x - width / 2 };
        return (left, y - size, left + width, y);
    }

    [Theory]
    [InlineData("googlenet")]
    [InlineData("resnet50")]
    [InlineData("nin")]
    public void Roofline_labels_never_overlap_each_other_or_a_point(string model)
    {
        var report = CostModel.Analyze(ModelZoo.Create(model));
        var svg = XDocument.Parse(Charts.Roofline(Roofline.Analyze(report, Devices.P100), Devices.P100));
        var labels = svg.Descendants(Svg + "text").Where(t => t.Attribute("class")?.Value == "point-label").ToArray();
        var points = svg.Descendants(Svg + "circle").Where(c => c.Attribute("data-layer") is not null).ToArray();
        Assert.NotEmpty(labels);
        var names = points.Select(p => p.Attribute("data-layer")!.Value).ToHashSet();
        Assert.All(labels, l => Assert.Contains(l.Value, names));
        var boxes = labels.Select(BoxOf).ToArray();
        for (var i = 0; i < boxes.Length; i++)
        {
            for (var j = i + 1; j < boxes.Length; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                Assert.False(a.Left < b.Right && b.Left < a.Right && a.Top < b.Bottom && b.Top < a.Bottom, $"'{labels[i].Value}' overlaps '{labels[j].Value}'");
            }

            foreach (var point in points)
            {
                var (cx, cy, r) = (Number(point, "cx"), Number(point, "cy"), Number(point, "r"));
                var a = boxes[i];
                Assert.False(a.Left < cx + r && cx - r < a.Right && a.Top < cy + r && cy - r < a.Bottom, $"'{labels[i].Value}' covers a point");
            }
        }
    }

    [Fact]
    public void A_bar_chart_of_200_layers_gives_each_bar_room_for_its_label()
    {
        var builder = new NetworkBuilder("deep").Input(8, 8, 8);
        for (var i = 0; i < 200; i++)
        {
            builder = builder.Convolution($"convolution_layer_number_{i:000}", 8, 3, pad: 1);
        }

        var svg = XDocument.Parse(Charts.LayerBars(CostModel.Analyze(builder.Build()), LayerMetric.Flops));
        var bars = svg.Descendants(Svg + "rect").Where(r => r.Attribute("data-layer") is not null).OrderBy(r => Number(r, "x")).ToArray();
        Assert.Equal(200, bars.Length);
        // Rotated 45°, 9-pixel labels need bar slots of at least 9 / sin 45° ≈ 12.7 pixels not to touch.
        var slots = bars.Zip(bars.Skip(1), (a, b) => Number(b, "x") - Number(a, "x"));
        Assert.All(slots, slot => Assert.True(slot >= 12.7, $"slot {slot}"));
        var labels = svg.Descendants(Svg + "text").Where(t => t.Attribute("transform")?.Value.StartsWith("rotate(-45", StringComparison.Ordinal) == true).ToArray();
        Assert.Equal(200, labels.Length);
        Assert.All(labels, l => Assert.True(l.Value.Length <= 24));
    }

    [Fact]
    public void Axis_labels_never_use_exponent_form()
    {
        foreach (var value in new[] { 0.001, 0.0005, 1e-6, 0.25, 1500, 2e9 })
        {
            Assert.DoesNotContain("E", SvgCanvas.Label(value), StringComparison.Ordinal);
        }
    }
}
