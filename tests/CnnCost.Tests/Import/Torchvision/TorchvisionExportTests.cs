using System.IO.Compression;
using System.Text.Json;
using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using Xunit;

namespace CnnCost.Tests.Import.Torchvision;

/// <summary>
/// torchvision's classification and segmentation models, exported by <c>torch.onnx.export</c> at opsets 13 and 17
/// (export.py, with Debian's python3-torch), imported without skipping anything: convolution and linear MACs and the
/// parameters the export holds must equal PyTorch's own counts (counts.json, written by export.py from forward
/// hooks and <c>model.parameters()</c>, never by CnnCost).
/// </summary>
public sealed class TorchvisionExportTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "torchvision");

    private static readonly Lazy<JsonElement> Counts = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "counts.json"))).RootElement);

    /// <summary>Every exported file, with its model name and opset.</summary>
    public static TheoryData<string, int> Exports()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in Counts.Value.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal))
        {
            data.Add(model, 13);
            data.Add(model, 17);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Exports))]
    public void ConvolutionAndLinearMacsAndParametersEqualPyTorchs(string model, int opset)
    {
        var expected = Counts.Value.GetProperty(model);
        var report = CostModel.Analyze(Import(model, opset).Network);

        // MACs of the layers with weights that multiply: convolutions, transposed convolutions, fully-connected and
        // per-position linear layers (2 FLOPs each in the report).
        var macs = report.Layers
            .Where(l => l.Kind is LayerKind.Convolution or LayerKind.Deconvolution or LayerKind.FullyConnected or LayerKind.Linear)
            .Sum(l => l.Flops) / 2;
        Assert.Equal(expected.GetProperty("convLinearMacs").GetInt64(), macs);
        Assert.Equal(expected.GetProperty($"exportParametersOpset{opset}").GetInt64() + FoldedTables(model), report.Totals.Parameters);
    }

    /// <summary>
    /// Values an export holds beyond the model's parameters: each relative position bias table, <c>(2w − 1)²</c> rows per
    /// head for a w x w window, is gathered by the exporter's constant folding into one bias per pair of the window's
    /// <c>w²</c> positions, <c>w⁴</c> per head. With w = 7: 2401 − 169 = 2232 more per head, summed over every
    /// attention's heads (depth x heads per stage). MaxViT-T: two attentions per block, blocks 2, 2, 5, 2, heads
    /// 64/32 … 512/32. Swin-T: blocks 2, 2, 6, 2 with 3, 6, 12, 24 heads; Swin-S: 2, 2, 18, 2 with the same heads;
    /// Swin-B: 2, 2, 18, 2 with 4, 8, 16, 32.
    /// </summary>
    private static long FoldedTables(string model) => (2401 - 169) * model switch
    {
        "maxvit_t" => 2 * (2 * 2 + 2 * 4 + 5 * 8 + 2 * 16),
        "swin_t" => 2 * 3 + 2 * 6 + 6 * 12 + 2 * 24,
        "swin_s" => 2 * 3 + 2 * 6 + 18 * 12 + 2 * 24,
        "swin_b" => 2 * 4 + 2 * 8 + 18 * 16 + 2 * 32,
        _ => 0,
    };

    [Fact]
    public void Fewer_categories_on_an_imported_efficientnet_is_local_to_its_classifier()
    {
        // The classifier is a Gemm of 1280 inputs: 1000 categories hold 1280·1000 + 1000 parameters, 10 hold 1280·10 + 10.
        var network = Import("efficientnet_b0", 17).Network;
        var change = ChangeAnalysis.Analyze(network, [new SetCategories(10)]);
        Assert.Equal(ChangeScope.Local, change.Scope);
        Assert.Equal((1280L * 1000 + 1000) - (1280L * 10 + 10), change.Baseline.Totals.Parameters - change.Modified.Totals.Parameters);
        var classifier = SetCategories.ClassifierOf(network);
        Assert.Equal(LayerKind.FullyConnected, network[classifier].Kind);
        Assert.Contains(classifier, change.ChangedLayers);
    }

    [Fact]
    public void A_doubled_resolution_on_an_imported_resnet_quadruples_every_convolution_and_keeps_the_classifier()
    {
        // 224 -> 448: every feature map doubles in height and width (448/32 = 14 is whole), the pooled 2048 values do not.
        var network = Import("resnet50", 13).Network;
        var change = ChangeAnalysis.Analyze(network, [new SetInputSize(448)]);
        Assert.Equal(ChangeScope.Global, change.Scope);
        Assert.All(change.Baseline.Layers.Where(l => l.Kind == LayerKind.Convolution),
            l => Assert.Equal(4 * l.Flops, change.Modified[l.Name].Flops));
        var fc = change.Baseline.Layers.Single(l => l.Kind == LayerKind.FullyConnected);
        Assert.Equal((fc.Flops, fc.Parameters), (change.Modified[fc.Name].Flops, change.Modified[fc.Name].Parameters));
    }

    [Fact]
    public void Another_resolution_for_an_imported_vit_names_the_reshape_that_fixes_the_token_count()
    {
        // The export writes 197 tokens of 768 as constants: at 256x256 the patches no longer fit them.
        var network = Import("vit_b_16", 17).Network;
        var error = Assert.Throws<NetworkDefinitionException>(() => ChangeAnalysis.Analyze(network, [new SetInputSize(256)]));
        Assert.Contains(network.Layers, l => l.Name == error.LayerName && l.Kind == LayerKind.Reshape);
    }

    private static ImportedModel Import(string model, int opset)
    {
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Folder, $"{model}.opset{opset}.onnx.gz")), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return OnnxImporter.Parse(bytes.ToArray(), $"{model}.onnx");
    }
}
