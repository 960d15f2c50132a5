using System.Diagnostics;
using Xunit;

namespace CnnCost.IntegrationTests.Samples;

/// <summary>Runs each sample as the README says (<c>dotnet run samples/NAME.cs</c>) so samples cannot rot.</summary>
public class SampleTests
{
    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CnnCost.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("CnnCost.sln not found above the test binaries");
    }

    private static Task<string> RunSample(string name) => RunFileApp(Path.Combine(RepositoryRoot(), "samples", name));

    /// <summary>Runs a .NET file-based app with <c>dotnet run</c> from the repository root and returns its output.</summary>
    internal static async Task<string> RunFileApp(string path)
    {
        var name = Path.GetFileName(path);
        var start = new ProcessStartInfo("dotnet", ["run", path])
        {
            // Samples write their charts to the working directory: keep them out of the repository.
            WorkingDirectory = Directory.CreateTempSubdirectory("cnncost-run-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var outputTask = process.StandardOutput.ReadToEndAsync();
        var errorTask = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        var (output, error) = (await outputTask, await errorTask);
        Assert.True(process.ExitCode == 0, $"{name} failed: {error}{output}");
        return output;
    }

    [Fact]
    public async Task Nin_tables_sample_prints_table_41() => SampleChecks.NinTables(await RunSample("nin-tables.cs"));

    [Fact]
    public async Task Reduce_resolution_sample_compares_flops_with_measured_frame_rates()
    {
        var output = await RunSample("reduce-resolution.cs");
        // AlexNet's FLOPs by hand at 227, 99 and 111 pixels (1,449,915,808 per frame at 227x227), beside the post's
        // K40 frame rates over its 624 fps at 227x227.
        var full = SampleOracles.AlexNet().Flops;
        Assert.Equal(1_449_915_808, full);
        Assert.Contains($"{"AlexNet",-8} {"99x99",-25} {SampleOracles.F((double)full / SampleOracles.AlexNet(99).Flops, "0.00"),8}x {"5.40",11}x (5.4x)", output);
        Assert.Contains($"{"AlexNet",-8} {"111x111",-25} {SampleOracles.F((double)full / SampleOracles.AlexNet(111).Flops, "0.00"),8}x {"3.51",11}x (3.4x)", output);
        Assert.Contains("AlexNet  99x99                         5.55x", output);
        Assert.Contains("pool:pool5=avg                                      Local", output);
        Assert.Contains("stride:conv1=2                                      Global", output);
    }

    [Fact]
    public async Task Every_csharp_block_of_the_readme_compiles_and_runs()
    {
        var root = RepositoryRoot();
        var blocks = new List<string>();
        var inBlock = false;
        foreach (var line in File.ReadAllLines(Path.Combine(root, "README.md")))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock && line == "```csharp";
                continue;
            }

            if (inBlock)
            {
                blocks.Add(line);
            }
        }

        Assert.NotEmpty(blocks);
        // The blocks read as one quick start: hoist their usings, keep the statements in order.
        static bool IsUsing(string line) => line.StartsWith("using ", StringComparison.Ordinal) && !line.StartsWith("using var", StringComparison.Ordinal);
        var usings = blocks.Where(IsUsing).Distinct();
        var statements = blocks.Where(l => !IsUsing(l));
        var directory = Directory.CreateTempSubdirectory("cnncost-readme-");
        var app = Path.Combine(directory.FullName, "readme.cs");
        var project = Path.Combine(root, "src", "CnnCost", "CnnCost.csproj");
        File.WriteAllLines(app, new[] { "#:property PublishAot=false", $"#:project {project}" }.Concat(usings).Concat(statements));
        var output = await RunFileApp(app);
        SampleChecks.Readme(output);
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Measure_this_machine_sample_sets_measured_time_ratios_beside_flop_ratios() =>
        SampleChecks.MeasureThisMachine(await RunSample("measure-this-machine.cs"));

    [Theory]
    [InlineData("whatif-your-network.cs")]
    [InlineData("squeezenet-sweep.cs")]
    [InlineData("scaling-curves.cs")]
    [InlineData("roofline.cs")]
    [InlineData("import-models.cs")]
    public async Task Each_sample_prints_the_numbers_its_story_needs(string sample) =>
        SampleChecks.For(Path.GetFileNameWithoutExtension(sample))(await RunSample(sample));
}

/// <summary>The notebooks' code cells, extracted and run, so the notebooks cannot rot.</summary>
public class NotebookTests
{
    public static TheoryData<string> Notebooks() =>
        [.. Directory.GetFiles(Path.Combine(SampleTests.RepositoryRoot(), "samples", "notebooks"), "*.ipynb").Select(Path.GetFileName).OfType<string>().Order()];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Every_notebooks_code_cells_run_and_print_the_samples_numbers(string notebook)
    {
        var root = SampleTests.RepositoryRoot();
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "samples", "notebooks", notebook)));
        var lines = json.RootElement.GetProperty("cells").EnumerateArray()
            .Where(cell => cell.GetProperty("cell_type").GetString() == "code")
            .SelectMany(cell => string.Concat(cell.GetProperty("source").EnumerateArray().Select(l => l.GetString())).Split('\n'))
            .Where(line => !line.StartsWith("#r ", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(lines);
        static bool IsUsing(string line) => line.StartsWith("using ", StringComparison.Ordinal) && !line.StartsWith("using var", StringComparison.Ordinal);
        var directory = Directory.CreateTempSubdirectory("cnncost-notebook-");
        var app = Path.Combine(directory.FullName, Path.ChangeExtension(notebook, ".cs"));
        var project = Path.Combine(root, "src", "CnnCost", "CnnCost.csproj");
        File.WriteAllLines(app, new[] { "#:property PublishAot=false", $"#:project {project}" }
            .Concat(lines.Where(IsUsing).Distinct()).Concat(lines.Where(l => !IsUsing(l))));
        var output = await SampleTests.RunFileApp(app);
        Assert.False(string.IsNullOrWhiteSpace(output), $"{notebook} printed nothing");
        SampleChecks.For(Path.GetFileNameWithoutExtension(notebook))(output);
        directory.Delete(recursive: true);
    }
}
