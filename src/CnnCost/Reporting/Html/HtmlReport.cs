using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.Reporting.Html;

/// <summary>
/// One self-contained HTML page of a network and its costs: the graph laid out top to bottom by
/// <see cref="LayeredLayout"/> (boxes filled by their share of FLOPs, parameters or activations), every number of
/// a layer's report row on hover or click, a sortable per-layer table linked to the graph, modules that fold into
/// one box with their summed costs, the totals, the conventions and the source; for a what-if, the changed layers
/// marked with their ratios and the scope. The page makes no network request (its Content-Security-Policy forbids
/// any); every name taken from a model is escaped. The elements scripts can rely on are listed in docs/html.md.
/// </summary>
public static class HtmlReport
{
    private const double Padding = 6;
    private const double LabelPadding = 18;

    /// <summary>The page of one report.</summary>
    /// <param name="network">The network the report was computed from (its edges are drawn).</param>
    /// <param name="report">The report: one row per layer of <paramref name="network"/>, in its order.</param>
    /// <param name="source">Where the model came from (a zoo name or a file path), shown as given; null when unknown.</param>
    /// <param name="notes">What an importer assumed or left out; null for none.</param>
    /// <returns>The HTML document.</returns>
    /// <exception cref="ArgumentException">The report's rows are not the network's layers.</exception>
    public static string Report(Network network, CostReport report, string? source = null, IReadOnlyList<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(report);
        return Page(network, report, null, [], source, notes ?? []);
    }

    /// <summary>The page of a what-if: the modified network with each changed layer marked, its ratios, and the scope.</summary>
    /// <param name="modified">The modified network (<see cref="Modification.ApplyAll"/> of the baseline).</param>
    /// <param name="change">The change report.</param>
    /// <param name="modifications">The edits' specs, in order, as the page names them.</param>
    /// <param name="source">Where the baseline came from; null when unknown.</param>
    /// <returns>The HTML document.</returns>
    /// <exception cref="ArgumentException">The modified report's rows are not the network's layers.</exception>
    public static string Change(Network modified, ChangeReport change, IReadOnlyList<string> modifications, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(modified);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(modifications);
        return Page(modified, change.Modified, change, modifications, source, []);
    }

    /// <summary>How a layer of a what-if changed: <c>added</c>, <c>parameters</c>, <c>resized</c>, <c>other</c>, or null when it did not.</summary>
    /// <param name="change">The change report.</param>
    /// <param name="name">A layer of the modified network.</param>
    /// <returns>The kind of change.</returns>
    public static string? ChangeKind(ChangeReport change, string name)
    {
        ArgumentNullException.ThrowIfNull(change);
        var delta = change.Layers.FirstOrDefault(d => d.Name == name);
        return delta is null ? null : ChangeKind(change, delta);
    }

    private static string? ChangeKind(ChangeReport change, LayerDelta delta)
    {
        if (!delta.Changed)
        {
            return null;
        }

        if (delta.Added)
        {
            return "added";
        }

        if (delta.Removed)
        {
            return "removed";
        }

        var before = change.Baseline[delta.Name];
        var after = change.Modified[delta.Name];
        if (before.Weights != after.Weights || before.Biases != after.Biases)
        {
            return "parameters";
        }

        return before.Output != after.Output || !before.InputShapes.SequenceEqual(after.InputShapes) ? "resized" : "other";
    }

