using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Measurement;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.Graph;

public class PaddingTests
{
    /// <summary>
    /// The windows a pooling or convolution layer places, counted one by one: window k starts at
    /// <c>k·stride − padBegin</c> (the input occupies 0..input−1) and spans the dilated kernel. Floor keeps the windows
    /// inside the padded input. Ceiling adds windows until one reaches the padded input's last position, then (Caffe's
    /// and PyTorch's rule, when the layer pads) drops a last window that starts past the input.
    /// </summary>
    private static long CountWindows(int input, int kernel, int stride, int padBegin, int padEnd, int dilation, RoundingRule rounding)
    {
        long extent = (long)dilation * (kernel - 1) + 1;
        long paddedEnd = (long)input + padEnd; // one past the last padded position
        if (-padBegin + extent > paddedEnd)
        {
            return 0; // not even the first window fits
        }

        long count = 0;
        long start = -padBegin;
        if (rounding == RoundingRule.Floor)
        {
            for (; start + extent <= paddedEnd; start += stride)
            {
                count++;
            }

            return count;
        }

        while (true)
        {
            count++;
            if (start + extent >= paddedEnd)
            {
                break;
            }

            start += stride;
        }

        var padded = padBegin > 0 || padEnd > 0;
        return padded && start >= input ? count - 1 : count;
    }

