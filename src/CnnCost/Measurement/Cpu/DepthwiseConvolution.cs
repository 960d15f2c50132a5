using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// A depthwise convolution (one filter per input channel), run directly: a GEMM per channel would be one row of A by a
/// few columns. Jobs take ranges of (item, channel) planes; the weights are kept as they are.
/// </summary>
internal sealed unsafe class DepthwiseConvolution<TKernel> : IPreparedConvolution
    where TKernel : struct, IMicroKernel
{
    private readonly float[] _weights;
    private readonly WorkerTeam _team;
    private readonly int _threads;

    /// <summary>Keeps a copy of the weights.</summary>
    public DepthwiseConvolution(ConvolutionShape shape, ReadOnlySpan<float> weights, WorkerTeam team, int threads)
    {
        Shape = shape;
        _weights = weights[..(int)shape.WeightElements].ToArray();
        _team = team;
        _threads = threads;
    }

    /// <inheritdoc />
    public ConvolutionShape Shape { get; }

    /// <inheritdoc />
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        var shape = Shape;
        fixed (float* inputPointer = input)
        fixed (float* outputPointer = output)
        {
            var (inputAddress, outputAddress) = ((nint)inputPointer, (nint)outputPointer);
            var planes = shape.Batch * shape.Filters;
            var perJob = Math.Max(1, planes / (8 * _threads));
            var outputSize = new Graph.Size2(shape.OutHeight, shape.OutWidth);
            _team.Run((planes + perJob - 1) / perJob, job =>
                RunPlanes(shape, outputSize, (job * perJob, Math.Min(planes, (job + 1) * perJob)), (float*)inputAddress, _weights, (float*)outputAddress));
        }
    }

    /// <summary>
    /// A range of (item, channel) planes. Each plane is first copied with its zero padding and split into the stride's
    /// phases in both directions (padded row Y goes to row phase Y mod sh, row Y div sh; column X likewise), rows
    /// <c>width</c> floats apart. Tap (i, j) of output (y, x) then reads row y + ⌊i·dh/sh⌋, column x + ⌊j·dw/sw⌋ of
    /// phase (i·dh mod sh, j·dw mod sw): consecutive outputs read consecutive floats, row after row, so every tap is
    /// one stretch of the copy and one pass over the whole plane sums all taps (<see cref="IMicroKernel.SumTaps"/>)
    /// with no bounds to check; the few columns past the output's width are computed and dropped. One long pass
    /// instead of a short loop per row matters for 7x7 and 14x14 planes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPlanes(ConvolutionShape shape, Graph.Size2 outputSize, (int First, int Last) planes, float* input, float[] weights, float* output)
    {
        var (h, w) = (shape.Input.Height, shape.Input.Width);
        var (kh, kw) = (shape.Kernel.Height, shape.Kernel.Width);
        var (sh, sw) = (shape.Stride.Height, shape.Stride.Width);
        var (dh, dw) = (shape.Dilation.Height, shape.Dilation.Width);
        var (ph, pw) = (shape.Pad.Height, shape.Pad.Width);
        var (oh, ow) = (outputSize.Height, outputSize.Width);
        var width = (w + 2 * pw + sw - 1) / sw;
        var phaseSize = (long)((h + 2 * ph + sh - 1) / sh) * width;
        // The phases, then the output rows at `width` floats apart, and a margin: the dropped columns of the last
        // rows may read a little past the phases' end, into the rows, harmlessly. The padding stays zero from plane
        // to plane: only the inside is rewritten.
        var phases = (long)sh * sw;
        var buffer = (float*)NativeMemory.AllocZeroed((nuint)(phases * phaseSize + (long)oh * width + width), sizeof(float));
        var result = buffer + phases * phaseSize;
        var taps = kh * kw;
        var tapWeights = stackalloc float[taps];
        var tapStart = stackalloc nint[taps];
        for (var i = 0; i < kh; i++)
        {
            for (var j = 0; j < kw; j++)
            {
                var (rowPhase, row) = ImplicitIm2Col.PhaseOf(i * dh, sh);
                var (columnPhase, column) = ImplicitIm2Col.PhaseOf(j * dw, sw);
                tapStart[i * kw + j] = (nint)(buffer + ((long)rowPhase * sw + columnPhase) * phaseSize + (long)row * width + column);
            }
        }

        try
        {
            for (var plane = planes.First; plane < planes.Last; plane++)
            {
                var source = input + (long)plane * h * w;
                for (var y = 0; y < h; y++)
                {
                    var row = source + (long)y * w;
                    var (rowPhase, phaseRow) = ImplicitIm2Col.PhaseOf(y + ph, sh);
                    for (var columnPhase = 0; columnPhase < sw; columnPhase++)
                    {
                        // Input column x sits at padded column x + pw; the first x in this phase is (φ − pw) mod sw.
                        var first = ImplicitIm2Col.PhaseOf(columnPhase - pw, sw).Phase;
                        var to = buffer + ((long)rowPhase * sw + columnPhase) * phaseSize + (long)phaseRow * width + (first + pw) / sw;
                        for (var x = first; x < w; x += sw)
                        {
                            *to++ = row[x];
                        }
                    }
                }

                weights.AsSpan(plane % shape.Filters * taps, taps).CopyTo(new Span<float>(tapWeights, taps));
                TKernel.SumTaps(result, (float**)tapStart, tapWeights, taps, oh * width);
                var target = output + (long)plane * oh * ow;
                for (var y = 0; y < oh; y++)
                {
                    new ReadOnlySpan<float>(result + (long)y * width, ow).CopyTo(new Span<float>(target + (long)y * ow, ow));
                }
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }
}
