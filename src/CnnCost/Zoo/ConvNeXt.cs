using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// ConvNeXt-T (Liu et al., "A ConvNet for the 2020s", 2022) in the torchvision 0.14 layout, 3x224x224: a 4x4/4
/// patchify convolution of 96 with layer norm, four stages of 3, 3, 9 and 3 blocks of 96, 192, 384 and 768 channels
/// with a downsampling layer between stages (layer norm, a 2x2/2 convolution), global average pooling, layer norm and
/// a 1000-way linear layer. A block is a depthwise 7x7 convolution, a move to channels-last (a transpose), layer norm
/// over the channels, a linear layer to four times the channels, GELU, a linear layer back, a move to channels-first,
/// a learned per-channel layer scale and a residual add. torchvision's <c>LayerNorm2d</c> is the same transpose,
/// layer norm over the last axis and transpose back. Convolutions and linear layers have biases; stochastic depth is
/// an identity at inference. 28,589,128 parameters.
/// </summary>
public static class ConvNeXt
{
    /// <summary>The zoo name, <c>convnext_tiny</c>.</summary>
    public const string TinyName = "convnext_tiny";

    private static readonly (int Channels, int Blocks)[] Stages = [(96, 3), (192, 3), (384, 9), (768, 3)];

    /// <summary>Builds ConvNeXt-T.</summary>
    /// <returns>The network.</returns>
    public static Network Tiny()
    {
        var b = new NetworkBuilder(TinyName, Conventions.PyTorch).Input(3, 224, 224)
            .Convolution("features.0.0", Stages[0].Channels, 4, stride: 4);
        LayerNorm2d(b, "features.0.1");
        for (var stage = 0; stage < Stages.Length; stage++)
        {
            var (channels, blocks) = Stages[stage];
            var index = 1 + 2 * stage;
            for (var i = 0; i < blocks; i++)
            {
                Block(b, $"features.{index}.{i}", channels);
            }

            if (stage < Stages.Length - 1)
            {
                LayerNorm2d(b, $"features.{index + 1}.0");
                b.Convolution($"features.{index + 1}.1", Stages[stage + 1].Channels, 2, stride: 2);
            }
        }

        b.GlobalPool("avgpool");
        LayerNorm2d(b, "classifier.0");
        return b.Flatten("classifier.1").FullyConnected("classifier.2", 1000).Build();
    }

    private static void Block(NetworkBuilder b, string prefix, int channels)
    {
        var entry = b.Last!;
        b.Convolution($"{prefix}.block.0", channels, 7, pad: 3, groups: channels)
            .Transpose($"{prefix}.block.1", [1, 2, 0])
            .LayerNorm($"{prefix}.block.2", 2)
            .Linear($"{prefix}.block.3", 4 * channels).Activation(ActivationFunction.Gelu, $"{prefix}.block.4")
            .Linear($"{prefix}.block.5", channels)
            .Transpose($"{prefix}.block.6", [2, 0, 1])
            .Elementwise($"{prefix}.layer_scale", ElementwiseOperation.Product, new Shape(channels, 1, 1));
        b.Sum($"{prefix}.add", b.Last!, entry);
    }

    /// <summary>torchvision's <c>LayerNorm2d</c>: channels-last, layer norm over the channels, channels-first again.</summary>
    private static void LayerNorm2d(NetworkBuilder b, string name) =>
        b.Transpose($"{name}.permute", [1, 2, 0]).LayerNorm(name, 2).Transpose($"{name}.unpermute", [2, 0, 1]);
}
