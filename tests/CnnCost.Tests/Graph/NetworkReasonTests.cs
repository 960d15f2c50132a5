using System.Collections.Immutable;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Graph;

/// <summary>The exact layer and reason of every invalid parameter and structure, one case each.</summary>
public class NetworkReasonTests
{
    private static readonly InputLayer Data = new("data", new Shape(4, 8, 8));

    private static ConvolutionLayer Conv(string name = "conv", string input = "data") => new(name, input, 4, 3, 1, 0, 1, 1, true);

    private static PoolingLayer Pool() => new("pool", "data", PoolingMethod.Max, 2, 2, 0);

    public static TheoryData<string, Layer, string> BadLayers => new()
    {
        { "filters 0", Conv() with { Filters = 0 }, "filter count must be at least 1, got 0" },
        { "groups 0", Conv() with { Groups = 0 }, "groups must be at least 1, got 0" },
        { "filters vs groups", Conv() with { Filters = 6, Groups = 4 }, "filter count 6 is not divisible by groups 4" },
        { "kernel height 0", Conv() with { Kernel = new Size2(0, 3) }, "kernel must be at least 1, got 0x3" },
        { "kernel width 0", Conv() with { Kernel = new Size2(3, 0) }, "kernel must be at least 1, got 3x0" },
        { "conv stride 0", Conv() with { Stride = new Size2(1, 0) }, "stride must be at least 1, got 1x0" },
        { "dilation 0", Conv() with { Dilation = new Size2(0, 1) }, "dilation must be at least 1, got 0x1" },
        { "conv pad height", Conv() with { Pad = new Size2(-1, 0) }, "padding must not be negative, got -1x0" },
        { "conv pad width", Conv() with { Pad = new Size2(0, -1) }, "padding must not be negative, got 0x-1" },
        { "fc outputs", new FullyConnectedLayer("conv", "data", 0, true), "output count must be at least 1, got 0" },
        { "pool kernel", Pool() with { Name = "conv", Kernel = new Size2(2, 0) }, "kernel must be at least 1, got 2x0" },
        { "pool stride", Pool() with { Name = "conv", Stride = new Size2(0, 2) }, "stride must be at least 1, got 0x2" },
        { "pool pad height", Pool() with { Name = "conv", Pad = new Size2(-1, 0) }, "padding must not be negative, got -1x0" },
        { "pool pad width", Pool() with { Name = "conv", Pad = new Size2(0, -2) }, "padding must not be negative, got 0x-2" },
        { "dropout 1", new DropoutLayer("conv", "data", 1.0), "dropout ratio must be in [0, 1), got 1" },
        { "dropout negative", new DropoutLayer("conv", "data", -0.1), "dropout ratio must be in [0, 1), got -0.1" },
        { "lrn", new LrnLayer("conv", "data", 0), "local size must be at least 1, got 0" },
        { "concat of none", new ConcatLayer("conv", []), "a concat needs at least one input, got 0" },
        { "concat axis", new ConcatLayer("conv", ["data"]) { Axis = -1 }, "the concat axis must not be negative, got -1" },
        { "add of one", new AddLayer("conv", ["data"]), "an add needs at least two inputs, got 1" },
    };

    [Theory]
    [MemberData(nameof(BadLayers))]
    public void Each_impossible_parameter_is_refused_with_its_own_reason(string what, Layer layer, string reason)
    {
        var error = Assert.Throws<NetworkDefinitionException>(() => new Network("n", [Data, layer]));
        Assert.Equal(("conv", reason), (error.LayerName, error.Reason));
        Assert.Equal($"layer 'conv': {reason}", error.Message);
        Assert.NotEmpty(what);
    }

