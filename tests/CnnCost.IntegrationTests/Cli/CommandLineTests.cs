using CnnCost.Cli;
using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>What the command line offers besides the commands: help everywhere, suggestions, response files, completion.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cnncost-cmdline-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The commands README documents, written out here rather than read from the command table.</summary>
    public static TheoryData<string> Commands() =>
        ["report", "whatif", "squeezenet", "space", "compress", "scale", "roofline", "memory", "speed", "measure", "tables"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_has_help_with_its_options_and_an_example(string command)
    {
        foreach (var flag in new[] { "--help", "-h" })
        {
            var (exit, output, error) = CliRunner.Run(command, flag);
            Assert.Equal(0, exit);
            Assert.Equal("", error);
            Assert.Contains($"cnncost {command}", output);
            Assert.Contains("Options:", output);
            Assert.Contains("Examples:", output);
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("tables", "nin")]
    [InlineData("tables", "chapter5")]
    [InlineData("report", "googlenet")]
    [InlineData("report", "nin", "--units", "MiB", "--batch", "1024")]
    [InlineData("whatif", "nin", "--batch", "1024", "--change", "input-size=454x454")]
    [InlineData("scale", "nin", "--workers", "1..128", "--bandwidth", "56Gbit/s", "--worker-throughput", "3.52TFLOP/s", "--scheme", "ps,tree,ring")]
    [InlineData("roofline", "resnet50", "--device", "H100")]
    [InlineData("scale", "--help")]
    [InlineData("squeezenet", "--help")]
    public void Piped_output_fits_100_columns_without_exponents(params string[] args)
    {
        var (exit, output, error) = CliRunner.Run(args);
        Assert.True(exit == 0, error);
        foreach (var line in output.Split('\n'))
        {
            Assert.True(line.TrimEnd('\r').Length <= 100, $"{line.Length} columns: {line}");
            Assert.DoesNotMatch(@"\d[eE][+-]?\d", line);
        }
    }

    [Fact]
    public void Notes_wrap_between_words_and_keep_a_long_word_whole()
    {
        Assert.Equal(["a bb", "ccc", "dddddd", "e"], ConsoleOutput.Wrap("a bb ccc dddddd e", 4));
        Assert.Equal(["0.000512 s"], ConsoleOutput.Wrap("0.000512 s", 10));
    }

    [Fact]
    public void A_table_wider_than_the_screen_is_split_with_its_first_column_repeated()
    {
        var (_, output, _) = CliRunner.Run("tables", "nin");
        var lines = output.Split('\n');
        var first = Array.FindIndex(lines, l => l.Contains("Table 4.1: local and global changes", StringComparison.Ordinal));
        var second = Array.FindIndex(lines, l => l.Contains("Table 4.1: local and global changes to NiN, batch 1024 (continued)", StringComparison.Ordinal));
        Assert.True(first >= 0 && second > first);
        Assert.StartsWith("│ table ", lines[first + 2]);
        Assert.StartsWith("│ table ", lines[second + 2]);
        // Every row of the first part comes back in the second, led by the same key.
        Assert.Contains(lines.Skip(second), l => l.StartsWith("│ 4.8 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Help_after_a_model_or_a_bad_value_is_still_help()
    {
        Assert.Equal(0, CliRunner.Run("measure", "-h").Exit);
        Assert.Equal(0, CliRunner.Run("report", "nin", "--batch", "many", "--help").Exit);
        var (exit, output, _) = CliRunner.Run("report", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("--batch <N>", output);
    }

    [Fact]
    public void Help_before_a_command_is_that_commands_help()
    {
        Assert.Equal(CliRunner.Run("whatif", "--help"), CliRunner.Run("help", "whatif"));
        Assert.Equal(CliRunner.Run("--help"), CliRunner.Run("help"));
        Assert.Equal(0, CliRunner.Run().Exit);
    }

    [Theory]
    [InlineData("unknown command 'reprot' (did you mean 'report'?)", "reprot", "nin")]
    [InlineData("unknown model 'nni'; did you mean 'nin'?", "report", "nni")]
    [InlineData("'report' has no option --bach (did you mean '--batch'?)", "report", "nin", "--bach", "4")]
    [InlineData("'whatif' has no option --chnage (did you mean '--change'?)", "whatif", "nin", "--chnage", "remove:pool3")]
    public void A_typo_gets_the_nearest_word_on_one_line(string expected, params string[] args)
    {
        var (exit, output, error) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void A_word_far_from_every_command_gets_no_suggestion()
    {
        var (_, _, error) = CliRunner.Run("xyzzy");
        Assert.DoesNotContain("did you mean", error);
        Assert.Contains("the commands are: report", error);
    }

    [Theory]
    [InlineData("report", "report", 0)]
    [InlineData("reprot", "report", 1)]
    [InlineData("nni", "nin", 1)]
    [InlineData("sqeezenet", "squeezenet", 1)]
    [InlineData("", "ab", 2)]
    [InlineData("kitten", "sitting", 3)]
    public void The_edit_distance_counts_edits_by_hand(string a, string b, int expected)
    {
        Assert.Equal(expected, Suggestions.Distance(a, b));
        Assert.Equal(expected, Suggestions.Distance(b, a));
    }

    [Fact]
    public void A_response_file_holds_arguments()
    {
        var path = Path.Combine(_directory, "nin.rsp");
        File.WriteAllText(path, "nin\n--batch 4\n--format csv\n");
        var direct = CliRunner.Run("report", "nin", "--batch", "4", "--format", "csv");
        var fromFile = CliRunner.Run("report", "@" + path);
        Assert.Equal(0, fromFile.Exit);
        Assert.Equal(direct, fromFile);
    }

    [Fact]
    public void A_missing_response_file_is_named_on_one_line()
    {
        var path = Path.Combine(_directory, "absent.rsp");
        var (exit, _, error) = CliRunner.Run("report", "@" + path);
        Assert.Equal(2, exit);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(path, error);
    }

    [Theory]
    [InlineData("rep", "report")]
    [InlineData("report ni", "nin")]
    [InlineData("report nin --uni", "--units")]
    [InlineData("report nin --units ", "MiB")]
    public void The_suggest_directive_completes_commands_models_options_and_choices(string line, string expected)
    {
        var (exit, output, _) = CliRunner.Run($"[suggest:{line.Length}]", line);
        Assert.Equal(0, exit);
        Assert.Contains(expected, output.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void An_option_given_twice_is_refused()
    {
        var (exit, _, error) = CliRunner.Run("report", "nin", "--batch", "2", "--batch", "3");
        Assert.Equal(2, exit);
        Assert.Contains("option --batch is given 2 times; give it once", error);
    }

    [Fact]
    public void An_option_without_its_value_is_named()
    {
        var (exit, _, error) = CliRunner.Run("report", "nin", "--batch", "--format", "csv");
        Assert.Equal(2, exit);
        Assert.Contains("option --batch needs a value", error);
    }
}
