using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Reporting.Html;

namespace CnnCost.Benchmarks;

/// <summary>A deep ResNet-like network of about a given number of layers, built with <see cref="NetworkBuilder"/> (the HTML view's size target).</summary>
public static class DeepResNet
{
    /// <summary>A 3x3 stem, then basic residual blocks (conv, bn, relu, conv, bn, add, relu: 7 layers each) until the count is reached, then pool and fc.</summary>
    /// <param name="layers">The layers wanted, at least 10.</param>
    /// <returns>The network: <c>block{i}/conv1</c> … <c>block{i}/relu</c>, with a strided projection every 50 blocks.</returns>
    public static Network Build(int layers)
    {
        var b = new NetworkBuilder($"deep-resnet-{layers}", Conventions.PyTorch)
            .Input(3, 64, 64)
            .Convolution("stem", 16, 3, pad: 1, bias: false).BatchNorm("stem_bn").ReLU("stem_relu");
        var channels = 16;
        var count = 4;
        for (var i = 0; count + 7 + 2 <= layers; i++)
        {
            var entry = b.Last!;
            var stride = i > 0 && i % 50 == 0 ? 2 : 1;
            var width = stride == 2 ? channels * 2 : channels;
            b.Convolution($"block{i}/conv1", width, 3, stride: stride, pad: 1, bias: false).BatchNorm($"block{i}/bn1").ReLU($"block{i}/relu1")
                .Convolution($"block{i}/conv2", width, 3, pad: 1, bias: false).BatchNorm($"block{i}/bn2");
            var residual = b.Last!;
            var shortcut = entry;
            if (stride == 2)
            {
                b.Convolution($"block{i}/downsample", width, 1, stride: 2, bias: false, from: entry);
                shortcut = b.Last!;
                count++;
            }

            b.Sum($"block{i}/add", residual, shortcut).ReLU($"block{i}/relu");
            channels = width;
            count += 7;
        }

        return b.GlobalPool("pool").FullyConnected("fc", 10).Build();
    }
}

/// <summary>The HTML view of a 1,000-layer network: the layered layout alone (target: at most 50 ms) and the whole page.</summary>
[MemoryDiagnoser]
public class HtmlLayoutBenchmarks
{
    private ImmutableArray<int>[] _inputs = [];
    private int[] _groups = [];
    private Network _network = null!;
    private CostReport _report = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = DeepResNet.Build(1000);
        _report = CostModel.Analyze(_network);
        _inputs = [.. Enumerable.Range(0, _network.Layers.Length).Select(_network.InputIndicesOf)];
        var modules = LayerModules.Find([.. _network.Layers.Select(l => l.Name)]);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        _groups = [.. modules.Select(m => m is null ? -1 : ids.TryGetValue(m, out var id) ? id : ids[m] = ids.Count)];
    }

    [Benchmark(Baseline = true)]
    public GraphLayout Layout1000Layers() => LayeredLayout.Compute(_inputs, _groups);

    [Benchmark]
    public GraphLayout BaselineLayout1000Layers() => LayeredLayout.Baseline(_inputs);

    [Benchmark]
    public string Page1000Layers() => HtmlReport.Report(_network, _report, "deep-resnet");
}
