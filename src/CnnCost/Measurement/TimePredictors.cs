using CnnCost.Graph;

namespace CnnCost.Measurement;

/// <summary>A prediction of how long a convolution takes on a device, set next to its measured time.</summary>
public interface ITimePredictor
{
    /// <summary>Where the predictions come from, in words.</summary>
    string Description { get; }

    /// <summary>The predicted time of one convolution.</summary>
    /// <param name="shape">The convolution.</param>
    /// <returns>Seconds.</returns>
    double Predict(ConvolutionShape shape);
}

/// <summary>
/// The roofline prediction on a device: <c>max(FLOPs / peak, bytes / bandwidth)</c>, with the fewest bytes the
/// convolution moves (Williams et al., "Roofline", 2009; the dissertation's 2.3.4 uses the same two ceilings). It is a
/// lower bound: a kernel that reaches it is as fast as the device allows.
/// </summary>
/// <param name="Device">The device's ceilings (measured by <see cref="IConvolutionEngine.MeasureCeilings"/> or published).</param>
public sealed record RooflinePredictor(Hardware.Device Device) : ITimePredictor
{
    /// <inheritdoc />
    public string Description => $"roofline of {Device}";

    /// <inheritdoc />
    public double Predict(ConvolutionShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Math.Max(shape.Flops / Device.PeakFlopsPerSecond, shape.MinimumBytes / Device.MemoryBytesPerSecond);
    }
}

/// <summary>The prediction of a <see cref="Measurement.Calibration"/> fitted on other networks' measured convolutions.</summary>
/// <param name="Calibration">The fitted model.</param>
/// <param name="Source">What it was fitted on (for example "nin,alexnet").</param>
public sealed record CalibratedPredictor(Calibration Calibration, string Source) : ITimePredictor
{
    /// <inheritdoc />
    public string Description => $"calibrated on {Source}: {Calibration}";

    /// <inheritdoc />
    public double Predict(ConvolutionShape shape) => Calibration.Predict(shape);

    /// <summary>
    /// Measures the convolutions of <paramref name="networks"/>, a few tiny overhead layers
    /// (<see cref="NetworkMeasurement.OverheadShapes"/>) and a few depthwise ones
    /// (<see cref="NetworkMeasurement.DepthwiseShapes"/>) with an engine and fits a
    /// <see cref="Measurement.Calibration"/> to them, counting bytes beyond the engine's last-level cache.
    /// </summary>
    /// <param name="engine">The engine (must be available).</param>
    /// <param name="networks">The networks to fit on (their convolutions only).</param>
    /// <param name="batch">The batch.</param>
    /// <param name="options">Warm-ups, repeats, seed and tolerance.</param>
    /// <param name="progress">Told each layer as it starts.</param>
    /// <returns>The calibrated predictor, its source the networks' names.</returns>
    /// <exception cref="ArgumentException">No network is given.</exception>
    /// <exception cref="VerificationException">A layer's output disagrees with the reference.</exception>
    /// <exception cref="CnnCostException">A layer's buffers do not fit at this batch; checked for every layer before any runs, the message names the network and layer.</exception>
    public static CalibratedPredictor Fit(IConvolutionEngine engine, IReadOnlyList<Network> networks, int batch, MeasureOptions options,
        IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(networks);
        if (networks.Count == 0)
        {
            throw new ArgumentException("a calibration needs at least one network", nameof(networks));
        }

        var shapes = networks
            .SelectMany(network => NetworkMeasurement.Shapes(network, batch, convolutionsOnly: true).Select(shape => (Label: $"{network.Name}/{shape.Name}", Shape: shape)))
            .Concat(NetworkMeasurement.OverheadShapes(batch).Concat(NetworkMeasurement.DepthwiseShapes(batch)).Select(shape => (Label: shape.Name, Shape: shape)))
            .ToList();
        // Every layer is checked before the first runs: a batch too large fails at once, naming the network and layer.
        foreach (var (label, shape) in shapes)
        {
            try
            {
                shape.EnsureBuffersFit();
            }
            catch (CnnCostException tooLarge)
            {
                throw new CnnCostException($"calibrating on {label}: {tooLarge.Message}", tooLarge);
            }
        }

        var timings = new List<ConvolutionTiming>();
        foreach (var (label, shape) in shapes)
        {
            progress?.Report($"calibrating on {label}");
            timings.Add(engine.Measure(shape, options));
        }

        return new CalibratedPredictor(Calibration.Fit(timings, engine.Device.LastLevelCacheBytes), string.Join(',', networks.Select(n => n.Name)));
    }
}
