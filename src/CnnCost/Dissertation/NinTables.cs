using System.Collections.Immutable;
using CnnCost.Changes;
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
            + "values agree with the printed ones (rounded or truncated to the printed digits) unless marked [n]: note n gives the printed value; "
            + "the dissertation's columns: filter HxW, output channels, output HxW, Qty of output, Qty of params, Qty of computation");
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("filter"), new("stride"), new("pad"), new("channels"),
            new("out HxW"), new("output"), new("params"), new("computation"),
        ];
        var view = new TextTable("Table 4.2: Network-in-Network (NiN), batch 1024", columns, rows.ToImmutable(), notes.ToImmutable());
        return new RecomputedTable(view, comparisons.ToImmutable());
    }

    /// <summary>One of the dissertation's NiN modifications, with the values Table 4.1 and its own table print.</summary>
    /// <param name="Table">The table that details it, e.g. <c>4.4</c>.</param>
    /// <param name="Description">Table 4.1's words for it.</param>
    /// <param name="Modifications">The edits that make it.</param>
    /// <param name="PrintedScope">Table 4.1's type of modification.</param>
    /// <param name="PrintedOutputRatio">Table 4.1's Δ Qty of output.</param>
    /// <param name="PrintedParameterRatio">Table 4.1's Δ Qty of params.</param>
    /// <param name="PrintedFlopRatio">Table 4.1's Δ Qty of computation.</param>
    /// <param name="PrintedParameters">The params total its own table prints.</param>
    /// <param name="PrintedFlops">The computation total its own table prints.</param>
    /// <param name="PrintedLayers">Its own table's rows as printed (empty for Table 4.2, compared by <see cref="Table42"/>).</param>
    public sealed record NinCase(string Table, string Description, ImmutableArray<Modification> Modifications, string PrintedScope,
        string PrintedOutputRatio, string PrintedParameterRatio, string PrintedFlopRatio, string PrintedParameters, string PrintedFlops,
        ImmutableArray<PrintedDeltaRow> PrintedLayers);

    /// <summary>One row of Tables 4.3-4.8 as printed: the layer's output size and its Δs against Table 4.2.</summary>
    /// <param name="Layer">The layer.</param>
    /// <param name="OutputSize">Output height x width.</param>
    /// <param name="OutputRatio">Δ Qty of output.</param>
    /// <param name="ParameterRatio">Δ Qty of params (<c>0</c> for the data layer, which has none).</param>
    /// <param name="FlopRatio">Δ Qty of computation (<c>0</c> for the data layer).</param>
    public sealed record PrintedDeltaRow(string Layer, string OutputSize, string OutputRatio, string ParameterRatio, string FlopRatio);

    /// <summary>The unmodified NiN and the six modifications of Tables 4.3-4.8, as Table 4.1 lists them.</summary>
    public static ImmutableArray<NinCase> Cases { get; } =
    [
        new("4.2", "Initial CNN (NiN)", [], "none", "1x", "1x", "1x", "30.4MB", "2.27TF", []),
        new("4.3", "4x more input channels", [new SetInputChannels(12)], "Local", "1x", "1x", "1.3x", "30.4MB", "2.92TF",
            [
                new("data", "227x227", "4x", "0", "0"),
                new("conv1", "55x55", "1x", "4x", "4x"),
                new("conv2", "55x55", "1x", "1x", "1x"),
                new("conv3", "55x55", "1x", "1x", "1x"),
                new("pool3", "27x27", "1x", "1x", "1x"),
                new("conv4", "27x27", "1x", "1x", "1x"),
                new("conv5", "27x27", "1x", "1x", "1x"),
                new("conv6", "27x27", "1x", "1x", "1x"),
                new("pool6", "13x13", "1x", "1x", "1x"),
                new("conv7", "13x13", "1x", "1x", "1x"),
                new("conv8", "13x13", "1x", "1x", "1x"),
                new("conv9", "13x13", "1x", "1x", "1x"),
                new("pool9", "6x6", "1x", "1x", "1x"),
                new("conv10", "6x6", "1x", "1x", "1x"),
                new("conv11", "6x6", "1x", "1x", "1x"),
                new("conv12", "6x6", "1x", "1x", "1x"),
                new("pool12", "1x1", "1x", "1x", "1x"),
            ]),
        new("4.4", "4x more filters in conv8", [new SetFilters("conv8", 1536)], "Local", "1.1x", "1.1x", "1.1x", "33.9MB", "2.57TF",
            [
                new("data", "227x227", "1x", "0", "0"),
                new("conv1", "55x55", "1x", "1x", "1x"),
                new("conv2", "55x55", "1x", "1x", "1x"),
                new("conv3", "55x55", "1x", "1x", "1x"),
                new("pool3", "27x27", "1x", "1x", "1x"),
                new("conv4", "27x27", "1x", "1x", "1x"),
                new("conv5", "27x27", "1x", "1x", "1x"),
                new("conv6", "27x27", "1x", "1x", "1x"),
                new("pool6", "13x13", "1x", "1x", "1x"),
                new("conv7", "13x13", "1x", "1x", "1x"),
                new("conv8", "13x13", "4x", "4x", "4x"),
                new("conv9", "13x13", "1x", "4x", "4x"),
                new("pool9", "6x6", "1x", "1x", "1x"),
                new("conv10", "6x6", "1x", "1x", "1x"),
                new("conv11", "6x6", "1x", "1x", "1x"),
                new("conv12", "6x6", "1x", "1x", "1x"),
                new("pool12", "1x1", "1x", "1x", "1x"),
            ]),
        new("4.5", "4x larger filter resolution in conv7", [new SetKernel("conv7", 6, 2)], "Local", "1x", "1.3x", "1.3x", "41.0MB", "2.99TF",
            [
                new("data", "227x227", "1x", "0", "0"),
                new("conv1", "55x55", "1x", "1x", "1x"),
                new("conv2", "55x55", "1x", "1x", "1x"),
                new("conv3", "55x55", "1x", "1x", "1x"),
                new("pool3", "27x27", "1x", "1x", "1x"),
                new("conv4", "27x27", "1x", "1x", "1x"),
                new("conv5", "27x27", "1x", "1x", "1x"),
                new("conv6", "27x27", "1x", "1x", "1x"),
                new("pool6", "13x13", "1x", "1x", "1x"),
                new("conv7", "12x12", "0.8x", "4x", "3.4x"),
                new("conv8", "12x12", "0.8x", "1x", "0.9x"),
                new("conv9", "12x12", "0.8x", "1x", "0.9x"),
                new("pool9", "6x6", "1x", "1x", "1x"),
                new("conv10", "6x6", "1x", "1x", "1x"),
                new("conv11", "6x6", "1x", "1x", "1x"),
                new("conv12", "6x6", "1x", "1x", "1x"),
                new("pool12", "1x1", "1x", "1x", "1x"),
            ]),
        new("4.6", "4x more categories to classify", [new SetCategories(4000)], "Local", "1x", "1.4x", "1.1x", "42.6MB", "2.49TF",
            [
                new("data", "227x227", "1x", "0", "0"),
                new("conv1", "55x55", "1x", "1x", "1x"),
                new("conv2", "55x55", "1x", "1x", "1x"),
                new("conv3", "55x55", "1x", "1x", "1x"),
                new("pool3", "27x27", "1x", "1x", "1x"),
                new("conv4", "27x27", "1x", "1x", "1x"),
                new("conv5", "27x27", "1x", "1x", "1x"),
                new("conv6", "27x27", "1x", "1x", "1x"),
                new("pool6", "13x13", "1x", "1x", "1x"),
                new("conv7", "13x13", "1x", "1x", "1x"),
                new("conv8", "13x13", "1x", "1x", "1x"),
                new("conv9", "13x13", "1x", "1x", "1x"),
                new("pool9", "6x6", "1x", "1x", "1x"),
                new("conv10", "6x6", "1x", "1x", "1x"),
                new("conv11", "6x6", "1x", "1x", "1x"),
                new("conv12", "6x6", "4x", "4x", "4x"),
                new("pool12", "1x1", "4x", "1x", "4x"),
            ]),
        new("4.7", "remove pool3 downsampling layer", [new RemoveLayer("pool3")], "Global", "2.6x", "1x", "3.8x", "30.4MB", "8.65TF",
            [
                new("data", "227x227", "1x", "0", "0"),
                new("conv1", "55x55", "1x", "1x", "1x"),
                new("conv2", "55x55", "1x", "1x", "1x"),
                new("conv3", "55x55", "1x", "1x", "1x"),
                new("conv4", "55x55", "4.1x", "1x", "4.1x"),
                new("conv5", "55x55", "4.1x", "1x", "4.1x"),
                new("conv6", "55x55", "4.1x", "1x", "4.1x"),
                new("pool6", "27x27", "4x", "1x", "4.3x"),
                new("conv7", "27x27", "4.3x", "1x", "4.3x"),
                new("conv8", "27x27", "4.3x", "1x", "4.3x"),
                new("conv9", "27x27", "4.3x", "1x", "4.3x"),
                new("pool9", "13x13", "4.7x", "1x", "4x"),
                new("conv10", "13x13", "4.7x", "1x", "4.7x"),
                new("conv11", "13x13", "4.7x", "1x", "4.7x"),
                new("conv12", "13x13", "4.7x", "1x", "4.7x"),
                new("pool12", "1x1", "4x", "1x", "4x"),
            ]),
        new("4.8", "4x larger input data resolution", [new SetInputSize(454)], "Global", "4.2x", "1x", "4.3x", "30.4MB", "9.67TF",
            [
                new("data", "454x454", "4x", "0", "0"),
                new("conv1", "111x111", "4.1x", "1x", "4.1x"),
                new("conv2", "111x111", "4.1x", "1x", "4.1x"),
                new("conv3", "111x111", "4.1x", "1x", "4.1x"),
                new("pool3", "55x55", "4.1x", "1x", "4.2x"),
                new("conv4", "55x55", "4.1x", "1x", "4.2x"),
                new("conv5", "55x55", "4.1x", "1x", "4.2x"),
                new("conv6", "55x55", "4.1x", "1x", "4.2x"),
                new("pool6", "27x27", "4.3x", "1x", "4.3x"),
                new("conv7", "27x27", "4.3x", "1x", "4.3x"),
                new("conv8", "27x27", "4.3x", "1x", "4.3x"),
                new("conv9", "27x27", "4.3x", "1x", "4.3x"),
                new("pool9", "13x13", "4.7x", "1x", "4.7x"),
                new("conv10", "13x13", "4.7x", "1x", "4.7x"),
                new("conv11", "13x13", "4.7x", "1x", "4.7x"),
                new("conv12", "13x13", "4.7x", "1x", "4.7x"),
                new("pool12", "1x1", "4.7x", "1x", "4.7x"),
            ]),
    ];

    /// <summary>The change report of one case at batch 1024.</summary>
    /// <param name="ninCase">The case.</param>
    /// <returns>NiN against its modification.</returns>
    public static ChangeReport Analyze(NinCase ninCase)
    {
        ArgumentNullException.ThrowIfNull(ninCase);
        return ChangeAnalysis.Analyze(NetworkInNetwork.Create(), ninCase.Modifications, new AnalysisOptions { Batch = Batch });
    }

    /// <summary>
    /// Table 4.1: each modification's type (local or global, derived from the propagated shapes), its Δ in
    /// output (activations without the input layer), parameters and computation, and the parameter and FLOP
    /// totals its own table (4.2-4.8) prints.
    /// </summary>
    /// <returns>The recomputed table and its comparisons with the printed values.</returns>
    public static RecomputedTable Table41()
    {
        var comparisons = ImmutableArray.CreateBuilder<PrintedComparison>();
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        var notes = ImmutableArray.CreateBuilder<string>();
        foreach (var c in Cases)
        {
            var change = Analyze(c);
            var scope = change.Scope.ToString();
            rows.Add(
            [
                c.Table, c.Description,
                Compare("4.1", c.Description, "type", c.PrintedScope, scope == "None" ? "none" : scope, comparisons, notes),
                CompareRatio("4.1", c.Description, "Δ output", c.PrintedOutputRatio, change.Ratios.Activations, comparisons, notes),
                CompareRatio("4.1", c.Description, "Δ params", c.PrintedParameterRatio, change.Ratios.Parameters, comparisons, notes),
                CompareRatio("4.1", c.Description, "Δ computation", c.PrintedFlopRatio, change.Ratios.Flops, comparisons, notes),
                Compare(c.Table, "total", "params", c.PrintedParameters, change.Modified.Totals.ParameterBytes, 1e6, "B", comparisons, notes),
                Compare(c.Table, "total", "computation", c.PrintedFlops, change.Modified.Totals.Flops, 1e12, "F", comparisons, notes),
                ReportViews.Abbreviate(change.ChangedLayers.Where(n => !IsInPlace(change, n)).ToArray()),
                $"{change.Ratios.ComputationPerCommunication:0.00}x",
            ]);
        }

        notes.Insert(0, "batch 1024, fp32, biases included, Caffe rounding; Δ = modified / unmodified NiN, rounded to one decimal as printed "
            + "(exact values from a what-if analysis of NiN); Δ output counts activations without the input layer; "
            + "the type is derived from which layers' height and width change, not from the kind of edit; "
            + "Δ comp/comm = Δ of computation per communication (FLOPs per parameter byte); [n]: the printed value differs, see note n");
        ImmutableArray<TextColumn> columns =
        [
            new("table", ColumnAlignment.Left), new("modification", ColumnAlignment.Left), new("type", ColumnAlignment.Left),
            new("Δ output"), new("Δ params"), new("Δ computation"), new("params"), new("computation"),
            new("changed layers", ColumnAlignment.Left), new("Δ comp/comm"),
        ];
        var view = new TextTable("Table 4.1: local and global changes to NiN, batch 1024", columns, rows.ToImmutable(), notes.ToImmutable());
        return new RecomputedTable(view, comparisons.ToImmutable());
    }

    /// <summary>
    /// One of Tables 4.3-4.8: the modified NiN layer by layer, with its shapes and the Δ of output, parameters and
    /// computation against Table 4.2 (exact ratio and its one-decimal rounding), each compared with the printed Δ.
    /// </summary>
    /// <param name="ninCase">The case (not the unmodified 4.2).</param>
    /// <returns>The recomputed table and its comparisons with the printed one.</returns>
    public static RecomputedTable ModifiedTable(NinCase ninCase)
    {
        ArgumentNullException.ThrowIfNull(ninCase);
        var change = Analyze(ninCase);
        var table = ninCase.Table;
        var printedRows = ninCase.PrintedLayers.ToDictionary(r => r.Layer, StringComparer.Ordinal);
        var comparisons = ImmutableArray.CreateBuilder<PrintedComparison>();
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        var notes = ImmutableArray.CreateBuilder<string>();
        foreach (var delta in change.Layers)
        {
            if (delta.Removed)
            {
                rows.Add([delta.Name, "", "removed", "", "", ""]);
                continue;
            }

            var row = change.Modified[delta.Name];
            if (row.InPlace)
            {
                continue;
            }

            var name = delta.Name + (delta.Added ? " (added)" : "");
            var channels = row.Output.Channels.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!printedRows.TryGetValue(delta.Name, out var printed))
            {
                rows.Add([name, channels, row.Output.Spatial.ToString(), FormatRatio(delta.OutputRatio), FormatRatio(delta.ParameterRatio), FormatRatio(delta.FlopRatio)]);
                continue;
            }

            var before = change.Baseline[delta.Name];
            rows.Add(
            [
                name, channels,
                Compare(table, delta.Name, "output HxW", printed.OutputSize, row.Output.Spatial.ToString(), comparisons, notes),
                CompareRatio(table, delta.Name, "Δ output", printed.OutputRatio, delta.OutputRatio!.Value, comparisons, notes),
                CompareDelta(table, delta.Name, "Δ params", printed.ParameterRatio, before.ParameterBytes, row.ParameterBytes, delta.ParameterRatio, comparisons, notes),
                CompareDelta(table, delta.Name, "Δ computation", printed.FlopRatio, before.Flops, row.Flops, delta.FlopRatio, comparisons, notes),
            ]);
        }

        var r = change.Ratios;
        rows.Add(["total", "", "", FormatRatio(r.Activations), FormatRatio(r.Parameters), FormatRatio(r.Flops)]);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("output channels"), new("output HxW"),
            new("Δ output"), new("Δ params"), new("Δ computation"),
        ];
        notes.Insert(0, $"{change.Scope.ToString().ToLowerInvariant()} change; layers whose height and width change: "
            + $"{(change.ResizedLayers.IsEmpty ? "none" : ReportViews.Abbreviate(change.ResizedLayers.Where(n => !change.Modified[n].InPlace).ToArray()))}; "
            + $"totals: {Units.Significant(change.Modified.Totals.ParameterBytes / 1e6)} MB of parameters, {Units.Significant(change.Modified.Totals.Flops / 1e12)} TF");
        notes.Insert(1, change.ScalingNote);
        var view = new TextTable($"Table {table}: NiN with {ninCase.Description}, batch 1024", columns, rows.ToImmutable(), notes.ToImmutable());
        return new RecomputedTable(view, comparisons.ToImmutable());
    }

    private static bool IsInPlace(ChangeReport change, string name) =>
        change.Modified.Layers.Any(l => l.Name == name && l.InPlace) || change.Baseline.Layers.Any(l => l.Name == name && l.InPlace);

    /// <summary>A Δ cell where the printed <c>0</c> means the layer has none of that quantity on either side.</summary>
    private static string CompareDelta(string table, string row, string column, string printedText, long before, long after, double? ratio,
        ImmutableArray<PrintedComparison>.Builder comparisons, ImmutableArray<string>.Builder notes)
    {
        if (printedText == "0")
        {
            var none = before == 0 && after == 0;
            return Record(new PrintedComparison(table, row, column, printedText, none ? "0" : FormatRatio(ratio), none, Errata.Find(table, row, column)), comparisons, notes);
        }

        return ratio is { } r
            ? CompareRatio(table, row, column, printedText, r, comparisons, notes)
            : Record(new PrintedComparison(table, row, column, printedText, "-", false, Errata.Find(table, row, column)), comparisons, notes);
    }

    /// <summary>A ratio as the tables print it, exact and rounded: <c>4.69x (4.7x)</c>; <c>-</c> when undefined.</summary>
    /// <param name="ratio">The ratio.</param>
    /// <returns>The text.</returns>
    public static string FormatRatio(double? ratio) => Units.Ratio(ratio);

    private static string CompareRatio(string table, string row, string column, string printedText, double computed,
        ImmutableArray<PrintedComparison>.Builder comparisons, ImmutableArray<string>.Builder notes)
    {
        var printed = PrintedValue.Parse(printedText);
        return Record(new PrintedComparison(table, row, column, printedText, FormatRatio(computed), printed.RoundsTo(computed), Errata.Find(table, row, column)), comparisons, notes);
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
        var suffix = ScaleSymbol(scale) + unit;
        var shown = computed == 0 ? "0" : Units.Significant(computed / scale) + (suffix.Length == 0 ? "" : " " + suffix);
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
        // The printed value is in the note: the cell stays narrow enough for a table that fits the screen.
        return $"{comparison.Computed} [{notes.Count}]";
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
