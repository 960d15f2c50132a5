using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Distributed;
using CnnCost.Graph;
using CnnCost.Hardware;
using CnnCost.Reporting;
using CnnCost.Zoo;

namespace CnnCost.Dissertation;

/// <summary>One measured FireCaffe speedup (Tables 3.2, 3.3) next to the scaling model's.</summary>
/// <param name="Model">The network.</param>
/// <param name="Workers">GPUs.</param>
/// <param name="Batch">The global batch of the multi-GPU run.</param>
/// <param name="Measured">The speedup the table reports.</param>
/// <param name="Modelled">The model's speedup at full efficiency on the stated presets.</param>
/// <param name="EfficiencyToAgree">
/// The fraction of the K20's peak that makes the model give the measured speedup; above 1 when the model at peak
/// already exceeds the measurement; null when no efficiency can (a measured speedup of p or more).
/// </param>
public sealed record FireCaffeComparison(string Model, int Workers, int Batch, double Measured, double Modelled, double? EfficiencyToAgree)
{
    /// <summary>Relative error of the model against the measurement.</summary>
    public double RelativeError => (Modelled - Measured) / Measured;
}

/// <summary>Chapter 3 of the dissertation recomputed: Table 3.1 and the FireCaffe speedups of Tables 3.2 and 3.3.</summary>
public static class ChapterThree
{
    /// <summary>The batch of Table 3.1.</summary>
    public const int Batch = 1024;

    /// <summary>
    /// The interconnect the FireCaffe comparison assumes: 56 Gbit/s FDR Infiniband (7 GB/s per node), the class of
    /// Titan's Cray Gemini links; a binary reduction tree (Eq. 3.4).
    /// </summary>
    public static CommunicationModel FireCaffeInterconnect { get; } = new(CommunicationScheme.ReductionTree, 7e9);

    // Table 3.1 as printed: |D| MB, |W| MB, ratio, forward+backward TF per batch of 1024.
    private static readonly (string Row, Func<Network> Network, string Data, string Weights, string Ratio, string Flops)[] PrintedTable31 =
    [
        ("NiN", NetworkInNetwork.Create, "5800MB", "30MB", "195", "6.7TF"),
        ("AlexNet (grouped, Caffe BVLC)", AlexNet.Create, "1680MB", "249MB", "10.2", "7.0TF"),
        ("AlexNet (ungrouped)", AlexNet.Ungrouped, "1680MB", "249MB", "10.2", "7.0TF"),
        ("GoogLeNet", () => GoogLeNet.Create(), "19100MB", "54MB", "358", "9.7TF"),
        ("GoogLeNet (with auxiliary classifiers)", () => GoogLeNet.Create(auxiliaryClassifiers: true), "19100MB", "54MB", "358", "9.7TF"),
        ("VGG-19", Vgg.Vgg19, "42700MB", "575MB", "71.7", "120TF"),
    ];

    // Tables 3.2 and 3.3: FireCaffe's measured speedups over one K20.
    private static readonly (string Model, Func<Network> Network, int Workers, int Batch, double Speedup)[] MeasuredSpeedups =
    [
        ("NiN", NetworkInNetwork.Create, 32, 256, 13),
        ("NiN", NetworkInNetwork.Create, 32, 1024, 23),
        ("NiN", NetworkInNetwork.Create, 128, 1024, 39),
        ("GoogLeNet", () => GoogLeNet.Create(), 32, 1024, 20),
        ("GoogLeNet", () => GoogLeNet.Create(), 128, 1024, 47),
    ];

