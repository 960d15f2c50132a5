using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Hardware;
using CnnCost.Reporting;
using CnnCost.Zoo;

namespace CnnCost.Dissertation;

/// <summary>
/// The worked examples of dissertation 2.3.2-2.3.6 recomputed: LeNet's and VGG-19's FLOPs, their frame rates on a
/// P100 and a Titan X, the TX1 gap and the 2 J/frame energy example, each next to the printed value.
/// </summary>
public static class ChapterTwo
{
    /// <summary>
    /// LeNet as the dissertation counts it: Caffe's LeNet on a 3-channel input (its 5.74 MFLOPs at 28x28 need three
    /// channels). At 224x224 (footnote 9) ip1 becomes a 4x4 convolution of 500 filters whose output is average-pooled
    /// to 1x1.
    /// </summary>
    /// <param name="size">28 for the original network, anything larger for the adapted one.</param>
    /// <returns>The network.</returns>
    public static Network LeNetRgb(int size)
    {
        if (size == 28)
        {
            return LeNet.Create().WithInputShape(new Shape(3, 28, 28));
        }

        return new NetworkBuilder($"lenet_rgb_{size}", Conventions.Caffe)
            .Input(3, size, size)
            .Convolution("conv1", 20, 5)
            .MaxPool("pool1", 2, 2)
            .Convolution("conv2", 50, 5)
            .MaxPool("pool2", 2, 2)
            .Convolution("ip1", 500, 4)
            .GlobalPool("ip1_pool")
            .ReLU("relu1")
            .FullyConnected("ip2", 10)
            .Softmax("prob")
            .Build();
    }

    /// <summary>The worked examples, each printed value next to the computed one.</summary>
    /// <returns>The recomputed table.</returns>
    public static RecomputedTable WorkedExamples()
    {
        var lenet28 = CostModel.Analyze(LeNetRgb(28)).Totals.Flops;
        var lenet224 = CostModel.Analyze(LeNetRgb(224)).Totals.Flops;
        var vgg19 = CostModel.Analyze(Vgg.Vgg19()).Totals.Flops;
        var p100 = Devices.P100;
        var titanX = Devices.TitanX;
        (string Example, string Printed, double Computed, string Unit)[] examples =
        [
            ("LeNet, 28x28 (MFLOPs per frame)", "5.74", lenet28 / 1e6, "MFLOPs"),
            ("LeNet, 224x224 (MFLOPs per frame)", "2700", lenet224 / 1e6, "MFLOPs"),
            ("VGG-19, 224x224 (MFLOPs per frame)", "117000", vgg19 / 1e6, "MFLOPs"),
            ("VGG-19 at 224 over LeNet at 28", "20000", (double)vgg19 / lenet28, "x"),
            ("VGG-19 over LeNet, both at 224", "43", (double)vgg19 / lenet224, "x"),
            ("LeNet at 224 on a P100 at peak (fps)", "3900", SpeedModel.Estimate(p100, lenet224, 1).FramesPerSecond, "fps"),
            ("VGG-19 on a P100 at peak (fps)", "91", SpeedModel.Estimate(p100, vgg19, 1).FramesPerSecond, "fps"),
            ("VGG-19 on a Titan X at 5% of peak (fps)", "0.25", SpeedModel.Estimate(titanX, vgg19, 0.05).FramesPerSecond, "fps"),
            ("VGG-19 on a Titan X at 50% of peak (fps)", "2.5", SpeedModel.Estimate(titanX, vgg19, 0.5).FramesPerSecond, "fps"),
            ("Titan X over TX1 at peak", "12", titanX.PeakFlopsPerSecond / Devices.TX1.PeakFlopsPerSecond, "x"),
            ("30 W at 15 fps (J per frame)", "2", SpeedModel.JoulesPerFrame(30, 15), "J"),
        ];

        var comparisons = ImmutableArray.CreateBuilder<PrintedComparison>();
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        var notes = ImmutableArray.CreateBuilder<string>();
        foreach (var (example, printed, computed, unit) in examples)
        {
            var agrees = PrintedValue.Parse(printed).Agrees(computed);
            var comparison = new PrintedComparison("2.3", example, "value", printed, $"{Units.Significant(computed)} {unit}", agrees, Errata.Find("2.3", example, "value"));
            comparisons.Add(comparison);
            var cell = agrees ? comparison.Computed : $"{comparison.Computed} (printed {printed}) [{notes.Count + 1}]";
            if (!agrees)
            {
                notes.Add($"[{notes.Count + 1}] {example}: {comparison.Erratum?.Reason ?? "no known explanation"}");
            }

            rows.Add([example, cell]);
        }

        notes.Insert(0, "batch 1, inference FLOPs (multiply-add = 2); LeNet on 3-channel input, as the text's 5.74 MFLOPs require");
        ImmutableArray<TextColumn> columns = [new("worked example (2.3.2-2.3.6)", ColumnAlignment.Left), new("computed")];
        var view = new TextTable("Chapter 2: computation, speed and energy examples", columns, rows.ToImmutable(), notes.ToImmutable());
        return new RecomputedTable(view, comparisons.ToImmutable());
    }
}
