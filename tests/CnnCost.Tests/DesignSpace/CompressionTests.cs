using CnnCost.Costs;
using CnnCost.Dissertation;
using CnnCost.DesignSpace;
using CnnCost.Graph;
using CnnCost.Zoo;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.DesignSpace;

public class CompressionTests
{
    [Fact]
    public void A_small_layer_costs_exactly_what_the_stated_model_says()
    {
        // 1000 weights, 10 biases, density 0.5, 8 bits, 4-bit indices:
        // kept 500; q = 0.5^16, fillers round(500 q / (1 - q)) = 0; values (500 + 10) * 8 = 4080 bits;
        // indices 500 * 4 = 2000 bits; codebook 256 * 32 = 8192 bits.
        var layer = Compression.Layer("l", 1000, 10, 8, new CompressionSettings(0.5, 8, 8));
        Assert.Equal(500, layer.Kept);
        Assert.Equal(0, layer.Fillers);
        Assert.Equal(4080, layer.ValueBits);
        Assert.Equal(2000, layer.IndexBits);
        Assert.Equal(8192, layer.CodebookBits);
    }

    [Fact]
    public void Sparse_survivors_need_filler_zeros_for_long_gaps()
    {
        // Density 0.01 with 4-bit indices (a gap of g positions needs floor((g-1)/16) fillers): 100,000 weights keep 1,000.
        // Expected fillers per survivor, by brute force over the gap lengths of survivors spread at random
        // (P(g) = d (1-d)^(g-1)): 0.01 * sum over g of 0.99^(g-1) * floor((g-1)/16) = 5.7321 (0.99^16 = 0.85146,
        // 0.85146 / 0.14854 = 5.7321 by hand). 1,000 survivors: 5,732 fillers; indices (1,000 + 5,732) * 4 = 26,928 bits.
        double perSurvivor = 0;
        for (var g = 1; g < 20_000; g++)
        {
            perSurvivor += 0.01 * Math.Pow(0.99, g - 1) * ((g - 1) / 16);
        }

        Assert.Equal(5.7321, Math.Round(perSurvivor, 4));
        var layer = Compression.Layer("l", 100_000, 0, 8, new CompressionSettings(0.01, 8, 8));
        Assert.Equal(1000, layer.Kept);
        Assert.Equal(5_732, layer.Fillers);
        Assert.Equal(26_928, layer.IndexBits);
        Assert.Equal((1000 + 5_732) * 8, layer.ValueBits);
    }

    [Fact]
    public void A_sparse_mask_scanned_position_by_position_needs_about_as_many_fillers_as_the_model_expects()
    {
        // 200,000 positions, each kept with probability 0.01 (seeded); scan the gaps and count floor((gap-1)/16) fillers.
        var random = new Random(12345);
        long kept = 0, fillers = 0, gap = 0;
        for (var i = 0; i < 200_000; i++)
        {
            gap++;
            if (random.NextDouble() < 0.01)
            {
                kept++;
                fillers += (gap - 1) / 16;
                gap = 0;
            }
        }

        var layer = Compression.Layer("l", 200_000, 0, 8, new CompressionSettings(0.01, 8, 8));
        Assert.InRange(kept, 1_900, 2_100);
        Assert.InRange(layer.Fillers, fillers * 0.93, fillers * 1.07);   // the expected value against one draw
    }

