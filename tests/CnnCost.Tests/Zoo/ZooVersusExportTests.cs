using System.IO.Compression;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Zoo;

/// <summary>
/// The zoo's torchvision families against torchvision's own ONNX exports of the same models (Import/Torchvision:
/// <c>torch.onnx.export</c> at opset 17, traced by PyTorch, never built from the zoo): every convolution and linear
/// layer must appear in both, with the same output shape, weights and FLOPs. Batch norm is folded into the
/// convolutions' biases in an export, so biases are not compared here (PyTorchOracleTests compares the parameters).
/// </summary>
public class ZooVersusExportTests
{
    public static TheoryData<string> Models => [.. ZooFamilies.TensorModels];

    private static Network Export(string model)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "torchvision", $"{model}.opset17.onnx.gz");
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return OnnxImporter.Parse(bytes.ToArray(), $"{model}.onnx").Network;
    }

    private static string[] LayersWithWeights(CostReport report) =>
    [
        .. report.Layers
            .Where(l => l.Kind is LayerKind.Convolution or LayerKind.FullyConnected or LayerKind.Linear)
            .Select(l => $"{l.Output} {l.Weights} {l.Flops}")
            .Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_convolution_and_linear_layer_matches_torchvisions_export(string model)
    {
        var zoo = CostModel.Analyze(ModelZoo.Create(model));
        var export = CostModel.Analyze(Export(model));
        Assert.Equal(export.Input, zoo.Input);
        Assert.Equal(LayersWithWeights(export), LayersWithWeights(zoo));
    }
}
