using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.Changes;

/// <summary>How far a change spreads (dissertation 4.4).</summary>
public enum ChangeScope
{
    /// <summary>Nothing changed.</summary>
    None,

    /// <summary>The change stays within a few layers; later layers keep their height and width.</summary>
    Local,

    /// <summary>The change alters the height and width every later layer of the spatial part sees.</summary>
    Global,
}

/// <summary>One layer's change: modified over baseline, or which side it exists on.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="OutputRatio">Output bytes, modified / baseline (1 when both are 0); null when on one side only.</param>
/// <param name="ParameterRatio">Parameter bytes, modified / baseline (1 when both are 0); null when on one side only or from 0.</param>
/// <param name="FlopRatio">FLOPs, modified / baseline (1 when both are 0); null when on one side only or from 0.</param>
/// <param name="Added">Whether the layer exists only in the modified network.</param>
/// <param name="Removed">Whether the layer exists only in the baseline.</param>
/// <param name="Changed">Whether its input shapes, output shape, parameters or FLOPs differ.</param>
public sealed record LayerDelta(string Name, double? OutputRatio, double? ParameterRatio, double? FlopRatio, bool Added, bool Removed, bool Changed);

/// <summary>Network-wide ratios of a change, modified over baseline.</summary>
/// <param name="Parameters">Parameter bytes (the data-parallel communication per step).</param>
/// <param name="Flops">FLOPs.</param>
/// <param name="Activations">Output bytes without the input layer (the "Qty of output" of Table 4.1).</param>
/// <param name="ComputationPerCommunication">FLOPs per parameter byte (4.5.2.2).</param>
public sealed record ChangeRatios(double Parameters, double Flops, double Activations, double ComputationPerCommunication);

/// <summary>What a change does to a network: both reports, per-layer ratios, the changed layers and the scope.</summary>
/// <param name="Baseline">The report of the network before the change.</param>
/// <param name="Modified">The report after it, under the same options.</param>
/// <param name="Layers">Per-layer deltas in the modified network's order, removed layers where they were.</param>
/// <param name="ChangedLayers">Every layer whose input shapes, output shape, parameters or FLOPs differ, added and removed ones included.</param>
/// <param name="Scope">Local or global, derived from the propagated shapes.</param>
/// <param name="ResizedLayers">The layers present on both sides whose output height or width changed.</param>
/// <param name="Ratios">Total ratios.</param>
/// <param name="ScalingNote">One sentence on what the change means for data-parallel scaling.</param>
public sealed record ChangeReport(
    CostReport Baseline,
    CostReport Modified,
    ImmutableArray<LayerDelta> Layers,
    ImmutableArray<string> ChangedLayers,
    ChangeScope Scope,
    ImmutableArray<string> ResizedLayers,
    ChangeRatios Ratios,
    string ScalingNote);

/// <summary>
/// Compares a network with a modified version of it (dissertation 4.4-4.6). The scope is derived from the
/// shapes the two networks propagate, never from the kind of edit: a change is <b>global</b> when some
/// layer's output height or width changes and the new size reaches every later layer up to the end of the
/// spatial part (the first global pooling or fully-connected layer); otherwise it is <b>local</b>.
/// </summary>
public static class ChangeAnalysis
{
    /// <summary>Applies <paramref name="modifications"/> to <paramref name="baseline"/> and compares the two.</summary>
    /// <param name="baseline">The network before the change.</param>
    /// <param name="modifications">The edits, applied in order.</param>
    /// <param name="options">Batch, phase and conventions for both reports.</param>
    /// <returns>The change report.</returns>
    /// <exception cref="NetworkDefinitionException">An edit fails; the message names the layer.</exception>
    public static ChangeReport Analyze(Network baseline, IEnumerable<Modification> modifications, AnalysisOptions? options = null) =>
        Compare(baseline, Modification.ApplyAll(baseline, modifications), options);

    /// <summary>Compares two networks under the same options.</summary>
    /// <param name="baseline">The network before the change.</param>
    /// <param name="modified">The network after it.</param>
    /// <param name="options">Batch, phase and conventions for both reports; the baseline's conventions when none are named.</param>
    /// <returns>The change report.</returns>
    public static ChangeReport Compare(Network baseline, Network modified, AnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(modified);
        options ??= AnalysisOptions.Default;
        options = options with { Conventions = options.Conventions ?? baseline.Conventions };
        var before = CostModel.Analyze(baseline, options);
        var after = CostModel.Analyze(modified, options);

        var deltas = Deltas(before, after);
        var changed = deltas.Where(d => d.Changed).Select(d => d.Name).ToImmutableArray();
        var resized = new List<string>();
        var resizedIndices = new HashSet<int>();
        for (var i = 0; i < after.Layers.Length; i++)
        {
            var row = after.Layers[i];
            if (baseline.IndexOf(row.Name) is var b and >= 0 && before.Layers[b].Output.Spatial != row.Output.Spatial)
            {
                resized.Add(row.Name);
                resizedIndices.Add(i);
            }
        }

        var scope = changed.IsEmpty ? ChangeScope.None : IsGlobal(modified, baseline, resizedIndices) ? ChangeScope.Global : ChangeScope.Local;
        var ratios = new ChangeRatios(
            Ratio(after.Totals.ParameterBytes, before.Totals.ParameterBytes) ?? double.NaN,
            Ratio(after.Totals.Flops, before.Totals.Flops) ?? double.NaN,
            Ratio(after.Totals.ActivationBytes, before.Totals.ActivationBytes) ?? double.NaN,
            RatioOf(ComputationPerCommunication(after), ComputationPerCommunication(before)));
        return new ChangeReport(before, after, deltas, changed, scope, [.. resized], ratios, ScalingNote(ratios));
    }

