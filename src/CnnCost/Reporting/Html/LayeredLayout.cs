using System.Collections.Immutable;

namespace CnnCost.Reporting.Html;

/// <summary>The sizes a layered layout works with, in pixels.</summary>
public sealed record LayoutOptions
{
    /// <summary>The sizes the HTML view uses.</summary>
    public static LayoutOptions Default { get; } = new();

    /// <summary>The width of every node's box.</summary>
    public double NodeWidth { get; init; } = 200;

    /// <summary>The height of every node's box.</summary>
    public double NodeHeight { get; init; } = 58;

    /// <summary>The least horizontal space between two boxes of one rank.</summary>
    public double HorizontalGap { get; init; } = 28;

    /// <summary>The vertical space between two ranks.</summary>
    public double RankGap { get; init; } = 34;

    /// <summary>The width reserved for an edge passing through a rank.</summary>
    public double EdgeSlotWidth { get; init; } = 8;

    /// <summary>The space around the drawing.</summary>
    public double Margin { get; init; } = 16;

    /// <summary>Rounds of crossing reduction (each one sweep down and one up).</summary>
    public int Sweeps { get; init; } = 12;
}

/// <summary>A point of the drawing.</summary>
/// <param name="X">Pixels from the left.</param>
/// <param name="Y">Pixels from the top.</param>
public readonly record struct LayoutPoint(double X, double Y);

/// <summary>Where one node landed.</summary>
/// <param name="Node">The node's index in the graph given.</param>
/// <param name="Rank">Its rank: 0 at the top, and every edge goes to a higher rank.</param>
/// <param name="Order">Its position among the nodes of its rank, from the left, edge slots included.</param>
/// <param name="X">The left of its box.</param>
/// <param name="Y">The top of its box.</param>
/// <param name="Width">The width of its box.</param>
/// <param name="Height">The height of its box.</param>
public sealed record LayoutBox(int Node, int Rank, int Order, double X, double Y, double Width, double Height);

/// <summary>An edge drawn as straight segments: from the middle of its source's bottom to the middle of its target's top.</summary>
/// <param name="From">The source node.</param>
/// <param name="To">The target node.</param>
/// <param name="Points">The polyline, first point on the source, last on the target; an edge spanning several ranks passes them in slots of its own.</param>
public sealed record LayoutEdge(int From, int To, ImmutableArray<LayoutPoint> Points);

/// <summary>A laid-out graph.</summary>
/// <param name="Boxes">One box per node, in node order.</param>
/// <param name="Edges">One polyline per edge, in the order of the nodes' inputs.</param>
/// <param name="Width">The drawing's width, margins included.</param>
/// <param name="Height">The drawing's height, margins included.</param>
/// <param name="Crossings">Pairs of edges that cross between adjacent ranks (edges spanning ranks counted segment by segment).</param>
public sealed record GraphLayout(ImmutableArray<LayoutBox> Boxes, ImmutableArray<LayoutEdge> Edges, double Width, double Height, long Crossings);

/// <summary>
/// A deterministic layered (Sugiyama-style) layout of a directed acyclic graph, top to bottom: ranks by longest
/// path from the sources, edges spanning several ranks split at each rank they cross, crossings reduced by
/// barycenter sweeps (the best ordering seen is kept), optional groups kept side by side within each rank, and
/// horizontal positions that pull each node toward its neighbours under order and spacing constraints
/// (a weighted isotonic regression, solved exactly by pool-adjacent-violators). No randomness: the same graph
/// always gets the same drawing.
/// </summary>
public static class LayeredLayout
{
    /// <summary>Lays out a graph given in topological order.</summary>
    /// <param name="inputs">For each node, the nodes it reads; each must come earlier (a smaller index).</param>
    /// <param name="groups">For each node, a group number (nodes of one group are kept next to each other in each rank) or −1 for none; null for no groups.</param>
    /// <param name="options">Sizes; <see cref="LayoutOptions.Default"/> when null.</param>
    /// <returns>The layout.</returns>
    /// <exception cref="ArgumentException">An input does not come before its node, or <paramref name="groups"/> has the wrong length.</exception>
    public static GraphLayout Compute(IReadOnlyList<ImmutableArray<int>> inputs, IReadOnlyList<int>? groups = null, LayoutOptions? options = null) =>
        Run(inputs, groups, options ?? LayoutOptions.Default, reduceCrossings: true);