    [Fact]
    public void Output_extents_equal_the_windows_counted_one_by_one_under_every_rounding_and_uneven_padding()
    {
        var cases =
            from input in Gen.Choose(1, 40)
            from kernel in Gen.Choose(1, 7)
            from stride in Gen.Choose(1, 5)
            from padBegin in Gen.Choose(0, 4)
            from padEnd in Gen.Choose(0, 4)
            from dilation in Gen.Choose(1, 3)
            from rounding in Gen.Elements(RoundingRule.Floor, RoundingRule.Ceiling)
            select (input, kernel, stride, padBegin, padEnd, dilation, rounding);
        var fitting = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var expected = CountWindows(c.input, c.kernel, c.stride, c.padBegin, c.padEnd, c.dilation, c.rounding);
            fitting += expected > 0 ? 1 : 0;
            var actual = ShapeInference.OutputExtent(c.input, c.kernel, c.stride, c.padBegin, c.padEnd, c.dilation, c.rounding);
            return (expected > 0 ? actual == expected : actual < 1)
                && (c.padBegin != c.padEnd
                    || actual == ShapeInference.OutputExtent(c.input, c.kernel, c.stride, c.padBegin, c.dilation, c.rounding));
        }));
        Assert.True(fitting > 1_000, $"only {fitting} of 2000 cases had a window that fits");
    }

    [Theory]
    // 5 + 0 + 1 − 3 = 3 → floor(3/1) + 1 = 4: the odd total 1 that symmetric padding cannot express.
    [InlineData(5, 3, 1, 0, 1, RoundingRule.Floor, 4)]
    // 8 + 0 + 1 − 3 = 6 → 6/2 + 1 = 4 (TensorFlow's SAME, stride 2, on an even size).
    [InlineData(8, 3, 2, 0, 1, RoundingRule.Floor, 4)]
    // Ceiling, 6 + 0 + 1 − 2 = 5 → ceil(5/2) = 3 steps; the 4th window would start at 6, past the input: 3.
    [InlineData(6, 2, 2, 0, 1, RoundingRule.Ceiling, 3)]
    // The same pads the other way round: the 4th window starts at 3·2 − 1 = 5, inside the input: 4.
    [InlineData(6, 2, 2, 1, 0, RoundingRule.Ceiling, 4)]
    public void Uneven_padding_sums_both_sides_and_the_leading_side_decides_the_last_window(
        int input, int kernel, int stride, int padBegin, int padEnd, RoundingRule rounding, long expected) =>
        Assert.Equal(expected, ShapeInference.OutputExtent(input, kernel, stride, padBegin, padEnd, 1, rounding));

    [Fact]
    public void An_unevenly_padded_convolution_is_costed_by_its_real_output()
    {
        var network = new NetworkBuilder("tf")
            .Input(3, 6, 7)
            .Convolution("conv", 4, 3, stride: 2, pad: new Padding(new Size2(1, 0), new Size2(2, 3)), bias: false)
            .MaxPool("pool", 2, 2, pad: new Padding(0, 1))
            .Build();
        var report = CostModel.Analyze(network);
        // Height: (6 + 1 + 2 − 3)/2 + 1 = 4; width: (7 + 0 + 3 − 3)/2 + 1 = 4 (floor of 3.5).
        Assert.Equal(new Shape(4, 4, 4), report["conv"].Output);
        // 3·4·3·3 = 108 weights; 2·108·4·4 = 3456 FLOPs.
        Assert.Equal(108, report["conv"].Weights);
        Assert.Equal(3_456, report["conv"].Flops);
        // Pool, Caffe ceiling: (4 + 0 + 1 − 2) = 3 → ceil(3/2) = 2 steps, 3rd window starts at 4 = past the input: 2.
        Assert.Equal(new Shape(4, 2, 2), report["pool"].Output);
        var conv = (ConvolutionLayer)network["conv"];
        Assert.Equal(new Size2(1, 0), conv.Pad);
        Assert.Equal(new Size2(2, 3), conv.PadEnd);
        Assert.Equal("1,0,2,3", conv.Padding.ToString());
        // The pool's trailing pad of 1 is kept as its own (here it does not change the output size, so ask for it).
        Assert.Equal(new Padding(0, 1), ((PoolingLayer)network["pool"]).Padding);
    }

    [Fact]
    public void Symmetric_padding_given_as_a_padding_value_stays_symmetric()
    {
        var network = new NetworkBuilder("n").Input(1, 5, 5).Convolution("conv", 1, 3, pad: new Padding(1, 1)).Build();
        var conv = (ConvolutionLayer)network["conv"];
        Assert.Null(conv.PadEnd);
        Assert.True(conv.Padding.IsSymmetric);
        Assert.Equal("1x1", conv.Padding.ToString());
    }

    [Fact]
    public void A_negative_trailing_pad_is_refused_naming_the_layer()
    {
        var error = Assert.Throws<NetworkDefinitionException>(() =>
            new NetworkBuilder("n").Input(1, 5, 5).Convolution("conv", 1, 3, pad: new Padding(1, new Size2(1, -1))).Build());
        Assert.Equal("conv", error.LayerName);
        Assert.Contains("1,1,1,-1", error.Message);
        var pool = Assert.Throws<NetworkDefinitionException>(() =>
            new NetworkBuilder("n").Input(1, 5, 5).MaxPool("pool", 2, 2, pad: new Padding(new Size2(-1, 0), 0)).Build());
        Assert.Equal("pool", pool.LayerName);
    }

    [Fact]
    public void A_kernel_larger_than_the_unevenly_padded_input_names_both_pads()
    {
        var error = Assert.Throws<NetworkDefinitionException>(() =>
            new NetworkBuilder("n").Input(1, 3, 3).Convolution("conv", 1, 7, pad: new Padding(1, 2)).Build());
        Assert.Contains("padded input height 6", error.Message); // 3 + 1 + 2
        Assert.Contains("pads 1 and 2", error.Message);
    }

    [Fact]
    public void A_new_kernel_with_a_pad_replaces_uneven_padding_and_without_one_keeps_it()
    {
        var network = new NetworkBuilder("n").Input(1, 8, 8).Convolution("conv", 2, 3, pad: new Padding(0, 1)).Build();
        var repadded = (ConvolutionLayer)new SetKernel("conv", 5, 2).ApplyTo(network)["conv"];
        Assert.Equal(new Padding(2, 2), repadded.Padding);
        Assert.Null(repadded.PadEnd);
        var kept = new SetKernel("conv", 2).ApplyTo(network);
        Assert.Equal(new Padding(0, 1), ((ConvolutionLayer)kept["conv"]).Padding);
        // (8 + 0 + 1 − 2)/1 + 1 = 8.
        Assert.Equal(new Shape(2, 8, 8), CostModel.Analyze(kept)["conv"].Output);
    }

    [Fact]
    public void Caffe_cannot_write_uneven_padding_and_says_which_layer()
    {
        var network = new NetworkBuilder("n").Input(1, 8, 8).Convolution("conv", 2, 3, stride: 2, pad: new Padding(0, 1)).Build();
        var error = Assert.Throws<CnnCostException>(() => CaffeWriter.Write(network));
        Assert.Contains("'conv'", error.Message);
        Assert.Contains("0,0,1,1", error.Message);
    }

    [Fact]
    public void An_unevenly_padded_convolution_is_measured_as_the_layer_it_is()
    {
        var network = new NetworkBuilder("n").Input(2, 8, 9)
            .Convolution("conv", 4, 3, stride: 2, pad: new Padding(new Size2(0, 2), new Size2(1, 0)), bias: false).Build();
        var row = CostModel.Analyze(network, new AnalysisOptions { Batch = 3 })["conv"];
        var shape = ConvolutionShape.Of(network["conv"], new Shape(2, 8, 9), batch: 3);
        // Height 8 + 0 + 1: runs on 9 rows with no pad; width 9 + 2 + 0: runs on 11 columns with no pad.
        Assert.Equal(new Shape(2, 9, 11), shape.Input);
        Assert.Equal(new Size2(0, 0), shape.Pad);
        Assert.Equal((row.Output.Height, row.Output.Width), (shape.OutHeight, shape.OutWidth));
        Assert.Equal(row.Flops, shape.Flops);
        // (9 − 3)/2 + 1 = 4 rows, (11 − 3)/2 + 1 = 5 columns; 2·(2·4·9)·4·5·3 = 8640 FLOPs.
        Assert.Equal(8_640, row.Flops);
    }
}
