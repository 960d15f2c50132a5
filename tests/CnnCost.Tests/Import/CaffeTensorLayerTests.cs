using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>
/// Each Caffe layer type of modern deploy files (SENet, MobileNet, ShuffleNet, SSD, PSPNet, FCN) in a hand-written
/// prototxt, with its shape and counts derived by hand in the test.
/// </summary>
public class CaffeTensorLayerTests
{
    // Line 1: a 4x5x5 input blob "data" (batch 1).
    private const string Head = "input: \"data\" input_shape { dim: 1 dim: 4 dim: 5 dim: 5 }\n";

    private static readonly AnalysisOptions Elementwise = new() { Conventions = Conventions.Caffe with { CountElementwiseOps = true } };

    private static string Layer(string type, string body = "", string bottom = "data", string top = "out", string name = "l") =>
        $"layer {{ name: \"{name}\" type: \"{type}\" bottom: \"{bottom}\" top: \"{top}\" {body} }}\n";

    private static CostReport Analyze(string text, string? head = null) =>
        CostModel.Analyze(CaffeImporter.Parse((head ?? Head) + text, "f").Network, Elementwise);

    [Fact]
    public void Deconvolution_scatters_each_input_position()
    {
        var report = Analyze(Layer("Deconvolution", "convolution_param { num_output: 6 kernel_size: 4 stride: 2 pad: 1 group: 2 }"));
        var row = report["l"];
        // Caffe: out = stride·(in − 1) + kernel − 2·pad = 2·4 + 4 − 2 = 10.
        Assert.Equal(new Shape(6, 10, 10), row.Output);
        // weights = in·(out/groups)·k·k = 4·3·16 = 192; FLOPs = 2·192·5·5 = 9600; one bias per output channel.
        Assert.Equal((192L, 6L, 9600L), (row.Weights, row.Biases, row.Flops));
        Assert.Equal(LayerKind.Deconvolution, row.Kind);
    }

    [Fact]
    public void Both_depthwise_spellings_take_one_group_per_input_channel()
    {
        var report = Analyze(Layer("ConvolutionDepthwise", "convolution_param { num_output: 4 kernel_size: 3 pad: 1 bias_term: false }", top: "dw", name: "dw")
            + Layer("DepthwiseConvolution", "convolution_param { num_output: 8 kernel_size: 3 pad: 1 group: 4 }", bottom: "dw", top: "dw2", name: "dw2"));
        // 1 channel per filter: 4 filters · 3·3 = 36 weights; FLOPs 2·36·5·5 = 1800.
        Assert.Equal((new Shape(4, 5, 5), 36L, 0L, 1800L), (report["dw"].Output, report["dw"].Weights, report["dw"].Biases, report["dw"].Flops));
        // A channel multiplier of 2: 8 filters · 3·3 = 72 weights, 8 biases; FLOPs 2·72·25 = 3600.
        Assert.Equal((new Shape(8, 5, 5), 72L, 8L, 3600L), (report["dw2"].Output, report["dw2"].Weights, report["dw2"].Biases, report["dw2"].Flops));
        Assert.Equal(4, ((ConvolutionLayer)CaffeImporter.Parse(Head + Layer("ConvolutionDepthwise", "convolution_param { num_output: 4 kernel_size: 3 group: 1 }"), "f").Network["l"]).Groups);
    }

    [Fact]
    public void Axpy_is_a_broadcast_product_and_a_sum()
    {
        var text = Layer("Pooling", "pooling_param { pool: AVE global_pooling: true }", top: "gap", name: "gap")
            + Layer("Sigmoid", bottom: "gap", top: "gate", name: "gate")
            + "layer { name: \"axpy\" type: \"Axpy\" bottom: \"gate\" bottom: \"data\" bottom: \"data\" top: \"out\" }\n";
        var report = Analyze(text);
        // gate (4x1x1) times data (4x5x5): 100 products; plus data: 100 additions. No weights.
        Assert.Equal((new Shape(4, 5, 5), 100L, 0L), (report["axpy/scale"].Output, report["axpy/scale"].Flops, report["axpy/scale"].Weights));
        Assert.Equal((new Shape(4, 5, 5), 100L), (report["axpy"].Output, report["axpy"].Flops));
        var network = CaffeImporter.Parse(Head + text, "f").Network;
        Assert.Equal(new[] { "data", "gate" }, network["axpy/scale"].Inputs);
        Assert.Equal(new[] { "axpy/scale", "data" }, network["axpy"].Inputs);
    }

