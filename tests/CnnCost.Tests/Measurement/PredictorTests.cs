using CnnCost.Graph;
using CnnCost.Hardware;
using CnnCost.Measurement;
using Xunit;

namespace CnnCost.Tests.Measurement;

/// <summary>
/// The predictors and the calibration loop against an engine whose times follow a known law, so the fitted model and
/// every prediction can be derived by hand.
/// </summary>
public class PredictorTests
{
    /// <summary>3x3 convolution, 16 to 32 channels on 8x8, padding 1, batch 1.</summary>
    private static readonly ConvolutionShape Conv = new("c", 1, new Shape(16, 8, 8), 32, 3, 1, 1, 1, 1);

    [Fact]
    public void The_roofline_is_the_slower_of_compute_and_memory()
    {
        // FLOPs = 2·32·16·9·64 = 589,824; bytes = 4·(16·64 + 32·16·9 + 32·64) = 4·7,680 = 30,720.
        Assert.Equal(589_824, Conv.Flops);
        Assert.Equal(30_720, Conv.MinimumBytes);
        var memoryBound = new RooflinePredictor(new Device("slow memory", 1e9, 1e6, 0, "test"));
        Assert.Equal(30_720 / 1e6, memoryBound.Predict(Conv), 15);
        var computeBound = new RooflinePredictor(new Device("fast memory", 1e9, 1e9, 0, "test"));
        Assert.Equal(589_824 / 1e9, computeBound.Predict(Conv), 15);
        Assert.StartsWith("roofline of slow memory: ", memoryBound.Description);
    }

    [Fact]
    public void A_calibration_fitted_on_two_networks_recovers_the_engines_law_and_predicts_a_third()
    {
        // The fake engine takes exactly 1e-11 s per FLOP plus 2 µs per layer; its cache holds everything, so no byte is charged.
        using var engine = new LawEngine(flop => 1e-11 * flop + 2e-6);
        var first = Small("first", 8, 3);
        var second = Small("second", 16, 5);
        var reported = new List<string>();

        var predictor = CalibratedPredictor.Fit(engine, [first, second], batch: 2, new MeasureOptions(), new ListProgress(reported));

        Assert.Equal(1e-11, predictor.Calibration.SecondsPerFlop, 1e-16);
        Assert.Equal(2e-6, predictor.Calibration.SecondsPerLayer, 1e-11);
        Assert.Equal(0, predictor.Calibration.SecondsPerByte);
        // The law engine runs depthwise layers at the rate of the others, and the fit finds that too.
        Assert.Equal(1e-11, predictor.Calibration.SecondsPerDepthwiseFlop, 1e-16);
        Assert.Equal(LawEngine.Cache, predictor.Calibration.CacheBytes);
        Assert.Equal("first,second", predictor.Source);
        Assert.StartsWith("calibrated on first,second: ", predictor.Description);
        // Two convolutions per network, the three overhead layers and the four depthwise ones, each measured once at batch 2.
        Assert.Equal(["calibrating on first/a", "calibrating on first/b", "calibrating on second/a", "calibrating on second/b",
            "calibrating on overhead/1x1x1", "calibrating on overhead/8x8x8", "calibrating on overhead/16x8x8-3x3",
            "calibrating on depthwise/32x56x56", "calibrating on depthwise/144x56x56-s2", "calibrating on depthwise/192x28x28", "calibrating on depthwise/576x14x14"], reported);
        Assert.All(engine.Measured, s => Assert.Equal(2, s.Batch));

        var third = Small("third", 4, 7);
        var report = NetworkMeasurement.Measure(third, engine, 1, new MeasureOptions(), predictor);
        Assert.All(report.Layers, l => Assert.Equal(1e-11 * l.Timing.Shape.Flops + 2e-6, l.PredictedSeconds, 1e-15));
        Assert.Equal(0, report.RelativeError, 1e-9);
        Assert.Same(engine.Device, report.Device);
        Assert.Equal("law engine chose its only device", report.Selection);
        Assert.Equal("law", report.Engine);
        Assert.Same(predictor, report.Predictor);
        Assert.Equal(predictor.Description, report.Prediction);
    }

