using System.Diagnostics;
using System.Globalization;
using System.Text;
using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Graph;
using CnnCost.Hardware;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using CnnCost.Zoo;
using Google.Protobuf;

namespace CnnCost.Benchmarks.Fuzzing;

/// <summary>What a fuzzing run found.</summary>
/// <param name="Inputs">Inputs fed to the importers.</param>
/// <param name="Imported">Inputs that imported (and were analysed) without error.</param>
/// <param name="Rejected">Inputs rejected with the documented <see cref="ModelFormatException"/> or another <see cref="CnnCostException"/>.</param>
/// <param name="Failures">Inputs that broke a rule (another exception, a negative count, a weightless convolution), with what (must be empty).</param>
/// <param name="SlowestSeconds">The longest any one input took.</param>
/// <param name="SlowInputs">Inputs that took over a second (must be 0).</param>
/// <param name="LargestAllocation">The most bytes any one input allocated.</param>
/// <param name="ElapsedSeconds">The whole run's time.</param>
/// <param name="Slowest">Which input was slowest (its number, kind and size), to reproduce it.</param>
public sealed record FuzzReport(long Inputs, long Imported, long Rejected, IReadOnlyList<string> Failures, double SlowestSeconds, long SlowInputs, long LargestAllocation, double ElapsedSeconds, string Slowest = "");

/// <summary>
/// Feeds the importers structure-aware inputs: random models over every operator and attribute they accept
/// (<see cref="ModelGenerator"/>), mutated structurally and byte by byte, plus mutations of zoo networks, some
/// through files on disk. Every input must end in an import or a <see cref="CnnCostException"/>; an import must
/// then analyse (costs, inference and training memory, roofline, compression) with no negative count and
/// positive weights for every convolution and fully-connected layer, or throw a <see cref="CnnCostException"/>;
/// and no input may take a second.
/// </summary>
public sealed class ImportFuzzer
{
    private static readonly string[] HugeNumbers = ["1099511627776", "9223372036854775807", "99999999999999999999999", "-1", "0", "2147483647", "2147483648", "4294967299", "1e308", "nan"];
    private readonly string[] _textSeeds;
    private readonly byte[][] _onnxSeeds;
    private readonly byte[][] _exportSeeds;

    /// <summary>Creates the fuzzer with its seeds: small zoo networks written as prototxt, and ONNX models built here.</summary>
    public ImportFuzzer()
    {
        _textSeeds = [CaffeWriter.Write(LeNet.Create()), CaffeWriter.Write(SqueezeNet.Version11()), CaffeWriter.Write(NetworkInNetwork.Create()), LegacySeed];
        _onnxSeeds = [OnnxSeed(depth: 1), OnnxSeed(depth: 4)];
        _exportSeeds = ExportSeeds();
    }

    /// <summary>
    /// Real exports with the operators of today's networks (squeeze-excitation, channel shuffle, attention, windows,
    /// segmentation heads), from the tests' torchvision folder when the fuzzer runs inside the repository.
    /// </summary>
    private static byte[][] ExportSeeds()
    {
        var folder = AppContext.BaseDirectory;
        while (folder is not null && !Directory.Exists(Path.Combine(folder, "tests", "CnnCost.Tests", "Import", "Torchvision", "models")))
        {
            folder = Path.GetDirectoryName(folder);
        }

        if (folder is null)
        {
            return [];
        }

        var models = Path.Combine(folder, "tests", "CnnCost.Tests", "Import", "Torchvision", "models");
        string[] names = ["mobilenet_v3_small.opset13", "shufflenet_v2_x1_0.opset17", "efficientnet_b0.opset13", "vit_b_16.opset17", "swin_t.opset13", "maxvit_t.opset17", "lraspp_mobilenet_v3_large.opset13", "convnext_tiny.opset13"];
        return [.. names.Select(n => Path.Combine(models, $"{n}.onnx.gz")).Where(File.Exists).Select(path =>
        {
            using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
            using var bytes = new MemoryStream();
            gzip.CopyTo(bytes);
            return bytes.ToArray();
        })];
    }

