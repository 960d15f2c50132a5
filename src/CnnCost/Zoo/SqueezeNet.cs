using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// SqueezeNet (Iandola et al. 2016; dissertation chapter 5) as released in Caffe. v1.0 follows Table 5.1:
/// conv1 96 7x7/2, max pools after conv1, fire4 and fire8, Fire modules fire2-fire9, dropout, conv10 with 1000
/// filters and global average pooling: 1,248,424 parameters with biases. Its input is 3x227x227, as the released
/// model has it; Table 5.1 says 224x224, but its conv1 output of 111x111 needs 227 (an erratum CnnCost reports).
/// v1.1 (the released "2.4x less computation" variant): conv1 64 3x3/2 and max pools after conv1, fire3 and fire5.
/// </summary>
public static class SqueezeNet
{
    /// <summary>The zoo name of v1.0, <c>squeezenet1_0</c>.</summary>
    public const string Version10Name = "squeezenet1_0";

    /// <summary>The zoo name of v1.1, <c>squeezenet1_1</c>.</summary>
    public const string Version11Name = "squeezenet1_1";

    /// <summary>Builds SqueezeNet v1.0 (Table 5.1).</summary>
    /// <returns>The network.</returns>
    public static Network Version10() =>
        new NetworkBuilder(Version10Name, Conventions.Caffe)
            .Input(3, 227, 227)
            .Convolution("conv1", 96, 7, stride: 2).ReLU("relu_conv1")
            .MaxPool("pool1", 3, 2)
            .Fire("fire2", 16, 64, 64)
            .Fire("fire3", 16, 64, 64)
            .Fire("fire4", 32, 128, 128)
            .MaxPool("pool4", 3, 2)
            .Fire("fire5", 32, 128, 128)
            .Fire("fire6", 48, 192, 192)
            .Fire("fire7", 48, 192, 192)
            .Fire("fire8", 64, 256, 256)
            .MaxPool("pool8", 3, 2)
            .Fire("fire9", 64, 256, 256)
            .Dropout(0.5, "drop9")
            .Convolution("conv10", 1000, 1).ReLU("relu_conv10")
            .GlobalPool("pool10")
            .Softmax("prob")
            .Build();

    /// <summary>Builds SqueezeNet v1.1.</summary>
    /// <returns>The network.</returns>
    public static Network Version11() =>
        new NetworkBuilder(Version11Name, Conventions.Caffe)
            .Input(3, 227, 227)
            .Convolution("conv1", 64, 3, stride: 2).ReLU("relu_conv1")
            .MaxPool("pool1", 3, 2)
            .Fire("fire2", 16, 64, 64)
            .Fire("fire3", 16, 64, 64)
            .MaxPool("pool3", 3, 2)
            .Fire("fire4", 32, 128, 128)
            .Fire("fire5", 32, 128, 128)
            .MaxPool("pool5", 3, 2)
            .Fire("fire6", 48, 192, 192)
            .Fire("fire7", 48, 192, 192)
            .Fire("fire8", 64, 256, 256)
            .Fire("fire9", 64, 256, 256)
            .Dropout(0.5, "drop9")
            .Convolution("conv10", 1000, 1).ReLU("relu_conv10")
            .GlobalPool("pool10")
            .Softmax("prob")
            .Build();
}
