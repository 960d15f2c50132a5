using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace CnnCost.Measurement.Ilgpu;

/// <summary>The kernel a convolution runs with on ILGPU, chosen once per shape.</summary>
internal enum IlgpuPath
{
    /// <summary>Tiled implicit GEMM, one GEMM per group.</summary>
    ImplicitGemm,

    /// <summary>Direct depthwise kernel (one input channel per filter).</summary>
    Depthwise,

    /// <summary>GEMM whose columns are the batch (the kernel covers the unpadded input).</summary>
    FullyConnected,

    /// <summary>Direct convolution, one thread per output.</summary>
    Direct,
}

/// <summary>
/// The ILGPU engine: the kernels of <see cref="IlgpuKernels"/>, one C# source compiled by ILGPU for CUDA, for OpenCL
/// where ILGPU accepts the device, or for ILGPU's CPU accelerator. Outputs are verified on the device on every value
/// by a double-precision direct kernel and a device reduction of the relative errors; only one number comes back.
/// </summary>
public sealed class IlgpuConvolutionEngine : IConvolutionEngine
{
    /// <summary>The accelerator kinds the engine can run on, fastest first: <c>cuda</c>, <c>opencl</c>, <c>cpu</c>.</summary>
    public static ImmutableArray<string> Accelerators { get; } = ["cuda", "opencl", "cpu"];

    private static int _resolverInstalled;
    private readonly Context? _context;
    private readonly Accelerator? _accelerator;
    private readonly Kernels? _kernels;
    private readonly EngineDevice? _device;

    /// <summary>Creates ILGPU's context and the accelerator, or records why none can be used.</summary>
    /// <param name="accelerator"><c>cuda</c>, <c>opencl</c>, <c>cpu</c>, or null for the fastest available (cuda, then opencl, then cpu).</param>
    /// <exception cref="ArgumentException">The accelerator is none of those.</exception>
    public IlgpuConvolutionEngine(string? accelerator = null)
        : this(accelerator, cpuThreadsPerGroup: 16)
    {
    }

    /// <summary>
    /// Creates the engine with a given group size on ILGPU's CPU accelerator: tests give it 256 threads, a GPU's
    /// group, to run the GPU's tile configuration here.
    /// </summary>
    internal IlgpuConvolutionEngine(string? accelerator, int cpuThreadsPerGroup)
    {
        if (accelerator is not null && !Accelerators.Contains(accelerator))
        {
            throw new ArgumentException($"accelerator '{accelerator}' is not one of {string.Join(", ", Accelerators)}", nameof(accelerator));
        }

        InstallLibraryResolver();
        var unavailable = new Dictionary<string, string>();
        try
        {
            _context = Context.Create(builder =>
            {
                // Every device, not only those ILGPU deems compatible, so a refused one is named with ILGPU's reason.
                Try("cuda", () => builder.Cuda(_ => true));
                Try("opencl", () => builder.OpenCL(_ => true));
                builder.CPU(CpuDevice(cpuThreadsPerGroup)).EnableAlgorithms().Profiling().Optimize(OptimizationLevel.O2);
            });
        }
        catch (Exception failure) when (IsIlgpuFailure(failure))
        {
            AcceleratorKind = accelerator ?? "none";
            Availability = new EngineAvailability(false, $"ILGPU could not start: {failure.Message}");
            UnavailableAccelerators = unavailable.ToImmutableDictionary();
            return;
        }

        // The one asked for, or the fastest that ILGPU accepts.
        string? chosen = null;
        foreach (var kind in accelerator is null ? Accelerators : [accelerator])
        {
            _accelerator = Create(kind, unavailable);
            if (_accelerator is not null)
            {
                chosen = kind;
                break;
            }
        }

        UnavailableAccelerators = unavailable.ToImmutableDictionary();
        AcceleratorKind = chosen ?? accelerator ?? "none";
        if (_accelerator is null)
        {
            Availability = new EngineAvailability(false, $"no ILGPU accelerator can run here: {Describe(unavailable)}");
            return;
        }

        _device = Describe(_accelerator);
        SupportsDoubles = _accelerator.Device is not CLDevice cl || cl.Capabilities.Float64;
        _kernels = new Kernels(_accelerator);
        var why = accelerator is not null ? "as asked" : unavailable.Count == 0 ? "the fastest accelerator here" : "the fastest ILGPU accepts here";
        var others = unavailable.Count == 0 ? "" : $"; unavailable: {Describe(unavailable)}";
        // Said up front, since a large network there takes hours: the CPU accelerator checks kernels, it does not time them.
        var caution = _accelerator is CPUAccelerator ? "; ILGPU's CPU accelerator checks the GPU kernels, thousands of times slower than the cpu engine" : "";
        Availability = new EngineAvailability(true, $"ILGPU {AcceleratorKind} {why}{others}{caution}");

        void Try(string kind, Action register)
        {
            try
            {
                register();
            }
            catch (Exception failure) when (IsIlgpuFailure(failure))
            {
                unavailable[kind] = $"ILGPU could not list the {kind} devices: {failure.Message}";
            }
        }
    }

