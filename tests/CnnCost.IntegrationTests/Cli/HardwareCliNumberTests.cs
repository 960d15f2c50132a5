using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>
/// <c>cnncost roofline</c>: attainable FLOP/s = min(peak, intensity x bandwidth), intensity = FLOPs over the bytes of
/// inputs, weights (with biases) and output, each once (cost-model.md section 8). The P100's ceilings: 10.6 TFLOP/s,
/// 732 GB/s, so the ridge is at 10.6e12 / 732e9 = 14.48 FLOPs/byte. These commands write no JSON: their CSV is read.
/// </summary>
public class RooflineCliNumberTests
{
    private const double Peak = 10.6e12;
    private const double Bandwidth = 732e9;

    private static string[][] Roofline(string precision)
    {
        var (exit, output, error) = CliRunner.Run("roofline", "lenet", "--device", "P100", "--precision", precision, "--format", "csv");
        Assert.True(exit == 0, error);
        return ByHand.Csv(output);
    }

    [Theory]
    // LeNet, batch 1, bytes per value 4 (fp32) or 2 (fp16); values in: input elements + weights + biases + output elements.
    // conv1: 784 + 520 + 11,520 = 12,824 values, 576,000 FLOPs: 11.23 FLOPs/B at fp32 (memory bound, 8.22 TFLOP/s),
    //        22.46 at fp16 (compute bound, the 10.6 TFLOP/s peak).
    // pool1: 11,520 + 2,880 = 14,400 values, 11,520 compares: 0.2 FLOPs/B at fp32, 0.4 at fp16.
    // conv2: 2,880 + 25,050 + 3,200 = 31,130 values, 3,200,000 FLOPs: 25.7 FLOPs/B at fp32, compute bound either way.
    // ip1: 800 + 400,500 + 500 = 401,800 values, 800,000 FLOPs: 0.498 FLOPs/B at fp32.
    [InlineData("fp32", "conv1", 576_000, 12_824 * 4)]
    [InlineData("fp16", "conv1", 576_000, 12_824 * 2)]
    [InlineData("fp32", "pool1", 11_520, 14_400 * 4)]
    [InlineData("fp16", "pool1", 11_520, 14_400 * 2)]
    [InlineData("fp32", "conv2", 3_200_000, 31_130 * 4)]
    [InlineData("fp16", "conv2", 3_200_000, 31_130 * 2)]
    [InlineData("fp32", "ip1", 800_000, 401_800 * 4)]
    [InlineData("fp16", "ip1", 800_000, 401_800 * 2)]
    public void Each_layer_attains_the_lower_of_the_peak_and_its_intensity_times_bandwidth(string precision, string layer, long flops, long bytes)
    {
        var row = ByHand.Row(Roofline(precision), layer);
        var intensity = (double)flops / bytes;
        var attainable = Math.Min(Peak, intensity * Bandwidth);
        ByHand.Printed(flops / 1e9, row["GFLOPs"], $"{layer} GFLOPs");
        ByHand.Printed(bytes / 1e6, row["MB moved"], $"{layer} MB moved");
        ByHand.Printed(intensity, row["FLOPs/byte"], $"{layer} intensity");
        ByHand.Printed(attainable / 1e12, row["attainable TFLOP/s"], $"{layer} attainable");
        Assert.Equal(intensity >= Peak / Bandwidth ? "compute" : "memory", row["bound"]);
        ByHand.Printed(flops / attainable * 1e3, row["ms at the roof"], $"{layer} time");
    }

    [Fact]
    public void Halving_the_bytes_moves_conv1_across_the_ridge()
    {
        // 11.23 < 14.48 <= 22.46: conv1 is memory bound at fp32 (8.22 TFLOP/s) and compute bound at fp16.
        Assert.Equal("memory", ByHand.Row(Roofline("fp32"), "conv1")["bound"]);
        Assert.Equal("8.22", ByHand.Row(Roofline("fp32"), "conv1")["attainable TFLOP/s"]);
        Assert.Equal("compute", ByHand.Row(Roofline("fp16"), "conv1")["bound"]);
        Assert.Equal("10.6", ByHand.Row(Roofline("fp16"), "conv1")["attainable TFLOP/s"]);
    }

