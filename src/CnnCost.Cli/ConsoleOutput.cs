using CnnCost.Cli.Commands;
using CnnCost.Reporting;
using Spectre.Console;

namespace CnnCost.Cli;

/// <summary>Writes a <see cref="TextTable"/> in the chosen format; the console table is drawn by Spectre.Console.</summary>
public static class ConsoleOutput
{
    /// <summary>Writes one table.</summary>
    /// <param name="table">The table.</param>
    /// <param name="format">Table, Markdown or CSV.</param>
    /// <param name="stdout">The destination.</param>
    public static void Write(TextTable table, OutputFormat format, TextWriter stdout)
    {
        switch (format)
        {
            case OutputFormat.Svg:
                throw new UsageException("this output is a table: --format svg is available for report, whatif, roofline, scale and squeezenet --sweep");
            case OutputFormat.Json:
                throw new UsageException("this output is a table: use --format table, markdown or csv");
            case OutputFormat.Markdown:
                stdout.WriteLine(table.ToMarkdown());
                return;
            case OutputFormat.Csv:
                stdout.Write(table.ToCsv());
                return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        });
        if (ReferenceEquals(stdout, Console.Out) && Console.IsOutputRedirected || !ReferenceEquals(stdout, Console.Out))
        {
            // Redirected output has no terminal width; keep rows on one line.
            console.Profile.Width = 400;
        }

        var grid = new Table { Title = new TableTitle(Markup.Escape(table.Title)), Border = TableBorder.Rounded };
        foreach (var column in table.Columns)
        {
            var spectreColumn = new TableColumn(Markup.Escape(column.Header));
            grid.AddColumn(column.Alignment == ColumnAlignment.Right ? spectreColumn.RightAligned() : spectreColumn.LeftAligned());
        }

        foreach (var row in table.Rows)
        {
            grid.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Markup(Markup.Escape(cell))).ToArray());
        }

        console.Write(grid);
        foreach (var note in table.Notes)
        {
            console.WriteLine(note);
        }

        console.WriteLine();
    }
}