    /// <summary>
    /// Table 3.1: activations |D| (Eq. 3.2, every layer that owns its output, the input left out), weights |W|
    /// (Eq. 3.1 with biases), their ratio, and forward+backward TFLOPs per batch of 1024 (3x inference), with the
    /// printed values compared. AlexNet's and GoogLeNet's rows are computed for both variants, to show which one the
    /// printed row follows.
    /// </summary>
    /// <returns>The recomputed table.</returns>
    public static RecomputedTable Table31()
    {
        var comparisons = ImmutableArray.CreateBuilder<PrintedComparison>();
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        var notes = ImmutableArray.CreateBuilder<string>();
        foreach (var printed in PrintedTable31)
        {
            var report = CostModel.Analyze(printed.Network(), new AnalysisOptions { Batch = Batch });
            var data = report.Totals.ActivationBytes;
            var weights = report.Totals.ParameterBytes;
            var trainingFlops = CostEquations.TrainingFlops(report.Totals.Flops);
            var ratio = (double)data / weights;
            rows.Add(
            [
                printed.Row,
                NinTables.Compare("3.1", printed.Row, "|D|", printed.Data, data, 1e6, "B", comparisons, notes),
                NinTables.Compare("3.1", printed.Row, "|W|", printed.Weights, weights, 1e6, "B", comparisons, notes),
                NinTables.Compare("3.1", printed.Row, "|D|/|W|", printed.Ratio, (long)Math.Round(ratio * 10), 10, "", comparisons, notes),
                NinTables.Compare("3.1", printed.Row, "F+B TFLOPs", printed.Flops, trainingFlops, 1e12, "F", comparisons, notes),
            ]);
        }

        notes.Insert(0, "batch 1024, fp32, biases included, MB = 10^6 bytes; |D| = output bytes of every layer but the input (in-place layers once); "
            + "a printed value agrees when the computed one rounds or truncates to it");
        ImmutableArray<TextColumn> columns =
        [
            new("architecture", ColumnAlignment.Left), new("data size |D|"), new("weight size |W|"), new("|D|/|W|"), new("forward+backward per batch"),
        ];
        return new RecomputedTable(new TextTable("Table 3.1: data, weights and computation, batch 1024", columns, rows.ToImmutable(), notes.ToImmutable()), comparisons.ToImmutable());
    }

    /// <summary>
    /// FireCaffe's measured speedups (Tables 3.2, 3.3) next to the scaling model's: K20 workers at full peak, the
    /// <see cref="FireCaffeInterconnect"/>, strong scaling at the multi-GPU run's batch, and the efficiency that
    /// would make the model agree. The single-GPU baselines of the tables used other batches and epochs (NiN 256,
    /// GoogLeNet 32 and 64 epochs), which a per-step model cannot see.
    /// </summary>
    /// <returns>One comparison per measured speedup.</returns>
    public static ImmutableArray<FireCaffeComparison> FireCaffe()
    {
        var results = ImmutableArray.CreateBuilder<FireCaffeComparison>();
        foreach (var run in MeasuredSpeedups)
        {
            var network = run.Network();
            var setup = new ScalingSetup(FireCaffeInterconnect, Devices.K20.PeakFlopsPerSecond, run.Batch);
            var report = ScalingModel.Analyze(network, setup, [1, run.Workers]);
            var modelled = report.Rows[1].Speedup;
            // speedup S = C/(eP) / (C/(p e P) + T)  =>  e = C (1 - S/p) / (S T P), with C the step's FLOPs and T its communication.
            var c = (double)report.FlopsPerStep;
            var t = report.Rows[1].CommunicationSeconds;
            var s = run.Speedup;
            var efficiency = c * (1 - s / run.Workers) / (s * t * Devices.K20.PeakFlopsPerSecond);
            results.Add(new FireCaffeComparison(run.Model, run.Workers, run.Batch, s, modelled, efficiency > 0 ? efficiency : null));
        }

        return results.ToImmutable();
    }

    /// <summary>The FireCaffe comparison as a table.</summary>
    /// <returns>The table.</returns>
    public static TextTable FireCaffeTable()
    {
        var rows = FireCaffe().Select(c => (ImmutableArray<string>)
        [
            c.Model, c.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{c.Measured:0}x", $"{c.Modelled:0.0}x", $"{c.RelativeError:+0%;-0%}",
            c.EfficiencyToAgree switch
            {
                null => "none",
                > 1 and var e => $"{e:0.0%} (above peak: the model at peak already exceeds the measurement)",
                var e => $"{e:0.0%}",
            },
        ]).ToImmutableArray();
        ImmutableArray<TextColumn> columns =
        [
            new("model", ColumnAlignment.Left), new("GPUs"), new("batch"), new("measured"), new("model at peak"), new("error"), new("K20 efficiency that agrees"),
        ];
        ImmutableArray<string> notes =
        [
            $"workers: {Devices.K20}; interconnect: binary reduction tree (Eq. 3.4) at {FireCaffeInterconnect.BandwidthBytesPerSecond / 1e9:0.#} GB/s per node (56 Gbit/s Infiniband class)",
            "the tables' single-GPU baselines used other batches and epochs than the multi-GPU runs; the model compares steps of the same batch",
        ];
        return new TextTable("Tables 3.2 and 3.3: FireCaffe's measured speedups vs the scaling model", columns, rows, notes);
    }
}
