using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// The managed CPU engine: convolution as a cache-blocked GEMM (implicit im2col packed straight into column panels;
/// 1x1 stride-1 convolutions read their input without it) with a register-blocked micro-kernel of 6 rows by 32
/// columns (AVX-512: two 16-lane FMA accumulators per row) or 6 by 16 (AVX2), a scalar fallback, and all cores.
/// Columns run over batch items and output positions together, so small layers still fill the micro-kernel.
/// </summary>
public sealed unsafe class CpuConvolutionEngine : IConvolutionEngine
{
    private const int MR = 6;
    private const int KC = 384;
    private readonly int _nr;
    private readonly int _threads;

    /// <summary>Creates the engine.</summary>
    /// <param name="threads">Worker threads; all cores when null.</param>
    /// <param name="instructionSet">Force <c>avx512</c>, <c>avx2</c> or <c>scalar</c>; the best available when null.</param>
    public CpuConvolutionEngine(int? threads = null, string? instructionSet = null)
    {
        _threads = threads ?? Environment.ProcessorCount;
        InstructionSet = instructionSet ?? (Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? "avx512" : Fma.IsSupported && Avx2.IsSupported ? "avx2" : "scalar");
        if (InstructionSet == "avx512" && !(Vector512.IsHardwareAccelerated && Avx512F.IsSupported) || InstructionSet == "avx2" && !(Fma.IsSupported && Avx2.IsSupported))
        {
            throw new ArgumentException($"instruction set {InstructionSet} is not supported on this CPU", nameof(instructionSet));
        }

        _nr = InstructionSet == "avx512" ? 32 : 16;
    }

    /// <summary>The instruction set in use: <c>avx512</c>, <c>avx2</c> or <c>scalar</c>.</summary>
    public string InstructionSet { get; }

    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public EngineAvailability Availability =>
        new(true, $"{Environment.ProcessorCount} cores, {_threads} threads, {InstructionSet}");

