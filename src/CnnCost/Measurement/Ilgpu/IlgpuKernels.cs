using ILGPU;
using ILGPU.Runtime;

namespace CnnCost.Measurement.Ilgpu;

/// <summary>
/// A convolution's sizes as the kernels read them, computed once on the host. <c>Depth</c> is the GEMM's K
/// (channels per group × kernel area), <c>Columns</c> its N (batch × output positions); the packed weights are
/// <c>PackedDepth × PackedRows</c> per group, K and M rounded up to the tiles and padded with zeros.
/// </summary>
internal readonly struct ConvolutionParameters
{
    public readonly int Batch, Channels, Height, Width, Filters, ChannelsPerGroup, FiltersPerGroup;
    public readonly int KernelHeight, KernelWidth, StrideHeight, StrideWidth, PadHeight, PadWidth, DilationHeight, DilationWidth;
    public readonly int OutHeight, OutWidth, Depth, Columns, PackedDepth, PackedRows;
    public readonly double Scale;

    public ConvolutionParameters(ConvolutionShape shape)
    {
        (Batch, Channels, Height, Width) = (shape.Batch, shape.Input.Channels, shape.Input.Height, shape.Input.Width);
        (Filters, ChannelsPerGroup, FiltersPerGroup) = (shape.Filters, shape.ChannelsPerGroup, shape.FiltersPerGroup);
        (KernelHeight, KernelWidth) = (shape.Kernel.Height, shape.Kernel.Width);
        (StrideHeight, StrideWidth) = (shape.Stride.Height, shape.Stride.Width);
        (PadHeight, PadWidth) = (shape.Pad.Height, shape.Pad.Width);
        (DilationHeight, DilationWidth) = (shape.Dilation.Height, shape.Dilation.Width);
        (OutHeight, OutWidth) = (shape.OutHeight, shape.OutWidth);
        Depth = checked(ChannelsPerGroup * KernelHeight * KernelWidth);
        Columns = checked(Batch * OutHeight * OutWidth);
        PackedDepth = RoundUp(Depth, IlgpuKernels.TileDepth);
        PackedRows = RoundUp(FiltersPerGroup, IlgpuKernels.TileRows);
        // The typical magnitude of an output (ReferenceConvolution.MaxRelativeError): inputs and weights are uniform in
        // [-1, 1), so a sum of Depth products has a standard deviation of sqrt(Depth)/3.
        Scale = Math.Sqrt(Depth) / 3.0;
    }

    public int OutPositions => OutHeight * OutWidth;

    private static int RoundUp(int value, int multiple) => checked((value + multiple - 1) / multiple * multiple);
}

/// <summary>Four floats loaded or stored at once: a 16-byte vector access where the view is 16-byte aligned.</summary>
internal struct Float4
{
    public float X, Y, Z, W;

    /// <summary>acc + a·b, lane by lane.</summary>
    public static Float4 MultiplyAdd(Float4 acc, float a, Float4 b) => new()
    {
        X = acc.X + a * b.X,
        Y = acc.Y + a * b.Y,
        Z = acc.Z + a * b.Z,
        W = acc.W + a * b.W,
    };
}

/// <summary>
/// The ILGPU kernels, one C# source for every accelerator (CUDA, OpenCL, ILGPU's CPU accelerator). Each is a static
/// method ILGPU compiles for the device: no allocation, no exceptions, only views, shared memory and barriers. The
/// one-dimensional kernels stride over their work (<c>stride</c> = threads launched): a GPU gets a thread per item,
/// the CPU accelerator, whose every group wakes OS threads, a few threads that loop.
/// </summary>
internal static class IlgpuKernels
{
    /// <summary>
    /// The packed weights' filters are padded to a multiple of this, the largest tile's rows (16 × 16 threads of
    /// 8 × 8 outputs), so every tile size reads whole, aligned rows.
    /// </summary>
    public const int TileRows = 128;

    /// <summary>K (channel × kernel offsets) of one step of the implicit GEMM.</summary>
    public const int TileDepth = 16;

