namespace CnnCost.Graph;

/// <summary>
/// Describes a network layer by layer and builds an immutable <see cref="Network"/>. Each call appends a
/// layer that reads, unless <c>from</c> names another, the layer appended just before it; concat and add
/// name their inputs. The builder is mutable and single-use per description; <see cref="Build"/> checks
/// the whole graph.
/// </summary>
/// <example>
/// <code>
/// var net = new NetworkBuilder("tiny")
///     .Input(3, 32, 32)
///     .Convolution("conv1", filters: 16, kernel: 3, pad: 1).ReLU()
///     .MaxPool("pool1", kernel: 2, stride: 2)
///     .FullyConnected("fc", outputs: 10)
///     .Build();
/// </code>
/// </example>
public sealed class NetworkBuilder
{
    private readonly string _name;
    private readonly Conventions? _conventions;
    private readonly List<Layer> _layers = [];
    private string? _last;

    /// <summary>Starts a description.</summary>
    /// <param name="name">The network's name.</param>
    /// <param name="conventions">The conventions of the framework it comes from; <see cref="Conventions.Caffe"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public NetworkBuilder(string name, Conventions? conventions = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        _name = name;
        _conventions = conventions;
    }

    /// <summary>The name of the layer appended last (the default input of the next one), or null before any.</summary>
    public string? Last => _last;

    /// <summary>Appends any layer as it is (its inputs already set).</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(layer);
        _last = layer.Name;
        return this;
    }

    /// <summary>Appends the input layer: one data item of <c>channels x height x width</c>.</summary>
    /// <param name="channels">Image channels (3 for RGB).</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="name">The layer's name.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Input(int channels, int height, int width, string name = "data") =>
        Add(new InputLayer(name, new Shape(channels, height, width)));

    /// <summary>Appends a convolution.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="filters">Number of filters (output channels).</param>
    /// <param name="kernel">Filter size (an int for a square).</param>
    /// <param name="stride">Stride; 1 when null.</param>
    /// <param name="pad">Padding: an int or <see cref="Size2"/> for both sides alike, a <see cref="Padding"/> for uneven sides; 0 when null.</param>
    /// <param name="groups">Channel groups (the input channels for depthwise).</param>
    /// <param name="dilation">Dilation; 1 when null.</param>
    /// <param name="bias">Whether the filters have biases.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Convolution(string name, int filters, Size2 kernel, Size2? stride = null, Padding? pad = null,
        int groups = 1, Size2? dilation = null, bool bias = true, string? from = null)
    {
        var padding = pad ?? 0;
        return Add(new ConvolutionLayer(name, Source(name, from), filters, kernel, stride ?? 1, padding.Begin, groups, dilation ?? 1, bias,
            PadEnd: padding.EndWhereUneven));
    }

    /// <summary>Appends a fully-connected layer.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="outputs">Number of outputs.</param>
    /// <param name="bias">Whether the outputs have biases.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder FullyConnected(string name, int outputs, bool bias = true, string? from = null) =>
        Add(new FullyConnectedLayer(name, Source(name, from), outputs, bias));

    /// <summary>Appends a max-pooling layer.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="kernel">Window size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="pad">Padding: an int or <see cref="Size2"/> for both sides alike, a <see cref="Padding"/> for uneven sides; 0 when null.</param>
    /// <param name="rounding">This layer's own rounding (PyTorch's ceil_mode); the conventions' when null.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder MaxPool(string name, Size2 kernel, Size2 stride, Padding? pad = null, RoundingRule? rounding = null, string? from = null) =>
        Pool(name, PoolingMethod.Max, kernel, stride, pad ?? 0, rounding, from);

    /// <summary>Appends an average-pooling layer.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="kernel">Window size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="pad">Padding: an int or <see cref="Size2"/> for both sides alike, a <see cref="Padding"/> for uneven sides; 0 when null.</param>
    /// <param name="rounding">This layer's own rounding (PyTorch's ceil_mode); the conventions' when null.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder AveragePool(string name, Size2 kernel, Size2 stride, Padding? pad = null, RoundingRule? rounding = null, string? from = null) =>
        Pool(name, PoolingMethod.Average, kernel, stride, pad ?? 0, rounding, from);

    private NetworkBuilder Pool(string name, PoolingMethod method, Size2 kernel, Size2 stride, Padding pad, RoundingRule? rounding, string? from) =>
        Add(new PoolingLayer(name, Source(name, from), method, kernel, stride, pad.Begin, false, rounding, pad.EndWhereUneven));

    /// <summary>Appends a global pooling layer: the window is the whole input, the output <c>ch x 1 x 1</c>.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="method">Average (NiN, SqueezeNet) or max.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder GlobalPool(string name, PoolingMethod method = PoolingMethod.Average, string? from = null) =>
        Add(new PoolingLayer(name, Source(name, from), method, 1, 1, 0, IsGlobal: true));

    /// <summary>Appends a ReLU.</summary>
    /// <param name="name">The layer's name; <c>&lt;input&gt;_relu</c> when null.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder ReLU(string? name = null, string? from = null) => Activation(ActivationFunction.ReLU, name, from);

    /// <summary>Appends an element-wise activation.</summary>
    /// <param name="function">The nonlinearity.</param>
    /// <param name="name">The layer's name; <c>&lt;input&gt;_&lt;function&gt;</c> when null.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Activation(ActivationFunction function, string? name = null, string? from = null)
    {
        var source = Source(name ?? function.ToString(), from);
        return Add(new ActivationLayer(name ?? $"{source}_{function.ToString().ToLowerInvariant()}", source, function));
    }

    /// <summary>Appends a dropout layer.</summary>
    /// <param name="ratio">The fraction dropped in training.</param>
    /// <param name="name">The layer's name; <c>&lt;input&gt;_dropout</c> when null.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Dropout(double ratio = 0.5, string? name = null, string? from = null)
    {
        var source = Source(name ?? "dropout", from);
        return Add(new DropoutLayer(name ?? $"{source}_dropout", source, ratio));
    }

    /// <summary>Appends a batch normalization (with scale and shift).</summary>
    /// <param name="name">The layer's name; <c>&lt;input&gt;_bn</c> when null.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder BatchNorm(string? name = null, string? from = null)
    {
        var source = Source(name ?? "batch norm", from);
        return Add(new BatchNormLayer(name ?? $"{source}_bn", source));
    }

    /// <summary>Appends a local response normalization across channels.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="localSize">Channels per normalization window.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Lrn(string name, int localSize = 5, string? from = null) =>
        Add(new LrnLayer(name, Source(name, from), localSize));

    /// <summary>Appends a softmax.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Softmax(string name = "prob", string? from = null) =>
        Add(new SoftmaxLayer(name, Source(name, from)));

    /// <summary>Appends a concatenation along channels.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="inputs">The layers concatenated, in channel order.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Concat(string name, params string[] inputs) => Add(new ConcatLayer(name, [.. inputs]));

    /// <summary>Appends an element-wise addition.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="inputs">The layers added; all of one shape.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Sum(string name, params string[] inputs) => Add(new AddLayer(name, [.. inputs]));

    /// <summary>
    /// Appends an element-wise operation between activations, broadcast as NumPy broadcasts (a squeeze-and-excitation
    /// gate of <c>ch x 1 x 1</c> multiplies a <c>ch x h x w</c> block).
    /// </summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="operation">What is computed.</param>
    /// <param name="inputs">The layers combined, in operand order.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Elementwise(string name, ElementwiseOperation operation, params string[] inputs) =>
        Add(new ElementwiseLayer(name, [.. inputs], operation));

    /// <summary>
    /// Appends an element-wise operation between an activation and a constant of shape <paramref name="constant"/>,
    /// broadcast (ConvNeXt's layer scale: a learned <c>ch x 1 x 1</c> multiplier).
    /// </summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="operation">What is computed.</param>
    /// <param name="constant">The constant's shape.</param>
    /// <param name="learned">Whether the constant's values are learned (they count as weights) rather than a literal.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Elementwise(string name, ElementwiseOperation operation, Shape constant, bool learned = true, string? from = null) =>
        Add(new ElementwiseLayer(name, [Source(name, from)], operation, constant, learned));

    /// <summary>Appends a reduction over some axes (PyTorch's <c>x.mean([2, 3])</c> is a mean over axes 1 and 2 of one item).</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="operation">How values combine.</param>
    /// <param name="axes">The axes of one item reduced, counted from 0 (the channels).</param>
    /// <param name="keepDimensions">Whether each reduced axis stays as an extent of 1.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Reduce(string name, ReductionOperation operation, int[] axes, bool keepDimensions = false, string? from = null)
    {
        ArgumentNullException.ThrowIfNull(axes);
        return Add(new ReductionLayer(name, Source(name, from), operation, [.. axes], keepDimensions));
    }

    /// <summary>
    /// Appends a reshape of one item to <paramref name="target"/> (ONNX semantics: 0 keeps the input's extent on that
    /// axis, one −1 takes what is left).
    /// </summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="target">The extents of one item's output.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Reshape(string name, int[] target, string? from = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Add(new ReshapeLayer(name, Source(name, from), [.. target]));
    }

    /// <summary>Appends a flatten of one item to a vector (PyTorch's <c>torch.flatten(x, 1)</c>): a reshape to <c>[−1]</c>.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Flatten(string name, string? from = null) => Reshape(name, [-1], from);

    /// <summary>Appends a permutation of one item's axes: output axis <c>i</c> is input axis <c>permutation[i]</c>.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="permutation">Each axis of one item once (<c>[1, 2, 0]</c> makes an image channels-last).</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Transpose(string name, int[] permutation, string? from = null)
    {
        ArgumentNullException.ThrowIfNull(permutation);
        return Add(new TransposeLayer(name, Source(name, from), [.. permutation]));
    }

    /// <summary>Appends a slice of one axis: positions <c>start, start + step, …</c> before <c>end</c> (one half of a channel split).</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="axis">The axis of one item sliced (0 for the channels).</param>
    /// <param name="start">The first position.</param>
    /// <param name="end">The position the range stops before.</param>
    /// <param name="step">The stride.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Slice(string name, int axis, long start, long end, long step = 1, string? from = null) =>
        Add(new SliceLayer(name, Source(name, from), [new SliceRange(axis, start, end, step)]));

    /// <summary>
    /// Appends a layer normalization over the axes from <paramref name="axis"/> to the last, with a learned scale and
    /// shift per normalized value (PyTorch's <c>nn.LayerNorm</c> on channels-last values normalizes the last axis).
    /// </summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="axis">The first normalized axis of one item.</param>
    /// <param name="affine">Whether a scale and a shift are learned.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder LayerNorm(string name, int axis, bool affine = true, string? from = null) =>
        Add(new NormalizationLayer(name, Source(name, from), NormalizationMethod.Layer, axis, Affine: affine));

    /// <summary>
    /// Appends a linear map of the last axis applied at every position (PyTorch's <c>nn.Linear</c> on a tensor of any
    /// rank, such as channels-last feature maps).
    /// </summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="outputs">Outputs per position.</param>
    /// <param name="bias">Whether each output has a bias.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder.</returns>
    public NetworkBuilder Linear(string name, int outputs, bool bias = true, string? from = null) =>
        Add(new LinearLayer(name, Source(name, from), outputs, bias));

    /// <summary>
    /// Appends a squeeze-and-excitation block (Hu, Shen and Sun, "Squeeze-and-Excitation Networks", 2018) as
    /// torchvision's <c>SqueezeExcitation</c> builds it: global average pooling, a 1x1 convolution with biases to
    /// <paramref name="squeezeChannels"/>, <paramref name="activation"/>, a 1x1 convolution with biases back to
    /// <paramref name="channels"/>, the <paramref name="gate"/>, and the block's input multiplied by the gate
    /// (broadcast over height and width). Its layers are named <c>name.avgpool</c>, <c>name.fc1</c>,
    /// <c>name.activation</c>, <c>name.fc2</c>, <c>name.scale_activation</c> and <c>name.scale</c>.
    /// </summary>
    /// <param name="name">The block's name, the prefix of its layers.</param>
    /// <param name="channels">The channels of the input (the builder does not infer shapes).</param>
    /// <param name="squeezeChannels">The channels of the squeezed vector.</param>
    /// <param name="activation">The nonlinearity after the squeeze (ReLU, SiLU in EfficientNet).</param>
    /// <param name="gate">The gate's nonlinearity (sigmoid, hard sigmoid in MobileNetV3).</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder; its last layer is <c>name.scale</c>.</returns>
    public NetworkBuilder SqueezeExcitation(string name, int channels, int squeezeChannels,
        ActivationFunction activation = ActivationFunction.ReLU, ActivationFunction gate = ActivationFunction.Sigmoid, string? from = null)
    {
        var source = Source(name, from);
        GlobalPool($"{name}.avgpool", from: source)
            .Convolution($"{name}.fc1", squeezeChannels, 1).Activation(activation, $"{name}.activation")
            .Convolution($"{name}.fc2", channels, 1).Activation(gate, $"{name}.scale_activation");
        return Elementwise($"{name}.scale", ElementwiseOperation.Product, source, Last!);
    }

    /// <summary>
    /// Appends a Fire module (dissertation 5.4.1, Figure 5.1): a 1x1 squeeze convolution, then 1x1 and 3x3
    /// (pad 1) expand convolutions side by side, each followed by a ReLU, concatenated along channels. Its
    /// layers are named as in the released SqueezeNet: <c>fire2/squeeze1x1</c>, <c>fire2/relu_squeeze1x1</c>,
    /// <c>fire2/expand1x1</c>, <c>fire2/expand3x3</c>, …, <c>fire2/concat</c>.
    /// </summary>
    /// <param name="name">The module's name, the prefix of its layers (e.g. <c>fire2</c>).</param>
    /// <param name="squeeze1x1">Filters of the squeeze layer, <c>s1x1</c>.</param>
    /// <param name="expand1x1">1x1 filters of the expand layer, <c>e1x1</c>.</param>
    /// <param name="expand3x3">3x3 filters of the expand layer, <c>e3x3</c>.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder; its last layer is <c>name/concat</c>.</returns>
    public NetworkBuilder Fire(string name, int squeeze1x1, int expand1x1, int expand3x3, string? from = null)
    {
        var source = Source(name, from);
        Convolution($"{name}/squeeze1x1", squeeze1x1, 1, from: source).ReLU($"{name}/relu_squeeze1x1");
        var squeezed = Last!;
        Convolution($"{name}/expand1x1", expand1x1, 1, from: squeezed).ReLU($"{name}/relu_expand1x1");
        Convolution($"{name}/expand3x3", expand3x3, 3, pad: 1, from: squeezed).ReLU($"{name}/relu_expand3x3");
        return Concat($"{name}/concat", $"{name}/relu_expand1x1", $"{name}/relu_expand3x3");
    }

    /// <summary>
    /// Appends an Inception module (Szegedy et al. 2015, GoogLeNet): four branches, a 1x1 convolution; a 1x1
    /// reduction then 3x3 (pad 1); a 1x1 reduction then 5x5 (pad 2); a 3x3 max pool (stride 1, pad 1) then a
    /// 1x1 projection; every convolution followed by a ReLU; concatenated. Layers are named as in Caffe's
    /// BVLC GoogLeNet: <c>inception_3a/1x1</c>, <c>inception_3a/3x3_reduce</c>, …, <c>inception_3a/output</c>.
    /// </summary>
    /// <param name="name">The module's name, the prefix of its layers.</param>
    /// <param name="conv1x1">Filters of the 1x1 branch.</param>
    /// <param name="reduce3x3">Filters of the 1x1 reduction before the 3x3.</param>
    /// <param name="conv3x3">Filters of the 3x3 convolution.</param>
    /// <param name="reduce5x5">Filters of the 1x1 reduction before the 5x5.</param>
    /// <param name="conv5x5">Filters of the 5x5 convolution.</param>
    /// <param name="poolProjection">Filters of the 1x1 projection after the pool.</param>
    /// <param name="from">The layer it reads; the last appended when null.</param>
    /// <returns>This builder; its last layer is <c>name/output</c>.</returns>
    public NetworkBuilder Inception(string name, int conv1x1, int reduce3x3, int conv3x3, int reduce5x5, int conv5x5, int poolProjection, string? from = null)
    {
        var source = Source(name, from);
        Convolution($"{name}/1x1", conv1x1, 1, from: source).ReLU($"{name}/relu_1x1");
        Convolution($"{name}/3x3_reduce", reduce3x3, 1, from: source).ReLU($"{name}/relu_3x3_reduce")
            .Convolution($"{name}/3x3", conv3x3, 3, pad: 1).ReLU($"{name}/relu_3x3");
        Convolution($"{name}/5x5_reduce", reduce5x5, 1, from: source).ReLU($"{name}/relu_5x5_reduce")
            .Convolution($"{name}/5x5", conv5x5, 5, pad: 2).ReLU($"{name}/relu_5x5");
        MaxPool($"{name}/pool", 3, 1, pad: 1, from: source)
            .Convolution($"{name}/pool_proj", poolProjection, 1).ReLU($"{name}/relu_pool_proj");
        return Concat($"{name}/output", $"{name}/relu_1x1", $"{name}/relu_3x3", $"{name}/relu_5x5", $"{name}/relu_pool_proj");
    }

    /// <summary>Checks the description and builds the network.</summary>
    /// <returns>The immutable network.</returns>
    /// <exception cref="NetworkDefinitionException">The description is not a valid network; the message names the layer.</exception>
    public Network Build() => new(_name, _layers, _conventions);

    private string Source(string layer, string? from) =>
        from ?? _last ?? throw new NetworkDefinitionException(layer, "there is no earlier layer for it to read; start with Input(...)");
}
