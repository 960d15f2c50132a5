using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Zoo;

/// <summary>The DAG members of the zoo, their parameter counts derived by hand in each test.</summary>
public class DagZooTests
{
    // A convolution's weights plus biases: ch/groups * filters * k * k (+ filters).
    private static long Conv(long inCh, long filters, long k, bool bias = true, long groups = 1) =>
        inCh / groups * filters * k * k + (bias ? filters : 0);

    private static long Fire(long inCh, long s, long e1, long e3) => Conv(inCh, s, 1) + Conv(s, e1, 1) + Conv(s, e3, 3);

    private static long ParametersOf(CostReport report, string prefix) =>
        report.Layers.Where(l => l.Name == prefix || l.Name.StartsWith(prefix + "/", StringComparison.Ordinal)).Sum(l => l.Parameters);

    [Theory]
    [InlineData("conv1", 14_208)]
    [InlineData("fire2", 11_920)]
    [InlineData("fire3", 12_432)]
    [InlineData("fire4", 45_344)]
    [InlineData("fire5", 49_440)]
    [InlineData("fire6", 104_880)]
    [InlineData("fire7", 111_024)]
    [InlineData("fire8", 188_992)]
    [InlineData("fire9", 197_184)]
    [InlineData("conv10", 513_000)]
    public void Squeezenet_1_0_matches_table_51_per_module(string module, long printed) =>
        Assert.Equal(printed, ParametersOf(CostModel.Analyze(SqueezeNet.Version10()), module));

    [Fact]
    public void Squeezenet_1_0_has_1_248_424_parameters_and_table_51s_shapes()
    {
        var report = CostModel.Analyze(SqueezeNet.Version10());
        long byHand = Conv(3, 96, 7) + Fire(96, 16, 64, 64) + Fire(128, 16, 64, 64) + Fire(128, 32, 128, 128) + Fire(256, 32, 128, 128)
            + Fire(256, 48, 192, 192) + Fire(384, 48, 192, 192) + Fire(384, 64, 256, 256) + Fire(512, 64, 256, 256) + Conv(512, 1000, 1);
        Assert.Equal(1_248_424, byHand);
        Assert.Equal(byHand, report.Totals.Parameters);
        Assert.Equal(new Shape(96, 111, 111), report["conv1"].Output);   // needs a 227x227 input (Table 5.1 says 224)
        Assert.Equal(new Shape(512, 13, 13), report["pool8"].Output);    // printed 13x12
        Assert.Equal(new Shape(128, 55, 55), report["fire2/concat"].Output);
        Assert.Equal(4.8, Math.Round(report.Totals.ParameterBytes / (double)(1 << 20), 1)); // 4.76 MiB
    }

    [Fact]
    public void Squeezenet_1_1_has_1_235_496_parameters()
    {
        long byHand = Conv(3, 64, 3) + Fire(64, 16, 64, 64) + Fire(128, 16, 64, 64) + Fire(128, 32, 128, 128) + Fire(256, 32, 128, 128)
            + Fire(256, 48, 192, 192) + Fire(384, 48, 192, 192) + Fire(384, 64, 256, 256) + Fire(512, 64, 256, 256) + Conv(512, 1000, 1);
        Assert.Equal(1_235_496, byHand);
        Assert.Equal(byHand, CostModel.Analyze(SqueezeNet.Version11()).Totals.Parameters);
    }

    [Fact]
    public void Googlenet_has_6_998_552_parameters_and_13_378_280_with_its_auxiliary_classifiers()
    {
        static long Inception(long inCh, long c1, long r3, long c3, long r5, long c5, long pp) =>
            Conv(inCh, c1, 1) + Conv(inCh, r3, 1) + Conv(r3, c3, 3) + Conv(inCh, r5, 1) + Conv(r5, c5, 5) + Conv(inCh, pp, 1);
        long stem = Conv(3, 64, 7) + Conv(64, 64, 1) + Conv(64, 192, 3);
        long inceptions = Inception(192, 64, 96, 128, 16, 32, 32) + Inception(256, 128, 128, 192, 32, 96, 64)
            + Inception(480, 192, 96, 208, 16, 48, 64) + Inception(512, 160, 112, 224, 24, 64, 64)
            + Inception(512, 128, 128, 256, 24, 64, 64) + Inception(512, 112, 144, 288, 32, 64, 64)
            + Inception(528, 256, 160, 320, 32, 128, 128) + Inception(832, 256, 160, 320, 32, 128, 128)
            + Inception(832, 384, 192, 384, 48, 128, 128);
        long classifier = 1024L * 1000 + 1000;
        // Each auxiliary head: 1x1 conv of 128 on 4x4 (14x14 pooled 5x5/3), fc 2048 -> 1024, fc 1024 -> 1000.
        long Auxiliary(long inCh) => Conv(inCh, 128, 1) + 128L * 4 * 4 * 1024 + 1024 + 1024L * 1000 + 1000;
        Assert.Equal(6_998_552, stem + inceptions + classifier);
        Assert.Equal(stem + inceptions + classifier, CostModel.Analyze(GoogLeNet.Create()).Totals.Parameters);
        Assert.Equal(stem + inceptions + classifier + Auxiliary(512) + Auxiliary(528), CostModel.Analyze(GoogLeNet.Create(auxiliaryClassifiers: true)).Totals.Parameters);
        Assert.Equal(new Shape(1024, 7, 7), CostModel.Analyze(GoogLeNet.Create())["inception_5b/output"].Output);
    }

