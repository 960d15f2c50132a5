using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>The Caffe importer's reading of each layer type and parameter, and the exact reason of each refusal.</summary>
public class CaffeReasonTests
{
    // Line 1: a 3x8x8 input blob "data".
    private const string Head = "input: \"data\" input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n";

    private static string Layer(string type, string body = "", string bottom = "data", string top = "out", string name = "l") =>
        $"layer {{ name: \"{name}\" type: \"{type}\" bottom: \"{bottom}\" top: \"{top}\" {body} }}\n";

    public static TheoryData<string, string> BadFiles => new()
    {
        { "layer: 1", "line 1: 'layer' must be a message { … }" },
        { "input: \"a\"\ninput: \"b\"", "line 2: the net declares 2 inputs; CnnCost models networks with one" },
        { "input { }", "line 1: 'input' must name a blob" },
        { "input: \"d\" input_shape: 3", "line 1: 'input_shape' must be a message" },
        { "input: \"d\"", "line 1: 'input' needs 'input_shape' or four 'input_dim' values" },
        { "input: \"d\" input_dim: 3 input_dim: 8", "line 1: an input shape needs 3 (CxHxW) or 4 (NxCxHxW) dimensions, got 2" },
        { "input: \"d\" input_shape { }", "line 1: a shape has no 'dim' values" },
        { Head + "layer { name: \"in\" type: \"Input\" top: \"x\" input_param { shape { dim: 3 dim: 4 dim: 4 } } }", "line 2: a second input; CnnCost models networks with one" },
        { Head + "layer { type: \"ReLU\" }", "line 2: a layer has no name" },
        { Head + "layer { name: \"r\" }", "line 2: layer 'r' has no type" },
        { Head + "layers { name: \"r\" type: WEIRD }", "line 2: layer 'r': old-style type WEIRD is not supported" },
        { Head + "layer { name: \"r\" type: \"ReLU\" bottom { } top: \"x\" }", "line 2: 'bottom' must name a blob" },
        { Head + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top { } }", "line 2: 'top' must name a blob" },
        { Head + Layer("ReLU", bottom: "zz"), "line 2: layer 'l' reads blob 'zz', which no earlier layer writes" },
        { Head + "layer { name: \"r\" type: \"ReLU\" top: \"x\" }", "line 2: layer 'r' (ReLU) needs 1 bottom blob(s), has 0" },
        { Head + "layer { name: \"r\" type: \"ReLU\" bottom: \"data\" }", "line 2: layer 'r' (ReLU) has no top blob" },
        { "layer { name: \"in\" type: \"Input\" top: \"x\" }", "line 1: Input layer 'in' needs input_param { shape { dim … } }" },
        { "layer { name: \"in\" type: \"Input\" top: \"x\" input_param { shape: 3 } }", "line 1: 'shape' must be a message" },
        { Head + Layer("InnerProduct"), "line 2: InnerProduct layer 'l' needs inner_product_param { num_output: N }" },
        { Head + Layer("Concat", "concat_param { axis: 4 }"), "line 2: layer 'l': axis 4 is outside its 4-axis bottom (N x 3x8x8)" },
        { Head + "layer { name: \"c\" type: \"Concat\" top: \"c\" }", "line 2: layer 'c' (Concat) needs 1 bottom blob(s), has 0" },
        { Head + Layer("Concat", "concat_param { concat_dim: 0 }"), "line 2: layer 'l': axis 0 is the batch axis; CnnCost models each item on its own" },
        { Head + Layer("Eltwise", "eltwise_param { operation: DIV }"), "line 2: Eltwise layer 'l' has unknown operation DIV" },
        { Head + Layer("Threshold"), "line 2: layer 'l' has type Threshold, which CnnCost does not model" },
        { "layer { name: \"d\" type: \"Data\" top: \"x\" }", "line 1: data layer 'd' gives no image size: add transform_param { crop_size: N }" },
        { Head + Layer("Convolution"), "line 2: Convolution layer 'l' needs convolution_param { num_output: N kernel_size: K }" },
        { Head + Layer("Pooling"), "line 2: Pooling layer 'l' needs pooling_param" },
        { Head + Layer("Pooling", "pooling_param {\n pool: STOCHASTIC kernel_size: 2 }"), "line 3: Pooling layer 'l' uses STOCHASTIC pooling; CnnCost models MAX and AVE" },
        { Head + Layer("Pooling", "pooling_param {\n round_mode: UP kernel_size: 2 }"), "line 3: Pooling layer 'l' has unknown round_mode UP" },
        { Head + Layer("Pooling", "pooling_param { kernel_size: 2 kernel_size: 2\n kernel_size: 2 }"), "line 3: kernel_size has 3 values; CnnCost models 2-D layers" },
        { Head + Layer("Pooling", "pooling_param { stride: 2 }"), "line 2: 'kernel_size' is missing" },
        { Head + Layer("Pooling", "pooling_param { kernel_h: 2 }"), "line 2: 'kernel_w' is missing" },
        { Head + Layer("Convolution", "convolution_param { num_output: 0 kernel_size: 3 }"), "line 2: num_output 0 is out of range (1 to 2^31-1)" },
        { Head + Layer("Convolution", "convolution_param { num_output: 3000000000 kernel_size: 3 }"), "line 2: num_output 3000000000 is out of range (1 to 2^31-1)" },
        { Head + Layer("Convolution", "convolution_param { num_output: many kernel_size: 3 }"), "line 2: num_output must be an integer, got 'many'" },
        { Head + Layer("Convolution", "convolution_param { num_output { } kernel_size: 3 }"), "line 2: num_output must be an integer, got '{ … }'" },
        { Head + Layer("Convolution", "convolution_param { num_output: 4 kernel_size: 3 pad: -1 }"), "line 2: pad -1 is out of range (0 to 2^31-1)" },
        { Head + Layer("ReLU", "relu_param { negative_slope: steep }"), "line 2: negative_slope must be a number, got 'steep'" },
        { Head + Layer("ReLU", "relu_param { negative_slope: Infinity }"), "line 2: negative_slope must be a number, got 'Infinity'" },
        { Head + Layer("Dropout", "dropout_param { dropout_ratio { } }"), "line 2: dropout_ratio must be a number, got '{ … }'" },
        { Head + Layer("InnerProduct", "inner_product_param { num_output: 2 bias_term: maybe }"), "line 2: bias_term must be true or false, got 'maybe'" },
        { "input: \"d\" input_dim: 0 input_dim: 3 input_dim: 8 input_dim: 8", "line 1: input_dim 0 is out of range (1 to 2^31-1)" },
        { "input: \"d\" input_shape { dim: 1 dim: 0 dim: 8 dim: 8 }", "line 1: dim 0 is out of range (1 to 2^31-1)" },
        { Head + Layer("Pooling", "pooling_param { kernel_w: 2 }"), "line 2: 'kernel_h' is missing" },
        { Head + Layer("Pooling", "pooling_param { kernel_h: 0 kernel_w: 2 }"), "line 2: kernel_h 0 is out of range (1 to 2^31-1)" },
        { Head + Layer("Pooling", "pooling_param { kernel_h: 2 kernel_w: 0 }"), "line 2: kernel_w 0 is out of range (1 to 2^31-1)" },
        { Head + Layer("InnerProduct", "inner_product_param { num_output: 2 bias_term { } }"), "line 2: bias_term must be true or false, got '{ … }'" },
        { Head + Layer("ReLU", name: "data"), "line 2: the layer name 'data' is used twice" },
        { Head + Layer("Convolution", "convolution_param { num_output: 4 kernel_size: 1 group: 2 }"), "line 2: layer 'l': its 3 input channels are not divisible by groups 2" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Each_bad_file_names_the_line_and_the_reason(string text, string message)
    {
        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Parse(text, "f"));
        Assert.Equal($"f: {message}", error.Message);
    }

    [Fact]
    public void An_unplaced_network_error_has_no_line()
    {
        // A network error whose layer the importer never placed (none here: the empty name) has no location.
        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Parse(Head + "layer { name: \" \" type: \"ReLU\" bottom: \"data\" top: \"x\" }", "f"));
        Assert.Null(error.Location);
        Assert.Equal("f: a Activation layer has an empty name", error.Message);
    }