    [Fact]
    public void Boundary_parameters_are_accepted()
    {
        // The smallest legal values: one filter, one group, 1x1 kernel, stride and dilation 1, no padding,
        // dropout 0, one-channel LRN, and a global pool whose kernel and stride are ignored.
        var network = new Network("n",
        [
            Data,
            new ConvolutionLayer("conv", "data", 1, 1, 1, 0, 1, 1, false),
            new DropoutLayer("drop", "conv", 0),
            new LrnLayer("lrn", "drop", 1),
            new PoolingLayer("gap", "lrn", PoolingMethod.Average, 0, 0, -1, IsGlobal: true),
            new FullyConnectedLayer("fc", "gap", 1, false),
        ]);
        Assert.Equal(new Shape(1, 1, 1), network.OutputShapes[^1]);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 0)]
    public void An_input_must_be_positive_in_every_dimension(int channels, int height, int width)
    {
        var error = Assert.Throws<NetworkDefinitionException>(() => new Network("n", [new InputLayer("data", new Shape(channels, height, width))]));
        Assert.Equal($"input shape {channels}x{height}x{width} must be positive in every dimension", error.Reason);
    }

    [Fact]
    public void Structural_problems_name_their_layer_and_reason()
    {
        var empty = Assert.Throws<NetworkDefinitionException>(() => new Network("n", [Data, Conv(" ")]));
        Assert.Equal((null, "a Convolution layer has an empty name"), (empty.LayerName, empty.Reason));
        Assert.Equal("a Convolution layer has an empty name", empty.Message);

        var self = Assert.Throws<NetworkDefinitionException>(() => new Network("n", [Data, Conv("conv", "conv")]));
        Assert.Equal(("conv", "it reads its own output (a cycle)"), (self.LayerName, self.Reason));

        var two = Assert.Throws<NetworkDefinitionException>(() => new Network("n", [Data, Data with { Name = "data2" }]));
        Assert.Equal("the network has 2 input layers (data, data2); CnnCost models one", two.Reason);

        var none = Assert.Throws<NetworkDefinitionException>(() => new Network("n", [Conv()]));
        Assert.Equal("the network has no input layer", none.Reason);

        var cycle = Assert.Throws<NetworkDefinitionException>(() => new Network("n",
            [Data, new AddLayer("a", ["data", "b"]), new ActivationLayer("b", "a", ActivationFunction.ReLU)]));
        Assert.Equal("it is part of a cycle (layers never reached from the input: a, b)", cycle.Reason);
        Assert.Equal("a", cycle.LayerName);
    }

    [Fact]
    public void Layers_may_be_given_inputs_only_in_numbers_their_kind_takes()
    {
        var relu = new ActivationLayer("relu", "data", ActivationFunction.ReLU);
        var error = Assert.Throws<NetworkDefinitionException>(() => relu.WithInputs(["a", "b"]));
        Assert.Equal(("relu", "a Activation layer reads exactly one input, got 2"), (error.LayerName, error.Reason));
        Assert.Equal("x", ((SingleInputLayer)relu.WithInputs(["x"])).Input);
        Assert.Same(Data, Data.WithInputs([]));
        Assert.Equal("an input layer reads no other layer", Assert.Throws<NetworkDefinitionException>(() => Data.WithInputs(["x"])).Reason);
        Assert.Equal(new[] { "p", "q", "r" }, new ConcatLayer("cat", ["a", "b"]).WithInputs(["p", "q", "r"]).Inputs);
        Assert.Equal(new[] { "p", "q" }, new AddLayer("sum", ["a", "b"]).WithInputs(["p", "q"]).Inputs);
    }

    [Fact]
    public void Only_convolution_fully_connected_batch_norm_and_prelu_have_weights()
    {
        Assert.True(Conv().HasWeights);
        Assert.True(new FullyConnectedLayer("fc", "data", 1, true).HasWeights);
        Assert.True(new BatchNormLayer("bn", "data").HasWeights);
        Assert.True(new ActivationLayer("p", "data", ActivationFunction.PReLU).HasWeights);
        Assert.False(new ActivationLayer("r", "data", ActivationFunction.ReLU).HasWeights);
        Assert.False(Pool().HasWeights);
        Assert.False(Data.HasWeights);
        Assert.Equal(
            new[] { LayerKind.Input, LayerKind.Convolution, LayerKind.FullyConnected, LayerKind.Pooling, LayerKind.Dropout, LayerKind.BatchNorm, LayerKind.Lrn, LayerKind.Softmax, LayerKind.Concat, LayerKind.Add },
            new Layer[] { Data, Conv(), new FullyConnectedLayer("f", "d", 1, true), Pool(), new DropoutLayer("d", "x", 0), new BatchNormLayer("b", "x"), new LrnLayer("l", "x", 1), new SoftmaxLayer("s", "x"), new ConcatLayer("c", ["a", "b"]), new AddLayer("a", ["a", "b"]) }.Select(l => l.Kind));
    }

    [Fact]
    public void Edits_that_name_no_layer_or_take_a_name_are_refused()
    {
        var network = new NetworkBuilder("net").Input(3, 8, 8).Convolution("a", 4, 1).Convolution("b", 4, 1, from: "data").Sum("sum", "a", "b").Build();
        var missing = Assert.Throws<NetworkDefinitionException>(() => network.RemoveLayer("zzz"));
        Assert.Equal(("zzz", "no such layer in network 'net'"), (missing.LayerName, missing.Reason));
        Assert.Throws<NetworkDefinitionException>(() => network["zzz"]);
        Assert.Equal(-1, network.IndexOf("zzz"));
        Assert.Equal(3, network.IndexOf("sum"));

        var multi = Assert.Throws<NetworkDefinitionException>(() => network.RemoveLayer("sum"));
        Assert.Equal("a layer with 2 inputs cannot be removed: there is no single layer to reconnect its consumers to", multi.Reason);
        Assert.Equal("the input layer cannot be removed", Assert.Throws<NetworkDefinitionException>(() => network.RemoveLayer("data")).Reason);

        var taken = Assert.Throws<NetworkDefinitionException>(() => network.InsertAfter("a", new ActivationLayer("b", "x", ActivationFunction.ReLU)));
        Assert.Equal(("b", "a layer of this name already exists"), (taken.LayerName, taken.Reason));
        // The missing layer is the one named, not the new layer that would have read it.
        var nowhere = Assert.Throws<NetworkDefinitionException>(() => network.InsertAfter("zzz", new ActivationLayer("new", "x", ActivationFunction.ReLU)));
        Assert.Equal(("zzz", "no such layer in network 'net'"), (nowhere.LayerName, nowhere.Reason));

        var broken = Assert.Throws<NetworkDefinitionException>(() => network.RemoveLayer("a"));
        Assert.Equal("a", broken.LayerName);
        Assert.StartsWith("removing it breaks the network: layer 'sum': its inputs differ in shape", broken.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Inserting_a_layer_rewires_every_consumer_of_the_existing_one()
    {
        // data -> a, and both b and sum read a: after inserting relu after a, both read relu.
        var network = new NetworkBuilder("net").Input(3, 8, 8).Convolution("a", 4, 1).Convolution("b", 4, 1).Sum("sum", "a", "b").Build();
        var inserted = network.InsertAfter("a", new ActivationLayer("relu", "ignored", ActivationFunction.ReLU));
        Assert.Equal(new[] { "relu" }, inserted["b"].Inputs);
        Assert.Equal(new[] { "relu", "b" }, inserted["sum"].Inputs);
        Assert.Equal(new[] { "a" }, inserted["relu"].Inputs);
        Assert.Equal(new[] { "relu" }, inserted.ConsumersOf("a"));
        Assert.Equal(new[] { "b", "sum" }, inserted.ConsumersOf("relu"));
        Assert.Empty(inserted.ConsumersOf("sum"));
        Assert.Equal("net (5 layers, input 3x8x8)", inserted.ToString());
        Assert.Equal(new[] { 0 }, inserted.InputIndicesOf(1));
    }

    [Fact]
    public void Inserting_a_layer_leaves_the_layers_that_do_not_read_the_existing_one_as_they_were()
    {
        // Networks are immutable, so an edit shares the layers it does not touch: here data, a, b and the concat.
        var network = new NetworkBuilder("net").Input(3, 8, 8).Convolution("a", 4, 1).Convolution("b", 4, 1, from: "data")
            .Concat("cat", "a", "b").Convolution("c", 4, 1).Build();
        var inserted = network.InsertAfter("cat", new ActivationLayer("relu", "ignored", ActivationFunction.ReLU));
        foreach (var name in new[] { "data", "a", "b", "cat" })
        {
            Assert.Same(network[name], inserted[name]);
        }

        Assert.Equal(new[] { "relu" }, inserted["c"].Inputs);
    }

    [Fact]
    public void An_inserted_layer_takes_its_place_in_the_order_after_the_layers_given_before_it()
    {
        // data feeds a and b; c reads a. Inserting x after a gives the layers data, a, b, c, x; Kahn's algorithm takes
        // the ready layer given first: data; then a (given 2nd) before b (3rd); x becomes ready but was given last,
        // so b comes first; then x; then c, which now reads x.
        var network = new NetworkBuilder("net").Input(3, 8, 8).Convolution("a", 4, 1).Convolution("b", 4, 1, from: "data")
            .Convolution("c", 4, 1, from: "a").Build();
        var inserted = network.InsertAfter("a", new ActivationLayer("x", "ignored", ActivationFunction.ReLU));
        Assert.Equal(new[] { "data", "a", "b", "x", "c" }, inserted.Layers.Select(l => l.Name).ToArray());
    }

    [Fact]
    public void A_problem_with_several_parameters_reports_the_kernel_first()
    {
        // Kernel and stride are both zero: the checks run kernel, stride, dilation, padding, and the first problem is reported.
        var error = Assert.Throws<NetworkDefinitionException>(() => new Network("n", [Data, Conv() with { Kernel = new Size2(0, 3), Stride = new Size2(1, 0) }]));
        Assert.Equal("kernel must be at least 1, got 0x3", error.Reason);
    }

    [Fact]
    public void An_input_one_pixel_high_or_wide_is_legal()
    {
        // Every dimension must be at least 1, and 1 is enough.
        var network = new Network("n", [new InputLayer("data", new Shape(3, 1, 5)), new FullyConnectedLayer("fc", "data", 2, true)]);
        Assert.Equal(new Shape(2, 1, 1), network.OutputShapes[1]);
        Assert.Equal(new Shape(1, 1, 1), new Network("one", [new InputLayer("data", new Shape(1, 1, 1))]).Input.Shape);
    }

    [Fact]
    public void Renaming_and_new_conventions_keep_the_layers()
    {
        var network = new NetworkBuilder("net").Input(3, 7, 7).MaxPool("pool", 2, 2).Build();
        var renamed = network.WithName("other");
        Assert.Equal(("other", 2), (renamed.Name, renamed.Layers.Length));
        // 7 -> (7 - 2) / 2 = 2.5: Caffe's ceiling gives 4, PyTorch's floor 3.
        Assert.Equal(4, network.OutputShapes[1].Height);
        var pytorch = network.WithConventions(Conventions.PyTorch);
        Assert.Same(Conventions.PyTorch, pytorch.Conventions);
        Assert.Equal(3, pytorch.OutputShapes[1].Height);
        Assert.Equal(3, ShapeInference.Infer(network, Conventions.PyTorch)[1].Height);
        Assert.Equal(4, ShapeInference.Infer(network, network.Conventions)[1].Height);
    }

    [Fact]
    public void Missing_arguments_are_argument_errors()
    {
        Assert.Throws<ArgumentNullException>(() => new Network(null!, [Data]));
        Assert.Equal("layers", Assert.Throws<ArgumentNullException>(() => new Network("n", null!)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new Network("n", [Data, null!]));
        var network = new Network("n", [Data]);
        Assert.Throws<ArgumentNullException>(() => network.ReplaceLayer(null!));
        Assert.Throws<ArgumentNullException>(() => network.InsertAfter("data", null!));
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => network[null!]).ParamName);
        Assert.Throws<ArgumentNullException>(() => new NetworkBuilder(null!));
        Assert.Throws<ArgumentNullException>(() => new NetworkBuilder("n").Add(null!));
        Assert.Throws<ArgumentNullException>(() => ShapeInference.Infer(null!, Conventions.Caffe));
        Assert.Throws<ArgumentNullException>(() => ShapeInference.Infer(network, null!));
    }

    [Fact]
    public void A_builder_layer_before_any_input_says_to_start_with_input()
    {
        var error = Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").ReLU());
        Assert.Equal(("ReLU", "there is no earlier layer for it to read; start with Input(...)"), (error.LayerName, error.Reason));
        Assert.Equal("dropout", Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").Dropout()).LayerName);
        Assert.Equal("batch norm", Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").BatchNorm()).LayerName);
        // A layer given its own name is named by it.
        Assert.Equal("r", Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").ReLU("r")).LayerName);
        Assert.Equal("d", Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").Dropout(name: "d")).LayerName);
        Assert.Equal("bn", Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("n").BatchNorm("bn")).LayerName);
    }

    [Fact]
    public void Builder_names_default_from_the_layer_they_read()
    {
        var builder = new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv", 4, 1);
        Assert.Null(new NetworkBuilder("n").Last);
        Assert.Equal("conv_relu", builder.ReLU().Last);
        Assert.Equal("conv_relu_sigmoid", builder.Activation(ActivationFunction.Sigmoid).Last);
        Assert.Equal("conv_relu_sigmoid_dropout", builder.Dropout().Last);
        Assert.Equal("conv_relu_sigmoid_dropout_bn", builder.BatchNorm().Last);
        Assert.Equal("prob", builder.Softmax().Last);
        var network = builder.Build();
        Assert.Equal(0.5, ((DropoutLayer)network["conv_relu_sigmoid_dropout"]).Ratio);
        Assert.Equal(new[] { "conv_relu_sigmoid_dropout_bn" }, network["prob"].Inputs);
    }
}
