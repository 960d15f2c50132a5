using System.Collections.Immutable;
using CnnCost.Graph;
using CnnCost.Reporting.Html;
using CnnCost.Zoo;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Xunit.Abstractions;

namespace CnnCost.Tests.Reporting;

public class LayeredLayoutTests(ITestOutputHelper output)
{
    private static ImmutableArray<int>[] Inputs(Network network) =>
        [.. Enumerable.Range(0, network.Layers.Length).Select(network.InputIndicesOf)];

    public static TheoryData<string> ZooNames() => [.. ModelZoo.Names];

    [Theory]
    [MemberData(nameof(ZooNames))]
    public void Zoo_networks_get_a_well_formed_layout(string name)
    {
        var network = ModelZoo.Create(name);
        var inputs = Inputs(network);
        AssertWellFormed(inputs, LayeredLayout.Compute(inputs, Groups(network)));
        AssertWellFormed(inputs, LayeredLayout.Baseline(inputs));
    }

    [Fact]
    public void Random_graphs_get_a_well_formed_layout_and_the_same_one_every_time()
    {
        // Random DAGs: each node reads one to three earlier nodes, some of them far back (edges spanning many ranks).
        var graphs =
            from count in Gen.Choose(1, 40)
            from seeds in Gen.ArrayOf(Gen.Choose(0, 1_000_000), count * 3)
            from grouped in Gen.Elements(true, false)
            select (count, seeds, grouped);
        Check.One(RandomNetworks.Config, Prop.ForAll(graphs.ToArbitrary(), g =>
        {
            var inputs = new ImmutableArray<int>[g.count];
            for (var v = 0; v < g.count; v++)
            {
                var reads = v == 0 ? 0 : 1 + g.seeds[3 * v] % 3;
                inputs[v] = [.. Enumerable.Range(0, reads).Select(k => g.seeds[3 * v + k] % v).Distinct()];
            }

            int[]? groups = g.grouped ? [.. Enumerable.Range(0, g.count).Select(v => g.seeds[3 * v] % 4 - 1)] : null;
            var layout = LayeredLayout.Compute(inputs, groups);
            AssertWellFormed(inputs, layout);
            var again = LayeredLayout.Compute(inputs, groups);
            Assert.True(layout.Boxes.SequenceEqual(again.Boxes), "boxes differ between two runs");
            Assert.Equal(layout.Edges.Select(e => string.Join(" ", e.Points)), again.Edges.Select(e => string.Join(" ", e.Points)));
            // Without groups to keep together, the sweeps keep the best order seen, the input order among them.
            Assert.True(groups is not null || layout.Crossings <= LayeredLayout.Baseline(inputs).Crossings);
        }));
    }

    [Fact]
    public void Two_edges_given_crossed_are_uncrossed()
    {
        // 0 feeds 1 and 2; 3 reads 2 and 4 reads 1: in input order the edges 1->4 and 2->3 cross; swapping 3 and 4 removes it.
        ImmutableArray<int>[] inputs = [[], [0], [0], [2], [1]];
        Assert.Equal(1, LayeredLayout.Baseline(inputs).Crossings);
        Assert.Equal(0, LayeredLayout.Compute(inputs).Crossings);
        Assert.Equal(0, GeometricCrossings(LayeredLayout.Compute(inputs)));
    }

    [Fact]
    public void Complete_bipartite_ranks_keep_their_unavoidable_crossings()
    {
        // K(2,2) between ranks 1 and 2 crosses once in any order, K(3,3) C(3,2)·C(3,2) = 9 times.
        ImmutableArray<int>[] k22 = [[], [0], [0], [1, 2], [1, 2]];
        ImmutableArray<int>[] k33 = [[], [0], [0], [0], [1, 2, 3], [1, 2, 3], [1, 2, 3]];
        Assert.Equal(1, LayeredLayout.Compute(k22).Crossings);
        Assert.Equal(1, GeometricCrossings(LayeredLayout.Compute(k22)));
        Assert.Equal(9, LayeredLayout.Compute(k33).Crossings);
        Assert.Equal(9, GeometricCrossings(LayeredLayout.Compute(k33)));
    }

