using BenchmarkDotNet.Attributes;
using CnnCost.Measurement;
using CnnCost.Measurement.Cpu;
using CnnCost.Measurement.OpenCl;
using CnnCost.Zoo;

namespace CnnCost.Benchmarks;

/// <summary>
/// NiN's convolutions on each engine. Before anything is timed, the engines must agree with each other (and each
/// with the reference) on every shape.
/// </summary>
public class EngineBenchmarks
{
    private ConvolutionShape _shape = null!;
    private float[] _input = [];
    private float[] _weights = [];
    private float[] _output = [];
    private CpuConvolutionEngine _cpu = null!;
    private IPreparedConvolution _cpuPrepared = null!;
    private OpenClConvolutionEngine _openCl = null!;

    /// <summary>NiN's convolution layers.</summary>
    [Params("conv1", "conv2", "conv4", "conv7", "conv10")]
    public string Layer { get; set; } = "conv1";

    /// <summary>The batch.</summary>
    [Params(1, 8)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _shape = NetworkMeasurement.Shapes(NetworkInNetwork.Create(), Batch).Single(s => s.Name == Layer);
        var random = new Random(1);
        _input = [.. Enumerable.Range(0, (int)_shape.InputElements).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        _weights = [.. Enumerable.Range(0, (int)_shape.WeightElements).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        _output = new float[_shape.OutputElements];
        _cpu = new CpuConvolutionEngine();
        _openCl = new OpenClConvolutionEngine();
        var cpuOutput = new float[_output.Length];
        _cpu.Run(_shape, _input, _weights, cpuOutput);
        Check("cpu", cpuOutput);
        _cpuPrepared = _cpu.Prepare(_shape, _weights);
        if (_openCl.Availability.IsAvailable)
        {
            var openClOutput = new float[_output.Length];
            _openCl.Run(_shape, _input, _weights, openClOutput);
            Check("opencl", openClOutput);
            var worst = cpuOutput.Zip(openClOutput, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(a))).Max();
            if (worst > 1e-3)
            {
                throw new InvalidOperationException($"cpu and opencl disagree on {Layer} by {worst:E2}");
            }
        }
    }

    private void Check(string engine, float[] output)
    {
        var error = ReferenceConvolution.MaxRelativeError(_shape, _input, _weights, output);
        if (error > 1e-3)
        {
            throw new VerificationException(engine, _shape, error, 1e-3);
        }
    }

    [Benchmark]
    public void Cpu() => _cpu.Run(_shape, _input, _weights, _output);

    /// <summary>What <c>measure</c> times: the run of a prepared convolution, its weights packed beforehand.</summary>
    [Benchmark]
    public void CpuPrepared() => _cpuPrepared.Run(_input, _output);

    [Benchmark]
    public void OpenCl()
    {
        if (!_openCl.Availability.IsAvailable)
        {
            throw new InvalidOperationException(_openCl.Availability.Reason);
        }

        _openCl.Run(_shape, _input, _weights, _output);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cpu.Dispose();
        _openCl.Dispose();
    }
}