    [Fact]
    public void Depthwise_layers_get_their_own_rate_and_the_reference_shapes_are_depthwise()
    {
        // time = 2e-12 s per dense FLOP + 3e-11 s per depthwise FLOP + 1e-5 s: a depthwise layer is 15x slower per FLOP.
        var shapes = CalibrationTests.RandomShapes(seed: 5, count: 12).Concat(NetworkMeasurement.DepthwiseShapes(2));
        var timings = CalibrationTests.Timed(shapes, s => (s.IsDepthwise ? 3e-11 : 2e-12) * s.Flops + 1e-5);

        var calibration = Calibration.Fit(timings);
        Assert.Equal(2e-12, calibration.SecondsPerFlop, 1e-17);
        Assert.Equal(3e-11, calibration.SecondsPerDepthwiseFlop, 1e-16);
        Assert.Equal(1e-5, calibration.SecondsPerLayer, 1e-10);
        Assert.Equal(0, calibration.SecondsPerByte);
        // A depthwise layer of MobileNet's: 2·96·9·56·56 FLOPs at the depthwise rate, plus the constant.
        var mobile = new ConvolutionShape("dw", 1, new Shape(96, 112, 112), 96, 3, 2, 1, 1, 96);
        Assert.Equal(2L * 96 * 9 * 56 * 56, mobile.Flops);
        Assert.Equal(3e-11 * 5_419_008 + 1e-5, calibration.Predict(mobile), 1e-15);
        Assert.Contains("(33.3 GFLOP/s depthwise)", calibration.ToString());

        Assert.All(NetworkMeasurement.DepthwiseShapes(3), s => Assert.True(s.IsDepthwise && s.Batch == 3 && s.Kernel == new Size2(3, 3), s.ToString()));
        // Grouped but not depthwise: two input channels per group.
        Assert.False(new ConvolutionShape("g", 1, new Shape(8, 4, 4), 8, 3, 1, 1, 1, 4).IsDepthwise);
        Assert.False(new ConvolutionShape("one", 1, new Shape(1, 4, 4), 8, 3, 1, 1, 1, 1).IsDepthwise);
        // A channel multiplier of 2 is still one input channel per filter.
        Assert.True(new ConvolutionShape("x2", 1, new Shape(8, 4, 4), 16, 3, 1, 1, 1, 8).IsDepthwise);
    }

    [Fact]
    public void A_calibration_needs_a_network()
    {
        using var engine = new LawEngine(flop => flop * 1e-12);
        var error = Assert.Throws<ArgumentException>(() => CalibratedPredictor.Fit(engine, [], 1, new MeasureOptions()));
        Assert.StartsWith("a calibration needs at least one network", error.Message);
    }

    [Fact]
    public void An_unavailable_engine_measures_nothing_and_says_why()
    {
        using var engine = new LawEngine(flop => flop * 1e-12, available: false);
        var error = Assert.Throws<InvalidOperationException>(() =>
            NetworkMeasurement.Measure(Small("n", 4, 3), engine, 1, new MeasureOptions(), new RooflinePredictor(Devices.K40)));
        Assert.Contains("no device here", error.Message);
        Assert.Empty(engine.Measured);
    }

    [Fact]
    public void A_device_writes_its_description_without_unknown_sizes()
    {
        var known = new EngineDevice("GPU X", DeviceKind.Gpu, 132, 141L << 30, 50L << 20, "PTX sm_90");
        Assert.Equal("GPU X (gpu, 132 compute units, 141 GiB, 50 MiB last-level cache, PTX sm_90)", known.ToString());
        var unknown = new EngineDevice("board", DeviceKind.Other, 4, 0, 0, "OpenCL 3.0");
        Assert.Equal("board (other, 4 compute units, OpenCL 3.0)", unknown.ToString());
    }

    [Fact]
    public void A_measurement_reports_each_layer_as_it_starts_and_totals_rates_and_errors_by_hand()
    {
        // Every layer takes 1 ns per FLOP; the predictor says 2 ns per FLOP: each layer's error is +100%.
        using var engine = new LawEngine(flop => flop * 1e-9);
        var network = Small("n", 4, 3);
        var reported = new List<string>();
        var report = NetworkMeasurement.Measure(network, engine, 1, new MeasureOptions(), new DoubleTime(), new ListProgress(reported));

        Assert.Equal(["a", "b", "fc"], reported);
        // a: 2·4·3·9·9 = 1,944 FLOPs; b: 2·8·4·9 = 576; fc: 2·10·8·9 = 1,440; total 3,960.
        Assert.Equal([1_944L, 576L, 1_440L], report.Layers.Select(l => l.Timing.Shape.Flops));
        Assert.Equal(3_960, report.Flops);
        Assert.Equal(3_960e-9, report.MeasuredSeconds, 1e-18);
        Assert.Equal(1e9, report.AchievedFlopsPerSecond, 1e-3);
        Assert.All(report.Layers, l => Assert.Equal(1.0, l.RelativeError, 1e-12));
        Assert.Equal(1.0, report.RelativeError, 1e-12);
    }

