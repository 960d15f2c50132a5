#:property PublishAot=false
#:package CnnCost@0.1.0
// The package comes from a NuGet source: README.md, "Install", packs it and adds the folder as a source once.

// VGG-16 on a P100's roofline: which layers are compute bound, which memory bound, and the network's lower-bound
// time. Writes the chart to roofline.svg. Run: dotnet run samples/roofline.cs
using CnnCost.Costs;
using CnnCost.Hardware;
using CnnCost.Reporting.Charts;
using CnnCost.Zoo;

var report = CostModel.Analyze(Vgg.Vgg16(), new AnalysisOptions { Batch = 16 });
var points = Roofline.Analyze(report, Devices.P100);
Console.WriteLine($"{Devices.P100}; ridge point {Devices.P100.RidgeFlopsPerByte:0.0} FLOPs/byte");
Console.WriteLine($"compute bound: {string.Join(", ", points.Where(p => p.ComputeBound).Select(p => p.Name))}");
Console.WriteLine($"memory bound:  {string.Join(", ", points.Where(p => !p.ComputeBound).Select(p => p.Name))}");
Console.WriteLine($"at least {points.Sum(p => p.Seconds) * 1e3:0.0} ms per batch of {report.Batch}");
File.WriteAllText("roofline.svg", Charts.Roofline(points, Devices.P100));
