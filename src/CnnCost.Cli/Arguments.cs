using System.Globalization;

namespace CnnCost.Cli;

/// <summary>
/// The positional arguments and <c>--name value</c> options of one command, as System.CommandLine split them; the
/// values are read and checked here, so that each bad value gets its own one-line message.
/// </summary>
public sealed class Arguments
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _options;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>The words of one command, already split by the parser.</summary>
    /// <param name="positional">The arguments that are not options, in order.</param>
    /// <param name="options">The value of each option given, once per time it was given (<c>true</c> for a flag).</param>
    public Arguments(IReadOnlyList<string> positional, IReadOnlyDictionary<string, IReadOnlyList<string>> options)
    {
        Positional = positional;
        _options = options;
    }

    /// <summary>The arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

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
            throw new UsageException($"'{command}' does not use --{unknown} with the other options given (cnncost {command} --help)");
        }

        if (Positional.Count > maxPositional)
        {
            throw new UsageException($"'{command}' takes {maxPositional} argument(s); unexpected '{Positional[maxPositional]}'");
        }
    }
}
