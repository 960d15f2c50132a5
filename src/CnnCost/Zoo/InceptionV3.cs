using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>
/// Inception-v3 (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", 2016) in the
/// torchvision 0.14 layout for inference, 3x299x299: five stem convolutions with two 3x3/2 max pools, three
/// InceptionA modules (5x5 and double 3x3 branches), InceptionB (grid reduction to 17x17), four InceptionC modules
/// (factorized 7x7: 1x7 and 7x1 convolutions), InceptionD (reduction to 8x8), two InceptionE modules (3x3 factorized
/// into parallel 1x3 and 3x1 whose outputs are concatenated), global average pooling, dropout 0.5 and a 1000-way
/// linear layer. Every convolution has no bias and is followed by batch norm and ReLU; average pools in the branches
/// are 3x3/1 with padding 1. The auxiliary classifier, which only training runs, is left out (torchvision's
/// <c>aux_logits=False</c>; with it the model has 3,326,696 more parameters). 23,834,568 parameters.
/// </summary>
public static class InceptionV3
{
    /// <summary>The zoo name, <c>inception_v3</c>.</summary>
    public const string Name = "inception_v3";

    /// <summary>Builds Inception-v3.</summary>
    /// <returns>The network.</returns>
    public static Network Create()
    {
        var b = new NetworkBuilder(Name, Conventions.PyTorch).Input(3, 299, 299);
        Conv(b, "Conv2d_1a_3x3", 32, 3, stride: 2);
        Conv(b, "Conv2d_2a_3x3", 32, 3);
        Conv(b, "Conv2d_2b_3x3", 64, 3, pad: 1);
        b.MaxPool("maxpool1", 3, 2);
        Conv(b, "Conv2d_3b_1x1", 80, 1);
        Conv(b, "Conv2d_4a_3x3", 192, 3);
        b.MaxPool("maxpool2", 3, 2);
        A(b, "Mixed_5b", 32);
        A(b, "Mixed_5c", 64);
        A(b, "Mixed_5d", 64);
        B(b, "Mixed_6a");
        C(b, "Mixed_6b", 128);
        C(b, "Mixed_6c", 160);
        C(b, "Mixed_6d", 160);
        C(b, "Mixed_6e", 192);
        D(b, "Mixed_7a");
        E(b, "Mixed_7b");
        E(b, "Mixed_7c");
        return b.GlobalPool("avgpool").Dropout(0.5, "dropout").Flatten("flatten").FullyConnected("fc", 1000).Build();
    }

    private static void A(NetworkBuilder b, string name, int poolFeatures)
    {
        var x = b.Last!;
        var branch1x1 = Conv(b, $"{name}.branch1x1", 64, 1, from: x);
        Conv(b, $"{name}.branch5x5_1", 48, 1, from: x);
        var branch5x5 = Conv(b, $"{name}.branch5x5_2", 64, 5, pad: 2);
        Conv(b, $"{name}.branch3x3dbl_1", 64, 1, from: x);
        Conv(b, $"{name}.branch3x3dbl_2", 96, 3, pad: 1);
        var branch3x3dbl = Conv(b, $"{name}.branch3x3dbl_3", 96, 3, pad: 1);
        b.AveragePool($"{name}.avg_pool", 3, 1, pad: 1, from: x);
        var branchPool = Conv(b, $"{name}.branch_pool", poolFeatures, 1);
        b.Concat($"{name}.cat", branch1x1, branch5x5, branch3x3dbl, branchPool);
    }

    private static void B(NetworkBuilder b, string name)
    {
        var x = b.Last!;
        var branch3x3 = Conv(b, $"{name}.branch3x3", 384, 3, stride: 2, from: x);
        Conv(b, $"{name}.branch3x3dbl_1", 64, 1, from: x);
        Conv(b, $"{name}.branch3x3dbl_2", 96, 3, pad: 1);
        var branch3x3dbl = Conv(b, $"{name}.branch3x3dbl_3", 96, 3, stride: 2);
        var branchPool = b.MaxPool($"{name}.max_pool", 3, 2, from: x).Last!;
        b.Concat($"{name}.cat", branch3x3, branch3x3dbl, branchPool);
    }

