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

    /// <summary>The decimal prefixes from 10^3 to 10^18.</summary>
    private static readonly (double Scale, string Prefix)[] Prefixes =
        [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];

    /// <summary>
    /// A quantity with the decimal prefix that keeps it below 1000 and three significant digits, never in exponent
    /// form: <c>34.8 k</c>, <c>1.24 M</c>, <c>216 G</c>; below 1000 the number alone (<c>96</c>, <c>0.5</c>), and 0 without a unit.
    /// </summary>
    /// <param name="value">The value, e.g. a count of FLOPs.</param>
    /// <param name="unit">The unit written after the prefix, e.g. <c>B</c>; empty for a bare count.</param>
    /// <returns>The text, e.g. <c>1.24 MB</c> or <c>512 B</c>.</returns>
    public static string Prefixed(double value, string unit = "")
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (value == 0)
        {
            return "0";
        }

        var magnitude = Math.Abs(value);
        foreach (var (scale, prefix) in Prefixes)
        {
            if (magnitude >= scale)
            {
                return $"{Significant(value / scale)} {prefix}{unit}";
            }
        }

        var small = double.IsInteger(value) ? ((long)value).ToString(CultureInfo.InvariantCulture) : Significant(value);
        return unit.Length == 0 ? small : $"{small} {unit}";
    }

    /// <summary>A ratio as the dissertation's tables print it, exact and rounded: <c>4.69x (4.7x)</c>; <c>-</c> when undefined.</summary>
    /// <param name="ratio">The ratio.</param>
    /// <returns>The text.</returns>
    public static string Ratio(double? ratio) => ratio switch
    {
        null => "-",
        { } r when Math.Abs(r - Math.Round(r, 1)) < 5e-4 => $"{Math.Round(r, 1, MidpointRounding.AwayFromZero).ToString("0.0##", CultureInfo.InvariantCulture)}x",
        { } r => $"{r.ToString("0.000", CultureInfo.InvariantCulture)}x ({Math.Round(r, 1, MidpointRounding.AwayFromZero).ToString("0.0", CultureInfo.InvariantCulture)}x)",
    };

    /// <summary>An integer with thousands separators, e.g. <c>60,965,224</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>
/// How tables show sizes and counts: with a prefix chosen per number (<c>1.24 MB</c>, <c>216 G</c>), or in one fixed
/// unit per column (bytes in MB or MiB, FLOPs and MACs in G, counts whole), as the dissertation prints them and as CSV
/// readers want them.
/// </summary>
/// <param name="FixedUnit">The byte unit of every byte column, or null for prefixes chosen per number.</param>
public sealed record NumberStyle(ByteUnit? FixedUnit)
{
    /// <summary>Prefixes chosen per number.</summary>
    public static NumberStyle Automatic { get; } = new((ByteUnit?)null);

    /// <summary>Fixed units: bytes in <paramref name="unit"/>, FLOPs and MACs in G (10^9), counts whole with separators.</summary>
    /// <param name="unit">MB or MiB.</param>
    /// <returns>The style.</returns>
    public static NumberStyle Fixed(ByteUnit unit) => new(unit);

    /// <summary>A column header for bytes: <c>params (MB)</c> in fixed units, <c>param bytes</c> otherwise.</summary>
    /// <param name="fixedName">The header's name in fixed units, e.g. <c>params</c>.</param>
    /// <param name="automaticName">The header when each number carries its unit, e.g. <c>param bytes</c>.</param>
    /// <returns>The header.</returns>
    public string BytesHeader(string fixedName, string automaticName) =>
        FixedUnit is { } unit ? $"{fixedName} ({Units.Symbol(unit)})" : automaticName;

    /// <summary>Bytes: <c>1.24</c> in fixed MB, <c>1.24 MB</c> automatically.</summary>
    /// <param name="bytes">A byte count.</param>
    /// <returns>The text.</returns>
    public string Bytes(long bytes) =>
        FixedUnit is { } unit ? Units.Significant(Units.InUnit(bytes, unit)) : Units.Prefixed(bytes, "B");

    /// <summary>A header for operations: <c>GFLOPs</c> in fixed units, <c>FLOPs</c> otherwise.</summary>
    /// <param name="name">The operation, e.g. <c>FLOPs</c> or <c>MACs</c>.</param>
    /// <returns>The header.</returns>
    public string OperationsHeader(string name) => FixedUnit is null ? name : "G" + name;

    /// <summary>Operations (FLOPs, MACs): <c>0.422</c> (G) in fixed units, <c>422 M</c> automatically.</summary>
    /// <param name="count">The count.</param>
    /// <returns>The text.</returns>
    public string Operations(long count) => FixedUnit is null ? Units.Prefixed(count) : Units.Significant(count / 1e9);

    /// <summary>A count such as weights: <c>34,848</c> in fixed units, <c>34.8 k</c> automatically.</summary>
    /// <param name="count">The count.</param>
    /// <returns>The text.</returns>
    public string Count(long count) => FixedUnit is null ? Units.Prefixed(count) : Units.Count(count);

    /// <summary>The sentence that says what the units mean, for a table's notes.</summary>
    public string Legend => FixedUnit switch
    {
        ByteUnit.Megabytes => "1 MB = 10^6 bytes; GFLOPs and GMACs in 10^9",
        ByteUnit.Mebibytes => "1 MiB = 2^20 bytes; GFLOPs and GMACs in 10^9",
        _ => "k, M, G, T = 10^3, 10^6, 10^9, 10^12 (bytes too: 1 MB = 10^6 bytes)",
    };
}
