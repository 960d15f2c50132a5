using CnnCost.Costs;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Zoo;

/// <summary>Parameter and FLOP totals of every zoo network at batch 1, derived by hand in each test.</summary>
public class ZooTotalsTests
{
    private static CostReport Analyze(string name) => CostModel.Analyze(ModelZoo.Create(name));

    // Weights of a convolution (ch/groups * filters * k * k) and its multiply-adds (weights * outH * outW).
    private static long Conv(long inCh, long filters, long k, long groups = 1) => inCh / groups * filters * k * k;

    [Fact]
    public void Lenet_has_431_080_parameters()
    {
        // conv1 1*20*25 + 20, conv2 20*50*25 + 50, ip1 50*4*4*500 + 500, ip2 500*10 + 10
        long weights = 500 + 25_000 + 400_000 + 5_000;
        long biases = 20 + 50 + 500 + 10;
        var report = Analyze("lenet");
        Assert.Equal(431_080, weights + biases);
        Assert.Equal(weights, report.Totals.Weights);
        Assert.Equal(biases, report.Totals.Biases);
        // MACs: conv1 500*24*24, conv2 25,000*8*8, ip1 400,000, ip2 5,000; max pools: 4 ops * 20*12*12 and 4 * 50*4*4.
        long macs = 500L * 24 * 24 + 25_000L * 8 * 8 + 400_000 + 5_000;
        long poolOps = 4L * 20 * 12 * 12 + 4L * 50 * 4 * 4;
        Assert.Equal(2 * macs + poolOps, report.Totals.Flops);
    }

    [Fact]
    public void Alexnet_has_60_965_224_parameters()
    {
        long[] weights =
        [
            Conv(3, 96, 11), Conv(96, 256, 5, 2), Conv(256, 384, 3), Conv(384, 384, 3, 2), Conv(384, 256, 3, 2),
            256L * 6 * 6 * 4096, 4096L * 4096, 4096L * 1000,
        ];
        long biases = 96 + 256 + 384 + 384 + 256 + 4096 + 4096 + 1000;
        var report = Analyze("alexnet");
        Assert.Equal(60_965_224, weights.Sum() + biases);
        Assert.Equal(weights.Sum(), report.Totals.Weights);
        Assert.Equal(biases, report.Totals.Biases);
        long[] outputAreas = [55 * 55, 27 * 27, 13 * 13, 13 * 13, 13 * 13, 1, 1, 1];
        long macs = weights.Zip(outputAreas, (w, a) => w * a).Sum();
        long poolOps = 9L * 96 * 27 * 27 + 9L * 256 * 13 * 13 + 9L * 256 * 6 * 6; // 3x3 windows, one compare each
        Assert.Equal(2 * macs + poolOps, report.Totals.Flops);
    }

    [Theory]
    [InlineData("vgg11", new[] { 1, 1, 2, 2, 2 }, 132_863_336)]
    [InlineData("vgg13", new[] { 2, 2, 2, 2, 2 }, 133_047_848)]
    [InlineData("vgg16", new[] { 2, 2, 3, 3, 3 }, 138_357_544)]
    [InlineData("vgg19", new[] { 2, 2, 4, 4, 4 }, 143_667_240)]
    public void Vgg_configurations_match_their_published_parameter_counts(string name, int[] perBlock, long published)
    {
        int[] filters = [64, 128, 256, 512, 512];
        long weights = 0, biases = 0, macs = 0, poolOps = 0;
        long inCh = 3, size = 224;
        for (var block = 0; block < 5; block++)
        {
            for (var i = 0; i < perBlock[block]; i++)
            {
                var w = Conv(inCh, filters[block], 3);
                weights += w;
                biases += filters[block];
                macs += w * size * size; // pad 1 keeps the size
                inCh = filters[block];
            }

            size /= 2;
            poolOps += 4 * inCh * size * size; // 2x2 windows
        }

        long[] fc = [512L * 7 * 7 * 4096, 4096L * 4096, 4096L * 1000];
        weights += fc.Sum();
        macs += fc.Sum();
        biases += 4096 + 4096 + 1000;
        var report = Analyze(name);
        Assert.Equal(published, weights + biases);
        Assert.Equal(weights, report.Totals.Weights);
        Assert.Equal(biases, report.Totals.Biases);
        Assert.Equal(2 * macs + poolOps, report.Totals.Flops);
    }

