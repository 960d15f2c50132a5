#:property PublishAot=false
#:package CnnCost@0.1.0
// The package comes from a NuGet source: README.md, "Install", packs it and adds the folder as a source once.

// A SqueezeNet design-space sweep (dissertation 5.5): squeeze ratio x pct3x3, each design evaluated in closed form,
// and the Pareto front of model size against FLOPs. Writes the chart to squeezenet-sweep.svg.
// Run: dotnet run samples/squeezenet-sweep.cs
using CnnCost.DesignSpace;
using CnnCost.Reporting.Charts;

var grid = from sr in Sweep.Range(0.125, 1.0, 0.125)
           from pct in Sweep.Range(0.125, 0.875, 0.125)
           select SqueezeNetMetaparameters.SqueezeNet with { SqueezeRatio = sr, Percent3x3 = pct };
var results = Sweep.Run(grid, SqueezeNetFamily.Evaluate);

// Size against FLOPs per parameter byte: designs that compute more per byte of gradient scale better (4.5.2.2).
var front = Sweep.ParetoFront(results, r => r.Costs.ParameterBytes, r => -(double)r.Costs.Flops / r.Costs.ParameterBytes);
Console.WriteLine($"{results.Length} designs, {front.Length} on the front of (size, -FLOPs per byte):");
foreach (var r in front.OrderBy(r => r.Costs.ParameterBytes))
{
    Console.WriteLine($"  SR {r.Design.SqueezeRatio:0.000} pct3x3 {r.Design.Percent3x3:0.000}: {r.Costs.ParameterBytes / 1048576.0,6:0.00} MiB, {r.Costs.Flops / 1e9:0.00} GFLOPs");
}

File.WriteAllText("squeezenet-sweep.svg", Charts.Sweep("SqueezeNet designs: size against FLOPs per byte", results,
    (r => r.Costs.ParameterBytes / 1048576.0, "model size (MiB)"), (r => (double)r.Costs.Flops / r.Costs.ParameterBytes, "FLOPs per parameter byte"), front));