    [Fact]
    public void Axpy_reads_a_flat_factor_per_channel_through_a_reshape()
    {
        var text = Layer("Pooling", "pooling_param { pool: AVE global_pooling: true }", top: "gap", name: "gap")
            + Layer("Flatten", bottom: "gap", top: "flat", name: "flat")
            + "layer { name: \"axpy\" type: \"Axpy\" bottom: \"flat\" bottom: \"data\" bottom: \"data\" top: \"out\" }\n";
        var report = Analyze(text);
        // The flat factor (4) becomes 4x1x1 so that it meets the channels, not the width.
        Assert.Equal(new Shape(4, 1, 1), report["axpy/broadcast"].Output);
        Assert.Equal((100L, 100L), (report["axpy/scale"].Flops, report["axpy"].Flops));
    }

    [Fact]
    public void A_two_bottom_scale_multiplies_by_an_activation_aligned_at_axis_0()
    {
        var text = Layer("Pooling", "pooling_param { pool: AVE global_pooling: true }", top: "gap", name: "gap")
            + Layer("Flatten", bottom: "gap", top: "flat", name: "flat")
            + "layer { name: \"excite\" type: \"Scale\" bottom: \"data\" bottom: \"flat\" top: \"out\" scale_param { axis: 0 } }\n";
        var report = Analyze(text);
        // flat (N x 4) meets data (N x 4 x 5 x 5) at axis 0: one factor per channel, 100 products, no weights.
        Assert.Equal((new Shape(4, 5, 5), 100L, 0L), (report["excite"].Output, report["excite"].Flops, report["excite"].Weights));
        Assert.Equal(new Shape(4, 1, 1), report["excite/broadcast"].Output);
    }

    [Fact]
    public void A_scale_alone_learns_a_factor_per_channel_and_a_bias_when_asked()
    {
        var report = Analyze(Layer("Scale", "scale_param { bias_term: true }"));
        // 4 factors (100 products) then 4 shifts (100 additions).
        Assert.Equal((4L, 100L), (report["l/scale"].Weights, report["l/scale"].Flops));
        Assert.Equal((4L, 100L, new Shape(4, 5, 5)), (report["l"].Weights, report["l"].Flops, report["l"].Output));
        // num_axes: 2 learns one factor per channel and row: 4·5 = 20.
        Assert.Equal(20L, Analyze(Layer("Scale", "scale_param { num_axes: 2 }"))["l"].Weights);
        // After a BatchNorm it is still batch norm's γ and β (counted by the BatchNorm).
        var folded = Analyze(Layer("BatchNorm", top: "bn", name: "bn") + Layer("Scale", "scale_param { bias_term: true }", bottom: "bn", top: "bn", name: "sc"));
        Assert.Equal((4L, 4L), (folded.Totals.Weights, folded.Totals.Biases));
    }

    [Fact]
    public void ShuffleChannel_is_a_reshape_a_transpose_and_a_reshape_of_no_cost()
    {
        var network = CaffeImporter.Parse("input: \"data\" input_shape { dim: 1 dim: 6 dim: 2 dim: 2 }\n"
            + Layer("ShuffleChannel", "shuffle_channel_param { group: 3 }", name: "shuffle"), "f").Network;
        var report = CostModel.Analyze(network, Elementwise);
        // 6 channels in 3 groups: 3x2x2x2, transposed to 2x3x2x2, back to 6x2x2.
        Assert.Equal(Shape.Of(3, 2, 2, 2), report["shuffle/split"].Output);
        Assert.Equal(Shape.Of(2, 3, 2, 2), report["shuffle/transpose"].Output);
        Assert.Equal(new Shape(6, 2, 2), report["shuffle"].Output);
        Assert.Equal(new[] { 1, 0, 2, 3 }, ((TransposeLayer)network["shuffle/transpose"]).Permutation);
        Assert.Equal((0L, 0L), (report.Totals.Flops, report.Totals.Weights));
    }

