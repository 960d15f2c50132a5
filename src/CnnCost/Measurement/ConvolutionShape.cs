using CnnCost.Graph;

namespace CnnCost.Measurement;

/// <summary>
/// One convolution to run: NCHW input, <c>filters x channels/groups x kernel</c> weights, stride, padding, dilation,
/// groups and batch. A fully-connected layer is the convolution whose kernel covers its input.
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Batch">Data items.</param>
/// <param name="Input">One item's input shape.</param>
/// <param name="Filters">Output channels.</param>
/// <param name="Kernel">Kernel size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Pad">Zero padding on each side.</param>
/// <param name="Dilation">Kernel dilation.</param>
/// <param name="Groups">Channel groups.</param>
/// <exception cref="ArgumentException">A size is not positive, a padding negative, the groups do not divide the channels and filters, or the kernel does not fit the padded input; the message names the layer.</exception>
public sealed record ConvolutionShape(string Name, int Batch, Shape Input, int Filters, Size2 Kernel, Size2 Stride, Size2 Pad, Size2 Dilation, int Groups)
{
    // Checked when the shape is made, so no engine is ever handed a convolution it cannot run.
    private readonly bool _valid = Validate(Name, Batch, Input, Filters, Kernel, Stride, Pad, Dilation, Groups);

    private static bool Validate(string name, int batch, Shape input, int filters, Size2 kernel, Size2 stride, Size2 pad, Size2 dilation, int groups)
    {
        ArgumentNullException.ThrowIfNull(name);
        var problem =
            batch < 1 ? $"batch {batch} is below 1"
            : input.Channels < 1 || input.Height < 1 || input.Width < 1 ? $"input {input} is not positive in every dimension"
            : filters < 1 ? $"filter count {filters} is below 1"
            : groups < 1 || input.Channels % groups != 0 || filters % groups != 0 ? $"groups {groups} do not divide {input.Channels} channels and {filters} filters"
            : kernel.Height < 1 || kernel.Width < 1 || stride.Height < 1 || stride.Width < 1 || dilation.Height < 1 || dilation.Width < 1
                ? $"kernel {kernel}, stride {stride} and dilation {dilation} must be at least 1"
            : pad.Height < 0 || pad.Width < 0 ? $"padding {pad} is negative"
            : ShapeInference.OutputExtent(input.Height, kernel.Height, stride.Height, pad.Height, dilation.Height, RoundingRule.Floor) < 1
              || ShapeInference.OutputExtent(input.Width, kernel.Width, stride.Width, pad.Width, dilation.Width, RoundingRule.Floor) < 1
                ? $"kernel {kernel} with dilation {dilation} does not fit input {input.Height}x{input.Width} padded by {pad}"
            : null;
        return problem is null ? true : throw new ArgumentException($"convolution '{name}': {problem}");
    }

    /// <summary>Output height (floor rounding).</summary>
    public int OutHeight => (int)ShapeInference.OutputExtent(Input.Height, Kernel.Height, Stride.Height, Pad.Height, Dilation.Height, RoundingRule.Floor);

    /// <summary>Output width (floor rounding).</summary>
    public int OutWidth => (int)ShapeInference.OutputExtent(Input.Width, Kernel.Width, Stride.Width, Pad.Width, Dilation.Width, RoundingRule.Floor);

    /// <summary>Input channels each filter sees.</summary>
    public int ChannelsPerGroup => Input.Channels / Groups;

    /// <summary>Filters per group.</summary>
    public int FiltersPerGroup => Filters / Groups;

    /// <summary>
    /// Whether it is a depthwise convolution: more than one group, each of one input channel (MobileNet's 3x3 layers;
    /// a channel multiplier above 1 included). Engines run these far below their GEMM rate (<see cref="Calibration"/>).
    /// </summary>
    public bool IsDepthwise => Groups > 1 && ChannelsPerGroup == 1;

    /// <summary>Input values over the batch.</summary>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public long InputElements => checked(Input.Elements * Batch);

    /// <summary>Weight values.</summary>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public long WeightElements => checked((long)Filters * ChannelsPerGroup * Kernel.Height * Kernel.Width);

    /// <summary>Output values over the batch.</summary>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public long OutputElements => checked((long)Batch * Filters * OutHeight * OutWidth);

    /// <summary>FLOPs, multiply-add = 2 (dissertation Eq. 4.3).</summary>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public long Flops => checked(2 * WeightElements * OutHeight * OutWidth * Batch);

    /// <summary>The fewest bytes the convolution moves in fp32: input, weights and output once each.</summary>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public long MinimumBytes => checked(4 * (InputElements + WeightElements + OutputElements));

