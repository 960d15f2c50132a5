using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Graph;

public class ShapeInferenceTests
{
    [Fact]
    public void Nin_at_454_gives_conv1_111_under_caffe_and_112_under_eq_4_2()
    {
        var nin = NetworkInNetwork.Create().WithInputShape(new Shape(3, 454, 454));
        // (454 - 11) / 4 = 110.75: floor -> 110 + 1 = 111, ceil -> 111 + 1 = 112.
        Assert.Equal(111, CostModel.Analyze(nin)["conv1"].Output.Height);
        var eq42 = CostModel.Analyze(nin, new AnalysisOptions { Conventions = Conventions.Dissertation });
        Assert.Equal(112, eq42["conv1"].Output.Height);
        Assert.Equal(112, eq42["conv1"].Output.Width);
    }

    [Fact]
    public void Eq_4_2_worked_example_50x50x10_with_100_3x3_filters_stride_2()
    {
        var network = new NetworkBuilder("example", Conventions.Dissertation)
            .Input(10, 50, 50)
            .Convolution("conv", 100, 3, stride: 2, bias: false)
            .Build();
        var row = CostModel.Analyze(network)["conv"];
        Assert.Equal(new Shape(100, 25, 25), row.Output); // ceil((50 - 3) / 2) + 1 = 25
        Assert.Equal(9_000, row.Weights);                  // 10 * 100 * 3 * 3
    }

    [Theory]
    [InlineData(55, 3, 2, 0, RoundingRule.Ceiling, 27)]
    [InlineData(13, 3, 2, 0, RoundingRule.Ceiling, 6)]
    [InlineData(112, 3, 2, 1, RoundingRule.Floor, 56)]    // ResNet's max pool in PyTorch
    [InlineData(112, 3, 2, 1, RoundingRule.Ceiling, 57)]
    [InlineData(5, 2, 2, 1, RoundingRule.Ceiling, 3)]     // ceil((5+2-2)/2)+1 = 4, but the 4th window would start in the padding
    [InlineData(227, 11, 4, 0, RoundingRule.Floor, 55)]
    public void Output_extent_follows_the_rounding_rule(int input, int kernel, int stride, int pad, RoundingRule rounding, long expected) =>
        Assert.Equal(expected, ShapeInference.OutputExtent(input, kernel, stride, pad, 1, rounding));

    [Fact]
    public void Dilation_widens_the_kernel()
    {
        // A 3x3 kernel with dilation 2 spans 5 pixels: (32 - 5) / 1 + 1 = 28.
        Assert.Equal(28, ShapeInference.OutputExtent(32, 3, 1, 0, 2, RoundingRule.Floor));
    }

    [Fact]
    public void Global_pooling_stays_1x1_at_any_resolution()
    {
        var nin = NetworkInNetwork.Create().WithInputShape(new Shape(3, 454, 454));
        Assert.Equal(new Shape(1000, 1, 1), CostModel.Analyze(nin)["pool12"].Output);
    }

    [Fact]
    public void Concat_sums_channels_and_add_keeps_the_shape()
    {
        var network = new NetworkBuilder("dag")
            .Input(3, 16, 16)
            .Convolution("squeeze", 8, 1)
            .Convolution("expand1x1", 16, 1, from: "squeeze")
            .Convolution("expand3x3", 16, 3, pad: 1, from: "squeeze")
            .Concat("concat", "expand1x1", "expand3x3")
            .Convolution("project", 32, 1, from: "data")
            .Sum("bypass", "concat", "project")
            .Build();
        var report = CostModel.Analyze(network);
        Assert.Equal(new Shape(32, 16, 16), report["concat"].Output);
        Assert.Equal(new Shape(32, 16, 16), report["bypass"].Output);
        Assert.Equal(new[] { "concat", "project" }, network["bypass"].Inputs.ToArray());
        Assert.Equal(2, report["bypass"].InputShapes.Length);
    }
}

public class DagPropertyTests
{
    [Fact]
    public void Concat_channels_add_up_and_add_inputs_agree_in_every_random_dag()
    {
        FsCheck.Check.One(RandomNetworks.Config, FsCheck.Fluent.Prop.ForAll(FsCheck.Fluent.Arb.ToArbitrary(RandomNetworks.Chains), recipe =>
        {
            var network = recipe.Build();
            var shapes = network.OutputShapes;
            return network.Layers.Select((layer, i) => (layer, i)).All(x => x.layer switch
            {
                ConcatLayer => shapes[x.i].Channels == network.InputIndicesOf(x.i).Sum(j => shapes[j].Channels),
                AddLayer => network.InputIndicesOf(x.i).All(j => shapes[j] == shapes[x.i]),
                _ => true,
            });
        }));
    }
}