    /// <inheritdoc />
    public ConvolutionTiming Measure(ConvolutionShape shape, MeasureOptions options)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        shape.EnsureBuffersFit();
        var input = Timing.Random(shape.InputElements, options.Seed);
        var weights = Timing.Random(shape.WeightElements, options.Seed + 1);
        var output = new float[shape.OutputElements];
        Array.Fill(output, float.NaN); // touched before timing, and a skipped write cannot pass verification
        // Weights are packed once, as an inference runtime prepares a layer; inputs are gathered on every run.
        var packed = PackWeights(shape, weights);
        var times = Timing.Time(() =>
        {
            var watch = Stopwatch.StartNew();
            Execute(shape, packed, input, output);
            return watch.Elapsed.TotalSeconds;
        }, options);
        return Timing.Verified(Name, shape, input, weights, output, times, options);
    }

    /// <inheritdoc />
    public void Run(ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (input.Length < shape.InputElements || weights.Length < shape.WeightElements || output.Length < shape.OutputElements)
        {
            throw new ArgumentException($"buffers too small for {shape}");
        }

        Execute(shape, PackWeights(shape, weights), input, output);
    }

    /// <summary>Packs every group's weights into panels of <see cref="MR"/> rows, k-major, zero rows past the filters.</summary>
    private static float[][] PackWeights(ConvolutionShape shape, ReadOnlySpan<float> weights)
    {
        var m = shape.FiltersPerGroup;
        var k = shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width;
        var mPanels = (m + MR - 1) / MR;
        var packed = new float[shape.Groups][];
        for (var g = 0; g < shape.Groups; g++)
        {
            var a = packed[g] = new float[(long)mPanels * MR * k];
            var groupWeights = weights.Slice((int)((long)g * m * k), m * k);
            for (var panel = 0; panel < mPanels; panel++)
            {
                for (var r = 0; r < MR; r++)
                {
                    var row = panel * MR + r;
                    if (row >= m)
                    {
                        continue;
                    }

                    var source = groupWeights.Slice(row * k, k);
                    var target = (long)panel * k * MR + r;
                    for (var kk = 0; kk < k; kk++)
                    {
                        a[target + (long)kk * MR] = source[kk];
                    }
                }
            }
        }

        return packed;
    }

    private void Execute(ConvolutionShape shape, float[][] packedWeights, ReadOnlySpan<float> input, Span<float> output)
    {
        fixed (float* inputPointer = input)
        fixed (float* outputPointer = output)
        {
            for (var g = 0; g < shape.Groups; g++)
            {
                RunGroup(shape, g, packedWeights[g], inputPointer, outputPointer);
            }
        }
    }

    /// <summary>
    /// One group: C (filters x columns) = A (filters x K) · B (K x columns), columns = batch · outH · outW. For each
    /// block of K, every column panel of B is packed once (in parallel), then jobs of (column panels x row panels)
    /// run the micro-kernel into their own tiles of C; finally C is scattered to NCHW.
    /// </summary>
    private void RunGroup(ConvolutionShape shape, int group, float[] packedA, float* input, float* output)
    {
        var m = shape.FiltersPerGroup;
        var k = shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width;
        var n = shape.Batch * shape.OutHeight * shape.OutWidth;
        var nr = _nr;
        var mPanels = (m + MR - 1) / MR;
        var nPanels = (n + nr - 1) / nr;
        var kc = Math.Min(KC, k);
        var packedB = ArrayPool<float>.Shared.Rent(nPanels * kc * nr);
        var c = ArrayPool<float>.Shared.Rent(mPanels * nPanels * MR * nr);
        try
        {
            // Jobs: enough to balance the threads, as column-panel chunks split over row-panel chunks when columns are few.
            var target = 8 * _threads;
            var columnChunk = Math.Max(1, (nPanels + target - 1) / target);
            var columnJobs = (nPanels + columnChunk - 1) / columnChunk;
            var rowChunk = Math.Max(1, mPanels / Math.Max(1, target / columnJobs));
            var rowJobs = (mPanels + rowChunk - 1) / rowChunk;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads };
            var (inputAddress, outputAddress) = ((nint)input, (nint)output);
            for (var k0 = 0; k0 < k; k0 += kc)
            {
                var kb = Math.Min(kc, k - k0);
                var first = k0 == 0;
                Parallel.For(0, columnJobs, parallel, job =>
                {
                    fixed (float* b = packedB)
                    {
                        for (var p = job * columnChunk; p < Math.Min(nPanels, (job + 1) * columnChunk); p++)
                        {
                            PackB(shape, group, k0, kb, p * nr, nr, (float*)inputAddress, b + (long)p * kc * nr);
                        }
                    }
                });
                Parallel.For(0, columnJobs * rowJobs, parallel, job =>
                {
                    var (columnJob, rowJob) = (job / rowJobs, job % rowJobs);
                    Multiply(shape, group, (float*)outputAddress, packedA, packedB, c, k, k0, kb, kc, nr, nPanels,
                        columnJob * columnChunk, Math.Min(nPanels, (columnJob + 1) * columnChunk),
                        rowJob * rowChunk, Math.Min(mPanels, (rowJob + 1) * rowChunk), first);
                });
            }

            Parallel.For(0, columnJobs, parallel, job =>
                Scatter(shape, group, m, nr, mPanels, nPanels, job * columnChunk, Math.Min(nPanels, (job + 1) * columnChunk), c, (float*)outputAddress));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedB);
            ArrayPool<float>.Shared.Return(c);
        }
    }

    /// <summary>The micro-kernel over a range of column panels and row panels for one block of K.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Multiply(ConvolutionShape shape, int group, float* output, float[] packedA, float[] packedB, float[] c, int k, int k0, int kb, int kc, int nr, int nPanels,
        int firstPanel, int lastPanel, int firstRowPanel, int lastRowPanel, bool first)
    {
        var plane = shape.OutHeight * shape.OutWidth;
        fixed (float* a = packedA)
        fixed (float* b = packedB)
        fixed (float* acc = c)
        {
            for (var p = firstPanel; p < lastPanel; p++)
            {
                var bPanel = b + (long)p * kc * nr;
                for (var mp = firstRowPanel; mp < lastRowPanel; mp++)
                {
                    // A full tile within one item writes straight into the NCHW output (rows a plane apart);
                    // others go through the accumulator buffer and the scatter.
                    var direct = IsDirect(shape, nr, p, mp);
                    var cTile = direct
                        ? output + ((long)(p * nr / plane) * shape.Filters + group * shape.FiltersPerGroup + mp * MR) * plane + p * nr % plane
                        : acc + ((long)mp * nPanels + p) * MR * nr;
                    var ldc = direct ? plane : nr;
                    var aPanel = a + ((long)mp * k + k0) * MR;
                    if (nr == 32)
                    {
                        Kernel512(aPanel, bPanel, cTile, ldc, kb, first);
                    }
                    else if (InstructionSet == "avx2")
                    {
                        Kernel256(aPanel, bPanel, cTile, ldc, kb, first);
                    }
                    else
                    {
                        KernelScalar(aPanel, bPanel, cTile, ldc, kb, nr, first);
                    }
                }
            }
        }
    }

    /// <summary>Whether a tile has all its rows and all its columns inside one batch item, so it can live in the output itself.</summary>
    private static bool IsDirect(ConvolutionShape shape, int nr, int panel, int rowPanel)
    {
        var plane = shape.OutHeight * shape.OutWidth;
        var column0 = panel * nr;
        return (rowPanel + 1) * MR <= shape.FiltersPerGroup
            && column0 + nr <= shape.Batch * plane
            && column0 / plane == (column0 + nr - 1) / plane;
    }

    /// <summary>Copies the accumulator tiles of a range of column panels to NCHW.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(ConvolutionShape shape, int group, int m, int nr, int mPanels, int nPanels, int firstPanel, int lastPanel, float[] c, float* output)
    {
        var plane = shape.OutHeight * shape.OutWidth;
        var n = shape.Batch * plane;
        fixed (float* acc = c)
        {
            for (var mp = 0; mp < mPanels; mp++)
            {
                for (var p = firstPanel; p < lastPanel; p++)
                {
                    if (IsDirect(shape, nr, p, mp))
                    {
                        continue;
                    }

                    var cTile = acc + ((long)mp * nPanels + p) * MR * nr;
                    var column0 = p * nr;
                    for (var r = 0; r < MR; r++)
                    {
                        var filter = mp * MR + r;
                        if (filter >= m)
                        {
                            break;
                        }

                        var outputChannel = group * m + filter;
                        var count = Math.Min(nr, n - column0);
                        var item = column0 / plane;
                        var position = column0 - item * plane;
                        for (var j = 0; j < count;)
                        {
                            // A run of columns within one item is contiguous in NCHW.
                            var run = Math.Min(count - j, plane - position);
                            new ReadOnlySpan<float>(cTile + r * nr + j, run)
                                .CopyTo(new Span<float>(output + ((long)item * shape.Filters + outputChannel) * plane + position, run));
                            j += run;
                            (item, position) = (item + 1, 0);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs rows k0..k0+kb of B's columns column0..column0+nr (zeros past the end), gathering im2col on the fly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(ConvolutionShape shape, int group, int k0, int kb, int column0, int nr, float* input, float* b)
    {
        var (kh, kw) = (shape.Kernel.Height, shape.Kernel.Width);
        var (h, w) = (shape.Input.Height, shape.Input.Width);
        var (oh, ow) = (shape.OutHeight, shape.OutWidth);
        var plane = oh * ow;
        var total = shape.Batch * plane;
        var channels = shape.ChannelsPerGroup;
        var valid = Math.Min(nr, total - column0);
        var firstItem = column0 / plane;
        var lastItem = (column0 + valid - 1) / plane;
        var pointwise = kh == 1 && kw == 1 && shape.Stride == new Graph.Size2(1, 1) && shape.Pad == new Graph.Size2(0, 0);
        if (pointwise && valid == nr && firstItem == lastItem)
        {
            // Contiguous: the panel's columns are consecutive positions of one item, a straight copy per channel.
            var source = input + ((long)firstItem * shape.Input.Channels + (long)group * channels + k0) * plane + (column0 - firstItem * plane);
            for (var kk = 0; kk < kb; kk++)
            {
                new ReadOnlySpan<float>(source + (long)kk * plane, nr).CopyTo(new Span<float>(b + kk * nr, nr));
            }

            return;
        }

        // The panel's columns split into runs that share an item and an output row; with stride 1 a run reads one
        // contiguous stretch of an input row per (channel, kernel row, kernel column), copied at once.
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
            runBase[runs] = ((long)item * shape.Input.Channels + (long)group * channels) * h * w;
            runTop[runs] = y * shape.Stride.Height - shape.Pad.Height;
            runLeft[runs] = x * shape.Stride.Width - shape.Pad.Width;
            runs++;
            j += length;
        }

        var strideW = shape.Stride.Width;
        var index = k0;
        var channel = index / (kh * kw);
        var i = index % (kh * kw) / kw;
        var jj = index % kw;
        for (var kk = 0; kk < kb; kk++)
        {
            var rowOffset = i * shape.Dilation.Height;
            var columnOffset = jj * shape.Dilation.Width;
            var channelBase = (long)channel * h * w;
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

                var source = input + runBase[r] + channelBase + (long)row * w;
                var col = runLeft[r] + columnOffset;
                if (strideW == 1)
                {
                    // Columns col .. col+length-1 of the input row, zeros where they fall in the padding.
                    var before = Math.Clamp(-col, 0, length);
                    var inside = Math.Clamp(Math.Min(w - col, length) - before, 0, length - before);
                    new Span<float>(destination, before).Clear();
                    new ReadOnlySpan<float>(source + col + before, inside).CopyTo(new Span<float>(destination + before, inside));
                    new Span<float>(destination + before + inside, length - before - inside).Clear();
                }
                else
                {
                    for (var t = 0; t < length; t++, col += strideW)
                    {
                        destination[t] = (uint)col < (uint)w ? source[col] : 0;
                    }
                }
            }

            new Span<float>(target + valid, nr - valid).Clear();
            if (++jj == kw)
            {
                jj = 0;
                if (++i == kh)
                {
                    i = 0;
                    channel++;
                }
            }
        }
    }

    /// <summary>6 x 32 micro-kernel: twelve 16-lane accumulators, one broadcast of A and two loads of B per k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(float* a, float* b, float* c, int ldc, int kb, bool first)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first)
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }
        else
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16);
        }

        for (var kk = 0; kk < kb; kk++, a += MR, b += 32)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(a0, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(a1, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(a2, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(a3, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(a4, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(a5, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a5, b1, c51);
        }

        c00.Store(c); c01.Store(c + 16); c10.Store(c + ldc); c11.Store(c + ldc + 16); c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16); c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16); c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
    }

    /// <summary>6 x 16 micro-kernel for AVX2: twelve 8-lane accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(float* a, float* b, float* c, int ldc, int kb, bool first)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first)
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }
        else
        {
            c00 = Vector256.Load(c); c01 = Vector256.Load(c + 8);
            c10 = Vector256.Load(c + ldc); c11 = Vector256.Load(c + ldc + 8);
            c20 = Vector256.Load(c + 2 * ldc); c21 = Vector256.Load(c + 2 * ldc + 8);
            c30 = Vector256.Load(c + 3 * ldc); c31 = Vector256.Load(c + 3 * ldc + 8);
            c40 = Vector256.Load(c + 4 * ldc); c41 = Vector256.Load(c + 4 * ldc + 8);
            c50 = Vector256.Load(c + 5 * ldc); c51 = Vector256.Load(c + 5 * ldc + 8);
        }

        for (var kk = 0; kk < kb; kk++, a += MR, b += 16)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10); c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20); c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(a3, b0, c30); c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(a4, b0, c40); c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(a5, b0, c50); c51 = Fma.MultiplyAdd(a5, b1, c51);
        }

        c00.Store(c); c01.Store(c + 8); c10.Store(c + ldc); c11.Store(c + ldc + 8); c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8); c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8); c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
    }

    /// <summary>The portable fallback: the same tile, one multiply-add at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelScalar(float* a, float* b, float* c, int ldc, int kb, int nr, bool first)
    {
        if (first)
        {
            for (var r = 0; r < MR; r++)
            {
                new Span<float>(c + r * ldc, nr).Clear();
            }
        }

        for (var kk = 0; kk < kb; kk++, a += MR, b += nr)
        {
            for (var r = 0; r < MR; r++)
            {
                var value = a[r];
                for (var j = 0; j < nr; j++)
                {
                    c[r * ldc + j] += value * b[j];
                }
            }
        }
    }

    /// <summary>Nothing to release: the engine holds no native resources.</summary>
    public void Dispose()
    {
    }
}
