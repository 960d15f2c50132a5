using CnnCost.Graph;

namespace CnnCost.Costs;

/// <summary>
/// The closed-form equations of the cost model (<c>shared/spec/cost-model.md</c> §2), one method each, with
/// their source in the dissertation. Every count is exact 64-bit integer arithmetic; an overflow throws
/// <see cref="OverflowException"/> instead of wrapping.
/// </summary>
public static class CostEquations
{
    /// <summary>
    /// Weights of a convolution: <c>ch/groups · numFilt · filterH · filterW</c> (dissertation Eq. 3.1 / 4.1,
    /// with groups dividing the channels each filter sees).
    /// </summary>
    /// <param name="inputChannels">Channels of the layer's input, <c>ch</c>.</param>
    /// <param name="filters">Number of filters, <c>numFilt</c>.</param>
    /// <param name="kernel">Filter height and width.</param>
    /// <param name="groups">Channel groups.</param>
    /// <returns>The weight count.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long ConvolutionWeights(int inputChannels, int filters, Size2 kernel, int groups) =>
        checked((long)(inputChannels / groups) * filters * kernel.Height * kernel.Width);

    /// <summary>
    /// FLOPs of a convolution, one multiply-add counted as 2:
    /// <c>2 · ch/groups · numFilt · filterH · filterW · outH · outW · batch</c> (dissertation Eq. 4.3 / 4.4).
    /// </summary>
    /// <param name="weights">The layer's weights, <c>ch/groups · numFilt · filterH · filterW</c>.</param>
    /// <param name="output">The output shape.</param>
    /// <param name="batch">Data items per batch.</param>
    /// <returns>The FLOPs of one forward pass over the batch.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long ConvolutionFlops(long weights, Shape output, int batch) =>
        checked(2 * weights * output.Height * output.Width * batch);

    /// <summary>
    /// Multiply-accumulates of a convolution or fully-connected layer: one per weight per output position per item,
    /// <c>weights · outH · outW · batch</c>, half the FLOPs of Eq. 4.3 (which counts a multiply-add as 2). This is
    /// the "MACs" or "mult-adds" of fvcore, ptflops and torchinfo; a fully-connected layer has a 1x1 output.
    /// </summary>
    /// <param name="weights">The layer's weights.</param>
    /// <param name="output">The output shape (only its height and width count).</param>
    /// <param name="batch">Data items per batch.</param>
    /// <returns>The multiply-accumulates of one forward pass over the batch.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long MultiplyAccumulates(long weights, Shape output, int batch) =>
        checked(weights * output.Height * output.Width * batch);

    /// <summary>
    /// Weights of a fully-connected layer, a convolution whose filter covers the whole input:
    /// <c>ch · dataH · dataW · outputs</c> (dissertation 4.2.1.2).
    /// </summary>
    /// <param name="input">The input shape (flattened by the layer).</param>
    /// <param name="outputs">Number of outputs.</param>
    /// <returns>The weight count.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long FullyConnectedWeights(Shape input, int outputs) =>
        checked(input.Elements * outputs);

    /// <summary>FLOPs of a fully-connected layer: <c>2 · weights · batch</c> (Eq. 4.3 with a 1x1 output).</summary>
    /// <param name="weights">The layer's weights.</param>
    /// <param name="batch">Data items per batch.</param>
    /// <returns>The FLOPs of one forward pass over the batch.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long FullyConnectedFlops(long weights, int batch) => checked(2 * weights * batch);

    /// <summary>
    /// Operations of a pooling layer: one per window element for max (a comparison), two for average (an
    /// addition and the share of the division): <c>k · filterH · filterW · outH · outW · channels · batch</c>,
    /// <c>k</c> = 1 or 2 (cost-model.md §2, calibrated on Table 4.2's pool3 = 0.644 GF and pool12 = 0.073 GF).
    /// A global pooling layer's window is its input's height and width.
    /// </summary>
    /// <param name="method">Max or average.</param>
    /// <param name="window">The window actually used (the input's extent when global).</param>
    /// <param name="output">The output shape.</param>
    /// <param name="batch">Data items per batch.</param>
    /// <returns>The operations of one forward pass over the batch.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long PoolingOps(PoolingMethod method, Size2 window, Shape output, int batch) =>
        checked((method == PoolingMethod.Average ? 2L : 1L) * window.Height * window.Width * output.Elements * batch);

