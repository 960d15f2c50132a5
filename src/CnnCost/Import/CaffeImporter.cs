using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.ExceptionServices;
using CnnCost.Graph;

namespace CnnCost.Import;

/// <summary>A network read from a file, with what the file said that the network does not carry.</summary>
/// <param name="Network">The network (Caffe conventions for prototxt).</param>
/// <param name="FileBatch">The batch dimension the file declares, if any. It is shown, never used: the analysis's batch decides.</param>
/// <param name="Notes">What the importer assumed or left out (one line each).</param>
public sealed record ImportedModel(Network Network, int? FileBatch, ImmutableArray<string> Notes)
{
    /// <summary>The nodes skipped as unsupported (only with the skip option), in file order; empty otherwise.</summary>
    public ImmutableArray<SkippedNode> Skipped { get; init; } = [];
}

/// <summary>What the Caffe importer does with layer types it does not model.</summary>
/// <param name="SkipUnsupported">
/// Skip an unsupported layer at no cost (and list it) where its output shape is known: an in-place layer (its top is
/// its bottom) keeps its input's shape; any other unsupported layer still fails the import.
/// </param>
public sealed record CaffeImportOptions(bool SkipUnsupported = false);

/// <summary>A node an importer skipped because CnnCost does not model it.</summary>
/// <param name="Node">The node's (or layer's) name.</param>
/// <param name="Operator">The operator or layer type the file names.</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record SkippedNode(string Node, string Operator, string Reason);

/// <summary>
/// Reads Caffe's <c>.prototxt</c> (both <c>layer</c> and the old <c>layers { type: CONVOLUTION }</c> syntax) into
/// a <see cref="Network"/>, analysing the TEST / deploy net: layers whose <c>include</c> or <c>exclude</c> rules
/// leave them out of TEST are skipped. Every error is a <see cref="ModelFormatException"/> naming the file and line.
/// </summary>
public static partial class CaffeImporter
{
    private static readonly Dictionary<string, string> V1Types = new(StringComparer.Ordinal)
    {
        ["CONVOLUTION"] = "Convolution", ["POOLING"] = "Pooling", ["INNER_PRODUCT"] = "InnerProduct", ["RELU"] = "ReLU",
        ["SIGMOID"] = "Sigmoid", ["TANH"] = "TanH", ["DROPOUT"] = "Dropout", ["LRN"] = "LRN", ["CONCAT"] = "Concat",
        ["ELTWISE"] = "Eltwise", ["SOFTMAX"] = "Softmax", ["SOFTMAX_LOSS"] = "SoftmaxWithLoss", ["ACCURACY"] = "Accuracy",
        ["DATA"] = "Data", ["IMAGE_DATA"] = "ImageData", ["MEMORY_DATA"] = "MemoryData", ["FLATTEN"] = "Flatten", ["SPLIT"] = "Split",
    };

    /// <summary>Prototxt files larger than this (512 MiB) are refused: a deploy file of a million layers is a fifth of it.</summary>
    public const long MaxFileBytes = 512L << 20;

    /// <summary>Reads a prototxt file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">What to do with unsupported layer types (fail, by default).</param>
    /// <returns>The imported model.</returns>
    /// <exception cref="ModelFormatException">The file cannot be read or is not a network CnnCost can model.</exception>
    public static ImportedModel Read(string path, CaffeImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ModelFile.ReadAllBytes(path, MaxFileBytes, "a prototxt", ModelFile.Content.Text);
        var (utf8, start) = Utf8(bytes);
        return Parse(utf8, start, path, options ?? new CaffeImportOptions());
    }

    /// <summary>
    /// The file's text as UTF-8 and where it starts: the bytes themselves, past a UTF-8 byte-order mark if there is one;
    /// text with a UTF-16 or UTF-32 mark is decoded as <see cref="StreamReader"/> decodes it and encoded again.
    /// </summary>
    private static (byte[] Utf8, int Start) Utf8(byte[] bytes)
    {
        if (bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (bytes, 3);
        }

        if (bytes.Length >= 2 && (bytes[0], bytes[1]) is (0xFE, 0xFF) or (0xFF, 0xFE) or (0x00, 0x00))
        {
            // UTF-16 or UTF-32 marks (and anything that could start one): the reader's detection, unchanged.
            using var reader = new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true);
            return (System.Text.Encoding.UTF8.GetBytes(reader.ReadToEnd()), 0);
        }

