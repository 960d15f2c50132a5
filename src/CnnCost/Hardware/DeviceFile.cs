using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using CnnCost.Distributed;

namespace CnnCost.Hardware;

/// <summary>
/// Devices described in a JSON file, for hardware that has no preset: an array of objects with <c>name</c>,
/// <c>peakFlops</c> (FLOP/s), <c>bandwidth</c> (bytes/s) and <c>watts</c>, and an optional <c>source</c>. Rates are
/// numbers, or text with a unit as <c>--bandwidth</c> and <c>--worker-throughput</c> take it (<c>"19.5TFLOP/s"</c>,
/// <c>"2039GB/s"</c>). Example: <c>[{"name": "Board", "peakFlops": "1.2TFLOP/s", "bandwidth": "60GB/s", "watts": 15}]</c>.
/// </summary>
public static class DeviceFile
{
    private static readonly string[] Fields = ["name", "peakFlops", "bandwidth", "watts", "source"];

    /// <summary>Reads and checks a device file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The devices, in the file's order.</returns>
    /// <exception cref="CnnCostException">The file cannot be read or is not a valid device list; the message names the file and the problem.</exception>
    public static ImmutableArray<Device> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CnnCostException($"{path}: cannot be read: {error.Message}");
        }

        return Parse(text, path);
    }

    /// <summary>Reads and checks the text of a device file.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The file's name, for messages.</param>
    /// <returns>The devices, in order.</returns>
    /// <exception cref="CnnCostException">The text is not a valid device list; the message names <paramref name="source"/> and the problem.</exception>
    public static ImmutableArray<Device> Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException error)
        {
            throw new CnnCostException($"{source}: not valid JSON (line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                throw new CnnCostException($"{source}: expected a non-empty array of devices, e.g. [{{\"name\": \"Board\", \"peakFlops\": \"1.2TFLOP/s\", \"bandwidth\": \"60GB/s\", \"watts\": 15}}]");
            }

            var devices = ImmutableArray.CreateBuilder<Device>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                index++;
                var device = ReadDevice(element, $"{source}: device {index}");
                if (devices.Any(d => string.Equals(d.Name, device.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new CnnCostException($"{source}: device {index}: the name '{device.Name}' is used twice");
                }

                devices.Add(device);
            }

            return devices.ToImmutable();
        }
    }

    private static Device ReadDevice(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CnnCostException($"{where}: expected an object with name, peakFlops, bandwidth and watts");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!Fields.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new CnnCostException($"{where}: unknown field '{property.Name}'; the fields are {string.Join(", ", Fields)}");
            }
        }

        var name = Text(element, "name", where) ?? throw new CnnCostException($"{where}: 'name' is missing");
        if (name.Trim().Length == 0 || name.Any(char.IsControl))
        {
            throw new CnnCostException($"{where}: 'name' must be a non-empty name without control characters");
        }

        where = $"{where} ('{name}')";
        var peak = Rate(element, "peakFlops", where, Rates.ParseThroughput);
        var bandwidth = Rate(element, "bandwidth", where, Rates.ParseBandwidth);
        var watts = Rate(element, "watts", where, text => throw new FormatException($"'{text}' is not a number of watts"));
        if (watts > 1e9)
        {
            throw new CnnCostException($"{where}: 'watts' must be at most 1e9, got {watts.ToString(CultureInfo.InvariantCulture)}");
        }

        return new Device(name, peak, bandwidth, watts, Text(element, "source", where) ?? "device file");
    }

    private static string? Text(JsonElement element, string field, string where)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CnnCostException($"{where}: '{field}' must be text");
    }

    /// <summary>A positive finite number, or text with a unit read by <paramref name="parse"/>.</summary>
    private static double Rate(JsonElement element, string field, string where, Func<string, double> parse)
    {
        if (!element.TryGetProperty(field, out var value))
        {
            throw new CnnCostException($"{where}: '{field}' is missing");
        }

        double number;
        if (value.ValueKind == JsonValueKind.Number)
        {
            number = value.TryGetDouble(out var parsed) ? parsed : double.PositiveInfinity;
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                number = parse(value.GetString()!);
            }
            catch (FormatException error)
            {
                throw new CnnCostException($"{where}: '{field}': {error.Message}");
            }
        }
        else
        {
            throw new CnnCostException($"{where}: '{field}' must be a number");
        }

        return double.IsFinite(number) && number > 0
            ? number
            : throw new CnnCostException($"{where}: '{field}' must be a positive number, got {value.GetRawText()}");
    }
}