    [Fact]
    public void Each_activation_and_its_parameters_are_read()
    {
        var text = Head
            + Layer("ReLU", "relu_param { negative_slope: 0.1 }", top: "leaky", name: "leaky")
            + Layer("ReLU", "relu_param { negative_slope: 0 }", bottom: "leaky", top: "plain", name: "plain")
            + Layer("ReLU6", bottom: "plain", top: "six", name: "six")
            + Layer("PReLU", "prelu_param { channel_shared: true }", bottom: "six", top: "shared", name: "shared")
            + Layer("PReLU", "prelu_param { channel_shared: False }", bottom: "shared", top: "prelu", name: "prelu")
            + Layer("PReLU", bottom: "prelu", top: "prelu2", name: "prelu2")
            + Layer("Sigmoid", bottom: "prelu2", top: "sig", name: "sig")
            + Layer("TanH", bottom: "sig", top: "tanh", name: "tanh")
            + Layer("Dropout", "dropout_param { dropout_ratio: 0.25 }", bottom: "tanh", top: "drop", name: "drop")
            + Layer("Dropout", bottom: "drop", top: "drop2", name: "drop2")
            + Layer("LRN", "lrn_param { local_size: 3 }", bottom: "drop2", top: "lrn", name: "lrn")
            + Layer("LRN", bottom: "lrn", top: "lrn2", name: "lrn2")
            + Layer("Softmax", bottom: "lrn2", top: "sm", name: "sm")
            + Layer("SoftmaxWithLoss", bottom: "sm", top: "loss", name: "loss")
            + Layer("EuclideanLoss", bottom: "sm", top: "e", name: "euclid")
            + Layer("Accuracy", bottom: "sm", top: "acc", name: "acc")
            + Layer("Silence", bottom: "sm", top: "s", name: "silence");
        var imported = CaffeImporter.Parse(text, "dir/acts.prototxt");
        var network = imported.Network;
        ActivationFunction Function(string n) => ((ActivationLayer)network[n]).Function;
        Assert.Equal(ActivationFunction.LeakyReLU, Function("leaky"));
        Assert.Equal(ActivationFunction.ReLU, Function("plain"));
        Assert.Equal(ActivationFunction.ReLU6, Function("six"));
        Assert.True(((ActivationLayer)network["shared"]).SharedSlope);
        Assert.False(((ActivationLayer)network["prelu"]).SharedSlope);
        Assert.False(((ActivationLayer)network["prelu2"]).SharedSlope);
        Assert.Equal(ActivationFunction.Sigmoid, Function("sig"));
        Assert.Equal(ActivationFunction.Tanh, Function("tanh"));
        Assert.Equal(0.25, ((DropoutLayer)network["drop"]).Ratio);
        Assert.Equal(0.5, ((DropoutLayer)network["drop2"]).Ratio);
        Assert.Equal(3, ((LrnLayer)network["lrn"]).LocalSize);
        Assert.Equal(5, ((LrnLayer)network["lrn2"]).LocalSize);
        Assert.IsType<SoftmaxLayer>(network["sm"]);
        Assert.IsType<SoftmaxLayer>(network["loss"]);
        Assert.False(network.Contains("euclid") || network.Contains("acc") || network.Contains("silence"));
        Assert.Equal(new[] { "line 16: training-only EuclideanLoss layer 'euclid' left out" }, imported.Notes);
        Assert.Equal("acts", network.Name);   // no 'name' field: the file's name
        Assert.Equal(1, imported.FileBatch);
    }

