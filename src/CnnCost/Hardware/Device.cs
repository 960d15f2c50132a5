using System.Collections.Immutable;
using System.Globalization;

namespace CnnCost.Hardware;

/// <summary>
/// A processor's ceilings, the numbers the speed, energy and roofline models need: peak fp32 FLOP/s, memory
/// bandwidth and power, with where each number comes from.
/// </summary>
/// <param name="Name">The device's name.</param>
/// <param name="PeakFlopsPerSecond">Peak 32-bit FLOP/s (multiply-add = 2).</param>
/// <param name="MemoryBytesPerSecond">Peak memory bandwidth in bytes per second.</param>
/// <param name="Watts">Board power (TDP) in watts.</param>
/// <param name="Source">Where the numbers come from.</param>
public sealed record Device(string Name, double PeakFlopsPerSecond, double MemoryBytesPerSecond, double Watts, string Source)
{
    /// <summary>The ridge point of the roofline: the arithmetic intensity (FLOPs per byte) where compute and memory limits meet.</summary>
    public double RidgeFlopsPerByte => PeakFlopsPerSecond / MemoryBytesPerSecond;

    /// <summary>Writes the device and its ceilings (below 1 TFLOP/s in GFLOP/s, so a small device never reads as 0).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {(PeakFlopsPerSecond >= 1e12 ? $"{PeakFlopsPerSecond / 1e12:0.##} TFLOP/s" : $"{PeakFlopsPerSecond / 1e9:0.##} GFLOP/s")} fp32, {MemoryBytesPerSecond / 1e9:0.#} GB/s, {Watts:0.#} W");
}

/// <summary>Published devices, each citing its source. The measurement engines add "this machine" from measured ceilings.</summary>
public static class Devices
{
    /// <summary>NVIDIA Tesla K20 (Kepler GK110), FireCaffe's GPU: 3.52 TFLOP/s, 208 GB/s, 225 W (NVIDIA K20 datasheet).</summary>
    public static Device K20 { get; } = new("K20", 3.52e12, 208e9, 225, "NVIDIA Tesla K20 board specification");

    /// <summary>NVIDIA Tesla K40 (Kepler GK110B), the blog posts' GPU: 4.29 TFLOP/s, 288 GB/s, 235 W.</summary>
    public static Device K40 { get; } = new("K40", 4.29e12, 288e9, 235, "NVIDIA Tesla K40 board specification");

    /// <summary>NVIDIA GeForce GTX Titan X (Maxwell): 6 TFLOP/s as the dissertation rounds it (2.3.4), 336.5 GB/s, 250 W.</summary>
    public static Device TitanX { get; } = new("TitanX", 6.0e12, 336.5e9, 250, "dissertation 2.3.4 (peak); NVIDIA GTX Titan X specification");

    /// <summary>NVIDIA Tesla P100 (SXM2): 10.6 TFLOP/s (dissertation 2.3.2), 732 GB/s, 300 W.</summary>
    public static Device P100 { get; } = new("P100", 10.6e12, 732e9, 300, "dissertation 2.3.2 (peak); NVIDIA Tesla P100 datasheet");

    /// <summary>NVIDIA Jetson TX1 (Maxwell): 0.5 TFLOP/s fp32 (dissertation 2.3.4), 25.6 GB/s, 10 W module power.</summary>
    public static Device TX1 { get; } = new("TX1", 0.5e12, 25.6e9, 10, "dissertation 2.3.4 (peak); NVIDIA Jetson TX1 module datasheet");

    /// <summary>NVIDIA Tesla V100 (SXM2): 15.7 TFLOP/s, 900 GB/s, 300 W.</summary>
    public static Device V100 { get; } = new("V100", 15.7e12, 900e9, 300, "NVIDIA Tesla V100 datasheet (SXM2)");

    /// <summary>NVIDIA A100 (SXM4 80 GB): 19.5 TFLOP/s fp32 (no TF32), 2039 GB/s, 400 W.</summary>
    public static Device A100 { get; } = new("A100", 19.5e12, 2039e9, 400, "NVIDIA A100 datasheet (SXM4 80GB)");

    /// <summary>NVIDIA H100 (SXM5): 67 TFLOP/s fp32 (no TF32), 3.35 TB/s, 700 W.</summary>
    public static Device H100 { get; } = new("H100", 67e12, 3350e9, 700, "NVIDIA H100 datasheet (SXM5)");

    /// <summary>NVIDIA H200 (SXM): 67 TFLOP/s fp32, 4.8 TB/s, 700 W.</summary>
    public static Device H200 { get; } = new("H200", 67e12, 4800e9, 700, "NVIDIA H200 datasheet (SXM)");

    /// <summary>Every preset, in the order above.</summary>
    public static ImmutableArray<Device> All { get; } = [K20, K40, TitanX, P100, TX1, V100, A100, H100, H200];

    /// <summary>The preset called <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">A preset name such as <c>P100</c>.</param>
    /// <returns>The device.</returns>
    /// <exception cref="CnnCostException">No preset has that name; the message lists them.</exception>
    public static Device Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new CnnCostException($"unknown device '{name}': the presets are {string.Join(", ", All.Select(d => d.Name))}");
    }
}
