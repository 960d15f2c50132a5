using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// The VGG networks of Simonyan and Zisserman (2015), configurations A, B, D and E (VGG-11, -13, -16, -19):
/// 3x224x224 input, 3x3 convolutions with stride 1 and padding 1 in five blocks, each ended by a 2x2 max
/// pool with stride 2, then fully-connected layers of 4096, 4096 and 1000 outputs with dropout, and a
/// softmax. Layers are named as in the released Caffe models (<c>conv3_2</c>, <c>pool3</c>, <c>fc6</c>).
/// </summary>
public static class Vgg
{
    /// <summary>Builds a VGG network from its convolution counts per block.</summary>
    /// <param name="name">The network's name.</param>
    /// <param name="convolutionsPerBlock">How many 3x3 convolutions each of the five blocks has.</param>
    /// <returns>The network.</returns>
    /// <exception cref="ArgumentException">Not exactly five blocks.</exception>
    public static Network Create(string name, IReadOnlyList<int> convolutionsPerBlock)
    {
        ArgumentNullException.ThrowIfNull(convolutionsPerBlock);
        if (convolutionsPerBlock.Count != 5)
        {
            throw new ArgumentException("VGG has five blocks", nameof(convolutionsPerBlock));
        }

        int[] filtersPerBlock = [64, 128, 256, 512, 512];
        var b = new NetworkBuilder(name, Conventions.Caffe).Input(3, 224, 224);
        for (var block = 1; block <= 5; block++)
        {
            for (var conv = 1; conv <= convolutionsPerBlock[block - 1]; conv++)
            {
                b.Convolution($"conv{block}_{conv}", filtersPerBlock[block - 1], 3, pad: 1).ReLU($"relu{block}_{conv}");
            }

            b.MaxPool($"pool{block}", 2, 2);
        }

        return b.FullyConnected("fc6", 4096).ReLU("relu6").Dropout(0.5, "drop6")
            .FullyConnected("fc7", 4096).ReLU("relu7").Dropout(0.5, "drop7")
            .FullyConnected("fc8", 1000)
            .Softmax("prob")
            .Build();
    }

    /// <summary>Configuration A: 8 convolutions and 3 fully-connected layers.</summary>
    /// <returns>The network.</returns>
    public static Network Vgg11() => Create("vgg11", [1, 1, 2, 2, 2]);

    /// <summary>Configuration B: 10 convolutions and 3 fully-connected layers.</summary>
    /// <returns>The network.</returns>
    public static Network Vgg13() => Create("vgg13", [2, 2, 2, 2, 2]);

    /// <summary>Configuration D: 13 convolutions and 3 fully-connected layers.</summary>
    /// <returns>The network.</returns>
    public static Network Vgg16() => Create("vgg16", [2, 2, 3, 3, 3]);

    /// <summary>Configuration E: 16 convolutions and 3 fully-connected layers.</summary>
    /// <returns>The network.</returns>
    public static Network Vgg19() => Create("vgg19", [2, 2, 4, 4, 4]);
}
