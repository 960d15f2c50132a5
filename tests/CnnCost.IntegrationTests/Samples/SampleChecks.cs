using System.Globalization;
using Xunit;
using static CnnCost.IntegrationTests.Samples.SampleOracles;

namespace CnnCost.IntegrationTests.Samples;

/// <summary>
/// The numbers each sample (and the notebook of the same name) prints, checked against <see cref="SampleOracles"/> and
/// the dissertation's printed values. Measured times vary with the machine, so only their sign is checked.
/// </summary>
internal static class SampleChecks
{
    /// <summary>The check for the sample or notebook called <paramref name="name"/> (without extension).</summary>
    internal static Action<string> For(string name) => name switch
    {
        "nin-tables" => NinTables,
        "measure-this-machine" => MeasureThisMachine,
        "whatif-your-network" => WhatIfYourNetwork,
        "squeezenet-sweep" => SqueezeNetSweep,
        "scaling-curves" => ScalingCurves,
        "roofline" => Roofline,
        "import-models" => ImportModels,
        _ => throw new InvalidOperationException($"no numbers are checked for '{name}': add its check to {nameof(SampleChecks)}"),
    };

    private static string Line(string output, string start) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).SingleOrDefault(l => l.StartsWith(start, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no line starts with '{start}' in:\n{output}");

    /// <summary>The numbers written as <c>1.23x</c> in a line, in order.</summary>
    private static double[] Ratios(string line) =>
        [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(t => t.Length > 1 && t.EndsWith('x') && char.IsDigit(t[^2]))
            .Select(t => double.Parse(t.TrimStart('x').TrimEnd('x'), CultureInfo.InvariantCulture))];

    /// <summary>Table 4.1: every modification's scope and its output, parameter and computation ratios to one decimal.</summary>
    internal static void NinTables(string output)
    {
        // The oracle reproduces Table 4.2's totals: 30.4 MB and 2.27 TF at batch 1024 (biases included, fp32).
        var nin = Nin();
        Assert.Equal("30.4", F(nin.Parameters * 4 / 1e6, "0.0"));
        Assert.Equal("2.27", F(nin.Flops * 1024 / 1e12, "0.00"));
        Assert.Contains("Table 4.2  Initial CNN (NiN)                      None   output x1.0  params x1.0  computation x1.0", output);
        foreach (var (table, description, scope, costs) in NinCases)
        {
            Assert.Contains($"Table {table}  {description,-38} {scope,-6} output x{F((double)costs.Outputs / nin.Outputs, "0.0")}  "
                + $"params x{F((double)costs.Parameters / nin.Parameters, "0.0")}  computation x{F((double)costs.Flops / nin.Flops, "0.0")}", output);
        }

        // The dissertation's printed computation totals (Tables 4.3-4.8), from the oracle at batch 1024.
        Assert.Equal(["2.91", "2.57", "2.99", "2.49", "8.65", "9.67"], NinCases.Select(c => F(c.Costs.Flops * 1024 / 1e12, "0.00")));
    }

    /// <summary>The FLOP ratios beside the measured ones: Table 4.1's to two decimals, and AlexNet 227 over 99 (5.55x).</summary>
    internal static void MeasureThisMachine(string output)
    {
        var nin = Nin().Flops;
        foreach (var (_, description, _, costs) in NinCases)
        {
            var ratios = Ratios(Line(output, description));
            Assert.Equal(F((double)costs.Flops / nin, "0.00"), F(ratios[^2], "0.00"));
            // Times depend on the machine and on what else runs: only a verified, positive ratio is asserted.
            Assert.True(ratios[^1] > 0, $"{description}: a measured ratio of {ratios[^1]}");
        }

        var alexnet = Ratios(Line(output, "AlexNet 227x227 over 99x99"));
        Assert.Equal(F((double)AlexNet().Flops / AlexNet(99).Flops, "0.00"), F(alexnet[^2], "0.00"));
        Assert.True(alexnet[^1] > 0);
    }

    /// <summary>Each change's scope and its FLOP and parameter ratios on the sample's own network.</summary>
    internal static void WhatIfYourNetwork(string output)
    {
        var mine = Mine();
        (string Spec, string Scope, LayerTotals Costs)[] changes =
        [
            ("filters:conv2=128", "Local", Mine(conv2Filters: 128)),
            ("kernel:conv3=5x5,pad=2", "Local", Mine(conv3Kernel: 5)),
            ("stride:conv1=1", "Global", Mine(conv1Stride: 1)),
            ("remove:pool2", "Global", Mine(pool2: false)),
            ("categories=100", "Local", Mine(categories: 100)),
        ];
        // The report's summary closes with the hand-counted totals (batch 1): parameters, then FLOPs.
        Assert.Matches($@"^total\s+{F(mine.Parameters, "N0")}\s+{F(mine.Flops, "N0")}$", Line(output, "total "));
        foreach (var (spec, scope, costs) in changes)
        {
            Assert.StartsWith($"{spec,-24} {scope,-7} FLOPs x{F((double)costs.Flops / mine.Flops, "0.00")}  params x{F((double)costs.Parameters / mine.Parameters, "0.00")}  reaches ",
                Line(output, spec + " "));
        }
    }

    /// <summary>8 squeeze ratios x 7 pct3x3 = 56 designs; the printed front is the oracle's front, each size and FLOPs right.</summary>
    internal static void SqueezeNetSweep(string output)
    {
        var designs = (from sr in Enumerable.Range(1, 8) from pct in Enumerable.Range(1, 7) select (Sr: sr / 8.0, Pct: pct / 8.0, Costs: SqueezeNet(sr / 8.0, pct / 8.0))).ToArray();
        Assert.Equal(1_248_424, SqueezeNet().Parameters);                            // Table 5.1
        // Minimize size and maximize FLOPs per parameter byte: a design is on the front when no other is at least as good in both and better in one.
        static double PerByte((double Sr, double Pct, LayerTotals Costs) d) => (double)d.Costs.Flops / d.Costs.Parameters;
        var front = designs.Where(d => !designs.Any(o => o.Costs.Parameters <= d.Costs.Parameters && PerByte(o) >= PerByte(d)
            && (o.Costs.Parameters < d.Costs.Parameters || PerByte(o) > PerByte(d)))).ToArray();
        Assert.Contains($"56 designs, {front.Length} on the front of (size, -FLOPs per byte):", output);
        var printed = output.Split('\n').Where(l => l.StartsWith("  SR ", StringComparison.Ordinal)).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(front.Length, printed.Length);
        foreach (var d in front)
        {
            Assert.Contains($"  SR {F(d.Sr, "0.000")} pct3x3 {F(d.Pct, "0.000")}: {F(d.Costs.Parameters * 4 / 1048576.0, "0.00"),6} MiB, {F(d.Costs.Flops / 1e9, "0.00")} GFLOPs", printed);
        }
    }

    /// <summary>NiN's best speedup and break-even point on K20s over 7 GB/s links for each gradient exchange, by Eq. 3.3, 3.4 and the ring.</summary>
    internal static void ScalingCurves(string output)
    {
        foreach (var (scheme, label) in new[] { ("ps", "parameter server"), ("tree", "reduction tree"), ("ring", "ring") })
        {
            var (best, bestWorkers, breakEven) = NinScaling(scheme, [1, 2, 4, 8, 16, 32, 64, 128]);
            Assert.Contains($"{label,-16} best speedup {F(best, "0.0")}x at {bestWorkers} workers; communication reaches computation at {breakEven?.ToString(CultureInfo.InvariantCulture) ?? "none of the listed"} workers", output);
        }
    }

    /// <summary>
    /// Data-parallel NiN at batch 1024 on K20s (3.52 TFLOP/s) over 56 Gbit/s: a training step is 3 x 1024 frames of
    /// 2,213,208,288 FLOPs; the gradients are 7,595,176 parameters x 4 B. Returns the best speedup, where, and the first
    /// worker count whose communication reaches its computation.
    /// </summary>
    internal static (double Best, int Workers, int? BreakEven) NinScaling(string scheme, int[] workers)
    {
        var nin = Nin();
        var (bytes, bandwidth, step) = (nin.Parameters * 4.0, 7e9, 3.0 * nin.Flops * 1024 / 3.52e12);
        double Communication(int p) => p == 1 ? 0 : scheme switch
        {
            "ps" => bytes * p / bandwidth,
            "tree" => bytes * 2 * Math.Ceiling(Math.Log2(p)) / bandwidth,
            _ => 2.0 * (p - 1) / p * bytes / bandwidth,
        };
        var speedups = workers.Select(p => (p, Speedup: step / (step / p + Communication(p)))).ToArray();
        var best = speedups.MaxBy(s => s.Speedup);
        var breakEven = workers.Where(p => p > 1 && Communication(p) >= step / p).Select(p => (int?)p).FirstOrDefault();
        return (best.Speedup, best.p, breakEven);
    }

    /// <summary>VGG-16 at batch 16 on a P100: the ridge, which layers fall on either side, and the sum of the layers' times.</summary>
    internal static void Roofline(string output)
    {
        const double peak = 10.6e12, bandwidth = 732e9;
        var layers = Vgg16Roofline(16);
        Assert.Contains($"ridge point {F(peak / bandwidth, "0.0")} FLOPs/byte", output);
        bool ComputeBound(RooflineLayer l) => l.Flops / (l.Values * 4) >= peak / bandwidth;
        Assert.Contains("compute bound: " + string.Join(", ", layers.Where(ComputeBound).Select(l => l.Name)), output);
        Assert.Contains("memory bound:  " + string.Join(", ", layers.Where(l => !ComputeBound(l)).Select(l => l.Name)), output);
        var seconds = layers.Sum(l => l.Flops > 0 ? l.Flops / Math.Min(peak, l.Flops / (l.Values * 4) * bandwidth) : l.Values * 4 / bandwidth);
        Assert.Contains($"at least {F(seconds * 1e3, "0.0")} ms per batch of 16", output);
    }

    /// <summary>AlexNet written and read back as prototxt and ONNX: 60,965,224 parameters and 46.4 GFLOPs at batch 32 both ways.</summary>
    internal static void ImportModels(string output)
    {
        var alexnet = AlexNet();
        Assert.Equal(60_965_224, alexnet.Parameters);
        var totals = $"{alexnet.Parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters, {F(alexnet.Flops * 32 / 1e9, "0.0")} GFLOPs at batch 32";
        Assert.Contains(totals, Line(output, "alexnet.prototxt"));
        Assert.Contains(totals, Line(output, "alexnet.onnx"));
        Assert.Contains("a bad file: broken.prototxt: line 1", output);
    }

    /// <summary>The README's quick start: NiN's totals, the builder network's rows, 32 workers, the conv7 what-if and the sweep.</summary>
    internal static void Readme(string output)
    {
        Assert.Contains("30.4 MB of parameters, 2.27 TFLOPs", output);               // Table 4.2
        // The builder network: conv2 reads 32x32x32 and has 64 3x3 filters: 18,432 weights, 2 · 18,432 · 32 · 32 FLOPs.
        var conv2 = Line(output, "conv2 ");
        Assert.Contains("64x32x32", conv2);
        Assert.Contains(" 18432 weights ", conv2);
        Assert.Contains(" 37748736 FLOPs", conv2);
        Assert.Contains($"32 workers: {F(NinScaling("tree", [1, 8, 32]).Best, "0.0")}x", output);
        Assert.Contains("Local: conv7, relu7, conv8, relu8, conv9, relu9, pool9", output);
        var conv7 = NinCases[2].Costs;
        Assert.Contains($"FLOPs x{F((double)conv7.Flops / Nin().Flops, "F3")}, parameters x{F((double)conv7.Parameters / Nin().Parameters, "F3")}.", output);
        Assert.Contains("24 designs, ", output);                                    // 8 squeeze ratios x 3 pct3x3
    }
}