    /// <summary>
    /// Outputs per side of each thread's block in the implicit GEMM (register blocking: 8 × 8 accumulators, as two
    /// 4-wide halves per side, so each tile read is a 16-byte vector and a warp's reads do not conflict).
    /// </summary>
    public const int BlockSide = 8;

    /// <summary>Batch items one fully-connected group computes at once (one accumulator each per thread).</summary>
    public const int FullyConnectedItems = 4;

    /// <summary>Horizontally adjacent outputs one depthwise thread computes (register blocking).</summary>
    public const int DepthwiseOutputs = 4;

    /// <summary>Floats of dynamic shared memory the implicit GEMM needs with <paramref name="threadsPerSide"/> threads per side.</summary>
    public static int ImplicitGemmSharedFloats(int threadsPerSide) => 2 * TileDepth * BlockSide * threadsPerSide;

    /// <summary>
    /// Implicit GEMM, one group's GEMM per grid layer z: <c>out[g] (M × N) = W[g] (M × K) · im2col(in)[g] (K × N)</c>
    /// with M the filters per group, K channels per group × kernel area, N batch × output positions. A D × D thread
    /// group (D = 16 on GPUs, a 128 × 128 tile; 4 on ILGPU's CPU accelerator, whose threads are OS threads) computes
    /// an 8D × 8D tile of outputs, each thread an 8 × 8 block in registers: rows <c>4·ty</c> and <c>4·D + 4·ty</c>
    /// onwards, columns likewise. Each step stages 16 rows of K in shared memory: the packed weights (K-major, 16-byte
    /// aligned: vector loads) and the gathered input (zeros in the padding); the threads then accumulate from four
    /// vector reads of the tiles per row of K (64 multiply-adds).
    /// </summary>
    public static void ImplicitGemm(ConvolutionParameters p, ArrayView<float> input, ArrayView<float> packedWeights, ArrayView<float> output)
    {
        var side = Group.DimX;
        var threads = side * side;
        var tileSide = BlockSide * side;
        var quadsPerRow = tileSide / 4;
        // Both tiles start at multiples of 256 bytes and the packed weights' rows at multiples of 128 floats: telling
        // ILGPU they are 16-byte aligned lets it emit vector loads (and align the shared block to 16 bytes).
        var shared = SharedMemory.GetDynamic<float>();
        var weightTile = shared.SubView(0, TileDepth * tileSide).Cast<Float4>().AsAligned(16);
        var inputTile = shared.SubView(TileDepth * tileSide, TileDepth * tileSide);
        var inputQuads = inputTile.Cast<Float4>().AsAligned(16);
        var weightQuads = packedWeights.Cast<Float4>().AsAligned(16);
        var (tx, ty) = (Group.IdxX, Group.IdxY);
        var thread = ty * side + tx;
        var columnTile = Grid.IdxX * tileSide;
        var rowTile = Grid.IdxY * tileSide;
        var group = Grid.IdxZ;
        var positions = p.OutPositions;

        // The input columns this thread gathers at every step: one column and every (threads / tileSide)-th row of K
        // where the group has at least a thread per column (GPUs), else every threads-th column and all 16 rows.
        var columnsPerPass = IntrinsicMath.Min(threads, tileSide);
        var depthStep = IntrinsicMath.Max(1, threads / tileSide);
        var area = p.KernelHeight * p.KernelWidth;
        var weightBase = (long)group * p.PackedDepth * p.PackedRows;

        // Accumulators: row r of the block (0-3 first half, 4-7 second), columns in the left (L) or right (R) half.
        Float4 c0L = default, c1L = default, c2L = default, c3L = default, c4L = default, c5L = default, c6L = default, c7L = default;
        Float4 c0R = default, c1R = default, c2R = default, c3R = default, c4R = default, c5R = default, c6R = default, c7R = default;
        for (var k0 = 0; k0 < p.Depth; k0 += TileDepth)
        {
            // Weights: 16 rows of K, tileSide filters each from rowTile, as aligned vectors.
            for (var q = thread; q < TileDepth * quadsPerRow; q += threads)
            {
                var kk = q / quadsPerRow;
                weightTile[q] = weightQuads[(weightBase + (long)(k0 + kk) * p.PackedRows + rowTile) / 4 + q - kk * quadsPerRow];
            }

            // Input: this thread's rows of K for its columns, zero outside the input or past K.
            for (var loadColumn = thread % columnsPerPass; loadColumn < tileSide; loadColumn += columnsPerPass)
            {
                var column = columnTile + loadColumn;
                var columnValid = column < p.Columns;
                var item = columnValid ? column / positions : 0;
                var position = columnValid ? column - item * positions : 0;
                var outRow = position / p.OutWidth;
                var rowStart = outRow * p.StrideHeight - p.PadHeight;
                var columnStart = (position - outRow * p.OutWidth) * p.StrideWidth - p.PadWidth;
                var inputBase = ((long)item * p.Channels + (long)group * p.ChannelsPerGroup) * p.Height * p.Width;
                for (var kk = thread / columnsPerPass; kk < TileDepth; kk += depthStep)
                {
                    var k = k0 + kk;
                    var value = 0f;
                    if (columnValid && k < p.Depth)
                    {
                        var channel = k / area;
                        var offset = k - channel * area;
                        var i = offset / p.KernelWidth;
                        var y = rowStart + i * p.DilationHeight;
                        var x = columnStart + (offset - i * p.KernelWidth) * p.DilationWidth;
                        if (y >= 0 && y < p.Height && x >= 0 && x < p.Width)
                        {
                            value = input[inputBase + ((long)channel * p.Height + y) * p.Width + x];
                        }
                    }

                    inputTile[kk * tileSide + loadColumn] = value;
                }
            }

            Group.Barrier();
            for (var kk = 0; kk < TileDepth; kk++)
            {
                var a0 = weightTile[kk * quadsPerRow + ty];
                var a1 = weightTile[kk * quadsPerRow + side + ty];
                var bL = inputQuads[kk * quadsPerRow + tx];
                var bR = inputQuads[kk * quadsPerRow + side + tx];
                c0L = Float4.MultiplyAdd(c0L, a0.X, bL);
                c0R = Float4.MultiplyAdd(c0R, a0.X, bR);
                c1L = Float4.MultiplyAdd(c1L, a0.Y, bL);
                c1R = Float4.MultiplyAdd(c1R, a0.Y, bR);
                c2L = Float4.MultiplyAdd(c2L, a0.Z, bL);
                c2R = Float4.MultiplyAdd(c2R, a0.Z, bR);
                c3L = Float4.MultiplyAdd(c3L, a0.W, bL);
                c3R = Float4.MultiplyAdd(c3R, a0.W, bR);
                c4L = Float4.MultiplyAdd(c4L, a1.X, bL);
                c4R = Float4.MultiplyAdd(c4R, a1.X, bR);
                c5L = Float4.MultiplyAdd(c5L, a1.Y, bL);
                c5R = Float4.MultiplyAdd(c5R, a1.Y, bR);
                c6L = Float4.MultiplyAdd(c6L, a1.Z, bL);
                c6R = Float4.MultiplyAdd(c6R, a1.Z, bR);
                c7L = Float4.MultiplyAdd(c7L, a1.W, bL);
                c7R = Float4.MultiplyAdd(c7R, a1.W, bR);
            }

            Group.Barrier();
        }

        var top = rowTile + 4 * ty;
        var bottom = top + 4 * side;
        var left = columnTile + 4 * tx;
        var right = left + 4 * side;
        Store(p, output, group, top, left, c0L);
        Store(p, output, group, top, right, c0R);
        Store(p, output, group, top + 1, left, c1L);
        Store(p, output, group, top + 1, right, c1R);
        Store(p, output, group, top + 2, left, c2L);
        Store(p, output, group, top + 2, right, c2R);
        Store(p, output, group, top + 3, left, c3L);
        Store(p, output, group, top + 3, right, c3R);
        Store(p, output, group, bottom, left, c4L);
        Store(p, output, group, bottom, right, c4R);
        Store(p, output, group, bottom + 1, left, c5L);
        Store(p, output, group, bottom + 1, right, c5R);
        Store(p, output, group, bottom + 2, left, c6L);
        Store(p, output, group, bottom + 2, right, c6R);
        Store(p, output, group, bottom + 3, left, c7L);
        Store(p, output, group, bottom + 3, right, c7R);
    }

