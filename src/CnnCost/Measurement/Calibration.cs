using MathNet.Numerics.LinearRegression;

namespace CnnCost.Measurement;

/// <summary>
/// A per-layer time model fitted to measurements: <c>time ≈ a·FLOPs + d·depthwise FLOPs + b·bytes + c</c>. Depthwise
/// convolutions (one input channel per filter) do a few FLOPs per value they read, so every engine runs them far
/// below its GEMM rate: their FLOPs get their own coefficient <c>d</c>, and the others <c>a</c>. The bytes are the
/// fewest a convolution moves (input, weights and output once), counted only when they cannot stay in the device's
/// last-level cache: a layer timed again, as every measurement is, finds data that fits still in the cache, and
/// charging it memory time over-predicts small layers by up to 2x. The fit is least squares on <em>relative</em>
/// errors (each layer's equation divided by its measured time, solved by QR with MathNet.Numerics), so a 100 ms layer
/// does not outweigh twenty 2 ms ones, and no coefficient is negative: every subset of the four terms is fitted and
/// the one with the smallest relative residual among the non-negative fits is kept (fewer terms on a tie). Timings of
/// a few tiny layers (<see cref="NetworkMeasurement.OverheadShapes"/>) among the calibration's pin the per-layer
/// constant down to the engine's real overhead instead of letting it absorb the large layers' misfit, and a few
/// depthwise layers (<see cref="NetworkMeasurement.DepthwiseShapes"/>) give <c>d</c> a value even when the networks
/// fitted on have none.
/// </summary>
/// <param name="SecondsPerFlop">The coefficient <c>a</c> (1/a is the achieved FLOP/s of large layers).</param>
/// <param name="SecondsPerByte">The coefficient <c>b</c>, per byte moved to or from memory.</param>
/// <param name="SecondsPerLayer">The constant <c>c</c>: launch and threading overhead per layer.</param>
/// <param name="CacheBytes">The last-level cache the bytes are counted beyond; 0 counts every byte.</param>
/// <param name="Samples">How many timings it was fitted to.</param>
/// <param name="SecondsPerDepthwiseFlop">The coefficient <c>d</c>, per FLOP of a depthwise convolution (0 when no depthwise layer was timed).</param>
public sealed record Calibration(double SecondsPerFlop, double SecondsPerByte, double SecondsPerLayer, long CacheBytes, int Samples, double SecondsPerDepthwiseFlop = 0)
{
    private const int Terms = 4;

    /// <summary>Relative residuals closer than this are a tie.</summary>
    private const double Tie = 1e-9;

    /// <summary>Fits the model to timings.</summary>
    /// <param name="timings">At least three timings of different shapes.</param>
    /// <param name="cacheBytes">The device's last-level cache (<see cref="EngineDevice.LastLevelCacheBytes"/> of the engine's device); 0 counts every byte.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Fewer than three timings, a time that is not positive, or a negative cache size.</exception>
    public static Calibration Fit(IReadOnlyList<ConvolutionTiming> timings, long cacheBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(timings);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheBytes);
        if (timings.Count < 3)
        {
            throw new ArgumentException($"a calibration needs at least 3 timings, got {timings.Count}", nameof(timings));
        }

        if (timings.FirstOrDefault(t => !(t.MedianSeconds > 0)) is { } bad)
        {
            throw new ArgumentException($"layer '{bad.Shape.Name}' has a median time of {bad.MedianSeconds} s; a calibration needs positive times", nameof(timings));
        }

        var rows = timings.Select(t => Row(t.Shape, cacheBytes)).ToArray();
        var times = timings.Select(t => t.MedianSeconds).ToArray();
        (double[] Coefficients, double Residual, int Terms)? best = null;
        for (var subset = 1; subset < 1 << Terms; subset++)
        {
            if (FitSubset(rows, times, subset) is not { } coefficients)
            {
                continue;
            }

            var residual = Math.Sqrt(rows.Select((row, i) => Math.Pow(Predict(row, coefficients) / times[i] - 1, 2)).Average());
            var terms = System.Numerics.BitOperations.PopCount((uint)subset);
            if (best is null || residual < best.Value.Residual - Tie || Math.Abs(residual - best.Value.Residual) <= Tie && terms < best.Value.Terms)
            {
                best = (coefficients, residual, terms);
            }
        }

