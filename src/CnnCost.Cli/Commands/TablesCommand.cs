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
        if (arguments.Positional is not ["nin" or "chapter2" or "chapter3" or "chapter5"])
        {
            throw new UsageException("'tables' takes the table set to recompute: nin, chapter2, chapter3 or chapter5");
        }

        if (format == OutputFormat.Json)
        {
            throw new UsageException("'tables' writes table, markdown or csv; for numbers as JSON use 'report nin --batch 1024 --format json'");
        }

        if (arguments.Positional[0] == "chapter2")
        {
            ConsoleOutput.Write(ChapterTwo.WorkedExamples().View, format, stdout);
            return;
        }

        if (arguments.Positional[0] == "chapter5")
        {
            ConsoleOutput.Write(ChapterFive.Table51().View, format, stdout);
            ConsoleOutput.Write(ChapterFive.Table52(), format, stdout);
            ConsoleOutput.Write(CnnCost.Reporting.SweepViews.Table53(), format, stdout);
            ConsoleOutput.Write(CnnCost.Reporting.SweepViews.Figure53(), format, stdout);
            ConsoleOutput.Write(CnnCost.Reporting.SweepViews.Figure54(), format, stdout);
            return;
        }

        if (arguments.Positional[0] == "chapter3")
        {
            ConsoleOutput.Write(ChapterThree.Table31().View, format, stdout);
            ConsoleOutput.Write(ChapterThree.FireCaffeTable(), format, stdout);
            return;
        }

        ConsoleOutput.Write(NinTables.Table41().View, format, stdout);
        ConsoleOutput.Write(NinTables.Table42().View, format, stdout);
        foreach (var ninCase in NinTables.Cases.Skip(1))
        {
            ConsoleOutput.Write(NinTables.ModifiedTable(ninCase).View, format, stdout);
        }
    }
}
