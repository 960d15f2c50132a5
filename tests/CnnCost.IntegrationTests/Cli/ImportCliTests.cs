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
    public void An_onnx_path_works_and_skip_unsupported_passes_unknown_operators_through()
    {
        var path = Path.Combine(_directory.FullName, "odd.onnx");
        File.WriteAllBytes(path, OnnxModels.Small(extraOp: "Resize").ToByteArray());
        var (exit, _, error) = Run("report", path);
        Assert.Equal(2, exit);
        Assert.Equal($"cnncost: {path}: node 'odd': operator Resize is not supported (skipping unsupported operators passes its first input through)", error.TrimEnd());
        var skipped = Run("report", path, "--skip-unsupported", "--format", "markdown");
        Assert.Equal(0, skipped.Exit);
        Assert.Contains("Resize", skipped.Out);
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
