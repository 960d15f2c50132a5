using CnnCost.Import;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>The protobuf text reader on small inputs: what it keeps, and the line and reason of each error.</summary>
public class ProtoTextTests
{
    [Fact]
    public void Fields_keep_their_values_lines_and_nesting()
    {
        const string text = "name: \"net\"  # a comment\nlayer {\n  top: 'a' ; top: \"b\", \n  param { lr: -1.5e+2 }\n}\nflag: true";
        var root = ProtoTextMessage.Parse(text, "f.prototxt");
        Assert.Equal(new[] { "name", "layer", "flag" }, root.Fields.Select(f => f.Name));
        Assert.Equal(("net", 1), (root.Last("name")!.Value, root.Last("name")!.Line));
        var layer = root.Last("layer")!;
        Assert.Equal(2, layer.Line);
        Assert.Null(layer.Value);
        Assert.Equal(new[] { "a", "b" }, layer.Message!.All("top").Select(f => f.Value));
        Assert.Equal("b", layer.Message.Last("top")!.Value);
        Assert.Equal(2, layer.Message.Line);
        var param = layer.Message.Last("param")!;
        Assert.Equal(("-1.5e+2", 4), (param.Message!.Last("lr")!.Value, param.Line));
        Assert.Equal(("true", 6), (root.Last("flag")!.Value, root.Last("flag")!.Line));
        Assert.Null(root.Last("missing"));
        Assert.Empty(root.All("missing"));
        Assert.Equal(1, root.Line);
    }

    [Fact]
    public void A_nested_message_may_have_a_colon_and_strings_concatenate_and_unescape()
    {
        // m: { s: "a\n" "b\t" "\"c" t: 'x\'y' }  -- adjacent strings with the same quote join into one value.
        var root = ProtoTextMessage.Parse("m: { s: \"a\\n\" \"b\\t\" \"\\\"c\" t: 'x\\'y' }\nnext_field.x_1: 3", "f");
        Assert.Equal("a\nb\t\"c", root.Last("m")!.Message!.Last("s")!.Value);
        Assert.Equal("x'y", root.Last("m")!.Message!.Last("t")!.Value);
        Assert.Equal("3", root.Last("next_field.x_1")!.Value);
    }

    public static TheoryData<string, string> BadTexts => new()
    {
        { "a {\n b: 1\n", "f: line 1: a '{' is never closed" },
        { "a: 1\n}", "f: line 2: unexpected '}'" },
        { "a < b: 1 >", "f: line 1: '<' messages are not supported; use '{'" },
        { "a\n\n b", "f: line 3: expected ':' or '{' after field 'a'" },
        { "a: 1\n= 2", "f: line 2: expected a field name, found '='" },
        { "a: 1\n\u00e9: 2", "f: line 2: expected a field name, found '\\u00e9'" },
        { "a:", "f: line 1: expected a value, found the end of the file" },
        { "a: }", "f: line 1: expected a value, found '}'" },
        { "a: \"open\nb: 1", "f: line 1: a string is not closed on its line" },
        { "a: 'open", "f: line 1: a string is not closed on its line" },
        { "a: \"open\\", "f: line 1: a string is not closed on its line" },   // a backslash that ends the file escapes nothing
        { "a: 1\n~: 2", "f: line 2: expected a field name, found '~'" },           // '~' is printable ASCII, shown as itself
    };

    [Theory]
    [MemberData(nameof(BadTexts))]
    public void Each_syntax_error_names_the_file_the_line_and_the_reason(string text, string message)
    {
        var error = Assert.Throws<ModelFormatException>(() => ProtoTextMessage.Parse(text, "f"));
        Assert.Equal(message, error.Message);
        Assert.Equal("f", error.File);
        Assert.StartsWith("line ", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_stops_at_the_maximum_depth()
    {
        // 65 levels parse (depth 0 to 64); one more is refused.
        var ok = string.Concat(Enumerable.Repeat("m {", ProtoTextMessage.MaxDepth)) + new string('}', ProtoTextMessage.MaxDepth);
        Assert.Single(ProtoTextMessage.Parse(ok, "f").Fields);
        var deep = string.Concat(Enumerable.Repeat("m {", ProtoTextMessage.MaxDepth + 1)) + new string('}', ProtoTextMessage.MaxDepth + 1);
        Assert.Equal("f: line 1: messages nest more than 64 deep", Assert.Throws<ModelFormatException>(() => ProtoTextMessage.Parse(deep, "f")).Message);
    }

    [Fact]
    public void Missing_text_or_file_name_is_an_argument_error_and_a_format_error_without_location_omits_it()
    {
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => ProtoTextMessage.Parse(null!, "f")).ParamName);
        Assert.Throws<ArgumentNullException>(() => ProtoTextMessage.Parse("a: 1", null!));
        Assert.Equal("f.onnx: truncated", new ModelFormatException("f.onnx", null, "truncated").Message);
        Assert.Empty(ProtoTextMessage.Parse("  # only a comment", "f").Fields);
    }

