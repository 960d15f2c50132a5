using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.DesignSpace;

/// <summary>Bypass connections between Fire modules (dissertation 5.6, Figure 5.2).</summary>
public enum BypassKind
{
    /// <summary>Vanilla SqueezeNet.</summary>
    None,

    /// <summary>Element-wise adds around fire3, fire5, fire7 and fire9, whose input and output channels agree; no parameters.</summary>
    Simple,

    /// <summary>The simple bypasses plus, around fire2, fire4, fire6 and fire8, a 1x1 convolution that matches the channels.</summary>
    Complex,
}

/// <summary>The filters of one Fire module: <c>s1x1</c>, <c>e1x1</c>, <c>e3x3</c> (dissertation 5.3.2).</summary>
/// <param name="Squeeze1x1">Filters of the squeeze layer.</param>
/// <param name="Expand1x1">1x1 filters of the expand layer.</param>
/// <param name="Expand3x3">3x3 filters of the expand layer.</param>
public readonly record struct FireDimensions(int Squeeze1x1, int Expand1x1, int Expand3x3)
{
    /// <summary>Output channels, <c>e1x1 + e3x3</c>.</summary>
    public int Expand => Expand1x1 + Expand3x3;
}

/// <summary>
/// The metaparameters of a SqueezeNet-family network (dissertation 5.5.1) and the macroarchitecture around its
/// Fire modules. The defaults are SqueezeNet v1.0: base_e 128, incr_e 128, pct3x3 0.5, freq 2, SR 0.125,
/// conv1 96 7x7/2, max pools after conv1, fire4 and fire8, 1000 categories, 3x227x227.
/// </summary>
public sealed record SqueezeNetMetaparameters
{
    /// <summary>SqueezeNet v1.0 (Table 5.1).</summary>
    public static SqueezeNetMetaparameters SqueezeNet { get; } = new();

    /// <summary>Expand filters of the first Fire module, <c>base_e</c>.</summary>
    public int BaseExpand { get; init; } = 128;

    /// <summary>Expand filters added every <see cref="Frequency"/> modules, <c>incr_e</c>.</summary>
    public int ExpandIncrement { get; init; } = 128;

    /// <summary>Fraction of expand filters that are 3x3, <c>pct3x3</c>, strictly between 0 and 1.</summary>
    public double Percent3x3 { get; init; } = 0.5;

    /// <summary>Fire modules between increments, <c>freq</c>.</summary>
    public int Frequency { get; init; } = 2;

    /// <summary>Squeeze filters per expand filter, <c>SR</c>, in (0, 1].</summary>
    public double SqueezeRatio { get; init; } = 0.125;

    /// <summary>Bypass connections.</summary>
    public BypassKind Bypass { get; init; } = BypassKind.None;

    /// <summary>Number of Fire modules (named fire2, fire3, …).</summary>
    public int FireModules { get; init; } = 8;

    /// <summary>Filters of conv1.</summary>
    public int Conv1Filters { get; init; } = 96;

    /// <summary>Kernel of conv1.</summary>
    public int Conv1Kernel { get; init; } = 7;

    /// <summary>Stride of conv1.</summary>
    public int Conv1Stride { get; init; } = 2;

    /// <summary>Where the 3x3/2 max pools go: 1 after conv1, n after fire module n (v1.0: 1, 4, 8).</summary>
    public ImmutableArray<int> PoolsAfter { get; init; } = [1, 4, 8];

    /// <summary>Categories, the filters of the last 1x1 convolution (conv10).</summary>
    public int Categories { get; init; } = 1000;

    /// <summary>Height and width of the RGB input.</summary>
    public int InputSize { get; init; } = 227;

