using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CnnCost.Cli;

namespace CnnCost.Benchmarks.Fuzzing;

/// <summary>What a command-line fuzzing run found.</summary>
/// <param name="Runs">Command lines run.</param>
/// <param name="Succeeded">Runs that exited 0.</param>
/// <param name="Refused">Runs that exited 2 with one clean line on stderr.</param>
/// <param name="Failures">Runs that broke a rule (exit 1 or other, several or dirty stderr lines, a negative count), with the command line.</param>
/// <param name="SlowestSeconds">The longest any one run took, <c>measure</c> aside.</param>
/// <param name="Slowest">That run's command line.</param>
/// <param name="SlowRuns">Runs over a second (measure runs excepted).</param>
/// <param name="ElapsedSeconds">The whole run's time.</param>
/// <param name="Reasons">The refusals' messages with numbers and paths blanked, and how often each came.</param>
/// <param name="SlowestMeasureSeconds">The longest <c>measure</c> run (it times real convolutions, so it is left out of the slowest).</param>
public sealed record CliFuzzReport(long Runs, long Succeeded, long Refused, IReadOnlyList<string> Failures, double SlowestSeconds, string Slowest, long SlowRuns, double ElapsedSeconds, IReadOnlyDictionary<string, long> Reasons, double SlowestMeasureSeconds);

/// <summary>
/// Runs the <c>cnncost</c> command line in process, end to end, on generated (often broken) model files and on paths
/// of every kind (missing, a directory, <c>/dev/zero</c> behind a model extension, empty, unknown extension), with
/// every command that takes a model. Each run must exit 0 or 2; on 2 stderr must be exactly one line with no control
/// characters; on 0 with <c>--format json</c> no count may be negative.
/// </summary>
public sealed class CliFuzzer
{
    private static readonly string[] Commands = ["report", "whatif", "memory", "roofline", "compress", "speed", "scale"];

    private static readonly string[] ChangeSpecs =
    [
        "input-channels=12", "input-size=64x64", "input-size=0x0", "filters:l0=7", "filters:t0=2147483647", "kernel:l0=5x5,pad=2", "stride:l0=2",
        "pool:l1=avg", "categories=40", "remove:l1", "remove:nowhere", "insert-after:l0=conv,1x1,8", "filters:l0=-1", "kernel:n0=3x3,pad=1", "stride:n0=4294967299",
    ];

    /// <summary>Runs <paramref name="runs"/> command lines.</summary>
    /// <param name="runs">How many.</param>
    /// <param name="seed">The random seed.</param>
    /// <param name="progress">Called now and then with the runs done.</param>
    /// <returns>The report.</returns>
    public CliFuzzReport Run(long runs, int seed, Action<long>? progress = null)
    {
        var directory = Directory.CreateTempSubdirectory("cnncost-clifuzz-");
        var failures = new List<string>();
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        long succeeded = 0, refused = 0, slow = 0;
        double slowest = 0, measureSlowest = 0;
        var slowestRun = "";
        var total = Stopwatch.StartNew();
        try
        {
            var fixedPaths = FixedPaths(directory.FullName);
            for (long i = 0; i < runs; i++)
            {
                var random = ImportFuzzer.InputRandom(seed ^ 0x2545F491, i);
                var measure = random.Next(400) == 0;
                var path = measure ? Tiny(directory.FullName, random) : Model(directory.FullName, i, random, fixedPaths);
                var args = measure ? ["measure", path, "--engine", "cpu", "--repeat", "1", "--warmups", "1", "--format", "json"] : Arguments(path, random);
                var line = string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? $"'{a}'" : a));
                var (stdout, stderr) = (new StringWriter(), new StringWriter());
                var watch = Stopwatch.StartNew();
                int exit;
                try
                {
                    exit = CliApp.Run(args, stdout, stderr);
                }
                catch (Exception error)
                {
                    failures.Add($"run {i}: {line}: escaped CliApp.Run: {ImportFuzzer.Describe(error)}");
                    continue;
                }

                var seconds = watch.Elapsed.TotalSeconds;
                measureSlowest = measure ? Math.Max(measureSlowest, seconds) : measureSlowest;
                if (seconds > slowest && !measure)
                {
                    slowest = seconds;
                    slowestRun = $"run {i}: {line}";
                }

                slow += seconds > 1 && !measure ? 1 : 0;
                if (Judge(args, exit, stdout.ToString(), stderr.ToString()) is { } broken)
                {
                    failures.Add($"run {i} (seed {seed}): {line}: {broken}");
                    KeepFile(path, directory.FullName, i);
                }
                else if (exit == 0)
                {
                    succeeded++;
                }
                else
                {
                    refused++;
                    var reason = System.Text.RegularExpressions.Regex.Replace(stderr.ToString().Trim(), "[0-9]+|'[^']*'|/[^ :]*", "_");
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }

                if (path.StartsWith(directory.FullName, StringComparison.Ordinal) && !fixedPaths.Contains(path) && File.Exists(path))
                {
                    File.Delete(path);
                }

                if (progress is not null && (i + 1) % 1_000 == 0)
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

        return new CliFuzzReport(runs, succeeded, refused, failures, slowest, slowestRun, slow, total.Elapsed.TotalSeconds, reasons, measureSlowest);
    }

