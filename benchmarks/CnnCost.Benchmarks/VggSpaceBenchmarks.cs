using BenchmarkDotNet.Attributes;
using CnnCost.DesignSpace;

namespace CnnCost.Benchmarks;

/// <summary>Exact counts of the VGG design space within budgets (issue target: one budget count in at most 1 s).</summary>
[MemoryDiagnoser]
public class VggSpaceBenchmarks
{
    [GlobalSetup]
    public void Setup()
    {
        // Agree before timing: VGG-16's assignment has VGG-16's 138,357,544 parameters.
        int[] vgg16 = [64, 64, 128, 128, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];
        if (VggSpace.Dissertation.Costs(vgg16).Parameters != 138_357_544)
        {
            throw new InvalidOperationException("the space's costs disagree with VGG-16");
        }
    }

    [Benchmark]
    public long ParameterBudget100M() => VggSpaceCounter.CountWithin(VggSpace.Dissertation, 100_000_000, null);

    [Benchmark]
    public long FlopBudget20G() => VggSpaceCounter.CountWithin(VggSpace.Dissertation, null, 20_000_000_000);

    [Benchmark]
    public long BothBudgets() => VggSpaceCounter.CountWithin(VggSpace.Dissertation, 100_000_000, 20_000_000_000);
}
