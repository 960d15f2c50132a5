using System.Collections.Immutable;
using System.Text;
using CnnCost.Cli.Commands;
using CnnCost.Reporting;
using Spectre.Console;

namespace CnnCost.Cli;

/// <summary>Writes a <see cref="TextTable"/> in the chosen format; the console table is drawn by Spectre.Console.</summary>
public static class ConsoleOutput
{
    /// <summary>The width Spectre.Console is given for output that has no terminal.</summary>
    private const int RedirectedWidth = 400;

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
            case OutputFormat.Html:
                throw new UsageException("this output is a table: --format html is available for report, whatif and squeezenet");
            case OutputFormat.Json:
                throw new UsageException("this output is a table: use --format table, markdown or csv");
            case OutputFormat.Markdown:
                stdout.WriteLine(table.ToMarkdown());
                return;
            case OutputFormat.Csv:
                stdout.Write(table.ToCsv());
                return;
        }

        var plain = !ReferenceEquals(stdout, Console.Out) || Console.IsOutputRedirected;
        if (plain && TryWritePlain(table, stdout))
        {
            return;
        }

        var console = CreateConsole(stdout);
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

    private static IAnsiConsole CreateConsole(TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        });
        if (ReferenceEquals(stdout, Console.Out) && Console.IsOutputRedirected || !ReferenceEquals(stdout, Console.Out))
        {
            // Redirected output has no terminal width; keep rows on one line.
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>
    /// Writes the table exactly as Spectre.Console draws it without a terminal (rounded border, title centred,
    /// no wrapping), in one pass over the cells: a table of a million rows takes a second, not minutes. Taken
    /// only when every cell is printable ASCII and the table fits in the redirected width; otherwise false,
    /// and Spectre.Console draws it.
    /// </summary>
    private static bool TryWritePlain(TextTable table, TextWriter stdout)
    {
        var columns = table.Columns.Length;
        if (columns == 0 || !IsPlain(table.Title))
        {
            return false;
        }

        var widths = new int[columns];
        for (var c = 0; c < columns; c++)
        {
            if (!IsPlain(table.Columns[c].Header))
            {
                return false;
            }

            widths[c] = table.Columns[c].Header.Length;
        }

        foreach (var row in table.Rows)
        {
            if (row.Length != columns)
            {
                return false;
            }

            for (var c = 0; c < columns; c++)
            {
                var cell = row[c];
                if (!IsPlain(cell))
                {
                    return false;
                }

                widths[c] = Math.Max(widths[c], cell.Length);
            }
        }

        // Two spaces of padding and one border character per column, and the closing border.
        var total = widths.Sum() + (3 * columns) + 1;
        if (total > RedirectedWidth || table.Title.Length == 0 || table.Title.Length > total)
        {
            return false;
        }

        var left = (total - table.Title.Length) / 2;
        var text = new StringBuilder(capacity: 1 << 16);
        text.Append(' ', left).Append(table.Title).Append(' ', total - left - table.Title.Length).AppendLine();
        Border(text, widths, '╭', '┬', '╮');
        Row(text, widths, table.Columns, c => table.Columns[c].Header);
        Border(text, widths, '├', '┼', '┤');
        foreach (var row in table.Rows)
        {
            Row(text, widths, table.Columns, c => row[c]);
            if (text.Length > 1 << 16)
            {
                stdout.Write(text);
                text.Clear();
            }
        }

        Border(text, widths, '╰', '┴', '╯');
        stdout.Write(text);

        // The notes as Spectre.Console writes them (it wraps a long line at the width).
        var console = CreateConsole(stdout);
        foreach (var note in table.Notes)
        {
            console.WriteLine(note);
        }

        console.WriteLine();
        return true;
    }

    private static void Border(StringBuilder text, int[] widths, char start, char middle, char end)
    {
        text.Append(start);
        for (var c = 0; c < widths.Length; c++)
        {
            text.Append('─', widths[c] + 2).Append(c == widths.Length - 1 ? end : middle);
        }

        text.AppendLine();
    }

    private static void Row(StringBuilder text, int[] widths, ImmutableArray<TextColumn> columns, Func<int, string> cell)
    {
        text.Append('│');
        for (var c = 0; c < widths.Length; c++)
        {
            var value = cell(c);
            var pad = widths[c] - value.Length;
            text.Append(' ');
            if (columns[c].Alignment == ColumnAlignment.Right)
            {
                text.Append(' ', pad).Append(value);
            }
            else
            {
                text.Append(value).Append(' ', pad);
            }

            text.Append(" │");
        }

        text.AppendLine();
    }

    /// <summary>Printable ASCII only, so that every character is one column wide and means itself.</summary>
    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
