using System.Collections.Immutable;
using System.Globalization;
using CnnCost.DesignSpace;

namespace CnnCost.Reporting;

/// <summary>
/// The tables of the SqueezeNet sweeps (dissertation 5.5.2-5.6): Figures 5.3 and 5.4 and Table 5.3 recomputed from
/// <see cref="SqueezeNetSweeps"/>, with the sizes the text states beside them.
/// </summary>
public static class SweepViews
{
    /// <summary>Figure 5.3 recomputed: size (MiB and MB), GFLOPs and activations per SR.</summary>
    /// <returns>The table.</returns>
    public static TextTable Figure53() =>
        Table("Figure 5.3: squeeze ratio (SR) vs model size (base_e 128, incr_e 128, pct3x3 0.5, freq 2)", "SR",
            SqueezeNetSweeps.SqueezeRatioGrid, m => m.SqueezeRatio, SqueezeNetSweeps.StatedBySqueezeRatio);

    /// <summary>Figure 5.4 recomputed: size (MiB and MB), GFLOPs and activations per pct3x3.</summary>
    /// <returns>The table.</returns>
    public static TextTable Figure54() =>
        Table("Figure 5.4: pct3x3 vs model size (base_e 128, incr_e 128, SR 0.5, freq 2)", "pct3x3",
            SqueezeNetSweeps.Percent3x3Grid, m => m.Percent3x3, SqueezeNetSweeps.StatedByPercent3x3);

    /// <summary>
    /// Table 5.3's macroarchitectures recomputed: vanilla SqueezeNet, simple bypass and complex bypass, with the
    /// sizes the table prints and the parameter count a printed size implies in MiB and in MB.
    /// </summary>
    /// <returns>The table.</returns>
    public static TextTable Table53()
    {
        var rows = SqueezeNetSweeps.Table53Printed.Select(v =>
        {
            var costs = SqueezeNetFamily.Evaluate(SqueezeNetMetaparameters.SqueezeNet with { Bypass = v.Bypass });
            var printed = double.Parse(v.Printed.TrimEnd('B', 'M'), CultureInfo.InvariantCulture);
            return (ImmutableArray<string>)
            [
                v.Bypass.ToString().ToLowerInvariant(), Units.Count(costs.Parameters),
                Units.Significant(Units.InUnit(costs.ParameterBytes, ByteUnit.Mebibytes)), Units.Significant(Units.InUnit(costs.ParameterBytes, ByteUnit.Megabytes)),
                $"{v.Printed} (rounds in {MatchingUnit(v.Printed, costs.ParameterBytes)})",
                $"{Units.Count((long)(printed * Units.BytesPerMebibyte / 4))} / {Units.Count((long)(printed * Units.BytesPerMegabyte / 4))}",
            ];
        }).ToImmutableArray();
        ImmutableArray<TextColumn> columns =
        [
            new("bypass", ColumnAlignment.Left), new("parameters"), new("size (MiB)"), new("size (MB)"),
            new("printed size", ColumnAlignment.Left), new("parameters the printed size implies (MiB / MB)"),
        ];
        var vanilla = SqueezeNetFamily.Evaluate(SqueezeNetMetaparameters.SqueezeNet).Parameters;
        var complex = SqueezeNetFamily.Evaluate(SqueezeNetMetaparameters.SqueezeNet with { Bypass = BypassKind.Complex }).Parameters;
        var impliedMb = (long)(7.7 * Units.BytesPerMegabyte / 4) - vanilla;
        var impliedMib = (long)(7.7 * Units.BytesPerMebibyte / 4) - vanilla;
        ImmutableArray<string> notes =
        [
            "complex bypass: 1x1 convolutions (with biases) around fire2, fire4, fire6 and fire8, simple adds around fire3, 5, 7, 9 (5.6, Figure 5.2)",
            $"the printed 7.7 MB implies {Units.Count(impliedMb)} (MB) to {Units.Count(impliedMib)} (MiB) parameters more than vanilla SqueezeNet; "
                + $"the four 1x1 bypass convolutions add {Units.Count(complex - vanilla)}",
        ];
        return new TextTable("Table 5.3: SqueezeNet macroarchitectures and model size", columns, rows, notes);
    }

    /// <summary>
    /// Which unit reproduces a size the text states: the dissertation gives SqueezeNet's 4.8 MB in MiB, but some
    /// figure sizes only round right in MB (10^6 bytes).
    /// </summary>
    /// <param name="stated">The stated size, e.g. <c>19MB</c>.</param>
    /// <param name="bytes">The computed size in bytes.</param>
    /// <returns><c>MiB</c>, <c>MB</c>, <c>MiB and MB</c>, or <c>neither</c>.</returns>
    public static string MatchingUnit(string stated, long bytes)
    {
        ArgumentNullException.ThrowIfNull(stated);
        var printed = double.Parse(stated.TrimEnd('B', 'M'), CultureInfo.InvariantCulture);
        var decimals = stated.Contains('.', StringComparison.Ordinal) ? stated.TrimEnd('B', 'M').Split('.')[1].Length : 0;
        var mib = Math.Round(Units.InUnit(bytes, ByteUnit.Mebibytes), decimals, MidpointRounding.AwayFromZero) == printed;
        var mb = Math.Round(Units.InUnit(bytes, ByteUnit.Megabytes), decimals, MidpointRounding.AwayFromZero) == printed;
        return (mib, mb) switch
        {
            (true, true) => "MiB and MB",
            (true, false) => "MiB",
            (false, true) => "MB",
            _ => "neither",
        };
    }

    private static TextTable Table(string title, string knob, ImmutableArray<SqueezeNetMetaparameters> grid,
        Func<SqueezeNetMetaparameters, double> value, ImmutableDictionary<double, string> stated)
    {
        var results = Sweep.Run(grid, SqueezeNetFamily.Evaluate);
        var rows = results.Select(r =>
        {
            var v = value(r.Design);
            var statedCell = stated.TryGetValue(v, out var s) ? $"{s} (rounds in {MatchingUnit(s, r.Costs.ParameterBytes)})" : "";
            // Stryker disable once String : every value of the two grids has at most three decimals, so "0.###" and the default format write it alike
            return (ImmutableArray<string>)
            [
                v.ToString("0.###", CultureInfo.InvariantCulture), Units.Count(r.Costs.Parameters),
                Units.Significant(Units.InUnit(r.Costs.ParameterBytes, ByteUnit.Mebibytes)),
                Units.Significant(Units.InUnit(r.Costs.ParameterBytes, ByteUnit.Megabytes)),
                Units.Significant(r.Costs.Flops / 1e9), Units.Significant(Units.InUnit(r.Costs.ActivationBytes, ByteUnit.Megabytes)), statedCell,
            ];
        }).ToImmutableArray();
        ImmutableArray<TextColumn> columns =
        [
            new(knob), new("parameters"), new("size (MiB)"), new("size (MB)"), new("GFLOPs"), new("activations (MB)"),
            new("size the text states", ColumnAlignment.Left),
        ];
        // Stryker disable once String : every value of the two grids has at most three decimals, so "0.###" and the default format write it alike
        var front = Sweep.ParetoFront(results).Select(r => value(r.Design).ToString("0.###", CultureInfo.InvariantCulture));
        ImmutableArray<string> notes =
        [
            "batch 1, fp32, biases included, 3x227x227 input, SqueezeNet v1.0's layout; fractional filter counts round half away from zero",
            $"Pareto front of (size, FLOPs), both minimized: {knob} = {string.Join(", ", front)} (accuracy, which the figures trade against size, is not modelled)",
        ];
        return new TextTable(title, columns, rows, notes);
    }
}
