namespace CnnCost.DesignSpace;

/// <summary>
/// Counts the assignments of a <see cref="VggSpace"/> within a parameter budget, a FLOP budget or both, exactly and
/// without enumerating the space. Every cost is a sum of per-slot terms that depend only on the channels entering
/// the slot and the slot's choice (plus pool and head terms that depend on the channels at that point), so the
/// slots split into two halves joined by the channel count between them (meet in the middle): each half is
/// enumerated once (5^8 = 390,625 assignments for the dissertation's space), and for each channel count the pairs
/// within budget are counted by sorting (one budget) or by an offline two-dimensional dominance count with a
/// Fenwick tree (both budgets), in <c>O(n log n)</c>.
/// </summary>
public static class VggSpaceCounter
{
    /// <summary>The number of assignments whose parameters are at most <paramref name="maxParameters"/> and FLOPs at most <paramref name="maxFlops"/>.</summary>
    /// <param name="space">The space.</param>
    /// <param name="maxParameters">The parameter budget (with biases), or null for none.</param>
    /// <param name="maxFlops">The inference FLOP budget at batch 1, or null for none.</param>
    /// <returns>The exact count.</returns>
    public static long CountWithin(VggSpace space, long? maxParameters, long? maxFlops)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (maxParameters is null && maxFlops is null)
        {
            return space.Total;
        }

        var costs = new VggSpace.SpaceCosts(space);
        var split = space.Slots / 2;
        var states = new[] { space.InputChannels }.Concat(space.FilterChoices).Distinct().ToArray();
        var budgetP = maxParameters ?? long.MaxValue;
        var budgetF = maxFlops ?? long.MaxValue;

        // Left half from the input: (channels at the split, parameters, FLOPs).
        var left = Half.Enumerate(space, costs, 0, split, space.InputChannels, withHead: false);
        var counts = new long[states.Length];
        Parallel.For(0, states.Length, s =>
        {
            var queries = left.Select(states[s]);
            if (queries.Parameters.Length == 0)
            {
                // Stryker disable once Statement : with no left halves the pairs counted below are none either; the return only skips enumerating the right half
                return;
            }

            // Right half from this channel count to the end, the head included.
            var right = Half.Enumerate(space, costs, split, space.Slots, states[s], withHead: true);
            // Stryker disable once Logical : a budget is set here (none returned early), so || is always true, and the two-budget count with long.MaxValue for the missing budget counts the same pairs
            counts[s] = maxParameters is not null && maxFlops is not null
                ? CountPairsBothBudgets(queries, right, budgetP, budgetF)
                : maxParameters is not null
                    ? CountPairsOneBudget(queries.Parameters, right.Parameters, budgetP)
                    : CountPairsOneBudget(queries.Flops, right.Flops, budgetF);
        });

        return counts.Sum();
    }

    /// <summary>The assignments of a run of slots: for each, the channels it ends with and its parameters and FLOPs.</summary>
    private sealed record Half(int[] Channels, long[] Parameters, long[] Flops)
    {
        public static Half Enumerate(VggSpace space, VggSpace.SpaceCosts costs, int from, int to, int channels, bool withHead)
        {
            var size = 1;
            for (var i = from; i < to; i++)
            {
                size *= space.ChoicesPerSlot;
            }

            var half = new Half(new int[size], new long[size], new long[size]);
            var next = 0;
            Walk(from, channels, 0, 0);
            return half;

            void Walk(int slot, int c, long p, long f)
            {
                if (slot == to)
                {
                    var (hp, hf) = withHead ? costs.Head(c) : (0, 0);
                    (half.Channels[next], half.Parameters[next], half.Flops[next]) = (c, p + hp, f + hf);
                    next++;
                    return;
                }

                // Absent first, then every filter count.
                for (var choice = -1; choice < space.FilterChoices.Length; choice++)
                {
                    var filters = choice < 0 ? 0 : space.FilterChoices[choice];
                    var (sp, sf) = costs.Slot(slot, c, filters);
                    var after = filters > 0 ? filters : c;
                    var pool = costs.EndsBlock(slot) ? costs.Pool(slot, after) : 0;
                    Walk(slot + 1, after, p + sp, f + sf + pool);
                }
            }
        }

        /// <summary>The assignments that end with <paramref name="channels"/> channels.</summary>
        public Half Select(int channels)
        {
            var indices = Enumerable.Range(0, Channels.Length).Where(i => Channels[i] == channels).ToArray();
            return new Half([.. indices.Select(i => Channels[i])], [.. indices.Select(i => Parameters[i])], [.. indices.Select(i => Flops[i])]);
        }
    }

    private static long CountPairsOneBudget(long[] left, long[] right, long budget)
    {
        var sorted = (long[])right.Clone();
        Array.Sort(sorted);
        long count = 0;
        foreach (var l in left)
        {
            count += UpperBound(sorted, budget - l);
        }

        return count;
    }

    /// <summary>Counts pairs with both sums within budget: sort by parameters, sweep, and count FLOPs with a Fenwick tree.</summary>
    private static long CountPairsBothBudgets(Half left, Half right, long budgetP, long budgetF)
    {
        var pointParameters = (long[])right.Parameters.Clone();
        var pointFlops = (long[])right.Flops.Clone();
        Array.Sort(pointParameters, pointFlops);
        var flopValues = (long[])pointFlops.Clone();
        Array.Sort(flopValues);
        var queryParameters = left.Parameters.Select(p => budgetP - p).ToArray();
        var queryFlops = left.Flops.Select(f => budgetF - f).ToArray();
        Array.Sort(queryParameters, queryFlops);
        var tree = new int[flopValues.Length + 1];
        long count = 0;
        var next = 0;
        for (var q = 0; q < queryParameters.Length; q++)
        {
            for (; next < pointParameters.Length && pointParameters[next] <= queryParameters[q]; next++)
            {
                // Equal FLOP values share the lowest rank, so a prefix count up to UpperBound includes all of them.
                for (var i = LowerBound(flopValues, pointFlops[next]) + 1; i < tree.Length; i += i & -i)
                {
                    tree[i]++;
                }
            }

            for (var i = UpperBound(flopValues, queryFlops[q]); i > 0; i -= i & -i)
            {
                count += tree[i];
            }
        }

        return count;
    }

    /// <summary>The index of the first sorted value at least <paramref name="value"/>.</summary>
    private static int LowerBound(long[] sorted, long value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (sorted[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>How many sorted values are at most <paramref name="limit"/>.</summary>
    private static int UpperBound(long[] sorted, long limit)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (sorted[middle] <= limit)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
