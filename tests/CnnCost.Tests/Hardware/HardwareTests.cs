using CnnCost.Costs;
using CnnCost.Dissertation;
using CnnCost.Graph;
using CnnCost.Hardware;
using Xunit;

namespace CnnCost.Tests.Hardware;

public class HardwareTests
{
    private static readonly Device Toy = new("toy", 1e12, 1e11, 100, "a device for hand calculation: ridge at 10 FLOPs/byte");

    [Fact]
    public void Thirty_watts_at_fifteen_fps_is_two_joules_per_frame()
    {
        Assert.Equal(2.0, SpeedModel.JoulesPerFrame(30, 15), 12);
        var estimate = SpeedModel.Estimate(Toy, 1_000_000_000, 0.5);   // 0.5 TFLOP/s over 1 GFLOP
        Assert.Equal(500, estimate.FramesPerSecond, 9);
        Assert.Equal(0.2, estimate.JoulesPerFrame, 12);                // 100 W / 500 fps
        Assert.Throws<ArgumentOutOfRangeException>(() => SpeedModel.Estimate(Toy, 1, 1.5));
    }

    [Fact]
    public void Roofline_bounds_follow_the_hand_computed_ridge_point()
    {
        // 16x8x8 input, 1x1 convolution to 16 channels without bias, batch 1, fp32:
        // FLOPs 2*16*16*64 = 32,768; bytes (1024 in + 256 weights + 1024 out) * 4 = 9,216; intensity 3.56 < 10: memory bound.
        // 3x3 convolution, pad 1, 64 filters: FLOPs 2*16*64*9*64 = 1,179,648; bytes (1024 + 9216 + 4096) * 4 = 57,344; 20.6 > 10: compute bound.
        var network = new NetworkBuilder("toy").Input(16, 8, 8)
            .Convolution("pointwise", 16, 1, bias: false)
            .Convolution("spatial", 64, 3, pad: 1, bias: false).Build();
        var points = Roofline.Analyze(CostModel.Analyze(network), Toy);
        var pointwise = points.Single(p => p.Name == "pointwise");
        Assert.Equal(32_768, pointwise.Flops);
        Assert.Equal(9_216, pointwise.Bytes);
        Assert.False(pointwise.ComputeBound);
        Assert.Equal(32_768.0 / 9_216 * 1e11, pointwise.AttainableFlopsPerSecond, 3);
        var spatial = points.Single(p => p.Name == "spatial");
        Assert.Equal(57_344, spatial.Bytes);
        Assert.True(spatial.ComputeBound);
        Assert.Equal(1e12, spatial.AttainableFlopsPerSecond);
        // Compute bound, its time is its FLOPs at the peak, 1,179,648 / 1e12 s, not its bytes at the bandwidth (0.57 µs).
        Assert.Equal(1.179648e-6, spatial.Seconds, tolerance: 1e-18);
        Assert.Equal(10, Toy.RidgeFlopsPerByte);
    }

    [Fact]
    public void Memory_totals_of_a_small_network_match_the_hand_count()
    {
        // Batch 2, fp32. data 3x8x8 = 192 values; conv 4x8x8 = 256; relu in place; pool 4x4x4 = 64; fc 10.
        // Parameters: conv 3*4*9 + 4 = 112, fc 64*10 + 10 = 650: 762 values = 3,048 bytes.
        var network = new NetworkBuilder("small").Input(3, 8, 8)
            .Convolution("conv", 4, 3, pad: 1).ReLU("relu")
            .MaxPool("pool", 2, 2)
            .FullyConnected("fc", 10).Build();
        var report = CostModel.Analyze(network, new AnalysisOptions { Batch = 2 });
        var inference = MemoryModel.Inference(network, report);
        Assert.Equal(3_048, inference.Weights);
        // Live sets x 2 items x 4 bytes: data+conv = 448, conv(relu)+pool = 320, pool+fc = 74; the peak is 448 at conv.
        Assert.Equal(448 * 2 * 4, inference.Activations);
        Assert.Equal("conv", inference.PeakLayer);
        var adam = MemoryModel.Training(network, report, Optimizer.Adam);
        Assert.Equal((192 + 256 + 64 + 10) * 2 * 4, adam.Activations);    // every owned output, the input included
        Assert.Equal(3_048 + 3_048 + 2 * 3_048 + adam.Activations, adam.Total);
        Assert.Equal(3_048, MemoryModel.Training(network, report, Optimizer.SgdMomentum).OptimizerState);
        Assert.Equal(0, MemoryModel.Training(network, report, Optimizer.Sgd).OptimizerState);
    }

    [Fact]
    public void A_branch_keeps_its_source_alive_until_its_last_reader()
    {
        // data 1x4x4 (16) -> a (2x4x4 = 32) -> b (32) ; add(a, b) (32). While b runs, data is freed, a and b live.
        var network = new NetworkBuilder("branch").Input(1, 4, 4)
            .Convolution("a", 2, 1).Convolution("b", 2, 1).Sum("add", "a", "b").Build();
        var report = CostModel.Analyze(network);
        var memory = MemoryModel.Inference(network, report);
        Assert.Equal((32 + 32 + 32) * 4, memory.Activations);                 // a, b and add at once
        Assert.Equal("add", memory.PeakLayer);
    }

    [Fact]
    public void Every_preset_is_findable_and_unknown_names_list_them()
    {
        Assert.Equal(10.6e12, Devices.Find("p100").PeakFlopsPerSecond);
        var error = Assert.Throws<CnnCostException>(() => Devices.Find("abacus"));
        Assert.Contains("H200", error.Message);
    }
}

