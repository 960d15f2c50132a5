using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// GoogLeNet (Szegedy et al., "Going Deeper with Convolutions", 2015) as Caffe's BVLC model
/// <c>bvlc_googlenet</c> deploys it: 3x224x224 input, a 7x7/2 stem with LRN, nine Inception modules, 7x7
/// average pooling, dropout 0.4 and a 1000-way classifier. The two auxiliary classifiers of training
/// (after inception_4a and inception_4d: 5x5/3 average pool, 1x1 convolution of 128, fully connected 1024,
/// dropout 0.7, fully connected 1000) are optional.
/// </summary>
public static class GoogLeNet
{
    /// <summary>The zoo name, <c>googlenet</c>.</summary>
    public const string Name = "googlenet";

    /// <summary>Builds GoogLeNet.</summary>
    /// <param name="auxiliaryClassifiers">Whether to include the two training-time auxiliary classifiers.</param>
    /// <returns>The network.</returns>
    public static Network Create(bool auxiliaryClassifiers = false)
    {
        var b = new NetworkBuilder(Name, Conventions.Caffe)
            .Input(3, 224, 224)
            .Convolution("conv1/7x7_s2", 64, 7, stride: 2, pad: 3).ReLU("conv1/relu_7x7")
            .MaxPool("pool1/3x3_s2", 3, 2)
            .Lrn("pool1/norm1", 5)
            .Convolution("conv2/3x3_reduce", 64, 1).ReLU("conv2/relu_3x3_reduce")
            .Convolution("conv2/3x3", 192, 3, pad: 1).ReLU("conv2/relu_3x3")
            .Lrn("conv2/norm2", 5)
            .MaxPool("pool2/3x3_s2", 3, 2)
            .Inception("inception_3a", 64, 96, 128, 16, 32, 32)
            .Inception("inception_3b", 128, 128, 192, 32, 96, 64)
            .MaxPool("pool3/3x3_s2", 3, 2)
            .Inception("inception_4a", 192, 96, 208, 16, 48, 64);
        if (auxiliaryClassifiers)
        {
            Auxiliary(b, "loss1", "inception_4a/output");
        }

        b.Inception("inception_4b", 160, 112, 224, 24, 64, 64, from: "inception_4a/output")
            .Inception("inception_4c", 128, 128, 256, 24, 64, 64)
            .Inception("inception_4d", 112, 144, 288, 32, 64, 64);
        if (auxiliaryClassifiers)
        {
            Auxiliary(b, "loss2", "inception_4d/output");
        }

        return b.Inception("inception_4e", 256, 160, 320, 32, 128, 128, from: "inception_4d/output")
            .MaxPool("pool4/3x3_s2", 3, 2)
            .Inception("inception_5a", 256, 160, 320, 32, 128, 128)
            .Inception("inception_5b", 384, 192, 384, 48, 128, 128)
            .AveragePool("pool5/7x7_s1", 7, 1)
            .Dropout(0.4, "pool5/drop_7x7_s1")
            .FullyConnected("loss3/classifier", 1000)
            .Softmax("prob")
            .Build();
    }

    private static void Auxiliary(NetworkBuilder b, string prefix, string from) =>
        b.AveragePool($"{prefix}/ave_pool", 5, 3, from: from)
            .Convolution($"{prefix}/conv", 128, 1).ReLU($"{prefix}/relu_conv")
            .FullyConnected($"{prefix}/fc", 1024).ReLU($"{prefix}/relu_fc")
            .Dropout(0.7, $"{prefix}/drop_fc")
            .FullyConnected($"{prefix}/classifier", 1000);
}
