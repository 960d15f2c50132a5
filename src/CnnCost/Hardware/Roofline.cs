using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.Hardware;

/// <summary>One layer on the roofline.</summary>
/// <param name="Name">The layer.</param>
/// <param name="Flops">Its FLOPs.</param>
/// <param name="Bytes">The fewest bytes it must move: its inputs, weights and output, each once.</param>
/// <param name="Intensity">FLOPs per byte.</param>
/// <param name="AttainableFlopsPerSecond"><c>min(peak, intensity · bandwidth)</c>.</param>
/// <param name="ComputeBound">Whether the intensity reaches the ridge point.</param>
/// <param name="Seconds">FLOPs over attainable FLOP/s (for a layer without FLOPs: bytes over bandwidth).</param>
public sealed record RooflinePoint(string Name, long Flops, long Bytes, double Intensity, double AttainableFlopsPerSecond, bool ComputeBound, double Seconds);

/// <summary>A network on a device's roofline: one point per layer and the network's lower bound on time.</summary>
/// <param name="Model">The network.</param>
/// <param name="Device">The device.</param>
/// <param name="Batch">Data items per batch.</param>
/// <param name="Precision">The precision that sets the bytes.</param>
/// <param name="Points">One point per layer that owns its output.</param>
public sealed record RooflineReport(string Model, Device Device, int Batch, Precision Precision, ImmutableArray<RooflinePoint> Points)
{
    /// <summary>The sum of the layers' times at the roof: a lower bound on the time of one batch.</summary>
    public double Seconds => Points.Sum(p => p.Seconds);

    /// <summary>Data items per second at that bound.</summary>
    public double FramesPerSecond => Batch / Seconds;
}

/// <summary>
/// The roofline model (Williams, Waterman and Patterson, 2009; dissertation 2.3.3) per layer: attainable FLOP/s is
/// <c>min(peak, arithmetic intensity · memory bandwidth)</c>, with the intensity taken over the fewest bytes a
/// layer can move (inputs, weights and output once each), so it bounds any implementation from above.
/// </summary>
public static class Roofline
{
    /// <summary>A report's layers on a device's roofline, with the network's bound (<see cref="Analyze"/>).</summary>
    /// <param name="report">The report.</param>
    /// <param name="device">The device.</param>
    /// <returns>The roofline report.</returns>
    /// <exception cref="CostOverflowException">A layer's bytes exceed 2^63-1; the message names the layer.</exception>
    public static RooflineReport Report(CostReport report, Device device)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new RooflineReport(report.Model, device, report.Batch, report.Conventions.Precision, Analyze(report, device));
    }

    /// <summary>Places every layer of a report on a device's roofline; in-place layers move nothing of their own and are left out.</summary>
    /// <param name="report">The report (its batch and precision set the bytes).</param>
    /// <param name="device">The device.</param>
    /// <returns>One point per layer that owns its output.</returns>
    /// <exception cref="CostOverflowException">A layer's bytes exceed 2^63-1; the message names the layer.</exception>
    public static ImmutableArray<RooflinePoint> Analyze(CostReport report, Device device)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(device);
        var precision = report.Conventions.Precision;
        var points = ImmutableArray.CreateBuilder<RooflinePoint>();
        foreach (var row in report.Layers)
        {
            if (row.InPlace || row.Kind == LayerKind.Input)
            {
                continue;
            }

            long bytes;
            try
            {
                var inputBytes = row.InputShapes.Sum(s => precision.BytesFor(checked(s.Elements * report.Batch)));
                bytes = checked(inputBytes + precision.BytesFor(checked(row.Weights + row.Biases)) + row.OutputBytes);
            }
            catch (OverflowException overflow)
            {
                throw new CostOverflowException(row.Name, overflow);
            }

            var intensity = bytes == 0 ? double.PositiveInfinity : (double)row.Flops / bytes;
            var attainable = Math.Min(device.PeakFlopsPerSecond, intensity * device.MemoryBytesPerSecond);
            var seconds = row.Flops > 0 ? row.Flops / attainable : bytes / device.MemoryBytesPerSecond;
            points.Add(new RooflinePoint(row.Name, row.Flops, bytes, intensity, attainable, intensity >= device.RidgeFlopsPerByte, seconds));
        }

        return points.ToImmutable();
    }
}
