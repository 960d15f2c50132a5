using CnnCost.Costs;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Costs;

/// <summary>Element-wise operations, multi-input adds and depthwise convolutions, counted by hand.</summary>
public class HandCountTests
{
    private static readonly Conventions Elementwise = Conventions.PyTorch with { CountElementwiseOps = true };

    // data 2x4x4; three 1x1 convolutions a, b, c of 2 filters without bias (4 weights each, 2*4*16 = 128 FLOPs each);
    // sum = a + b + c: 2x4x4 = 32 values, two additions each = 64; bn, relu, dropout: 32 each;
    // gap: average over 4x4 of 2 channels: 2*16*2 = 64; fc 2 -> 3 with bias: 2*6 = 12; softmax: 3.
    private static Network ThreeWaySum() => new NetworkBuilder("sum3").Input(2, 4, 4)
        .Convolution("a", 2, 1, bias: false)
        .Convolution("b", 2, 1, bias: false, from: "data")
        .Convolution("c", 2, 1, bias: false, from: "data")
        .Sum("sum", "a", "b", "c")
        .BatchNorm("bn").ReLU("relu").Dropout(0.5, "drop")
        .GlobalPool("gap")
        .FullyConnected("fc", 3)
        .Softmax("prob").Build();

    [Fact]
    public void Counting_element_wise_operations_adds_two_additions_per_value_for_a_three_input_sum()
    {
        var report = CostModel.Analyze(ThreeWaySum(), new AnalysisOptions { Conventions = Elementwise });
        Assert.Equal(64, report["sum"].Flops);                      // 32 values * (3 - 1) additions
        Assert.Equal(32, report["bn"].Flops);
        Assert.Equal(32, report["relu"].Flops);
        Assert.Equal(32, report["drop"].Flops);
        Assert.Equal(3, report["prob"].Flops);
        Assert.Equal(3 * 128 + 64 + 32 + 32 + 32 + 64 + 12 + 3, report.Totals.Flops);      // 623
        Assert.Equal(3 * 128 + 64 + 12, CostModel.Analyze(ThreeWaySum()).Totals.Flops);     // 460 without them
    }

    [Fact]
    public void A_three_input_sum_at_batch_4_in_training_costs_three_times_its_forward_additions()
    {
        var report = CostModel.Analyze(ThreeWaySum(), new AnalysisOptions { Batch = 4, Phase = Phase.Training, Conventions = Elementwise });
        Assert.Equal(3 * 4 * 64, report["sum"].Flops);              // 768: 32 values * 2 additions * 4 items * 3 passes
        Assert.Equal(3 * 4 * 623, report.Totals.Flops);              // 7,476
    }

    [Theory]
    [InlineData(2, 16)]      // 16 values (1x4x4), one addition each
    [InlineData(3, 32)]
    [InlineData(4, 48)]
    [InlineData(5, 64)]
    public void An_add_of_n_inputs_costs_n_minus_1_additions_per_value(int inputs, long flops)
    {
        var b = new NetworkBuilder("sumN").Input(1, 4, 4);
        var names = new List<string>();
        for (var i = 0; i < inputs; i++)
        {
            b.Convolution($"branch{i}", 1, 1, bias: false, from: "data");
            names.Add($"branch{i}");
        }

        var report = CostModel.Analyze(b.Sum("sum", [.. names]).Build(), new AnalysisOptions { Conventions = Elementwise });
        Assert.Equal(flops, report["sum"].Flops);
    }

    [Fact]
    public void A_depthwise_convolution_counts_one_3x3_filter_per_channel_and_every_channels_multiply_adds()
    {
        // dw: 8 channels, 8 filters, groups 8, 3x3 pad 1 on 6x6: each filter sees 8/8 = 1 channel.
        //   weights 1*8*9 = 72; multiply-adds 72 * 6*6 = 2,592 per item; FLOPs 5,184.
        // pw: 1x1, 8 -> 16: 128 weights; 128 * 36 = 4,608 multiply-adds; FLOPs 9,216.
        // half: 16 -> 16 with groups 2 (8 channels per filter), 3x3 pad 1: 8*16*9 = 1,152 weights; FLOPs 2*1,152*36 = 82,944.
        var network = new NetworkBuilder("separable").Input(8, 6, 6)
            .Convolution("dw", 8, 3, pad: 1, groups: 8, bias: false)
            .Convolution("pw", 16, 1, bias: false)
            .Convolution("half", 16, 3, pad: 1, groups: 2, bias: false).Build();
        var report = CostModel.Analyze(network, new AnalysisOptions { Batch = 3 });
        Assert.Equal(72, report["dw"].Weights);
        Assert.Equal(3 * 5_184, report["dw"].Flops);
        Assert.Equal(new Shape(8, 6, 6), report["dw"].Output);
        Assert.Equal(3 * 9_216, report["pw"].Flops);
        Assert.Equal(1_152, report["half"].Weights);
        Assert.Equal(3 * 82_944, report["half"].Flops);
        Assert.Equal(3 * (5_184 + 9_216 + 82_944), report.Totals.Flops);
    }

    [Fact]
    public void A_depthwise_convolution_with_a_channel_multiplier_of_2_has_two_filters_per_channel()
    {
        // 4 channels, 8 filters, groups 4: each filter sees 1 channel; 1*8*9 = 72 weights; 3x3 stride 2 pad 1 on 9x9 -> 5x5.
        // FLOPs 2 * 72 * 25 = 3,600.
        var report = CostModel.Analyze(new NetworkBuilder("multiplier").Input(4, 9, 9)
            .Convolution("dw", 8, 3, stride: 2, pad: 1, groups: 4, bias: false).Build());
        Assert.Equal(new Shape(8, 5, 5), report["dw"].Output);
        Assert.Equal(72, report["dw"].Weights);
        Assert.Equal(3_600, report["dw"].Flops);
    }
}
