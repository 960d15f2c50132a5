using CnnCost.Distributed;
using CnnCost.Graph;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Distributed;

/// <summary>Rate parsing with every prefix and unit, and the argument checks of the scaling model.</summary>
public class RatesAndValidationTests
{
    private static readonly CommunicationModel Link = new(CommunicationScheme.Ring, 1e9);

    [Theory]
    [InlineData("1.5Kbit/s", 1.5e3 / 8)]
    [InlineData("2kbps", 2e3 / 8)]
    [InlineData("3MB/s", 3e6)]
    [InlineData("4G", 4e9)]
    [InlineData("5TB/s", 5e12)]
    [InlineData("6PB/s", 6e15)]
    [InlineData(" 8B/s ", 8)]
    public void Every_prefix_scales_a_bandwidth_by_its_power_of_ten(string text, double bytesPerSecond) =>
        Assert.Equal(bytesPerSecond, Rates.ParseBandwidth(text), 9);

    [Theory]
    [InlineData("7FLOPS", 7)]
    [InlineData("2Mflop/s", 2e6)]
    [InlineData("1.5PFLOP/s", 1.5e15)]
    [InlineData("3KFLOPS", 3e3)]
    public void Throughputs_accept_each_spelling_of_the_unit(string text, double flopsPerSecond) =>
        Assert.Equal(flopsPerSecond, Rates.ParseThroughput(text), 6);

