using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using CnnCost.Changes;
using CnnCost.Dissertation;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost whatif MODEL --change SPEC ...</c>: what a change does, layer by layer, and whether it is local or global.</summary>
public static class WhatIfCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var common = CommonOptions.Read(arguments, "whatif");
        var specs = arguments.Options("change");
        arguments.EnsureAllUsed("whatif", 1);
        if (specs.Count == 0)
        {
            throw new UsageException("'whatif' needs at least one --change SPEC, e.g. --change filters:conv8=1536");
        }

        var modifications = specs.Select(Modification.Parse).ToArray();
        var change = ChangeAnalysis.Analyze(common.Network, modifications, common.Options);
        if (common.Format == OutputFormat.Json)
        {
            stdout.WriteLine(ToJson(change));
            return;
        }

        ConsoleOutput.Write(ReportViews.PerLayer(change.Modified, common.Unit), common.Format, stdout);
        ConsoleOutput.Write(DeltaTable(change, modifications), common.Format, stdout);
    }

    private static TextTable DeltaTable(ChangeReport change, IReadOnlyList<Modification> modifications)
    {
        var rows = change.Layers
            .Where(d => d.Changed)
            .Select(d => (ImmutableArray<string>)[d.Name, d.Added ? "added" : d.Removed ? "removed" : "changed",
                NinTables.FormatRatio(d.OutputRatio), NinTables.FormatRatio(d.ParameterRatio), NinTables.FormatRatio(d.FlopRatio)])
            .ToImmutableArray();
        var r = change.Ratios;
        rows = rows.Add(["total", "", NinTables.FormatRatio(r.Activations), NinTables.FormatRatio(r.Parameters), NinTables.FormatRatio(r.Flops)]);
        ImmutableArray<TextColumn> columns =
        [
            new("layer", ColumnAlignment.Left), new("", ColumnAlignment.Left), new("Δ output"), new("Δ params"), new("Δ FLOPs"),
        ];
        ImmutableArray<string> notes =
        [
            $"scope: {change.Scope.ToString().ToLowerInvariant()}; layers whose height and width change: {(change.ResizedLayers.IsEmpty ? "none" : string.Join(", ", change.ResizedLayers))}",
            $"computation per communication (FLOPs per parameter byte): {NinTables.FormatRatio(r.ComputationPerCommunication)}. {change.ScalingNote}",
        ];
        return new TextTable($"what if {string.Join(" then ", modifications.Select(m => m.Spec))}", columns, rows, notes);
    }

    /// <summary>The JSON of contracts.md: both reports, changed layers, scope, ratios, per-layer ratios.</summary>
    /// <param name="change">The change report.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(ChangeReport change)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("baseline");
            JsonReport.Write(writer, change.Baseline);
            writer.WritePropertyName("modified");
            JsonReport.Write(writer, change.Modified);
            writer.WriteStartArray("changedLayers");
            foreach (var name in change.ChangedLayers)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
            writer.WriteString("scope", change.Scope.ToString().ToLowerInvariant());
            writer.WriteStartArray("resizedLayers");
            foreach (var name in change.ResizedLayers)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
            writer.WriteStartObject("ratios");
            Number(writer, "parameters", change.Ratios.Parameters);
            Number(writer, "flops", change.Ratios.Flops);
            Number(writer, "activations", change.Ratios.Activations);
            Number(writer, "computationPerCommunication", change.Ratios.ComputationPerCommunication);
            writer.WriteEndObject();
            writer.WriteString("scalingNote", change.ScalingNote);
            writer.WriteStartArray("layers");
            foreach (var d in change.Layers)
            {
                writer.WriteStartObject();
                writer.WriteString("name", d.Name);
                Number(writer, "outputRatio", d.OutputRatio);
                Number(writer, "parameterRatio", d.ParameterRatio);
                Number(writer, "flopRatio", d.FlopRatio);
                writer.WriteBoolean("changed", d.Changed);
                if (d.Added)
                {
                    writer.WriteBoolean("added", true);
                }

                if (d.Removed)
                {
                    writer.WriteBoolean("removed", true);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