    /// <summary>A real export mutated: its attributes and names (as the generator mutates), or a constant that sizes a reshape, a slice or a pad set to an extreme.</summary>
    private static byte[] MutateExport(byte[] seed, Random random)
    {
        var model = ModelProto.Parser.ParseFrom(seed);
        if (random.Next(2) == 0)
        {
            ModelGenerator.MutateOnnx(model, random);
        }
        else
        {
            var integers = model.Graph.Initializer.Where(t => t.DataType == 7 && t.RawData.Length >= 8).ToArray();
            var constants = model.Graph.Node.Where(n => n.OpType == "Constant").Select(n => n.Attribute.FirstOrDefault()?.T).Where(t => t is { DataType: 7, RawData.Length: >= 8 }).ToArray();
            var pool = integers.Concat(constants!).ToArray();
            for (var k = 0; k < 1 + random.Next(3) && pool.Length > 0; k++)
            {
                var tensor = pool[random.Next(pool.Length)]!;
                var raw = tensor.RawData.ToByteArray();
                var at = 8 * random.Next(raw.Length / 8);
                BitConverter.TryWriteBytes(raw.AsSpan(at, 8), random.Next(3) == 0 ? ModelGenerator.ExtremeInts[random.Next(ModelGenerator.ExtremeInts.Length)] : random.Next(-3, 10));
                tensor.RawData = ByteString.CopyFrom(raw);
            }
        }

        var bytes = model.ToByteArray();
        return random.Next(8) == 0 ? MutateBytes(bytes, random) : bytes;
    }

    /// <summary>The random source of input <paramref name="index"/> of a run with <paramref name="seed"/> (so one input can be replayed).</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="index">The input's number.</param>
    /// <returns>A generator.</returns>
    public static Random InputRandom(int seed, long index) => new(unchecked((int)((seed * 1_000_003L) ^ (index * 2_654_435_761L))));

    /// <summary>The input number <paramref name="index"/> of a run: a prototxt (text) or ONNX bytes, never both.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="index">The input's number.</param>
    /// <returns>The input.</returns>
    public (string? Text, byte[]? Onnx) Input(int seed, long index)
    {
        var random = InputRandom(seed, index);
        var text = index % 2 == 0;
        if (!text && _exportSeeds.Length > 0 && random.Next(4) == 0)
        {
            return (null, MutateExport(_exportSeeds[random.Next(_exportSeeds.Length)], random));
        }

        return (random.Next(4) == 0) switch
        {
            // A quarter: the original seed mutations of zoo networks.
            true => text ? (MutateText(_textSeeds[random.Next(_textSeeds.Length)], random), null) : (null, MutateBytes(_onnxSeeds[random.Next(_onnxSeeds.Length)], random)),
            false => text ? (ModelGenerator.Prototxt(random), null) : (null, ModelGenerator.Onnx(random)),
        };
    }

    /// <summary>Runs <paramref name="inputs"/> inputs, half prototxt and half ONNX.</summary>
    /// <param name="inputs">How many inputs.</param>
    /// <param name="seed">The random seed (runs are reproducible; <see cref="Input"/> replays one input).</param>
    /// <param name="progress">Called now and then with the inputs done.</param>
    /// <returns>The report.</returns>
    public FuzzReport Run(long inputs, int seed, Action<long>? progress = null)
    {
        var failures = new List<string>();
        long imported = 0, rejected = 0, slow = 0, largest = 0;
        double slowest = 0;
        var slowestInput = "";
        var directory = Directory.CreateTempSubdirectory("cnncost-fuzz-");
        var total = Stopwatch.StartNew();
        try
        {
            for (long i = 0; i < inputs; i++)
            {
                var (prototxt, onnx) = Input(seed, i);
                var random = InputRandom(seed ^ 0x5bd1e995, i);
                var before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                var kind = prototxt is not null ? "prototxt" : "onnx";
                try
                {
                    var viaFile = random.Next(50) == 0;
                    var skip = new OnnxImportOptions(random.Next(4) == 0);
                    ImportedModel model;
                    if (viaFile)
                    {
                        var path = Path.Combine(directory.FullName, $"in{i}.{kind}");
                        if (prototxt is not null)
                        {
                            File.WriteAllText(path, prototxt);
                        }
                        else
                        {
                            File.WriteAllBytes(path, onnx!);
                        }

                        model = ModelSource.Load(path, skip);
                        File.Delete(path);
                    }
                    else
                    {
                        model = prototxt is not null ? CaffeImporter.Parse(prototxt, "fuzz.prototxt") : OnnxImporter.Parse(onnx!, "fuzz.onnx", skip);
                    }

                    if (Check(model, random) is { } broken)
                    {
                        failures.Add($"input {i} ({kind}, seed {seed}): {broken}");
                        Save(directory.FullName, i, prototxt, onnx);
                    }
                    else
                    {
                        imported++;
                    }
                }
                catch (CnnCostException)
                {
                    rejected++;
                }
                catch (Exception error)
                {
                    failures.Add($"input {i} ({kind}, seed {seed}): {Describe(error)}");
                    Save(directory.FullName, i, prototxt, onnx);
                }

                var seconds = watch.Elapsed.TotalSeconds;
                if (seconds > slowest)
                {
                    slowest = seconds;
                    slowestInput = $"input {i} ({kind}, {(prototxt?.Length ?? onnx!.Length):N0} {(prototxt is null ? "bytes" : "chars")}, seed {seed})";
                }

                slow += seconds > 1 ? 1 : 0;
                largest = Math.Max(largest, GC.GetAllocatedBytesForCurrentThread() - before);
                if (progress is not null && (i + 1) % 10_000 == 0)
                {
                    progress(i + 1);
                }
            }
        }
        finally
        {
            if (failures.Count == 0)
            {
                directory.Delete(recursive: true);
            }
        }

        return new FuzzReport(inputs, imported, rejected, failures, slowest, slow, largest, total.Elapsed.TotalSeconds, slowestInput);
    }

