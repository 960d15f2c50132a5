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
        Assert.Throws<ArgumentNullException>(() => ProtoTextMessage.Parse(null!, "f"));
        Assert.Throws<ArgumentNullException>(() => ProtoTextMessage.Parse("a: 1", null!));
        Assert.Equal("f.onnx: truncated", new ModelFormatException("f.onnx", null, "truncated").Message);
        Assert.Empty(ProtoTextMessage.Parse("  # only a comment", "f").Fields);
    }
}
