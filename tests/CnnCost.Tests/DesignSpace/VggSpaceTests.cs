using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Zoo;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.DesignSpace;

public class VggSpaceTests
{
    // A reduced space: 3x32x32 input, blocks of 1, 2, 1 slots (4 slots), 64/128 filters or absent, fc 16 then 10.
    private static readonly VggSpace Small = new(3, 32, [1, 2, 1], [64, 128], [16, 10]);
    private static readonly VggSpace Medium = new(3, 64, [2, 1, 2, 1, 1], [64, 128, 256, 512], [32, 10]);

    private static IEnumerable<int[]> Assignments(VggSpace space)
    {
        var choices = new[] { 0 }.Concat(space.FilterChoices).ToArray();
        var total = space.Total;
        for (long index = 0; index < total; index++)
        {
            var assignment = new int[space.Slots];
            var rest = index;
            for (var slot = 0; slot < space.Slots; slot++)
            {
                assignment[slot] = choices[rest % choices.Length];
                rest /= choices.Length;
            }

            yield return assignment;
        }
    }

    private static long BruteForce(VggSpace space, long? maxParameters, long? maxFlops) =>
        Assignments(space).Select(space.Costs).LongCount(c => c.Parameters <= (maxParameters ?? long.MaxValue) && c.Flops <= (maxFlops ?? long.MaxValue));

    [Fact]
    public void The_dissertations_space_has_5_to_the_16_assignments()
    {
        Assert.Equal(152_587_890_625, VggSpace.Dissertation.Total);   // not "30 billion": that is 5^15
        Assert.Equal(30_517_578_125, VggSpace.Dissertation.Total / 5);
        Assert.Equal(VggSpace.Dissertation.Total, VggSpaceCounter.CountWithin(VggSpace.Dissertation, null, null));
    }

    [Fact]
    public void An_assignments_costs_equal_the_cost_model_of_its_network()
    {
        int[] vgg16 = [64, 64, 128, 128, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];
        var (parameters, flops) = VggSpace.Dissertation.Costs(vgg16);
        var zoo = CostModel.Analyze(Vgg.Vgg16()).Totals;
        Assert.Equal(138_357_544, parameters);
        Assert.Equal(zoo.Flops, flops);
        foreach (var assignment in Assignments(Medium).Where((_, i) => i % 997 == 0))
        {
            var totals = CostModel.Analyze(Medium.Build(assignment)).Totals;
            Assert.Equal((totals.Parameters, totals.Flops), Medium.Costs(assignment));
        }
    }

    [Fact]
    public void Counts_equal_brute_force_on_reduced_spaces_including_exact_boundaries()
    {
        foreach (var space in new[] { Small, Medium })
        {
            var costs = Assignments(space).Select(space.Costs).ToArray();
            var parameterBudgets = costs.Select(c => c.Parameters).Distinct().Order().Where((_, i) => i % 37 == 0).ToArray();
            var flopBudgets = costs.Select(c => c.Flops).Distinct().Order().Where((_, i) => i % 41 == 0).ToArray();
            foreach (var p in parameterBudgets.Take(12))
            {
                Assert.Equal(BruteForce(space, p, null), VggSpaceCounter.CountWithin(space, p, null));
            }

            foreach (var f in flopBudgets.Take(12))
            {
                Assert.Equal(BruteForce(space, null, f), VggSpaceCounter.CountWithin(space, null, f));
            }

            foreach (var (p, f) in parameterBudgets.Take(6).Zip(flopBudgets.Skip(3).Take(6)))
            {
                Assert.Equal(BruteForce(space, p, f), VggSpaceCounter.CountWithin(space, p, f));
            }
        }
    }

