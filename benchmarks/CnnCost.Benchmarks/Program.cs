using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/CnnCost.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(CnnCost.Benchmarks.CostReportBenchmarks).Assembly).Run(args);
