using MathNet.Numerics.LinearRegression;

namespace CnnCost.Measurement;

/// <summary>
/// A per-layer time model fitted to measurements: <c>time ≈ a·FLOPs + b·bytes + c</c>, with bytes the fewest a
/// convolution moves (input, weights and output once), fitted by least squares (QR) with MathNet.Numerics.
/// </summary>
/// <param name="SecondsPerFlop">The coefficient <c>a</c> (1/a is the achieved FLOP/s of large layers).</param>
/// <param name="SecondsPerByte">The coefficient <c>b</c>.</param>
/// <param name="SecondsPerLayer">The constant <c>c</c>: launch and threading overhead per layer.</param>
/// <param name="Samples">How many timings it was fitted to.</param>
public sealed record Calibration(double SecondsPerFlop, double SecondsPerByte, double SecondsPerLayer, int Samples)
{
    /// <summary>Fits the model to timings.</summary>
    /// <param name="timings">At least three timings of different shapes.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Fewer than three timings.</exception>
    public static Calibration Fit(IReadOnlyList<ConvolutionTiming> timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        if (timings.Count < 3)
        {
            throw new ArgumentException($"a calibration needs at least 3 timings, got {timings.Count}", nameof(timings));
        }

        // Ordinary least squares on (FLOPs, bytes, 1) -> seconds, solved by QR.
        var x = timings.Select(t => new[] { (double)t.Shape.Flops, t.Shape.MinimumBytes, 1.0 }).ToArray();
        var y = timings.Select(t => t.MedianSeconds).ToArray();
        var p = MultipleRegression.QR(x, y, intercept: false);
        return new Calibration(p[0], p[1], p[2], timings.Count);
    }

    /// <summary>The predicted time of one convolution.</summary>
    /// <param name="shape">The convolution.</param>
    /// <returns>Seconds.</returns>
    public double Predict(ConvolutionShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return SecondsPerFlop * shape.Flops + SecondsPerByte * shape.MinimumBytes + SecondsPerLayer;
    }
}
