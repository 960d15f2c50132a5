using System.Collections.Immutable;

namespace CnnCost.Graph;

/// <summary>The kinds of layer CnnCost models; the names match the <c>kind</c> field of the report JSON.</summary>
public enum LayerKind
{
    /// <summary>The network's input data.</summary>
    Input,
    /// <summary>A (possibly grouped or dilated) convolution.</summary>
    Convolution,
    /// <summary>A fully-connected (inner-product) layer.</summary>
    FullyConnected,
    /// <summary>Max, average or global-average pooling.</summary>
    Pooling,
    /// <summary>An element-wise nonlinearity.</summary>
    Activation,
    /// <summary>Dropout (training only; an identity at inference).</summary>
    Dropout,
    /// <summary>Batch normalization (with its scale and shift).</summary>
    BatchNorm,
    /// <summary>Local response normalization across channels.</summary>
    Lrn,
    /// <summary>Concatenation along the channel axis.</summary>
    Concat,
    /// <summary>Element-wise addition (a bypass or residual connection).</summary>
    Add,
    /// <summary>Softmax over the channels (or another axis).</summary>
    Softmax,
    /// <summary>An element-wise binary operation with broadcasting (Add, Sub, Mul, Div, Pow, Max, Min), possibly with a constant operand.</summary>
    Elementwise,
    /// <summary>A reduction over some axes (mean, sum, max, min, L2).</summary>
    Reduction,
    /// <summary>Layer, group or instance normalization.</summary>
    Normalization,
    /// <summary>A change of shape that keeps the values in order (Reshape, Flatten, Squeeze, Unsqueeze).</summary>
    Reshape,
    /// <summary>A permutation of the axes.</summary>
    Transpose,
    /// <summary>A strided range of each of some axes (Slice, one output of Split).</summary>
    Slice,
    /// <summary>Entries taken along one axis at constant indices.</summary>
    Gather,
    /// <summary>Constant padding added before and after some axes.</summary>
    Pad,
    /// <summary>Broadcasting to a larger shape (Expand) or repeating (Tile).</summary>
    Expand,
    /// <summary>A matrix product of two activations (attention), batched over the leading axes.</summary>
    MatMul,
    /// <summary>A linear map with weights applied to the last axis at every position (a per-position fully-connected layer).</summary>
    Linear,
    /// <summary>A transposed convolution (deconvolution).</summary>
    Deconvolution,
    /// <summary>Resizing of the height and width (nearest or bilinear upsampling).</summary>
    Resize,
    /// <summary>A learned tensor that does not depend on the input's values (a class token), repeated for each item.</summary>
    Constant,
    /// <summary>An operator an importer does not model, skipped at no cost with the output shape its file states.</summary>
    Skipped,
}

/// <summary>
/// One named layer of a <see cref="Network"/>: what it computes and which layers feed it. Layers are
/// immutable values; <c>with</c> makes a changed copy.
/// </summary>
/// <param name="Name">The layer's unique name within its network.</param>
public abstract record Layer(string Name)
{
    /// <summary>The names of the layers whose outputs this layer reads, in order.</summary>
    public abstract ImmutableArray<string> Inputs { get; }

    /// <summary>A copy of this layer that reads <paramref name="inputs"/> instead.</summary>
    /// <param name="inputs">The new input names; as many as the layer kind takes.</param>
    /// <returns>The rewired layer.</returns>
    /// <exception cref="NetworkDefinitionException">The count of inputs does not suit the layer kind.</exception>
    public abstract Layer WithInputs(IReadOnlyList<string> inputs);

    /// <summary>What the layer computes.</summary>
    public abstract LayerKind Kind { get; }

    /// <summary>Whether the layer has trainable weights (convolution, fully connected, batch norm).</summary>
    public virtual bool HasWeights => false;

    /// <summary>Why the layer's own parameters are impossible, or <see langword="null"/> when they are fine.</summary>
    internal virtual string? ParameterProblem() => null;

    /// <summary>Checks a positive extent and names it in the reason when it is not.</summary>
    private protected static string? Positive(Size2 size, string what) =>
        size.Height < 1 || size.Width < 1 ? $"{what} must be at least 1, got {size}" : null;

