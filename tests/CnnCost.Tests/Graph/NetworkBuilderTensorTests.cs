using CnnCost.Costs;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Graph;

/// <summary>
/// The builder's methods for tensor layers: each appends the layer its documentation names, reading the last layer
/// unless told otherwise, and the network it builds has the shapes and costs derived by hand in each test.
/// </summary>
public class NetworkBuilderTensorTests
{
    private static readonly AnalysisOptions Counting = new() { Conventions = Conventions.PyTorch with { CountElementwiseOps = true } };

    [Fact]
    public void Squeeze_excitation_pools_squeezes_expands_gates_and_multiplies_the_block_by_the_gate()
    {
        var network = new NetworkBuilder("se", Conventions.PyTorch).Input(8, 4, 4)
            .SqueezeExcitation("se", 8, 2, ActivationFunction.SiLU, ActivationFunction.HardSigmoid)
            .Build();
        Assert.Equal(["data", "se.avgpool", "se.fc1", "se.activation", "se.fc2", "se.scale_activation", "se.scale"], network.Layers.Select(l => l.Name));
        var scale = Assert.IsType<ElementwiseLayer>(network["se.scale"]);
        Assert.Equal((ElementwiseOperation.Product, (Shape?)null), (scale.Operation, scale.Constant));
        Assert.Equal(["data", "se.scale_activation"], scale.Sources.AsEnumerable());
        Assert.Equal(ActivationFunction.SiLU, Assert.IsType<ActivationLayer>(network["se.activation"]).Function);
        Assert.Equal(ActivationFunction.HardSigmoid, Assert.IsType<ActivationLayer>(network["se.scale_activation"]).Function);
        var report = CostModel.Analyze(network, Counting);
        // fc1: 8·2 weights + 2 biases; fc2: 2·8 + 8; both on 1x1.
        Assert.Equal((18L, 24L), (report["se.fc1"].Parameters, report["se.fc2"].Parameters));
        Assert.Equal((new Shape(2, 1, 1), new Shape(8, 1, 1)), (report["se.fc1"].Output, report["se.fc2"].Output));
        Assert.Equal(42L, report.Totals.Parameters);
        // The gate broadcasts over 4x4: 128 products.
        Assert.Equal(new Shape(8, 4, 4), report["se.scale"].Output);
        Assert.Equal(128L, report["se.scale"].Flops);
    }

    [Fact]
    public void Squeeze_excitation_reads_the_layer_named_in_from()
    {
        var network = new NetworkBuilder("se").Input(4, 2, 2).ReLU("r").Convolution("other", 4, 1)
            .SqueezeExcitation("se", 4, 1, from: "r").Build();
        Assert.Equal("r", network["se.avgpool"].Inputs.Single());
        Assert.Equal(["r", "se.scale_activation"], network["se.scale"].Inputs.AsEnumerable());
    }

    [Fact]
    public void A_learned_layer_scale_counts_one_weight_per_channel()
    {
        var network = new NetworkBuilder("ls").Input(6, 5, 5)
            .Elementwise("scale", ElementwiseOperation.Product, new Shape(6, 1, 1))
            .Elementwise("half", ElementwiseOperation.Product, Shape.Of(), learned: false)
            .Build();
        var scale = Assert.IsType<ElementwiseLayer>(network["scale"]);
        Assert.Equal((ElementwiseOperation.Product, (Shape?)new Shape(6, 1, 1), true), (scale.Operation, scale.Constant, scale.ConstantIsParameter));
        Assert.Equal(["data"], scale.Sources.AsEnumerable());
        var report = CostModel.Analyze(network, Counting);
        Assert.Equal((6L, 0L), (report["scale"].Weights, report["half"].Weights));
        Assert.Equal((150L, 150L), (report["scale"].Flops, report["half"].Flops));
    }

    [Fact]
    public void Elementwise_between_activations_broadcasts_in_operand_order()
    {
        var network = new NetworkBuilder("e").Input(3, 4, 4).GlobalPool("g", from: "data")
            .Elementwise("d", ElementwiseOperation.Divide, "data", "g").Build();
        var divide = Assert.IsType<ElementwiseLayer>(network["d"]);
        Assert.Equal(ElementwiseOperation.Divide, divide.Operation);
        Assert.Equal(["data", "g"], divide.Sources.AsEnumerable());
        Assert.Equal(new Shape(3, 4, 4), CostModel.Analyze(network)["d"].Output);
    }

