using BenchmarkDotNet.Running;
using CnnCost.Benchmarks.Fuzzing;

// Benchmarks: dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- --filter '*'
// Fuzzing:    dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- fuzz [inputs] [seed]
//             dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- fuzz-cli [runs] [seed]   (the command line, end to end)
if (args.Length > 0 && args[0] == "fuzz")
{
    var inputs = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    var seed = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
    var interactive = !Console.IsOutputRedirected;
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var report = new ImportFuzzer().Run(inputs, seed, done =>
    {
        if (interactive)
        {
            Console.Write($"\r{done:N0} / {inputs:N0}");
        }
        else if (done % 50_000 == 0)
        {
            Console.Error.WriteLine($"{done:N0} / {inputs:N0} in {clock.Elapsed.TotalSeconds:0} s");
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

if (args.Length > 0 && args[0] == "fuzz-cli")
{
    var runs = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    var seed = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
    var report = new CliFuzzer().Run(runs, seed, done =>
    {
        if (!Console.IsOutputRedirected)
        {
            Console.Write($"\r{done:N0} / {runs:N0}");
        }
    });
    Console.WriteLine();
    Console.WriteLine(CliFuzzer.Describe(report));
    foreach (var (reason, n) in report.Reasons.OrderByDescending(r => r.Value).Take(args.Length > 3 ? 40 : 0))
    {
        Console.WriteLine($"{n,7} {reason}");
    }

    foreach (var failure in report.Failures.Take(30))
    {
        Console.WriteLine(failure);
    }

    return report.Failures.Count == 0 ? 0 : 1;
}

if (args.Length > 0 && args[0] == "fuzz-explain")
{
    // Why unmutated generated models are refused: the generator's aim, checked.
    var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
    var reasons = new Dictionary<string, int>();
    for (var i = 0; i < count; i++)
    {
        var random = new Random(i);
        try
        {
            _ = i % 2 == 0 ? CnnCost.Import.CaffeImporter.Parse(ModelGenerator.Prototxt(random, mutate: false), "g.prototxt") : CnnCost.Import.OnnxImporter.Parse(ModelGenerator.Onnx(random, mutate: false), "g.onnx");
            reasons["imported"] = reasons.GetValueOrDefault("imported") + 1;
        }
        catch (CnnCost.CnnCostException error)
        {
            var key = System.Text.RegularExpressions.Regex.Replace(error.Message, "[0-9]+", "N");
            reasons[key] = reasons.GetValueOrDefault(key) + 1;
        }
    }

    foreach (var (reason, n) in reasons.OrderByDescending(p => p.Value).Take(25))
    {
        Console.WriteLine($"{n,6} {reason}");
    }

    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(CnnCost.Benchmarks.CostReportBenchmarks).Assembly).Run(args);
return 0;