    [Fact]
    public void The_notes_give_the_ridge_point_and_the_sum_of_the_layers_times()
    {
        var (exit, output, _) = CliRunner.Run("roofline", "lenet", "--device", "P100", "--format", "markdown");
        Assert.Equal(0, exit);
        Assert.Contains("ridge point 14.5 FLOPs/byte", output);                    // 10.6e12 / 732e9 = 14.48
        // The layers' times at fp32, each FLOPs / min(peak, intensity · BW), or bytes / BW for the softmax (0 FLOPs, 2 x 10 values):
        double[] seconds =
        [
            576_000 / Math.Min(Peak, 576_000.0 / (12_824 * 4) * Bandwidth), 11_520 / Math.Min(Peak, 11_520.0 / (14_400 * 4) * Bandwidth),
            3_200_000 / Math.Min(Peak, 3_200_000.0 / (31_130 * 4) * Bandwidth), 3_200 / Math.Min(Peak, 3_200.0 / ((3_200 + 800) * 4) * Bandwidth),
            800_000 / Math.Min(Peak, 800_000.0 / (401_800 * 4) * Bandwidth), 10_000 / Math.Min(Peak, 10_000.0 / ((500 + 5_010 + 10) * 4) * Bandwidth),
            20 * 4 / Bandwidth,
        ];
        var note = output.Split('\n').Single(l => l.Contains("lower bound", StringComparison.Ordinal));
        // The bound is printed in the unit that keeps it between 1 and 1000: "5.21 µs per batch".
        var printed = note.Split(": ")[1].Split(' ');
        var perSecond = printed[1] switch { "s" => 1, "ms" => 1e3, "µs" => 1e6, "ns" => 1e9, _ => throw new InvalidOperationException(note) };
        ByHand.Printed(seconds.Sum() * perSecond, printed[0], $"lower bound in {printed[1]}");
    }
}

/// <summary>
/// <c>cnncost memory</c>: weights (biases included), gradients as many, optimizer state 0/1/2 values per parameter for
/// SGD/momentum/Adam, and activations: the largest live set for inference, every output for training.
/// </summary>
public class MemoryCliNumberTests
{
    [Theory]
    // LeNet at batch 8: parameters (430,500 + 580) x 4 B = 1,724,320 B.
    // Training activations: every output per item, input included (relu1 works in place and adds nothing):
    //   784 + 11,520 + 2,880 + 3,200 + 800 + 500 + 10 + 10 = 19,704 values x 4 B x 8 = 630,528 B.
    // Inference activations: conv1's output (11,520) and pool1's (2,880) alive together, 14,400 x 4 x 8 = 460,800 B.
    [InlineData("sgd", 0)]
    [InlineData("momentum", 1)]
    [InlineData("adam", 2)]
    public void Training_memory_is_weights_gradients_optimizer_state_and_every_activation(string optimizer, int statePerParameter)
    {
        var (exit, output, error) = CliRunner.Run("memory", "lenet", "--batch", "8", "--optimizer", optimizer, "--format", "csv");
        Assert.True(exit == 0, error);
        var table = ByHand.Csv(output);
        const double parameters = 1_724_320, trainingActivations = 630_528, inferenceActivations = 460_800;
        string Cell(string part, int column) => table.Skip(1).Single(r => r[0].StartsWith(part, StringComparison.Ordinal))[column];
        ByHand.Printed(parameters / 1e6, Cell("weights", 1), "inference weights");
        ByHand.Printed(parameters / 1e6, Cell("weights", 2), "training weights");
        Assert.Equal("0", Cell("gradients", 1));
        ByHand.Printed(parameters / 1e6, Cell("gradients", 2), "gradients");
        Assert.Equal("0", Cell("optimizer state", 1));
        ByHand.Printed(statePerParameter * parameters / 1e6, Cell("optimizer state", 2), "optimizer state");
        ByHand.Printed(inferenceActivations / 1e6, Cell("activations", 1), "inference activations");
        ByHand.Printed(trainingActivations / 1e6, Cell("activations", 2), "training activations");
        ByHand.Printed((parameters + inferenceActivations) / 1e6, Cell("total", 1), "inference total");
        ByHand.Printed(((2 + statePerParameter) * parameters + trainingActivations) / 1e6, Cell("total", 2), "training total");
    }

