using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// A fully-connected layer with the GEMM's roles swapped: C<sup>T</sup> (items x filters) = X (items x K) ·
/// W<sup>T</sup> (K x filters). The weights are packed once as column panels of the micro-kernel's width; on each
/// run the inputs are packed into row panels of <see cref="MicroKernel.Rows"/> items (a few floats per item), jobs
/// take chunks of filter panels, and each block of a weight panel meets every item panel while it is in cache, so the
/// weights stream from memory exactly once and a batch of 8 fills 8 of its two 6-row panels' 12 rows instead of 8 of
/// 32 columns. Full tiles are written straight into the output (row stride: the filters); the others go through a
/// small buffer.
/// </summary>
internal sealed unsafe class FullyConnectedConvolution<TKernel> : IPreparedConvolution
    where TKernel : struct, IMicroKernel
{
    private const int MR = MicroKernel.Rows;
    private const int KC = MicroKernel.BlockDepth;
    private readonly float[] _packedWeights;
    private readonly WorkerTeam _team;
    private readonly int _threads;

    /// <summary>
    /// Packs the weights as the B side: panels of <see cref="IMicroKernel.Columns"/> filters (panel p's block at K row
    /// k0 starts at (p·K + k0)·nr), zero columns past the filters.
    /// </summary>
    public FullyConnectedConvolution(ConvolutionShape shape, ReadOnlySpan<float> weights, WorkerTeam team, int threads)
    {
        Shape = shape;
        _team = team;
        _threads = threads;
        var nr = TKernel.Columns;
        var inputs = (int)(shape.WeightElements / shape.Filters);
        var panels = (shape.Filters + nr - 1) / nr;
        _packedWeights = new float[(long)panels * inputs * nr];
        for (var filter = 0; filter < shape.Filters; filter++)
        {
            var (panel, column) = Math.DivRem(filter, nr);
            var row = weights.Slice((int)((long)filter * inputs), inputs);
            for (var kk = 0; kk < inputs; kk++)
            {
                _packedWeights[((long)panel * inputs + kk) * nr + column] = row[kk];
            }
        }
    }

    /// <inheritdoc />
    public ConvolutionShape Shape { get; }

    /// <inheritdoc />
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        var (batch, filters, nr) = (Shape.Batch, Shape.Filters, TKernel.Columns);
        var k = (int)(Shape.WeightElements / filters);
        var itemPanels = (batch + MR - 1) / MR;
        var filterPanels = (filters + nr - 1) / nr;
        var packedA = (float*)NativeMemory.AlignedAlloc((nuint)itemPanels * MR * (nuint)k * sizeof(float), 64);
        try
        {
            fixed (float* inputPointer = input)
            fixed (float* outputPointer = output)
            {
                var (inputAddress, aAddress, outputAddress) = ((nint)inputPointer, (nint)packedA, (nint)outputPointer);
                _team.Run(itemPanels, panel => MicroKernel.PackRowPanel((float*)inputAddress, batch, k, panel, itemPanels, (float*)aAddress));
                var perJob = Math.Max(1, filterPanels / (8 * _threads));
                _team.Run((filterPanels + perJob - 1) / perJob, job =>
                    RunJob(batch, filters, k, itemPanels, (job * perJob, Math.Min(filterPanels, (job + 1) * perJob)),
                        (float*)aAddress, _packedWeights, (float*)outputAddress));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(packedA);
        }
    }

    /// <summary>One job: a range of filter panels against every item panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunJob(int batch, int filters, int k, int itemPanels, (int First, int Last) filterPanels, float* packedA, float[] packedWeights, float* output)
    {
        var nr = TKernel.Columns;
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
                            TKernel.Multiply(packedA + MicroKernel.PanelOffset(itemPanels, mp, k0, kb), b, c, direct ? filters : nr, kb, k0 == 0);
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
}
