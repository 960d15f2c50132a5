using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Reporting;
using CnnCost.Zoo;

namespace CnnCost.Dissertation;

/// <summary>One printed cell of a dissertation table next to the value CnnCost computes for it.</summary>
/// <param name="Table">The table, e.g. <c>4.2</c>.</param>
/// <param name="Row">The row (layer name or <c>total</c>).</param>
/// <param name="Column">The column.</param>
/// <param name="Printed">The printed text.</param>
/// <param name="Computed">The computed value, formatted in the printed unit.</param>
/// <param name="Agrees">Whether the two agree at the printed precision.</param>
/// <param name="Erratum">The known erratum explaining a disagreement, if any.</param>
public sealed record PrintedComparison(string Table, string Row, string Column, string Printed, string Computed, bool Agrees, Erratum? Erratum);

/// <summary>A recomputed dissertation table: the view for people and every printed cell compared.</summary>
/// <param name="View">The table as CnnCost computes it, with printed values beside those that differ.</param>
/// <param name="Comparisons">Every printed cell next to its computed value.</param>
public sealed record RecomputedTable(TextTable View, ImmutableArray<PrintedComparison> Comparisons);

/// <summary>
/// The dissertation's NiN tables recomputed from the equations (chapter 4, batch 1024, fp32, Caffe rounding,
/// MB = 10^6 bytes). Printed values are kept only to compare with; every number shown is computed.
/// </summary>
public static class NinTables
{
    /// <summary>The batch of every NiN table.</summary>
    public const int Batch = 1024;

    // Table 4.2 as printed: layer, output HxW, Qty of output, Qty of params, Qty of computation.
    private static readonly (string Layer, string OutHw, string Output, string Params, string Flops)[] PrintedTable42 =
    [
        ("data", "227x227", "633MB", "0", "0"),
        ("conv1", "55x55", "1190MB", "0.140MB", "216GF"),
        ("conv2", "55x55", "1190MB", "0.0372MB", "57.1GF"),
        ("conv3", "55x55", "1190MB", "0.0372MB", "57.1GF"),
        ("pool3", "27x27", "287MB", "0", "0.644GF"),
        ("conv4", "27x27", "764MB", "2.46MB", "917GF"),
        ("conv5", "27x27", "764MB", "263KB", "97.8GF"),
        ("conv6", "27x27", "764MB", "263KB", "97.8GF"),
        ("pool6", "13x13", "177MB", "0", "0.399GF"),
        ("conv7", "13x13", "266MB", "3.54MB", "306GF"),
        ("conv8", "13x13", "266MB", "0.591MB", "51.0GF"),
        ("conv9", "13x13", "266MB", "0.591MB", "51.0GF"),
        ("pool9", "6x6", "56.6MB", "0", "0.127GF"),
        ("conv10", "6x6", "151MB", "14.2MB", "261GF"),
        ("conv11", "6x6", "151MB", "4.20MB", "77.3GF"),
        ("conv12", "6x6", "151MB", "4.10MB", "75.5GF"),
        ("pool12", "1x1", "4.0MB", "0", "0.073GF"),
        ("total", "", "5.90GB", "30.4MB", "2.27TF"),
    ];

