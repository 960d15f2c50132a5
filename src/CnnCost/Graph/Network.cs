using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace CnnCost.Graph;

/// <summary>
/// An immutable convolutional neural network: a directed acyclic graph of uniquely named layers with one
/// input layer. Layers are kept in topological order, the input first. Every edit returns a new
/// <see cref="Network"/>; a network other code holds never changes.
/// </summary>
/// <remarks>
/// Construction checks everything that does not depend on how costs are later counted: unique names,
/// exactly one input, no dangling or cyclic references, valid layer parameters, and shapes that fit under
/// the network's own <see cref="Conventions"/>. Each problem is a <see cref="NetworkDefinitionException"/>
/// naming the layer.
/// </remarks>
public sealed class Network
{
    private readonly Dictionary<string, int> _indexByName;
    private readonly int[][] _inputIndices;

    /// <summary>Creates and checks a network.</summary>
    /// <param name="name">The network's name (a zoo name, a file name, anything that identifies it).</param>
    /// <param name="layers">The layers, in any order that lists each layer's name once.</param>
    /// <param name="conventions">
    /// The conventions of the framework the network comes from (Caffe for the dissertation's networks); used
    /// when an analysis names none. Defaults to <see cref="Conventions.Caffe"/>.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="layers"/> is null.</exception>
    /// <exception cref="NetworkDefinitionException">The layers do not form a valid network; the message names the layer.</exception>
    public Network(string name, IEnumerable<Layer> layers, Conventions? conventions = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(layers);
        Name = name;
        Conventions = conventions ?? Conventions.Caffe;

        var given = layers.ToArray();
        var position = CheckNamesAndParameters(given);
        var ordered = TopologicalOrder(given, position);

        Layers = ImmutableCollectionsMarshal.AsImmutableArray(ordered); // ordered is this constructor's own array
        if (ReferenceEquals(ordered, given))
        {
            // Already in order (the usual case): the positions given are the positions kept; one map of names, not three.
            _indexByName = position;
        }
        else
        {
            _indexByName = new Dictionary<string, int>(ordered.Length, StringComparer.Ordinal);
            for (var i = 0; i < ordered.Length; i++)
            {
                _indexByName.Add(ordered[i].Name, i);
            }
        }

        _inputIndices = new int[ordered.Length][];
        for (var i = 0; i < ordered.Length; i++)
        {
            var inputs = ordered[i].Inputs;
            var indices = new int[inputs.Length];
            for (var j = 0; j < inputs.Length; j++)
            {
                indices[j] = _indexByName[inputs[j]];
            }

            _inputIndices[i] = indices;
        }

        Input = (InputLayer)ordered[0];
        OutputShapes = [.. ShapeInference.InferAll(this, Conventions)];
    }

    /// <summary>The network's name.</summary>
    public string Name { get; }

    /// <summary>The layers in topological order, the input layer first.</summary>
    public ImmutableArray<Layer> Layers { get; }

    /// <summary>The input layer.</summary>
    public InputLayer Input { get; }

    /// <summary>The conventions of the framework the network comes from; an analysis uses them unless it names others.</summary>
    public Conventions Conventions { get; }

    /// <summary>Each layer's output shape under <see cref="Conventions"/>, in the order of <see cref="Layers"/>.</summary>
    public ImmutableArray<Shape> OutputShapes { get; }

    /// <summary>The layer called <paramref name="name"/>.</summary>
    /// <param name="name">A layer name.</param>
    /// <exception cref="NetworkDefinitionException">The network has no such layer.</exception>
    public Layer this[string name] => Layers[IndexOfExisting(name)];

    /// <summary>Whether the network has a layer called <paramref name="name"/>.</summary>
    /// <param name="name">A layer name.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public bool Contains(string name) => _indexByName.ContainsKey(name);

    /// <summary>The position of a layer in <see cref="Layers"/>, or −1 when there is none of that name.</summary>
    /// <param name="name">A layer name.</param>
    /// <returns>The index, or −1.</returns>
    public int IndexOf(string name) => _indexByName.TryGetValue(name, out var index) ? index : -1;

