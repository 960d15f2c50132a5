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
    public async Task Nin_tables_sample_prints_table_41()
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("dotnet", ["run", Path.Combine("samples", "nin-tables.cs")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var outputTask = process.StandardOutput.ReadToEndAsync();
        var errorTask = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        var (output, error) = (await outputTask, await errorTask);
        Assert.True(process.ExitCode == 0, error + output);
        Assert.Contains("Table 4.5  4x larger filter resolution in conv7   Local  output x1.0  params x1.3  computation x1.3", output);
        Assert.Contains("Table 4.8  4x larger input data resolution        Global output x4.2  params x1.0  computation x4.3", output);
    }
}
