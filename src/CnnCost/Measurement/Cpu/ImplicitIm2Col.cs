using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// The B side of <see cref="GemmConvolution{TKernel}"/>: column panels of the im2col matrix (rows: (channel, kernel
/// row, kernel column); columns: (item, output position)) gathered straight from the input for each block of K, never
/// materialised whole.
/// </summary>
internal static unsafe class ImplicitIm2Col
{
    /// <summary>Packs rows k0..k0+kb of B's columns column0..column0+nr (zeros past the end), gathering im2col on the fly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(ConvolutionShape shape, int group, int k0, int kb, int column0, int nr, float* input, in RunPlan plan, float* b)
    {
        var plane = plan.Plane;
        var valid = Math.Min(nr, shape.Batch * plane - column0);
        var sameItem = column0 / plane == (column0 + valid - 1) / plane;
        if (valid == nr && sameItem && plan.Pointwise)
        {
            // 1x1: the panel's columns are consecutive positions of one item, a straight copy per channel.
            var source = input + ((long)(column0 / plane) * shape.Input.Channels + (long)group * shape.ChannelsPerGroup + k0) * plane + column0 % plane;
            for (var kk = 0; kk < kb; kk++)
            {
                PrefetchNextPanel(source + (long)kk * plane, nr);
                CopyShort(source + (long)kk * plane, b + kk * nr, nr);
            }
        }
        else if (valid == nr && sameItem && plan.RowAligned)
        {
            PackRowAligned(shape, plan, group, k0, kb, column0, nr, input, b);
        }
        else
        {
            PackRuns(shape, group, k0, kb, column0, nr, plan, b);
        }
    }

    /// <summary>
    /// The common case of stride 1 with outputs as wide as the input ("same" padding) for a
    /// panel inside one item: output position p reads input position p + (ki·dh − padH)·w + (kj·dw − padW), so
    /// each row of B is one contiguous vector load from the input, with the columns whose tap falls in the padding
    /// masked to zero (row and column masks are made once per panel).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowAligned(ConvolutionShape shape, in RunPlan plan, int group, int k0, int kb, int column0, int nr, float* input, float* b)
    {
        var (kh, kw) = (shape.Kernel.Height, shape.Kernel.Width);
        var (h, w) = (shape.Input.Height, shape.Input.Width);
        var (dh, dw) = (shape.Dilation.Height, shape.Dilation.Width);
        var (padH, padW) = (shape.Pad.Height, shape.Pad.Width);
        var plane = plan.Plane;
        var item = column0 / plane;
        var position0 = column0 - item * plane;
        // Which kernel rows and columns keep every column of the panel inside the input: those rows of B are plain
        // copies; the others are masked column by column.
        var (y0, x0) = Math.DivRem(position0, w);
        var yLast = (position0 + nr - 1) / w;
        var (xLow, xHigh) = yLast == y0 ? (x0, x0 + nr - 1) : (0, w - 1);
        var rowsInside = stackalloc bool[kh];
        var columnsInside = stackalloc bool[kw];
        var masked = false;
        for (var i = 0; i < kh; i++)
        {
            rowsInside[i] = y0 + i * dh - padH >= 0 && yLast + i * dh - padH < h;
            masked |= !rowsInside[i];
        }

        for (var jj = 0; jj < kw; jj++)
        {
            columnsInside[jj] = xLow + jj * dw - padW >= 0 && xHigh + jj * dw - padW < w;
            masked |= !columnsInside[jj];
        }

        var rowMasks = stackalloc int[masked ? kh * nr : 0];
        var columnMasks = stackalloc int[masked ? kw * nr : 0];
        if (masked)
        {
            for (int j = 0, y = y0, x = x0; j < nr; j++, (y, x) = x + 1 == w ? (y + 1, 0) : (y, x + 1))
            {
                for (var i = 0; i < kh; i++)
                {
                    rowMasks[i * nr + j] = (uint)(y + i * dh - padH) < (uint)h ? -1 : 0;
                }

                for (var jj = 0; jj < kw; jj++)
                {
                    columnMasks[jj * nr + j] = (uint)(x + jj * dw - padW) < (uint)w ? -1 : 0;
                }
            }
        }

        var itemBase = ((long)item * shape.Input.Channels + (long)group * shape.ChannelsPerGroup) * h * w;
        var inputEnd = shape.InputElements;
        var channel = k0 / (kh * kw);
        var ki = k0 % (kh * kw) / kw;
        var kj = k0 % kw;
        for (var kk = 0; kk < kb; kk++)
        {
            var start = itemBase + (long)channel * h * w + position0 + (long)(ki * dh - padH) * w + (kj * dw - padW);
            var source = input + start;
            var target = b + kk * nr;
            var rowMask = rowMasks + ki * nr;
            var columnMask = columnMasks + kj * nr;
            if (kj == 0)
            {
                PrefetchNextPanel(source, nr); // the other kernel columns read the same lines
            }

            if (rowsInside[ki] && columnsInside[kj])
            {
                // No tap of this row falls in the padding: a plain copy.
                for (var j = 0; j < nr; j += Vector256<float>.Count)
                {
                    Vector256.Load(source + j).Store(target + j);
                }
            }
            else if (start >= 0 && start + nr <= inputEnd)
            {
                for (var j = 0; j < nr; j += Vector256<float>.Count)
                {
                    var mask = Vector256.Load(rowMask + j) & Vector256.Load(columnMask + j);
                    (Vector256.Load(source + j) & mask.AsSingle()).Store(target + j);
                }
            }
            else
            {
                // At the ends of the input buffer a masked-off column may point outside it: read only valid ones.
                for (var j = 0; j < nr; j++)
                {
                    target[j] = (rowMask[j] & columnMask[j]) != 0 ? source[j] : 0;
                }
            }

            NextTap(ref channel, ref ki, ref kj, kh, kw);
        }
    }

