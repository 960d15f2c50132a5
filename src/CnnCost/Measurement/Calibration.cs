using MathNet.Numerics.LinearRegression;

namespace CnnCost.Measurement;

/// <summary>
/// A per-layer time model fitted to measurements: <c>time ≈ a·FLOPs + b·bytes + c</c>, with bytes the fewest a
/// convolution moves (input, weights and output once). The fit is least squares on <em>relative</em> errors (each
/// layer's equation divided by its measured time, solved by QR with MathNet.Numerics), so a 100 ms layer does not
/// outweigh twenty 2 ms ones; coefficients are never negative (a negative cost per FLOP, byte or layer would predict
/// negative times for layers unlike the calibration's). Which of the three terms the model keeps is decided by how
/// well each choice predicts layers it was not fitted on: leave-one-network-out cross-validation when the timings
/// come from two or more networks (the question a calibration answers is how another network will run), the
/// residual otherwise.
/// </summary>
/// <param name="SecondsPerFlop">The coefficient <c>a</c> (1/a is the achieved FLOP/s of large layers).</param>
/// <param name="SecondsPerByte">The coefficient <c>b</c>.</param>
/// <param name="SecondsPerLayer">The constant <c>c</c>: launch and threading overhead per layer.</param>
/// <param name="Samples">How many timings it was fitted to.</param>
/// <param name="CrossValidationError">
/// With two or more networks, the root-mean-square relative error of the chosen terms on the layers of each network
/// when fitted on the others; null otherwise.
/// </param>
public sealed record Calibration(double SecondsPerFlop, double SecondsPerByte, double SecondsPerLayer, int Samples, double? CrossValidationError = null)
{
    private const int Terms = 3;

    /// <summary>Relative errors closer than this are a tie.</summary>
    private const double Tie = 1e-9;

    /// <summary>Fits the model to timings.</summary>
    /// <param name="timings">At least three timings of different shapes.</param>
    /// <param name="networks">The network each timing comes from (same length), for cross-validation; null when unknown.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Fewer than three timings, a timing that is not positive, or networks of another length.</exception>
    public static Calibration Fit(IReadOnlyList<ConvolutionTiming> timings, IReadOnlyList<string>? networks = null)
    {
        ArgumentNullException.ThrowIfNull(timings);
        if (timings.Count < 3)
        {
            throw new ArgumentException($"a calibration needs at least 3 timings, got {timings.Count}", nameof(timings));
        }

        if (networks is not null && networks.Count != timings.Count)
        {
            throw new ArgumentException($"{networks.Count} network names for {timings.Count} timings", nameof(networks));
        }

        if (timings.FirstOrDefault(t => !(t.MedianSeconds > 0)) is { } bad)
        {
            throw new ArgumentException($"layer '{bad.Shape.Name}' has a median time of {bad.MedianSeconds} s; a calibration needs positive times", nameof(timings));
        }

        var rows = timings.Select(t => new[] { (double)t.Shape.Flops, t.Shape.MinimumBytes, 1.0 }).ToArray();
        var times = timings.Select(t => t.MedianSeconds).ToArray();
        var all = Enumerable.Range(0, rows.Length).ToArray();
        var folds = networks?.Distinct().Select(held => Enumerable.Range(0, rows.Length).Where(i => networks[i] == held).ToArray()).ToArray() ?? [];
        (double[] Coefficients, double Score, int Terms)? best = null;
        double? bestCrossValidation = null;
        for (var subset = 1; subset < 1 << Terms; subset++)
        {
            var coefficients = FitSubset(rows, times, all, subset);
            if (coefficients is null)
            {
                continue;
            }

            var crossValidation = folds.Length >= 2 ? CrossValidate(rows, times, folds, subset) : null;
            if (folds.Length >= 2 && crossValidation is null)
            {
                continue; // some fold needs a negative coefficient: the term is not supported across networks
            }

            var score = crossValidation ?? RelativeRms(rows, times, all, coefficients);
            var terms = System.Numerics.BitOperations.PopCount((uint)subset);
            // Fewer terms win a tie: a term that does not improve the prediction is not kept.
            if (best is null || score < best.Value.Score - Tie || Math.Abs(score - best.Value.Score) <= Tie && terms < best.Value.Terms)
            {
                best = (coefficients, score, terms);
                bestCrossValidation = crossValidation;
            }
        }

        // Every subset failing cannot happen with positive times (FLOPs alone always fits non-negatively), but stay defined.
        var chosen = best?.Coefficients ?? [times.Sum() / rows.Sum(row => row[0]), 0, 0];
        return new Calibration(chosen[0], chosen[1], chosen[2], timings.Count, bestCrossValidation);
    }

    /// <summary>Relative least squares of the terms in <paramref name="subset"/> over the given rows; null when rank-deficient or a coefficient is negative.</summary>
    private static double[]? FitSubset(double[][] rows, double[] times, int[] use, int subset)
    {
        var columns = Enumerable.Range(0, Terms).Where(j => (subset & (1 << j)) != 0).ToArray();
        if (columns.Length > use.Length)
        {
            return null;
        }

        // Dividing each equation by its measured time makes the residual the relative error: every row's target is 1.
        var x = use.Select(i => columns.Select(j => rows[i][j] / times[i]).ToArray()).ToArray();
        var y = use.Select(_ => 1.0).ToArray();
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

    /// <summary>The RMS relative error on each fold's rows when fitted on the others; null when some fold cannot be fitted.</summary>
    private static double? CrossValidate(double[][] rows, double[] times, int[][] folds, int subset)
    {
        double squares = 0;
        var count = 0;
        foreach (var held in folds)
        {
            var training = Enumerable.Range(0, rows.Length).Except(held).ToArray();
            var coefficients = FitSubset(rows, times, training, subset);
            if (coefficients is null)
            {
                return null;
            }

            foreach (var i in held)
            {
                squares += Math.Pow(Predict(rows[i], coefficients) / times[i] - 1, 2);
                count++;
            }
        }

        return Math.Sqrt(squares / count);
    }

    private static double RelativeRms(double[][] rows, double[] times, int[] use, double[] coefficients) =>
        Math.Sqrt(use.Average(i => Math.Pow(Predict(rows[i], coefficients) / times[i] - 1, 2)));

    private static double Predict(double[] row, double[] coefficients) =>
        row[0] * coefficients[0] + row[1] * coefficients[1] + row[2] * coefficients[2];

    /// <summary>The predicted time of one convolution.</summary>
    /// <param name="shape">The convolution.</param>
    /// <returns>Seconds.</returns>
    public double Predict(ConvolutionShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return SecondsPerFlop * shape.Flops + SecondsPerByte * shape.MinimumBytes + SecondsPerLayer;
    }

    /// <summary>The model in words: its rates and, when known, its cross-validated error.</summary>
    public override string ToString() =>
        (SecondsPerFlop > 0 ? $"{1 / SecondsPerFlop / 1e9:0.#} GFLOP/s" : "no FLOP term")
        + $", {SecondsPerByte * 1e9:0.###} ns/byte, {SecondsPerLayer * 1e6:0.#} µs/layer ({Samples} layers"
        + (CrossValidationError is { } error ? $"; terms chosen by leave-one-network-out cross-validation, ±{error:P0} per layer" : "") + ")";
}
