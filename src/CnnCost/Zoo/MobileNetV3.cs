using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// MobileNetV3-Large (Howard et al., "Searching for MobileNetV3", 2019) in the torchvision 0.14 layout, width 1.0,
/// 3x224x224: a 3x3/2 convolution of 16 with hard swish, fifteen inverted residual blocks (a 1x1 expansion unless
/// the expanded width equals the input's, a depthwise k x k convolution, squeeze-and-excitation with ReLU and a hard
/// sigmoid gate where Table 1 marks it, a linear 1x1 projection; a residual add when the stride is 1 and the
/// channels match), a 1x1 convolution of 960 with hard swish, global average pooling, a 1280-wide linear layer with
/// hard swish, dropout 0.2 and a 1000-way linear layer. Convolutions have no biases and are followed by batch norm.
/// 5,483,032 parameters.
/// </summary>
public static class MobileNetV3
{
    /// <summary>The zoo name, <c>mobilenet_v3_large</c>.</summary>
    public const string LargeName = "mobilenet_v3_large";

    // Table 1 of the paper (torchvision's bneck_conf): kernel, expanded width, output channels, SE, hard swish, stride.
    private static readonly (int Kernel, int Expanded, int Channels, bool Se, bool HardSwish, int Stride)[] Blocks =
    [
        (3, 16, 16, false, false, 1), (3, 64, 24, false, false, 2), (3, 72, 24, false, false, 1),
        (5, 72, 40, true, false, 2), (5, 120, 40, true, false, 1), (5, 120, 40, true, false, 1),
        (3, 240, 80, false, true, 2), (3, 200, 80, false, true, 1), (3, 184, 80, false, true, 1),
        (3, 184, 80, false, true, 1), (3, 480, 112, true, true, 1), (3, 672, 112, true, true, 1),
        (5, 672, 160, true, true, 2), (5, 960, 160, true, true, 1), (5, 960, 160, true, true, 1),
    ];

    /// <summary>Builds MobileNetV3-Large.</summary>
    /// <returns>The network.</returns>
    public static Network Large()
    {
        var b = new NetworkBuilder(LargeName, Conventions.PyTorch).Input(3, 224, 224);
        ConvBnAct(b, "features.0", 16, 3, 2, 1, ActivationFunction.HardSwish);
        var channels = 16;
        for (var i = 0; i < Blocks.Length; i++)
        {
            var (kernel, expanded, outChannels, se, hardSwish, stride) = Blocks[i];
            var activation = hardSwish ? ActivationFunction.HardSwish : ActivationFunction.ReLU;
            var prefix = $"features.{i + 1}.block";
            var entry = b.Last!;
            var layer = 0;
            if (expanded != channels)
            {
                ConvBnAct(b, $"{prefix}.{layer++}", expanded, 1, 1, 1, activation);
            }

            ConvBnAct(b, $"{prefix}.{layer++}", expanded, kernel, stride, expanded, activation);
            if (se)
            {
                b.SqueezeExcitation($"{prefix}.{layer++}", expanded, MakeDivisible(expanded / 4), ActivationFunction.ReLU, ActivationFunction.HardSigmoid);
            }

            b.Convolution($"{prefix}.{layer}.0", outChannels, 1, bias: false).BatchNorm($"{prefix}.{layer}.1");
            if (stride == 1 && channels == outChannels)
            {
                b.Sum($"features.{i + 1}.add", entry, b.Last!);
            }

            channels = outChannels;
        }

        ConvBnAct(b, $"features.{Blocks.Length + 1}", 6 * channels, 1, 1, 1, ActivationFunction.HardSwish);
        return b.GlobalPool("avgpool").Flatten("flatten")
            .FullyConnected("classifier.0", 1280).Activation(ActivationFunction.HardSwish, "classifier.1")
            .Dropout(0.2, "classifier.2").FullyConnected("classifier.3", 1000)
            .Build();
    }

    /// <summary>
    /// torchvision's <c>_make_divisible(v, 8)</c>: the nearest multiple of 8, at least 8, and never below 90% of
    /// <paramref name="value"/>.
    /// </summary>
    internal static int MakeDivisible(int value, int divisor = 8)
    {
        var rounded = Math.Max(divisor, (value + divisor / 2) / divisor * divisor);
        return 10 * rounded < 9 * value ? rounded + divisor : rounded;
    }

    private static void ConvBnAct(NetworkBuilder b, string prefix, int filters, int kernel, int stride, int groups, ActivationFunction activation) =>
        b.Convolution($"{prefix}.0", filters, kernel, stride: stride, pad: (kernel - 1) / 2, groups: groups, bias: false)
            .BatchNorm($"{prefix}.1")
            .Activation(activation, $"{prefix}.2");
}