    /// <summary>
    /// Every other panel: its columns split into runs that share an item and an output row. Each run reads one
    /// contiguous stretch of a row of the plan's image per (channel, kernel row, kernel column): the input
    /// itself at stride 1, its phase split (<see cref="SplitPhases"/>) at larger strides.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRuns(ConvolutionShape shape, int group, int k0, int kb, int column0, int nr, in RunPlan plan, float* b)
    {
        var (kh, kw) = (shape.Kernel.Height, shape.Kernel.Width);
        var h = shape.Input.Height;
        var (ow, plane) = (plan.OutWidth, plan.Plane);
        var valid = Math.Min(nr, shape.Batch * plane - column0);
        var runStart = stackalloc int[nr];
        var runLength = stackalloc int[nr];
        var runBase = stackalloc long[nr];
        var runTop = stackalloc int[nr];
        var runLeft = stackalloc int[nr];
        var runs = 0;
        for (var j = 0; j < valid;)
        {
            var column = column0 + j;
            var item = column / plane;
            var position = column - item * plane;
            var y = position / ow;
            var x = position - y * ow;
            var length = Math.Min(valid - j, ow - x);
            runStart[runs] = j;
            runLength[runs] = length;
            runBase[runs] = item * plan.ItemStride + (long)group * shape.ChannelsPerGroup * plan.ChannelStride;
            runTop[runs] = y * shape.Stride.Height - shape.Pad.Height;
            runLeft[runs] = x;
            runs++;
            j += length;
        }

        var channel = k0 / (kh * kw);
        var i = k0 % (kh * kw) / kw;
        var jj = k0 % kw;
        for (var kk = 0; kk < kb; kk++)
        {
            var rowOffset = i * shape.Dilation.Height;
            var (phaseBase, shift, width) = (plan.PhaseOffset[jj], plan.Shift[jj], plan.Width[jj]);
            var channelBase = channel * plan.ChannelStride + phaseBase;
            var target = b + kk * nr;
            for (var r = 0; r < runs; r++)
            {
                var destination = target + runStart[r];
                var length = runLength[r];
                var row = runTop[r] + rowOffset;
                if ((uint)row >= (uint)h)
                {
                    new Span<float>(destination, length).Clear();
                    continue;
                }

                // Columns col .. col+length-1 of the image row, zeros where they fall in the padding.
                var source = (float*)plan.Data + runBase[r] + channelBase + (long)row * plan.RowStride;
                var col = runLeft[r] + shift;
                if (jj == 0)
                {
                    PrefetchNextPanel(source + Math.Max(0, col), nr);
                }

                var before = Math.Clamp(-col, 0, length);
                var inside = Math.Clamp(Math.Min(width - col, length) - before, 0, length - before);
                if (before > 0)
                {
                    new Span<float>(destination, before).Clear();
                }

                CopyShort(source + col + before, destination + before, inside);
                if (before + inside < length)
                {
                    new Span<float>(destination + before + inside, length - before - inside).Clear();
                }
            }

            if (valid < nr)
            {
                new Span<float>(target + valid, nr - valid).Clear();
            }

            NextTap(ref channel, ref i, ref jj, kh, kw);
        }
    }