    [Fact]
    public void A_long_edge_is_routed_around_the_boxes_it_passes_without_crossing()
    {
        // A residual block: 1 -> 2 -> 3 -> 4 = add(3, 1). The skip passes ranks 2 and 3 in a slot of its own.
        ImmutableArray<int>[] inputs = [[], [0], [1], [2], [3, 1]];
        var layout = LayeredLayout.Compute(inputs);
        Assert.Equal(0, layout.Crossings);
        var skip = layout.Edges.Single(e => e.From == 1 && e.To == 4);
        Assert.Equal(2 + 2 * 2, skip.Points.Length);
        AssertWellFormed(inputs, layout);
    }

    [Fact]
    public void Crossing_reduction_does_no_worse_than_the_baseline_on_GoogLeNet_and_ResNet_50()
    {
        foreach (var name in new[] { "googlenet", "resnet50", "squeezenet1_0", "mobilenet_v2" })
        {
            var network = ModelZoo.Create(name);
            var inputs = Inputs(network);
            var groups = Groups(network);
            var ours = LayeredLayout.Compute(inputs, groups);
            var baseline = LayeredLayout.Baseline(inputs);
            output.WriteLine($"{name}: {ours.Crossings} crossings (baseline {baseline.Crossings})");
            Assert.True(ours.Crossings <= baseline.Crossings, $"{name}: {ours.Crossings} > {baseline.Crossings}");
            Assert.Equal(ours.Crossings, GeometricCrossings(ours));
            Assert.Equal(baseline.Crossings, GeometricCrossings(baseline));

            // The same graph in another topological order (a ready layer drawn at random, seed 17), as an importer may list it.
            var shuffled = Reordered(inputs);
            var oursShuffled = LayeredLayout.Compute(shuffled, Reordered(inputs, groups));
            var baselineShuffled = LayeredLayout.Baseline(shuffled);
            output.WriteLine($"{name}, reordered: {oursShuffled.Crossings} crossings (baseline {baselineShuffled.Crossings})");
            Assert.True(oursShuffled.Crossings <= baselineShuffled.Crossings);
        }
    }

    /// <summary>The modules of the page (<see cref="LayerModules"/>) as group numbers.</summary>
    private static int[] Groups(Network network)
    {
        var modules = LayerModules.Find([.. network.Layers.Select(l => l.Name)]);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        return [.. modules.Select(m => m is null ? -1 : ids.TryGetValue(m, out var id) ? id : ids[m] = ids.Count)];
    }

    /// <summary>The groups of <see cref="Reordered(ImmutableArray{int}[])"/>'s nodes.</summary>
    private static int[] Reordered(ImmutableArray<int>[] inputs, int[] groups) => [.. Order(inputs).Select(v => groups[v])];

    /// <summary>The graph renumbered in a topological order that takes a ready node at random (fixed seed).</summary>
    private static ImmutableArray<int>[] Reordered(ImmutableArray<int>[] inputs)
    {
        var order = Order(inputs);
        var newIndex = new int[inputs.Length];
        for (var i = 0; i < order.Count; i++)
        {
            newIndex[order[i]] = i;
        }

        return [.. order.Select(v => inputs[v].Select(u => newIndex[u]).ToImmutableArray())];
    }

    private static List<int> Order(ImmutableArray<int>[] inputs)
    {
        var waiting = inputs.Select(i => i.Length).ToArray();
        var consumers = Enumerable.Range(0, inputs.Length).Select(_ => new List<int>()).ToArray();
        for (var v = 0; v < inputs.Length; v++)
        {
            foreach (var u in inputs[v])
            {
                consumers[u].Add(v);
            }
        }

        var random = new Random(17);
        var ready = new List<int>(Enumerable.Range(0, inputs.Length).Where(v => waiting[v] == 0));
        var order = new List<int>();
        while (ready.Count > 0)
        {
            var v = ready[random.Next(ready.Count)];
            ready.Remove(v);
            order.Add(v);
            foreach (var w in consumers[v])
            {
                if (--waiting[w] == 0)
                {
                    ready.Add(w);
                }
            }
        }

        return order;
    }

