using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.Hardware;

/// <summary>The optimizer whose state training keeps per parameter.</summary>
public enum Optimizer
{
    /// <summary>Plain SGD: no state.</summary>
    Sgd,

    /// <summary>SGD with momentum: one velocity per parameter.</summary>
    SgdMomentum,

    /// <summary>Adam: first and second moments, two values per parameter.</summary>
    Adam,
}

/// <summary>The bytes a network needs at once, by what they hold.</summary>
/// <param name="Weights">Parameters (weights and biases), at the report's precision.</param>
/// <param name="Gradients">Parameter gradients (training), as many as the parameters.</param>
/// <param name="OptimizerState">Optimizer state (training): 0, 1 or 2 values per parameter.</param>
/// <param name="Activations">
/// Inference: the largest set of outputs alive at once, walking the layers in order (an output lives from its layer
/// until its last consumer; in-place layers reuse their input). Training: every output kept for the backward pass,
/// the input included, in-place outputs once.
/// </param>
/// <param name="PeakLayer">Inference: the layer during which the live set peaks; training: null.</param>
public sealed record MemoryFootprint(long Weights, long Gradients, long OptimizerState, long Activations, string? PeakLayer)
{
    /// <summary>The sum of all parts.</summary>
    public long Total => Weights + Gradients + OptimizerState + Activations;
}

/// <summary>
/// Memory footprints for inference and training, stating exactly what they count (see <see cref="MemoryFootprint"/>).
/// Not counted: workspace of convolution algorithms, framework overhead, fragmentation, the data-gradient buffers
/// of the backward pass (at most the largest two activations at a time).
/// </summary>
public static class MemoryModel
{
    /// <summary>Inference: weights plus the largest set of simultaneously live activations over the graph.</summary>
    /// <param name="network">The network.</param>
    /// <param name="report">Its report (batch and precision).</param>
    /// <returns>The footprint.</returns>
    /// <exception cref="ArgumentException">The report is not of this network.</exception>
    /// <exception cref="CnnCostException">A byte count exceeds 2^63-1.</exception>
    public static MemoryFootprint Inference(Network network, CostReport report)
    {
        CheckReportOf(network, report);
        var count = network.Layers.Length;
        // Each layer's storage: its own buffer, or (in place) its input's.
        var owner = new int[count];
        var lastUse = new int[count];
        for (var i = 0; i < count; i++)
        {
            owner[i] = report.Layers[i].InPlace ? owner[network.InputIndicesOf(i)[0]] : i;
            lastUse[owner[i]] = Math.Max(lastUse[owner[i]], i);
            foreach (var input in network.InputIndicesOf(i))
            {
                lastUse[owner[input]] = Math.Max(lastUse[owner[input]], i);
            }
        }

        // The buffers each layer is the last to read, so a pass over the layers frees them in linear time.
        var freedAfter = new List<int>?[count];
        for (var j = 0; j < count; j++)
        {
            if (owner[j] == j)
            {
                (freedAfter[lastUse[j]] ??= []).Add(j);
            }
        }

        long live = 0, peak = 0;
        var peakLayer = network.Layers[0].Name;
        for (var i = 0; i < count; i++)
        {
            if (owner[i] == i)
            {
                try
                {
                    live = checked(live + report.Layers[i].OutputBytes);
                }
                catch (OverflowException overflow)
                {
                    // Only a report made by hand gets here: the cost model's checked total of owned outputs bounds the live set.
                    throw new CnnCostException($"model '{report.Model}': the activations live at layer '{report.Layers[i].Name}' exceed 2^63-1 bytes", overflow);
                }
            }

            if (live > peak)
            {
                (peak, peakLayer) = (live, network.Layers[i].Name);
            }

            // Stryker disable once Arithmetic : freeing after the last layer (count + 1) changes nothing: the loop ends before live is read again
            if (i < count - 1 && freedAfter[i] is { } freed)
            {
                foreach (var j in freed)
                {
                    live -= report.Layers[j].OutputBytes;
                }
            }
        }

        return new MemoryFootprint(ParameterBytes(report), 0, 0, peak, peakLayer);
    }

    /// <summary>Training: weights, their gradients, the optimizer's state and every activation kept for the backward pass.</summary>
    /// <param name="network">The network (the same first argument as <see cref="Inference"/>).</param>
    /// <param name="report">Its report (batch and precision).</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <returns>The footprint.</returns>
    /// <exception cref="ArgumentException">The report is not of this network.</exception>
    /// <exception cref="CnnCostException">A byte count exceeds 2^63-1.</exception>
    public static MemoryFootprint Training(Network network, CostReport report, Optimizer optimizer)
    {
        CheckReportOf(network, report);
        var parameters = ParameterBytes(report);
        var statePerParameter = optimizer switch { Optimizer.Sgd => 0, Optimizer.SgdMomentum => 1, _ => 2 };
        try
        {
            return new MemoryFootprint(parameters, parameters, checked(statePerParameter * parameters), report.Totals.OutputBytes, null);
        }
        catch (OverflowException overflow)
        {
            throw new CnnCostException($"model '{report.Model}': the optimizer's state exceeds 2^63-1 bytes", overflow);
        }
    }

    /// <summary>Both footprints take the network and its report: a report of another network is a caller's mistake.</summary>
    private static void CheckReportOf(Network network, CostReport report)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(report);
        if (report.Layers.Length != network.Layers.Length || report.Model != network.Name)
        {
            throw new ArgumentException($"the report is of '{report.Model}', not of network '{network.Name}'", nameof(report));
        }
    }

    /// <summary>All parameters, biases included whatever the report's bias convention: memory holds them all.</summary>
    private static long ParameterBytes(CostReport report)
    {
        try
        {
            return report.Conventions.Precision.BytesFor(checked(report.Totals.Weights + report.Totals.Biases));
        }
        catch (OverflowException overflow)
        {
            throw new CnnCostException($"model '{report.Model}': its parameters exceed 2^63-1 bytes", overflow);
        }
    }
}
