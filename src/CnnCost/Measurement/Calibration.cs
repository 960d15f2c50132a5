using MathNet.Numerics.LinearRegression;

namespace CnnCost.Measurement;

/// <summary>
/// A per-layer time model fitted to measurements: <c>time ≈ a·FLOPs + b·bytes + c</c>, with bytes the fewest a
/// convolution moves (input, weights and output once). Each candidate model (any non-empty subset of the three terms)
/// is fitted by least squares on <em>relative</em> errors (each layer's equation divided by its measured time, solved
/// by QR with MathNet.Numerics), so a 100 ms layer does not outweigh twenty 2 ms ones; a candidate needing a negative
/// coefficient is dropped (it would predict negative times for layers unlike the calibration's). When the timings
/// come from two or more networks, what counts is how well a candidate predicts a network it was not fitted on:
/// leave-one-network-out cross-validation scores each candidate, and the model is their average weighted by
/// 1/score² (an average of linear models is again one), which stays stable where two candidates score alike and
/// predict differently. With one network the candidate with the smallest relative residual is kept.
/// </summary>
/// <param name="SecondsPerFlop">The coefficient <c>a</c> (1/a is the achieved FLOP/s of large layers).</param>
/// <param name="SecondsPerByte">The coefficient <c>b</c>.</param>
/// <param name="SecondsPerLayer">The constant <c>c</c>: launch and threading overhead per layer.</param>
/// <param name="Samples">How many timings it was fitted to.</param>
/// <param name="CrossValidationError">
/// With two or more networks, the root-mean-square relative error of the model on the layers of each network when
/// fitted on the others; null otherwise.
/// </param>
public sealed record Calibration(double SecondsPerFlop, double SecondsPerByte, double SecondsPerLayer, int Samples, double? CrossValidationError = null)
{
    private const int Terms = 3;

    /// <summary>Relative errors closer than this are a tie (and no error counts as smaller, so weights stay finite).</summary>
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
        var folds = networks?.Distinct().Select(held => all.Where(i => networks[i] == held).ToArray()).ToArray() ?? [];
        var subsets = Enumerable.Range(1, (1 << Terms) - 1).ToArray();
        if (folds.Length >= 2)
        {
            // Candidates that every fold can fit without a negative coefficient, weighted by 1/(cross-validated error)².
            var candidates = subsets
                .Select(subset => (Subset: subset, Coefficients: FitSubset(rows, times, all, subset), Error: CrossValidate(rows, times, folds, [subset], [1.0])))
                .Where(c => c.Coefficients is not null && c.Error is not null)
                .ToArray();
            if (candidates.Length == 0)
            {
                throw new ArgumentException("no term of the model fits every network without a negative coefficient", nameof(timings));
            }

            var weights = candidates.Select(c => 1 / Math.Pow(Math.Max(c.Error!.Value, Tie), 2)).ToArray();
            var total = weights.Sum();
            weights = [.. weights.Select(w => w / total)];
            var averaged = new double[Terms];
            for (var i = 0; i < candidates.Length; i++)
            {
                for (var j = 0; j < Terms; j++)
                {
                    averaged[j] += weights[i] * candidates[i].Coefficients![j];
                }
            }

            var error = CrossValidate(rows, times, folds, [.. candidates.Select(c => c.Subset)], weights);
            return new Calibration(averaged[0], averaged[1], averaged[2], timings.Count, error);
        }

        (double[] Coefficients, double Residual, int Terms)? best = null;
        foreach (var subset in subsets)
        {
            if (FitSubset(rows, times, all, subset) is not { } coefficients)
            {
                continue;
            }

            var residual = RelativeRms(rows, times, all, coefficients);
            var terms = System.Numerics.BitOperations.PopCount((uint)subset);
            // Fewer terms win a tie: a term that does not improve the fit is not kept.
            if (best is null || residual < best.Value.Residual - Tie || Math.Abs(residual - best.Value.Residual) <= Tie && terms < best.Value.Terms)
            {
                best = (coefficients, residual, terms);
            }
        }

        // FLOPs alone always fits non-negatively when times are positive, so there is always a best.
        var chosen = best!.Value.Coefficients;
        return new Calibration(chosen[0], chosen[1], chosen[2], timings.Count);
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

    /// <summary>
    /// The RMS relative error on each fold's rows of the weighted average of the given candidates, each refitted on
    /// the other folds; null when some candidate cannot fit some fold.
    /// </summary>
    private static double? CrossValidate(double[][] rows, double[] times, int[][] folds, int[] subsets, double[] weights)
    {
        double squares = 0;
        var count = 0;
        foreach (var held in folds)
        {
            var training = Enumerable.Range(0, rows.Length).Except(held).ToArray();
            var averaged = new double[Terms];
            for (var s = 0; s < subsets.Length; s++)
            {
                if (FitSubset(rows, times, training, subsets[s]) is not { } coefficients)
                {
                    return null;
                }

                for (var j = 0; j < Terms; j++)
                {
                    averaged[j] += weights[s] * coefficients[j];
                }
            }

            foreach (var i in held)
            {
                squares += Math.Pow(Predict(rows[i], averaged) / times[i] - 1, 2);
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
        + (CrossValidationError is { } error ? $"; averaged over term subsets by leave-one-network-out cross-validation, ±{error:P0} per layer" : "") + ")";
}
