using CnnCost.Graph;
using CnnCost.Measurement;
using CnnCost.Measurement.Ilgpu;
using Xunit;

namespace CnnCost.IntegrationTests.Measurement;

/// <summary>
/// The ILGPU engine on ILGPU's CPU accelerator, which runs everywhere: each kernel path forced on seeded random shapes
/// and compared, output by output, with the host's double-precision <see cref="ReferenceConvolution.At"/>; the device
/// verification against hand-corrupted outputs; the choice of path and of accelerator. Shapes are small: the CPU
/// accelerator runs every GPU thread as an OS thread.
/// </summary>
public class IlgpuEngineTests
{
    private const int ShapesPerPath = 30;

    /// <summary>A random convolution: groups, strides, padding, dilation, 1x1 kernels and batches above 1.</summary>
    private static ConvolutionShape RandomShape(Random random, int groups, int channelsPerGroup, int filtersPerGroup)
    {
        var batch = random.Next(1, 4);
        var (kh, kw) = random.Next(4) == 0 ? (1, 1) : (random.Next(1, 6), random.Next(1, 6));
        var (sh, sw) = (random.Next(1, 4), random.Next(1, 4));
        var (ph, pw) = (random.Next(0, 3), random.Next(0, 3));
        var dilation = random.Next(3) == 0 ? 2 : 1;
        var height = Math.Max(1, dilation * (kh - 1) + 1 - 2 * ph) + random.Next(0, 8);
        var width = Math.Max(1, dilation * (kw - 1) + 1 - 2 * pw) + random.Next(0, 8);
        return new ConvolutionShape("random", batch, new Shape(groups * channelsPerGroup, height, width), groups * filtersPerGroup,
            new Size2(kh, kw), new Size2(sh, sw), new Size2(ph, pw), dilation, groups);
    }

    /// <summary>The shapes each path is checked on, with the path forced (the GEMM and the direct kernel run any shape).</summary>
    public static TheoryData<string> Paths() => ["implicit-gemm", "grouped-gemm", "depthwise", "fully-connected", "direct"];

    private static (IlgpuPath Path, ConvolutionShape Shape) Case(string name, Random random) => name switch
    {
        // Filters per group across the CPU accelerator's 32-row tiles and the direct threshold (16), K across 16.
        "implicit-gemm" => (IlgpuPath.ImplicitGemm, RandomShape(random, 1, random.Next(1, 7), random.Next(1, 40))),
        "grouped-gemm" => (IlgpuPath.ImplicitGemm, RandomShape(random, random.Next(2, 5), random.Next(1, 5), random.Next(1, 20))),
        "depthwise" => (IlgpuPath.Depthwise, RandomShape(random, random.Next(1, 9), 1, random.Next(1, 3))),
        "fully-connected" => (IlgpuPath.FullyConnected, FullyConnected(random)),
        _ => (IlgpuPath.Direct, RandomShape(random, random.Next(1, 4), random.Next(1, 5), random.Next(1, 8))),
    };

    /// <summary>A fully-connected layer: batches across the four-item blocks, K both a multiple of 4 (vector loads) and not.</summary>
    private static ConvolutionShape FullyConnected(Random random) =>
        ConvolutionShape.Of(new FullyConnectedLayer("fc", "x", random.Next(1, 40), true),
            new Shape(random.Next(1, 9), random.Next(1, 4), random.Next(1, 4)), random.Next(1, 11));

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_output_of_every_kernel_path_equals_the_reference(string name)
    {
        using var engine = EngineTests.OpenIlgpu("cpu");
        var random = new Random(name.Length * 7919);
        for (var i = 0; i < ShapesPerPath; i++)
        {
            var (path, shape) = Case(name, random);
            var input = Timing.Random(shape.InputElements, 100 + i);
            var weights = Timing.Random(shape.WeightElements, 200 + i);
            var output = new float[shape.OutputElements];
            engine.Run(shape, path, input, weights, output);
            var (error, where) = HostMaxRelativeError(shape, input, weights, output);
            Assert.True(error <= 1e-3, $"{path} on {shape}: output {where} has relative error {error:E2}");
        }
    }

