using System.Collections.Immutable;
using CnnCost.Graph;
using CnnCost.Import.Onnx;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;

namespace CnnCost.Import;

/// <summary>What the ONNX importer does with operators it does not model.</summary>
/// <param name="SkipUnsupported">
/// Skip an unsupported operator whose output shape the file states (<c>value_info</c>) as a layer of no cost, listed
/// in <see cref="ImportedModel.Skipped"/>, instead of failing; one whose shape is not stated still fails.
/// </param>
public sealed record OnnxImportOptions(bool SkipUnsupported = false);

/// <summary>
/// Reads an ONNX <c>ModelProto</c> into a <see cref="Network"/> under PyTorch's rounding (each pooling layer's
/// <c>ceil_mode</c> kept). Weights come from initializer dims, never their data, so files whose initializers were
/// stripped or live in external data read the same. Every error is a <see cref="ModelFormatException"/> naming the
/// file and the node.
/// </summary>
public static class OnnxImporter
{
    /// <summary>
    /// The most bytes read from a FIFO or device, which cannot be sought and so are read whole (2 GiB, protobuf's own
    /// limit on a message). Regular files are read in place, of any size: only their structure is read.
    /// </summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>
    /// Reads an ONNX file: its nodes, the inputs, and the names and dims of its initializers. Tensor data is sought
    /// past, never read, so the time and memory an import takes do not grow with the weights.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">What to do with unsupported operators.</param>
    /// <returns>The imported model.</returns>
    /// <exception cref="ModelFormatException">The file cannot be read or holds no network CnnCost can model.</exception>
    public static ImportedModel Read(string path, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = ModelFile.OpenSeekable(path, MaxFileBytes, "an ONNX protobuf message", ModelFile.Content.Protobuf);
        return Import(stream, path, options);
    }

    /// <summary>Reads ONNX bytes.</summary>
    /// <param name="bytes">The serialized <c>ModelProto</c>.</param>
    /// <param name="file">The file name for messages and the network's name.</param>
    /// <param name="options">What to do with unsupported operators.</param>
    /// <returns>The imported model.</returns>
    /// <exception cref="ModelFormatException">The bytes are not a network CnnCost can model; the message names the node.</exception>
    public static ImportedModel Parse(byte[] bytes, string file, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(file);
        // Stryker disable once Boolean : the importer never writes to the stream
        using var stream = new MemoryStream(bytes, writable: false);
        return Import(stream, file, options);
    }

    private static ImportedModel Import(Stream stream, string file, OnnxImportOptions? options)
    {
        try
        {
            return new OnnxGraphReader(file, GraphParts.Scan(stream), options ?? new OnnxImportOptions()).Read();
        }
        catch (Exception error) when (error is WireFormatException or InvalidProtocolBufferException)
        {
            // Nodes are parsed as the reader reaches them: a malformed one is found then, after the nodes before it.
            throw new ModelFormatException(file, null, $"is not an ONNX model: {error.Message}");
        }
        catch (IOException error)
        {
            throw new ModelFormatException(file, null, $"cannot be read: {error.Message}");
        }
    }

    /// <summary>
    /// The parts of a <c>ModelProto</c>'s graph the importer reads, found in one pass over the file: each node's bytes
    /// (parsed when its turn comes, so the nodes never all live as objects at once), initializers as names and dims
    /// (their data sought past), the inputs, and the graph's name. Field numbers are ONNX's: <c>ModelProto.graph</c> = 7;
    /// <c>GraphProto.node</c> = 1, <c>name</c> = 2, <c>initializer</c> = 5, <c>input</c> = 11; <c>TensorProto.dims</c> = 1,
    /// <c>name</c> = 8. A message given twice is merged as protobuf merges it: repeated fields append, the name is the
    /// last one given.
    /// </summary>
    internal sealed class GraphParts
    {
        /// <summary>Integer initializers up to this size (1 MiB) are read whole: their values may size a reshape or a slice.</summary>
        public const long SmallTensorBytes = 1 << 20;

        public string Name { get; private set; } = "";

        /// <summary>The default domain's opset the file imports (13, the exporters' long-time default, when it names none).</summary>
        public long Opset { get; private set; } = 13;

        public List<byte[]> Nodes { get; } = [];

        public List<InitializerInfo> Initializers { get; } = [];

        public List<ValueInfoProto> Inputs { get; } = [];

        /// <summary>Shapes the file states for values (<c>value_info</c> = 13) and outputs (<c>output</c> = 12).</summary>
        public List<ValueInfoProto> ValueInfos { get; } = [];

