#:property PublishAot=false
#:package CnnCost@0.1.0
// The package comes from a NuGet source: README.md, "Install", packs it and adds the folder as a source once.

// What-if on your own network: describe it, change it, and see which layers a change reaches and whether it is
// local or global. Run: dotnet run samples/whatif-your-network.cs
using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;

var mine = new NetworkBuilder("mine")
    .Input(3, 128, 128)
    .Convolution("conv1", filters: 32, kernel: 3, stride: 2, pad: 1).ReLU("relu1")
    .Convolution("conv2", filters: 64, kernel: 3, pad: 1).ReLU("relu2")
    .MaxPool("pool2", kernel: 2, stride: 2)
    .Convolution("conv3", filters: 128, kernel: 3, pad: 1).ReLU("relu3")
    .GlobalPool("gap")
    .FullyConnected("fc", outputs: 10)
    .Build();

// A report prints as a per-layer summary: name, kind, output shape, parameters and FLOPs.
Console.WriteLine(CostModel.Analyze(mine));

foreach (var spec in new[] { "filters:conv2=128", "kernel:conv3=5x5,pad=2", "stride:conv1=1", "remove:pool2", "categories=100" })
{
    var change = ChangeAnalysis.Analyze(mine, [Modification.Parse(spec)]);
    var reach = change.ChangedLayers.Where(n => change.Modified.Layers.All(l => l.Name != n || !l.InPlace));
    Console.WriteLine($"{spec,-24} {change.Scope,-7} FLOPs x{change.Ratios.Flops:0.00}  params x{change.Ratios.Parameters:0.00}  reaches {string.Join(", ", reach)}");
}
