using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// Network-in-Network (Lin, Chen and Yan, 2014) as dimensioned in the dissertation's Table 4.2: twelve
/// convolutions, max pools after conv3, conv6 and conv9, and global average pooling after conv12, on a
/// 3x227x227 input under Caffe's rounding. ReLU follows every convolution and dropout follows conv10
/// (4.5.1). The paddings are not in the table; they are the ones that reproduce its output sizes
/// (cost-model.md §3). The network ends at pool12, as the table does.
/// </summary>
public static class NetworkInNetwork
{
    /// <summary>The zoo name, <c>nin</c>.</summary>
    public const string Name = "nin";

    /// <summary>Builds NiN per Table 4.2.</summary>
    /// <returns>The network.</returns>
    public static Network Create()
    {
        var b = new NetworkBuilder(Name, Conventions.Caffe).Input(3, 227, 227);
        Conv(b, 1, 96, 11, 4, 0);
        Conv(b, 2, 96, 1, 1, 0);
        Conv(b, 3, 96, 1, 1, 0);
        b.MaxPool("pool3", kernel: 3, stride: 2);
        Conv(b, 4, 256, 5, 1, 2);
        Conv(b, 5, 256, 1, 1, 0);
        Conv(b, 6, 256, 1, 1, 0);
        b.MaxPool("pool6", kernel: 3, stride: 2);
        Conv(b, 7, 384, 3, 1, 1);
        Conv(b, 8, 384, 1, 1, 0);
        Conv(b, 9, 384, 1, 1, 0);
        b.MaxPool("pool9", kernel: 3, stride: 2);
        Conv(b, 10, 1024, 3, 1, 1);
        b.Dropout(0.5, "drop10");
        Conv(b, 11, 1024, 1, 1, 0);
        Conv(b, 12, 1000, 1, 1, 0);
        b.GlobalPool("pool12");
        return b.Build();
    }

    private static void Conv(NetworkBuilder b, int index, int filters, int kernel, int stride, int pad) =>
        b.Convolution($"conv{index}", filters, kernel, stride, pad).ReLU($"relu{index}");
}
