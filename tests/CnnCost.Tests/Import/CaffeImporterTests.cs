using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Import;

public class CaffeImporterTests
{
    private static void SameReport(Network expected, Network actual)
    {
        var a = CostModel.Analyze(expected, new AnalysisOptions { Batch = 2 });
        var b = CostModel.Analyze(actual, new AnalysisOptions { Batch = 2 });
        Assert.Equal(a.Totals, b.Totals);
        Assert.Equal(a.Layers.Select(l => (l.Name, l.Kind, l.Output, l.Weights, l.Biases, l.Flops, l.OutputBytes, l.InPlace)),
            b.Layers.Select(l => (l.Name, l.Kind, l.Output, l.Weights, l.Biases, l.Flops, l.OutputBytes, l.InPlace)));
    }

    public static TheoryData<string> ZooNames => [.. ModelZoo.Names.Except(CnnCost.Tests.Zoo.ZooFamilies.TensorModels)];

    public static TheoryData<string> TensorZooNames => [.. CnnCost.Tests.Zoo.ZooFamilies.TensorModels];

    [Theory]
    [MemberData(nameof(TensorZooNames))]
    public void A_zoo_network_with_tensor_layers_is_refused_by_the_prototxt_writer_naming_a_layer(string name)
    {
        // Until the writer learns the tensor kinds: a clear refusal naming the layer, never a file that reads back wrong.
        var network = ModelZoo.Create(name);
        var error = Assert.Throws<CnnCostException>(() => CaffeWriter.Write(network));
        Assert.Matches("^layer '[^']+': ", error.Message);
        Assert.Contains(network.Layers, l => error.Message.Contains($"'{l.Name}'", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ZooNames))]
    public void Every_zoo_network_round_trips_through_prototxt(string name)
    {
        var network = ModelZoo.Create(name);
        var text = CaffeWriter.Write(network);
        SameReport(network, CaffeImporter.Parse(text, $"{name}.prototxt").Network);
    }

    [Fact]
    public void A_caffe_style_alexnet_with_in_place_layers_and_phases_matches_the_zoo()
    {
        var imported = CaffeImporter.Parse(Prototxt.AlexNetTrainVal, "alexnet.prototxt");
        SameReportIgnoringNames(AlexNet.Create(), imported.Network);
        Assert.Equal(256, imported.FileBatch);   // the TEST data layer's batch, shown, not used
        Assert.Contains(imported.Notes, n => n.Contains("3 channels of 227x227"));
    }

    [Fact]
    public void The_old_layers_syntax_reads_lenet()
    {
        var imported = CaffeImporter.Parse(Prototxt.LeNetV1, "lenet_v1.prototxt");
        Assert.Equal(CostModel.Analyze(LeNet.Create()).Totals.Parameters, CostModel.Analyze(imported.Network).Totals.Parameters);
        Assert.Equal(CostModel.Analyze(LeNet.Create()).Totals.Flops, CostModel.Analyze(imported.Network).Totals.Flops);
        Assert.Equal(64, imported.FileBatch);
    }

    [Fact]
    public void Input_dims_batch_never_multiplies_the_costs()
    {
        // Netscope users got 10x MACs from a deploy file with batch 10.
        var imported = CaffeImporter.Parse(Prototxt.TinyWithInputDim, "tiny.prototxt");
        Assert.Equal(10, imported.FileBatch);
        Assert.Equal(2L * 3 * 8 * 9 * 30 * 30, CostModel.Analyze(imported.Network).Totals.Flops);   // batch 1
        Assert.Contains(imported.Notes, n => n.Contains("batch of 10"));
    }

    [Fact]
    public void Batch_norm_with_scale_eltwise_concat_and_per_axis_windows_are_read()
    {
        var imported = CaffeImporter.Parse(Prototxt.Features, "features.prototxt");
        var report = CostModel.Analyze(imported.Network);
        Assert.Equal(new Shape(8, 16, 15), report["rect"].Output);              // kernel 3x4, pad 1x1: (16+2-3)+1, (16+2-4)+1
        Assert.Equal(16, report["bn"].Weights + report["bn"].Biases);           // gamma and beta of 8 channels; the Scale is folded in
        Assert.DoesNotContain(report.Layers, l => l.Name == "bn_scale");
        Assert.Equal(new Shape(16, 16, 15), report["cat"].Output);
        Assert.Equal(ElementwiseOperation.Max, ((AddLayer)imported.Network["sum"]).Operation);
        Assert.Equal(ActivationFunction.PReLU, ((ActivationLayer)imported.Network["prelu"]).Function);
        Assert.Equal(16, report["prelu"].Weights);                              // one slope per channel
        Assert.Equal(new Shape(16, 8, 7), report["floorpool"].Output);          // round_mode FLOOR: (15-2)/2+1 = 7
    }

