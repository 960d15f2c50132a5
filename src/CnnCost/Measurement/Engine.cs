namespace CnnCost.Measurement;

/// <summary>Whether an engine can run here, and if not, why.</summary>
/// <param name="IsAvailable">Whether it can run.</param>
/// <param name="Reason">
/// When it cannot run, why (for example "libOpenCL.so.1 was not found"). When it can, how its device was chosen and
/// why the alternatives were not (for example "cuda unavailable: no CUDA device"), or empty when there was no choice.
/// The device itself is <see cref="IConvolutionEngine.Device"/>.
/// </param>
public sealed record EngineAvailability(bool IsAvailable, string Reason);

/// <summary>What kind of processor an engine's device is.</summary>
public enum DeviceKind
{
    /// <summary>A CPU (including an OpenCL or ILGPU device that runs on the host's cores).</summary>
    Cpu,

    /// <summary>A GPU.</summary>
    Gpu,

    /// <summary>Another accelerator, or a kind the driver does not say.</summary>
    Other,
}

/// <summary>The device an engine runs its kernels on, as its driver or the operating system describes it.</summary>
/// <param name="Name">The device's name (for example "AMD EPYC 9R14" or "NVIDIA H200").</param>
/// <param name="Kind">CPU, GPU or another accelerator.</param>
/// <param name="ComputeUnits">Cores (CPU), streaming multiprocessors (CUDA) or compute units (OpenCL).</param>
/// <param name="MemoryBytes">The memory the device's kernels can use, 0 when unknown.</param>
/// <param name="LastLevelCacheBytes">
/// The last-level cache, 0 when unknown. A layer whose data fits in it runs from the cache when timed again, which
/// <see cref="Calibration"/> takes into account.
/// </param>
/// <param name="InstructionSet">What the kernels are compiled for (for example "avx512", "PTX sm_90", "OpenCL C 1.2").</param>
public sealed record EngineDevice(string Name, DeviceKind Kind, int ComputeUnits, long MemoryBytes, long LastLevelCacheBytes, string InstructionSet)
{
    /// <summary>The device in words: name, kind, compute units, memory and cache.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Name} ({Kind.ToString().ToLowerInvariant()}, {ComputeUnits} compute units{(MemoryBytes > 0 ? $", {MemoryBytes / 1073741824.0:0.#} GiB" : "")}{(LastLevelCacheBytes > 0 ? $", {LastLevelCacheBytes / 1048576.0:0.#} MiB last-level cache" : "")}, {InstructionSet})");
}

/// <summary>How to time a convolution.</summary>
/// <param name="Warmups">Runs before timing.</param>
/// <param name="Repeats">Timed runs (median, min and max are reported).</param>
/// <param name="Seed">Seed of the random inputs and weights.</param>
/// <param name="Tolerance">The largest relative error accepted against the reference.</param>
/// <param name="FirstWarmupSeconds">
/// The first measurement with warm-ups in a process warms up at least this long: a fresh process compiles its code in
/// the background for a while, and on a machine with few cores that compilation would otherwise share the timed
/// runs' cores.
/// </param>
public sealed record MeasureOptions(int Warmups = 2, int Repeats = 5, int Seed = 1, double Tolerance = 1e-3, double FirstWarmupSeconds = 0.5);

/// <summary>The timings of one convolution, verified.</summary>
/// <param name="Shape">The convolution.</param>
/// <param name="MedianSeconds">Median of the timed runs.</param>
/// <param name="MinSeconds">Fastest run.</param>
/// <param name="MaxSeconds">Slowest run.</param>
/// <param name="MaxRelativeError">The largest relative error against the reference.</param>
public sealed record ConvolutionTiming(ConvolutionShape Shape, double MedianSeconds, double MinSeconds, double MaxSeconds, double MaxRelativeError)
{
    /// <summary>FLOP/s achieved at the median time.</summary>
    public double AchievedFlopsPerSecond => Shape.Flops / MedianSeconds;
}

