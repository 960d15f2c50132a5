using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// AlexNet (Krizhevsky, Sutskever and Hinton, 2012) as Caffe's BVLC reference model <c>bvlc_alexnet</c>
/// deploys it: 3x227x227 input, LRN after conv1 and conv2 (before their pools), two channel groups in conv2,
/// conv4 and conv5, three fully-connected layers and a softmax. 60,965,224 parameters with biases.
/// </summary>
public static class AlexNet
{
    /// <summary>The zoo name, <c>alexnet</c>.</summary>
    public const string Name = "alexnet";

    /// <summary>Builds AlexNet.</summary>
    /// <returns>The network.</returns>
    public static Network Create() => Create(Name, groups: 2);

    /// <summary>
    /// AlexNet with no channel groups (one tower: conv2, conv4 and conv5 see all their input channels), as a single
    /// GPU can hold it (Krizhevsky 2014): 62,378,344 parameters. Table 3.1's AlexNet row (249 MB, 7.0 TF) follows it.
    /// </summary>
    /// <returns>The network, named <c>alexnet_ungrouped</c>.</returns>
    public static Network Ungrouped() => Create("alexnet_ungrouped", groups: 1);

    private static Network Create(string name, int groups) =>
        new NetworkBuilder(name, Conventions.Caffe)
            .Input(3, 227, 227)
            .Convolution("conv1", 96, 11, stride: 4).ReLU("relu1")
            .Lrn("norm1", 5)
            .MaxPool("pool1", 3, 2)
            .Convolution("conv2", 256, 5, pad: 2, groups: groups).ReLU("relu2")
            .Lrn("norm2", 5)
            .MaxPool("pool2", 3, 2)
            .Convolution("conv3", 384, 3, pad: 1).ReLU("relu3")
            .Convolution("conv4", 384, 3, pad: 1, groups: groups).ReLU("relu4")
            .Convolution("conv5", 256, 3, pad: 1, groups: groups).ReLU("relu5")
            .MaxPool("pool5", 3, 2)
            .FullyConnected("fc6", 4096).ReLU("relu6").Dropout(0.5, "drop6")
            .FullyConnected("fc7", 4096).ReLU("relu7").Dropout(0.5, "drop7")
            .FullyConnected("fc8", 1000)
            .Softmax("prob")
            .Build();
}