    /// <summary>Writes four adjacent GEMM columns of one filter row to NCHW, skipping those past the edges.</summary>
    private static void Store(ConvolutionParameters p, ArrayView<float> output, int group, int row, int column, Float4 values)
    {
        if (row >= p.FiltersPerGroup)
        {
            return;
        }

        StoreOne(p, output, group, row, column, values.X);
        StoreOne(p, output, group, row, column + 1, values.Y);
        StoreOne(p, output, group, row, column + 2, values.Z);
        StoreOne(p, output, group, row, column + 3, values.W);
    }

    private static void StoreOne(ConvolutionParameters p, ArrayView<float> output, int group, int row, int column, float value)
    {
        if (column < p.Columns)
        {
            var positions = p.OutPositions;
            var item = column / positions;
            output[((long)item * p.Filters + (long)group * p.FiltersPerGroup + row) * positions + column - item * positions] = value;
        }
    }

    /// <summary>
    /// Depthwise (one input channel per filter), direct: each thread computes <see cref="DepthwiseOutputs"/> adjacent
    /// outputs of one row, so each weight it loads serves them all.
    /// </summary>
    public static void Depthwise(Index1D index, int stride, ConvolutionParameters p, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> output)
    {
        var strips = (p.OutWidth + DepthwiseOutputs - 1) / DepthwiseOutputs;
        var total = p.Batch * p.Filters * p.OutHeight * strips;
        for (int linear = index; linear < total; linear += stride)
        {
            DepthwiseStrip(linear, strips, p, input, weights, output);
        }
    }