    [Fact]
    public void Every_spelling_of_a_boolean_and_of_ceil_rounding_is_read()
    {
        // Caffe's text format takes true, True and 1 for a bool, and an enum by name or number (CEIL = 0).
        var text = Head
            + Layer("PReLU", "prelu_param { channel_shared: True }", top: "a", name: "a")
            + Layer("PReLU", "prelu_param { channel_shared: 1 }", bottom: "a", top: "b", name: "b")
            + Layer("PReLU", "prelu_param { }", bottom: "b", top: "c", name: "c")   // channel_shared defaults to false
            + Layer("Pooling", "pooling_param { kernel_size: 2 stride: 2 round_mode: 0 }", bottom: "c", top: "p", name: "p")
            + Layer("Pooling", "pooling_param { pool: AVE global_pooling: True }", bottom: "p", top: "g", name: "g")
            + Layer("Pooling", "pooling_param { pool: AVE global_pooling: 1 }", bottom: "g", top: "g2", name: "g2");
        var network = CaffeImporter.Parse(text, "f").Network;
        Assert.Equal((true, true, false), (((ActivationLayer)network["a"]).SharedSlope, ((ActivationLayer)network["b"]).SharedSlope, ((ActivationLayer)network["c"]).SharedSlope));
        Assert.Equal(RoundingRule.Ceiling, ((PoolingLayer)network["p"]).Rounding);
        Assert.True(((PoolingLayer)network["g"]).IsGlobal && ((PoolingLayer)network["g2"]).IsGlobal);
    }

