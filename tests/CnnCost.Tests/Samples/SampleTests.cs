using System.Diagnostics;
using Xunit;

namespace CnnCost.Tests.Samples;

/// <summary>Runs each sample as the README says (<c>dotnet run samples/NAME.cs</c>) so samples cannot rot.</summary>
public class SampleTests
{
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CnnCost.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("CnnCost.sln not found above the test binaries");
    }

    [Fact]
    public void Nin_tables_sample_prints_table_41()
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("dotnet", ["run", Path.Combine("samples", "nin-tables.cs")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "the sample did not finish in 4 minutes");
        Assert.True(process.ExitCode == 0, error.Result + output.Result);
        Assert.Contains("Table 4.5  4x larger filter resolution in conv7   Local  output x1.0  params x1.3  computation x1.3", output.Result);
        Assert.Contains("Table 4.8  4x larger input data resolution        Global output x4.2  params x1.0  computation x4.3", output.Result);
    }
}
