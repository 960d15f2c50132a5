using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Hardware;
using CnnCost.Import;
using CnnCost.Import.Onnx;
using CnnCost.Reporting;

namespace CnnCost.Benchmarks;

/// <summary>
/// Huge models read from files and analysed as <c>cnncost report</c> and <c>cnncost memory</c> do (issue target: a
/// prototxt of a million layers and an ONNX file of 500k nodes each in at most 10 s, time and memory linear in the
/// layers). The files are generated in the setup: a chain of 1x1 convolutions, each followed by a ReLU, on a small input
/// so every shape stays valid. Run: <c>dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- --filter '*HugeModel*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class HugeModelBenchmarks
{
    /// <summary>Layers in the prototxt (convolutions and ReLUs together; the input besides).</summary>
    public const int PrototxtLayers = 1_000_000;

    /// <summary>Nodes in the ONNX graph (convolutions and ReLUs together).</summary>
    public const int OnnxNodes = 500_000;

    private string _directory = null!;
    private string _prototxt = null!;
    private string _onnx = null!;

    [GlobalSetup(Targets = [nameof(ReportPrototxt), nameof(MemoryPrototxt)])]
    public void SetupPrototxt()
    {
        _prototxt = Path.Combine(CreateDirectory(), "huge.prototxt");
        File.WriteAllText(_prototxt, CaffeWriter.Write(Chain("huge", PrototxtLayers)));

        // Agree before timing: every layer read back.
        var layers = CaffeImporter.Read(_prototxt).Network.Layers.Length;
        if (layers != PrototxtLayers + 1)
        {
            throw new InvalidOperationException($"the prototxt reads back as {layers} layers, not {PrototxtLayers + 1}");
        }
    }

    [GlobalSetup(Targets = [nameof(ReportOnnx), nameof(MemoryOnnx)])]
    public void SetupOnnx()
    {
        _onnx = Path.Combine(CreateDirectory(), "huge.onnx");
        File.WriteAllBytes(_onnx, OnnxWriter.Write(Chain("huge", OnnxNodes)));
        var layers = OnnxImporter.Read(_onnx).Network.Layers.Length;
        if (layers != OnnxNodes + 1)
        {
            throw new InvalidOperationException($"the ONNX file reads back as {layers} layers, not {OnnxNodes + 1}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>A chain of <paramref name="layers"/> layers: 1x1 convolution, ReLU, 1x1 convolution, ReLU, …, on a 4x8x8 input.</summary>
    public static Network Chain(string name, int layers)
    {
        var builder = new NetworkBuilder(name).Input(4, 8, 8);
        for (var i = 0; i < layers / 2; i++)
        {
            builder.Convolution($"conv{i}", filters: 4, kernel: 1).ReLU($"relu{i}");
        }

        return builder.Build();
    }

    [Benchmark]
    public TextTable ReportPrototxt() => ReportViews.PerLayer(CostModel.Analyze(CaffeImporter.Read(_prototxt).Network));

    [Benchmark]
    public MemoryFootprint MemoryPrototxt() => Memory(CaffeImporter.Read(_prototxt).Network);

    [Benchmark]
    public TextTable ReportOnnx() => ReportViews.PerLayer(CostModel.Analyze(OnnxImporter.Read(_onnx).Network));

    [Benchmark]
    public MemoryFootprint MemoryOnnx() => Memory(OnnxImporter.Read(_onnx).Network);

    private static MemoryFootprint Memory(Network network) => MemoryModel.Inference(network, CostModel.Analyze(network));

    private string CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"cnncost-huge-{Environment.ProcessId}");
        Directory.CreateDirectory(_directory);
        return _directory;
    }
}
