using CnnCost.Costs;
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
}
