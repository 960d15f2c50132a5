using CnnCost.Graph;
using CnnCost.Import;
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
        Assert.All(back.Layers, l => Assert.Equal(network.OutputShapes[network.IndexOf(l.Name)], back.OutputShapes[back.IndexOf(l.Name)]));

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
}
