using System.Collections.Immutable;
using System.Globalization;
using CnnCost.Graph;
using CnnCost.Import.Onnx.Schema;

namespace CnnCost.Import.Onnx;

/// <summary>
/// Turns an ONNX graph into a <see cref="Network"/>, one node at a time, through a table of operator mappers (one
/// per operator, like fvcore's op handles). Activations become layers; constants (initializers, Constant nodes and
/// everything computed only from them and from known shapes, such as the Shape → Gather → Concat → Reshape
/// subgraphs exporters write) are evaluated at import, since they only compute sizes.
/// </summary>
/// <remarks>
/// ONNX tensors carry the batch on axis 0; a layer's shape is one item's. An activation whose axis 0 is the batch
/// drops it in its layer; one whose batch an exporter has moved or merged (attention's transposes, window
/// partitions) keeps the file's extents whole, which at batch 1 is one item, so counts stay exact per item.
/// </remarks>
internal sealed partial class OnnxGraphReader(string file, OnnxImporter.GraphParts graph, OnnxImportOptions options)
{
    private static readonly Conventions Rules = Conventions.PyTorch;

    /// <summary>A value of the graph: an activation some layer produces, or a constant of known dims.</summary>
    /// <param name="Layer">The producing layer; <see langword="null"/> for a constant.</param>
    /// <param name="Dims">The file's extents (the batch counted as the file gives it, or 1 when symbolic).</param>
    /// <param name="BatchAxis">For an activation: whether axis 0 is the batch (then its layer's shape drops it).</param>
    /// <param name="Data">A constant's values when known and small.</param>
    /// <param name="Origin">The initializer a learned constant comes from; its values count as parameters once.</param>
    private sealed record Value(string? Layer, long[] Dims, bool BatchAxis, double[]? Data = null, string? Origin = null)
    {
        public bool IsConstant => Layer is null;

        public int Rank => Dims.Length;
    }

    /// <summary>The operators the importer maps, in ordinal order (the README lists them).</summary>
    internal static IEnumerable<string> SupportedOperators => Operators.Keys.Order(StringComparer.Ordinal);

    private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Shape> _shapes = new(StringComparer.Ordinal);
    private readonly List<Layer> _layers = [];
    private readonly List<string> _notes = [];
    private readonly List<SkippedNode> _skipped = [];
    private readonly Dictionary<string, int> _layerIndex = new(StringComparer.Ordinal);
    private readonly HashSet<string> _learned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _counted = new(StringComparer.Ordinal);
    private Dictionary<string, ValueInfoProto>? _stated;
    private int? _fileBatch;
    private long _batch = 1;
    private string _inputLayer = "";
    private HashSet<string>? _given;
    private string _node = "";

    public ImportedModel Read()
    {
        foreach (var initializer in graph.Initializers)
        {
            var data = initializer.Tensor is { } tensor ? ConstantTensor.Values(tensor) : null;
            var learned = initializer.DataType is 1 or 10 or 11 or 16 && ConstantTensor.CountOrMore(initializer.Dims) > 1;
            if (learned)
            {
                _learned.Add(initializer.Name);
            }

            _values[initializer.Name] = new Value(null, [.. initializer.Dims], false, data, learned ? initializer.Name : null);
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
            return new ImportedModel(new Network(name, _layers, Rules), _fileBatch, [.. _notes]) { Skipped = [.. _skipped] };
        }
        catch (NetworkDefinitionException error)
        {
            throw new ModelFormatException(file, error.LayerName is null ? null : $"node '{error.LayerName}'", error.Reason);
        }
    }

