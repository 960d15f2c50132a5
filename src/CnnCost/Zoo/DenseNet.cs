using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// DenseNet-121 (Huang, Liu, van der Maaten and Weinberger, "Densely Connected Convolutional Networks", 2017) in
/// the torchvision 0.14 layout, 3x224x224: a 7x7/2 convolution of 64 with batch norm and ReLU, a 3x3/2 max pool
/// with padding 1, four dense blocks of 6, 12, 24 and 16 layers with growth rate 32, a transition between blocks
/// (batch norm, ReLU, a 1x1 convolution halving the channels, 2x2/2 average pooling), a final batch norm and ReLU,
/// global average pooling and a 1000-way linear layer. Each dense layer concatenates every earlier output of its
/// block (the first concatenates one), then batch norm, ReLU, a 1x1 convolution of 128, batch norm, ReLU and a 3x3
/// convolution of 32; the block ends with the concatenation of all of them. Convolutions have no biases.
/// 7,978,856 parameters.
/// </summary>
public static class DenseNet
{
    /// <summary>The zoo name, <c>densenet121</c>.</summary>
    public const string DenseNet121Name = "densenet121";

    private const int GrowthRate = 32;
    private const int BottleneckWidth = 4 * GrowthRate;

    /// <summary>Builds DenseNet-121.</summary>
    /// <returns>The network.</returns>
    public static Network DenseNet121()
    {
        int[] blocks = [6, 12, 24, 16];
        var b = new NetworkBuilder(DenseNet121Name, Conventions.PyTorch).Input(3, 224, 224)
            .Convolution("features.conv0", 64, 7, stride: 2, pad: 3, bias: false).BatchNorm("features.norm0").ReLU("features.relu0")
            .MaxPool("features.pool0", 3, 2, pad: 1);
        var channels = 64;
        for (var block = 0; block < blocks.Length; block++)
        {
            var prefix = $"features.denseblock{block + 1}";
            List<string> features = [b.Last!];
            for (var layer = 0; layer < blocks[block]; layer++)
            {
                var name = $"{prefix}.denselayer{layer + 1}";
                b.Concat($"{name}.cat", [.. features])
                    .BatchNorm($"{name}.norm1").ReLU($"{name}.relu1").Convolution($"{name}.conv1", BottleneckWidth, 1, bias: false)
                    .BatchNorm($"{name}.norm2").ReLU($"{name}.relu2").Convolution($"{name}.conv2", GrowthRate, 3, pad: 1, bias: false);
                features.Add(b.Last!);
            }

            b.Concat($"{prefix}.cat", [.. features]);
            channels += blocks[block] * GrowthRate;
            if (block < blocks.Length - 1)
            {
                channels /= 2;
                var transition = $"features.transition{block + 1}";
                b.BatchNorm($"{transition}.norm").ReLU($"{transition}.relu").Convolution($"{transition}.conv", channels, 1, bias: false)
                    .AveragePool($"{transition}.pool", 2, 2);
            }
        }

        return b.BatchNorm("features.norm5").ReLU("relu")
            .GlobalPool("avgpool").Flatten("flatten").FullyConnected("classifier", 1000)
            .Build();
    }
}
