using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.Distributed;

/// <summary>What grows with the worker count.</summary>
public enum ScalingMode
{
    /// <summary>The global batch is fixed and split evenly over the workers (contracts.md's <c>scale</c>).</summary>
    Strong,

    /// <summary>Each worker keeps the batch; the global batch grows with the workers.</summary>
    Weak,
}

/// <summary>How the work is divided (dissertation 3.4).</summary>
public enum Parallelism
{
    /// <summary>Every worker holds the whole model and a share of the batch; workers exchange weight gradients.</summary>
    Data,

    /// <summary>
    /// Krizhevsky's "one weird trick" (2014): data parallelism in the convolutions, model parallelism in the
    /// fully-connected layers, whose inputs (activations forward, their gradients backward) are exchanged instead.
    /// </summary>
    Hybrid,
}

/// <summary>The setting of a scaling study.</summary>
/// <param name="Communication">Interconnect and scheme.</param>
/// <param name="WorkerFlopsPerSecond">Achieved FLOP/s of one worker (peak times efficiency).</param>
/// <param name="Batch">The global batch (strong scaling) or the per-worker batch (weak scaling).</param>
/// <param name="GradientBits">Bits per gradient value exchanged: 32, 16 or 1 (or any width).</param>
/// <param name="Mode">Strong or weak scaling.</param>
/// <param name="Parallelism">Data or hybrid parallelism.</param>
public sealed record ScalingSetup(
    CommunicationModel Communication,
    double WorkerFlopsPerSecond,
    int Batch = 1024,
    int GradientBits = 32,
    ScalingMode Mode = ScalingMode.Strong,
    Parallelism Parallelism = Parallelism.Data);

/// <summary>One worker count's step.</summary>
/// <param name="Workers">Workers, <c>p</c>.</param>
/// <param name="ComputeSeconds">Training FLOPs of the step over <c>p</c> workers' throughput.</param>
/// <param name="CommunicationSeconds">Gradient (and, hybrid, activation) exchange.</param>
/// <param name="StepSeconds">Their sum.</param>
/// <param name="Speedup">One worker's step time over this one (weak scaling: the throughput ratio).</param>
/// <param name="Efficiency">Speedup over <c>p</c>.</param>
/// <param name="GlobalBatch">Data items per step.</param>
public sealed record ScalingRow(int Workers, double ComputeSeconds, double CommunicationSeconds, double StepSeconds, double Speedup, double Efficiency, long GlobalBatch)
{
    /// <summary>Frames per second of the whole cluster.</summary>
    public double FramesPerSecond => GlobalBatch / StepSeconds;
}

/// <summary>The result of a scaling study.</summary>
/// <param name="Model">The network's name.</param>
/// <param name="Setup">The setting.</param>
/// <param name="GradientBytes">Bytes of weight gradients each worker exchanges (only the convolutions' in hybrid).</param>
/// <param name="FlopsPerStep">Training FLOPs of one step of the global batch at one worker (3x inference).</param>
/// <param name="Rows">One row per worker count.</param>
/// <param name="BreakEvenWorkers">The smallest listed worker count whose communication reaches its computation, or null.</param>
public sealed record ScalingReport(string Model, ScalingSetup Setup, long GradientBytes, long FlopsPerStep, ImmutableArray<ScalingRow> Rows, int? BreakEvenWorkers);