    [Fact]
    public void Text_beyond_ascii_is_decoded_where_it_is_a_value_and_skipped_where_it_is_space()
    {
        // A no-break space (U+00A0) and an ideographic space (U+3000) separate tokens as white space does; strings keep
        // their characters, escaped or not, whatever their UTF-8 length (é is 2 bytes, 猫 3, 🐈 4).
        var root = ProtoTextMessage.Parse("name:\u00a0\"caf\u00e9 \u732b\"\u3000tag: '\\\U0001F408\\n'\nlong: \"" + new string('\u00e9', 40) + "\"", "f");
        Assert.Equal("caf\u00e9 \u732b", root.Last("name")!.Value);
        Assert.Equal("\U0001F408\n", root.Last("tag")!.Value);
        Assert.Equal(new string('\u00e9', 40), root.Last("long")!.Value);
        Assert.Equal(2, root.Last("long")!.Line);
    }

    [Fact]
    public void Equal_short_strings_are_shared_and_unequal_ones_never_confused()
    {
        // The reader shares equal short strings through a hash-indexed cache; two strings in one slot must not mix.
        var names = Enumerable.Range(0, 5000).Select(i => $"blob{i}").ToArray();
        var root = ProtoTextMessage.Parse(string.Join("\n", names.Select(n => $"top: \"{n}\" bottom: \"{n}\"")), "f");
        Assert.Equal(names, root.All("top").Select(f => f.Value));
        Assert.Equal(names, root.All("bottom").Select(f => f.Value));
        Assert.Same(root.All("top").Last().Value, root.All("bottom").Last().Value);
    }

    [Fact]
    public void A_character_beyond_the_basic_plane_is_named_whole_in_an_error()
    {
        var error = Assert.Throws<ModelFormatException>(() => ProtoTextMessage.Parse("a: 1\n\U0001F408: 2", "f"));
        Assert.Equal("f: line 2: expected a field name, found '\\u1f408'", error.Message);
    }

    [Fact]
    public void A_file_with_a_utf8_byte_order_mark_reads_as_without_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cnncost-bom-{Environment.ProcessId}.prototxt");
        const string text = "name: \"bom\"\ninput: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\nlayer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }";
        try
        {
            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(text)]);
            var network = CaffeImporter.Read(path).Network;
            Assert.Equal("bom", network.Name);
            Assert.Equal(["data", "r"], network.Layers.Select(l => l.Name));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_separator_may_follow_a_bare_value_or_a_message_after_white_space()
    {
        // The text format allows ';' or ',' after any field, with white space before it.
        var root = ProtoTextMessage.Parse("a: 1 ; b: TRUE\n, m { c: 2 } ;\nd: 3", "f");
        Assert.Equal(new[] { "a", "b", "m", "d" }, root.Fields.Select(f => f.Name));
        Assert.Equal(("1", "TRUE", "2", "3"), (root.Last("a")!.Value, root.Last("b")!.Value, root.Last("m")!.Message!.Last("c")!.Value, root.Last("d")!.Value));
    }

    [Fact]
    public void Strings_of_the_longest_shared_length_are_shared()
    {
        // 32 bytes is the longest string the cache shares; two equal ones in a row are one string.
        var name = new string('x', 32);
        var root = ProtoTextMessage.Parse($"top: \"{name}\" bottom: \"{name}\"", "f");
        Assert.Same(root.Last("top")!.Value, root.Last("bottom")!.Value);
    }

    [Fact]
    public void Only_top_level_fields_are_offered_to_the_filter()
    {
        // A nested field belongs to its message: the filter sees (and may drop) top-level fields alone.
        var seen = new List<string>();
        var root = ProtoTextMessage.ParseTopLevel(System.Text.Encoding.UTF8.GetBytes("a: 1\nm { b: 2 n { c: 3 } }\nd: 4"), 0, "f", field =>
        {
            seen.Add(field.Name);
            return field.Name != "d";
        });
        Assert.Equal(new[] { "a", "m", "d" }, seen);
        Assert.Equal(new[] { "a", "m" }, root.Fields.Select(f => f.Name));
        Assert.Equal("3", root.Last("m")!.Message!.Last("n")!.Message!.Last("c")!.Value);
    }
}
