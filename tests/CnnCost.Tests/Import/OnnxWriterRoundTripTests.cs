using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>Every layer kind the ONNX writer supports comes back as the same layer; the others are refused by name.</summary>
public class OnnxWriterRoundTripTests
{
    [Fact]
    public void Every_writable_layer_kind_reads_back_as_written()
    {
        var network = new NetworkBuilder("kinds", Conventions.PyTorch).Input(4, 12, 12)
            .Convolution("grouped", 8, new Size2(3, 1), stride: new Size2(1, 2), pad: new Size2(1, 0), groups: 2, dilation: new Size2(2, 1), bias: false)
            .Add(new ActivationLayer("prelu_each", "grouped", ActivationFunction.PReLU))
            .Add(new ActivationLayer("prelu_one", "prelu_each", ActivationFunction.PReLU, SharedSlope: true))
            .Activation(ActivationFunction.ReLU6, "six").Activation(ActivationFunction.LeakyReLU, "leaky")
            .Activation(ActivationFunction.Sigmoid, "sig").Activation(ActivationFunction.Tanh, "tanh")
            .Dropout(0.5, "drop").BatchNorm("bn").Lrn("lrn", 3)
            .AveragePool("avg", 2, 2, rounding: RoundingRule.Ceiling)
            .MaxPool("max", 1, 1, from: "avg")
            .Concat("cat", "avg", "max").Sum("sum", "cat", "cat")
            .GlobalPool("gmax", PoolingMethod.Max)
            .FullyConnected("fc", 3, bias: false).Softmax("prob")
            .Build();
        var back = OnnxImporter.Parse(OnnxWriter.Write(network), "kinds.onnx").Network;
        Assert.Equal("kinds", back.Name);
        // The flatten ONNX needs before a Gemm is a layer of its own, and the Gemm gives a vector of the same values.
        Assert.All(back.Layers.Where(l => l.Kind != LayerKind.Reshape), l => Assert.Equal(network.OutputShapes[network.IndexOf(l.Name)].Elements, back.OutputShapes[back.IndexOf(l.Name)].Elements));
        Assert.All(back.Layers.Where(l => l.Kind is not (LayerKind.Reshape or LayerKind.FullyConnected or LayerKind.Softmax)), l => Assert.Equal(network.OutputShapes[network.IndexOf(l.Name)], back.OutputShapes[back.IndexOf(l.Name)]));

        var grouped = (ConvolutionLayer)back["grouped"];
        Assert.Equal((8, new Size2(3, 1), new Size2(1, 2), new Size2(1, 0), 2, new Size2(2, 1), false),
            (grouped.Filters, grouped.Kernel, grouped.Stride, grouped.Pad, grouped.Groups, grouped.Dilation, grouped.HasBias));
        Assert.False(((ActivationLayer)back["prelu_each"]).SharedSlope);
        Assert.True(((ActivationLayer)back["prelu_one"]).SharedSlope);
        ActivationFunction F(string n) => ((ActivationLayer)back[n]).Function;
        Assert.Equal((ActivationFunction.ReLU6, ActivationFunction.LeakyReLU, ActivationFunction.Sigmoid, ActivationFunction.Tanh), (F("six"), F("leaky"), F("sig"), F("tanh")));
        Assert.False(back.Contains("drop"));   // ONNX Dropout is read as an identity
        Assert.IsType<BatchNormLayer>(back["bn"]);
        Assert.Equal(3, ((LrnLayer)back["lrn"]).LocalSize);
        var avg = (PoolingLayer)back["avg"];
        Assert.Equal((PoolingMethod.Average, RoundingRule.Ceiling), (avg.Method, avg.Rounding));
        Assert.Equal((PoolingMethod.Max, RoundingRule.Floor), (((PoolingLayer)back["max"]).Method, ((PoolingLayer)back["max"]).Rounding));
        Assert.Equal(new[] { "avg", "max" }, back["cat"].Inputs);
        Assert.Equal(new[] { "cat", "cat" }, back["sum"].Inputs);
        Assert.Equal((PoolingMethod.Max, true), (((PoolingLayer)back["gmax"]).Method, ((PoolingLayer)back["gmax"]).IsGlobal));
        Assert.Equal((3, false), (((FullyConnectedLayer)back["fc"]).Outputs, ((FullyConnectedLayer)back["fc"]).HasBias));
        Assert.IsType<SoftmaxLayer>(back["prob"]);
    }

