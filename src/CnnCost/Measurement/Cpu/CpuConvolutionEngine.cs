using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// The managed CPU engine: convolution as a cache-blocked GEMM whose column panels are gathered from the input on the
/// fly (implicit im2col: a copy per channel for 1x1 layers, masked vector loads for "same"-padded stride-1 layers,
/// contiguous runs of a phase-split input for strided ones), a register-blocked micro-kernel of 6 rows by 32 columns
/// (AVX-512: two 16-lane FMA accumulators per row) or 6 by 16 (AVX2), a scalar fallback, and all cores through a
/// <see cref="WorkerTeam"/>. Columns run over batch items and output positions together, so small layers still fill
/// the micro-kernel. Two kinds of layer take their own path: depthwise convolutions run directly
/// (<see cref="RunDepthwise"/>), and fully-connected layers run the GEMM with its roles swapped
/// (<see cref="RunFullyConnected"/>).
/// </summary>
public sealed unsafe class CpuConvolutionEngine : IConvolutionEngine
{
    private const int MR = 6;
    private const int KC = 384;
    private readonly int _nr;
    private readonly int _threads;
    private readonly bool _forcedInstructionSet;
    private readonly Lock _gate = new();
    private WorkerTeam? _team;
    private bool _disposed;

    /// <summary>Creates the engine.</summary>
    /// <param name="threads">Worker threads; all cores when null.</param>
    /// <param name="instructionSet">Force <c>avx512</c>, <c>avx2</c> or <c>scalar</c>; the best available when null.</param>
    public CpuConvolutionEngine(int? threads = null, string? instructionSet = null)
    {
        _threads = threads ?? Environment.ProcessorCount;
        InstructionSet = instructionSet ?? (Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? "avx512" : Fma.IsSupported && Avx2.IsSupported ? "avx2" : "scalar");
        if (InstructionSet is not ("avx512" or "avx2" or "scalar"))
        {
            throw new ArgumentException($"instruction set '{InstructionSet}' is not one of avx512, avx2 or scalar", nameof(instructionSet));
        }

        if (InstructionSet == "avx512" && !(Vector512.IsHardwareAccelerated && Avx512F.IsSupported) || InstructionSet == "avx2" && !(Fma.IsSupported && Avx2.IsSupported))
        {
            throw new ArgumentException($"instruction set {InstructionSet} is not supported on this CPU", nameof(instructionSet));
        }

        _nr = InstructionSet == "avx512" ? 32 : 16;
        _forcedInstructionSet = instructionSet is not null;
        Device = new EngineDevice(Ceilings.ProcessorName(), DeviceKind.Cpu, Environment.ProcessorCount,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, Ceilings.LastLevelCacheBytes(), InstructionSet);
    }

    /// <summary>The instruction set in use: <c>avx512</c>, <c>avx2</c> or <c>scalar</c>.</summary>
    public string InstructionSet { get; }

    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public EngineAvailability Availability => new(true,
        $"{_threads} threads; {InstructionSet} {(_forcedInstructionSet ? "as asked" : "is the widest vector instruction set this CPU and runtime support")}");

    /// <inheritdoc />
    /// <remarks>This machine's processor, its cores, the memory the runtime may use and the last-level cache Linux lists.</remarks>
    public EngineDevice Device { get; }

    /// <inheritdoc />
    /// <remarks>With every core (<see cref="Ceilings.ThisMachine"/>).</remarks>
    public Hardware.Device MeasureCeilings() => Ceilings.ThisMachine();

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

    /// <summary>
    /// Where the panel of <see cref="MR"/> rows starting at row panel <paramref name="panel"/> and K row
    /// <paramref name="k0"/> lives in packed A: blocks of K one after another, and within a block the row panels in
    /// order, so the micro-kernel walks A as one forward stream that the hardware prefetcher follows.
    /// </summary>
    private static long APanelOffset(int mPanels, int panel, int k0, int kb) => (long)k0 * mPanels * MR + (long)panel * kb * MR;

