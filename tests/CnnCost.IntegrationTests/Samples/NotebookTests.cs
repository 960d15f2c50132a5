using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace CnnCost.IntegrationTests.Samples;

/// <summary>
/// Runs each notebook under the real C# kernel, as a notebook user would: <c>dotnet-repl</c> (the tool manifest's
/// version) executes the .ipynb unchanged, its <c>#r "nuget: CnnCost, 0.1.0"</c> restoring the package packed from this
/// build. The package folder is a NuGet source added once, as the README tells users to do; here it is added to a copy
/// of this machine's user configuration under a scratch home folder, which also gives the kernel a fresh package-script
/// cache (~/.packagemanagement), and the restore goes to a fresh NuGet cache, so no earlier CnnCost 0.1.0 can stand in.
/// The notebooks are committed with their outputs: <c>CNNCOST_UPDATE_GOLDEN=1</c> writes this run's outputs back into
/// samples/notebooks (those rows then report Skipped, saying what they wrote).
/// </summary>
public class NotebookTests
{
    private static readonly Lazy<Task<Kernel>> Prepared = new(PrepareAsync);

    /// <summary>The dotnet-repl program and the scratch home folder whose NuGet configuration names the packed library.</summary>
    private sealed record Kernel(string Repl, string Home, string Cache);

    public static TheoryData<string> Notebooks() =>
        [.. Directory.GetFiles(NotebookFolder, "*.ipynb").Select(Path.GetFileName).OfType<string>().Order()];

    private static string NotebookFolder => Path.Combine(SampleTests.RepositoryRoot(), "samples", "notebooks");

