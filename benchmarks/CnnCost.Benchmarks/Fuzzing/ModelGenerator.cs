using System.Globalization;
using System.Text;
using CnnCost.Import.Onnx.Schema;
using CnnCost.Tests.Import;
using Google.Protobuf;

namespace CnnCost.Benchmarks.Fuzzing;

/// <summary>
/// Structure-aware generation: random valid prototxt and ONNX models over every operator and attribute the importers
/// accept, then mutated structurally (extreme attribute values, wrong counts, dangling references, duplicate names,
/// deep nesting, long files) and at the byte level.
/// </summary>
public static class ModelGenerator
{
    /// <summary>Values at the edges: zero, negatives, 2^31, 2^32 + 3, 2^63 − 1 and beyond.</summary>
    public static readonly long[] ExtremeInts = [0, -1, -2, 1, 2, 2147483647, 2147483648, 4294967299, 1L << 40, long.MaxValue, long.MinValue, 65536, 46341];

    private static readonly string[] ExtremeTexts = ["0", "-1", "2147483648", "4294967299", "2147483647", "9223372036854775807", "99999999999999999999999", "1e308", "-0", "nan", "0x10", "1.5", "\"7\"", "true"];

    private static string F(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A random prototxt model, valid or nearly so, then (usually) mutated.</summary>
    /// <param name="random">The source of randomness.</param>
    /// <param name="mutate">Whether to mutate it.</param>
    /// <returns>The text.</returns>
    public static string Prototxt(Random random, bool mutate = true)
    {
        var v1 = random.Next(6) == 0;
        var text = new StringBuilder();
        text.Append("name: \"gen\"\n");
        var channels = 1 + random.Next(8);
        var size = 4 + random.Next(40);
        var blobs = new List<(string Name, int Channels)>();
        var style = v1 ? random.Next(2) : random.Next(4);
        switch (style)
        {
            case 0:
                text.Append(CultureInfo.InvariantCulture, $"input: \"data\"\ninput_dim: {1 + random.Next(4)}\ninput_dim: {channels}\ninput_dim: {size}\ninput_dim: {size}\n");
                break;
            case 1:
                text.Append(CultureInfo.InvariantCulture, $"input: \"data\"\ninput_shape {{ dim: 1 dim: {channels} dim: {size} dim: {size} }}\n");
                break;
            case 2:
                text.Append(CultureInfo.InvariantCulture, $"layer {{ name: \"data\" type: \"Input\" top: \"data\" input_param {{ shape {{ dim: 1 dim: {channels} dim: {size} dim: {size} }} }} }}\n");
                break;
            default:
                var crop = random.Next(2) == 0 ? $" transform_param {{ crop_size: {size} }}" : "";
                text.Append(CultureInfo.InvariantCulture, $"layer {{ name: \"data\" type: \"MemoryData\" top: \"data\" top: \"label\"{crop} memory_data_param {{ batch_size: 2 channels: {channels} height: {size} width: {size} }} }}\n");
                break;
        }

        blobs.Add(("data", channels));
        var layers = 1 + random.Next(random.Next(8) == 0 ? 60 : 12);
        var current = "data";
        var flat = false;
        for (var i = 0; i < layers; i++)
        {
            var name = $"l{i}";
            var top = name;
            string type, param = "", bottoms = $"bottom: \"{current}\" ";
            var phase = random.Next(12) switch
            {
                0 => " include { phase: TEST }",
                1 => " exclude { phase: TRAIN }",
                _ => "",
            };
            var op = flat ? random.Next(3) switch { 0 => 2, 1 => 3, _ => 13 } : random.Next(16);
            switch (op)
            {
                case 0:
                    var groups = random.Next(3) == 0 ? Divisor(channels, random) : 1;
                    var outputs = groups * (1 + random.Next(4));
                    var kernel = random.Next(3) == 0 ? $"kernel_h: {1 + random.Next(3)} kernel_w: {1 + random.Next(3)}" : $"kernel_size: {1 + 2 * random.Next(2)}";
                    var stride = random.Next(3) == 0 ? (random.Next(2) == 0 ? " stride: 2" : " stride_h: 2 stride_w: 1") : "";
                    var pad = random.Next(2) == 0 ? " pad: 1" : (random.Next(3) == 0 ? " pad_h: 1 pad_w: 0" : "");
                    var dilation = random.Next(6) == 0 ? " dilation: 2" : "";
                    var group = groups > 1 || random.Next(5) == 0 ? $" group: {groups}" : "";
                    var bias = random.Next(4) == 0 ? " bias_term: false" : "";
                    type = v1 ? "CONVOLUTION" : "Convolution";
                    param = $"convolution_param {{ num_output: {outputs} {kernel}{stride}{pad}{dilation}{group}{bias} }}";
                    channels = outputs;
                    break;
                case 1:
                    var method = random.Next(20) switch { 0 => "STOCHASTIC", < 10 => "MAX", _ => "AVE" };
                    var global = random.Next(5) == 0 ? " global_pooling: true" : $" kernel_size: {1 + random.Next(3)} stride: {1 + random.Next(2)}{(random.Next(2) == 0 ? " pad: 1" : "")}";
                    var round = v1 ? "" : random.Next(4) switch { 0 => " round_mode: FLOOR", 1 => " round_mode: CEIL", _ => "" };
                    type = v1 ? "POOLING" : "Pooling";
                    param = $"pooling_param {{ pool: {method}{global}{round} }}";
                    break;
                case 2:
                    var n = 1 + random.Next(20);
                    type = v1 ? "INNER_PRODUCT" : "InnerProduct";
                    param = $"inner_product_param {{ num_output: {n}{(random.Next(4) == 0 ? " bias_term: false" : "")} }}";
                    channels = n;
                    flat = true;
                    break;
                case 3:
                    type = v1 ? "RELU" : "ReLU";
                    param = random.Next(3) == 0 ? "relu_param { negative_slope: 0.1 }" : "";
                    top = random.Next(2) == 0 ? current : name; // in place
                    break;
                case 4:
                    type = v1 ? "SIGMOID" : random.Next(4) switch { 0 => "ReLU6", 1 => "PReLU", 2 => "Sigmoid", _ => "TanH" };
                    param = type == "PReLU" && random.Next(2) == 0 ? "prelu_param { channel_shared: true }" : "";
                    break;
                case 5:
                    type = v1 ? "DROPOUT" : "Dropout";
                    param = random.Next(2) == 0 ? "dropout_param { dropout_ratio: 0.3 }" : "";
                    top = current;
                    break;
                case 6:
                    type = v1 ? "LRN" : "LRN";
                    param = random.Next(2) == 0 ? $"lrn_param {{ local_size: {1 + 2 * random.Next(3)} alpha: 0.0001 beta: 0.75 }}" : "";
                    break;
                case 7 when !v1:
                    type = "BatchNorm";
                    text.Append(CultureInfo.InvariantCulture, $"layer {{ name: \"{name}\" type: \"BatchNorm\" bottom: \"{current}\" top: \"{current}\" }}\n");
                    name += "s";
                    top = current;
                    type = "Scale";
                    param = random.Next(2) == 0 ? "scale_param { bias_term: true }" : "";
                    break;
                case 8:
                case 9:
                    // Two branches that keep the shape, joined by Concat or Eltwise.
                    var branches = random.Next(10) == 0 ? 1 : 2 + random.Next(2);
                    var tops = new List<string>();
                    var branchChannels = 0;
                    for (var b = 0; b < branches; b++)
                    {
                        var c = op == 8 ? 1 + random.Next(4) : channels;
                        text.Append(CultureInfo.InvariantCulture, $"{(v1 ? "layers" : "layer")} {{ name: \"{name}b{b}\" type: {Quote(v1 ? "CONVOLUTION" : "Convolution", v1)} bottom: \"{current}\" top: \"{name}b{b}\" convolution_param {{ num_output: {c} kernel_size: 3 pad: 1 }} }}\n");
                        tops.Add($"{name}b{b}");
                        branchChannels += c;
                    }

                    bottoms = string.Concat(tops.Select(t => $"bottom: \"{t}\" "));
                    if (op == 8)
                    {
                        type = v1 ? "CONCAT" : "Concat";
                        param = random.Next(3) == 0 ? "concat_param { axis: 1 }" : (random.Next(6) == 0 ? "concat_param { concat_dim: 1 }" : "");
                        channels = branchChannels;
                    }
                    else
                    {
                        type = v1 ? "ELTWISE" : "Eltwise";
                        param = random.Next(2) == 0 ? $"eltwise_param {{ operation: {(random.Next(3) switch { 0 => "SUM", 1 => "PROD", _ => "MAX" })} }}" : "";
                    }

                    break;
                case 10:
                    type = v1 ? "SPLIT" : random.Next(2) == 0 ? "Split" : "Flatten";
                    flat = type == "Flatten";
                    break;
                case 11:
                    type = v1 ? "SOFTMAX" : "Softmax";
                    break;
                case 12 when !v1:
                    type = random.Next(2) == 0 ? "Silence" : "Accuracy";
                    top = "";
                    break;
                default:
                    type = v1 ? "RELU" : "TanH";
                    break;
            }

            var topText = top.Length > 0 ? $"top: \"{top}\" " : "";
            text.Append(CultureInfo.InvariantCulture, $"{(v1 ? "layers" : "layer")} {{ name: \"{name}\" type: {Quote(type, v1)} {bottoms}{topText}{param}{phase} }}\n");
            if (top.Length > 0)
            {
                current = top;
                blobs.Add((top, channels));
            }
        }

        if (random.Next(4) == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(v1 ? "layers" : "layer")} {{ name: \"loss\" type: {Quote(v1 ? "SOFTMAX_LOSS" : "SoftmaxWithLoss", v1)} bottom: \"{current}\" bottom: \"label\" top: \"loss\" include {{ phase: TRAIN }} }}\n");
        }

        var result = text.ToString();
        return mutate && random.Next(5) != 0 ? MutatePrototxt(result, random) : result;
    }

    private static string Quote(string type, bool v1) => v1 ? type : $"\"{type}\"";

    private static int Divisor(int n, Random random)
    {
        var divisors = Enumerable.Range(1, n).Where(d => n % d == 0).ToArray();
        return divisors[random.Next(divisors.Length)];
    }

    /// <summary>Structural and byte-level mutations of a prototxt.</summary>
    /// <param name="seed">The text.</param>
    /// <param name="random">The source of randomness.</param>
    /// <returns>The mutated text.</returns>
    public static string MutatePrototxt(string seed, Random random)
    {
        var lines = seed.Split('\n').ToList();
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds && lines.Count > 0; r++)
        {
            var at = random.Next(lines.Count);
            switch (random.Next(11))
            {
                case 0:
                case 1:
                    lines[at] = ReplaceNumber(lines[at], random);
                    break;
                case 2:
                    lines.RemoveAt(at);
                    break;
                case 3:
                    lines.Insert(random.Next(lines.Count), lines[at]); // duplicate names, repeated fields
                    break;
                case 4:
                    lines[at] = lines[at].Replace("bottom: \"", random.Next(2) == 0 ? "bottom: \"nowhere" : "bottom: \"", StringComparison.Ordinal)
                        .Replace("top: \"", random.Next(3) == 0 ? "top: \"data" : "top: \"", StringComparison.Ordinal);
                    break;
                case 5:
                    // Deep nesting, sometimes past the limit.
                    var depth = random.Next(4) switch { 0 => 63, 1 => 64, 2 => 65, _ => 1 + random.Next(20_000) };
                    var open = string.Concat(Enumerable.Repeat("p { ", depth));
                    lines.Insert(at, open + (random.Next(3) == 0 ? "" : string.Concat(Enumerable.Repeat("} ", depth))));
                    break;
                case 6:
                    // A long file: the same layer many times (under new names or the same one).
                    var count = random.Next(4) == 0 ? 5_000 : 1 + random.Next(300);
                    var same = random.Next(2) == 0;
                    var line = lines[at];
                    count = Math.Min(count, 4_000_000 / (line.Length + 1)); // bounded: at most a few MB, so a run stays fast
                    lines.InsertRange(at, Enumerable.Range(0, count).Select(k => same ? line : line.Replace("name: \"", $"name: \"x{k}_", StringComparison.Ordinal)));
                    break;
                case 7:
                    // An attribute added at an extreme.
                    var field = random.Next(14) switch
                    {
                        0 => "num_output", 1 => "kernel_size", 2 => "stride", 3 => "pad", 4 => "group", 5 => "dilation", 6 => "kernel_h",
                        7 => "stride_w", 8 => "local_size", 9 => "axis", 10 => "dim", 11 => "input_dim", 12 => "crop_size", _ => "height",
                    };
                    var value = ExtremeTexts[random.Next(ExtremeTexts.Length)];
                    var brace = lines[at].LastIndexOf('{');
                    lines[at] = brace >= 0 ? lines[at].Insert(brace + 1, $" {field}: {value} ") : $"{field}: {value}";
                    break;
                case 8:
                    lines[at] = lines[at].Replace("\"", random.Next(2) == 0 ? "" : "\"\\x01\u2028", StringComparison.Ordinal);
                    break;
                case 9:
                    lines[at] = lines[at] + random.Next(6) switch
                    {
                        0 => " \"unterminated", 1 => " # comment {", 2 => " }", 3 => " {", 4 => " unknown_field: 3", _ => "\0",
                    };
                    break;
                default:
                    return ByteMutateText(string.Join('\n', lines), random);
            }
        }

        return string.Join('\n', lines);
    }

