using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// RegNetY-400MF (Radosavovic et al., "Designing Network Design Spaces", 2020) in the torchvision 0.14 layout,
/// 3x224x224: a 3x3/2 convolution of 32 with batch norm and ReLU, four stages of 1, 3, 6 and 6 residual bottleneck
/// blocks of 48, 104, 208 and 440 channels (each stage's first block strides 2 and projects its bypass with a strided
/// 1x1 convolution and batch norm), global average pooling and a 1000-way linear layer. A block is a 1x1
/// convolution, a 3x3 group convolution with 8 channels per group, squeeze-and-excitation to a quarter of the
/// block's input channels (ReLU, sigmoid gate), a 1x1 convolution, the add and a ReLU. Convolutions have no biases
/// (but the excitation's) and are followed by batch norm. 4,344,144 parameters.
/// </summary>
public static class RegNet
{
    /// <summary>The zoo name, <c>regnet_y_400mf</c>.</summary>
    public const string Y400MFName = "regnet_y_400mf";

    private const int GroupWidth = 8;

    // The stages torchvision's BlockParams.from_init_params derives from depth 16, w_0 48, w_a 27.89, w_m 2.09
    // (quantized to multiples of 8): widths and depths.
    private static readonly (int Width, int Depth)[] Stages = [(48, 1), (104, 3), (208, 6), (440, 6)];

    /// <summary>Builds RegNetY-400MF.</summary>
    /// <returns>The network.</returns>
    public static Network Y400MF()
    {
        var b = new NetworkBuilder(Y400MFName, Conventions.PyTorch).Input(3, 224, 224)
            .Convolution("stem.0", 32, 3, stride: 2, pad: 1, bias: false).BatchNorm("stem.1").ReLU("stem.2");
        var channels = 32;
        for (var stage = 0; stage < Stages.Length; stage++)
        {
            var (width, depth) = Stages[stage];
            for (var i = 0; i < depth; i++)
            {
                Block(b, $"trunk_output.block{stage + 1}.block{stage + 1}-{i}", channels, width, i == 0 ? 2 : 1);
                channels = width;
            }
        }

        return b.GlobalPool("avgpool").Flatten("flatten").FullyConnected("fc", 1000).Build();
    }

    private static void Block(NetworkBuilder b, string prefix, int inChannels, int width, int stride)
    {
        var entry = b.Last!;
        var shortcut = entry;
        if (stride != 1 || inChannels != width)
        {
            shortcut = b.Convolution($"{prefix}.proj.0", width, 1, stride: stride, bias: false, from: entry).BatchNorm($"{prefix}.proj.1").Last!;
        }

        b.Convolution($"{prefix}.f.a.0", width, 1, bias: false, from: entry).BatchNorm($"{prefix}.f.a.1").ReLU($"{prefix}.f.a.2")
            .Convolution($"{prefix}.f.b.0", width, 3, stride: stride, pad: 1, groups: width / GroupWidth, bias: false)
            .BatchNorm($"{prefix}.f.b.1").ReLU($"{prefix}.f.b.2")
            // The squeeze is a quarter of the block's input channels (se_ratio 0.25 of width_in), rounded.
            .SqueezeExcitation($"{prefix}.f.se", width, (int)Math.Round(0.25 * inChannels, MidpointRounding.ToEven))
            .Convolution($"{prefix}.f.c.0", width, 1, bias: false).BatchNorm($"{prefix}.f.c.1");
        b.Sum($"{prefix}.add", shortcut, b.Last!).ReLU($"{prefix}.activation");
    }
}
