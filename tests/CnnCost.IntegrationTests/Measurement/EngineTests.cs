using CnnCost.Graph;
using CnnCost.Measurement;
using CnnCost.Measurement.Cpu;
using CnnCost.Measurement.Ilgpu;
using CnnCost.Measurement.OpenCl;
using FsCheck;
using FsCheck.Fluent;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace CnnCost.IntegrationTests.Measurement;

/// <summary>
/// One suite run against every engine: the CPU engine with each of its micro-kernels forced (AVX-512, AVX2, scalar),
/// OpenCL, and ILGPU on each of its accelerators (CPU, CUDA, OpenCL). A row whose hardware is missing reports Skipped
/// with the reason, never Passed; with CNNCOST_REQUIRE_OPENCL=1 (set by .ci/run) a missing OpenCL platform is a
/// failure instead. ILGPU's CPU accelerator runs everywhere, so its row never skips.
/// </summary>
public class EngineTests
{
    /// <summary>
    /// Every engine, whatever this machine has: a row that cannot run here skips itself when it starts. The CPU engine's
    /// GEMM micro-kernels are 32 columns wide (AVX-512), 16 wide (AVX2 with FMA) or scalar; there is no 128-bit one.
    /// </summary>
    public static TheoryData<string> Engines() => ["cpu-avx512", "cpu-avx2", "cpu-scalar", "opencl", "ilgpu-cpu", "ilgpu-cuda", "ilgpu-opencl"];

    /// <summary>Engines whose runs are slow here (PoCL, ILGPU's CPU accelerator): fewer random shapes.</summary>
    private static bool IsSlow(string name) => name is "opencl" or "ilgpu-cpu" or "ilgpu-opencl";

    /// <summary>Whether this CPU (and runtime: DOTNET_EnableAVX512=0 turns it off) can run the AVX-512 micro-kernel.</summary>
    private static bool HasAvx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>Whether this CPU can run the AVX2 micro-kernel, which needs FMA as well.</summary>
    private static bool HasAvx2 => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>The engine of a row, or a skip that says what this machine lacks (a failure for OpenCL under CNNCOST_REQUIRE_OPENCL=1).</summary>
    private static IConvolutionEngine Open(string name)
    {
        switch (name)
        {
            case "cpu-avx512":
                Assert.SkipUnless(HasAvx512, "this CPU (or runtime) has no AVX-512F, so the 32-wide micro-kernel cannot run here");
                return new CpuConvolutionEngine(instructionSet: "avx512");
            case "cpu-avx2":
                Assert.SkipUnless(HasAvx2, "this CPU (or runtime) lacks AVX2 or FMA, so the 16-wide vector micro-kernel cannot run here");
                return new CpuConvolutionEngine(instructionSet: "avx2");
            case "cpu-scalar":
                return new CpuConvolutionEngine(instructionSet: "scalar");
            case "ilgpu-cpu" or "ilgpu-cuda" or "ilgpu-opencl":
                return OpenIlgpu(name["ilgpu-".Length..]);
            default:
                return OpenOpenCl(new OpenClConvolutionEngine());
        }
    }

    /// <summary>OpenCL may be absent: a skip with the engine's reason, and with CNNCOST_REQUIRE_OPENCL=1 a failure.</summary>
    private static IConvolutionEngine OpenOpenCl(OpenClConvolutionEngine engine)
    {
        if (engine.Availability.IsAvailable)
        {
            return engine;
        }

        var reason = engine.Availability.Reason;
        engine.Dispose();
        Assert.False(Environment.GetEnvironmentVariable("CNNCOST_REQUIRE_OPENCL") == "1",
            $"CNNCOST_REQUIRE_OPENCL=1 but the OpenCL engine is unavailable: {reason}");
        Assert.Skip($"the OpenCL engine is unavailable: {reason} (install pocl-opencl-icd; CNNCOST_REQUIRE_OPENCL=1 makes this a failure)");
        return engine;
    }

