using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// ShuffleNet V2 1.0x (Ma, Zhang, Zheng and Sun, "ShuffleNet V2: Practical Guidelines for Efficient CNN
/// Architecture Design", 2018) in the torchvision 0.14 layout, 3x224x224: a 3x3/2 convolution of 24 and a 3x3/2
/// max pool, three stages of 4, 8 and 4 units of 116, 232 and 464 channels, a 1x1 convolution of 1024, a mean over
/// height and width (PyTorch's <c>x.mean([2, 3])</c>) and a 1000-way linear layer. A unit of stride 1 splits its
/// channels in two halves (two slices), passes the first through and sends the second through a 1x1 convolution,
/// a depthwise 3x3 and a 1x1 convolution; a unit of stride 2 sends its whole input down two branches (a depthwise
/// 3x3/2 then 1x1; 1x1, depthwise 3x3/2, 1x1). The halves are concatenated and shuffled: a reshape to 2 groups, a
/// transpose of the groups with the channels of each, and a reshape back. Convolutions have no biases and are
/// followed by batch norm; ReLU after the 1x1 convolutions. 2,278,604 parameters.
/// </summary>
public static class ShuffleNetV2
{
    /// <summary>The zoo name, <c>shufflenet_v2_x1_0</c>.</summary>
    public const string X10Name = "shufflenet_v2_x1_0";

    private static readonly (int Repeats, int Channels)[] Stages = [(4, 116), (8, 232), (4, 464)];

    /// <summary>Builds ShuffleNet V2 1.0x.</summary>
    /// <returns>The network.</returns>
    public static Network X10()
    {
        var b = new NetworkBuilder(X10Name, Conventions.PyTorch).Input(3, 224, 224)
            .Convolution("conv1.0", 24, 3, stride: 2, pad: 1, bias: false).BatchNorm("conv1.1").ReLU("conv1.2")
            .MaxPool("maxpool", 3, 2, pad: 1);
        var channels = 24;
        // The builder infers no shapes, and the shuffle's reshapes name the height and width as torchvision's
        // view(b, 2, c/2, h, w) does: 224 halves to 112 (conv1) and 56 (maxpool), then at each unit of stride 2.
        var size = 56;
        for (var stage = 0; stage < Stages.Length; stage++)
        {
            var (repeats, outChannels) = Stages[stage];
            for (var i = 0; i < repeats; i++)
            {
                var stride = i == 0 ? 2 : 1;
                size = (size + 2 - 3) / stride + 1;   // the 3x3 depthwise convolution, padding 1
                Unit(b, $"stage{stage + 2}.{i}", channels, outChannels, stride, size);
                channels = outChannels;
            }
        }

        return b.Convolution("conv5.0", 1024, 1, bias: false).BatchNorm("conv5.1").ReLU("conv5.2")
            .Reduce("mean", ReductionOperation.Mean, [1, 2])
            .FullyConnected("fc", 1000)
            .Build();
    }

    /// <summary>One unit of <paramref name="outChannels"/> at <paramref name="size"/> x <paramref name="size"/> after its stride.</summary>
    private static void Unit(NetworkBuilder b, string prefix, int inChannels, int outChannels, int stride, int size)
    {
        var entry = b.Last!;
        var half = outChannels / 2;
        string passed, branch2Input;
        if (stride == 1)
        {
            // x.chunk(2, dim=1): the first half passes through, the second goes down branch2.
            passed = b.Slice($"{prefix}.chunk.0", 0, 0, half, from: entry).Last!;
            branch2Input = b.Slice($"{prefix}.chunk.1", 0, half, outChannels, from: entry).Last!;
        }
        else
        {
            passed = b.Convolution($"{prefix}.branch1.0", inChannels, 3, stride: stride, pad: 1, groups: inChannels, bias: false, from: entry)
                .BatchNorm($"{prefix}.branch1.1")
                .Convolution($"{prefix}.branch1.2", half, 1, bias: false).BatchNorm($"{prefix}.branch1.3").ReLU($"{prefix}.branch1.4")
                .Last!;
            branch2Input = entry;
        }

        b.Convolution($"{prefix}.branch2.0", half, 1, bias: false, from: branch2Input)
            .BatchNorm($"{prefix}.branch2.1").ReLU($"{prefix}.branch2.2")
            .Convolution($"{prefix}.branch2.3", half, 3, stride: stride, pad: 1, groups: half, bias: false).BatchNorm($"{prefix}.branch2.4")
            .Convolution($"{prefix}.branch2.5", half, 1, bias: false).BatchNorm($"{prefix}.branch2.6").ReLU($"{prefix}.branch2.7");
        b.Concat($"{prefix}.cat", passed, b.Last!)
            // channel_shuffle(out, 2): view as 2 x c/2 x h x w, swap the first two axes, view back as c x h x w.
            .Reshape($"{prefix}.shuffle.view", [2, half, size, size])
            .Transpose($"{prefix}.shuffle.transpose", [1, 0, 2, 3])
            .Reshape($"{prefix}.shuffle.flatten", [-1, size, size]);
    }
}