    [Fact]
    public void Groups_stay_side_by_side_in_each_rank()
    {
        // Two parallel blocks (nodes 1,3 in group 0; 2,4 in group 1) fed crosswise; each rank keeps a group's members adjacent.
        ImmutableArray<int>[] inputs = [[], [0], [0], [0], [1], [2], [3], [4, 5, 6]];
        int[] groups = [-1, 0, 1, 0, 1, 0, 1, -1];
        var layout = LayeredLayout.Compute(inputs, groups);
        foreach (var rank in layout.Boxes.GroupBy(b => b.Rank))
        {
            var order = rank.OrderBy(b => b.X).Select(b => groups[b.Node]).Where(g => g >= 0).ToArray();
            var runs = order.Where((g, i) => i == 0 || order[i - 1] != g).Count();
            Assert.Equal(order.Distinct().Count(), runs);
        }
    }

    /// <summary>Checks the geometry with nothing but the boxes and polylines.</summary>
    private static void AssertWellFormed(IReadOnlyList<ImmutableArray<int>> inputs, GraphLayout layout)
    {
        var boxes = layout.Boxes;
        Assert.Equal(inputs.Count, boxes.Length);
        for (var i = 0; i < boxes.Length; i++)
        {
            Assert.Equal(i, boxes[i].Node);
            Assert.True(boxes[i].X >= 0 && boxes[i].Y >= 0 && boxes[i].X + boxes[i].Width <= layout.Width && boxes[i].Y + boxes[i].Height <= layout.Height);
            for (var j = i + 1; j < boxes.Length; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var apart = a.X + a.Width <= b.X || b.X + b.Width <= a.X || a.Y + a.Height <= b.Y || b.Y + b.Height <= a.Y;
                Assert.True(apart, $"boxes {i} and {j} overlap");
            }
        }

        var expected = inputs.SelectMany((reads, v) => reads.Select(u => (u, v))).ToArray();
        Assert.Equal(expected, layout.Edges.Select(e => (e.From, e.To)));
        foreach (var edge in layout.Edges)
        {
            var (from, to) = (boxes[edge.From], boxes[edge.To]);
            // Top to bottom: the target's box lies wholly below the source's.
            Assert.True(to.Y >= from.Y + from.Height, $"edge {edge.From}->{edge.To} does not go down");
            var first = edge.Points[0];
            var last = edge.Points[^1];
            Assert.Equal(from.X + from.Width / 2, first.X, 0.5);
            Assert.Equal(from.Y + from.Height, first.Y);
            Assert.Equal(to.X + to.Width / 2, last.X, 0.5);
            Assert.Equal(to.Y, last.Y);
            // The points between pass each rank outside every box of that rank.
            foreach (var p in edge.Points.Skip(1).SkipLast(1))
            {
                Assert.DoesNotContain(boxes, b => p.X > b.X && p.X < b.X + b.Width && p.Y >= b.Y && p.Y <= b.Y + b.Height);
            }

            for (var k = 1; k < edge.Points.Length; k++)
            {
                Assert.True(edge.Points[k].Y > edge.Points[k - 1].Y, "an edge never goes up or sideways");
            }
        }
    }

    /// <summary>Pairs of edge segments that properly cross, from the drawing alone (shared endpoints are not crossings).</summary>
    private static long GeometricCrossings(GraphLayout layout)
    {
        var segments = layout.Edges.SelectMany(e => e.Points.Zip(e.Points.Skip(1))).ToArray();
        static double Cross(LayoutPoint o, LayoutPoint a, LayoutPoint b) => (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);
        long count = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            for (var j = i + 1; j < segments.Length; j++)
            {
                var (p1, p2) = segments[i];
                var (q1, q2) = segments[j];
                if (p1 == q1 || p1 == q2 || p2 == q1 || p2 == q2)
                {
                    continue;
                }

                var d1 = Cross(q1, q2, p1);
                var d2 = Cross(q1, q2, p2);
                var d3 = Cross(p1, p2, q1);
                var d4 = Cross(p1, p2, q2);
                if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
                {
                    count++;
                }
            }
        }

        return count;
    }
}
