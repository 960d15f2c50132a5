using System.Globalization;
using System.Xml.Linq;
using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Reporting.Html;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Reporting;

public class HtmlReportTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>The page's drawing, read as XML (the writer emits it well-formed).</summary>
    private static XElement Drawing(string html)
    {
        var start = html.IndexOf("<svg", StringComparison.Ordinal);
        var end = html.IndexOf("</svg>", StringComparison.Ordinal) + "</svg>".Length;
        return XElement.Parse(html[start..end]);
    }

    private static XElement[] Boxes(string html) => [.. Drawing(html).Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "layer")];

    private static long Long(XElement e, string attribute) => long.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Every_layer_is_a_box_carrying_its_name_kind_and_counts()
    {
        var network = NetworkInNetwork.Create();
        var report = CostModel.Analyze(network, new AnalysisOptions { Batch = 1024 });
        var boxes = Boxes(HtmlReport.Report(network, report, "nin"));
        Assert.Equal(report.Layers.Select(r => r.Name), boxes.Select(b => b.Attribute("data-layer")!.Value));
        // conv1 of Table 4.2: 96 filters of 3x11x11 plus 96 biases; 2 x 1024 x 96 x 55 x 55 x 363 FLOPs ((227 - 11) / 4 + 1 = 55).
        var conv1 = boxes.Single(b => b.Attribute("data-layer")!.Value == "conv1");
        Assert.Equal("convolution", conv1.Attribute("data-kind")!.Value);
        Assert.Equal(96 * 3 * 11 * 11 + 96, Long(conv1, "data-params"));
        Assert.Equal(2L * 1024 * 96 * 55 * 55 * 363, Long(conv1, "data-flops"));
        foreach (var attribute in new[] { "data-x", "data-y", "data-width", "data-height" })
        {
            Assert.All(boxes, b => Assert.True(double.Parse(b.Attribute(attribute)!.Value, CultureInfo.InvariantCulture) >= 0));
        }
    }

    [Fact]
    public void Edges_name_the_layers_they_join()
    {
        var network = ModelZoo.Create("squeezenet1_0");
        var html = HtmlReport.Report(network, CostModel.Analyze(network));
        var edges = Drawing(html).Descendants(Svg + "path").Where(p => (string?)p.Attribute("class") == "edge")
            .Select(p => (p.Attribute("data-from")!.Value, p.Attribute("data-to")!.Value)).ToHashSet();
        var expected = network.Layers.SelectMany(l => l.Inputs.Select(i => (i, l.Name))).ToHashSet();
        Assert.Equal(expected, edges);
        Assert.Contains(("fire2/relu_squeeze1x1", "fire2/expand3x3"), edges);
    }

    [Fact]
    public void A_layer_named_like_markup_shows_as_text()
    {
        var network = new NetworkBuilder("<b>net</b>").Input(3, 8, 8)
            .Convolution("<script>alert(1)</script>", 4, 3)
            .ReLU("a\"b'&c")
            .Build();
        var html = HtmlReport.Report(network, CostModel.Analyze(network), "<img src=x onerror=alert(2)>");
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E", html);
        // Exactly the writer's own two script elements open and close.
        Assert.Equal(2, html.Split("<script").Length - 1);
        Assert.Equal(2, html.Split("</script>").Length - 1);
        var boxes = Boxes(html);
        Assert.Equal("<script>alert(1)</script>", boxes[1].Attribute("data-layer")!.Value);
        Assert.Equal("a\"b'&c", boxes[2].Attribute("data-layer")!.Value);
    }

    [Fact]
    public void The_page_asks_for_nothing_from_the_network()
    {
        var network = ModelZoo.Create("googlenet");
        var html = HtmlReport.Report(network, CostModel.Analyze(network));
        Assert.Contains("default-src 'none'", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" src=", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Modules_carry_the_sums_of_their_layers()
    {
        var network = ModelZoo.Create("googlenet");
        var report = CostModel.Analyze(network);
        var drawing = Drawing(HtmlReport.Report(network, report));
        var modules = drawing.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "module").ToArray();
        var inception = modules.Single(m => m.Attribute("data-module")!.Value == "inception_4a");
        var members = report.Layers.Where(r => r.Name.StartsWith("inception_4a/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(members.Length, Long(inception, "data-layers"));
        Assert.Equal(members.Sum(r => r.Flops), Long(inception, "data-flops"));
        Assert.Equal(members.Sum(r => r.Parameters), Long(inception, "data-params"));
    }

    [Fact]
    public void Modules_are_found_from_name_prefixes()
    {
        string[] names =
        [
            "data", "conv1", "fire2/squeeze1x1", "fire2/concat", "layer1.0.conv1", "layer1.0.downsample.0", "layer1.0.downsample.1",
            "layer1.0.add", "/layer2/layer2.0/conv1/Conv", "/layer2/layer2.0/Add", "/fc/Gemm", "lonely/one",
        ];
        Assert.Equal<IEnumerable<string?>>(
            [null, null, "fire2", "fire2", "layer1.0", "layer1.0", "layer1.0", "layer1.0", "/layer2/layer2.0", "/layer2/layer2.0", null, null],
            LayerModules.Find(names));
    }

    [Fact]
    public void A_what_if_marks_the_changed_layers_and_tells_resized_from_reparameterized()
    {
        // Table 4.1: conv7 with 6x6 kernels (pad 2) has new weights and a new output size; the layers after it up to
        // pool9 keep their weights but see the new size (the change is local: pool9 brings the size back).
        var baseline = NetworkInNetwork.Create();
        Modification[] edits = [new SetKernel("conv7", 6, 2)];
        var change = ChangeAnalysis.Analyze(baseline, edits);
        var html = HtmlReport.Change(Modification.ApplyAll(baseline, edits), change, ["kernel:conv7=6x6,pad=2"], "nin");
        var changed = Boxes(html).Where(b => (string?)b.Attribute("data-changed") == "true")
            .ToDictionary(b => b.Attribute("data-layer")!.Value, b => b.Attribute("data-change")!.Value);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["conv7"] = "parameters", ["relu7"] = "resized", ["conv8"] = "resized", ["relu8"] = "resized",
                ["conv9"] = "resized", ["relu9"] = "resized", ["pool9"] = "resized",
            },
            changed);
        Assert.Contains("data-scope=\"local\"", html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(change.ScalingNote), html);
    }

    [Fact]
    public void A_report_of_another_network_is_refused()
    {
        var report = CostModel.Analyze(ModelZoo.Create("lenet"));
        Assert.Throws<ArgumentException>(() => HtmlReport.Report(NetworkInNetwork.Create(), report));
    }
}
