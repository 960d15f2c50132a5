using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;
using Xunit;

namespace CnnCost.Tests.Import;

public class OnnxImporterTests
{
    /// <summary>
    /// The same costs, layer by layer. ONNX's Gemm reads a flattened vector, so an imported network has a flatten (a
    /// reshape: a view, no memory) before each fully-connected layer, whose output is a vector of the same values as the
    /// builder's <c>n x 1 x 1</c>; a skipped node costs nothing.
    /// </summary>
    internal static void SameReport(Network expected, Network actual)
    {
        var a = CostModel.Analyze(expected, new AnalysisOptions { Batch = 3 });
        var b = CostModel.Analyze(actual, new AnalysisOptions { Batch = 3 });
        // A skipped node's output is a buffer of its own.
        var skippedBytes = b.Layers.Where(l => l.Kind == LayerKind.Skipped).Sum(l => l.OutputBytes);
        Assert.Equal(a.Totals, b.Totals with { OutputBytes = b.Totals.OutputBytes - skippedBytes, ActivationBytes = b.Totals.ActivationBytes - skippedBytes });
        Assert.Equal(a.Layers.Where(l => l.Kind != LayerKind.Dropout).Select(l => (l.Name, l.Kind, l.Output.Elements, l.Weights, l.Biases, l.Flops)),
            b.Layers.Where(l => l.Kind is not (LayerKind.Reshape or LayerKind.Skipped)).Select(l => (l.Name, l.Kind, l.Output.Elements, l.Weights, l.Biases, l.Flops)));
        Assert.All(b.Layers.Where(l => l.Kind is LayerKind.Reshape or LayerKind.Skipped), l => Assert.Equal((0L, 0L, true), (l.Parameters, l.Flops, l.Kind == LayerKind.Skipped || l.InPlace)));
    }

    [Fact]
    public void A_small_model_reads_as_the_same_network_the_builder_describes()
    {
        var imported = OnnxImporter.Parse(OnnxModels.Small().ToByteArray(), "small.onnx");
        SameReport(OnnxModels.SmallExpected(), imported.Network);
        Assert.Null(imported.FileBatch);                                     // symbolic batch
        Assert.Equal(new Shape(16, 8, 8), imported.Network.OutputShapes[imported.Network.IndexOf("pool")]); // ceil((16-3)/2)+1
    }

    [Fact]
    public void Stripped_initializer_data_external_data_and_identity_shared_initializers_read_the_same()
    {
        var expected = OnnxModels.SmallExpected();
        SameReport(expected, OnnxImporter.Parse(OnnxModels.Small(withData: false).ToByteArray(), "stripped.onnx").Network);
        SameReport(expected, OnnxImporter.Parse(OnnxModels.Small(withData: false, externalData: true).ToByteArray(), "external.onnx").Network);
        SameReport(expected, OnnxImporter.Parse(OnnxModels.Small(identityShared: true).ToByteArray(), "shared.onnx").Network);
    }

    [Fact]
    public void An_unsupported_op_names_the_op_and_node_unless_skipped()
    {
        var model = OnnxModels.Small(extraOp: "Foo");
        var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(model.ToByteArray(), "odd.onnx"));
        Assert.Equal("node 'odd'", error.Location);
        Assert.Contains("Foo", error.Message);

