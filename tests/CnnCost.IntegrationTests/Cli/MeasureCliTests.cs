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
}
