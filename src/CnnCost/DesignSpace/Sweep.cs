using System.Collections.Immutable;

namespace CnnCost.DesignSpace;

/// <summary>One evaluated design of a sweep.</summary>
/// <typeparam name="T">What describes a design (e.g. <see cref="SqueezeNetMetaparameters"/>).</typeparam>
/// <param name="Design">The design.</param>
/// <param name="Costs">Its costs.</param>
public sealed record SweepResult<T>(T Design, DesignCosts Costs);

/// <summary>Sweeps over a grid of designs and the Pareto front of the results.</summary>
public static class Sweep
{
    /// <summary>Evaluates every design of a grid, in order.</summary>
    /// <typeparam name="T">What describes a design.</typeparam>
    /// <param name="designs">The grid.</param>
    /// <param name="evaluate">The cost of one design (e.g. <see cref="SqueezeNetFamily.Evaluate"/>).</param>
    /// <returns>One result per design.</returns>
    public static ImmutableArray<SweepResult<T>> Run<T>(IEnumerable<T> designs, Func<T, DesignCosts> evaluate)
    {
        ArgumentNullException.ThrowIfNull(designs);
        ArgumentNullException.ThrowIfNull(evaluate);
        return [.. designs.Select(d => new SweepResult<T>(d, evaluate(d)))];
    }

    /// <summary>
    /// <c>start, start + step, …</c> up to <paramref name="stop"/> inclusive (within a millionth of a step, so that
    /// 0.125 steps reach 1.0 exactly).
    /// </summary>
    /// <param name="start">The first value.</param>
    /// <param name="stop">The last value.</param>
    /// <param name="step">The positive increment.</param>
    /// <returns>The values.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The step is not positive or the range is empty.</exception>
    public static ImmutableArray<double> Range(double start, double stop, double step)
    {
        if (!(step > 0) || stop < start)
        {
            throw new ArgumentOutOfRangeException(nameof(step), $"a range needs a positive step and stop >= start, got {start}..{stop} by {step}");
        }

        var count = (int)Math.Floor((stop - start) / step + 1e-6) + 1;
        return [.. Enumerable.Range(0, count).Select(i => start + i * step)];
    }

    /// <summary>
    /// The results no other result dominates, minimizing every objective: a result is dominated when another is no
    /// worse in every objective and better in one. Two objectives take <c>O(n log n)</c> (sort by the first, keep
    /// each new minimum of the second); more take <c>O(n²)</c>. The front keeps the input order.
    /// </summary>
    /// <typeparam name="T">What describes a design.</typeparam>
    /// <param name="results">The results.</param>
    /// <param name="minimize">The objectives, each to minimize; default parameter bytes and FLOPs.</param>
    /// <returns>The non-dominated results.</returns>
    public static ImmutableArray<SweepResult<T>> ParetoFront<T>(IReadOnlyList<SweepResult<T>> results, params Func<SweepResult<T>, double>[] minimize)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(minimize);
        if (minimize.Length == 0)
        {
            minimize = [r => r.Costs.ParameterBytes, r => r.Costs.Flops];
        }

        var scores = results.Select(r => minimize.Select(f => f(r)).ToArray()).ToArray();
        var onFront = new bool[results.Count];
        if (minimize.Length == 2)
        {
            // Walk groups of equal first objective in increasing order; a point survives when its second objective
            // is its group's smallest and below every second objective of a strictly smaller first.
            var best = double.PositiveInfinity;
            foreach (var group in Enumerable.Range(0, results.Count).GroupBy(i => scores[i][0]).OrderBy(g => g.Key))
            {
                var groupMin = group.Min(i => scores[i][1]);
                foreach (var i in group)
                {
                    onFront[i] = scores[i][1] == groupMin && groupMin < best;
                }

                best = Math.Min(best, groupMin);
            }
        }
        else
        {
            for (var i = 0; i < results.Count; i++)
            {
                onFront[i] = !Enumerable.Range(0, results.Count).Any(j => j != i && Dominates(scores[j], scores[i]));
            }
        }

        return [.. results.Where((_, i) => onFront[i])];
    }

    private static bool Dominates(double[] a, double[] b)
    {
        var strictly = false;
        for (var k = 0; k < a.Length; k++)
        {
            if (a[k] > b[k])
            {
                return false;
            }

            strictly |= a[k] < b[k];
        }

        return strictly;
    }
}
