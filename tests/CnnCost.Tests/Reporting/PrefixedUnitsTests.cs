using CnnCost.Graph;
using CnnCost.Reporting;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.Reporting;

/// <summary>Automatic SI prefixes, fixed units, and kind names in words.</summary>
public class PrefixedUnitsTests
{
    [Theory]
    [InlineData(0, "", "0")]
    [InlineData(0, "B", "0")]
    [InlineData(96, "", "96")]
    [InlineData(512, "B", "512 B")]
    [InlineData(999, "", "999")]
    [InlineData(1000, "", "1.00 k")]
    [InlineData(34_848, "", "34.8 k")]
    [InlineData(1_235_816, "B", "1.24 MB")]
    [InlineData(2_266_000_000_000, "", "2.27 T")]
    [InlineData(7.5e18, "", "7.50 E")]
    [InlineData(0.5, "", "0.500")]
    [InlineData(-34_848, "", "-34.8 k")]
    public void Prefixes_keep_three_significant_digits(double value, string unit, string expected) =>
        Assert.Equal(expected, Units.Prefixed(value, unit));

    [Fact]
    public void A_prefixed_number_never_uses_exponent_form_and_stays_short() =>
        Prop.ForAll(Gen.Choose(0, 62).Zip(Gen.Choose(1, 9)).ToArbitrary(), t =>
        {
            var value = t.Item2 * Math.Pow(2, t.Item1);
            var text = Units.Prefixed(value, "B");
            return !text.Contains('E', StringComparison.Ordinal) || text.EndsWith(" EB", StringComparison.Ordinal)
                ? text.Length <= 8
                : false;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Fixed_units_show_bytes_in_megabytes_and_operations_in_g()
    {
        var style = NumberStyle.Fixed(ByteUnit.Megabytes);
        Assert.Equal("params (MB)", style.BytesHeader("params", "param bytes"));
        Assert.Equal("0.140", style.Bytes(139_776));
        Assert.Equal("GFLOPs", style.OperationsHeader("FLOPs"));
        Assert.Equal("0.211", style.Operations(210_830_400));
        Assert.Equal("34,848", style.Count(34_848));
        var auto = NumberStyle.Automatic;
        Assert.Equal("param bytes", auto.BytesHeader("params", "param bytes"));
        Assert.Equal("140 kB", auto.Bytes(139_776));
        Assert.Equal("211 M", auto.Operations(210_830_400));
    }

    [Theory]
    [InlineData(LayerKind.FullyConnected, "fully connected")]
    [InlineData(LayerKind.BatchNorm, "batch norm")]
    [InlineData(LayerKind.Convolution, "convolution")]
    [InlineData(LayerKind.Lrn, "LRN")]
    public void Tables_name_kinds_in_words(LayerKind kind, string expected) =>
        Assert.Equal(expected, ReportViews.KindLabel(kind));
}
