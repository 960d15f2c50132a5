using System.Collections.Immutable;
using System.Runtime.InteropServices;
using CnnCost.Graph;

namespace CnnCost.Costs;

/// <summary>
/// Turns a <see cref="Network"/> into a <see cref="CostReport"/> with the equations of
/// <see cref="CostEquations"/>: per-layer parameters, activations and FLOPs for any batch, in inference or
/// training.
/// </summary>
public static class CostModel
{
    /// <summary>Analyses a network under <paramref name="options"/> (inference at batch 1 under its own conventions by default).</summary>
    /// <param name="network">The network.</param>
    /// <param name="options">Batch, phase and conventions; <see langword="null"/> for <see cref="AnalysisOptions.Default"/>.</param>
    /// <returns>The per-layer costs and totals.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch is below 1.</exception>
    /// <exception cref="NetworkDefinitionException">A shape does not fit under the chosen conventions; the message names the layer.</exception>
    /// <exception cref="CostOverflowException">A count exceeds 2^63-1; the message names the layer.</exception>
    public static CostReport Analyze(Network network, AnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= AnalysisOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Batch, 1, nameof(options.Batch));
        var conventions = options.Conventions ?? network.Conventions;
        if (!ReferenceEquals(options.Conventions, conventions))
        {
            options = options with { Conventions = conventions };
        }

        var shapes = ReferenceEquals(conventions, network.Conventions)
            ? ImmutableCollectionsMarshal.AsArray(network.OutputShapes)!
            : ShapeInference.InferAll(network, conventions);