    private static string ReplaceNumber(string line, Random random)
    {
        var digits = Enumerable.Range(0, line.Length).Where(k => char.IsAsciiDigit(line[k]) && (k == 0 || !char.IsAsciiDigit(line[k - 1]))).ToArray();
        if (digits.Length == 0)
        {
            return line;
        }

        var start = digits[random.Next(digits.Length)];
        var end = start;
        while (end < line.Length && char.IsAsciiDigit(line[end]))
        {
            end++;
        }

        return line[..start] + ExtremeTexts[random.Next(ExtremeTexts.Length)] + line[end..];
    }

    private static string ByteMutateText(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        if (text.Length == 0)
        {
            return seed;
        }

        var at = random.Next(text.Length);
        switch (random.Next(4))
        {
            case 0:
                text[at] = (char)(text[at] ^ (1 << random.Next(7)));
                break;
            case 1:
                text.Length = at;
                break;
            case 2:
                text.Remove(at, Math.Min(text.Length - at, 1 + random.Next(40)));
                break;
            default:
                const string Syntax = "{}:\"#\n \\<>[];,-.";
                text[at] = Syntax[random.Next(Syntax.Length)];
                break;
        }

        return text.ToString();
    }

    /// <summary>A random ONNX model, valid or nearly so, then (usually) mutated, as bytes.</summary>
    /// <param name="random">The source of randomness.</param>
    /// <param name="mutate">Whether to mutate it.</param>
    /// <returns>The serialized model.</returns>
    public static byte[] Onnx(Random random, bool mutate = true)
    {
        var model = OnnxModel(random);
        if (mutate && random.Next(5) != 0)
        {
            MutateOnnx(model, random);
        }

        var bytes = model.ToByteArray();
        return mutate && random.Next(6) == 0 ? MutateBytes(bytes, random) : bytes;
    }

