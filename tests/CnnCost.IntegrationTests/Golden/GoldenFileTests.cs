using CnnCost.IntegrationTests.Cli;
using CnnCost.IntegrationTests.Samples;
using Xunit;

namespace CnnCost.IntegrationTests.Golden;

/// <summary>
/// Whole outputs of the analytic commands, compared exactly with the files beside this one (Golden/NAME.out, read from
/// the repository). When an output changes on purpose, rewrite the files with
/// <c>CNNCOST_UPDATE_GOLDEN=1 dotnet test tests/CnnCost.IntegrationTests --filter FullyQualifiedName~GoldenFileTests</c>
/// (those rows then report Skipped, saying what they wrote), review the diff against the spec, and commit it.
/// Only deterministic commands belong here: no timings, no machine names.
/// </summary>
public class GoldenFileTests
{
    /// <summary>Each golden file and the command line that writes it.</summary>
    private static readonly Dictionary<string, string[]> Commands = new()
    {
        ["report-nin-batch1024.md.out"] = ["report", "nin", "--batch", "1024", "--format", "markdown"],
        ["report-nin.table.out"] = ["report", "nin"],
        ["report-nin.json.out"] = ["report", "nin", "--format", "json"],
        ["report-nin-fixed-units.table.out"] = ["report", "nin", "--units", "MB"],
        ["report-nin.csv.out"] = ["report", "nin", "--format", "csv"],
        ["tables-nin.table.out"] = ["tables", "nin"],
        ["tables-nin.csv.out"] = ["tables", "nin", "--format", "csv"],
        ["whatif-nin-conv8.table.out"] = ["whatif", "nin", "--change", "filters:conv8=1536"],
        ["whatif-nin-conv8.csv.out"] = ["whatif", "nin", "--change", "filters:conv8=1536", "--format", "csv"],
        ["whatif-nin-conv8.json.out"] = ["whatif", "nin", "--change", "filters:conv8=1536", "--format", "json"],
        ["report-nin.md.out"] = ["report", "nin", "--format", "markdown"],
        ["tables-nin.md.out"] = ["tables", "nin", "--format", "markdown"],
        ["whatif-nin-conv7-6x6.md.out"] = ["whatif", "nin", "--batch", "1024", "--change", "kernel:conv7=6x6,pad=2", "--format", "markdown"],
        ["report-alexnet.csv.out"] = ["report", "alexnet", "--format", "csv"],
        ["report-squeezenet1_0.csv.out"] = ["report", "squeezenet1_0", "--format", "csv"],
        ["scale-nin-tree.json.out"] = ["scale", "nin", "--workers", "1..128", "--bandwidth", "56Gbit/s", "--worker-throughput", "3.52TFLOP/s", "--scheme", "tree", "--bias", "exclude", "--format", "json"],
        ["space-vgg.json.out"] = ["space", "vgg", "--format", "json"],
    };

    public static TheoryData<string> Files() => [.. Commands.Keys.Order()];

    private static string Directory => Path.Combine(SampleTests.RepositoryRoot(), "tests", "CnnCost.IntegrationTests", "Golden");

    private static string Normalized(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Files))]
    public void The_output_matches_its_golden_file_exactly(string file)
    {
        var (exit, output, error) = CliRunner.Run(Commands[file]);
        Assert.True(exit == 0, error);
        Assert.Equal("", error);
        var path = Path.Combine(Directory, file);
        var command = "cnncost " + string.Join(' ', Commands[file]);
        if (Environment.GetEnvironmentVariable("CNNCOST_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, Normalized(output));
            Assert.Skip($"CNNCOST_UPDATE_GOLDEN=1: wrote {path} from '{command}'; review and commit it");
        }

        Assert.True(File.Exists(path), $"{path} is missing: run with CNNCOST_UPDATE_GOLDEN=1 to write it from '{command}'");
        var expected = Normalized(File.ReadAllText(path)).Split('\n');
        var actual = Normalized(output).Split('\n');
        for (var i = 0; i < Math.Max(expected.Length, actual.Length); i++)
        {
            var (want, got) = (i < expected.Length ? expected[i] : "(end of file)", i < actual.Length ? actual[i] : "(end of output)");
            Assert.True(want == got,
                $"'{command}' differs from {file} at line {i + 1}:\n  golden: {want}\n  output: {got}\n"
                + "If the change is intended, rewrite the golden files with CNNCOST_UPDATE_GOLDEN=1 and review the diff.");
        }
    }

    [Fact]
    public void Every_golden_file_has_a_command_that_writes_it()
    {
        var files = System.IO.Directory.GetFiles(Directory, "*.out").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Commands.Keys.Order(), files);
    }
}
