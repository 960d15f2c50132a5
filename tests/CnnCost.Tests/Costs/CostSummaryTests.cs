using CnnCost.Costs;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Costs;

/// <summary>CostReport.ToString: a per-layer summary with hand-counted numbers, not a record dump.</summary>
public class CostSummaryTests
{
    [Fact]
    public void A_report_prints_one_aligned_line_per_layer_with_hand_counted_params_and_flops()
    {
        var network = new NetworkBuilder("small").Input(3, 8, 8)
            .Convolution("conv", filters: 4, kernel: 3, pad: 1).ReLU("relu")
            .MaxPool("pool", kernel: 2, stride: 2)
            .FullyConnected("fc", outputs: 10)
            .Build();
        var text = CostModel.Analyze(network, new AnalysisOptions { Batch = 2 }).ToString();

        // By hand, batch 2: conv 4·3·3·3 = 108 weights + 4 biases = 112, 2·108·(8·8)·2 = 27,648 FLOPs;
        // pool 2·2 comparisons per output value, 2·2·(4·4·4)·2 = 512; fc 64·10 = 640 + 10 = 650, 2·640·2 = 2,560.
        // Totals: 762 parameters (3,048 bytes in fp32), 30,720 FLOPs; activations 2·4·(256 + 64 + 10) = 2,640 bytes
        // (the in-place relu adds none).
        string[] expected =
        [
            "small: input 3x8x8, batch 2, inference",
            "layer  kind             output  params   FLOPs",
            "----------------------------------------------",
            "data   input            3x8x8        0       0",
            "conv   convolution      4x8x8      112  27,648",
            "relu   activation       4x8x8        0       0",
            "pool   pooling          4x4x4        0     512",
            "fc     fully connected  10x1x1     650   2,560",
            "----------------------------------------------",
            "total                              762  30,720",
            "fp32: parameters 3,048 bytes (biases included), activations 2,640 bytes; a multiply-add is 2 FLOPs",
        ];
        Assert.Equal(expected, text.Split(Environment.NewLine));
    }

    [Fact]
    public void The_summary_is_not_the_compiler_generated_record_dump()
    {
        var text = CostModel.Analyze(new NetworkBuilder("one").Input(1, 2, 2).FullyConnected("fc", 3).Build()).ToString();
        Assert.DoesNotContain("ImmutableArray", text, StringComparison.Ordinal);
        Assert.DoesNotContain("{ ", text, StringComparison.Ordinal);
        Assert.StartsWith("one: input 1x2x2, batch 1, inference", text, StringComparison.Ordinal);
    }
}