        return (bytes, 0);
    }

    /// <summary>Reads prototxt text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="file">The file name for messages (and the network's name when the file gives none).</param>
    /// <param name="options">What to do with unsupported layer types (fail, by default).</param>
    /// <returns>The imported model.</returns>
    /// <exception cref="ModelFormatException">The text is not a network CnnCost can model; the message names the line.</exception>
    public static ImportedModel Parse(string text, string file, CaffeImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        return Parse(System.Text.Encoding.UTF8.GetBytes(text), 0, file, options ?? new CaffeImportOptions());
    }

    /// <summary>Reads prototxt text in UTF-8 from <paramref name="start"/> on.</summary>
    private static ImportedModel Parse(byte[] utf8, int start, string file, CaffeImportOptions options)
    {
        // Each layer is mapped as soon as it is read, so that its parsed text dies young (a file of a million layers
        // never holds them all). The result and its errors are those of parsing the whole file first: a mapping error
        // waits until the text has been read to its end, where a syntax error would come first.
        var builder = new Builder(file, options);
        var before = new List<ProtoTextField>();
        // Stryker disable once Boolean : true sends every file with an input field to the whole-file path below (a layer-less file reads its inputs there too), which maps it the same
        var layersStarted = false;
        var inputAfterLayers = false;
        ExceptionDispatchInfo? deferred = null;
        var root = ProtoTextMessage.ParseTopLevel(utf8, start, file, field =>
        {
            if (field.Name is not ("layer" or "layers"))
            {
                inputAfterLayers |= layersStarted && field.Name is "input" or "input_shape" or "input_dim";
                before.Add(field);
                return true;
            }

            if (deferred is null && !inputAfterLayers)
            {
                try
                {
                    if (!layersStarted)
                    {
                        layersStarted = true;
                        builder.ReadNetInputs(new ProtoTextMessage([.. before], 1));
                    }

                    builder.AddLayerField(field);
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    deferred = ExceptionDispatchInfo.Capture(error);
                }
            }

            return false;
        });
        if (inputAfterLayers)
        {
            // The net's input declared after a layer: read the whole file first, as the inputs must be known before any layer.
            return new Builder(file, options).Build(ProtoTextMessage.Parse(utf8, start, file));
        }

        deferred?.Throw();
        if (!layersStarted)
        {
            builder.ReadNetInputs(root);
        }

        return builder.Finish(root);
    }

    /// <summary>The mapping of one file: blob names to the layers that last wrote them, and the layers so far.</summary>
    private sealed partial class Builder(string file, CaffeImportOptions options)
    {
        private readonly List<Layer> _layers = [];
        private readonly Dictionary<string, Shape> _shapeOfLayer = new(StringComparer.Ordinal);
        private readonly List<SkippedNode> _skipped = [];
        private readonly Dictionary<string, string> _producerOfBlob = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _lineOfLayer = new(StringComparer.Ordinal);
        private readonly List<string> _notes = [];
        private int? _fileBatch;
        private string? _lastBatchNormBlob;
        private string _context = "";

        /// <summary>Maps a whole parsed file.</summary>
        public ImportedModel Build(ProtoTextMessage root)
        {
            ReadNetInputs(root);
            foreach (var field in root.Fields.Where(f => f.Name is "layer" or "layers"))
            {
                AddLayerField(field);
            }

            return Finish(root);
        }

        /// <summary>Maps one top-level <c>layer</c> or <c>layers</c> field.</summary>
        public void AddLayerField(ProtoTextField field)
        {
            var layer = field.Message ?? throw Error(field.Line, $"'{field.Name}' must be a message {{ … }}");
            AddLayer(layer, isV1: field.Name == "layers");
        }

        /// <summary>Checks the layers mapped and builds the network; <paramref name="root"/> gives the net's name.</summary>
        public ImportedModel Finish(ProtoTextMessage root)
        {
            if (_layers.Count == 0 || _layers[0] is not InputLayer)
            {
                throw new ModelFormatException(file, null, "no input: give 'input' with 'input_shape' or 'input_dim', or an Input or Data layer");
            }

            var name = Text(root, "name") ?? Path.GetFileNameWithoutExtension(file);
            try
            {
                return new ImportedModel(new Network(name, _layers, Conventions.Caffe), _fileBatch, [.. _notes]) { Skipped = [.. _skipped] };
            }
            catch (NetworkDefinitionException error)
            {
                var line = error.LayerName is { } layer && _lineOfLayer.TryGetValue(layer, out var l) ? $"line {l}" : null;
                throw new ModelFormatException(file, line, error.Message);
            }
        }

        /// <summary>Reads the net's own <c>input</c> declaration, if any, from the top-level fields.</summary>
        public void ReadNetInputs(ProtoTextMessage root)
        {
            var inputs = root.All("input").ToArray();
            if (inputs.Length == 0)
            {
                return;
            }

            if (inputs.Length > 1)
            {
                throw Error(inputs[1].Line, $"the net declares {inputs.Length} inputs; CnnCost models networks with one");
            }

            var blob = inputs[0].Value ?? throw Error(inputs[0].Line, "'input' must name a blob");
            int[] dims;
            if (root.Last("input_shape") is { } shapeField)
            {
                dims = Dims(shapeField.Message ?? throw Error(shapeField.Line, "'input_shape' must be a message"), shapeField.Line);
            }
            else
            {
                var inputDims = root.All("input_dim").ToArray();
                dims = [.. inputDims.Select(d => Int(d, "input_dim", min: 1))];
                if (dims.Length == 0)
                {
                    throw Error(inputs[0].Line, "'input' needs 'input_shape' or four 'input_dim' values");
                }
            }

            AddInput(blob, dims, inputs[0].Line);
        }

        private void AddInput(string blob, int[] dims, int line)
        {
            Shape shape;
            switch (dims.Length)
            {
                case 4:
                    _fileBatch = dims[0];
                    shape = new Shape(dims[1], dims[2], dims[3]);
                    break;
                case 3:
                    shape = new Shape(dims[0], dims[1], dims[2]);
                    break;
                default:
                    throw Error(line, $"an input shape needs 3 (CxHxW) or 4 (NxCxHxW) dimensions, got {dims.Length}");
            }

            if (_layers.Count > 0)
            {
                throw Error(line, "a second input; CnnCost models networks with one");
            }

            Register(new InputLayer(blob, shape), line, [blob]);
            if (_fileBatch is > 1)
            {
                _notes.Add($"the file's batch of {_fileBatch} is shown but not used: the analysis's batch decides");
            }
        }

        private void AddLayer(ProtoTextMessage message, bool isV1)
        {
            var line = message.Line;
            var name = Text(message, "name") ?? throw Error(line, "a layer has no name");
            var typeText = Text(message, "type") ?? throw Error(line, $"layer '{name}' has no type");
            var type = isV1 ? V1Types.GetValueOrDefault(typeText) ?? throw Error(line, $"layer '{name}': old-style type {typeText} is not supported") : typeText;
            if (!InTestPhase(message))
            {
                return;
            }

            _context = TensorTypes.Contains(type) ? $"{type} layer '{name}': " : "";

            var bottoms = message.All("bottom").Select(f => f.Value ?? throw Error(f.Line, "'bottom' must name a blob")).ToArray();
            var tops = message.All("top").Select(f => f.Value ?? throw Error(f.Line, "'top' must name a blob")).ToArray();
            string Bottom(int index) =>
                index < bottoms.Length
                    ? _producerOfBlob.GetValueOrDefault(bottoms[index]) ?? throw Error(line, $"layer '{name}' reads blob '{bottoms[index]}', which no earlier layer writes")
                    : throw Error(line, $"layer '{name}' ({type}) needs {index + 1} bottom blob(s), has {bottoms.Length}");
            string[] Top() => tops.Length > 0 ? tops : throw Error(line, $"layer '{name}' ({type}) has no top blob");

            switch (type)
            {
                case "Input":
                    var inputParam = Param(message, "input_param");
                    var shape = inputParam?.Last("shape") ?? throw Error(line, $"Input layer '{name}' needs input_param {{ shape {{ dim … }} }}");
                    AddInput(Top()[0], Dims(shape.Message ?? throw Error(shape.Line, "'shape' must be a message"), shape.Line), line);
                    return;
                case "Data" or "ImageData" or "MemoryData":
                    AddDataLayer(message, name, Top(), line);
                    return;
                case "Convolution":
                    Register(Convolution(message, name, Bottom(0)), line, Top());
                    return;
                case "ConvolutionDepthwise" or "DepthwiseConvolution":
                    // MobileNet ports' depthwise layers: one group per input channel, whatever 'group' says.
                    var depthwiseInput = Bottom(0);
                    Register(Convolution(message, name, depthwiseInput, ShapeOf(depthwiseInput).Channels), line, Top());
                    return;
                case "Deconvolution":
                    Register(Deconvolution(message, name, Bottom(0)), line, Top());
                    return;
                case "Pooling":
                    Register(Pooling(message, name, Bottom(0)), line, Top());
                    return;
                case "InnerProduct":
                    var ip = Param(message, "inner_product_param") ?? throw Error(line, $"InnerProduct layer '{name}' needs inner_product_param {{ num_output: N }}");
                    Register(new FullyConnectedLayer(name, Bottom(0), IntField(ip, "num_output", null, 1), BoolField(ip, "bias_term", true)), line, Top());
                    return;
                case "ReLU":
                    var slope = Param(message, "relu_param") is { } rp ? DoubleField(rp, "negative_slope", 0) : 0;
                    Register(new ActivationLayer(name, Bottom(0), slope == 0 ? ActivationFunction.ReLU : ActivationFunction.LeakyReLU), line, Top());
                    return;
                case "ReLU6":
                    Register(new ActivationLayer(name, Bottom(0), ActivationFunction.ReLU6), line, Top());
                    return;
                case "PReLU":
                    var shared = Param(message, "prelu_param") is { } pp && BoolField(pp, "channel_shared", false);
                    Register(new ActivationLayer(name, Bottom(0), ActivationFunction.PReLU, shared), line, Top());
                    return;
                case "Sigmoid":
                    Register(new ActivationLayer(name, Bottom(0), ActivationFunction.Sigmoid), line, Top());
                    return;
                case "TanH":
                    Register(new ActivationLayer(name, Bottom(0), ActivationFunction.Tanh), line, Top());
                    return;
                case "Dropout":
                    var ratio = Param(message, "dropout_param") is { } dp ? DoubleField(dp, "dropout_ratio", 0.5) : 0.5;
                    Register(new DropoutLayer(name, Bottom(0), ratio), line, Top());
                    return;
                case "LRN":
                    var size = Param(message, "lrn_param") is { } lp ? IntField(lp, "local_size", 5, 1) : 5;
                    Register(new LrnLayer(name, Bottom(0), size), line, Top());
                    return;
                case "BatchNorm":
                    Register(new BatchNormLayer(name, Bottom(0)), line, Top());
                    _lastBatchNormBlob = Top()[0];
                    return;
                case "Scale":
                    // Caffe splits batch norm into BatchNorm (statistics) and Scale (the learned γ and β); CnnCost's
                    // BatchNormLayer already counts γ and β, so a Scale right after a BatchNorm is part of it.
                    if (bottoms.Length == 1 && bottoms[0] == _lastBatchNormBlob)
                    {
                        foreach (var top in Top())
                        {
                            _producerOfBlob[top] = _producerOfBlob[bottoms[0]];
                        }

                        _lastBatchNormBlob = null;
                        return;
                    }

                    AddScale(message, name, [.. bottoms.Select((_, i) => Bottom(i))], Top(), line);
                    return;
                case "Concat":
                    var concatParam = Param(message, "concat_param");
                    var concatSources = bottoms.Length == 0 ? [Bottom(0)] : bottoms.Select((_, i) => Bottom(i)).ToArray();
                    var concatAxis = ItemAxis(concatParam?.Last("axis") ?? concatParam?.Last("concat_dim"), 1, ShapeOf(concatSources[0]), name, line);
                    Register(new ConcatLayer(name, [.. concatSources]) { Axis = concatAxis }, line, Top());
                    return;
                case "Eltwise":
                    var operation = Param(message, "eltwise_param")?.Last("operation")?.Value ?? "SUM";
                    var op = operation switch
                    {
                        "SUM" => ElementwiseOperation.Sum,
                        "PROD" => ElementwiseOperation.Product,
                        "MAX" => ElementwiseOperation.Max,
                        _ => throw Error(line, $"Eltwise layer '{name}' has unknown operation {operation}"),
                    };
                    Register(new AddLayer(name, [.. bottoms.Select((_, i) => Bottom(i))], op), line, Top());
                    return;
                case "Softmax" or "SoftmaxWithLoss":
                    var softmaxInput = Bottom(0);
                    Register(new SoftmaxLayer(name, softmaxInput, ItemAxis(Param(message, "softmax_param")?.Last("axis"), 1, ShapeOf(softmaxInput), name, line)), line, Top());
                    return;
                case "Split":
                    // A fan-out of one blob.
                    var source = Bottom(0);
                    foreach (var top in Top())
                    {
                        _producerOfBlob[top] = source;
                    }

                    return;
                case "Accuracy" or "Silence":
                    return;
                default:
                    if (type.EndsWith("Loss", StringComparison.Ordinal))
                    {
                        _notes.Add($"line {line}: training-only {type} layer '{name}' left out");
                        return;
                    }

                    if (AddTensorLayer(message, type, name, bottoms.Length, Bottom, tops, line))
                    {
                        return;
                    }

                    Unsupported(type, name, bottoms, tops, Bottom, line);
                    return;
            }
        }

        private void AddDataLayer(ProtoTextMessage message, string name, string[] tops, int line)
        {
            var crop = Param(message, "transform_param") is { } tp && tp.Last("crop_size") is not null ? IntField(tp, "crop_size", null, 1) : 0;
            var channels = 3;
            var (height, width) = (crop, crop);
            if (Param(message, "memory_data_param") is { } mp)
            {
                channels = IntField(mp, "channels", 3, 1);
                height = crop > 0 ? crop : IntField(mp, "height", null, 1);
                width = crop > 0 ? crop : IntField(mp, "width", null, 1);
            }

            if (height == 0)
            {
                throw Error(line, $"data layer '{name}' gives no image size: add transform_param {{ crop_size: N }}");
            }

            _notes.Add($"line {line}: data layer '{name}' read as {channels} channels of {height}x{width} (Caffe data layers do not state their channels)");
            var batch = Param(message, "data_param") is { } dp && dp.Last("batch_size") is not null ? IntField(dp, "batch_size", null, 1) : (int?)null;
            // A second top (the labels) feeds only loss and accuracy layers, which the TEST net analysis leaves out.
            AddInput(tops[0], batch is { } b ? [b, channels, height, width] : [channels, height, width], line);
        }

        private Layer Convolution(ProtoTextMessage message, string name, string bottom, int? groups = null)
        {
            var p = Param(message, "convolution_param") ?? throw Error(message.Line, $"Convolution layer '{name}' needs convolution_param {{ num_output: N kernel_size: K }}");
            var kernel = Window(p, "kernel", null, 1);
            return new ConvolutionLayer(name, bottom, IntField(p, "num_output", null, 1), kernel, Window(p, "stride", 1, 1), Window(p, "pad", 0, 0),
                groups ?? IntField(p, "group", 1, 1), Window(p, "dilation", 1, 1), BoolField(p, "bias_term", true));
        }

        private Layer Pooling(ProtoTextMessage message, string name, string bottom)
        {
            var p = Param(message, "pooling_param") ?? throw Error(message.Line, $"Pooling layer '{name}' needs pooling_param");
            var method = (p.Last("pool")?.Value ?? "MAX") switch
            {
                "MAX" or "0" => PoolingMethod.Max,
                "AVE" or "1" => PoolingMethod.Average,
                var other => throw Error(p.Last("pool")!.Line, $"Pooling layer '{name}' uses {other} pooling; CnnCost models MAX and AVE"),
            };
            var rounding = (p.Last("round_mode")?.Value ?? "CEIL") switch
            {
                "CEIL" or "0" => RoundingRule.Ceiling,
                "FLOOR" or "1" => RoundingRule.Floor,
                var other => throw Error(p.Last("round_mode")!.Line, $"Pooling layer '{name}' has unknown round_mode {other}"),
            };
            if (BoolField(p, "global_pooling", false))
            {
                return new PoolingLayer(name, bottom, method, 1, 1, 0, IsGlobal: true);
            }

            return new PoolingLayer(name, bottom, method, Window(p, "kernel", null, 1), Window(p, "stride", 1, 1), Window(p, "pad", 0, 0), false, rounding);
        }

        /// <summary>A per-axis size: <c>X_size</c>/<c>X</c> (one value, or two for height and width) or <c>X_h</c> and <c>X_w</c>.</summary>
        private Size2 Window(ProtoTextMessage p, string stem, int? defaultValue, int min)
        {
            var h = p.Last(stem + "_h");
            var w = p.Last(stem + "_w");
            if (h is not null || w is not null)
            {
                return new Size2(h is null ? DefaultOrFail(p, stem + "_h", defaultValue) : Int(h, stem + "_h", min),
                    w is null ? DefaultOrFail(p, stem + "_w", defaultValue) : Int(w, stem + "_w", min));
            }

            var fieldName = stem == "kernel" ? "kernel_size" : stem;
            var values = p.All(fieldName).Select(f => Int(f, fieldName, min)).ToArray();
            return values.Length switch
            {
                0 => DefaultOrFail(p, fieldName, defaultValue),
                1 => values[0],
                2 => new Size2(values[0], values[1]),
                _ => throw Error(p.All(fieldName).Last().Line, $"{fieldName} has {values.Length} values; CnnCost models 2-D layers"),
            };
        }

        private int DefaultOrFail(ProtoTextMessage p, string field, int? defaultValue) =>
            defaultValue ?? throw Error(p.Line, $"{_context}'{field}' is missing");

        private bool InTestPhase(ProtoTextMessage layer)
        {
            var includes = layer.All("include").Select(f => f.Message?.Last("phase")?.Value).Where(v => v is not null).ToArray();
            if (includes.Length > 0 && !includes.Contains("TEST"))
            {
                return false;
            }

            return !layer.All("exclude").Any(f => f.Message?.Last("phase")?.Value == "TEST");
        }

        private void Register(Layer layer, int line, string[] tops)
        {
            if (_lineOfLayer.ContainsKey(layer.Name))
            {
                throw Error(line, $"the layer name '{layer.Name}' is used twice");
            }

            // The shape of every layer is known as it is read: Caffe's own rules (Slice, Crop, PriorBox …) need it.
            if (layer.ParameterProblem() is { } problem)
            {
                throw Error(line, $"layer '{layer.Name}': {problem}");
            }

            try
            {
                _shapeOfLayer[layer.Name] = ShapeInference.OutputOf(layer, [.. layer.Inputs.Select(i => _shapeOfLayer[i])], Conventions.Caffe);
            }
            catch (NetworkDefinitionException error)
            {
                throw Error(line, error.Message);
            }
            catch (OverflowException)
            {
                throw Error(line, $"layer '{layer.Name}': its sizes exceed 2^63-1");
            }

            _layers.Add(layer);
            _lineOfLayer[layer.Name] = line;
            foreach (var top in tops)
            {
                _producerOfBlob[top] = layer.Name;
            }
        }

        private int[] Dims(ProtoTextMessage shape, int line)
        {
            var dims = shape.All("dim").Select(d => Int(d, "dim", 1)).ToArray();
            return dims.Length > 0 ? dims : throw Error(line, "a shape has no 'dim' values");
        }

        private static ProtoTextMessage? Param(ProtoTextMessage message, string name) => message.Last(name)?.Message;

        private static string? Text(ProtoTextMessage message, string name) => message.Last(name)?.Value;

        private int IntField(ProtoTextMessage message, string name, int? defaultValue, int min)
        {
            var field = message.Last(name);
            return field is null ? DefaultOrFail(message, name, defaultValue) : Int(field, name, min);
        }

        private int Int(ProtoTextField field, string name, int min)
        {
            if (field.Value is { } text && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value >= min && value <= int.MaxValue
                    ? (int)value
                    : throw Error(field.Line, $"{_context}{name} {text} is out of range ({min} to 2^31-1)");
            }

            throw Error(field.Line, $"{_context}{name} must be an integer, got '{field.Value ?? "{ … }"}'");
        }

        private double DoubleField(ProtoTextMessage message, string name, double defaultValue)
        {
            var field = message.Last(name);
            if (field is null)
            {
                return defaultValue;
            }

            return field.Value is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                ? value
                : throw Error(field.Line, $"{_context}{name} must be a number, got '{field.Value ?? "{ … }"}'");
        }

        private bool BoolField(ProtoTextMessage message, string name, bool defaultValue)
        {
            var field = message.Last(name);
            return field?.Value switch
            {
                null when field is null => defaultValue,
                "true" or "True" or "1" => true,
                "false" or "False" or "0" => false,
                _ => throw Error(field!.Line, $"{_context}{name} must be true or false, got '{field.Value ?? "{ … }"}'"),
            };
        }

        private ModelFormatException Error(int line, string reason) => new(file, $"line {line}", reason);
    }
}
