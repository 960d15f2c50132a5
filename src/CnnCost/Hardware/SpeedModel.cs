namespace CnnCost.Hardware;

/// <summary>Frames per second and energy per frame of a network on a device (dissertation 2.3.4-2.3.6).</summary>
/// <param name="Device">The device.</param>
/// <param name="Efficiency">The fraction of peak achieved: 0.3-0.95 for tuned convolution libraries, about 0.05 for typical HPC codes.</param>
/// <param name="FlopsPerFrame">FLOPs per frame.</param>
/// <param name="FramesPerSecond">Frames per second: <c>peak · efficiency / FLOPs per frame</c>.</param>
/// <param name="JoulesPerFrame">Energy per frame: <c>watts / frames per second</c> (30 W at 15 fps = 2 J).</param>
public sealed record SpeedEstimate(Device Device, double Efficiency, long FlopsPerFrame, double FramesPerSecond, double JoulesPerFrame);

/// <summary>Speed and energy from FLOPs and a device's ceilings.</summary>
public static class SpeedModel
{
    /// <summary>FLOPs of one frame: the report's FLOPs over its batch (at least 1).</summary>
    /// <param name="report">The report (inference, or training for a training step's share).</param>
    /// <returns>FLOPs per frame.</returns>
    public static long FlopsPerFrame(CnnCost.Costs.CostReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Math.Max(1, report.Totals.Flops / report.Batch);
    }

    /// <summary>Estimates frames per second and joules per frame of a report's network.</summary>
    /// <param name="device">The device.</param>
    /// <param name="report">The report, whose FLOPs per frame count.</param>
    /// <param name="efficiency">The fraction of peak achieved, in [10^-6, 1].</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The efficiency is outside [10^-6, 1].</exception>
    public static SpeedEstimate Estimate(Device device, CnnCost.Costs.CostReport report, double efficiency) =>
        Estimate(device, FlopsPerFrame(report), efficiency);

    /// <summary>Estimates frames per second and joules per frame.</summary>
    /// <param name="device">The device.</param>
    /// <param name="flopsPerFrame">FLOPs of one frame (inference, or a training step's share).</param>
    /// <param name="efficiency">The fraction of peak achieved, in [10^-6, 1].</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The efficiency is outside [10^-6, 1] or the FLOPs are not positive.</exception>
    public static SpeedEstimate Estimate(Device device, long flopsPerFrame, double efficiency)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(flopsPerFrame, 1);
        // Below one part per million the frame rate and energy leave the range of numbers worth printing.
        if (efficiency is < 1e-6 or > 1 || double.IsNaN(efficiency))
        {
            throw new ArgumentOutOfRangeException(nameof(efficiency), $"efficiency must be in [1e-6, 1], got {efficiency}");
        }

        var fps = device.PeakFlopsPerSecond * efficiency / flopsPerFrame;
        return new SpeedEstimate(device, efficiency, flopsPerFrame, fps, JoulesPerFrame(device.Watts, fps));
    }

    /// <summary>Energy per frame, <c>watts · seconds per frame</c> (dissertation 2.3.6).</summary>
    /// <param name="watts">Power drawn.</param>
    /// <param name="framesPerSecond">Frame rate.</param>
    /// <returns>Joules per frame.</returns>
    public static double JoulesPerFrame(double watts, double framesPerSecond) => watts / framesPerSecond;
}
