using CnnCost.Graph;
using CnnCost.Measurement;
using CnnCost.Measurement.Cpu;
using Xunit;

namespace CnnCost.IntegrationTests.Measurement;

/// <summary>
/// The seams of the CPU engine: which prepared convolution a shape gets, each micro-kernel struct on its own against
/// a naive triple loop, and each prepared convolution with each micro-kernel against the double-precision reference
/// on every output (the engine suite samples outputs and rarely draws depthwise or fully-connected shapes).
/// </summary>
public unsafe class CpuPreparedConvolutionTests
{
    /// <summary>The instruction sets, one per micro-kernel struct; rows this CPU cannot run report Skipped.</summary>
    public static TheoryData<string> InstructionSets() => ["avx512", "avx2", "scalar"];

    private static ConvolutionShape Convolution(int batch, int channels, int height, int width, int filters, int kernel,
        int stride = 1, int pad = 0, int dilation = 1, int groups = 1) =>
        new("test", batch, new Shape(channels, height, width), filters, kernel, stride, pad, dilation, groups);

    /// <summary>Shapes and the kind each must be prepared as, worked out from the definitions by hand.</summary>
    public static TheoryData<string, ConvolutionShape, string> Kinds() => new()
    {
        { "depthwise 3x3", Convolution(2, 8, 9, 9, 8, 3, pad: 1, groups: 8), "depthwise" },
        { "depthwise 5x5 stride 2 dilated", Convolution(1, 4, 13, 11, 4, 5, stride: 2, pad: 2, dilation: 2, groups: 4), "depthwise" },
        { "depthwise multiplier 2", Convolution(1, 4, 9, 9, 8, 3, pad: 1, groups: 4), "gemm" },
        { "grouped, 2 channels a group", Convolution(1, 8, 9, 9, 8, 3, pad: 1, groups: 4), "gemm" },
        { "one group of one channel", Convolution(1, 1, 9, 9, 1, 3), "gemm" },
        { "fully connected 6x6", Convolution(3, 16, 6, 6, 40, 6), "fully-connected" },
        { "fully connected 1x1", Convolution(8, 100, 1, 1, 10, 1), "fully-connected" },
        { "kernel covers the input but padded", Convolution(1, 4, 3, 3, 5, 5, pad: 1), "gemm" },
        { "kernel covers the input, dilated", Convolution(1, 4, 5, 5, 5, 3, dilation: 2), "gemm" },
        { "kernel covers the input, 2 groups", Convolution(1, 4, 3, 3, 6, 3, groups: 2), "gemm" },
        { "1x1 on a plane", Convolution(2, 16, 7, 7, 24, 1), "gemm" },
        { "3x3 stride 2", Convolution(1, 3, 15, 15, 10, 3, stride: 2, pad: 1), "gemm" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_shape_is_prepared_as_the_convolution_its_kind_needs(string name, ConvolutionShape shape, string kind)
    {
        using var engine = new CpuConvolutionEngine(threads: 2, instructionSet: "scalar");
        var prepared = engine.Prepare(shape, new float[shape.WeightElements]);
        var expected = kind switch
        {
            "depthwise" => typeof(DepthwiseConvolution<ScalarMicroKernel>),
            "fully-connected" => typeof(FullyConnectedConvolution<ScalarMicroKernel>),
            _ => typeof(GemmConvolution<ScalarMicroKernel>),
        };
        Assert.True(expected == prepared.GetType(), $"{name}: expected {expected.Name}, got {prepared.GetType().Name}");
        Assert.Same(shape, prepared.Shape);
    }

    [Fact]
    public void A_single_threaded_engine_runs_and_stops()
    {
        // One thread: the caller is the whole worker team, with no workers to wake or stop.
        var shape = Convolution(2, 3, 8, 8, 7, 3, pad: 1);
        var engine = new CpuConvolutionEngine(threads: 1);
        var timing = engine.Measure(shape, new MeasureOptions(Warmups: 1, Repeats: 1));
        Assert.True(timing.MaxRelativeError <= 1e-3, $"error {timing.MaxRelativeError}");
        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.Run(shape, new float[shape.InputElements], new float[shape.WeightElements], new float[shape.OutputElements]));
    }

    [Theory]
    [MemberData(nameof(InstructionSets))]
    public void The_prepared_convolution_runs_the_micro_kernel_of_the_engine_instruction_set(string instructionSet)
    {
        SkipUnlessSupported(instructionSet);
        using var engine = new CpuConvolutionEngine(threads: 2, instructionSet: instructionSet);
        var expected = instructionSet switch
        {
            "avx512" => typeof(Avx512MicroKernel),
            "avx2" => typeof(Avx2MicroKernel),
            _ => typeof(ScalarMicroKernel),
        };
        foreach (var shape in new[] { Convolution(1, 4, 9, 9, 4, 3, groups: 4), Convolution(1, 4, 3, 3, 5, 3), Convolution(1, 4, 9, 9, 5, 3) })
        {
            Assert.Equal(expected, Assert.Single(engine.Prepare(shape, new float[shape.WeightElements]).GetType().GetGenericArguments()));
        }
    }

    [Theory]
    [MemberData(nameof(InstructionSets))]
    public void Each_micro_kernel_equals_a_naive_triple_loop(string instructionSet)
    {
        SkipUnlessSupported(instructionSet);
        switch (instructionSet)
        {
            case "avx512":
                CheckMultiply<Avx512MicroKernel>(32);
                break;
            case "avx2":
                CheckMultiply<Avx2MicroKernel>(16);
                break;
            default:
                CheckMultiply<ScalarMicroKernel>(16);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(InstructionSets))]
    public void Each_micro_kernel_sums_depthwise_taps_as_a_naive_loop_does(string instructionSet)
    {
        SkipUnlessSupported(instructionSet);
        switch (instructionSet)
        {
            case "avx512":
                CheckSumTaps<Avx512MicroKernel>();
                break;
            case "avx2":
                CheckSumTaps<Avx2MicroKernel>();
                break;
            default:
                CheckSumTaps<ScalarMicroKernel>();
                break;
        }
    }

    /// <summary>Shapes that exercise each prepared convolution's edges: partial tiles, several blocks of K, strides, padding, dilation.</summary>
    public static TheoryData<string, string> KindsOnEachKernel()
    {
        var data = new TheoryData<string, string>();
        foreach (var instructionSet in new[] { "avx512", "avx2", "scalar" })
        {
            foreach (var shape in Exercised.Keys)
            {
                data.Add(instructionSet, shape);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, ConvolutionShape> Exercised = new()
    {
        ["depthwise 3x3 pad 1, batch 3"] = Convolution(3, 5, 10, 7, 5, 3, pad: 1, groups: 5),
        ["depthwise 5x5 stride 2 dilation 2"] = Convolution(1, 3, 17, 14, 3, 5, stride: 2, pad: 3, dilation: 2, groups: 3),
        ["depthwise 3x3 stride (2, 3)"] = new("test", 2, new Shape(2, 11, 13), 2, 3, new Size2(2, 3), new Size2(1, 0), 1, 2),
        ["fully connected, batch 13, 70 filters, K 800"] = Convolution(13, 32, 5, 5, 70, 5),
        ["fully connected, batch 6, 32 filters"] = Convolution(6, 20, 1, 1, 32, 1),
        ["fully connected, batch 1, 3 filters"] = Convolution(1, 7, 3, 2, 3, 1) with { Kernel = new Size2(3, 2) },
        ["gemm 3x3 same, K 450 (two blocks)"] = Convolution(2, 50, 9, 8, 13, 3, pad: 1),
        ["gemm 1x1, plane of 64"] = Convolution(2, 9, 8, 8, 12, 1),
        ["gemm 3x3 stride 2 pad 1"] = Convolution(3, 4, 15, 13, 7, 3, stride: 2, pad: 1),
        ["gemm grouped 3x3, 3 groups"] = Convolution(2, 6, 7, 9, 9, 3, pad: 1, groups: 3),
        ["gemm 5x5 dilation 2 valid"] = Convolution(1, 3, 16, 16, 8, 5, dilation: 2),
        ["gemm 11x11 stride 4 (AlexNet's conv1, smaller)"] = Convolution(2, 3, 39, 39, 16, 11, stride: 4),
    };

    [Theory]
    [MemberData(nameof(KindsOnEachKernel))]
    public void Each_prepared_convolution_equals_the_reference_on_every_output(string instructionSet, string name)
    {
        SkipUnlessSupported(instructionSet);
        var shape = Exercised[name];
        var random = new Random(11);
        var input = Enumerable.Range(0, (int)shape.InputElements).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var weights = Enumerable.Range(0, (int)shape.WeightElements).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var output = Enumerable.Repeat(float.NaN, (int)shape.OutputElements).ToArray();
        using var engine = new CpuConvolutionEngine(threads: 2, instructionSet: instructionSet);
        engine.Run(shape, input, weights, output);
        var scale = Math.Sqrt((double)shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width);
        var i = 0;
        for (var n = 0; n < shape.Batch; n++)
        {
            for (var f = 0; f < shape.Filters; f++)
            {
                for (var y = 0; y < shape.OutHeight; y++)
                {
                    for (var x = 0; x < shape.OutWidth; x++, i++)
                    {
                        var expected = ReferenceConvolution.At(shape, input, weights, n, f, y, x);
                        Assert.True(Math.Abs(output[i] - expected) <= 1e-5 * scale,
                            $"{name} on {instructionSet}: output (item {n}, filter {f}, y {y}, x {x}) is {output[i]}, the reference {expected}");
                    }
                }
            }
        }
    }

    private static void SkipUnlessSupported(string instructionSet)
    {
        var supported = instructionSet switch
        {
            "avx512" => Avx512MicroKernel.IsSupported,
            "avx2" => Avx2MicroKernel.IsSupported,
            _ => ScalarMicroKernel.IsSupported,
        };
        Assert.SkipUnless(supported, $"this CPU (or runtime) cannot run the {instructionSet} micro-kernel");
    }

    /// <summary>
    /// A 6 x <paramref name="columns"/> tile on random packed A and B (A: 6 floats per step of K, B: a row of columns
    /// per step), starting from zero and adding to what C holds, with rows of C wider than the tile: the floats between
    /// tiles must stay untouched.
    /// </summary>
    private static void CheckMultiply<TKernel>(int columns)
        where TKernel : struct, IMicroKernel
    {
        Assert.Equal(columns, TKernel.Columns);
        const int rows = 6;
        Assert.Equal(rows, MicroKernel.Rows);
        var random = new Random(5);
        foreach (var kb in new[] { 1, 2, 7, 384 })
        {
            foreach (var first in new[] { true, false })
            {
                var ldc = columns + 5;
                var a = Enumerable.Range(0, rows * kb).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                var b = Enumerable.Range(0, kb * columns).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                var c = Enumerable.Range(0, rows * ldc).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                var before = (float[])c.Clone();
                fixed (float* pa = a, pb = b, pc = c)
                {
                    TKernel.Multiply(pa, pb, pc, ldc, kb, first);
                }

                for (var r = 0; r < rows; r++)
                {
                    for (var j = 0; j < ldc; j++)
                    {
                        if (j >= columns)
                        {
                            Assert.Equal(before[r * ldc + j], c[r * ldc + j]);
                            continue;
                        }

                        double expected = first ? 0 : before[r * ldc + j];
                        for (var kk = 0; kk < kb; kk++)
                        {
                            expected += (double)a[kk * rows + r] * b[kk * columns + j];
                        }

                        Assert.True(Math.Abs(c[r * ldc + j] - expected) <= 1e-5 * Math.Sqrt(kb + 1),
                            $"{typeof(TKernel).Name}, kb {kb}, first {first}: C[{r}, {j}] is {c[r * ldc + j]}, the triple loop gives {expected}");
                    }
                }
            }
        }
    }

    /// <summary>Sums of 1 to 9 taps over counts that leave no tail, a short tail, and only a tail.</summary>
    private static void CheckSumTaps<TKernel>()
        where TKernel : struct, IMicroKernel
    {
        var random = new Random(3);
        foreach (var taps in new[] { 1, 4, 9 })
        {
            foreach (var count in new[] { 5, 16, 64, 77 })
            {
                var sources = Enumerable.Range(0, taps).Select(_ => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
                var weights = Enumerable.Range(0, taps).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
                var result = new float[count + 1];
                result[count] = 42; // past the end: must stay
                var handles = sources.Select(s => System.Runtime.InteropServices.GCHandle.Alloc(s, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
                try
                {
                    var pointers = handles.Select(handle => handle.AddrOfPinnedObject()).ToArray();
                    fixed (nint* pp = pointers)
                    fixed (float* pw = weights, pr = result)
                    {
                        TKernel.SumTaps(pr, (float**)pp, pw, taps, count);
                    }
                }
                finally
                {
                    foreach (var handle in handles)
                    {
                        handle.Free();
                    }
                }

                for (var x = 0; x < count; x++)
                {
                    var expected = 0.0;
                    for (var t = 0; t < taps; t++)
                    {
                        expected += (double)sources[t][x] * weights[t];
                    }

                    Assert.True(Math.Abs(result[x] - expected) <= 1e-5 * taps, $"{typeof(TKernel).Name}, {taps} taps, count {count}: result[{x}] is {result[x]}, the loop gives {expected}");
                }

                Assert.Equal(42, result[count]);
            }
        }
    }
}
