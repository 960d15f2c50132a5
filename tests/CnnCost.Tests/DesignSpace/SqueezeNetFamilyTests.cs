using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Graph;
using CnnCost.Zoo;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.DesignSpace;

public class SqueezeNetFamilyTests
{
    private static readonly SqueezeNetMetaparameters SqueezeNetV10 = SqueezeNetMetaparameters.SqueezeNet;

    [Theory]
    [InlineData(0, 16, 64, 64)]
    [InlineData(1, 16, 64, 64)]
    [InlineData(2, 32, 128, 128)]
    [InlineData(3, 32, 128, 128)]
    [InlineData(4, 48, 192, 192)]
    [InlineData(5, 48, 192, 192)]
    [InlineData(6, 64, 256, 256)]
    [InlineData(7, 64, 256, 256)]
    public void Default_metaparameters_give_table_51s_fire_modules(int index, int s1x1, int e1x1, int e3x3) =>
        Assert.Equal(new FireDimensions(s1x1, e1x1, e3x3), SqueezeNetV10.Fire(index));

    [Fact]
    public void The_generated_squeezenet_is_the_zoos_squeezenet_1_0()
    {
        var generated = CostModel.Analyze(SqueezeNetFamily.Build(SqueezeNetV10));
        var zoo = CostModel.Analyze(SqueezeNet.Version10());
        Assert.Equal(zoo.Totals, generated.Totals);
        Assert.Equal(zoo.Layers.Select(l => l.Name), generated.Layers.Select(l => l.Name));
        Assert.Equal(1_248_424, SqueezeNetFamily.Evaluate(SqueezeNetV10).Parameters);
    }

