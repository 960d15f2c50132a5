#:property PublishAot=false
#:package CnnCost@0.1.0
// The package comes from a NuGet source: README.md, "Install", packs it and adds the folder as a source once.

// The blog posts' experiment (Iandola, "Reboot: Accelerating Deep Neural Nets by Reducing Image Resolution"):
// AlexNet and VGG_F on 99x99 and 111x111 crops instead of 227x227, FLOPs ratios next to the frame-rate
// ratios measured on a K40, then VGG_F -> VGG_F_extralayer one modification at a time.
// Run: dotnet run samples/reduce-resolution.cs
using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Reporting;
using CnnCost.Zoo;

var alexnet = AlexNet.Create();
var baselineFlops = CostModel.Analyze(alexnet).Totals.Flops;

// Frame rates the post measured on a K40; AlexNet at 227x227 ran at 624 fps. The post's speedups: 5.4x, 3.4x, 4.6x.
(string Model, Network Network, int Crop, double Fps, string PostSpeedup)[] runs =
[
    ("AlexNet", alexnet, 99, 3368, "5.4x"),
    ("AlexNet", alexnet, 111, 2191, "3.4x"),
    ("VGG_F", VggF.Create(), 99, 2876, "4.6x"),
];

Console.WriteLine("crop, against AlexNet at 227x227   FLOPs ratio   fps ratio (post)");
foreach (var run in runs)
{
    var cropped = new SetInputSize(run.Crop).ApplyTo(run.Network);
    var flops = CostModel.Analyze(cropped).Totals.Flops;
    var crop = $"{run.Crop}x{run.Crop}";
    Console.WriteLine($"{run.Model,-8} {crop,-25} {(double)baselineFlops / flops,8:0.00}x {run.Fps / 624,11:0.00}x ({run.PostSpeedup})");
}

// VGG_F -> VGG_F_extralayer at 99x99, one change at a time (the post lists four differences; it does not give
// the new strides of conv1 and pool1, so stride 2 for conv1 is an assumption, stated here).
var vggF = new SetInputSize(99).ApplyTo(VggF.Create());
Modification[] toExtralayer =
[
    Modification.Parse("insert-after:relu4=conv,1x1,256,name=conv4_extra"),
    Modification.Parse("pool:pool5=avg"),
    Modification.Parse("kernel:conv1=5x5"),
    Modification.Parse("stride:conv1=2"),
];

Console.WriteLine();
Console.WriteLine("VGG_F at 99x99, one change at a time                scope    Δ params   Δ FLOPs  changed layers");
foreach (var modification in toExtralayer)
{
    var change = ChangeAnalysis.Analyze(vggF, [modification]);
    var owned = change.ChangedLayers.Where(n => change.Modified.Layers.All(l => l.Name != n || !l.InPlace)).ToArray();
    Console.WriteLine($"{modification.Spec,-51} {change.Scope,-8} {change.Ratios.Parameters,7:0.000}x {change.Ratios.Flops,8:0.000}x  "
        + ReportViews.Abbreviate(owned));
}
