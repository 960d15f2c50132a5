using System.Text.Json;
using CnnCost.Cli;
using Xunit;

namespace CnnCost.IntegrationTests.Cli;

public class CliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Report_json_follows_the_contract()
    {
        var (exit, output, error) = Run("report", "nin", "--batch", "1024", "--format", "json");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var conv1 = json.RootElement.GetProperty("layers")[1];
        Assert.Equal("conv1", conv1.GetProperty("name").GetString());
        Assert.Equal(2L * 3 * 96 * 11 * 11 * 55 * 55 * 1024, conv1.GetProperty("flops").GetInt64()); // Eq. 4.3
        Assert.Equal(139_776, conv1.GetProperty("parameterBytes").GetInt64());
    }

    [Fact]
    public void Report_options_change_the_numbers()
    {
        using var fp16 = JsonDocument.Parse(Run("report", "lenet", "--precision", "fp16", "--bias", "exclude", "--format", "json").Out);
        Assert.Equal(2, fp16.RootElement.GetProperty("bytesPerValue").GetDouble());
        Assert.Equal(2 * (500 + 25_000 + 400_000 + 5_000), fp16.RootElement.GetProperty("totals").GetProperty("parameterBytes").GetInt64());

        using var training = JsonDocument.Parse(Run("report", "nin", "--phase", "training", "--input", "3x454x454", "--rounding", "eq4.2", "--format", "json").Out);
        Assert.Equal("training", training.RootElement.GetProperty("phase").GetString());
        Assert.Equal(112, training.RootElement.GetProperty("layers")[1].GetProperty("outHeight").GetInt32());
    }

    [Theory]
    [InlineData("markdown", "| conv1 |")]
    [InlineData("csv", "conv1,convolution,96x55x55")]
    [InlineData("table", "conv1")]
    public void Report_writes_every_format(string format, string expected)
    {
        var (exit, output, _) = Run("report", "nin", "--format", format);
        Assert.Equal(0, exit);
        Assert.Contains(expected, output);
    }

    [Fact]
    public void Tables_nin_prints_table_42_with_its_errata()
    {
        var (exit, output, _) = Run("tables", "nin", "--format", "markdown");
        Assert.Equal(0, exit);
        Assert.Contains("Table 4.2", output);
        Assert.Contains("147 MB [", output);
        Assert.Contains("printed 151MB, computed 147 MB", output);
        Assert.Contains("2.27 TF", output);
    }

    [Theory]
    [InlineData("report", "nosuchnet")]
    [InlineData("report", "nin", "--batch", "0")]
    [InlineData("report", "nin", "--batch", "many")]
    [InlineData("report", "nin", "--precision", "fp7")]
    [InlineData("report", "nin", "--format", "xml")]
    [InlineData("report", "nin", "--frobnicate", "1")]
    [InlineData("report", "nin", "--batch")]
    [InlineData("report", "nin", "--input", "3x10x10")]
    [InlineData("report")]
    [InlineData("tables", "vgg")]
    [InlineData("fly")]
    public void Bad_arguments_exit_2_with_one_line_and_no_stack_trace(params string[] args)
    {
        var (exit, output, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("cnncost: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void A_too_small_input_names_the_layer()
    {
        var (_, _, error) = Run("report", "nin", "--input", "3x10x10");
        Assert.Contains("layer 'conv", error);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (exit, output, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("report MODEL", output);
        Assert.Contains("tables nin", output);
    }
}

public class WhatIfCliTests
{
    [Fact]
    public void Whatif_json_follows_the_contract()
    {
        var stdout = new StringWriter();
        var exit = CliApp.Run(["whatif", "nin", "--batch", "1024", "--change", "filters:conv8=1536", "--format", "json"], stdout, new StringWriter());
        Assert.Equal(0, exit);
        using var json = System.Text.Json.JsonDocument.Parse(stdout.ToString());
        var root = json.RootElement;
        Assert.Equal("local", root.GetProperty("scope").GetString());
        Assert.Equal(new[] { "conv8", "relu8", "conv9" }, root.GetProperty("changedLayers").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.Equal(1.117, root.GetProperty("ratios").GetProperty("parameters").GetDouble(), 3);
        Assert.Equal(1.135, root.GetProperty("ratios").GetProperty("flops").GetDouble(), 3);
        var conv8 = root.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "conv8");
        Assert.Equal(4.0, conv8.GetProperty("outputRatio").GetDouble());
        Assert.Equal(1536, root.GetProperty("modified").GetProperty("layers").EnumerateArray()
            .Single(l => l.GetProperty("name").GetString() == "conv8").GetProperty("outChannels").GetInt32());
    }

    [Fact]
    public void Whatif_marks_removed_layers_and_global_scope()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, CliApp.Run(["whatif", "nin", "--change", "remove:pool3", "--format", "json"], stdout, new StringWriter()));
        using var json = System.Text.Json.JsonDocument.Parse(stdout.ToString());
        Assert.Equal("global", json.RootElement.GetProperty("scope").GetString());
        var pool3 = json.RootElement.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "pool3");
        Assert.True(pool3.GetProperty("removed").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, pool3.GetProperty("flopRatio").ValueKind);
    }

    [Theory]
    [InlineData("whatif", "nin")]
    [InlineData("whatif", "nin", "--change", "filters:conv99=3")]
    [InlineData("whatif", "nin", "--change", "explode")]
    public void Bad_changes_exit_2_with_one_line(params string[] args)
    {
        var stderr = new StringWriter();
        Assert.Equal(2, CliApp.Run(args, new StringWriter(), stderr));
        Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
    }
}

public class SqueezeNetCliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Default_metaparameters_report_squeezenet_1_0()
    {
        var (exit, output, _) = Run("squeezenet", "--format", "json");
        Assert.Equal(0, exit);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        var totals = json.RootElement.GetProperty("totals");
        Assert.Equal(1_248_424, totals.GetProperty("weights").GetInt64() + totals.GetProperty("biases").GetInt64());
    }

    [Fact]
    public void Metaparameters_and_bypass_shape_the_network()
    {
        var (exit, output, _) = Run("squeezenet", "--sr", "0.75", "--pct3x3", "50%", "--bypass", "simple", "--format", "csv");
        Assert.Equal(0, exit);
        Assert.Contains("fire2/squeeze1x1,convolution,96x55x55", output); // SR 0.75 of 128 expand filters
        Assert.Contains("fire3/bypass,add", output);
    }

    [Theory]
    [InlineData("sr", "Figure 5.3")]
    [InlineData("pct3x3", "Figure 5.4")]
    [InlineData("bypass", "Table 5.3")]
    public void Sweeps_print_the_figures(string sweep, string title)
    {
        var (exit, output, _) = Run("squeezenet", "--sweep", sweep, "--format", "markdown");
        Assert.Equal(0, exit);
        Assert.Contains(title, output);
    }

    [Theory]
    [InlineData("squeezenet", "--sr", "2")]
    [InlineData("squeezenet", "--pct3x3", "abc")]
    [InlineData("squeezenet", "--bypass", "sideways")]
    [InlineData("squeezenet", "--sweep", "depth")]
    [InlineData("squeezenet", "extra")]
    public void Bad_metaparameters_exit_2_with_one_line(params string[] args)
    {
        var (exit, _, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
    }
}
