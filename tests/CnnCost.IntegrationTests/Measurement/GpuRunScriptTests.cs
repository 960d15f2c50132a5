using System.Text.Json;
using CnnCost.IntegrationTests.Cli;
using CnnCost.IntegrationTests.Samples;
using Xunit;

namespace CnnCost.IntegrationTests.Measurement;

/// <summary>
/// <c>benchmarks/gpu/run.sh</c> ends in <c>summarize.py</c>, which turns the <c>measure</c> reports into the results
/// file a GPU run commits. Without a GPU here, it is run on real CPU-engine reports and every number it writes is
/// checked against the reports it read.
/// </summary>
public class GpuRunScriptTests
{
    [Fact]
    public async Task The_summary_carries_each_layers_rate_and_the_out_of_sample_prediction_error_of_the_reports()
    {
        var raw = Directory.CreateTempSubdirectory("cnncost-gpu-raw-").FullName;
        var results = Directory.CreateTempSubdirectory("cnncost-gpu-results-").FullName;
        try
        {
            var roofline = Measure(raw, "lenet-b1-roofline.json", []);
            var calibrated = Measure(raw, "lenet-b1-calibrated.json", ["--calibrate-on", "nin"]);
            var python = Environment.GetEnvironmentVariable("PYTHON") ?? "python3";
            var (exit, output, error) = await PackedLibrary.Start(python, ["benchmarks/gpu/summarize.py", raw, results, "nin"], SampleTests.RepositoryRoot());
            Assert.True(exit == 0, error + output);

            var file = Assert.Single(Directory.GetFiles(results));
            Assert.StartsWith("gpu-run-cpu-", Path.GetFileName(file));
            using var summary = JsonDocument.Parse(File.ReadAllText(file));
            var root = summary.RootElement;
            Assert.Equal("cpu", root.GetProperty("engine").GetString());
            Assert.Equal(roofline.GetProperty("device").GetString(), root.GetProperty("device").GetString());
            var peak = roofline.GetProperty("predictor").GetProperty("peakFlopsPerSecond").GetDouble();
            Assert.Equal(peak, root.GetProperty("ceilings").GetProperty("peakFlopsPerSecond").GetDouble());

            var network = Assert.Single(root.GetProperty("networks").EnumerateArray());
            Assert.Equal("lenet", network.GetProperty("model").GetString());
            Assert.Equal(1, network.GetProperty("batch").GetInt32());
            Assert.Equal("nin", network.GetProperty("calibratedOn").GetString());
            var measured = roofline.GetProperty("totals").GetProperty("measuredSeconds").GetDouble();
            Assert.Equal(measured, network.GetProperty("measuredSeconds").GetDouble());
            var layers = network.GetProperty("layers").EnumerateArray().ToArray();
            var reported = roofline.GetProperty("layers").EnumerateArray().ToArray();
            Assert.Equal(reported.Length, layers.Length);
            for (var i = 0; i < layers.Length; i++)
            {
                var flops = reported[i].GetProperty("flops").GetInt64();
                var seconds = reported[i].GetProperty("medianSeconds").GetDouble();
                ByHand.Close(flops / seconds / 1e9, layers[i].GetProperty("cnncostGflops").GetDouble(), "GFLOP/s");
                ByHand.Close(flops / seconds / peak, layers[i].GetProperty("fractionOfPeak").GetDouble(), "fraction of peak");
                // cuDNN is only there with PyTorch on a CUDA device; then the ratio is ours over cuDNN's.
                if (layers[i].TryGetProperty("cudnnGflops", out var cudnn))
                {
                    ByHand.Close(flops / seconds / 1e9 / cudnn.GetDouble(), layers[i].GetProperty("ratio").GetDouble(), "ratio");
                }
            }

            var totals = calibrated.GetProperty("totals");
            var predictionError = totals.GetProperty("predictedSeconds").GetDouble() / totals.GetProperty("measuredSeconds").GetDouble() - 1;
            ByHand.Close(predictionError, network.GetProperty("predictionError").GetDouble(), "prediction error");
            ByHand.Close(Math.Abs(predictionError), root.GetProperty("summary").GetProperty("outOfSamplePredictionWorstError").GetDouble(), "worst error");
            Assert.Equal(JsonValueKind.Null, root.GetProperty("summary").GetProperty("ninBatch32Conv4To9FractionOfPeak").ValueKind);
        }
        finally
        {
            Directory.Delete(raw, recursive: true);
            Directory.Delete(results, recursive: true);
        }
    }

    private static JsonElement Measure(string directory, string name, string[] extra)
    {
        var (exit, output, error) = CliRunner.Run(["measure", "lenet", "--engine", "cpu", "--repeat", "1", "--warmups", "1", .. extra, "--format", "json"]);
        Assert.True(exit == 0, error);
        File.WriteAllText(Path.Combine(directory, name), output);
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
