namespace CnnCost.Measurement.Cpu;

/// <summary>
/// One convolution shape made ready to run on the CPU engine: its weights packed once, the way an inference runtime
/// prepares a layer, so that a run only gathers the input and computes. Runs share the engine's worker team, one at a
/// time (the engine serialises them).
/// </summary>
internal interface IPreparedConvolution
{
    /// <summary>The shape this was prepared for.</summary>
    ConvolutionShape Shape { get; }

    /// <summary>Computes the output (NCHW, <see cref="ConvolutionShape.OutputElements"/> floats) from the input.</summary>
    void Run(ReadOnlySpan<float> input, Span<float> output);
}

/// <summary>Chooses, once per shape, which prepared convolution runs it, and with which micro-kernel.</summary>
internal static class PreparedConvolution
{
    /// <summary>
    /// Whether a convolution is depthwise (one filter per input channel): a GEMM per channel would be one row of A
    /// by a few columns, so these run as direct convolutions (<see cref="DepthwiseConvolution{TKernel}"/>).
    /// </summary>
    public static bool IsDepthwise(ConvolutionShape shape) => shape.Groups > 1 && shape.Groups == shape.Input.Channels && shape.Filters == shape.Groups;

    /// <summary>
    /// Whether a convolution is a fully-connected layer: one group whose kernel covers the whole unpadded input, so
    /// each batch item is one output column and its K inputs are contiguous. With a small batch, the usual roles
    /// would leave most of the micro-kernel's columns empty; <see cref="FullyConnectedConvolution{TKernel}"/> swaps them.
    /// </summary>
    public static bool IsFullyConnected(ConvolutionShape shape) =>
        shape.Groups == 1 && shape.Kernel == shape.Input.Spatial && shape.Pad == new Graph.Size2(0, 0) && shape.Dilation == new Graph.Size2(1, 1);

    /// <summary>The prepared convolution for a shape and weights, on the micro-kernel of <paramref name="instructionSet"/>.</summary>
    public static IPreparedConvolution Prepare(ConvolutionShape shape, ReadOnlySpan<float> weights, string instructionSet, WorkerTeam team, int threads) =>
        instructionSet switch
        {
            "avx512" => Prepare<Avx512MicroKernel>(shape, weights, team, threads),
            "avx2" => Prepare<Avx2MicroKernel>(shape, weights, team, threads),
            "scalar" => Prepare<ScalarMicroKernel>(shape, weights, team, threads),
            _ => throw new ArgumentException($"instruction set '{instructionSet}' is not one of avx512, avx2 or scalar", nameof(instructionSet)),
        };

    /// <summary>The one place the path is chosen: depthwise, fully-connected, or the GEMM that takes everything else.</summary>
    public static IPreparedConvolution Prepare<TKernel>(ConvolutionShape shape, ReadOnlySpan<float> weights, WorkerTeam team, int threads)
        where TKernel : struct, IMicroKernel
    {
        if (!TKernel.IsSupported)
        {
            throw new PlatformNotSupportedException($"{typeof(TKernel).Name} cannot run on this CPU");
        }

        if (IsDepthwise(shape))
        {
            return new DepthwiseConvolution<TKernel>(shape, weights, team, threads);
        }

        return IsFullyConnected(shape)
            ? new FullyConnectedConvolution<TKernel>(shape, weights, team, threads)
            : new GemmConvolution<TKernel>(shape, weights, team, threads);
    }
}
