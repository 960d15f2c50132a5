using CnnCost.Costs;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Costs;

/// <summary>The closed-form equations on small hand-worked cases, and their refusal to wrap around 2^63.</summary>
public class CostEquationTests
{
    [Fact]
    public void A_grouped_convolution_counts_the_channels_one_group_sees()
    {
        // 12 input channels in 3 groups: each of the 6 filters sees 12/3 = 4 channels of 3x5, 4·6·3·5 = 360 weights.
        Assert.Equal(360, CostEquations.ConvolutionWeights(12, 6, new Size2(3, 5), 3));

        // Over a 7x2 output at batch 4: 2·360·7·2·4 = 40 320 FLOPs.
        Assert.Equal(40_320, CostEquations.ConvolutionFlops(360, new Shape(6, 7, 2), 4));
    }

    [Fact]
    public void Pooling_counts_one_operation_per_window_element_for_max_and_two_for_average()
    {
        // A 3x2 window over a 5x4x4 output at batch 2: 3·2·(5·4·4)·2 = 960 comparisons; twice that for average.
        Assert.Equal(960, CostEquations.PoolingOps(PoolingMethod.Max, new Size2(3, 2), new Shape(5, 4, 4), 2));
        Assert.Equal(1_920, CostEquations.PoolingOps(PoolingMethod.Average, new Size2(3, 2), new Shape(5, 4, 4), 2));
    }

    [Fact]
    public void Fully_connected_weights_and_flops_follow_the_flattened_input()
    {
        // A 2x3x4 input (24 values) to 10 outputs: 240 weights; 2·240·3 = 1 440 FLOPs at batch 3.
        Assert.Equal(240, CostEquations.FullyConnectedWeights(new Shape(2, 3, 4), 10));
        Assert.Equal(1_440, CostEquations.FullyConnectedFlops(240, 3));
        Assert.Equal(7 * 5 * 3 * 6, CostEquations.OutputElements(new Shape(7, 5, 3), 6));
        Assert.Equal(3 * 1_440, CostEquations.TrainingFlops(1_440));
    }

    // Each case exceeds 2^63-1 ≈ 9.22e18; unchecked, it would wrap to a wrong (often negative) count.
    public static TheoryData<string> OverflowingEquations => new()
    {
        "conv weights",   // (2^31-1)^4 ≈ 2.1e37
        "fc weights",     // 1e5·1e5·1e3 values · 1e6 outputs = 1e19
        "fc flops",       // 2 · 2^62
        "pooling",        // 2 · 2^16·2^16 · 2^48 = 2^81
        "output",         // (2^31-1)^2 · 3 ≈ 1.4e19
        "training",       // 3 · (2^63-1)/3 rounded up
    };

    [Theory]
    [MemberData(nameof(OverflowingEquations))]
    public void Every_equation_throws_instead_of_wrapping_past_2_to_the_63(string equation)
    {
        Action compute = equation switch
        {
            "conv weights" => () => CostEquations.ConvolutionWeights(int.MaxValue, int.MaxValue, new Size2(int.MaxValue, int.MaxValue), 1),
            "fc weights" => () => CostEquations.FullyConnectedWeights(new Shape(100_000, 100_000, 1_000), 1_000_000),
            "fc flops" => () => CostEquations.FullyConnectedFlops(1L << 62, 1),
            "pooling" => () => CostEquations.PoolingOps(PoolingMethod.Average, new Size2(1 << 16, 1 << 16), new Shape(1 << 16, 1 << 16, 1 << 16), 1),
            "output" => () => CostEquations.OutputElements(new Shape(int.MaxValue, int.MaxValue, 1), 3),
            _ => () => CostEquations.TrainingFlops((long.MaxValue / 3) + 1),
        };
        Assert.Throws<OverflowException>(compute);
    }
}
