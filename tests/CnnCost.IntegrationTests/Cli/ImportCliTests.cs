using CnnCost.Import.Onnx.Schema;
using System.Text.Json;
using CnnCost.Cli;
using CnnCost.Tests.Import;
using Google.Protobuf;
using Xunit;

namespace CnnCost.IntegrationTests.Cli;

public sealed class ImportCliTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("cnncost-import-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_prototxt_path_works_wherever_a_model_name_does()
    {
        var path = Write("alexnet.prototxt", Prototxt.AlexNetTrainVal);
        var (exit, output, _) = Run("report", path, "--format", "json");
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var totals = json.RootElement.GetProperty("totals");
        Assert.Equal(60_965_224, totals.GetProperty("weights").GetInt64() + totals.GetProperty("biases").GetInt64());
        Assert.Equal(0, Run("whatif", path, "--change", "categories=10", "--format", "json").Exit);
        Assert.Contains("batch of 256", Run("report", path, "--format", "markdown").Out);
    }

    [Fact]
    public void An_onnx_path_works_and_skip_unsupported_skips_only_nodes_whose_shape_the_file_states()
    {
        var path = Path.Combine(_directory.FullName, "odd.onnx");
        var model = OnnxModels.Small(extraOp: "Foo");
        File.WriteAllBytes(path, model.ToByteArray());
        var (exit, _, error) = Run("report", path);
        Assert.Equal(2, exit);
        Assert.Equal($"cnncost: {path}: node 'odd': operator Foo is not supported; skipping unsupported operators passes it only where the file states its output's shape", error.TrimEnd());
        var unknown = Run("report", path, "--skip-unsupported");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("does not state the shape of its output 's2'", unknown.Err);

        // With the shape stated (N x 16 x 8 x 8), the node is skipped, a row of its own, and listed in every format.
        var stated = new ValueInfoProto { Name = "s2", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        stated.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in new long[] { 16, 8, 8 })
        {
            stated.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        model.Graph.ValueInfo.Add(stated);
        File.WriteAllBytes(path, model.ToByteArray());
        foreach (var format in new[] { "table", "markdown", "csv" })
        {
            var skipped = Run("report", path, "--skip-unsupported", "--format", format);
            Assert.Equal(0, skipped.Exit);
            Assert.Contains("odd", skipped.Out);
            Assert.Contains("skipped", skipped.Out);
        }

        var json = Run("report", path, "--skip-unsupported", "--format", "json");
        using var document = JsonDocument.Parse(json.Out);
        var entry = Assert.Single(document.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.Equal(("odd", "Foo", "operator Foo is not supported"),
            (entry.GetProperty("node").GetString(), entry.GetProperty("operator").GetString(), entry.GetProperty("reason").GetString()));
        var row = document.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "odd");
        Assert.Equal(("skipped", 0L), (row.GetProperty("kind").GetString(), row.GetProperty("flops").GetInt64()));
    }

    [Fact]
    public void A_bad_prototxt_exits_2_with_one_line_naming_file_and_line()
    {
        var path = Write("bad.prototxt", "input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\nlayer {\n name: \"c\"\n type: \"Convolution\"\n");
        var (exit, output, error) = Run("report", path);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"cnncost: {path}: line 6: a '{{' is never closed", error.TrimEnd());
    }

    [Fact]
    public void A_missing_file_and_an_unknown_extension_are_clear_errors()
    {
        Assert.Contains("cannot be read", Run("report", Path.Combine(_directory.FullName, "absent.prototxt")).Err);
        Assert.Contains("unknown model file type", Run("report", Write("model.caffemodel", "x")).Err);
    }
}