    /// <summary>The positions (in <see cref="Layers"/>) of the layers feeding the layer at <paramref name="index"/>.</summary>
    /// <param name="index">A layer position.</param>
    /// <returns>The input positions, in the layer's input order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a layer position.</exception>
    public ImmutableArray<int> InputIndicesOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _inputIndices.Length);

        // A read-only view of the network's own array: nothing a caller holds can change the graph.
        return ImmutableCollectionsMarshal.AsImmutableArray(_inputIndices[index]);
    }

    /// <summary>The names of the layers that read the output of <paramref name="name"/>, in topological order.</summary>
    /// <param name="name">A layer name.</param>
    /// <returns>The consumers; empty for an output layer.</returns>
    /// <exception cref="NetworkDefinitionException">The network has no such layer.</exception>
    public IReadOnlyList<string> ConsumersOf(string name)
    {
        var index = IndexOfExisting(name);
        var consumers = new List<string>();
        for (var i = index + 1; i < Layers.Length; i++)
        {
            if (Array.IndexOf(_inputIndices[i], index) >= 0)
            {
                consumers.Add(Layers[i].Name);
            }
        }

        return consumers;
    }

    /// <summary>Internal access to input indices without an interface call (the cost model's hot loop).</summary>
    internal int[] InputIndices(int index) => _inputIndices[index];

    /// <summary>A copy of the network with another name.</summary>
    /// <param name="name">The new name.</param>
    /// <returns>The renamed network.</returns>
    public Network WithName(string name) => new(name, Layers, Conventions);

    /// <summary>A copy of the network whose analyses default to other conventions.</summary>
    /// <param name="conventions">The new default conventions.</param>
    /// <returns>The network under the new conventions.</returns>
    /// <exception cref="NetworkDefinitionException">A shape does not fit under the new conventions.</exception>
    public Network WithConventions(Conventions conventions) => new(Name, Layers, conventions);

    /// <summary>A copy of the network with another input shape (channels, resolution or both).</summary>
    /// <param name="shape">The new input shape.</param>
    /// <returns>The network with the new input; every later shape is inferred again.</returns>
    /// <exception cref="NetworkDefinitionException">A layer's output no longer fits; the message names it.</exception>
    public Network WithInputShape(Shape shape) => ReplaceLayer(Input with { Shape = shape });

    /// <summary>A copy of the network with the layer of the same name replaced by <paramref name="layer"/>.</summary>
    /// <param name="layer">The new layer; its name picks the layer it replaces.</param>
    /// <returns>The edited network.</returns>
    /// <exception cref="NetworkDefinitionException">No layer has that name, or the edit breaks a shape.</exception>
    public Network ReplaceLayer(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var index = IndexOfExisting(layer.Name);
        return new Network(Name, Layers.SetItem(index, layer), Conventions);
    }

    /// <summary>
    /// A copy of the network without the single-input layer <paramref name="name"/>: its consumers read its
    /// input instead (removing NiN's pool3 feeds conv3 straight into conv4).
    /// </summary>
    /// <param name="name">The layer to remove.</param>
    /// <returns>The reconnected network.</returns>
    /// <exception cref="NetworkDefinitionException">
    /// No such layer, it is the input or has several inputs, or the reconnected shapes do not fit.
    /// </exception>
    public Network RemoveLayer(string name)
    {
        var index = IndexOfExisting(name);
        var removed = Layers[index];
        if (removed.Inputs.Length != 1)
        {
            throw new NetworkDefinitionException(name,
                removed.Kind == LayerKind.Input
                    ? "the input layer cannot be removed"
                    : $"a layer with {removed.Inputs.Length} inputs cannot be removed: there is no single layer to reconnect its consumers to");
        }

        var source = removed.Inputs[0];
        var edited = Layers.RemoveAt(index).Select(layer => Rewire(layer, name, source));
        try
        {
            return new Network(Name, edited, Conventions);
        }
        catch (NetworkDefinitionException error)
        {
            throw new NetworkDefinitionException(name, $"removing it breaks the network: {error.Message}");
        }
    }

    /// <summary>
    /// A copy of the network with <paramref name="layer"/> inserted after <paramref name="existing"/>: the new
    /// layer reads <paramref name="existing"/> and every former consumer of <paramref name="existing"/> reads
    /// the new layer.
    /// </summary>
    /// <param name="existing">The layer after which to insert.</param>
    /// <param name="layer">The new layer; its inputs are set to <paramref name="existing"/>.</param>
    /// <returns>The edited network.</returns>
    /// <exception cref="NetworkDefinitionException">No such layer, the name is taken, or a shape no longer fits.</exception>
    public Network InsertAfter(string existing, Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        IndexOfExisting(existing);
        if (Contains(layer.Name))
        {
            throw new NetworkDefinitionException(layer.Name, "a layer of this name already exists");
        }

        var inserted = layer.WithInputs([existing]);
        var edited = Layers.Select(l => Rewire(l, existing, layer.Name)).Append(inserted);
        return new Network(Name, edited, Conventions);
    }

    /// <summary>Writes the network's name and layer count.</summary>
    public override string ToString() => $"{Name} ({Layers.Length} layers, input {Input.Shape})";

    private static Layer Rewire(Layer layer, string from, string to)
    {
        if (!layer.Inputs.Contains(from))
        {
            return layer;
        }

        return layer.WithInputs([.. layer.Inputs.Select(input => input == from ? to : input)]);
    }

    private int IndexOfExisting(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _indexByName.TryGetValue(name, out var index)
            ? index
            : throw new NetworkDefinitionException(name, $"no such layer in network '{Name}'");
    }

    /// <summary>Checks names and parameters, and returns each name's position among the layers given.</summary>
    private static Dictionary<string, int> CheckNamesAndParameters(Layer[] layers)
    {
        var names = new Dictionary<string, int>(layers.Length, StringComparer.Ordinal);
        for (var i = 0; i < layers.Length; i++)
        {
            var layer = layers[i];
            ArgumentNullException.ThrowIfNull(layer);
            if (string.IsNullOrWhiteSpace(layer.Name))
            {
                throw new NetworkDefinitionException(null, $"a {layer.Kind} layer has an empty name");
            }

            if (!names.TryAdd(layer.Name, i))
            {
                throw new NetworkDefinitionException(layer.Name, "the name is used by more than one layer");
            }

            if (layer.ParameterProblem() is { } problem)
            {
                throw new NetworkDefinitionException(layer.Name, problem);
            }
        }

        var inputs = layers.Where(l => l.Kind == LayerKind.Input).Select(l => l.Name).ToArray();
        if (inputs.Length != 1)
        {
            throw new NetworkDefinitionException(null,
                inputs.Length == 0
                    ? "the network has no input layer"
                    : $"the network has {inputs.Length} input layers ({string.Join(", ", inputs)}); CnnCost models one");
        }

        foreach (var layer in layers)
        {
            foreach (var input in layer.Inputs)
            {
                if (!names.ContainsKey(input))
                {
                    throw new NetworkDefinitionException(layer.Name, $"its input '{input}' is not a layer of the network");
                }

                if (input == layer.Name)
                {
                    throw new NetworkDefinitionException(layer.Name, "it reads its own output (a cycle)");
                }
            }
        }

        return names;
    }

    /// <summary>Kahn's algorithm, taking ready layers in the order they were given so chains keep their order.</summary>
    private static Layer[] TopologicalOrder(Layer[] layers, Dictionary<string, int> position)
    {
        // Stryker disable once Block : a fast path only: Kahn's algorithm below, taking ready layers in the order given, returns an ordered list unchanged
        if (IsAlreadyOrdered(layers, position))
        {
            return layers;
        }

        var pending = new int[layers.Length];
        var consumers = new List<int>[layers.Length];
        for (var i = 0; i < layers.Length; i++)
        {
            consumers[i] = [];
        }

        for (var i = 0; i < layers.Length; i++)
        {
            foreach (var input in layers[i].Inputs)
            {
                pending[i]++;
                consumers[position[input]].Add(i);
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < layers.Length; i++)
        {
            if (pending[i] == 0)
            {
                // Stryker disable once Conditional,Equality,Unary : only the input reads no layer (every other kind reads at least one), so it is alone in the queue and its priority is never compared
                ready.Enqueue(i, layers[i].Kind == LayerKind.Input ? -1 : i);
            }
        }

        var ordered = new List<Layer>(layers.Length);
        while (ready.TryDequeue(out var next, out _))
        {
            ordered.Add(layers[next]);
            foreach (var consumer in consumers[next])
            {
                if (--pending[consumer] == 0)
                {
                    ready.Enqueue(consumer, consumer);
                }
            }
        }

        if (ordered.Count < layers.Length)
        {
            var stuck = layers.Where((_, i) => pending[i] > 0).Select(l => l.Name).ToArray();
            throw new NetworkDefinitionException(stuck[0],
                $"it is part of a cycle (layers never reached from the input: {string.Join(", ", stuck)})");
        }

        // Stryker disable once Statement,String,Block : unreachable: the input is ready from the start with priority -1, so it is always dequeued first
        if (ordered[0].Kind != LayerKind.Input)
        {
            // A layer with no inputs that is not the input layer cannot be fed.
            throw new NetworkDefinitionException(ordered[0].Name, "it reads no layer but is not the input");
        }

        return [.. ordered];
    }

    /// <summary>Whether the input comes first and every layer reads only layers before it (the builder's case).</summary>
    private static bool IsAlreadyOrdered(Layer[] layers, Dictionary<string, int> position)
    {
        if (layers.Length == 0 || layers[0].Kind != LayerKind.Input)
        {
            return false;
        }

        for (var i = 1; i < layers.Length; i++)
        {
            foreach (var input in layers[i].Inputs)
            {
                // Stryker disable once Equality,Boolean : equal positions would be a layer reading itself, refused before; with < the last layer, which reads an earlier one, sends every list of two or more layers to Kahn's algorithm, which orders it the same
                if (position[input] >= i)
                {
                    return false;
                }
            }
        }

        // Stryker disable once Boolean : false would send every list to Kahn's algorithm, which returns an ordered list unchanged
        return true;
    }
}
