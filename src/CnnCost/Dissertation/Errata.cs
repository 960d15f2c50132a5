using System.Collections.Immutable;

namespace CnnCost.Dissertation;

/// <summary>A printed value of the dissertation that its own equations do not give, and why.</summary>
/// <param name="Table">The table, e.g. <c>4.2</c>.</param>
/// <param name="Row">The row (a layer name or <c>total</c>).</param>
/// <param name="Column">The column, e.g. <c>output</c>.</param>
/// <param name="Reason">What the equations give and why the printed value differs.</param>
public sealed record Erratum(string Table, string Row, string Column, string Reason);

/// <summary>The known errata of the dissertation's tables (cost-model.md, "Known errata"), as CnnCost reports them.</summary>
public static class Errata
{
    /// <summary>Every known erratum. A table comparison flags a disagreement with the entry whose table, row and column match.</summary>
    public static ImmutableArray<Erratum> All { get; } =
    [
        new("4.2", "conv12", "output", "conv12 has 1000 filters: 1000x6x6 x 1024 x 4 B = 147 MB; the table repeats conv11's 1024-channel 151 MB"),
        new("4.2", "total", "output", "the 'Qty of output' total is not the sum of its own column, which is 8.27 GB with the data layer and 7.63 GB without"),
        new("4.1", "4x more categories to classify", "Δ output", "conv12 and pool12 output 4x more, so activations without the input grow 1.06x (1.1x); every other row of the column matches these sums"),
        new("4.3", "total", "params", "conv1's filters grow 4x (3 -> 12 channels), adding 0.42 MB: 30.8 MB; the table repeats the unmodified 30.4 MB"),
        new("4.3", "total", "computation", "conv1's 216 GF grow 4x, adding 648 GF to 2.266 TF: 2.914 TF, i.e. 2.91 TF"),
        .. Shrunk("conv7"), .. Shrunk("conv8"), .. Shrunk("conv9"),
        new("4.7", "pool6", "Δ output", "its output grows from 13x13 to 27x27: 729/169 = 4.31x (4.3x)"),
        new("4.7", "pool9", "Δ computation", "its output grows from 6x6 to 13x13: 169/36 = 4.69x (4.7x), as its Δ output says"),
        new("4.7", "pool12", "Δ output", "a global pooling layer's output stays 1000x1x1 whatever its input: 1x (the table also keeps its window at 6x6)"),
        new("4.7", "pool12", "Δ computation", "its window grows with its input, from 6x6 to 13x13: 169/36 = 4.69x (4.7x)"),
        .. Doubled("pool3"), .. Doubled("conv4"), .. Doubled("conv5"), .. Doubled("conv6"),
        new("4.8", "pool12", "Δ output", "a global pooling layer's output stays 1000x1x1 whatever its input: 1x"),
        new("2.3", "LeNet, 28x28 (MFLOPs per frame)", "value", "the text leaves the two max pools out: the convolutions and fully-connected layers give 5.738 MFLOPs, the pools add 0.015"),
        new("2.3", "VGG-19, 224x224 (MFLOPs per frame)", "value", "VGG-19's inference is 39,270 MFLOPs; the printed 117,000 is about its training cost (3x); the examples below inherit it"),
        new("2.3", "VGG-19 at 224 over LeNet at 28", "value", "with VGG-19's 39.3 GFLOPs the ratio is about 6,800x; 20,000x follows from the printed 117 GFLOPs"),
        new("2.3", "VGG-19 over LeNet, both at 224", "value", "with VGG-19's 39.3 GFLOPs the ratio is about 14x; 43x follows from the printed 117 GFLOPs"),
        new("2.3", "VGG-19 on a P100 at peak (fps)", "value", "10.6 TFLOP/s over 39.3 GFLOPs is 270 fps; 91 fps follows from the printed 117 GFLOPs"),
        new("2.3", "VGG-19 on a Titan X at 5% of peak (fps)", "value", "5% of 6 TFLOP/s is 0.3 TFLOP/s (the text says 0.03), 7.6 fps with 39.3 GFLOPs; 0.25 follows from 0.03 TFLOP/s and 117 GFLOPs"),
        new("2.3", "VGG-19 on a Titan X at 50% of peak (fps)", "value", "3 TFLOP/s over 39.3 GFLOPs is 76 fps; 2.5 fps is ten times too low even with 117 GFLOPs (25.6 fps)"),
        .. Table31Data("NiN"), .. Table31Data("AlexNet (grouped, Caffe BVLC)"), .. Table31Data("AlexNet (ungrouped)"),
        .. Table31Data("GoogLeNet"), .. Table31Data("GoogLeNet (with auxiliary classifiers)"), .. Table31Data("VGG-19"),
        new("3.1", "AlexNet (grouped, Caffe BVLC)", "|W|", "the grouped (two-tower) AlexNet has 60,965,224 parameters, 244 MB; the ungrouped one gives the printed 249 MB"),
        new("3.1", "AlexNet (grouped, Caffe BVLC)", "F+B TFLOPs", "groups halve conv2, conv4 and conv5: 4.45 TF; the ungrouped AlexNet gives the printed 7.0 TF"),
        new("3.1", "GoogLeNet", "|W|", "without its auxiliary classifiers GoogLeNet has 6,998,552 parameters, 28 MB; with them, the printed 54 MB"),
        new("3.1", "GoogLeNet (with auxiliary classifiers)", "F+B TFLOPs", "the auxiliary classifiers add 0.06 TF: 9.82 TF; the printed 9.7 TF truncates the 9.76 TF of GoogLeNet without them"),
    ];

    private static Erratum[] Table31Data(string row) =>
    [
        new("3.1", row, "|D|", "neither every layer's output (Eq. 3.2 over all layers, shown) nor the convolution and fully-connected outputs alone reproduce the printed |D|; the source does not say which layers it summed"),
        new("3.1", row, "|D|/|W|", "follows from the printed |D|, which the equations do not give"),
    ];

    private static Erratum[] Shrunk(string layer) =>
        [new("4.5", layer, "Δ output", "the output shrinks from 13x13 to 12x12: 144/169 = 0.852x, which rounds to 0.9x")];

    private static Erratum[] Doubled(string layer) =>
        [new("4.8", layer, "Δ computation", "the output grows from 27x27 to 55x55: 3025/729 = 4.15x (4.1x), as the table's own Δ output for the layer says")];

    /// <summary>The erratum for one cell, or <see langword="null"/> when none is known.</summary>
    /// <param name="table">The table.</param>
    /// <param name="row">The row.</param>
    /// <param name="column">The column.</param>
    /// <returns>The erratum, if any.</returns>
    public static Erratum? Find(string table, string row, string column) =>
        All.FirstOrDefault(e => e.Table == table && e.Row == row && e.Column == column);
}
