using CnnCost.Dissertation;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost tables nin</c>: the dissertation's NiN tables recomputed, printed values and errata beside them.</summary>
public static class TablesCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the tables go.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var format = CommonOptions.ReadFormat(arguments);
        arguments.EnsureAllUsed("tables", 1);
        if (arguments.Positional is not ["nin"])
        {
            throw new UsageException("'tables' takes the table set to recompute: nin");
        }

        if (format == OutputFormat.Json)
        {
            throw new UsageException("'tables' writes table, markdown or csv; for numbers as JSON use 'report nin --batch 1024 --format json'");
        }

        ConsoleOutput.Write(NinTables.Table41().View, format, stdout);
        ConsoleOutput.Write(NinTables.Table42().View, format, stdout);
        foreach (var ninCase in NinTables.Cases.Skip(1))
        {
            ConsoleOutput.Write(NinTables.ModifiedTable(ninCase).View, format, stdout);
        }
    }
}