    /// <summary>Steps (channel, kernel row, kernel column), the K index of a row of B, to the next row: kernel column fastest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NextTap(ref int channel, ref int row, ref int column, int kh, int kw)
    {
        if (++column == kw)
        {
            column = 0;
            if (++row == kh)
            {
                row = 0;
                channel++;
            }
        }
    }

    /// <summary>
    /// Asks for the cache lines the next column panel will read from this row. A panel reads one short stretch from
    /// each of hundreds of channel rows, too many streams for the hardware prefetcher to follow, so without this
    /// every stretch of a large layer waits on memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchNextPanel(float* row, int nr)
    {
        if (Sse.IsSupported)
        {
            for (var offset = nr; offset < 2 * nr; offset += 16)
            {
                Sse.Prefetch0(row + offset);
            }

            Sse.Prefetch0(row + 2 * nr - 1);
        }
    }

    /// <summary>Copies a few floats (a run is at most one panel wide) with overlapping vector moves, no call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort(float* source, float* destination, int count)
    {
        const int lanes = 8;
        if (count < lanes)
        {
            for (var t = 0; t < count; t++)
            {
                destination[t] = source[t];
            }

            return;
        }

        for (var t = 0; t + lanes <= count; t += lanes)
        {
            Vector256.Load(source + t).Store(destination + t);
        }

        // The tail as one more vector ending at the last float, overlapping what is already copied.
        Vector256.Load(source + count - lanes).Store(destination + count - lanes);
    }

    /// <summary>
    /// The plan of a run. At stride 1 <see cref="PackRuns"/> reads the input: kernel column j shifts by
    /// j·dilation − pad. At stride s each input row is split into s phases (columns φ, φ+s, φ+2s, …, written to
    /// <paramref name="phases"/> by <see cref="SplitPhases"/>): tap t = j·dilation − pad of output column x reads input
    /// column s·x + t, which is column x + ⌊t/s⌋ of phase t mod s, so strided taps become contiguous copies too.
    /// </summary>
    public static RunPlan PlanOf(ConvolutionShape shape, float* input, float* phases)
    {
        var (c, h, w) = (shape.Input.Channels, shape.Input.Height, shape.Input.Width);
        var s = shape.Stride.Width;
        var rowStride = (w + s - 1) / s;
        var (phaseOffset, shift, width) = (new long[shape.Kernel.Width], new int[shape.Kernel.Width], new int[shape.Kernel.Width]);
        for (var j = 0; j < shape.Kernel.Width; j++)
        {
            var (phase, position) = PhaseOf(j * shape.Dilation.Width - shape.Pad.Width, s);
            phaseOffset[j] = (long)phase * h * rowStride;
            shift[j] = position;
            width[j] = (w - phase + s - 1) / s;
        }

        var unitStride = shape.Stride == new Graph.Size2(1, 1);
        return new RunPlan
        {
            OutWidth = shape.OutWidth,
            Plane = shape.OutHeight * shape.OutWidth,
            Pointwise = unitStride && shape.Kernel == new Graph.Size2(1, 1) && shape.Pad == new Graph.Size2(0, 0),
            RowAligned = unitStride && shape.OutWidth == w,
            Data = s == 1 ? (nint)input : (nint)phases,
            ItemStride = s == 1 ? (long)c * h * w : (long)c * s * h * rowStride,
            ChannelStride = s == 1 ? (long)h * w : (long)s * h * rowStride,
            RowStride = rowStride,
            PhaseOffset = phaseOffset,
            Shift = shift,
            Width = width,
        };
    }

