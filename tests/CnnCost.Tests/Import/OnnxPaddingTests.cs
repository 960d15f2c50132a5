using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>
/// ONNX padding that Caffe and PyTorch never write: begin and end pads that differ, and <c>auto_pad</c> SAME with a
/// stride on an even size (TensorFlow's exports). Each file is written here node by node, not by CnnCost's writer.
/// </summary>
public class OnnxPaddingTests
{
    /// <summary>A model of one node reading <c>x</c> (batch x channels x height x width) and, for Conv, the weights <c>w</c>.</summary>
    private static byte[] OneNode(string op, long[] input, long[]? weights, params AttributeProto[] attributes)
    {
        var graph = OnnxModels.GraphOf(input);
        var inputs = new List<string> { "x" };
        if (weights is not null)
        {
            graph.Initializer.Add(OnnxModels.Initializer("w", weights, withData: false));
            inputs.Add("w");
        }

        graph.Node.Add(OnnxModels.Node(op, "node", [.. inputs], ["y"], attributes));
        return OnnxModels.Bytes(graph);
    }

    private static AttributeProto AutoPad(string mode) => OnnxModels.Text("auto_pad", mode);

    private static LayerCost Row(byte[] bytes) =>
        CostModel.Analyze(OnnxImporter.Parse(bytes, "pads.onnx").Network)["node"];

    [Fact]
    public void Uneven_explicit_pads_are_modelled_not_refused()
    {
        // pads [top, left, bottom, right] = [0, 1, 1, 2] on 2x5x6, 4 filters of 3x3, stride 1:
        // height (5 + 0 + 1 − 3) + 1 = 4, width (6 + 1 + 2 − 3) + 1 = 7; FLOPs 2·(2·4·3·3)·4·7 = 4032.
        var row = Row(OneNode("Conv", [1, 2, 5, 6], [4, 2, 3, 3], OnnxModels.Ints("pads", 0, 1, 1, 2)));
        Assert.Equal(new Shape(4, 4, 7), row.Output);
        Assert.Equal(72, row.Weights);
        Assert.Equal(4_032, row.Flops);
    }

    [Theory]
    // 3x3 stride 2 on 8x8: out ceil(8/2) = 4, total pad (4−1)·2 + 3 − 8 = 1, one side gets 0 and the other 1.
    [InlineData("SAME_UPPER", 8, 2, 4)]
    [InlineData("SAME_LOWER", 8, 2, 4)]
    // 3x3 stride 2 on 7x7: total (4−1)·2 + 3 − 7 = 2, one on each side; out 4.
    [InlineData("SAME_UPPER", 7, 2, 4)]
    // VALID: (7 − 3)/2 + 1 = 3.
    [InlineData("VALID", 7, 2, 3)]
    // Stride 1 keeps the size: total 2.
    [InlineData("SAME_LOWER", 6, 1, 6)]
    public void Auto_pad_gives_the_output_size_onnx_defines(string mode, int size, int stride, int expected)
    {
        var row = Row(OneNode("Conv", [1, 1, size, size], [2, 1, 3, 3], AutoPad(mode), OnnxModels.Ints("strides", stride, stride)));
        Assert.Equal(new Shape(2, expected, expected), row.Output);
        Assert.Equal(2L * 9 * 2 * expected * expected, row.Flops); // 2 · (1·2·3·3) · out²
    }

    [Fact]
    public void Same_upper_and_same_lower_put_the_odd_pad_on_opposite_sides()
    {
        var upper = OnnxImporter.Parse(OneNode("Conv", [1, 1, 8, 8], [1, 1, 3, 3], AutoPad("SAME_UPPER"), OnnxModels.Ints("strides", 2, 2)), "u.onnx");
        var lower = OnnxImporter.Parse(OneNode("Conv", [1, 1, 8, 8], [1, 1, 3, 3], AutoPad("SAME_LOWER"), OnnxModels.Ints("strides", 2, 2)), "l.onnx");
        Assert.Equal(new Padding(0, 1), ((ConvolutionLayer)upper.Network["node"]).Padding);
        Assert.Equal(new Padding(1, 0), ((ConvolutionLayer)lower.Network["node"]).Padding);
    }

    [Fact]
    public void A_ceil_mode_pool_with_uneven_pads_drops_a_last_window_that_starts_past_the_input()
    {
        // 2x2 stride 2 on 6x6 with pads [0, 0, 1, 1]: ceil((6 + 1 − 2)/2) + 1 = 4, but the 4th window starts at 6,
        // past the input: 3. With the pads before the input, the 4th window starts at 5: 4.
        var after = Row(OneNode("MaxPool", [1, 3, 6, 6], null, OnnxModels.Ints("kernel_shape", 2, 2), OnnxModels.Ints("strides", 2, 2),
            OnnxModels.Ints("pads", 0, 0, 1, 1), OnnxModels.Int("ceil_mode", 1)));
        var before = Row(OneNode("MaxPool", [1, 3, 6, 6], null, OnnxModels.Ints("kernel_shape", 2, 2), OnnxModels.Ints("strides", 2, 2),
            OnnxModels.Ints("pads", 1, 1, 0, 0), OnnxModels.Int("ceil_mode", 1)));
        Assert.Equal(new Shape(3, 3, 3), after.Output);
        Assert.Equal(new Shape(3, 4, 4), before.Output);
        Assert.Equal(2L * 2 * 3 * 3 * 3, after.Flops); // one comparison per window element: 2·2 · 3·3·3
    }

    [Fact]
    public void The_writer_puts_begin_pads_before_end_pads()
    {
        var network = new NetworkBuilder("n").Input(1, 8, 8)
            .Convolution("conv", 2, 3, stride: 2, pad: new Padding(new Size2(0, 1), new Size2(1, 2))).Build();
        var model = ModelProto.Parser.ParseFrom(OnnxWriter.Write(network));
        var pads = model.Graph.Node.Single(n => n.OpType == "Conv").Attribute.Single(a => a.Name == "pads");
        Assert.Equal(new long[] { 0, 1, 1, 2 }, pads.Ints.ToArray());
    }

    [Fact]
    public void A_negative_pad_or_a_zero_stride_under_same_is_an_error_naming_the_node()
    {
        var negative = Assert.Throws<ModelFormatException>(() =>
            OnnxImporter.Parse(OneNode("Conv", [1, 1, 8, 8], [1, 1, 3, 3], OnnxModels.Ints("pads", 0, 0, -1, 0)), "neg.onnx"));
        Assert.Equal("node 'node'", negative.Location);
        Assert.Contains("-1", negative.Message);
        var zeroStride = Assert.Throws<ModelFormatException>(() =>
            OnnxImporter.Parse(OneNode("Conv", [1, 1, 8, 8], [1, 1, 3, 3], AutoPad("SAME_UPPER"), OnnxModels.Ints("strides", 0, 1)), "zero.onnx"));
        Assert.Equal("node 'node'", zeroStride.Location);
        Assert.Contains("stride 0", zeroStride.Message);
    }
}
