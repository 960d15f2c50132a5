using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Hardware;
using Xunit;

namespace CnnCost.Tests.Hardware;

/// <summary>Edge cases of the device presets, the speed and memory models and the roofline, worked by hand.</summary>
public class HardwareEdgeTests
{
    private static readonly Device Toy = new("toy", 1e12, 1e11, 100, "ridge at 10 FLOPs/byte");

    [Fact]
    public void A_device_describes_itself_in_teraflops_gigabytes_and_watts()
    {
        Assert.Equal("K20: 3.52 TFLOP/s fp32, 208 GB/s, 225 W", Devices.K20.ToString());
        Assert.Equal("TitanX: 6 TFLOP/s fp32, 336.5 GB/s, 250 W", Devices.TitanX.ToString());
        // Below 1 TFLOP/s in GFLOP/s: ILGPU's CPU accelerator would otherwise read "0 TFLOP/s".
        Assert.Equal("small: 1.75 GFLOP/s fp32, 0.9 GB/s, 0 W", new Device("small", 1.75e9, 0.9e9, 0, "test").ToString());
        Assert.Equal("edge: 1 TFLOP/s fp32, 1 GB/s, 0 W", new Device("edge", 1e12, 1e9, 0, "test").ToString());
        Assert.Equal("below: 999.99 GFLOP/s fp32, 1 GB/s, 0 W", new Device("below", 999.99e9, 1e9, 0, "test").ToString());
    }

    [Fact]
    public void Device_names_are_found_whatever_their_case_and_unknown_ones_list_every_preset()
    {
        Assert.Same(Devices.TitanX, Devices.Find("TITANX"));
        Assert.Same(Devices.H200, Devices.Find("h200"));
        var error = Assert.Throws<CnnCostException>(() => Devices.Find("abacus"));
        Assert.Equal("unknown device 'abacus': the presets are K20, K40, TitanX, P100, TX1, V100, A100, H100, H200", error.Message);
        Assert.Throws<ArgumentNullException>(() => Devices.Find(null!));
    }

