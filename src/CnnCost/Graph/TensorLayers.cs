using System.Collections.Immutable;

namespace CnnCost.Graph;

// Layers of the networks people use today beyond the dissertation's: they act on tensors of any rank. Their axes
// count the dimensions of one item (the batch is never an axis), from 0; importers turn a file's axes into these.

/// <summary>
/// An element-wise binary operation between activations, broadcast as NumPy broadcasts (trailing axes aligned, an
/// extent of 1 stretched), with an optional constant operand such as a LayerNorm scale, a layer scale or a position
/// embedding.
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Sources">The activations combined, in operand order (one or more).</param>
/// <param name="Operation">What is computed.</param>
/// <param name="Constant">The shape of a constant operand, or <see langword="null"/> when every operand is an activation.</param>
/// <param name="ConstantIsParameter">Whether the constant is learned (its values count as weights) rather than a literal such as 0.5.</param>
public sealed record ElementwiseLayer(
    string Name,
    ImmutableArray<string> Sources,
    ElementwiseOperation Operation,
    Shape? Constant = null,
    bool ConstantIsParameter = false) : Layer(Name)
{
    private readonly ImmutableArray<string> _sources = Sources.IsDefault ? [] : Sources;

    /// <summary>The activations combined (empty, never a default array).</summary>
    public ImmutableArray<string> Sources { get => _sources; init => _sources = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override ImmutableArray<string> Inputs => Sources;

    /// <inheritdoc />
    public override Layer WithInputs(IReadOnlyList<string> inputs) => this with { Sources = [.. inputs] };

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Elementwise;

    /// <inheritdoc />
    public override bool HasWeights => Constant is not null && ConstantIsParameter;

    /// <summary>Operands in all: the activations and the constant.</summary>
    public int Operands => Sources.Length + (Constant is null ? 0 : 1);

    internal override string? ParameterProblem() =>
        Sources.Length < 1 ? "an element-wise layer needs at least one activation"
        : Operands < 2 ? "an element-wise layer needs two operands: a second activation or a constant"
        : null;
}

/// <summary>How a <see cref="ReductionLayer"/> combines the values it reduces.</summary>
public enum ReductionOperation
{
    /// <summary>The mean: an addition per value and the share of the division, counted as two operations per value (as average pooling).</summary>
    Mean,
    /// <summary>The sum: one addition per value.</summary>
    Sum,
    /// <summary>The maximum: one comparison per value.</summary>
    Max,
    /// <summary>The minimum: one comparison per value.</summary>
    Min,
    /// <summary>The Euclidean norm: a multiply-add per value, two operations.</summary>
    L2,
}

/// <summary>A reduction over <paramref name="Axes"/> (ReduceMean, ReduceSum, …); global pooling is a mean over the height and width.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Operation">How values combine.</param>
/// <param name="Axes">The axes reduced, each once.</param>
/// <param name="KeepDimensions">Whether each reduced axis stays as an extent of 1 (otherwise it is removed).</param>
public sealed record ReductionLayer(string Name, string Input, ReductionOperation Operation, ImmutableArray<int> Axes, bool KeepDimensions)
    : SingleInputLayer(Name, Input)
{
    private readonly ImmutableArray<int> _axes = Axes.IsDefault ? [] : Axes;

    /// <summary>The axes reduced (empty, never a default array).</summary>
    public ImmutableArray<int> Axes { get => _axes; init => _axes = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Reduction;

    internal override string? ParameterProblem() =>
        Axes.Length == 0 ? "a reduction needs at least one axis"
        : Axes.Any(a => a < 0) ? $"reduction axes must not be negative, got {string.Join(",", Axes)}"
        : Axes.Distinct().Count() != Axes.Length ? $"reduction axes repeat: {string.Join(",", Axes)}"
        : null;
}

/// <summary>Which statistics a <see cref="NormalizationLayer"/> normalizes with.</summary>
public enum NormalizationMethod
{
    /// <summary>Over the axes from <see cref="NormalizationLayer.Axis"/> to the last, at every position (Ba et al. 2016); scale and shift per normalized value.</summary>
    Layer,
    /// <summary>Over groups of channels and the spatial axes (Wu and He 2018); scale and shift per channel.</summary>
    Group,
    /// <summary>Over each channel's spatial axes (Ulyanov et al. 2016); scale and shift per channel.</summary>
    Instance,
}

/// <summary>Layer, group or instance normalization, with a learned scale and shift when <paramref name="Affine"/>.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Method">Layer, group or instance statistics.</param>
/// <param name="Axis">For layer normalization: the first normalized axis (the last axis for channels-last tokens). Ignored otherwise.</param>
/// <param name="Groups">For group normalization: channel groups. Ignored otherwise.</param>
/// <param name="Affine">Whether a scale and a shift are learned.</param>
public sealed record NormalizationLayer(string Name, string Input, NormalizationMethod Method, int Axis = 0, int Groups = 1, bool Affine = true)
    : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Normalization;

    /// <inheritdoc />
    public override bool HasWeights => Affine;

    internal override string? ParameterProblem() =>
        Axis < 0 ? $"the normalization axis must not be negative, got {Axis}"
        : Groups < 1 ? $"groups must be at least 1, got {Groups}"
        : null;
}

/// <summary>
/// A new shape for the same values in the same order (Reshape, Flatten, Squeeze, Unsqueeze). The target follows
/// ONNX's Reshape: an extent of 0 copies the input's extent on that axis, one extent of −1 takes what is left, so a
/// flatten (<c>[−1]</c>) holds at any resolution.
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Target">The extents of one item's output.</param>
public sealed record ReshapeLayer(string Name, string Input, ImmutableArray<int> Target) : SingleInputLayer(Name, Input)
{
    private readonly ImmutableArray<int> _target = Target.IsDefault ? [] : Target;

    /// <summary>The extents of one item's output (empty for a scalar, never a default array).</summary>
    public ImmutableArray<int> Target { get => _target; init => _target = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Reshape;

    internal override string? ParameterProblem() =>
        Target.Any(d => d < -1) ? $"reshape extents must be at least -1, got {string.Join(",", Target)}"
        : Target.Count(d => d == -1) > 1 ? $"at most one reshape extent may be -1, got {string.Join(",", Target)}"
        : null;
}

/// <summary>A permutation of one item's axes: output axis <c>i</c> is input axis <c>Permutation[i]</c>.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Permutation">Each axis once.</param>
public sealed record TransposeLayer(string Name, string Input, ImmutableArray<int> Permutation) : SingleInputLayer(Name, Input)
{
    private readonly ImmutableArray<int> _permutation = Permutation.IsDefault ? [] : Permutation;

    /// <summary>Each axis once (empty, never a default array).</summary>
    public ImmutableArray<int> Permutation { get => _permutation; init => _permutation = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Transpose;

    internal override string? ParameterProblem() =>
        Permutation.Order().SequenceEqual(Enumerable.Range(0, Permutation.Length))
            ? null
            : $"the permutation {string.Join(",", Permutation)} does not name each axis once";
}

/// <summary>
/// A range of one axis: <c>Start, Start + Step, …</c> before <c>End</c>, as ONNX's Slice reads them (negative
/// positions count from the end; positions are clamped to the axis). One output of a Split is a slice.
/// </summary>
/// <param name="Axis">The axis sliced.</param>
/// <param name="Start">The first position.</param>
/// <param name="End">The position the range stops before (after it, for a negative step).</param>
/// <param name="Step">The stride; negative walks backwards; never 0.</param>
public readonly record struct SliceRange(int Axis, long Start, long End, long Step = 1)
{
    /// <summary>How many positions the range takes on an axis of <paramref name="extent"/> (ONNX Slice's clamping).</summary>
    /// <param name="extent">The axis's extent.</param>
    /// <returns>The count, at least 0.</returns>
    public long Count(int extent)
    {
        static long Resolve(long position, int extent) => position < 0 ? position + extent : position;
        var start = Resolve(Start, extent);
        var end = Resolve(End, extent);
        if (Step > 0)
        {
            start = Math.Clamp(start, 0, extent);
            end = Math.Clamp(end, 0, extent);
            return end > start ? (end - start + Step - 1) / Step : 0;
        }

        start = Math.Clamp(start, -1, extent - 1L);
        end = Math.Clamp(end, -1, extent - 1L);
        return start > end ? (start - end - Step - 1) / -Step : 0;
    }
}

/// <summary>A strided range of each of some axes (Slice; one output of a Split).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Ranges">One range per sliced axis, each axis at most once.</param>
public sealed record SliceLayer(string Name, string Input, ImmutableArray<SliceRange> Ranges) : SingleInputLayer(Name, Input)
{
    private readonly ImmutableArray<SliceRange> _ranges = Ranges.IsDefault ? [] : Ranges;

    /// <summary>One range per sliced axis (empty, never a default array).</summary>
    public ImmutableArray<SliceRange> Ranges { get => _ranges; init => _ranges = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Slice;

    internal override string? ParameterProblem() =>
        Ranges.Any(r => r.Axis < 0) ? "slice axes must not be negative"
        : Ranges.Any(r => r.Step == 0) ? "a slice step must not be 0"
        : Ranges.Select(r => r.Axis).Distinct().Count() != Ranges.Length ? "a slice names an axis twice"
        : null;
}

/// <summary>
/// Entries taken along <paramref name="Axis"/> at constant indices (ONNX Gather): the axis is replaced by the
/// indices' shape, so one scalar index removes it (a class token taken from the tokens).
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Axis">The axis indexed.</param>
/// <param name="Indices">The shape of the constant indices (a scalar for one index).</param>
public sealed record GatherLayer(string Name, string Input, int Axis, Shape Indices) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Gather;

    internal override string? ParameterProblem() =>
        Axis < 0 ? $"the gather axis must not be negative, got {Axis}" : null;
}

/// <summary>Constant padding of some axes (ONNX Pad in constant mode, or reflect/edge: the same shape).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Before">Values added before each axis, one per axis of the input.</param>
/// <param name="After">Values added after each axis, one per axis of the input.</param>
public sealed record PadLayer(string Name, string Input, ImmutableArray<int> Before, ImmutableArray<int> After) : SingleInputLayer(Name, Input)
{
    private readonly ImmutableArray<int> _before = Before.IsDefault ? [] : Before;
    private readonly ImmutableArray<int> _after = After.IsDefault ? [] : After;

    /// <summary>Values added before each axis (empty, never a default array).</summary>
    public ImmutableArray<int> Before { get => _before; init => _before = value.IsDefault ? [] : value; }

    /// <summary>Values added after each axis (empty, never a default array).</summary>
    public ImmutableArray<int> After { get => _after; init => _after = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Pad;

    internal override string? ParameterProblem() =>
        Before.Length != After.Length ? $"padding has {Before.Length} values before and {After.Length} after"
        : null;
}

/// <summary>
/// Broadcasting to <paramref name="Target"/> (ONNX Expand: NumPy rules, either side stretched) or, when
/// <paramref name="Repeat"/> is set, repeating each axis that many times (ONNX Tile).
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Target">The broadcast shape, or the repeat count of each axis when <paramref name="Repeat"/> is set.</param>
/// <param name="Repeat">Whether this is a Tile.</param>
public sealed record ExpandLayer(string Name, string Input, ImmutableArray<int> Target, bool Repeat = false) : SingleInputLayer(Name, Input)
{
    private readonly ImmutableArray<int> _target = Target.IsDefault ? [] : Target;

    /// <summary>The broadcast shape or the repeats (empty, never a default array).</summary>
    public ImmutableArray<int> Target { get => _target; init => _target = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Expand;

    internal override string? ParameterProblem() =>
        Target.Any(d => d < 0) ? $"expand extents must not be negative, got {string.Join(",", Target)}" : null;
}

/// <summary>
/// The matrix product of two activations, <c>A·B</c> over their last two axes and broadcast over the others, as
/// NumPy's matmul (attention's <c>Q·Kᵀ</c> and <c>softmax·V</c>).
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Left">The left operand, <c>… x M x K</c>.</param>
/// <param name="Right">The right operand, <c>… x K x N</c>.</param>
public sealed record MatMulLayer(string Name, string Left, string Right) : Layer(Name)
{
    /// <inheritdoc />
    public override ImmutableArray<string> Inputs => [Left, Right];

    /// <inheritdoc />
    public override Layer WithInputs(IReadOnlyList<string> inputs) =>
        inputs.Count == 2
            ? this with { Left = inputs[0], Right = inputs[1] }
            : throw new NetworkDefinitionException(Name, $"a matmul layer reads exactly two inputs, got {inputs.Count}");

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.MatMul;
}

/// <summary>
/// A linear map with weights applied to the last axis at every position: <c>K</c> inputs to
/// <paramref name="Outputs"/> outputs, <c>K·Outputs</c> weights (a Linear module on tokens, a 1x1 convolution in
/// channels-last layout).
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Outputs">Outputs per position.</param>
/// <param name="HasBias">Whether each output has a bias.</param>
public sealed record LinearLayer(string Name, string Input, int Outputs, bool HasBias) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Linear;

    /// <inheritdoc />
    public override bool HasWeights => true;

    internal override string? ParameterProblem() =>
        Outputs < 1 ? $"output count must be at least 1, got {Outputs}" : null;
}

/// <summary>
/// A transposed convolution (deconvolution, ONNX ConvTranspose): each input position scatters a
/// <c>Kernel</c>-sized window of <paramref name="Filters"/> outputs. Output extent
/// <c>(in − 1)·stride − padBegin − padEnd + dilation·(kernel − 1) + outputPadding + 1</c> (ONNX operator docs).
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="Kernel">Kernel height and width.</param>
/// <param name="Stride">Stride per axis.</param>
/// <param name="Pad">Padding removed on each side per axis (top and left; bottom and right too unless <paramref name="PadEnd"/> is set).</param>
/// <param name="Groups">Channel groups.</param>
/// <param name="Dilation">Spacing between kernel taps.</param>
/// <param name="HasBias">Whether each output channel has a bias.</param>
/// <param name="OutputPadding">Extra rows and columns added after the output.</param>
/// <param name="PadEnd">Bottom and right padding where it differs from <paramref name="Pad"/>.</param>
public sealed record DeconvolutionLayer(
    string Name,
    string Input,
    int Filters,
    Size2 Kernel,
    Size2 Stride,
    Size2 Pad,
    int Groups,
    Size2 Dilation,
    bool HasBias,
    Size2 OutputPadding = default,
    Size2? PadEnd = null) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Deconvolution;

    /// <inheritdoc />
    public override bool HasWeights => true;

    /// <summary>The padding on each side.</summary>
    public Padding Padding => new(Pad, PadEnd ?? Pad);

    internal override string? ParameterProblem() =>
        ConvolutionProblem(Filters, Groups, Kernel, Stride, Dilation, Padding)
        ?? (OutputPadding.Height < 0 || OutputPadding.Width < 0 ? $"output padding must not be negative, got {OutputPadding}" : null);
}

/// <summary>How a <see cref="ResizeLayer"/> computes each output value.</summary>
public enum ResizeMode
{
    /// <summary>The nearest input value: a copy, no arithmetic.</summary>
    Nearest,
    /// <summary>Linear interpolation between the nearest inputs (bilinear on an image).</summary>
    Linear,
    /// <summary>Cubic interpolation.</summary>
    Cubic,
}

/// <summary>
/// Resizing of an image's height and width (ONNX Resize, Caffe Interp/Upsample): to a fixed
/// <paramref name="Size"/>, or by a scale per axis (the output extent is <c>⌊in·scale⌋</c>).
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Mode">Nearest, linear or cubic.</param>
/// <param name="Size">The output height and width; <see langword="null"/> when a scale decides.</param>
/// <param name="ScaleHeight">The vertical factor when <paramref name="Size"/> is null.</param>
/// <param name="ScaleWidth">The horizontal factor when <paramref name="Size"/> is null.</param>
public sealed record ResizeLayer(string Name, string Input, ResizeMode Mode, Size2? Size, double ScaleHeight = 1, double ScaleWidth = 1)
    : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Resize;

    internal override string? ParameterProblem() =>
        Size is { } size ? Positive(size, "resize size")
        : !(ScaleHeight > 0 && ScaleWidth > 0 && double.IsFinite(ScaleHeight) && double.IsFinite(ScaleWidth))
            ? $"resize scales must be positive and finite, got {ScaleHeight} and {ScaleWidth}"
        : null;
}

/// <summary>
/// A tensor that does not depend on the input's values, repeated for each item: a learned class token, or a
/// distillation token. It reads <paramref name="Input"/> only for the batch, as an exporter's Expand does.
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer whose batch it follows (the network's input).</param>
/// <param name="Value">The tensor's shape per item.</param>
/// <param name="IsParameter">Whether its values are learned (then they count as weights).</param>
public sealed record ConstantLayer(string Name, string Input, Shape Value, bool IsParameter = true) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Constant;

    /// <inheritdoc />
    public override bool HasWeights => IsParameter;

    internal override string? ParameterProblem() =>
        Value.Rank > 0 && Value.Dimensions.Any(d => d < 1) ? $"constant shape {Value} must be positive in every dimension" : null;
}

/// <summary>
/// An operator an importer does not model, kept in the graph at no cost with the output shape its file states (ONNX
/// <c>value_info</c>), so every layer after it is costed on the right shape. Listed as skipped in every report.
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Sources">The activations it reads.</param>
/// <param name="Output">The output shape the file states for one item.</param>
/// <param name="Operator">The operator the file names.</param>
public sealed record SkippedLayer(string Name, ImmutableArray<string> Sources, Shape Output, string Operator) : Layer(Name)
{
    private readonly ImmutableArray<string> _sources = Sources.IsDefault ? [] : Sources;

    /// <summary>The activations it reads (empty, never a default array).</summary>
    public ImmutableArray<string> Sources { get => _sources; init => _sources = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override ImmutableArray<string> Inputs => Sources;

    /// <inheritdoc />
    public override Layer WithInputs(IReadOnlyList<string> inputs) => this with { Sources = [.. inputs] };

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Skipped;

    internal override string? ParameterProblem() =>
        Sources.Length < 1 ? "a skipped layer reads at least one activation"
        : Output.Rank > 0 && Output.Dimensions.Any(d => d < 1) ? $"its stated shape {Output} must be positive in every dimension"
        : null;
}
