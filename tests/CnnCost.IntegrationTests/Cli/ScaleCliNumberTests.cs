using System.Text.Json;
using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>
/// <c>cnncost scale</c>'s numbers against hand arithmetic (contracts.md, JSON of <c>scale</c>; cost-model.md section 5).
/// LeNet at batch 64, 1 TFLOP/s per worker and 1 GB/s links: |∇W| = (430,500 weights + 580 biases) x 4 B = 1,724,320 B,
/// and a training step is 3 x 4,600,720 FLOPs x 64 = 883,338,240 FLOPs.
/// </summary>
public class ScaleCliNumberTests
{
    private const double Bandwidth = 1e9;
    private const double Throughput = 1e12;
    private const long GradientBytes = (430_500 + 580) * 4;
    private const long FlopsPerStep = 3L * 4_600_720 * 64;

    private static JsonElement[] Scale(out JsonElement root, params string[] args)
    {
        var (exit, output, error) = CliRunner.Run(["scale", "lenet", "--batch", "64", "--bandwidth", "1GB/s", "--worker-throughput", "1TFLOP/s", .. args, "--format", "json"]);
        Assert.True(exit == 0, error);
        root = JsonDocument.Parse(output).RootElement.Clone();
        return [.. root.GetProperty("rows").EnumerateArray()];
    }

    private static double Seconds(JsonElement row, string name) => row.GetProperty(name).GetDouble();

    [Fact]
    public void The_oracles_agree_with_the_spec_for_lenet_and_nin()
    {
        Assert.Equal(430_500, ByHand.LeNetWeights);
        Assert.Equal(4_600_720, ByHand.LeNetFlops);
        Assert.Equal(30_359_680, ByHand.NinWeights * 4);                            // Table 4.2: 30.4 MB
        Assert.Equal(2.27e12, ByHand.NinFlops * 1024.0, 0.005e12);                  // Table 4.2: 2.27 TF
    }

    [Fact]
    public void A_parameter_server_moves_every_workers_gradients_through_one_link()
    {
        // Eq. 3.3: t = |∇W| · p / BW. p = 3: 1,724,320 · 3 / 1e9 = 5.17296 ms; compute 883,338,240 / (3 · 1e12) = 0.294 ms.
        var rows = Scale(out var root, "--workers", "1,3,5", "--scheme", "ps");
        Assert.Equal(GradientBytes, root.GetProperty("parameterBytes").GetInt64());
        Assert.Equal(FlopsPerStep, root.GetProperty("flopsPerStep").GetInt64());
        Assert.Equal(Bandwidth, root.GetProperty("bandwidthBytesPerSecond").GetDouble());
        Assert.Equal(Throughput, root.GetProperty("workerFlopsPerSecond").GetDouble());
        var oneWorkerStep = FlopsPerStep / Throughput;
        foreach (var (row, p) in rows.Zip([1, 3, 5]))
        {
            Assert.Equal(p, row.GetProperty("workers").GetInt32());
            var compute = FlopsPerStep / (p * Throughput);
            var communication = p == 1 ? 0 : GradientBytes * p / Bandwidth;
            ByHand.Close(compute, Seconds(row, "computeSeconds"), $"compute at {p}");
            ByHand.Close(communication, Seconds(row, "communicationSeconds"), $"communication at {p}");
            ByHand.Close(compute + communication, Seconds(row, "stepSeconds"), $"step at {p}");
            ByHand.Close(oneWorkerStep / (compute + communication), Seconds(row, "speedup"), $"speedup at {p}");
            ByHand.Close(oneWorkerStep / (compute + communication) / p, Seconds(row, "efficiency"), $"efficiency at {p}");
        }

        ByHand.Close(5.17296e-3, Seconds(rows[1], "communicationSeconds"), "1,724,320 B x 3 / 1 GB/s");
        Assert.Equal(3, root.GetProperty("breakEvenWorkers").GetInt32());          // 5.17 ms of communication >= 0.294 ms of compute
    }