    [Fact]
    public void Lenet_pruned_to_half_with_8_bit_convolutions_and_5_bit_fully_connected_layers_has_the_hand_counted_size()
    {
        // q = 0.5^16 = 1/65,536; fillers per survivor q/(1-q) = 1/65,535: only ip1's 200,000 survivors need any (3.05 -> 3).
        // conv1 500 -> 250 kept: values (250 + 20 biases) * 8 = 2,160; indices 250 * 4 = 1,000; codebook 256 * 32 = 8,192
        // conv2 25,000 -> 12,500: (12,500 + 50) * 8 = 100,400; 50,000; 8,192
        // ip1 400,000 -> 200,000 + 3 fillers: (200,003 + 500) * 5 = 1,002,515; 200,003 * 4 = 800,012; 32 * 32 = 1,024
        // ip2 5,000 -> 2,500: (2,500 + 10) * 5 = 12,550; 10,000; 1,024
        // 1,997,069 bits -> 249,634 bytes; dense 431,080 * 4 = 1,724,320 bytes.
        var compressed = Compression.Compress(CostModel.Analyze(LeNet.Create()), new CompressionSettings(0.5, 8, 5));
        Assert.Equal([2_160L + 1_000 + 8_192, 100_400L + 50_000 + 8_192, 1_002_515L + 800_012 + 1_024, 12_550L + 10_000 + 1_024],
            compressed.Layers.Select(l => l.TotalBits));
        Assert.Equal(3, compressed.Layers.Single(l => l.Name == "ip1").Fillers);
        Assert.Equal(249_634, compressed.CompressedBytes);
        Assert.Equal(1_724_320, compressed.DenseBytes);
    }

    [Fact]
    public void Density_one_at_32_bits_is_the_dense_fp32_size()
    {
        var report = CostModel.Analyze(AlexNet.Create());
        var dense = Compression.Compress(report, CompressionSettings.Dense);
        Assert.Equal(60_965_224L * 4, dense.CompressedBytes);
        Assert.Equal(dense.DenseBytes, dense.CompressedBytes);
        Assert.Equal(1.0, dense.Ratio);
    }

