using System.Globalization;

namespace CnnCost.Reporting;

/// <summary>The unit bytes are shown in. The dissertation uses both: MB for NiN (Table 4.2), MiB for SqueezeNet's 4.8 MB.</summary>
public enum ByteUnit
{
    /// <summary>Megabytes, 10^6 bytes.</summary>
    Megabytes,

    /// <summary>Mebibytes, 2^20 bytes.</summary>
    Mebibytes,
}

/// <summary>Formats counts for people: bytes in an explicit unit, FLOPs in GFLOPs, integers with separators.</summary>
public static class Units
{
    /// <summary>Bytes per megabyte (10^6).</summary>
    public const double BytesPerMegabyte = 1e6;

    /// <summary>Bytes per mebibyte (2^20).</summary>
    public const double BytesPerMebibyte = 1 << 20;

    /// <summary>The unit's symbol, <c>MB</c> or <c>MiB</c>.</summary>
    /// <param name="unit">The unit.</param>
    /// <returns>The symbol.</returns>
    public static string Symbol(ByteUnit unit) => unit == ByteUnit.Megabytes ? "MB" : "MiB";

    /// <summary>Bytes expressed in <paramref name="unit"/>.</summary>
    /// <param name="bytes">A byte count.</param>
    /// <param name="unit">MB or MiB.</param>
    /// <returns>The size in that unit.</returns>
    public static double InUnit(long bytes, ByteUnit unit) =>
        bytes / (unit == ByteUnit.Megabytes ? BytesPerMegabyte : BytesPerMebibyte);

    /// <summary>Three significant digits, the precision the dissertation prints (e.g. <c>0.0372</c>, <c>1190</c>).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string Significant(double value)
    {
        if (value == 0)
        {
            return "0";
        }

        var magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        if (magnitude >= 2)
        {
            var step = Math.Pow(10, magnitude - 2);
            var whole = Math.Round(value / step, MidpointRounding.AwayFromZero) * step;
            // An integer below 2^53 is exact as a long, and prints as "F0" prints it, only faster.
            return Math.Abs(whole) < 9_007_199_254_740_992.0
                ? ((long)whole).ToString(CultureInfo.InvariantCulture)
                : whole.ToString("F0", CultureInfo.InvariantCulture);
        }

        var decimals = Math.Min(2 - magnitude, 15);
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        return Fixed(rounded, decimals) ?? rounded.ToString(FixedFormats[decimals], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <paramref name="rounded"/>, already rounded to <paramref name="decimals"/> (at least 1) places, written with that many: its
    /// digits are the integer <c>n = rounded · 10^decimals</c> (below 1000 here, so exact), with the point put in. A
    /// report of a million layers formats three such numbers a row; "F" formatting is the slow part. Null for zero, whose
    /// sign "F" formatting keeps.
    /// </summary>
    private static string? Fixed(double rounded, int decimals)
    {
        var digits = (long)Math.Round(Math.Abs(rounded) * Pow10[decimals]);
        if (digits == 0)
        {
            return null;
        }

        var whole = digits / Pow10[decimals];
        var fraction = digits % Pow10[decimals];
        var sign = rounded < 0 ? "-" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{whole}.{fraction.ToString(FractionFormats[decimals], CultureInfo.InvariantCulture)}");
    }

    /// <summary>10^0 to 10^15, exact as longs and as doubles.</summary>
    private static readonly long[] Pow10 = [.. Enumerable.Range(0, 16).Select(d => (long)Math.Pow(10, d))];

    /// <summary>"D0" to "D15": a fraction's digits with its leading zeros.</summary>
    private static readonly string[] FractionFormats = [.. Enumerable.Range(0, 16).Select(d => "D" + d.ToString(CultureInfo.InvariantCulture))];

    /// <summary>"F0" to "F15", made once: a report of a million layers formats three numbers a row.</summary>
    private static readonly string[] FixedFormats = [.. Enumerable.Range(0, 16).Select(d => "F" + d.ToString(CultureInfo.InvariantCulture))];

    /// <summary>
    /// A duration with three significant digits in the unit that keeps it between 1 and 1000 (ns, µs, ms, s), never in
    /// exponent form: <c>1.93 s</c>, <c>966 ms</c>, <c>17.4 ms</c>; a thousand seconds and more stay in seconds, and
    /// below a nanosecond it is nanoseconds still.
    /// </summary>
    /// <param name="seconds">The duration in seconds.</param>
    /// <returns>The text, <c>0 s</c> for zero.</returns>
    public static string Duration(double seconds)
    {
        if (seconds == 0 || !double.IsFinite(seconds))
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + " s";
        }

        var magnitude = Math.Abs(seconds);
        var (scale, unit) = magnitude >= 1 ? (1.0, "s") : magnitude >= 1e-3 ? (1e3, "ms") : magnitude >= 1e-6 ? (1e6, "µs") : (1e9, "ns");
        // The unit is chosen before rounding: 0.9996 s is "1000 ms", which is right, if not the shortest.
        return $"{Significant(seconds * scale)} {unit}";
    }

    /// <summary>An integer with thousands separators, e.g. <c>60,965,224</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
