using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// LeNet as Caffe's MNIST example defines it (<c>examples/mnist/lenet.prototxt</c>, after LeCun et al. 1998):
/// 1x28x28 input, conv1 20 5x5, 2x2 max pool, conv2 50 5x5, 2x2 max pool, ip1 500 with ReLU, ip2 10, softmax.
/// Caffe's LeNet has no ReLU after its convolutions. 431,080 parameters with biases.
/// </summary>
public static class LeNet
{
    /// <summary>The zoo name, <c>lenet</c>.</summary>
    public const string Name = "lenet";

    /// <summary>Builds LeNet.</summary>
    /// <returns>The network.</returns>
    public static Network Create() =>
        new NetworkBuilder(Name, Conventions.Caffe)
            .Input(1, 28, 28)
            .Convolution("conv1", 20, 5)
            .MaxPool("pool1", 2, 2)
            .Convolution("conv2", 50, 5)
            .MaxPool("pool2", 2, 2)
            .FullyConnected("ip1", 500).ReLU("relu1")
            .FullyConnected("ip2", 10)
            .Softmax("prob")
            .Build();
}