    [Fact]
    public void A_mean_over_height_and_width_leaves_a_vector_a_fully_connected_layer_reads()
    {
        // ShuffleNet's x.mean([2, 3]) then fc: 10x3x3 -> 10 -> 4; fc 10·4 + 4 parameters; the mean 2·90 operations.
        var network = new NetworkBuilder("m").Input(10, 3, 3).Reduce("mean", ReductionOperation.Mean, [1, 2]).FullyConnected("fc", 4).Build();
        var mean = Assert.IsType<ReductionLayer>(network["mean"]);
        Assert.Equal((ReductionOperation.Mean, false), (mean.Operation, mean.KeepDimensions));
        Assert.Equal([1, 2], mean.Axes.AsEnumerable());
        var report = CostModel.Analyze(network, Counting);
        Assert.Equal(Shape.Of(10), report["mean"].Output);
        Assert.Equal(180L, report["mean"].Flops);
        Assert.Equal(44L, report["fc"].Parameters);
        var kept = new NetworkBuilder("k").Input(10, 3, 3).Reduce("max", ReductionOperation.Max, [2], keepDimensions: true).Build();
        Assert.Equal(new Shape(10, 3, 1), CostModel.Analyze(kept)["max"].Output);
    }

    [Fact]
    public void A_channel_split_and_shuffle_keep_every_value_at_no_cost()
    {
        // 6x2x2: two slices of 3 channels, concatenated back, viewed as 2x3x2x2, groups swapped, viewed as 6x2x2.
        var network = new NetworkBuilder("shuffle").Input(6, 2, 2)
            .Slice("left", 0, 0, 3, from: "data").Slice("right", 0, 3, 6, from: "data")
            .Concat("cat", "left", "right")
            .Reshape("view", [2, 3, 2, 2]).Transpose("swap", [1, 0, 2, 3]).Reshape("back", [-1, 2, 2])
            .Flatten("flat")
            .Build();
        Assert.Equal([new SliceRange(0, 3, 6)], Assert.IsType<SliceLayer>(network["right"]).Ranges.AsEnumerable());
        Assert.Equal([1, 0, 2, 3], Assert.IsType<TransposeLayer>(network["swap"]).Permutation.AsEnumerable());
        var report = CostModel.Analyze(network, Counting);
        Assert.Equal((new Shape(3, 2, 2), new Shape(3, 2, 2)), (report["left"].Output, report["right"].Output));
        Assert.Equal(Shape.Of(2, 3, 2, 2), report["view"].Output);
        Assert.Equal(Shape.Of(3, 2, 2, 2), report["swap"].Output);
        Assert.Equal(new Shape(6, 2, 2), report["back"].Output);
        Assert.Equal(Shape.Of(24), report["flat"].Output);
        Assert.All(report.Layers, l => Assert.Equal(0L, l.Flops));
        var everyOther = new NetworkBuilder("s").Input(6, 2, 2).Slice("odd", 0, 1, 6, step: 2).Build();
        Assert.Equal(new Shape(3, 2, 2), CostModel.Analyze(everyOther)["odd"].Output);
    }

    [Fact]
    public void Channels_last_layer_norm_and_linear_layers_cost_per_position()
    {
        // ConvNeXt's block on 4x3x3: to 3x3x4, layer norm over 4 (4 + 4 parameters), linear 4 -> 16 and back at
        // each of 9 positions: 4·16 + 16 and 16·4 + 4 parameters, 9·64 multiply-adds each.
        var network = new NetworkBuilder("cn").Input(4, 3, 3)
            .Transpose("last", [1, 2, 0]).LayerNorm("ln", 2).Linear("up", 16).Activation(ActivationFunction.Gelu, "gelu")
            .Linear("down", 4, bias: false).Transpose("first", [2, 0, 1])
            .Build();
        Assert.Equal(new NormalizationLayer("ln", "last", NormalizationMethod.Layer, 2), network["ln"]);
        Assert.Equal(new LinearLayer("down", "gelu", 4, false), network["down"]);
        var report = CostModel.Analyze(network);
        Assert.Equal((4L, 4L), (report["ln"].Weights, report["ln"].Biases));
        Assert.Equal((64L, 16L), (report["up"].Weights, report["up"].Biases));
        Assert.Equal((64L, 0L), (report["down"].Weights, report["down"].Biases));
        Assert.Equal(Shape.Of(3, 3, 16), report["up"].Output);
        Assert.Equal((2L * 9 * 64, 2L * 9 * 64), (report["up"].Flops, report["down"].Flops));
        Assert.Equal(new Shape(4, 3, 3), report["first"].Output);
        var plain = new NetworkBuilder("p").Input(4, 3, 3).LayerNorm("ln", 0, affine: false).Build();
        Assert.Equal(0L, CostModel.Analyze(plain).Totals.Parameters);
    }

    [Fact]
    public void Tensor_methods_without_an_earlier_layer_name_themselves()
    {
        var builder = new NetworkBuilder("empty");
        Assert.Contains("'ln'", Assert.Throws<NetworkDefinitionException>(() => builder.LayerNorm("ln", 0)).Message);
        Assert.Contains("'se'", Assert.Throws<NetworkDefinitionException>(() => builder.SqueezeExcitation("se", 4, 1)).Message);
        Assert.Throws<ArgumentNullException>(() => builder.Input(1, 1, 1).Reshape("r", null!));
        Assert.Throws<ArgumentNullException>(() => builder.Transpose("t", null!));
        Assert.Throws<ArgumentNullException>(() => builder.Reduce("m", ReductionOperation.Sum, null!));
    }
}
