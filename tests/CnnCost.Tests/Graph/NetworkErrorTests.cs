using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Graph;

/// <summary>Every way a network can be invalid fails with an exception that names the layer and the reason.</summary>
public class NetworkErrorTests
{
    private static NetworkDefinitionException Fails(Func<Network> build) => Assert.Throws<NetworkDefinitionException>(() => build());

    [Fact]
    public void Output_size_below_one_names_the_layer()
    {
        var error = Fails(() => new NetworkBuilder("n").Input(3, 5, 5).Convolution("conv1", 8, 11, stride: 4).Build());
        Assert.Equal("conv1", error.LayerName);
        Assert.Contains("below 1", error.Message);
        Assert.Contains("larger than the padded input", error.Message);
    }

    [Fact]
    public void Stride_zero_names_the_layer()
    {
        var error = Fails(() => new NetworkBuilder("n").Input(3, 8, 8).MaxPool("pool1", 2, 0).Build());
        Assert.Equal("pool1", error.LayerName);
        Assert.Contains("stride", error.Message);
    }

    [Fact]
    public void Channels_not_divisible_by_groups_names_the_layer()
    {
        var error = Fails(() => new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv1", 4, 3, groups: 2).Build());
        Assert.Equal("conv1", error.LayerName);
        Assert.Contains("not divisible by groups 2", error.Message);
    }

    [Fact]
    public void Filters_not_divisible_by_groups_names_the_layer()
    {
        var error = Fails(() => new NetworkBuilder("n").Input(4, 8, 8).Convolution("conv1", 3, 3, groups: 2).Build());
        Assert.Equal("conv1", error.LayerName);
    }

    [Fact]
    public void Mismatched_add_names_the_layer_and_both_inputs()
    {
        var error = Fails(() => new NetworkBuilder("n").Input(3, 8, 8)
            .Convolution("a", 4, 1).Convolution("b", 8, 1, from: "data").Sum("sum", "a", "b").Build());
        Assert.Equal("sum", error.LayerName);
        Assert.Contains("'a' is 4x8x8", error.Message);
        Assert.Contains("'b' is 8x8x8", error.Message);
    }

    [Fact]
    public void Mismatched_concat_names_the_layer()
    {
        var error = Fails(() => new NetworkBuilder("n").Input(3, 8, 8)
            .Convolution("a", 4, 1).Convolution("b", 4, 3, from: "data").Concat("cat", "a", "b").Build());
        Assert.Equal("cat", error.LayerName);
        Assert.Contains("height and width", error.Message);
    }

    [Fact]
    public void Duplicate_names_are_named()
    {
        var error = Fails(() => new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv", 4, 1).Convolution("conv", 4, 1).Build());
        Assert.Equal("conv", error.LayerName);
        Assert.Contains("more than one layer", error.Message);
    }

    [Fact]
    public void A_cycle_is_named()
    {
        Layer[] layers =
        [
            new InputLayer("data", new Shape(3, 8, 8)),
            new AddLayer("a", ["data", "b"]),
            new ActivationLayer("b", "a", ActivationFunction.ReLU),
        ];
        var error = Fails(() => new Network("n", layers));
        Assert.Contains("cycle", error.Message);
        Assert.Contains(error.LayerName, new[] { "a", "b" });
    }

    [Fact]
    public void A_dangling_input_is_named()
    {
        var error = Fails(() => new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv", 4, 1, from: "nowhere").Build());
        Assert.Equal("conv", error.LayerName);
        Assert.Contains("'nowhere'", error.Message);
    }

    [Fact]
    public void A_network_needs_exactly_one_input()
    {
        Assert.Contains("no input layer", Fails(() => new Network("n", [new SoftmaxLayer("s", "x")])).Message);
        Layer[] two = [new InputLayer("a", new Shape(1, 2, 2)), new InputLayer("b", new Shape(1, 2, 2))];
        Assert.Contains("2 input layers", Fails(() => new Network("n", two)).Message);
    }

    [Fact]
    public void A_layer_before_the_input_is_named()
    {
        var error = Fails(() => new NetworkBuilder("n").Convolution("conv", 4, 1).Build());
        Assert.Equal("conv", error.LayerName);
    }

    [Fact]
    public void Overflow_is_an_error_naming_the_layer_not_a_wrapped_number()
    {
        var network = new NetworkBuilder("huge").Input(4096, 4096, 4096).Convolution("conv", 4096, 3, pad: 1).Build();
        var error = Assert.Throws<CostOverflowException>(() => CostModel.Analyze(network, new AnalysisOptions { Batch = 1 << 20 }));
        Assert.Equal("conv", error.LayerName);
    }

    [Fact]
    public void Edits_return_new_networks_and_leave_the_original_alone()
    {
        var original = new NetworkBuilder("n").Input(3, 32, 32).Convolution("conv", 8, 3).MaxPool("pool", 2, 2).Build();
        var wider = original.ReplaceLayer(((ConvolutionLayer)original["conv"]) with { Filters = 16 });
        var smaller = original.WithInputShape(new Shape(3, 16, 16));
        var withoutPool = original.RemoveLayer("pool");
        Assert.Equal(8, ((ConvolutionLayer)original["conv"]).Filters);
        Assert.Equal(16, ((ConvolutionLayer)wider["conv"]).Filters);
        Assert.Equal(new Shape(8, 7, 7), smaller.OutputShapes[^1]);
        Assert.Equal(new Shape(8, 15, 15), original.OutputShapes[^1]);
        Assert.False(withoutPool.Contains("pool"));
        Assert.Equal(new Shape(8, 30, 30), withoutPool.OutputShapes[^1]);
    }

    [Fact]
    public void Layers_come_out_in_topological_order_whatever_order_they_were_given()
    {
        Layer[] shuffled =
        [
            new ActivationLayer("relu", "conv", ActivationFunction.ReLU),
            new ConvolutionLayer("conv", "data", 4, 3, 1, 0, 1, 1, true),
            new InputLayer("data", new Shape(3, 8, 8)),
        ];
        var network = new Network("n", shuffled);
        Assert.Equal(new[] { "data", "conv", "relu" }, network.Layers.Select(l => l.Name).ToArray());
        Assert.Equal(new[] { "relu" }, network.ConsumersOf("conv").ToArray());
    }

    [Fact]
    public void A_layer_given_before_the_input_comes_out_after_it()
    {
        // Given as conv, data: the input goes first however the list starts, even when the rest reads only earlier layers.
        var network = new Network("n", [new ConvolutionLayer("conv", "data", 4, 3, 1, 0, 1, 1, true), new InputLayer("data", new Shape(3, 8, 8))]);
        Assert.Equal(new[] { "data", "conv" }, network.Layers.Select(l => l.Name).ToArray());
        Assert.Equal(new Shape(4, 6, 6), network.OutputShapes[1]);
    }

    [Fact]
    public void A_bad_batch_is_an_argument_error()
    {
        var network = new NetworkBuilder("n").Input(3, 8, 8).Build();
        Assert.Throws<ArgumentOutOfRangeException>(() => CostModel.Analyze(network, new AnalysisOptions { Batch = 0 }));
    }

    [Fact]
    public void A_layer_may_read_the_same_input_twice()
    {
        ImmutableArray<string> sources = ["data", "data"];
        var network = new Network("n", [new InputLayer("data", new Shape(2, 4, 4)), new ConcatLayer("cat", sources)]);
        Assert.Equal(new Shape(4, 4, 4), network.OutputShapes[1]);
    }
}
