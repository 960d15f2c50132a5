using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;
using ILGPU.Runtime;

namespace CnnCost.Measurement.Ilgpu;

/// <summary>
/// One convolution prepared on the accelerator: its input and weights uploaded, and for the implicit GEMM the weights
/// packed, all once before any timing, so a timed run is the kernel launches alone.
/// </summary>
internal sealed class IlgpuConvolution : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly IlgpuConvolutionEngine.Kernels _kernels;
    private readonly IlgpuPath _path;
    private readonly ConvolutionParameters _parameters;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _input;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _weights;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _packed;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _output;

    public IlgpuConvolution(Accelerator accelerator, IlgpuConvolutionEngine.Kernels kernels, ConvolutionShape shape, IlgpuPath path, float[] input, float[] weights)
    {
        (_accelerator, _kernels, Shape, _path) = (accelerator, kernels, shape, path);
        _parameters = new ConvolutionParameters(shape);
        _input = accelerator.Allocate1D(input);
        _weights = accelerator.Allocate1D(weights);
        _packed = path == IlgpuPath.ImplicitGemm ? accelerator.Allocate1D(Pack(shape, _parameters, weights)) : null;
        _output = accelerator.Allocate1D<float>(shape.OutputElements);
        _output.MemSetToZero();
        accelerator.Synchronize();
    }

    /// <summary>The convolution.</summary>
    public ConvolutionShape Shape { get; }

    /// <summary>
    /// The implicit GEMM's weights per group, K-major (<c>[group][k][filter]</c>), K and the filters padded with zeros
    /// to whole tiles: each step's tile is 16 contiguous, 16-byte aligned rows of 64 filters.
    /// </summary>
    internal static float[] Pack(ConvolutionShape shape, ConvolutionParameters p, float[] weights)
    {
        var packed = new float[checked((long)shape.Groups * p.PackedDepth * p.PackedRows)];
        for (var g = 0; g < shape.Groups; g++)
        {
            for (var m = 0; m < p.FiltersPerGroup; m++)
            {
                var source = ((long)g * p.FiltersPerGroup + m) * p.Depth;
                for (var k = 0; k < p.Depth; k++)
                {
                    packed[((long)g * p.PackedDepth + k) * p.PackedRows + m] = weights[source + k];
                }
            }
        }

        return packed;
    }

    /// <summary>Runs the convolution once and returns its seconds.</summary>
    public double Time() => IlgpuConvolutionEngine.Timed(_accelerator, Launch);

    private void Launch()
    {
        var stream = _accelerator.DefaultStream;
        var p = _parameters;
        switch (_path)
        {
            case IlgpuPath.ImplicitGemm:
                var side = _kernels.GemmThreadsPerSide;
                var tileSide = IlgpuKernels.BlockSide * side;
                var tiles = new Index3D(Tiles(p.Columns, tileSide), Tiles(p.FiltersPerGroup, tileSide), Shape.Groups);
                var gemm = new KernelConfig(tiles, new Index3D(side, side, 1), SharedMemoryConfig.RequestDynamic<float>(IlgpuKernels.ImplicitGemmSharedFloats(side)));
                _kernels.ImplicitGemm(stream, gemm, p, _input.View, _packed!.View, _output.View);
                break;
            case IlgpuPath.FullyConnected:
                var threads = _kernels.FullyConnectedThreads;
                var groups = new Index3D(p.Filters, Tiles(p.Batch, IlgpuKernels.FullyConnectedItems), 1);
                var fullyConnected = new KernelConfig(groups, new Index3D(threads, 1, 1), SharedMemoryConfig.RequestDynamic<float>(threads * IlgpuKernels.FullyConnectedItems));
                _kernels.FullyConnected(stream, fullyConnected, p, _input.View, _weights.View, _output.View);
                break;
            case IlgpuPath.Depthwise:
                var strips = checked(p.Batch * p.Filters * p.OutHeight * Tiles(p.OutWidth, IlgpuKernels.DepthwiseOutputs));
                var depthwise = _kernels.Threads(strips);
                _kernels.Depthwise(stream, depthwise, depthwise, p, _input.View, _weights.View, _output.View);
                break;
            default:
                var direct = _kernels.Threads(Shape.OutputElements);
                _kernels.Direct(stream, direct, direct, p, _input.View, _weights.View, _output.View);
                break;
        }
    }

    private static int Tiles(int count, int tile) => (count + tile - 1) / tile;

    /// <summary>Copies the output back.</summary>
    public void ReadOutput(Span<float> output) => _output.View.BaseView.CopyToCPU(output[..(int)Shape.OutputElements]);

    /// <summary>Overwrites the output on the device (tests verify a corrupted one).</summary>
    public void WriteOutput(ReadOnlySpan<float> output) => _output.View.BaseView.CopyFromCPU(output[..(int)Shape.OutputElements]);

    /// <summary>
    /// The largest relative error of the output over every value: the double-precision reference kernel writes each
    /// output's error and a device reduction (ILGPU.Algorithms) takes their maximum; one number comes back.
    /// </summary>
    public double DeviceMaxRelativeError()
    {
        var stream = _accelerator.DefaultStream;
        using var errors = _accelerator.Allocate1D<double>(Shape.OutputElements);
        var threads = _kernels.Threads(Shape.OutputElements);
        _kernels.ReferenceError(stream, threads, threads, _parameters, _input.View, _weights.View, _output.View, errors.View);
        return _accelerator.Reduce<double, MaxDouble>(stream, errors.View);
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        _input.Dispose();
        _weights.Dispose();
        _packed?.Dispose();
        _output.Dispose();
    }
}