    [Fact]
    public void Concat_axis_wins_over_the_old_concat_dim()
    {
        // caffe.proto: "axis" replaces the deprecated concat_dim; given both, Caffe uses axis.
        var network = CaffeImporter.Parse(Head + Layer("Concat", "concat_param { concat_dim: 2 axis: 1 }", bottom: "data\" bottom: \"data", name: "cat"), "f").Network;
        Assert.Equal(new[] { "data", "data" }, network["cat"].Inputs);
    }

    [Fact]
    public void Every_old_style_type_name_is_read()
    {
        // The V1 "layers { type: ENUM }" names, each mapped to its layer (DATA, IMAGE_DATA, MEMORY_DATA in the test below).
        var text = """
            layers { name: "data" type: MEMORY_DATA top: "data" top: "label" memory_data_param { channels: 2 height: 8 width: 8 } }
            layers { name: "split" type: SPLIT bottom: "data" top: "s1" top: "s2" }
            layers { name: "flat" type: FLATTEN bottom: "s2" top: "flat" }
            layers { name: "sig" type: SIGMOID bottom: "s1" top: "sig" }
            layers { name: "tanh" type: TANH bottom: "sig" top: "tanh" }
            layers { name: "drop" type: DROPOUT bottom: "tanh" top: "drop" }
            layers { name: "lrn" type: LRN bottom: "drop" top: "lrn" lrn_param { local_size: 3 } }
            layers { name: "cat" type: CONCAT bottom: "lrn" bottom: "s2" top: "cat" }
            layers { name: "sum" type: ELTWISE bottom: "cat" bottom: "cat" top: "sum" }
            layers { name: "prob" type: SOFTMAX bottom: "sum" top: "prob" }
            layers { name: "loss" type: SOFTMAX_LOSS bottom: "sum" bottom: "label" top: "loss" }
            layers { name: "acc" type: ACCURACY bottom: "prob" bottom: "label" top: "acc" }
            """;
        var network = CaffeImporter.Parse(text, "f").Network;
        Assert.Equal(new[] { "data", "flat", "sig", "tanh", "drop", "lrn", "cat", "sum", "prob", "loss" }, network.Layers.Select(l => l.Name));
        Assert.Equal(Shape.Of(128), CostModel.Analyze(network)["flat"].Output);   // 2·8·8 values in one axis
        Assert.Equal((ActivationFunction.Sigmoid, ActivationFunction.Tanh), (((ActivationLayer)network["sig"]).Function, ((ActivationLayer)network["tanh"]).Function));
        Assert.Equal((LayerKind.Dropout, LayerKind.Lrn, LayerKind.Concat, LayerKind.Add, LayerKind.Softmax, LayerKind.Softmax),
            (network["drop"].Kind, network["lrn"].Kind, network["cat"].Kind, network["sum"].Kind, network["prob"].Kind, network["loss"].Kind));
        Assert.Equal(new[] { "lrn", "data" }, network["cat"].Inputs);   // split only renames "data"
    }