    /// <summary>
    /// Operations of an element-wise layer with <paramref name="operands"/> operands, broadcast to the output: one per
    /// output value per operand beyond the first (the element-wise convention, cost-model.md §2, extended to
    /// broadcasting: a stretched operand is read again, not recomputed).
    /// </summary>
    /// <param name="outputElements">Output values over the batch.</param>
    /// <param name="operands">Operands, activations and constants together.</param>
    /// <returns>The operations of one forward pass over the batch.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long ElementwiseOps(long outputElements, int operands) => checked(outputElements * (operands - 1));

    /// <summary>
    /// Operations of a reduction: one per value read, two for a mean (an addition and the share of the division, as
    /// average pooling counts them) and for an L2 norm (a multiply and an addition): <c>k · inputElements</c>.
    /// </summary>
    /// <param name="operation">What the reduction computes.</param>
    /// <param name="inputElements">Input values over the batch.</param>
    /// <returns>The operations of one forward pass over the batch.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long ReductionOps(ReductionOperation operation, long inputElements) =>
        checked((operation is ReductionOperation.Mean or ReductionOperation.L2 ? 2L : 1L) * inputElements);

    /// <summary>
    /// FLOPs of a matrix product of two activations, one multiply-add counted as 2: <c>2 · K · outputElements</c>, every
    /// output value a dot product of length <c>K</c> (Eq. 4.3's convention applied to <c>A·B</c>).
    /// </summary>
    /// <param name="inner">The contracted extent <c>K</c>.</param>
    /// <param name="outputElements">Output values over the batch.</param>
    /// <returns>The FLOPs of one forward pass over the batch.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long MatMulFlops(int inner, long outputElements) => checked(2L * inner * outputElements);

    /// <summary>Weights of a per-position linear layer: <c>inputs · outputs</c> (a fully-connected layer over the last axis).</summary>
    /// <param name="inputs">The input's last extent, <c>K</c>.</param>
    /// <param name="outputs">Outputs per position.</param>
    /// <returns>The weight count.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long LinearWeights(int inputs, int outputs) => checked((long)inputs * outputs);

    /// <summary>
    /// Weights of a transposed convolution: <c>ch · numFilt/groups · filterH · filterW</c> (the convolution it transposes
    /// has the same weights, Eq. 3.1, with input and output channels exchanged).
    /// </summary>
    /// <param name="inputChannels">Channels of the layer's input.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernel">Kernel height and width.</param>
    /// <param name="groups">Channel groups.</param>
    /// <returns>The weight count.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long DeconvolutionWeights(int inputChannels, int filters, Size2 kernel, int groups) =>
        checked((long)inputChannels * (filters / groups) * kernel.Height * kernel.Width);

    /// <summary>
    /// FLOPs of a transposed convolution: every input position multiplies its values by the whole window of weights,
    /// <c>2 · weights · inH · inW · batch</c> (the gradient of Eq. 4.3 with respect to the data).
    /// </summary>
    /// <param name="weights">The layer's weights.</param>
    /// <param name="input">The input shape.</param>
    /// <param name="batch">Data items per batch.</param>
    /// <returns>The FLOPs of one forward pass over the batch.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long DeconvolutionFlops(long weights, Shape input, int batch) =>
        checked(2 * weights * input.Height * input.Width * batch);

    /// <summary>Output activations of a layer: <c>numFilt · outH · outW · batch</c> (dissertation Eq. 3.2).</summary>
    /// <param name="output">The output shape of one item.</param>
    /// <param name="batch">Data items per batch.</param>
    /// <returns>The number of output values.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long OutputElements(Shape output, int batch) => checked(output.Elements * batch);

    /// <summary>
    /// Training work of one step: forward, gradient with respect to the data and gradient with respect to the
    /// weights, each about one forward pass: <c>3 · inference FLOPs</c> (dissertation 4.3.3).
    /// </summary>
    /// <param name="inferenceFlops">FLOPs of the forward pass.</param>
    /// <returns>FLOPs of one training step.</returns>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public static long TrainingFlops(long inferenceFlops) => checked(3 * inferenceFlops);
}