/// <summary>
/// Distributed training time (dissertation 3.3-3.6): step time on <c>p</c> workers =
/// <c>computation/p + communication(p)</c>; speedup, efficiency and the break-even worker count follow.
/// </summary>
public static class ScalingModel
{
    /// <summary>Runs a scaling study.</summary>
    /// <param name="network">The network.</param>
    /// <param name="setup">The setting.</param>
    /// <param name="workerCounts">The worker counts to list, each at least 1.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A worker count, the batch, the bits or the throughput is out of range.</exception>
    /// <exception cref="ArgumentException">Hybrid parallelism on a network without fully-connected layers, or a network with no FLOPs to train.</exception>
    public static ScalingReport Analyze(Network network, ScalingSetup setup, IEnumerable<int> workerCounts)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(workerCounts);
        var counts = workerCounts.ToArray();
        if (counts.Length == 0 || counts.Any(p => p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(workerCounts), "list at least one worker count, each at least 1");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(setup.Batch, 1, nameof(setup.Batch));
        ArgumentOutOfRangeException.ThrowIfLessThan(setup.GradientBits, 1, nameof(setup.GradientBits));
        if (!(setup.WorkerFlopsPerSecond > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(setup), "the worker throughput must be positive");
        }

        var perItem = CostModel.Analyze(network, new AnalysisOptions { Batch = 1 });
        var gradientPrecision = new Precision(setup.GradientBits);
        var countBiases = perItem.Conventions.CountBiases;
        long Counted(LayerCost row) => row.Weights + (countBiases ? row.Biases : 0);
        var dataParallelRows = setup.Parallelism == Parallelism.Hybrid
            ? perItem.Layers.Where(r => r.Kind != LayerKind.FullyConnected).ToArray()
            : perItem.Layers.ToArray();
        var gradientBytes = gradientPrecision.BytesFor(dataParallelRows.Sum(Counted));

        // Hybrid: every fully-connected layer's input for the whole batch is gathered forward and its gradient backward.
        var fcInputBytesPerItem = setup.Parallelism == Parallelism.Hybrid
            ? perItem.Layers.Where(r => r.Kind == LayerKind.FullyConnected).Sum(r => r.InputShapes[0].Elements * perItem.Conventions.Precision.BytesPerValue)
            : 0;
        if (setup.Parallelism == Parallelism.Hybrid && fcInputBytesPerItem == 0)
        {
            throw new ArgumentException($"network '{network.Name}' has no fully-connected layer to split for hybrid parallelism", nameof(setup));
        }

        var trainingFlopsPerItem = CostEquations.TrainingFlops(perItem.Totals.Flops);
        if (trainingFlopsPerItem == 0)
        {
            // No work: every step time would be 0 and the speedups 0/0.
            throw new ArgumentException($"network '{network.Name}' has no FLOPs to train, so there is nothing to scale", nameof(network));
        }

        var rows = ImmutableArray.CreateBuilder<ScalingRow>(counts.Length);
        double? oneWorkerStep = null;
        int? breakEven = null;
        foreach (var p in counts)
        {
            long globalBatch = setup.Mode == ScalingMode.Strong ? setup.Batch : (long)setup.Batch * p;
            var compute = (double)trainingFlopsPerItem * globalBatch / (p * setup.WorkerFlopsPerSecond);
            var communication = setup.Communication.Seconds(gradientBytes, p)
                + (p == 1 ? 0 : 2.0 * (p - 1) / p * fcInputBytesPerItem * globalBatch / setup.Communication.BandwidthBytesPerSecond);
            var step = compute + communication;
            oneWorkerStep ??= OneWorkerStep(trainingFlopsPerItem, setup);
            var speedup = setup.Mode == ScalingMode.Strong ? oneWorkerStep.Value / step : p * oneWorkerStep.Value / step;
            rows.Add(new ScalingRow(p, compute, communication, step, speedup, speedup / p, globalBatch));
            if (breakEven is null && communication >= compute && p > 1)
            {
                breakEven = p;
            }
        }

        return new ScalingReport(network.Name, setup, gradientBytes, trainingFlopsPerItem * setup.Batch, rows.ToImmutable(), breakEven);
    }

    /// <summary>
    /// Total training time: <c>FLOPs per frame · frames · epochs / achieved FLOP/s</c> (dissertation 2.3.2).
    /// </summary>
    /// <param name="trainingFlopsPerFrame">Training FLOPs per frame (3x inference).</param>
    /// <param name="frames">Frames in the training set (ImageNet-1k: 1.28 million).</param>
    /// <param name="epochs">Passes over the training set.</param>
    /// <param name="achievedFlopsPerSecond">Throughput achieved (of one worker or a cluster).</param>
    /// <returns>Seconds.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public static double TrainingSeconds(double trainingFlopsPerFrame, long frames, double epochs, double achievedFlopsPerSecond)
    {
        if (!(trainingFlopsPerFrame > 0) || frames < 1 || !(epochs > 0) || !(achievedFlopsPerSecond > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(trainingFlopsPerFrame), "FLOPs, frames, epochs and throughput must be positive");
        }

        return trainingFlopsPerFrame * frames * epochs / achievedFlopsPerSecond;
    }

    private static double OneWorkerStep(long trainingFlopsPerItem, ScalingSetup setup) =>
        (double)trainingFlopsPerItem * setup.Batch / setup.WorkerFlopsPerSecond;
}
