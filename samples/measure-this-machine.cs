#:property PublishAot=false
#:package CnnCost@0.1.0
// The package comes from a NuGet source: README.md, "Install", packs it and adds the folder as a source once.

// The dissertation's claims measured on this machine: the time ratios of NiN's modifications (Table 4.1) and of
// AlexNet on a 99x99 crop (the blog's 5.4x on a K40), next to the analytic FLOP ratios, with CnnCost's CPU engine.
// Each time is the sum of the verified convolution and fully-connected layers.
// Run: dotnet run samples/measure-this-machine.cs
using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Dissertation;
using CnnCost.Graph;
using CnnCost.Measurement;
using CnnCost.Measurement.Cpu;
using CnnCost.Zoo;

using var engine = new CpuConvolutionEngine();
var options = new MeasureOptions(Warmups: 2, Repeats: 5);
double Seconds(Network network) =>
    NetworkMeasurement.Shapes(network, 1).Sum(shape => engine.Measure(shape, options).MedianSeconds);

Console.WriteLine($"CPU engine on {engine.Device}");
Console.WriteLine("change (batch 1)                          FLOPs ratio   measured time ratio");
var nin = NetworkInNetwork.Create();
Seconds(nin); // a first pass warms the JIT, the engine's threads and the allocator
var baseline = Seconds(nin);
foreach (var ninCase in NinTables.Cases.Skip(1))
{
    var modified = Modification.ApplyAll(nin, ninCase.Modifications);
    var flopRatio = (double)CostModel.Analyze(modified).Totals.Flops / CostModel.Analyze(nin).Totals.Flops;
    Console.WriteLine($"{ninCase.Description,-40} {flopRatio,10:0.00}x {Seconds(modified) / baseline,16:0.00}x");
}

var alexnet = AlexNet.Create();
var crop = new SetInputSize(99).ApplyTo(alexnet);
var alexFlops = (double)CostModel.Analyze(alexnet).Totals.Flops / CostModel.Analyze(crop).Totals.Flops;
Console.WriteLine($"{"AlexNet 227x227 over 99x99 (K40: 5.4x)",-40} {alexFlops,10:0.00}x {Seconds(alexnet) / Seconds(crop),16:0.00}x");