    /// <summary>The operator types (and attribute names, after a colon) of a serialized ONNX model, for coverage checks.</summary>
    /// <param name="bytes">The model.</param>
    /// <returns>Each node's <c>op_type</c> and each <c>op_type:attribute</c>.</returns>
    public static IEnumerable<string> OnnxVocabulary(byte[] bytes) =>
        ModelProto.Parser.ParseFrom(bytes).Graph.Node.SelectMany(n => n.Attribute.Select(a => $"{n.OpType}:{a.Name}{(a.S.IsEmpty ? "" : "=" + a.S.ToStringUtf8())}").Prepend(n.OpType));

    /// <summary>A random valid-ish ONNX model.</summary>
    /// <param name="random">The source of randomness.</param>
    /// <returns>The model.</returns>
    internal static ModelProto OnnxModel(Random random)
    {
        var graph = new GraphProto { Name = "gen" };
        long c = 1 + random.Next(8), h = 4 + random.Next(40), w = 4 + random.Next(40);
        var input = new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        input.Type.TensorType.Shape.Dim.Add(random.Next(2) == 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = 1 + random.Next(4) });
        foreach (var d in new[] { c, h, w })
        {
            input.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        graph.Input.Add(input);
        var current = "x";
        var flat = false;
        var nodes = 1 + random.Next(random.Next(8) == 0 ? 60 : 12);
        var k = 0;
        string Next() => $"t{k++}";
        void Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = random.Next(10) == 0 ? "" : $"n{graph.Node.Count}" };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
        }

        string Init(params long[] dims)
        {
            var tensor = new TensorProto { Name = $"w{graph.Initializer.Count}", DataType = 1 };
            tensor.Dims.AddRange(dims);
            graph.Initializer.Add(tensor);
            return tensor.Name;
        }

        for (var i = 0; i < nodes; i++)
        {
            var output = Next();
            var op = flat ? random.Next(4) switch { 0 => 2, 1 => 3, 2 => 4, _ => 12 } : random.Next(15);
            switch (op)
            {
                case 0:
                {
                    var groups = random.Next(3) == 0 ? Divisor((int)c, random) : 1;
                    var m = groups * (1 + random.Next(4));
                    long kh = 1 + random.Next(3), kw = random.Next(3) == 0 ? 1 + random.Next(3) : kh;
                    var attrs = new List<AttributeProto>();
                    if (random.Next(2) == 0)
                    {
                        attrs.Add(OnnxModels.Ints("kernel_shape", kh, kw));
                    }

                    long sh = 1 + random.Next(2), sw = 1 + random.Next(2), dh = random.Next(6) == 0 ? 2 : 1;
                    if (sh > 1 || sw > 1 || random.Next(3) == 0)
                    {
                        attrs.Add(OnnxModels.Ints("strides", sh, sw));
                    }

                    if (dh > 1 || random.Next(4) == 0)
                    {
                        attrs.Add(OnnxModels.Ints("dilations", dh, dh));
                    }

                    if (groups > 1 || random.Next(4) == 0)
                    {
                        attrs.Add(OnnxModels.Int("group", groups));
                    }

                    AutoPadOrPads(random, attrs);
                    var inputs = new List<string> { current, Init(m, c / groups, kh, kw) };
                    if (random.Next(2) == 0)
                    {
                        inputs.Add(random.Next(5) == 0 ? "" : Init(m));
                    }

                    Node("Conv", [.. inputs], output, [.. attrs]);
                    c = m;
                    h = Math.Max(1, (h + 2 - dh * (kh - 1) - 1) / sh + 1);
                    w = Math.Max(1, (w + 2 - dh * (kw - 1) - 1) / sw + 1);
                    break;
                }

                case 1:
                {
                    var attrs = new List<AttributeProto> { OnnxModels.Ints("kernel_shape", 1 + random.Next(3), 1 + random.Next(3)) };
                    if (random.Next(2) == 0)
                    {
                        attrs.Add(OnnxModels.Ints("strides", 1 + random.Next(2), 1 + random.Next(2)));
                    }

                    if (random.Next(2) == 0)
                    {
                        attrs.Add(OnnxModels.Int("ceil_mode", random.Next(2)));
                    }

                    AutoPadOrPads(random, attrs);
                    Node(random.Next(2) == 0 ? "MaxPool" : "AveragePool", [current], output, [.. attrs]);
                    h = Math.Max(1, h / 2);
                    w = Math.Max(1, w / 2);
                    break;
                }

                case 2:
                {
                    if (!flat && random.Next(2) == 0)
                    {
                        Node(random.Next(2) == 0 ? "GlobalAveragePool" : "GlobalMaxPool", [current], output);
                        h = w = 1;
                        current = output;
                        output = Next();
                    }

                    var features = c * h * w;
                    var n = 1 + random.Next(20);
                    if (random.Next(3) == 0)
                    {
                        Node("MatMul", [current, Init(features, n)], output);
                        if (random.Next(2) == 0)
                        {
                            current = output;
                            output = Next();
                            Node("Add", random.Next(2) == 0 ? [current, Init(n)] : [Init(n), current], output);
                        }
                    }
                    else
                    {
                        var transB = random.Next(2);
                        var inputs = new List<string> { current, transB == 1 ? Init(n, features) : Init(features, n) };
                        if (random.Next(2) == 0)
                        {
                            inputs.Add(Init(n));
                        }

                        var attrs = new List<AttributeProto>();
                        if (transB == 1 || random.Next(3) == 0)
                        {
                            attrs.Add(OnnxModels.Int("transB", transB));
                        }

                        if (random.Next(8) == 0)
                        {
                            attrs.Add(OnnxModels.Int("transA", 0));
                        }

                        Node("Gemm", [.. inputs], output, [.. attrs]);
                    }

                    c = n;
                    h = w = 1;
                    flat = true;
                    break;
                }

                case 3:
                    switch (random.Next(7))
                    {
                        case 0: Node("Relu", [current], output); break;
                        case 1: Node("Clip", [current], output); break;
                        case 2: Node("LeakyRelu", [current], output, new AttributeProto { Name = "alpha", F = 0.1f, Type = 1 }); break;
                        case 3: Node("PRelu", [current, random.Next(2) == 0 ? Init(1) : Init(c, 1, 1)], output); break;
                        case 4: Node("Sigmoid", [current], output); break;
                        case 5: Node("Tanh", [current], output); break;
                        default: Node("Softmax", [current], output); break;
                    }

                    break;
                case 4:
                    Node(random.Next(6) switch { 0 => "Dropout", 1 => "Identity", 2 => "Flatten", 3 => "Reshape", 4 => "Squeeze", _ => "Unsqueeze" }, [current], output);
                    break;
                case 5:
                    Node("BatchNormalization", [current, Init(c), Init(c), Init(c), Init(c)], output);
                    break;
                case 6:
                    Node("LRN", [current], output, random.Next(2) == 0 ? [OnnxModels.Int("size", 1 + 2 * random.Next(3))] : []);
                    break;
                case 7:
                case 8:
                {
                    // Branches that keep the shape, joined by Concat (1 to 3 inputs) or Add/Sum.
                    var branches = op == 7 ? 1 + random.Next(3) : 2 + random.Next(2);
                    var tops = new List<string>();
                    long joined = 0;
                    for (var b = 0; b < branches; b++)
                    {
                        var m = op == 7 ? 1 + random.Next(4) : c;
                        var t = Next();
                        Node("Conv", [current, Init(m, c, 3, 3)], t, OnnxModels.Ints("pads", 1, 1, 1, 1));
                        tops.Add(t);
                        joined += m;
                    }

                    if (op == 7)
                    {
                        Node("Concat", [.. tops], output, random.Next(3) switch { 0 => [OnnxModels.Int("axis", 1)], 1 => [OnnxModels.Int("axis", -3)], _ => [OnnxModels.Int("axis", 1)] });
                        c = joined;
                    }
                    else
                    {
                        Node(random.Next(2) == 0 || branches > 2 ? "Sum" : "Add", [.. tops], output);
                    }

                    break;
                }

                case 9:
                {
                    var constant = new NodeProto { OpType = "Constant", Name = $"const{i}" };
                    constant.Output.Add($"k{i}");
                    var value = new TensorProto { DataType = 1 };
                    value.Dims.AddRange([1]);
                    constant.Attribute.Add(new AttributeProto { Name = "value", T = value, Type = 4 });
                    graph.Node.Add(constant);
                    Node("Identity", [current], output);
                    break;
                }

                case 10 when random.Next(4) == 0:
                    // An operator the importer does not know (refused unless --skip-unsupported).
                    Node(random.Next(2) == 0 ? "Resize" : "Pad", [current], output);
                    break;
                default:
                    Node("Relu", [current], output);
                    break;
            }

            current = output;
        }

        graph.Output.Add(new ValueInfoProto { Name = current });
        return new ModelProto { IrVersion = 8, Graph = graph };
    }

    private static void AutoPadOrPads(Random random, List<AttributeProto> attrs)
    {
        switch (random.Next(6))
        {
            case 0:
                attrs.Add(OnnxModels.Ints("pads", 1, 1, 1, 1));
                break;
            case 1:
                attrs.Add(OnnxModels.Ints("pads", 0, 1, 1, 0)); // uneven
                break;
            case 2:
                attrs.Add(OnnxModels.Text("auto_pad", random.Next(3) switch { 0 => "SAME_UPPER", 1 => "SAME_LOWER", _ => "VALID" }));
                break;
            case 3:
                attrs.Add(OnnxModels.Text("auto_pad", "NOTSET"));
                break;
            default:
                break;
        }
    }

    private static long Extreme(Random random) => ExtremeInts[random.Next(ExtremeInts.Length)];

    /// <summary>Structural mutations of an ONNX model, in place.</summary>
    /// <param name="model">The model.</param>
    /// <param name="random">The source of randomness.</param>
    internal static void MutateOnnx(ModelProto model, Random random)
    {
        var graph = model.Graph;
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds; r++)
        {
            var node = graph.Node.Count > 0 ? graph.Node[random.Next(graph.Node.Count)] : null;
            switch (random.Next(13))
            {
                case 0:
                case 1:
                    // An attribute value at an extreme.
                    if (node is not null)
                    {
                        var name = random.Next(10) switch
                        {
                            0 => "kernel_shape", 1 => "strides", 2 => "pads", 3 => "dilations", 4 => "group", 5 => "axis", 6 => "size", 7 => "ceil_mode", 8 => "transB", _ => "transA",
                        };
                        var existing = node.Attribute.FirstOrDefault(a => a.Name == name);
                        if (existing is null)
                        {
                            existing = name is "group" or "axis" or "size" or "ceil_mode" or "transB" or "transA" ? OnnxModels.Int(name, 0) : OnnxModels.Ints(name, 1, 1, 1, 1);
                            node.Attribute.Add(existing);
                        }

                        if (existing.Ints.Count > 0)
                        {
                            existing.Ints[random.Next(existing.Ints.Count)] = Extreme(random);
                        }
                        else
                        {
                            existing.I = Extreme(random);
                        }
                    }

                    break;
                case 2:
                    // A wrong count of values.
                    if (node?.Attribute.FirstOrDefault(a => a.Ints.Count > 0) is { } list)
                    {
                        if (random.Next(2) == 0)
                        {
                            list.Ints.RemoveAt(random.Next(list.Ints.Count));
                        }
                        else
                        {
                            list.Ints.Add(random.Next(3));
                        }
                    }

                    break;
                case 3:
                    // An initializer dimension at an extreme, or one too many or few.
                    if (graph.Initializer.Count > 0)
                    {
                        var tensor = graph.Initializer[random.Next(graph.Initializer.Count)];
                        switch (random.Next(3))
                        {
                            case 0 when tensor.Dims.Count > 0:
                                tensor.Dims[random.Next(tensor.Dims.Count)] = Extreme(random);
                                break;
                            case 1 when tensor.Dims.Count > 0:
                                tensor.Dims.RemoveAt(random.Next(tensor.Dims.Count));
                                break;
                            default:
                                tensor.Dims.Add(1 + random.Next(3));
                                break;
                        }
                    }

                    break;
                case 4:
                    // A dangling input.
                    if (node is { Input.Count: > 0 })
                    {
                        node.Input[random.Next(node.Input.Count)] = random.Next(2) == 0 ? "nowhere" : "";
                    }

                    break;
                case 5:
                    // A duplicate output name or node.
                    if (node is not null && graph.Node.Count > 1)
                    {
                        if (random.Next(2) == 0)
                        {
                            node.Output[0] = graph.Node[random.Next(graph.Node.Count)].Output.FirstOrDefault() ?? "x";
                        }
                        else
                        {
                            graph.Node.Insert(random.Next(graph.Node.Count), node.Clone());
                        }
                    }

                    break;
                case 6:
                    if (node is not null)
                    {
                        graph.Node.Remove(node);
                    }

                    break;
                case 7:
                    // Out of order.
                    if (graph.Node.Count > 1)
                    {
                        var (a, b) = (random.Next(graph.Node.Count), random.Next(graph.Node.Count));
                        (graph.Node[a], graph.Node[b]) = (graph.Node[b], graph.Node[a]);
                    }

                    break;
                case 8:
                    // The input's dimensions at extremes, symbolic, or too few or many.
                    if (graph.Input.Count > 0 && graph.Input[0].Type?.TensorType?.Shape is { } shape && shape.Dim.Count > 0)
                    {
                        var d = random.Next(shape.Dim.Count);
                        switch (random.Next(4))
                        {
                            case 0: shape.Dim[d] = new TensorShapeProto.Types.Dimension { DimValue = Extreme(random) }; break;
                            case 1: shape.Dim[d] = new TensorShapeProto.Types.Dimension { DimParam = "H" }; break;
                            case 2: shape.Dim.RemoveAt(d); break;
                            default: shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 2 }); break;
                        }
                    }

                    break;
                case 9:
                    // A long graph: many nodes in a chain.
                    if (graph.Output.Count > 0)
                    {
                        var last = graph.Output[0].Name;
                        var count = random.Next(4) == 0 ? 5_000 : 1 + random.Next(300);
                        var op = random.Next(3) switch { 0 => "Relu", 1 => "Identity", _ => "Sum" };
                        for (var i = 0; i < count; i++)
                        {
                            var chain = new NodeProto { OpType = op, Name = $"chain{i}" };
                            chain.Input.Add(last);
                            if (op == "Sum" && random.Next(2) == 0)
                            {
                                chain.Input.Add(last);
                            }

                            chain.Output.Add($"chain{i}");
                            graph.Node.Add(chain);
                            last = $"chain{i}";
                        }
                    }

                    break;
                case 10:
                    // An auto_pad attribute, known or not.
                    node?.Attribute.Add(OnnxModels.Text("auto_pad", random.Next(4) switch { 0 => "SAME_UPPER", 1 => "SAME_LOWER", 2 => "VALID", _ => "WEIRD" }));
                    break;
                case 11:
                    // The same name on an initializer and a node output, or on two initializers.
                    if (graph.Initializer.Count > 0 && node is not null)
                    {
                        if (random.Next(2) == 0)
                        {
                            node.Output[0] = graph.Initializer[random.Next(graph.Initializer.Count)].Name;
                        }
                        else
                        {
                            graph.Initializer.Add(graph.Initializer[random.Next(graph.Initializer.Count)].Clone());
                        }
                    }

                    break;
                default:
                    // An attribute of the wrong type.
                    if (node?.Attribute.Count > 0)
                    {
                        var attribute = node.Attribute[random.Next(node.Attribute.Count)];
                        attribute.Type = random.Next(12);
                        if (random.Next(2) == 0)
                        {
                            attribute.Ints.Clear();
                            attribute.Floats.Add(1.5f);
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>Byte-level mutations: bit flips, random bytes, truncation, a duplicated or deleted span, a huge varint.</summary>
    /// <param name="seed">The bytes.</param>
    /// <param name="random">The source of randomness.</param>
    /// <param name="longestCopy">The longest span a duplication copies.</param>
    /// <returns>The mutated bytes.</returns>
    public static byte[] MutateBytes(byte[] seed, Random random, int longestCopy = 2000)
    {
        var bytes = new List<byte>(seed);
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds && bytes.Count > 0; r++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3:
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, Math.Min(bytes.Count - at, 1 + random.Next(longestCopy))));
                    break;
                case 4:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                default:
                    bytes.InsertRange(at, random.Next(2) == 0
                        ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
                        : [0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
                    break;
            }
        }

        return [.. bytes];
    }
}