    [Theory]
    // Eq. 3.4: t = |∇W| · b · ceil(log_b p) / BW; the depths by hand: 3^1 = 3 >= 3, 3^2 = 9 >= 9, 9 < 10 <= 27 = 3^3.
    [InlineData(3, 3, 1)]
    [InlineData(3, 9, 2)]
    [InlineData(3, 10, 3)]
    [InlineData(3, 27, 3)]
    [InlineData(2, 5, 3)]                                                           // 4 < 5 <= 8
    [InlineData(2, 8, 3)]
    [InlineData(4, 17, 3)]                                                          // 16 < 17 <= 64
    public void A_reduction_tree_sends_branching_times_depth_gradients(int branching, int workers, int depth)
    {
        var rows = Scale(out var root, "--workers", $"1,{workers}", "--scheme", "tree", "--branching", $"{branching}");
        Assert.Equal(branching, root.GetProperty("branching").GetInt32());
        ByHand.Close((double)GradientBytes * branching * depth / Bandwidth, Seconds(rows[1], "communicationSeconds"), $"tree b={branching} p={workers}");
        Assert.Equal(0, Seconds(rows[0], "communicationSeconds"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(128)]
    public void A_ring_sends_two_p_minus_one_over_p_of_the_gradients(int workers)
    {
        // Ring all-reduce: 2 (p-1)/p · |∇W| / BW; p = 5: 1.6 · 1,724,320 / 1e9 = 2.758912 ms.
        var rows = Scale(out _, "--workers", $"1,{workers}", "--scheme", "ring");
        ByHand.Close(2.0 * (workers - 1) / workers * GradientBytes / Bandwidth, Seconds(rows[1], "communicationSeconds"), $"ring p={workers}");
    }

    [Fact]
    public void A_ring_of_five_takes_2_758912_ms()
    {
        var rows = Scale(out _, "--workers", "5", "--scheme", "ring");
        ByHand.Close(2.758912e-3, Seconds(rows[0], "communicationSeconds"), "ring p=5");
    }

    [Theory]
    // 16-bit gradients: 431,080 x 2 B = 862,160 B; 1-bit: 431,080 / 8 = 53,885 B.
    [InlineData(16, 862_160)]
    [InlineData(1, 53_885)]
    public void Reduced_precision_gradients_move_fewer_bytes(int bits, long bytes)
    {
        var rows = Scale(out var root, "--workers", "1,4", "--scheme", "ps", "--gradient-bits", $"{bits}");
        Assert.Equal(bytes, root.GetProperty("parameterBytes").GetInt64());
        ByHand.Close(bytes * 4 / Bandwidth, Seconds(rows[1], "communicationSeconds"), $"{bits}-bit gradients at 4 workers");
    }

    [Theory]
    // Each serialized message step adds the latency: p steps (server), b·ceil(log_b p) (tree), 2(p-1) (ring).
    [InlineData("ps", 4, 4 * GradientBytes / Bandwidth, 4)]
    [InlineData("tree", 5, 2 * 3 * GradientBytes / Bandwidth, 6)]
    [InlineData("ring", 5, 1.6 * GradientBytes / Bandwidth, 8)]
    public void Latency_is_paid_once_per_message_step(string scheme, int workers, double transfer, int steps)
    {
        var rows = Scale(out _, "--workers", $"{workers}", "--scheme", scheme, "--latency", "1e-5");
        ByHand.Close(transfer + steps * 1e-5, Seconds(rows[0], "communicationSeconds"), $"{scheme} p={workers} with 10 us per step");
    }

    [Fact]
    public void Weak_scaling_keeps_each_workers_batch_and_compute_time()
    {
        // Each worker keeps 64 items: compute is 883,338,240 / 1e12 s at every p, and speedup = p · t1 / t(p).
        var rows = Scale(out _, "--workers", "1,2,4", "--scheme", "ring", "--scaling", "weak");
        var t1 = FlopsPerStep / Throughput;
        foreach (var (row, p) in rows.Zip([1, 2, 4]))
        {
            ByHand.Close(t1, Seconds(row, "computeSeconds"), $"compute at {p}");
            var communication = p == 1 ? 0 : 2.0 * (p - 1) / p * GradientBytes / Bandwidth;
            ByHand.Close(p * t1 / (t1 + communication), Seconds(row, "speedup"), $"weak speedup at {p}");
        }
    }

    [Fact]
    public void Hybrid_parallelism_exchanges_the_fully_connected_inputs_instead_of_their_weights()
    {
        // Krizhevsky's hybrid: only the convolutions' gradients move, (500 + 20 + 25,000 + 50) x 4 B = 102,280 B, by the
        // tree; the fully-connected layers' inputs (800 + 500 values x 4 B = 5,200 B per item) are gathered forward and
        // their gradients backward, a ring-like 2 (p-1)/p of the whole batch: at p = 4, 1.5 · 5,200 · 64 B.
        var rows = Scale(out var root, "--workers", "1,4", "--scheme", "tree", "--parallelism", "hybrid");
        Assert.Equal(102_280, root.GetProperty("parameterBytes").GetInt64());
        ByHand.Close((102_280.0 * 2 * 2 + 1.5 * 5_200 * 64) / Bandwidth, Seconds(rows[1], "communicationSeconds"), "hybrid at 4 workers");
    }

    [Fact]
    public void Nin_on_k20s_with_56_gbit_links_breaks_even_at_64_workers()
    {
        // contracts.md's example: NiN weights only, 30,359,680 B, by a binary tree over 7 GB/s, each worker 3.52 TFLOP/s.
        // A step is 3 x 2,213,208,288 x 1024 = 6,798,975,860,736 FLOPs. At 32 workers compute is 60.4 ms and
        // communication 30,359,680 · 2 · 5 / 7e9 = 43.4 ms; at 64, 30.2 ms against 52.0 ms: communication wins.
        var (exit, output, error) = CliRunner.Run("scale", "nin", "--workers", "1..128", "--bandwidth", "56Gbit/s", "--worker-throughput", "3.52TFLOP/s",
            "--scheme", "tree", "--bias", "exclude", "--format", "json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var flopsPerStep = 3 * ByHand.NinFlops * 1024;
        Assert.Equal(6_798_975_860_736, flopsPerStep);
        Assert.Equal(flopsPerStep, root.GetProperty("flopsPerStep").GetInt64());
        var rows = root.GetProperty("rows").EnumerateArray().ToArray();
        foreach (var row in rows)
        {
            var p = row.GetProperty("workers").GetInt32();
            ByHand.Close(flopsPerStep / (p * 3.52e12), Seconds(row, "computeSeconds"), $"compute at {p}");
            ByHand.Close(30_359_680.0 * 2 * Math.Log2(p) / 7e9, Seconds(row, "communicationSeconds"), $"communication at {p}");
        }

        Assert.Equal(64, root.GetProperty("breakEvenWorkers").GetInt32());
        Assert.InRange(Seconds(rows[5], "speedup"), 18.6, 18.7);                   // 1.9315 s / (60.36 ms + 43.37 ms)
    }
}
