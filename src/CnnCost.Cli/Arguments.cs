using System.Globalization;

namespace CnnCost.Cli;

/// <summary>Positional arguments and <c>--name value</c> options of one command; an option may repeat (<c>--change</c>).</summary>
public sealed class Arguments
{
    /// <summary>Options that take no value; present means true.</summary>
    private static readonly HashSet<string> FlagNames = new(StringComparer.Ordinal) { "skip-unsupported" };

    private readonly Dictionary<string, List<string>> _options;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private Arguments(IReadOnlyList<string> positional, Dictionary<string, List<string>> options)
    {
        Positional = positional;
        _options = options;
    }

    /// <summary>The arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Splits arguments into positional ones and options (<c>--name value</c> or <c>--name=value</c>).</summary>
    /// <param name="args">The arguments after the command name.</param>
    /// <returns>The parsed arguments.</returns>
    /// <exception cref="UsageException">An option has no value.</exception>
    public static Arguments Parse(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }

            string name, value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                (name, value) = (arg[2..equals], arg[(equals + 1)..]);
            }
            else if (FlagNames.Contains(arg[2..]))
            {
                (name, value) = (arg[2..], "true");
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"option --{name} needs a value");
                }

                value = args[++i];
            }

            if (!options.TryGetValue(name, out var values))
            {
                options[name] = values = [];
            }

            values.Add(value);
        }

        return new Arguments(positional, options);
    }

    /// <summary>The single value of an option, or null when absent.</summary>
    /// <param name="name">The option name without dashes.</param>
    /// <returns>The value.</returns>
    /// <exception cref="UsageException">The option is given more than once.</exception>
    public string? Option(string name)
    {
        _read.Add(name);
        if (!_options.TryGetValue(name, out var values))
        {
            return null;
        }

        return values.Count == 1 ? values[0] : throw new UsageException($"option --{name} is given {values.Count} times; give it once");
    }

    /// <summary>Every value of a repeatable option.</summary>
    /// <param name="name">The option name without dashes.</param>
    /// <returns>The values, empty when absent.</returns>
    public IReadOnlyList<string> Options(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var values) ? values : [];
    }

    /// <summary>A positive integer option.</summary>
    /// <param name="name">The option name.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <returns>The value.</returns>
    /// <exception cref="UsageException">The value is not a positive integer.</exception>
    public int PositiveInt(string name, int defaultValue)
    {
        var text = Option(name);
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"--{name} must be a positive integer, got '{text}'");
    }

    /// <summary>A fraction written as a number (<c>0.33</c>) or a percentage (<c>33%</c>).</summary>
    /// <param name="name">The option name.</param>
    /// <param name="defaultValue">The value when absent, or null when the option is required.</param>
    /// <param name="example">An example for the messages, e.g. <c>0.33 or 33%</c>.</param>
    /// <returns>The fraction (not range-checked: the caller's model says what is valid).</returns>
    /// <exception cref="UsageException">The value is missing (and required) or not a number.</exception>
    public double Fraction(string name, double? defaultValue, string example)
    {
        var text = Option(name);
        if (text is null)
        {
            return defaultValue ?? throw new UsageException($"option --{name} is required, e.g. --{name} {example}");
        }

        var percent = text.EndsWith('%');
        return double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? (percent ? value / 100 : value)
            : throw new UsageException($"--{name} must be a number such as {example}, got '{text}'");
    }

    /// <summary>One of a fixed set of words (case-insensitive).</summary>
    /// <param name="name">The option name.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <param name="choices">The allowed words.</param>
    /// <returns>The chosen word, lower case.</returns>
    /// <exception cref="UsageException">The value is not one of <paramref name="choices"/>.</exception>
    public string Choice(string name, string defaultValue, params string[] choices)
    {
        var text = Option(name);
        if (text is null)
        {
            return defaultValue;
        }

        var lower = text.ToLowerInvariant();
        return choices.Contains(lower) ? lower : throw new UsageException($"--{name} must be one of {string.Join(", ", choices)}, got '{text}'");
    }

    /// <summary>Whether a flag (an option without a value) is present.</summary>
    /// <param name="name">The flag's name without dashes.</param>
    /// <returns><see langword="true"/> when given.</returns>
    public bool Flag(string name) => Option(name) is "true";

    /// <summary>Fails on options the command did not read, and on positional arguments beyond <paramref name="maxPositional"/>.</summary>
    /// <param name="command">The command's name for the message.</param>
    /// <param name="maxPositional">How many positional arguments the command takes.</param>
    /// <exception cref="UsageException">An option or argument is left over.</exception>
    public void EnsureAllUsed(string command, int maxPositional)
    {
        var unknown = _options.Keys.FirstOrDefault(k => !_read.Contains(k));
        if (unknown is not null)
        {
            throw new UsageException($"'{command}' has no option --{unknown} (cnncost --help)");
        }

        if (Positional.Count > maxPositional)
        {
            throw new UsageException($"'{command}' takes {maxPositional} argument(s); unexpected '{Positional[maxPositional]}'");
        }
    }
}
