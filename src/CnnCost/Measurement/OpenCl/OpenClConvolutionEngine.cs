using System.Text;

namespace CnnCost.Measurement.OpenCl;

/// <summary>
/// The OpenCL engine: the tiled implicit-GEMM kernel of <c>conv_gemm.cl</c> (an embedded resource compiled at run
/// time) on the first OpenCL device found, timed with profiling events. Without an ICD loader or a platform it is
/// unavailable and says why; it never crashes. PoCL runs it on the CPU here and in CI; GPU drivers run the same
/// kernel with larger tiles (<c>-D TS=… -D WPT=…</c>).
/// </summary>
public sealed unsafe class OpenClConvolutionEngine : IConvolutionEngine
{
    private const int TileSize = 64;
    private const int WorkPerThread = 4;
    private readonly OpenClApi? _api;
    private readonly nint _context;
    private readonly nint _queue;
    private readonly nint _program;
    private readonly nint _kernel;
    private readonly nint _device;
    private readonly EngineDevice? _deviceDescription;

    /// <summary>Finds a platform and device, compiles the kernel, or records why it cannot.</summary>
    /// <param name="libraryName">The OpenCL ICD loader to load.</param>
    public OpenClConvolutionEngine(string libraryName = "libOpenCL.so.1")
    {
        _api = OpenClApi.TryLoad(libraryName, out var reason);
        if (_api is null)
        {
            Availability = new EngineAvailability(false, reason);
            return;
        }

        try
        {
            uint platformCount = 0;
            var code = _api.GetPlatformIDs(0, null, &platformCount);
            if (code != OpenClApi.Success || platformCount == 0)
            {
                Availability = new EngineAvailability(false, $"no OpenCL platform was found (clGetPlatformIDs returned {code}, {platformCount} platforms)");
                return;
            }

            var platforms = stackalloc nint[(int)platformCount];
            OpenClApi.Check(_api.GetPlatformIDs(platformCount, platforms, null), "clGetPlatformIDs");
            nint device = 0;
            for (var p = 0; p < platformCount && device == 0; p++)
            {
                uint deviceCount = 0;
                if (_api.GetDeviceIDs(platforms[p], OpenClApi.DeviceTypeAll, 1, &device, &deviceCount) != OpenClApi.Success)
                {
                    device = 0;
                }
            }

            if (device == 0)
            {
                Availability = new EngineAvailability(false, "no OpenCL device was found on any platform");
                return;
            }

            _device = device;
            int error;
            _context = _api.CreateContext(null, 1, &device, 0, 0, &error);
            OpenClApi.Check(error, "clCreateContext");
            _queue = _api.CreateCommandQueue(_context, device, OpenClApi.QueueProfilingEnable, &error);
            OpenClApi.Check(error, "clCreateCommandQueue");
            _program = Build(Source());
            fixed (byte* name = "conv_gemm\0"u8)
            {
                _kernel = _api.CreateKernel(_program, name, &error);
            }

            OpenClApi.Check(error, "clCreateKernel");
            _deviceDescription = Describe();
            Availability = new EngineAvailability(true, "the first device of the first OpenCL platform that has one");
        }
        catch (InvalidOperationException failure)
        {
            Availability = new EngineAvailability(false, failure.Message);
        }
    }

    /// <inheritdoc />
    public string Name => "opencl";

    /// <inheritdoc />
    public EngineAvailability Availability { get; }

    /// <inheritdoc />
    /// <remarks>
    /// As the driver describes it: <c>CL_DEVICE_NAME</c>, <c>CL_DEVICE_TYPE</c>, <c>CL_DEVICE_MAX_COMPUTE_UNITS</c>,
    /// <c>CL_DEVICE_GLOBAL_MEM_SIZE</c>, the global memory cache (<c>CL_DEVICE_GLOBAL_MEM_CACHE_SIZE</c>) and
    /// <c>CL_DEVICE_VERSION</c>.
    /// </remarks>
    public EngineDevice Device => _deviceDescription ?? throw new InvalidOperationException($"the OpenCL engine is unavailable: {Availability.Reason}");

