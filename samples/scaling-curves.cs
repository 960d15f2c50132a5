#:property PublishAot=false
#:package CnnCost@0.1.0
// The package comes from a NuGet source: README.md, "Install", packs it and adds the folder as a source once.

// Data-parallel training of NiN on K20-class workers over a 56 Gbit/s network: parameter server, reduction tree and
// ring all-reduce (dissertation 3.6). Writes the speedup curves to scaling.svg. Run: dotnet run samples/scaling-curves.cs
using CnnCost.Distributed;
using CnnCost.Hardware;
using CnnCost.Reporting.Charts;
using CnnCost.Reporting;
using CnnCost.Zoo;

var bandwidth = Rates.ParseBandwidth("56Gbit/s");
int[] workers = [1, 2, 4, 8, 16, 32, 64, 128];
var reports = new[] { CommunicationScheme.ParameterServer, CommunicationScheme.ReductionTree, CommunicationScheme.Ring }
    .Select(scheme => ScalingModel.Analyze(NetworkInNetwork.Create(), new ScalingSetup(new CommunicationModel(scheme, bandwidth), Devices.K20.PeakFlopsPerSecond), workers))
    .ToArray();

foreach (var report in reports)
{
    var best = report.Rows.MaxBy(r => r.Speedup)!;
    Console.WriteLine($"{ScalingViews.SchemeName(report.Setup.Communication.Scheme),-16} best speedup {best.Speedup:0.0}x at {best.Workers} workers; "
        + $"communication reaches computation at {(report.BreakEvenWorkers?.ToString() ?? "none of the listed")} workers");
}

File.WriteAllText("scaling.svg", Charts.Scaling(reports));
