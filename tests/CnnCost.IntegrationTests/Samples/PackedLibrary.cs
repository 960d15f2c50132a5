using System.Diagnostics;
using System.Reflection;
using Xunit;

namespace CnnCost.IntegrationTests.Samples;

/// <summary>
/// The library as a user gets it: the CnnCost package packed from this build into a fresh folder, and a fresh NuGet
/// cache, so that no CnnCost 0.1.0 restored earlier on this machine can stand in for it. Samples and notebooks are run
/// against this package from folders outside the repository, the way someone who copied them would run them.
/// </summary>
internal static class PackedLibrary
{
    /// <summary>The version the samples' <c>#:package</c> and the notebooks' <c>#r "nuget: …"</c> lines name.</summary>
    internal const string Version = "0.1.0";

    private static readonly Lazy<Task<PackedFolders>> Packed = new(PackAsync);

    /// <summary>The package folder (one <c>.nupkg</c>) and the empty NuGet cache this test run restores into.</summary>
    internal sealed record PackedFolders(string Packages, string Cache, string Root);

    /// <summary>Packs the library once per test run (the first caller waits for it).</summary>
    internal static Task<PackedFolders> Folders() => Packed.Value;

    private static async Task<PackedFolders> PackAsync()
    {
        var root = Directory.CreateTempSubdirectory("cnncost-packed-").FullName;
        var packages = Directory.CreateDirectory(Path.Combine(root, "packages")).FullName;
        var cache = Directory.CreateDirectory(Path.Combine(root, "nuget-cache")).FullName;
        // The package, its restored dependencies and the notebooks' scratch home go when the test run ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // A child process still holding a file: the folder stays in the temp directory.
            }
        };
        // The test project references the library, so it is built in this configuration already: pack that build.
        var configuration = typeof(PackedLibrary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var project = Path.Combine(SampleTests.RepositoryRoot(), "src", "CnnCost", "CnnCost.csproj");
        await Run("dotnet", ["pack", project, "-c", configuration, "--no-build", "--no-restore", "-o", packages], SampleTests.RepositoryRoot());
        Assert.True(File.Exists(Path.Combine(packages, $"CnnCost.{Version}.nupkg")), $"dotnet pack wrote no CnnCost.{Version}.nupkg to {packages}");
        return new PackedFolders(packages, cache, root);
    }

    /// <summary>
    /// A nuget.config that adds the packed folder to the sources this machine is configured with: no <c>&lt;clear/&gt;</c>,
    /// so the library's own dependencies still come from wherever this machine gets packages.
    /// </summary>
    internal static string NuGetConfig(string packages) =>
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="cnncost-packed" value="{packages}" />
          </packageSources>
        </configuration>
        """;

    /// <summary>Runs a program to its end and returns its output; a non-zero exit fails the test with both streams.</summary>
    /// <param name="file">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="environment">Variables to set (null removes one) on top of this process's.</param>
    /// <param name="minutes">How long it may take.</param>
    internal static async Task<string> Run(
        string file, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null, int minutes = 5)
    {
        var (exit, output, error) = await Start(file, arguments, workingDirectory, environment, minutes);
        Assert.True(exit == 0, $"'{file} {string.Join(' ', arguments)}' exited {exit}: {error}{output}");
        return output;
    }

    /// <summary>Runs a program to its end (at most <paramref name="minutes"/>) and returns its exit code and both streams.</summary>
    internal static async Task<(int Exit, string Output, string Error)> Start(
        string file, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null, int minutes = 5)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var outputTask = process.StandardOutput.ReadToEndAsync();
        var errorTask = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"'{file} {string.Join(' ', arguments)}' ran past {minutes} minutes");
        }

        return (process.ExitCode, await outputTask, await errorTask);
    }
}
