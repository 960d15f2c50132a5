using System.Globalization;
using System.Xml.Linq;
using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Distributed;
using CnnCost.Hardware;
using CnnCost.Reporting.Charts;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Reporting;

public class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XElement[] Marks(string svg, string element) =>
        [.. XDocument.Parse(svg).Descendants(Svg + element).Where(e => e.Attribute("data-layer") is not null || e.Attribute("data-series") is not null || e.Attribute("data-x") is not null)];

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Layer_bars_are_one_per_owned_layer_with_heights_proportional_to_the_values()
    {
        var report = CostModel.Analyze(NetworkInNetwork.Create(), new AnalysisOptions { Batch = 8 });
        var bars = Marks(Charts.LayerBars(report, LayerMetric.Flops), "rect");
        var owned = report.Layers.Where(l => !l.InPlace && l.Kind != CnnCost.Graph.LayerKind.Input).ToArray();
        Assert.Equal(owned.Select(l => l.Name), bars.Select(b => b.Attribute("data-layer")!.Value));
        Assert.Equal(owned.Select(l => (double)l.Flops), bars.Select(b => Number(b, "data-value")));
        var conv4 = bars.Single(b => b.Attribute("data-layer")!.Value == "conv4");
        var conv1 = bars.Single(b => b.Attribute("data-layer")!.Value == "conv1");
        Assert.Equal(Number(conv4, "data-value") / Number(conv1, "data-value"), Number(conv4, "height") / Number(conv1, "height"), 2);
    }

    [Fact]
    public void Change_bars_pair_baseline_and_modified_per_layer()
    {
        var change = ChangeAnalysis.Analyze(NetworkInNetwork.Create(), [new SetFilters("conv8", 1536)]);
        var bars = Marks(Charts.ChangeBars(change, LayerMetric.ParameterBytes), "rect");
        var conv8 = bars.Where(b => b.Attribute("data-layer")!.Value == "conv8").Select(b => Number(b, "data-value")).ToArray();
        Assert.Equal([change.Baseline["conv8"].ParameterBytes, change.Modified["conv8"].ParameterBytes], conv8);
    }

    [Fact]
    public void The_roofline_places_every_layer_with_flops_at_its_intensity()
    {
        var points = Roofline.Analyze(CostModel.Analyze(Vgg.Vgg16()), Devices.P100);
        var circles = Marks(Charts.Roofline(points, Devices.P100), "circle");
        var withFlops = points.Where(p => p.Flops > 0).ToArray();
        Assert.Equal(withFlops.Length, circles.Length);
        Assert.All(circles, c =>
        {
            var point = withFlops.Single(p => p.Name == c.Attribute("data-layer")!.Value);
            Assert.Equal(point.AttainableFlopsPerSecond, Number(c, "data-attainable"));
        });
    }

    [Fact]
    public void Scaling_curves_have_one_series_per_scheme_and_a_point_per_worker_count()
    {
        var schemes = new[] { CommunicationScheme.ParameterServer, CommunicationScheme.ReductionTree, CommunicationScheme.Ring };
        var reports = schemes.Select(s => ScalingModel.Analyze(NetworkInNetwork.Create(),
            new ScalingSetup(new CommunicationModel(s, 7e9), 3.52e12), [1, 2, 4, 8, 16])).ToArray();
        var circles = Marks(Charts.Scaling(reports), "circle");
        Assert.Equal(15, circles.Length);
        var ring16 = circles.Single(c => c.Attribute("data-series")!.Value == "ring" && c.Attribute("data-workers")!.Value == "16");
        Assert.Equal(reports[2].Rows[^1].Speedup, Number(ring16, "data-speedup"));
    }

    [Fact]
    public void A_sweep_marks_its_pareto_front()
    {
        var results = Sweep.Run(SqueezeNetSweeps.SqueezeRatioGrid, SqueezeNetFamily.Evaluate);
        var front = Sweep.ParetoFront(results);
        var circles = Marks(Charts.Sweep("sweep", results, (r => r.Design.SqueezeRatio, "SR"), (r => r.Costs.ParameterBytes, "bytes"), front), "circle");
        Assert.Equal(results.Length, circles.Length);
        Assert.Equal(front.Length, circles.Count(c => c.Attribute("data-pareto")!.Value == "true"));
    }
}