    private static void C(NetworkBuilder b, string name, int channels7x7)
    {
        var x = b.Last!;
        var branch1x1 = Conv(b, $"{name}.branch1x1", 192, 1, from: x);
        Conv(b, $"{name}.branch7x7_1", channels7x7, 1, from: x);
        Conv(b, $"{name}.branch7x7_2", channels7x7, new Size2(1, 7), pad: new Size2(0, 3));
        var branch7x7 = Conv(b, $"{name}.branch7x7_3", 192, new Size2(7, 1), pad: new Size2(3, 0));
        Conv(b, $"{name}.branch7x7dbl_1", channels7x7, 1, from: x);
        Conv(b, $"{name}.branch7x7dbl_2", channels7x7, new Size2(7, 1), pad: new Size2(3, 0));
        Conv(b, $"{name}.branch7x7dbl_3", channels7x7, new Size2(1, 7), pad: new Size2(0, 3));
        Conv(b, $"{name}.branch7x7dbl_4", channels7x7, new Size2(7, 1), pad: new Size2(3, 0));
        var branch7x7dbl = Conv(b, $"{name}.branch7x7dbl_5", 192, new Size2(1, 7), pad: new Size2(0, 3));
        b.AveragePool($"{name}.avg_pool", 3, 1, pad: 1, from: x);
        var branchPool = Conv(b, $"{name}.branch_pool", 192, 1);
        b.Concat($"{name}.cat", branch1x1, branch7x7, branch7x7dbl, branchPool);
    }

    private static void D(NetworkBuilder b, string name)
    {
        var x = b.Last!;
        Conv(b, $"{name}.branch3x3_1", 192, 1, from: x);
        var branch3x3 = Conv(b, $"{name}.branch3x3_2", 320, 3, stride: 2);
        Conv(b, $"{name}.branch7x7x3_1", 192, 1, from: x);
        Conv(b, $"{name}.branch7x7x3_2", 192, new Size2(1, 7), pad: new Size2(0, 3));
        Conv(b, $"{name}.branch7x7x3_3", 192, new Size2(7, 1), pad: new Size2(3, 0));
        var branch7x7x3 = Conv(b, $"{name}.branch7x7x3_4", 192, 3, stride: 2);
        var branchPool = b.MaxPool($"{name}.max_pool", 3, 2, from: x).Last!;
        b.Concat($"{name}.cat", branch3x3, branch7x7x3, branchPool);
    }

    private static void E(NetworkBuilder b, string name)
    {
        var x = b.Last!;
        var branch1x1 = Conv(b, $"{name}.branch1x1", 320, 1, from: x);
        var split = Conv(b, $"{name}.branch3x3_1", 384, 1, from: x);
        var a = Conv(b, $"{name}.branch3x3_2a", 384, new Size2(1, 3), pad: new Size2(0, 1), from: split);
        var c = Conv(b, $"{name}.branch3x3_2b", 384, new Size2(3, 1), pad: new Size2(1, 0), from: split);
        var branch3x3 = b.Concat($"{name}.branch3x3_cat", a, c).Last!;
        Conv(b, $"{name}.branch3x3dbl_1", 448, 1, from: x);
        split = Conv(b, $"{name}.branch3x3dbl_2", 384, 3, pad: 1);
        a = Conv(b, $"{name}.branch3x3dbl_3a", 384, new Size2(1, 3), pad: new Size2(0, 1), from: split);
        c = Conv(b, $"{name}.branch3x3dbl_3b", 384, new Size2(3, 1), pad: new Size2(1, 0), from: split);
        var branch3x3dbl = b.Concat($"{name}.branch3x3dbl_cat", a, c).Last!;
        b.AveragePool($"{name}.avg_pool", 3, 1, pad: 1, from: x);
        var branchPool = Conv(b, $"{name}.branch_pool", 192, 1);
        b.Concat($"{name}.cat", branch1x1, branch3x3, branch3x3dbl, branchPool);
    }

    /// <summary>torchvision's <c>BasicConv2d</c>: a convolution without bias, batch norm, ReLU; returns the ReLU's name.</summary>
    private static string Conv(NetworkBuilder b, string name, int filters, Size2 kernel, Size2? stride = null, Size2? pad = null, string? from = null) =>
        b.Convolution($"{name}.conv", filters, kernel, stride: stride, pad: pad ?? 0, bias: false, from: from)
            .BatchNorm($"{name}.bn").ReLU($"{name}.relu").Last!;
}