        var layers = network.Layers;
        var rows = new LayerCost[layers.Length];
        long weights = 0, biases = 0, parameterBytes = 0, outputBytes = 0, activationBytes = 0, flops = 0, macs = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var layer = layers[i];
            try
            {
                var row = Row(layer, network.InputIndices(i), shapes, shapes[i], options.Batch, options.Phase, conventions);
                rows[i] = row;
                checked
                {
                    weights += row.Weights;
                    biases += row.Biases;
                    parameterBytes += row.ParameterBytes;
                    flops += row.Flops;
                    macs += row.Macs;
                    if (!row.InPlace)
                    {
                        outputBytes += row.OutputBytes;
                        activationBytes += row.Kind == LayerKind.Input ? 0 : row.OutputBytes;
                    }
                }
            }
            catch (OverflowException overflow)
            {
                throw new CostOverflowException(layer.Name, overflow);
            }
        }

        var totals = new CostTotals(weights, biases, parameterBytes, outputBytes, activationBytes, flops, macs);
        return new CostReport(network.Name, options, network.Input.Shape, ImmutableCollectionsMarshal.AsImmutableArray(rows), totals);
    }

    /// <summary>Scale values of a normalization: each normalized value's for layer norm, each channel's otherwise.</summary>
    private static long NormalizedValues(NormalizationLayer layer, Shape output)
    {
        if (layer.Method != NormalizationMethod.Layer)
        {
            return output.Channels;
        }

        long values = 1;
        for (var axis = layer.Axis; axis < output.Rank; axis++)
        {
            values = checked(values * output[axis]);
        }

        return values;
    }

    private static LayerCost Row(Layer layer, int[] inputIndices, Shape[] shapes, Shape output, int batch, Phase phase, Conventions conventions)
    {
        var inputShapes = new Shape[inputIndices.Length];
        for (var j = 0; j < inputShapes.Length; j++)
        {
            inputShapes[j] = shapes[inputIndices[j]];
        }

        var outputElements = CostEquations.OutputElements(output, batch);
        long weights = 0, biases = 0, flops = 0, macs = 0;
        switch (layer)
        {
            case ConvolutionLayer conv:
                weights = CostEquations.ConvolutionWeights(inputShapes[0].Channels, conv.Filters, conv.Kernel, conv.Groups);
                biases = conv.HasBias ? conv.Filters : 0;
                flops = CostEquations.ConvolutionFlops(weights, output, batch);
                macs = CostEquations.MultiplyAccumulates(weights, output, batch);
                break;
            case FullyConnectedLayer fc:
                weights = CostEquations.FullyConnectedWeights(inputShapes[0], fc.Outputs);
                biases = fc.HasBias ? fc.Outputs : 0;
                flops = CostEquations.FullyConnectedFlops(weights, batch);
                macs = CostEquations.MultiplyAccumulates(weights, output, batch);
                break;
            case PoolingLayer pool:
                var window = pool.IsGlobal ? inputShapes[0].Spatial : pool.Kernel;
                flops = CostEquations.PoolingOps(pool.Method, window, output, batch);
                break;
            case BatchNormLayer:
                weights = output.Channels;
                biases = output.Channels;
                flops = conventions.CountElementwiseOps ? outputElements : 0;
                break;
            case AddLayer:
                // One addition per output element for each input beyond the first.
                flops = conventions.CountElementwiseOps ? checked(outputElements * (inputShapes.Length - 1)) : 0;
                break;
            case ActivationLayer { Function: ActivationFunction.PReLU } prelu:
                weights = prelu.SharedSlope ? 1 : output.Channels;
                flops = conventions.CountElementwiseOps ? outputElements : 0;
                break;
            case ActivationLayer or DropoutLayer or LrnLayer or SoftmaxLayer:
                flops = conventions.CountElementwiseOps ? outputElements : 0;
                break;
            case ElementwiseLayer elementwise:
                weights = elementwise is { ConstantIsParameter: true, Constant: { } constant } ? constant.Elements : 0;
                flops = conventions.CountElementwiseOps ? CostEquations.ElementwiseOps(outputElements, elementwise.Operands) : 0;
                break;
            case ReductionLayer reduction:
                flops = conventions.CountElementwiseOps
                    ? CostEquations.ReductionOps(reduction.Operation, CostEquations.OutputElements(inputShapes[0], batch))
                    : 0;
                break;
            case NormalizationLayer normalization:
                if (normalization.Affine)
                {
                    weights = NormalizedValues(normalization, output);
                    biases = weights;
                }

                flops = conventions.CountElementwiseOps ? outputElements : 0;
                break;
            case MatMulLayer:
                flops = CostEquations.MatMulFlops(inputShapes[0][inputShapes[0].Rank - 1], outputElements);
                macs = flops / 2;
                break;
            case LinearLayer linear:
                var inner = inputShapes[0][inputShapes[0].Rank - 1];
                weights = CostEquations.LinearWeights(inner, linear.Outputs);
                biases = linear.HasBias ? linear.Outputs : 0;
                flops = CostEquations.MatMulFlops(inner, outputElements);
                macs = flops / 2;
                break;
            case DeconvolutionLayer deconv:
                weights = CostEquations.DeconvolutionWeights(inputShapes[0].Channels, deconv.Filters, deconv.Kernel, deconv.Groups);
                biases = deconv.HasBias ? deconv.Filters : 0;
                flops = CostEquations.DeconvolutionFlops(weights, inputShapes[0], batch);
                macs = flops / 2;
                break;
            case ResizeLayer resize:
                // Interpolation is counted as one element-wise operation per output value; the nearest value is a copy.
                flops = conventions.CountElementwiseOps && resize.Mode != ResizeMode.Nearest ? outputElements : 0;
                break;
            case ConstantLayer constantLayer:
                weights = constantLayer.IsParameter ? constantLayer.Value.Elements : 0;
                break;
        }

        if (phase == Phase.Training)
        {
            flops = CostEquations.TrainingFlops(flops);
            macs = CostEquations.TrainingFlops(macs);
        }

        var precision = conventions.Precision;
        // Stryker disable once Checked : weights < 2^62 here (their 2·weights FLOPs were checked above) and biases < 2^31, so the sum cannot overflow
        var parameterBytes = precision.BytesFor(conventions.CountBiases ? checked(weights + biases) : weights);
        // A reshape is a view of its input's buffer in every framework: it owns no memory.
        var inPlace = layer.Kind == LayerKind.Reshape || (conventions.InPlaceActivations && layer.Kind is LayerKind.Activation or LayerKind.Dropout);
        return new LayerCost(layer.Name, layer.Kind, ImmutableCollectionsMarshal.AsImmutableArray(inputShapes), output,
            weights, biases, parameterBytes, outputElements, precision.BytesFor(outputElements), flops, inPlace, macs);
    }
}
