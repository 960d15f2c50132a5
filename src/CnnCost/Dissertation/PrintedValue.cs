using System.Globalization;

namespace CnnCost.Dissertation;

/// <summary>
/// A number as the dissertation prints it, e.g. <c>1190MB</c>, <c>263KB</c>, <c>0.644GF</c>, <c>2.27TF</c>
/// or <c>1.3x</c>, read into base units (bytes, FLOPs or a plain ratio) with the size of its last printed
/// digit, so a computed value can be checked at the printed precision.
/// </summary>
/// <param name="Text">The printed text.</param>
/// <param name="Value">The value in base units.</param>
/// <param name="LastDigit">One unit of the last printed digit, in base units (0 for a printed exact zero).</param>
public readonly record struct PrintedValue(string Text, double Value, double LastDigit)
{
    /// <summary>Reads a printed number with an optional SI prefix (K, M, G, T) and unit (B, F) or a trailing <c>x</c>.</summary>
    /// <param name="text">The printed text.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The text is not a printed number.</exception>
    public static PrintedValue Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var number = text.TrimEnd('B', 'F', 'x');
        var scale = 1.0;
        if (number.Length > 0 && "KMGT".Contains(number[^1], StringComparison.Ordinal))
        {
            scale = number[^1] switch { 'K' => 1e3, 'M' => 1e6, 'G' => 1e9, _ => 1e12 };
            number = number[..^1];
        }

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is not a printed number");
        }

        var point = number.IndexOf('.', StringComparison.Ordinal);
        var decimals = point < 0 ? 0 : number.Length - point - 1;
        // In an integer, trailing zeros are not significant digits: "1190" is 1189.5 .. 1190.5 rounded to tens.
        var trailingZeros = point < 0 ? number.Length - number.TrimEnd('0').Length : 0;
        var lastDigit = value == 0 ? 0 : Math.Pow(10, trailingZeros - decimals) * scale;
        return new PrintedValue(text, value * scale, lastDigit);
    }

    /// <summary>
    /// Whether <paramref name="computed"/> agrees at the printed precision: rounded or truncated to the printed
    /// last digit, it gives the printed value. The dissertation truncates some values instead of rounding them
    /// (pool3's 0.64497 GF is printed 0.644), so rounding alone would flag those falsely.
    /// </summary>
    /// <param name="computed">The value the equations give, in base units.</param>
    /// <returns><see langword="true"/> when the two agree.</returns>
    public bool Agrees(double computed)
    {
        if (LastDigit == 0)
        {
            return computed == Value;
        }

        var digits = computed / LastDigit;
        var printed = Math.Round(Value / LastDigit);
        return Math.Round(digits, MidpointRounding.AwayFromZero) == printed || Math.Floor(digits + 1e-9) == printed;
    }

    /// <summary>
    /// Whether a ratio rounded to the printed decimals (half away from zero) equals the printed ratio: the test
    /// for the one-decimal Δ columns of Tables 4.1 and 4.3-4.8. Those columns print whole ratios without their
    /// decimal (<c>1x</c>, <c>4x</c>), so at least one decimal is compared.
    /// </summary>
    /// <param name="computed">The exact ratio.</param>
    /// <returns><see langword="true"/> when the rounding matches.</returns>
    public bool RoundsTo(double computed)
    {
        var decimals = (int)Math.Round(-Math.Log10(LastDigit == 0 ? 1 : LastDigit));
        return Math.Round(computed, Math.Max(decimals, 1), MidpointRounding.AwayFromZero) == Value;
    }
}
