using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// VGG_F, the "fast" CNN-F of Chatfield, Simonyan, Vedaldi and Zisserman ("Return of the Devil in the
/// Details", 2014) as in its Caffe model-zoo deploy file: 3x224x224 input; conv1 64 11x11 stride 4 with
/// LRN and a 3x3/2 max pool; conv2 256 5x5 pad 2 with LRN and pool; conv3-conv5 256 3x3 pad 1; pool5;
/// fully-connected 4096, 4096, 1000; softmax.
/// </summary>
public static class VggF
{
    /// <summary>The zoo name, <c>vgg_f</c>.</summary>
    public const string Name = "vgg_f";

    /// <summary>Builds VGG_F.</summary>
    /// <returns>The network.</returns>
    public static Network Create() =>
        new NetworkBuilder(Name, Conventions.Caffe)
            .Input(3, 224, 224)
            .Convolution("conv1", 64, 11, stride: 4).ReLU("relu1")
            .Lrn("norm1", 5)
            .MaxPool("pool1", 3, 2)
            .Convolution("conv2", 256, 5, pad: 2).ReLU("relu2")
            .Lrn("norm2", 5)
            .MaxPool("pool2", 3, 2)
            .Convolution("conv3", 256, 3, pad: 1).ReLU("relu3")
            .Convolution("conv4", 256, 3, pad: 1).ReLU("relu4")
            .Convolution("conv5", 256, 3, pad: 1).ReLU("relu5")
            .MaxPool("pool5", 3, 2)
            .FullyConnected("fc6", 4096).ReLU("relu6").Dropout(0.5, "drop6")
            .FullyConnected("fc7", 4096).ReLU("relu7").Dropout(0.5, "drop7")
            .FullyConnected("fc8", 1000)
            .Softmax("prob")
            .Build();
}