        public static GraphParts Scan(Stream stream)
        {
            var reader = new WireReader(stream);
            var graph = new GraphParts();
            var found = false;
            while (reader.NextField(reader.End, out var number, out var wireType))
            {
                if (number == 8 && wireType == WireReader.LengthDelimited)
                {
                    var opset = OperatorSetIdProto.Parser.ParseFrom(reader.ReadBytes(number, reader.End));
                    if (opset.Domain is "" or "ai.onnx")
                    {
                        graph.Opset = opset.Version;
                    }

                    continue;
                }

                if (number != 7)
                {
                    reader.Skip(number, wireType, reader.End);
                    continue;
                }

                WireReader.Expect(number, wireType, "ModelProto.graph");
                graph.Merge(reader, reader.ReadLength(number, reader.End));
                found = true;
            }

            return found ? graph : throw new WireFormatException("it has no graph");
        }

        private void Merge(WireReader reader, long end)
        {
            while (reader.NextField(end, out var number, out var wireType))
            {
                switch (number)
                {
                    case 1:
                        WireReader.Expect(number, wireType, "GraphProto.node");
                        Nodes.Add(reader.ReadBytes(number, end));
                        break;
                    case 2:
                        WireReader.Expect(number, wireType, "GraphProto.name");
                        Name = reader.ReadText(number, end);
                        break;
                    case 5:
                        WireReader.Expect(number, wireType, "GraphProto.initializer");
                        Initializers.Add(Initializer(reader, reader.ReadLength(number, end)));
                        break;
                    case 11:
                        WireReader.Expect(number, wireType, "GraphProto.input");
                        Inputs.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadBytes(number, end)));
                        break;
                    case 12 or 13:
                        WireReader.Expect(number, wireType, number == 12 ? "GraphProto.output" : "GraphProto.value_info");
                        ValueInfos.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadBytes(number, end)));
                        break;
                    default:
                        reader.Skip(number, wireType, end);
                        break;
                }
            }
        }

        /// <summary>
        /// An initializer's name, dims and element type. An integer one up to <see cref="SmallTensorBytes"/> (shapes, axes,
        /// indices) or a float one of at most 16 values (scales) is read whole, so shape subgraphs can be evaluated; any
        /// other's data is sought past.
        /// </summary>
        private static InitializerInfo Initializer(WireReader reader, long end)
        {
            var start = reader.Position;
            var name = "";
            var dims = new List<long>();
            var type = 0;
            while (reader.NextField(end, out var number, out var wireType))
            {
                switch (number)
                {
                    case 1:
                        reader.ReadInt64s(number, wireType, end, dims);
                        break;
                    case 2 when wireType == WireReader.Varint:
                        type = (int)reader.ReadVarint(end);
                        break;
                    case 8:
                        WireReader.Expect(number, wireType, "TensorProto.name");
                        name = reader.ReadText(number, end);
                        break;
                    default:
                        reader.Skip(number, wireType, end); // raw_data, float_data, external_data, …: never read
                        break;
                }
            }

            // Values a shape computation may need: integers (shapes, axes, indices) up to 1 MiB, and a few floats
            // (Resize's scales). Learned weights are never read.
            var wanted = type is 6 or 7 or 2 or 3 or 4 or 5 or 9 or 12 or 13
                ? end - start <= SmallTensorBytes
                : ConstantTensor.CountOrMore(dims) <= 16;
            if (wanted)
            {
                // Checked field by field above; read again whole, values included.
                reader.SeekTo(start);
                var tensor = TensorProto.Parser.ParseFrom(reader.ReadTo(end, 5));
                return new InitializerInfo(name, [.. dims], type, tensor);
            }

            return new InitializerInfo(name, [.. dims], type, null);
        }

        public NodeProto Node(int index) => NodeProto.Parser.ParseFrom(Nodes[index]);

        /// <summary>
        /// The name a node carries in the file (<c>NodeProto.name</c> = 3), scanned without parsing the rest of it. A
        /// malformed node reads as unnamed here; parsing it when its turn comes reports it.
        /// </summary>
        public string NodeName(int index)
        {
            var bytes = Nodes[index].AsSpan();
            var name = "";
            var at = 0;
            while (at < bytes.Length && Varint(bytes, ref at) is { } tag)
            {
                var value = tag & 7;
                if (value == 0 && Varint(bytes, ref at) is not null) continue;
                if (value == 1 && (at += 8) <= bytes.Length) continue;
                if (value == 5 && (at += 4) <= bytes.Length) continue;
                if (value != 2 || Varint(bytes, ref at) is not { } length || length > (ulong)(bytes.Length - at)) break;
                if (tag >> 3 == 3)
                {
                    name = System.Text.Encoding.UTF8.GetString(bytes.Slice(at, (int)length)); // the last one given, as protobuf merges
                }

                at += (int)length;
            }

            return name;
        }

        private static ulong? Varint(ReadOnlySpan<byte> bytes, ref int at)
        {
            ulong value = 0;
            for (var shift = 0; shift < 64 && at < bytes.Length; shift += 7)
            {
                var b = bytes[at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            return null;
        }
    }
}

/// <summary>An initializer as the importer knows it: name, dims, ONNX element type, and the whole tensor when it is small.</summary>
internal sealed record InitializerInfo(string Name, ImmutableArray<long> Dims, int DataType, TensorProto? Tensor);