    /// <summary>
    /// Fails, before anything is allocated, when a buffer of this convolution would exceed what one array can hold or
    /// its buffers together the memory this process has available.
    /// </summary>
    /// <exception cref="CnnCostException">
    /// The input, weights or output has more than <see cref="Array.MaxLength"/> values, or more than 2^63-1, or the buffers
    /// exceed the available memory; the message names the layer and the bytes.
    /// </exception>
    public void EnsureBuffersFit()
    {
        long largest;
        try
        {
            largest = Math.Max(InputElements, Math.Max(WeightElements, OutputElements));
        }
        catch (OverflowException overflow)
        {
            throw new CostOverflowException(Name, overflow);
        }

        if (largest > Array.MaxLength)
        {
            throw new CnnCostException($"layer '{Name}' at batch {Batch} needs a buffer of {largest:N0} values, more than one array holds ({Array.MaxLength:N0}); measure a smaller batch");
        }

        // Input, weights and output in fp32, and one packed copy of the weights, all held at once.
        var needed = MinimumBytes + 4 * WeightElements;
        var available = AvailableMemoryBytes(aggressive: needed > 1L << 30);
        if (needed > available)
        {
            throw new CnnCostException($"layer '{Name}' at batch {Batch} needs {needed / 1e9:0.##} GB of buffers, more than the {Math.Max(0, available) / 1e9:0.##} GB of memory available; measure a smaller batch");
        }
    }

    /// <summary>
    /// Bytes this process can still allocate: the host's available memory (Linux <c>MemAvailable</c>) plus what the
    /// managed heap has committed but no longer uses, and never more than the runtime's own limit allows.
    /// </summary>
    private static long AvailableMemoryBytes(bool aggressive)
    {
        if (aggressive)
        {
            // Before gigabytes are asked for, the buffers of earlier layers go back to the system, not just to the heap.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        var live = GC.GetTotalMemory(forceFullCollection: !aggressive);
        var info = GC.GetGCMemoryInfo();
        var byRuntime = info.TotalAvailableMemoryBytes - live;
        var reusable = Math.Max(0, info.TotalCommittedBytes - live);
        return HostAvailableBytes() is { } host ? Math.Min(byRuntime, host + reusable) : byRuntime;
    }

    private static long? HostAvailableBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                // "MemAvailable:   12345678 kB"
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], System.Globalization.NumberStyles.None,
                        System.Globalization.CultureInfo.InvariantCulture, out var kilobytes))
                {
                    return kilobytes * 1024;
                }
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // No /proc (not Linux): the runtime's limit alone decides.
        }

        return null;
    }

    /// <summary>
    /// The shape of a network's convolution or fully-connected layer, given its input. A convolution padded unevenly
    /// runs as the same convolution on an input that carries the excess padding as zero rows and columns, with the
    /// smaller padding on both sides: its output, weights and FLOPs are those of the layer.
    /// </summary>
    /// <param name="layer">A <see cref="ConvolutionLayer"/> or <see cref="FullyConnectedLayer"/>.</param>
    /// <param name="input">The layer's input shape.</param>
    /// <param name="batch">The batch.</param>
    /// <returns>The convolution to run.</returns>
    /// <exception cref="ArgumentException">The layer is neither.</exception>
    public static ConvolutionShape Of(Layer layer, Shape input, int batch) => layer switch
    {
        ConvolutionLayer { PadEnd: null } c => new ConvolutionShape(c.Name, batch, input, c.Filters, c.Kernel, c.Stride, c.Pad, c.Dilation, c.Groups),
        ConvolutionLayer c => Uneven(c, input, batch),
        FullyConnectedLayer fc => new ConvolutionShape(fc.Name, batch, input, fc.Outputs, input.Spatial, 1, 0, 1, 1),
        _ => throw new ArgumentException($"layer '{layer.Name}' is a {layer.Kind} layer; only convolution and fully-connected layers are measured", nameof(layer)),
    };

    private static ConvolutionShape Uneven(ConvolutionLayer layer, Shape input, int batch)
    {
        var (begin, end) = (layer.Padding.Begin, layer.Padding.End);
        var both = new Size2(Math.Min(begin.Height, end.Height), Math.Min(begin.Width, end.Width));
        var padded = new Shape(input.Channels,
            checked(input.Height + begin.Height + end.Height - 2 * both.Height),
            checked(input.Width + begin.Width + end.Width - 2 * both.Width));
        return new ConvolutionShape(layer.Name, batch, padded, layer.Filters, layer.Kernel, layer.Stride, both, layer.Dilation, layer.Groups);
    }

    /// <summary>Writes the shape briefly.</summary>
    public override string ToString() =>
        $"{Name}: {Batch}x{Input} -> {Filters} {Kernel}/{Stride} pad {Pad}{(Groups > 1 ? $" groups {Groups}" : "")}{(Dilation != new Size2(1, 1) ? $" dilation {Dilation}" : "")}";
}
