using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.DesignSpace;

/// <summary>The argument checks and stated messages of the design-space tools, and their boundary values.</summary>
public class DesignSpaceValidationTests
{
    public static TheoryData<string> BadMetaparameters => new()
    {
        "base_e 1", "incr_e -1", "freq 0", "modules 0", "conv1 filters 0", "conv1 kernel 0", "conv1 stride 0", "categories 0", "input 0",
    };

    [Theory]
    [MemberData(nameof(BadMetaparameters))]
    public void Each_metaparameter_below_its_minimum_is_refused(string what)
    {
        var d = SqueezeNetMetaparameters.SqueezeNet;
        var bad = what switch
        {
            "base_e 1" => d with { BaseExpand = 1 },
            "incr_e -1" => d with { ExpandIncrement = -1 },
            "freq 0" => d with { Frequency = 0 },
            "modules 0" => d with { FireModules = 0 },
            "conv1 filters 0" => d with { Conv1Filters = 0 },
            "conv1 kernel 0" => d with { Conv1Kernel = 0 },
            "conv1 stride 0" => d with { Conv1Stride = 0 },
            "categories 0" => d with { Categories = 0 },
            _ => d with { InputSize = 0 },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(bad.Validate);
        Assert.StartsWith("base_e must be at least 2, incr_e at least 0, and freq, the module count, conv1's filters, kernel and stride, the categories and the input size at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_fire_modules_expand_count_may_reach_2_to_the_31_minus_1_but_not_more()
    {
        // Three modules at frequency 2: the last has base_e + incr_e·⌊2/2⌋ = base_e + incr_e expand filters.
        var d = SqueezeNetMetaparameters.SqueezeNet with { FireModules = 3, Frequency = 2, BaseExpand = 1 << 30 };
        (d with { ExpandIncrement = (1 << 30) - 1 }).Validate();   // 2^31 - 1
        var error = Assert.Throws<ArgumentOutOfRangeException>((d with { ExpandIncrement = 1 << 30 }).Validate);
        Assert.Equal("BaseExpand", error.ParamName);
        Assert.StartsWith("the last Fire module would have base_e + incr_e·⌊(modules − 1)/freq⌋ = 2147483648 expand filters, more than 2^31-1",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Building_or_evaluating_checks_the_metaparameters_first()
    {
        Assert.Equal("meta", Assert.Throws<ArgumentNullException>(() => SqueezeNetFamily.Build(null!)).ParamName);
        Assert.Equal("meta", Assert.Throws<ArgumentNullException>(() => SqueezeNetFamily.Evaluate(null!)).ParamName);
        // A 3x3 share of 0 would still give each module one 3x3 filter (it is clamped), so only the check refuses it.
        var bad = SqueezeNetMetaparameters.SqueezeNet with { Percent3x3 = 0 };
        Assert.Equal("Percent3x3", Assert.Throws<ArgumentOutOfRangeException>(() => SqueezeNetFamily.Build(bad)).ParamName);
        Assert.Equal("Percent3x3", Assert.Throws<ArgumentOutOfRangeException>(() => SqueezeNetFamily.Evaluate(bad)).ParamName);
    }

    [Theory]
    [InlineData(5, 7, 2, new int[] { 1, 4, 8 }, "conv1", "its kernel 7 is larger than its input 5")]
    [InlineData(4, 3, 1, new int[] { 1, 4, 8 }, "pool1", "its kernel 3 is larger than its input 2")]   // conv1: 4 - 3 + 1 = 2
    [InlineData(2, 1, 1, new int[] { 2 }, "pool2", "its kernel 3 is larger than its input 2")]          // fire2 keeps 2x2
    public void A_layout_too_large_for_its_input_names_the_layer_in_the_closed_form(int input, int kernel, int stride, int[] pools, string layer, string reason)
    {
        var meta = SqueezeNetMetaparameters.SqueezeNet with { InputSize = input, Conv1Kernel = kernel, Conv1Stride = stride, PoolsAfter = [.. pools] };
        var error = Assert.Throws<NetworkDefinitionException>(() => SqueezeNetFamily.Evaluate(meta));
        Assert.Equal((layer, reason), (error.LayerName, error.Reason));
    }

    [Fact]
    public void A_kernel_as_large_as_its_input_fits_and_the_smallest_design_counts_by_hand()
    {
        // 3x7x7 input, conv1 one 7x7 filter, stride 2 -> 1x1x1; one Fire module, base_e 2, SR 1, pct 0.5: squeeze 2,
        // expand 1 + 1; one category, no pools.
        // Parameters: conv1 3·49 + 1 = 148; squeeze 1·2 + 2 = 4; expand1x1 2 + 1 = 3; expand3x3 2·9 + 1 = 19; conv3 2 + 1 = 3: 177.
        // FLOPs (2 per multiply-add, 1x1 outputs): 294 + 4 + 4 + 36 + 4, and the global average pool 2·1 = 344.
        // Activations: conv1 1, squeeze 2, expands 1 + 1, concat 2, conv3 1, pool 1, softmax 1 = 10 values (ReLUs and
        // dropout in place), 40 bytes.
        var meta = SqueezeNetMetaparameters.SqueezeNet with
        {
            InputSize = 7, Conv1Kernel = 7, Conv1Stride = 2, Conv1Filters = 1, PoolsAfter = [], FireModules = 1,
            BaseExpand = 2, ExpandIncrement = 0, Frequency = 1, SqueezeRatio = 1, Percent3x3 = 0.5, Categories = 1,
        };
        Assert.Equal(new DesignCosts(177, 708, 344, 40), SqueezeNetFamily.Evaluate(meta));
        var network = SqueezeNetFamily.Build(meta);
        Assert.Equal("squeezenet-family", network.Name);
        Assert.Equal(new Shape(1, 1, 1), network.OutputShapes[network.IndexOf("conv1")]);
    }

    [Fact]
    public void The_smallest_legal_metaparameters_pass()
    {
        var smallest = SqueezeNetMetaparameters.SqueezeNet with
        {
            BaseExpand = 2, ExpandIncrement = 0, Frequency = 1, FireModules = 1, Conv1Filters = 1, Conv1Kernel = 1, Conv1Stride = 1,
            Categories = 1, InputSize = 1, SqueezeRatio = 1, Percent3x3 = 0.5, PoolsAfter = [],
        };
        smallest.Validate();
        // base_e 2, pct 0.5: one 3x3 and one 1x1 expand; SR 1: a squeeze of 2.
        Assert.Equal(new FireDimensions(2, 1, 1), smallest.Fire(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => smallest.Fire(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => smallest.Fire(-1));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void The_3x3_share_must_lie_strictly_between_zero_and_one(double percent)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>((SqueezeNetMetaparameters.SqueezeNet with { Percent3x3 = percent }).Validate);
        Assert.Equal("Percent3x3", error.ParamName);
        Assert.StartsWith($"pct3x3 must be strictly between 0 and 1, got {percent}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void The_squeeze_ratio_must_lie_in_zero_to_one(double ratio)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>((SqueezeNetMetaparameters.SqueezeNet with { SqueezeRatio = ratio }).Validate);
        Assert.Equal("SqueezeRatio", error.ParamName);
        Assert.StartsWith($"SR must be in (0, 1], got {ratio}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "density must be in [1e-12, 1], got 0")]
    [InlineData(1.01, "density must be in [1e-12, 1], got 1.01")]
    [InlineData(double.NaN, "density must be in [1e-12, 1], got NaN")]
    [InlineData(9e-13, "density must be in [1e-12, 1], got 9E-13")] // 1 − d would round to 1 near 1e-17
    public void A_density_outside_zero_to_one_is_refused(double density, string message) =>
        Assert.StartsWith(message, Assert.Throws<ArgumentOutOfRangeException>(new CompressionSettings(density, 8, 8).Validate).Message, StringComparison.Ordinal);

    [Fact]
    public void The_smallest_density_itself_is_accepted() => new CompressionSettings(CompressionSettings.MinimumDensity, 8, 8).Validate();

    [Fact]
    public void The_overall_density_is_checked_before_the_layers_own()
    {
        var settings = new CompressionSettings(2, 8, 8, LayerDensities: new Dictionary<string, double> { ["fc6"] = 3 });
        Assert.StartsWith("density must be in [1e-12, 1], got 2", Assert.Throws<ArgumentOutOfRangeException>(settings.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layers_own_density_is_checked_and_named()
    {
        var settings = new CompressionSettings(0.5, 8, 8, LayerDensities: new Dictionary<string, double> { ["fc6"] = 0 });
        Assert.StartsWith("density of layer 'fc6' must be in [1e-12, 1], got 0", Assert.Throws<ArgumentOutOfRangeException>(settings.Validate).Message, StringComparison.Ordinal);
        Assert.Equal(0.5, settings.DensityOf("conv1"));
        Assert.Equal(0, settings.DensityOf("fc6"));
        Assert.Equal(0.5, (settings with { LayerDensities = null }).DensityOf("fc6"));
    }

    [Theory]
    [InlineData(0, 8, 4, 32, "bits per value must be from 1 to 32")]
    [InlineData(33, 8, 4, 32, "bits per value must be from 1 to 32")]
    [InlineData(8, 0, 4, 32, "bits per value must be from 1 to 32")]
    [InlineData(8, 33, 4, 32, "bits per value must be from 1 to 32")]
    [InlineData(8, 8, 0, 32, "index bits must be from 1 to 32 and codebook entry bits from 1 to 64")]
    [InlineData(8, 8, 33, 32, "index bits must be from 1 to 32 and codebook entry bits from 1 to 64")]
    [InlineData(8, 8, 4, 0, "index bits must be from 1 to 32 and codebook entry bits from 1 to 64")]
    [InlineData(8, 8, 4, 65, "index bits must be from 1 to 32 and codebook entry bits from 1 to 64")]
    public void Bit_widths_outside_their_ranges_are_refused(int convBits, int fcBits, int indexBits, int entryBits, string message) =>
        Assert.StartsWith(message, Assert.Throws<ArgumentOutOfRangeException>(new CompressionSettings(1, convBits, fcBits, indexBits, entryBits).Validate).Message, StringComparison.Ordinal);

    [Fact]
    public void The_widest_legal_bit_widths_pass()
    {
        new CompressionSettings(1, 32, 1, 32, 64).Validate();
        new CompressionSettings(1, 1, 32, 1, 1).Validate();
    }

    [Fact]
    public void Codebooks_exist_up_to_eight_bits_and_a_dense_layer_stores_every_value()
    {
        // Dense, 8 bits: 100 weights + 10 biases at 8 bits = 880 bits, and a codebook of 2^8 entries of 32 bits = 8192.
        var eight = Compression.Layer("l", 100, 10, 8, CompressionSettings.Dense);
        Assert.Equal((100L, 0L, 880L, 0L, 8192L), (eight.Kept, eight.Fillers, eight.ValueBits, eight.IndexBits, eight.CodebookBits));
        Assert.Equal(0, Compression.Layer("l", 100, 10, 9, CompressionSettings.Dense).CodebookBits);
        Assert.Throws<ArgumentNullException>(() => Compression.Layer("l", 1, 1, 8, null!));
    }

    [Fact]
    public void Compression_needs_a_report_and_settings_and_batch_norm_stays_dense_fp32()
    {
        var report = CostModel.Analyze(new CnnCost.Graph.NetworkBuilder("bn").Input(2, 4, 4).BatchNorm("bn").Build());
        var compressed = Compression.Compress(report, new CompressionSettings(0.5, 4, 4));
        var bn = Assert.Single(compressed.Layers);
        // 2 scales + 2 shifts, kept as 32-bit values: 128 bits, 16 bytes, as dense.
        Assert.Equal(("bn", 128L, 16L, 16L), (bn.Name, bn.TotalBits, compressed.CompressedBytes, compressed.DenseBytes));
        Assert.Equal(1.0, compressed.Ratio);
        Assert.Throws<ArgumentNullException>(() => Compression.Compress(null!, CompressionSettings.Dense));
        Assert.Throws<ArgumentNullException>(() => Compression.Compress(report, null!));
    }

    [Fact]
    public void Sweeps_need_designs_and_an_evaluator_and_name_a_bad_range()
    {
        Assert.Equal("designs", Assert.Throws<ArgumentNullException>(() => Sweep.Run<int>(null!, _ => default)).ParamName);
        Assert.Equal("results", Assert.Throws<ArgumentNullException>(() => Sweep.ParetoFront<int>(null!)).ParamName);
        // A zero step is refused as a step, whatever the range.
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => Sweep.Range(0, 1, 0)).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => Sweep.Range(1, 1, 0)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Sweep.Run([1], (Func<int, DesignCosts>)null!));
        Assert.Throws<ArgumentNullException>(() => Sweep.ParetoFront<int>(null!));
        Assert.Throws<ArgumentNullException>(() => Sweep.ParetoFront(Array.Empty<SweepResult<int>>(), null!));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Sweep.Range(2, 1, 0.5));
        Assert.StartsWith("a range needs a positive step and stop >= start, got 2..1 by 0.5", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sweep.Range(0, 1, double.NaN));
        Assert.Equal(new[] { 5.0 }, Sweep.Range(5, 5, 1));
        var results = Sweep.Run([3, 1], x => new DesignCosts(x, x, 10 - x, 0));
        Assert.Equal(new[] { (3, 3L), (1, 1L) }, results.Select(r => (r.Design, r.Costs.Parameters)));
    }

    [Fact]
    public void Ties_on_the_front_keep_every_equal_best_point()
    {
        // (bytes, flops): (1, 5) and (1, 5) tie and both stay; (1, 6) is beaten by them; (2, 5) is beaten; (3, 1) stays.
        SweepResult<string> R(string n, long bytes, long flops) => new(n, new DesignCosts(bytes, bytes, flops, 0));
        var all = new[] { R("a", 1, 5), R("b", 1, 5), R("c", 1, 6), R("d", 2, 5), R("e", 3, 1) };
        Assert.Equal(new[] { "a", "b", "e" }, Sweep.ParetoFront(all).Select(r => r.Design));
        // With three objectives, equal points do not dominate each other either.
        Assert.Equal(new[] { "a", "b", "e" }, Sweep.ParetoFront(all, r => r.Costs.ParameterBytes, r => r.Costs.Flops, r => r.Costs.ActivationBytes).Select(r => r.Design));
    }

    [Fact]
    public void Vgg_assignments_of_the_wrong_form_name_the_expected_form()
    {
        var error = Assert.Throws<ArgumentException>(() => VggSpace.Dissertation.Costs([1, 2, 3]));
        Assert.StartsWith("an assignment has", error.Message, StringComparison.Ordinal);
        // Building checks as well: 100 filters is no choice of the space.
        int[] hundred = [100, 64, 128, 128, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];
        var build = Assert.Throws<ArgumentException>(() => VggSpace.Dissertation.Build(hundred));
        Assert.Equal("an assignment has 16 entries, each 0 (absent) or one of 64, 128, 256, 512 (Parameter 'assignment')", build.Message);
        Assert.Throws<ArgumentNullException>(() => VggSpace.Dissertation.Costs(null!));
    }
}