    [Fact]
    public void Slice_cuts_at_its_points_or_into_equal_parts()
    {
        const string six = "input: \"data\" input_shape { dim: 1 dim: 6 dim: 2 dim: 2 }\n";
        var report = Analyze("layer { name: \"s\" type: \"Slice\" bottom: \"data\" top: \"a\" top: \"b\" top: \"c\" slice_param { slice_point: 1 slice_point: 4 } }\n"
            + Layer("Concat", bottom: "c\" bottom: \"a", top: "ca", name: "ca"), six);
        // Channels [0,1), [1,4), [4,6).
        Assert.Equal((new Shape(1, 2, 2), new Shape(3, 2, 2), new Shape(2, 2, 2)), (report["s"].Output, report["s:1"].Output, report["s:2"].Output));
        Assert.Equal(new Shape(3, 2, 2), report["ca"].Output);
        Assert.Equal(0L, report.Totals.Flops);
        var equal = Analyze("layer { name: \"s\" type: \"Slice\" bottom: \"data\" top: \"a\" top: \"b\" top: \"c\" }\n", six);
        Assert.Equal(new Shape(2, 2, 2), equal["s:2"].Output);
        // Along the height (axis 2): rows [0,1) and [1,2).
        var rows = Analyze("layer { name: \"s\" type: \"Slice\" bottom: \"data\" top: \"a\" top: \"b\" slice_param { axis: 2 slice_point: 1 } }\n", six);
        Assert.Equal(new Shape(6, 1, 2), rows["s:1"].Output);
    }

    [Fact]
    public void Reshape_copies_on_0_infers_minus_1_and_a_no_op_reshape_costs_nothing()
    {
        const string six = "input: \"data\" input_shape { dim: 1 dim: 6 dim: 2 dim: 2 }\n";
        // 24 values: 0 keeps the batch, -1 = 24 / 4 = 6.
        Assert.Equal(Shape.Of(6, 4), Analyze(Layer("Reshape", "reshape_param { shape { dim: 0 dim: -1 dim: 4 } }"), six)["l"].Output);
        var noOp = Analyze(Layer("Reshape", "reshape_param { shape { dim: 0 dim: 0 dim: 0 dim: 0 } }"), six)["l"];
        Assert.Equal((new Shape(6, 2, 2), 0L, 0L), (noOp.Output, noOp.Flops, noOp.Weights));
        // axis 1, num_axes 1: the channels alone become 2x3.
        Assert.Equal(Shape.Of(2, 3, 2, 2), Analyze(Layer("Reshape", "reshape_param { shape { dim: 2 dim: 3 } axis: 1 num_axes: 1 }"), six)["l"].Output);
        // A literal batch equal to the file's is the batch; -1 first when the rest holds one item is the batch too.
        Assert.Equal(Shape.Of(24), Analyze(Layer("Reshape", "reshape_param { shape { dim: 1 dim: 24 } }"), six)["l"].Output);
        Assert.Equal(Shape.Of(12, 2), Analyze(Layer("Reshape", "reshape_param { shape { dim: -1 dim: 12 dim: 2 } }"), six)["l"].Output);
    }

    [Fact]
    public void Flatten_joins_the_axes_from_axis_to_end_axis()
    {
        const string six = "input: \"data\" input_shape { dim: 1 dim: 6 dim: 2 dim: 3 }\n";
        Assert.Equal(Shape.Of(36), Analyze(Layer("Flatten"), six)["l"].Output);                              // 6·2·3
        Assert.Equal(Shape.Of(6, 6), Analyze(Layer("Flatten", "flatten_param { axis: 2 }"), six)["l"].Output);  // 6 x 2·3
        Assert.Equal(Shape.Of(12, 3), Analyze(Layer("Flatten", "flatten_param { end_axis: 2 }"), six)["l"].Output); // 6·2 x 3
    }

    [Fact]
    public void Permute_moves_the_channels_last()
    {
        var report = Analyze(Layer("Permute", "permute_param { order: 0 order: 2 order: 3 order: 1 }"),
            "input: \"data\" input_shape { dim: 1 dim: 6 dim: 2 dim: 3 }\n");
        Assert.Equal((Shape.Of(2, 3, 6), 0L), (report["l"].Output, report["l"].Flops));
        // Axes left out follow in order: order 0 2 is 0 2 1 3.
        Assert.Equal(Shape.Of(2, 6, 3), Analyze(Layer("Permute", "permute_param { order: 0 order: 2 }"), "input: \"data\" input_shape { dim: 1 dim: 6 dim: 2 dim: 3 }\n")["l"].Output);
    }

