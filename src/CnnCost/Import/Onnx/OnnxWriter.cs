using CnnCost.Graph;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;

namespace CnnCost.Import;

/// <summary>
/// Writes a <see cref="Network"/> as an ONNX model that <see cref="OnnxImporter"/> reads back to the same network:
/// initializers carry dims only (CnnCost knows shapes, not weights), the batch dimension is symbolic, and each
/// pooling layer's rounding becomes its <c>ceil_mode</c>.
/// </summary>
public static class OnnxWriter
{
    /// <summary>Serializes the network.</summary>
    /// <param name="network">The network.</param>
    /// <returns>The bytes of an ONNX <c>ModelProto</c> (opset 13).</returns>
    /// <exception cref="CnnCostException">A layer ONNX cannot express as CnnCost reads it (a convolution that rounds up, an element-wise product or maximum).</exception>
    public static byte[] Write(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var graph = new GraphProto { Name = network.Name };
        foreach (var layer in network.Layers)
        {
            var shape = network.OutputShapes[network.IndexOf(layer.Name)];
            switch (layer)
            {
                case InputLayer input:
                    graph.Input.Add(Input(input));
                    break;
                case ConvolutionLayer c:
                    if ((c.Rounding ?? network.Conventions.ConvolutionRounding) == RoundingRule.Ceiling)
                    {
                        throw new CnnCostException($"layer '{c.Name}': its output size rounds up (Eq. 4.2), which an ONNX Conv cannot express");
                    }

                    var inputChannels = network.OutputShapes[network.InputIndicesOf(network.IndexOf(c.Name))[0]].Channels;
                    var inputs = new List<string> { c.Input, Initializer(graph, $"{c.Name}.weight", [c.Filters, inputChannels / c.Groups, c.Kernel.Height, c.Kernel.Width]) };
                    if (c.HasBias)
                    {
                        inputs.Add(Initializer(graph, $"{c.Name}.bias", [c.Filters]));
                    }

                    graph.Node.Add(Node("Conv", c.Name, inputs, Ints("kernel_shape", c.Kernel.Height, c.Kernel.Width), Ints("strides", c.Stride.Height, c.Stride.Width),
                        Pads(c.Padding), Ints("dilations", c.Dilation.Height, c.Dilation.Width), Int("group", c.Groups)));
                    break;
                case FullyConnectedLayer fc:
                    var flat = $"{fc.Name}.flatten";
                    graph.Node.Add(Node("Flatten", flat, [fc.Input], Int("axis", 1)));
                    var inputElements = network.OutputShapes[network.InputIndicesOf(network.IndexOf(fc.Name))[0]].Elements;
                    var gemmInputs = new List<string> { flat, Initializer(graph, $"{fc.Name}.weight", [fc.Outputs, inputElements]) };
                    if (fc.HasBias)
                    {
                        gemmInputs.Add(Initializer(graph, $"{fc.Name}.bias", [fc.Outputs]));
                    }

                    graph.Node.Add(Node("Gemm", fc.Name, gemmInputs, Int("transB", 1)));
                    break;
                case PoolingLayer { IsGlobal: true } g:
                    graph.Node.Add(Node(g.Method == PoolingMethod.Max ? "GlobalMaxPool" : "GlobalAveragePool", g.Name, [g.Input]));
                    break;
                case PoolingLayer p:
                    var ceil = (p.Rounding ?? network.Conventions.PoolingRounding) == RoundingRule.Ceiling;
                    graph.Node.Add(Node(p.Method == PoolingMethod.Max ? "MaxPool" : "AveragePool", p.Name, [p.Input], Ints("kernel_shape", p.Kernel.Height, p.Kernel.Width),
                        Ints("strides", p.Stride.Height, p.Stride.Width), Pads(p.Padding), Int("ceil_mode", ceil ? 1 : 0)));
                    break;
                case ActivationLayer { Function: ActivationFunction.PReLU } prelu:
                    graph.Node.Add(Node("PRelu", prelu.Name, [prelu.Input, Initializer(graph, $"{prelu.Name}.slope", prelu.SharedSlope ? [1] : [shape.Channels, 1, 1])]));
                    break;
                case ActivationLayer { Function: ActivationFunction.ReLU6 } relu6:
                    // Opset 13 gives Clip its bounds as inputs: two scalar constants, 0 and 6.
                    foreach (var (bound, value) in new[] { ("min", 0f), ("max", 6f) })
                    {
                        graph.Node.Add(new NodeProto { OpType = "Constant", Name = $"{relu6.Name}.{bound}", Output = { $"{relu6.Name}.{bound}" }, Attribute = { new AttributeProto { Name = "value_float", F = value, Type = 1 } } });
                    }

                    graph.Node.Add(Node("Clip", relu6.Name, [relu6.Input, $"{relu6.Name}.min", $"{relu6.Name}.max"]));
                    break;
                case ActivationLayer { Function: ActivationFunction.ReLU or ActivationFunction.LeakyReLU or ActivationFunction.Sigmoid or ActivationFunction.Tanh } a:
                    graph.Node.Add(Node(a.Function switch
                    {
                        ActivationFunction.ReLU => "Relu",
                        ActivationFunction.LeakyReLU => "LeakyRelu",
                        ActivationFunction.Sigmoid => "Sigmoid",
                        _ => "Tanh",
                    }, a.Name, [a.Input]));
                    break;
                case DropoutLayer d:
                    graph.Node.Add(Node("Dropout", d.Name, [d.Input]));
                    break;
                case BatchNormLayer bn:
                    graph.Node.Add(Node("BatchNormalization", bn.Name,
                        [bn.Input, .. new[] { "scale", "bias", "mean", "var" }.Select(part => Initializer(graph, $"{bn.Name}.{part}", [shape.Channels]))]));
                    break;
                case LrnLayer lrn:
                    graph.Node.Add(Node("LRN", lrn.Name, [lrn.Input], Int("size", lrn.LocalSize)));
                    break;
                case SoftmaxLayer { Axis: 0 } s:
                    graph.Node.Add(Node("Softmax", s.Name, [s.Input]));
                    break;
                case ConcatLayer { Axis: 0 } cat:
                    graph.Node.Add(Node("Concat", cat.Name, [.. cat.Sources], Int("axis", 1)));
                    break;
                case AddLayer { Operation: ElementwiseOperation.Sum } add:
                    graph.Node.Add(Node("Add", add.Name, [.. add.Sources]));
                    break;
                default:
                    throw new CnnCostException($"layer '{layer.Name}': a {layer.Kind} layer of this kind cannot be written to ONNX as CnnCost reads it");
            }
        }

        var last = network.Layers[^1].Name;
        graph.Output.Add(new ValueInfoProto { Name = last });
        var model = new ModelProto { IrVersion = 8, ProducerName = "CnnCost", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        return model.ToByteArray();
    }

    private static ValueInfoProto Input(InputLayer input)
    {
        var info = new ValueInfoProto { Name = input.Name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        info.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (var d in new long[] { input.Shape.Channels, input.Shape.Height, input.Shape.Width })
        {
            info.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return info;
    }

    private static string Initializer(GraphProto graph, string name, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = 1 };
        tensor.Dims.AddRange(dims);
        graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A node whose output tensor carries the node's (the layer's) name.</summary>
    private static NodeProto Node(string op, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = 7 };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>ONNX <c>pads</c>: the begin of each axis, then its end.</summary>
    private static AttributeProto Pads(Padding pad) =>
        Ints("pads", pad.Begin.Height, pad.Begin.Width, pad.End.Height, pad.End.Width);

    private static AttributeProto Int(string name, long value) => new() { Name = name, I = value, Type = 2 };
}
