using System.Collections.Immutable;

namespace CnnCost.DesignSpace;

/// <summary>
/// The metaparameter sweeps of dissertation 5.5.2-5.5.3, recomputed: Figure 5.3 (squeeze ratio 0.125-1.0 at
/// pct3x3 0.5) and Figure 5.4 (pct3x3 1%-99% at SR 0.5), with the model sizes the text states beside them.
/// </summary>
public static class SqueezeNetSweeps
{
    /// <summary>Figure 5.3's grid: SR from 0.125 to 1.0 in steps of 0.125, the other metaparameters SqueezeNet's.</summary>
    public static ImmutableArray<SqueezeNetMetaparameters> SqueezeRatioGrid { get; } =
        [.. Sweep.Range(0.125, 1.0, 0.125).Select(sr => SqueezeNetMetaparameters.SqueezeNet with { SqueezeRatio = sr })];

    /// <summary>Figure 5.4's grid: pct3x3 1%, 12.5%, 25%, …, 87.5%, 99% at SR 0.5.</summary>
    public static ImmutableArray<SqueezeNetMetaparameters> Percent3x3Grid { get; } =
        [.. new[] { 0.01 }.Concat(Sweep.Range(0.125, 0.875, 0.125)).Append(0.99)
            .Select(p => SqueezeNetMetaparameters.SqueezeNet with { SqueezeRatio = 0.5, Percent3x3 = p })];

    /// <summary>Model sizes the text states for Figure 5.3's points (5.5.2), by SR.</summary>
    public static ImmutableDictionary<double, string> StatedBySqueezeRatio { get; } =
        new Dictionary<double, string> { [0.125] = "4.8MB", [0.5] = "13MB", [0.75] = "19MB" }.ToImmutableDictionary();

    /// <summary>Model sizes the text states for Figure 5.4's points (5.5.3), by pct3x3.</summary>
    public static ImmutableDictionary<double, string> StatedByPercent3x3 { get; } =
        new Dictionary<double, string> { [0.01] = "5.7MB", [0.5] = "13MB", [0.99] = "21MB" }.ToImmutableDictionary();

    /// <summary>Table 5.3's macroarchitectures with the model sizes it prints.</summary>
    public static ImmutableArray<(BypassKind Bypass, string Printed)> Table53Printed { get; } =
        [(BypassKind.None, "4.8MB"), (BypassKind.Simple, "4.8MB"), (BypassKind.Complex, "7.7MB")];
}
