using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Zoo;

/// <summary>
/// The torchvision families of the zoo against their papers: the feature-map shapes each paper's architecture table
/// prints, and a few blocks' parameters derived by hand. (Their totals are checked against PyTorch in
/// <see cref="PyTorchOracleTests"/>.)
/// </summary>
public class TorchvisionZooTests
{
    private static readonly Dictionary<string, CostReport> Reports = [];

    private static CostReport Report(string name)
    {
        lock (Reports)
        {
            if (!Reports.TryGetValue(name, out var report))
            {
                report = CostModel.Analyze(ModelZoo.Create(name));
                Reports[name] = report;
            }

            return report;
        }
    }

    [Theory]
    // Inception-v3, Table 1 of Szegedy et al. 2016: 35x35x288, 17x17x768, 8x8x2048.
    [InlineData("inception_v3", "maxpool2", 192, 35, 35)]
    [InlineData("inception_v3", "Mixed_5d.cat", 288, 35, 35)]
    [InlineData("inception_v3", "Mixed_6e.cat", 768, 17, 17)]
    [InlineData("inception_v3", "Mixed_7c.cat", 2048, 8, 8)]
    // DenseNet-121, Table 1 of Huang et al.: 64 + 6·32 = 256 at 56x56, halved by each transition.
    [InlineData("densenet121", "features.denseblock1.cat", 256, 56, 56)]
    [InlineData("densenet121", "features.transition1.pool", 128, 28, 28)]
    [InlineData("densenet121", "features.denseblock2.cat", 512, 28, 28)]
    [InlineData("densenet121", "features.denseblock3.cat", 1024, 14, 14)]
    [InlineData("densenet121", "features.denseblock4.cat", 1024, 7, 7)]
    // ShuffleNet V2 1.0x, the architecture table of Ma et al.: 116 at 28x28, 232 at 14x14, 464 at 7x7, 1024 at 7x7.
    [InlineData("shufflenet_v2_x1_0", "maxpool", 24, 56, 56)]
    [InlineData("shufflenet_v2_x1_0", "stage2.3.shuffle.flatten", 116, 28, 28)]
    [InlineData("shufflenet_v2_x1_0", "stage3.7.shuffle.flatten", 232, 14, 14)]
    [InlineData("shufflenet_v2_x1_0", "stage4.3.shuffle.flatten", 464, 7, 7)]
    [InlineData("shufflenet_v2_x1_0", "conv5.2", 1024, 7, 7)]
    // ConvNeXt-T, the stage widths of Liu et al. after the 4x4/4 stem: 96 at 56x56, 192 at 28x28, 384 at 14x14, 768 at 7x7.
    [InlineData("convnext_tiny", "features.0.1.unpermute", 96, 56, 56)]
    [InlineData("convnext_tiny", "features.1.2.add", 96, 56, 56)]
    [InlineData("convnext_tiny", "features.3.2.add", 192, 28, 28)]
    [InlineData("convnext_tiny", "features.5.8.add", 384, 14, 14)]
    [InlineData("convnext_tiny", "features.7.2.add", 768, 7, 7)]
    // EfficientNet-B0, Table 1 of Tan and Le: 16@112, 24@56, 40@28, 80@14, 112@14, 192@7, 320@7, 1280@7.
    [InlineData("efficientnet_b0", "features.1.0.block.2.1", 16, 112, 112)]
    [InlineData("efficientnet_b0", "features.2.1.add", 24, 56, 56)]
    [InlineData("efficientnet_b0", "features.3.1.add", 40, 28, 28)]
    [InlineData("efficientnet_b0", "features.4.2.add", 80, 14, 14)]
    [InlineData("efficientnet_b0", "features.5.2.add", 112, 14, 14)]
    [InlineData("efficientnet_b0", "features.6.3.add", 192, 7, 7)]
    [InlineData("efficientnet_b0", "features.7.0.block.3.1", 320, 7, 7)]
    [InlineData("efficientnet_b0", "features.8.2", 1280, 7, 7)]
    // MobileNetV3-Large, Table 1 of Howard et al.: 24@56, 40@28, 80@14, 112@14, 160@7, 960@7.
    [InlineData("mobilenet_v3_large", "features.3.add", 24, 56, 56)]
    [InlineData("mobilenet_v3_large", "features.6.add", 40, 28, 28)]
    [InlineData("mobilenet_v3_large", "features.10.add", 80, 14, 14)]
    [InlineData("mobilenet_v3_large", "features.12.add", 112, 14, 14)]
    [InlineData("mobilenet_v3_large", "features.15.add", 160, 7, 7)]
    [InlineData("mobilenet_v3_large", "features.16.2", 960, 7, 7)]
    // RegNetY-400MF: torchvision's stage widths 48, 104, 208, 440, each stage halving the stride-2 stem's 112x112.
    [InlineData("regnet_y_400mf", "trunk_output.block1.block1-0.activation", 48, 56, 56)]
    [InlineData("regnet_y_400mf", "trunk_output.block2.block2-2.activation", 104, 28, 28)]
    [InlineData("regnet_y_400mf", "trunk_output.block3.block3-5.activation", 208, 14, 14)]
    [InlineData("regnet_y_400mf", "trunk_output.block4.block4-5.activation", 440, 7, 7)]
    public void Feature_maps_have_the_papers_shapes(string model, string layer, int channels, int height, int width) =>
        Assert.Equal(new Shape(channels, height, width), Report(model)[layer].Output);

