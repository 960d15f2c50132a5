#:property PublishAot=false
#:package CnnCost@0.1.0
// The package comes from a NuGet source: README.md, "Install", packs it and adds the folder as a source once.

// Table 4.1 of the dissertation, recomputed: each NiN modification's scope and cost ratios.
// Run: dotnet run samples/nin-tables.cs
using CnnCost.Dissertation;

foreach (var ninCase in NinTables.Cases)
{
    var change = NinTables.Analyze(ninCase);
    Console.WriteLine($"Table {ninCase.Table}  {ninCase.Description,-38} {change.Scope,-6} "
        + $"output x{change.Ratios.Activations:0.0}  params x{change.Ratios.Parameters:0.0}  computation x{change.Ratios.Flops:0.0}");
}
