namespace CnnCost.Reporting.Charts;

/// <summary>A box on the canvas, in pixels.</summary>
internal readonly record struct Box(double Left, double Top, double Right, double Bottom)
{
    public bool Overlaps(Box other) => Left < other.Right && other.Left < Right && Top < other.Bottom && other.Top < Bottom;

    public bool Inside(Box bounds) => Left >= bounds.Left && Right <= bounds.Right && Top >= bounds.Top && Bottom <= bounds.Bottom;
}

/// <summary>A label placed next to its point: where its text starts and how it is anchored.</summary>
internal readonly record struct PlacedLabel(int Index, double X, double Y, string Anchor, Box Box);

/// <summary>
/// Places point labels so that no two overlap and none covers a point: each label tries positions around its point
/// (right, left, above, below, then farther out) and takes the first free one; a label with no free position is left
/// out (its point still carries the name in <c>data-layer</c>). Text boxes are estimated at 0.6 em per character.
/// </summary>
internal static class LabelLayout
{
    /// <summary>The width of one character as a fraction of the font size; generous for sans-serif lower case.</summary>
    public const double CharacterWidth = 0.6;

    public static IReadOnlyList<PlacedLabel> Place(IReadOnlyList<(double X, double Y, string Text)> points, double fontSize, double radius, Box bounds,
        params Box[] obstacles)
    {
        var taken = points.Select(p => new Box(p.X - radius, p.Y - radius, p.X + radius, p.Y + radius)).Concat(obstacles).ToList();
        var placed = new List<PlacedLabel>();
        for (var i = 0; i < points.Count; i++)
        {
            var (x, y, text) = points[i];
            var width = text.Length * fontSize * CharacterWidth;
            foreach (var (dx, dy, anchor) in Candidates(radius, fontSize))
            {
                var left = anchor switch { "start" => x + dx, "end" => x + dx - width, _ => x + dx - width / 2 };
                var box = new Box(left, y + dy - fontSize, left + width, y + dy);
                if (box.Inside(bounds) && !taken.Any(box.Overlaps))
                {
                    taken.Add(box);
                    placed.Add(new PlacedLabel(i, x + dx, y + dy, anchor, box));
                    break;
                }
            }
        }

        return placed;
    }

    /// <summary>Offsets of the text's baseline from the point, nearest first.</summary>
    private static IEnumerable<(double Dx, double Dy, string Anchor)> Candidates(double radius, double size)
    {
        var gap = radius + 2;
        foreach (var step in new[] { 1.0, 2.0, 3.5 })
        {
            yield return (gap * step, -gap * step + size / 2, "start");
            yield return (-gap * step, -gap * step + size / 2, "end");
            yield return (gap * step, gap * step + size, "start");
            yield return (-gap * step, gap * step + size, "end");
            yield return (0, -gap * step, "middle");
            yield return (0, gap * step + size, "middle");
        }
    }
}