    [Theory]
    [InlineData("fast")]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("bit/s")]
    public void Text_that_is_not_a_number_is_a_format_error_that_quotes_it_and_gives_examples(string text)
    {
        var error = Assert.Throws<FormatException>(() => Rates.ParseBandwidth(text));
        Assert.Equal($"'{text}' is not a rate: expected a number with an optional K, M, G, T prefix and unit, e.g. 56Gbit/s, 7GB/s or 3.52TFLOP/s", error.Message);
    }

    [Theory]
    [InlineData("0Gbit/s", "0TFLOP/s")]
    [InlineData("-5GB/s", "-5G")]
    [InlineData("1e400", "1e400FLOPS")]
    [InlineData("NaN", "NaN")]
    [InlineData("1e-320", "1e-320")]          // denormal
    [InlineData("7bit/s", "0.5")]             // 0.875 B/s and 0.5 FLOP/s: below one unit per second
    [InlineData("1.1e30", "1.1e30FLOP/s")]    // past 10^30
    public void A_rate_must_be_from_one_to_10_to_the_30_per_second(string bandwidth, string throughput)
    {
        const string Range = "expected 1 to 1e30 per second (bytes or FLOPs)";
        Assert.Equal($"'{bandwidth}' is not a bandwidth CnnCost models: {Range}", Assert.Throws<FormatException>(() => Rates.ParseBandwidth(bandwidth)).Message);
        Assert.Equal($"'{throughput}' is not a throughput CnnCost models: {Range}", Assert.Throws<FormatException>(() => Rates.ParseThroughput(throughput)).Message);
    }

    [Fact]
    public void The_ends_of_the_rate_range_are_accepted()
    {
        Assert.Equal(1, Rates.ParseBandwidth("8bit/s"));
        Assert.Equal(1e30, Rates.ParseThroughput("1e30"));
    }

    [Fact]
    public void Missing_rate_text_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => Rates.ParseBandwidth(null!));
        Assert.Throws<ArgumentNullException>(() => Rates.ParseThroughput(null!));
    }

    [Fact]
    public void Communication_needs_a_worker_non_negative_bytes_and_a_tree_of_at_least_two_branches()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Link.Seconds(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Link.Seconds(-1, 2));
        Assert.Equal(0, Link.Seconds(0, 2));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CommunicationModel(CommunicationScheme.ReductionTree, 1e9, Branching: 1).TreeDepth(4));
        Assert.Equal("Branching", error.ParamName);
    }

    [Theory]
    [InlineData(2, 1, 0)]
    [InlineData(2, 2, 1)]
    [InlineData(2, 3, 2)]
    [InlineData(2, 4, 2)]
    [InlineData(2, 5, 3)]
    [InlineData(3, 9, 2)]
    [InlineData(3, 10, 3)]
    public void A_tree_is_deep_enough_for_branching_to_the_depth_to_reach_every_worker(int branching, int workers, int depth) =>
        // ceil(log_b(p)), brute force: the smallest d with b^d >= p.
        Assert.Equal(depth, new CommunicationModel(CommunicationScheme.ReductionTree, 1e9, branching).TreeDepth(workers));

    [Fact]
    public void The_parameter_server_sends_every_gradient_through_one_link_with_one_latency_per_worker()
    {
        // 1e9 bytes to 4 workers over 1e9 B/s: 4 s of volume plus 4 latencies of 0.5 s = 6 s.
        var server = new CommunicationModel(CommunicationScheme.ParameterServer, 1e9, LatencySeconds: 0.5);
        Assert.Equal(6.0, server.Seconds(1e9, 4), 12);
        // A ring of 4: 2·3/4 of the bytes and 2·3 latencies: 1.5 s + 3 s.
        var ring = new CommunicationModel(CommunicationScheme.Ring, 1e9, LatencySeconds: 0.5);
        Assert.Equal(4.5, ring.Seconds(1e9, 4), 12);
    }

    public static TheoryData<string> BadSetups => new() { "no counts", "zero workers", "batch 0", "bits 0", "no throughput", "NaN throughput" };

    [Theory]
    [MemberData(nameof(BadSetups))]
    public void An_impossible_scaling_setup_is_refused(string what)
    {
        var lenet = LeNet.Create();
        var good = new ScalingSetup(Link, 1e12);
        Action analyze = what switch
        {
            "no counts" => () => ScalingModel.Analyze(lenet, good, []),
            "zero workers" => () => ScalingModel.Analyze(lenet, good, [1, 0]),
            "batch 0" => () => ScalingModel.Analyze(lenet, good with { Batch = 0 }, [1]),
            "bits 0" => () => ScalingModel.Analyze(lenet, good with { GradientBits = 0 }, [1]),
            "no throughput" => () => ScalingModel.Analyze(lenet, good with { WorkerFlopsPerSecond = 0 }, [1]),
            _ => () => ScalingModel.Analyze(lenet, good with { WorkerFlopsPerSecond = double.NaN }, [1]),
        };
        Assert.Throws<ArgumentOutOfRangeException>(analyze);
    }

    [Fact]
    public void Scaling_needs_a_network_a_setup_and_worker_counts()
    {
        var setup = new ScalingSetup(Link, 1e12);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => ScalingModel.Analyze(null!, setup, [1])).ParamName);
        Assert.Equal("setup", Assert.Throws<ArgumentNullException>(() => ScalingModel.Analyze(LeNet.Create(), null!, [1])).ParamName);
        Assert.Equal("workerCounts", Assert.Throws<ArgumentNullException>(() => ScalingModel.Analyze(LeNet.Create(), setup, null!)).ParamName);
    }

    [Fact]
    public void Hybrid_parallelism_without_a_fully_connected_layer_names_the_network()
    {
        var convOnly = new NetworkBuilder("convs").Input(3, 8, 8).Convolution("conv", 4, 3).Build();
        var error = Assert.Throws<ArgumentException>(() => ScalingModel.Analyze(convOnly, new ScalingSetup(Link, 1e12, Parallelism: Parallelism.Hybrid), [2]));
        Assert.StartsWith("network 'convs' has no fully-connected layer to split for hybrid parallelism", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gradients_leave_biases_out_when_the_conventions_do()
    {
        // conv 3->4 3x3: 108 weights + 4 biases; fc 4·6·6 -> 2: 288 weights + 2 biases. Without biases: 396 · 4 bytes.
        var network = new NetworkBuilder("n", Conventions.Caffe with { CountBiases = false }).Input(3, 8, 8)
            .Convolution("conv", 4, 3).FullyConnected("fc", 2).Build();
        Assert.Equal(396L * 4, ScalingModel.Analyze(network, new ScalingSetup(Link, 1e12), [1]).GradientBytes);
        Assert.Equal(402L * 4, ScalingModel.Analyze(network.WithConventions(Conventions.Caffe), new ScalingSetup(Link, 1e12), [1]).GradientBytes);
    }

    [Fact]
    public void One_worker_never_breaks_even_and_frames_per_second_is_the_global_batch_over_the_step()
    {
        // A link too slow for any gain: communication exceeds compute at 2 workers, never at 1.
        var slow = new CommunicationModel(CommunicationScheme.ParameterServer, 1);
        var report = ScalingModel.Analyze(LeNet.Create(), new ScalingSetup(slow, 1e12, Batch: 8), [1, 2]);
        Assert.Equal(2, report.BreakEvenWorkers);
        Assert.Equal(0, report.Rows[0].CommunicationSeconds);
        Assert.Equal(8 / report.Rows[1].StepSeconds, report.Rows[1].FramesPerSecond, 12);
        Assert.Null(ScalingModel.Analyze(LeNet.Create(), new ScalingSetup(slow, 1e12, Batch: 8), [1]).BreakEvenWorkers);
    }

    [Fact]
    public void A_network_that_computes_nothing_has_nothing_to_scale_and_is_refused_by_name()
    {
        // Input and ReLU only: no FLOPs, so every speedup would be 0/0.
        var idle = new NetworkBuilder("idle").Input(3, 4, 4).ReLU("relu").Build();
        var error = Assert.Throws<ArgumentException>(() => ScalingModel.Analyze(idle, new ScalingSetup(Link, 1e12), [1, 2]));
        Assert.Contains("'idle' has no FLOPs to train", error.Message);
    }

    [Fact]
    public void Data_parallelism_exchanges_only_gradients()
    {
        // LeNet has fully-connected layers; with data parallelism their inputs are not exchanged: the step's
        // communication is exactly the ring's time for the gradient bytes.
        var report = ScalingModel.Analyze(CnnCost.Zoo.LeNet.Create(), new ScalingSetup(Link, 1e12), [4]);
        Assert.Equal(Link.Seconds(report.GradientBytes, 4), report.Rows[0].CommunicationSeconds);
    }

    [Fact]
    public void Refusals_of_worker_counts_throughput_and_training_time_say_what_is_wrong()
    {
        var lenet = LeNet.Create();
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => ScalingModel.Analyze(lenet, new ScalingSetup(Link, 1e12), [1, 0]));
        Assert.Equal("workerCounts", zero.ParamName);
        Assert.StartsWith("list at least one worker count, each at least 1", zero.Message, StringComparison.Ordinal);
        Assert.StartsWith("the worker throughput must be positive",
            Assert.Throws<ArgumentOutOfRangeException>(() => ScalingModel.Analyze(lenet, new ScalingSetup(Link, 0), [1])).Message, StringComparison.Ordinal);
        Assert.StartsWith("FLOPs, frames, epochs and throughput must be positive",
            Assert.Throws<ArgumentOutOfRangeException>(() => ScalingModel.TrainingSeconds(1, 0, 1, 1)).Message, StringComparison.Ordinal);
        // One frame is enough: 6 FLOPs x 1 frame x 2 epochs at 3 FLOP/s = 4 s.
        Assert.Equal(4.0, ScalingModel.TrainingSeconds(6, 1, 2, 3));
    }

    [Fact]
    public void A_unit_is_stripped_once()
    {
        // "1FLOPSFLOP/s" loses its final "FLOP/s" only; "1FLOPS" is not a number.
        Assert.Throws<FormatException>(() => Rates.ParseThroughput("1FLOPSFLOP/s"));
    }

    [Theory]
    [InlineData(0, 1, 1, 1)]
    [InlineData(1, 0, 1, 1)]
    [InlineData(1, 1, 0, 1)]
    [InlineData(1, 1, 1, 0)]
    [InlineData(double.NaN, 1, 1, 1)]
    public void Training_time_needs_positive_work_frames_epochs_and_throughput(double flops, long frames, double epochs, double throughput) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ScalingModel.TrainingSeconds(flops, frames, epochs, throughput));
}
