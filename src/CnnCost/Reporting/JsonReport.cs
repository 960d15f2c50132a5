using System.Text;
using System.Text.Json;
using CnnCost.Changes;
using CnnCost.DesignSpace;
using CnnCost.Costs;
using CnnCost.Distributed;
using CnnCost.Measurement;
using CnnCost.Graph;

namespace CnnCost.Reporting;

/// <summary>The JSON of a <see cref="CostReport"/> and of the other reports, field by field in <c>docs/json.md</c> (camelCase, one object).</summary>
public static class JsonReport
{
    /// <summary>Writes the report as an indented JSON document.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(CostReport report) => ToJson(report, []);

    /// <summary>Writes the report of an imported model as an indented JSON document, with the nodes its importer skipped.</summary>
    /// <param name="report">The report.</param>
    /// <param name="skipped">The nodes skipped as unsupported (<see cref="Import.ImportedModel.Skipped"/>).</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(CostReport report, IReadOnlyList<Import.SkippedNode> skipped)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(skipped);
        return Encode(writer => Write(writer, report, skipped));
    }

    /// <summary>The JSON of <c>whatif</c> (docs/json.md): both reports, changed layers, scope, ratios, per-layer ratios; undefined ratios are null.</summary>
    /// <param name="change">The change report.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(ChangeReport change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Encode(writer => WriteChange(writer, change));
    }

    /// <summary>The JSON of <c>scale</c> (docs/json.md): the setting, one row per worker count, the break-even count.</summary>
    /// <param name="report">The scaling report.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(ScalingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Encode(w =>
        {
            var s = report.Setup;
            w.WriteStartObject();
            w.WriteString("model", report.Model);
            w.WriteNumber("batch", s.Batch);
            w.WriteString("scheme", s.Communication.Scheme switch
            {
                CommunicationScheme.ParameterServer => "ps",
                CommunicationScheme.Ring => "ring",
                _ => "tree",
            });
            w.WriteNumber("branching", s.Communication.Branching);
            w.WriteNumber("bandwidthBytesPerSecond", s.Communication.BandwidthBytesPerSecond);
            w.WriteNumber("workerFlopsPerSecond", s.WorkerFlopsPerSecond);
            w.WriteNumber("parameterBytes", report.GradientBytes);
            w.WriteNumber("flopsPerStep", report.FlopsPerStep);
            w.WriteString("scaling", s.Mode.ToString().ToLowerInvariant());
            w.WriteString("parallelism", s.Parallelism.ToString().ToLowerInvariant());
            w.WriteStartArray("rows");
            foreach (var r in report.Rows)
            {
                w.WriteStartObject();
                w.WriteNumber("workers", r.Workers);
                w.WriteNumber("computeSeconds", r.ComputeSeconds);
                w.WriteNumber("communicationSeconds", r.CommunicationSeconds);
                w.WriteNumber("stepSeconds", r.StepSeconds);
                w.WriteNumber("speedup", r.Speedup);
                w.WriteNumber("efficiency", r.Efficiency);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            NumberOrNull(w, "breakEvenWorkers", report.BreakEvenWorkers);

            w.WriteEndObject();
        });
    }

    /// <summary>The JSON of <c>measure</c> (docs/json.md): per layer the verified times, achieved FLOP/s, prediction and shape; totals.</summary>
    /// <param name="report">The measurement report.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(MeasurementReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Encode(w =>
        {
            w.WriteStartObject();
            w.WriteString("model", report.Model);
            w.WriteString("engine", report.Engine);
            w.WriteString("device", report.Device.Name);
            w.WriteStartObject("deviceInfo");
            w.WriteString("kind", report.Device.Kind.ToString().ToLowerInvariant());
            w.WriteNumber("computeUnits", report.Device.ComputeUnits);
            w.WriteNumber("memoryBytes", report.Device.MemoryBytes);
            w.WriteNumber("lastLevelCacheBytes", report.Device.LastLevelCacheBytes);
            w.WriteString("instructionSet", report.Device.InstructionSet);
            w.WriteEndObject();
            w.WriteString("selection", report.Selection);
            w.WriteNumber("batch", report.Batch);
            w.WriteString("prediction", report.Prediction);
            WritePredictor(w, report.Predictor);
            w.WriteStartArray("layers");
            foreach (var l in report.Layers)
            {
                w.WriteStartObject();
                var shape = l.Timing.Shape;
                w.WriteString("name", shape.Name);
                w.WriteNumber("flops", shape.Flops);
                w.WriteNumber("medianSeconds", l.Timing.MedianSeconds);
                w.WriteNumber("minSeconds", l.Timing.MinSeconds);
                w.WriteNumber("maxSeconds", l.Timing.MaxSeconds);
                w.WriteNumber("achievedFlopsPerSecond", l.Timing.AchievedFlopsPerSecond);
                w.WriteNumber("maxRelativeError", l.Timing.MaxRelativeError);
                w.WriteNumber("predictedSeconds", l.PredictedSeconds);
                // The shape, so that other tools can run the same convolution.
                w.WriteStartObject("shape");
                w.WriteNumber("inChannels", shape.Input.Channels);
                w.WriteNumber("inHeight", shape.Input.Height);
                w.WriteNumber("inWidth", shape.Input.Width);
                w.WriteNumber("filters", shape.Filters);
                w.WriteNumber("kernelHeight", shape.Kernel.Height);
                w.WriteNumber("kernelWidth", shape.Kernel.Width);
                w.WriteNumber("strideHeight", shape.Stride.Height);
                w.WriteNumber("strideWidth", shape.Stride.Width);
                w.WriteNumber("padHeight", shape.Pad.Height);
                w.WriteNumber("padWidth", shape.Pad.Width);
                w.WriteNumber("dilationHeight", shape.Dilation.Height);
                w.WriteNumber("dilationWidth", shape.Dilation.Width);
                w.WriteNumber("groups", shape.Groups);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("totals");
            w.WriteNumber("measuredSeconds", report.MeasuredSeconds);
            w.WriteNumber("predictedSeconds", report.PredictedSeconds);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>The predictor's numbers, so that a script can check or reuse them.</summary>
    private static void WritePredictor(Utf8JsonWriter w, ITimePredictor predictor)
    {
        w.WriteStartObject("predictor");
        switch (predictor)
        {
            case RooflinePredictor roofline:
                w.WriteString("kind", "roofline");
                w.WriteNumber("peakFlopsPerSecond", roofline.Device.PeakFlopsPerSecond);
                w.WriteNumber("memoryBytesPerSecond", roofline.Device.MemoryBytesPerSecond);
                break;
            case CalibratedPredictor calibrated:
                w.WriteString("kind", "calibrated");
                w.WriteString("source", calibrated.Source);
                w.WriteNumber("secondsPerFlop", calibrated.Calibration.SecondsPerFlop);
                w.WriteNumber("secondsPerDepthwiseFlop", calibrated.Calibration.SecondsPerDepthwiseFlop);
                w.WriteNumber("secondsPerByte", calibrated.Calibration.SecondsPerByte);
                w.WriteNumber("secondsPerLayer", calibrated.Calibration.SecondsPerLayer);
                w.WriteNumber("cacheBytes", calibrated.Calibration.CacheBytes);
                w.WriteNumber("samples", calibrated.Calibration.Samples);
                break;
            default:
                w.WriteString("kind", "other");
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteChange(Utf8JsonWriter writer, ChangeReport change)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("baseline");
        Write(writer, change.Baseline);
        writer.WritePropertyName("modified");
        Write(writer, change.Modified);
        WriteNames(writer, "changedLayers", change.ChangedLayers);
        writer.WriteString("scope", change.Scope.ToString().ToLowerInvariant());
        WriteNames(writer, "resizedLayers", change.ResizedLayers);
        writer.WriteStartObject("ratios");
        NumberOrNull(writer, "parameters", change.Ratios.Parameters);
        NumberOrNull(writer, "flops", change.Ratios.Flops);
        NumberOrNull(writer, "activations", change.Ratios.Activations);
        NumberOrNull(writer, "computationPerCommunication", change.Ratios.ComputationPerCommunication);
        writer.WriteEndObject();
        writer.WriteString("scalingNote", change.ScalingNote);
        writer.WriteStartArray("layers");
        foreach (var d in change.Layers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", d.Name);
            NumberOrNull(writer, "outputRatio", d.OutputRatio);
            NumberOrNull(writer, "parameterRatio", d.ParameterRatio);
            NumberOrNull(writer, "flopRatio", d.FlopRatio);
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

    private static void WriteNames(Utf8JsonWriter writer, string property, IEnumerable<string> names)
    {
        writer.WriteStartArray(property);
        foreach (var name in names)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
    }

    /// <summary>The JSON of <c>space vgg</c> (docs/json.md): the space's size and the designs within the budgets given.</summary>
    /// <param name="space">The design space.</param>
    /// <param name="maxParameters">The parameter budget, or null for none.</param>
    /// <param name="maxFlops">The FLOP budget, or null for none.</param>
    /// <param name="withinBudget">Designs within every budget given, as <see cref="VggSpaceCounter.CountWithin"/> counts them.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(VggSpace space, long? maxParameters, long? maxFlops, long withinBudget)
    {
        ArgumentNullException.ThrowIfNull(space);
        return Encode(w =>
        {
            w.WriteStartObject();
            w.WriteString("space", "vgg");
            w.WriteNumber("slots", space.Slots);
            w.WriteNumber("choicesPerSlot", space.ChoicesPerSlot);
            w.WriteNumber("total", space.Total);
            NumberOrNull(w, "maxParams", maxParameters);
            NumberOrNull(w, "maxFlops", maxFlops);
            w.WriteNumber("withinBudget", withinBudget);
            w.WriteEndObject();
        });
    }

    /// <summary>Writes an integer, or null when it is absent.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="name">The property name.</param>
    /// <param name="value">The value.</param>
    internal static void NumberOrNull(Utf8JsonWriter writer, string name, long? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Writes a number, or null when it is absent or not finite (JSON has no NaN or infinity).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="name">The property name.</param>
    /// <param name="value">The value.</param>
    internal static void NumberOrNull(Utf8JsonWriter writer, string name, double? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } v && double.IsFinite(v))
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static string Encode(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the report as one JSON object (for embedding, as <c>whatif</c> does).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="report">The report.</param>
    public static void Write(Utf8JsonWriter writer, CostReport report) => Write(writer, report, null);

    /// <summary>Writes the report; with <paramref name="skipped"/> (a whole <c>report</c> document) the skipped nodes too.</summary>
    private static void Write(Utf8JsonWriter writer, CostReport report, IReadOnlyList<Import.SkippedNode>? skipped)
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
            WriteDimensions(writer, "output", row.Output);
            writer.WriteNumber("weights", row.Weights);
            writer.WriteNumber("biases", row.Biases);
            writer.WriteNumber("parameterBytes", row.ParameterBytes);
            writer.WriteNumber("outputElements", row.OutputElements);
            writer.WriteNumber("outputBytes", row.OutputBytes);
            writer.WriteNumber("flops", row.Flops);
            writer.WriteNumber("macs", row.Macs);
            writer.WriteNumber("otherOps", row.OtherOps);
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
        writer.WriteNumber("macs", t.Macs);
        writer.WriteNumber("otherOps", t.OtherOps);
        writer.WriteEndObject();
        if (skipped is not null)
        {
            writer.WriteStartArray("skipped");
            foreach (var node in skipped)
            {
                writer.WriteStartObject();
                writer.WriteString("node", node.Node);
                writer.WriteString("operator", node.Operator);
                writer.WriteString("reason", node.Reason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteDimensions(Utf8JsonWriter writer, string name, Shape shape)
    {
        writer.WriteStartArray(name);
        for (var axis = 0; axis < shape.Rank; axis++)
        {
            writer.WriteNumberValue(shape[axis]);
        }

        writer.WriteEndArray();
    }

    private static void WriteShape(Utf8JsonWriter writer, Shape shape)
    {
        writer.WriteStartObject();
        writer.WriteNumber("channels", shape.Channels);
        writer.WriteNumber("height", shape.Height);
        writer.WriteNumber("width", shape.Width);
        WriteDimensions(writer, "dims", shape);
        writer.WriteEndObject();
    }
}
