using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;
using Xunit;
using static CnnCost.Tests.Import.OnnxModels;

namespace CnnCost.Tests.Import;

/// <summary>The ONNX importer's mapping of each operator and attribute, and the exact reason of each refusal.</summary>
public class OnnxReasonTests
{
    private static ValueInfoProto Input(string name, params object[] dims)
    {
        var input = new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        foreach (var d in dims)
        {
            input.Type.TensorType.Shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return input;
    }

    // Input x: N x 3 x 8 x 8; initializers w (4x3x3x3), w1 (4x3x1x1), w3d (4x3x3), m (192x5), slope (1), slopes (3x1x1), k (3x8x8).
    private static byte[] Model(params NodeProto[] nodes) => Model([Input("x", "N", 3, 8, 8)], nodes);

    private static byte[] Model(ValueInfoProto[] inputs, NodeProto[] nodes, string graphName = "g", ValueInfoProto[]? stated = null)
    {
        var graph = new GraphProto { Name = graphName };
        graph.ValueInfo.AddRange(stated ?? []);
        graph.Initializer.Add(Initializer("bias4", [4], false));
        graph.Initializer.Add(Initializer("b7", [7], false));
        graph.Initializer.Add(new TensorProto { Name = "shape4", DataType = 7, Dims = { 4 }, Int64Data = { 0, 3, 8, 8 } });
        graph.Input.AddRange(inputs);
        graph.Initializer.Add(Initializer("w", [4, 3, 3, 3], false));
        graph.Initializer.Add(Initializer("w1", [4, 3, 1, 1], false));
        graph.Initializer.Add(Initializer("w3d", [4, 3, 3], false));
        graph.Initializer.Add(Initializer("m", [192, 5], false));
        graph.Initializer.Add(Initializer("m7", [7, 5], false));
        graph.Initializer.Add(Initializer("w1g", [4, 1, 1, 1], false));
        graph.Initializer.Add(Initializer("slope", [1], false));
        graph.Initializer.Add(Initializer("slopes", [3, 1, 1], false));
        graph.Initializer.Add(Initializer("k", [3, 8, 8], false));
        graph.Initializer.Add(Initializer("neg", [-1, 3, 1, 1], false));
        graph.Input.Add(new ValueInfoProto { Name = "w" });   // initializers listed as inputs are not inputs
        graph.Node.AddRange(nodes);
        return new ModelProto { IrVersion = 8, Graph = graph }.ToByteArray();
    }

    private static AttributeProto Text(string name, string value) => new() { Name = name, S = ByteString.CopyFromUtf8(value), Type = 3 };

    private static readonly Dictionary<string, (NodeProto[] Nodes, string Message)> BadGraphCases = new()
    {
        ["unsupported"] = ([Node("Foo", "n", ["x"], ["y"])], "node 'n': operator Foo is not supported; skipping unsupported operators passes it only where the file states its output's shape"),
        ["conv 3-d"] = ([Node("Conv", "n", ["x", "w3d"], ["y"])], "node 'n': Conv weights have 3 dimensions; CnnCost models 2-D convolutions"),
        ["gemm 3-d"] = ([Node("Gemm", "n", ["x", "w3d"], ["y"])], "node 'n': Gemm weights have 3 dimensions, expected 2"),
        ["matmul 3-d"] = ([Node("MatMul", "n", ["x", "w3d"], ["y"])], "node 'n': MatMul with a constant is modelled only as activations times a 2-D initializer"),
        ["no kernel"] = ([Node("MaxPool", "n", ["x"], ["y"])], "node 'n': MaxPool has no 'kernel_shape'"),
        ["3 strides"] = ([Node("AveragePool", "n", ["x"], ["y"], Ints("kernel_shape", 2, 2), Ints("strides", 1, 1, 1))], "node 'n': 'strides' has 3 values; CnnCost models 2-D layers"),
        ["concat axis"] = ([Node("Concat", "n", ["x", "x"], ["y"], Int("axis", 4))], "node 'n': its axis 4 is outside a tensor of rank 4"),
        ["concat batch"] = ([Node("Concat", "n", ["x", "x"], ["y"], Int("axis", 0))], "node 'n': its axis is the batch axis; CnnCost models each item on its own"),
        ["where activations"] = ([Node("Where", "n", ["x", "x", "x"], ["y"])], "node 'n': Where on activations is not modelled (only on constants, in shape computations)"),
        ["alias unknown"] = ([Node("Flatten", "n", ["zz"], ["y"])], "node 'n': Flatten reads 'zz', which no earlier node or initializer defines"),
        ["alias nothing"] = ([Node("Identity", "n", [], ["y"])], "node 'n': Identity needs input 1"),
        ["2 pads"] = ([Node("Conv", "n", ["x", "w"], ["y"], Ints("pads", 1, 1))], "node 'n': pads has 2 values, expected 4"),
        ["auto pad"] = ([Node("Conv", "n", ["x", "w"], ["y"], Text("auto_pad", "FOO"))], "node 'n': auto_pad 'FOO' is not an ONNX padding mode"),
        ["negative pad"] = ([Node("Conv", "n", ["x", "w"], ["y"], Ints("pads", 0, 1, -1, 1))], "node 'n': the value -1 is out of range (0 to 2^31-1)"),
        ["groups"] = ([Node("Conv", "n", ["x", "w1"], ["y"], Int("group", 2))], "node 'n': the weights see 3 channels per group x 2 groups, but the input 'x' has 3 channels"),
        ["filters vs groups"] = ([Node("Conv", "n", ["x", "w1g"], ["y"], Int("group", 3))], "node 'n': filter count 4 is not divisible by groups 3"),
        ["no input"] = ([Node("Relu", "n", [], ["y"])], "node 'n': Relu needs input 1"),
        ["constant input"] = ([Node("MaxPool", "n", ["k"], ["y"], Ints("kernel_shape", 2, 2))], "node 'n': MaxPool input 'k' is a constant where CnnCost expects an activation"),
        ["unknown input"] = ([Node("Relu", "n", ["zz"], ["y"])], "node 'n': Relu reads 'zz', which no earlier node or initializer defines"),
        ["no weights"] = ([Node("Conv", "n", ["x"], ["y"])], "node 'n': Conv needs input 2"),
        ["weights not constant"] = ([Node("Conv", "n", ["x", "x"], ["y"])], "node 'n': Conv weights are an activation; CnnCost needs them as an initializer"),
        ["negative dim"] = ([Node("Conv", "n", ["x", "neg"], ["y"])], "node 'n': the value -1 is out of range (0 to 2^31-1)"),
        ["unnamed"] = ([Node("Relu", "", ["x"], ["y"]), Node("Foo", "", ["y"], ["z"])], "node 'Foo_1': operator Foo is not supported; skipping unsupported operators passes it only where the file states its output's shape"),
    };

    public static TheoryData<string> BadGraphs => [.. BadGraphCases.Keys];

    [Theory]
    [MemberData(nameof(BadGraphs))]
    public void Each_unmodelled_node_names_the_node_and_the_reason(string what)
    {
        var (nodes, message) = BadGraphCases[what];
        var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(Model(nodes), "m.onnx"));
        Assert.Equal($"m.onnx: {message}", error.Message);
    }