    /// <summary>An ILGPU accelerator, or a skip with the engine's reason (ILGPU's CPU accelerator must always run).</summary>
    internal static IlgpuConvolutionEngine OpenIlgpu(string accelerator)
    {
        var engine = new IlgpuConvolutionEngine(accelerator);
        if (engine.Availability.IsAvailable)
        {
            return engine;
        }

        var reason = engine.Availability.Reason;
        engine.Dispose();
        Assert.NotEqual("cpu", accelerator);
        Assert.Skip($"ILGPU's {accelerator} accelerator is unavailable: {reason}");
        return engine;
    }

    [Fact]
    public void The_default_instruction_set_is_the_widest_this_cpu_supports()
    {
        using var engine = new CpuConvolutionEngine();
        Assert.Equal(HasAvx512 ? "avx512" : HasAvx2 ? "avx2" : "scalar", engine.InstructionSet);
        Assert.Contains($"{engine.InstructionSet} is the widest", engine.Availability.Reason);
        Assert.Equal(engine.InstructionSet, engine.Device.InstructionSet);
    }

    [Fact]
    public void Forcing_an_instruction_set_this_cpu_lacks_is_refused()
    {
        Assert.SkipWhen(HasAvx512, "this CPU has AVX-512F: no instruction set the engine knows is missing here");
        var missing = HasAvx2 ? "avx512" : "avx2";
        var error = Assert.Throws<ArgumentException>(() => new CpuConvolutionEngine(instructionSet: missing));
        Assert.Contains($"instruction set {missing} is not supported", error.Message);
    }

