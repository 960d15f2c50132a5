using System.Text;
using System.Text.Json;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.Reporting;

/// <summary>The JSON of a <see cref="CostReport"/>, as <c>shared/spec/contracts.md</c> fixes it (camelCase, one object).</summary>
public static class JsonReport
{
    /// <summary>Writes the report as an indented JSON document.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(CostReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            Write(writer, report);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the report as one JSON object (for embedding, as <c>whatif</c> does).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="report">The report.</param>
    public static void Write(Utf8JsonWriter writer, CostReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteStartObject();
        writer.WriteString("model", report.Model);
        writer.WriteNumber("batch", report.Batch);
        writer.WriteNumber("bytesPerValue", report.Conventions.Precision.BytesPerValue);
        writer.WriteString("phase", report.Phase == Phase.Training ? "training" : "inference");
        writer.WriteBoolean("biasesInParameterBytes", report.Conventions.CountBiases);
        writer.WritePropertyName("input");
        WriteShape(writer, report.Input);
        writer.WriteStartArray("layers");
        foreach (var row in report.Layers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", row.Name);
            writer.WriteString("kind", ReportViews.KindName(row.Kind));
            writer.WriteNumber("outChannels", row.Output.Channels);
            writer.WriteNumber("outHeight", row.Output.Height);
            writer.WriteNumber("outWidth", row.Output.Width);
            writer.WriteNumber("weights", row.Weights);
            writer.WriteNumber("biases", row.Biases);
            writer.WriteNumber("parameterBytes", row.ParameterBytes);
            writer.WriteNumber("outputElements", row.OutputElements);
            writer.WriteNumber("outputBytes", row.OutputBytes);
            writer.WriteNumber("flops", row.Flops);
            writer.WriteBoolean("inPlace", row.InPlace);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        var t = report.Totals;
        writer.WriteStartObject("totals");
        writer.WriteNumber("weights", t.Weights);
        writer.WriteNumber("biases", t.Biases);
        writer.WriteNumber("parameterBytes", t.ParameterBytes);
        writer.WriteNumber("outputBytes", t.OutputBytes);
        writer.WriteNumber("activationBytes", t.ActivationBytes);
        writer.WriteNumber("flops", t.Flops);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteShape(Utf8JsonWriter writer, Shape shape)
    {
        writer.WriteStartObject();
        writer.WriteNumber("channels", shape.Channels);
        writer.WriteNumber("height", shape.Height);
        writer.WriteNumber("width", shape.Width);
        writer.WriteEndObject();
    }
}
