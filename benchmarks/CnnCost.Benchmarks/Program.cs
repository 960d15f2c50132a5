using BenchmarkDotNet.Running;
using CnnCost.Benchmarks.Fuzzing;

// Benchmarks: dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- --filter '*'
// Fuzzing:    dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- fuzz [inputs] [seed]
if (args.Length > 0 && args[0] == "fuzz")
{
    var inputs = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    var seed = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
    var interactive = !Console.IsOutputRedirected;
    var report = new ImportFuzzer().Run(inputs, seed, done =>
    {
        if (interactive)
        {
            Console.Write($"\r{done:N0} / {inputs:N0}");
        }
    });
    if (interactive)
    {
        Console.WriteLine();
    }

    Console.WriteLine(ImportFuzzer.Describe(report));
    foreach (var failure in report.Failures.Take(20))
    {
        Console.WriteLine(failure);
    }

    return report.Failures.Count == 0 && report.SlowInputs == 0 ? 0 : 1;
}

BenchmarkSwitcher.FromAssembly(typeof(CnnCost.Benchmarks.CostReportBenchmarks).Assembly).Run(args);
return 0;