    [Fact]
    public void Power_is_one_element_wise_operation_per_step_that_is_not_the_identity()
    {
        // scale, shift and power each differ from the identity: 3 operations on each of 100 values.
        var report = Analyze(Layer("Power", "power_param { power: 2 scale: 0.5 shift: 1 }"));
        Assert.Equal(300L, report.Totals.Flops);
        Assert.Equal(new Shape(4, 5, 5), report["l"].Output);
        Assert.Equal(ElementwiseOperation.Power, ((ElementwiseLayer)CaffeImporter.Parse(Head + Layer("Power", "power_param { power: 3 }"), "f").Network["l"]).Operation);
        // Only a shift: 100 additions; all identities: a copy of no cost.
        Assert.Equal(100L, Analyze(Layer("Power", "power_param { shift: -1 }")).Totals.Flops);
        Assert.Equal(0L, Analyze(Layer("Power")).Totals.Flops);
    }

    [Fact]
    public void ReLU6_and_Swish_are_activations()
    {
        var report = Analyze(Layer("ReLU6", top: "r", name: "r") + Layer("Swish", "swish_param { beta: 1 }", bottom: "r", top: "s", name: "s"));
        Assert.Equal((ActivationFunction.ReLU6, ActivationFunction.SiLU),
            (((ActivationLayer)CaffeImporter.Parse(Head + Layer("ReLU6", top: "r", name: "r") + Layer("Swish", bottom: "r", top: "s", name: "s"), "f").Network["r"]).Function,
             ((ActivationLayer)CaffeImporter.Parse(Head + Layer("Swish"), "f").Network["l"]).Function));
        Assert.Equal((100L, 100L), (report["r"].Flops, report["s"].Flops));   // one operation per value each
    }

    [Theory]
    [InlineData("zoom_factor: 2", 9, 9)]                        // 5 + (5 − 1)·(2 − 1)
    [InlineData("shrink_factor: 2", 3, 3)]                      // (5 − 1)/2 + 1
    [InlineData("height: 7 width: 9", 7, 9)]
    [InlineData("shrink_factor: 2 zoom_factor: 3", 7, 7)]      // 3, then 3 + 2·2
    [InlineData("zoom_factor: 2 pad_end: -1", 7, 7)]            // 4, then 4 + 3
    [InlineData("zoom_factor: 2 height: 7 width: 9", 9, 9)]     // one factor alone wins over the size
    public void Interp_follows_pspnet_rules(string parameters, int height, int width)
    {
        var row = Analyze(Layer("Interp", $"interp_param {{ {parameters} }}"))["l"];
        Assert.Equal(new Shape(4, height, width), row.Output);
        Assert.Equal(4L * height * width, row.Flops);   // bilinear: one operation per output value
    }

    [Fact]
    public void Upsample_copies_nearest_values()
    {
        var scaled = Analyze(Layer("Upsample", "upsample_param { scale: 2 }"))["l"];
        Assert.Equal((new Shape(4, 10, 10), 0L), (scaled.Output, scaled.Flops));
        Assert.Equal(new Shape(4, 11, 9), Analyze(Layer("Upsample", "upsample_param { upsample_h: 11 upsample_w: 9 }"))["l"].Output);
    }

    [Fact]
    public void Crop_takes_the_reference_shape_at_the_offsets()
    {
        // conv: 4x5x5 → 2x3x3 (kernel 3, no pad); the crop keeps data's 4 channels and conv's 3x3, from (1, 2).
        var text = Layer("Convolution", "convolution_param { num_output: 2 kernel_size: 3 }", top: "conv", name: "conv")
            + "layer { name: \"crop\" type: \"Crop\" bottom: \"data\" bottom: \"conv\" top: \"crop\" crop_param { axis: 2 offset: 1 offset: 2 } }\n";
        var network = CaffeImporter.Parse(Head + text, "f").Network;
        Assert.Equal(new Shape(4, 3, 3), CostModel.Analyze(network)["crop"].Output);
        Assert.Equal(new[] { new SliceRange(1, 1, 4), new SliceRange(2, 2, 5) }, ((SliceLayer)network["crop"]).Ranges);
        Assert.Equal(0L, CostModel.Analyze(network, Elementwise)["crop"].Flops);
    }

