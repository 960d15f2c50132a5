using System.Globalization;
using System.Text;
using CnnCost.Graph;

namespace CnnCost.Import;

/// <summary>
/// Writes a <see cref="Network"/> as Caffe prototxt that <see cref="CaffeImporter"/> reads back to the same
/// network: an Input layer, one layer per CnnCost layer (batch norm as BatchNorm plus an in-place Scale), pooling
/// that floors written with <c>round_mode: FLOOR</c>. Each layer's top blob carries its name.
/// </summary>
public static class CaffeWriter
{
    /// <summary>Writes the network.</summary>
    /// <param name="network">The network.</param>
    /// <returns>The prototxt text.</returns>
    /// <exception cref="CnnCostException">The network rounds convolution outputs up or pads a window unevenly, which Caffe cannot express.</exception>
    public static string Write(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"name: \"{Escape(network.Name)}\"\n");
        foreach (var layer in network.Layers)
        {
            text.Append("layer {\n");
            Line(text, "name", Quoted(layer.Name));
            Line(text, "type", Quoted(TypeOf(layer)));
            foreach (var input in layer.Inputs)
            {
                Line(text, "bottom", Quoted(input));
            }

            Line(text, "top", Quoted(layer.Name));
            WriteParameters(text, layer, network.Conventions);
            text.Append("}\n");
            if (layer is BatchNormLayer)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"layer {{\n  name: {Quoted(layer.Name + "_scale")}\n  type: \"Scale\"\n  bottom: {Quoted(layer.Name)}\n  top: {Quoted(layer.Name)}\n  scale_param {{ bias_term: true }}\n}}\n");
            }
        }

        return text.ToString();
    }

    private static string TypeOf(Layer layer) => layer switch
    {
        InputLayer => "Input",
        ConvolutionLayer => "Convolution",
        FullyConnectedLayer => "InnerProduct",
        PoolingLayer => "Pooling",
        ActivationLayer a => a.Function switch
        {
            ActivationFunction.ReLU or ActivationFunction.LeakyReLU => "ReLU",
            ActivationFunction.ReLU6 => "ReLU6",
            ActivationFunction.PReLU => "PReLU",
            ActivationFunction.Sigmoid => "Sigmoid",
            ActivationFunction.Tanh => "TanH",
            _ => Unwritable(layer),
        },
        DropoutLayer => "Dropout",
        BatchNormLayer => "BatchNorm",
        LrnLayer => "LRN",
        ConcatLayer { Axis: 0 } => "Concat",
        AddLayer { Operation: ElementwiseOperation.Sum or ElementwiseOperation.Product or ElementwiseOperation.Max } => "Eltwise",
        SoftmaxLayer { Axis: 0 } => "Softmax",
        _ => Unwritable(layer),
    };

    private static string Unwritable(Layer layer) =>
        throw new CnnCostException($"layer '{layer.Name}': a {layer.Kind} layer of this kind cannot be written to a Caffe prototxt");

    private static void WriteParameters(StringBuilder text, Layer layer, Conventions conventions)
    {
        switch (layer)
        {
            case InputLayer input:
                text.Append(CultureInfo.InvariantCulture,
                    $"  input_param {{ shape {{ dim: 1 dim: {input.Shape.Channels} dim: {input.Shape.Height} dim: {input.Shape.Width} }} }}\n");
                break;
            case ConvolutionLayer c:
                if ((c.Rounding ?? conventions.ConvolutionRounding) == RoundingRule.Ceiling)
                {
                    throw new CnnCostException($"layer '{c.Name}': its output size rounds up (Eq. 4.2), which a Caffe convolution cannot express");
                }

                SymmetricOrFail(c.Name, c.Padding);

                text.Append(CultureInfo.InvariantCulture,
                    $"  convolution_param {{ num_output: {c.Filters} kernel_h: {c.Kernel.Height} kernel_w: {c.Kernel.Width} stride_h: {c.Stride.Height} stride_w: {c.Stride.Width} pad_h: {c.Pad.Height} pad_w: {c.Pad.Width} group: {c.Groups} ");
                if (c.Dilation != new Size2(1, 1))
                {
                    text.Append(CultureInfo.InvariantCulture, $"dilation: {c.Dilation.Height} dilation: {c.Dilation.Width} ");
                }

                text.Append(CultureInfo.InvariantCulture, $"bias_term: {(c.HasBias ? "true" : "false")} }}\n");
                break;
            case FullyConnectedLayer fc:
                text.Append(CultureInfo.InvariantCulture, $"  inner_product_param {{ num_output: {fc.Outputs} bias_term: {(fc.HasBias ? "true" : "false")} }}\n");
                break;
            case PoolingLayer p:
                var method = p.Method == PoolingMethod.Max ? "MAX" : "AVE";
                if (p.IsGlobal)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  pooling_param {{ pool: {method} global_pooling: true }}\n");
                    break;
                }

                SymmetricOrFail(p.Name, p.Padding);
                var floor = (p.Rounding ?? conventions.PoolingRounding) == RoundingRule.Floor;
                text.Append(CultureInfo.InvariantCulture,
                    $"  pooling_param {{ pool: {method} kernel_h: {p.Kernel.Height} kernel_w: {p.Kernel.Width} stride_h: {p.Stride.Height} stride_w: {p.Stride.Width} pad_h: {p.Pad.Height} pad_w: {p.Pad.Width}{(floor ? " round_mode: FLOOR" : "")} }}\n");
                break;
            case ActivationLayer { Function: ActivationFunction.LeakyReLU }:
                text.Append("  relu_param { negative_slope: 0.01 }\n");
                break;
            case ActivationLayer { Function: ActivationFunction.PReLU } prelu:
                text.Append(CultureInfo.InvariantCulture, $"  prelu_param {{ channel_shared: {(prelu.SharedSlope ? "true" : "false")} }}\n");
                break;
            case DropoutLayer d:
                text.Append(CultureInfo.InvariantCulture, $"  dropout_param {{ dropout_ratio: {d.Ratio.ToString("R", CultureInfo.InvariantCulture)} }}\n");
                break;
            case LrnLayer lrn:
                text.Append(CultureInfo.InvariantCulture, $"  lrn_param {{ local_size: {lrn.LocalSize} }}\n");
                break;
            case AddLayer add:
                text.Append(CultureInfo.InvariantCulture, $"  eltwise_param {{ operation: {add.Operation switch { ElementwiseOperation.Product => "PROD", ElementwiseOperation.Max => "MAX", _ => "SUM" }} }}\n");
                break;
        }
    }

    private static void SymmetricOrFail(string layer, Padding pad)
    {
        if (!pad.IsSymmetric)
        {
            throw new CnnCostException($"layer '{layer}': its padding {pad} differs before and after the input, which Caffe's pad_h and pad_w cannot express");
        }
    }

    private static void Line(StringBuilder text, string field, string value) =>
        text.Append(CultureInfo.InvariantCulture, $"  {field}: {value}\n");

    private static string Quoted(string value) => $"\"{Escape(value)}\"";

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