        // FLOPs alone always fits non-negatively when times are positive, so there is always a best.
        var chosen = best!.Value.Coefficients;
        return new Calibration(chosen[0], chosen[1], chosen[2], cacheBytes, timings.Count, chosen[3]);
    }

    /// <summary>Relative least squares of the terms in <paramref name="subset"/>; null when rank-deficient or a coefficient is negative.</summary>
    private static double[]? FitSubset(double[][] rows, double[] times, int subset)
    {
        var columns = Enumerable.Range(0, Terms).Where(j => (subset & (1 << j)) != 0).ToArray();
        if (columns.Length > rows.Length)
        {
            return null;
        }

        // Dividing each equation by its measured time makes the residual the relative error: every row's target is 1.
        var x = rows.Select((row, i) => columns.Select(j => row[j] / times[i]).ToArray()).ToArray();
        var y = rows.Select(_ => 1.0).ToArray();
        double[] fitted;
        try
        {
            fitted = MultipleRegression.QR(x, y, intercept: false);
        }
        catch (ArgumentException)
        {
            return null; // rank-deficient: another subset covers it
        }

        if (fitted.Any(v => v < 0 || !double.IsFinite(v)))
        {
            return null;
        }

        var coefficients = new double[Terms];
        for (var i = 0; i < columns.Length; i++)
        {
            coefficients[columns[i]] = fitted[i];
        }

        return coefficients;
    }

    /// <summary>A shape's terms: FLOPs of any but a depthwise convolution, bytes charged, 1, depthwise FLOPs.</summary>
    private static double[] Row(ConvolutionShape shape, long cacheBytes) => shape.IsDepthwise
        ? [0, MemoryBytes(shape, cacheBytes), 1, shape.Flops]
        : [shape.Flops, MemoryBytes(shape, cacheBytes), 1, 0];

    private static double Predict(double[] row, double[] coefficients) =>
        row[0] * coefficients[0] + row[1] * coefficients[1] + row[2] * coefficients[2] + row[3] * coefficients[3];

    /// <summary>The bytes of a convolution the model charges: its fewest bytes, or none when they fit in the cache.</summary>
    /// <param name="shape">The convolution.</param>
    /// <param name="cacheBytes">The last-level cache; 0 charges every byte.</param>
    /// <returns>Bytes.</returns>
    public static double MemoryBytes(ConvolutionShape shape, long cacheBytes)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.MinimumBytes > cacheBytes ? shape.MinimumBytes : 0;
    }

    /// <summary>The predicted time of one convolution.</summary>
    /// <param name="shape">The convolution.</param>
    /// <returns>Seconds.</returns>
    public double Predict(ConvolutionShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Predict(Row(shape, CacheBytes), [SecondsPerFlop, SecondsPerByte, SecondsPerLayer, SecondsPerDepthwiseFlop]);
    }

    /// <summary>The model in words.</summary>
    public override string ToString() =>
        (SecondsPerFlop > 0 ? $"{1 / SecondsPerFlop / 1e9:0.#} GFLOP/s" : "no FLOP term")
        + (SecondsPerDepthwiseFlop > 0 ? $" ({1 / SecondsPerDepthwiseFlop / 1e9:0.#} GFLOP/s depthwise)" : "")
        + $", {SecondsPerByte * 1e9:0.###} ns/byte"
        + (CacheBytes > 0 ? $" beyond a {CacheBytes / 1048576.0:0.#} MiB cache" : "")
        + $", {SecondsPerLayer * 1e6:0.#} µs/layer ({Samples} layers)";
}
