using System.Collections.Immutable;
using System.Globalization;
using CnnCost.Distributed;

namespace CnnCost.Reporting;

/// <summary>The table of a <see cref="ScalingReport"/>, for people: one row per worker count, times in readable units.</summary>
public static class ScalingViews
{
    /// <summary>
    /// One row per worker count: compute, communication and step time, speedup, efficiency and frames per second; notes
    /// give the setting in words and where communication reaches computation.
    /// </summary>
    /// <param name="report">The scaling report.</param>
    /// <returns>The table.</returns>
    public static TextTable Table(ScalingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Rows.Select(r => (ImmutableArray<string>)
        [
            r.Workers.ToString(CultureInfo.InvariantCulture), Units.Duration(r.ComputeSeconds), Units.Duration(r.CommunicationSeconds),
            Units.Duration(r.StepSeconds), string.Create(CultureInfo.InvariantCulture, $"{r.Speedup:0.00}x"),
            r.Efficiency.ToString("0.0%", CultureInfo.InvariantCulture), r.FramesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
        ]).ToImmutableArray();
        ImmutableArray<TextColumn> columns =
        [
            new("workers"), new("compute"), new("communication"), new("step"), new("speedup"), new("efficiency"), new("frames/s"),
        ];
        var s = report.Setup;
        var c = s.Communication;
        var scheme = c.Scheme == CommunicationScheme.ReductionTree ? $"{SchemeName(c.Scheme)} (branching {c.Branching})" : SchemeName(c.Scheme);
        ImmutableArray<string> notes =
        [
            string.Create(CultureInfo.InvariantCulture,
                $"{s.Mode.ToString().ToLowerInvariant()} scaling, {s.Parallelism.ToString().ToLowerInvariant()} parallelism, batch {s.Batch}, {scheme} "
                + $"at {c.BandwidthBytesPerSecond / 1e9:0.###} GB/s, worker {s.WorkerFlopsPerSecond / 1e12:0.###} TFLOP/s, "
                + $"{s.GradientBits}-bit gradients: {Units.Significant(report.GradientBytes / 1e6)} MB per worker per step"),
            report.BreakEvenWorkers is { } b
                ? $"communication reaches computation at {b} workers"
                : "communication stays below computation at every listed worker count",
        ];
        return new TextTable($"{report.Model}: training step time vs workers", columns, rows, notes);
    }

    /// <summary>A communication scheme in words, as legends and notes write it.</summary>
    /// <param name="scheme">The scheme.</param>
    /// <returns><c>parameter server</c>, <c>reduction tree</c> or <c>ring</c>.</returns>
    public static string SchemeName(CommunicationScheme scheme) => scheme switch
    {
        CommunicationScheme.ParameterServer => "parameter server",
        CommunicationScheme.ReductionTree => "reduction tree",
        CommunicationScheme.Ring => "ring",
        _ => scheme.ToString(),
    };
}