    [Theory]
    [InlineData("DATA")]
    [InlineData("IMAGE_DATA")]
    [InlineData("MEMORY_DATA")]
    public void Each_old_style_data_type_is_a_data_layer(string type)
    {
        var imported = CaffeImporter.Parse($"layers {{ name: \"d\" type: {type} top: \"x\" transform_param {{ crop_size: 6 }} }}", "f");
        Assert.Equal(new Shape(3, 6, 6), imported.Network.Input.Shape);
    }

    [Theory]
    [InlineData("layer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\ninput: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }")]
    [InlineData("input: \"data\"\nlayer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }")]
    [InlineData("input: \"data\"\nlayers { name: \"r\" type: RELU bottom: \"data\" top: \"r\" }\ninput_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8")]
    public void The_net_input_may_be_declared_after_the_layers(string text)
    {
        // Caffe reads the whole NetParameter before building, so the order of its top-level fields does not matter.
        var network = CaffeImporter.Parse(text, "f").Network;
        Assert.Equal(new[] { "data", "r" }, network.Layers.Select(l => l.Name));
        Assert.Equal(new Shape(3, 8, 8), network.Input.Shape);
    }

    [Fact]
    public void Convolution_and_pooling_windows_read_every_form()
    {
        var text = "name: \"windows\"\n" + Head.Replace("dim: 3 dim: 8 dim: 8", "dim: 4 dim: 16 dim: 16", StringComparison.Ordinal)
            + Layer("Convolution", "convolution_param { num_output: 4 kernel_size: 3 kernel_size: 5 stride: 2 pad: 1 group: 2 dilation: 2 bias_term: false }", top: "conv", name: "conv")
            + Layer("Convolution", "convolution_param { num_output: 2 kernel_h: 3 kernel_w: 1 stride_h: 2 pad_w: 1 bias_term: 1 }", bottom: "conv", top: "hw", name: "hw")
            + Layer("Pooling", "pooling_param { pool: 1 kernel_size: 2 stride: 2 round_mode: 1 }", bottom: "hw", top: "avg", name: "avg")
            + Layer("Pooling", "pooling_param { pool: AVE global_pooling: true }", bottom: "avg", top: "gap", name: "gap")
            + Layer("Pooling", "pooling_param { pool: 0 kernel_size: 1 round_mode: CEIL global_pooling: 0 }", bottom: "gap", top: "max", name: "max");
        var imported = CaffeImporter.Parse(text, "w.prototxt");
        var conv = (ConvolutionLayer)imported.Network["conv"];
        Assert.Equal((new Size2(3, 5), new Size2(2, 2), new Size2(1, 1), 2, new Size2(2, 2), false),
            (conv.Kernel, conv.Stride, conv.Pad, conv.Groups, conv.Dilation, conv.HasBias));
        var hw = (ConvolutionLayer)imported.Network["hw"];
        Assert.Equal((new Size2(3, 1), new Size2(2, 1), new Size2(0, 1), true), (hw.Kernel, hw.Stride, hw.Pad, hw.HasBias));
        var avg = (PoolingLayer)imported.Network["avg"];
        Assert.Equal((PoolingMethod.Average, RoundingRule.Floor, false), (avg.Method, avg.Rounding, avg.IsGlobal));
        var gap = (PoolingLayer)imported.Network["gap"];
        Assert.Equal((PoolingMethod.Average, true), (gap.Method, gap.IsGlobal));
        var max = (PoolingLayer)imported.Network["max"];
        Assert.Equal((PoolingMethod.Max, RoundingRule.Ceiling, false), (max.Method, max.Rounding, max.IsGlobal));
        Assert.Equal("windows", imported.Network.Name);
    }