    [Fact]
    public void The_count_is_monotone_in_the_budget_and_spans_zero_to_the_total()
    {
        Assert.Equal(0, VggSpaceCounter.CountWithin(Medium, 0, null));
        Assert.Equal(0, VggSpaceCounter.CountWithin(Medium, null, 0));
        Assert.Equal(Medium.Total, VggSpaceCounter.CountWithin(Medium, long.MaxValue / 4, long.MaxValue / 4));
        var budgets = from a in Gen.Choose(0, 20_000_000) from b in Gen.Choose(0, 20_000_000) from f in Gen.Choose(0, 2_000_000) select (a, b, f);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(budgets.ToArbitrary(), x =>
        {
            var (low, high) = (Math.Min(x.a, x.b), Math.Max(x.a, x.b));
            var flops = x.f * 1000L;
            return VggSpaceCounter.CountWithin(Medium, low, flops) <= VggSpaceCounter.CountWithin(Medium, high, flops)
                && VggSpaceCounter.CountWithin(Medium, low, null) <= VggSpaceCounter.CountWithin(Medium, high, null);
        }));
    }

    [Fact]
    public void Vgg16_as_a_point_of_the_space_has_the_published_layer_names()
    {
        // VGG-16's Caffe model names its layers conv<block>_<index>, pool<block> and fc6 to fc8 (ReLUs and dropout aside).
        int[] vgg16 = [64, 64, 128, 128, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];
        var network = VggSpace.Dissertation.Build(vgg16);
        Assert.Equal("vgg-space", network.Name);
        Assert.Equal(
            new[]
            {
                "data", "conv1_1", "conv1_2", "pool1", "conv2_1", "conv2_2", "pool2", "conv3_1", "conv3_2", "conv3_3", "pool3",
                "conv4_1", "conv4_2", "conv4_3", "pool4", "conv5_1", "conv5_2", "conv5_3", "pool5", "fc6", "fc7", "fc8",
            },
            network.Layers.Select(l => l.Name).ToArray());
    }

    [Fact]
    public void A_space_of_2_to_the_63_assignments_or_more_is_an_overflow_not_a_wrapped_count()
    {
        // One filter choice or absent: 2 choices per slot, 2^slots assignments; 2^62 fits in a long, 2^63 does not.
        Assert.Equal(1L << 62, new VggSpace(1, 8, [62], [1], [1]).Total);
        Assert.Throws<OverflowException>(() => new VggSpace(1, 8, [63], [1], [1]).Total);
    }

    [Fact]
    public void Without_a_budget_every_assignment_counts_even_those_whose_costs_would_not_fit()
    {
        // Two slots of 2^30 filters or absent: 4 assignments; two convolutions of 2^30 filters in a row would have
        // 2^30·2^30·9 weights, past 2^63, but no budget means no cost is needed.
        var space = new VggSpace(3, 8, [1, 1], [1 << 30], [1]);
        Assert.Equal(4, VggSpaceCounter.CountWithin(space, null, null));
        Assert.Equal("space", Assert.Throws<ArgumentNullException>(() => VggSpaceCounter.CountWithin(null!, 1, 1)).ParamName);
    }

    [Fact]
    public void Counts_under_both_budgets_at_their_medians_equal_brute_force()
    {
        // Mid-range budgets, where many halves of both sides fit only in part, so the order the queries are swept in matters.
        foreach (var space in new[] { Small, Medium })
        {
            var costs = Assignments(space).Select(space.Costs).ToArray();
            var p = costs.Select(c => c.Parameters).Order().ElementAt(costs.Length / 2);
            var f = costs.Select(c => c.Flops).Order().ElementAt(costs.Length / 2);
            foreach (var (pp, ff) in new[] { (p, f), (2 * p, f / 3) })
            {
                Assert.Equal(costs.LongCount(c => c.Parameters <= pp && c.Flops <= ff), VggSpaceCounter.CountWithin(space, pp, ff));
            }
        }
    }

    [Fact]
    public void Bad_assignments_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Small.Costs([64, 64, 64]));
        Assert.Throws<ArgumentException>(() => Small.Costs([64, 32, 64, 64]));
    }
}
