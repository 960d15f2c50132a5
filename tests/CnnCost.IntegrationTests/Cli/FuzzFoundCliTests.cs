using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>Command lines the CLI fuzzer (<c>fuzz-cli</c>) found printing NaN or crashing, now refused on one line.</summary>
public sealed class FuzzFoundCliTests : IDisposable
{
    private const string TanhOnly = "name: \"gen\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 5 dim: 14 dim: 14 }\nlayer { name: \"l0\" type: \"TanH\" bottom: \"data\" top: \"l0\" }\n";
    private const string PoolOnly = "name: \"gen\"\ninput: \"data\"\ninput_dim: 3\ninput_dim: 7\ninput_dim: 11\ninput_dim: 11\nlayer { name: \"l0\" type: \"Pooling\" bottom: \"data\" top: \"l0\" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }\n";
    private readonly string _directory = Directory.CreateTempSubdirectory("cnncost-fuzzfound-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(TanhOnly, "roofline --device P100", "roofline")]
    [InlineData(TanhOnly, "scale --workers 1..64 --bandwidth 10G --worker-throughput 5T --scheme tree --format json", "no FLOPs")]
    [InlineData(PoolOnly, "compress --density 0.5 --bits 8", "no weights")]
    public void A_network_with_nothing_to_measure_is_refused_on_one_line_instead_of_printing_nan(string prototxt, string command, string reason)
    {
        var path = Path.Combine(_directory, "m.prototxt");
        File.WriteAllText(path, prototxt);
        var words = command.Split(' ');
        var (exit, stdout, stderr) = CliRunner.Run([words[0], path, .. words[1..]]);
        Assert.Equal(2, exit);
        Assert.DoesNotContain("NaN", stdout, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_that_gives_a_network_its_first_parameters_shows_a_dash_not_nan_for_the_total_ratios()
    {
        var path = Path.Combine(_directory, "t.prototxt");
        File.WriteAllText(path, TanhOnly);
        var (exit, stdout, stderr) = CliRunner.Run("whatif", path, "--change", "insert-after:l0=conv,1x1,8");
        Assert.Equal(0, exit);
        Assert.Empty(stderr);
        Assert.DoesNotContain("NaN", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", stdout, StringComparison.Ordinal);
    }
}