    private static void DepthwiseStrip(int linear, int strips, ConvolutionParameters p, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> output)
    {
        var strip = linear % strips;
        var rest = linear / strips;
        var outRow = rest % p.OutHeight;
        rest /= p.OutHeight;
        var filter = rest % p.Filters;
        var item = rest / p.Filters;
        var channel = filter / p.FiltersPerGroup;
        var firstColumn = strip * DepthwiseOutputs;
        var plane = ((long)item * p.Channels + channel) * p.Height * p.Width;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (var i = 0; i < p.KernelHeight; i++)
        {
            var y = outRow * p.StrideHeight - p.PadHeight + i * p.DilationHeight;
            if (y < 0 || y >= p.Height)
            {
                continue;
            }

            var line = plane + (long)y * p.Width;
            for (var j = 0; j < p.KernelWidth; j++)
            {
                var w = weights[((long)filter * p.KernelHeight + i) * p.KernelWidth + j];
                var x = firstColumn * p.StrideWidth - p.PadWidth + j * p.DilationWidth;
                s0 += w * At(input, line, x, p.Width);
                s1 += w * At(input, line, x + p.StrideWidth, p.Width);
                s2 += w * At(input, line, x + 2 * p.StrideWidth, p.Width);
                s3 += w * At(input, line, x + 3 * p.StrideWidth, p.Width);
            }
        }

        var target = (((long)item * p.Filters + filter) * p.OutHeight + outRow) * p.OutWidth + firstColumn;
        output[target] = s0;
        if (firstColumn + 1 < p.OutWidth)
        {
            output[target + 1] = s1;
        }

        if (firstColumn + 2 < p.OutWidth)
        {
            output[target + 2] = s2;
        }

        if (firstColumn + 3 < p.OutWidth)
        {
            output[target + 3] = s3;
        }
    }

    /// <summary>An input value of one row, zero outside it (the padding).</summary>
    private static float At(ArrayView<float> input, long line, int x, int width) => x >= 0 && x < width ? input[line + x] : 0f;

