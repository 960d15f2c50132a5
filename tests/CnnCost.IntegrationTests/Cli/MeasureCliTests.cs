using System.Text.Json;
using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>
/// <c>cnncost measure</c> runs real kernels, so its times vary; what must not vary is checked: the layers measured,
/// their FLOPs (by hand, Eq. 4.3), the verification against the reference, and the arithmetic that turns times into
/// rates and totals (contracts.md, JSON of <c>measure</c>).
/// </summary>
public class MeasureCliTests
{
    [Fact]
    public void Measured_lenet_has_hand_counted_flops_verified_outputs_and_consistent_rates()
    {
        var (exit, output, error) = CliRunner.Run("measure", "lenet", "--engine", "cpu", "--batch", "1", "--repeat", "3", "--warmups", "1", "--format", "json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("lenet", root.GetProperty("model").GetString());
        Assert.Equal("cpu", root.GetProperty("engine").GetString());
        Assert.Equal(1, root.GetProperty("batch").GetInt32());
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();

        // Only convolution and fully-connected layers are measured, with Eq. 4.3's FLOPs: 2 · C · F · K² · H'W'.
        Assert.Equal(ByHand.LeNetLayers.Select(l => l.Name), layers.Select(l => l.GetProperty("name").GetString()));
        Assert.Equal(new long[] { 576_000, 3_200_000, 800_000, 10_000 }, layers.Select(l => l.GetProperty("flops").GetInt64()));
        Assert.Equal(ByHand.LeNetLayers.Select(l => l.Flops), layers.Select(l => l.GetProperty("flops").GetInt64()));

        foreach (var layer in layers)
        {
            var name = layer.GetProperty("name").GetString();
            var median = layer.GetProperty("medianSeconds").GetDouble();
            Assert.True(layer.GetProperty("maxRelativeError").GetDouble() is >= 0 and <= 1e-3, $"{name}: error {layer.GetProperty("maxRelativeError")}");
            Assert.True(median > 0, $"{name}: median {median}");
            Assert.InRange(median, layer.GetProperty("minSeconds").GetDouble(), layer.GetProperty("maxSeconds").GetDouble());
            ByHand.Close(layer.GetProperty("flops").GetInt64() / median, layer.GetProperty("achievedFlopsPerSecond").GetDouble(), $"{name} achieved FLOP/s");
            Assert.True(layer.GetProperty("predictedSeconds").GetDouble() > 0, $"{name}: no prediction");
        }

        var totals = root.GetProperty("totals");
        ByHand.Close(layers.Sum(l => l.GetProperty("medianSeconds").GetDouble()), totals.GetProperty("measuredSeconds").GetDouble(), "measured total");
        ByHand.Close(layers.Sum(l => l.GetProperty("predictedSeconds").GetDouble()), totals.GetProperty("predictedSeconds").GetDouble(), "predicted total");
    }

    [Fact]
    public void The_measure_table_totals_the_hand_counted_flops()
    {
        // 576,000 + 3,200,000 + 800,000 + 10,000 = 4,586,000 FLOPs: 4.59 M (pooling is not measured).
        var (exit, output, error) = CliRunner.Run("measure", "lenet", "--batch", "1", "--repeat", "1", "--warmups", "1", "--format", "markdown");
        Assert.True(exit == 0, error);
        var total = output.Split('\n').Single(l => l.StartsWith("| total |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
        Assert.Equal("4.59 M", total[2]);
        Assert.Contains("median of 1 run after 1 warm-up", output);
    }

    [Fact]
    public void The_opencl_engine_measures_the_same_layers_or_says_why_not()
    {
        var (exit, output, error) = CliRunner.Run("measure", "lenet", "--engine", "opencl", "--repeat", "1", "--warmups", "1", "--format", "json");
        if (exit == 2 && error.Contains("the opencl engine is unavailable", StringComparison.Ordinal))
        {
            Assert.False(Environment.GetEnvironmentVariable("CNNCOST_REQUIRE_OPENCL") == "1", $"CNNCOST_REQUIRE_OPENCL=1 but {error}");
            Assert.Skip(error.Trim());
        }

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(ByHand.LeNetLayers.Select(l => l.Flops), layers.Select(l => l.GetProperty("flops").GetInt64()));
        Assert.All(layers, l => Assert.True(l.GetProperty("maxRelativeError").GetDouble() <= 1e-3));
    }

    [Fact]
    public void The_ilgpu_engine_measures_lenet_end_to_end_and_says_which_accelerator_it_chose()
    {
        // Without a GPU this runs on ILGPU's CPU accelerator, the fastest one available; with one, on the GPU.
        var (exit, output, error) = CliRunner.Run("measure", "lenet", "--engine", "ilgpu", "--repeat", "1", "--warmups", "1", "--format", "json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("ilgpu", root.GetProperty("engine").GetString());
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(ByHand.LeNetLayers.Select(l => l.Flops), layers.Select(l => l.GetProperty("flops").GetInt64()));
        Assert.All(layers, l => Assert.True(l.GetProperty("maxRelativeError").GetDouble() <= 1e-3));
        var selection = root.GetProperty("selection").GetString()!;
        var kind = root.GetProperty("deviceInfo").GetProperty("kind").GetString();
        if (kind == "cpu")
        {
            // CUDA, the fastest kind, was passed over, and the selection says why.
            Assert.StartsWith("ILGPU cpu the fastest ILGPU accepts here; unavailable: cuda: ", selection);
            Assert.Equal("ILGPU CPU accelerator (.NET threads)", root.GetProperty("deviceInfo").GetProperty("instructionSet").GetString());
        }
        else
        {
            Assert.StartsWith("ILGPU ", selection);
        }

        Assert.Equal("roofline", root.GetProperty("predictor").GetProperty("kind").GetString());
    }

    [Fact]
    public void An_accelerator_is_refused_for_engines_without_that_choice_and_must_be_one_ilgpu_knows()
    {
        var (exit, _, error) = CliRunner.Run("measure", "lenet", "--engine", "cpu", "--accelerator", "cuda");
        Assert.Equal(2, exit);
        Assert.Contains("--accelerator chooses where the ilgpu engine runs; the cpu engine has no such choice", error);
        (exit, _, error) = CliRunner.Run("measure", "lenet", "--accelerator", "cuda");
        Assert.Equal(2, exit);
        Assert.Contains("the cpu engine has no such choice", error);
        (exit, _, error) = CliRunner.Run("measure", "lenet", "--engine", "ilgpu", "--accelerator", "vulkan");
        Assert.Equal(2, exit);
        Assert.Contains("vulkan", error);
        Assert.DoesNotContain("   at ", error);
        (exit, _, error) = CliRunner.Run("measure", "lenet", "--calibrate-on", ",");
        Assert.Equal(2, exit);
        Assert.Contains("--calibrate-on needs at least one model", error);
    }

    [Fact]
    public void An_accelerator_that_is_missing_is_a_one_line_error_with_ilgpus_reason()
    {
        var (exit, output, error) = CliRunner.Run("measure", "lenet", "--engine", "ilgpu", "--accelerator", "cuda", "--repeat", "1", "--warmups", "1", "--format", "json");
        Assert.SkipWhen(exit == 0, $"this machine has a CUDA device: {output[..Math.Min(200, output.Length)]}");
        Assert.Equal(2, exit);
        Assert.StartsWith("cnncost: the ilgpu engine is unavailable: no ILGPU accelerator can run here: cuda: ", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void A_calibrated_prediction_is_the_fitted_law_applied_to_each_layer()
    {
        var (exit, output, error) = CliRunner.Run("measure", "lenet", "--calibrate-on", "nin", "--repeat", "1", "--warmups", "1", "--format", "json");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var predictor = json.RootElement.GetProperty("predictor");
        Assert.Equal("calibrated", predictor.GetProperty("kind").GetString());
        Assert.Equal("NiN", predictor.GetProperty("source").GetString(), ignoreCase: true);
        // NiN's 12 convolutions, the 3 overhead layers and the 4 depthwise ones.
        Assert.Equal(19, predictor.GetProperty("samples").GetInt32());
        var (a, b, c) = (predictor.GetProperty("secondsPerFlop").GetDouble(), predictor.GetProperty("secondsPerByte").GetDouble(), predictor.GetProperty("secondsPerLayer").GetDouble());
        Assert.True(predictor.GetProperty("secondsPerDepthwiseFlop").GetDouble() >= 0);
        var cache = predictor.GetProperty("cacheBytes").GetInt64();
        Assert.True(a >= 0 && b >= 0 && c >= 0 && a + b + c > 0, predictor.ToString());
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            // time = a·FLOPs + b·bytes + c (LeNet has no depthwise layer), the bytes (input, weights, output in fp32)
            // charged only beyond the cache.
            var s = layer.GetProperty("shape");
            int Get(string name) => s.GetProperty(name).GetInt32();
            var outHeight = (Get("inHeight") + 2 * Get("padHeight") - Get("kernelHeight")) / Get("strideHeight") + 1;
            var outWidth = (Get("inWidth") + 2 * Get("padWidth") - Get("kernelWidth")) / Get("strideWidth") + 1;
            long bytes = 4L * ((long)Get("inChannels") * Get("inHeight") * Get("inWidth")
                + (long)Get("filters") * Get("inChannels") / Get("groups") * Get("kernelHeight") * Get("kernelWidth")
                + (long)Get("filters") * outHeight * outWidth);
            var expected = a * layer.GetProperty("flops").GetInt64() + (bytes > cache ? b * bytes : 0) + c;
            ByHand.Close(expected, layer.GetProperty("predictedSeconds").GetDouble(), layer.GetProperty("name").GetString()!);
        }
    }

    [Fact]
    public void A_batch_too_large_fails_at_once_naming_the_layer_before_any_calibration_runs()
    {
        // LeNet's calibration would fit at this batch; VGG-16's first layer (3·224·224·10⁵ values) does not.
        var (exit, _, error) = CliRunner.Run("measure", "vgg16", "--calibrate-on", "lenet", "--batch", "100000");
        Assert.Equal(2, exit);
        Assert.StartsWith("cnncost: layer 'conv1_1' at batch 100000 needs a buffer of", error);
        (exit, _, error) = CliRunner.Run("measure", "lenet", "--calibrate-on", "vgg16", "--batch", "100000");
        Assert.Equal(2, exit);
        Assert.StartsWith("cnncost: calibrating on ", error);
        Assert.Contains("/conv1_1: layer 'conv1_1' at batch 100000", error);
    }
}
