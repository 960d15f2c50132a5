using CnnCost.Costs;
using CnnCost.DesignSpace;
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
        Assert.Throws<ArgumentNullException>(() => Sweep.Run<int>(null!, _ => default));
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
        Assert.Throws<ArgumentNullException>(() => VggSpace.Dissertation.Costs(null!));
    }
}