    [Theory]
    [InlineData("sse")]
    [InlineData("AVX2")]
    [InlineData("")]
    public void An_instruction_set_the_engine_does_not_know_is_refused_rather_than_run_as_scalar(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new CpuConvolutionEngine(instructionSet: name));
        Assert.Contains("is not one of avx512, avx2 or scalar", error.Message);
    }

    [Theory]
    [InlineData("cpu-avx512", "avx512")]
    [InlineData("cpu-avx2", "avx2")]
    [InlineData("cpu-scalar", "scalar")]
    public void Each_cpu_row_runs_the_micro_kernel_it_names(string row, string instructionSet)
    {
        using var engine = (CpuConvolutionEngine)Open(row);
        Assert.Equal(instructionSet, engine.InstructionSet);
        Assert.Equal(instructionSet, engine.Device.InstructionSet);
        Assert.EndsWith($"{instructionSet} as asked", engine.Availability.Reason);
    }

    private static readonly Gen<ConvolutionShape> Shapes =
        from batch in Gen.Choose(1, 3)
        from groups in Gen.Elements(1, 1, 2, 3)
        from channelsPerGroup in Gen.Choose(1, 6)
        from filtersPerGroup in Gen.Choose(1, 9)
        from kh in Gen.Choose(1, 5)
        from kw in Gen.Choose(1, 5)
        from sh in Gen.Choose(1, 3)
        from sw in Gen.Choose(1, 3)
        from ph in Gen.Choose(0, 2)
        from pw in Gen.Choose(0, 2)
        from dilation in Gen.Elements(1, 1, 2)
        from extraH in Gen.Choose(0, 9)
        from extraW in Gen.Choose(0, 9)
        select new ConvolutionShape("random", batch,
            new Shape(groups * channelsPerGroup, Math.Max(1, dilation * (kh - 1) + 1 - 2 * ph) + extraH, Math.Max(1, dilation * (kw - 1) + 1 - 2 * pw) + extraW),
            groups * filtersPerGroup, new Size2(kh, kw), new Size2(sh, sw), new Size2(ph, pw), dilation, groups);

    [Theory]
    [MemberData(nameof(Engines))]
    public void Random_shapes_agree_with_the_double_precision_reference(string name)
    {
        using var engine = Open(name);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(IsSlow(name) ? 30 : 120), Prop.ForAll(Shapes.ToArbitrary(), shape =>
        {
            var timing = engine.Measure(shape, new MeasureOptions(Warmups: 0, Repeats: 1));
            return timing.MaxRelativeError <= 1e-4;
        }));
    }

    /// <summary>
    /// Shapes that reach the engines' special gathers: "same" padding at stride 1 (with dilation), 1x1, and strided
    /// windows, over planes wide enough for whole column panels and batches whose panels straddle items.
    /// </summary>
    private static readonly Gen<ConvolutionShape> GatherShapes =
        from batch in Gen.Choose(1, 3)
        from groups in Gen.Elements(1, 1, 2)
        from channelsPerGroup in Gen.Choose(1, 5)
        from filtersPerGroup in Gen.Choose(1, 13)
        from kernel in Gen.Elements(1, 3, 5, 11)
        from dilation in Gen.Elements(1, 1, 2)
        from stride in Gen.Elements(1, 1, 1, 2, 4)
        from samePadding in Gen.Elements(true, true, false)
        from h in Gen.Choose(1, 20)
        from w in Gen.Choose(1, 40)
        let reach = dilation * (kernel - 1)
        let pad = samePadding ? reach / 2 : 0
        select new ConvolutionShape("gather", batch, new Shape(groups * channelsPerGroup, Math.Max(h, reach + 1 - 2 * pad), Math.Max(w, reach + 1 - 2 * pad)),
            groups * filtersPerGroup, new Size2(kernel, kernel), new Size2(stride, stride), new Size2(pad, pad), new Size2(dilation, dilation), groups);

    /// <summary>Depthwise convolutions (one filter per channel), which the CPU engine runs directly rather than as a GEMM.</summary>
    private static readonly Gen<ConvolutionShape> DepthwiseShapes =
        from batch in Gen.Choose(1, 3)
        from channels in Gen.Choose(2, 12)
        from kernel in Gen.Elements(1, 3, 5)
        from stride in Gen.Choose(1, 3)
        from pad in Gen.Choose(0, 2)
        from dilation in Gen.Elements(1, 1, 2)
        from h in Gen.Choose(1, 20)
        from w in Gen.Choose(1, 40)
        let reach = dilation * (kernel - 1) + 1 - 2 * pad
        select new ConvolutionShape("depthwise", batch, new Shape(channels, Math.Max(h, reach), Math.Max(w, reach)),
            channels, new Size2(kernel, kernel), new Size2(stride, stride), new Size2(pad, pad), new Size2(dilation, dilation), channels);

    /// <summary>Fully-connected layers, which the CPU engine runs with the GEMM's roles swapped; filters and batches cross tile edges.</summary>
    private static readonly Gen<ConvolutionShape> FullyConnectedShapes =
        from batch in Gen.Choose(1, 20)
        from channels in Gen.Choose(1, 12)
        from h in Gen.Choose(1, 5)
        from w in Gen.Choose(1, 5)
        from filters in Gen.Choose(1, 70)
        select ConvolutionShape.Of(new FullyConnectedLayer("fc", "x", filters, true), new Shape(channels, h, w), batch);

    [Theory]
    [MemberData(nameof(Engines))]
    public void Every_output_of_the_special_gathers_agrees_with_the_reference(string name) => EveryOutputAgrees(name, GatherShapes);

    [Theory]
    [MemberData(nameof(Engines))]
    public void Every_output_of_a_fully_connected_layer_agrees_with_the_reference(string name) => EveryOutputAgrees(name, FullyConnectedShapes);

    [Theory]
    [MemberData(nameof(Engines))]
    public void Every_output_of_a_depthwise_convolution_agrees_with_the_reference(string name) => EveryOutputAgrees(name, DepthwiseShapes);

    /// <summary>Runs random shapes and compares every output value, not a sample, with the reference.</summary>
    private static void EveryOutputAgrees(string name, Gen<ConvolutionShape> shapes)
    {
        using var engine = Open(name);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(IsSlow(name) ? 20 : 100), Prop.ForAll(shapes.ToArbitrary(), shape =>
        {
            var input = Timing.Random(shape.InputElements, 11);
            var weights = Timing.Random(shape.WeightElements, 12);
            var output = new float[shape.OutputElements];
            engine.Run(shape, input, weights, output);
            var scale = Math.Sqrt((double)shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width) / 3;
            var index = 0;
            for (var n = 0; n < shape.Batch; n++)
            {
                for (var f = 0; f < shape.Filters; f++)
                {
                    for (var y = 0; y < shape.OutHeight; y++)
                    {
                        for (var x = 0; x < shape.OutWidth; x++, index++)
                        {
                            var expected = ReferenceConvolution.At(shape, input, weights, n, f, y, x);
                            if (!(Math.Abs(output[index] - expected) <= 1e-4 * Math.Max(Math.Abs(expected), scale)))
                            {
                                throw new InvalidOperationException($"{shape}: output ({n}, {f}, {y}, {x}) is {output[index]}, expected {expected}");
                            }
                        }
                    }
                }
            }

            return true;
        }));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_tiny_convolution_gives_the_hand_computed_values(string name)
    {
        using var engine = Open(name);

        // 1x1x3x3 input 1..9, one 2x2 filter [[1, 0], [0, -1]], stride 1, no padding:
        // out[y][x] = in[y][x] - in[y+1][x+1] = -4 everywhere, a 2x2 output.
        var shape = new ConvolutionShape("tiny", 1, new Shape(1, 3, 3), 1, 2, 1, 0, 1, 1);
        var output = new float[4];
        engine.Run(shape, [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 0, 0, -1], output);
        Assert.Equal(new float[] { -4, -4, -4, -4 }, output);

        // With padding 1 and stride 2, windows start at input rows/columns -1 and 1:
        // out[0][0] = 0 - in[0][0] = -1; out[0][1] = 0 - in[0][2] = -3; out[1][0] = 0 - in[2][0] = -7; out[1][1] = in[1][1] - in[2][2] = 5 - 9.
        var padded = new ConvolutionShape("tiny-pad", 1, new Shape(1, 3, 3), 1, 2, 2, 1, 1, 1);
        engine.Run(padded, [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 0, 0, -1], output);
        Assert.Equal(new float[] { -1, -3, -7, 5 - 9 }, output);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_wrong_result_never_produces_a_throughput(string name)
    {
        using var engine = Open(name);

        var shape = new ConvolutionShape("strict", 1, new Shape(4, 8, 8), 4, 3, 1, 1, 1, 1);
        Assert.Throws<VerificationException>(() => engine.Measure(shape, new MeasureOptions(0, 1, Tolerance: 0)));
    }

    [Fact]
    public void The_opencl_device_measures_its_own_ceilings()
    {
        using var engine = (OpenClConvolutionEngine)OpenOpenCl(new OpenClConvolutionEngine());

        var device = engine.MeasureCeilings();
        Assert.True(device.PeakFlopsPerSecond > 1e8, $"peak {device.PeakFlopsPerSecond:E2} FLOP/s is implausibly low");
        Assert.True(device.MemoryBytesPerSecond > 1e8, $"bandwidth {device.MemoryBytesPerSecond:E2} B/s is implausibly low");
        Assert.Contains("via OpenCL", device.Name);
    }

    [Fact]
    public void The_opencl_device_is_described_by_its_driver()
    {
        using var engine = (OpenClConvolutionEngine)OpenOpenCl(new OpenClConvolutionEngine());

        var device = engine.Device;
        // PoCL, the platform CI installs, runs on this machine's cores and says so; a GPU driver would say Gpu.
        Assert.True(device.Kind is DeviceKind.Cpu or DeviceKind.Gpu, device.ToString());
        Assert.InRange(device.ComputeUnits, 1, 1 << 20);
        Assert.True(device.MemoryBytes > 1L << 20, device.ToString());
        Assert.StartsWith("OpenCL ", device.InstructionSet);
        Assert.False(string.IsNullOrWhiteSpace(device.Name));
        Assert.DoesNotContain('\0', device.Name);
        if (device.Kind == DeviceKind.Cpu)
        {
            Assert.Equal(Environment.ProcessorCount, device.ComputeUnits);
        }
    }

    [Fact]
    public void The_cpu_device_is_this_machines_processor()
    {
        using var engine = new CpuConvolutionEngine();

        var device = engine.Device;
        Assert.Equal(DeviceKind.Cpu, device.Kind);
        Assert.Equal(Environment.ProcessorCount, device.ComputeUnits);
        var modelName = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            : null;
        Assert.Equal(modelName is null ? $"{Environment.ProcessorCount}-core CPU" : modelName.Split(':', 2)[1].Trim(), device.Name);
        Assert.True(device.MemoryBytes > 1L << 28, device.ToString());
    }

    [Fact]
    public void A_missing_opencl_library_is_unavailable_with_its_reason()
    {
        using var engine = new OpenClConvolutionEngine("libNoSuchOpenCL.so.1");
        Assert.False(engine.Availability.IsAvailable);
        Assert.Contains("libNoSuchOpenCL.so.1 was not found", engine.Availability.Reason);
        var noDevice = Assert.Throws<InvalidOperationException>(() => engine.Device);
        Assert.Contains("libNoSuchOpenCL.so.1 was not found", noDevice.Message);
        Assert.Throws<InvalidOperationException>(() => engine.Measure(new ConvolutionShape("x", 1, new Shape(1, 2, 2), 1, 1, 1, 0, 1, 1), new MeasureOptions()));
    }

    [Fact]
    public void This_machines_last_level_cache_is_read_from_sysfs()
    {
        Assert.Equal(32L << 20, Ceilings.CacheSize("32768K"));
        Assert.Equal(2L << 20, Ceilings.CacheSize("2M"));
        Assert.Equal(512, Ceilings.CacheSize("512"));
        Assert.Throws<FormatException>(() => Ceilings.CacheSize("3X"));
        var bytes = Ceilings.LastLevelCacheBytes();
        Assert.True(Directory.Exists("/sys/devices/system/cpu/cpu0/cache/index0") ? bytes >= 64 << 10 : bytes >= 0, $"{bytes} bytes");
        using var engine = new CpuConvolutionEngine();
        Assert.Equal(bytes, engine.Device.LastLevelCacheBytes);
    }

    [Fact]
    public void Overhead_shapes_are_tiny_layers_at_the_given_batch()
    {
        var shapes = NetworkMeasurement.OverheadShapes(8);
        Assert.NotEmpty(shapes);
        Assert.All(shapes, s => Assert.True(s.Batch == 8 && s.Flops < 10_000_000, s.ToString()));
    }

    [Fact]
    public void Fully_connected_layers_run_as_convolutions_covering_their_input()
    {
        var shape = ConvolutionShape.Of(new FullyConnectedLayer("fc", "x", 10, true), new Shape(16, 4, 4), 2);
        Assert.Equal(new Size2(4, 4), shape.Kernel);
        Assert.Equal((1, 1), (shape.OutHeight, shape.OutWidth));
        Assert.Equal(2L * 16 * 4 * 4 * 10 * 2, shape.Flops);
    }

    [Fact]
    public void This_machines_ceilings_are_positive_and_ordered()
    {
        var peak = Ceilings.PeakFlopsPerSecond(threads: 1);
        Assert.True(peak > 1e9, $"one core's FMA peak {peak:E2} is implausibly low");
        Assert.True(Ceilings.TriadBytesPerSecond(threads: 1) > 1e8);
    }
}

public class MeasurementLimitTests
{
    [Fact]
    public void A_layer_too_large_for_one_buffer_is_a_clear_error_before_allocating()
    {
        var shape = new ConvolutionShape("conv1_2", 8192, new CnnCost.Graph.Shape(64, 224, 224), 64, 3, 1, 1, 1, 1);
        using var engine = new CpuConvolutionEngine();
        var error = Assert.Throws<CnnCostException>(() => engine.Measure(shape, new MeasureOptions()));
        Assert.Contains("conv1_2", error.Message);
        Assert.Contains("smaller batch", error.Message);
    }
}
