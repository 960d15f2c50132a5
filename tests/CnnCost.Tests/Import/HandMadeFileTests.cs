using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>
/// Files the writers never produce, written here by hand (prototxt text; ONNX node by node with raw attributes,
/// never through OnnxWriter), with every expected shape and count derived by hand in a comment.
/// Output extent: floor((in + 2·pad − (dilation·(k−1)+1)) / stride) + 1. Convolution FLOPs: 2 · ch/groups ·
/// filters · kH · kW · outH · outW; max pooling: kH · kW · C · outH · outW; average pooling twice that.
/// </summary>
public class HandMadeFileTests
{
    // ---- Caffe prototxt: dilation ----

    private const string DilatedPrototxt = """
        name: "dilated"
        input: "data"
        input_shape { dim: 1 dim: 3 dim: 32 dim: 32 }
        layer { name: "dilated" type: "Convolution" bottom: "data" top: "dilated"
                convolution_param { num_output: 8 kernel_size: 3 dilation: 2 } }
        layer { name: "dilated_same" type: "Convolution" bottom: "dilated" top: "dilated_same"
                convolution_param { num_output: 8 kernel_size: 3 dilation: 2 pad: 2 bias_term: false } }
        layer { name: "dilated_hw" type: "Convolution" bottom: "dilated_same" top: "dilated_hw"
                convolution_param { num_output: 8 kernel_size: 3 dilation: 1 dilation: 3 bias_term: false } }
        """;

    [Fact]
    public void A_dilated_prototxt_convolution_sees_a_five_wide_window_and_turns_32x32_into_28x28()
    {
        var report = CostModel.Analyze(CaffeImporter.Parse(DilatedPrototxt, "dilated.prototxt").Network);
        // dilated: effective kernel 2*(3-1)+1 = 5; 32 - 5 + 1 = 28. Weights 3*8*3*3 = 216, biases 8.
        Assert.Equal(new Shape(8, 28, 28), report["dilated"].Output);
        Assert.Equal(216, report["dilated"].Weights);
        Assert.Equal(8, report["dilated"].Biases);
        Assert.Equal(338_688, report["dilated"].Flops);        // 2 * 216 * 28 * 28
        // dilated_same: pad 2 around an effective 5x5: 28 + 4 - 5 + 1 = 28. Weights 8*8*9 = 576.
        Assert.Equal(new Shape(8, 28, 28), report["dilated_same"].Output);
        Assert.Equal(576, report["dilated_same"].Parameters);
        Assert.Equal(903_168, report["dilated_same"].Flops);   // 2 * 576 * 28 * 28
        // dilated_hw: dilation 1 along the height (28 - 3 + 1 = 26), 3 along the width (3*2+1 = 7: 28 - 7 + 1 = 22).
        Assert.Equal(new Shape(8, 26, 22), report["dilated_hw"].Output);
        Assert.Equal(658_944, report["dilated_hw"].Flops);     // 2 * 576 * 26 * 22
        Assert.Equal(338_688 + 903_168 + 658_944, report.Totals.Flops);
        Assert.Equal(216 + 8 + 576 + 576, report.Totals.Parameters);
    }

    [Fact]
    public void A_dilation_in_the_old_v1_layers_syntax_is_read_as_well()
    {
        const string text = """
            name: "dilated_v1"
            input: "data"
            input_dim: 1
            input_dim: 3
            input_dim: 32
            input_dim: 32
            layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv"
                     convolution_param { num_output: 8 kernel_size: 3 dilation: 2 } }
            layers { name: "relu" type: RELU bottom: "conv" top: "conv" }
            layers { name: "pool" type: POOLING bottom: "conv" top: "pool" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            """;
        var report = CostModel.Analyze(CaffeImporter.Parse(text, "dilated_v1.prototxt").Network);
        Assert.Equal(new Shape(8, 28, 28), report["conv"].Output);  // 32 - (2*2+1) + 1
        Assert.Equal(338_688, report["conv"].Flops);                // 2 * 3*8*9 * 28*28
        Assert.Equal(new Shape(8, 14, 14), report["pool"].Output);  // ceil((28-2)/2) + 1
        Assert.Equal(338_688 + 6_272, report.Totals.Flops);          // pool: 2*2 * 8*14*14 = 6,272 comparisons
    }

    // ---- ONNX: auto_pad and dilations, one Conv or pooling node per model ----

    private static AttributeProto Text(string name, string value) => OnnxModels.Text(name, value);

    /// <summary>A graph of one node reading a 1 x channels x h x w input called x, with a 6 x 4 x k x k weight when it is a Conv.</summary>
    private static byte[] OneNode(string op, int channels, int h, int w, int k, params AttributeProto[] attributes)
    {
        var graph = OnnxModels.GraphOf(1, channels, h, w);
        var node = new NodeProto { OpType = op, Name = "node" };
        node.Input.Add("x");
        if (op == "Conv")
        {
            var weight = new TensorProto { Name = "w", DataType = 1 };
            weight.Dims.AddRange([6, channels, k, k]);
            graph.Initializer.Add(weight);
            node.Input.Add("w");
        }

        node.Output.Add("y");
        node.Attribute.Add(OnnxModels.Ints("kernel_shape", k, k));
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        return OnnxModels.Bytes(graph);
    }

