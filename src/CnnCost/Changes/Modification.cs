using System.Globalization;
using CnnCost.Graph;

namespace CnnCost.Changes;

/// <summary>
/// One edit of a network's architecture (dissertation 4.4-4.6). Applying it returns a new network; the
/// original is untouched. Modifications compose: apply several in order with <see cref="ApplyAll"/>.
/// </summary>
public abstract record Modification
{
    /// <summary>Applies the edit.</summary>
    /// <param name="network">The network to edit.</param>
    /// <returns>The edited network, with every shape inferred again.</returns>
    /// <exception cref="NetworkDefinitionException">The edit names an unknown layer, an impossible value, or breaks a shape; the message names the layer.</exception>
    public abstract Network ApplyTo(Network network);

    /// <summary>The edit in the <c>--change</c> syntax of contracts.md, e.g. <c>filters:conv8=1536</c>.</summary>
    public abstract string Spec { get; }

    /// <summary>Applies several edits in order.</summary>
    /// <param name="network">The network to edit.</param>
    /// <param name="modifications">The edits, applied first to last.</param>
    /// <returns>The edited network.</returns>
    /// <exception cref="NetworkDefinitionException">An edit fails; the message names the layer.</exception>
    public static Network ApplyAll(Network network, IEnumerable<Modification> modifications)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(modifications);
        foreach (var modification in modifications)
        {
            network = modification.ApplyTo(network);
        }

        return network;
    }

    /// <summary>
    /// Reads an edit in the <c>--change</c> syntax: <c>input-channels=12</c>, <c>input-size=454x454</c>,
    /// <c>filters:conv8=1536</c>, <c>kernel:conv7=6x6,pad=2</c>, <c>stride:conv1=2</c>, <c>pool:pool5=avg</c>,
    /// <c>categories=4000</c>, <c>remove:pool3</c>, <c>insert-after:conv4=conv,1x1,256[,pad=P][,stride=S][,name=N]</c>.
    /// </summary>
    /// <param name="spec">The edit's text.</param>
    /// <returns>The edit.</returns>
    /// <exception cref="FormatException">The text is not an edit; the message quotes it and the accepted forms.</exception>
    public static Modification Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            var (head, value) = Split(spec, '=');
            var (kind, layer) = Split(head, ':');
            return (kind, layer, value) switch
            {
                ("input-channels", null, { } v) => new SetInputChannels(Int(v)),
                ("input-size", null, { } v) => new SetInputSize(Size2.Parse(v)),
                ("categories", null, { } v) => new SetCategories(Int(v)),
                ("filters", { } l, { } v) => new SetFilters(l, Int(v)),
                ("stride", { } l, { } v) => new SetStride(l, Size2.Parse(v)),
                ("kernel", { } l, { } v) => ParseKernel(l, v),
                ("pool", { } l, "max") => new SetPoolingMethod(l, PoolingMethod.Max),
                ("pool", { } l, "avg" or "average") => new SetPoolingMethod(l, PoolingMethod.Average),
                ("remove", { } l, null) => new RemoveLayer(l),
                ("insert-after", { } l, { } v) => ParseInsert(l, v),
                _ => throw new FormatException(),
            };
        }
        catch (FormatException)
        {
            throw new FormatException(
                $"'{spec}' is not a change; the forms are input-channels=N, input-size=HxW, filters:LAYER=N, kernel:LAYER=HxW[,pad=P], "
                + "stride:LAYER=S, pool:LAYER=max|avg, categories=N, remove:LAYER, insert-after:LAYER=conv,KxK,N[,pad=P][,stride=S][,name=NAME]");
        }
    }

    /// <summary>A size as a spec writes it: one number for a square, <c>HxW</c> otherwise.</summary>
    private protected static string Compact(Size2 size) =>
        size.IsSquare ? size.Height.ToString(CultureInfo.InvariantCulture) : size.ToString();

    private static (string Head, string? Tail) Split(string text, char separator)
    {
        var index = text.IndexOf(separator, StringComparison.Ordinal);
        return index < 0 ? (text, null) : (text[..index], text[(index + 1)..]);
    }

    private static int Int(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException();

    private static Modification ParseKernel(string layer, string value)
    {
        var parts = value.Split(',');
        Size2? pad = null;
        foreach (var option in parts.Skip(1))
        {
            pad = option.StartsWith("pad=", StringComparison.Ordinal) ? Size2.Parse(option[4..]) : throw new FormatException();
        }

        return new SetKernel(layer, Size2.Parse(parts[0]), pad);
    }

    private static Modification ParseInsert(string existing, string value)
    {
        var parts = value.Split(',');
        if (parts.Length < 3 || parts[0] != "conv")
        {
            throw new FormatException();
        }

        Size2 pad = 0, stride = 1;
        var name = $"{existing}_extra";
        foreach (var option in parts.Skip(3))
        {
            var (key, optionValue) = Split(option, '=');
            switch (key)
            {
                case "pad": pad = Size2.Parse(optionValue ?? throw new FormatException()); break;
                case "stride": stride = Size2.Parse(optionValue ?? throw new FormatException()); break;
                case "name": name = optionValue is { Length: > 0 } ? optionValue : throw new FormatException(); break;
                default: throw new FormatException();
            }
        }

        var layer = new ConvolutionLayer(name, existing, Int(parts[2]), Size2.Parse(parts[1]), stride, pad, 1, 1, true);
        return new InsertAfter(existing, layer);
    }
}