    [Fact]
    public void A_kernel_larger_than_the_input_is_a_node_error()
    {
        var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(Model(Node("MaxPool", "n", ["x"], ["y"], Ints("kernel_shape", 9, 9))), "m.onnx"));
        Assert.Equal("node 'n'", error.Location);
        Assert.StartsWith("its output height would be below 1", error.Reason, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, (ValueInfoProto[] Inputs, string Message)> BadInputCases = new()
    {
        ["none"] = ([], "m.onnx: the graph has no input besides its initializers"),
        ["two"] = ([Input("a", 1, 3, 8, 8), Input("b", 1, 3, 8, 8)], "m.onnx: the graph has 2 inputs (a, b); CnnCost models networks with one"),
        ["shapeless"] = ([new ValueInfoProto { Name = "x" }], "m.onnx: input 'x': has no tensor shape"),
        ["1-d"] = ([Input("x", 3)], "m.onnx: input 'x': has 1 dimensions; CnnCost models a batch of items (N x C x H x W for images)"),
        ["symbolic height"] = ([Input("x", 1, 3, "H", 8)], "m.onnx: input 'x': dimension 2 is 'H'; only the batch may be symbolic"),
        ["zero channels"] = ([Input("x", 1, 0, 8, 8)], "m.onnx: input 'x': dimension 1 is '0'; only the batch may be symbolic"),
        ["huge width"] = ([Input("x", 1, 3, 8, 1L << 31)], "m.onnx: input 'x': dimension 3 is '2147483648'; only the batch may be symbolic"),
    };

    public static TheoryData<string> BadInputs => [.. BadInputCases.Keys];

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Each_unmodelled_input_is_refused_with_its_reason(string what)
    {
        var (inputs, message) = BadInputCases[what];
        var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(Model(inputs, [Node("Relu", "r", [inputs.Length > 0 ? inputs[0].Name : "x"], ["y"])]), "m.onnx"));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Bytes_that_are_not_a_model_or_have_no_graph_are_refused()
    {
        Assert.StartsWith("m.onnx: is not an ONNX model: ", Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse([0xFF, 0xFF, 0xFF], "m.onnx")).Message, StringComparison.Ordinal);
        Assert.Equal("m.onnx: is not an ONNX model: it has no graph", Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse([], "m.onnx")).Message);
        Assert.Throws<ArgumentNullException>(() => OnnxImporter.Parse(null!, "m.onnx"));
        Assert.Throws<ArgumentNullException>(() => OnnxImporter.Parse([], null!));
        Assert.Throws<ArgumentNullException>(() => OnnxImporter.Read(null!));
        var missing = Path.Combine(Path.GetTempPath(), $"cnncost-missing-{Guid.NewGuid():N}.onnx");
        Assert.StartsWith($"{missing}: cannot be read: ", Assert.Throws<ModelFormatException>(() => OnnxImporter.Read(missing)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_supported_operator_maps_to_its_layer()
    {
        var bytes = Model([Input("x", 8, 3, 8, 8)],
        [
            Node("Conv", "same", ["x", "w"], ["c1"], Text("auto_pad", "SAME_UPPER")),
            Node("Conv", "valid", ["x", "w", "bias4"], ["c2"], Text("auto_pad", "VALID"), Ints("kernel_shape", 3, 3), Ints("dilations", 2, 1)),
            Node("Clip", "clip", ["x"], ["clip"], new AttributeProto { Name = "min", F = 0, Type = 1 }, new AttributeProto { Name = "max", F = 6, Type = 1 }),
            Node("Clip", "clip_other", ["clip"], ["clip2"]),
            Node("LeakyRelu", "leaky", ["clip2"], ["leaky"]),
            Node("PRelu", "prelu_one", ["leaky", "slope"], ["p1"]),
            Node("PRelu", "prelu_each", ["p1", "slopes"], ["p2"]),
            Node("Sigmoid", "sig", ["p2"], ["sig"]),
            Node("Tanh", "tanh", ["sig"], ["tanh"]),
            Node("LRN", "lrn", ["tanh"], ["lrn"], Int("size", 0)),
            Node("Dropout", "drop", ["lrn"], ["drop"]),
            Node("Unsqueeze", "u", ["drop"], ["u"], Ints("axes", 1)),
            Node("Squeeze", "s", ["u"], ["s"], Ints("axes", 1)),
            Node("Reshape", "r", ["s", "shape4"], ["r"]),
            Node("AveragePool", "avg", ["r"], ["avg"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Int("ceil_mode", 0)),
            Node("GlobalMaxPool", "gmax", ["avg"], ["gmax"]),
            Node("Flatten", "flat", ["gmax"], ["flat"]),
            Node("Constant", "const", [], ["cw"], new AttributeProto { Name = "value", T = Initializer("cw", [3, 7], false) }),
            Node("MatMul", "mm", ["flat", "cw"], ["mm"]),
            Node("Add", "bias", ["mm", "b7"], ["fc"]),
            Node("Sum", "sum", ["fc", "fc"], ["sum"]),
            Node("Gemm", "gemm_n", ["sum", "m7"], ["g1"]),
            Node("Softmax", "prob", ["g1"], ["prob"]),
            Node("Foo", "skipped", ["prob"], ["after"]),
            Node("Relu", "relu", ["after"], ["out"]),
        ], graphName: "", stated: [Input("after", "N", 2)]);
        var imported = OnnxImporter.Parse(bytes, "dir/ops.onnx", new OnnxImportOptions(SkipUnsupported: true));
        var network = imported.Network;
        Assert.Equal("ops", network.Name);
        Assert.Equal(8, imported.FileBatch);
        Assert.Equal(new[]
        {
            "the file's batch of 8 is shown but not used: the analysis's batch decides",
            "node 'skipped': operator Foo is not supported; skipped as a layer of no cost with the output shape the file states",
        }, imported.Notes);
        Assert.Equal(new SkippedNode("skipped", "Foo", "operator Foo is not supported"), Assert.Single(imported.Skipped));

        // SAME_UPPER, stride 1, kernel 3 (from the weights) on 8: output 8, total padding (8 - 1)·1 + 3 - 8 = 2, one per side.
        var same = (ConvolutionLayer)network["same"];
        Assert.Equal((new Size2(3, 3), new Size2(1, 1), new Size2(1, 1), 4, false), (same.Kernel, same.Stride, same.Pad, same.Filters, same.HasBias));
        var valid = (ConvolutionLayer)network["valid"];
        Assert.Equal((new Size2(0, 0), new Size2(2, 1), true), (valid.Pad, valid.Dilation, valid.HasBias));
        ActivationFunction F(string n) => ((ActivationLayer)network[n]).Function;
        Assert.Equal((ActivationFunction.ReLU6, ActivationFunction.Clip, ActivationFunction.LeakyReLU, ActivationFunction.Sigmoid, ActivationFunction.Tanh),
            (F("clip"), F("clip_other"), F("leaky"), F("sig"), F("tanh")));
        Assert.True(((ActivationLayer)network["prelu_one"]).SharedSlope);
        Assert.False(((ActivationLayer)network["prelu_each"]).SharedSlope);
        Assert.Equal(1, ((LrnLayer)network["lrn"]).LocalSize);
        Assert.False(network.Contains("drop") || network.Contains("bias") || network.Contains("const"));

        // Unsqueeze, squeeze, reshape and flatten act on one item: 1x3x8x8, 3x8x8, 3x8x8 (0 copies the channels), 3.
        Shape Out(string n) => network.OutputShapes[network.IndexOf(n)];
        Assert.Equal((Shape.Of(1, 3, 8, 8), new Shape(3, 8, 8), new Shape(3, 8, 8), Shape.Of(3)), (Out("u"), Out("s"), Out("r"), Out("flat")));
        Assert.Equal(new[] { 3, 8, 8 }, ((ReshapeLayer)network["r"]).Target);
        Assert.Equal(new[] { -1 }, ((ReshapeLayer)network["flat"]).Target);
        var avg = (PoolingLayer)network["avg"];
        Assert.Equal((PoolingMethod.Average, RoundingRule.Floor), (avg.Method, avg.Rounding));
        var gmax = (PoolingLayer)network["gmax"];
        Assert.Equal((PoolingMethod.Max, true), (gmax.Method, gmax.IsGlobal));
        var mm = (FullyConnectedLayer)network["mm"];
        Assert.Equal((7, true, Shape.Of(7)), (mm.Outputs, mm.HasBias, Out("mm")));   // the Add of a constant is the MatMul's bias
        Assert.Equal(new[] { "mm", "mm" }, network["sum"].Inputs);
        var gemm = (FullyConnectedLayer)network["gemm_n"];
        Assert.Equal((5, false), (gemm.Outputs, gemm.HasBias));   // without transB the outputs are the second dimension
        var skipped = (SkippedLayer)network["skipped"];
        Assert.Equal((Shape.Of(2), "Foo"), (Out("skipped"), skipped.Operator));
        Assert.Equal(new[] { "skipped" }, network["relu"].Inputs);
    }

    [Fact]
    public void The_readme_lists_every_operator_the_table_maps()
    {
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "README.md")))
        {
            folder = Path.GetDirectoryName(folder)!;
        }

        var readme = File.ReadAllText(Path.Combine(folder, "README.md"));
        var start = readme.IndexOf("- ONNX, opsets 7 to 21", StringComparison.Ordinal);
        const string marker = "OnnxOperators.cs`): ";
        var from = readme.IndexOf(marker, start, StringComparison.Ordinal) + marker.Length;
        var listed = readme[from..readme.IndexOf('.', from)].Split(',').Select(o => o.Trim()).ToArray();
        Assert.Equal(CnnCost.Import.Onnx.OnnxGraphReader.SupportedOperators.Order(StringComparer.OrdinalIgnoreCase), listed.Order(StringComparer.OrdinalIgnoreCase));
    }
}
