using BenchmarkDotNet.Attributes;
using CnnCost.Costs;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using CnnCost.Zoo;
using Google.Protobuf;

namespace CnnCost.Benchmarks;

/// <summary>
/// An ONNX file that carries its weights, as exporters write it: VGG-16 with every initializer's raw data (553 MB).
/// The importer reads the structure and the dims and seeks past the data, so the time and the memory an import takes
/// are those of the graph, not of the weights (issue targets: import ≤ 50 ms and ≤ 32 MB allocated).
/// Run: <c>dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- --filter '*OnnxWithWeights*'</c>.
/// </summary>
[MemoryDiagnoser]
public class OnnxWithWeightsBenchmarks
{
    private string _path = null!;

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"cnncost-vgg16-weights-{Environment.ProcessId}.onnx");
        var model = ModelProto.Parser.ParseFrom(OnnxWriter.Write(ModelZoo.Create("vgg16")));
        foreach (var tensor in model.Graph.Initializer)
        {
            tensor.RawData = ByteString.CopyFrom(new byte[4 * tensor.Dims.Aggregate(1L, (a, d) => a * d)]);
        }

        using (var file = File.Create(_path))
        {
            model.WriteTo(file);
        }

        // Agree before timing: the file is as large as its weights, and reads back as VGG-16.
        var bytes = new FileInfo(_path).Length;
        var parameters = CostModel.Analyze(OnnxImporter.Read(_path).Network).Totals.Parameters;
        if (bytes < 4 * parameters)
        {
            throw new InvalidOperationException($"the file holds {bytes} bytes, less than the 4 x {parameters} of its weights");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark]
    public ImportedModel Import() => OnnxImporter.Read(_path);

    [Benchmark]
    public CostReport ImportAndAnalyze() => CostModel.Analyze(OnnxImporter.Read(_path).Network);
}
