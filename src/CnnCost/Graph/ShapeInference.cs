namespace CnnCost.Graph;

/// <summary>
/// The one place where output shapes are computed. Everything else (costs, what-if, reports) reads the
/// shapes this class infers.
/// </summary>
public static class ShapeInference
{
    /// <summary>
    /// Output size along one axis, dissertation Eq. 4.2 with a selectable rounding:
    /// <c>out = round((in + 2·pad − dilation·(kernel−1) − 1) / stride) + 1</c>.
    /// With <see cref="RoundingRule.Ceiling"/>, a last window that would start inside the trailing padding is
    /// dropped, as Caffe and PyTorch do.
    /// </summary>
    /// <param name="input">Input extent.</param>
    /// <param name="kernel">Kernel extent.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="pad">Padding on each side.</param>
    /// <param name="dilation">Spacing of kernel taps (1 for a dense kernel).</param>
    /// <param name="rounding">Floor or ceiling.</param>
    /// <returns>The output extent, or a value below 1 when the kernel does not fit (the caller reports it).</returns>
    public static long OutputExtent(int input, int kernel, int stride, int pad, int dilation, RoundingRule rounding) =>
        OutputExtent(input, kernel, stride, pad, pad, dilation, rounding);

    /// <summary>
    /// Output size along one axis with different padding before and after the input (ONNX <c>pads</c>):
    /// <c>out = round((in + padBegin + padEnd − dilation·(kernel−1) − 1) / stride) + 1</c> (Eq. 4.2 with the two sides
    /// summed). With <see cref="RoundingRule.Ceiling"/>, a last window that would start past the input and the leading
    /// padding, wholly in the trailing padding, is dropped (Caffe's and PyTorch's rule, with the leading side's pad).
    /// </summary>
    /// <param name="input">Input extent.</param>
    /// <param name="kernel">Kernel extent.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padBegin">Padding before the input (top or left).</param>
    /// <param name="padEnd">Padding after the input (bottom or right).</param>
    /// <param name="dilation">Spacing of kernel taps (1 for a dense kernel).</param>
    /// <param name="rounding">Floor or ceiling.</param>
    /// <returns>The output extent, or a value below 1 when the kernel does not fit (the caller reports it).</returns>
    public static long OutputExtent(int input, int kernel, int stride, int padBegin, int padEnd, int dilation, RoundingRule rounding)
    {
        long effectiveKernel = (long)dilation * (kernel - 1) + 1;
        long span = (long)input + padBegin + padEnd - effectiveKernel;
        if (span < 0)
        {
            return 0;
        }

        var steps = rounding == RoundingRule.Floor ? span / stride : (span + stride - 1) / stride;
        if (rounding == RoundingRule.Ceiling && (padBegin > 0 || padEnd > 0) && steps * stride >= input + (long)padBegin)
        {
            steps--;
        }

        return steps + 1;
    }

