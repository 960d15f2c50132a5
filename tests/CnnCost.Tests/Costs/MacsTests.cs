using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Costs;

/// <summary>Multiply-accumulates: one per weight per output position per item, for convolutions and fully-connected layers only.</summary>
public class MacsTests
{
    [Fact]
    public void Hand_counted_macs_of_a_small_network()
    {
        // data 3x8x8; conv 4 filters 3x3 pad 1: 3*4*9 = 108 weights, 8x8 outputs: 108*64 = 6912 MACs;
        // pool 2x2/2 and relu: none; fc 4x4x4 = 64 inputs -> 10: 640 MACs. At batch 2: 2 * 7552 = 15104.
        var network = new NetworkBuilder("small").Input(3, 8, 8)
            .Convolution("conv", 4, 3, pad: 1).ReLU("relu").MaxPool("pool", 2, 2).FullyConnected("fc", 10).Build();
        var report = CostModel.Analyze(network, new AnalysisOptions { Batch = 2 });
        Assert.Equal(2 * 6912, report["conv"].Macs);
        Assert.Equal(0, report["relu"].Macs);
        Assert.Equal(0, report["pool"].Macs);
        Assert.Equal(2 * 640, report["fc"].Macs);
        Assert.Equal(15104, report.Totals.Macs);
    }

    [Fact]
    public void Nin_conv1_has_half_the_flops_of_eq_4_3_as_macs()
    {
        var report = CostModel.Analyze(ModelZoo.Create("nin"));
        Assert.Equal(3L * 96 * 11 * 11 * 55 * 55, report["conv1"].Macs);
    }

    [Fact]
    public void Training_triples_macs_like_flops()
    {
        var network = ModelZoo.Create("lenet");
        var inference = CostModel.Analyze(network);
        var training = CostModel.Analyze(network, new AnalysisOptions { Phase = Phase.Training });
        Assert.Equal(3 * inference.Totals.Macs, training.Totals.Macs);
    }
}