    [Fact]
    public void The_closed_form_evaluation_equals_the_cost_model_of_the_built_network()
    {
        var metaparameters =
            from baseE in Gen.Choose(2, 256)
            from incrE in Gen.Choose(0, 256)
            from pct in Gen.Choose(1, 99)
            from freq in Gen.Choose(1, 4)
            from sr in Gen.Choose(1, 100)
            from bypass in Gen.Elements(BypassKind.None, BypassKind.Simple, BypassKind.Complex)
            from modules in Gen.Choose(1, 8)
            select SqueezeNetV10 with
            {
                BaseExpand = baseE, ExpandIncrement = incrE, Percent3x3 = pct / 100.0, Frequency = freq,
                SqueezeRatio = sr / 100.0, Bypass = bypass, FireModules = modules,
            };
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(metaparameters.ToArbitrary(), meta =>
        {
            var totals = CostModel.Analyze(SqueezeNetFamily.Build(meta)).Totals;
            var closedForm = SqueezeNetFamily.Evaluate(meta);
            return closedForm == new DesignCosts(totals.Parameters, totals.ParameterBytes, totals.Flops, totals.ActivationBytes);
        }));
    }

    [Fact]
    public void Complex_bypass_adds_four_1x1_convolutions_and_simple_bypass_adds_no_parameters()
    {
        // 1x1 convolutions with biases around fire2 (96 -> 128), fire4 (128 -> 256), fire6 (256 -> 384), fire8 (384 -> 512).
        long bypassConvolutions = (96 * 128 + 128) + (128 * 256 + 256) + (256 * 384 + 384) + (384 * 512 + 512);
        var vanilla = SqueezeNetFamily.Evaluate(SqueezeNetV10).Parameters;
        Assert.Equal(vanilla, SqueezeNetFamily.Evaluate(SqueezeNetV10 with { Bypass = BypassKind.Simple }).Parameters);
        Assert.Equal(vanilla + bypassConvolutions, SqueezeNetFamily.Evaluate(SqueezeNetV10 with { Bypass = BypassKind.Complex }).Parameters);
        var simple = SqueezeNetFamily.Build(SqueezeNetV10 with { Bypass = BypassKind.Simple });
        Assert.Equal(new[] { "fire3/bypass", "fire5/bypass", "fire7/bypass", "fire9/bypass" },
            simple.Layers.OfType<AddLayer>().Select(l => l.Name).ToArray());
    }

    [Theory]
    [InlineData(0.125, 0.5, "4.8MB", "MiB")]
    [InlineData(0.5, 0.5, "13MB", "MiB")]
    [InlineData(0.75, 0.5, "19MB", "MB")]
    [InlineData(0.5, 0.99, "21MB", "MB")]
    [InlineData(0.5, 0.01, "5.7MB", "neither")] // 5.64 MiB, 5.91 MB
    public void Figure_sizes_round_in_the_unit_stated_here(double sr, double pct, string stated, string unit)
    {
        var bytes = SqueezeNetFamily.Evaluate(SqueezeNetV10 with { SqueezeRatio = sr, Percent3x3 = pct }).ParameterBytes;
        Assert.Equal(unit, SqueezeNetSweeps.MatchingUnit(stated, bytes));
    }

    [Fact]
    public void Rounding_of_fractional_filter_counts_is_half_away_from_zero_and_keeps_every_layer()
    {
        var onePercent = SqueezeNetV10 with { Percent3x3 = 0.01, SqueezeRatio = 0.5 };
        Assert.Equal(new FireDimensions(64, 127, 1), onePercent.Fire(0));     // 1.28 -> 1
        Assert.Equal(new FireDimensions(1, 64, 64), (SqueezeNetV10 with { SqueezeRatio = 0.001 }).Fire(0)); // 0.128 -> at least 1
        Assert.Equal(new FireDimensions(21, 63, 65), (SqueezeNetV10 with { Percent3x3 = 0.50390625, SqueezeRatio = 0.16015625 }).Fire(0)); // 64.5 -> 65, 20.5 -> 21
        Assert.Throws<ArgumentOutOfRangeException>(() => (SqueezeNetV10 with { Percent3x3 = 1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (SqueezeNetV10 with { SqueezeRatio = 0 }).Validate());
    }

    [Fact]
    public void Sweeps_cover_the_figures_ranges()
    {
        Assert.Equal(new[] { 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0 }, SqueezeNetSweeps.SqueezeRatioGrid.Select(m => m.SqueezeRatio).ToArray());
        Assert.Equal(0.01, SqueezeNetSweeps.Percent3x3Grid[0].Percent3x3);
        Assert.Equal(0.99, SqueezeNetSweeps.Percent3x3Grid[^1].Percent3x3);
        Assert.Contains("19MB (rounds in MB)", SqueezeNetSweeps.Figure53().ToMarkdown());
        Assert.Contains("7.7MB (rounds in neither)", SqueezeNetSweeps.Table53().ToMarkdown());
    }
}

public class SweepTests
{
    private static readonly Gen<SweepResult<int>[]> Results =
        from n in Gen.Choose(0, 40)
        from points in Gen.ArrayOf(from p in Gen.Choose(0, 20) from f in Gen.Choose(0, 20) from a in Gen.Choose(0, 20) select (p, f, a), n)
        select points.Select((x, i) => new SweepResult<int>(i, new DesignCosts(x.p, x.p, x.f, x.a))).ToArray();

    private static bool Dominates(double[] a, double[] b) => a.Zip(b).All(x => x.First <= x.Second) && a.Zip(b).Any(x => x.First < x.Second);

    private static bool IsExactFront(SweepResult<int>[] all, IReadOnlyCollection<SweepResult<int>> front, Func<SweepResult<int>, double[]> score) =>
        all.All(r => front.Contains(r) == !all.Any(o => Dominates(score(o), score(r))));

    [Fact]
    public void The_two_objective_front_is_exactly_the_non_dominated_set()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Results.ToArbitrary(), all =>
            IsExactFront(all, Sweep.ParetoFront(all), r => [r.Costs.ParameterBytes, r.Costs.Flops])));
    }

    [Fact]
    public void The_three_objective_front_is_exactly_the_non_dominated_set()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Results.ToArbitrary(), all =>
            IsExactFront(all, Sweep.ParetoFront(all, r => r.Costs.ParameterBytes, r => r.Costs.Flops, r => r.Costs.ActivationBytes),
                r => [r.Costs.ParameterBytes, r.Costs.Flops, r.Costs.ActivationBytes])));
    }

    [Fact]
    public void Ranges_reach_their_stop_and_reject_empty_ones()
    {
        Assert.Equal(new[] { 0.1, 0.2, 0.30000000000000004 }, Sweep.Range(0.1, 0.3, 0.1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Sweep.Range(1, 0, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sweep.Range(0, 1, 0));
    }
}