    /// <summary>
    /// The simple layered layout the crossing reduction is measured against: the same ranks and edge slots,
    /// nodes left to right in input order (edge slots by their source), no crossing reduction, no groups.
    /// </summary>
    /// <param name="inputs">For each node, the nodes it reads; each must come earlier.</param>
    /// <param name="options">Sizes; <see cref="LayoutOptions.Default"/> when null.</param>
    /// <returns>The layout.</returns>
    /// <exception cref="ArgumentException">An input does not come before its node.</exception>
    public static GraphLayout Baseline(IReadOnlyList<ImmutableArray<int>> inputs, LayoutOptions? options = null) =>
        Run(inputs, null, options ?? LayoutOptions.Default, reduceCrossings: false);

    private static GraphLayout Run(IReadOnlyList<ImmutableArray<int>> inputs, IReadOnlyList<int>? groups, LayoutOptions options, bool reduceCrossings)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var n = inputs.Count;
        if (groups is not null && groups.Count != n)
        {
            throw new ArgumentException($"groups has {groups.Count} entries for {n} nodes", nameof(groups));
        }

        var graph = Build(inputs, groups);
        if (reduceCrossings)
        {
            ReduceCrossings(graph, options.Sweeps);
        }

        var crossings = CountAll(graph);
        var x = Positions(graph, options);
        return Draw(graph, inputs, x, options, crossings);
    }

    /// <summary>The graph with edge slots: real nodes first, then one slot per rank an edge passes.</summary>
    private sealed class Proper
    {
        public required int RealCount;
        public required List<int> Rank;
        public required List<int> Group;
        public required List<List<int>> Up;    // neighbours one rank above
        public required List<List<int>> Down;  // neighbours one rank below
        public required List<int>[] Ranks;     // node order within each rank
        public required List<int>[] Slots;     // for each edge (in Draw's order), its slot nodes top to bottom
    }

    private static Proper Build(IReadOnlyList<ImmutableArray<int>> inputs, IReadOnlyList<int>? groups)
    {
        var n = inputs.Count;
        var rank = new List<int>(n);
        var group = new List<int>(n);
        var up = new List<List<int>>(n);
        var down = new List<List<int>>(n);
        for (var v = 0; v < n; v++)
        {
            var r = 0;
            foreach (var u in inputs[v])
            {
                if (u < 0 || u >= v)
                {
                    throw new ArgumentException($"node {v} reads node {u}, which does not come before it", nameof(inputs));
                }

                r = Math.Max(r, rank[u] + 1);
            }

            rank.Add(r);
            group.Add(groups?[v] ?? -1);
            up.Add([]);
            down.Add([]);
        }

        var slots = new List<int>[inputs.Sum(i => i.Length)];
        var e = 0;
        for (var v = 0; v < n; v++)
        {
            foreach (var u in inputs[v])
            {
                var chain = new List<int>();
                var previous = u;
                var shared = group[u] >= 0 && group[u] == group[v] ? group[u] : -1;
                for (var r = rank[u] + 1; r < rank[v]; r++)
                {
                    var slot = rank.Count;
                    rank.Add(r);
                    group.Add(shared);
                    up.Add([previous]);
                    down.Add([]);
                    down[previous].Add(slot);
                    chain.Add(slot);
                    previous = slot;
                }

                down[previous].Add(v);
                up[v].Add(previous);
                slots[e++] = chain;
            }
        }

        // Initial order: real nodes by index; a slot by its edge's source, then its target (stable, deterministic).
        var rankCount = n == 0 ? 0 : rank.Take(n).Max() + 1;
        var ranks = Enumerable.Range(0, rankCount).Select(_ => new List<int>()).ToArray();
        var key = new (int, int)[rank.Count];
        for (var v = 0; v < n; v++)
        {
            key[v] = (v, -1);
        }

        e = 0;
        for (var v = 0; v < n; v++)
        {
            foreach (var u in inputs[v])
            {
                foreach (var slot in slots[e])
                {
                    key[slot] = (u, v);
                }

                e++;
            }
        }

        for (var v = 0; v < rank.Count; v++)
        {
            ranks[rank[v]].Add(v);
        }

        foreach (var list in ranks)
        {
            list.Sort((a, b) => key[a].CompareTo(key[b]));
        }

        return new Proper { RealCount = n, Rank = rank, Group = group, Up = up, Down = down, Ranks = ranks, Slots = slots };
    }

    private static void ReduceCrossings(Proper g, int sweeps)
    {
        var position = new double[g.Rank.Count];
        void Renumber(List<int> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                position[list[i]] = i;
            }
        }

        foreach (var list in g.Ranks)
        {
            Group(g, list);
            Renumber(list);
        }

        var best = g.Ranks.Select(l => l.ToArray()).ToArray();
        var bestCrossings = CountAll(g);
        for (var s = 0; s < sweeps && bestCrossings > 0; s++)
        {
            for (var pass = 0; pass < 2; pass++)
            {
                var downward = pass == 0;
                for (var i = 1; i < g.Ranks.Length; i++)
                {
                    var r = downward ? i : g.Ranks.Length - 1 - i;
                    var list = g.Ranks[r];
                    var neighbours = downward ? g.Up : g.Down;
                    var bary = new Dictionary<int, double>(list.Count);
                    foreach (var v in list)
                    {
                        var adjacent = neighbours[v];
                        bary[v] = adjacent.Count == 0 ? position[v] : adjacent.Average(a => position[a]);
                    }

                    // Stable: ties keep their current order.
                    var sorted = list.Select((v, index) => (v, index)).OrderBy(p => bary[p.v]).ThenBy(p => p.index).Select(p => p.v).ToList();
                    list.Clear();
                    list.AddRange(sorted);
                    Group(g, list);
                    Renumber(list);
                }

                var crossings = CountAll(g);
                if (crossings < bestCrossings)
                {
                    bestCrossings = crossings;
                    best = g.Ranks.Select(l => l.ToArray()).ToArray();
                }
            }
        }

        for (var r = 0; r < g.Ranks.Length; r++)
        {
            g.Ranks[r].Clear();
            g.Ranks[r].AddRange(best[r]);
        }
    }

    /// <summary>Brings the members of each group together where the first of them stands; others keep their order.</summary>
    private static void Group(Proper g, List<int> list)
    {
        if (!list.Any(v => g.Group[v] >= 0))
        {
            return;
        }

        var first = new Dictionary<int, int>();
        for (var i = 0; i < list.Count; i++)
        {
            var key = g.Group[list[i]];
            if (key >= 0)
            {
                first.TryAdd(key, i);
            }
        }

        var sorted = list.Select((v, index) => (v, index)).OrderBy(p => g.Group[p.v] >= 0 ? first[g.Group[p.v]] : p.index).ThenBy(p => p.index).Select(p => p.v).ToList();
        list.Clear();
        list.AddRange(sorted);
    }

    private static long CountAll(Proper g)
    {
        var position = new int[g.Rank.Count];
        foreach (var list in g.Ranks)
        {
            for (var i = 0; i < list.Count; i++)
            {
                position[list[i]] = i;
            }
        }

        long total = 0;
        for (var r = 0; r + 1 < g.Ranks.Length; r++)
        {
            var segments = new List<(int Top, int Bottom)>();
            foreach (var v in g.Ranks[r])
            {
                foreach (var w in g.Down[v])
                {
                    segments.Add((position[v], position[w]));
                }
            }

            total += Inversions(segments, g.Ranks[r + 1].Count);
        }

        return total;
    }

    /// <summary>Crossings between two ranks: pairs of segments whose ends are in opposite orders (a Fenwick tree, E log V).</summary>
    private static long Inversions(List<(int Top, int Bottom)> segments, int bottomCount)
    {
        segments.Sort();
        var tree = new int[bottomCount + 1];
        long crossings = 0;
        var seen = 0;
        var i = 0;
        while (i < segments.Count)
        {
            // Segments sharing a top end never cross each other: count the whole run before adding it.
            var j = i;
            while (j < segments.Count && segments[j].Top == segments[i].Top)
            {
                crossings += seen - Prefix(tree, segments[j].Bottom + 1);
                j++;
            }

            for (var k = i; k < j; k++)
            {
                for (var p = segments[k].Bottom + 1; p <= bottomCount; p += p & -p)
                {
                    tree[p]++;
                }

                seen++;
            }

            i = j;
        }

        return crossings;
    }

    private static int Prefix(int[] tree, int index)
    {
        var sum = 0;
        for (var p = index; p > 0; p -= p & -p)
        {
            sum += tree[p];
        }

        return sum;
    }

    /// <summary>Horizontal centres: packed ranks, then sweeps that pull each node toward its neighbours' mean.</summary>
    private static double[] Positions(Proper g, LayoutOptions options)
    {
        var count = g.Rank.Count;
        var width = new double[count];
        var weight = new double[count];
        for (var v = 0; v < count; v++)
        {
            var real = v < g.RealCount;
            width[v] = real ? options.NodeWidth : options.EdgeSlotWidth;
            weight[v] = real ? 1 : 0.25; // boxes hold their place; edge slots give way
        }

        var x = new double[count];
        foreach (var list in g.Ranks)
        {
            var left = 0.0;
            foreach (var v in list)
            {
                x[v] = left + width[v] / 2;
                left += width[v] + options.HorizontalGap;
            }

            var shift = (left - options.HorizontalGap) / 2;
            foreach (var v in list)
            {
                x[v] -= shift;
            }
        }

        // Sweeps down (toward the nodes above), up (toward those below), then both ways at once, which straightens chains.
        for (var s = 0; s < 6; s++)
        {
            for (var pass = 0; pass < 2; pass++)
            {
                var downward = pass == 0;
                var balanced = s >= 3;
                for (var i = 0; i < g.Ranks.Length; i++)
                {
                    var list = g.Ranks[downward ? i : g.Ranks.Length - 1 - i];
                    var desired = new double[list.Count];
                    for (var k = 0; k < list.Count; k++)
                    {
                        var v = list[k];
                        var adjacent = balanced ? g.Up[v].Concat(g.Down[v]) : downward ? g.Up[v] : g.Down[v];
                        var sum = 0.0;
                        var seen = 0;
                        foreach (var a in adjacent)
                        {
                            sum += x[a];
                            seen++;
                        }

                        desired[k] = seen == 0 ? x[v] : sum / seen;
                    }

                    Place(list, desired, width, weight, options.HorizontalGap, x);
                }
            }
        }

        // Straighten chains, top down: a node that is the only successor of its only predecessor goes right below it
        // where the spacing allows (it weighs ten times its neighbours), so a run of layers reads as one column.
        foreach (var list in g.Ranks)
        {
            var desired = new double[list.Count];
            for (var k = 0; k < list.Count; k++)
            {
                var v = list[k];
                var link = g.Up[v].Count == 1 && g.Down[g.Up[v][0]].Count == 1;
                desired[k] = link ? x[g.Up[v][0]] : x[v];
                weight[v] *= link ? 10 : 1;
            }

            Place(list, desired, width, weight, options.HorizontalGap, x);
        }

        return x;
    }

    /// <summary>
    /// Centres as close as possible (weighted least squares) to <paramref name="desired"/>, in the rank's order,
    /// each at least half of both widths plus the gap from the one before: with offsets o_k so that
    /// x_k = y_k + o_k, this is isotonic regression of desired_k − o_k, solved by pool-adjacent-violators.
    /// </summary>
    private static void Place(List<int> list, double[] desired, double[] width, double[] weight, double gap, double[] x)
    {
        var m = list.Count;
        var offset = new double[m];
        for (var k = 1; k < m; k++)
        {
            offset[k] = offset[k - 1] + (width[list[k - 1]] + width[list[k]]) / 2 + gap;
        }

        var blockValue = new double[m];
        var blockWeight = new double[m];
        var blockSize = new int[m];
        var blocks = 0;
        for (var k = 0; k < m; k++)
        {
            blockValue[blocks] = desired[k] - offset[k];
            blockWeight[blocks] = weight[list[k]];
            blockSize[blocks] = 1;
            blocks++;
            while (blocks > 1 && blockValue[blocks - 2] > blockValue[blocks - 1])
            {
                var w = blockWeight[blocks - 2] + blockWeight[blocks - 1];
                blockValue[blocks - 2] = (blockValue[blocks - 2] * blockWeight[blocks - 2] + blockValue[blocks - 1] * blockWeight[blocks - 1]) / w;
                blockWeight[blocks - 2] = w;
                blockSize[blocks - 2] += blockSize[blocks - 1];
                blocks--;
            }
        }

        var index = 0;
        for (var b = 0; b < blocks; b++)
        {
            for (var i = 0; i < blockSize[b]; i++, index++)
            {
                x[list[index]] = blockValue[b] + offset[index];
            }
        }
    }

    private static GraphLayout Draw(Proper g, IReadOnlyList<ImmutableArray<int>> inputs, double[] centre, LayoutOptions options, long crossings)
    {
        var n = g.RealCount;
        var minLeft = 0.0;
        var maxRight = 0.0;
        for (var v = 0; v < centre.Length; v++)
        {
            var half = (v < n ? options.NodeWidth : options.EdgeSlotWidth) / 2;
            minLeft = v == 0 ? centre[v] - half : Math.Min(minLeft, centre[v] - half);
            maxRight = v == 0 ? centre[v] + half : Math.Max(maxRight, centre[v] + half);
        }

        var shift = options.Margin - minLeft;
        var rankStep = options.NodeHeight + options.RankGap;
        double Top(int rank) => options.Margin + rank * rankStep;
        var order = new int[centre.Length];
        foreach (var list in g.Ranks)
        {
            for (var i = 0; i < list.Count; i++)
            {
                order[list[i]] = i;
            }
        }

        var boxes = ImmutableArray.CreateBuilder<LayoutBox>(n);
        for (var v = 0; v < n; v++)
        {
            boxes.Add(new LayoutBox(v, g.Rank[v], order[v], Round(centre[v] + shift - options.NodeWidth / 2), Top(g.Rank[v]), options.NodeWidth, options.NodeHeight));
        }

        var edges = ImmutableArray.CreateBuilder<LayoutEdge>(g.Slots.Length);
        var e = 0;
        for (var v = 0; v < n; v++)
        {
            foreach (var u in inputs[v])
            {
                var points = ImmutableArray.CreateBuilder<LayoutPoint>();
                points.Add(new LayoutPoint(Round(centre[u] + shift), Top(g.Rank[u]) + options.NodeHeight));
                foreach (var slot in g.Slots[e])
                {
                    // Straight down through the rank, in the slot's own column, so it passes no box.
                    var sx = Round(centre[slot] + shift);
                    points.Add(new LayoutPoint(sx, Top(g.Rank[slot])));
                    points.Add(new LayoutPoint(sx, Top(g.Rank[slot]) + options.NodeHeight));
                }

                points.Add(new LayoutPoint(Round(centre[v] + shift), Top(g.Rank[v])));
                edges.Add(new LayoutEdge(u, v, points.ToImmutable()));
                e++;
            }
        }

        var ranks = g.Ranks.Length;
        var height = 2 * options.Margin + (ranks == 0 ? 0 : ranks * rankStep - options.RankGap);
        return new GraphLayout(boxes.MoveToImmutable(), edges.MoveToImmutable(), Round(maxRight - minLeft + 2 * options.Margin), height, crossings);
    }

    /// <summary>Half-pixel precision: short attributes, and the same numbers on every machine.</summary>
    private static double Round(double value) => Math.Round(value * 2, MidpointRounding.AwayFromZero) / 2;
}
