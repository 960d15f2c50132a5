using System.Text.RegularExpressions;
using CnnCost.IntegrationTests.Samples;
using Xunit;

namespace CnnCost.IntegrationTests.Architecture;

/// <summary>
/// The library's folders depend one way: the models (DesignSpace, Dissertation) produce numbers, Reporting formats
/// them, and nothing that computes reaches back into Reporting; the command line only parses and prints.
/// </summary>
public sealed partial class DependencyTests
{
    private static string Folder(params string[] parts) => Path.Combine([SampleTests.RepositoryRoot(), .. parts]);

    [GeneratedRegex(@"\bCnnCost\.Reporting\b|\b(TextTable|ReportViews|Units)\.")]
    private static partial Regex ReportingUse();

    [Theory]
    [InlineData("DesignSpace")]
    [InlineData("Costs")]
    [InlineData("Hardware")]
    [InlineData("Graph")]
    public void A_computing_folder_does_not_use_reporting(string folder)
    {
        foreach (var file in Directory.GetFiles(Folder("src", "CnnCost", folder), "*.cs", SearchOption.AllDirectories))
        {
            var code = string.Join('\n', File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("///", StringComparison.Ordinal)));
            Assert.False(ReportingUse().IsMatch(code), $"{Path.GetFileName(file)} in {folder} uses Reporting: {ReportingUse().Match(code).Value}");
        }
    }

    [Fact]
    public void Reporting_does_not_use_the_dissertation_tables()
    {
        foreach (var file in Directory.GetFiles(Folder("src", "CnnCost", "Reporting"), "*.cs", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("CnnCost.Dissertation", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Layers.Sum(")]
    [InlineData("Points.Sum(")]
    [InlineData("Totals.Flops /")]
    [InlineData("/ 1e")]
    [InlineData("* 1e")]
    public void The_command_line_does_not_compute_the_numbers_it_prints(string arithmetic)
    {
        foreach (var file in Directory.GetFiles(Folder("src", "CnnCost.Cli", "Commands"), "*.cs"))
        {
            Assert.DoesNotContain(arithmetic, File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}
