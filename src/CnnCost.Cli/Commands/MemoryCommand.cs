using CnnCost.Costs;
using CnnCost.Hardware;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost memory MODEL --batch N --optimizer sgd|momentum|adam</c>: inference and training footprints, part by part.</summary>
public static class MemoryCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var optimizer = arguments.Choice("optimizer", "momentum", "sgd", "momentum", "adam") switch
        {
            "sgd" => Optimizer.Sgd,
            "adam" => Optimizer.Adam,
            _ => Optimizer.SgdMomentum,
        };
        var common = CommonOptions.Read(arguments, "memory");
        arguments.EnsureAllUsed("memory", 1);
        if (common.Format == OutputFormat.Json)
        {
            throw new UsageException("'memory' writes table, markdown or csv");
        }

        var report = CostModel.Analyze(common.Network, common.Options);
        var inference = MemoryModel.Inference(common.Network, report);
        var training = MemoryModel.Training(common.Network, report, optimizer);
        ConsoleOutput.Write(MemoryViews.Table(report, inference, training, optimizer, common.Style), common.Format, stdout);
    }
}