    /// <summary>
    /// Where offset <paramref name="offset"/> lands in a split into <paramref name="stride"/> phases (columns φ, φ+s,
    /// φ+2s, …): phase <c>offset mod s</c> and position <c>⌊offset/s⌋</c> within it, for negative offsets too.
    /// </summary>
    public static (int Phase, int Position) PhaseOf(int offset, int stride)
    {
        var phase = (offset % stride + stride) % stride;
        return (phase, (offset - phase) / stride);
    }

    /// <summary>How many floats the phase split of a strided convolution's input takes (none at stride 1).</summary>
    public static long PhaseElements(ConvolutionShape shape)
    {
        var s = shape.Stride.Width;
        return s == 1 ? 0 : (long)shape.Batch * shape.Input.Channels * s * shape.Input.Height * ((shape.Input.Width + s - 1) / s);
    }

    /// <summary>Writes the phase split of one (item, channel) plane: phase φ's row y holds input row y's columns φ, φ+s, ….</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SplitPhases(ConvolutionShape shape, int itemChannel, float* input, float* phases)
    {
        var (h, w) = (shape.Input.Height, shape.Input.Width);
        var s = shape.Stride.Width;
        var rowStride = (w + s - 1) / s;
        var source = input + (long)itemChannel * h * w;
        var target = phases + (long)itemChannel * s * h * rowStride;
        for (var y = 0; y < h; y++, source += w)
        {
            for (var phase = 0; phase < s; phase++)
            {
                var row = target + ((long)phase * h + y) * rowStride;
                for (int x = phase, t = 0; x < w; x += s, t++)
                {
                    row[t] = source[x];
                }
            }
        }
    }
}

/// <summary>
/// What the hot loops of one run need, worked out once: the output's sizes and which gather a full panel takes
/// (the shape's own sizes are computed properties, too slow per tile before the JIT has optimized them), and
/// where <see cref="ImplicitIm2Col.PackRuns"/> reads: for kernel column <c>j</c>, output column <c>x</c> of a row reads column
/// <c>x + Shift[j]</c> of the row at <c>PhaseOffset[j]</c> of <c>Data</c>, valid below <c>Width[j]</c>.
/// </summary>
internal readonly struct RunPlan
{
    public int OutWidth { get; init; }
    public int Plane { get; init; }
    /// <summary>1x1, stride 1, no padding: a panel inside one item is a straight copy per channel.</summary>
    public bool Pointwise { get; init; }
    /// <summary>Stride 1 and outputs as wide as the input: a panel inside one item takes <see cref="ImplicitIm2Col.PackRowAligned"/>.</summary>
    public bool RowAligned { get; init; }
    public nint Data { get; init; }
    public long ItemStride { get; init; }
    public long ChannelStride { get; init; }
    public int RowStride { get; init; }
    public long[] PhaseOffset { get; init; }
    public int[] Shift { get; init; }
    public int[] Width { get; init; }
}