    [Fact]
    public void Every_preset_cites_where_its_numbers_come_from()
    {
        Assert.All(Devices.All, d => Assert.False(string.IsNullOrWhiteSpace(d.Source), $"{d.Name} cites no source"));
        Assert.Equal(Devices.All.Length, Devices.All.Select(d => d.Source).Distinct().Count());
        // The peaks the dissertation gives (2.3.2 and 2.3.4) cite it.
        Assert.StartsWith("dissertation 2.3.4", Devices.TitanX.Source, StringComparison.Ordinal);
        Assert.StartsWith("dissertation 2.3.2", Devices.P100.Source, StringComparison.Ordinal);
        Assert.StartsWith("dissertation 2.3.4", Devices.TX1.Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    [InlineData(9.9e-7)]
    [InlineData(1e-320)]
    public void Efficiency_must_lie_in_one_part_per_million_to_one(double efficiency)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SpeedModel.Estimate(Toy, 1_000, efficiency));
        Assert.Equal("efficiency", error.ParamName);
        Assert.StartsWith("efficiency must be in [1e-6, 1], got ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_part_per_million_is_the_lowest_efficiency() =>
        Assert.Equal(1e-6, SpeedModel.Estimate(Toy, 1_000, 1e-6).Efficiency);

    [Fact]
    public void Full_efficiency_runs_at_the_peak_and_a_frame_needs_work_and_a_device()
    {
        // 1e12 FLOP/s over 1e9 FLOPs per frame: 1000 frames/s, 100 W / 1000 = 0.1 J each.
        var estimate = SpeedModel.Estimate(Toy, 1_000_000_000, 1.0);
        Assert.Equal((1000.0, 0.1), (estimate.FramesPerSecond, estimate.JoulesPerFrame));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpeedModel.Estimate(Toy, 0, 0.5));
        Assert.Throws<ArgumentNullException>(() => SpeedModel.Estimate(null!, 1, 0.5));
    }

    [Fact]
    public void The_roofline_skips_the_input_and_in_place_layers_and_layers_without_flops_cost_their_bytes()
    {
        // data 2x4x4 -> relu (in place, Caffe) -> max pool 2x2/2 (2x2x2 = 8 outputs). Pool: 4 compares per output,
        // 32 ops; bytes (32 values in + 8 out) · 4 = 160; intensity 32 / 160 = 0.2 FLOP/byte, below the ridge of 10.
        var network = new NetworkBuilder("n").Input(2, 4, 4).ReLU("relu").MaxPool("pool", 2, 2).Build();
        var points = Roofline.Analyze(CostModel.Analyze(network), Toy);
        var pool = Assert.Single(points);
        Assert.Equal(("pool", 32L, 160L), (pool.Name, pool.Flops, pool.Bytes));
        Assert.Equal(0.2, pool.Intensity, 12);
        Assert.False(pool.ComputeBound);
        Assert.Equal(1.6e-9, pool.Seconds, tolerance: 1e-21);  // 32 FLOPs at 0.2 · 1e11 FLOP/s

        // Counted out of place, the ReLU has no FLOPs (element-wise layers are free): its time is its 256 bytes
        // (32 in + 32 out values) at 1e11 B/s; its intensity is 0, far below the ridge.
        var outOfPlace = Roofline.Analyze(CostModel.Analyze(network.WithConventions(Conventions.Caffe with { InPlaceActivations = false })), Toy);
        var relu = outOfPlace.Single(p => p.Name == "relu");
        Assert.Equal((0L, 256L, 0.0, 0.0), (relu.Flops, relu.Bytes, relu.Intensity, relu.AttainableFlopsPerSecond));
        Assert.Equal(2.56e-9, relu.Seconds, tolerance: 1e-21);
    }

    [Fact]
    public void A_layer_exactly_at_the_ridge_point_is_compute_bound()
    {
        // A device whose ridge is the pool's 0.2 FLOPs/byte: memory 5e11 B/s against 1e11 FLOP/s.
        var balanced = new Device("balanced", 1e11, 5e11, 1, "test");
        var network = new NetworkBuilder("n").Input(2, 4, 4).MaxPool("pool", 2, 2).Build();
        var pool = Assert.Single(Roofline.Analyze(CostModel.Analyze(network), balanced));
        Assert.True(pool.ComputeBound);
        Assert.Equal(1e11, pool.AttainableFlopsPerSecond, 3);
    }

    [Fact]
    public void The_roofline_needs_a_report_and_a_device()
    {
        var report = CostModel.Analyze(new NetworkBuilder("n").Input(2, 4, 4).MaxPool("pool", 2, 2).Build());
        Assert.Equal("report", Assert.Throws<ArgumentNullException>(() => Roofline.Analyze(null!, Toy)).ParamName);
        Assert.Equal("device", Assert.Throws<ArgumentNullException>(() => Roofline.Analyze(report, null!)).ParamName);
    }

    [Fact]
    public void Memory_of_one_network_cannot_be_read_from_anothers_report()
    {
        var small = new NetworkBuilder("small").Input(2, 4, 4).MaxPool("pool", 2, 2).Build();
        var other = new NetworkBuilder("other").Input(2, 4, 4).MaxPool("pool", 2, 2).Build();
        var longer = new NetworkBuilder("small").Input(2, 4, 4).MaxPool("pool", 2, 2).ReLU("relu").Build();
        var error = Assert.Throws<ArgumentException>(() => MemoryModel.Inference(small, CostModel.Analyze(other)));
        Assert.StartsWith("the report is of 'other', not of network 'small'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MemoryModel.Inference(small, CostModel.Analyze(longer)));
        Assert.Throws<ArgumentNullException>(() => MemoryModel.Inference(null!, CostModel.Analyze(small)));
        Assert.Throws<ArgumentNullException>(() => MemoryModel.Inference(small, null!));
        Assert.Throws<ArgumentNullException>(() => MemoryModel.Training(null!, CostModel.Analyze(small), Optimizer.Adam));
        Assert.Throws<ArgumentNullException>(() => MemoryModel.Training(small, null!, Optimizer.Adam));
        // Training checks the pair the same way inference does.
        error = Assert.Throws<ArgumentException>(() => MemoryModel.Training(small, CostModel.Analyze(other), Optimizer.Sgd));
        Assert.StartsWith("the report is of 'other', not of network 'small'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MemoryModel.Training(small, CostModel.Analyze(longer), Optimizer.Sgd));
    }

    [Fact]
    public void The_last_layers_output_stays_live_at_the_end_of_a_chain()
    {
        // data 1x4x4 (16 values) -> a 1x1 conv to 8 channels (128) -> b 1x1 conv to 1 channel (16), fp32, batch 1.
        // Live: data+a = 144 values, then a+b = 144 with b kept (it is the output): peak 144 · 4 = 576 bytes, first at a.
        var network = new NetworkBuilder("chain").Input(1, 4, 4).Convolution("a", 8, 1).Convolution("b", 1, 1).Build();
        var memory = MemoryModel.Inference(network, CostModel.Analyze(network));
        Assert.Equal(576, memory.Activations);
        Assert.Equal("a", memory.PeakLayer);
        // Parameters: a 8 + 8, b 8 + 1 = 25 values, 100 bytes.
        Assert.Equal(100, memory.Weights);
        Assert.Equal(0, memory.Gradients + memory.OptimizerState);
    }

    [Fact]
    public void An_in_place_activation_keeps_its_sources_buffer_alive_until_the_activation_is_read()
    {
        // data 1x4x4 (16) -> a 1x1 to 4 channels (64) -> relu in place on a -> b 1x1 to 4 (64) -> c 1x1 to 4 (64).
        // a's buffer lives until b reads relu: live data+a = 80, a+b = 128, b+c = 128: peak 128 values = 512 bytes at b.
        var network = new NetworkBuilder("inplace").Input(1, 4, 4).Convolution("a", 4, 1).ReLU("relu")
            .Convolution("b", 4, 1).Convolution("c", 4, 1).Build();
        var memory = MemoryModel.Inference(network, CostModel.Analyze(network));
        Assert.Equal(512, memory.Activations);
        Assert.Equal("b", memory.PeakLayer);
    }

    [Fact]
    public void A_join_frees_every_buffer_it_was_the_last_to_read()
    {
        // data 1x4x4 (16 values) -> a, b: 1x1 convs to 2 channels (32 each); add(a, b) (32) -> c: 1x1 conv to 8 (128).
        // Live: data 16; data+a 48; a+b 64 (data freed after a); a+b+add 96; then add frees both a and b: add+c 160.
        // Peak 160 values · 4 bytes = 640 at c (had add freed only one of them, 192 · 4 = 768).
        var network = new NetworkBuilder("join").Input(1, 4, 4).Convolution("a", 2, 1).Convolution("b", 2, 1, from: "data")
            .Sum("add", "a", "b").Convolution("c", 8, 1).Build();
        var memory = MemoryModel.Inference(network, CostModel.Analyze(network));
        Assert.Equal((640L, "c"), (memory.Activations, memory.PeakLayer));
    }

    [Fact]
    public void Optimizer_state_beyond_2_to_the_63_bytes_is_an_error_naming_the_model()
    {
        // A 2^30-input, 1.5·2^30-output fully-connected layer: 1.5·2^60 weights + 1.5·2^30 biases, 4 bytes each, about
        // 6.9e18 bytes (it fits); Adam's two values per parameter are about 1.4e19 bytes, past 2^63 - 1 (9.2e18).
        const long outputs = 1_610_612_736;
        var network = new NetworkBuilder("wide").Input(1 << 30, 1, 1).FullyConnected("fc", (int)outputs).Build();
        var report = CostModel.Analyze(network);
        var parameterBytes = 4 * ((1L << 30) * outputs + outputs);
        Assert.Equal(parameterBytes, MemoryModel.Training(network, report, Optimizer.SgdMomentum).OptimizerState);
        var error = Assert.Throws<CnnCostException>(() => MemoryModel.Training(network, report, Optimizer.Adam));
        Assert.Equal("model 'wide': the optimizer's state exceeds 2^63-1 bytes", error.Message);
        Assert.IsType<OverflowException>(error.InnerException);
    }

    [Fact]
    public void Parameters_beyond_2_to_the_63_bytes_are_an_error_naming_the_model()
    {
        // Biases left out of the report's bytes, 64-bit values: (2^30 - 1)·2^30 = 2^60 - 2^30 weights are 2^63 - 2^33
        // bytes, which fit; memory holds the 2^30 biases as well, 2^60 values = 2^63 bytes, one past the largest long.
        var conventions = Conventions.Caffe with { Precision = new Precision(64), CountBiases = false };
        var network = new NetworkBuilder("wide", conventions).Input((1 << 30) - 1, 1, 1).FullyConnected("fc", 1 << 30).Build();
        var report = CostModel.Analyze(network);
        Assert.Equal(long.MaxValue - (1L << 33) + 1, report.Totals.ParameterBytes);
        var error = Assert.Throws<CnnCostException>(() => MemoryModel.Training(network, report, Optimizer.Sgd));
        Assert.Equal("model 'wide': its parameters exceed 2^63-1 bytes", error.Message);
        Assert.Throws<CnnCostException>(() => MemoryModel.Inference(network, report));
    }

    // Reports are public records, so a caller may hand the models numbers the cost model would never produce;
    // they must still refuse to wrap.
    private static CostReport Chain(out Network network)
    {
        network = new NetworkBuilder("chain").Input(1, 4, 4).Convolution("a", 1, 1).Convolution("b", 1, 1).Build();
        return CostModel.Analyze(network);
    }

    [Fact]
    public void Live_activations_of_a_hand_made_report_beyond_2_to_the_63_bytes_are_an_error_naming_the_layer()
    {
        // Every output 2^62 bytes: data alone fits, data and a together are 2^63, one past the largest long.
        var report = Chain(out var network);
        var huge = report with { Layers = [.. report.Layers.Select(r => r with { OutputBytes = 1L << 62 })] };
        var error = Assert.Throws<CnnCostException>(() => MemoryModel.Inference(network, huge));
        Assert.Equal("model 'chain': the activations live at layer 'a' exceed 2^63-1 bytes", error.Message);
    }

    [Fact]
    public void Weights_and_biases_of_a_hand_made_report_beyond_2_to_the_63_are_an_error_naming_the_model()
    {
        var report = Chain(out var network);
        var huge = report with { Totals = report.Totals with { Weights = long.MaxValue, Biases = 1 } };
        var error = Assert.Throws<CnnCostException>(() => MemoryModel.Training(network, huge, Optimizer.Sgd));
        Assert.Equal("model 'chain': its parameters exceed 2^63-1 bytes", error.Message);
    }

    [Fact]
    public void A_hand_made_roofline_row_whose_bytes_exceed_2_to_the_63_names_its_layer()
    {
        var report = Chain(out _);
        // Input 2^30 x 2^30 x 1 = 2^60 values at batch 16: 2^64 values, past the largest long.
        var wideInput = report with
        {
            Options = report.Options with { Batch = 16 },
            Layers = [report.Layers[0], report.Layers[1] with { InputShapes = [new Shape(1 << 30, 1 << 30, 1)] }, report.Layers[2]],
        };
        Assert.Equal("a", Assert.Throws<CostOverflowException>(() => Roofline.Analyze(wideInput, Toy)).LayerName);
        // 2^63 - 1 weights and one bias: the sum alone overflows.
        var heavy = report with { Layers = [report.Layers[0], report.Layers[1], report.Layers[2] with { Weights = long.MaxValue, Biases = 1 }] };
        Assert.Equal("b", Assert.Throws<CostOverflowException>(() => Roofline.Analyze(heavy, Toy)).LayerName);
    }

    [Fact]
    public void A_hand_made_roofline_row_that_moves_no_bytes_has_infinite_intensity()
    {
        // No inputs, weights, output or FLOPs: 0 FLOPs over 0 bytes is taken as infinitely intense, so compute bound at
        // the peak and taking no time (0 bytes at the bandwidth), not an intensity of NaN.
        var report = Chain(out _);
        var empty = report with
        {
            Layers = [report.Layers[0], report.Layers[1] with { InputShapes = [], Weights = 0, Biases = 0, OutputBytes = 0, Flops = 0 }],
        };
        var point = Roofline.Analyze(empty, Toy).Single(p => p.Name == "a");
        Assert.Equal((0L, double.PositiveInfinity, 1e12, true, 0.0), (point.Bytes, point.Intensity, point.AttainableFlopsPerSecond, point.ComputeBound, point.Seconds));
    }

    [Fact]
    public void A_single_input_layer_has_its_input_as_the_peak()
    {
        var network = new NetworkBuilder("only").Input(3, 2, 2).Build();
        var memory = MemoryModel.Inference(network, CostModel.Analyze(network));
        Assert.Equal((48L, "data"), (memory.Activations, memory.PeakLayer));
    }
}
