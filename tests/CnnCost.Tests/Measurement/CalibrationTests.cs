using CnnCost.Graph;
using CnnCost.Measurement;
using Xunit;

namespace CnnCost.Tests.Measurement;

/// <summary>
/// <see cref="Calibration"/> on synthetic timings whose law is known, so every fitted coefficient and prediction is
/// derived by hand.
/// </summary>
public class CalibrationTests
{
    [Fact]
    public void Recovers_known_coefficients_from_synthetic_timings()
    {
        // time = 2e-12 s/FLOP + 5e-11 s/byte + 1e-5 s, exactly, over varied shapes.
        var timings = Timed(RandomShapes(seed: 3, count: 40), s => 2e-12 * s.Flops + 5e-11 * s.MinimumBytes + 1e-5);
        var calibration = Calibration.Fit(timings);
        Assert.Equal(2e-12, calibration.SecondsPerFlop, 1e-17);
        Assert.Equal(5e-11, calibration.SecondsPerByte, 1e-16);
        Assert.Equal(1e-5, calibration.SecondsPerLayer, 1e-10);
        Assert.Throws<ArgumentException>(() => Calibration.Fit(timings[..2]));
    }

    [Fact]
    public void Charges_memory_time_only_for_layers_larger_than_the_cache()
    {
        // Layers timed as 2.5e-12 s/FLOP + 1e-6 s, plus 4e-11 s per byte for those whose bytes exceed a 4 MiB cache:
        // told the cache, the fit recovers all three coefficients; charging every byte instead mispredicts the layers
        // that fit by far more.
        const long cache = 4L << 20;
        var random = new Random(9);
        var shapes = Enumerable.Range(0, 30).Select(i =>
        {
            var side = 4 + random.Next(60);
            return new ConvolutionShape($"s{i}", 1 + random.Next(8), new Shape(1 + random.Next(96), side, side), 1 + random.Next(96), 1 + 2 * random.Next(3), 1, 0, 1, 1);
        });
        var timings = Timed(shapes, s => 2.5e-12 * s.Flops + (s.MinimumBytes > cache ? 4e-11 * s.MinimumBytes : 0) + 1e-6);
        Assert.Contains(timings, t => t.Shape.MinimumBytes > cache);
        Assert.Contains(timings, t => t.Shape.MinimumBytes <= cache);
        var calibration = Calibration.Fit(timings, cache);
        Assert.Equal(2.5e-12, calibration.SecondsPerFlop, 1e-18);
        Assert.Equal(4e-11, calibration.SecondsPerByte, 1e-17);
        Assert.Equal(1e-6, calibration.SecondsPerLayer, 1e-12);
        Assert.Contains("beyond a 4 MiB cache", calibration.ToString());
        double WorstError(Calibration c) => timings.Max(t => Math.Abs(c.Predict(t.Shape) / t.MedianSeconds - 1));
        Assert.True(WorstError(calibration) < 1e-9);
        Assert.True(WorstError(Calibration.Fit(timings)) > 0.1, "charging every byte should mispredict some layer by more than 10%");
        Assert.Throws<ArgumentOutOfRangeException>(() => Calibration.Fit(timings, -1));
    }

    [Fact]
    public void Weighs_every_layer_by_its_relative_error()
    {
        // Twenty small layers at 1e-12 s/FLOP and one layer a hundred times larger that ran twice as slow: a fit on
        // absolute errors would follow the large layer and mispredict every small one by about 2x; on relative
        // errors the small layers are predicted closely.
        var timings = Enumerable.Range(1, 20).Select(i =>
        {
            var shape = new ConvolutionShape($"small{i}", 1, new Shape(8 * i, 16, 16), 32, 3, 1, 1, 1, 1);
            return new ConvolutionTiming(shape, 1e-12 * shape.Flops, 0, 0, 0);
        }).ToList();
        var large = new ConvolutionShape("large", 8, new Shape(512, 56, 56), 512, 3, 1, 1, 1, 1);
        timings.Add(new ConvolutionTiming(large, 2e-12 * large.Flops, 0, 0, 0));
        var calibration = Calibration.Fit(timings);
        var errors = timings.SkipLast(1).Select(t => Math.Abs(calibration.Predict(t.Shape) / t.MedianSeconds - 1)).Order().ToArray();
        Assert.True(errors[errors.Length / 2] < 0.1, $"median error on the small layers {errors[errors.Length / 2]:P0}");
        Assert.Throws<ArgumentException>(() => Calibration.Fit([.. timings, new ConvolutionTiming(large, 0, 0, 0, 0)]));
    }

    [Fact]
    public void Never_fits_a_negative_cost()
    {
        // Timings a plain least-squares fit explains with a negative per-layer constant (time = 1e-12 FLOPs - 1e-4 s):
        // the fit keeps every coefficient non-negative, so small layers are never predicted to take negative time.
        var timings = Enumerable.Range(1, 10).Select(i =>
        {
            var shape = new ConvolutionShape($"s{i}", 8, new Shape(64 * i, 28, 28), 256, 3, 1, 1, 1, 1);
            var seconds = 1e-12 * shape.Flops - 1e-4;
            return new ConvolutionTiming(shape, seconds, seconds, seconds, 0);
        }).ToArray();
        var calibration = Calibration.Fit(timings);
        Assert.True(calibration.SecondsPerFlop >= 0 && calibration.SecondsPerByte >= 0 && calibration.SecondsPerLayer >= 0);
        Assert.True(calibration.Predict(new ConvolutionShape("tiny", 1, new Shape(1, 2, 2), 1, 1, 1, 0, 1, 1)) >= 0);
    }

