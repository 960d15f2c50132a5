using CnnCost.Cli;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>Runs the command line in-process and captures its exit status and both streams.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        return (CliApp.Run(args, stdout, stderr), stdout.ToString(), stderr.ToString());
    }
}
