using System.Text.Json;
using CnnCost.Cli;
using Xunit;

namespace CnnCost.IntegrationTests.Cli;

public class DistributedCliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Scale_json_follows_the_contract()
    {
        var (exit, output, error) = Run("scale", "nin", "--workers", "1..128", "--bandwidth", "56Gbit/s", "--worker-throughput", "3.52TFLOP/s",
            "--scheme", "tree", "--bias", "exclude", "--format", "json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("tree", root.GetProperty("scheme").GetString());
        Assert.Equal(2, root.GetProperty("branching").GetInt32());
        Assert.Equal(7e9, root.GetProperty("bandwidthBytesPerSecond").GetDouble());
        Assert.Equal(30_359_680, root.GetProperty("parameterBytes").GetInt64());   // contracts.md's NiN example, weights only
        var rows = root.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(new[] { 1, 2, 4, 8, 16, 32, 64, 128 }, rows.Select(r => r.GetProperty("workers").GetInt32()).ToArray());
        var flopsPerStep = root.GetProperty("flopsPerStep").GetDouble();
        Assert.Equal(flopsPerStep / (32 * 3.52e12), rows[5].GetProperty("computeSeconds").GetDouble(), 12);
        Assert.Equal(30_359_680.0 * 2 * 5 / 7e9, rows[5].GetProperty("communicationSeconds").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("breakEvenWorkers").ValueKind);
    }

    [Theory]
    [InlineData("roofline", "vgg16", "--device", "P100", "--format", "markdown")]
    [InlineData("memory", "resnet18", "--batch", "8", "--optimizer", "adam", "--format", "markdown")]
    [InlineData("speed", "vgg19", "--device", "TitanX", "--efficiency", "5%", "--format", "markdown")]
    [InlineData("tables", "chapter2", "--format", "markdown")]
    [InlineData("tables", "chapter3", "--format", "markdown")]
    [InlineData("scale", "alexnet", "--workers", "1,8", "--bandwidth", "10Gbps", "--worker-throughput", "1T", "--parallelism", "hybrid", "--scaling", "weak")]
    public void Hardware_and_distributed_commands_run(params string[] args)
    {
        var (exit, output, error) = Run(args);
        Assert.True(exit == 0, error);
        Assert.NotEmpty(output);
    }

    [Theory]
    [InlineData("scale", "nin", "--bandwidth", "7GB/s", "--worker-throughput", "1T")]
    [InlineData("scale", "nin", "--workers", "0,2", "--bandwidth", "7GB/s", "--worker-throughput", "1T")]
    [InlineData("scale", "nin", "--workers", "1,2", "--bandwidth", "fast", "--worker-throughput", "1T")]
    [InlineData("scale", "nin", "--workers", "1,2", "--bandwidth", "7GB/s", "--worker-throughput", "1T", "--parallelism", "hybrid")]
    [InlineData("roofline", "nin", "--device", "abacus")]
    [InlineData("roofline", "nin")]
    [InlineData("speed", "nin", "--efficiency", "1.5")]
    [InlineData("memory", "nin", "--optimizer", "lbfgs")]
    public void Bad_arguments_exit_2_with_one_line(params string[] args)
    {
        var (exit, _, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
    }
}

public class CompressCliTests
{
    [Fact]
    public void Compress_prints_the_breakdown_and_rejects_bad_settings()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, CliApp.Run(["compress", "squeezenet1_0", "--density", "33%", "--bits", "8", "--units", "MiB", "--format", "csv"], stdout, new StringWriter()));
        Assert.Contains("conv10,512,000", stdout.ToString().Replace("\"", ""));
        var stderr = new StringWriter();
        Assert.Equal(2, CliApp.Run(["compress", "nin", "--density", "2", "--bits", "8"], new StringWriter(), stderr));
        Assert.Contains("density", stderr.ToString());
        Assert.Equal(0, CliApp.Run(["tables", "chapter5", "--format", "markdown"], new StringWriter(), new StringWriter()));
    }
}

public class SpaceCliTests
{
    [Fact]
    public void Space_vgg_json_follows_the_contract()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, CliApp.Run(["space", "vgg", "--format", "json"], stdout, new StringWriter()));
        using var json = JsonDocument.Parse(stdout.ToString());
        var root = json.RootElement;
        Assert.Equal("vgg", root.GetProperty("space").GetString());
        Assert.Equal(16, root.GetProperty("slots").GetInt32());
        Assert.Equal(5, root.GetProperty("choicesPerSlot").GetInt32());
        Assert.Equal(152_587_890_625, root.GetProperty("total").GetInt64());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("maxParams").ValueKind);
        Assert.Equal(152_587_890_625, root.GetProperty("withinBudget").GetInt64());
    }

    [Fact]
    public void A_budget_with_a_suffix_counts_the_same_as_the_library()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, CliApp.Run(["space", "vgg", "--max-params", "100M", "--format", "json"], stdout, new StringWriter()));
        using var json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(100_000_000, json.RootElement.GetProperty("maxParams").GetInt64());
        Assert.Equal(CnnCost.DesignSpace.VggSpaceCounter.CountWithin(CnnCost.DesignSpace.VggSpace.Dissertation, 100_000_000, null),
            json.RootElement.GetProperty("withinBudget").GetInt64());
        Assert.Equal(2, CliApp.Run(["space", "vgg", "--max-flops", "lots"], new StringWriter(), new StringWriter()));
        Assert.Equal(2, CliApp.Run(["space", "resnet"], new StringWriter(), new StringWriter()));
    }
}

public class SvgCliTests
{
    [Theory]
    [InlineData("report", "nin", "--metric", "params")]
    [InlineData("whatif", "nin", "--change", "remove:pool3")]
    [InlineData("roofline", "alexnet", "--device", "K40")]
    [InlineData("scale", "nin", "--workers", "1..32", "--bandwidth", "7GB/s", "--worker-throughput", "3.5T", "--scheme", "ps,ring")]
    [InlineData("squeezenet", "--sweep", "sr")]
    public void Charts_are_well_formed_svg(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.True(CliApp.Run([.. args, "--format", "svg"], stdout, stderr) == 0, stderr.ToString());
        var document = System.Xml.Linq.XDocument.Parse(stdout.ToString());
        Assert.Equal("svg", document.Root!.Name.LocalName);
    }

    [Theory]
    [InlineData("memory", "nin")]
    [InlineData("tables", "nin")]
    public void Table_only_commands_refuse_svg_with_one_line(params string[] args)
    {
        var stderr = new StringWriter();
        Assert.Equal(2, CliApp.Run([.. args, "--format", "svg"], new StringWriter(), stderr));
        Assert.Contains("--format svg", stderr.ToString());
    }
}

public class ThisMachineCliTests
{
    [Fact]
    public void This_machine_is_a_device_measured_on_the_spot()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, CliApp.Run(["speed", "lenet", "--device", "this", "--format", "markdown"], stdout, new StringWriter()));
        Assert.Contains("this machine", stdout.ToString());
    }
}
