using System.Text.Json;
using System.Text.RegularExpressions;
using CnnCost.IntegrationTests.Samples;
using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>
/// <c>docs/json.md</c> documents every field of every JSON output: each section's table must name exactly the fields
/// the command writes, so that neither the page nor the output changes without the other.
/// </summary>
public partial class JsonDocumentationTests
{
    /// <summary>The command lines whose outputs are checked, by section; together they reach every optional field.</summary>
    public static TheoryData<string, string[][]> Sections => new()
    {
        { "report", [["report", "nin", "--format", "json"], ["squeezenet", "--format", "json"], ["report", SkippingModel.Value, "--skip-unsupported", "--format", "json"]] },
        { "whatif", [["whatif", "nin", "--change", "filters:conv8=1536", "--format", "json"],
                     ["whatif", "nin", "--change", "remove:pool3", "--change", "insert-after:conv4=conv,1x1,256", "--format", "json"]] },
        { "scale", [["scale", "nin", "--workers", "1..128", "--bandwidth", "56Gbit/s", "--worker-throughput", "3.52TFLOP/s", "--format", "json"]] },
        { "space vgg", [["space", "vgg", "--max-params", "100M", "--format", "json"]] },
        { "measure", [["measure", "lenet", "--engine", "cpu", "--format", "json"],
                      ["measure", "lenet", "--engine", "cpu", "--calibrate-on", "lenet", "--repeat", "1", "--warmups", "1", "--format", "json"]] },
    };

    /// <summary>An ONNX model with a node CnnCost skips (its output shape stated), so <c>skipped[]</c> has an entry.</summary>
    private static readonly Lazy<string> SkippingModel = new(() =>
    {
        var model = CnnCost.Tests.Import.OnnxModels.Small(extraOp: "Foo");
        var stated = new CnnCost.Import.Onnx.Schema.ValueInfoProto { Name = "s2", Type = new() { TensorType = new() { ElemType = 1, Shape = new() } } };
        stated.Type.TensorType.Shape.Dim.Add(new CnnCost.Import.Onnx.Schema.TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in new long[] { 16, 8, 8 })
        {
            stated.Type.TensorType.Shape.Dim.Add(new CnnCost.Import.Onnx.Schema.TensorShapeProto.Types.Dimension { DimValue = d });
        }

        model.Graph.ValueInfo.Add(stated);
        var path = Path.Combine(Path.GetTempPath(), $"cnncost-json-docs-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        return path;
    });

    [Theory]
    [MemberData(nameof(Sections))]
    public void Each_section_names_exactly_the_fields_its_command_writes(string section, string[][] commandLines)
    {
        var documented = DocumentedFields(section);
        var written = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var args in commandLines)
        {
            var (exit, stdout, stderr) = CliRunner.Run(args);
            Assert.True(exit == 0, $"{string.Join(' ', args)}: {stderr}");
            using var json = JsonDocument.Parse(stdout);
            Collect(json.RootElement, "", written, section == "whatif");
        }

        Assert.Equal(documented, written);
    }

    /// <summary>The field names in the first column of the section's table, e.g. <c>layers[].name</c>.</summary>
    private static SortedSet<string> DocumentedFields(string section)
    {
        var page = File.ReadAllText(Path.Combine(SampleTests.RepositoryRoot(), "docs", "json.md"));
        var start = page.IndexOf($"## `{section}`", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/json.md has no section for `{section}`");
        var end = page.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var text = end < 0 ? page[start..] : page[start..end];
        return new SortedSet<string>(FieldRow().Matches(text).Select(m => m.Groups[1].Value), StringComparer.Ordinal);
    }

    /// <summary>Every field path under <paramref name="element"/>; the reports nested in a what-if are documented under <c>report</c>.</summary>
    private static void Collect(JsonElement element, string path, SortedSet<string> fields, bool whatIf)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    fields.Add(name);
                    if (!(whatIf && path.Length == 0 && property.Name is "baseline" or "modified"))
                    {
                        Collect(property.Value, name, fields, whatIf);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, path + "[]", fields, whatIf);
                }

                break;
        }
    }

    [GeneratedRegex(@"^\| `([A-Za-z\[\].]+)` \|", RegexOptions.Multiline)]
    private static partial Regex FieldRow();
}