    /// <inheritdoc />
    public string Name => "ilgpu";

    /// <inheritdoc />
    public EngineAvailability Availability { get; }

    /// <summary>The accelerator used: <c>cuda</c>, <c>opencl</c> or <c>cpu</c> (the one asked for, or <c>none</c>, when unavailable).</summary>
    public string AcceleratorKind { get; }

    /// <inheritdoc />
    /// <remarks>
    /// As ILGPU reports it. A CUDA device: its multiprocessors, memory and L2 cache, compiled for its PTX architecture.
    /// An OpenCL device: its compute units and memory (ILGPU does not report a cache: 0). ILGPU's CPU accelerator:
    /// this machine's cores, the memory this process may use and the CPU's last-level cache.
    /// </remarks>
    public EngineDevice Device => _device ?? throw new InvalidOperationException($"the ilgpu engine is unavailable: {Availability.Reason}");

    /// <summary>The accelerator kinds that cannot be used here, each with the reason.</summary>
    public IReadOnlyDictionary<string, string> UnavailableAccelerators { get; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Whether the device computes in double precision, which the device verification needs (tests turn it off to
    /// exercise the host fallback).
    /// </summary>
    internal bool SupportsDoubles { get; init; }

    /// <summary>The accelerator's device as an <see cref="EngineDevice"/>.</summary>
    private static EngineDevice Describe(Accelerator accelerator) => accelerator.Device switch
    {
        CudaDevice cuda => new EngineDevice(cuda.Name, DeviceKind.Gpu, cuda.NumMultiprocessors, cuda.MemorySize, cuda.L2CacheSize,
            $"PTX {cuda.Architecture?.ToString() ?? "(architecture unknown to ILGPU)"}"),
        CLDevice cl => new EngineDevice(cl.Name, cl.DeviceType switch { CLDeviceType.CL_DEVICE_TYPE_GPU => DeviceKind.Gpu, CLDeviceType.CL_DEVICE_TYPE_CPU => DeviceKind.Cpu, _ => DeviceKind.Other },
            cl.NumMultiprocessors, cl.MemorySize, 0, $"OpenCL C {cl.CVersion}"),
        _ => new EngineDevice($"ILGPU CPU accelerator on {Ceilings.ProcessorName()}", DeviceKind.Cpu, Environment.ProcessorCount,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, Ceilings.LastLevelCacheBytes(), "ILGPU CPU accelerator (.NET threads)"),
    };

    /// <summary>
    /// ILGPU's CPU accelerator runs each thread of a group as an OS thread and wakes them all for every group and
    /// barrier, so its groups are small by default: 16 threads (4 warps of 4) on one multiprocessor (more
    /// multiprocessors only add threads contending for the same cores).
    /// </summary>
    private static CPUDevice CpuDevice(int threadsPerGroup) =>
        new(numThreadsPerWarp: Math.Min(32, threadsPerGroup / 4), numWarpsPerMultiprocessor: threadsPerGroup / Math.Min(32, threadsPerGroup / 4), numMultiprocessors: 1);

    /// <summary>The path a shape runs with.</summary>
    internal static IlgpuPath Choose(ConvolutionShape shape)
    {
        var fullyConnected = shape.Groups == 1 && shape.Pad == new Graph.Size2(0, 0) && shape.Dilation == new Graph.Size2(1, 1)
            && shape.Kernel == shape.Input.Spatial;
        return fullyConnected ? IlgpuPath.FullyConnected
            : shape.ChannelsPerGroup == 1 && shape.Groups > 1 ? IlgpuPath.Depthwise
            // Fewer than 16 filters per group would waste most of every GEMM tile.
            : shape.FiltersPerGroup < 16 || shape.Groups > ushort.MaxValue ? IlgpuPath.Direct
            : IlgpuPath.ImplicitGemm;
    }

    /// <inheritdoc />
    public ConvolutionTiming Measure(ConvolutionShape shape, MeasureOptions options)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        var kernels = Ready(shape);
        var input = Timing.Random(shape.InputElements, options.Seed);
        var weights = Timing.Random(shape.WeightElements, options.Seed + 1);
        return Guarded(shape, () =>
        {
            using var convolution = new IlgpuConvolution(_accelerator!, kernels, shape, Choose(shape), input, weights);
            var times = Timing.Time(convolution.Time, options);
            var error = SupportsDoubles ? convolution.DeviceMaxRelativeError() : HostMaxRelativeError(convolution, input, weights);
            if (!(error <= options.Tolerance))
            {
                throw new VerificationException(Name, shape, error, options.Tolerance);
            }

            return new ConvolutionTiming(shape, times.Median, times.Min, times.Max, error);
        });
    }

    /// <summary>
    /// Without doubles on the device (some OpenCL devices lack fp64) the device reference cannot run: the output comes
    /// back and the host reference checks its usual sample instead.
    /// </summary>
    private static double HostMaxRelativeError(IlgpuConvolution convolution, float[] input, float[] weights)
    {
        var output = new float[convolution.Shape.OutputElements];
        convolution.ReadOutput(output);
        return ReferenceConvolution.MaxRelativeError(convolution.Shape, input, weights, output);
    }

    /// <inheritdoc />
    public void Run(ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Run(shape, Choose(shape), input, weights, output);
    }

    /// <summary>Runs one convolution once with a given path (tests force each path).</summary>
    internal void Run(ConvolutionShape shape, IlgpuPath path, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Span<float> output)
    {
        if (input.Length < shape.InputElements || weights.Length < shape.WeightElements || output.Length < shape.OutputElements)
        {
            throw new ArgumentException($"buffers too small for {shape}");
        }

        var kernels = Ready(shape);
        var (inputs, kernel) = (input[..(int)shape.InputElements].ToArray(), weights[..(int)shape.WeightElements].ToArray());
        var result = Guarded(shape, () =>
        {
            using var convolution = new IlgpuConvolution(_accelerator!, kernels, shape, path, inputs, kernel);
            convolution.Time();
            var values = new float[shape.OutputElements];
            convolution.ReadOutput(values);
            return values;
        });
        result.CopyTo(output);
    }

    /// <summary>
    /// The device verification of a given output (tests hand it a corrupted one): the largest relative error over every
    /// output, computed and reduced on the device.
    /// </summary>
    internal double DeviceMaxRelativeError(ConvolutionShape shape, float[] input, float[] weights, float[] output)
    {
        var kernels = Ready(shape);
        return Guarded(shape, () =>
        {
            using var convolution = new IlgpuConvolution(_accelerator!, kernels, shape, Choose(shape), input, weights);
            convolution.WriteOutput(output);
            return convolution.DeviceMaxRelativeError();
        });
    }

    /// <summary>
    /// Measures the accelerator's ceilings with kernels: peak FLOP/s from eight independent FMA chains per thread, and
    /// bandwidth from a triad over three buffers far larger than the caches (64 MiB each on the CPU accelerator,
    /// 256 MiB on a GPU); best of three, timed as the convolutions are.
    /// </summary>
    /// <returns>The device, power unknown (0).</returns>
    /// <exception cref="InvalidOperationException">The engine is unavailable.</exception>
    /// <exception cref="CnnCostException">A kernel failed on the device.</exception>
    public Hardware.Device MeasureCeilings()
    {
        var kernels = _kernels ?? throw Unavailable();
        var accelerator = _accelerator!;
        try
        {
            var cpu = accelerator is CPUAccelerator;
            // Enough threads to fill every multiprocessor several times over; on the CPU one per simulated thread.
            var threads = cpu ? accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor : Math.Max(1 << 16, accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor * 4);
            var iterations = cpu ? 1 << 16 : 1 << 14;
            // Three buffers far larger than any cache: 64 MiB each on the CPU, 256 MiB on a GPU (an H100's L2 is 50 MB).
            var length = cpu ? 16 << 20 : 64 << 20;
            using var sink = accelerator.Allocate1D<float>(threads);
            using var a = accelerator.Allocate1D<float>(length);
            using var b = accelerator.Allocate1D<float>(length);
            using var c = accelerator.Allocate1D<float>(length);
            b.MemSetToZero();
            c.MemSetToZero();
            var stream = accelerator.DefaultStream;
            double bestFma = double.MaxValue, bestTriad = double.MaxValue;
            for (var run = 0; run < 3; run++)
            {
                bestFma = Math.Min(bestFma, Timed(accelerator, () => kernels.FmaPeak(stream, threads, iterations, sink.View)));
                var triadThreads = kernels.Threads(length);
                bestTriad = Math.Min(bestTriad, Timed(accelerator, () => kernels.Triad(stream, triadThreads, triadThreads, a.View, b.View, c.View, 0.5f)));
            }

            var flops = (double)threads * iterations * 8 * 2;
            return new Hardware.Device($"{Device.Name} via ILGPU {AcceleratorKind}", flops / bestFma, 3.0 * sizeof(float) * length / bestTriad, 0,
                $"measured with ILGPU ({AcceleratorKind}): eight FMA chains on each of {threads:N0} threads; triad over 3 x {length >> 18} MiB");
        }
        catch (Exception failure) when (IsIlgpuFailure(failure))
        {
            throw new CnnCostException($"ilgpu engine ({AcceleratorKind}): measuring the ceilings failed: {failure.Message}", failure);
        }
    }

    /// <summary>Releases the accelerator and the context.</summary>
    public void Dispose()
    {
        _accelerator?.Dispose();
        _context?.Dispose();
    }

    /// <summary>
    /// Runs launches and returns their seconds: device events (profiling markers) on a GPU; on the CPU accelerator,
    /// whose markers only stamp the host clock, the host clock around the launches and a synchronization.
    /// </summary>
    internal static double Timed(Accelerator accelerator, Action launch)
    {
        if (accelerator is CPUAccelerator)
        {
            var watch = Stopwatch.StartNew();
            launch();
            accelerator.Synchronize();
            return watch.Elapsed.TotalSeconds;
        }

        using var start = accelerator.AddProfilingMarker();
        launch();
        using var end = accelerator.AddProfilingMarker();
        end.Synchronize();
        return (end - start).TotalSeconds;
    }

    /// <summary>The kernels, once the shape is known to fit the host and the device.</summary>
    private Kernels Ready(ConvolutionShape shape)
    {
        var kernels = _kernels ?? throw Unavailable();
        shape.EnsureBuffersFit();
        // Input, weights, packed weights, output, and a double per output for the verification.
        var needed = shape.MinimumBytes + 4 * shape.WeightElements + 8 * shape.OutputElements;
        if (_accelerator is not CPUAccelerator && needed > Device.MemoryBytes)
        {
            throw new CnnCostException($"layer '{shape.Name}' at batch {shape.Batch} needs {needed / 1e9:0.##} GB on the device, more than the {Device.MemoryBytes / 1e9:0.##} GB of {Device.Name}; measure a smaller batch");
        }

        return kernels;
    }

    private InvalidOperationException Unavailable() => new($"the ILGPU engine is unavailable: {Availability.Reason}");

    /// <summary>Runs device work; an ILGPU failure becomes one clear sentence naming the layer, never a stack trace.</summary>
    private T Guarded<T>(ConvolutionShape shape, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception failure) when (IsIlgpuFailure(failure))
        {
            throw new CnnCostException($"ilgpu engine ({AcceleratorKind}), layer '{shape.Name}': {failure.Message}", failure);
        }
    }