    /// <summary>
    /// Whether a convolution is depthwise (one filter per input channel): a GEMM per channel would be one row of A
    /// by a few columns, so these run as direct convolutions (<see cref="RunDepthwise"/>).
    /// </summary>
    private static bool IsDepthwise(ConvolutionShape shape) => shape.Groups > 1 && shape.Groups == shape.Input.Channels && shape.Filters == shape.Groups;

    /// <summary>
    /// Whether a convolution is a fully-connected layer: one group whose kernel covers the whole unpadded input, so
    /// each batch item is one output column and its K inputs are contiguous. With a small batch, the usual roles
    /// would leave most of the micro-kernel's 32 columns empty; <see cref="RunFullyConnected"/> swaps them.
    /// </summary>
    private static bool IsFullyConnected(ConvolutionShape shape) =>
        shape.Groups == 1 && shape.Kernel == shape.Input.Spatial && shape.Pad == new Graph.Size2(0, 0) && shape.Dilation == new Graph.Size2(1, 1);

    /// <summary>
    /// Packs every group's weights into panels of <see cref="MR"/> rows, k-major, zero rows past the filters; a
    /// depthwise convolution keeps its weights as they are; a fully-connected layer's weights become the B side,
    /// panels of <c>nr</c> filters (panel p's block at K row k0 starts at (p·K + k0)·nr, zero columns past the filters).
    /// </summary>
    private float[][] PackWeights(ConvolutionShape shape, ReadOnlySpan<float> weights)
    {
        if (IsDepthwise(shape))
        {
            return [weights[..(int)shape.WeightElements].ToArray()];
        }

        if (IsFullyConnected(shape))
        {
            var inputs = (int)(shape.WeightElements / shape.Filters);
            var panels = (shape.Filters + _nr - 1) / _nr;
            var packedB = new float[(long)panels * inputs * _nr];
            for (var filter = 0; filter < shape.Filters; filter++)
            {
                var (panel, column) = Math.DivRem(filter, _nr);
                var row = weights.Slice((int)((long)filter * inputs), inputs);
                for (var kk = 0; kk < inputs; kk++)
                {
                    packedB[((long)panel * inputs + kk) * _nr + column] = row[kk];
                }
            }

            return [packedB];
        }

        var m = shape.FiltersPerGroup;
        var k = shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width;
        var mPanels = (m + MR - 1) / MR;
        var packed = new float[shape.Groups][];
        fixed (float* all = weights)
        {
            for (var g = 0; g < shape.Groups; g++)
            {
                packed[g] = new float[(long)mPanels * MR * k];
                fixed (float* a = packed[g])
                {
                    for (var panel = 0; panel < mPanels; panel++)
                    {
                        PackRowPanel(all + (long)g * m * k, m, k, panel, mPanels, a);
                    }
                }
            }
        }

        return packed;
    }

    private void Execute(ConvolutionShape shape, float[][] packedWeights, ReadOnlySpan<float> input, Span<float> output)
    {
        // One run at a time per engine: its worker team serves one step at a time.
        using var scope = _gate.EnterScope();
        ObjectDisposedException.ThrowIf(_disposed, this);
        _team ??= new WorkerTeam(_threads);
        fixed (float* inputPointer = input)
        fixed (float* outputPointer = output)
        {
            if (IsFullyConnected(shape))
            {
                RunFullyConnected(shape, packedWeights[0], inputPointer, outputPointer);
                return;
            }

            if (IsDepthwise(shape))
            {
                var (inputAddress, outputAddress) = ((nint)inputPointer, (nint)outputPointer);
                var weights = packedWeights[0];
                var planes = shape.Batch * shape.Filters;
                var perJob = Math.Max(1, planes / (8 * _threads));
                var outputSize = new Graph.Size2(shape.OutHeight, shape.OutWidth);
                _team.Run((planes + perJob - 1) / perJob, job =>
                    RunDepthwise(shape, outputSize, (job * perJob, Math.Min(planes, (job + 1) * perJob)), (float*)inputAddress, weights, (float*)outputAddress));
                return;
            }

            var phaseElements = PhaseElements(shape);
            var phases = phaseElements == 0 ? null : (float*)NativeMemory.AlignedAlloc((nuint)phaseElements * sizeof(float), 64);
            try
            {
                if (phases != null)
                {
                    var (inputAddress, phasesAddress) = ((nint)inputPointer, (nint)phases);
                    _team.Run(shape.Batch * shape.Input.Channels, itemChannel => SplitPhases(shape, itemChannel, (float*)inputAddress, (float*)phasesAddress));
                }

                var plan = PlanOf(shape, inputPointer, phases);
                for (var g = 0; g < shape.Groups; g++)
                {
                    RunGroup(shape, g, packedWeights[g], inputPointer, plan, outputPointer);
                }
            }
            finally
            {
                NativeMemory.AlignedFree(phases);
            }
        }
    }