    private static string Page(Network network, CostReport report, ChangeReport? change, IReadOnlyList<string> modifications, string? source, IReadOnlyList<string> notes)
    {
        var count = network.Layers.Length;
        if (report.Layers.Length != count || Enumerable.Range(0, count).Any(i => report.Layers[i].Name != network.Layers[i].Name))
        {
            throw new ArgumentException($"the report of '{report.Model}' does not list the layers of network '{network.Name}' in its order", nameof(report));
        }

        var names = report.Layers.Select(r => r.Name).ToArray();
        var modules = LayerModules.Find(names);
        var moduleIds = modules.Where(m => m is not null).Distinct().Select((m, i) => (m!, i)).ToDictionary(p => p.Item1, p => p.i, StringComparer.Ordinal);
        var inputs = Enumerable.Range(0, count).Select(network.InputIndicesOf).ToArray();
        var layout = LayeredLayout.Compute(inputs, [.. modules.Select(m => m is null ? -1 : moduleIds[m])]);
        var deltas = change?.Layers.ToDictionary(d => d.Name, StringComparer.Ordinal);
        var kinds = change is null || deltas is null ? new string?[count] : names.Select(n => ChangeKind(change, deltas[n])).ToArray();

        var html = new StringBuilder(4096 + 1200 * count);
        var title = change is null ? $"{report.Model}: costs per layer" : $"{report.Model}: what if {string.Join(" then ", modifications)}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"CnnCost\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body")
            .Append(change is null ? "" : " data-whatif=\"true\"").Append(">\n");
        Header(html, report, change, modifications, source, notes, title);
        html.Append("<main>\n<div id=\"graph-pane\">\n");
        Svg(html, report, layout, modules, kinds);
        html.Append("</div>\n<div id=\"side\">\n<section id=\"details\" aria-live=\"polite\"><p class=\"hint\">Hover or click a box or a row to see every number of its layer.</p></section>\n")
            .Append("<section id=\"table-pane\"><table id=\"layers-table\"><thead></thead><tbody></tbody></table></section>\n</div>\n</main>\n");
        html.Append("<script type=\"application/json\" id=\"cnncost-data\">");
        html.Append(Data(report, change, modules, kinds, deltas));
        html.Append("</script>\n<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(StringBuilder html, CostReport report, ChangeReport? change, IReadOnlyList<string> modifications, string? source, IReadOnlyList<string> notes, string title)
    {
        var t = report.Totals;
        var c = report.Conventions;
        html.Append("<header>\n<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<p id=\"source\">source: ").Append(E(source ?? report.Model)).Append("; input ").Append(E(report.Input.ToString())).Append("</p>\n");
        html.Append("<dl id=\"totals\">");
        Term(html, "weights", t.Weights, "weights");
        Term(html, "biases", t.Biases, "biases");
        Term(html, "parameters", t.Parameters, "parameters");
        Term(html, "parameter bytes", t.ParameterBytes, "parameterBytes");
        Term(html, "output bytes", t.OutputBytes, "outputBytes");
        Term(html, "activation bytes", t.ActivationBytes, "activationBytes");
        Term(html, "FLOPs", t.Flops, "flops");
        html.Append("</dl>\n");
        html.Append("<p id=\"conventions\">").Append(E(
            $"batch {report.Batch}; {report.Phase.ToString().ToLowerInvariant()} FLOPs (a multiply-add is 2 FLOPs"
            + (report.Phase == Phase.Training ? ", training is 3x inference" : "") + "); "
            + $"{c.Precision}; biases {(c.CountBiases ? "included in" : "excluded from")} parameter bytes; "
            + $"element-wise operations {(c.CountElementwiseOps ? "counted" : "not counted")}; "
            + $"output sizes round by {c.ConvolutionRounding.ToString().ToLowerInvariant()} (convolution) and {c.PoolingRounding.ToString().ToLowerInvariant()} (pooling); "
            + "in-place layers add no output bytes to the totals; bytes are exact counts (1 MB = 10^6 bytes)")).Append("</p>\n");
        foreach (var note in notes)
        {
            html.Append("<p class=\"note\">").Append(E(note)).Append("</p>\n");
        }

        if (change is not null)
        {
            var r = change.Ratios;
            html.Append("<p id=\"scope\" data-scope=\"").Append(change.Scope.ToString().ToLowerInvariant()).Append("\">scope: <strong>")
                .Append(change.Scope.ToString().ToLowerInvariant()).Append("</strong>. ").Append(E(change.ScalingNote)).Append("</p>\n");
            html.Append("<p id=\"ratios\">modified / baseline: parameter bytes ").Append(Ratio(r.Parameters)).Append(", FLOPs ").Append(Ratio(r.Flops))
                .Append(", activations ").Append(Ratio(r.Activations)).Append(", FLOPs per parameter byte ").Append(Ratio(r.ComputationPerCommunication)).Append("</p>\n");
            var removed = change.Layers.Where(d => d.Removed).Select(d => d.Name).ToArray();
            html.Append("<p id=\"removed\">removed layers: ").Append(removed.Length == 0 ? "none" : E(string.Join(", ", removed))).Append("</p>\n");
            html.Append("<p class=\"legend\"><span class=\"swatch parameters\"></span>parameters changed <span class=\"swatch resized\"></span>only resized ")
                .Append("<span class=\"swatch added\"></span>added <span class=\"swatch other\"></span>FLOPs changed only</p>\n");
        }

        html.Append("<div id=\"controls\"><label>fill: <select id=\"fill-metric\"><option value=\"flops\">share of FLOPs</option>")
            .Append("<option value=\"params\">share of parameters</option><option value=\"activations\">share of activations</option></select></label>")
            .Append(" <button type=\"button\" id=\"collapse-all\">collapse all modules</button> <button type=\"button\" id=\"expand-all\">expand all modules</button></div>\n</header>\n");
    }

    private static void Term(StringBuilder html, string label, long value, string key) =>
        html.Append("<div><dt>").Append(label).Append("</dt><dd data-total=\"").Append(key).Append("\" data-value=\"").Append(I(value)).Append("\">")
            .Append(Units.Count(value)).Append("</dd></div>");

    private static void Svg(StringBuilder html, CostReport report, GraphLayout layout, ImmutableArray<string?> modules, string?[] kinds)
    {
        var maxFlops = Math.Max(1, report.Layers.Max(r => r.Flops));
        html.Append("<svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(N(layout.Width)).Append("\" height=\"").Append(N(layout.Height))
            .Append("\" viewBox=\"0 0 ").Append(N(layout.Width)).Append(' ').Append(N(layout.Height)).Append("\" data-crossings=\"").Append(I(layout.Crossings)).Append("\">\n")
            .Append("<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\"/></marker></defs>\n");

        // Module frames behind everything; the boxes modules fold into, in front.
        var groups = Enumerable.Range(0, modules.Length).Where(i => modules[i] is not null).GroupBy(i => modules[i]!, StringComparer.Ordinal).ToArray();
        html.Append("<g id=\"frames\">\n");
        foreach (var group in groups)
        {
            var (x, y, w, h) = Bounds(layout, group);
            html.Append("<rect class=\"module-frame\" data-module=\"").Append(E(group.Key)).Append("\" x=\"").Append(N(x)).Append("\" y=\"").Append(N(y))
                .Append("\" width=\"").Append(N(w)).Append("\" height=\"").Append(N(h)).Append("\" rx=\"8\"/>\n");
        }

        html.Append("</g>\n<g id=\"edges\">\n");
        foreach (var edge in layout.Edges)
        {
            var from = report.Layers[edge.From].Name;
            var to = report.Layers[edge.To].Name;
            html.Append("<path class=\"edge\" data-from=\"").Append(E(from)).Append("\" data-to=\"").Append(E(to)).Append('"');
            if (modules[edge.From] is { } m && m == modules[edge.To])
            {
                html.Append(" data-module=\"").Append(E(m)).Append('"');
            }

            html.Append(" d=\"");
            for (var p = 0; p < edge.Points.Length; p++)
            {
                html.Append(p == 0 ? "M" : " L").Append(N(edge.Points[p].X)).Append(',').Append(N(edge.Points[p].Y));
            }

            html.Append("\" marker-end=\"url(#arrow)\"/>\n");
        }

        html.Append("</g>\n<g id=\"layers\">\n");
        for (var i = 0; i < report.Layers.Length; i++)
        {
            var row = report.Layers[i];
            var box = layout.Boxes[i];
            html.Append("<g class=\"layer\" id=\"layer-").Append(I(i)).Append("\" data-index=\"").Append(I(i)).Append("\" data-layer=\"").Append(E(row.Name))
                .Append("\" data-kind=\"").Append(ReportViews.KindName(row.Kind)).Append("\" data-flops=\"").Append(I(row.Flops))
                .Append("\" data-params=\"").Append(I(row.Parameters)).Append("\" data-activations=\"").Append(I(Activations(row)))
                .Append("\" data-x=\"").Append(N(box.X)).Append("\" data-y=\"").Append(N(box.Y)).Append("\" data-width=\"").Append(N(box.Width))
                .Append("\" data-height=\"").Append(N(box.Height)).Append('"');
            if (modules[i] is { } module)
            {
                html.Append(" data-module=\"").Append(E(module)).Append('"');
            }

            if (kinds[i] is { } kind)
            {
                html.Append(" data-changed=\"true\" data-change=\"").Append(kind).Append('"');
            }

            html.Append("><title>").Append(E(row.Name)).Append("</title>")
                .Append("<rect class=\"box\" x=\"").Append(N(box.X)).Append("\" y=\"").Append(N(box.Y)).Append("\" width=\"").Append(N(box.Width))
                .Append("\" height=\"").Append(N(box.Height)).Append("\" rx=\"4\"/>")
                .Append("<rect class=\"fill\" x=\"").Append(N(box.X + 1)).Append("\" y=\"").Append(N(box.Y + 1)).Append("\" width=\"")
                .Append(N(Math.Round((box.Width - 2) * row.Flops / maxFlops, 1))).Append("\" height=\"").Append(N(box.Height - 2)).Append("\"/>");
            Text(html, "name", box.X + 8, box.Y + 17, Fit(row.Name, 25));
            Text(html, "info", box.X + 8, box.Y + 33, Fit($"{ReportViews.KindName(row.Kind)} · {row.Output}", 31));
            Text(html, "info", box.X + 8, box.Y + 49, Fit($"{Compact(row.Parameters)} params · {Compact(row.Flops)}FLOPs", 31));
            html.Append("</g>\n");
        }

        html.Append("</g>\n<g id=\"modules\">\n");
        foreach (var group in groups)
        {
            var (x, y, w, h) = Bounds(layout, group);
            var rows = group.Select(i => report.Layers[i]).ToArray();
            var flops = rows.Sum(r => r.Flops);
            var parameters = rows.Sum(r => r.Parameters);
            html.Append("<g class=\"module\" data-module=\"").Append(E(group.Key)).Append("\" data-layers=\"").Append(I(rows.Length))
                .Append("\" data-flops=\"").Append(I(flops)).Append("\" data-params=\"").Append(I(parameters))
                .Append("\" data-activations=\"").Append(I(rows.Sum(Activations))).Append("\" data-collapsed=\"false\"")
                .Append(" data-x=\"").Append(N(x)).Append("\" data-y=\"").Append(N(y)).Append("\" data-width=\"").Append(N(w)).Append("\" data-height=\"").Append(N(h)).Append("\">");
            html.Append("<text class=\"module-toggle\" x=\"").Append(N(x + 6)).Append("\" y=\"").Append(N(y + 13)).Append("\">")
                .Append("▾ ").Append(E(Fit(group.Key, (int)(w / 7)))).Append("</text>");
            html.Append("<g class=\"module-box\"><title>").Append(E(group.Key)).Append("</title><rect x=\"").Append(N(x)).Append("\" y=\"").Append(N(y + LabelPadding))
                .Append("\" width=\"").Append(N(w)).Append("\" height=\"").Append(N(h - LabelPadding)).Append("\" rx=\"6\"/>");
            // The summary at the top of the folded box, which keeps the module's place so no edge needs rerouting.
            var middle = y + LabelPadding;
            var characters = (int)(w / 6.5);
            var kindCounts = string.Join(", ", rows.GroupBy(r => r.Kind).Select(k => $"{k.Count()} {ReportViews.KindName(k.Key)}"));
            Text(html, "name", x + 10, middle + 17, Fit(group.Key, characters));
            Text(html, "info", x + 10, middle + 33, Fit($"{rows.Length} layers folded: {kindCounts}", characters));
            Text(html, "info", x + 10, middle + 49, Fit($"{Compact(parameters)} params · {Compact(flops)}FLOPs", characters));
            Text(html, "info", x + 10, middle + 65, Fit($"{Compact(rows.Sum(Activations))}B of activations", characters));
            html.Append("</g></g>\n");
        }

        html.Append("</g>\n</svg>\n");
    }

    /// <summary>The frame around a module's boxes, with room for its label above them.</summary>
    private static (double X, double Y, double Width, double Height) Bounds(GraphLayout layout, IEnumerable<int> members)
    {
        var boxes = members.Select(i => layout.Boxes[i]).ToArray();
        var left = boxes.Min(b => b.X) - Padding;
        var top = boxes.Min(b => b.Y) - LabelPadding;
        var right = boxes.Max(b => b.X + b.Width) + Padding;
        var bottom = boxes.Max(b => b.Y + b.Height) + Padding;
        return (left, top, right - left, bottom - top);
    }

    /// <summary>The bytes a layer adds to the output total: its output unless it works in place.</summary>
    private static long Activations(LayerCost row) => row.InPlace ? 0 : row.OutputBytes;

    private static string Data(CostReport report, ChangeReport? change, ImmutableArray<string?> modules, string?[] kinds, Dictionary<string, LayerDelta>? deltas)
    {
        using var stream = new MemoryStream();
        // The default encoder escapes <, >, & and quotes as \uXXXX, so no name can close the script element.
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.Default }))
        {
            w.WriteStartObject();
            w.WriteString("model", report.Model);
            w.WriteBoolean("whatif", change is not null);
            w.WriteStartObject("totals");
            var t = report.Totals;
            w.WriteString("parameters", I(t.Parameters));
            w.WriteString("parameterBytes", I(t.ParameterBytes));
            w.WriteString("outputBytes", I(t.OutputBytes));
            w.WriteString("activationBytes", I(t.ActivationBytes));
            w.WriteString("flops", I(t.Flops));
            w.WriteEndObject();
            w.WriteStartArray("layers");
            for (var i = 0; i < report.Layers.Length; i++)
            {
                var r = report.Layers[i];
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteString("kind", ReportViews.KindName(r.Kind));
                if (modules[i] is { } module)
                {
                    w.WriteString("module", module);
                }

                w.WriteStartArray("inputs");
                foreach (var shape in r.InputShapes)
                {
                    w.WriteStringValue(shape.ToString());
                }

                w.WriteEndArray();
                w.WriteString("output", r.Output.ToString());
                w.WriteString("weights", I(r.Weights));
                w.WriteString("biases", I(r.Biases));
                w.WriteString("parameters", I(r.Parameters));
                w.WriteString("parameterBytes", I(r.ParameterBytes));
                w.WriteString("outputElements", I(r.OutputElements));
                w.WriteString("outputBytes", I(r.OutputBytes));
                w.WriteString("flops", I(r.Flops));
                w.WriteBoolean("inPlace", r.InPlace);
                if (change is not null && deltas is not null)
                {
                    w.WriteString("change", kinds[i] ?? "none");
                    var d = deltas[r.Name];
                    WriteRatio(w, "outputRatio", d.OutputRatio);
                    WriteRatio(w, "parameterRatio", d.ParameterRatio);
                    WriteRatio(w, "flopRatio", d.FlopRatio);
                    if (!d.Added)
                    {
                        var b = change.Baseline[r.Name];
                        w.WriteStartObject("baseline");
                        w.WriteString("output", b.Output.ToString());
                        w.WriteString("parameters", I(b.Parameters));
                        w.WriteString("parameterBytes", I(b.ParameterBytes));
                        w.WriteString("outputBytes", I(b.OutputBytes));
                        w.WriteString("flops", I(b.Flops));
                        w.WriteEndObject();
                    }
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteRatio(Utf8JsonWriter w, string name, double? ratio)
    {
        if (ratio is { } value && double.IsFinite(value))
        {
            w.WriteNumber(name, Math.Round(value, 6));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Text(StringBuilder html, string cssClass, double x, double y, string text) =>
        html.Append("<text class=\"").Append(cssClass).Append("\" x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\">").Append(E(text)).Append("</text>");

    /// <summary>Shortens a label to fit its box (the whole name is in the box's title and the details).</summary>
    private static string Fit(string text, int characters) =>
        text.Length <= characters ? text : string.Concat(text.AsSpan(0, Math.Max(1, characters - 1)), "…");

    /// <summary>Three significant digits with an SI prefix and a trailing space: <c>1.23 G</c>, <c>960 </c>.</summary>
    private static string Compact(long value)
    {
        string[] prefixes = ["", "k", "M", "G", "T", "P", "E"];
        var scaled = (double)value;
        var p = 0;
        while (Math.Abs(scaled) >= 999.5 && p < prefixes.Length - 1)
        {
            scaled /= 1000;
            p++;
        }

        return $"{Units.Significant(scaled)} {prefixes[p]}";
    }

    private static string Ratio(double ratio) => double.IsFinite(ratio) ? ratio.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A coordinate to one decimal, without a trailing ".0" (integer arithmetic: a page writes tens of thousands).</summary>
    private static string N(double value)
    {
        var tenths = (long)Math.Round(Math.Abs(value) * 10, MidpointRounding.AwayFromZero);
        var sign = value < 0 && tenths != 0 ? "-" : "";
        var whole = (tenths / 10).ToString(CultureInfo.InvariantCulture);
        return tenths % 10 == 0 ? sign + whole : string.Concat(sign, whole, ".", ((char)('0' + tenths % 10)).ToString());
    }

    private const string Style = """

        :root { font-family: system-ui, sans-serif; color: #1f2328; }
        body { margin: 0; display: flex; flex-direction: column; height: 100vh; }
        header { padding: 8px 16px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
        h1 { font-size: 18px; margin: 0 0 4px; }
        header p { margin: 2px 0; font-size: 13px; }
        #totals { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 4px 0; font-size: 13px; }
        #totals div { display: flex; gap: 4px; } #totals dt { color: #57606a; } #totals dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
        #controls { margin-top: 4px; font-size: 13px; }
        main { flex: 1; display: flex; min-height: 0; }
        #graph-pane { flex: 1; overflow: auto; background: #fff; }
        #graph { display: block; margin: 0 auto; }
        #side { width: min(660px, 48vw); display: flex; flex-direction: column; border-left: 1px solid #d0d7de; min-height: 0; }
        #details { padding: 8px 12px; border-bottom: 1px solid #d0d7de; font-size: 13px; max-height: 45%; overflow: auto; }
        #details h2 { font-size: 15px; margin: 0 0 4px; word-break: break-all; }
        #details dl { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; margin: 0; }
        #details dt { color: #57606a; } #details dd { margin: 0; font-variant-numeric: tabular-nums; word-break: break-all; }
        .hint { color: #57606a; }
        #table-pane { flex: 1; overflow: auto; }
        table { border-collapse: collapse; font-size: 11px; table-layout: fixed; width: max-content; min-width: 100%; }
        th { width: 60px; } th[data-column="index"] { width: 28px; } th[data-column="name"] { width: 130px; } th[data-column="kind"] { width: 76px; }
        th[data-column="output"] { width: 72px; } th[data-column="outputBytes"] { width: 80px; } th[data-column="flops"] { width: 88px; } th[data-column="share"] { width: 44px; }
        td { overflow: hidden; text-overflow: ellipsis; }
        th { position: sticky; top: 0; background: #f6f8fa; cursor: pointer; text-align: left; padding: 3px 4px; border-bottom: 1px solid #d0d7de; white-space: nowrap; }
        th[data-sorted="asc"]::after { content: " ▲"; } th[data-sorted="desc"]::after { content: " ▼"; }
        td { padding: 2px 4px; border-bottom: 1px solid #eaeef2; white-space: nowrap; font-variant-numeric: tabular-nums; }
        td.num { text-align: right; }
        tbody tr { cursor: pointer; } tbody tr:hover { background: #f3f4f6; }
        tbody tr.selected { background: #fff8c5; }
        tr.changed-parameters td:first-child { border-left: 4px solid #d9480f; } tr.changed-resized td:first-child { border-left: 4px solid #1c7ed6; }
        tr.changed-added td:first-child { border-left: 4px solid #2b8a3e; } tr.changed-other td:first-child { border-left: 4px solid #ae3ec9; }
        svg text { font-size: 11px; fill: #1f2328; pointer-events: none; }
        svg text.name { font-size: 12px; font-weight: 600; }
        svg text.info { fill: #424a53; }
        .layer { cursor: pointer; }
        .layer rect.box { fill: #fff; stroke: #8c959f; stroke-width: 1; }
        .layer rect.fill { fill: #fdba74; opacity: 0.55; pointer-events: none; }
        .layer:hover rect.box { stroke: #0969da; stroke-width: 2; }
        .layer.selected rect.box { stroke: #0969da; stroke-width: 3; fill: #ddf4ff; }
        .layer[data-change="parameters"] rect.box { stroke: #d9480f; stroke-width: 3; }
        .layer[data-change="resized"] rect.box { stroke: #1c7ed6; stroke-width: 3; stroke-dasharray: 6 3; }
        .layer[data-change="added"] rect.box { stroke: #2b8a3e; stroke-width: 3; }
        .layer[data-change="other"] rect.box { stroke: #ae3ec9; stroke-width: 3; stroke-dasharray: 2 2; }
        .layer.selected[data-changed="true"] rect.box { fill: #ddf4ff; }
        .edge { fill: none; stroke: #6e7781; stroke-width: 1.2; }
        marker path { fill: #6e7781; }
        .module-frame { fill: #f6f8fa; stroke: #afb8c1; stroke-dasharray: 4 3; }
        .module-toggle { font-size: 11px; fill: #57606a; cursor: pointer; pointer-events: all; font-weight: 600; }
        .module .module-box { display: none; cursor: pointer; }
        .module[data-collapsed="true"] .module-box { display: inline; }
        .module-box rect { fill: #eef2ff; stroke: #6366f1; stroke-width: 2; }
        .module.selected .module-box rect { stroke: #0969da; stroke-width: 3; }
        [data-hidden="true"] { display: none; }
        .legend .swatch { display: inline-block; width: 18px; height: 10px; margin: 0 4px 0 10px; border: 3px solid; vertical-align: middle; }
        .swatch.parameters { border-color: #d9480f; } .swatch.resized { border-color: #1c7ed6; border-style: dashed; }
        .swatch.added { border-color: #2b8a3e; } .swatch.other { border-color: #ae3ec9; border-style: dotted; }

        """;

    private const string Script = """

        (() => {
          "use strict";
          const data = JSON.parse(document.getElementById("cnncost-data").textContent);
          const layers = data.layers;
          const boxes = Array.from(document.querySelectorAll("#layers > g.layer"));
          const modules = new Map(Array.from(document.querySelectorAll("#modules > g.module")).map(m => [m.dataset.module, m]));
          const edges = Array.from(document.querySelectorAll("#edges > path.edge"));
          const details = document.getElementById("details");
          const table = document.getElementById("layers-table");
          const tbody = table.tBodies[0];
          // Exact integers (strings in the data) with thousands separators; no Intl: a page of a thousand layers formats thousands.
          const exact = s => s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
          const num = s => Number(s);
          const ratio = r => r === null || r === undefined ? "-" : r.toFixed(3);
          const metricTotals = { flops: num(data.totals.flops), params: num(data.totals.parameters), activations: num(data.totals.outputBytes) };
          let metric = "flops";
          let selected = -1;

          const columns = [
            { key: "index", label: "#", value: (l, i) => i, num: true },
            { key: "name", label: "layer", value: l => l.name },
            { key: "kind", label: "kind", value: l => l.kind },
            { key: "output", label: "output", value: l => l.output },
            { key: "parameters", label: "params", value: l => num(l.parameters), text: l => exact(l.parameters), num: true },
            { key: "outputBytes", label: "output bytes", value: l => num(l.outputBytes), text: l => exact(l.outputBytes), num: true },
            { key: "flops", label: "FLOPs", value: l => num(l.flops), text: l => exact(l.flops), num: true },
            { key: "share", label: "share", value: (l, i) => share(i), text: (l, i) => (100 * share(i)).toFixed(1) + "%", num: true },
          ];
          if (data.whatif) {
            columns.push(
              { key: "change", label: "change", value: l => l.change === "none" ? "" : l.change },
              { key: "outputRatio", label: "Δ output", value: l => l.outputRatio ?? -1, text: l => ratio(l.outputRatio), num: true },
              { key: "parameterRatio", label: "Δ params", value: l => l.parameterRatio ?? -1, text: l => ratio(l.parameterRatio), num: true },
              { key: "flopRatio", label: "Δ FLOPs", value: l => l.flopRatio ?? -1, text: l => ratio(l.flopRatio), num: true });
          }

          function share(i) {
            const total = metricTotals[metric];
            return total > 0 ? num(boxes[i].dataset[metric]) / total : 0;
          }

          const head = table.tHead.insertRow();
          columns.forEach((c, k) => {
            const th = document.createElement("th");
            th.textContent = c.label;
            th.dataset.column = c.key;
            th.addEventListener("click", () => sortBy(k, th));
            head.appendChild(th);
          });
          function makeRow(i) {
            const l = layers[i];
            const tr = document.createElement("tr");
            tr.dataset.layer = l.name;
            tr.dataset.index = String(i);
            if (data.whatif && l.change !== "none") { tr.classList.add("changed-" + l.change); }
            for (const c of columns) {
              const td = tr.insertCell();
              td.textContent = c.text ? c.text(l, i) : String(c.value(l, i));
              if (c.num) { td.className = "num"; }
              td.dataset.column = c.key;
            }
            tr.addEventListener("click", () => select(i, "table"));
            return tr;
          }

          // The table is built in chunks: the first rows now, the rest in short tasks after the first frame, so a
          // network of thousands of layers is usable at once; anything that needs every row builds them first.
          const rows = [];
          const chunk = 250;
          function buildRows(upTo) {
            const fragment = document.createDocumentFragment();
            while (rows.length < upTo) { const tr = makeRow(rows.length); rows.push(tr); fragment.append(tr); }
            tbody.append(fragment);
            if (rows.length === layers.length) { table.dataset.complete = "true"; }
          }
          const allRows = () => buildRows(layers.length);
          function buildRest() {
            if (rows.length < layers.length) { buildRows(Math.min(layers.length, rows.length + chunk)); setTimeout(buildRest, 0); }
          }
          buildRows(Math.min(layers.length, chunk));

          let sortState = { column: -1, ascending: true };
          function sortBy(k, th) {
            allRows();
            const ascending = sortState.column === k ? !sortState.ascending : !columns[k].num;
            sortState = { column: k, ascending };
            const c = columns[k];
            const keyed = rows.map(tr => { const i = num(tr.dataset.index); return [c.value(layers[i], i), i, tr]; });
            keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]) * (ascending ? 1 : -1));
            tbody.append(...keyed.map(x => x[2]));
            for (const other of head.cells) { other.removeAttribute("data-sorted"); }
            th.dataset.sorted = ascending ? "asc" : "desc";
          }

          function applyFill() {
            let max = 0;
            for (const b of boxes) { max = Math.max(max, num(b.dataset[metric])); }
            for (const b of boxes) {
              const width = max > 0 ? (num(b.dataset.width) - 2) * num(b.dataset[metric]) / max : 0;
              b.querySelector("rect.fill").setAttribute("width", width.toFixed(1));
            }
            const shareColumn = columns.findIndex(c => c.key === "share");
            rows.forEach((tr, i) => { tr.cells[shareColumn].textContent = columns[shareColumn].text(layers[i], i); });
          }

          function show(i) {
            details.replaceChildren();
            if (i < 0) {
              const p = document.createElement("p");
              p.className = "hint";
              p.textContent = "Hover or click a box or a row to see every number of its layer.";
              details.append(p);
              return;
            }
            const l = layers[i];
            const h = document.createElement("h2");
            h.textContent = l.name;
            const dl = document.createElement("dl");
            const add = (term, value) => {
              const dt = document.createElement("dt"); dt.textContent = term;
              const dd = document.createElement("dd"); dd.textContent = value; dd.dataset.field = term;
              dl.append(dt, dd);
            };
            add("kind", l.kind);
            if (l.module) { add("module", l.module); }
            add("inputs", l.inputs.length ? l.inputs.join(", ") : "none");
            add("output", l.output);
            add("weights", exact(l.weights));
            add("biases", exact(l.biases));
            add("parameters", exact(l.parameters));
            add("parameter bytes", exact(l.parameterBytes));
            add("output elements", exact(l.outputElements));
            add("output bytes", exact(l.outputBytes) + (l.inPlace ? " (in place: not in the totals)" : ""));
            add("FLOPs", exact(l.flops));
            add("share of " + metric, (100 * share(i)).toFixed(2) + "%");
            if (data.whatif) {
              add("change", l.change);
              if (l.baseline) {
                add("baseline output", l.baseline.output);
                add("baseline parameters", exact(l.baseline.parameters));
                add("baseline output bytes", exact(l.baseline.outputBytes));
                add("baseline FLOPs", exact(l.baseline.flops));
              }
              add("Δ output", ratio(l.outputRatio));
              add("Δ params", ratio(l.parameterRatio));
              add("Δ FLOPs", ratio(l.flopRatio));
            }
            details.append(h, dl);
          }

          function select(i, from) {
            allRows();
            if (selected >= 0) {
              boxes[selected].classList.remove("selected");
              rows[selected].classList.remove("selected");
              const m = modules.get(layers[selected].module);
              if (m) { m.classList.remove("selected"); }
            }
            selected = i;
            boxes[i].classList.add("selected");
            rows[i].classList.add("selected");
            const m = modules.get(layers[i].module);
            const folded = m && m.dataset.collapsed === "true";
            if (folded) { m.classList.add("selected"); }
            show(i);
            if (from === "table") {
              (folded ? m.querySelector(".module-box") : boxes[i]).scrollIntoView({ block: "center", inline: "center" });
            } else {
              rows[i].scrollIntoView({ block: "nearest" });
            }
          }

          function fold(name, collapse) {
            const m = modules.get(name);
            m.dataset.collapsed = collapse ? "true" : "false";
            m.querySelector(".module-toggle").firstChild.textContent = (collapse ? "▸ " : "▾ ") + m.querySelector(".module-toggle").firstChild.textContent.slice(2);
            for (const b of boxes) { if (b.dataset.module === name) { b.dataset.hidden = collapse ? "true" : "false"; } }
            for (const e of edges) { if (e.dataset.module === name) { e.dataset.hidden = collapse ? "true" : "false"; } }
          }

          boxes.forEach((b, i) => {
            b.addEventListener("click", () => select(i, "graph"));
            b.addEventListener("mouseenter", () => show(i));
            b.addEventListener("mouseleave", () => show(selected));
          });
          for (const [name, m] of modules) {
            m.querySelector(".module-toggle").addEventListener("click", () => fold(name, m.dataset.collapsed !== "true"));
            m.querySelector(".module-box").addEventListener("click", () => fold(name, false));
          }
          document.getElementById("collapse-all").addEventListener("click", () => { for (const name of modules.keys()) { fold(name, true); } });
          document.getElementById("expand-all").addEventListener("click", () => { for (const name of modules.keys()) { fold(name, false); } });
          document.getElementById("fill-metric").addEventListener("change", e => { metric = e.target.value; applyFill(); show(selected); });
          applyFill();
          // Usable once the first frame with the handlers in place is drawn; for measurements, milliseconds since navigation began.
          requestAnimationFrame(() => setTimeout(() => {
            document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
            document.documentElement.dataset.ready = "true";
            // A measurement may hold the rest of the table back (window.cnncostHoldTable) to time the page up to here alone.
            if (window.cnncostHoldTable) { window.cnncostBuildRest = buildRest; } else { buildRest(); }
          }));
        })();

        """;
}
