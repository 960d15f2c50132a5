using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;

namespace CnnCost.Tests.Import;

/// <summary>ONNX models the tests build themselves with CnnCost's own schema classes.</summary>
internal static class OnnxModels
{
    public static TensorProto Initializer(string name, long[] dims, bool withData)
    {
        var tensor = new TensorProto { Name = name, DataType = 1 };
        tensor.Dims.AddRange(dims);
        if (withData)
        {
            tensor.RawData = ByteString.CopyFrom(new byte[4 * dims.Aggregate(1L, (a, d) => a * d)]);
        }

        return tensor;
    }

    public static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = 7 };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, I = value, Type = 2 };

    public static AttributeProto Text(string name, string value) => new() { Name = name, S = ByteString.CopyFromUtf8(value), Type = 3 };

    /// <summary>An empty graph whose one input, x, has the fixed dims given (batch first).</summary>
    public static GraphProto GraphOf(params long[] inputDims)
    {
        var graph = new GraphProto { Name = "by-hand" };
        var shape = new TensorShapeProto();
        foreach (var d in inputDims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } });
        return graph;
    }

    /// <summary>The bytes of a model of <paramref name="graph"/> at opset 13.</summary>
    public static byte[] Bytes(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 7, ProducerName = "by hand", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>Conv, BatchNormalization, Relu, two branches concatenated, MaxPool (ceil), residual Add, global pooling, Gemm, Softmax.</summary>
    public static ModelProto Small(bool withData = true, bool identityShared = false, bool externalData = false, string extraOp = "")
    {
        var graph = new GraphProto { Name = "small" };
        var input = new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        input.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in new long[] { 3, 16, 16 })
        {
            input.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        graph.Input.Add(input);
        graph.Initializer.Add(Initializer("w1", [8, 3, 3, 3], withData));
        graph.Initializer.Add(Initializer("b1", [8], withData));
        foreach (var bn in new[] { "scale", "bias", "mean", "var" })
        {
            graph.Initializer.Add(Initializer(bn, [8], withData));
        }

        graph.Initializer.Add(Initializer("wa", [8, 8, 1, 1], withData));
        graph.Initializer.Add(Initializer("wb", [8, 8, 3, 3], withData));
        graph.Initializer.Add(Initializer("wc", [16, 16, 1, 1], withData));
        graph.Initializer.Add(Initializer("wfc", [10, 16], withData));
        graph.Initializer.Add(Initializer("bfc", [10], withData));
        if (externalData)
        {
            foreach (var tensor in graph.Initializer)
            {
                tensor.DataLocation = 1;
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
            }
        }

        var wa = "wa";
        if (identityShared)
        {
            graph.Node.Add(Node("Identity", "share", ["wa"], ["wa_shared"]));
            wa = "wa_shared";
        }

        graph.Node.Add(Node("Conv", "conv1", ["x", "w1", "b1"], ["c1"], Ints("pads", 1, 1, 1, 1)));
        graph.Node.Add(Node("BatchNormalization", "bn1", ["c1", "scale", "bias", "mean", "var"], ["n1"]));
        graph.Node.Add(Node("Relu", "relu1", ["n1"], ["r1"]));
        graph.Node.Add(Node("Conv", "conv_a", ["r1", wa], ["a"]));
        graph.Node.Add(Node("Conv", "conv_b", ["r1", "wb"], ["b"], Ints("pads", 1, 1, 1, 1)));
        graph.Node.Add(Node("Concat", "cat", ["a", "b"], ["ab"], Int("axis", 1)));
        graph.Node.Add(Node("MaxPool", "pool", ["ab"], ["p"], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Int("ceil_mode", 1)));
        graph.Node.Add(Node("Conv", "conv_c", ["p", "wc"], ["c"]));
        graph.Node.Add(Node("Add", "residual", ["p", "c"], ["s"]));
        if (extraOp.Length > 0)
        {
            graph.Node.Add(Node(extraOp, "odd", ["s"], ["s2"]));
            graph.Node.Add(Node("GlobalAveragePool", "gap", ["s2"], ["g"]));
        }
        else
        {
            graph.Node.Add(Node("GlobalAveragePool", "gap", ["s"], ["g"]));
        }

        graph.Node.Add(Node("Flatten", "flat", ["g"], ["f"], Int("axis", 1)));
        graph.Node.Add(Node("Gemm", "fc", ["f", "wfc", "bfc"], ["y"], Int("transB", 1)));
        graph.Node.Add(Node("Softmax", "prob", ["y"], ["out"]));
        var model = new ModelProto { IrVersion = 8, ProducerName = "cnncost-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        return model;
    }

    /// <summary>The same network, described with the builder.</summary>
    public static Network SmallExpected() =>
        new NetworkBuilder("small", Conventions.PyTorch).Input(3, 16, 16, name: "x")
            .Convolution("conv1", 8, 3, pad: 1).BatchNorm("bn1").ReLU("relu1")
            .Convolution("conv_a", 8, 1, bias: false)
            .Convolution("conv_b", 8, 3, pad: 1, bias: false, from: "relu1")
            .Concat("cat", "conv_a", "conv_b")
            .MaxPool("pool", 3, 2, rounding: RoundingRule.Ceiling)
            .Convolution("conv_c", 16, 1, bias: false)
            .Sum("residual", "pool", "conv_c")
            .GlobalPool("gap")
            .FullyConnected("fc", 10)
            .Softmax("prob")
            .Build();
}