    [Fact]
    public void A_calibration_writes_its_coefficients_in_words()
    {
        var full = new Calibration(1e-11, 2.5e-10, 3e-6, 4L << 20, 19, 5e-11);
        Assert.Equal("100 GFLOP/s (20 GFLOP/s depthwise), 0.25 ns/byte beyond a 4 MiB cache, 3 µs/layer (19 layers)", full.ToString());
        var bare = new Calibration(0, 0, 1e-5, 0, 3);
        Assert.Equal("no FLOP term, 0 ns/byte, 10 µs/layer (3 layers)", bare.ToString());
    }

    [Fact]
    public void Bytes_are_charged_only_beyond_the_cache_and_every_term_adds()
    {
        // 3x3, 16 to 32 channels on 8x8, pad 1: 589,824 FLOPs and 30,720 bytes (4·(1,024 + 4,608 + 2,048)).
        var shape = new ConvolutionShape("c", 1, new Shape(16, 8, 8), 32, 3, 1, 1, 1, 1);
        Assert.Equal(30_720, Calibration.MemoryBytes(shape, 0));
        Assert.Equal(30_720, Calibration.MemoryBytes(shape, 30_719));
        Assert.Equal(0, Calibration.MemoryBytes(shape, 30_720));
        var calibration = new Calibration(1e-12, 1e-10, 1e-6, 30_719, 5, 1e-9);
        Assert.Equal(589_824e-12 + 30_720e-10 + 1e-6, calibration.Predict(shape), 1e-18);
        Assert.Equal(589_824e-12 + 1e-6, (calibration with { CacheBytes = 30_720 }).Predict(shape), 1e-18);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => calibration.Predict(null!)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => Calibration.MemoryBytes(null!, 0)).ParamName);
    }

    [Fact]
    public void As_many_timings_as_terms_determine_them_exactly()
    {
        // Three timings, exactly 2 ps per FLOP + 0.1 ns per byte + 1 µs: three equations in the three terms they use,
        // solved exactly (with fewer equations than terms nothing would be determined).
        var shapes = new[] { (8, 8), (16, 20), (48, 6) }
            .Select(x => new ConvolutionShape($"c{x.Item1}", 1, new Shape(x.Item1, x.Item2, x.Item2), 2 * x.Item1, 3, 1, 1, 1, 1)).ToArray();
        var timings = shapes.Select(s => new ConvolutionTiming(s, 2e-12 * s.Flops + 1e-10 * s.MinimumBytes + 1e-6, 0, 0, 0)).ToArray();
        var calibration = Calibration.Fit(timings);
        Assert.Equal(2e-12, calibration.SecondsPerFlop, 1e-18);
        Assert.Equal(1e-10, calibration.SecondsPerByte, 1e-16);
        Assert.Equal(1e-6, calibration.SecondsPerLayer, 1e-12);
        Assert.Equal(0, calibration.SecondsPerDepthwiseFlop);
        Assert.Equal(3, calibration.Samples);
        Assert.All(timings, t => Assert.Equal(t.MedianSeconds, calibration.Predict(t.Shape), 1e-15));
    }

    [Fact]
    public void All_four_terms_are_recovered_together()
    {
        // time = 2 ps per dense FLOP + 40 ps per depthwise FLOP + 0.05 ns per byte + 3 µs, every term needed.
        var shapes = RandomShapes(seed: 11, count: 16).Concat(NetworkMeasurement.DepthwiseShapes(1)).Concat(NetworkMeasurement.DepthwiseShapes(4));
        var timings = Timed(shapes, s => (s.IsDepthwise ? 4e-11 : 2e-12) * s.Flops + 5e-11 * s.MinimumBytes + 3e-6);

        var calibration = Calibration.Fit(timings);
        Assert.Equal(2e-12, calibration.SecondsPerFlop, 1e-18);
        Assert.Equal(4e-11, calibration.SecondsPerDepthwiseFlop, 1e-17);
        Assert.Equal(5e-11, calibration.SecondsPerByte, 1e-17);
        Assert.Equal(3e-6, calibration.SecondsPerLayer, 1e-12);
    }

    /// <summary>Random dense convolutions: batch 1-4, 1-64 channels of 8-47 by 8-47, 1-128 filters of 1x1, 3x3 or 5x5.</summary>
    internal static IEnumerable<ConvolutionShape> RandomShapes(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => new ConvolutionShape($"s{i}", 1 + random.Next(4),
            new Shape(1 + random.Next(64), 8 + random.Next(40), 8 + random.Next(40)), 1 + random.Next(128), 1 + 2 * random.Next(3), 1, 0, 1, 1)).ToArray();
    }

    /// <summary>Each shape timed exactly as <paramref name="law"/> says (median, minimum and maximum alike).</summary>
    internal static ConvolutionTiming[] Timed(IEnumerable<ConvolutionShape> shapes, Func<ConvolutionShape, double> law) =>
        [.. shapes.Select(s => new ConvolutionTiming(s, law(s), law(s), law(s), 0))];
}