    /// <summary>Infers the output shape of every layer of <paramref name="network"/> under <paramref name="conventions"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="conventions">The rounding rules to apply.</param>
    /// <returns>Output shapes in the order of <see cref="Network.Layers"/>.</returns>
    /// <exception cref="NetworkDefinitionException">A layer's output does not fit; the message names the layer and why.</exception>
    public static IReadOnlyList<Shape> Infer(Network network, Conventions conventions)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(conventions);
        return ReferenceEquals(conventions, network.Conventions) ? network.OutputShapes : InferAll(network, conventions);
    }

    internal static Shape[] InferAll(Network network, Conventions conventions)
    {
        var layers = network.Layers;
        var shapes = new Shape[layers.Length];
        for (var i = 0; i < shapes.Length; i++)
        {
            shapes[i] = OutputOf(layers[i], network.InputIndices(i), shapes, conventions);
        }

        return shapes;
    }

    /// <summary>The output shape of one layer given its input shapes (importers use it while they build a graph).</summary>
    internal static Shape OutputOf(Layer layer, IReadOnlyList<Shape> inputShapes, Conventions conventions)
    {
        var shapes = inputShapes.ToArray();
        return OutputOf(layer, [.. Enumerable.Range(0, shapes.Length)], shapes, conventions);
    }

    /// <summary>The output shape of one layer, given the shapes already inferred for the layers before it.</summary>
    internal static Shape OutputOf(Layer layer, int[] inputIndices, Shape[] shapes, Conventions conventions)
    {
        switch (layer)
        {
            case InputLayer input:
                return input.Shape;
            case ConvolutionLayer conv:
                {
                    var inShape = Image(conv.Name, shapes[inputIndices[0]]);
                    if (inShape.Channels % conv.Groups != 0)
                    {
                        throw new NetworkDefinitionException(conv.Name,
                            $"its {inShape.Channels} input channels are not divisible by groups {conv.Groups}");
                    }

                    var rounding = conv.Rounding ?? conventions.ConvolutionRounding;
                    var spatial = Window(conv.Name, inShape, conv.Kernel, conv.Stride, conv.Padding, conv.Dilation, rounding);
                    return new Shape(conv.Filters, spatial.Height, spatial.Width);
                }

            case FullyConnectedLayer fc:
                // A vector in, a vector out (ONNX's Gemm after a flatten); otherwise the dissertation's ch x 1 x 1.
                return shapes[inputIndices[0]].Rank == 1 ? Shape.Of(fc.Outputs) : new Shape(fc.Outputs, 1, 1);
            case PoolingLayer pool:
                {
                    var inShape = Image(pool.Name, shapes[inputIndices[0]]);
                    if (pool.IsGlobal)
                    {
                        return new Shape(inShape.Channels, 1, 1);
                    }

                    var rounding = pool.Rounding ?? conventions.PoolingRounding;
                    var spatial = Window(pool.Name, inShape, pool.Kernel, pool.Stride, pool.Padding, 1, rounding);
                    return new Shape(inShape.Channels, spatial.Height, spatial.Width);
                }

            case ConcatLayer concat:
                return TensorShapes.Concat(concat, inputIndices, shapes);

            case AddLayer add:
                {
                    var first = shapes[inputIndices[0]];
                    for (var j = 1; j < inputIndices.Length; j++)
                    {
                        var shape = shapes[inputIndices[j]];
                        if (shape != first)
                        {
                            throw new NetworkDefinitionException(add.Name,
                                $"its inputs differ in shape: '{add.Inputs[0]}' is {first}, '{add.Inputs[j]}' is {shape}");
                        }
                    }

                    return first;
                }

            case LrnLayer lrn:
                return Image(lrn.Name, shapes[inputIndices[0]]);
            case BatchNormLayer or SoftmaxLayer or NormalizationLayer:
                return TensorShapes.WithAxis(layer, shapes[inputIndices[0]]);
            case ActivationLayer or DropoutLayer:
                return shapes[inputIndices[0]];
            default:
                return TensorShapes.OutputOf(layer, inputIndices, shapes);
        }
    }

    /// <summary>The input of a layer that needs an image (convolution, pooling, LRN): rank 3, or the reason it is not.</summary>
    internal static Shape Image(string layer, Shape input) =>
        input.IsImage
            ? input
            : throw new NetworkDefinitionException(layer, $"it needs a channels x height x width image, but its input is {input} (rank {input.Rank})");

    private static Size2 Window(string layer, Shape input, Size2 kernel, Size2 stride, Padding pad, Size2 dilation, RoundingRule rounding)
    {
        var height = Extent(layer, "height", input.Height, kernel.Height, stride.Height, pad.Begin.Height, pad.End.Height, dilation.Height, rounding);
        var width = Extent(layer, "width", input.Width, kernel.Width, stride.Width, pad.Begin.Width, pad.End.Width, dilation.Width, rounding);
        return new Size2(height, width);
    }

    private static int Extent(string layer, string axis, int input, int kernel, int stride, int padBegin, int padEnd, int dilation, RoundingRule rounding)
    {
        // Under Eq. 4.2 the output is below 1 exactly when the (dilated) kernel exceeds the padded input.
        long effectiveKernel = (long)dilation * (kernel - 1) + 1;
        long padded = (long)input + padBegin + padEnd;
        var padText = padBegin == padEnd ? $"pad {padBegin}" : $"pads {padBegin} and {padEnd}";
        if (effectiveKernel > padded)
        {
            throw new NetworkDefinitionException(layer,
                $"its output {axis} would be below 1: kernel {axis} {effectiveKernel} is larger than the padded input {axis} {padded} (input {input}, {padText})");
        }

        var output = OutputExtent(input, kernel, stride, padBegin, padEnd, dilation, rounding);
        return output <= int.MaxValue
            ? (int)output
            : throw new NetworkDefinitionException(layer, $"its output {axis} {output} exceeds 2^31-1 (input {input}, {padText})");
    }
}
