using System.Collections.Immutable;
using System.Text;
using CnnCost.Cli.Commands;
using CnnCost.Reporting;
using Spectre.Console;

namespace CnnCost.Cli;

/// <summary>Writes a <see cref="TextTable"/> in the chosen format; the console table is drawn by Spectre.Console.</summary>
public static class ConsoleOutput
{
    /// <summary>The width of output that has no terminal (a pipe, a file, a test): wider tables are split, notes wrapped.</summary>
    public const int RedirectedWidth = 100;

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

        var width = Width(stdout);
        if (TryWritePlain(table, width, stdout))
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
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>The terminal's width, or <see cref="RedirectedWidth"/> when there is none.</summary>
    private static int Width(TextWriter stdout)
    {
        if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
        {
            try
            {
                return Math.Max(Console.WindowWidth, 40);
            }
            catch (IOException)
            {
                return RedirectedWidth;
            }
        }

        return RedirectedWidth;
    }

    /// <summary>
    /// Writes the table as Spectre.Console draws it (rounded border, title centred), in one pass over the cells: a
    /// table of a million rows takes a second, not minutes. A cell is never wrapped: a table wider than
    /// <paramref name="width"/> is split into parts that each repeat the first column, and the notes are wrapped
    /// between words. Taken when every character is one column wide; otherwise false, and Spectre.Console draws it.
    /// </summary>
    private static bool TryWritePlain(TextTable table, int width, TextWriter stdout)
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

        var parts = Parts(widths, width);
        for (var p = 0; p < parts.Count; p++)
        {
            WritePart(table, parts[p], widths, p == 0 ? table.Title : $"{table.Title} (continued)", stdout);
        }

        foreach (var note in table.Notes)
        {
            foreach (var line in Wrap(note, width))
            {
                stdout.WriteLine(line);
            }
        }

        stdout.WriteLine();
        return true;
    }

    /// <summary>The columns of each part: as many as fit in <paramref name="width"/>, each part led by the first column.</summary>
    private static List<int[]> Parts(int[] widths, int width)
    {
        // Two spaces of padding and one border character per column, and the closing border.
        var parts = new List<int[]>();
        var part = new List<int> { 0 };
        var total = 1 + widths[0] + 3;
        for (var c = 1; c < widths.Length; c++)
        {
            if (total + widths[c] + 3 > width && part.Count > 1)
            {
                parts.Add([.. part]);
                (part, total) = ([0], 1 + widths[0] + 3);
            }

            part.Add(c);
            total += widths[c] + 3;
        }

        parts.Add([.. part]);
        return parts;
    }

    private static void WritePart(TextTable table, int[] part, int[] allWidths, string title, TextWriter stdout)
    {
        var widths = part.Select(c => allWidths[c]).ToArray();
        var columns = part.Select(c => table.Columns[c]).ToImmutableArray();
        var total = widths.Sum() + (3 * widths.Length) + 1;
        var text = new StringBuilder(capacity: 1 << 16);
        if (title.Length > 0)
        {
            var left = Math.Max(0, (total - title.Length) / 2);
            text.Append(' ', left).Append(title).Append(' ', Math.Max(0, total - left - title.Length)).AppendLine();
        }

        Border(text, widths, '╭', '┬', '╮');
        Row(text, widths, columns, i => columns[i].Header);
        Border(text, widths, '├', '┼', '┤');
        foreach (var row in table.Rows)
        {
            Row(text, widths, columns, i => row[part[i]]);
            if (text.Length > 1 << 16)
            {
                stdout.Write(text);
                text.Clear();
            }
        }

        Border(text, widths, '╰', '┴', '╯');
        stdout.Write(text);
    }

    /// <summary>A note in lines of at most <paramref name="width"/> characters, broken only at spaces (a word longer stays whole).</summary>
    /// <param name="note">The note.</param>
    /// <param name="width">The width.</param>
    /// <returns>The lines.</returns>
    public static IEnumerable<string> Wrap(string note, int width)
    {
        ArgumentNullException.ThrowIfNull(note);
        var line = new StringBuilder();
        foreach (var word in note.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        yield return line.ToString();
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

    /// <summary>
    /// Characters that each take one column of a terminal: no control or format characters, no combining marks, nothing
    /// from the wide East Asian blocks or outside the basic plane.
    /// </summary>
    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (c < ' ' || (c >= '\u007f' && c < '\u00a0') || char.IsSurrogate(c) || c >= '\u1100' && IsWide(c)
                || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.NonSpacingMark
                    or System.Globalization.UnicodeCategory.EnclosingMark or System.Globalization.UnicodeCategory.LineSeparator
                    or System.Globalization.UnicodeCategory.ParagraphSeparator)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWide(char c) =>
        c is (>= '\u1100' and <= '\u115f') or (>= '\u2e80' and <= '\ua4cf') or (>= '\uac00' and <= '\ud7a3')
            or (>= '\uf900' and <= '\ufaff') or (>= '\ufe30' and <= '\ufe4f') or (>= '\uff00' and <= '\uff60') or (>= '\uffe0' and <= '\uffe6');
}