    private static LayerCost NodeRow(byte[] model) => CostModel.Analyze(OnnxImporter.Parse(model, "hand.onnx").Network)["node"];

    // 4 input channels, 6 filters: a 3x3 kernel has 4*6*9 = 216 weights, a 5x5 one 4*6*25 = 600.
    // SAME: out = ceil(in / stride), total padding (out-1)*stride + dilation*(k-1)+1 - in, even in every case here.
    [Theory]
    [InlineData("SAME_UPPER", 7, 7, 3, 2, 1, 4, 4, 6_912)]    // ceil(7/2) = 4; pads 3*2+3-7 = 2 = 1+1; 2*216*16
    [InlineData("SAME_LOWER", 7, 7, 3, 2, 1, 4, 4, 6_912)]    // the same split, 1+1
    [InlineData("VALID", 7, 7, 3, 2, 1, 3, 3, 3_888)]         // floor((7-3)/2)+1 = 3; 2*216*9
    [InlineData("SAME_UPPER", 7, 7, 3, 1, 1, 7, 7, 21_168)]   // pads 6+3-7 = 2 = 1+1; 2*216*49
    [InlineData("SAME_LOWER", 7, 7, 3, 1, 1, 7, 7, 21_168)]
    [InlineData("VALID", 7, 7, 3, 1, 1, 5, 5, 10_800)]        // 7-3+1 = 5; 2*216*25
    [InlineData("SAME_UPPER", 9, 9, 5, 2, 1, 5, 5, 30_000)]   // ceil(9/2) = 5; pads 4*2+5-9 = 4 = 2+2; 2*600*25
    [InlineData("SAME_LOWER", 7, 9, 3, 2, 1, 4, 5, 8_640)]    // 4x5; pads 3*2+3-7 = 2 and 4*2+3-9 = 2; 2*216*20
    [InlineData("SAME_UPPER", 7, 7, 3, 1, 2, 7, 7, 21_168)]   // dilated extent 5: pads 6+5-7 = 4 = 2+2
    [InlineData("VALID", 11, 11, 3, 2, 2, 4, 4, 6_912)]       // dilated extent 5: floor((11-5)/2)+1 = 4
    public void An_onnx_conv_with_auto_pad_has_the_hand_derived_output_and_flops(string autoPad, int h, int w, int k, int stride, int dilation, int outH, int outW, long flops)
    {
        var row = NodeRow(OneNode("Conv", 4, h, w, k, Text("auto_pad", autoPad), OnnxModels.Ints("strides", stride, stride), OnnxModels.Ints("dilations", dilation, dilation)));
        Assert.Equal(new Shape(6, outH, outW), row.Output);
        Assert.Equal(4L * 6 * k * k, row.Weights);
        Assert.Equal(0, row.Biases);
        Assert.Equal(flops, row.Flops);
    }

    [Fact]
    public void Onnx_dilations_without_padding_turn_32x32_into_28x28_and_with_pads_of_2_keep_32x32()
    {
        var valid = NodeRow(OneNode("Conv", 4, 32, 32, 3, OnnxModels.Ints("dilations", 2, 2)));
        Assert.Equal(new Shape(6, 28, 28), valid.Output);       // 32 - (2*2+1) + 1
        Assert.Equal(338_688, valid.Flops);                     // 2 * 216 * 784
        var padded = NodeRow(OneNode("Conv", 4, 32, 32, 3, OnnxModels.Ints("dilations", 2, 2), OnnxModels.Ints("pads", 2, 2, 2, 2)));
        Assert.Equal(new Shape(6, 32, 32), padded.Output);      // 32 + 4 - 5 + 1
        Assert.Equal(442_368, padded.Flops);                    // 2 * 216 * 1024
        var perAxis = NodeRow(OneNode("Conv", 4, 32, 32, 3, OnnxModels.Ints("dilations", 1, 4)));
        Assert.Equal(new Shape(6, 30, 24), perAxis.Output);     // 32-3+1 = 30; extent 4*2+1 = 9: 32-9+1 = 24
        Assert.Equal(311_040, perAxis.Flops);                   // 2 * 216 * 720
    }

    [Theory]
    [InlineData("MaxPool", "SAME_UPPER", 7, 2, 4, 576)]        // ceil(7/2) = 4, pads 1+1; 9 * 4 * 16
    [InlineData("AveragePool", "VALID", 7, 2, 3, 648)]         // floor((7-3)/2)+1 = 3; 2 * 9 * 4 * 9
    [InlineData("MaxPool", "SAME_LOWER", 9, 1, 9, 2_916)]      // pads 8+3-9 = 2 = 1+1; 9 * 4 * 81
    [InlineData("AveragePool", "SAME_UPPER", 9, 2, 5, 1_800)]  // ceil(9/2) = 5, pads 4*2+3-9 = 2 = 1+1; 2 * 9 * 4 * 25
    public void An_onnx_pool_with_auto_pad_has_the_hand_derived_output_and_operations(string op, string autoPad, int size, int stride, int outSize, long ops)
    {
        var row = NodeRow(OneNode(op, 4, size, size, 3, Text("auto_pad", autoPad), OnnxModels.Ints("strides", stride, stride)));
        Assert.Equal(new Shape(4, outSize, outSize), row.Output);
        Assert.Equal(ops, row.Flops);
    }

