using CnnCost.Benchmarks.Fuzzing;
using Xunit;

namespace CnnCost.IntegrationTests.Import;

/// <summary>A small sample of the fuzzing harness (the full run: <c>benchmarks … -- fuzz 1000000</c>).</summary>
public class FuzzTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Mutated_files_end_in_an_import_or_the_documented_exception(int seed)
    {
        var report = new ImportFuzzer().Run(4_000, seed);
        Assert.Empty(report.Failures);
        Assert.Equal(0, report.SlowInputs);
        Assert.True(report.Imported > 0, "some mutations should still import");
        Assert.True(report.Rejected > 0, "some mutations should be rejected");
        Assert.True(report.LargestAllocation < 64L << 20, $"one input allocated {report.LargestAllocation} bytes");
    }
}
