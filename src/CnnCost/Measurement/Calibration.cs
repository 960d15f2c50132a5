using MathNet.Numerics.LinearRegression;

namespace CnnCost.Measurement;

/// <summary>
/// A per-layer time model fitted to measurements: <c>time ≈ a·FLOPs + b·bytes + c</c>, with bytes the fewest a
/// convolution moves (input, weights and output once), fitted by non-negative least squares: every subset of the
/// three terms is solved by QR with MathNet.Numerics, and the best fit whose coefficients are all non-negative wins
/// (a negative cost per FLOP, byte or layer would predict negative times for layers unlike the calibration's).
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

        var features = timings.Select(t => new[] { (double)t.Shape.Flops, t.Shape.MinimumBytes, 1.0 }).ToArray();
        var y = timings.Select(t => t.MedianSeconds).ToArray();
        double[]? best = null;
        var bestResidual = double.PositiveInfinity;
        for (var subset = 1; subset < 8; subset++)
        {
            var columns = Enumerable.Range(0, 3).Where(j => (subset & (1 << j)) != 0).ToArray();
            if (columns.Length > timings.Count)
            {
                continue;
            }

            var x = features.Select(row => columns.Select(j => row[j]).ToArray()).ToArray();
            double[] fitted;
            try
            {
                fitted = MultipleRegression.QR(x, y, intercept: false);
            }
            catch (ArgumentException)
            {
                continue; // a rank-deficient subset: another one covers it
            }

            if (fitted.Any(v => v < 0 || !double.IsFinite(v)))
            {
                continue;
            }

            var coefficients = new double[3];
            for (var i = 0; i < columns.Length; i++)
            {
                coefficients[columns[i]] = fitted[i];
            }

            var residual = features.Select((row, i) => Math.Pow(row[0] * coefficients[0] + row[1] * coefficients[1] + coefficients[2] - y[i], 2)).Sum();
            if (residual < bestResidual)
            {
                (best, bestResidual) = (coefficients, residual);
            }
        }

        best ??= [y.Sum() / features.Sum(row => row[0]), 0, 0];
        return new Calibration(best[0], best[1], best[2], timings.Count);
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
