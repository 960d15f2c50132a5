using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// Residual networks (He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", 2016) in the
/// torchvision layout, under PyTorch rounding: a 7x7/2 convolution of 64 with batch norm and ReLU, a 3x3/2 max
/// pool with padding 1, four stages of residual blocks (the first block of stages 2-4 downsamples with stride 2
/// and a 1x1 projection with batch norm on the bypass), global average pooling and a 1000-way fully-connected
/// layer. Convolutions have no biases; batch norm has a scale and a shift per channel. ResNet-18 uses basic
/// blocks (two 3x3 convolutions), ResNet-50 bottlenecks (1x1, 3x3, 1x1 with four-fold expansion).
/// </summary>
public static class ResNet
{
    /// <summary>Builds ResNet-18 (basic blocks 2, 2, 2, 2): 11,689,512 parameters.</summary>
    /// <returns>The network.</returns>
    public static Network ResNet18() => Create("resnet18", [2, 2, 2, 2], bottleneck: false);

    /// <summary>Builds ResNet-50 (bottlenecks 3, 4, 6, 3): 25,557,032 parameters.</summary>
    /// <returns>The network.</returns>
    public static Network ResNet50() => Create("resnet50", [3, 4, 6, 3], bottleneck: true);

    private static Network Create(string name, int[] blocksPerStage, bool bottleneck)
    {
        var b = new NetworkBuilder(name, Conventions.PyTorch)
            .Input(3, 224, 224)
            .Convolution("conv1", 64, 7, stride: 2, pad: 3, bias: false).BatchNorm("bn1").ReLU("relu")
            .MaxPool("maxpool", 3, 2, pad: 1);
        var channels = 64;
        for (var stage = 0; stage < blocksPerStage.Length; stage++)
        {
            var width = 64 << stage;
            for (var block = 0; block < blocksPerStage[stage]; block++)
            {
                var stride = stage > 0 && block == 0 ? 2 : 1;
                channels = bottleneck
                    ? Bottleneck(b, $"layer{stage + 1}.{block}", channels, width, stride)
                    : Basic(b, $"layer{stage + 1}.{block}", channels, width, stride);
            }
        }

        return b.GlobalPool("avgpool").FullyConnected("fc", 1000).Build();
    }

    private static int Basic(NetworkBuilder b, string prefix, int inChannels, int width, int stride)
    {
        var entry = b.Last!;
        b.Convolution($"{prefix}.conv1", width, 3, stride: stride, pad: 1, bias: false).BatchNorm($"{prefix}.bn1").ReLU($"{prefix}.relu1")
            .Convolution($"{prefix}.conv2", width, 3, pad: 1, bias: false).BatchNorm($"{prefix}.bn2");
        Join(b, prefix, entry, inChannels, width, stride);
        return width;
    }

    private static int Bottleneck(NetworkBuilder b, string prefix, int inChannels, int width, int stride)
    {
        var entry = b.Last!;
        var outChannels = 4 * width;
        b.Convolution($"{prefix}.conv1", width, 1, bias: false).BatchNorm($"{prefix}.bn1").ReLU($"{prefix}.relu1")
            .Convolution($"{prefix}.conv2", width, 3, stride: stride, pad: 1, bias: false).BatchNorm($"{prefix}.bn2").ReLU($"{prefix}.relu2")
            .Convolution($"{prefix}.conv3", outChannels, 1, bias: false).BatchNorm($"{prefix}.bn3");
        Join(b, prefix, entry, inChannels, outChannels, stride);
        return outChannels;
    }

    /// <summary>Adds the bypass: the identity, or a strided 1x1 projection with batch norm when the shape changes.</summary>
    private static void Join(NetworkBuilder b, string prefix, string entry, int inChannels, int outChannels, int stride)
    {
        var residual = b.Last!;
        var shortcut = entry;
        if (stride != 1 || inChannels != outChannels)
        {
            b.Convolution($"{prefix}.downsample.0", outChannels, 1, stride: stride, bias: false, from: entry)
                .BatchNorm($"{prefix}.downsample.1");
            shortcut = b.Last!;
        }

        b.Sum($"{prefix}.add", residual, shortcut).ReLU($"{prefix}.relu");
    }
}
