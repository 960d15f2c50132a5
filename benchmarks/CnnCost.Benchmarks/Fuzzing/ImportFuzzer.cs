using System.Diagnostics;
using System.Globalization;
using System.Text;
using CnnCost.Costs;
using CnnCost.Import;
using CnnCost.Import.Onnx.Schema;
using CnnCost.Zoo;
using Google.Protobuf;

namespace CnnCost.Benchmarks.Fuzzing;

/// <summary>What a fuzzing run found.</summary>
/// <param name="Inputs">Inputs fed to the importers.</param>
/// <param name="Imported">Inputs that imported (and were analysed) without error.</param>
/// <param name="Rejected">Inputs rejected with the documented <see cref="ModelFormatException"/> (or a documented cost overflow).</param>
/// <param name="Failures">Inputs that raised anything else, with the exception (must be empty).</param>
/// <param name="SlowestSeconds">The longest any one input took.</param>
/// <param name="SlowInputs">Inputs that took over a second (must be 0).</param>
/// <param name="LargestAllocation">The most bytes any one input allocated.</param>
/// <param name="ElapsedSeconds">The whole run's time.</param>
public sealed record FuzzReport(long Inputs, long Imported, long Rejected, IReadOnlyList<string> Failures, double SlowestSeconds, long SlowInputs, long LargestAllocation, double ElapsedSeconds);

/// <summary>
/// Mutates valid prototxt and ONNX files (bit flips, random bytes, truncation, duplicated and deleted spans, huge
/// numbers) and feeds them to the importers, checking that every input ends in an import or the documented
/// format exception, quickly, without allocation proportional to a hostile dimension.
/// </summary>
public sealed class ImportFuzzer
{
    private static readonly string[] HugeNumbers = ["1099511627776", "9223372036854775807", "99999999999999999999999", "-1", "0", "2147483647", "1e308", "nan"];
    private readonly string[] _textSeeds;
    private readonly byte[][] _onnxSeeds;

    /// <summary>Creates the fuzzer with its seeds: small zoo networks written as prototxt, and ONNX models built here.</summary>
    public ImportFuzzer()
    {
        _textSeeds = [CaffeWriter.Write(LeNet.Create()), CaffeWriter.Write(SqueezeNet.Version11()), CaffeWriter.Write(NetworkInNetwork.Create()), LegacySeed];
        _onnxSeeds = [OnnxSeed(depth: 1), OnnxSeed(depth: 4)];
    }

    /// <summary>Runs <paramref name="inputs"/> mutated inputs, half prototxt and half ONNX.</summary>
    /// <param name="inputs">How many inputs.</param>
    /// <param name="seed">The random seed (runs are reproducible).</param>
    /// <param name="progress">Called now and then with the inputs done.</param>
    /// <returns>The report.</returns>
    public FuzzReport Run(long inputs, int seed, Action<long>? progress = null)
    {
        var random = new Random(seed);
        var failures = new List<string>();
        long imported = 0, rejected = 0, slow = 0, largest = 0;
        double slowest = 0;
        var total = Stopwatch.StartNew();
        for (long i = 0; i < inputs; i++)
        {
            var text = i % 2 == 0;
            var prototxt = text ? MutateText(_textSeeds[random.Next(_textSeeds.Length)], random) : "";
            var onnx = text ? [] : MutateBytes(_onnxSeeds[random.Next(_onnxSeeds.Length)], random);
            var batch = 1 + random.Next(64);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            try
            {
                var model = text ? CaffeImporter.Parse(prototxt, "fuzz.prototxt") : OnnxImporter.Parse(onnx, "fuzz.onnx");
                CostModel.Analyze(model.Network, new AnalysisOptions { Batch = batch });
                imported++;
            }
            catch (Exception error) when (error is ModelFormatException or CostOverflowException)
            {
                rejected++;
            }
            catch (Exception error)
            {
                var where = error.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("CnnCost", StringComparison.Ordinal))?.Trim();
                failures.Add($"input {i} ({(text ? "prototxt" : "onnx")}, seed {seed}): {error.GetType().Name}: {error.Message} {where}");
            }

            var seconds = watch.Elapsed.TotalSeconds;
            slowest = Math.Max(slowest, seconds);
            slow += seconds > 1 ? 1 : 0;
            largest = Math.Max(largest, GC.GetAllocatedBytesForCurrentThread() - before);
            if (progress is not null && (i + 1) % 10_000 == 0)
            {
                progress(i + 1);
            }
        }

        return new FuzzReport(inputs, imported, rejected, failures, slowest, slow, largest, total.Elapsed.TotalSeconds);
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

    /// <summary>One byte mutation: bit flips, random bytes, truncation, a duplicated or deleted span, or a huge varint.</summary>
    private static byte[] MutateBytes(byte[] seed, Random random)
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
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, Math.Min(bytes.Count - at, 1 + random.Next(64))));
                    break;
                case 4:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                default:
                    // A ten-byte varint of 2^63 - 1 or 2^40: a hostile length, dimension or count.
                    bytes.InsertRange(at, random.Next(2) == 0
                        ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
                        : [0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
                    break;
            }
        }

        return [.. bytes];
    }

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
        slowest input {report.SlowestSeconds * 1e3:0.00} ms, inputs over 1 s: {report.SlowInputs}, largest allocation by one input {report.LargestAllocation / 1024.0:N0} KiB
        """);
}