    private static void Save(string directory, long index, string? prototxt, byte[]? onnx)
    {
        if (prototxt is not null)
        {
            File.WriteAllText(Path.Combine(directory, $"failure{index}.prototxt"), prototxt);
        }
        else
        {
            File.WriteAllBytes(Path.Combine(directory, $"failure{index}.onnx"), onnx!);
        }
    }

    /// <summary>An exception's type, message and first CnnCost frame, on one line.</summary>
    /// <param name="error">The exception.</param>
    /// <returns>The description.</returns>
    public static string Describe(Exception error)
    {
        var where = error.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("CnnCost", StringComparison.Ordinal))?.Trim();
        return $"{error.GetType().Name}: {error.Message} {where}";
    }

    /// <summary>
    /// The oracles on an imported model: costs, memory, roofline and compression either succeed with no negative
    /// count and positive weights for every convolution and fully-connected layer, or throw a <see cref="CnnCostException"/>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="random">Picks the batch, phase and optimizer.</param>
    /// <returns>What broke, or null.</returns>
    public static string? Check(ImportedModel model, Random random)
    {
        var network = model.Network;
        CostReport report;
        var options = new AnalysisOptions { Batch = random.Next(8) == 0 ? 1 + random.Next(100_000) : 1 + random.Next(64), Phase = random.Next(3) == 0 ? Phase.Training : Phase.Inference };
        try
        {
            report = CostModel.Analyze(network, options);
        }
        catch (CnnCostException)
        {
            return null;
        }

        foreach (var layer in report.Layers)
        {
            if (layer.Weights < 0 || layer.Biases < 0 || layer.ParameterBytes < 0 || layer.OutputElements < 0 || layer.OutputBytes < 0 || layer.Flops < 0)
            {
                return $"layer '{layer.Name}' has a negative count: {layer}";
            }

            if (layer.Kind is LayerKind.Convolution or LayerKind.FullyConnected && layer.Weights <= 0)
            {
                return $"{layer.Kind} layer '{layer.Name}' has {layer.Weights} weights";
            }

            if (layer.Output.Channels <= 0 || layer.Output.Height <= 0 || layer.Output.Width <= 0)
            {
                return $"layer '{layer.Name}' has output shape {layer.Output}";
            }
        }

        var t = report.Totals;
        if (t.Weights < 0 || t.Biases < 0 || t.ParameterBytes < 0 || t.OutputBytes < 0 || t.ActivationBytes < 0 || t.Flops < 0)
        {
            return $"negative totals: {t}";
        }

        try
        {
            var memory = MemoryModel.Inference(network, report);
            var training = MemoryModel.Training(network, report, (Optimizer)random.Next(3));
            foreach (var m in new[] { memory, training })
            {
                if (m.Weights < 0 || m.Gradients < 0 || m.OptimizerState < 0 || m.Activations < 0 || m.Total < 0)
                {
                    return $"negative memory: {m}";
                }
            }
        }
        catch (CnnCostException)
        {
        }

        try
        {
            foreach (var point in Roofline.Analyze(report, Devices.P100))
            {
                if (point.Flops < 0 || point.Bytes < 0 || !(point.Intensity >= 0) || !(point.Seconds >= 0) || !(point.AttainableFlopsPerSecond >= 0))
                {
                    return $"roofline point out of range: {point}";
                }
            }
        }
        catch (CnnCostException)
        {
        }

        try
        {
            var compressed = Compression.Compress(report, new CompressionSettings(0.5, 8, 8));
            if (compressed.DenseBytes < 0 || compressed.CompressedBytes < 0 || compressed.Layers.Any(l => l.Weights < 0 || l.Kept < 0 || l.Fillers < 0 || l.ValueBits < 0 || l.IndexBits < 0 || l.CodebookBits < 0))
            {
                return $"negative compression figures: {compressed.DenseBytes} dense, {compressed.CompressedBytes} compressed";
            }
        }
        catch (CnnCostException)
        {
        }

        return null;
    }

    /// <summary>One text mutation: a character flip, a deleted or duplicated span, a truncation, or a number made hostile.</summary>
    private static string MutateText(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds && text.Length > 0; r++)
        {
            var at = random.Next(text.Length);
            switch (random.Next(6))
            {
                case 0:
                    text[at] = (char)(text[at] ^ (1 << random.Next(7)));
                    break;
                case 1:
                    text.Remove(at, Math.Min(text.Length - at, 1 + random.Next(40)));
                    break;
                case 2:
                    var span = text.ToString(at, Math.Min(text.Length - at, 1 + random.Next(200)));
                    text.Insert(random.Next(text.Length), span);
                    break;
                case 3:
                    text.Length = at;
                    break;
                case 4:
                    const string Syntax = "{}:\"#\n \\<";
                    text[at] = Syntax[random.Next(Syntax.Length)];
                    break;
                default:
                    ReplaceNumber(text, random);
                    break;
            }
        }

        return text.ToString();
    }

    private static void ReplaceNumber(StringBuilder text, Random random)
    {
        var start = random.Next(text.Length);
        while (start < text.Length && !char.IsAsciiDigit(text[start]))
        {
            start++;
        }

        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        if (end > start)
        {
            text.Remove(start, end - start).Insert(start, HugeNumbers[random.Next(HugeNumbers.Length)]);
        }
    }

    /// <summary>One byte mutation of a zoo seed, copying spans of at most 64 bytes.</summary>
    private static byte[] MutateBytes(byte[] seed, Random random) => ModelGenerator.MutateBytes(seed, random, longestCopy: 64);

    private static byte[] OnnxSeed(int depth)
    {
        var graph = new GraphProto { Name = "seed" };
        var input = new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        foreach (var d in new long[] { 1, 3, 32, 32 })
        {
            input.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        graph.Input.Add(input);
        var previous = "x";
        long channels = 3;
        for (var i = 0; i < depth; i++)
        {
            var weights = new TensorProto { Name = $"w{i}", DataType = 1 };
            weights.Dims.AddRange([16, channels, 3, 3]);
            graph.Initializer.Add(weights);
            var conv = new NodeProto { OpType = "Conv", Name = $"conv{i}" };
            conv.Input.AddRange([previous, $"w{i}"]);
            conv.Output.Add($"c{i}");
            var pads = new AttributeProto { Name = "pads", Type = 7 };
            pads.Ints.AddRange([1, 1, 1, 1]);
            conv.Attribute.Add(pads);
            graph.Node.Add(conv);
            var relu = new NodeProto { OpType = "Relu", Name = $"relu{i}" };
            relu.Input.Add($"c{i}");
            relu.Output.Add($"r{i}");
            graph.Node.Add(relu);
            previous = $"r{i}";
            channels = 16;
        }

        var pool = new NodeProto { OpType = "GlobalAveragePool", Name = "gap" };
        pool.Input.Add(previous);
        pool.Output.Add("g");
        graph.Node.Add(pool);
        var fcWeights = new TensorProto { Name = "wfc", DataType = 1 };
        fcWeights.Dims.AddRange([10, 16]);
        graph.Initializer.Add(fcWeights);
        var gemm = new NodeProto { OpType = "Gemm", Name = "fc" };
        gemm.Input.AddRange(["g", "wfc"]);
        gemm.Output.Add("y");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", I = 1, Type = 2 });
        graph.Node.Add(gemm);
        return new ModelProto { IrVersion = 8, Graph = graph }.ToByteArray();
    }

    private const string LegacySeed = """
        name: "legacy"
        input: "data"
        input_dim: 10
        input_dim: 3
        input_dim: 32
        input_dim: 32
        layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1" convolution_param { num_output: 16 kernel_size: 3 pad: 1 } }
        layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" }
        layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
        layers { name: "split" type: SPLIT bottom: "pool1" top: "a" top: "b" }
        layers { name: "sum" type: ELTWISE bottom: "a" bottom: "b" top: "sum" }
        layers { name: "ip" type: INNER_PRODUCT bottom: "sum" top: "ip" inner_product_param { num_output: 10 } }
        layers { name: "loss" type: SOFTMAX_LOSS bottom: "ip" bottom: "label" top: "loss" }
        """;

    /// <summary>Formats a report for people.</summary>
    /// <param name="report">The report.</param>
    /// <returns>A few lines.</returns>
    public static string Describe(FuzzReport report) => string.Create(CultureInfo.InvariantCulture, $"""
        inputs {report.Inputs:N0} in {report.ElapsedSeconds:0.0} s ({report.Inputs / report.ElapsedSeconds:N0}/s): imported {report.Imported:N0}, rejected with the documented exception {report.Rejected:N0}, other exceptions {report.Failures.Count}
        slowest input {report.SlowestSeconds * 1e3:0.00} ms ({report.Slowest}), inputs over 1 s: {report.SlowInputs}, largest allocation by one input {report.LargestAllocation / 1024.0:N0} KiB
        """);
}
