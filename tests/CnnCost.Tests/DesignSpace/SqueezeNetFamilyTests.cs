using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Reporting;
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
        Assert.Equal(unit, SweepViews.MatchingUnit(stated, bytes));
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
        Assert.Contains("19MB (rounds in MB)", SweepViews.Figure53().ToMarkdown());
        Assert.Contains("7.7MB (rounds in neither)", SweepViews.Table53().ToMarkdown());
    }
}

/// <summary>The tables of chapter 5's sweeps: their titles, headers and notes as printed, and values worked by hand.</summary>
public class SqueezeNetSweepTablesTests
{
    private const string Conditions =
        "batch 1, fp32, biases included, 3x227x227 input, SqueezeNet v1.0's layout; fractional filter counts round half away from zero";

    private static readonly string[] FigureHeaders =
        ["parameters", "size (MiB)", "size (MB)", "GFLOPs", "activations (MB)", "size the text states"];

    [Fact]
    public void Figure_54s_grid_is_1_percent_then_eighths_then_99_percent()
    {
        Assert.Equal(new[] { 0.01, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 0.99 }, SqueezeNetSweeps.Percent3x3Grid.Select(m => m.Percent3x3).ToArray());
        Assert.All(SqueezeNetSweeps.Percent3x3Grid, m => Assert.Equal(0.5, m.SqueezeRatio));
    }

    [Fact]
    public void Figure_53_has_its_title_headers_notes_and_squeezenets_own_row_first()
    {
        var table = SweepViews.Figure53();
        Assert.Equal("Figure 5.3: squeeze ratio (SR) vs model size (base_e 128, incr_e 128, pct3x3 0.5, freq 2)", table.Title);
        Assert.Equal(new[] { "SR" }.Concat(FigureHeaders), table.Columns.Select(c => c.Header));
        // Size and FLOPs both grow with SR (every squeeze layer widens), so the smallest SR alone is on the front.
        Assert.Equal(new[] { Conditions, "Pareto front of (size, FLOPs), both minimized: SR = 0.125 (accuracy, which the figures trade against size, is not modelled)" },
            table.Notes);
        // SR 0.125 is SqueezeNet v1.0: 1,248,424 parameters (PyTorch's count); 2 · 832,667,936 multiply-adds (PyTorch's)
        // plus pooling 9·(96·55² + 256·27² + 512·13²) + 2·169·1000 = 5,409,968 operations: 1,670,745,840 FLOPs, 1.67 G.
        var first = table.Rows[0];
        Assert.Equal(("0.125", "1,248,424", "1.67", "4.8MB (rounds in MiB)"), (first[0], first[1], first[4], first[6]));
        // The text states no size for SR 0.25.
        Assert.Equal(("0.25", ""), (table.Rows[1][0], table.Rows[1][6]));
    }

    [Fact]
    public void Figure_54_has_its_title_headers_notes_and_the_sizes_the_text_states()
    {
        var table = SweepViews.Figure54();
        Assert.Equal("Figure 5.4: pct3x3 vs model size (base_e 128, incr_e 128, SR 0.5, freq 2)", table.Title);
        Assert.Equal(new[] { "pct3x3" }.Concat(FigureHeaders), table.Columns.Select(c => c.Header));
        // More 3x3 filters cost more parameters and FLOPs, so 1% alone is on the front.
        Assert.Equal(new[] { Conditions, "Pareto front of (size, FLOPs), both minimized: pct3x3 = 0.01 (accuracy, which the figures trade against size, is not modelled)" },
            table.Notes);
        // 5.5.3 states 5.7MB at 1%, 13MB at 50% and 21MB at 99%; the units they round in are worked out in
        // SqueezeNetFamilyTests.Figure_sizes_round_in_the_unit_stated_here.
        var stated = table.Rows.Select(r => (r[0], r[6])).Where(c => c.Item2.Length > 0).ToArray();
        Assert.Equal(new[] { ("0.01", "5.7MB (rounds in neither)"), ("0.5", "13MB (rounds in MiB)"), ("0.99", "21MB (rounds in MB)") }, stated);
    }

    [Fact]
    public void Table_53_has_its_title_headers_and_the_parameters_each_printed_size_implies()
    {
        var table = SweepViews.Table53();
        Assert.Equal("Table 5.3: SqueezeNet macroarchitectures and model size", table.Title);
        Assert.Equal(new[] { "bypass", "parameters", "size (MiB)", "size (MB)", "printed size", "parameters the printed size implies (MiB / MB)" },
            table.Columns.Select(c => c.Header));
        // A printed size in 4-byte parameters: 4.8 MiB = 4.8·2^20 / 4 = 1,258,291 and 4.8 MB = 1,200,000;
        // 7.7 MiB = 2,018,508 and 7.7 MB = 1,925,000.
        Assert.Equal(new[] { ("none", "1,258,291 / 1,200,000"), ("simple", "1,258,291 / 1,200,000"), ("complex", "2,018,508 / 1,925,000") },
            table.Rows.Select(r => (r[0], r[5])));
        // Complex bypass adds 1x1 convolutions with biases 96·128 + 128, 128·256 + 256, 256·384 + 384 and 384·512 + 512,
        // 341,248 parameters, to vanilla's 1,248,424; the printed 7.7 MB is 1,925,000 - 1,248,424 = 676,576 more (in MB)
        // to 2,018,508 - 1,248,424 = 770,084 more (in MiB).
        Assert.Equal("1,589,672", table.Rows[2][1]);
        Assert.Equal(
            new[]
            {
                "complex bypass: 1x1 convolutions (with biases) around fire2, fire4, fire6 and fire8, simple adds around fire3, 5, 7, 9 (5.6, Figure 5.2)",
                "the printed 7.7 MB implies 676,576 (MB) to 770,084 (MiB) parameters more than vanilla SqueezeNet; the four 1x1 bypass convolutions add 341,248",
            },
            table.Notes);
    }

    [Fact]
    public void A_size_that_rounds_right_in_both_units_says_so()
    {
        // 5,000,000 bytes are 5.0 MB and 4.77 MiB: both round to the stated 5.
        Assert.Equal("MiB and MB", SweepViews.MatchingUnit("5MB", 5_000_000));
        Assert.Equal("stated", Assert.Throws<ArgumentNullException>(() => SweepViews.MatchingUnit(null!, 1)).ParamName);
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
