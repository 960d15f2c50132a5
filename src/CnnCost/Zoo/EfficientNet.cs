using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// EfficientNet-B0 (Tan and Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", 2019)
/// in the torchvision 0.14 layout, 3x224x224: a 3x3/2 convolution of 32, sixteen MBConv blocks (a 1x1 expansion by
/// the ratio unless it is 1, a depthwise k x k convolution, squeeze-and-excitation to a quarter of the block's input
/// channels with SiLU and a sigmoid gate, a linear 1x1 projection; a residual add when the stride is 1 and the
/// channels match), a 1x1 convolution of 1280, global average pooling, dropout 0.2 and a 1000-way linear layer.
/// Convolutions have no biases and are followed by batch norm; SiLU after all but the projections. Stochastic depth
/// is an identity at inference. 5,288,548 parameters.
/// </summary>
public static class EfficientNet
{
    /// <summary>The zoo name, <c>efficientnet_b0</c>.</summary>
    public const string B0Name = "efficientnet_b0";

    // Table 1 of the paper (torchvision's MBConvConfig list): expansion, kernel, first stride, output channels, repeats.
    private static readonly (int Expand, int Kernel, int Stride, int Channels, int Repeats)[] Stages =
        [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3), (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)];

    /// <summary>Builds EfficientNet-B0.</summary>
    /// <returns>The network.</returns>
    public static Network B0()
    {
        var b = new NetworkBuilder(B0Name, Conventions.PyTorch).Input(3, 224, 224);
        ConvBnSilu(b, "features.0", 32, 3, 2, 1);
        var channels = 32;
        for (var stage = 0; stage < Stages.Length; stage++)
        {
            var (expand, kernel, stride, outChannels, repeats) = Stages[stage];
            for (var i = 0; i < repeats; i++)
            {
                var prefix = $"features.{stage + 1}.{i}.block";
                var entry = b.Last!;
                var hidden = channels * expand;
                var layer = 0;
                if (expand != 1)
                {
                    ConvBnSilu(b, $"{prefix}.{layer++}", hidden, 1, 1, 1);
                }

                ConvBnSilu(b, $"{prefix}.{layer++}", hidden, kernel, i == 0 ? stride : 1, hidden);
                // The squeeze is a quarter of the block's input channels, not of the expanded ones.
                b.SqueezeExcitation($"{prefix}.{layer++}", hidden, Math.Max(1, channels / 4), ActivationFunction.SiLU);
                b.Convolution($"{prefix}.{layer}.0", outChannels, 1, bias: false).BatchNorm($"{prefix}.{layer}.1");
                if (i > 0 || (stride == 1 && channels == outChannels))
                {
                    b.Sum($"features.{stage + 1}.{i}.add", entry, b.Last!);
                }

                channels = outChannels;
            }
        }

        ConvBnSilu(b, "features.8", 4 * 320, 1, 1, 1);
        return b.GlobalPool("avgpool").Flatten("flatten").Dropout(0.2, "classifier.0").FullyConnected("classifier.1", 1000).Build();
    }

    private static void ConvBnSilu(NetworkBuilder b, string prefix, int filters, int kernel, int stride, int groups) =>
        b.Convolution($"{prefix}.0", filters, kernel, stride: stride, pad: (kernel - 1) / 2, groups: groups, bias: false)
            .BatchNorm($"{prefix}.1")
            .Activation(ActivationFunction.SiLU, $"{prefix}.2");
}