    private static async Task<Kernel> PrepareAsync()
    {
        var packed = await PackedLibrary.Folders();
        var root = SampleTests.RepositoryRoot();
        // The tool manifest (.config/dotnet-tools.json) pins dotnet-repl; restore it into this machine's NuGet cache.
        await PackedLibrary.Run("dotnet", ["tool", "restore"], root, minutes: 10);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".config", "dotnet-tools.json")));
        var version = manifest.RootElement.GetProperty("tools").GetProperty("dotnet-repl").GetProperty("version").GetString()!;
        var locals = await PackedLibrary.Run("dotnet", ["nuget", "locals", "global-packages", "--list"], root);
        var globalPackages = locals[(locals.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        var repl = Directory.GetFiles(Path.Combine(globalPackages, "dotnet-repl", version, "tools"), "dotnet-repl.dll", SearchOption.AllDirectories).Single();

        // A scratch home: this machine's user NuGet configuration (its sources) plus the packed folder, as a user adds it.
        var home = Directory.CreateDirectory(Path.Combine(packed.Root, "home")).FullName;
        var userConfig = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        if (File.Exists(userConfig))
        {
            File.Copy(userConfig, Path.Combine(Directory.CreateDirectory(Path.Combine(home, ".nuget", "NuGet")).FullName, "NuGet.Config"));
        }

        await PackedLibrary.Run("dotnet", ["nuget", "add", "source", packed.Packages, "--name", "cnncost-packed"], home, KernelEnvironment(home, packed.Cache));
        return new Kernel(repl, home, packed.Cache);
    }

    private static Dictionary<string, string?> KernelEnvironment(string home, string cache) => new()
    {
        ["HOME"] = home,
        ["NUGET_PACKAGES"] = cache,
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
    };

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Each_notebook_runs_under_dotnet_repl_and_prints_the_samples_numbers(string notebook)
    {
        var kernel = await Prepared.Value;
        var directory = Directory.CreateTempSubdirectory("cnncost-notebook-").FullName;
        var input = Path.Combine(directory, notebook);
        File.Copy(Path.Combine(NotebookFolder, notebook), input);
        var executed = Path.Combine(directory, "executed.ipynb");
        var (exit, output, error) = await PackedLibrary.Start("dotnet",
            [kernel.Repl, "--run", input, "--exit-after-run", "--output-format", "ipynb", "--output-path", executed, "--working-dir", directory],
            directory, KernelEnvironment(kernel.Home, kernel.Cache), minutes: 8);
        Assert.True(File.Exists(executed), $"dotnet-repl wrote no notebook (exit {exit}): {error}{output}");
        var result = JsonNode.Parse(File.ReadAllText(executed))!;
        var errors = CodeCells(result).SelectMany(Outputs).Where(o => (string?)o["output_type"] == "error")
            .Select(o => $"{o["ename"]}: {o["evalue"]}").ToArray();
        Assert.True(errors.Length == 0 && exit == 0, $"{notebook} failed under dotnet-repl (exit {exit}):\n{string.Join('\n', errors)}\n{error}");

        var printed = string.Concat(CodeCells(result).SelectMany(Outputs).Where(o => (string?)o["output_type"] == "stream").Select(Text));
        Assert.False(string.IsNullOrWhiteSpace(printed), $"{notebook} printed nothing");
        SampleChecks.For(Path.GetFileNameWithoutExtension(notebook))(printed);

        var committed = Path.Combine(NotebookFolder, notebook);
        if (Environment.GetEnvironmentVariable("CNNCOST_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(committed, Saved(result));
            Directory.Delete(directory, recursive: true);
            Assert.Skip($"CNNCOST_UPDATE_GOLDEN=1: wrote {committed} with this run's outputs; review and commit it");
        }

        // The committed file carries its outputs: every cell that printed here printed there too, under the same code.
        var saved = CodeCells(JsonNode.Parse(File.ReadAllText(committed))!).ToArray();
        var fresh = CodeCells(result).ToArray();
        Assert.Equal(fresh.Length, saved.Length);
        for (var i = 0; i < fresh.Length; i++)
        {
            var printedHere = Outputs(fresh[i]).Any(o => (string?)o["output_type"] == "stream");
            var printedThere = Outputs(saved[i]).Any(o => (string?)o["output_type"] == "stream");
            Assert.True(printedHere == printedThere,
                $"{notebook}, code cell {i + 1}: the committed outputs are stale or missing; rerun with CNNCOST_UPDATE_GOLDEN=1 and commit");
        }

        Directory.Delete(directory, recursive: true);
    }

    private static IEnumerable<JsonNode> CodeCells(JsonNode notebook) =>
        notebook["cells"]!.AsArray().OfType<JsonNode>().Where(c => (string?)c["cell_type"] == "code");

    private static IEnumerable<JsonNode> Outputs(JsonNode cell) => cell["outputs"]?.AsArray().OfType<JsonNode>() ?? [];

    private static string Text(JsonNode output) => output["text"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        var text => (string?)text ?? "",
    };

    /// <summary>
    /// The executed notebook as committed: without the package-restore progress frames (a notebook front end replaces
    /// each with the next; dotnet-repl appends them all) and without the per-cell run times, which change every run.
    /// </summary>
    private static string Saved(JsonNode executed)
    {
        foreach (var cell in executed["cells"]!.AsArray().OfType<JsonNode>())
        {
            var metadata = cell["metadata"]!.AsObject();
            foreach (var key in metadata.Select(p => p.Key).Where(k => k.StartsWith("dotnet_repl_", StringComparison.Ordinal)).ToArray())
            {
                metadata.Remove(key);
            }
        }

        foreach (var cell in CodeCells(executed))
        {
            var outputs = cell["outputs"]!.AsArray();
            foreach (var progress in outputs.OfType<JsonNode>().Where(o => o["data"]?["text/html"]?.ToJsonString().Contains("Installing Packages", StringComparison.Ordinal) == true).ToArray())
            {
                outputs.Remove(progress);
            }
        }

        return executed.ToJsonString(new JsonSerializerOptions { WriteIndented = true, IndentSize = 1, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