    /// <inheritdoc />
    public ConvolutionTiming Measure(ConvolutionShape shape, MeasureOptions options)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(options);
        shape.EnsureBuffersFit();
        var input = Timing.Random(shape.InputElements, options.Seed);
        var weights = Timing.Random(shape.WeightElements, options.Seed + 1);
        var output = new float[shape.OutputElements];
        using var buffers = new Buffers(this, shape, input, weights);
        var times = Timing.Time(() => buffers.Launch(), options);
        buffers.ReadOutput(output);
        return Timing.Verified(Name, shape, input, weights, output, times, options);
    }

    /// <inheritdoc />
    public void Run(ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.EnsureBuffersFit();
        using var buffers = new Buffers(this, shape, input, weights);
        buffers.Launch();
        buffers.ReadOutput(output);
    }

    /// <summary>
    /// Measures the device's ceilings with the kernels of <c>conv_gemm.cl</c>: peak FLOP/s from independent FMA chains
    /// on every work-item, and bandwidth from a triad over three 64 MiB buffers; best of three, timed by events.
    /// </summary>
    /// <returns>The device, power unknown (0).</returns>
    /// <exception cref="InvalidOperationException">The engine is unavailable or a kernel fails.</exception>
    public Hardware.Device MeasureCeilings()
    {
        var api = Api;
        int error;
        nint fma, triad;
        fixed (byte* name = "fma_peak\0"u8)
        {
            fma = api.CreateKernel(_program, name, &error);
        }

        OpenClApi.Check(error, "clCreateKernel(fma_peak)");
        fixed (byte* name = "triad\0"u8)
        {
            triad = api.CreateKernel(_program, name, &error);
        }

        OpenClApi.Check(error, "clCreateKernel(triad)");
        const int length = 16 << 20;
        const int iterations = 4096;
        const int workItems = 1 << 16;
        var sink = api.CreateBuffer(_context, OpenClApi.MemReadWrite, workItems * sizeof(float), null, &error);
        OpenClApi.Check(error, "clCreateBuffer");
        var buffers = new nint[3];
        var ones = new float[length];
        Array.Fill(ones, 1f);
        for (var i = 0; i < 3; i++)
        {
            buffers[i] = api.CreateBuffer(_context, OpenClApi.MemReadWrite, length * sizeof(float), null, &error);
            OpenClApi.Check(error, "clCreateBuffer");
            fixed (float* source = ones)
            {
                OpenClApi.Check(api.EnqueueWriteBuffer(_queue, buffers[i], 1, 0, length * sizeof(float), source, 0, null, null), "clEnqueueWriteBuffer");
            }
        }

        try
        {
            var count = iterations;
            OpenClApi.Check(api.SetKernelArg(fma, 0, sizeof(int), &count), "clSetKernelArg");
            OpenClApi.Check(api.SetKernelArg(fma, 1, (nuint)sizeof(nint), &sink), "clSetKernelArg");
            var scalar = 0.5f;
            for (var i = 0; i < 3; i++)
            {
                var buffer = buffers[i];
                OpenClApi.Check(api.SetKernelArg(triad, (uint)i, (nuint)sizeof(nint), &buffer), "clSetKernelArg");
            }

            OpenClApi.Check(api.SetKernelArg(triad, 3, sizeof(float), &scalar), "clSetKernelArg");
            double bestFma = double.MaxValue, bestTriad = double.MaxValue;
            for (var run = 0; run < 3; run++)
            {
                bestFma = Math.Min(bestFma, Launch(fma, workItems));
                bestTriad = Math.Min(bestTriad, Launch(triad, length));
            }

            var flops = (double)workItems * iterations * 8 * 4 * 2;
            return new Hardware.Device($"{Device.Name} via OpenCL", flops / bestFma, 3.0 * sizeof(float) * length / bestTriad, 0,
                "measured with OpenCL: FMA chains on every work-item; triad over 3 x 64 MiB");
        }
        finally
        {
            api.ReleaseMemObject(sink);
            foreach (var buffer in buffers)
            {
                api.ReleaseMemObject(buffer);
            }

            api.ReleaseKernel(fma);
            api.ReleaseKernel(triad);
        }
    }

    /// <summary>Runs a one-dimensional kernel and returns its device time in seconds.</summary>
    private double Launch(nint kernel, long globalSize)
    {
        var api = Api;
        var global = (nuint)globalSize;
        nint done;
        OpenClApi.Check(api.EnqueueNDRangeKernel(_queue, kernel, 1, null, &global, null, 0, null, &done), "clEnqueueNDRangeKernel");
        OpenClApi.Check(api.WaitForEvents(1, &done), "clWaitForEvents");
        ulong start = 0, end = 0;
        OpenClApi.Check(api.GetEventProfilingInfo(done, OpenClApi.ProfilingCommandStart, sizeof(ulong), &start, null), "clGetEventProfilingInfo");
        OpenClApi.Check(api.GetEventProfilingInfo(done, OpenClApi.ProfilingCommandEnd, sizeof(ulong), &end, null), "clGetEventProfilingInfo");
        api.ReleaseEvent(done);
        return (end - start) * 1e-9;
    }

    /// <summary>Releases the kernel, program, queue and context.</summary>
    public void Dispose()
    {
        if (_api is null)
        {
            return;
        }

        if (_kernel != 0)
        {
            _api.ReleaseKernel(_kernel);
        }

        if (_program != 0)
        {
            _api.ReleaseProgram(_program);
        }

        if (_queue != 0)
        {
            _api.ReleaseCommandQueue(_queue);
        }

        if (_context != 0)
        {
            _api.ReleaseContext(_context);
        }
    }

    private OpenClApi Api => _api is not null && Availability.IsAvailable
        ? _api
        : throw new InvalidOperationException($"the OpenCL engine is unavailable: {Availability.Reason}");

    private static string Source()
    {
        using var stream = typeof(OpenClConvolutionEngine).Assembly.GetManifestResourceStream("CnnCost.Measurement.OpenCl.conv_gemm.cl")
            ?? throw new InvalidOperationException("the embedded kernel conv_gemm.cl is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private nint Build(string source)
    {
        var api = _api!;
        var bytes = Encoding.UTF8.GetBytes(source);
        int error;
        nint program;
        fixed (byte* text = bytes)
        {
            var strings = text;
            var length = (nuint)bytes.Length;
            program = api.CreateProgramWithSource(_context, 1, &strings, &length, &error);
        }

        OpenClApi.Check(error, "clCreateProgramWithSource");
        var device = _device;
        var options = Encoding.ASCII.GetBytes($"-D TS={TileSize} -D WPT={WorkPerThread}\0");
        fixed (byte* flags = options)
        {
            var code = api.BuildProgram(program, 1, &device, flags, 0, 0);
            if (code != OpenClApi.Success)
            {
                nuint size = 0;
                api.GetProgramBuildInfo(program, device, OpenClApi.ProgramBuildLog, 0, null, &size);
                var log = new byte[(int)size];
                fixed (byte* l = log)
                {
                    api.GetProgramBuildInfo(program, device, OpenClApi.ProgramBuildLog, size, l, null);
                }

                throw new InvalidOperationException($"the OpenCL kernel did not compile (error {code}): {Encoding.UTF8.GetString(log).Trim()}");
            }
        }

        return program;
    }

    private EngineDevice Describe()
    {
        ulong type = 0, memory = 0, cache = 0;
        uint units = 0;
        _api!.GetDeviceInfo(_device, OpenClApi.DeviceType, sizeof(ulong), &type, null);
        _api.GetDeviceInfo(_device, OpenClApi.DeviceMaxComputeUnits, sizeof(uint), &units, null);
        _api.GetDeviceInfo(_device, OpenClApi.DeviceGlobalMemSize, sizeof(ulong), &memory, null);
        _api.GetDeviceInfo(_device, OpenClApi.DeviceGlobalMemCacheSize, sizeof(ulong), &cache, null);
        var kind = (type & OpenClApi.DeviceTypeGpu) != 0 ? DeviceKind.Gpu : (type & OpenClApi.DeviceTypeCpu) != 0 ? DeviceKind.Cpu : DeviceKind.Other;
        return new EngineDevice(DeviceString(OpenClApi.DeviceName), kind, (int)units, (long)memory, (long)cache, DeviceString(OpenClApi.DeviceVersion));
    }

    private string DeviceString(uint parameter)
    {
        nuint size = 0;
        _api!.GetDeviceInfo(_device, parameter, 0, null, &size);
        var text = new byte[(int)size];
        fixed (byte* t = text)
        {
            _api.GetDeviceInfo(_device, parameter, size, t, null);
        }

        return Encoding.UTF8.GetString(text).TrimEnd('\0').Trim();
    }

    /// <summary>
    /// Bytes of <paramref name="floats"/> fp32 values, in native 64-bit arithmetic: from 2^29 floats on, an <c>int</c>
    /// product wraps and the kernel would write past a buffer too small.
    /// </summary>
    /// <exception cref="OverflowException">The count is negative or its bytes exceed the address space.</exception>
    internal static nuint BytesOf(long floats) => checked((nuint)floats * sizeof(float));

    /// <summary>Device buffers of one convolution, written once (first touch) and launched per run.</summary>
    private sealed class Buffers : IDisposable
    {
        private readonly OpenClConvolutionEngine _engine;
        private readonly ConvolutionShape _shape;
        private readonly nint _input;
        private readonly nint _weights;
        private readonly nint _output;

        public Buffers(OpenClConvolutionEngine engine, ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weights)
        {
            (_engine, _shape) = (engine, shape);
            _input = Create(input.Slice(0, (int)shape.InputElements));
            _weights = Create(weights.Slice(0, (int)shape.WeightElements));
            _output = Create(new float[shape.OutputElements]);
        }

        private nint Create(ReadOnlySpan<float> data)
        {
            var api = _engine.Api;
            int error;
            var bytes = BytesOf(data.Length);
            var buffer = api.CreateBuffer(_engine._context, OpenClApi.MemReadWrite, Math.Max(bytes, sizeof(float)), null, &error);
            OpenClApi.Check(error, "clCreateBuffer");
            fixed (float* source = data)
            {
                OpenClApi.Check(api.EnqueueWriteBuffer(_engine._queue, buffer, 1, 0, bytes, source, 0, null, null), "clEnqueueWriteBuffer");
            }

            return buffer;
        }

        /// <summary>Runs every group's kernel and returns the device time from the profiling events, in seconds.</summary>
        public double Launch()
        {
            var api = _engine.Api;
            var s = _shape;
            var m = s.FiltersPerGroup;
            var n = s.Batch * s.OutHeight * s.OutWidth;
            var k = s.ChannelsPerGroup * s.Kernel.Height * s.Kernel.Width;
            int[] scalars = [m, n, k, s.Input.Channels, s.Input.Height, s.Input.Width, s.OutHeight, s.OutWidth, s.Kernel.Height, s.Kernel.Width,
                s.Stride.Height, s.Stride.Width, s.Pad.Height, s.Pad.Width, s.Dilation.Height, s.Dilation.Width, 0, s.ChannelsPerGroup, s.Filters];
            double seconds = 0;
            var buffers = stackalloc nint[] { _input, _weights, _output };
            var local = stackalloc nuint[] { TileSize / WorkPerThread, TileSize / WorkPerThread };
            var global = stackalloc nuint[] { (nuint)((n + TileSize - 1) / TileSize * (TileSize / WorkPerThread)), (nuint)((m + TileSize - 1) / TileSize * (TileSize / WorkPerThread)) };
            for (var group = 0; group < s.Groups; group++)
            {
                scalars[16] = group;
                for (var i = 0; i < scalars.Length; i++)
                {
                    var value = scalars[i];
                    OpenClApi.Check(api.SetKernelArg(_engine._kernel, (uint)i, sizeof(int), &value), "clSetKernelArg");
                }

                for (var i = 0; i < 3; i++)
                {
                    OpenClApi.Check(api.SetKernelArg(_engine._kernel, (uint)(scalars.Length + i), (nuint)sizeof(nint), &buffers[i]), "clSetKernelArg");
                }

                nint done;
                OpenClApi.Check(api.EnqueueNDRangeKernel(_engine._queue, _engine._kernel, 2, null, global, local, 0, null, &done), "clEnqueueNDRangeKernel");
                OpenClApi.Check(api.WaitForEvents(1, &done), "clWaitForEvents");
                ulong start = 0, end = 0;
                OpenClApi.Check(api.GetEventProfilingInfo(done, OpenClApi.ProfilingCommandStart, sizeof(ulong), &start, null), "clGetEventProfilingInfo");
                OpenClApi.Check(api.GetEventProfilingInfo(done, OpenClApi.ProfilingCommandEnd, sizeof(ulong), &end, null), "clGetEventProfilingInfo");
                api.ReleaseEvent(done);
                seconds += (end - start) * 1e-9;
            }

            return seconds;
        }

        public void ReadOutput(Span<float> output)
        {
            fixed (float* target = output)
            {
                OpenClApi.Check(_engine.Api.EnqueueReadBuffer(_engine._queue, _output, 1, 0, BytesOf(_shape.OutputElements), target, 0, null, null), "clEnqueueReadBuffer");
            }
        }

        public void Dispose()
        {
            var api = _engine.Api;
            api.ReleaseMemObject(_input);
            api.ReleaseMemObject(_weights);
            api.ReleaseMemObject(_output);
        }
    }
}