    [Fact]
    public void Size_grows_with_density_and_bits()
    {
        var report = CostModel.Analyze(SqueezeNet.Version10());
        var cases = from d1 in Gen.Choose(1, 100) from d2 in Gen.Choose(1, 100) from b1 in Gen.Choose(1, 32) from b2 in Gen.Choose(1, 32) select (d1, d2, b1, b2);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (dLow, dHigh) = (Math.Min(c.d1, c.d2) / 100.0, Math.Max(c.d1, c.d2) / 100.0);
            var (bLow, bHigh) = (Math.Min(c.b1, c.b2), Math.Max(c.b1, c.b2));
            long Size(double d, int b) => Compression.Compress(report, new CompressionSettings(d, b, b)).CompressedBytes;
            // Dense storage drops the indices, so compare within the sparse regime (d < 1); a codebook appears at 8 bits
            // and below, so bits compare within one regime.
            var sameRegime = (bLow <= Compression.MaxCodebookBits) == (bHigh <= Compression.MaxCodebookBits);
            return dHigh >= 1 || (Size(dLow, bLow) <= Size(dHigh, bLow) && (!sameRegime || Size(dLow, bLow) <= Size(dLow, bHigh)));
        }));
    }

    [Fact]
    public void Squeezenet_compressed_sizes_are_within_the_stated_gaps_of_table_52()
    {
        var report = CostModel.Analyze(SqueezeNet.Version10());
        double MiB(CompressionSettings s) => Compression.Compress(report, s).CompressedBytes / (double)(1 << 20);
        Assert.Equal(4.8, Math.Round(MiB(CompressionSettings.Dense), 1));
        // 8-bit at 33%: 0.618 MiB against the printed 0.66 (6% under); 6-bit: 0.500 against 0.47 (6% over, Huffman coding not modelled).
        Assert.InRange(MiB(new CompressionSettings(0.33, 8, 8)), 0.66 * 0.92, 0.66);
        Assert.InRange(MiB(new CompressionSettings(0.33, 6, 6)), 0.47, 0.47 * 1.08);
    }

    [Fact]
    public void Table_51_matches_every_printed_module()
    {
        Assert.All(ChapterFive.Table51().Comparisons, c => Assert.True(c.Agrees, $"{c.Row}: printed {c.Printed}, computed {c.Computed}"));
        Assert.Contains("SVD", ChapterFive.Table52().ToMarkdown());
    }

    [Fact]
    public void Layers_can_be_pruned_to_their_own_densities()
    {
        // LeNet's ip1 (400,000 weights) kept at 10%, everything else dense: ip1 keeps exactly 40,000 weights.
        var report = CostModel.Analyze(LeNet.Create());
        var settings = new CompressionSettings(1, 32, 32, LayerDensities: new Dictionary<string, double> { ["ip1"] = 0.1 });
        var compressed = Compression.Compress(report, settings);
        Assert.Equal(40_000, compressed.Layers.Single(l => l.Name == "ip1").Kept);
        Assert.Equal(500, compressed.Layers.Single(l => l.Name == "conv1").Kept);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSettings(1, 8, 8, LayerDensities: new Dictionary<string, double> { ["fc6"] = 0 }).Validate());
        Assert.Contains("'fc6'", error.Message);
    }

    [Fact]
    public void Bad_settings_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSettings(0, 8, 8).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSettings(0.5, 40, 8).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => Compression.Compress(CostModel.Analyze(LeNet.Create()), new CompressionSettings(1.5, 8, 8)));
    }

    [Fact]
    public void A_dense_fp32_size_beyond_2_to_the_63_bytes_is_an_error_naming_the_model()
    {
        // int8 lets the cost model hold (2^31 - 1) · 1.5·2^30 ≈ 3.46e18 weights in as many bytes; their dense fp32 size,
        // 4 bytes each, is about 1.38e19, past 2^63 - 1. Pruned to a millionth, the compressed layer itself fits.
        var network = new NetworkBuilder("wide", Conventions.Caffe with { Precision = Precision.Int8 })
            .Input(int.MaxValue, 1, 1).FullyConnected("fc", 1_610_612_736).Build();
        var error = Assert.Throws<CnnCostException>(() => Compression.Compress(CostModel.Analyze(network), new CompressionSettings(1e-6, 4, 4)));
        Assert.Equal("model 'wide': its size exceeds 2^63-1 bits", error.Message);
    }

    [Fact]
    public void A_compressed_size_beyond_2_to_the_63_bits_is_an_error_naming_the_model()
    {
        // 2^29 inputs x 3·2^28 outputs = 1.5·2^58 weights, nearly all kept (density 0.999999, no fillers at 16-bit indices):
        // 16-bit values and 16-bit indices are each about 6.9e18 bits, which fit; together about 1.38e19 do not.
        var network = new NetworkBuilder("wide").Input(1 << 29, 1, 1).FullyConnected("fc", 805_306_368).Build();
        var error = Assert.Throws<CnnCostException>(() => Compression.Compress(CostModel.Analyze(network), new CompressionSettings(0.999999, 16, 16, 16)));
        Assert.Equal("model 'wide': its size exceeds 2^63-1 bits", error.Message);
        // The same sum, asked of one layer directly, is an overflow rather than a wrapped number.
        Assert.Throws<OverflowException>(() => new LayerCompression("l", 0, 0, 0, long.MaxValue, 1, 0).TotalBits);
    }

    [Fact]
    public void A_dense_layer_of_a_hand_made_report_beyond_2_to_the_63_bits_names_the_layer()
    {
        // Batch norm stays dense in fp32: 2^60 parameters are 2^65 bits.
        var report = CostModel.Analyze(new NetworkBuilder("bn").Input(2, 4, 4).BatchNorm("bn").Build());
        var huge = report with
        {
            Layers = [report.Layers[0], report.Layers[1] with { Weights = 1L << 60, Biases = 0 }],
            Totals = report.Totals with { Weights = 1L << 60, Biases = 0 },
        };
        Assert.Equal("bn", Assert.Throws<CostOverflowException>(() => Compression.Compress(huge, new CompressionSettings(0.5, 8, 8))).LayerName);
    }

    [Fact]
    public void A_model_without_parameters_is_refused_rather_than_compressed_by_a_nan_ratio()
    {
        // Found by fuzz-cli: a prototxt of one pooling layer printed "0 MB dense fp32 -> 0 MB: NaNx smaller".
        var network = new CnnCost.Graph.NetworkBuilder("pool").Input(7, 11, 11).MaxPool("p", new CnnCost.Graph.Size2(3, 3), new CnnCost.Graph.Size2(2, 2)).Build();
        var error = Assert.Throws<CnnCostException>(() => Compression.Compress(CostModel.Analyze(network), new CompressionSettings(0.5, 8, 8)));
        Assert.Contains("no weights", error.Message, StringComparison.Ordinal);
    }
}