    /// <summary>FLOPs per parameter byte: the work a data-parallel worker does per byte of gradient it exchanges (4.5.2.2).</summary>
    /// <param name="report">A report.</param>
    /// <returns>FLOPs / parameter bytes (infinite for a network without parameters).</returns>
    public static double ComputationPerCommunication(CostReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Totals.ParameterBytes == 0 ? double.PositiveInfinity : (double)report.Totals.Flops / report.Totals.ParameterBytes;
    }

    private static bool IsGlobal(Network modified, Network baseline, HashSet<int> resized)
    {
        if (resized.Count == 0)
        {
            return false;
        }

        var layers = modified.Layers;
        var spatialEnd = layers.Length;
        for (var i = 0; i < layers.Length; i++)
        {
            if (layers[i] is FullyConnectedLayer or PoolingLayer { IsGlobal: true })
            {
                spatialEnd = i;
                break;
            }
        }

        var consumers = new List<int>[layers.Length];
        for (var i = 0; i < layers.Length; i++)
        {
            consumers[i] = [];
        }

        for (var i = 0; i < layers.Length; i++)
        {
            foreach (var input in modified.InputIndicesOf(i))
            {
                consumers[input].Add(i);
            }
        }

        foreach (var origin in resized)
        {
            if (origin >= spatialEnd)
            {
                continue;
            }

            // Global when every layer downstream of the origin, up to the end of the spatial part, is resized too.
            var reachesAll = true;
            var seen = new HashSet<int>();
            var pending = new Stack<int>(consumers[origin]);
            while (pending.Count > 0 && reachesAll)
            {
                var next = pending.Pop();
                if (next >= spatialEnd || !seen.Add(next))
                {
                    continue;
                }

                var existedBefore = baseline.Contains(layers[next].Name);
                reachesAll = !existedBefore || resized.Contains(next);
                foreach (var consumer in consumers[next])
                {
                    pending.Push(consumer);
                }
            }

            if (reachesAll)
            {
                return true;
            }
        }

        return false;
    }

    private static ImmutableArray<LayerDelta> Deltas(CostReport before, CostReport after)
    {
        var beforeIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < before.Layers.Length; i++)
        {
            beforeIndex[before.Layers[i].Name] = i;
        }

        var afterNames = after.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var deltas = ImmutableArray.CreateBuilder<LayerDelta>();
        var next = 0;
        foreach (var row in after.Layers)
        {
            if (!beforeIndex.TryGetValue(row.Name, out var b))
            {
                deltas.Add(new LayerDelta(row.Name, null, null, null, Added: true, Removed: false, Changed: true));
                continue;
            }

            for (; next < b; next++)
            {
                AddIfRemoved(before.Layers[next]);
            }

            // Stryker disable once Arithmetic : after the loop next >= b, so Max(next, b - 1) only revisits index b, the current row, never removed
            next = Math.Max(next, b + 1);
            var old = before.Layers[b];
            var changed = old.Output != row.Output || old.Flops != row.Flops || old.Weights != row.Weights || old.Biases != row.Biases
                || !old.InputShapes.SequenceEqual(row.InputShapes);
            deltas.Add(new LayerDelta(row.Name, Ratio(row.OutputBytes, old.OutputBytes), Ratio(row.ParameterBytes, old.ParameterBytes),
                Ratio(row.Flops, old.Flops), Added: false, Removed: false, changed));
        }

        for (; next < before.Layers.Length; next++)
        {
            AddIfRemoved(before.Layers[next]);
        }

        return deltas.ToImmutable();

        void AddIfRemoved(LayerCost old)
        {
            if (!afterNames.Contains(old.Name))
            {
                deltas.Add(new LayerDelta(old.Name, null, null, null, Added: false, Removed: true, Changed: true));
            }
        }
    }

    /// <summary>A ratio where equal values (0 and 0, ∞ and ∞ for networks without FLOPs or parameters) are 1, as in <see cref="Ratio"/>.</summary>
    private static double RatioOf(double modified, double baseline) => modified == baseline ? 1.0 : modified / baseline;

    private static double? Ratio(long modified, long baseline) =>
        baseline == 0 ? (modified == 0 ? 1.0 : null) : (double)modified / baseline;

    private static string ScalingNote(ChangeRatios ratios)
    {
        var r = ratios.ComputationPerCommunication;
        if (double.IsNaN(r) || Math.Abs(r - 1) < 0.005)
        {
            return "Computation per byte of communication is unchanged, so data-parallel training scales to as many workers as before (4.5.2.2).";
        }

        return r > 1
            ? $"Computation per byte of communication rises {(double.IsPositiveInfinity(r) ? "from none" : $"{r:0.00}x")}: each data-parallel worker does more work per gradient byte it exchanges, so training scales efficiently to more workers (4.5.2.2)."
            : $"Computation per byte of communication falls to {r:0.00}x: communication dominates at fewer data-parallel workers, so training scales less well (4.5.5).";
    }
}
