using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>
/// The ONNX importer reads the protobuf wire format in place, node by node. These files are written byte by byte, as
/// protobuf allows and ONNX's own writers may not: fields out of order, a graph given twice, unpacked dims, and bytes
/// that are not a message at all.
/// </summary>
public class OnnxWireTests
{
    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>A length-delimited field: tag (number · 8 + 2), length, bytes.</summary>
    private static byte[] Field(int number, byte[] value) => [.. Varint((ulong)number << 3 | 2), .. Varint((ulong)value.Length), .. value];

    /// <summary>A varint field: tag (number · 8 + 0), value.</summary>
    private static byte[] VarintField(int number, ulong value) => [.. Varint((ulong)number << 3), .. Varint(value)];

    private static byte[] Message(IMessage message) => message.ToByteArray();

    /// <summary>x: 1x4x8x8, then a 3x3 convolution of 6 filters with weights w (6x4x3x3) and no bias.</summary>
    private static (byte[] Input, byte[] Node) ConvParts()
    {
        var input = OnnxModels.GraphOf(1, 4, 8, 8).Input[0];
        var node = OnnxModels.Node("Conv", "conv", ["x", "w"], ["y"], OnnxModels.Ints("kernel_shape", 3, 3));
        return (Message(input), Message(node));
    }

    /// <summary>A TensorProto for w written field by field: name (8), the dims (1) unpacked, one varint each, and data (9).</summary>
    private static byte[] UnpackedWeights(byte[] data) =>
        [.. Field(8, "w"u8.ToArray()), .. new long[] { 6, 4, 3, 3 }.SelectMany(d => VarintField(1, (ulong)d)), .. Field(9, data)];

    private static byte[] Model(params byte[][] graphs) => [.. VarintField(1, 7), .. graphs.SelectMany(g => Field(7, g))];

    private static long Flops(byte[] bytes) => CostModel.Analyze(OnnxImporter.Parse(bytes, "wire.onnx").Network).Totals.Flops;

    /// <summary>6 filters · 6x6 outputs · 4·3·3 inputs · 2 FLOPs (Eq. 4.3, no bias).</summary>
    private const long ConvFlops = 6L * 6 * 6 * 4 * 3 * 3 * 2;

    [Fact]
    public void Initializers_after_the_nodes_and_unpacked_dims_read_as_packed_ones()
    {
        var (input, node) = ConvParts();
        // ONNX writers put nodes (field 1) first and initializers (5) later; the weights are needed when the node is read.
        var graph = (byte[])[.. Field(1, node), .. Field(5, UnpackedWeights(new byte[6 * 4 * 3 * 3 * 4])), .. Field(11, input)];
        Assert.Equal(ConvFlops, Flops(Model(graph)));
    }

