using System.Collections.Immutable;
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
        var flopsPerFrame = Math.Max(1, report.Totals.Flops / report.Batch);
        var devices = deviceName is not null ? [CommonOptions.ReadDevice(deviceName, fromFile)] : fromFile.IsEmpty ? Devices.All : fromFile;
        var rows = devices.Select(d => SpeedModel.Estimate(d, flopsPerFrame, efficiency)).Select(s => (ImmutableArray<string>)
        [
            s.Device.Name, Units.Significant(s.Device.PeakFlopsPerSecond / 1e12), s.Device.Watts.ToString("0", CultureInfo.InvariantCulture),
            Units.Significant(s.FramesPerSecond), Units.Significant(s.JoulesPerFrame),
        ]).ToImmutableArray();
        ImmutableArray<TextColumn> columns = [new("device", ColumnAlignment.Left), new("peak TFLOP/s"), new("watts"), new("frames/s"), new("J/frame")];
        ImmutableArray<string> notes =
        [
            $"{Units.Significant(flopsPerFrame / 1e9)} GFLOPs per frame ({report.Phase.ToString().ToLowerInvariant()}) at {efficiency:0.#%} of peak; "
                + "frames/s = peak x efficiency / FLOPs per frame, J/frame = watts / frames/s (dissertation 2.3.4-2.3.6)",
        ];
        ConsoleOutput.Write(new TextTable($"{report.Model}: speed and energy", columns, rows, notes), common.Format, stdout);
    }
}