    [Theory]
    [InlineData("convnext_tiny")]
    [InlineData("densenet121")]
    [InlineData("efficientnet_b0")]
    [InlineData("inception_v3")]
    [InlineData("mobilenet_v3_large")]
    [InlineData("regnet_y_400mf")]
    [InlineData("shufflenet_v2_x1_0")]
    public void Each_classifies_into_1000_classes(string model) =>
        Assert.Equal(1000, Report(model).Layers[^1].Output.Elements);

    [Fact]
    public void A_convnext_block_has_the_parameters_of_its_seven_layers_and_layer_scale()
    {
        // C = 96: depthwise 7x7 49·96 + 96, layer norm 96 + 96, linear 96·384 + 384 and 384·96 + 96, layer scale 96.
        long byHand = 49 * 96 + 96 + 2 * 96 + 96 * 384 + 384 + 384 * 96 + 96 + 96;
        Assert.Equal(79_296, byHand);
        var block = Report("convnext_tiny").Layers.Where(l => l.Name.StartsWith("features.1.0.", StringComparison.Ordinal));
        Assert.Equal(byHand, block.Sum(l => l.Parameters));
        // The per-position linear layers: 56·56 positions of 96·384 multiply-adds each.
        Assert.Equal(2L * 56 * 56 * 96 * 384, Report("convnext_tiny")["features.1.0.block.3"].Flops);
    }

    [Theory]
    // torchvision's _make_divisible(expanded / 4, 8): 18 -> 24 (16 would lose over 10%), 30 -> 32, 120, 168, 240.
    [InlineData("features.4.block.2.fc1", 24)]
    [InlineData("features.5.block.2.fc1", 32)]
    [InlineData("features.11.block.2.fc1", 120)]
    [InlineData("features.13.block.2.fc1", 168)]
    [InlineData("features.14.block.2.fc1", 240)]
    public void Mobilenet_v3s_excitations_squeeze_to_a_quarter_rounded_to_eight(string layer, int channels) =>
        Assert.Equal(new Shape(channels, 1, 1), Report("mobilenet_v3_large")[layer].Output);

    [Fact]
    public void Efficientnet_and_regnet_squeeze_to_a_quarter_of_the_blocks_input()
    {
        // EfficientNet's features.2.0 reads 16 channels, expands to 96 and squeezes to 4; RegNet's block2-0 reads 48 and squeezes to 12.
        Assert.Equal(new Shape(4, 1, 1), Report("efficientnet_b0")["features.2.0.block.2.fc1"].Output);
        Assert.Equal(new Shape(96, 1, 1), Report("efficientnet_b0")["features.2.0.block.2.fc2"].Output);
        Assert.Equal(new Shape(12, 1, 1), Report("regnet_y_400mf")["trunk_output.block2.block2-0.f.se.fc1"].Output);
        // RegNet's 3x3 group convolution has 8 channels per group: 104·8·9 weights.
        Assert.Equal(104L * 8 * 9, Report("regnet_y_400mf")["trunk_output.block2.block2-1.f.b.0"].Weights);
    }
}