    /// <summary>
    /// One group: C (filters x columns) = A (filters x K) · B (K x columns), columns = batch · outH · outW. With
    /// enough columns, jobs take chunks of column panels and all rows; for each of its column panels a job packs one
    /// block of B's rows at a time into its own buffer (so B is gathered straight into cache and never travels
    /// through memory) and runs the micro-kernel over every row panel. With few columns B is packed once up front and
    /// jobs take chunks of rows (<see cref="RunSharedJob"/>). Tiles that straddle a batch item or the filters' end
    /// accumulate in a small buffer and are copied to NCHW at the end.
    /// </summary>
    private void RunGroup(ConvolutionShape shape, int group, float[] packedA, float* input, RunPlan plan, float* output)
    {
        var n = shape.Batch * plan.Plane;
        var mPanels = (shape.FiltersPerGroup + MR - 1) / MR;
        var nPanels = (n + _nr - 1) / _nr;
        // Jobs: enough to balance the threads, as column-panel chunks split over row-panel chunks when columns are few.
        var target = 8 * _threads;
        var columnChunk = Math.Max(1, (nPanels + target - 1) / target);
        var columnJobs = (nPanels + columnChunk - 1) / columnChunk;
        var rowChunk = Math.Max(1, mPanels / Math.Max(1, target / columnJobs));
        var rowJobs = (mPanels + rowChunk - 1) / rowChunk;
        var (inputAddress, outputAddress) = ((nint)input, (nint)output);
        var k = shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width;
        if (rowJobs == 1)
        {
            _team!.Run(columnJobs, job =>
                RunJob(shape, group, packedA, (float*)inputAddress, plan, (float*)outputAddress,
                    (job * columnChunk, Math.Min(nPanels, (job + 1) * columnChunk)), (0, mPanels)));
            return;
        }

        // Few columns (small planes, small batches): packing inside each job would gather the same panels once per
        // row job, and splitting columns over jobs would read A once per column job. So B is packed once, all of it
        // (few columns keep it small), and each job takes a chunk of rows across every column.
        var shared = (float*)NativeMemory.AlignedAlloc((nuint)nPanels * (nuint)k * (nuint)_nr * sizeof(float), 64);
        try
        {
            var sharedAddress = (nint)shared;
            var kBlocks = (k + KC - 1) / KC;
            _team!.Run(nPanels * kBlocks, job =>
            {
                var (p, k0) = (job / kBlocks, job % kBlocks * KC);
                PackB(shape, group, k0, Math.Min(KC, k - k0), p * _nr, _nr, (float*)inputAddress, plan, (float*)sharedAddress + ((long)p * k + k0) * _nr);
            });
            var rowParts = Math.Min(mPanels, target);
            var rowsPerJob = (mPanels + rowParts - 1) / rowParts;
            _team.Run((mPanels + rowsPerJob - 1) / rowsPerJob, job =>
                RunSharedJob(shape, group, packedA, (float*)sharedAddress, plan, (float*)outputAddress, nPanels,
                    (job * rowsPerJob, Math.Min(mPanels, (job + 1) * rowsPerJob))));
        }
        finally
        {
            NativeMemory.AlignedFree(shared);
        }
    }

