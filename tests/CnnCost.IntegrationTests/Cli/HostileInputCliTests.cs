using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>Names read from a file reach the terminal as one printable line: no newline, no escape sequence, no bidi override.</summary>
public sealed class HostileInputCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cnncost-hostile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_layer_name_with_a_newline_an_escape_sequence_and_a_bidi_override_is_escaped_on_one_stderr_line()
    {
        var path = Path.Combine(_directory, "evil.prototxt");
        File.WriteAllText(path,
            "name: \"x\"\ninput: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n"
            + "layer { name: \"bad\u001b[31mred\u202eevil\u0007\" type: \"Convolution\" bottom: \"nothere\" top: \"c\" convolution_param { num_output: 2 kernel_size: 3 } }\n");
        var (exit, stdout, stderr) = CliRunner.Run("report", path);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.EndsWith("\n", stderr.Replace("\r\n", "\n"));
        var line = stderr.TrimEnd('\r', '\n');
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain(line, c => char.IsControl(c) || c == '\u202e');
        Assert.Contains(@"layer 'bad\e[31mred\u202eevil\u0007'", line);
    }

    [Theory]
    [InlineData("squeezenet --base-e 2147483647", "more than 2^31-1")]
    [InlineData("scale nin --workers 1,2 --bandwidth 56Gbit/s --worker-throughput 3TFLOP/s --scheme ,", "--scheme takes ps, tree or ring")]
    [InlineData("compress nin --density 1e-17 --bits 8", "density must be in [1e-12, 1]")]
    [InlineData("scale nin --workers 1,2 --bandwidth 56Gbit/s --worker-throughput 3TFLOP/s --latency 1e400", "--latency must be 0 or seconds")]
    [InlineData("scale nin --workers 1,2 --bandwidth 56Gbit/s --worker-throughput 3TFLOP/s --latency 1e-320", "--latency must be 0 or seconds")]
    [InlineData("scale nin --workers 1,2 --bandwidth 56Gbit/s --worker-throughput 1e-320", "'1e-320' is not a throughput")]
    [InlineData("scale nin --workers 1,2 --bandwidth 1e-320 --worker-throughput 3TFLOP/s --format json", "'1e-320' is not a bandwidth")]
    [InlineData("scale nin --workers 1,2 --bandwidth Infinity --worker-throughput 3TFLOP/s", "'Infinity' is not a bandwidth")]
    [InlineData("scale nin --workers 1,2 --bandwidth NaNGB/s --worker-throughput 3TFLOP/s", "'NaNGB/s' is not a bandwidth")]
    [InlineData("speed nin --efficiency 1e-320", "--efficiency must be in [1e-6, 1]")]
    [InlineData("speed nin --efficiency -0.5", "--efficiency must be in [1e-6, 1]")]
    public void A_number_out_of_range_non_finite_or_denormal_is_refused_with_exit_2_and_one_line(string arguments, string expected)
    {
        var (exit, stdout, stderr) = CliRunner.Run(arguments.Split(' '));
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void A_fifo_no_one_writes_to_is_refused_instead_of_hanging()
    {
        var fifo = Path.Combine(_directory, "model.prototxt");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var (exit, _, stderr) = CliRunner.Run("report", fifo);
        Assert.Equal(2, exit);
        Assert.Contains("not FIFOs or devices", stderr);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"refusing took {started.Elapsed}");
    }

    [Fact]
    public void A_measurement_larger_than_memory_is_refused_before_any_layer_runs()
    {
        // NiN's conv1 at batch 60000: input 3·227·227·60000 and output 96·55·55·60000 fp32 values, about 107 GB, and
        // an output array of 1.7e10 values, more than one array holds.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (exit, _, stderr) = CliRunner.Run("measure", "nin", "--batch", "60000");
        Assert.Equal(2, exit);
        Assert.StartsWith("cnncost: layer 'conv1' at batch 60000 needs ", stderr);
        Assert.Contains("measure a smaller batch", stderr);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"refusing took {started.Elapsed}");
    }

    [Theory]
    [InlineData("a\nb", @"a\nb")]
    [InlineData("tab\there", @"tab\there")]
    [InlineData("\u2028\u0000", @"\u2028\u0000")]
    [InlineData("plain ünïcödé ✓", "plain ünïcödé ✓")]
    public void One_line_escapes_control_and_format_characters_and_keeps_the_rest(string message, string expected) =>
        Assert.Equal(expected, CnnCost.Cli.CliApp.OneLine(message));
}