    [Fact]
    public void A_batch_too_large_for_memory_fails_before_any_layer_runs_naming_the_layer()
    {
        using var engine = new LawEngine(flop => flop * 1e-12);
        var network = new NetworkBuilder("big").Input(3, 10_000, 10_000).Convolution("huge", 256, 3, pad: 1).Build();

        var measuring = Assert.Throws<CnnCostException>(() => NetworkMeasurement.Measure(network, engine, 4096, new MeasureOptions(), new DoubleTime()));
        Assert.Contains("'huge' at batch 4096", measuring.Message);
        var calibrating = Assert.Throws<CnnCostException>(() => CalibratedPredictor.Fit(engine, [network], 4096, new MeasureOptions()));
        Assert.Contains("'huge' at batch 4096", calibrating.Message);
        Assert.StartsWith("calibrating on big/huge: ", calibrating.Message);
        // The reference depthwise layers are checked too: at this batch the first needs 32·56·56·10⁶ values.
        var small = new NetworkBuilder("small").Input(1, 4, 4).Convolution("c", 2, 3).Build();
        var reference = Assert.Throws<CnnCostException>(() => CalibratedPredictor.Fit(engine, [small], 1_000_000, new MeasureOptions()));
        Assert.StartsWith("calibrating on depthwise/32x56x56: ", reference.Message);
        Assert.Equal("huge", Assert.Throws<CnnCostException>(() => NetworkMeasurement.EnsureBuffersFit(network, 4096)).Message.Split('\'')[1]);
        Assert.Empty(engine.Measured);
    }

    [Fact]
    public void Missing_arguments_are_named()
    {
        using var engine = new LawEngine(flop => flop * 1e-12);
        var network = Small("n", 4, 3);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => NetworkMeasurement.Shapes(null!, 1)).ParamName);
        Assert.Equal("engine", Assert.Throws<ArgumentNullException>(() => NetworkMeasurement.Measure(network, null!, 1, new MeasureOptions(), new DoubleTime())).ParamName);
        Assert.Equal("predictor", Assert.Throws<ArgumentNullException>(() => NetworkMeasurement.Measure(network, engine, 1, new MeasureOptions(), null!)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => new RooflinePredictor(Devices.K40).Predict(null!)).ParamName);
        Assert.Equal("engine", Assert.Throws<ArgumentNullException>(() => CalibratedPredictor.Fit(null!, [network], 1, new MeasureOptions())).ParamName);
        Assert.Equal("networks", Assert.Throws<ArgumentNullException>(() => CalibratedPredictor.Fit(engine, null!, 1, new MeasureOptions())).ParamName);
        Assert.Empty(engine.Measured);
    }

    /// <summary>Predicts 2 ns per FLOP.</summary>
    private sealed class DoubleTime : ITimePredictor
    {
        public string Description => "2 ns per FLOP";

        public double Predict(ConvolutionShape shape) => shape.Flops * 2e-9;
    }

    /// <summary>Two convolutions (a: 3x3 pad 1, b: 1x1) and a classifier.</summary>
    private static Network Small(string name, int filters, int side) =>
        new NetworkBuilder(name).Input(3, side, side)
            .Convolution("a", filters, 3, pad: 1).Convolution("b", filters * 2, 1).FullyConnected("fc", 10).Build();

    private sealed class ListProgress(List<string> list) : IProgress<string>
    {
        public void Report(string value) => list.Add(value);
    }

    /// <summary>An engine whose every convolution takes exactly <c>law(FLOPs)</c> seconds and is exact.</summary>
    private sealed class LawEngine(Func<long, double> law, bool available = true) : IConvolutionEngine
    {
        public const long Cache = 1L << 40;

        public List<ConvolutionShape> Measured { get; } = [];

        public string Name => "law";

        public EngineAvailability Availability => available ? new(true, "law engine chose its only device") : new(false, "no device here");

        public EngineDevice Device { get; } = new("law device", DeviceKind.Other, 1, 0, Cache, "none");

        EngineDevice IConvolutionEngine.Device => available ? Device : throw new InvalidOperationException(Availability.Reason);

        public Device MeasureCeilings() => Devices.K40;

        public ConvolutionTiming Measure(ConvolutionShape shape, MeasureOptions options)
        {
            Measured.Add(shape);
            var seconds = law(shape.Flops);
            return new ConvolutionTiming(shape, seconds, seconds, seconds, 0);
        }

        public void Run(ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Span<float> output) =>
            throw new NotSupportedException("the law engine only times");

        public void Dispose()
        {
        }
    }
}
