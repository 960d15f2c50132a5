using System.Globalization;
using CnnCost.Costs;
using CnnCost.Hardware;
using CnnCost.Reporting;

namespace CnnCost.Cli.Commands;

/// <summary><c>cnncost speed MODEL --device NAME --efficiency E</c>: frames per second and energy per frame.</summary>
public static class SpeedCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var deviceName = arguments.Option("device");
        var fromFile = CommonOptions.FileDevices(arguments);
        var efficiency = arguments.Fraction("efficiency", 0.5, "0.5 or 50%");
        if (efficiency is < 1e-6 or > 1)
        {
            throw new UsageException($"--efficiency must be in [1e-6, 1], got {efficiency.ToString(CultureInfo.InvariantCulture)}");
        }

        var common = CommonOptions.Read(arguments, "speed");
        arguments.EnsureAllUsed("speed", 1);
        if (common.Format == OutputFormat.Json)
        {
            throw new UsageException("'speed' writes table, markdown or csv");
        }

        var report = CostModel.Analyze(common.Network, common.Options);
        var devices = deviceName is not null ? [CommonOptions.ReadDevice(deviceName, fromFile)] : fromFile.IsEmpty ? Devices.All : fromFile;
        var estimates = devices.Select(d => SpeedModel.Estimate(d, report, efficiency)).ToArray();
        ConsoleOutput.Write(SpeedViews.Table(report, estimates), common.Format, stdout);
    }
}
