using System.Globalization;

namespace CnnCost.Distributed;

/// <summary>Reads rates with units: bandwidths (<c>56Gbit/s</c>, <c>7GB/s</c>, <c>10Gbps</c>) and throughputs (<c>3.52TFLOP/s</c>).</summary>
public static class Rates
{
    /// <summary>
    /// A bandwidth in bytes per second. Bits: <c>bit/s</c>, <c>bps</c> with K, M, G, T prefixes (decimal); bytes:
    /// <c>B/s</c> with the same prefixes; a plain number is bytes per second.
    /// </summary>
    /// <param name="text">The bandwidth, e.g. <c>56Gbit/s</c>.</param>
    /// <returns>Bytes per second.</returns>
    /// <exception cref="FormatException">The text is not a bandwidth from 1 to 10^30 bytes per second.</exception>
    public static double ParseBandwidth(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        foreach (var (suffix, bytesPerUnit) in new[] { ("bit/s", 1 / 8.0), ("bps", 1 / 8.0), ("B/s", 1.0) })
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                return Positive(text, Scaled(t[..^suffix.Length], text) * bytesPerUnit, "bandwidth");
            }
        }

        return Positive(text, Scaled(t, text), "bandwidth");
    }

    /// <summary>A throughput in FLOP/s: <c>3.52TFLOP/s</c>, <c>900GFLOP/s</c>, <c>3.5T</c> or a plain number.</summary>
    /// <param name="text">The throughput.</param>
    /// <returns>FLOPs per second.</returns>
    /// <exception cref="FormatException">The text is not a throughput from 1 to 10^30 FLOP/s.</exception>
    public static double ParseThroughput(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        foreach (var suffix in new[] { "FLOP/s", "FLOPS", "flop/s" })
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                t = t[..^suffix.Length];
                break;
            }
        }

        return Positive(text, Scaled(t, text), "throughput");
    }

    /// <summary>A number with an optional decimal SI prefix (K, M, G, T, P).</summary>
    private static double Scaled(string number, string original)
    {
        var scale = 1.0;
        if (number.Length > 0 && "KkMGTP".Contains(number[^1], StringComparison.Ordinal))
        {
            scale = char.ToUpperInvariant(number[^1]) switch { 'K' => 1e3, 'M' => 1e6, 'G' => 1e9, 'T' => 1e12, _ => 1e15 };
            number = number[..^1];
        }

        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value * scale
            : throw new FormatException($"'{original}' is not a rate: expected a number with an optional K, M, G, T prefix and unit, e.g. 56Gbit/s, 7GB/s or 3.52TFLOP/s");
    }

    // From one unit per second to 10^30: every time and ratio computed from the rate stays a finite, normal number.
    private static double Positive(string original, double value, string what) =>
        value is >= 1 and <= 1e30
            ? value
            : throw new FormatException($"'{original}' is not a {what} CnnCost models: expected 1 to 1e30 per second (bytes or FLOPs)");
}
