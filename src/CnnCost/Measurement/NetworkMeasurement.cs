using System.Collections.Immutable;
using CnnCost.Graph;

namespace CnnCost.Measurement;

/// <summary>One measured layer next to its prediction.</summary>
/// <param name="Timing">The verified timing.</param>
/// <param name="PredictedSeconds">The prediction (calibrated model or roofline).</param>
public sealed record MeasuredLayer(ConvolutionTiming Timing, double PredictedSeconds)
{
    /// <summary>Prediction over measurement, minus one.</summary>
    public double RelativeError => PredictedSeconds / Timing.MedianSeconds - 1;
}

/// <summary>A network's convolution and fully-connected layers, measured and predicted.</summary>
/// <param name="Model">The network.</param>
/// <param name="Engine">The engine's name.</param>
/// <param name="Device">The engine's device.</param>
/// <param name="Selection">How the engine chose its device and why the alternatives were not used (empty when there was no choice).</param>
/// <param name="Batch">The batch.</param>
/// <param name="Predictor">How predictions were made.</param>
/// <param name="Layers">One row per measured layer.</param>
public sealed record MeasurementReport(string Model, string Engine, EngineDevice Device, string Selection, int Batch, ITimePredictor Predictor, ImmutableArray<MeasuredLayer> Layers)
{
    /// <summary>How predictions were made, in words.</summary>
    public string Prediction => Predictor.Description;

    /// <summary>Sum of the measured medians.</summary>
    public double MeasuredSeconds => Layers.Sum(l => l.Timing.MedianSeconds);

    /// <summary>Sum of the predictions.</summary>
    public double PredictedSeconds => Layers.Sum(l => l.PredictedSeconds);

    /// <summary>FLOPs of every measured layer.</summary>
    public long Flops => Layers.Sum(l => l.Timing.Shape.Flops);

    /// <summary>FLOPs over the measured time of all layers.</summary>
    public double AchievedFlopsPerSecond => Flops / MeasuredSeconds;

    /// <summary>Predicted over measured time, minus 1: positive when the prediction is too slow.</summary>
    public double RelativeError => PredictedSeconds / MeasuredSeconds - 1;
}

/// <summary>Measures a network layer by layer with an engine and sets each time next to a prediction.</summary>
public static class NetworkMeasurement
{
    /// <summary>The convolution and fully-connected layers of a network as shapes to run.</summary>
    /// <param name="network">The network.</param>
    /// <param name="batch">The batch.</param>
    /// <param name="convolutionsOnly">Leave the fully-connected layers out (calibrations use convolutions only).</param>
    /// <returns>The shapes, in layer order.</returns>
    public static ImmutableArray<ConvolutionShape> Shapes(Network network, int batch, bool convolutionsOnly = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        return [.. network.Layers.Select((layer, i) => (layer, i))
            .Where(x => x.layer is ConvolutionLayer || (!convolutionsOnly && x.layer is FullyConnectedLayer))
            .Select(x => ConvolutionShape.Of(x.layer, network.OutputShapes[network.InputIndicesOf(x.i)[0]], batch))];
    }

    /// <summary>
    /// Fails before anything is allocated when a layer of <paramref name="network"/> at <paramref name="batch"/> needs
    /// more than an array holds or the memory available (<see cref="ConvolutionShape.EnsureBuffersFit"/>), so a batch too
    /// large fails at once, naming the layer, instead of after the layers before it have run.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="batch">The batch.</param>
    /// <exception cref="CnnCostException">A layer's buffers do not fit; the message names it.</exception>
    public static void EnsureBuffersFit(Network network, int batch) => EnsureBuffersFit(Shapes(network, batch));

    private static void EnsureBuffersFit(ImmutableArray<ConvolutionShape> shapes)
    {
        foreach (var shape in shapes)
        {
            shape.EnsureBuffersFit();
        }
    }

    /// <summary>Measures every convolution and fully-connected layer.</summary>
    /// <param name="network">The network.</param>
    /// <param name="engine">The engine (must be available).</param>
    /// <param name="batch">The batch.</param>
    /// <param name="options">Warm-ups, repeats, seed, tolerance.</param>
    /// <param name="predictor">The prediction set next to each measurement (<see cref="RooflinePredictor"/>, <see cref="CalibratedPredictor"/>).</param>
    /// <param name="progress">Told each layer's name as it starts.</param>
    /// <returns>The report.</returns>
    /// <exception cref="VerificationException">A layer's output disagrees with the reference.</exception>
    /// <exception cref="CnnCostException">A layer's buffers exceed what an array holds or the memory available; checked for every layer before any is run.</exception>
    /// <exception cref="InvalidOperationException">The engine is not available.</exception>
    public static MeasurementReport Measure(Network network, IConvolutionEngine engine, int batch, MeasureOptions options,
        ITimePredictor predictor, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(predictor);
        var device = engine.Device;
        var shapes = Shapes(network, batch);
        EnsureBuffersFit(shapes);

        var layers = ImmutableArray.CreateBuilder<MeasuredLayer>();
        foreach (var shape in shapes)
        {
            progress?.Report(shape.Name);
            var timing = engine.Measure(shape, options);
            layers.Add(new MeasuredLayer(timing, predictor.Predict(shape)));
        }

        return new MeasurementReport(network.Name, engine.Name, device, engine.Availability.Reason, batch, predictor, layers.ToImmutable());
    }

    /// <summary>
    /// A few tiny convolutions whose times are little more than an engine's fixed cost per layer: a calibration that
    /// includes them measures its per-layer constant instead of guessing it from large layers (<see cref="Calibration"/>).
    /// </summary>
    /// <param name="batch">The batch, as for the calibration's other layers.</param>
    /// <returns>The shapes.</returns>
    public static ImmutableArray<ConvolutionShape> OverheadShapes(int batch) =>
    [
        new ConvolutionShape("overhead/1x1x1", batch, new Shape(1, 1, 1), 1, 1, 1, 0, 1, 1),
        new ConvolutionShape("overhead/8x8x8", batch, new Shape(8, 8, 8), 8, 1, 1, 0, 1, 1),
        new ConvolutionShape("overhead/16x8x8-3x3", batch, new Shape(16, 8, 8), 16, 3, 1, 1, 1, 1),
    ];

    /// <summary>
    /// A few depthwise convolutions of MobileNet-like sizes (3x3, stride 1 and 2, from 32 channels at 56x56 to 576 at
    /// 14x14): a calibration that includes them fits the engine's depthwise rate (<see cref="Calibration"/>) even when
    /// the networks it is fitted on have no depthwise layer.
    /// </summary>
    /// <param name="batch">The batch, as for the calibration's other layers.</param>
    /// <returns>The shapes.</returns>
    public static ImmutableArray<ConvolutionShape> DepthwiseShapes(int batch) =>
    [
        new ConvolutionShape("depthwise/32x56x56", batch, new Shape(32, 56, 56), 32, 3, 1, 1, 1, 32),
        new ConvolutionShape("depthwise/144x56x56-s2", batch, new Shape(144, 56, 56), 144, 3, 2, 1, 1, 144),
        new ConvolutionShape("depthwise/192x28x28", batch, new Shape(192, 28, 28), 192, 3, 1, 1, 1, 192),
        new ConvolutionShape("depthwise/576x14x14", batch, new Shape(576, 14, 14), 576, 3, 1, 1, 1, 576),
    ];
}
