using System.Collections.Immutable;
using System.Globalization;
using CnnCost.DesignSpace;

namespace CnnCost.Reporting;

/// <summary>The table of the VGG design space (dissertation 4.7): its size and how much of it fits a budget.</summary>
public static class SpaceViews
{
    /// <summary>Slots, choices, assignments, the budgets and the count within them.</summary>
    /// <param name="space">The design space.</param>
    /// <param name="maxParameters">The parameter budget, or null for none.</param>
    /// <param name="maxFlops">The FLOP budget, or null for none.</param>
    /// <param name="within">How many assignments fit both budgets.</param>
    /// <returns>The table.</returns>
    public static TextTable Table(VggSpace space, long? maxParameters, long? maxFlops, long within)
    {
        ArgumentNullException.ThrowIfNull(space);
        ImmutableArray<ImmutableArray<string>> rows =
        [
            ["slots", space.Slots.ToString(CultureInfo.InvariantCulture)],
            ["choices per slot", $"{space.ChoicesPerSlot} ({string.Join(", ", space.FilterChoices)} filters of 3x3, or absent)"],
            ["assignments", $"{Units.Count(space.Total)} ({space.ChoicesPerSlot}^{space.Slots})"],
            ["parameter budget", maxParameters is { } p ? Units.Count(p) : "none"],
            ["FLOP budget", maxFlops is { } f ? Units.Count(f) : "none"],
            ["within budget", $"{Units.Count(within)} ({(double)within / space.Total:0.00%})"],
        ];
        ImmutableArray<string> notes =
        [
            "3x224x224 input; blocks of 2, 2, 4, 4, 4 slots, each block ended by a 2x2/2 max pool; fully connected 4096, 4096, 1000; parameters with biases; inference FLOPs at batch 1",
            $"the dissertation's \"30 billion\" is 5^15 = {Units.Count(space.Total / space.ChoicesPerSlot)}; assignments that give the same network count separately, as in the dissertation",
        ];
        return new TextTable("The VGG design space (dissertation 4.7)", [new("", ColumnAlignment.Left), new("", ColumnAlignment.Left)], rows, notes);
    }
}