    [Fact]
    public void Normalize_is_an_l2_norm_a_division_and_a_learned_scale()
    {
        var ssd = Analyze(Layer("Normalize", "norm_param { across_spatial: false channel_shared: false scale_filler { type: \"constant\" value: 20 } }"));
        // 100 values: the L2 norm reads each (2 operations), the division and the scale touch each once: 400.
        Assert.Equal(400L, ssd.Totals.Flops);
        Assert.Equal((4L, Shape.Of(1, 5, 5)), (ssd.Totals.Weights, ssd["l/norm"].Output));   // one scale per channel; a norm per position
        var shared = Analyze(Layer("Normalize"));
        Assert.Equal((1L, Shape.Of(1, 1, 1)), (shared.Totals.Weights, shared["l/norm"].Output)); // Caffe's defaults: across_spatial, channel_shared
    }

    [Theory]
    [InlineData("min_size: 4 max_size: 8 aspect_ratio: 2 aspect_ratio: 3", 6)]                 // ratios 1, 2, 1/2, 3, 1/3 and one max: 5 + 1
    [InlineData("min_size: 4 max_size: 8 aspect_ratio: 2 aspect_ratio: 2 flip: false", 3)]     // ratios 1, 2 (once), no inverse: 2 + 1
    [InlineData("min_size: 4 min_size: 6 aspect_ratio: 1", 2)]                                  // ratio 1 only, two min sizes
    public void PriorBox_is_two_rows_of_four_values_per_prior_per_position(string parameters, int priors)
    {
        var text = Layer("Convolution", "convolution_param { num_output: 2 kernel_size: 3 }", top: "feat", name: "feat")
            + $"layer {{ name: \"prior\" type: \"PriorBox\" bottom: \"feat\" bottom: \"data\" top: \"prior\" prior_box_param {{ {parameters} clip: false }} }}\n";
        var row = Analyze(text)["prior"];
        // feat is 3x3: 1 x 2 x (3·3·priors·4).
        Assert.Equal((Shape.Of(2, 3 * 3 * priors * 4), 0L, 0L), (row.Output, row.Weights, row.Flops));
    }

    [Fact]
    public void DetectionOutput_is_keep_top_k_rows_of_seven_values_at_no_cost()
    {
        var text = Layer("Flatten", top: "loc", name: "loc") + Layer("Flatten", top: "conf", name: "conf")
            + Layer("PriorBox", "prior_box_param { min_size: 2 }", top: "prior", name: "prior")
            + "layer { name: \"det\" type: \"DetectionOutput\" bottom: \"loc\" bottom: \"conf\" bottom: \"prior\" top: \"det\"\n"
            + "  detection_output_param { num_classes: 2 nms_param { nms_threshold: 0.45 top_k: 400 } keep_top_k: 50 } }\n";
        var imported = CaffeImporter.Parse(Head + text, "f");
        var report = CostModel.Analyze(imported.Network, Elementwise);
        Assert.Equal((Shape.Of(1, 50, 7), 0L, 0L), (report["det"].Output, report["det"].Flops, report["det"].Weights));
        Assert.Equal(new[] { "loc", "conf", "prior" }, imported.Network["det"].Inputs);
        Assert.Contains(imported.Notes, n => n.Contains("DetectionOutput layer 'det'", StringComparison.Ordinal));
        Assert.Empty(imported.Skipped);
    }