    private void Map(NodeProto node)
    {
        if (node.Domain is { Length: > 0 } domain && domain != "ai.onnx")
        {
            Unsupported(node, $"operator {domain}.{node.OpType} is outside the ONNX domain");
            return;
        }

        if (Operators.TryGetValue(node.OpType, out var mapper))
        {
            try
            {
                mapper(this, node);
            }
            catch (NetworkDefinitionException error)
            {
                throw Error(error.Reason);
            }
            catch (Exception error) when (error is OverflowException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
            {
                // Sizes a hostile file makes up (extents past 2^63, indices outside a constant) end here, named.
                throw Error($"{node.OpType} cannot be evaluated on these sizes: {error.Message}");
            }

            return;
        }

        Unsupported(node, $"operator {node.OpType} is not supported");
    }

    /// <summary>
    /// A node CnnCost does not model: an error, or with <see cref="OnnxImportOptions.SkipUnsupported"/> a layer of zero
    /// cost whose output shape the file states (<c>value_info</c>); a skip whose shape is not known is an error, never a guess.
    /// </summary>
    private void Unsupported(NodeProto node, string reason)
    {
        if (!options.SkipUnsupported)
        {
            throw Error($"{reason}; skipping unsupported operators passes it only where the file states its output's shape");
        }

        var sources = node.Input.Where(i => i.Length > 0 && Lookup(i) is { IsConstant: false }).Select(i => Lookup(i)!).ToArray();
        if (sources.Length == 0)
        {
            throw Error($"{reason}, and it reads no activation, so it cannot be skipped");
        }

        var stated = new List<(string Output, long[] Dims)>();
        foreach (var output in node.Output.Where(o => o.Length > 0))
        {
            if (StatedDims(output) is not { } dims)
            {
                throw Error($"{reason}, and the file does not state the shape of its output '{output}', so it cannot be skipped without guessing");
            }

            stated.Add((output, dims));
        }

        for (var k = 0; k < stated.Count; k++)
        {
            var (output, dims) = stated[k];
            var batchAxis = sources[0].BatchAxis && dims.Length > 0 && dims[0] == _batch;
            var perItem = batchAxis ? dims[1..] : dims;
            var layerName = k == 0 ? _node : Unused($"{_node}:{k}");
            Emit(new SkippedLayer(layerName, [.. sources.Select(s => s.Layer!).Distinct()], Shape.Of([.. perItem.Select(Int)]), node.OpType), output, batchAxis);
        }

        _skipped.Add(new SkippedNode(_node, node.OpType, reason));
        _notes.Add($"node '{_node}': {reason}; skipped as a layer of no cost with the output shape the file states");
    }

    private long[]? StatedDims(string output)
    {
        _stated ??= graph.ValueInfos.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        if (!_stated.TryGetValue(output, out var info) || info.Type?.TensorType?.Shape is not { } shape)
        {
            return null;
        }

        var dims = new long[shape.Dim.Count];
        for (var i = 0; i < dims.Length; i++)
        {
            var d = shape.Dim[i];
            if (d.DimValue > 0)
            {
                dims[i] = d.DimValue;
            }
            else if (i == 0 && d.DimParam.Length > 0)
            {
                dims[i] = _batch; // a symbolic batch
            }
            else
            {
                return null;
            }
        }

        return dims;
    }

    /// <summary>
    /// A name no node carries in the file and no layer has taken: names of unnamed nodes are made up, and must not
    /// take a name a later node carries. The file's names are gathered the first time one is needed.
    /// </summary>
    private string Unused(string name)
    {
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
        var inputs = graph.Inputs.Where(i => !_values.ContainsKey(i.Name)).ToArray();
        if (inputs.Length != 1)
        {
            throw new ModelFormatException(file, null, inputs.Length == 0
                ? "the graph has no input besides its initializers"
                : $"the graph has {inputs.Length} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); CnnCost models networks with one");
        }

        var input = inputs[0];
        var dims = input.Type?.TensorType?.Shape?.Dim ?? throw new ModelFormatException(file, $"input '{input.Name}'", "has no tensor shape");
        if (dims.Count < 2)
        {
            throw new ModelFormatException(file, $"input '{input.Name}'", $"has {dims.Count} dimensions; CnnCost models a batch of items (N x C x H x W for images)");
        }

        if (dims[0].DimValue > 0)
        {
            _fileBatch = (int)Math.Min(dims[0].DimValue, int.MaxValue);
            _batch = dims[0].DimValue;
            if (_fileBatch > 1)
            {
                _notes.Add($"the file's batch of {_fileBatch} is shown but not used: the analysis's batch decides");
            }
        }

        int Dim(int k) => dims[k].DimValue is > 0 and <= int.MaxValue
            ? (int)dims[k].DimValue
            : throw new ModelFormatException(file, $"input '{input.Name}'", $"dimension {k} is '{(dims[k].DimParam is { Length: > 0 } p ? p : dims[k].DimValue.ToString(CultureInfo.InvariantCulture))}'; only the batch may be symbolic");

        _node = input.Name;
        _inputLayer = input.Name;
        var item = Enumerable.Range(1, dims.Count - 1).Select(Dim).ToArray();
        Emit(new InputLayer(input.Name, Shape.Of(item)), input.Name, batchAxis: true);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Bookkeeping shared by the mappers.

    /// <summary>
    /// Adds a layer and defines its output value. The layer's shape comes from <see cref="ShapeInference"/>, the one
    /// place shapes are computed.
    /// </summary>
    private void Emit(Layer layer, string output, bool batchAxis)
    {
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
        if (output.Length > 0)
        {
            Define(output, new Value(layer.Name, Dims(shape, batchAxis), batchAxis));
        }
    }

    private long[] Dims(Shape shape, bool batchAxis)
    {
        var dims = new long[shape.Rank + (batchAxis ? 1 : 0)];
        if (batchAxis)
        {
            dims[0] = _batch;
        }

        for (var i = 0; i < shape.Rank; i++)
        {
            dims[i + (batchAxis ? 1 : 0)] = shape[i];
        }

        return dims;
    }

    /// <summary>Gives an output its value; a graph defines every name once (static single assignment).</summary>
    private void Define(string output, Value value)
    {
        if (output.Length == 0)
        {
            return;
        }

        if (!_values.TryAdd(output, value))
        {
            throw Error($"its output '{output}' is already defined by the graph's input, an initializer or an earlier node");
        }
    }

    private Value? Lookup(string name) => _values.GetValueOrDefault(name);

    /// <summary>Input <paramref name="index"/> of a node, which must be present and defined.</summary>
    private Value In(NodeProto node, int index)
    {
        var name = index < node.Input.Count ? node.Input[index] : "";
        if (name.Length == 0)
        {
            throw Error($"{node.OpType} needs input {index + 1}");
        }

        return Lookup(name) ?? throw Error($"{node.OpType} reads '{name}', which no earlier node or initializer defines");
    }

    /// <summary>Input <paramref name="index"/> when the node gives it, else <see langword="null"/>.</summary>
    private Value? Optional(NodeProto node, int index) =>
        index < node.Input.Count && node.Input[index].Length > 0 ? In(node, index) : null;

    private string Activation(NodeProto node, int index)
    {
        var value = In(node, index);
        return value.IsConstant
            ? throw Error($"{node.OpType} input '{node.Input[index]}' is a constant where CnnCost expects an activation")
            : value.Layer!;
    }

    /// <summary>A constant input's values, which the node needs to be known (a shape, axes, pads, scales).</summary>
    private double[] Known(NodeProto node, int index, string what)
    {
        var value = In(node, index);
        return value is { IsConstant: true, Data: { } data }
            ? data
            : throw Error($"{node.OpType} {what} '{node.Input[index]}' is not a constant CnnCost can evaluate");
    }

    private long[] KnownInts(NodeProto node, int index, string what) =>
        [.. Known(node, index, what).Select(ConstantTensor.ToInt64)];

    /// <summary>Marks a learned constant's initializer as counted and says whether this is its first use.</summary>
    private bool FirstUse(Value constant) => constant.Origin is { } origin && _counted.Add(origin);

    private AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private long IntAttribute(NodeProto node, string name, long defaultValue) => Attribute(node, name) is { } a ? a.I : defaultValue;

    private float FloatAttribute(NodeProto node, string name, float defaultValue) => Attribute(node, name) is { } a ? a.F : defaultValue;

    private string TextAttribute(NodeProto node, string name, string defaultValue) => Attribute(node, name) is { } a ? a.S.ToStringUtf8() : defaultValue;

    private long[]? IntsAttribute(NodeProto node, string name) => Attribute(node, name) is { } a ? [.. a.Ints] : null;

    private int Int(long value) =>
        value is >= 0 and <= int.MaxValue ? (int)value : throw Error($"the value {value} is out of range (0 to 2^31-1)");

    /// <summary>An axis as the file writes it (negative counts from the end), made non-negative for a rank.</summary>
    private int Axis(long axis, int rank, string what = "axis")
    {
        var resolved = axis < 0 ? axis + rank : axis;
        return resolved >= 0 && resolved < rank
            ? (int)resolved
            : throw Error($"its {what} {axis} is outside a tensor of rank {rank}");
    }

    /// <summary>
    /// The axis of one item that a file axis of an activation is: axis 0 is the batch when the activation keeps it
    /// there, and no layer works across the batch.
    /// </summary>
    private int ItemAxis(Value value, long axis, string what = "axis")
    {
        var resolved = Axis(axis, value.Rank, what);
        if (!value.BatchAxis)
        {
            return resolved;
        }

        return resolved > 0 ? resolved - 1 : throw Error($"its {what} is the batch axis; CnnCost models each item on its own");
    }

    private int[] ItemDims(Value value) => [.. (value.BatchAxis ? value.Dims[1..] : value.Dims).Select(Int)];

    private ModelFormatException Error(string reason) => new(file, $"node '{_node}'", reason);
}
