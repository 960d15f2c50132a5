using System.Collections.Immutable;
using CnnCost.Graph;

namespace CnnCost.Costs;

/// <summary>Whether FLOPs count one forward pass (inference) or forward plus both backward passes (training, 3x).</summary>
public enum Phase
{
    /// <summary>One forward pass.</summary>
    Inference,

    /// <summary>Forward, gradient w.r.t. data and gradient w.r.t. weights: three times the inference FLOPs (dissertation 4.3.3).</summary>
    Training,
}

/// <summary>What an analysis assumes beyond the network itself.</summary>
public sealed record AnalysisOptions
{
    /// <summary>Inference at batch 1 under the network's own conventions.</summary>
    public static AnalysisOptions Default { get; } = new();

    /// <summary>Data items per batch (the dissertation's tables use 1024). At least 1.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Inference or training FLOPs.</summary>
    public Phase Phase { get; init; } = Phase.Inference;

    /// <summary>The conventions to count under, or <see langword="null"/> for the network's own (<see cref="Network.Conventions"/>).</summary>
    public Conventions? Conventions { get; init; }
}

/// <summary>The costs of one layer over one batch. Counts are exact; bytes follow the report's precision.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Kind">What the layer computes.</param>
/// <param name="InputShapes">The shapes the layer reads, one per input (empty for the input layer).</param>
/// <param name="Output">The shape of one item's output.</param>
/// <param name="Weights">Weight values (batch norm: the scale γ, one per channel).</param>
/// <param name="Biases">Bias values (batch norm: the shift β), counted whether or not they count toward bytes.</param>
/// <param name="ParameterBytes">Bytes of the weights, plus the biases when the conventions count them.</param>
/// <param name="OutputElements">Output values over the batch, Eq. 3.2.</param>
/// <param name="OutputBytes">Bytes of the output over the batch.</param>
/// <param name="Flops">Floating-point operations over the batch in the report's phase.</param>
/// <param name="InPlace">Whether the layer overwrites its input (then its output adds nothing to the totals).</param>
/// <param name="Macs">
/// Multiply-accumulates of convolution and fully-connected layers over the batch in the report's phase, the count
/// other tools (fvcore, ptflops, torchinfo's "mult-adds") print; 0 for other kinds. FLOPs are 2 · MACs for these layers.
/// </param>
public sealed record LayerCost(
    string Name,
    LayerKind Kind,
    ImmutableArray<Shape> InputShapes,
    Shape Output,
    long Weights,
    long Biases,
    long ParameterBytes,
    long OutputElements,
    long OutputBytes,
    long Flops,
    bool InPlace,
    long Macs = 0)
{
    /// <summary>Weights plus biases.</summary>
    public long Parameters => Weights + Biases;

    /// <summary>
    /// The FLOPs that are not multiply-accumulates, <c>Flops − 2·Macs</c>: pooling, and the element-wise, normalization,
    /// reduction and interpolation operations when the conventions count them (<see cref="Conventions.CountElementwiseOps"/>).
    /// </summary>
    public long OtherOps => Flops - 2 * Macs;
}

/// <summary>Totals of a report's rows.</summary>
/// <param name="Weights">All weight values.</param>
/// <param name="Biases">All bias values.</param>
/// <param name="ParameterBytes">The model size: the sum of the rows' parameter bytes.</param>
/// <param name="OutputBytes">Output bytes of every layer that owns a buffer, the input layer included.</param>
/// <param name="ActivationBytes">The same without the input layer.</param>
/// <param name="Flops">All FLOPs in the report's phase.</param>
/// <param name="Macs">All multiply-accumulates of convolution and fully-connected layers in the report's phase.</param>
public sealed record CostTotals(long Weights, long Biases, long ParameterBytes, long OutputBytes, long ActivationBytes, long Flops, long Macs = 0)
{
    /// <summary>All FLOPs that are not multiply-accumulates, <c>Flops − 2·Macs</c> (see <see cref="LayerCost.OtherOps"/>).</summary>
    public long OtherOps => Flops - 2 * Macs;

    /// <summary>Weights plus biases.</summary>
    public long Parameters => Weights + Biases;
}

/// <summary>
/// The per-layer costs of a network and their totals, under stated options. Plain data: reporting and the
/// command line only format it.
/// </summary>
/// <param name="Model">The network's name.</param>
/// <param name="Options">The batch, phase and conventions in force (conventions always resolved).</param>
/// <param name="Input">The input shape of one item.</param>
/// <param name="Layers">One row per layer in topological order, the input layer first.</param>
/// <param name="Totals">The totals.</param>
public sealed record CostReport(string Model, AnalysisOptions Options, Shape Input, ImmutableArray<LayerCost> Layers, CostTotals Totals)
{
    /// <summary>The batch size.</summary>
    public int Batch => Options.Batch;

    /// <summary>The phase the FLOPs count.</summary>
    public Phase Phase => Options.Phase;

    /// <summary>The conventions the numbers were computed under.</summary>
    public Conventions Conventions => Options.Conventions!;

    /// <summary>
    /// A readable summary, like a Keras or torchinfo model summary: one line per layer with its name, kind, output
    /// shape (one item), parameters and FLOPs (the whole batch), a total line, then the precision and the bytes.
    /// </summary>
    /// <returns>Several lines of plain text, columns aligned.</returns>
    public override string ToString() => CostSummary.Write(this);

    /// <summary>The row of the layer called <paramref name="name"/>.</summary>
    /// <param name="name">A layer name.</param>
    /// <exception cref="KeyNotFoundException">The report has no such layer.</exception>
    public LayerCost this[string name]
    {
        get
        {
            foreach (var row in Layers)
            {
                if (row.Name == name)
                {
                    return row;
                }
            }

            throw new KeyNotFoundException($"the report of '{Model}' has no layer '{name}'");
        }
    }
}
