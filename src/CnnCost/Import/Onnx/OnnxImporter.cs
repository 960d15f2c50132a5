using System.Collections.Immutable;
using CnnCost.Graph;
using CnnCost.Import.Onnx;
using CnnCost.Import.Onnx.Schema;
using Google.Protobuf;

namespace CnnCost.Import;

/// <summary>What the ONNX importer does with operators it does not model.</summary>
/// <param name="SkipUnsupported">Pass an unsupported operator's first input through (and note it) instead of failing.</param>
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
            return new GraphReader(file, GraphParts.Scan(stream), options ?? new OnnxImportOptions()).Read();
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
    private sealed class GraphParts
    {
        public string Name { get; private set; } = "";

        public List<byte[]> Nodes { get; } = [];

        public List<(string Name, ImmutableArray<long> Dims)> Initializers { get; } = [];

        public List<ValueInfoProto> Inputs { get; } = [];

        public static GraphParts Scan(Stream stream)
        {
            var reader = new WireReader(stream);
            var graph = new GraphParts();
            var found = false;
            while (reader.NextField(reader.End, out var number, out var wireType))
            {
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
                    default:
                        reader.Skip(number, wireType, end);
                        break;
                }
            }
        }

        private static (string Name, ImmutableArray<long> Dims) Initializer(WireReader reader, long end)
        {
            var name = "";
            var dims = new List<long>();
            while (reader.NextField(end, out var number, out var wireType))
            {
                switch (number)
                {
                    case 1:
                        reader.ReadInt64s(number, wireType, end, dims);
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

            return (name, [.. dims]);
        }

        public NodeProto Node(int index) => NodeProto.Parser.ParseFrom(Nodes[index]);

        /// <summary>The name a node carries in the file.</summary>
        public string NodeName(int index) => Node(index).Name;
    }

    /// <summary>A tensor of the graph: an activation some layer produces, or a constant of known dims.</summary>
    private sealed record Tensor(string? Layer, ImmutableArray<long> Dims)
    {
        public bool IsConstant => Layer is null;
    }

    private sealed class GraphReader(string file, GraphParts graph, OnnxImportOptions options)
    {
        private static readonly Conventions Rules = Conventions.PyTorch;
        private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Shape> _shapes = new(StringComparer.Ordinal);
        private readonly List<Layer> _layers = [];
        private readonly List<string> _notes = [];
        private readonly Dictionary<string, int> _layerIndex = new(StringComparer.Ordinal);
        private int? _fileBatch;
        private HashSet<string>? _given;
        // Stryker disable once String : never read before ReadInput sets it to the input's name
        private string _node = "";

        public ImportedModel Read()
        {
            foreach (var (initializer, dims) in graph.Initializers)
            {
                _tensors[initializer] = new Tensor(null, dims);
            }

            ReadInput();
            for (var i = 0; i < graph.Nodes.Count; i++)
            {
                var node = graph.Node(i);

                _node = string.IsNullOrEmpty(node.Name) ? Unused($"{node.OpType}_{i}") : node.Name;
                if (_layerIndex.ContainsKey(_node))
                {
                    // ONNX does not require node names to be unique; a network's layer names are.
                    var renamed = Unused(_node);
                    _notes.Add($"node name '{_node}' is used more than once; this {node.OpType} node is called '{renamed}'");
                    _node = renamed;
                }

                Map(node);
            }

            var name = string.IsNullOrEmpty(graph.Name) ? Path.GetFileNameWithoutExtension(file) : graph.Name;
            try
            {
                return new ImportedModel(new Network(name, _layers, Rules), _fileBatch, [.. _notes]);
            }
            catch (NetworkDefinitionException error)
            {
                throw new ModelFormatException(file, error.LayerName is null ? null : $"node '{error.LayerName}'", error.Reason);
            }
        }

        /// <summary>
        /// A name no node carries in the file and no layer has taken: names of unnamed nodes are made up, and must not
        /// take a name a later node carries. The file's names are gathered the first time one is needed.
        /// </summary>
        private string Unused(string name)
        {
            // Stryker disable once Assignment : = recomputes the same set of the file's names on every call
            _given ??= Enumerable.Range(0, graph.Nodes.Count).Select(graph.NodeName).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
            var candidate = name;
            for (var k = 2; _given.Contains(candidate) || _layerIndex.ContainsKey(candidate); k++)
            {
                candidate = $"{name}_{k}";
            }

            return candidate;
        }

        private void ReadInput()
        {
            var inputs = graph.Inputs.Where(i => !_tensors.ContainsKey(i.Name)).ToArray();
            if (inputs.Length != 1)
            {
                throw new ModelFormatException(file, null, inputs.Length == 0
                    ? "the graph has no input besides its initializers"
                    : $"the graph has {inputs.Length} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); CnnCost models networks with one");
            }

            var input = inputs[0];
            var dims = input.Type?.TensorType?.Shape?.Dim ?? throw new ModelFormatException(file, $"input '{input.Name}'", "has no tensor shape");
            if (dims.Count != 4)
            {
                throw new ModelFormatException(file, $"input '{input.Name}'", $"has {dims.Count} dimensions; CnnCost models NxCxHxW images");
            }

            if (dims[0].DimValue > 0)
            {
                _fileBatch = (int)Math.Min(dims[0].DimValue, int.MaxValue);
                if (_fileBatch > 1)
                {
                    _notes.Add($"the file's batch of {_fileBatch} is shown but not used: the analysis's batch decides");
                }
            }

            int Dim(int k) => dims[k].DimValue is > 0 and <= int.MaxValue
                ? (int)dims[k].DimValue
                : throw new ModelFormatException(file, $"input '{input.Name}'", $"dimension {k} is '{(dims[k].DimParam is { Length: > 0 } p ? p : dims[k].DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture))}'; only the batch may be symbolic");

            _node = input.Name;
            Add(new InputLayer(input.Name, new Shape(Dim(1), Dim(2), Dim(3))), input.Name);
        }

        private void Map(NodeProto node)
        {
            switch (node.OpType)
            {
                case "Conv":
                    var weights = Constant(node, 1, "weights");
                    if (weights.Dims.Length != 4)
                    {
                        throw Error($"Conv weights have {weights.Dims.Length} dimensions; CnnCost models 2-D convolutions");
                    }

                    var weightKernel = new Size2(Int(weights.Dims[2]), Int(weights.Dims[3]));
                    var kernel = Pair(node, "kernel_shape", null, weightKernel);
                    if (kernel != weightKernel)
                    {
                        throw Error($"kernel_shape {kernel} disagrees with the weights' {weightKernel}");
                    }

                    var stride = Pair(node, "strides", 1);
                    var dilation = Pair(node, "dilations", 1);
                    var source = Activation(node, 0);
                    var group = Int(IntAttribute(node, "group", 1));
                    var channels = _shapes[source].Channels;
                    if (group >= 1 && (long)Int(weights.Dims[1]) * group != channels) // group 0 is refused with the other attributes
                    {
                        throw Error($"the weights see {weights.Dims[1]} channels per group x {group} groups, but the input '{source}' has {channels} channels");
                    }

                    var pad = Padding(node, source, kernel, stride, dilation);
                    Add(new ConvolutionLayer(_node, source, Int(weights.Dims[0]), kernel, stride, pad.Begin, group, dilation,
                        node.Input.Count > 2 && node.Input[2].Length > 0, PadEnd: pad.EndWhereUneven), node.Output);
                    return;
                case "Gemm":
                    var b = Constant(node, 1, "weights");
                    if (b.Dims.Length != 2)
                    {
                        throw Error($"Gemm weights have {b.Dims.Length} dimensions, expected 2");
                    }

                    if (IntAttribute(node, "transA", 0) != 0)
                    {
                        throw Error("Gemm with transA set multiplies the transposed activations; CnnCost models fully-connected layers (transA = 0)");
                    }

                    var transposed = IntAttribute(node, "transB", 0) == 1;
                    var gemmSource = Activation(node, 0);
                    FullyConnectedInputs(gemmSource, transposed ? b.Dims[1] : b.Dims[0]);
                    Add(new FullyConnectedLayer(_node, gemmSource, Int(transposed ? b.Dims[0] : b.Dims[1]), node.Input.Count > 2 && node.Input[2].Length > 0), node.Output);
                    return;
                case "MatMul":
                    var m = Constant(node, 1, "weights");
                    if (m.Dims.Length != 2)
                    {
                        throw Error("MatMul is modelled only with a 2-D initializer as its second input");
                    }

                    var matMulSource = Activation(node, 0);
                    FullyConnectedInputs(matMulSource, m.Dims[0]);
                    Add(new FullyConnectedLayer(_node, matMulSource, Int(m.Dims[1]), false), node.Output);
                    return;
                case "MaxPool" or "AveragePool":
                    var window = Pair(node, "kernel_shape", null);
                    var poolStride = Pair(node, "strides", 1);
                    var poolSource = Activation(node, 0);
                    var poolPad = Padding(node, poolSource, window, poolStride, 1);
                    var rounding = IntAttribute(node, "ceil_mode", 0) == 1 ? RoundingRule.Ceiling : RoundingRule.Floor;
                    Add(new PoolingLayer(_node, poolSource, node.OpType == "MaxPool" ? PoolingMethod.Max : PoolingMethod.Average, window, poolStride, poolPad.Begin, false, rounding, poolPad.EndWhereUneven), node.Output);
                    return;
                case "GlobalAveragePool" or "GlobalMaxPool":
                    Add(new PoolingLayer(_node, Activation(node, 0), node.OpType == "GlobalMaxPool" ? PoolingMethod.Max : PoolingMethod.Average, 1, 1, 0, IsGlobal: true), node.Output);
                    return;
                case "Relu":
                    Add(new ActivationLayer(_node, Activation(node, 0), ActivationFunction.ReLU), node.Output);
                    return;
                case "Clip":
                    // Bounds are data; whatever they are, a clip costs what ReLU6 costs and keeps the shape.
                    Add(new ActivationLayer(_node, Activation(node, 0), ActivationFunction.ReLU6), node.Output);
                    return;
                case "LeakyRelu":
                    Add(new ActivationLayer(_node, Activation(node, 0), ActivationFunction.LeakyReLU), node.Output);
                    return;
                case "PRelu":
                    var slope = Constant(node, 1, "slope");
                    Add(new ActivationLayer(_node, Activation(node, 0), ActivationFunction.PReLU, slope.Dims.Aggregate(1L, (a, d) => a * d) == 1), node.Output);
                    return;
                case "Sigmoid":
                    Add(new ActivationLayer(_node, Activation(node, 0), ActivationFunction.Sigmoid), node.Output);
                    return;
                case "Tanh":
                    Add(new ActivationLayer(_node, Activation(node, 0), ActivationFunction.Tanh), node.Output);
                    return;
                case "BatchNormalization":
                    Add(new BatchNormLayer(_node, Activation(node, 0)), node.Output);
                    return;
                case "LRN":
                    Add(new LrnLayer(_node, Activation(node, 0), (int)Math.Clamp(IntAttribute(node, "size", 5), 1, int.MaxValue)), node.Output);
                    return;
                case "Softmax":
                    Add(new SoftmaxLayer(_node, Activation(node, 0)), node.Output);
                    return;
                case "Concat":
                    var axis = IntAttribute(node, "axis", 1);
                    if (axis is not (1 or -3))
                    {
                        throw Error($"Concat along axis {axis}; CnnCost models channel concatenation (axis 1)");
                    }

                    if (node.Input.Count == 1)
                    {
                        // A concatenation of one tensor is that tensor.
                        Activation(node, 0);
                        Alias(node);
                        return;
                    }

                    Add(new ConcatLayer(_node, [.. node.Input.Select((_, k) => Activation(node, k))]), node.Output);
                    return;
                case "Add" or "Sum":
                    MapAdd(node);
                    return;
                case "Dropout" or "Identity" or "Flatten" or "Reshape" or "Squeeze" or "Unsqueeze":
                    Alias(node);
                    return;
                case "Constant":
                    var value = node.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
                    Define(node.Output, new Tensor(null, value is null ? [] : [.. value.Dims]));

                    return;
                default:
                    if (!options.SkipUnsupported)
                    {
                        throw Error($"operator {node.OpType} is not supported (skipping unsupported operators passes its first input through)");
                    }

                    _notes.Add($"node '{_node}': unsupported operator {node.OpType} skipped (its first input passed through)");
                    Alias(node);
                    return;
            }
        }

        /// <summary>A fully-connected layer's weights must take exactly the values its flattened input holds.</summary>
        private void FullyConnectedInputs(string source, long weightInputs)
        {
            var elements = _shapes[source].Elements;
            if (weightInputs != elements)
            {
                throw Error($"the weights take {weightInputs} inputs, but '{source}' holds {elements} values ({_shapes[source]})");
            }
        }

        /// <summary>
        /// Add of two activations is a bypass; adding a constant to a bias-free fully-connected layer's output is that
        /// layer's bias (MatMul + Add exports); any other constant add keeps the shape and is passed through.
        /// </summary>
        private void MapAdd(NodeProto node)
        {
            if (node.Input.FirstOrDefault(i => Lookup(i) is null) is { } missing)
            {
                throw Error($"{node.OpType} reads '{missing}', which no earlier node or initializer defines");
            }

            var activations = node.Input.Where(i => Lookup(i) is { IsConstant: false }).ToArray();
            if (activations.Length >= 2)
            {
                Add(new AddLayer(_node, [.. activations.Select(i => Lookup(i)!.Layer!)]), node.Output);
                return;
            }

            if (activations.Length == 0)
            {
                throw Error("Add of two constants; CnnCost models adds of activations");
            }

            var producer = Lookup(activations[0])!.Layer!;
            var index = _layerIndex[producer];
            if (_layers[index] is FullyConnectedLayer { HasBias: false } fc)
            {
                _layers[index] = fc with { HasBias = true };
            }

            Define(node.Output, new Tensor(producer, []));
        }

        private void Alias(NodeProto node)
        {
            var first = node.Input.Count > 0 ? Lookup(node.Input[0]) : null;
            if (first is null)
            {
                throw Error($"{node.OpType} reads '{(node.Input.Count > 0 ? node.Input[0] : "")}', which no earlier node or initializer defines");
            }

            Define(node.Output, first);
        }

        /// <summary>
        /// The padding of a window: ONNX <c>pads</c> as begin and end per axis, or <c>auto_pad</c> SAME, whose total
        /// <c>(⌈in/stride⌉ − 1)·stride + dilation·(kernel − 1) + 1 − in</c> goes half to each side, the odd one after the
        /// input for SAME_UPPER and before it for SAME_LOWER (ONNX operator docs, Conv).
        /// </summary>
        private Padding Padding(NodeProto node, string source, Size2 kernel, Size2 stride, Size2 dilation)
        {
            var autoPad = node.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
            var input = _shapes[source];
            switch (autoPad)
            {
                case "NOTSET" or "":
                    var pads = Ints(node, "pads") ?? [0, 0, 0, 0];
                    if (pads.Length != 4)
                    {
                        throw Error($"pads has {pads.Length} values, expected 4");
                    }

                    return new Padding(new Size2(pads[0], pads[1]), new Size2(pads[2], pads[3]));
                case "VALID":
                    return new Size2(0, 0);
                case "SAME_UPPER" or "SAME_LOWER":
                    var upper = autoPad == "SAME_UPPER";
                    var (top, bottom) = Same(input.Height, kernel.Height, stride.Height, dilation.Height, upper);
                    var (left, right) = Same(input.Width, kernel.Width, stride.Width, dilation.Width, upper);
                    return new Padding(new Size2(top, left), new Size2(bottom, right));
                default:
                    throw Error($"auto_pad '{autoPad}' is not an ONNX padding mode");
            }
        }

        private (int Begin, int End) Same(int input, int kernel, int stride, int dilation, bool extraAtEnd)
        {
            if (stride < 1 || kernel < 1 || dilation < 1)
            {
                throw Error($"auto_pad SAME needs a positive kernel, stride and dilation, got kernel {kernel}, stride {stride}, dilation {dilation}");
            }

            var output = ((long)input + stride - 1) / stride;
            var total = Math.Max(0, (output - 1) * stride + ((long)dilation * (kernel - 1) + 1) - input);
            if (total > int.MaxValue)
            {
                throw Error($"auto_pad SAME needs {total} padding, more than 2^31-1");
            }

            var (small, large) = ((int)(total / 2), (int)(total - total / 2));
            return extraAtEnd ? (small, large) : (large, small);
        }

        private void Add(Layer layer, string output) => Add(layer, new[] { output });

        private void Add(Layer layer, IEnumerable<string> outputs)
        {
            // Attributes first: shape inference may divide by a stride or index a first input.
            if (layer.ParameterProblem() is { } problem)
            {
                throw Error(problem);
            }

            Shape shape;
            try
            {
                shape = ShapeInference.OutputOf(layer, [.. layer.Inputs.Select(i => _shapes[i])], Rules);
            }
            catch (NetworkDefinitionException error)
            {
                throw Error(error.Reason);
            }

            _layerIndex[layer.Name] = _layers.Count;
            _layers.Add(layer);
            _shapes[layer.Name] = shape;
            Define(outputs, new Tensor(layer.Name, []));
        }

        /// <summary>Gives each output its tensor; a graph defines every name once (static single assignment).</summary>
        private void Define(IEnumerable<string> outputs, Tensor tensor)
        {
            foreach (var output in outputs)
            {
                if (!_tensors.TryAdd(output, tensor))
                {
                    throw Error($"its output '{output}' is already defined by the graph's input, an initializer or an earlier node");
                }
            }
        }

        private Tensor? Lookup(string name) => _tensors.GetValueOrDefault(name);

        private string Activation(NodeProto node, int index)
        {
            var name = index < node.Input.Count ? node.Input[index] : throw Error($"{node.OpType} needs input {index + 1}");
            return Lookup(name) switch
            {
                { IsConstant: false } t => t.Layer!,
                { IsConstant: true } => throw Error($"{node.OpType} input '{name}' is a constant where CnnCost expects an activation"),
                null => throw Error($"{node.OpType} reads '{name}', which no earlier node or initializer defines"),
            };
        }

        private Tensor Constant(NodeProto node, int index, string what)
        {
            var name = index < node.Input.Count ? node.Input[index] : throw Error($"{node.OpType} needs its {what} as input {index + 1}");
            return Lookup(name) is { IsConstant: true } t ? t : throw Error($"{node.OpType} {what} '{name}' is not an initializer or constant; CnnCost needs its dims");
        }

        private long IntAttribute(NodeProto node, string name, long defaultValue) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : defaultValue;

        private int[]? Ints(NodeProto node, string name) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints.Select(Int)] : null;

        private Size2 Pair(NodeProto node, string name, int? defaultValue, Size2? defaultPair = null)
        {
            var values = Ints(node, name);
            return values switch
            {
                null when defaultPair is { } p => p,
                null when defaultValue is { } d => d,
                null => throw Error($"{node.OpType} has no '{name}'"),
                { Length: 2 } => new Size2(values[0], values[1]),
                _ => throw Error($"'{name}' has {values.Length} values; CnnCost models 2-D layers"),
            };
        }

        private int Int(long value) =>
            value is >= 0 and <= int.MaxValue ? (int)value : throw Error($"the value {value} is out of range (0 to 2^31-1)");

        private ModelFormatException Error(string reason) => new(file, $"node '{_node}'", reason);
    }
}