    /// <summary>Failures of ILGPU or its devices, as opposed to our own errors, which pass through unchanged.</summary>
    private static bool IsIlgpuFailure(Exception failure) =>
        failure is not (CnnCostException or ArgumentException or OutOfMemoryException or OperationCanceledException);

    /// <summary>Creates the first accelerator of a kind ILGPU accepts, or records why there is none.</summary>
    private Accelerator? Create(string kind, Dictionary<string, string> unavailable)
    {
        if (unavailable.ContainsKey(kind))
        {
            return null;
        }

        var devices = _context!.Devices.Where(d => d.AcceleratorType == kind switch
        {
            "cuda" => AcceleratorType.Cuda,
            "opencl" => AcceleratorType.OpenCL,
            _ => AcceleratorType.CPU,
        }).ToArray();
        if (devices.Length == 0)
        {
            unavailable[kind] = kind switch
            {
                "cuda" => Loads("libcuda.so.1", "libcuda.so", "nvcuda.dll") ? "the NVIDIA driver reports no CUDA device" : "no CUDA device (the NVIDIA driver's libcuda.so.1 was not found)",
                "opencl" => Loads("libOpenCL.so.1", "libOpenCL.so", "OpenCL.dll") ? "no OpenCL platform or device was found" : "no OpenCL device (the ICD loader libOpenCL.so.1 was not found)",
                _ => "ILGPU listed no CPU accelerator",
            };
            return null;
        }

        var refusals = new List<string>();
        foreach (var device in devices)
        {
            try
            {
                return device.CreateAccelerator(_context);
            }
            catch (Exception failure) when (IsIlgpuFailure(failure))
            {
                refusals.Add($"ILGPU refused {device.Name.Trim()}: {failure.Message.TrimEnd('.')}");
            }
        }

        unavailable[kind] = string.Join("; ", refusals);
        return null;
    }

