using System.Globalization;
using CnnCost.Costs;
using CnnCost.DesignSpace;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary>
/// <c>cnncost squeezenet [--base-e --incr-e --pct3x3 --freq --sr --bypass none|simple|complex] [--sweep sr|pct3x3]</c>:
/// the report of a generated SqueezeNet-family network, or the sweeps of Figures 5.3 and 5.4.
/// </summary>
public static class SqueezeNetCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var sweep = arguments.Option("sweep");
        if (sweep is not null)
        {
            var format = CommonOptions.ReadFormat(arguments);
            arguments.EnsureAllUsed("squeezenet", 0);
            if (format == OutputFormat.Svg && sweep.ToLowerInvariant() is "sr" or "pct3x3")
            {
                stdout.Write(CnnCost.Reporting.Charts.Charts.SqueezeNetSweep(sweep.Equals("sr", StringComparison.OrdinalIgnoreCase)));
                return;
            }

            var table = sweep.ToLowerInvariant() switch
            {
                "sr" => SweepViews.Figure53(),
                "pct3x3" => SweepViews.Figure54(),
                "bypass" => SweepViews.Table53(),
                _ => throw new UsageException($"--sweep must be sr, pct3x3 or bypass, got '{sweep}'"),
            };
            if (format == OutputFormat.Json)
            {
                throw new UsageException("a sweep prints table, markdown or csv");
            }

            ConsoleOutput.Write(table, format, stdout);
            return;
        }

        var defaults = SqueezeNetMetaparameters.SqueezeNet;
        var meta = defaults with
        {
            BaseExpand = arguments.PositiveInt("base-e", defaults.BaseExpand),
            ExpandIncrement = NonNegative(arguments, "incr-e", defaults.ExpandIncrement),
            Percent3x3 = arguments.Fraction("pct3x3", defaults.Percent3x3, "0.5 or 50%"),
            Frequency = arguments.PositiveInt("freq", defaults.Frequency),
            SqueezeRatio = arguments.Fraction("sr", defaults.SqueezeRatio, "0.125"),
            Bypass = Enum.Parse<BypassKind>(arguments.Choice("bypass", "none", "none", "simple", "complex"), ignoreCase: true),
        };
        try
        {
            meta.Validate();
        }
        catch (ArgumentOutOfRangeException error)
        {
            throw new UsageException(error.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
        }

        var common = CommonOptions.Read(arguments, "squeezenet", SqueezeNetFamily.Build(meta));
        arguments.EnsureAllUsed("squeezenet", 0);
        var report = CostModel.Analyze(common.Network, common.Options);
        if (common.Format == OutputFormat.Json)
        {
            stdout.WriteLine(JsonReport.ToJson(report));
            return;
        }

        ConsoleOutput.Write(ReportViews.PerLayer(report, common.Style), common.Format, stdout);
    }

    private static int NonNegative(Arguments arguments, string name, int defaultValue)
    {
        var text = arguments.Option(name);
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"--{name} must be a non-negative integer, got '{text}'");
    }
}
