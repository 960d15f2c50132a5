using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// Convolution as a cache-blocked GEMM per group, C (filters x columns) = A (filters x K) · B (K x columns) with
/// columns = batch · outH · outW, whose column panels are gathered from the input on the fly (implicit im2col, see
/// <see cref="ImplicitIm2Col"/>: a copy per channel for 1x1 layers, masked vector loads for "same"-padded stride-1
/// layers, contiguous runs of a phase-split input for strided ones) and multiplied by the register-blocked
/// micro-kernel <typeparamref name="TKernel"/>, with all cores through the engine's <see cref="WorkerTeam"/>. Columns
/// run over batch items and output positions together, so small layers still fill the micro-kernel. The weights (A)
/// are packed once, when the shape is prepared.
/// </summary>
internal sealed unsafe class GemmConvolution<TKernel> : IPreparedConvolution
    where TKernel : struct, IMicroKernel
{
    private const int MR = MicroKernel.Rows;
    private const int KC = MicroKernel.BlockDepth;
    private readonly float[][] _packedA;
    private readonly WorkerTeam _team;
    private readonly int _threads;

    /// <summary>
    /// Packs every group's weights into panels of <see cref="MicroKernel.Rows"/> rows, k-major, zero rows past the
    /// filters (<see cref="MicroKernel.PanelOffset"/>'s layout).
    /// </summary>
    public GemmConvolution(ConvolutionShape shape, ReadOnlySpan<float> weights, WorkerTeam team, int threads)
    {
        Shape = shape;
        _team = team;
        _threads = threads;
        var m = shape.FiltersPerGroup;
        var k = shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width;
        var mPanels = (m + MR - 1) / MR;
        _packedA = new float[shape.Groups][];
        fixed (float* all = weights)
        {
            for (var g = 0; g < shape.Groups; g++)
            {
                _packedA[g] = new float[(long)mPanels * MR * k];
                fixed (float* a = _packedA[g])
                {
                    for (var panel = 0; panel < mPanels; panel++)
                    {
                        MicroKernel.PackRowPanel(all + (long)g * m * k, m, k, panel, mPanels, a);
                    }
                }
            }
        }
    }

    /// <inheritdoc />
    public ConvolutionShape Shape { get; }

    /// <summary>The tile's columns, a constant once the JIT has specialised this class for its micro-kernel.</summary>
    private static int NR => TKernel.Columns;

    /// <inheritdoc />
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        var shape = Shape;
        fixed (float* inputPointer = input)
        fixed (float* outputPointer = output)
        {
            var phaseElements = ImplicitIm2Col.PhaseElements(shape);
            var phases = phaseElements == 0 ? null : (float*)NativeMemory.AlignedAlloc((nuint)phaseElements * sizeof(float), 64);
            try
            {
                if (phases != null)
                {
                    var (inputAddress, phasesAddress) = ((nint)inputPointer, (nint)phases);
                    _team.Run(shape.Batch * shape.Input.Channels, itemChannel => ImplicitIm2Col.SplitPhases(shape, itemChannel, (float*)inputAddress, (float*)phasesAddress));
                }

                var plan = ImplicitIm2Col.PlanOf(shape, inputPointer, phases);
                for (var g = 0; g < shape.Groups; g++)
                {
                    RunGroup(shape, g, _packedA[g], inputPointer, plan, outputPointer);
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
        var nPanels = (n + NR - 1) / NR;
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
            _team.Run(columnJobs, job =>
                RunJob(shape, group, packedA, (float*)inputAddress, plan, (float*)outputAddress,
                    (job * columnChunk, Math.Min(nPanels, (job + 1) * columnChunk)), (0, mPanels)));
            return;
        }

        // Few columns (small planes, small batches): packing inside each job would gather the same panels once per
        // row job, and splitting columns over jobs would read A once per column job. So B is packed once, all of it
        // (few columns keep it small), and each job takes a chunk of rows across every column.
        var shared = (float*)NativeMemory.AlignedAlloc((nuint)nPanels * (nuint)k * (nuint)NR * sizeof(float), 64);
        try
        {
            var sharedAddress = (nint)shared;
            var kBlocks = (k + KC - 1) / KC;
            _team.Run(nPanels * kBlocks, job =>
            {
                var (p, k0) = (job / kBlocks, job % kBlocks * KC);
                ImplicitIm2Col.PackB(shape, group, k0, Math.Min(KC, k - k0), p * NR, NR, (float*)inputAddress, plan, (float*)sharedAddress + ((long)p * k + k0) * NR);
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
        var nr = NR;
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
        var nr = NR;
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
                    ImplicitIm2Col.PackB(shape, group, k0, kb, p * nr, nr, input, plan, packedB);
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
                TKernel.Multiply(a + MicroKernel.PanelOffset((shape.FiltersPerGroup + MR - 1) / MR, mp, k0, kb), b, cTile, ldc, kb, first);
            }
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
}