    /// <summary>
    /// The dimensions of Fire module <paramref name="index"/> (0 for fire2): <c>e_i = base_e + incr_e·⌊i/freq⌋</c>,
    /// <c>e_i,3x3 = pct3x3·e_i</c>, <c>e_i,1x1 = e_i − e_i,3x3</c>, <c>s_i,1x1 = SR·e_i</c> (dissertation 5.5.1).
    /// Fractional counts are rounded half away from zero; <c>e_i,3x3</c> is kept within [1, e_i − 1] and
    /// <c>s_i,1x1</c> at least 1, so that no layer of the module vanishes.
    /// </summary>
    /// <param name="index">The module's position, from 0.</param>
    /// <returns>The module's filters.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the network's modules.</exception>
    public FireDimensions Fire(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, FireModules);
        var expand = BaseExpand + ExpandIncrement * (index / Frequency);
        var expand3x3 = (int)Math.Clamp(Math.Round(Percent3x3 * expand, MidpointRounding.AwayFromZero), 1, expand - 1);
        var squeeze = (int)Math.Max(1, Math.Round(SqueezeRatio * expand, MidpointRounding.AwayFromZero));
        return new FireDimensions(squeeze, expand - expand3x3, expand3x3);
    }

    /// <summary>Checks the metaparameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A metaparameter is out of its range; the message names it.</exception>
    public void Validate()
    {
        if (BaseExpand < 2 || ExpandIncrement < 0 || Frequency < 1 || FireModules < 1 || Conv1Filters < 1 || Conv1Kernel < 1
            || Conv1Stride < 1 || Categories < 1 || InputSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SqueezeNetMetaparameters),
                "base_e must be at least 2, incr_e at least 0, and freq, the module count, conv1's filters, kernel and stride, the categories and the input size at least 1");
        }

        // e_i of the last module, the largest: base_e + incr_e·⌊(modules − 1)/freq⌋ must be a filter count.
        var largest = BaseExpand + (long)ExpandIncrement * ((FireModules - 1) / Frequency);
        if (largest > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseExpand),
                $"the last Fire module would have base_e + incr_e·⌊(modules − 1)/freq⌋ = {largest} expand filters, more than 2^31-1");
        }

        if (Percent3x3 is <= 0 or >= 1 || double.IsNaN(Percent3x3))
        {
            throw new ArgumentOutOfRangeException(nameof(Percent3x3), $"pct3x3 must be strictly between 0 and 1, got {Percent3x3}");
        }

        if (SqueezeRatio is <= 0 or > 1 || double.IsNaN(SqueezeRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(SqueezeRatio), $"SR must be in (0, 1], got {SqueezeRatio}");
        }
    }
}

/// <summary>Parameters, FLOPs and activations of one design, at batch 1, fp32, biases included.</summary>
/// <param name="Parameters">Weights plus biases.</param>
/// <param name="ParameterBytes">Model size in bytes.</param>
/// <param name="Flops">Inference FLOPs.</param>
/// <param name="ActivationBytes">Output bytes of every layer but the input, in-place layers not repeated.</param>
public readonly record struct DesignCosts(long Parameters, long ParameterBytes, long Flops, long ActivationBytes);

/// <summary>
/// Generates SqueezeNet-family networks from their metaparameters (dissertation 5.5-5.6) and evaluates their costs
/// in closed form, without building a network, for sweeps of millions of designs.
/// </summary>
public static class SqueezeNetFamily
{
    private static readonly Size2 PoolKernel = 3;
    private static readonly Size2 PoolStride = 2;

    /// <summary>Builds the network the metaparameters describe (layer names as in the released SqueezeNet).</summary>
    /// <param name="meta">The metaparameters.</param>
    /// <returns>The network.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A metaparameter is out of range.</exception>
    /// <exception cref="NetworkDefinitionException">The layout does not fit the input (too many pools for its size).</exception>
    public static Network Build(SqueezeNetMetaparameters meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        meta.Validate();
        var b = new NetworkBuilder("squeezenet-family", Conventions.Caffe)
            .Input(3, meta.InputSize, meta.InputSize)
            .Convolution("conv1", meta.Conv1Filters, meta.Conv1Kernel, stride: meta.Conv1Stride).ReLU("relu_conv1");
        if (meta.PoolsAfter.Contains(1))
        {
            b.MaxPool("pool1", PoolKernel, PoolStride);
        }

        var channels = meta.Conv1Filters;
        for (var i = 0; i < meta.FireModules; i++)
        {
            var number = i + 2;
            var entry = b.Last!;
            var fire = meta.Fire(i);
            b.Fire($"fire{number}", fire.Squeeze1x1, fire.Expand1x1, fire.Expand3x3);
            var bypass = Bypass(meta.Bypass, number, channels, fire.Expand);
            if (bypass == BypassKind.Simple)
            {
                b.Sum($"fire{number}/bypass", $"fire{number}/concat", entry);
            }
            else if (bypass == BypassKind.Complex)
            {
                b.Convolution($"fire{number}/bypass_conv1x1", fire.Expand, 1, from: entry)
                    .Sum($"fire{number}/bypass", $"fire{number}/concat", $"fire{number}/bypass_conv1x1");
            }

            if (meta.PoolsAfter.Contains(number))
            {
                b.MaxPool($"pool{number}", PoolKernel, PoolStride);
            }

            channels = fire.Expand;
        }

        return b.Dropout(0.5, $"drop{meta.FireModules + 1}")
            .Convolution($"conv{meta.FireModules + 2}", meta.Categories, 1).ReLU($"relu_conv{meta.FireModules + 2}")
            .GlobalPool($"pool{meta.FireModules + 2}")
            .Softmax("prob")
            .Build();
    }