/// <summary>A result that failed verification: a fast wrong kernel never produces a throughput.</summary>
public sealed class VerificationException : CnnCostException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="shape">The convolution.</param>
    /// <param name="error">The relative error found.</param>
    /// <param name="tolerance">The tolerance.</param>
    public VerificationException(string engine, ConvolutionShape shape, double error, double tolerance)
        : base($"{engine} engine, layer '{shape.Name}': relative error {error:E2} against the reference exceeds {tolerance:E0}; no time is reported")
    {
        Error = error;
    }

    /// <summary>The relative error found.</summary>
    public double Error { get; }
}

/// <summary>
/// A way to run convolutions for real: it fills inputs and weights with random data, touches every buffer once
/// before timing, runs warm-ups, times the runs, and verifies the output against <see cref="ReferenceConvolution"/>.
/// </summary>
public interface IConvolutionEngine : IDisposable
{
    /// <summary>The engine's name (<c>cpu</c>, <c>opencl</c>, <c>ilgpu</c>).</summary>
    string Name { get; }

    /// <summary>Whether it can run here, and why not, or how its device was chosen.</summary>
    EngineAvailability Availability { get; }

    /// <summary>The device the engine runs on.</summary>
    /// <exception cref="InvalidOperationException">The engine is not available (<see cref="Availability"/> says why).</exception>
    EngineDevice Device { get; }

    /// <summary>
    /// Measures the device's ceilings with the engine's own kernels, on the device: peak fp32 FLOP/s from independent
    /// FMA chains and memory bandwidth from a triad over buffers far larger than its caches. The roofline prediction
    /// (<see cref="RooflinePredictor"/>) uses them.
    /// </summary>
    /// <returns>The device's ceilings, power unknown (0).</returns>
    /// <exception cref="InvalidOperationException">The engine is not available.</exception>
    Hardware.Device MeasureCeilings();

    /// <summary>Runs, times and verifies one convolution.</summary>
    /// <param name="shape">The convolution.</param>
    /// <param name="options">Warm-ups, repeats, seed and tolerance.</param>
    /// <returns>The verified timings.</returns>
    /// <exception cref="VerificationException">The output disagrees with the reference.</exception>
    /// <exception cref="InvalidOperationException">The engine is not available.</exception>
    ConvolutionTiming Measure(ConvolutionShape shape, MeasureOptions options);

    /// <summary>Runs one convolution once on given data (for tests and cross-engine checks).</summary>
    /// <param name="shape">The convolution.</param>
    /// <param name="input">NCHW input.</param>
    /// <param name="weights">Weights.</param>
    /// <param name="output">NCHW output, written.</param>
    void Run(ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Span<float> output);
}

/// <summary>Shared parts of the engines: random data and the timing loop.</summary>
internal static class Timing
{
    private static int _processWarmedUp;

    public static float[] Random(long count, int seed)
    {
        var data = new float[count];
        var random = new Random(seed);
        for (long i = 0; i < count; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return data;
    }

    /// <summary>
    /// Verifies an engine's output against the reference and packs the timings; a result beyond the tolerance is a
    /// <see cref="VerificationException"/>, never a time.
    /// </summary>
    public static ConvolutionTiming Verified(string engine, ConvolutionShape shape, float[] input, float[] weights, float[] output,
        (double Median, double Min, double Max) times, MeasureOptions options)
    {
        var error = ReferenceConvolution.MaxRelativeError(shape, input, weights, output);
        if (!(error <= options.Tolerance))
        {
            throw new VerificationException(engine, shape, error, options.Tolerance);
        }

        return new ConvolutionTiming(shape, times.Median, times.Min, times.Max, error);
    }

    /// <summary>Warm-ups, then timed repeats of <paramref name="run"/>, which returns its own seconds.</summary>
    public static (double Median, double Min, double Max) Time(Func<double> run, MeasureOptions options)
    {
        var warmup = System.Diagnostics.Stopwatch.StartNew();
        var minimum = options.Warmups > 0 && Interlocked.Exchange(ref _processWarmedUp, 1) == 0 ? options.FirstWarmupSeconds : 0;
        for (var i = 0; i < options.Warmups || warmup.Elapsed.TotalSeconds < minimum; i++)
        {
            run();
        }

        var times = new double[Math.Max(1, options.Repeats)];
        for (var i = 0; i < times.Length; i++)
        {
            times[i] = run();
        }

        Array.Sort(times);
        var median = times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
        return (median, times[0], times[^1]);
    }
}
