using BenchmarkDotNet.Attributes;
using CnnCost.Costs;
using CnnCost.DesignSpace;

namespace CnnCost.Benchmarks;

/// <summary>SqueezeNet-family evaluations for sweeps (issue target: at least 10^6 evaluations per second).</summary>
[MemoryDiagnoser]
public class SqueezeNetSweepBenchmarks
{
    private SqueezeNetMetaparameters[] _grid = [];

    [GlobalSetup]
    public void Setup()
    {
        // A 32 x 32 grid of SR x pct3x3; check the closed form against the full cost model before timing.
        _grid = [.. from sr in Enumerable.Range(1, 32) from pct in Enumerable.Range(1, 32)
                    select SqueezeNetMetaparameters.SqueezeNet with { SqueezeRatio = sr / 32.0, Percent3x3 = pct / 33.0 }];
        var probe = _grid[100];
        var totals = CostModel.Analyze(SqueezeNetFamily.Build(probe)).Totals;
        if (SqueezeNetFamily.Evaluate(probe).Flops != totals.Flops)
        {
            throw new InvalidOperationException("closed form and cost model disagree");
        }
    }

    /// <summary>1024 evaluations per invocation: divide the mean by 1024 for one.</summary>
    [Benchmark(OperationsPerInvoke = 1024)]
    public long EvaluateGrid()
    {
        long sum = 0;
        foreach (var meta in _grid)
        {
            sum += SqueezeNetFamily.Evaluate(meta).Flops;
        }

        return sum;
    }

    [Benchmark]
    public CostReport BuildAndAnalyzeOne() => CostModel.Analyze(SqueezeNetFamily.Build(_grid[100]));
}