    /// <summary>
    /// One job over B packed beforehand (panel p's block at K row k0 starts at (p·K + k0)·nr): for each block of K,
    /// the job's rows of A meet every column panel while they are in cache; then the buffered tiles go to NCHW.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunSharedJob(ConvolutionShape shape, int group, float[] packedA, float* packedB, in RunPlan plan, float* output,
        int nPanels, (int First, int Last) rowPanels)
    {
        var nr = _nr;
        var k = shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width;
        var kc = Math.Min(KC, k);
        var tileElements = (rowPanels.Last - rowPanels.First) * MR * nr;
        var tiles = (float*)NativeMemory.AlignedAlloc((nuint)nPanels * (nuint)tileElements * sizeof(float), 64);
        try
        {
            for (var k0 = 0; k0 < k; k0 += kc)
            {
                var kb = Math.Min(kc, k - k0);
                for (var p = 0; p < nPanels; p++)
                {
                    Multiply(shape, plan, group, output, packedA, packedB + ((long)p * k + k0) * nr, tiles + (long)p * tileElements, k0, kb, nr, p, rowPanels.First, rowPanels.Last);
                }
            }

            for (var p = 0; p < nPanels; p++)
            {
                Scatter(shape, plan, group, nr, p, rowPanels.First, rowPanels.Last, tiles + (long)p * tileElements, output);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(tiles);
        }
    }

    /// <summary>
    /// One job: for each of its column panels, every block of K is packed into the job's own buffer and multiplied
    /// by the job's row panels; then the panel's buffered tiles go to NCHW.
    /// </summary>
    // Optimized from the first call: a measurement runs each layer only a few times, too few for tiered compilation
    // to reach this loop, and its unoptimized code cost a third of a 1x1 layer's time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunJob(ConvolutionShape shape, int group, float[] packedA, float* input, in RunPlan plan, float* output,
        (int First, int Last) columnPanels, (int First, int Last) rowPanels)
    {
        var nr = _nr;
        var k = shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width;
        var kc = Math.Min(KC, k);
        // Native, cache-line aligned and never moved by the GC: the micro-kernel's vector loads of B and its tile
        // stores then never straddle two cache lines, whatever the heap did since the last run.
        var bElements = (nuint)(kc * nr);
        var packedB = (float*)NativeMemory.AlignedAlloc((bElements + (nuint)((rowPanels.Last - rowPanels.First) * MR * nr)) * sizeof(float), 64);
        var tiles = packedB + bElements;
        try
        {
            for (var p = columnPanels.First; p < columnPanels.Last; p++)
            {
                for (var k0 = 0; k0 < k; k0 += kc)
                {
                    var kb = Math.Min(kc, k - k0);
                    PackB(shape, group, k0, kb, p * nr, nr, input, plan, packedB);
                    Multiply(shape, plan, group, output, packedA, packedB, tiles, k0, kb, nr, p, rowPanels.First, rowPanels.Last);
                }

                Scatter(shape, plan, group, nr, p, rowPanels.First, rowPanels.Last, tiles, output);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(packedB);
        }
    }

    /// <summary>The micro-kernel over one packed column panel and a range of row panels, for one block of K.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Multiply(ConvolutionShape shape, in RunPlan plan, int group, float* output, float[] packedA, float* b, float* acc, int k0, int kb, int nr,
        int panel, int firstRowPanel, int lastRowPanel)
    {
        var plane = plan.Plane;
        var first = k0 == 0;
        fixed (float* a = packedA)
        {
            for (var mp = firstRowPanel; mp < lastRowPanel; mp++)
            {
                // A full tile within one item writes straight into the NCHW output (rows a plane apart);
                // others go through the job's tile buffer and the scatter.
                var direct = IsDirect(plane, shape.Batch, shape.FiltersPerGroup, nr, panel, mp);
                var cTile = direct
                    ? output + ((long)(panel * nr / plane) * shape.Filters + group * shape.FiltersPerGroup + mp * MR) * plane + panel * nr % plane
                    : acc + (mp - firstRowPanel) * MR * nr;
                var ldc = direct ? plane : nr;
                Kernel(a + APanelOffset((shape.FiltersPerGroup + MR - 1) / MR, mp, k0, kb), b, cTile, ldc, kb, first);
            }
        }
    }

    /// <summary>The micro-kernel of this engine's instruction set on one tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Kernel(float* a, float* b, float* c, int ldc, int kb, bool first)
    {
        if (_nr == 32)
        {
            Kernel512(a, b, c, ldc, kb, first);
        }
        else if (InstructionSet == "avx2")
        {
            Kernel256(a, b, c, ldc, kb, first);
        }
        else
        {
            KernelScalar(a, b, c, ldc, kb, _nr, first);
        }
    }

    /// <summary>Whether a tile has all its rows and all its columns inside one batch item, so it can live in the output itself.</summary>
    /// <remarks>Takes the plane as a number: it runs per tile, where even the shape's computed sizes would show.</remarks>
    private static bool IsDirect(int plane, int batch, int filtersPerGroup, int nr, int panel, int rowPanel)
    {
        var column0 = panel * nr;
        return (rowPanel + 1) * MR <= filtersPerGroup
            && column0 + nr <= batch * plane
            && column0 / plane == (column0 + nr - 1) / plane;
    }

    /// <summary>Copies one column panel's buffered tiles (those not written in place) to NCHW.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(ConvolutionShape shape, in RunPlan plan, int group, int nr, int panel, int firstRowPanel, int lastRowPanel, float* acc, float* output)
    {
        var m = shape.FiltersPerGroup;
        var plane = plan.Plane;
        var n = shape.Batch * plane;
        for (var mp = firstRowPanel; mp < lastRowPanel; mp++)
        {
            if (IsDirect(plane, shape.Batch, m, nr, panel, mp))
            {
                continue;
            }

            var cTile = acc + (mp - firstRowPanel) * MR * nr;
            var column0 = panel * nr;
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

    /// <summary>Packs rows k0..k0+kb of B's columns column0..column0+nr (zeros past the end), gathering im2col on the fly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(ConvolutionShape shape, int group, int k0, int kb, int column0, int nr, float* input, in RunPlan plan, float* b)
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
    /// What the hot loops of one run need, worked out once: the output's sizes and which gather a full panel takes
    /// (the shape's own sizes are computed properties, too slow per tile before the JIT has optimized them), and
    /// where <see cref="PackRuns"/> reads: for kernel column <c>j</c>, output column <c>x</c> of a row reads column
    /// <c>x + Shift[j]</c> of the row at <c>PhaseOffset[j]</c> of <c>Data</c>, valid below <c>Width[j]</c>.
    /// </summary>
    private readonly struct RunPlan
    {
        public int OutWidth { get; init; }
        public int Plane { get; init; }
        /// <summary>1x1, stride 1, no padding: a panel inside one item is a straight copy per channel.</summary>
        public bool Pointwise { get; init; }
        /// <summary>Stride 1 and outputs as wide as the input: a panel inside one item takes <see cref="PackRowAligned"/>.</summary>
        public bool RowAligned { get; init; }
        public nint Data { get; init; }
        public long ItemStride { get; init; }
        public long ChannelStride { get; init; }
        public int RowStride { get; init; }
        public long[] PhaseOffset { get; init; }
        public int[] Shift { get; init; }
        public int[] Width { get; init; }
    }

    /// <summary>
    /// The plan of a run. At stride 1 <see cref="PackRuns"/> reads the input: kernel column j shifts by
    /// j·dilation − pad. At stride s each input row is split into s phases (columns φ, φ+s, φ+2s, …, written to
    /// <paramref name="phases"/> by <see cref="SplitPhases"/>): tap t = j·dilation − pad of output column x reads input
    /// column s·x + t, which is column x + ⌊t/s⌋ of phase t mod s, so strided taps become contiguous copies too.
    /// </summary>
    private static RunPlan PlanOf(ConvolutionShape shape, float* input, float* phases)
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
    private static (int Phase, int Position) PhaseOf(int offset, int stride)
    {
        var phase = (offset % stride + stride) % stride;
        return (phase, (offset - phase) / stride);
    }

    /// <summary>How many floats the phase split of a strided convolution's input takes (none at stride 1).</summary>
    private static long PhaseElements(ConvolutionShape shape)
    {
        var s = shape.Stride.Width;
        return s == 1 ? 0 : (long)shape.Batch * shape.Input.Channels * s * shape.Input.Height * ((shape.Input.Width + s - 1) / s);
    }

    /// <summary>Writes the phase split of one (item, channel) plane: phase φ's row y holds input row y's columns φ, φ+s, ….</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitPhases(ConvolutionShape shape, int itemChannel, float* input, float* phases)
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

    /// <summary>
    /// A fully-connected layer with the GEMM's roles swapped: C<sup>T</sup> (items x filters) = X (items x K) ·
    /// W<sup>T</sup> (K x filters). The inputs are packed into row panels of <see cref="MR"/> items (a few floats per
    /// item), the weights were packed once as column panels; jobs take chunks of filter panels, and each block of a
    /// weight panel meets every item panel while it is in cache, so the weights stream from memory exactly once and
    /// a batch of 8 fills 8 of its two 6-row panels' 12 rows instead of 8 of 32 columns. Full tiles are written straight
    /// into the output (row stride: the filters); the others go through a small buffer.
    /// </summary>
    private void RunFullyConnected(ConvolutionShape shape, float[] packedWeights, float* input, float* output)
    {
        var (batch, filters, nr) = (shape.Batch, shape.Filters, _nr);
        var k = (int)(shape.WeightElements / filters);
        var itemPanels = (batch + MR - 1) / MR;
        var filterPanels = (filters + nr - 1) / nr;
        var packedA = (float*)NativeMemory.AlignedAlloc((nuint)itemPanels * MR * (nuint)k * sizeof(float), 64);
        try
        {
            var (inputAddress, aAddress, outputAddress) = ((nint)input, (nint)packedA, (nint)output);
            _team!.Run(itemPanels, panel => PackRowPanel((float*)inputAddress, batch, k, panel, itemPanels, (float*)aAddress));
            var perJob = Math.Max(1, filterPanels / (8 * _threads));
            _team.Run((filterPanels + perJob - 1) / perJob, job =>
                RunFullyConnectedJob(batch, filters, k, itemPanels, (job * perJob, Math.Min(filterPanels, (job + 1) * perJob)),
                    (float*)aAddress, packedWeights, (float*)outputAddress));
        }
        finally
        {
            NativeMemory.AlignedFree(packedA);
        }
    }

    /// <summary>
    /// Packs rows <c>panel·MR</c> … of a row-major matrix (<paramref name="rows"/> x <paramref name="k"/>: a group's
    /// filters, or a fully-connected layer's batch items) into one row panel of A, in <see cref="APanelOffset"/>'s
    /// layout, with zero rows past the matrix's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowPanel(float* matrix, int rows, int k, int panel, int panels, float* packed)
    {
        for (var k0 = 0; k0 < k; k0 += KC)
        {
            var kb = Math.Min(KC, k - k0);
            var target = packed + APanelOffset(panels, panel, k0, kb);
            for (var r = 0; r < MR; r++)
            {
                var row = panel * MR + r;
                var source = matrix + (long)row * k + k0;
                for (var kk = 0; kk < kb; kk++)
                {
                    target[kk * MR + r] = row < rows ? source[kk] : 0;
                }
            }
        }
    }

    /// <summary>One job of <see cref="RunFullyConnected"/>: a range of filter panels against every item panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunFullyConnectedJob(int batch, int filters, int k, int itemPanels, (int First, int Last) filterPanels, float* packedA, float[] packedWeights, float* output)
    {
        var nr = _nr;
        var tiles = (float*)NativeMemory.AlignedAlloc((nuint)(itemPanels * MR * nr) * sizeof(float), 64);
        try
        {
            fixed (float* weights = packedWeights)
            {
                for (var p = filterPanels.First; p < filterPanels.Last; p++)
                {
                    var fullColumns = (p + 1) * nr <= filters;
                    for (var k0 = 0; k0 < k; k0 += KC)
                    {
                        var kb = Math.Min(KC, k - k0);
                        var b = weights + ((long)p * k + k0) * nr;
                        for (var mp = 0; mp < itemPanels; mp++)
                        {
                            var direct = fullColumns && (mp + 1) * MR <= batch;
                            var c = direct ? output + (long)mp * MR * filters + p * nr : tiles + mp * MR * nr;
                            Kernel(packedA + APanelOffset(itemPanels, mp, k0, kb), b, c, direct ? filters : nr, kb, k0 == 0);
                        }
                    }

                    for (var mp = 0; mp < itemPanels; mp++)
                    {
                        if (fullColumns && (mp + 1) * MR <= batch)
                        {
                            continue;
                        }

                        var columns = Math.Min(nr, filters - p * nr);
                        for (var r = 0; r < MR && mp * MR + r < batch; r++)
                        {
                            new ReadOnlySpan<float>(tiles + (mp * MR + r) * nr, columns).CopyTo(new Span<float>(output + (long)(mp * MR + r) * filters + p * nr, columns));
                        }
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(tiles);
        }
    }

    /// <summary>
    /// A range of (item, channel) planes of a depthwise convolution, directly. Each plane is first copied with its
    /// zero padding and split into the stride's phases in both directions (padded row Y goes to row phase Y mod sh,
    /// row Y div sh; column X likewise), rows <c>width</c> floats apart. Tap (i, j) of output (y, x) then reads row
    /// y + ⌊i·dh/sh⌋, column x + ⌊j·dw/sw⌋ of phase (i·dh mod sh, j·dw mod sw): consecutive outputs read consecutive
    /// floats, row after row, so every tap is one stretch of the copy and one pass over the whole plane sums all taps
    /// (<see cref="SumTaps"/>) with no bounds to check; the few columns past the output's width are computed and
    /// dropped. One long pass instead of a short loop per row matters for 7x7 and 14x14 planes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunDepthwise(ConvolutionShape shape, Graph.Size2 outputSize, (int First, int Last) planes, float* input, float[] weights, float* output)
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
                var (rowPhase, row) = PhaseOf(i * dh, sh);
                var (columnPhase, column) = PhaseOf(j * dw, sw);
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
                    var (rowPhase, phaseRow) = PhaseOf(y + ph, sh);
                    for (var columnPhase = 0; columnPhase < sw; columnPhase++)
                    {
                        // Input column x sits at padded column x + pw; the first x in this phase is (φ − pw) mod sw.
                        var first = PhaseOf(columnPhase - pw, sw).Phase;
                        var to = buffer + ((long)rowPhase * sw + columnPhase) * phaseSize + (long)phaseRow * width + (first + pw) / sw;
                        for (var x = first; x < w; x += sw)
                        {
                            *to++ = row[x];
                        }
                    }
                }

                weights.AsSpan(plane % shape.Filters * taps, taps).CopyTo(new Span<float>(tapWeights, taps));
                SumTaps(result, (float**)tapStart, tapWeights, taps, oh * width);
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

    /// <summary>
    /// <c>result[x] = Σ_t weights[t] · sources[t][x]</c> for <paramref name="count"/> floats: every tap of a depthwise
    /// kernel in one pass, so each output is written once rather than read and written once per tap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumTaps(float* result, float** sources, float* weights, int taps, int count)
    {
        var x = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; x + Vector512<float>.Count <= count; x += Vector512<float>.Count)
            {
                var sum = Vector512<float>.Zero;
                for (var t = 0; t < taps; t++)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.Load(sources[t] + x), Vector512.Create(weights[t]), sum);
                }

                sum.Store(result + x);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; x + Vector256<float>.Count <= count; x += Vector256<float>.Count)
            {
                var sum = Vector256<float>.Zero;
                for (var t = 0; t < taps; t++)
                {
                    sum = Vector256.FusedMultiplyAdd(Vector256.Load(sources[t] + x), Vector256.Create(weights[t]), sum);
                }

                sum.Store(result + x);
            }
        }

        for (; x < count; x++)
        {
            var sum = 0f;
            for (var t = 0; t < taps; t++)
            {
                sum = MathF.FusedMultiplyAdd(sources[t][x], weights[t], sum);
            }

            result[x] = sum;
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

    /// <summary>Stops the engine's worker threads.</summary>
    public void Dispose()
    {
        using var scope = _gate.EnterScope();
        _disposed = true;
        _team?.Dispose();
    }
}
