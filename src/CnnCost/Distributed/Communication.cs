namespace CnnCost.Distributed;

/// <summary>How data-parallel workers sum their weight gradients (dissertation 3.6).</summary>
public enum CommunicationScheme
{
    /// <summary>One server receives every worker's gradients and sends the sum back (Eq. 3.3).</summary>
    ParameterServer,

    /// <summary>A reduction tree with a branching factor (Eq. 3.4).</summary>
    ReductionTree,

    /// <summary>Ring all-reduce (reduce-scatter then all-gather), which the dissertation cites but does not model.</summary>
    Ring,
}

/// <summary>
/// The interconnect and scheme that move gradients: the time for <c>p</c> workers to sum and share
/// <c>bytes</c> of gradients, each node sending and receiving at <see cref="BandwidthBytesPerSecond"/>.
/// </summary>
/// <param name="Scheme">Parameter server, reduction tree or ring.</param>
/// <param name="BandwidthBytesPerSecond">Bytes per second each node sends and receives, <c>BW</c>.</param>
/// <param name="Branching">The reduction tree's branching factor (2 in Eq. 3.4).</param>
/// <param name="LatencySeconds">Seconds added per serialized message step.</param>
public sealed record CommunicationModel(CommunicationScheme Scheme, double BandwidthBytesPerSecond, int Branching = 2, double LatencySeconds = 0)
{
    /// <summary>
    /// Seconds to sum and share the gradients, zero for one worker:
    /// parameter server <c>bytes·p / BW</c> (Eq. 3.3, p message steps);
    /// reduction tree <c>bytes·b·⌈log_b p⌉ / BW</c> (Eq. 3.4, <c>2·log2 p</c> for b = 2, b·⌈log_b p⌉ steps);
    /// ring <c>2·(p−1)/p · bytes / BW</c> (2·(p−1) steps). Each step adds <see cref="LatencySeconds"/>.
    /// </summary>
    /// <param name="gradientBytes">Bytes of weight gradients per worker, <c>|∇W|</c>.</param>
    /// <param name="workers">Workers, <c>p</c>.</param>
    /// <returns>Communication seconds per step.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one worker or negative bytes.</exception>
    public double Seconds(double gradientBytes, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(gradientBytes);
        if (workers == 1)
        {
            return 0;
        }

        var (volume, steps) = Scheme switch
        {
            CommunicationScheme.ParameterServer => (gradientBytes * workers, (double)workers),
            CommunicationScheme.ReductionTree => (gradientBytes * Branching * TreeDepth(workers), (double)Branching * TreeDepth(workers)),
            _ => (2.0 * (workers - 1) / workers * gradientBytes, 2.0 * (workers - 1)),
        };
        return volume / BandwidthBytesPerSecond + steps * LatencySeconds;
    }

    /// <summary>The tree's height, <c>⌈log_b p⌉</c>, in exact integer arithmetic.</summary>
    /// <param name="workers">Workers.</param>
    /// <returns>The number of levels.</returns>
    public int TreeDepth(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Branching, 2, nameof(Branching));
        var depth = 0;
        for (long reach = 1; reach < workers; reach *= Branching)
        {
            depth++;
        }

        return depth;
    }
}