    [Theory]
    [InlineData("layer { name: \"x\" type: \"Convolution\" ", "line 1", "never closed")]
    [InlineData("input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\nlayer {\n name: \"c\"\n type: \"Convolution\"\n bottom: \"data\"\n top: \"c\"\n convolution_param { num_output: 1099511627776 kernel_size: 3 }\n}", "line 11", "out of range")]
    [InlineData("input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\nlayer {\n name: \"c\"\n type: \"Deconvolution\"\n bottom: \"data\"\n top: \"c\"\n}", "line 6", "Deconvolution")]
    [InlineData("input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\nlayer {\n name: \"c\"\n type: \"ReLU\"\n bottom: \"nothing\"\n top: \"c\"\n}", "line 6", "'nothing'")]
    [InlineData("input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\nlayer {\n name: \"c\"\n type: \"Convolution\"\n bottom: \"data\"\n top: \"c\"\n convolution_param { num_output: 4 kernel_size: 11 }\n}", "line 6", "larger than the padded input")]
    [InlineData("name: \"x\"\n}\n", "line 2", "unexpected '}'")]
    [InlineData("name: \"empty\"\n", null, "no input")]
    public void Bad_files_name_the_file_and_line(string text, string? location, string reason)
    {
        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Parse(text, "bad.prototxt"));
        Assert.StartsWith("bad.prototxt: ", error.Message);
        Assert.Equal(location, error.Location);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow()
    {
        var text = string.Concat(Enumerable.Repeat("a { ", 100_000));
        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Parse(text, "deep.prototxt"));
        Assert.Contains("nest", error.Message);
    }

    [Fact]
    public void A_syntax_error_late_in_the_file_wins_over_a_bad_layer_before_it()
    {
        // Layers are mapped as they are read; the file's text is still checked to its end before a mapping error is told.
        const string text = "input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n"
            + "layer {\n name: \"c\"\n type: \"Deconvolution\"\n bottom: \"data\"\n top: \"c\"\n}\n"
            + "layer {\n name: \"d\"\n}\n}\n";
        var error = Assert.Throws<ModelFormatException>(() => CaffeImporter.Parse(text, "bad.prototxt"));
        Assert.Equal("line 15", error.Location);
        Assert.Contains("unexpected '}'", error.Message);
    }

    [Fact]
    public void A_net_input_declared_after_its_layers_is_still_the_input()
    {
        const string text = "layer {\n name: \"r\"\n type: \"ReLU\"\n bottom: \"data\"\n top: \"r\"\n}\n"
            + "input: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n";
        var network = CaffeImporter.Parse(text, "late.prototxt").Network;
        Assert.Equal(["data", "r"], network.Layers.Select(l => l.Name));
        Assert.Equal(new Shape(3, 8, 8), network.OutputShapes[1]);
    }

    [Fact]
    public void A_long_chain_with_repeated_names_and_values_reads_every_layer()
    {
        // Short strings are shared through a small cache keyed by their hash: far more distinct names than its slots.
        var builder = new NetworkBuilder("chain").Input(2, 4, 4);
        for (var i = 0; i < 10_000; i++)
        {
            builder.Convolution($"conv{i}", filters: 2 + (i % 3), kernel: 1).ReLU($"relu{i}");
        }

        var network = builder.Build();
        SameReport(network, CaffeImporter.Parse(CaffeWriter.Write(network), "chain.prototxt").Network);
    }

    private static void SameReportIgnoringNames(Network expected, Network actual)
    {
        var a = CostModel.Analyze(expected);
        var b = CostModel.Analyze(actual);
        Assert.Equal(a.Totals, b.Totals);
        Assert.Equal(a.Layers.Select(l => (l.Kind, l.Output, l.Flops)), b.Layers.Select(l => (l.Kind, l.Output, l.Flops)));
    }
}
