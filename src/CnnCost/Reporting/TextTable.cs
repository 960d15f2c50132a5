using System.Collections.Immutable;
using System.Text;

namespace CnnCost.Reporting;

/// <summary>How a column's cells line up.</summary>
public enum ColumnAlignment
{
    /// <summary>Left-aligned (names, shapes).</summary>
    Left,

    /// <summary>Right-aligned (numbers).</summary>
    Right,
}

/// <summary>A column of a <see cref="TextTable"/>.</summary>
/// <param name="Header">The header text.</param>
/// <param name="Alignment">How the cells line up.</param>
public sealed record TextColumn(string Header, ColumnAlignment Alignment = ColumnAlignment.Right);

/// <summary>
/// A titled table of already formatted cells: the one shape every tabular view of CnnCost takes, rendered as
/// Markdown or CSV here and as a console table by the command line.
/// </summary>
/// <param name="Title">A one-line caption.</param>
/// <param name="Columns">The columns.</param>
/// <param name="Rows">The rows; each has one cell per column.</param>
/// <param name="Notes">Lines printed under the table (errata, conventions).</param>
public sealed record TextTable(string Title, ImmutableArray<TextColumn> Columns, ImmutableArray<ImmutableArray<string>> Rows, ImmutableArray<string> Notes)
{
    /// <summary>Renders the table as GitHub-flavoured Markdown, the title as a heading and the notes as a list.</summary>
    /// <returns>The Markdown text.</returns>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("### ").AppendLine(Title).AppendLine();
        text.Append('|');
        foreach (var column in Columns)
        {
            text.Append(' ').Append(EscapeMarkdown(column.Header)).Append(" |");
        }

        text.AppendLine().Append('|');
        foreach (var column in Columns)
        {
            text.Append(column.Alignment == ColumnAlignment.Right ? " ---: |" : " --- |");
        }

        text.AppendLine();
        foreach (var row in Rows)
        {
            text.Append('|');
            foreach (var cell in row)
            {
                text.Append(' ').Append(EscapeMarkdown(cell)).Append(" |");
            }

            text.AppendLine();
        }

        if (!Notes.IsEmpty)
        {
            text.AppendLine();
            foreach (var note in Notes)
            {
                text.Append("- ").AppendLine(note);
            }
        }

        return text.ToString();
    }

    /// <summary>Renders the header and rows as RFC 4180 CSV (title and notes left out).</summary>
    /// <returns>The CSV text, one line per row.</returns>
    public string ToCsv()
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', Columns.Select(c => EscapeCsv(c.Header))));
        foreach (var row in Rows)
        {
            text.AppendLine(string.Join(',', row.Select(EscapeCsv)));
        }

        return text.ToString();
    }

    private static string EscapeMarkdown(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);

    private static string EscapeCsv(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;
}