        // Skipping needs the output's shape from the file: without it, still an error naming the node.
        var unknown = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(model.ToByteArray(), "odd.onnx", new OnnxImportOptions(SkipUnsupported: true)));
        Assert.Equal(("node 'odd'", "operator Foo is not supported, and the file does not state the shape of its output 's2', so it cannot be skipped without guessing"), (unknown.Location, unknown.Reason));

        var stated = new ValueInfoProto { Name = "s2", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        stated.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        stated.Type.TensorType.Shape.Dim.AddRange(new long[] { 16, 8, 8 }.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        model.Graph.ValueInfo.Add(stated);
        var skipped = OnnxImporter.Parse(model.ToByteArray(), "odd.onnx", new OnnxImportOptions(SkipUnsupported: true));
        Assert.Contains(skipped.Notes, n => n.Contains("Foo"));
        Assert.Equal(new SkippedNode("odd", "Foo", "operator Foo is not supported"), Assert.Single(skipped.Skipped));
        Assert.Equal(new Shape(16, 8, 8), skipped.Network.OutputShapes[skipped.Network.IndexOf("odd")]);
        SameReport(OnnxModels.SmallExpected(), skipped.Network);
    }

    [Fact]
    public void Garbage_and_truncated_bytes_are_format_errors_naming_the_file()
    {
        var bytes = OnnxModels.Small().ToByteArray();
        Assert.StartsWith("cut.onnx: ", Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(bytes[..(bytes.Length / 2)], "cut.onnx")).Message);
        Assert.StartsWith("junk.onnx: ", Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse([0xff, 0xff, 0xff, 0xff, 0x0f], "junk.onnx")).Message);
        Assert.Contains("no graph", Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse([], "empty.onnx")).Message);
    }

    [Fact]
    public void A_hostile_filter_count_is_an_error_not_an_allocation()
    {
        var model = OnnxModels.Small();
        model.Graph.Initializer.Single(t => t.Name == "w1").Dims[0] = 1L << 40;
        var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(model.ToByteArray(), "huge.onnx"));
        Assert.Equal("node 'conv1'", error.Location);
        Assert.Contains("out of range", error.Message);
    }

    [Fact]
    public void Matmul_plus_constant_add_is_a_biased_fully_connected_layer()
    {
        var model = OnnxModels.Small();
        var nodes = model.Graph.Node;
        var gemm = nodes.Single(n => n.Name == "fc");
        var index = nodes.IndexOf(gemm);
        nodes.RemoveAt(index);
        model.Graph.Initializer.Single(t => t.Name == "wfc").Dims.Clear();
        model.Graph.Initializer.Single(t => t.Name == "wfc").Dims.AddRange([16, 10]);
        nodes.Insert(index, OnnxModels.Node("MatMul", "fc", ["f", "wfc"], ["mm"]));
        nodes.Insert(index + 1, OnnxModels.Node("Add", "fc_bias", ["mm", "bfc"], ["y"]));
        SameReport(OnnxModels.SmallExpected(), OnnxImporter.Parse(model.ToByteArray(), "matmul.onnx").Network);
    }
}

public class OnnxWriterTests
{
    public static TheoryData<string> ZooNames => [.. CnnCost.Zoo.ModelZoo.Names.Except(CnnCost.Tests.Zoo.ZooFamilies.TensorModels)];

    public static TheoryData<string> TensorZooNames => [.. CnnCost.Tests.Zoo.ZooFamilies.TensorModels];

    [Theory]
    [MemberData(nameof(TensorZooNames))]
    public void A_zoo_network_with_tensor_layers_is_refused_by_the_onnx_writer_naming_a_layer(string name)
    {
        // Until the writer learns the tensor kinds: a clear refusal naming the layer, never a file that reads back wrong.
        var network = CnnCost.Zoo.ModelZoo.Create(name);
        var error = Assert.Throws<CnnCostException>(() => OnnxWriter.Write(network));
        Assert.Matches("^layer '[^']+': ", error.Message);
        Assert.Contains(network.Layers, l => error.Message.Contains($"'{l.Name}'", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ZooNames))]
    public void Every_zoo_network_round_trips_through_onnx(string name)
    {
        var network = CnnCost.Zoo.ModelZoo.Create(name);
        var imported = OnnxImporter.Parse(OnnxWriter.Write(network), $"{name}.onnx").Network;
        var a = CostModel.Analyze(network, new AnalysisOptions { Batch = 2 });
        var b = CostModel.Analyze(imported, new AnalysisOptions { Batch = 2 });
        Assert.Equal(a.Totals, b.Totals);
        // ONNX inference graphs carry no dropout; every other layer comes back with the same costs.
        OnnxImporterTests.SameReport(network, imported);
    }

    [Fact]
    public void A_convolution_that_rounds_up_cannot_be_written()
    {
        var network = CnnCost.Zoo.NetworkInNetwork.Create().WithConventions(Conventions.Dissertation);
        Assert.Contains("conv1", Assert.Throws<CnnCostException>(() => OnnxWriter.Write(network)).Message);
    }
}