    private static bool Loads(params string[] names)
    {
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(Dictionary<string, string> unavailable) =>
        string.Join("; ", Accelerators.Where(unavailable.ContainsKey).Select(k => $"{k}: {unavailable[k]}"));

    /// <summary>
    /// ILGPU asks for <c>OpenCL</c> and <c>cuda</c>, which .NET looks for as <c>libOpenCL.so</c> and <c>libcuda.so</c>:
    /// names only the development packages install. When those are missing, the runtime libraries' own names
    /// (<c>libOpenCL.so.1</c>, <c>libcuda.so.1</c>) are tried, so neither the ICD loader's nor the driver's development
    /// package is needed.
    /// </summary>
    private static void InstallLibraryResolver()
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) != 0)
        {
            return;
        }

        var ilgpu = typeof(Context).Assembly;
        (AssemblyLoadContext.GetLoadContext(ilgpu) ?? AssemblyLoadContext.Default).ResolvingUnmanagedDll += (assembly, name) =>
            assembly != ilgpu ? 0
            : name == "OpenCL" && NativeLibrary.TryLoad("libOpenCL.so.1", out var openCl) ? openCl
            : name == "cuda" && NativeLibrary.TryLoad("libcuda.so.1", out var cuda) ? cuda
            : 0;
    }

    /// <summary>The engine's kernels, each compiled by ILGPU for the accelerator when first used (a device without doubles never compiles the reference).</summary>
    internal sealed class Kernels(Accelerator accelerator)
    {
        /// <summary>
        /// Threads per side of an implicit-GEMM group: 16 (a 128 × 128 tile) where a group may hold 256 threads; on
        /// ILGPU's CPU accelerator, whose 16 threads per group are OS threads meeting at every barrier, 4 (32 × 32).
        /// </summary>
        public int GemmThreadsPerSide { get; } = accelerator.MaxNumThreadsPerGroup >= 256 ? 16 : accelerator.MaxNumThreadsPerGroup >= 64 ? 8 : 4;

        /// <summary>
        /// Threads to launch for <paramref name="items"/> items of a one-dimensional kernel: one per item on a GPU (up
        /// to 16 waves of the device), a few per OS thread on the CPU accelerator.
        /// </summary>
        public int Threads(long items) =>
            (int)Math.Max(1, Math.Min(items, accelerator is CPUAccelerator ? 4L * accelerator.MaxNumThreads : 16L * accelerator.MaxNumThreads));

        /// <summary>Threads of a fully-connected group: 64, or as many as a group holds (a power of two).</summary>
        public int FullyConnectedThreads { get; } = Math.Min(64, 1 << (int)Math.Log2(accelerator.MaxNumThreadsPerGroup));

        private readonly Lazy<Action<AcceleratorStream, KernelConfig, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _implicitGemm =
            new(() => accelerator.LoadKernel<ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>>(IlgpuKernels.ImplicitGemm));

        private readonly Lazy<Action<AcceleratorStream, KernelConfig, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _fullyConnected =
            new(() => accelerator.LoadKernel<ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>>(IlgpuKernels.FullyConnected));

        private readonly Lazy<Action<AcceleratorStream, Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _depthwise =
            new(() => accelerator.LoadAutoGroupedKernel<Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>>(IlgpuKernels.Depthwise));

        private readonly Lazy<Action<AcceleratorStream, Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>>> _direct =
            new(() => accelerator.LoadAutoGroupedKernel<Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>>(IlgpuKernels.Direct));

        private readonly Lazy<Action<AcceleratorStream, Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>>> _referenceError =
            new(() => accelerator.LoadAutoGroupedKernel<Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>>(IlgpuKernels.ReferenceError));

        private readonly Lazy<Action<AcceleratorStream, Index1D, int, ArrayView<float>>> _fmaPeak =
            new(() => accelerator.LoadAutoGroupedKernel<Index1D, int, ArrayView<float>>(IlgpuKernels.FmaPeak));

        private readonly Lazy<Action<AcceleratorStream, Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>> _triad =
            new(() => accelerator.LoadAutoGroupedKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(IlgpuKernels.Triad));

        public Action<AcceleratorStream, KernelConfig, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>> ImplicitGemm => _implicitGemm.Value;

        public Action<AcceleratorStream, KernelConfig, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>> FullyConnected => _fullyConnected.Value;

        public Action<AcceleratorStream, Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>> Depthwise => _depthwise.Value;

        public Action<AcceleratorStream, Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>> Direct => _direct.Value;

        public Action<AcceleratorStream, Index1D, int, ConvolutionParameters, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>> ReferenceError => _referenceError.Value;

        public Action<AcceleratorStream, Index1D, int, ArrayView<float>> FmaPeak => _fmaPeak.Value;

        public Action<AcceleratorStream, Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> Triad => _triad.Value;
    }
}