    /// <summary>
    /// Table 4.2: NiN's dimensions and, per layer, output size, output bytes, parameter bytes and GFLOPs at
    /// batch 1024, with the totals 30.4 MB and 2.27 TF.
    /// </summary>
    /// <returns>The recomputed table and its comparisons with the printed one.</returns>
    public static RecomputedTable Table42()
    {
        var network = NetworkInNetwork.Create();
        var report = CostModel.Analyze(network, new AnalysisOptions { Batch = Batch });
        var comparisons = ImmutableArray.CreateBuilder<PrintedComparison>();
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        var notes = ImmutableArray.CreateBuilder<string>();
        foreach (var printed in PrintedTable42)
        {
            var isTotal = printed.Layer == "total";
            long outputBytes, parameterBytes, flops;
            string filter = "", stride = "", pad = "", channels = "", outHw = "";
            if (isTotal)
            {
                (outputBytes, parameterBytes, flops) = (report.Totals.OutputBytes, report.Totals.ParameterBytes, report.Totals.Flops);
            }
            else
            {
                var row = report[printed.Layer];
                (outputBytes, parameterBytes, flops) = (row.OutputBytes, row.ParameterBytes, row.Flops);
                (filter, stride, pad) = Hyperparameters(network[printed.Layer], row);
                channels = row.Output.Channels.ToString(System.Globalization.CultureInfo.InvariantCulture);
                outHw = row.Output.Spatial.ToString();
            }

            rows.Add(
            [
                printed.Layer, filter, stride, pad, channels,
                isTotal ? "" : Compare("4.2", printed.Layer, "output HxW", printed.OutHw, outHw, comparisons, notes),
                Compare("4.2", printed.Layer, "output", printed.Output, outputBytes, isTotal ? 1e9 : 1e6, "B", comparisons, notes),
                Compare("4.2", printed.Layer, "params", printed.Params, parameterBytes, 1e6, "B", comparisons, notes),
                Compare("4.2", printed.Layer, "computation", printed.Flops, flops, isTotal ? 1e12 : 1e9, "F", comparisons, notes),
            ]);
        }

        notes.Insert(0, "batch 1024, fp32, biases included, Caffe rounding (conv floor, pool ceil), MB = 10^6 bytes; "
            + "values agree with the printed ones to within one unit of the last printed digit unless shown as 'computed (printed …)'");
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("filter HxW"), new("stride"), new("pad"), new("output channels"),
            new("output HxW"), new("Qty of output"), new("Qty of params"), new("Qty of computation"),
        ];
        var view = new TextTable("Table 4.2: Network-in-Network (NiN), batch 1024", columns, rows.ToImmutable(), notes.ToImmutable());
        return new RecomputedTable(view, comparisons.ToImmutable());
    }

    private static (string Filter, string Stride, string Pad) Hyperparameters(Layer layer, LayerCost row) => layer switch
    {
        ConvolutionLayer c => (c.Kernel.ToString(), c.Stride.Height.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Pad.Height.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        PoolingLayer { IsGlobal: true } => (row.InputShapes[0].Spatial.ToString(), "1", "0"),
        PoolingLayer p => (p.Kernel.ToString(), p.Stride.Height.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Pad.Height.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        _ => ("-", "-", "-"),
    };

    /// <summary>Compares a printed quantity with a computed count shown in the printed unit (<paramref name="scale"/> base units).</summary>
    internal static string Compare(string table, string row, string column, string printedText, long computed, double scale, string unit,
        ImmutableArray<PrintedComparison>.Builder comparisons, ImmutableArray<string>.Builder notes)
    {
        var printed = PrintedValue.Parse(printedText);
        var shown = computed == 0 ? "0" : Units.Significant(computed / scale) + " " + ScaleSymbol(scale) + unit;
        return Record(new PrintedComparison(table, row, column, printedText, shown, printed.Agrees(computed), Errata.Find(table, row, column)), comparisons, notes);
    }

    /// <summary>Compares a printed text (a shape) with the computed one, exactly.</summary>
    internal static string Compare(string table, string row, string column, string printedText, string computed,
        ImmutableArray<PrintedComparison>.Builder comparisons, ImmutableArray<string>.Builder notes) =>
        Record(new PrintedComparison(table, row, column, printedText, computed, printedText == computed, Errata.Find(table, row, column)), comparisons, notes);

    private static string Record(PrintedComparison comparison, ImmutableArray<PrintedComparison>.Builder comparisons, ImmutableArray<string>.Builder notes)
    {
        comparisons.Add(comparison);
        if (comparison.Agrees)
        {
            return comparison.Computed;
        }

        var reason = comparison.Erratum?.Reason ?? "no known explanation";
        notes.Add($"[{notes.Count + 1}] {comparison.Row} {comparison.Column}: printed {comparison.Printed}, computed {comparison.Computed}: {reason}");
        return $"{comparison.Computed} (printed {comparison.Printed}) [{notes.Count}]";
    }

    private static string ScaleSymbol(double scale) => scale switch
    {
        1e3 => "K",
        1e6 => "M",
        1e9 => "G",
        1e12 => "T",
        _ => "",
    };
}
