using CnnCost.Costs;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Graph;

/// <summary>Shapes, sizes and precisions read and written as text, and Eq. 4.2 on hand-worked extents.</summary>
public class ShapeTextTests
{
    [Theory]
    [InlineData("3x227x227", 3, 227, 227)]
    [InlineData("1X2x3", 1, 2, 3)]
    public void A_shape_reads_as_channels_height_width(string text, int c, int h, int w)
    {
        Assert.Equal(new Shape(c, h, w), Shape.Parse(text));
        Assert.Equal($"{c}x{h}x{w}", Shape.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("3xx227")]
    [InlineData("0x1x1")]
    [InlineData("1x0x1")]
    [InlineData("1x1x0")]
    [InlineData("-1x1x1")]
    [InlineData("ax1x1")]
    [InlineData("1xbx1")]
    [InlineData("1x1xc")]
    public void Anything_but_positive_integers_joined_by_x_is_not_a_shape(string text) =>
        Assert.Equal($"'{text}' is not a shape: expected positive integers separated by x, e.g. 3x227x227",
            Assert.Throws<FormatException>(() => Shape.Parse(text)).Message);

    [Theory]
    [InlineData("3x227", new[] { 3, 227 })]
    [InlineData("3x227x227x1", new[] { 3, 227, 227, 1 })]
    [InlineData("197x768", new[] { 197, 768 })]
    [InlineData("1000", new[] { 1000 })]
    public void Shapes_of_any_rank_parse_and_print_back(string text, int[] dims)
    {
        var shape = Shape.Parse(text);
        Assert.Equal(dims, shape.Dimensions);
        Assert.Equal(dims.Length, shape.Rank);
        Assert.Equal(text, shape.ToString());
        Assert.Equal(dims.Aggregate(1L, (a, d) => a * d), shape.Elements);
        Assert.Equal(Shape.Of(dims), shape);
        Assert.Equal(Shape.Of(dims).GetHashCode(), shape.GetHashCode());
    }

    [Fact]
    public void The_cnn_view_pads_low_ranks_with_ones_and_folds_high_ranks_into_the_width()
    {
        // Hand-derived: a vector n reads as n x 1 x 1; 2x3x4x5 reads as 2 x 3 x 20; a scalar as 1 x 1 x 1.
        Assert.Equal((7, 1, 1), (Shape.Of(7).Channels, Shape.Of(7).Height, Shape.Of(7).Width));
        Assert.Equal((4, 9, 1), (Shape.Of(4, 9).Channels, Shape.Of(4, 9).Height, Shape.Of(4, 9).Width));
        var four = Shape.Of(2, 3, 4, 5);
        Assert.Equal((2, 3, 20), (four.Channels, four.Height, four.Width));
        Assert.Equal(120, four.Elements);
        Assert.False(four.IsImage);
        Assert.True(new Shape(3, 4, 5).IsImage);
        Assert.Equal((1, 1, 1, 1L, "scalar"), (Shape.Of().Channels, Shape.Of().Height, Shape.Of().Width, Shape.Of().Elements, Shape.Of().ToString()));
        Assert.NotEqual(Shape.Of(2, 3), Shape.Of(2, 3, 1));
        Assert.NotEqual(Shape.Of(1, 2, 3, 4), Shape.Of(1, 2, 3, 5));
        Assert.Equal(Shape.Of(1, 2, 9, 4), four.WithDimension(0, 1).WithDimension(1, 2).WithDimension(2, 9).WithDimension(3, 4));
    }

    [Fact]
    public void A_shape_counts_its_values_in_64_bits_and_exposes_its_spatial_size()
    {
        Assert.Equal(3L * int.MaxValue * 2, new Shape(3, int.MaxValue, 2).Elements);
        Assert.Equal(new Size2(5, 7), new Shape(2, 5, 7).Spatial);
        Assert.Throws<ArgumentNullException>(() => Shape.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => Size2.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => Precision.Parse(null!));
    }

    [Theory]
    [InlineData("6x4", 6, 4)]
    [InlineData("3", 3, 3)]
    [InlineData("0", 0, 0)]
    [InlineData("2X5", 2, 5)]
    public void A_size_reads_as_height_by_width_or_one_square_extent(string text, int h, int w) =>
        Assert.Equal(new Size2(h, w), Size2.Parse(text));

    [Theory]
    [InlineData("6x")]
    [InlineData("x6")]
    [InlineData("1x2x3")]
    [InlineData("-3")]
    [InlineData("")]
    public void Anything_else_is_not_a_size(string text) =>
        Assert.Equal($"'{text}' is not a size: expected HxW or one integer, e.g. 6x6",
            Assert.Throws<FormatException>(() => Size2.Parse(text)).Message);

    [Fact]
    public void A_size_knows_whether_it_is_square_and_writes_itself_as_height_by_width()
    {
        Assert.True(new Size2(4, 4).IsSquare);
        Assert.False(new Size2(4, 5).IsSquare);
        Assert.Equal("4x5", new Size2(4, 5).ToString());
        Size2 square = 7;
        Assert.Equal(new Size2(7, 7), square);
    }

    [Theory]
    [InlineData("fp32", 32, "fp32")]
    [InlineData("FP16", 16, "fp16")]
    [InlineData("int8", 8, "int8")]
    [InlineData("1bit", 1, "1bit")]
    [InlineData("64BIT", 64, "64bit")]
    [InlineData("8bit", 8, "int8")]
    public void Precisions_read_by_name_or_bit_count(string text, int bits, string written)
    {
        var precision = Precision.Parse(text);
        Assert.Equal(bits, precision.Bits);
        Assert.Equal(written, precision.ToString());
    }

    [Theory]
    [InlineData("0bit")]
    [InlineData("65bit")]
    [InlineData("bit")]
    [InlineData("fp64")]
    [InlineData("-4bit")]
    [InlineData("16abc")] // three characters after a bit count that are not "bit"
    public void Other_precisions_are_refused_with_the_accepted_forms(string text) =>
        Assert.Equal($"'{text}' is not a precision: expected fp32, fp16, int8 or <n>bit with n from 1 to 64",
            Assert.Throws<FormatException>(() => Precision.Parse(text)).Message);

    [Fact]
    public void Conventions_made_without_settings_count_biases_and_run_activations_in_place()
    {
        // 3x8x8 -> 3x3 convolution with 4 filters, pad 1 -> ReLU. Parameters (3·4·9 + 4) · 4 bytes = 448 with the biases;
        // outputs (192 + 256) · 4 = 1,792 bytes with the ReLU in place (another 1,024 if it had its own buffer).
        var network = new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv", 4, 3, pad: 1).ReLU("relu").Build();
        var report = CostModel.Analyze(network, new AnalysisOptions { Conventions = new Conventions() });
        Assert.Equal(448, report.Totals.ParameterBytes);
        Assert.Equal(1_792, report.Totals.OutputBytes);
        Assert.True(report["relu"].InPlace);
    }

    [Fact]
    public void Packed_bytes_round_up_to_whole_bytes_and_overflow_throws()
    {
        // 3 values of 3 bits = 9 bits -> 2 bytes; 8 values of 3 bits = 24 bits -> exactly 3 bytes; 12 bits -> 2 bytes.
        Assert.Equal(2, new Precision(3).BytesFor(3));
        Assert.Equal(3, new Precision(3).BytesFor(8));
        Assert.Equal(2, new Precision(12).BytesFor(1));
        Assert.Equal(0.375, new Precision(3).BytesPerValue);
        Assert.Equal(2.0, Precision.Fp16.BytesPerValue);
        Assert.Throws<OverflowException>(() => Precision.Fp32.BytesFor(long.MaxValue / 2));
        Assert.Throws<OverflowException>(() => new Precision(3).BytesFor(long.MaxValue / 2));
    }

    [Theory]
    // in, kernel, stride, pad, dilation: floor and ceiling of (in + 2 pad - (dilation (kernel - 1) + 1)) / stride, + 1.
    [InlineData(7, 2, 2, 0, 1, 3, 4)]     // span 5: floor 2, ceil 3
    [InlineData(8, 2, 2, 0, 1, 4, 4)]     // span 6: exact
    [InlineData(7, 3, 1, 0, 2, 3, 3)]     // dilated kernel 5: span 2, stride 1
    [InlineData(6, 3, 2, 1, 1, 3, 4)]     // span 5: the ceiling's last window starts at 6 < in + pad = 7: kept
    [InlineData(5, 2, 2, 1, 1, 3, 3)]     // span 5: ceil 3 steps, but the last window starts at 6 = in + pad, inside the padding: dropped
    [InlineData(4, 1, 5, 0, 1, 1, 2)]     // span 3, stride 5: ceil 1 step; without padding nothing is dropped
    [InlineData(5, 3, 2, 1, 1, 3, 3)]     // span 4: exact
    [InlineData(2, 3, 1, 0, 1, 0, 0)]     // kernel larger than the input: 0
    public void Output_extents_follow_eq_4_2_under_each_rounding(int input, int kernel, int stride, int pad, int dilation, long floor, long ceiling)
    {
        Assert.Equal(floor, ShapeInference.OutputExtent(input, kernel, stride, pad, dilation, RoundingRule.Floor));
        Assert.Equal(ceiling, ShapeInference.OutputExtent(input, kernel, stride, pad, dilation, RoundingRule.Ceiling));
    }
}