/// <summary>Changes the input's channel count (Table 4.3: 3 -> 12 for four stacked RGB frames).</summary>
/// <param name="Channels">The new channel count.</param>
public sealed record SetInputChannels(int Channels) : Modification
{
    /// <inheritdoc />
    public override Network ApplyTo(Network network) =>
        network.WithInputShape(network.Input.Shape.WithDimension(0, Channels));

    /// <inheritdoc />
    public override string Spec => $"input-channels={Channels}";
}

/// <summary>Changes the input's height and width (Table 4.8: 227x227 -> 454x454).</summary>
/// <param name="Size">The new resolution.</param>
public sealed record SetInputSize(Size2 Size) : Modification
{
    /// <inheritdoc />
    public override Network ApplyTo(Network network) =>
        network.Input.Shape.IsImage
            ? network.WithInputShape(new Shape(network.Input.Shape.Channels, Size.Height, Size.Width))
            : throw new NetworkDefinitionException(network.Input.Name, $"its input is {network.Input.Shape}, not an image, so it has no height and width to change");

    /// <inheritdoc />
    public override string Spec => $"input-size={Size}";
}

/// <summary>
/// Changes a convolution's filter count, a fully-connected or per-position linear layer's output count, or a
/// transposed convolution's output channels (Table 4.4).
/// </summary>
/// <param name="Layer">The layer.</param>
/// <param name="Filters">The new count.</param>
public sealed record SetFilters(string Layer, int Filters) : Modification
{
    /// <inheritdoc />
    public override Network ApplyTo(Network network) => network[Layer] switch
    {
        ConvolutionLayer conv => network.ReplaceLayer(conv with { Filters = Filters }),
        FullyConnectedLayer fc => network.ReplaceLayer(fc with { Outputs = Filters }),
        LinearLayer linear => network.ReplaceLayer(linear with { Outputs = Filters }),
        DeconvolutionLayer deconv => network.ReplaceLayer(deconv with { Filters = Filters }),
        var other => throw new NetworkDefinitionException(Layer, $"it is a {other.Kind} layer; filter counts apply to convolution, transposed convolution, fully-connected and linear layers"),
    };

    /// <inheritdoc />
    public override string Spec => $"filters:{Layer}={Filters}";
}

/// <summary>Changes a convolution's or pooling layer's kernel size, and optionally its padding (Table 4.5).</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Kernel">The new kernel size.</param>
/// <param name="Pad">The new padding, on both sides, or null to keep the layer's padding (uneven padding included).</param>
public sealed record SetKernel(string Layer, Size2 Kernel, Size2? Pad = null) : Modification
{
    /// <inheritdoc />
    public override Network ApplyTo(Network network) => network[Layer] switch
    {
        ConvolutionLayer conv => network.ReplaceLayer(Pad is { } pad ? conv with { Kernel = Kernel, Pad = pad, PadEnd = null } : conv with { Kernel = Kernel }),
        DeconvolutionLayer deconv => network.ReplaceLayer(Pad is { } pad ? deconv with { Kernel = Kernel, Pad = pad, PadEnd = null } : deconv with { Kernel = Kernel }),
        PoolingLayer { IsGlobal: false } pool => network.ReplaceLayer(Pad is { } pad ? pool with { Kernel = Kernel, Pad = pad, PadEnd = null } : pool with { Kernel = Kernel }),
        var other => throw new NetworkDefinitionException(Layer, $"it is a {other.Kind} layer without a kernel to resize"),
    };