    [Fact]
    public void Nins_training_activations_are_the_827_gb_sum_of_table_42s_output_column()
    {
        // cost-model.md's errata: Table 4.2's output column sums to 8.27 GB with the data layer; training keeps them all.
        // Inference peaks at conv2, when conv1's and conv2's outputs (96x55x55 x 1024 x 4 B each) are both alive: 2.38 GB.
        var (exit, output, error) = CliRunner.Run("memory", "nin", "--batch", "1024", "--format", "csv");
        Assert.True(exit == 0, error);
        var activations = ByHand.Row(ByHand.Csv(output), "activations");
        ByHand.Printed(2.0 * 96 * 55 * 55 * 1024 * 4 / 1e6, activations["inference (MB)"], "NiN inference activations");
        Assert.Equal("8270", activations["training (MB)"]);
    }
}

/// <summary><c>cnncost speed</c>: frames/s = peak x efficiency / FLOPs per frame, J/frame = watts / frames/s (dissertation 2.3.4-2.3.6).</summary>
public class SpeedCliNumberTests
{
    [Theory]
    // LeNet, 4,600,720 FLOPs per frame: Titan X at 5% (6e12 x 0.05 / 4,600,720 = 65,207 frames/s, 250 W / 65,207 = 3.83 mJ).
    [InlineData("lenet", "TitanX", "5%", "inference", 6e12, 250, 0.05, 4_600_720)]
    // NiN, 2,213,208,288 FLOPs per frame: P100 at 50% (2,395 frames/s), TX1 at 100% for training (3x: 75.3 frames/s).
    [InlineData("nin", "P100", "0.5", "inference", 10.6e12, 300, 0.5, 2_213_208_288)]
    [InlineData("nin", "TX1", "1", "training", 0.5e12, 10, 1.0, 3 * 2_213_208_288L)]
    [InlineData("nin", "K20", "30%", "inference", 3.52e12, 225, 0.3, 2_213_208_288)]
    public void Frames_per_second_are_peak_times_efficiency_over_flops_per_frame(
        string model, string device, string efficiency, string phase, double peak, double watts, double fraction, long flopsPerFrame)
    {
        var (exit, output, error) = CliRunner.Run("speed", model, "--device", device, "--efficiency", efficiency, "--phase", phase, "--format", "csv");
        Assert.True(exit == 0, error);
        var row = ByHand.Row(ByHand.Csv(output), device);
        var fps = peak * fraction / flopsPerFrame;
        ByHand.Printed(peak / 1e12, row["peak TFLOP/s"], "peak");
        Assert.Equal(watts.ToString(System.Globalization.CultureInfo.InvariantCulture), row["watts"]);
        ByHand.Printed(fps, row["frames/s"], $"{model} frames/s on {device}");
        ByHand.Printed(watts / fps, row["J/frame"], $"{model} J/frame on {device}");
    }

    [Fact]
    public void The_flops_per_frame_do_not_depend_on_the_batch()
    {
        // NiN at batch 1024: 2.27 TF per batch, still 2.21 GFLOPs per frame.
        var (exit, output, _) = CliRunner.Run("speed", "nin", "--batch", "1024", "--device", "P100", "--format", "markdown");
        Assert.Equal(0, exit);
        Assert.Contains("2.21 GFLOPs per frame (inference) at 50% of peak", output);
    }
}
