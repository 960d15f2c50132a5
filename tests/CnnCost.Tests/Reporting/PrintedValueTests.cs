using CnnCost.Dissertation;
using CnnCost.Reporting;
using Xunit;

namespace CnnCost.Tests.Reporting;

public class PrintedValueTests
{
    [Theory]
    [InlineData("1190MB", 1.19e9, 1e7)]
    [InlineData("633MB", 633e6, 1e6)]
    [InlineData("263KB", 263e3, 1e3)]
    [InlineData("0.0372MB", 37_200, 100)]
    [InlineData("2.27TF", 2.27e12, 1e10)]
    [InlineData("1.3x", 1.3, 0.1)]
    [InlineData("0", 0, 0)]
    public void Reads_value_and_last_digit(string text, double value, double lastDigit)
    {
        var printed = PrintedValue.Parse(text);
        Assert.Equal(value, printed.Value, 1e-6 * Math.Max(1, value));
        Assert.Equal(lastDigit, printed.LastDigit, 1e-9 * Math.Max(1, lastDigit));
    }

    [Fact]
    public void Agreement_is_rounding_or_truncation_and_ratios_must_round()
    {
        Assert.True(PrintedValue.Parse("0.644GF").Agrees(644_972_544));   // truncated by the source
        Assert.False(PrintedValue.Parse("151MB").Agrees(147_456_000));
        Assert.True(PrintedValue.Parse("2.27TF").Agrees(2_266_325_286_912));
        Assert.False(PrintedValue.Parse("2.92TF").Agrees(2.914e12));        // neither rounds nor truncates to it
        Assert.True(PrintedValue.Parse("0.9x").RoundsTo(0.852));
        Assert.False(PrintedValue.Parse("0.8x").RoundsTo(0.852));
        Assert.False(PrintedValue.Parse("1x").RoundsTo(1.06));             // whole ratios still carry one decimal
        Assert.True(PrintedValue.Parse("1x").RoundsTo(0.985));
        Assert.Throws<FormatException>(() => PrintedValue.Parse("lots"));
    }

    [Theory]
    [InlineData(1189.4784, "1190")]
    [InlineData(0.0372, "0.0372")]
    [InlineData(0.64497, "0.645")]
    [InlineData(57.094, "57.1")]
    [InlineData(0, "0")]
    public void Significant_prints_three_digits(double value, string expected) => Assert.Equal(expected, Units.Significant(value));
}