    /// <summary>
    /// Fully connected (the kernel covers the unpadded input): <c>out (filters × batch) = W (filters × K) · in (K ×
    /// batch)</c> with both operands contiguous along K. A group (a power of two of threads: 64 on GPUs) takes one filter and four batch items:
    /// its threads stride along K (coalesced; vector loads when K is a multiple of 4, so every row is 16-byte aligned),
    /// then a tree in shared memory sums their partial sums.
    /// </summary>
    public static void FullyConnected(ConvolutionParameters p, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> output)
    {
        var threads = Group.DimX;
        var partial = SharedMemory.GetDynamic<float>();
        var thread = Group.IdxX;
        var filter = Grid.IdxX;
        var firstItem = Grid.IdxY * FullyConnectedItems;
        var depth = p.Depth;
        var items = IntrinsicMath.Min(FullyConnectedItems, p.Batch - firstItem);
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (depth % 4 == 0)
        {
            var quads = depth / 4;
            var w4 = weights.Cast<Float4>().AsAligned(16);
            var x4 = input.Cast<Float4>().AsAligned(16);
            var wBase = (long)filter * quads;
            var xBase = (long)firstItem * quads;
            for (var q = thread; q < quads; q += threads)
            {
                var w = w4[wBase + q];
                s0 += Dot(w, x4[xBase + q]);
                if (items > 1)
                {
                    s1 += Dot(w, x4[xBase + quads + q]);
                }

                if (items > 2)
                {
                    s2 += Dot(w, x4[xBase + 2L * quads + q]);
                }

                if (items > 3)
                {
                    s3 += Dot(w, x4[xBase + 3L * quads + q]);
                }
            }
        }
        else
        {
            var wBase = (long)filter * depth;
            var xBase = (long)firstItem * depth;
            for (var k = thread; k < depth; k += threads)
            {
                var w = weights[wBase + k];
                s0 += w * input[xBase + k];
                if (items > 1)
                {
                    s1 += w * input[xBase + depth + k];
                }

                if (items > 2)
                {
                    s2 += w * input[xBase + 2L * depth + k];
                }

                if (items > 3)
                {
                    s3 += w * input[xBase + 3L * depth + k];
                }
            }
        }

        partial[thread] = s0;
        partial[threads + thread] = s1;
        partial[2 * threads + thread] = s2;
        partial[3 * threads + thread] = s3;
        Group.Barrier();
        for (var half = threads / 2; half > 0; half /= 2)
        {
            if (thread < half)
            {
                for (var b = 0; b < FullyConnectedItems; b++)
                {
                    partial[b * threads + thread] += partial[b * threads + thread + half];
                }
            }

            Group.Barrier();
        }

        if (thread < items)
        {
            output[(long)(firstItem + thread) * p.Filters + filter] = partial[thread * threads];
        }
    }