    // ---- The importers' own sample files against numbers derived by hand ----

    [Fact]
    public void The_small_onnx_model_costs_what_hand_arithmetic_gives()
    {
        var report = CostModel.Analyze(OnnxImporter.Parse(OnnxModels.Small().ToByteArray(), "small.onnx").Network, new AnalysisOptions { Batch = 3 });
        // conv1  3->8 3x3 pad 1 on 16x16: 216 weights + 8 biases; 2*216*256 = 110,592 FLOPs per item
        // bn1    gamma 8, beta 8
        // conv_a 8->8 1x1: 64 weights; 2*64*256 = 32,768
        // conv_b 8->8 3x3 pad 1: 576 weights; 2*576*256 = 294,912
        // pool   max 3/2 ceil on 16x16x16: ceil(13/2)+1 = 8; 9*16*64 = 9,216
        // conv_c 16->16 1x1 on 8x8: 256 weights; 2*256*64 = 32,768
        // gap    average over 8x8 of 16 channels: 2*64*16 = 2,048
        // fc     16->10: 160 weights + 10 biases; 2*160 = 320
        Assert.Equal(new Shape(16, 8, 8), report["pool"].Output);
        Assert.Equal([110_592L * 3, 32_768L * 3, 294_912L * 3, 9_216L * 3, 32_768L * 3, 2_048L * 3, 320L * 3],
            new[] { "conv1", "conv_a", "conv_b", "pool", "conv_c", "gap", "fc" }.Select(n => report[n].Flops));
        Assert.Equal(3 * 482_624L, report.Totals.Flops);
        Assert.Equal(216 + 8 + 64 + 576 + 256 + 160, report.Totals.Weights);   // 1,280
        Assert.Equal(8 + 8 + 10, report.Totals.Biases);                        // 26
        Assert.Equal(Shape.Of(10), report["prob"].Output);   // Gemm gives a vector, as ONNX writes it
    }

    [Fact]
    public void The_caffe_style_alexnet_file_has_the_published_60_965_224_parameters_and_hand_counted_flops()
    {
        var report = CostModel.Analyze(CaffeImporter.Parse(Prototxt.AlexNetTrainVal, "alexnet.prototxt").Network);
        // Weights: conv1 3*96*121 = 34,848; conv2 48*256*25 = 307,200; conv3 256*384*9 = 884,736; conv4 192*384*9 = 663,552;
        // conv5 192*256*9 = 442,368; fc6 9216*4096 = 37,748,736; fc7 4096*4096 = 16,777,216; fc8 4096*1000 = 4,096,000.
        long weights = 34_848 + 307_200 + 884_736 + 663_552 + 442_368 + 37_748_736 + 16_777_216 + 4_096_000;
        Assert.Equal(60_965_224, report.Totals.Parameters);
        Assert.Equal(weights, report.Totals.Weights);
        // Multiply-adds: conv1 34,848*55*55 = 105,415,200; conv2 307,200*27*27 = 223,948,800; conv3 884,736*169 = 149,520,384;
        // conv4 663,552*169 = 112,140,288; conv5 442,368*169 = 74,760,192; fc 58,621,952.
        long macs = 105_415_200 + 223_948_800 + 149_520_384 + 112_140_288 + 74_760_192 + 58_621_952;
        long poolOps = 9L * 96 * 27 * 27 + 9L * 256 * 13 * 13 + 9L * 256 * 6 * 6;   // 629,856 + 389,376 + 82,944
        Assert.Equal(2 * macs + poolOps, report.Totals.Flops);
        Assert.Equal(1_449_915_808, report.Totals.Flops);
    }

    [Fact]
    public void The_v1_syntax_lenet_file_has_431_080_parameters_and_hand_counted_flops()
    {
        var report = CostModel.Analyze(CaffeImporter.Parse(Prototxt.LeNetV1, "lenet_v1.prototxt").Network);
        // conv1 1*20*25 = 500 (+20) -> 20x24x24; pool -> 12x12; conv2 20*50*25 = 25,000 (+50) -> 50x8x8; pool -> 4x4;
        // ip1 800*500 = 400,000 (+500); ip2 500*10 = 5,000 (+10).
        Assert.Equal(431_080, report.Totals.Parameters);
        Assert.Equal(new Shape(50, 4, 4), report["pool2"].Output);
        // 2*(500*576 + 25,000*64 + 400,000 + 5,000) + 4*20*144 + 4*50*16 = 4,586,000 + 11,520 + 3,200
        Assert.Equal(4_600_720, report.Totals.Flops);
    }
}