    [Fact]
    public void The_gpu_tile_configuration_equals_the_reference()
    {
        // Groups of 256 threads, as on a GPU: 16 x 16 threads, 128 x 128 tiles, 64-thread fully-connected groups.
        // Filters, columns and K cross the tile edges (128, 128, 16); the fully-connected K is a multiple of 4 (vector loads).
        using var engine = new IlgpuConvolutionEngine("cpu", cpuThreadsPerGroup: 256);
        ConvolutionShape[] shapes =
        [
            new("gemm", 2, new Shape(3, 9, 9), 130, new Size2(3, 2), new Size2(1, 1), new Size2(1, 0), new Size2(1, 2), 1),
            new("grouped", 1, new Shape(4, 12, 11), 40, 3, 2, 1, 1, 2),
            ConvolutionShape.Of(new FullyConnectedLayer("fc", "x", 7, true), new Shape(8, 2, 2), 6),
        ];
        foreach (var shape in shapes)
        {
            var input = Timing.Random(shape.InputElements, 1);
            var weights = Timing.Random(shape.WeightElements, 2);
            var output = new float[shape.OutputElements];
            engine.Run(shape, input, weights, output);
            var (error, where) = HostMaxRelativeError(shape, input, weights, output);
            Assert.True(error <= 1e-3, $"{IlgpuConvolutionEngine.Choose(shape)} on {shape}: output {where} has relative error {error:E2}");
        }
    }

    /// <summary>The relative error of <see cref="ReferenceConvolution.MaxRelativeError"/>, over every output rather than a sample.</summary>
    private static (double Error, string Where) HostMaxRelativeError(ConvolutionShape shape, float[] input, float[] weights, float[] output)
    {
        var scale = Math.Sqrt((double)shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width) / 3;
        var (worst, where, index) = (0.0, "", 0);
        for (var n = 0; n < shape.Batch; n++)
        {
            for (var f = 0; f < shape.Filters; f++)
            {
                for (var y = 0; y < shape.OutHeight; y++)
                {
                    for (var x = 0; x < shape.OutWidth; x++, index++)
                    {
                        var expected = ReferenceConvolution.At(shape, input, weights, n, f, y, x);
                        var error = Math.Abs(output[index] - expected) / Math.Max(Math.Abs(expected), scale);
                        if (!(error <= worst))
                        {
                            (worst, where) = (double.IsNaN(error) ? double.PositiveInfinity : error, $"({n}, {f}, {y}, {x}) = {output[index]}, expected {expected}");
                        }
                    }
                }
            }
        }

        return (worst, where);
    }

    [Fact]
    public void The_device_verification_finds_the_largest_error_of_a_corrupted_output()
    {
        using var engine = EngineTests.OpenIlgpu("cpu");
        var shape = new ConvolutionShape("corrupt", 2, new Shape(6, 9, 7), 20, 3, 2, 1, 1, 2);
        var input = Timing.Random(shape.InputElements, 5);
        var weights = Timing.Random(shape.WeightElements, 6);
        var output = new float[shape.OutputElements];
        engine.Run(shape, input, weights, output);
        Assert.True(engine.DeviceMaxRelativeError(shape, input, weights, output) < 1e-5);

        // One value off by 0.5 in the last item: the device error is the host's own over every output, far above 1e-3.
        var corrupted = (float[])output.Clone();
        corrupted[^3] += 0.5f;
        var device = engine.DeviceMaxRelativeError(shape, input, weights, corrupted);
        var (host, _) = HostMaxRelativeError(shape, input, weights, corrupted);
        Assert.True(device > 0.1, $"device error {device:E2}");
        Assert.Equal(host, device, host * 1e-6);

        // A NaN the kernel wrote is an error too, never dropped by the maximum.
        corrupted[0] = float.NaN;
        Assert.True(engine.DeviceMaxRelativeError(shape, input, weights, corrupted) > 1e300);
    }

    [Fact]
    public void A_measurement_reports_the_device_verified_error_and_a_time()
    {
        using var engine = EngineTests.OpenIlgpu("cpu");
        var shape = new ConvolutionShape("measured", 2, new Shape(8, 10, 10), 24, 3, 1, 1, 1, 1);
        var timing = engine.Measure(shape, new MeasureOptions(Warmups: 1, Repeats: 3));
        Assert.True(timing.MaxRelativeError < 1e-5 && timing.MedianSeconds > 0 && timing.MinSeconds <= timing.MaxSeconds, timing.ToString());
    }

    [Fact]
    public void Without_doubles_on_the_device_the_host_reference_verifies()
    {
        // Some OpenCL devices lack fp64: the output then comes back and the host's sampled reference checks it.
        using var engine = new IlgpuConvolutionEngine("cpu") { SupportsDoubles = false };
        var shape = new ConvolutionShape("host-checked", 1, new Shape(4, 8, 8), 16, 3, 1, 1, 1, 1);
        var timing = engine.Measure(shape, new MeasureOptions(Warmups: 0, Repeats: 1));
        Assert.True(timing.MaxRelativeError < 1e-5, timing.ToString());
        Assert.Throws<VerificationException>(() => engine.Measure(shape, new MeasureOptions(Warmups: 0, Repeats: 1, Tolerance: 0)));
    }