    /// <inheritdoc />
    public override string Spec => $"kernel:{Layer}={Kernel}" + (Pad is { } pad ? $",pad={Compact(pad)}" : "");
}

/// <summary>Changes a convolution's or pooling layer's stride (a global change when it alters the resolution).</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Stride">The new stride.</param>
public sealed record SetStride(string Layer, Size2 Stride) : Modification
{
    /// <inheritdoc />
    public override Network ApplyTo(Network network) => network[Layer] switch
    {
        ConvolutionLayer conv => network.ReplaceLayer(conv with { Stride = Stride }),
        DeconvolutionLayer deconv => network.ReplaceLayer(deconv with { Stride = Stride }),
        PoolingLayer { IsGlobal: false } pool => network.ReplaceLayer(pool with { Stride = Stride }),
        var other => throw new NetworkDefinitionException(Layer, $"it is a {other.Kind} layer without a stride"),
    };

    /// <inheritdoc />
    public override string Spec => $"stride:{Layer}={Compact(Stride)}";
}

/// <summary>Makes a pooling layer max or average (VGG_F_extralayer averages in its last pool).</summary>
/// <param name="Layer">The pooling layer.</param>
/// <param name="Method">Max or average.</param>
public sealed record SetPoolingMethod(string Layer, PoolingMethod Method) : Modification
{
    /// <inheritdoc />
    public override Network ApplyTo(Network network) => network[Layer] switch
    {
        PoolingLayer pool => network.ReplaceLayer(pool with { Method = Method }),
        var other => throw new NetworkDefinitionException(Layer, $"it is a {other.Kind} layer, not a pooling layer"),
    };

    /// <inheritdoc />
    public override string Spec => $"pool:{Layer}={(Method == PoolingMethod.Max ? "max" : "avg")}";
}

/// <summary>
/// Changes the number of categories: the filter (or output) count of the classifier, the last convolution or
/// fully-connected layer before the global pooling and softmax (Table 4.6: NiN's conv12, 1000 -> 4000).
/// </summary>
/// <param name="Categories">The new number of categories.</param>
public sealed record SetCategories(int Categories) : Modification
{
    /// <summary>The classifier of <paramref name="network"/>: its last convolution or fully-connected layer.</summary>
    /// <param name="network">The network.</param>
    /// <returns>The classifier's name.</returns>
    /// <exception cref="NetworkDefinitionException">The network has no such layer.</exception>
    public static string ClassifierOf(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        for (var i = network.Layers.Length - 1; i >= 0; i--)
        {
            if (network.Layers[i].Kind is LayerKind.Convolution or LayerKind.FullyConnected)
            {
                return network.Layers[i].Name;
            }
        }

        throw new NetworkDefinitionException(null, $"network '{network.Name}' has no convolution or fully-connected layer to classify with");
    }

    /// <inheritdoc />
    public override Network ApplyTo(Network network) => new SetFilters(ClassifierOf(network), Categories).ApplyTo(network);

    /// <inheritdoc />
    public override string Spec => $"categories={Categories}";
}

/// <summary>Removes a single-input layer and feeds its consumers from its input (Table 4.7: remove pool3).</summary>
/// <param name="Layer">The layer to remove.</param>
public sealed record RemoveLayer(string Layer) : Modification
{
    /// <inheritdoc />
    public override Network ApplyTo(Network network) => network.RemoveLayer(Layer);

    /// <inheritdoc />
    public override string Spec => $"remove:{Layer}";
}

/// <summary>Inserts a layer after another (VGG_F_extralayer's extra 1x1 convolution after conv4).</summary>
/// <param name="Existing">The layer after which to insert.</param>
/// <param name="Layer">The new layer (its input is set to <paramref name="Existing"/>).</param>
public sealed record InsertAfter(string Existing, Layer Layer) : Modification
{
    /// <inheritdoc />
    public override Network ApplyTo(Network network) => network.InsertAfter(Existing, Layer);

    /// <inheritdoc />
    public override string Spec => Layer is ConvolutionLayer { PadEnd: null } c
        ? $"insert-after:{Existing}=conv,{c.Kernel},{c.Filters}"
          + (c.Pad == new Size2(0, 0) ? "" : $",pad={Compact(c.Pad)}")
          + (c.Stride == new Size2(1, 1) ? "" : $",stride={Compact(c.Stride)}")
          + $",name={c.Name}"
        : $"insert-after:{Existing}={Layer.Kind}:{Layer.Name}";
}
