using System.Collections.Immutable;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text;

namespace CnnCost.Cli;

/// <summary>
/// Builds the System.CommandLine tree from <see cref="CommandTable"/> and <see cref="OptionCatalog"/>: it gives
/// <c>-h/--help</c> on every command, response files (<c>@FILE</c>), completion (the <c>[suggest]</c> directive) and
/// the split into words; the commands read and check the values themselves.
/// </summary>
public static class CliParser
{
    /// <summary>Parses a command line against a fresh command tree.</summary>
    /// <param name="args">The arguments after <c>cnncost</c>.</param>
    /// <returns>The parse result, errors included.</returns>
    public static ParseResult Parse(IReadOnlyList<string> args) => BuildRoot().Parse(args);

    /// <summary>The command tree: one subcommand per row of the table, each with its own options.</summary>
    /// <returns>The root command.</returns>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("cnncost: what a convolutional neural network costs, per layer and in total (after Iandola, 2016)");
        foreach (var option in root.Options)
        {
            switch (option)
            {
                case HelpOption help:
                    help.Action = new TableHelpAction(help.Action);
                    break;
                case VersionOption version:
                    version.Action = new VersionAction();
                    break;
            }
        }

        root.SetAction(result => result.InvocationConfiguration.Output.Write(GlobalHelp()));
        foreach (var entry in CommandTable.All)
        {
            root.Add(Build(entry));
        }