    [Fact]
    public void Layers_onnx_cannot_express_are_refused_by_name()
    {
        var product = new NetworkBuilder("p", Conventions.PyTorch).Input(2, 4, 4).ReLU("a")
            .Add(new AddLayer("prod", ["a", "a"], ElementwiseOperation.Product)).Build();
        Assert.Equal("layer 'prod': a Add layer of this kind cannot be written to ONNX as CnnCost reads it",
            Assert.Throws<CnnCostException>(() => OnnxWriter.Write(product)).Message);
        var ceiling = new NetworkBuilder("c", Conventions.Dissertation).Input(2, 4, 4).Convolution("conv", 2, 1).Build();
        Assert.Equal("layer 'conv': its output size rounds up (Eq. 4.2), which an ONNX Conv cannot express",
            Assert.Throws<CnnCostException>(() => OnnxWriter.Write(ceiling)).Message);
        Assert.Throws<ArgumentNullException>(() => OnnxWriter.Write(null!));
    }

    [Fact]
    public void The_written_model_holds_the_hand_derived_nodes_initializers_and_header()
    {
        // The convolution floors by its own rule under conventions that ceil: H = floor((8 + 2 - 3) / 2) + 1 = 4, W = 8.
        var network = new NetworkBuilder("n", Conventions.Dissertation).Input(3, 8, 8)
            .Add(new ConvolutionLayer("conv", "data", 4, new Size2(3, 1), new Size2(2, 1), new Size2(1, 0), 1, 1, true, Rounding: RoundingRule.Floor))
            .BatchNorm("bn").Concat("cat", "bn", "conv").FullyConnected("fc", 5)   // cat: 8x4x8 = 256 inputs to fc
            .Build();
        var model = ModelProto.Parser.ParseFrom(OnnxWriter.Write(network));

        Assert.Equal((8L, "CnnCost"), (model.IrVersion, model.ProducerName));
        Assert.Equal(("", 13L), (model.OpsetImport.Single().Domain, model.OpsetImport.Single().Version));
        Assert.Equal("n", model.Graph.Name);
        var input = model.Graph.Input.Single();
        Assert.Equal(("data", 1), (input.Name, input.Type.TensorType.ElemType));
        Assert.Equal(new[] { "batch", "3", "8", "8" },
            input.Type.TensorType.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("fc", model.Graph.Output.Single().Name);

        static string Attribute(AttributeProto a) => a.Type == 7 ? $"{a.Name}={string.Join(",", a.Ints)}" : $"{a.Name}:{a.Type}={a.I}";
        Assert.Equal(new[]
        {
            "Conv conv(data conv.weight conv.bias)->conv [kernel_shape=3,1 strides=2,1 pads=1,0,1,0 dilations=1,1 group:2=1]",
            "BatchNormalization bn(conv bn.scale bn.bias bn.mean bn.var)->bn []",
            "Concat cat(bn conv)->cat [axis:2=1]",
            "Flatten fc.flatten(cat)->fc.flatten [axis:2=1]",
            "Gemm fc(fc.flatten fc.weight fc.bias)->fc [transB:2=1]",
        }, model.Graph.Node.Select(n => $"{n.OpType} {n.Name}({string.Join(" ", n.Input)})->{string.Join(" ", n.Output)} [{string.Join(" ", n.Attribute.Select(Attribute))}]"));
        Assert.Equal(new[]
        {
            "conv.weight 4,3,3,1", "conv.bias 4", "bn.scale 4", "bn.bias 4", "bn.mean 4", "bn.var 4", "fc.weight 5,256", "fc.bias 5",
        }, model.Graph.Initializer.Select(t => $"{t.Name} {string.Join(",", t.Dims)}"));
        Assert.All(model.Graph.Initializer, t => Assert.Equal(1, t.DataType));   // float
    }

    [Fact]
    public void A_convolution_that_ceils_by_its_own_rule_is_refused_under_conventions_that_floor()
    {
        var network = new NetworkBuilder("c", Conventions.PyTorch).Input(2, 4, 4)
            .Add(new ConvolutionLayer("conv", "data", 2, 1, 1, 0, 1, 1, true, Rounding: RoundingRule.Ceiling)).Build();
        Assert.Equal("layer 'conv': its output size rounds up (Eq. 4.2), which an ONNX Conv cannot express",
            Assert.Throws<CnnCostException>(() => OnnxWriter.Write(network)).Message);
    }
}
