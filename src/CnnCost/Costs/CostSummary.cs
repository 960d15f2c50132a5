using System.Globalization;
using System.Text;
using CnnCost.Graph;

namespace CnnCost.Costs;

/// <summary>
/// The plain-text summary that <see cref="CostReport.ToString"/> returns: one row per layer (name, kind, output shape,
/// parameters, FLOPs), a total row and a line of conventions, so a report printed in a notebook or a debugger reads
/// like a model summary rather than a record dump. Exact counts with thousands separators; no units to choose.
/// </summary>
internal static class CostSummary
{
    private static readonly string[] Header = ["layer", "kind", "output", "params", "FLOPs"];

    /// <summary>Writes the summary of <paramref name="report"/>.</summary>
    public static string Write(CostReport report)
    {
        var rows = new List<string[]>(report.Layers.Length + 1);
        foreach (var layer in report.Layers)
        {
            rows.Add([layer.Name, KindWords(layer.Kind), layer.Output.ToString(), Count(layer.Parameters), Count(layer.Flops)]);
        }

        var totals = report.Totals;
        var footer = new[] { "total", "", "", Count(totals.Parameters), Count(totals.Flops) };
        var widths = Header.Select((h, c) => rows.Append(footer).Append(Header).Max(r => r[c].Length)).ToArray();

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{report.Model}: input {report.Input}, batch {report.Batch}, {Words(report.Phase.ToString())}").AppendLine();
        var rule = new string('-', widths.Sum() + 2 * (widths.Length - 1));
        text.AppendLine(Row(Header, widths)).AppendLine(rule);
        foreach (var row in rows)
        {
            text.AppendLine(Row(row, widths));
        }

        text.AppendLine(rule).AppendLine(Row(footer, widths));
        var conventions = report.Conventions;
        // FLOPs count a multiply-add as 2 (dissertation 4.3.3); bytes follow the report's precision.
        text.Append(CultureInfo.InvariantCulture,
            $"{conventions.Precision}: parameters {Count(totals.ParameterBytes)} bytes (biases {(conventions.CountBiases ? "included" : "excluded")}), "
            + $"activations {Count(totals.ActivationBytes)} bytes; a multiply-add is 2 FLOPs");
        return text.ToString();
    }

    /// <summary>Names and kinds align left, numbers right, two spaces apart; trailing blanks trimmed.</summary>
    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, c) => c < 3 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd();

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A kind in words, whatever kinds the enum grows: <c>FullyConnected</c> reads "fully connected".</summary>
    private static string KindWords(LayerKind kind) => Words(kind.ToString());

    private static string Words(string pascalCase)
    {
        var words = new StringBuilder(pascalCase.Length + 4);
        for (var i = 0; i < pascalCase.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascalCase[i]))
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(pascalCase[i]));
        }

        return words.ToString();
    }
}
