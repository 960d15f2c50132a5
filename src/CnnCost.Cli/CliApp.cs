using System.CommandLine;
using System.CommandLine.Invocation;

namespace CnnCost.Cli;

/// <summary>The <c>cnncost</c> command line: dispatches to a command and maps errors to exit codes (contracts.md).</summary>
public static class CliApp
{
    /// <summary>Exit status for success.</summary>
    public const int Success = 0;

    /// <summary>Exit status for anything unexpected.</summary>
    public const int InternalError = 1;

    /// <summary>Exit status for bad arguments or bad input: one line on stderr, no stack trace.</summary>
    public const int BadInput = 2;

    /// <summary>Runs one command.</summary>
    /// <param name="args">The arguments after <c>cnncost</c>; <c>@FILE</c> reads more of them from FILE.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where the one-line error goes.</param>
    /// <returns>The exit status: 0, 1 or 2.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            // "cnncost help whatif" means "cnncost whatif --help".
            if (args is ["help", .. var rest])
            {
                args = [.. rest.Take(1), "--help"];
            }

            var result = CliParser.Parse(args);
            if (result.Errors.Count > 0 && result.Action is null or ParseErrorAction)
            {
                throw new UsageException(CliParser.Describe(result));
            }

            return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception error) when (error is UsageException or CnnCostException or FormatException)
        {
            stderr.WriteLine($"cnncost: {OneLine(error.Message)}");
            return BadInput;
        }
        catch (Exception error)
        {
            stderr.WriteLine($"cnncost: internal error ({error.GetType().Name}): {OneLine(error.Message)}");
            return InternalError;
        }
    }

    /// <summary>
    /// A message as one printable line: names read from a file may hold newlines or terminal escape sequences, which
    /// are written as <c>\n</c>, <c>\e</c> or <c>\uXXXX</c> so they can neither split the line nor drive the terminal.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <returns>The message with every control and format character escaped.</returns>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = new System.Text.StringBuilder(message.Length);
        foreach (var c in message)
        {
            switch (c)
            {
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\u001b': text.Append("\\e"); break;
                default:
                    // Format characters include the bidirectional overrides that reorder what a terminal shows.
                    if (char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
                        or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
                    {
                        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>The global help text, made from the command table and the option catalog.</summary>
    public static string Usage => CliParser.GlobalHelp();
}

/// <summary>A bad command line: unknown command or option, a missing or malformed value.</summary>
/// <param name="message">One line naming the problem.</param>
public sealed class UsageException(string message) : Exception(message);