    /// <summary>What is wrong with a convolution's (or transposed convolution's) filters, groups, window and padding, if anything.</summary>
    private protected static string? ConvolutionProblem(int filters, int groups, Size2 kernel, Size2 stride, Size2 dilation, Padding padding) =>
        filters < 1 ? $"filter count must be at least 1, got {filters}"
        : groups < 1 ? $"groups must be at least 1, got {groups}"
        : filters % groups != 0 ? $"filter count {filters} is not divisible by groups {groups}"
        : Positive(kernel, "kernel") ?? Positive(stride, "stride") ?? Positive(dilation, "dilation") ?? padding.Problem();
}

/// <summary>A layer that reads exactly one other layer.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
public abstract record SingleInputLayer(string Name, string Input) : Layer(Name)
{
    /// <inheritdoc />
    public override ImmutableArray<string> Inputs => [Input];

    /// <inheritdoc />
    public override Layer WithInputs(IReadOnlyList<string> inputs) =>
        inputs.Count == 1
            ? this with { Input = inputs[0] }
            : throw new NetworkDefinitionException(Name, $"a {Kind} layer reads exactly one input, got {inputs.Count}");
}

/// <summary>The network's input: one data item of <paramref name="Shape"/> (the batch is chosen at analysis time).</summary>
/// <param name="Name">The layer's name, usually <c>data</c>.</param>
/// <param name="Shape">Channels, height and width of one input item.</param>
public sealed record InputLayer(string Name, Shape Shape) : Layer(Name)
{
    /// <inheritdoc />
    public override ImmutableArray<string> Inputs => ImmutableArray<string>.Empty;

    /// <inheritdoc />
    public override Layer WithInputs(IReadOnlyList<string> inputs) =>
        inputs.Count == 0 ? this : throw new NetworkDefinitionException(Name, "an input layer reads no other layer");

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Input;

    internal override string? ParameterProblem() =>
        Shape.Rank == 0 || Shape.Dimensions.Any(d => d < 1)
            ? $"input shape {Shape} must be positive in every dimension"
            : null;
}

/// <summary>
/// A convolution with <paramref name="Filters"/> filters of <c>Kernel.Height x Kernel.Width x ch/Groups</c>
/// (dissertation 4.2.1.2). A depthwise convolution has <c>Groups</c> equal to its input channels.
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Filters">Number of filters (output channels), <c>numFilt</c>.</param>
/// <param name="Kernel">Filter height and width.</param>
/// <param name="Stride">Stride per axis.</param>
/// <param name="Pad">Zero padding per axis: on both sides, or on the top and left only when <paramref name="PadEnd"/> is set.</param>
/// <param name="Groups">Channel groups; each filter sees <c>ch/Groups</c> channels.</param>
/// <param name="Dilation">Spacing between kernel taps; the effective extent is <c>Dilation·(Kernel−1)+1</c>.</param>
/// <param name="HasBias">Whether each filter has a bias.</param>
/// <param name="Rounding">This layer's rounding of its output size, overriding <see cref="Conventions.ConvolutionRounding"/>.</param>
/// <param name="PadEnd">
/// Bottom and right padding where it differs from <paramref name="Pad"/> (ONNX <c>pads</c> with unequal begin and
/// end, <c>auto_pad</c> SAME with a stride on an even size); <see langword="null"/> for symmetric padding.
/// </param>
public sealed record ConvolutionLayer(
    string Name,
    string Input,
    int Filters,
    Size2 Kernel,
    Size2 Stride,
    Size2 Pad,
    int Groups,
    Size2 Dilation,
    bool HasBias,
    RoundingRule? Rounding = null,
    Size2? PadEnd = null) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Convolution;

    /// <inheritdoc />
    public override bool HasWeights => true;

    /// <summary>The padding on each side: top and left from <see cref="Pad"/>, bottom and right from <see cref="PadEnd"/> or <see cref="Pad"/>.</summary>
    public Padding Padding => new(Pad, PadEnd ?? Pad);

    internal override string? ParameterProblem() => ConvolutionProblem(Filters, Groups, Kernel, Stride, Dilation, Padding);
}

/// <summary>A fully-connected layer: every output sees the whole flattened input (a convolution whose filter covers it).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Outputs">Number of outputs (neurons).</param>
/// <param name="HasBias">Whether each output has a bias.</param>
public sealed record FullyConnectedLayer(string Name, string Input, int Outputs, bool HasBias) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.FullyConnected;

    /// <inheritdoc />
    public override bool HasWeights => true;

    internal override string? ParameterProblem() =>
        Outputs < 1 ? $"output count must be at least 1, got {Outputs}" : null;
}

