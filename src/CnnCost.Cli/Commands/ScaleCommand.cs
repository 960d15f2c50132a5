using System.Collections.Immutable;
using System.Globalization;
using CnnCost.Distributed;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary>
/// <c>cnncost scale MODEL --workers LIST --bandwidth RATE --worker-throughput RATE --scheme ps|tree|ring</c>:
/// step time, speedup and efficiency per worker count (contracts.md).
/// </summary>
public static class ScaleCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var workers = ParseWorkers(arguments.Option("workers") ?? throw new UsageException("'scale' needs --workers, e.g. 1,2,4 or 1..128"));
        var bandwidth = Rates.ParseBandwidth(arguments.Option("bandwidth") ?? throw new UsageException("'scale' needs --bandwidth, e.g. 56Gbit/s or 7GB/s"));
        var throughput = Rates.ParseThroughput(arguments.Option("worker-throughput") ?? throw new UsageException("'scale' needs --worker-throughput, e.g. 3.52TFLOP/s"));
        var schemeText = arguments.Option("scheme") ?? "tree";
        var schemes = schemeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => name.ToLowerInvariant() switch
            {
                "ps" => CommunicationScheme.ParameterServer,
                "ring" => CommunicationScheme.Ring,
                "tree" => CommunicationScheme.ReductionTree,
                _ => throw new UsageException($"--scheme takes ps, tree or ring (or a list of them), got '{name}'"),
            }).ToArray();
        if (schemes.Length == 0)
        {
            throw new UsageException($"--scheme takes ps, tree or ring (or a list of them), got '{schemeText}'");
        }

        var branching = arguments.PositiveInt("branching", 2);
        if (branching < 2)
        {
            throw new UsageException("--branching must be at least 2");
        }

        var latency = arguments.Option("latency") is { } l
            ? double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is 0 or (>= 1e-12 and <= 1e6)
                ? seconds
                : throw new UsageException($"--latency must be 0 or seconds from 1e-12 to 1e6, e.g. 5e-6, got '{l}'")
            : 0;
        var setup = new ScalingSetup(
            new CommunicationModel(schemes[0], bandwidth, branching, latency),
            throughput,
            arguments.PositiveInt("batch", 1024),
            arguments.PositiveInt("gradient-bits", 32),
            arguments.Choice("scaling", "strong", "strong", "weak") == "weak" ? ScalingMode.Weak : ScalingMode.Strong,
            arguments.Choice("parallelism", "data", "data", "hybrid") == "hybrid" ? Parallelism.Hybrid : Parallelism.Data);
        var format = CommonOptions.ReadFormat(arguments);
        if (arguments.Positional.Count == 0)
        {
            throw new UsageException("'scale' needs a MODEL, e.g. nin");
        }

        var network = CommonOptions.LoadModel(arguments).Network;
        if (arguments.Choice("bias", "include", "include", "exclude") == "exclude")
        {
            network = network.WithConventions(network.Conventions with { CountBiases = false });
        }

        arguments.EnsureAllUsed("scale", 1);
        ScalingReport[] reports;
        try
        {
            reports = [.. schemes.Select(scheme => ScalingModel.Analyze(network, setup with { Communication = setup.Communication with { Scheme = scheme } }, workers))];
        }
        catch (ArgumentException error)
        {
            throw new UsageException(error.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }

        switch (format)
        {
            case OutputFormat.Svg:
                stdout.Write(CnnCost.Reporting.Charts.Charts.Scaling(reports));
                return;
            case OutputFormat.Json when reports.Length > 1:
                throw new UsageException("--format json takes one --scheme");
            case OutputFormat.Json:
                stdout.WriteLine(JsonReport.ToJson(reports[0]));
                return;
        }

        foreach (var report in reports)
        {
            ConsoleOutput.Write(ScalingViews.Table(report), format, stdout);
        }
    }

    /// <summary>Reads <c>1,2,4</c> or a range of powers of two <c>1..128</c>.</summary>
    /// <param name="text">The list.</param>
    /// <returns>The worker counts.</returns>
    /// <exception cref="UsageException">The list is malformed.</exception>
    public static IReadOnlyList<int> ParseWorkers(string text)
    {
        static int Count(string part, string text) =>
            int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1
                ? value
                : throw new UsageException($"--workers takes counts like 1,2,4 or a range 1..128, got '{text}'");

        var range = text.Split("..");
        if (range.Length == 2)
        {
            var (from, to) = (Count(range[0], text), Count(range[1], text));
            var counts = new List<int>();
            for (long p = from; p <= to; p *= 2)
            {
                counts.Add((int)p);
            }

            return counts.Count > 0 ? counts : throw new UsageException($"--workers range '{text}' is empty");
        }

        return [.. text.Split(',').Select(part => Count(part, text))];
    }
}