    [Fact]
    public void Resnets_have_torchvisions_parameter_counts()
    {
        // Convolutions without biases; batch norm adds 2 per channel.
        static long ConvBn(long inCh, long outCh, long k) => inCh * outCh * k * k + 2 * outCh;
        long stem = ConvBn(3, 64, 7);
        long head = 512L * 1000 + 1000;
        long basic = 0, channels = 64;
        foreach (var (width, blocks) in new[] { (64L, 2), (128L, 2), (256L, 2), (512L, 2) })
        {
            for (var i = 0; i < blocks; i++)
            {
                basic += ConvBn(channels, width, 3) + ConvBn(width, width, 3) + (channels != width ? ConvBn(channels, width, 1) : 0);
                channels = width;
            }
        }

        long bottleneck = 0;
        channels = 64;
        foreach (var (width, blocks) in new[] { (64L, 3), (128L, 4), (256L, 6), (512L, 3) })
        {
            for (var i = 0; i < blocks; i++)
            {
                bottleneck += ConvBn(channels, width, 1) + ConvBn(width, width, 3) + ConvBn(width, 4 * width, 1)
                    + (channels != 4 * width ? ConvBn(channels, 4 * width, 1) : 0);
                channels = 4 * width;
            }
        }

        Assert.Equal(11_689_512, stem + basic + head);
        Assert.Equal(25_557_032, stem + bottleneck + 2048L * 1000 + 1000);
        Assert.Equal(stem + basic + head, CostModel.Analyze(ResNet.ResNet18()).Totals.Parameters);
        Assert.Equal(stem + bottleneck + 2048L * 1000 + 1000, CostModel.Analyze(ResNet.ResNet50()).Totals.Parameters);
        Assert.Equal(new Shape(64, 56, 56), CostModel.Analyze(ResNet.ResNet18())["maxpool"].Output); // PyTorch floor: 57 under ceil
    }

    [Fact]
    public void Mobilenet_v2_has_3_504_872_parameters_and_depthwise_layers()
    {
        static long ConvBn(long inCh, long outCh, long k, long groups = 1) => inCh / groups * outCh * k * k + 2 * outCh;
        long total = ConvBn(3, 32, 3);
        long channels = 32;
        foreach (var (t, c, n) in new[] { (1L, 16L, 1), (6, 24, 2), (6, 32, 3), (6, 64, 4), (6, 96, 3), (6, 160, 3), (6, 320, 1) })
        {
            for (var i = 0; i < n; i++)
            {
                var hidden = channels * t;
                total += (t != 1 ? ConvBn(channels, hidden, 1) : 0) + ConvBn(hidden, hidden, 3, hidden) + ConvBn(hidden, c, 1);
                channels = c;
            }
        }

        total += ConvBn(320, 1280, 1) + 1280L * 1000 + 1000;
        Assert.Equal(3_504_872, total);
        var report = CostModel.Analyze(MobileNetV2.Create());
        Assert.Equal(total, report.Totals.Parameters);
        Assert.Equal(32L * 9, report["features.1.depthwise.conv"].Weights); // depthwise: one 3x3 filter per channel
    }

    [Fact]
    public void A_change_inside_a_branch_propagates_through_the_concat_it_feeds()
    {
        var change = CnnCost.Changes.ChangeAnalysis.Analyze(SqueezeNet.Version10(), [new CnnCost.Changes.SetFilters("fire2/expand3x3", 128)]);
        Assert.Contains("fire2/concat", change.ChangedLayers);
        Assert.Contains("fire3/squeeze1x1", change.ChangedLayers);
        Assert.DoesNotContain("fire3/expand1x1", change.ChangedLayers);
        Assert.Equal(CnnCost.Changes.ChangeScope.Local, change.Scope);
    }

    [Fact]
    public void An_add_whose_inputs_stop_matching_names_both()
    {
        var error = Assert.Throws<NetworkDefinitionException>(() =>
            new CnnCost.Changes.SetFilters("layer1.0.conv2", 32).ApplyTo(ResNet.ResNet18()));
        Assert.Equal("layer1.0.add", error.LayerName);
        Assert.Contains("'layer1.0.bn2' is 32x56x56", error.Message);
        Assert.Contains("'maxpool' is 64x56x56", error.Message);
    }
}