    private static void KeepFile(string path, string directory, long index)
    {
        if (path.StartsWith(directory, StringComparison.Ordinal) && File.Exists(path) && new FileInfo(path).Length < 16 << 20)
        {
            File.Copy(path, Path.Combine(directory, $"failure{index}{Path.GetExtension(path)}"), overwrite: true);
        }
    }

    /// <summary>The rules on one run's exit status and streams.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="exit">The exit status.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <returns>What broke, or null.</returns>
    public static string? Judge(string[] args, int exit, string stdout, string stderr)
    {
        if (exit is not (0 or 2))
        {
            return $"exit {exit}: {stderr.Trim()}";
        }

        if (exit == 2)
        {
            var lines = stderr.Split('\n');
            if (lines.Length != 2 || lines[1].Length != 0)
            {
                return $"exit 2 with {lines.Length - 1} lines on stderr: {stderr}";
            }

            var bad = lines[0].TrimEnd('\r').FirstOrDefault(ch => char.IsControl(ch) || char.GetUnicodeCategory(ch) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
            if (bad != default)
            {
                return $"exit 2 with a control character U+{(int)bad:X4} on stderr: {stderr.Trim()}";
            }

            return lines[0].Length == 0 ? "exit 2 with an empty line on stderr" : null;
        }

        if (stderr.Length > 0 && stderr.Contains("internal error", StringComparison.Ordinal))
        {
            return $"exit 0 but stderr says: {stderr.Trim()}";
        }

        var format = Array.IndexOf(args, "--format") is var f and >= 0 ? args[f + 1] : "table";
        if (System.Text.RegularExpressions.Regex.Match(stdout, @"\b(NaN|-?Infinity|∞)") is { Success: true } nan)
        {
            return $"exit 0 but the output holds {nan.Value}";
        }

        if (format != "json" && args[0] != "whatif" && System.Text.RegularExpressions.Regex.Match(stdout, @"(?<=(^|[\s│|,]))-[0-9][0-9,.]*(?=($|[\s│|,%x]))", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } negative)
        {
            return $"a negative number {negative.Value} in the {format} output";
        }

        if (format == "json" && args[0] != "whatif")
        {
            try
            {
                using var document = JsonDocument.Parse(stdout);
                if (Negative(document.RootElement, "$") is { } where)
                {
                    return $"a negative number in the JSON at {where}";
                }
            }
            catch (JsonException error)
            {
                return $"exit 0 but stdout is not JSON: {error.Message}";
            }
        }

        return null;
    }

    /// <summary>The path of the first negative number in a JSON value, or null (differences and deltas may be negative).</summary>
    private static string? Negative(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                return element.GetDouble() < 0 ? path : null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = property.Name.ToLowerInvariant();
                    if (name.Contains("delta", StringComparison.Ordinal) || name.Contains("change", StringComparison.Ordinal) || name.Contains("difference", StringComparison.Ordinal) || name.Contains("error", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (Negative(property.Value, $"{path}.{property.Name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var k = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Negative(item, $"{path}[{k++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static HashSet<string> FixedPaths(string directory)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var empty = Path.Combine(directory, "empty.prototxt");
        File.WriteAllText(empty, "");
        paths.Add(empty);
        var emptyOnnx = Path.Combine(directory, "empty.onnx");
        File.WriteAllBytes(emptyOnnx, []);
        paths.Add(emptyOnnx);
        var folder = Path.Combine(directory, "folder.onnx");
        Directory.CreateDirectory(folder);
        paths.Add(folder);
        foreach (var extension in new[] { ".onnx", ".prototxt" })
        {
            var zero = Path.Combine(directory, "zero" + extension);
            if (File.Exists("/dev/zero"))
            {
                File.CreateSymbolicLink(zero, "/dev/zero");
                paths.Add(zero);
            }
        }

        var unknown = Path.Combine(directory, "model.caffemodel");
        File.WriteAllText(unknown, "name: \"x\"");
        paths.Add(unknown);
        var dangling = Path.Combine(directory, "dangling.onnx");
        File.CreateSymbolicLink(dangling, Path.Combine(directory, "absent"));
        paths.Add(dangling);
        paths.Add(Path.Combine(directory, "missing.prototxt"));
        paths.Add(Path.Combine(directory, "missing.onnx"));
        paths.Add(directory);
        paths.Add("");
        paths.Add("lenet");
        paths.Add("no_such_zoo_model");
        return paths;
    }

    private static string Model(string directory, long index, Random random, HashSet<string> fixedPaths)
    {
        if (random.Next(10) == 0)
        {
            var all = fixedPaths.ToArray();
            return all[random.Next(all.Length)];
        }

        var onnx = random.Next(2) == 0;
        var path = Path.Combine(directory, $"m{index}{(onnx ? ".onnx" : random.Next(8) == 0 ? ".PROTOTXT" : ".prototxt")}");
        var mutate = random.Next(2) == 0;
        if (onnx)
        {
            File.WriteAllBytes(path, ModelGenerator.Onnx(random, mutate));
        }
        else
        {
            File.WriteAllText(path, ModelGenerator.Prototxt(random, mutate));
        }

        return path;
    }

    private static string Tiny(string directory, Random random)
    {
        var path = Path.Combine(directory, "tiny.prototxt");
        File.WriteAllText(path, $$"""
            name: "tiny"
            input: "data"
            input_shape { dim: 1 dim: {{1 + random.Next(3)}} dim: {{4 + random.Next(8)}} dim: {{4 + random.Next(8)}} }
            layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: {{1 + random.Next(4)}} kernel_size: 3 pad: 1 group: 1 } }
            layer { name: "r" type: "ReLU" bottom: "c" top: "c" }
            layer { name: "f" type: "InnerProduct" bottom: "c" top: "f" inner_product_param { num_output: 3 } }
            """);
        return path;
    }

    private static string[] Arguments(string path, Random random)
    {
        var command = Commands[random.Next(Commands.Length)];
        var args = new List<string> { command, path };
        switch (command)
        {
            case "whatif":
                for (var k = random.Next(3); k >= 0; k--)
                {
                    args.AddRange(["--change", ChangeSpecs[random.Next(ChangeSpecs.Length)]]);
                }

                break;
            case "roofline":
                args.AddRange(["--device", random.Next(10) == 0 ? "Q9000" : "P100"]);
                break;
            case "compress":
                args.AddRange(["--density", random.Next(10) == 0 ? "1.5" : "0.5", "--bits", random.Next(10) == 0 ? "0" : "8"]);
                if (random.Next(4) == 0)
                {
                    args.AddRange(["--fc-bits", "4", "--index-bits", "5"]);
                }

                break;
            case "memory":
                if (random.Next(2) == 0)
                {
                    args.AddRange(["--optimizer", random.Next(3) switch { 0 => "sgd", 1 => "momentum", _ => "adam" }]);
                }

                break;
            case "speed":
                if (random.Next(2) == 0)
                {
                    args.AddRange(["--device", "TX1", "--efficiency", random.Next(5) == 0 ? "0" : "0.5"]);
                }

                break;
            case "scale":
                args.AddRange(["--workers", random.Next(2) == 0 ? "1,2,4" : "1..64", "--bandwidth", "10G", "--worker-throughput", "5T"]);
                if (random.Next(3) == 0)
                {
                    args.AddRange(["--scheme", random.Next(2) == 0 ? "ring" : "tree", "--gradient-bits", random.Next(2) == 0 ? "16" : "1"]);
                }

                break;
            default:
                break;
        }

        if (random.Next(3) == 0)
        {
            args.AddRange(["--batch", random.Next(12) switch { 0 => "0", 1 => "2147483647", 2 => "-3", _ => (1 + random.Next(256)).ToString(CultureInfo.InvariantCulture) }]);
        }

        var common = command != "scale" || random.Next(10) == 0;
        if (common && random.Next(6) == 0)
        {
            args.AddRange(["--input", random.Next(3) switch { 0 => "3x454x454", 1 => "0x1x1", _ => "1x65536x65536" }]);
        }

        if (common && random.Next(6) == 0)
        {
            args.AddRange(["--precision", random.Next(3) switch { 0 => "fp16", 1 => "int8", _ => "3bit" }]);
        }

        if (common && random.Next(6) == 0)
        {
            args.AddRange(["--phase", "training"]);
        }

        if (common && random.Next(8) == 0)
        {
            args.AddRange(["--rounding", random.Next(3) switch { 0 => "caffe", 1 => "pytorch", _ => "eq4.2" }]);
        }

        if (random.Next(8) == 0)
        {
            args.Add("--skip-unsupported");
        }

        var jsonOk = command is "report" or "whatif" || (command == "scale" && args.Contains("--scheme"));
        args.AddRange(["--format", random.Next(3) != 0 && jsonOk ? "json" : random.Next(3) switch { 0 => "table", 1 => "csv", _ => "markdown" }]);
        return [.. args];
    }

    /// <summary>Formats a report for people.</summary>
    /// <param name="report">The report.</param>
    /// <returns>A few lines.</returns>
    public static string Describe(CliFuzzReport report) => string.Create(CultureInfo.InvariantCulture, $"""
        command lines {report.Runs:N0} in {report.ElapsedSeconds:0.0} s ({report.Runs / report.ElapsedSeconds:N0}/s): exit 0 {report.Succeeded:N0}, exit 2 with one clean line {report.Refused:N0}, failures {report.Failures.Count}
        slowest run (measure aside) {report.SlowestSeconds * 1e3:0.00} ms ({report.Slowest}), runs over 1 s (measure aside): {report.SlowRuns}; slowest measure run {report.SlowestMeasureSeconds * 1e3:0.00} ms
        """);
}
