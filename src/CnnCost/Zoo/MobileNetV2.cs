using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// MobileNetV2 (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks", 2018) in the
/// torchvision layout, width 1.0, 3x224x224, PyTorch rounding: a 3x3/2 convolution of 32, seventeen inverted
/// residual blocks (1x1 expansion by t, 3x3 depthwise convolution, linear 1x1 projection; a residual add when
/// stride is 1 and channels match), a 1x1 convolution of 1280, global average pooling, dropout 0.2 and a
/// 1000-way fully-connected layer. Convolutions have no biases and are followed by batch norm; ReLU6 after
/// all but the projections. 3,504,872 parameters.
/// </summary>
public static class MobileNetV2
{
    /// <summary>The zoo name, <c>mobilenet_v2</c>.</summary>
    public const string Name = "mobilenet_v2";

    // Table 2 of the paper: expansion t, output channels c, repeats n, first stride s.
    private static readonly (int T, int C, int N, int S)[] Settings =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    /// <summary>Builds MobileNetV2.</summary>
    /// <returns>The network.</returns>
    public static Network Create()
    {
        var b = new NetworkBuilder(Name, Conventions.PyTorch).Input(3, 224, 224);
        ConvBnRelu6(b, "features.0", 32, 3, 2, 1);
        var channels = 32;
        var index = 1;
        foreach (var (t, c, n, s) in Settings)
        {
            for (var i = 0; i < n; i++, index++)
            {
                var prefix = $"features.{index}";
                var entry = b.Last!;
                var hidden = channels * t;
                if (t != 1)
                {
                    ConvBnRelu6(b, $"{prefix}.expand", hidden, 1, 1, 1);
                }

                ConvBnRelu6(b, $"{prefix}.depthwise", hidden, 3, i == 0 ? s : 1, hidden);
                b.Convolution($"{prefix}.project", c, 1, bias: false).BatchNorm($"{prefix}.project_bn");
                if (i > 0 && channels == c)
                {
                    b.Sum($"{prefix}.add", entry, b.Last!);
                }

                channels = c;
            }
        }

        ConvBnRelu6(b, $"features.{index}", 1280, 1, 1, 1);
        return b.GlobalPool("avgpool").Dropout(0.2, "dropout").FullyConnected("classifier", 1000).Build();
    }

    private static void ConvBnRelu6(NetworkBuilder b, string prefix, int filters, int kernel, int stride, int groups) =>
        b.Convolution($"{prefix}.conv", filters, kernel, stride: stride, pad: (kernel - 1) / 2, groups: groups, bias: false)
            .BatchNorm($"{prefix}.bn")
            .Activation(ActivationFunction.ReLU6, $"{prefix}.relu6");
}