    [Fact]
    public void Vgg_f_has_60_834_536_parameters()
    {
        // 224 -> conv1 floor((224-11)/4)+1 = 54 -> pool ceil(51/2)+1 = 27 -> conv2 27 -> pool 13 -> conv3..5 13 -> pool 6
        long[] weights =
        [
            Conv(3, 64, 11), Conv(64, 256, 5), Conv(256, 256, 3), Conv(256, 256, 3), Conv(256, 256, 3),
            256L * 6 * 6 * 4096, 4096L * 4096, 4096L * 1000,
        ];
        long biases = 64 + 256 * 4 + 4096 + 4096 + 1000;
        var report = Analyze("vgg_f");
        Assert.Equal(60_834_536, weights.Sum() + biases);
        Assert.Equal(weights.Sum(), report.Totals.Weights);
        long[] outputAreas = [54 * 54, 27 * 27, 13 * 13, 13 * 13, 13 * 13, 1, 1, 1];
        long macs = weights.Zip(outputAreas, (w, a) => w * a).Sum();
        long poolOps = 9L * 64 * 27 * 27 + 9L * 256 * 13 * 13 + 9L * 256 * 6 * 6;
        Assert.Equal(2 * macs + poolOps, report.Totals.Flops);
    }

    [Fact]
    public void Nin_has_7_595_176_parameters_and_2_27_TF_at_batch_1024()
    {
        long[] weights =
        [
            Conv(3, 96, 11), Conv(96, 96, 1), Conv(96, 96, 1), Conv(96, 256, 5), Conv(256, 256, 1), Conv(256, 256, 1),
            Conv(256, 384, 3), Conv(384, 384, 1), Conv(384, 384, 1), Conv(384, 1024, 3), Conv(1024, 1024, 1), Conv(1024, 1000, 1),
        ];
        long[] areas = [55 * 55, 55 * 55, 55 * 55, 27 * 27, 27 * 27, 27 * 27, 13 * 13, 13 * 13, 13 * 13, 36, 36, 36];
        long biases = 96 * 3 + 256 * 3 + 384 * 3 + 1024 * 2 + 1000;
        long poolOps = 9L * 96 * 27 * 27 + 9L * 256 * 13 * 13 + 9L * 384 * 6 * 6 + 2L * 36 * 1000;
        var report = CostModel.Analyze(NetworkInNetwork.Create(), new AnalysisOptions { Batch = 1024 });
        Assert.Equal(7_595_176, weights.Sum() + biases);
        Assert.Equal(weights.Sum(), report.Totals.Weights);
        Assert.Equal(1024 * (2 * weights.Zip(areas, (w, a) => w * a).Sum() + poolOps), report.Totals.Flops);
    }

    [Fact]
    public void Every_zoo_name_builds_and_unknown_names_list_the_zoo()
    {
        Assert.Equal(
            [
                "alexnet", "convnext_tiny", "densenet121", "efficientnet_b0", "googlenet", "inception_v3", "lenet", "mobilenet_v2",
                "mobilenet_v3_large", "nin", "regnet_y_400mf", "resnet18", "resnet50", "shufflenet_v2_x1_0", "squeezenet1_0",
                "squeezenet1_1", "vgg11", "vgg13", "vgg16", "vgg19", "vgg_f",
            ],
            ModelZoo.Names);
        var error = Assert.Throws<CnnCostException>(() => ModelZoo.Create("resnet1000"));
        Assert.Contains("resnet1000", error.Message);
        Assert.Contains("vgg16", error.Message);
    }

    [Fact]
    public void The_readme_lists_every_zoo_model()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "README.md")))
        {
            folder = Path.GetDirectoryName(folder)!;
        }

        var readme = File.ReadAllText(Path.Combine(folder, "README.md"));
        var start = readme.IndexOf("Built-in models: ", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has no 'Built-in models:' paragraph");
        var paragraph = readme[start..readme.IndexOf("\n\n", start, StringComparison.Ordinal)];
        Assert.All(ModelZoo.Names, name => Assert.Contains($"`{name}`", paragraph, StringComparison.Ordinal));
    }
}
