using Xunit;

namespace CnnCost.IntegrationTests.Samples;

/// <summary>
/// Runs each sample the way someone who copied it out of the repository would: the file alone in a new folder, with a
/// nuget.config that adds the package packed from this build, <c>dotnet run NAME.cs</c>, and a fresh NuGet cache.
/// </summary>
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

    public static TheoryData<string> Samples() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot(), "samples"), "*.cs").Select(Path.GetFileName).OfType<string>().Order()];

    /// <summary>Copies the sample to a folder outside the repository and runs it there against the packed library.</summary>
    private static Task<string> RunSample(string name) =>
        RunOutside(name, File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", name)));

    /// <summary>
    /// Writes a file-based app to a new folder outside the repository beside a nuget.config naming the packed library,
    /// runs it with <c>dotnet run</c> there (samples write their charts to that folder) and returns its output.
    /// </summary>
    private static async Task<string> RunOutside(string name, string source)
    {
        var packed = await PackedLibrary.Folders();
        var directory = Directory.CreateTempSubdirectory("cnncost-sample-").FullName;
        File.WriteAllText(Path.Combine(directory, name), source);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), PackedLibrary.NuGetConfig(packed.Packages));
        var output = await PackedLibrary.Run("dotnet", ["run", name], directory, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packed.Cache });
        Directory.Delete(directory, recursive: true);
        return output;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_sample_references_the_package_not_the_source_tree(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "samples", name));
        Assert.Contains($"#:package CnnCost@{PackedLibrary.Version}", lines);
        Assert.Contains("#:property PublishAot=false", lines);
        Assert.DoesNotContain(lines, line => line.StartsWith("#:project", StringComparison.Ordinal));
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
        // As a user would run them: a file-based app that references the package, not the source tree.
        string[] header = ["#:property PublishAot=false", $"#:package CnnCost@{PackedLibrary.Version}"];
        var output = await RunOutside("readme.cs", string.Join('\n', header.Concat(usings).Concat(statements)));
        SampleChecks.Readme(output);
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
