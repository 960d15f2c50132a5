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
    public void A_convolutions_own_rounding_overrides_the_conventions()
    {
        // 1x6x6, 3x3 kernel, stride 2: (6 - 3) / 2 = 1.5, floor 1 + 1 = 2 under Caffe; the layer's ceiling gives 2 + 1 = 3.
        var network = new Network("n",
        [
            new InputLayer("data", new Shape(1, 6, 6)),
            new ConvolutionLayer("conv", "data", 1, 3, 2, 0, 1, 1, true, RoundingRule.Ceiling),
        ]);
        Assert.Equal(new Shape(1, 3, 3), network.OutputShapes[1]);
    }

    [Fact]
    public void A_concat_whose_inputs_differ_in_height_only_is_refused()
    {
        // a is 2x4x4; b, a 2x1 kernel, is 2x3x4: the widths agree but the heights do not.
        var error = Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").Input(1, 4, 4)
            .Convolution("a", 2, 1).Convolution("b", 2, new Size2(2, 1), from: "data").Concat("cat", "a", "b").Build());
        Assert.Equal(("cat", "its inputs differ in height and width: 'a' is 2x4x4, 'b' is 2x3x4"), (error.LayerName, error.Reason));
    }

    [Fact]
    public void A_concat_may_reach_exactly_2_to_the_31_minus_1_channels_but_not_more()
    {
        // Two 1x1 fully-connected outputs of 2^30 and 2^30 - 1 channels make 2^31 - 1; of 2^30 each, 2^31.
        var fits = new NetworkBuilder("n").Input(1, 1, 1).FullyConnected("a", 1 << 30).FullyConnected("b", (1 << 30) - 1, from: "data")
            .Concat("cat", "a", "b").Build();
        Assert.Equal(new Shape(int.MaxValue, 1, 1), fits.OutputShapes[^1]);
        var error = Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").Input(1, 1, 1).FullyConnected("a", 1 << 30)
            .FullyConnected("b", 1 << 30, from: "data").Concat("cat", "a", "b").Build());
        Assert.Equal(("cat", "its 2147483648 values along axis 0 exceed 2^31-1"), (error.LayerName, error.Reason));
    }

    [Fact]
    public void A_kernel_too_wide_names_the_width_and_the_symmetric_pad()
    {
        // 1x8x4 input, 3x5 kernel, pad 0: the height fits (3 <= 8), the width does not (5 > 4).
        var error = Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").Input(1, 8, 4)
            .Convolution("conv", 1, new Size2(3, 5)).Build());
        Assert.Equal(("conv", "its output width would be below 1: kernel width 5 is larger than the padded input width 4 (input 4, pad 0)"),
            (error.LayerName, error.Reason));
    }

    [Fact]
    public void An_output_of_exactly_2_to_the_31_minus_1_fits_and_one_more_is_refused()
    {
        // A 1x1 convolution with pad 1 adds 2 to the height: input 2^31 - 3 gives 2^31 - 1, input 2^31 - 2 gives 2^31.
        var fits = new NetworkBuilder("n").Input(1, int.MaxValue - 2, 1).Convolution("conv", 1, 1, pad: new Size2(1, 0)).Build();
        Assert.Equal(new Shape(1, int.MaxValue, 1), fits.OutputShapes[1]);
        var error = Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").Input(1, int.MaxValue - 1, 1)
            .Convolution("conv", 1, 1, pad: new Size2(1, 0)).Build());
        Assert.Equal(("conv", "its output height 2147483648 exceeds 2^31-1 (input 2147483646, pad 1)"), (error.LayerName, error.Reason));
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
