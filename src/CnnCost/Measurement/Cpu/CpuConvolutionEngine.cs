using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// The managed CPU engine. Each shape is prepared once (<see cref="PreparedConvolution"/>, which chooses the path):
/// depthwise convolutions run directly (<see cref="DepthwiseConvolution{TKernel}"/>), fully-connected layers run the
/// GEMM with its roles swapped (<see cref="FullyConnectedConvolution{TKernel}"/>), and every other convolution is a
/// cache-blocked GEMM over an implicit im2col (<see cref="GemmConvolution{TKernel}"/>). All of them use the register-blocked
/// micro-kernel of the instruction set in use (<see cref="Avx512MicroKernel"/>: 6 x 32, <see cref="Avx2MicroKernel"/>:
/// 6 x 16, <see cref="ScalarMicroKernel"/>) and all cores through a <see cref="WorkerTeam"/>.
/// </summary>
public sealed class CpuConvolutionEngine : IConvolutionEngine
{
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
        var prepared = Prepare(shape, weights);
        var times = Timing.Time(() =>
        {
            var watch = Stopwatch.StartNew();
            Execute(prepared, input, output);
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

        Execute(Prepare(shape, weights), input, output);
    }

    /// <summary>Prepares a shape on this engine's micro-kernel and worker team, which it starts on first use.</summary>
    internal IPreparedConvolution Prepare(ConvolutionShape shape, ReadOnlySpan<float> weights)
    {
        WorkerTeam team;
        using (_gate.EnterScope())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            team = _team ??= new WorkerTeam(_threads);
        }

        return PreparedConvolution.Prepare(shape, weights, InstructionSet, team, _threads);
    }

    private void Execute(IPreparedConvolution prepared, ReadOnlySpan<float> input, Span<float> output)
    {
        // One run at a time per engine: its worker team serves one step at a time.
        using var scope = _gate.EnterScope();
        ObjectDisposedException.ThrowIf(_disposed, this);
        prepared.Run(input, output);
    }

    /// <summary>Stops the engine's worker threads.</summary>
    public void Dispose()
    {
        using var scope = _gate.EnterScope();
        _disposed = true;
        _team?.Dispose();
    }
}