    [Theory]
    [InlineData(1, 16, 3, 1, "ImplicitGemm")]
    [InlineData(4, 64, 3, 2, "ImplicitGemm")]
    [InlineData(32, 32, 3, 32, "Depthwise")]
    [InlineData(8, 4, 1, 2, "Direct")]
    [InlineData(3, 10, 5, 1, "FullyConnected")]
    public void Each_shape_gets_its_path(int channels, int filters, int kernel, int groups, string path)
    {
        var shape = path == "FullyConnected"
            ? ConvolutionShape.Of(new FullyConnectedLayer("fc", "x", filters, true), new Shape(channels, kernel, kernel), 4)
            : new ConvolutionShape("s", 1, new Shape(channels, 12, 12), filters, kernel, 1, kernel / 2, 1, groups);
        Assert.Equal(Enum.Parse<IlgpuPath>(path), IlgpuConvolutionEngine.Choose(shape));
    }

    [Fact]
    public void The_cpu_accelerator_describes_itself_and_the_missing_ones()
    {
        using var engine = EngineTests.OpenIlgpu("cpu");
        Assert.Equal("ilgpu", engine.Name);
        Assert.Equal("cpu", engine.AcceleratorKind);
        var device = engine.Device;
        Assert.Equal(DeviceKind.Cpu, device.Kind);
        Assert.Equal(Environment.ProcessorCount, device.ComputeUnits);
        Assert.True(device.MemoryBytes > 0);
        Assert.Equal(Ceilings.LastLevelCacheBytes(), device.LastLevelCacheBytes);
        Assert.Equal($"ILGPU CPU accelerator on {Ceilings.ProcessorName()}", device.Name);
        Assert.Equal("ILGPU CPU accelerator (.NET threads)", device.InstructionSet);
        Assert.StartsWith("ILGPU cpu as asked", engine.Availability.Reason);
        Assert.EndsWith("; ILGPU's CPU accelerator checks the GPU kernels, thousands of times slower than the cpu engine", engine.Availability.Reason);
        Assert.False(engine.UnavailableAccelerators.ContainsKey("cpu"));
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("opencl")]
    public void An_accelerator_that_is_missing_is_unavailable_with_its_reason(string accelerator)
    {
        using var engine = new IlgpuConvolutionEngine(accelerator);
        Assert.SkipWhen(engine.Availability.IsAvailable, $"this machine has an ILGPU {accelerator} accelerator: {engine.Availability.Reason}");
        Assert.Equal(accelerator, engine.AcceleratorKind);
        Assert.Contains($"{accelerator}: ", engine.Availability.Reason);
        Assert.False(string.IsNullOrWhiteSpace(engine.UnavailableAccelerators[accelerator]));
        Assert.Throws<InvalidOperationException>(() => engine.Measure(new ConvolutionShape("x", 1, new Shape(1, 2, 2), 1, 1, 1, 0, 1, 1), new MeasureOptions()));
        Assert.Throws<InvalidOperationException>(engine.MeasureCeilings);
        Assert.Contains($"{accelerator}: ", Assert.Throws<InvalidOperationException>(() => engine.Device).Message);
    }

    [Fact]
    public void The_default_is_the_fastest_accelerator_that_is_available()
    {
        using var engine = new IlgpuConvolutionEngine();
        Assert.True(engine.Availability.IsAvailable, engine.Availability.Reason);
        var expected = new[] { "cuda", "opencl", "cpu" }.First(k => !engine.UnavailableAccelerators.ContainsKey(k));
        Assert.Equal(expected, engine.AcceleratorKind);
        // The choice is explained: each faster accelerator passed over is named with its reason.
        Assert.StartsWith($"ILGPU {expected} the fastest", engine.Availability.Reason);
        foreach (var (kind, reason) in engine.UnavailableAccelerators)
        {
            Assert.Contains($"{kind}: {reason}", engine.Availability.Reason);
        }
    }

    [Fact]
    public void Buffers_too_small_for_the_shape_are_refused_naming_it()
    {
        using var engine = EngineTests.OpenIlgpu("cpu");
        var shape = new ConvolutionShape("short", 1, new Shape(2, 3, 3), 2, 1, 1, 0, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => engine.Run(shape, new float[17], new float[4], new float[18]));
        Assert.Contains("buffers too small for short:", error.Message);
    }

    [Fact]
    public void An_unknown_accelerator_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new IlgpuConvolutionEngine("vulkan"));
        Assert.Contains("'vulkan' is not one of cuda, opencl, cpu", error.Message);
    }

    [Fact]
    public void The_accelerator_measures_its_own_ceilings()
    {
        using var engine = EngineTests.OpenIlgpu("cpu");
        var device = engine.MeasureCeilings();
        Assert.True(device.PeakFlopsPerSecond > 1e7, $"peak {device.PeakFlopsPerSecond:E2} FLOP/s is implausibly low");
        Assert.True(device.MemoryBytesPerSecond > 1e7, $"bandwidth {device.MemoryBytesPerSecond:E2} B/s is implausibly low");
        Assert.Contains("via ILGPU cpu", device.Name);
    }
}
