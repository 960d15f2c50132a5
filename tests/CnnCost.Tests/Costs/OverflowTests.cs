using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Graph;
using CnnCost.Hardware;
using CnnCost.Measurement;
using Xunit;

namespace CnnCost.Tests.Costs;

/// <summary>Counts past 2^63-1 are errors naming the layer, never a wrapped, negative or zero number.</summary>
public class OverflowTests
{
    [Fact]
    public void An_input_of_2_to_the_64_values_is_an_error_not_zero_weights()
    {
        // 16 · 2^30 · 2^30 = 2^64 values per item: unchecked, that wraps to 0 and the classifier gets 0 weights.
        var network = new NetworkBuilder("huge").Input(16, 1 << 30, 1 << 30).FullyConnected("fc", 10).Build();
        Assert.Throws<OverflowException>(() => network.Input.Shape.Elements);
        var error = Assert.Throws<CostOverflowException>(() => CostModel.Analyze(network));
        Assert.Equal("data", error.LayerName);
    }

    [Fact]
    public void Roofline_bytes_that_pass_2_to_the_63_name_the_layer()
    {
        // X = 2^30 values · batch 2^28 · 4 bytes = 2^60 bytes. The report's totals hold X + 4X; the concat of the input
        // four times reads 4X and writes 4X, 2^63 bytes: one past the largest count.
        var network = new NetworkBuilder("wide").Input(1, 1 << 15, 1 << 15).Concat("cat", "data", "data", "data", "data").Build();
        var report = CostModel.Analyze(network, new AnalysisOptions { Batch = 1 << 28 });
        Assert.Equal(5L << 60, report.Totals.OutputBytes);
        var error = Assert.Throws<CostOverflowException>(() => Roofline.Analyze(report, Devices.P100));
        Assert.Equal("cat", error.LayerName);
    }

    [Fact]
    public void A_convolution_shape_whose_buffers_pass_2_to_the_63_fails_before_any_allocation()
    {
        var shape = new ConvolutionShape("big", int.MaxValue, new Shape(1 << 20, 1 << 12, 1 << 12), 1, 1, 1, 0, 1, 1);
        Assert.Throws<OverflowException>(() => shape.InputElements);
        var error = Assert.Throws<CostOverflowException>(shape.EnsureBuffersFit);
        Assert.Equal("big", error.LayerName);
    }

    [Fact]
    public void A_compressed_size_past_2_to_the_63_bits_names_the_layer()
    {
        // 2^60 weights at 32 bits are 2^65 bits.
        var error = Assert.Throws<CostOverflowException>(() => Compression.Layer("fc", 1L << 60, 0, 32, CompressionSettings.Dense));
        Assert.Equal("fc", error.LayerName);
    }

    [Fact]
    public void Opencl_buffer_sizes_of_2_to_the_30_floats_and_more_do_not_wrap()
    {
        // In int arithmetic, 2^30 floats · 4 bytes wraps to 0 and 2^29 · 4 to −2^31: the kernel then writes past the buffer.
        Assert.Equal((nuint)1 << 32, CnnCost.Measurement.OpenCl.OpenClConvolutionEngine.BytesOf(1L << 30));
        Assert.Equal((nuint)1 << 31, CnnCost.Measurement.OpenCl.OpenClConvolutionEngine.BytesOf(1L << 29));
        Assert.Throws<OverflowException>(() => CnnCost.Measurement.OpenCl.OpenClConvolutionEngine.BytesOf(-1));
    }
}
