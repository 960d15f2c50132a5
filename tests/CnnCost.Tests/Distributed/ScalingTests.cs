using CnnCost.Costs;
using CnnCost.Distributed;
using CnnCost.Zoo;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.Distributed;

public class ScalingTests
{
    // NiN's gradients: 7,595,176 parameters (weights and biases) x 4 bytes.
    private const double NinGradientBytes = 7_595_176 * 4.0;
    private const double Bandwidth = 7e9;

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(128)]
    public void Communication_follows_eq_3_3_eq_3_4_and_the_ring_by_hand(int p)
    {
        var log2 = Math.Log2(p);
        Assert.Equal(NinGradientBytes * p / Bandwidth, new CommunicationModel(CommunicationScheme.ParameterServer, Bandwidth).Seconds(NinGradientBytes, p), 12);
        Assert.Equal(NinGradientBytes * 2 * log2 / Bandwidth, new CommunicationModel(CommunicationScheme.ReductionTree, Bandwidth).Seconds(NinGradientBytes, p), 12);
        Assert.Equal(2.0 * (p - 1) / p * NinGradientBytes / Bandwidth, new CommunicationModel(CommunicationScheme.Ring, Bandwidth).Seconds(NinGradientBytes, p), 12);
    }

    [Theory]
    // Depth by counting: a tree of branching b reaches 1, b, b², … workers, level by level.
    [InlineData(2, 3, 2)]     // 2 < 3 ≤ 4
    [InlineData(2, 5, 3)]     // 4 < 5 ≤ 8
    [InlineData(2, 100, 7)]   // 64 < 100 ≤ 128
    [InlineData(3, 2, 1)]
    [InlineData(3, 10, 3)]    // 9 < 10 ≤ 27
    [InlineData(3, 27, 3)]    // exactly 3³: no extra level
    [InlineData(3, 243, 5)]   // exactly 3⁵, where log(243)/log(3) in floating point is not exactly 5
    [InlineData(4, 17, 3)]    // 16 < 17 ≤ 64
    [InlineData(5, 125, 3)]   // exactly 5³
    [InlineData(10, 1000, 3)] // exactly 10³
    [InlineData(10, 1001, 4)]
    public void Eq_3_4_counts_whole_tree_levels_when_the_workers_are_not_a_power_of_the_branching(int branching, int workers, int levels)
    {
        var tree = new CommunicationModel(CommunicationScheme.ReductionTree, Bandwidth, Branching: branching, LatencySeconds: 2e-6);
        Assert.Equal(levels, tree.TreeDepth(workers));
        // bytes · b · levels / BW, plus b · levels messages of latency.
        Assert.Equal(NinGradientBytes * branching * levels / Bandwidth + branching * levels * 2e-6, tree.Seconds(NinGradientBytes, workers), 12);
    }

    [Fact]
    public void A_wider_tree_and_latency_change_the_tree_as_stated()
    {
        // Branching 4 over 32 workers: ceil(log4 32) = 3 levels, 4 x 3 = 12 serialized messages.
        var tree = new CommunicationModel(CommunicationScheme.ReductionTree, Bandwidth, Branching: 4, LatencySeconds: 1e-5);
        Assert.Equal(3, tree.TreeDepth(32));
        Assert.Equal(NinGradientBytes * 12 / Bandwidth + 12 * 1e-5, tree.Seconds(NinGradientBytes, 32), 12);
        Assert.Equal(0, tree.Seconds(NinGradientBytes, 1));
    }

    [Fact]
    public void The_nin_step_and_break_even_worker_count_match_the_hand_calculation()
    {
        var setup = new ScalingSetup(new CommunicationModel(CommunicationScheme.ReductionTree, Bandwidth), 3.52e12, Batch: 1024);
        var report = ScalingModel.Analyze(NetworkInNetwork.Create(), setup, [1, 2, 4, 8, 16, 32, 64, 128]);
        // NiN per item: 2 * 1,105,996,320 multiply-adds + 1,215,648 pooling operations = 2,213,208,288 (ZooTotalsTests);
        // training a batch of 1024: 3 * 1024 * 2,213,208,288 = 6,798,975,860,736.
        const double trainingFlops = 6_798_975_860_736;
        Assert.Equal((long)trainingFlops, report.FlopsPerStep);
        // Communication 2 log2(p) |W| / BW reaches computation F / (p P) first where p * 2 log2(p) >= F BW / (|W| P).
        var threshold = trainingFlops * Bandwidth / (NinGradientBytes * 3.52e12);
        var expected = new[] { 2, 4, 8, 16, 32, 64, 128 }.First(p => p * 2 * Math.Log2(p) >= threshold);
        Assert.Equal(expected, report.BreakEvenWorkers);
        var row32 = report.Rows.Single(r => r.Workers == 32);
        Assert.Equal(trainingFlops / (32 * 3.52e12), row32.ComputeSeconds, 12);
        Assert.Equal(report.Rows[0].StepSeconds / row32.StepSeconds, row32.Speedup, 12);
        Assert.Equal(row32.Speedup / 32, row32.Efficiency, 12);
    }

    [Fact]
    public void Fewer_gradient_bits_send_fewer_bytes()
    {
        var network = NetworkInNetwork.Create();
        var link = new CommunicationModel(CommunicationScheme.Ring, Bandwidth);
        var full = ScalingModel.Analyze(network, new ScalingSetup(link, 1e12), [1]);
        var half = ScalingModel.Analyze(network, new ScalingSetup(link, 1e12, GradientBits: 16), [1]);
        var oneBit = ScalingModel.Analyze(network, new ScalingSetup(link, 1e12, GradientBits: 1), [1]);
        Assert.Equal(7_595_176L * 4, full.GradientBytes);
        Assert.Equal(7_595_176L * 2, half.GradientBytes);
        Assert.Equal((7_595_176L + 7) / 8, oneBit.GradientBytes);
    }

    [Fact]
    public void A_network_with_no_flops_to_train_is_refused_rather_than_scaled_to_nan_speedups()
    {
        // Found by fuzz-cli: an input and a tanh gave 0-second steps, speedup 0/0 and JSON that could not be written.
        var network = new CnnCost.Graph.NetworkBuilder("flat").Input(5, 26, 26).Activation(CnnCost.Graph.ActivationFunction.Tanh).Build();
        var link = new CommunicationModel(CommunicationScheme.ReductionTree, Bandwidth);
        var error = Assert.Throws<ArgumentException>(() => ScalingModel.Analyze(network, new ScalingSetup(link, 5e12), [1, 2, 4]));
        Assert.Contains("no FLOPs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hybrid_parallelism_exchanges_fully_connected_inputs_instead_of_their_gradients()
    {
        var alexnet = AlexNet.Create();
        var link = new CommunicationModel(CommunicationScheme.Ring, Bandwidth);
        var hybrid = ScalingModel.Analyze(alexnet, new ScalingSetup(link, 1e12, Batch: 128, Parallelism: Parallelism.Hybrid), [1, 8]);
        // Convolution weights 34,848 + 307,200 + 884,736 + 663,552 + 442,368 and biases 96 + 256 + 384 + 384 + 256.
        const long convParameters = 2_332_704 + 1_376;
        Assert.Equal(convParameters * 4, hybrid.GradientBytes);
        // fc6 reads 256x6x6, fc7 and fc8 read 4096 each: gathered forward and backward over the 128-item batch.
        var activationBytes = 2.0 * 7 / 8 * (256 * 6 * 6 + 4096 + 4096) * 4 * 128;
        var expected = link.Seconds(convParameters * 4, 8) + activationBytes / Bandwidth;
        Assert.Equal(expected, hybrid.Rows[1].CommunicationSeconds, 12);
        Assert.Throws<ArgumentException>(() => ScalingModel.Analyze(NetworkInNetwork.Create(), new ScalingSetup(link, 1e12, Parallelism: Parallelism.Hybrid), [2]));
    }

    [Fact]
    public void Weak_scaling_keeps_each_workers_batch()
    {
        var setup = new ScalingSetup(new CommunicationModel(CommunicationScheme.Ring, Bandwidth), 3.52e12, Batch: 64, Mode: ScalingMode.Weak);
        var report = ScalingModel.Analyze(NetworkInNetwork.Create(), setup, [1, 16]);
        Assert.Equal(report.Rows[0].ComputeSeconds, report.Rows[1].ComputeSeconds, 12);
        Assert.Equal(64 * 16, report.Rows[1].GlobalBatch);
        Assert.Equal(16 * report.Rows[0].StepSeconds / report.Rows[1].StepSeconds, report.Rows[1].Speedup, 12);
    }

    [Fact]
    public void Communication_is_monotone_in_workers_for_ps_and_tree_and_speedup_never_exceeds_p()
    {
        var cases = from scheme in Gen.Elements(CommunicationScheme.ParameterServer, CommunicationScheme.ReductionTree, CommunicationScheme.Ring)
                    from branching in Gen.Choose(2, 8)
                    from p in Gen.Choose(1, 4096)
                    from bytes in Gen.Choose(1, 1_000_000_000)
                    from flops in Gen.Choose(1, 1000)
                    select (scheme, branching, p, bytes, flops);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var link = new CommunicationModel(c.scheme, 1e10, c.branching, 1e-6);
            var monotone = c.scheme == CommunicationScheme.Ring || link.Seconds(c.bytes, c.p + 1) >= link.Seconds(c.bytes, c.p);
            var report = ScalingModel.Analyze(CnnCost.Zoo.LeNet.Create(), new ScalingSetup(link, c.flops * 1e9, Batch: 256), [1, c.p]);
            return monotone && report.Rows.All(r => r.Speedup <= r.Workers * (1 + 1e-12));
        }));
    }

    [Theory]
    [InlineData("56Gbit/s", 7e9)]
    [InlineData("7GB/s", 7e9)]
    [InlineData("10Gbps", 1.25e9)]
    [InlineData("1000", 1000)]
    public void Bandwidths_read_with_their_units(string text, double bytesPerSecond) =>
        Assert.Equal(bytesPerSecond, Rates.ParseBandwidth(text), 6);

    [Theory]
    [InlineData("3.52TFLOP/s", 3.52e12)]
    [InlineData("900GFLOP/s", 9e11)]
    [InlineData("2e12", 2e12)]
    public void Throughputs_read_with_their_units(string text, double flops) => Assert.Equal(flops, Rates.ParseThroughput(text), 0);

    [Fact]
    public void Total_training_time_is_flops_times_frames_times_epochs_over_throughput()
    {
        // NiN: 3 x 2.21 GF per frame, ImageNet-1k's 1,281,167 frames, 47 epochs, one K20 at 50%.
        const double perFrame = 3.0 * 2_213_208_288;
        Assert.Equal(perFrame * 1_281_167 * 47 / 1.76e12, ScalingModel.TrainingSeconds(perFrame, 1_281_167, 47, 1.76e12), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScalingModel.TrainingSeconds(perFrame, 0, 47, 1e12));
    }
}
