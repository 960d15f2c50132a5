using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Hardware;

namespace CnnCost.Reporting;

/// <summary>The table of two <see cref="MemoryFootprint"/>s, inference beside training, part by part.</summary>
public static class MemoryViews
{
    /// <summary>Weights, gradients, optimizer state, activations and the total, for inference and for training.</summary>
    /// <param name="report">The report the footprints were computed from.</param>
    /// <param name="inference">The inference footprint.</param>
    /// <param name="training">The training footprint.</param>
    /// <param name="optimizer">The optimizer whose state training keeps.</param>
    /// <param name="style">Prefixes chosen per number, or fixed units.</param>
    /// <returns>The table.</returns>
    public static TextTable Table(CostReport report, MemoryFootprint inference, MemoryFootprint training, Optimizer optimizer, NumberStyle style)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(inference);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(style);
        ImmutableArray<ImmutableArray<string>> rows =
        [
            ["weights", style.Bytes(inference.Weights), style.Bytes(training.Weights)],
            ["gradients", style.Bytes(inference.Gradients), style.Bytes(training.Gradients)],
            [$"optimizer state ({OptimizerName(optimizer)})", style.Bytes(inference.OptimizerState), style.Bytes(training.OptimizerState)],
            ["activations", style.Bytes(inference.Activations), style.Bytes(training.Activations)],
            ["total", style.Bytes(inference.Total), style.Bytes(training.Total)],
        ];
        ImmutableArray<TextColumn> columns =
        [
            new("part", ColumnAlignment.Left), new(style.BytesHeader("inference", "inference")), new(style.BytesHeader("training", "training")),
        ];
        ImmutableArray<string> notes =
        [
            $"batch {report.Batch}, {report.Conventions.Precision}; inference activations: the largest set alive at once (peak at {inference.PeakLayer}), "
                + "each output living from its layer to its last reader, in-place layers sharing their input's buffer",
            "training activations: every output kept for the backward pass, the input included; not counted: convolution workspace, "
                + $"framework overhead, fragmentation, and the transient data-gradient buffers of the backward pass; {style.Legend}",
        ];
        return new TextTable($"{report.Model}: memory footprint", columns, rows, notes);
    }

    /// <summary>An optimizer in words: <c>SGD</c>, <c>SGD with momentum</c>, <c>Adam</c>.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <returns>The name.</returns>
    public static string OptimizerName(Optimizer optimizer) => optimizer switch
    {
        Optimizer.Sgd => "SGD",
        Optimizer.SgdMomentum => "SGD with momentum",
        Optimizer.Adam => "Adam",
        _ => optimizer.ToString(),
    };
}