    private static float Dot(Float4 a, Float4 b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z + a.W * b.W;

    /// <summary>
    /// Direct convolution, the fallback for shapes the GEMM tiles would mostly waste (few filters per group): one
    /// thread per output, summing its window straight from the input.
    /// </summary>
    public static void Direct(Index1D index, int stride, ConvolutionParameters p, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> output)
    {
        for (int o = index; o < output.Length; o += stride)
        {
            var (item, filter, y, x) = Decompose(o, p);
            output[o] = Window(p, input, weights, item, filter, y, x);
        }
    }

    private static (int Item, int Filter, int Y, int X) Decompose(long index, ConvolutionParameters p)
    {
        var x = (int)(index % p.OutWidth);
        var rest = index / p.OutWidth;
        var y = (int)(rest % p.OutHeight);
        rest /= p.OutHeight;
        return ((int)(rest / p.Filters), (int)(rest % p.Filters), y, x);
    }

    private static float Window(ConvolutionParameters p, ArrayView<float> input, ArrayView<float> weights, int item, int filter, int outY, int outX)
    {
        var group = filter / p.FiltersPerGroup;
        var sum = 0f;
        for (var c = 0; c < p.ChannelsPerGroup; c++)
        {
            var plane = ((long)item * p.Channels + (long)group * p.ChannelsPerGroup + c) * p.Height * p.Width;
            var kernel = ((long)filter * p.ChannelsPerGroup + c) * p.KernelHeight * p.KernelWidth;
            for (var i = 0; i < p.KernelHeight; i++)
            {
                var y = outY * p.StrideHeight - p.PadHeight + i * p.DilationHeight;
                if (y < 0 || y >= p.Height)
                {
                    continue;
                }

                for (var j = 0; j < p.KernelWidth; j++)
                {
                    var x = outX * p.StrideWidth - p.PadWidth + j * p.DilationWidth;
                    if (x >= 0 && x < p.Width)
                    {
                        sum += input[plane + (long)y * p.Width + x] * weights[kernel + i * p.KernelWidth + j];
                    }
                }
            }
        }

        return sum;
    }

    /// <summary>
    /// The verification: for every output, the direct convolution accumulated in double, and the relative error
    /// <c>|got − expected| / max(|expected|, scale)</c> of <see cref="ReferenceConvolution.MaxRelativeError"/>, written
    /// per output so a device reduction can take the maximum.
    /// </summary>
    public static void ReferenceError(Index1D index, int stride, ConvolutionParameters p, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> output, ArrayView<double> errors)
    {
        for (int o = index; o < output.Length; o += stride)
        {
            errors[o] = ReferenceErrorAt(o, p, input, weights, output);
        }
    }

    private static double ReferenceErrorAt(int index, ConvolutionParameters p, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> output)
    {
        var (item, filter, outY, outX) = Decompose(index, p);
        var group = filter / p.FiltersPerGroup;
        var sum = 0.0;
        for (var c = 0; c < p.ChannelsPerGroup; c++)
        {
            var plane = ((long)item * p.Channels + (long)group * p.ChannelsPerGroup + c) * p.Height * p.Width;
            var kernel = ((long)filter * p.ChannelsPerGroup + c) * p.KernelHeight * p.KernelWidth;
            for (var i = 0; i < p.KernelHeight; i++)
            {
                var y = outY * p.StrideHeight - p.PadHeight + i * p.DilationHeight;
                if (y < 0 || y >= p.Height)
                {
                    continue;
                }

                for (var j = 0; j < p.KernelWidth; j++)
                {
                    var x = outX * p.StrideWidth - p.PadWidth + j * p.DilationWidth;
                    if (x >= 0 && x < p.Width)
                    {
                        sum += (double)input[plane + (long)y * p.Width + x] * weights[kernel + i * p.KernelWidth + j];
                    }
                }
            }
        }

        var got = (double)output[index];
        var error = IntrinsicMath.Abs(got - sum) / IntrinsicMath.Max(IntrinsicMath.Abs(sum), p.Scale);
        // A NaN or infinity the engine wrote must fail the check, and the maximum of a reduction would drop a NaN.
        return error >= 0 && error < double.PositiveInfinity ? error : double.MaxValue;
    }

    /// <summary>Eight independent FMA chains per thread, so latency never limits throughput; the sum is kept.</summary>
    public static void FmaPeak(Index1D index, int iterations, ArrayView<float> sink)
    {
        var x = 1.0001f;
        var y = 0.9999f;
        float a0 = index * 1e-9f, a1 = a0 + 0.1f, a2 = a0 + 0.2f, a3 = a0 + 0.3f, a4 = a0 + 0.4f, a5 = a0 + 0.5f, a6 = a0 + 0.6f, a7 = a0 + 0.7f;
        for (var i = 0; i < iterations; i++)
        {
            a0 = a0 * x + y; a1 = a1 * x + y; a2 = a2 * x + y; a3 = a3 * x + y;
            a4 = a4 * x + y; a5 = a5 * x + y; a6 = a6 * x + y; a7 = a7 * x + y;
        }

        sink[index] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    }

    /// <summary>STREAM's triad (each thread strides over the arrays), <c>a[i] = b[i] + s·c[i]</c>: two reads and one write per element.</summary>
    public static void Triad(Index1D index, int stride, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, float scalar)
    {
        for (int i = index; i < a.Length; i += stride)
        {
            a[i] = b[i] + scalar * c[i];
        }
    }
}