    [Fact]
    public void Skip_unsupported_passes_an_in_place_layer_and_lists_it()
    {
        var text = Layer("Convolution", "convolution_param { num_output: 2 kernel_size: 1 }", top: "conv", name: "conv")
            + Layer("Threshold", "threshold_param { threshold: 0.5 }", bottom: "conv", top: "conv", name: "thr")
            + Layer("Convolution", "convolution_param { num_output: 3 kernel_size: 1 }", bottom: "conv", top: "conv2", name: "conv2");
        var imported = CaffeImporter.Parse(Head + text, "f.prototxt", new CaffeImportOptions(SkipUnsupported: true));
        Assert.Equal(new SkippedNode("thr", "Threshold", "type Threshold is not supported"), Assert.Single(imported.Skipped));
        Assert.Contains(imported.Notes, n => n.StartsWith("line 3: layer 'thr' has type Threshold", StringComparison.Ordinal));
        var report = CostModel.Analyze(imported.Network);
        Assert.Equal((new Shape(2, 5, 5), 0L, LayerKind.Skipped), (report["thr"].Output, report["thr"].Flops, report["thr"].Kind));
        Assert.Equal(new[] { "thr" }, imported.Network["conv2"].Inputs);
        // conv: 4·2 weights + 2 biases; conv2: 2·3 + 3.
        Assert.Equal(8L + 2 + 6 + 3, report.Totals.Weights + report.Totals.Biases);

        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Parse(Head + text, "f.prototxt"));
        Assert.Equal("f.prototxt: line 3: layer 'thr' has type Threshold, which CnnCost does not model", error.Message);
    }

    [Fact]
    public void Skip_unsupported_refuses_a_layer_whose_shape_is_unknown()
    {
        var text = Layer("ArgMax", "argmax_param { top_k: 1 }", top: "am", name: "am");
        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Parse(Head + text, "f.prototxt", new CaffeImportOptions(SkipUnsupported: true)));
        Assert.Equal("f.prototxt: line 2: layer 'am' has type ArgMax, which CnnCost does not model; it is not in place (one top equal to its one bottom), so its output shape is unknown and it cannot be skipped", error.Message);
    }

    public static TheoryData<string, string> BadAttributes => new()
    {
        { "layer { name: \"s\" type: \"Slice\" bottom: \"data\" top: \"a\" top: \"b\"\n slice_param { slice_point: -2 } }", "line 3: Slice layer 's': slice_point -2 is out of range (1 to 2^31-1)" },
        { "layer { name: \"s\" type: \"Slice\" bottom: \"data\" top: \"a\" top: \"b\"\n slice_param { slice_point: 4 } }", "line 3: Slice layer 's': slice_point 4 must be above the previous cut (0) and below axis 1's extent 4" },
        { "layer { name: \"s\" type: \"Slice\" bottom: \"data\" top: \"a\" top: \"b\" top: \"c\"\n slice_param { slice_point: 1 } }", "line 3: Slice layer 's' has 1 slice_point values for 3 tops; it needs 2" },
        { "layer { name: \"s\" type: \"Slice\" bottom: \"data\" top: \"a\" top: \"b\" top: \"c\" }", "line 2: Slice layer 's' gives no slice_point, and its 3 tops do not divide axis 1's extent 4 equally" },
        { Layer("Interp", "interp_param {\n zoom_factor: 0 }"), "line 3: Interp layer 'l': zoom_factor 0 is out of range (1 to 2^31-1)" },
        { Layer("Interp", "interp_param {\n pad_beg: 1 zoom_factor: 2 }"), "line 3: Interp layer 'l': pad_beg 1 must not be positive (Caffe's Interp only crops)" },
        { Layer("Interp", "interp_param { height: 3 }"), "line 2: Interp layer 'l' needs zoom_factor, shrink_factor, or both height and width" },
        { Layer("ShuffleChannel", "shuffle_channel_param {\n group: 3 }"), "line 3: ShuffleChannel layer 'l': group 3 does not divide its 4 channels" },
        { Layer("ShuffleChannel", "shuffle_channel_param { group: 0 }"), "line 2: ShuffleChannel layer 'l': group 0 is out of range (1 to 2^31-1)" },
        { "layer { name: \"c\" type: \"Crop\" bottom: \"data\" bottom: \"data\" top: \"c\"\n crop_param { axis: 1 offset: 0 offset: 0 } }", "line 3: Crop layer 'c' has 2 offsets; it crops 3 axes (from axis 1), so it needs 0, 1 or 3" },
        { Layer("Pooling", "pooling_param { pool: MAX kernel_size: 2 stride: 2 }", top: "p", name: "p") + "layer { name: \"c\" type: \"Crop\" bottom: \"data\" bottom: \"p\" top: \"c\"\n crop_param { offset: 3 } }", "line 4: Crop layer 'c': offset 3 plus the reference's 3 exceeds axis 2's extent 5" },
        { Layer("Permute", "permute_param { order: 1 order: 0 }"), "line 2: Permute layer 'l' moves the batch axis (order starts with 1); CnnCost models each item on its own" },
        { Layer("Permute", "permute_param { order: 0 order: 4 }"), "line 2: Permute layer 'l': order 4 is outside its 4-axis bottom (N x 4x5x5)" },
        { Layer("Reshape", "reshape_param { shape { dim: 2 dim: -1 } }"), "line 2: Reshape layer 'l' changes the batch axis (first dim 2); CnnCost models each item on its own (use dim: 0 to keep it)" },
        { Layer("Reshape", "reshape_param { shape { dim: 0 dim: 7 } }"), "line 2: layer 'l': its input 4x5x5 holds 100 values, but its target [7] holds 7" },
        { Layer("Reshape", "reshape_param { shape { dim: 0 dim: -3 } }"), "line 2: Reshape layer 'l': dim -3 is out of range (-1 to 2^31-1)" },
        { Layer("Scale", "scale_param { axis: 0 }"), "line 2: Scale layer 'l': axis 0 would scale the batch; CnnCost models each item on its own" },
        { "layer { name: \"sc\" type: \"Scale\" bottom: \"data\" bottom: \"data\" top: \"o\" }", "line 2: Scale layer 'sc' aligns its scale blob (N x 4x5x5) at axis 1, which puts the scale's batch on a data axis; CnnCost models a two-bottom Scale with axis 0" },
        { Layer("Pooling", "pooling_param { pool: MAX kernel_size: 2 stride: 2 }", top: "p", name: "p") + "layer { name: \"sc\" type: \"Scale\" bottom: \"data\" bottom: \"p\" top: \"o\" scale_param { axis: 0 } }", "line 3: Scale layer 'sc': its scale blob N x 4x3x3 does not match the leading axes of its input N x 4x5x5" },
        { "layer { name: \"a\" type: \"Axpy\" bottom: \"data\" bottom: \"data\" bottom: \"data\" top: \"o\" }", "line 2: Axpy layer 'a': its first bottom N x 4x5x5 is not one factor per channel of its input N x 4x5x5" },
        { Layer("PriorBox", "prior_box_param { max_size: 4 }"), "line 2: PriorBox layer 'l' needs at least one min_size" },
        { Layer("PriorBox", "prior_box_param { min_size: 4\n max_size: 2 }"), "line 3: PriorBox layer 'l': max_size 2 must exceed min_size 4" },
        { Layer("PriorBox", "prior_box_param { min_size: 4\n aspect_ratio: 0 }"), "line 3: PriorBox layer 'l': aspect_ratio must be a positive number, got '0'" },
        { "layer { name: \"d\" type: \"DetectionOutput\" bottom: \"data\" bottom: \"data\" bottom: \"data\" top: \"o\" detection_output_param { num_classes: 2 } }", "line 2: DetectionOutput layer 'd' needs keep_top_k of at least 1: without it, its output size depends on the data" },
        { "layer { name: \"d\" type: \"DetectionOutput\" bottom: \"data\" bottom: \"data\" top: \"o\" detection_output_param { keep_top_k: 5 } }", "line 2: layer 'd' (DetectionOutput) needs 3 bottom blob(s), has 2" },
        { Layer("Deconvolution", "convolution_param { num_output: 4 kernel_size: 0 }"), "line 2: Deconvolution layer 'l': kernel_size 0 is out of range (1 to 2^31-1)" },
        { Layer("Softmax", "softmax_param { axis: 0 }"), "line 2: layer 'l': axis 0 is the batch axis; CnnCost models each item on its own" },
    };

    [Theory]
    [MemberData(nameof(BadAttributes))]
    public void Each_bad_attribute_names_the_file_line_and_layer(string layers, string message)
    {
        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Parse(Head + layers, "bad.prototxt"));
        Assert.Equal($"bad.prototxt: {message}", error.Message);
    }

    [Fact]
    public void The_readme_lists_every_layer_type_the_importer_reads()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "README.md")))
        {
            folder = Path.GetDirectoryName(folder)!;
        }

        var readme = File.ReadAllText(Path.Combine(folder, "README.md"));
        var start = readme.IndexOf("- Caffe: ", StringComparison.Ordinal);
        var bullet = readme[start..readme.IndexOf("\n- ONNX", start, StringComparison.Ordinal)];
        var words = System.Text.RegularExpressions.Regex.Matches(bullet, "[A-Za-z0-9]+").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var missing = CaffeImporter.SupportedTypes.Except(words).ToArray();
        Assert.True(missing.Length == 0, $"the README's Caffe list lacks {string.Join(", ", missing)}");
    }
}
