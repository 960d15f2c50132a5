using System.Globalization;
using CnnCost.Graph;
using CnnCost.Reporting;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.Reporting;

/// <summary>Three significant digits, written fast: the text must be what .NET's own "F" formatting of the rounded value writes.</summary>
public class UnitsTests
{
    /// <summary>The rule stated once, with .NET's formatter as the oracle: round to three significant digits, print fixed.</summary>
    private static string Reference(double value)
    {
        if (value == 0)
        {
            return "0";
        }

        var magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        if (magnitude >= 2)
        {
            var step = Math.Pow(10, magnitude - 2);
            return (Math.Round(value / step, MidpointRounding.AwayFromZero) * step).ToString("F0", CultureInfo.InvariantCulture);
        }

        var decimals = Math.Min(2 - magnitude, 15);
        return Math.Round(value, decimals, MidpointRounding.AwayFromZero).ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(0.0372, "0.0372")]
    [InlineData(1190.4, "1190")]
    [InlineData(1185.0, "1190")]
    [InlineData(-0.5, "-0.500")]
    [InlineData(99.95, "100.0")]
    [InlineData(9.9951, "10.00")]
    [InlineData(9.995, "9.99")] // 9.995 is 9.99499… in binary
    [InlineData(0.000_512, "0.000512")]
    [InlineData(-31.25, "-31.3")]
    [InlineData(2.5e-14, "0.000000000000025")]
    [InlineData(1e-20, "0.000000000000000")]
    [InlineData(-1e-20, "-0.000000000000000")]
    [InlineData(123_456_789_012.0, "123000000000")]
    [InlineData(1.5e20, "150000000000000000000")]
    [InlineData(-9_007_199_254_740_993.0, "-9010000000000000")]
    public void Three_significant_digits_by_hand(double value, string expected)
    {
        Assert.Equal(expected, Units.Significant(value));
        Assert.Equal(expected, Reference(value));
    }

    [Fact]
    public void Every_value_prints_as_fixed_formatting_of_its_rounding_prints_it()
    {
        // Doubles from their bits cover every magnitude, sign and subnormal; finite ones only.
        var values = ArbMap.Default.GeneratorFor<long>().Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite);
        var nearPrinted = from mantissa in Gen.Choose(1, 99_999) from exponent in Gen.Choose(-18, 6) select mantissa * Math.Pow(10, exponent - 3);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), Prop.ForAll(Gen.OneOf(values, nearPrinted, nearPrinted.Select(v => -v)).ToArbitrary(), v =>
            Units.Significant(v) == Reference(v)));
    }

    [Fact]
    public void Kind_names_are_camel_case_for_every_kind()
    {
        foreach (var kind in Enum.GetValues<LayerKind>())
        {
            var name = kind.ToString();
            Assert.Equal(char.ToLowerInvariant(name[0]) + name[1..], ReportViews.KindName(kind));
        }

        Assert.Equal("fullyConnected", ReportViews.KindName(LayerKind.FullyConnected));
        Assert.Equal("99", ReportViews.KindName((LayerKind)99));
    }

    [Theory]
    [InlineData(1.9315, "1.93 s")]
    [InlineData(0.96576, "966 ms")]
    [InlineData(8.6802e-3, "8.68 ms")]
    [InlineData(1.736e-2, "17.4 ms")]
    [InlineData(1e-3, "1.00 ms")]
    [InlineData(9.99e-4, "999 µs")]
    [InlineData(2.5e-6, "2.50 µs")]
    [InlineData(4.2e-7, "420 ns")]
    [InlineData(3e-12, "0.00300 ns")]
    [InlineData(12_345.6, "12300 s")]
    [InlineData(0.0, "0 s")]
    [InlineData(-0.5, "-500 ms")]
    public void Durations_take_the_unit_that_keeps_three_digits_readable(double seconds, string expected) =>
        Assert.Equal(expected, Units.Duration(seconds));

    [Fact]
    public void A_duration_that_is_not_a_number_says_so_rather_than_pick_a_unit()
    {
        Assert.Equal("NaN s", Units.Duration(double.NaN));
        Assert.Equal("Infinity s", Units.Duration(double.PositiveInfinity));
    }
}
