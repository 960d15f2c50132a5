using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Measurement;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Graph;

/// <summary>The library's public values, called as an attacker would: impossible states are refused where they are made.</summary>
public class ApiGuardTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-8)]
    [InlineData(65)]
    [InlineData(int.MinValue)]
    public void A_precision_of_no_bits_negative_bits_or_more_than_64_bits_cannot_be_made(int bits) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Precision(bits));

    [Fact]
    public void A_precision_out_of_range_says_what_range_it_needs()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Precision(65));
        Assert.Equal("Bits", error.ParamName);
        Assert.StartsWith("a precision has 1 to 64 bits per value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_precision_refuses_to_count_bytes_instead_of_saying_zero()
    {
        Assert.Equal("default(Precision) has 0 bits per value; use Precision.Fp32 or new Precision(bits)",
            Assert.Throws<InvalidOperationException>(() => default(Precision).BytesFor(10)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Precision.Fp32.BytesFor(-1));
        Assert.Equal(8, new Precision(6).BytesFor(10)); // 60 bits → 7.5 bytes → 8 whole bytes
    }

    [Fact]
    public void The_input_positions_a_network_hands_out_cannot_change_it()
    {
        var network = NetworkInNetwork.Create();
        var conv2 = network.IndexOf("conv2");
        var inputs = network.InputIndicesOf(conv2);
        Assert.False(((object)inputs) is int[]);
        Assert.Throws<NotSupportedException>(() => ((IList<int>)inputs)[0] = 0);
        Assert.Equal(network.IndexOf("relu1"), network.InputIndicesOf(conv2).Single());
        Assert.Throws<ArgumentOutOfRangeException>(() => network.InputIndicesOf(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => network.InputIndicesOf(network.Layers.Length));
    }

    [Fact]
    public void A_concat_or_add_made_from_a_default_array_is_an_error_naming_it_not_a_crash()
    {
        Assert.Empty(new ConcatLayer("c", default).Inputs);
        Assert.Empty((new AddLayer("a", ["x", "y"]) with { Sources = default }).Inputs);
        // The same for a concat edited with a default array: empty sources, never a default array whose Length throws.
        Assert.Empty((new ConcatLayer("c", ["x", "y"]) with { Sources = default }).Sources);
        var layers = new Layer[] { new InputLayer("data", new Shape(1, 4, 4)), new ConcatLayer("c", default) };
        var error = Assert.Throws<NetworkDefinitionException>(() => new Network("n", layers, Conventions.Caffe));
        Assert.Equal("c", error.LayerName);
        var sum = Assert.Throws<NetworkDefinitionException>(() => new Network("n", [layers[0], new AddLayer("a", default)], Conventions.Caffe));
        Assert.Equal("a", sum.LayerName);
    }

    public static TheoryData<string, Func<ConvolutionShape>> ImpossibleShapes => new()
    {
        { "batch 0", () => new ConvolutionShape("c", 0, new Shape(3, 8, 8), 4, 3, 1, 0, 1, 1) },
        { "input 0x8x8", () => new ConvolutionShape("c", 1, new Shape(0, 8, 8), 4, 3, 1, 0, 1, 1) },
        { "filter count -4", () => new ConvolutionShape("c", 1, new Shape(3, 8, 8), -4, 3, 1, 0, 1, 1) },
        { "groups 2", () => new ConvolutionShape("c", 1, new Shape(3, 8, 8), 4, 3, 1, 0, 1, 2) },
        { "groups 0", () => new ConvolutionShape("c", 1, new Shape(3, 8, 8), 4, 3, 1, 0, 1, 0) },
        { "stride 0x1", () => new ConvolutionShape("c", 1, new Shape(3, 8, 8), 4, 3, new Size2(0, 1), 0, 1, 1) },
        { "padding -1x-1", () => new ConvolutionShape("c", 1, new Shape(3, 8, 8), 4, 3, 1, -1, 1, 1) },
        { "does not fit", () => new ConvolutionShape("c", 1, new Shape(3, 8, 8), 4, 5, 1, 0, 2, 1) }, // 2·4 + 1 = 9 > 8
    };

    [Theory]
    [MemberData(nameof(ImpossibleShapes))]
    public void A_convolution_no_engine_could_run_cannot_be_described(string problem, Func<ConvolutionShape> make)
    {
        var error = Assert.Throws<ArgumentException>(make);
        Assert.StartsWith("convolution 'c': ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_convolution_that_just_fits_can_be_described()
    {
        // Dilated extent 2·(4 − 1) + 1 = 7 ≤ 8, so (8 − 7)/1 + 1 = 2 outputs per axis.
        var shape = new ConvolutionShape("c", 1, new Shape(3, 8, 8), 4, 4, 1, 0, 2, 1);
        Assert.Equal((2, 2), (shape.OutHeight, shape.OutWidth));
        Assert.Equal(2L * 3 * 4 * 16 * 4, shape.Flops); // 2 · (3·4·4·4 weights) · 2·2 outputs
    }
}
