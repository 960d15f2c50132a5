using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>
/// ONNX files written as an attacker would: attributes out of range, references to nothing, weights that disagree
/// with their input, names that collide. Each is one clear error naming the node, never an internal error or a guess;
/// and valid files with odd names still import.
/// </summary>
public class OnnxHostileTests
{
    private static GraphProto Graph(long[] input) => OnnxModels.GraphOf(input);

    private static byte[] Bytes(GraphProto graph) => OnnxModels.Bytes(graph);

    /// <summary>One Conv node reading x (1x4x8x8) with weights of <paramref name="weights"/>.</summary>
    private static byte[] Conv(long[] weights, params AttributeProto[] attributes)
    {
        var graph = Graph([1, 4, 8, 8]);
        graph.Initializer.Add(OnnxModels.Initializer("w", weights, withData: false));
        graph.Node.Add(OnnxModels.Node("Conv", "conv", ["x", "w"], ["y"], attributes));
        return Bytes(graph);
    }

    private static ModelFormatException Refused(byte[] bytes, string node = "conv")
    {
        var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(bytes, "hostile.onnx"));
        Assert.Equal($"node '{node}'", error.Location);
        Assert.StartsWith("hostile.onnx: ", error.Message);
        return error;
    }

    [Fact]
    public void Group_zero_is_refused_before_any_shape_is_worked_out() =>
        Assert.Contains("groups must be at least 1", Refused(Conv([4, 4, 3, 3], OnnxModels.Int("group", 0))).Message);

    [Fact]
    public void A_group_beyond_32_bits_is_refused_not_truncated() =>
        // 2^32 + 2 would truncate to 2, which divides the 4 channels and filters.
        Assert.Contains("out of range", Refused(Conv([4, 2, 3, 3], OnnxModels.Int("group", (1L << 32) + 2))).Message);

    [Fact]
    public void A_zero_stride_is_refused_for_conv_and_pool_with_explicit_pads()
    {
        Assert.Contains("stride must be at least 1", Refused(Conv([4, 4, 3, 3], OnnxModels.Ints("strides", 0, 1))).Message);
        var graph = Graph([1, 4, 8, 8]);
        graph.Node.Add(OnnxModels.Node("MaxPool", "pool", ["x"], ["y"], OnnxModels.Ints("kernel_shape", 2, 2), OnnxModels.Ints("strides", 1, 0)));
        Assert.Contains("stride must be at least 1", Refused(Bytes(graph), "pool").Message);
    }

    [Fact]
    public void Same_padding_that_would_overflow_32_bits_is_refused()
    {
        // Stride 1 on 8: total padding = dilation·(kernel − 1) = 2^30 · 1023, past 2^31 − 1.
        var bytes = Conv([1, 4, 1024, 1024], OnnxModels.Text("auto_pad", "SAME_UPPER"), OnnxModels.Ints("dilations", 1L << 30, 1L << 30));
        Assert.Contains("more than 2^31-1", Refused(bytes).Message);
    }

    [Fact]
    public void Weights_that_disagree_with_the_input_channels_or_the_kernel_shape_are_refused()
    {
        // 3 channels per group x 1 group, but x has 4 channels.
        Assert.Contains("has 4 channels", Refused(Conv([4, 3, 3, 3])).Message);
        // 2 channels per group x 2 groups = 4: fine; kernel_shape 5x5 against 3x3 weights is not.
        Assert.Contains("kernel_shape 5x5 disagrees", Refused(Conv([4, 2, 3, 3], OnnxModels.Int("group", 2), OnnxModels.Ints("kernel_shape", 5, 5))).Message);
        var grouped = OnnxImporter.Parse(Conv([4, 2, 3, 3], OnnxModels.Int("group", 2), OnnxModels.Ints("kernel_shape", 3, 3)), "ok.onnx");
        // (8 − 3) + 1 = 6; 4·2·3·3 = 72 weights.
        Assert.Equal(72, CostModel.Analyze(grouped.Network)["conv"].Weights);
    }

    [Theory]
    [InlineData(1, new long[] { 10, 255 })] // transB: weights are outputs x inputs; 255 ≠ 4·8·8 = 256
    [InlineData(0, new long[] { 257, 10 })] // inputs x outputs
    public void A_gemm_whose_inner_size_does_not_match_its_input_is_refused(int transB, long[] weights)
    {
        var graph = Graph([1, 4, 8, 8]);
        graph.Initializer.Add(OnnxModels.Initializer("w", weights, withData: false));
        graph.Node.Add(OnnxModels.Node("Flatten", "flat", ["x"], ["f"], OnnxModels.Int("axis", 1)));
        graph.Node.Add(OnnxModels.Node("Gemm", "fc", ["f", "w"], ["y"], OnnxModels.Int("transB", transB)));
        Assert.Contains("holds 256 values", Refused(Bytes(graph), "fc").Message);
    }

    [Fact]
    public void A_matmul_whose_inner_size_does_not_match_and_a_transposed_gemm_are_refused()
    {
        var graph = Graph([1, 4, 8, 8]);
        graph.Initializer.Add(OnnxModels.Initializer("w", [128, 10], withData: false));
        graph.Node.Add(OnnxModels.Node("MatMul", "mm", ["x", "w"], ["y"]));
        Assert.Contains("take 128 inputs", Refused(Bytes(graph), "mm").Message);
        var transposed = Graph([1, 4, 8, 8]);
        transposed.Initializer.Add(OnnxModels.Initializer("w", [10, 256], withData: false));
        transposed.Node.Add(OnnxModels.Node("Gemm", "fc", ["x", "w"], ["y"], OnnxModels.Int("transA", 1), OnnxModels.Int("transB", 1)));
        Assert.Contains("transA", Refused(Bytes(transposed), "fc").Message);
    }

    [Fact]
    public void An_add_of_a_tensor_nothing_defines_is_refused_not_taken_for_a_constant()
    {
        var graph = Graph([1, 4, 8, 8]);
        graph.Node.Add(OnnxModels.Node("Relu", "relu", ["x"], ["r"]));
        graph.Node.Add(OnnxModels.Node("Add", "add", ["r", "ghost"], ["y"]));
        Assert.Contains("'ghost'", Refused(Bytes(graph), "add").Message);
    }

    [Fact]
    public void A_node_that_redefines_the_graph_input_is_refused()
    {
        var graph = Graph([1, 4, 8, 8]);
        graph.Node.Add(OnnxModels.Node("Relu", "relu", ["x"], ["x"]));
        Assert.Contains("'x' is already defined", Refused(Bytes(graph), "relu").Message);
    }

    [Fact]
    public void A_concat_of_nothing_is_refused_and_a_concat_of_one_tensor_is_that_tensor()
    {
        var empty = Graph([1, 4, 8, 8]);
        empty.Node.Add(OnnxModels.Node("Concat", "cat", [], ["y"], OnnxModels.Int("axis", 1)));
        Assert.Contains("Concat needs at least one input", Refused(Bytes(empty), "cat").Message);
        var one = Graph([1, 4, 8, 8]);
        one.Initializer.Add(OnnxModels.Initializer("w", [2, 4, 1, 1], withData: false));
        one.Node.Add(OnnxModels.Node("Concat", "cat", ["x"], ["c"], OnnxModels.Int("axis", 1)));
        one.Node.Add(OnnxModels.Node("Conv", "conv", ["c", "w"], ["y"]));
        var report = CostModel.Analyze(OnnxImporter.Parse(Bytes(one), "one.onnx").Network);
        Assert.Equal(new Shape(2, 8, 8), report["conv"].Output);
        Assert.Equal(2L * 8 * 64, report["conv"].Flops); // 2 · (4·2 weights) · 8·8
    }

    [Fact]
    public void Unnamed_nodes_never_take_a_name_the_file_gives_another_node_and_repeated_names_are_told_apart()
    {
        var graph = Graph([1, 4, 8, 8]);
        graph.Node.Add(OnnxModels.Node("Relu", "", ["x"], ["a"]));        // would be called Relu_0
        graph.Node.Add(OnnxModels.Node("Relu", "Relu_0", ["a"], ["b"]));  // the file's own name
        graph.Node.Add(OnnxModels.Node("Relu", "x", ["b"], ["c"]));       // the input's name
        graph.Node.Add(OnnxModels.Node("Relu", "Relu_0", ["c"], ["y"]));  // the same name again
        var imported = OnnxImporter.Parse(Bytes(graph), "names.onnx");
        var names = imported.Network.Layers.Select(l => l.Name).ToArray();
        Assert.Equal(5, names.Distinct().Count());
        Assert.Contains("Relu_0", names);
        Assert.Equal("Relu_0", imported.Network.Layers[2].Name); // the named node keeps its name
        Assert.Equal(2, imported.Notes.Count(n => n.Contains("used more than once")));
    }
}
