using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary><c>--device-file</c>: custom devices for <c>speed</c> and <c>roofline</c>, checked like any input.</summary>
public sealed class DeviceFileCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cnncost-devices-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_directory, "devices.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Speed_uses_the_files_devices_with_the_dissertations_equations()
    {
        // 1 TFLOP/s at 50% on LeNet: FLOPs per frame from Eq. 4.3 summed by hand elsewhere; here only the ratio
        // between two devices is checked, fps ∝ peak (2.3.4) and J/frame = watts / fps (2.3.6).
        var path = Write("""[{"name": "Slow", "peakFlops": 1e12, "bandwidth": "10GB/s", "watts": 10}, {"name": "Fast", "peakFlops": "4TFLOP/s", "bandwidth": 4e10, "watts": 10}]""");
        var (exit, output, error) = CliRunner.Run("speed", "lenet", "--device-file", path, "--format", "csv", "--efficiency", "1");
        Assert.True(exit == 0, error);
        var rows = output.Trim().Split('\n').Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(["Slow", "Fast"], rows.Select(r => r[0]));
        var slow = double.Parse(rows[0][3], System.Globalization.CultureInfo.InvariantCulture);
        var fast = double.Parse(rows[1][3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(4.0, fast / slow, 2);
    }

    [Fact]
    public void Roofline_takes_the_only_device_of_a_file_or_one_named()
    {
        var path = Write("""[{"name": "Board", "peakFlops": "1.2TFLOP/s", "bandwidth": "60GB/s", "watts": 15}]""");
        var (exit, output, error) = CliRunner.Run("roofline", "nin", "--device-file", path, "--format", "markdown");
        Assert.True(exit == 0, error);
        Assert.Contains("ridge point 20 FLOPs/byte", output); // 1.2e12 / 60e9
        Assert.Equal(0, CliRunner.Run("roofline", "nin", "--device-file", path, "--device", "board").Exit);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("{}", "expected a non-empty array")]
    [InlineData("[]", "expected a non-empty array")]
    [InlineData("""[{"name": "X", "peakFlops": -1, "bandwidth": 1, "watts": 1}]""", "device 1 ('X'): 'peakFlops' must be a positive number")]
    [InlineData("""[{"name": "X", "peakFlops": 1e400, "bandwidth": 1, "watts": 1}]""", "'peakFlops' must be a positive number")]
    [InlineData("""[{"name": "X", "peakFlops": 1, "bandwidth": "fast", "watts": 1}]""", "'bandwidth': 'fast' is not a rate")]
    [InlineData("""[{"name": "X", "peakFlops": 1, "bandwidth": 1}]""", "'watts' is missing")]
    [InlineData("""[{"name": "X", "peakFlops": 1, "bandwidth": 1, "watts": 1, "wats": 2}]""", "unknown field 'wats'")]
    [InlineData("""[{"peakFlops": 1, "bandwidth": 1, "watts": 1}]""", "'name' is missing")]
    [InlineData("""[{"name": "X", "peakFlops": 1, "bandwidth": 1, "watts": 1}, {"name": "x", "peakFlops": 1, "bandwidth": 1, "watts": 1}]""", "used twice")]
    public void A_bad_device_file_is_named_on_one_line_with_exit_2(string json, string problem)
    {
        var path = Write(json);
        foreach (var command in new[] { "speed", "roofline" })
        {
            var (exit, output, error) = CliRunner.Run(command, "nin", "--device-file", path, "--device", "X");
            Assert.Equal(2, exit);
            Assert.Equal("", output);
            Assert.Single(error.TrimEnd().Split('\n'));
            Assert.Contains(path, error);
            Assert.Contains(problem, error);
        }
    }

    [Fact]
    public void The_readme_example_is_a_valid_device_file()
    {
        var readme = File.ReadAllText(Path.Combine(Samples.SampleTests.RepositoryRoot(), "README.md"));
        var start = readme.IndexOf("```json", readme.IndexOf("--device-file devices.json", StringComparison.Ordinal), StringComparison.Ordinal);
        var body = readme[(readme.IndexOf('\n', start) + 1)..readme.IndexOf("```", start + 7, StringComparison.Ordinal)];
        var path = Write(body);
        var (exit, output, error) = CliRunner.Run("speed", "nin", "--device-file", path, "--format", "csv");
        Assert.True(exit == 0, error);
        Assert.Contains("Jetson-Orin", output);
        Assert.Contains("MyBoard", output);
    }

    [Fact]
    public void A_missing_device_file_is_named()
    {
        var path = Path.Combine(_directory, "absent.json");
        var (exit, _, error) = CliRunner.Run("speed", "nin", "--device-file", path);
        Assert.Equal(2, exit);
        Assert.Contains(path, error);
        Assert.Contains("cannot be read", error);
    }
}