        return root;
    }

    private static Command Build(CliCommand entry)
    {
        var command = new Command(entry.Name, entry.Summary);
        Argument<string>? argument = null;
        if (entry.Argument is { } spec)
        {
            argument = new Argument<string>(spec.Name) { Description = spec.Description, HelpName = spec.Name, Arity = ArgumentArity.ZeroOrOne };
            argument.CompletionSources.Add(_ => spec.Choices());
            command.Add(argument);
        }

        var options = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var name in entry.Options)
        {
            var described = OptionCatalog.All[name];
            Option option = described.Shape == OptionShape.Flag
                ? new Option<bool>("--" + name) { Description = described.Description, Arity = ArgumentArity.Zero }
                : new Option<string[]>("--" + name)
                {
                    Description = described.Description,
                    HelpName = described.ValueName,
                    // One word per occurrence: "--batch 4 5" leaves 5 over, as an unexpected argument.
                    AllowMultipleArgumentsPerToken = false,
                };
            if (!described.Choices.IsEmpty)
            {
                option.CompletionSources.Add(described.Choices.ToArray());
            }

            options[name] = option;
            command.Add(option);
        }

        command.SetAction(result =>
        {
            entry.Run(ToArguments(result, argument, options), result.InvocationConfiguration.Output);
            return CliApp.Success;
        });
        return command;
    }

    /// <summary>The words the parser found for one command, in the shape the commands read.</summary>
    private static Arguments ToArguments(ParseResult result, Argument<string>? argument, Dictionary<string, Option> options)
    {
        string[] positional = argument is not null && result.GetValue(argument) is { } value ? [value] : [];
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, option) in options)
        {
            if (result.GetResult(option) is not { Implicit: false } given)
            {
                continue;
            }

            var words = given.Tokens.Select(t => t.Value).ToArray();
            // The parser lets "--batch --format csv" give --batch the value "--format"; a value is never an option.
            if (words.FirstOrDefault(w => w.StartsWith("--", StringComparison.Ordinal)) is not null)
            {
                throw new UsageException($"option --{name} needs a value");
            }

            values[name] = option is Option<bool> ? ["true"] : words;
        }

        return new Arguments(positional, values);
    }

    /// <summary>
    /// One line for the first parse error, in the words the hand-written parser used: an option without its value, an
    /// unknown command or option (with the nearest known one), a word too many.
    /// </summary>
    /// <param name="result">A parse result with errors.</param>
    /// <returns>The message.</returns>
    public static string Describe(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var error in result.Errors)
        {
            if (error.SymbolResult is OptionResult { Tokens.Count: 0 } option && option.Option is not Option<bool>)
            {
                return $"option {option.Option.Name} needs a value";
            }
        }

        foreach (var option in result.CommandResult.Children.OfType<OptionResult>())
        {
            if (option.Tokens.Any(t => t.Value.StartsWith("--", StringComparison.Ordinal)))
            {
                return $"option {option.Option.Name} needs a value";
            }
        }

        var command = CommandTable.All.FirstOrDefault(c => c.Name == result.CommandResult.Command.Name);
        if (result.UnmatchedTokens.Count > 0)
        {
            var word = result.UnmatchedTokens[0];
            if (command is null)
            {
                var names = CommandTable.All.Select(c => c.Name).ToArray();
                return $"unknown command '{word}'{DidYouMean(word, names)}; the commands are: {string.Join(", ", names)} (cnncost --help)";
            }

            if (word.StartsWith('-'))
            {
                return $"'{command.Name}' has no option {word}{DidYouMean(word, command.Options.Select(o => "--" + o))}; see cnncost {command.Name} --help";
            }

            var takes = command.Argument is null ? 0 : 1;
            return $"'{command.Name}' takes {takes} argument(s); unexpected '{word}'";
        }

        return result.Errors[0].Message;
    }

    /// <summary><c> (did you mean 'X'?)</c> when one known word is close to <paramref name="word"/>, else nothing.</summary>
    /// <param name="word">What was typed.</param>
    /// <param name="known">The words it could have meant.</param>
    /// <returns>The suggestion, or an empty string.</returns>
    public static string DidYouMean(string word, IEnumerable<string> known) =>
        Suggestions.Closest(word, known) is { } close ? $" (did you mean '{close}'?)" : "";

    /// <summary>The global help: every command of the table with its synopsis, then what the shared words mean.</summary>
    /// <returns>The text.</returns>
    public static string GlobalHelp()
    {
        var text = new StringBuilder();
        void Line(string line = "", int indent = 0)
        {
            // Help fits the 100 columns of piped output too, wrapped between words.
            var lead = line.Length - line.TrimStart(' ').Length;
            var first = true;
            foreach (var wrapped in ConsoleOutput.Wrap(line.TrimStart(' '), ConsoleOutput.RedirectedWidth - Math.Max(lead, indent)))
            {
                text.Append(' ', first ? lead : indent).AppendLine(wrapped);
                first = false;
            }
        }

        Line("cnncost: what a convolutional neural network costs, per layer and in total (after Iandola, 2016)");
        Line();
        Line("usage: cnncost <command> [options]");
        Line("       cnncost <command> --help      its options and examples");
        Line();
        Line("commands:");
        foreach (var command in CommandTable.All)
        {
            Line($"  {command.Name} {command.Synopsis}", 6);
            Line($"      {command.Summary}", 6);
        }

        Line();
        Line("change specs: input-channels=12, input-size=454x454, filters:conv8=1536, kernel:conv7=6x6,pad=2, "
            + "stride:conv1=2, pool:pool5=avg, categories=4000, remove:pool3, insert-after:conv4=conv,1x1,256", 2);
        Line();
        Line("MODEL is a .prototxt or .onnx file (--skip-unsupported skips what CnnCost does not model where the file gives its shape) "
            + $"or a built-in name: {string.Join(", ", CnnCost.Zoo.ModelZoo.Names)}", 2);
        Line($"NAME (a device) is one of {string.Join(", ", CnnCost.Hardware.Devices.All.Select(d => d.Name))}, "
            + "this (this machine, its ceilings measured now), or one from --device-file FILE", 2);
        Line();
        Line("options of the commands that analyse a MODEL:");
        var usages = OptionCatalog.Common.Select(name => (Usage: $"  --{name} {OptionCatalog.All[name].ValueName}".TrimEnd(), OptionCatalog.All[name].Description)).ToArray();
        var column = usages.Max(u => u.Usage.Length) + 2;
        foreach (var (usage, description) in usages)
        {
            var first = true;
            foreach (var wrapped in ConsoleOutput.Wrap(description, ConsoleOutput.RedirectedWidth - column))
            {
                text.Append((first ? usage : "").PadRight(column)).AppendLine(wrapped);
                first = false;
            }
        }

        Line();
        Line("@FILE reads more arguments from FILE (a response file, one or more per line).");
        Line("Tab completion: cnncost answers the [suggest] directive that dotnet-suggest uses (README).");
        Line("exit status: 0 success, 2 bad arguments or input (one line on stderr), 1 anything else");
        return text.ToString();
    }

    /// <summary>The global help for <c>cnncost --help</c>; a command's own help, with its examples, for <c>cnncost CMD --help</c>.</summary>
    private sealed class TableHelpAction(CommandLineAction? standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var output = parseResult.InvocationConfiguration.Output;
            var entry = CommandTable.All.FirstOrDefault(c => c.Name == parseResult.CommandResult.Command.Name);
            if (entry is null || standard is not HelpAction help)
            {
                output.Write(GlobalHelp());
                return CliApp.Success;
            }

            help.MaxWidth = 100;
            help.Invoke(parseResult);
            output.WriteLine("Examples:");
            foreach (var example in entry.Examples)
            {
                output.WriteLine($"  {example}");
            }

            output.WriteLine();
            return CliApp.Success;
        }
    }

    /// <summary>The version as three numbers, like the package's.</summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(typeof(CliApp).Assembly.GetName().Version?.ToString(3));
            return CliApp.Success;
        }
    }
}

/// <summary>Finds the known word nearest a mistyped one (<c>reprot</c> → <c>report</c>, <c>nni</c> → <c>nin</c>).</summary>
public static class Suggestions
{
    /// <summary>
    /// The known word at the smallest edit distance (insertions, deletions, substitutions and swaps of neighbours each
    /// count 1), if that distance is at most 2 and less than half the word; ties go to the first in order.
    /// </summary>
    /// <param name="word">What was typed.</param>
    /// <param name="known">The words it could have meant.</param>
    /// <returns>The nearest word, or null when none is near.</returns>
    public static string? Closest(string word, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(known);
        var typed = word.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(typed, candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= 2 && 2 * bestDistance < Math.Max(typed.Length, 2) ? best : null;
    }

    /// <summary>The optimal-string-alignment distance (Damerau's restricted edit distance).</summary>
    /// <param name="a">One word.</param>
    /// <param name="b">The other.</param>
    /// <returns>The number of edits that turn one into the other.</returns>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