/// <summary>How a pooling window reduces its values.</summary>
public enum PoolingMethod
{
    /// <summary>The largest value: one comparison per window element.</summary>
    Max,
    /// <summary>The mean: one addition per window element plus the division, counted as two operations per element.</summary>
    Average,
}

/// <summary>
/// A pooling layer. A global pooling layer's window is its whole input, so its output is <c>ch x 1 x 1</c>
/// whatever the resolution (NiN's pool12).
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Method">Max or average.</param>
/// <param name="Kernel">Window height and width (ignored when global).</param>
/// <param name="Stride">Stride per axis (ignored when global).</param>
/// <param name="Pad">Padding per axis (ignored when global): on both sides, or on the top and left only when <paramref name="PadEnd"/> is set.</param>
/// <param name="IsGlobal">Whether the window is the whole input.</param>
/// <param name="Rounding">This layer's rounding (PyTorch's <c>ceil_mode</c>), overriding <see cref="Conventions.PoolingRounding"/>.</param>
/// <param name="PadEnd">Bottom and right padding where it differs from <paramref name="Pad"/>; <see langword="null"/> for symmetric padding.</param>
public sealed record PoolingLayer(
    string Name,
    string Input,
    PoolingMethod Method,
    Size2 Kernel,
    Size2 Stride,
    Size2 Pad,
    bool IsGlobal = false,
    RoundingRule? Rounding = null,
    Size2? PadEnd = null) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Pooling;

    /// <summary>The padding on each side: top and left from <see cref="Pad"/>, bottom and right from <see cref="PadEnd"/> or <see cref="Pad"/>.</summary>
    public Padding Padding => new(Pad, PadEnd ?? Pad);

    internal override string? ParameterProblem() =>
        IsGlobal ? null
        : Positive(Kernel, "kernel") ?? Positive(Stride, "stride") ?? Padding.Problem();
}

/// <summary>An element-wise nonlinearity.</summary>
public enum ActivationFunction
{
    /// <summary><c>max(0, x)</c>.</summary>
    ReLU,
    /// <summary><c>min(max(0, x), 6)</c> (MobileNet).</summary>
    ReLU6,
    /// <summary><c>1 / (1 + e^−x)</c>.</summary>
    Sigmoid,
    /// <summary>The hyperbolic tangent.</summary>
    Tanh,
    /// <summary><c>max(0, x) + a·min(0, x)</c> with a fixed slope <c>a</c> (no parameters).</summary>
    LeakyReLU,
    /// <summary>Parametric ReLU (He et al. 2015): a learned slope per channel, or one shared slope.</summary>
    PReLU,
    /// <summary><c>max(0, min(1, a·x + b))</c> (MobileNetV3's gate).</summary>
    HardSigmoid,
    /// <summary><c>x · HardSigmoid(x)</c> (MobileNetV3).</summary>
    HardSwish,
    /// <summary><c>x · sigmoid(x)</c>, also called Swish (EfficientNet).</summary>
    SiLU,
    /// <summary>The Gaussian error linear unit (ViT, ConvNeXt, Swin).</summary>
    Gelu,
    /// <summary>The error function (GELU as exporters decompose it).</summary>
    Erf,
    /// <summary>The square root.</summary>
    Sqrt,
    /// <summary>The exponential.</summary>
    Exp,
    /// <summary>The natural logarithm.</summary>
    Log,
    /// <summary>The absolute value.</summary>
    Abs,
    /// <summary>The negation.</summary>
    Negate,
    /// <summary><c>1 / x</c>.</summary>
    Reciprocal,
    /// <summary><c>min(max(x, low), high)</c> with bounds other than ReLU6's.</summary>
    Clip,
    /// <summary><c>ln(1 + e^x)</c>.</summary>
    Softplus,
    /// <summary>The exponential linear unit.</summary>
    Elu,
    /// <summary>A conversion of the element type (Cast), counted like any element-wise operation.</summary>
    Cast,
}

/// <summary>An element-wise nonlinearity; its output has its input's shape.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Function">The nonlinearity.</param>
/// <param name="SharedSlope">For PReLU: whether one slope serves every channel (Caffe's <c>channel_shared</c>).</param>
public sealed record ActivationLayer(string Name, string Input, ActivationFunction Function, bool SharedSlope = false) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Activation;

    /// <inheritdoc />
    public override bool HasWeights => Function == ActivationFunction.PReLU;
}

