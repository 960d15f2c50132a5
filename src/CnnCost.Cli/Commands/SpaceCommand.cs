using System.Globalization;
using CnnCost.DesignSpace;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost space vgg [--max-params N] [--max-flops N]</c>: the size of the VGG design space and how much of it fits a budget.</summary>
public static class SpaceCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var maxParameters = Budget(arguments, "max-params");
        var maxFlops = Budget(arguments, "max-flops");
        var format = CommonOptions.ReadFormat(arguments);
        arguments.EnsureAllUsed("space", 1);
        if (arguments.Positional is not ["vgg"])
        {
            throw new UsageException("'space' takes the space to count: vgg");
        }

        var space = VggSpace.Dissertation;
        long within = 0;
        if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
        {
            // A fraction of a second here, but say what is happening while it runs.
            Spectre.Console.AnsiConsole.Status().Start("counting the VGG design space", _ => within = VggSpaceCounter.CountWithin(space, maxParameters, maxFlops));
        }
        else
        {
            within = VggSpaceCounter.CountWithin(space, maxParameters, maxFlops);
        }
        if (format == OutputFormat.Json)
        {
            stdout.WriteLine(JsonReport.ToJson(space, maxParameters, maxFlops, within));
            return;
        }

        ConsoleOutput.Write(SpaceViews.Table(space, maxParameters, maxFlops, within), format, stdout);
    }

    /// <summary>Reads a budget: a non-negative integer with an optional K, M, G or T suffix (decimal), e.g. <c>100M</c> or <c>2.5G</c>.</summary>
    private static long? Budget(Arguments arguments, string name)
    {
        var text = arguments.Option(name);
        if (text is null)
        {
            return null;
        }

        var scale = text.Length > 0 ? char.ToUpperInvariant(text[^1]) switch { 'K' => 1e3, 'M' => 1e6, 'G' => 1e9, 'T' => 1e12, _ => 1 } : 1;
        var number = scale == 1 ? text : text[..^1];
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value * scale is >= 0 and < 9e18
            ? (long)Math.Floor(value * scale)
            : throw new UsageException($"--{name} must be a non-negative number with an optional K, M, G or T suffix, got '{text}'");
    }
}