    [Fact]
    public void A_graph_given_twice_is_merged_as_protobuf_merges_it()
    {
        var (input, node) = ConvParts();
        var first = (byte[])[.. Field(2, "first"u8.ToArray()), .. Field(11, input), .. Field(5, UnpackedWeights([]))];
        var second = (byte[])[.. Field(1, node), .. Field(2, "second"u8.ToArray())];
        var model = OnnxImporter.Parse(Model(first, second), "wire.onnx");
        Assert.Equal("second", model.Network.Name);
        Assert.Equal(ConvFlops, CostModel.Analyze(model.Network).Totals.Flops);
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped()
    {
        var (input, node) = ConvParts();
        byte[] fixed64 = [.. Varint(90 << 3 | 1), 1, 2, 3, 4, 5, 6, 7, 8];
        byte[] fixed32 = [.. Varint(91 << 3 | 5), 1, 2, 3, 4];
        var graph = (byte[])[.. fixed64, .. Field(1, node), .. VarintField(92, ulong.MaxValue), .. Field(11, input), .. fixed32, .. Field(5, UnpackedWeights([1, 2]))];
        Assert.Equal(ConvFlops, Flops([.. fixed32, .. Model(graph), .. fixed64]));
    }

    [Fact]
    public void Weight_data_is_never_read_so_its_size_does_not_matter()
    {
        // 8 MiB of weight bytes for 216 weights: only the dims count.
        var (input, node) = ConvParts();
        var graph = (byte[])[.. Field(11, input), .. Field(1, node), .. Field(5, UnpackedWeights(new byte[8 << 20]))];
        Assert.Equal(ConvFlops, Flops(Model(graph)));
    }

    public static TheoryData<string, byte[], string> Malformed()
    {
        var (input, node) = ConvParts();
        var graph = (byte[])[.. Field(11, input), .. Field(1, node), .. Field(5, UnpackedWeights([]))];
        var whole = Model(graph);
        return new()
        {
            { "truncated in the graph", whole[..^3], "declares" },
            { "a varint cut off", [0x08, 0x80], "runs past the end" },
            { "a varint of 11 bytes", [0x08, .. Enumerable.Repeat((byte)0xFF, 10), 0x01], "longer than 10 bytes" },
            { "field number 0", [0x02, 0x00], "field number 0" },
            { "a group", [0x3B, 0x3C], "wire type 3" },
            { "wire type 7", [0x3F], "wire type 7" },
            { "fixed64 cut off", [0x41, 1, 2, 3], "fixed-size field runs past" },
            { "the graph as a varint", [0x38, 0x05], "ModelProto.graph" },
            { "a node as a varint", Model([.. Field(11, input), 0x08, 0x01]), "GraphProto.node" },
            { "an initializer's name as a varint", Model([.. Field(11, input), .. Field(5, [0x40, 0x01])]), "TensorProto.name" },
            { "dims as fixed32", Model([.. Field(11, input), .. Field(5, [0x0D, 1, 2, 3, 4])]), "holds integers" },
            { "a node whose bytes are not a NodeProto", Model([.. Field(11, input), .. Field(1, [0x0A, 0x05, 0x41])]), "is not an ONNX model: " },
            { "no graph", VarintField(1, 7), "it has no graph" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Bytes_that_are_not_a_message_are_one_clear_error(string what, byte[] bytes, string expected)
    {
        var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(bytes, "wire.onnx"));
        Assert.StartsWith("wire.onnx: is not an ONNX model: ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void A_malformed_node_after_a_bad_node_is_not_reached()
    {
        // Nodes are read in order: the first node's own error is the one reported.
        var input = Message(OnnxModels.GraphOf(1, 4, 8, 8).Input[0]);
        var bad = Message(OnnxModels.Node("Conv", "conv", ["x", "missing"], ["y"]));
        var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(Model([.. Field(11, input), .. Field(1, bad), .. Field(1, [0x0A, 0x05])]), "wire.onnx"));
        Assert.Equal("node 'conv'", error.Location);
    }

    [Fact]
    public void Unnamed_nodes_never_take_a_name_a_later_node_carries()
    {
        // Relu_0 is the made-up name of the first (unnamed) node; the second node is called Relu_0 in the file.
        var graph = OnnxModels.GraphOf(1, 4, 8, 8);
        graph.Node.Add(OnnxModels.Node("Relu", "", ["x"], ["a"]));
        graph.Node.Add(OnnxModels.Node("Relu", "Relu_0", ["a"], ["b"]));
        var names = OnnxImporter.Parse(OnnxModels.Bytes(graph), "wire.onnx").Network.Layers.Select(l => l.Name).ToArray();
        Assert.Equal(["x", "Relu_0_2", "Relu_0"], names);
    }

    [Fact]
    public void Weight_data_in_a_file_is_sought_past_never_read_even_beyond_two_gibibytes()
    {
        // A file of 3 GiB, nearly all of it one initializer's raw_data (sparse: no disk is written): the import reads
        // the few bytes of structure around it and allocates far less than the data.
        var (input, node) = ConvParts();
        const long data = 3L << 30;
        byte[] weightsHead = [.. Field(8, "w"u8.ToArray()), .. new long[] { 6, 4, 3, 3 }.SelectMany(d => VarintField(1, (ulong)d)), .. Varint(9 << 3 | 2), .. Varint(data)];
        var tensorLength = weightsHead.Length + data;
        byte[] graphHead = [.. Field(11, input), .. Field(1, node), .. Varint(5 << 3 | 2), .. Varint((ulong)tensorLength)];
        var graphLength = graphHead.Length + tensorLength;
        byte[] head = [.. VarintField(1, 7), .. Varint(7 << 3 | 2), .. Varint((ulong)graphLength), .. graphHead, .. weightsHead];
        var path = Path.Combine(Path.GetTempPath(), $"cnncost-huge-weights-{Environment.ProcessId}.onnx");
        try
        {
            using (var file = File.Create(path))
            {
                file.Write(head);
                file.SetLength(head.Length + data);
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var model = OnnxImporter.Read(path);
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.Equal(ConvFlops, CostModel.Analyze(model.Network).Totals.Flops);
            Assert.True(allocated < 4 << 20, $"the import allocated {allocated:N0} bytes for a file of {head.Length + data:N0}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_length_past_the_end_of_a_file_is_refused_before_anything_is_sought()
    {
        var (input, _) = ConvParts();
        var path = Path.Combine(Path.GetTempPath(), $"cnncost-short-{Environment.ProcessId}.onnx");
        try
        {
            // The graph claims 1 TiB; the file holds a few bytes.
            File.WriteAllBytes(path, [.. Varint(7 << 3 | 2), .. Varint(1UL << 40), .. Field(11, input)]);
            var error = Assert.Throws<ModelFormatException>(() => OnnxImporter.Read(path));
            Assert.Contains("declares 1099511627776 bytes, more than its message holds", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string ErrorOf(byte[] bytes) => Assert.Throws<ModelFormatException>(() => OnnxImporter.Parse(bytes, "wire.onnx")).Message;

    [Theory]
    [InlineData(2, "GraphProto.name")]
    [InlineData(5, "GraphProto.initializer")]
    [InlineData(11, "GraphProto.input")]
    public void A_graph_field_given_as_a_varint_is_named_in_the_error(int number, string what)
    {
        // The graph holds one varint field (tag number · 8 + 0, value 1): its wire type is 0, not 2.
        Assert.Equal($"wire.onnx: is not an ONNX model: field {number} ({what}) has wire type 0, expected 2 (length-delimited)",
            ErrorOf(Model([.. VarintField(number, 1)])));
    }

    [Fact]
    public void The_largest_field_number_is_read_and_one_past_it_is_refused()
    {
        // 2^29 − 1 = 536,870,911 is protobuf's largest field number; an unknown field of it is skipped.
        var (input, node) = ConvParts();
        var graph = (byte[])[.. Field(11, input), .. Field(1, node), .. Field(5, UnpackedWeights([]))];
        Assert.Equal(ConvFlops, Flops([.. VarintField(536_870_911, 1), .. Model(graph)]));
        Assert.Equal("wire.onnx: is not an ONNX model: field number 536870912 at byte 0 is not a protobuf field number",
            ErrorOf([.. VarintField(536_870_912, 1), .. Model(graph)]));
    }

    [Fact]
    public void Wire_type_6_is_refused_where_it_is_read()
    {
        // 0x0E: field 1, wire type 6; four bytes follow that a fixed32 would take.
        Assert.Equal("wire.onnx: is not an ONNX model: field 1 at byte 0 has wire type 6, which ONNX files do not use", ErrorOf([0x0E, 1, 2, 3, 4]));
    }

    [Fact]
    public void A_varint_cut_off_by_the_end_of_its_message_is_refused_though_the_file_goes_on()
    {
        // Bytes 0-1: the graph (field 7) of 2 bytes, 2-3: field 3 as a varint whose one byte 0x80 says more follows; the
        // graph ends at byte 4, where the file's 0x08 0x07 would end the varint.
        Assert.Equal("wire.onnx: is not an ONNX model: a varint runs past the end of its message at byte 4",
            ErrorOf([0x3A, 0x02, 0x18, 0x80, 0x08, 0x07]));
    }

    [Fact]
    public void A_fixed32_cut_off_after_a_first_field_is_refused()
    {
        // Bytes 0-1: field 1 = 7; byte 2: field 1 as fixed32 (0x0D), whose 4 bytes from byte 3 find 2 before the end (5).
        Assert.Equal("wire.onnx: is not an ONNX model: a fixed-size field runs past the end of its message at byte 3",
            ErrorOf([0x08, 0x07, 0x0D, 1, 2]));
    }

    [Fact]
    public void An_input_named_empty_is_absent_even_beside_an_unnamed_initializer()
    {
        // ONNX names a left-out input "": a Conv reading "" as its weights lacks them, whatever tensor has no name.
        var input = Message(OnnxModels.GraphOf(1, 4, 8, 8).Input[0]);
        var node = Message(OnnxModels.Node("Conv", "conv", ["x", ""], ["y"], OnnxModels.Ints("kernel_shape", 3, 3)));
        byte[] unnamed = [.. new long[] { 6, 4, 3, 3 }.SelectMany(d => VarintField(1, (ulong)d))];
        var error = Assert.Throws<ModelFormatException>(() => Flops(Model([.. Field(11, input), .. Field(5, unnamed), .. Field(1, node)])));
        Assert.Equal("node 'conv': Conv needs input 2", $"{error.Location}: {error.Reason}");
    }

    [Fact]
    public void Made_up_names_count_up_past_every_name_taken()
    {
        // Relu_0 and Relu_0_2 are names in the file: the unnamed first node takes Relu_0_3.
        var graph = OnnxModels.GraphOf(1, 4, 8, 8);
        graph.Node.Add(OnnxModels.Node("Relu", "", ["x"], ["a"]));
        graph.Node.Add(OnnxModels.Node("Relu", "Relu_0", ["a"], ["b"]));
        graph.Node.Add(OnnxModels.Node("Relu", "Relu_0_2", ["b"], ["c"]));
        var names = OnnxImporter.Parse(OnnxModels.Bytes(graph), "wire.onnx").Network.Layers.Select(l => l.Name).ToArray();
        Assert.Equal(["x", "Relu_0_3", "Relu_0", "Relu_0_2"], names);
    }

    [Fact]
    public void A_file_batch_of_one_makes_no_note()
    {
        var model = OnnxImporter.Parse(OnnxModels.Bytes(OnnxModels.GraphOf(1, 4, 8, 8)), "wire.onnx");
        Assert.Equal(1, model.FileBatch);
        Assert.Empty(model.Notes);
    }

    [Fact]
    public void Null_bytes_are_refused_by_their_parameter_name()
    {
        Assert.Equal("bytes", Assert.Throws<ArgumentNullException>(() => OnnxImporter.Parse(null!, "wire.onnx")).ParamName);
    }

    private static ImportedModel ParseGraph(Action<GraphProto> nodes)
    {
        var graph = OnnxModels.GraphOf(1, 4, 8, 8);
        nodes(graph);
        return OnnxImporter.Parse(OnnxModels.Bytes(graph), "wire.onnx");
    }

    private static string ParseError(Action<GraphProto> nodes) => Assert.Throws<ModelFormatException>(() => ParseGraph(nodes)).Message;

    [Theory]
    [InlineData("Gemm", "weights")]
    [InlineData("MatMul", "weights")]
    [InlineData("PRelu", "slope")]
    public void A_node_without_its_constant_input_names_what_it_needs(string op, string what)
    {
        _ = what;
        Assert.Equal($"wire.onnx: node 'n': {op} needs input 2",
            ParseError(g => g.Node.Add(OnnxModels.Node(op, "n", ["x"], ["y"]))));
    }

    [Fact]
    public void An_empty_third_input_is_no_bias()
    {
        // ONNX leaves an optional input out by naming it "".
        var conv = ParseGraph(g =>
        {
            g.Initializer.Add(OnnxModels.Initializer("w", [6, 4, 3, 3], false));
            g.Node.Add(OnnxModels.Node("Conv", "conv", ["x", "w", ""], ["y"], OnnxModels.Ints("kernel_shape", 3, 3)));
        });
        Assert.False(((ConvolutionLayer)conv.Network.Layers[1]).HasBias);
        var gemm = ParseGraph(g =>
        {
            g.Initializer.Add(OnnxModels.Initializer("w", [256, 10], false));
            g.Node.Add(OnnxModels.Node("Flatten", "flat", ["x"], ["f"]));
            g.Node.Add(OnnxModels.Node("Gemm", "fc", ["f", "w", ""], ["y"]));
        });
        Assert.False(((FullyConnectedLayer)gemm.Network.Layers[2]).HasBias);
        var matMul = ParseGraph(g =>
        {
            g.Initializer.Add(OnnxModels.Initializer("w", [256, 10], false));
            g.Node.Add(OnnxModels.Node("Flatten", "flat", ["x"], ["f"]));
            g.Node.Add(OnnxModels.Node("MatMul", "fc", ["f", "w"], ["y"]));
        });
        Assert.False(((FullyConnectedLayer)matMul.Network.Layers[2]).HasBias);
    }

    [Fact]
    public void Concat_along_the_width_joins_widths_and_past_the_last_axis_is_refused()
    {
        var width = ParseGraph(g => g.Node.Add(OnnxModels.Node("Concat", "cat", ["x", "x"], ["y"], OnnxModels.Int("axis", 3))));
        Assert.Equal(new Shape(4, 8, 16), width.Network.OutputShapes[^1]);
        Assert.Equal("wire.onnx: node 'cat': its axis 4 is outside a tensor of rank 4",
            ParseError(g => g.Node.Add(OnnxModels.Node("Concat", "cat", ["x", "x"], ["y"], OnnxModels.Int("axis", 4)))));
    }

    [Fact]
    public void A_concat_of_one_constant_is_a_constant_and_no_layer()
    {
        var imported = ParseGraph(g =>
        {
            g.Initializer.Add(OnnxModels.Initializer("w", [1, 4, 8, 8], false));
            g.Node.Add(OnnxModels.Node("Concat", "cat", ["w"], ["y"], OnnxModels.Int("axis", 1)));
        });
        Assert.Equal(["x"], imported.Network.Layers.Select(l => l.Name));
    }

    [Fact]
    public void An_empty_auto_pad_reads_as_notset_and_same_takes_a_1x1_kernel()
    {
        // auto_pad "" is NOTSET: no padding, so the 3x3 convolution gives 6x6 outputs.
        var notSet = ParseGraph(g =>
        {
            g.Initializer.Add(OnnxModels.Initializer("w", [6, 4, 3, 3], false));
            g.Node.Add(OnnxModels.Node("Conv", "conv", ["x", "w"], ["y"], OnnxModels.Text("auto_pad", "")));
        });
        Assert.Equal(ConvFlops, CostModel.Analyze(notSet.Network).Totals.Flops);

        // SAME with a 1x1 kernel pads nothing: 6 filters · 8x8 outputs · 4 inputs · 2 FLOPs.
        var same = ParseGraph(g =>
        {
            g.Initializer.Add(OnnxModels.Initializer("w", [6, 4, 1, 1], false));
            g.Node.Add(OnnxModels.Node("Conv", "conv", ["x", "w"], ["y"], OnnxModels.Text("auto_pad", "SAME_UPPER")));
        });
        Assert.Equal(6L * 8 * 8 * 4 * 2, CostModel.Analyze(same.Network).Totals.Flops);
    }

    [Fact]
    public void A_node_larger_than_the_read_buffer_is_read_whole_and_the_fields_after_it_too()
    {
        // The node's doc_string of 100,000 bytes runs the node past the reader's 64 KiB buffer; the unknown field after
        // it is skipped within the refilled buffer, and the input follows.
        var (input, _) = ConvParts();
        var node = OnnxModels.Node("Conv", "conv", ["x", "w"], ["y"], OnnxModels.Ints("kernel_shape", 3, 3));
        node.DocString = new string('d', 100_000);
        var graph = (byte[])[.. Field(5, UnpackedWeights([])), .. Field(1, Message(node)), .. Field(14, [1, 2, 3]), .. Field(11, input)];
        Assert.Equal(ConvFlops, Flops(Model(graph)));
    }

    [Fact]
    public void Fields_after_weight_data_sought_past_are_read()
    {
        // 8 MiB of weight data first: the reader seeks the stream past it, then reads the node and the input.
        var (input, node) = ConvParts();
        var graph = (byte[])[.. Field(5, UnpackedWeights(new byte[8 << 20])), .. Field(1, node), .. Field(11, input)];
        Assert.Equal(ConvFlops, Flops(Model(graph)));
    }

    [Fact]
    public void The_reader_refuses_a_stream_it_cannot_seek()
    {
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream();
        var error = Assert.Throws<ArgumentException>(() => new CnnCost.Import.Onnx.WireReader(pipe));
        Assert.Equal("stream", error.ParamName);
        Assert.StartsWith("the stream must be seekable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_over_two_gibibytes_is_refused_and_one_after_three_gibibytes_is_read()
    {
        // Sparse files: no disk is written. First 3 GiB of weight data, then the node and the input, read in place.
        var (input, node) = ConvParts();
        const long data = 3L << 30;
        byte[] weightsHead = [.. Field(8, "w"u8.ToArray()), .. new long[] { 6, 4, 3, 3 }.SelectMany(d => VarintField(1, (ulong)d)), .. Varint(9 << 3 | 2), .. Varint(data)];
        byte[] tail = [.. Field(1, node), .. Field(11, input)];
        byte[] graphHead = [.. Varint(5 << 3 | 2), .. Varint((ulong)(weightsHead.Length + data))];
        var graphLength = graphHead.Length + weightsHead.Length + data + tail.Length;
        byte[] head = [.. Varint(7 << 3 | 2), .. Varint((ulong)graphLength), .. graphHead, .. weightsHead];
        var path = Path.Combine(Path.GetTempPath(), $"cnncost-late-node-{Environment.ProcessId}.onnx");
        try
        {
            using (var file = File.Create(path))
            {
                file.Write(head);
                file.Seek(data, SeekOrigin.Current);
                file.Write(tail);
            }

            Assert.Equal(ConvFlops, CostModel.Analyze(OnnxImporter.Read(path).Network).Totals.Flops);

            // A node (field 1) declaring 2^31 bytes, which the file holds: bytes 0-5 are the graph's tag and length
            // (a 5-byte varint), byte 6 the node's tag, bytes 7-11 its length; its value starts at byte 12.
            byte[] huge = [.. Varint(7 << 3 | 2), .. Varint((1UL << 31) + 6), .. Varint(1 << 3 | 2), .. Varint(1UL << 31)];
            Assert.Equal(12, huge.Length);
            using (var file = File.Create(path))
            {
                file.Write(huge);
                file.SetLength(huge.Length + (1L << 31));
            }

            Assert.Equal($"{path}: is not an ONNX model: field 1 at byte 12 holds 2147483648 bytes, more than the 2147483591 CnnCost reads as one message",
                Assert.Throws<ModelFormatException>(() => OnnxImporter.Read(path)).Message);

            // Between the largest array .NET makes and protobuf's 2 GiB: refused too, never an out-of-memory crash.
            byte[] nearly = [.. Varint(7 << 3 | 2), .. Varint(2_147_483_600UL + 6), .. Varint(1 << 3 | 2), .. Varint(2_147_483_600UL)];
            using (var file = File.Create(path))
            {
                file.Write(nearly);
                file.SetLength(nearly.Length + 2_147_483_600L);
            }

            Assert.Equal($"{path}: is not an ONNX model: field 1 at byte 12 holds 2147483600 bytes, more than the 2147483591 CnnCost reads as one message",
                Assert.Throws<ModelFormatException>(() => OnnxImporter.Read(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