    /// <summary>
    /// The costs of <see cref="Build"/>'s network in closed form (the same equations, evaluated per layer without
    /// building a graph): what a sweep calls millions of times.
    /// </summary>
    /// <param name="meta">The metaparameters.</param>
    /// <returns>Parameters, bytes, FLOPs and activations at batch 1, fp32, biases included.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A metaparameter is out of range.</exception>
    /// <exception cref="NetworkDefinitionException">The layout does not fit the input.</exception>
    public static DesignCosts Evaluate(SqueezeNetMetaparameters meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        meta.Validate();
        long parameters = 0, flops = 0, activations = 0;
        var size = Extent("conv1", meta.InputSize, meta.Conv1Kernel, meta.Conv1Stride, 0, RoundingRule.Floor);
        long channels = meta.Conv1Filters;
        AddConvolution(3, channels, meta.Conv1Kernel, size);
        if (meta.PoolsAfter.Contains(1))
        {
            size = Pool("pool1", channels, size);
        }

        for (var i = 0; i < meta.FireModules; i++)
        {
            var number = i + 2;
            var fire = meta.Fire(i);
            AddConvolution(channels, fire.Squeeze1x1, 1, size);
            AddConvolution(fire.Squeeze1x1, fire.Expand1x1, 1, size);
            AddConvolution(fire.Squeeze1x1, fire.Expand3x3, 3, size);
            long area = (long)size * size;
            activations += fire.Expand * area; // the concat
            var bypass = Bypass(meta.Bypass, number, (int)channels, fire.Expand);
            if (bypass == BypassKind.Complex)
            {
                AddConvolution(channels, fire.Expand, 1, size);
            }

            if (bypass != BypassKind.None)
            {
                activations += fire.Expand * area; // the add
            }

            channels = fire.Expand;
            if (meta.PoolsAfter.Contains(number))
            {
                size = Pool($"pool{number}", channels, size);
            }
        }

        AddConvolution(channels, meta.Categories, 1, size);
        flops += 2L * size * size * meta.Categories;  // global average pooling: 2 ops per window element
        activations += 2L * meta.Categories;          // its output and the softmax's
        return new DesignCosts(parameters, 4 * parameters, flops, 4 * activations);

        void AddConvolution(long inChannels, long filters, int kernel, int outSize)
        {
            var weights = inChannels * filters * kernel * kernel;
            parameters += weights + filters;
            flops += 2 * weights * outSize * outSize;
            activations += filters * outSize * outSize;
        }

        int Pool(string layer, long poolChannels, int input)
        {
            var output = Extent(layer, input, 3, 2, 0, RoundingRule.Ceiling);
            flops += 9L * output * output * poolChannels;
            activations += poolChannels * output * output;
            return output;
        }
    }

    /// <summary>
    /// Which bypass, if any, goes around Fire module <paramref name="number"/>: simple around fire3, 5, 7, 9 when its
    /// input and output channels agree; complex (a 1x1 convolution) around the others when complex bypass is on.
    /// </summary>
    private static BypassKind Bypass(BypassKind kind, int number, int inChannels, int outChannels) => kind switch
    {
        BypassKind.None => BypassKind.None,
        _ when number % 2 == 1 && inChannels == outChannels => BypassKind.Simple,
        BypassKind.Complex => BypassKind.Complex,
        _ => BypassKind.None,
    };

    private static int Extent(string layer, int input, int kernel, int stride, int pad, RoundingRule rounding)
    {
        if (kernel > input + 2 * pad)
        {
            throw new NetworkDefinitionException(layer, $"its kernel {kernel} is larger than its input {input}");
        }

        return (int)ShapeInference.OutputExtent(input, kernel, stride, pad, 1, rounding);
    }
}