/// <summary>Dropout: zeroes a fraction of activations in training, an identity at inference.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Ratio">The fraction dropped, in [0, 1).</param>
public sealed record DropoutLayer(string Name, string Input, double Ratio) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Dropout;

    internal override string? ParameterProblem() =>
        Ratio is >= 0 and < 1 ? null : $"dropout ratio must be in [0, 1), got {Ratio}";
}

/// <summary>Batch normalization with a learned scale γ and shift β per channel (running statistics are not parameters).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
public sealed record BatchNormLayer(string Name, string Input) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.BatchNorm;

    /// <inheritdoc />
    public override bool HasWeights => true;
}

/// <summary>Local response normalization across <paramref name="LocalSize"/> neighbouring channels (AlexNet).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="LocalSize">Channels in each normalization window.</param>
public sealed record LrnLayer(string Name, string Input, int LocalSize) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Lrn;

    internal override string? ParameterProblem() =>
        LocalSize < 1 ? $"local size must be at least 1, got {LocalSize}" : null;
}

/// <summary>Softmax along one axis: over the channels by default (a classifier's last layer), over the last axis in attention.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Input">The layer feeding it.</param>
/// <param name="Axis">The axis normalized over (0, the channels, by default).</param>
public sealed record SoftmaxLayer(string Name, string Input, int Axis = 0) : SingleInputLayer(Name, Input)
{
    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Softmax;

    internal override string? ParameterProblem() =>
        Axis < 0 ? $"the softmax axis must not be negative, got {Axis}" : null;
}

/// <summary>Concatenation of its inputs along the channel axis; all inputs share height and width.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Sources">The layers concatenated, in channel order.</param>
public sealed record ConcatLayer(string Name, ImmutableArray<string> Sources) : Layer(Name)
{
    private readonly ImmutableArray<string> _sources = Sources.IsDefault ? [] : Sources;

    /// <summary>The layers concatenated, in channel order (empty, never a default array).</summary>
    public ImmutableArray<string> Sources { get => _sources; init => _sources = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override ImmutableArray<string> Inputs => Sources;

    /// <inheritdoc />
    public override Layer WithInputs(IReadOnlyList<string> inputs) => this with { Sources = [.. inputs] };

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Concat;

    /// <summary>The axis joined along (0, the channels, by default); the inputs agree on every other axis.</summary>
    public int Axis { get; init; }

    internal override string? ParameterProblem() =>
        Inputs.Length < 1 ? "a concat needs at least one input, got 0"
        : Axis < 0 ? $"the concat axis must not be negative, got {Axis}"
        : null;
}

/// <summary>The element-wise operation of an <see cref="AddLayer"/> (Caffe's Eltwise): each costs one operation per output element per extra input.</summary>
public enum ElementwiseOperation
{
    /// <summary>Addition (a bypass or residual connection).</summary>
    Sum,
    /// <summary>Multiplication.</summary>
    Product,
    /// <summary>Maximum.</summary>
    Max,
    /// <summary>Subtraction (the second operand from the first).</summary>
    Subtract,
    /// <summary>Division (the first operand by the second).</summary>
    Divide,
    /// <summary>Power (the first operand raised to the second).</summary>
    Power,
    /// <summary>Minimum.</summary>
    Min,
}

/// <summary>Element-wise combination of inputs of identical shape: by default addition (a bypass or residual connection).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Sources">The layers combined.</param>
/// <param name="Operation">Sum (the default), product or maximum.</param>
public sealed record AddLayer(string Name, ImmutableArray<string> Sources, ElementwiseOperation Operation = ElementwiseOperation.Sum) : Layer(Name)
{
    private readonly ImmutableArray<string> _sources = Sources.IsDefault ? [] : Sources;

    /// <summary>The layers combined (empty, never a default array).</summary>
    public ImmutableArray<string> Sources { get => _sources; init => _sources = value.IsDefault ? [] : value; }

    /// <inheritdoc />
    public override ImmutableArray<string> Inputs => Sources;

    /// <inheritdoc />
    public override Layer WithInputs(IReadOnlyList<string> inputs) => this with { Sources = [.. inputs] };

    /// <inheritdoc />
    public override LayerKind Kind => LayerKind.Add;

    internal override string? ParameterProblem() =>
        Inputs.Length < 2 ? $"an add needs at least two inputs, got {Inputs.Length}" : null;
}
