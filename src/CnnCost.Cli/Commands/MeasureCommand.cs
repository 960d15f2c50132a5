using CnnCost.Import;
using CnnCost.Measurement;
using CnnCost.Measurement.Ilgpu;
using CnnCost.Reporting;
using Spectre.Console;

namespace CnnCost.Cli.Commands;

/// <summary>
/// <c>cnncost measure MODEL --engine cpu|opencl|ilgpu [--accelerator cuda|opencl|cpu] [--batch N] [--repeat K] [--calibrate-on MODEL,MODEL]</c>: measured
/// time per convolution and fully-connected layer, achieved FLOP/s, and prediction against measurement (the roofline
/// of the engine's device, its ceilings measured now, or a model calibrated on other networks' convolutions).
/// </summary>
public static class MeasureCommand
{
    /// <summary>Runs the command.</summary>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="stdout">Where the result goes.</param>
    public static void Run(Arguments arguments, TextWriter stdout)
    {
        var engineName = arguments.Choice("engine", "cpu", [.. ConvolutionEngines.Names]);
        var accelerator = arguments.Option("accelerator") is null ? null : arguments.Choice("accelerator", "", [.. IlgpuConvolutionEngine.Accelerators]);
        if (accelerator is not null && engineName != "ilgpu")
        {
            throw new UsageException($"--accelerator chooses where the ilgpu engine runs; the {engineName} engine has no such choice");
        }

        var repeats = arguments.PositiveInt("repeat", 5);
        var warmups = arguments.PositiveInt("warmups", 2);
        var calibrateOn = arguments.Option("calibrate-on");
        var common = CommonOptions.Read(arguments, "measure");
        arguments.EnsureAllUsed("measure", 1);
        if (common.Format is OutputFormat.Csv)
        {
            throw new UsageException("'measure' writes table, markdown or json");
        }

        using var engine = ConvolutionEngines.Open(engineName, accelerator);
        if (!engine.Availability.IsAvailable)
        {
            throw new UsageException($"the {engineName} engine is unavailable: {engine.Availability.Reason}");
        }

        var options = new MeasureOptions(Warmups: warmups, Repeats: repeats);
        var batch = common.Options.Batch;
        var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        var calibrationNetworks = calibrateOn?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => ModelSource.Load(name).Network).ToList();
        if (calibrationNetworks is { Count: 0 })
        {
            throw new UsageException("--calibrate-on needs at least one model, e.g. --calibrate-on nin,alexnet");
        }

        // The network measured must fit before a calibration spends minutes on the others.
        NetworkMeasurement.EnsureBuffersFit(common.Network, batch);
        var calibrationLayers = calibrationNetworks is null ? 0
            : calibrationNetworks.Sum(network => NetworkMeasurement.Shapes(network, batch, convolutionsOnly: true).Length)
              + NetworkMeasurement.OverheadShapes(batch).Length + NetworkMeasurement.DepthwiseShapes(batch).Length;
        var layerCount = NetworkMeasurement.Shapes(common.Network, batch).Length + calibrationLayers;
        MeasurementReport report = null!;
        WithProgress(interactive, layerCount, progress =>
        {
            ITimePredictor predictor = calibrationNetworks is null
                ? new RooflinePredictor(engine.MeasureCeilings())
                : CalibratedPredictor.Fit(engine, calibrationNetworks, batch, options, progress);
            report = NetworkMeasurement.Measure(common.Network, engine, batch, options, predictor, progress);
        });

        if (common.Format == OutputFormat.Json)
        {
            stdout.WriteLine(JsonReport.ToJson(report));
            return;
        }

        ConsoleOutput.Write(MeasurementViews.Table(report, options), common.Format, stdout);
    }

    /// <summary>Shows a progress bar over the layers in a terminal; stays quiet when output is redirected.</summary>
    private static void WithProgress(bool interactive, int layers, Action<IProgress<string>> work)
    {
        if (!interactive)
        {
            work(new SynchronousProgress(_ => { }));
            return;
        }

        AnsiConsole.Progress().Start(context =>
        {
            var task = context.AddTask("measuring", maxValue: layers);
            var started = false;
            work(new SynchronousProgress(layer =>
            {
                if (started)
                {
                    task.Increment(1);
                }

                started = true;
                task.Description = Markup.Escape(layer);
            }));
            task.Value = task.MaxValue;
        });
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
