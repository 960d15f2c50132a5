using BenchmarkDotNet.Attributes;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Zoo;

namespace CnnCost.Benchmarks;

/// <summary>Building NiN and analysing it (issue target: a full NiN CostReport in at most 5 µs and 10 KB).</summary>
[MemoryDiagnoser]
public class CostReportBenchmarks
{
    private static readonly AnalysisOptions Batch1024 = new() { Batch = 1024 };
    private Network _nin = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nin = NetworkInNetwork.Create();
        // Agree before timing: the report must be the dissertation's 2.27 TF.
        var flops = CostModel.Analyze(_nin, Batch1024).Totals.Flops;
        if (Math.Round(flops / 1e12, 2) != 2.27)
        {
            throw new InvalidOperationException($"NiN FLOPs {flops} are not Table 4.2's 2.27 TF");
        }
    }

    [Benchmark(Baseline = true)]
    public CostReport AnalyzeNin() => CostModel.Analyze(_nin, Batch1024);

    [Benchmark]
    public Network BuildNin() => NetworkInNetwork.Create();

    [Benchmark]
    public CostReport BuildAndAnalyzeNin() => CostModel.Analyze(NetworkInNetwork.Create(), Batch1024);
}

/// <summary>One what-if of NiN: apply the modification, analyse both networks, diff them (target: at most 20 µs).</summary>
[MemoryDiagnoser]
public class WhatIfBenchmarks
{
    private static readonly AnalysisOptions Batch1024 = new() { Batch = 1024 };
    private readonly CnnCost.Changes.Modification[] _conv8 = [new CnnCost.Changes.SetFilters("conv8", 1536)];
    private Network _nin = null!;

    [GlobalSetup]
    public void Setup() => _nin = NetworkInNetwork.Create();

    [Benchmark]
    public CnnCost.Changes.ChangeReport WhatIfConv8Filters() => CnnCost.Changes.ChangeAnalysis.Analyze(_nin, _conv8, Batch1024);
}
