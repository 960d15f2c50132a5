using System.Text.Json;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Zoo;

/// <summary>
/// The DAG members of the zoo against PyTorch's own counts: Zoo/Oracles/pytorch_counts.py builds each network in
/// PyTorch (torchvision layouts; Caffe's BVLC GoogLeNet as a small nn.Module), counts multiply-adds with hooks on
/// the tensors of one 1x3xHxW forward pass, sums the parameters, and writes pytorch_counts.json, which is
/// embedded here. CnnCost's numbers must equal PyTorch's exactly; nothing in the JSON comes from CnnCost.
/// </summary>
public class PyTorchOracleTests
{
    private static readonly JsonElement Counts = Load();

    private static JsonElement Load()
    {
        using var stream = typeof(PyTorchOracleTests).Assembly.GetManifestResourceStream("pytorch_counts.json")
            ?? throw new InvalidOperationException("pytorch_counts.json is not embedded");
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    private static JsonElement Oracle(string name) => Counts.GetProperty("models").GetProperty(name);

    private static long Count(string name, string field) => Oracle(name).GetProperty(field).GetInt64();

    // Networks of the dissertation's layer kinds, which the Caffe and ONNX writers can also write.
    private static readonly string[] WritableModels = ["googlenet", "mobilenet_v2", "resnet18", "resnet50", "squeezenet1_0", "squeezenet1_1"];

    private static readonly string[] DagModels = [.. WritableModels.Concat(ZooFamilies.TensorModels).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Models => [.. DagModels];

    public static TheoryData<string> Writable => [.. WritableModels];

    private static IEnumerable<LayerCost> Rows(CostReport report, LayerKind kind) => report.Layers.Where(l => l.Kind == kind);

    [Fact]
    public void The_oracle_file_says_which_pytorch_produced_it_and_covers_every_dag_model()
    {
        Assert.StartsWith("1.13", Counts.GetProperty("torch").GetString());
        Assert.StartsWith("0.14", Counts.GetProperty("torchvision").GetString());
        Assert.Equal(1, Counts.GetProperty("batch").GetInt32());
        Assert.Equal(DagModels, Counts.GetProperty("models").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Convolution_and_fully_connected_flops_are_twice_pytorchs_multiply_adds(string name)
    {
        var report = CostModel.Analyze(ModelZoo.Create(name));
        Assert.Equal(Oracle(name).GetProperty("input").EnumerateArray().Select(d => d.GetInt32()), [report.Input.Channels, report.Input.Height, report.Input.Width]);
        Assert.Equal(2 * Count(name, "conv_macs"), Rows(report, LayerKind.Convolution).Sum(l => l.Flops));
        // PyTorch's Linear modules: fully-connected layers on vectors and per-position linear layers on channels-last maps.
        Assert.Equal(2 * Count(name, "linear_macs"), Rows(report, LayerKind.FullyConnected).Concat(Rows(report, LayerKind.Linear)).Sum(l => l.Flops));
        Assert.Equal(2 * Count(name, "macs"), report.Layers.Where(l => l.Kind is LayerKind.Convolution or LayerKind.FullyConnected or LayerKind.Linear).Sum(l => l.Flops));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Parameter_counts_equal_pytorchs_weights_biases_and_batch_norm_parameters(string name)
    {
        var report = CostModel.Analyze(ModelZoo.Create(name));
        Assert.Equal(Count(name, "parameters"), report.Totals.Parameters);
        // PyTorch's *.bias tensors (batch norm's and layer norm's beta among them) and all the others (gammas, layer scales).
        Assert.Equal(Count(name, "weights"), report.Totals.Weights);
        Assert.Equal(Count(name, "biases"), report.Totals.Biases);
        var learned = report.Layers.Where(l => l.Kind is LayerKind.Convolution or LayerKind.FullyConnected or LayerKind.Linear).ToArray();
        Assert.Equal(Count(name, "conv_linear_weights"), learned.Sum(l => l.Weights));
        Assert.Equal(Count(name, "conv_linear_biases"), learned.Sum(l => l.Biases));
        Assert.Equal(Count(name, "batchnorm_gamma"), Rows(report, LayerKind.BatchNorm).Sum(l => l.Weights));
        Assert.Equal(Count(name, "batchnorm_beta"), Rows(report, LayerKind.BatchNorm).Sum(l => l.Biases));
        Assert.Equal(Count(name, "layernorm_gamma"), Rows(report, LayerKind.Normalization).Sum(l => l.Weights));
        Assert.Equal(Count(name, "layernorm_beta"), Rows(report, LayerKind.Normalization).Sum(l => l.Biases));
        // Parameters of no convolution, linear or normalization module: learned constant operands (layer scales).
        Assert.Equal(Count(name, "other_parameters"), Rows(report, LayerKind.Elementwise).Concat(Rows(report, LayerKind.Constant)).Sum(l => l.Parameters));
        Assert.Equal(Count(name, "conv_layers"), Rows(report, LayerKind.Convolution).Count());
        Assert.Equal(Count(name, "linear_layers"), Rows(report, LayerKind.FullyConnected).Count() + Rows(report, LayerKind.Linear).Count());
    }

    [Fact]
    public void Mobilenet_v2s_depthwise_convolutions_cost_what_pytorch_counts_for_them()
    {
        var network = ModelZoo.Create("mobilenet_v2");
        var report = CostModel.Analyze(network);
        var depthwise = report.Layers.Where(l => network[l.Name] is ConvolutionLayer { Groups: > 1 } c && c.Groups == l.InputShapes[0].Channels).ToArray();
        Assert.Equal(17, depthwise.Length);
        // 20,716,416 multiply-adds in PyTorch's depthwise layers: one 3x3 filter per channel, every channel counted.
        Assert.Equal(2 * Count("mobilenet_v2", "depthwise_conv_macs"), depthwise.Sum(l => l.Flops));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Depthwise_convolutions_cost_what_pytorch_counts_for_them(string name)
    {
        // PyTorch's depthwise test: groups > 1 and equal to the input channels.
        var network = ModelZoo.Create(name);
        var report = CostModel.Analyze(network);
        var depthwise = report.Layers.Where(l => network[l.Name] is ConvolutionLayer { Groups: > 1 } c && c.Groups == l.InputShapes[0].Channels);
        Assert.Equal(2 * Count(name, "depthwise_conv_macs"), depthwise.Sum(l => l.Flops));
    }

    [Theory]
    [MemberData(nameof(Writable))]
    public void Zoo_networks_written_to_prototxt_and_onnx_and_read_back_still_match_pytorch(string name)
    {
        // The round trips compare the readers with PyTorch, not only with the network the writer was given.
        var network = ModelZoo.Create(name);
        foreach (var imported in new[]
        {
            CaffeImporter.Parse(CaffeWriter.Write(network), $"{name}.prototxt").Network,
            OnnxImporter.Parse(OnnxWriter.Write(network), $"{name}.onnx").Network,
        })
        {
            var report = CostModel.Analyze(imported);
            Assert.Equal(2 * Count(name, "macs"), report.Layers.Where(l => l.Kind is LayerKind.Convolution or LayerKind.FullyConnected).Sum(l => l.Flops));
            Assert.Equal(Count(name, "weights"), report.Totals.Weights);
            Assert.Equal(Count(name, "biases"), report.Totals.Biases);
        }
    }
}
