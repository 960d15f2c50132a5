using System.Collections.Immutable;
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
        string Size(long bytes) => Units.Significant(Units.InUnit(bytes, common.Unit));
        ImmutableArray<ImmutableArray<string>> rows =
        [
            ["weights", Size(inference.Weights), Size(training.Weights)],
            ["gradients", Size(inference.Gradients), Size(training.Gradients)],
            [$"optimizer state ({optimizer})", Size(inference.OptimizerState), Size(training.OptimizerState)],
            ["activations", Size(inference.Activations), Size(training.Activations)],
            ["total", Size(inference.Total), Size(training.Total)],
        ];
        var symbol = Units.Symbol(common.Unit);
        ImmutableArray<TextColumn> columns = [new("part", ColumnAlignment.Left), new($"inference ({symbol})"), new($"training ({symbol})")];
        ImmutableArray<string> notes =
        [
            $"batch {report.Batch}, {report.Conventions.Precision}; inference activations: the largest set alive at once (peak at {inference.PeakLayer}), "
                + "each output living from its layer to its last reader, in-place layers sharing their input's buffer",
            "training activations: every output kept for the backward pass, the input included; not counted: convolution workspace, "
                + "framework overhead, fragmentation, and the transient data-gradient buffers of the backward pass",
        ];
        ConsoleOutput.Write(new TextTable($"{report.Model}: memory footprint", columns, rows, notes), common.Format, stdout);
    }
}
