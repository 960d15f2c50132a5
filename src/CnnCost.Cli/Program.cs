using System.Text;
using CnnCost.Cli;

if (!Console.IsOutputRedirected)
{
    return CliApp.Run(args, Console.Out, Console.Error);
}

// Redirected output is written in large blocks: the console's own writer flushes every few hundred characters, which
// for a table of a million layers is a million small writes. UTF-8 without a byte-order mark, as the console writes it.
var encoding = Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) : Console.OutputEncoding;
var buffered = new StreamWriter(Console.OpenStandardOutput(), encoding, bufferSize: 1 << 16) { AutoFlush = false };
Console.SetOut(buffered);
try
{
    return CliApp.Run(args, Console.Out, Console.Error);
}
finally
{
    Console.Out.Flush();
}