public class ChapterTablesTests
{
    [Fact]
    public void Every_printed_value_of_chapters_2_and_3_agrees_or_has_a_known_erratum()
    {
        var comparisons = ChapterTwo.WorkedExamples().Comparisons.Concat(ChapterThree.Table31().Comparisons).ToArray();
        Assert.All(comparisons, c => Assert.True(c.Agrees || c.Erratum is not null, $"{c.Table} {c.Row} {c.Column}: printed {c.Printed}, computed {c.Computed}"));
    }

    [Fact]
    public void Table_31s_nin_row_and_the_ungrouped_alexnet_reproduce_the_printed_weights_and_flops()
    {
        var rows = ChapterThree.Table31().Comparisons;
        Assert.True(rows.Single(c => c.Row == "NiN" && c.Column == "|W|").Agrees);          // 30.4 MB, printed 30MB
        Assert.True(rows.Single(c => c.Row == "NiN" && c.Column == "F+B TFLOPs").Agrees);   // 6.799 TF, printed 6.7 (truncated)
        Assert.True(rows.Single(c => c.Row == "AlexNet (ungrouped)" && c.Column == "|W|").Agrees);
        Assert.True(rows.Single(c => c.Row == "AlexNet (ungrouped)" && c.Column == "F+B TFLOPs").Agrees);
        Assert.Equal(62_378_344, CostModel.Analyze(CnnCost.Zoo.AlexNet.Ungrouped()).Totals.Parameters);
    }

    [Fact]
    public void Lenet_on_rgb_input_gives_the_texts_flops_and_the_p100_frame_rate()
    {
        // conv1 2*3*20*25*24*24 + conv2 2*20*50*25*8*8 + ip1 2*800*500 + ip2 2*500*10 = 5,738,000 without the pools.
        var lenet = CostModel.Analyze(ChapterTwo.LeNetRgb(28));
        Assert.Equal(5_738_000, lenet.Layers.Where(l => l.Kind is LayerKind.Convolution or LayerKind.FullyConnected).Sum(l => l.Flops));
        var lenet224 = CostModel.Analyze(ChapterTwo.LeNetRgb(224)).Totals.Flops;
        Assert.Equal(39, Math.Round(10.6e12 / lenet224 / 100)); // about 3,900 frames/s
    }

    // FireCaffe's runs as Tables 3.2 and 3.3 print them (K20 workers), and the model's speedup by hand.
    // FLOPs per item: NiN 2 * 1,105,996,320 multiply-adds + 1,215,648 pooling operations = 2,213,208,288 (ZooTotalsTests);
    // BVLC GoogLeNet 2 * 1,582,671,872 multiply-adds (PyTorch's count, PyTorchOracleTests) + 12,857,600 pooling operations
    // (max 3x3: 9*(64*56*56 + 192*28*28 + 480*14*14 + 832*7*7), the inception pools 9*(448*28*28 + 2544*14*14 + 1664*7*7),
    // average 7x7: 2*49*1024) = 3,178,201,344. Parameters: NiN 7,595,176; GoogLeNet 6,998,552, 4 bytes each.
    // Step on p K20s at peak P = 3.52e12: compute 3*F*batch / (p P), tree communication 2 log2(p) |W| / 7e9 (Eq. 3.4);
    // speedup S = (3 F batch / P) / step; the efficiency e that turns it into the measured M solves
    // M = p C / (C + p e P T), C = 3 F batch: e = C (1 - M/p) / (M T P).
    [Theory]
    [InlineData("NiN", 32, 256, 13, 2_213_208_288L, 7_595_176L, 8.256, 0.508)]
    [InlineData("NiN", 32, 1024, 23, 2_213_208_288L, 7_595_176L, 18.615, 0.544)]
    [InlineData("NiN", 128, 1024, 39, 2_213_208_288L, 7_595_176L, 25.465, 0.567)]
    [InlineData("GoogLeNet", 32, 1024, 20, 3_178_201_344L, 6_998_552L, 21.897, 1.300)]
    [InlineData("GoogLeNet", 128, 1024, 47, 3_178_201_344L, 6_998_552L, 35.717, 0.667)]
    public void Firecaffe_speedups_of_tables_32_and_33_compare_with_the_hand_computed_model(
        string model, int workers, int batch, double measured, long flopsPerItem, long parameters, double modelledRounded, double efficiencyRounded)
    {
        const double peak = 3.52e12, bandwidth = 7e9;
        var c = 3.0 * flopsPerItem * batch;
        var t = 2 * Math.Log2(workers) * parameters * 4 / bandwidth;
        var speedup = (c / peak) / (c / (workers * peak) + t);
        var efficiency = c * (1 - measured / workers) / (measured * t * peak);
        Assert.Equal(modelledRounded, Math.Round(speedup, 3));
        Assert.Equal(efficiencyRounded, Math.Round(efficiency, 3));

        var comparison = Assert.Single(ChapterThree.FireCaffe(), f => f.Model == model && f.Workers == workers && f.Batch == batch);
        Assert.Equal(measured, comparison.Measured);
        Assert.Equal(speedup, comparison.Modelled, 9);
        Assert.Equal(efficiency, comparison.EfficiencyToAgree!.Value, 9);
        Assert.Equal((speedup - measured) / measured, comparison.RelativeError, 9);
    }

    [Fact]
    public void Firecaffe_lists_exactly_the_five_runs_of_tables_32_and_33()
    {
        Assert.Equal(
            [("NiN", 32, 256, 13.0), ("NiN", 32, 1024, 23.0), ("NiN", 128, 1024, 39.0), ("GoogLeNet", 32, 1024, 20.0), ("GoogLeNet", 128, 1024, 47.0)],
            ChapterThree.FireCaffe().Select(f => (f.Model, f.Workers, f.Batch, f.Measured)));
    }
}