    [Fact]
    public void Split_is_only_a_renaming_flatten_a_reshape_and_concat_and_eltwise_read_every_bottom()
    {
        var text = Head
            + Layer("Split", top: "s1\" top: \"s2", name: "split")
            + Layer("Flatten", bottom: "s2", top: "flat", name: "flatten")
            + Layer("Concat", "concat_param { axis: -3 }", bottom: "s1\" bottom: \"s2", top: "cat", name: "cat")
            + Layer("Concat", "concat_param { concat_dim: 1 }", bottom: "cat\" bottom: \"s1", top: "cat2", name: "cat2")
            + Layer("Eltwise", "eltwise_param { operation: PROD }", bottom: "s1\" bottom: \"s2\" bottom: \"s1", top: "prod", name: "prod")
            + Layer("Eltwise", bottom: "s1\" bottom: \"prod", top: "sum", name: "sum");
        var network = CaffeImporter.Parse(text, "f").Network;
        Assert.False(network.Contains("split"));
        Assert.Equal(LayerKind.Reshape, network["flatten"].Kind);
        Assert.Equal(Shape.Of(192), CostModel.Analyze(network)["flatten"].Output);   // 3·8·8
        Assert.Equal(new[] { "data", "data" }, network["cat"].Inputs);
        Assert.Equal(new[] { "cat", "data" }, network["cat2"].Inputs);
        Assert.Equal(new[] { "data", "data", "data" }, network["prod"].Inputs);
        Assert.Equal(ElementwiseOperation.Product, ((AddLayer)network["prod"]).Operation);
        Assert.Equal(ElementwiseOperation.Sum, ((AddLayer)network["sum"]).Operation);
        Assert.Equal(new Shape(9, 8, 8), CostModel.Analyze(network)["cat2"].Output);
    }

    [Fact]
    public void Layers_outside_the_test_phase_are_left_out()
    {
        var text = Head
            + Layer("ReLU", "include { phase: TRAIN }", top: "a", name: "train_only")
            + Layer("ReLU", "include { phase: TEST }", top: "b", name: "test_only")
            + Layer("ReLU", "exclude { phase: TEST }", top: "c", name: "not_test")
            + Layer("ReLU", "exclude { phase: TRAIN }", top: "d", name: "not_train")
            + Layer("ReLU", "include { }", top: "e", name: "empty_include");
        var network = CaffeImporter.Parse(text, "f").Network;
        Assert.Equal(new[] { "data", "test_only", "not_train", "empty_include" }, network.Layers.Select(l => l.Name));
    }

    [Fact]
    public void Data_layers_take_their_size_from_the_crop_or_the_memory_parameters()
    {
        var memory = CaffeImporter.Parse(
            "layer { name: \"d\" type: \"MemoryData\" top: \"x\" top: \"label\" memory_data_param { channels: 1 height: 5 width: 7 } data_param { batch_size: 16 } }", "f");
        Assert.Equal(new Shape(1, 5, 7), memory.Network.Input.Shape);
        Assert.Equal(16, memory.FileBatch);
        Assert.Equal(new[] { "line 1: data layer 'd' read as 1 channels of 5x7 (Caffe data layers do not state their channels)", "the file's batch of 16 is shown but not used: the analysis's batch decides" }, memory.Notes);

        var cropped = CaffeImporter.Parse(
            "layer { name: \"d\" type: \"ImageData\" top: \"x\" transform_param { crop_size: 9 } memory_data_param { height: 5 width: 7 } }", "f");
        Assert.Equal(new Shape(3, 9, 9), cropped.Network.Input.Shape);
        Assert.Null(cropped.FileBatch);

        var three = CaffeImporter.Parse("input: \"d\" input_dim: 2 input_dim: 6 input_dim: 4", "f");
        Assert.Equal(new Shape(2, 6, 4), three.Network.Input.Shape);
        Assert.Null(three.FileBatch);
        Assert.Empty(three.Notes);
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_a_format_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cnncost-missing-{Guid.NewGuid():N}.prototxt");
        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Read(path));
        Assert.Equal(path, error.File);
        Assert.Null(error.Location);
        Assert.StartsWith("cannot be read: ", error.Reason, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => CaffeImporter.Read(null!));
        Assert.Throws<ArgumentNullException>(() => CaffeImporter.Parse(null!, "f"));
        Assert.Throws<ArgumentNullException>(() => CaffeImporter.Parse("", null!));
    }
}
