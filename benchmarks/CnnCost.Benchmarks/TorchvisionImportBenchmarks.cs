using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using CnnCost.Costs;
using CnnCost.Import;

namespace CnnCost.Benchmarks;

/// <summary>
/// The largest torchvision models, exported by <c>torch.onnx.export</c> (tests/CnnCost.Tests/Import/Torchvision,
/// tensor data stripped, dims kept), imported and analysed in process (issue target: ≤ 20 ms).
/// Run: <c>dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- --filter '*TorchvisionImport*'</c>.
/// </summary>
[MemoryDiagnoser]
public class TorchvisionImportBenchmarks
{
    private byte[] _bytes = [];

    /// <summary>The model's file name in the tests' folder, without <c>.onnx.gz</c>.</summary>
    [Params("regnet_y_128gf.opset17", "vit_h_14.opset17", "convnext_base.opset17", "maxvit_t.opset17", "swin_t.opset13")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var folder = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(folder, "tests", "CnnCost.Tests", "Import", "Torchvision", "models")))
        {
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("run from inside the repository: the exports live in its tests folder");
        }

        using var gzip = new GZipStream(File.OpenRead(Path.Combine(folder, "tests", "CnnCost.Tests", "Import", "Torchvision", "models", $"{Model}.onnx.gz")), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        _bytes = bytes.ToArray();
    }

    [Benchmark]
    public CostReport ImportAndAnalyze() => CostModel.Analyze(OnnxImporter.Parse(_bytes, $"{Model}.onnx").Network);
}
