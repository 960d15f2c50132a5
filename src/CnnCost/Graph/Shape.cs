using System.Globalization;

namespace CnnCost.Graph;

/// <summary>
/// The activations of one data item: <c>channels x height x width</c>. The batch is not part of a
/// shape; it multiplies counts in <see cref="Costs.CostModel"/>.
/// </summary>
/// <param name="Channels">Number of channels (the previous layer's filter count).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public readonly record struct Shape(int Channels, int Height, int Width)
{
    /// <summary>Values in one data item's activations: <c>channels·height·width</c>.</summary>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public long Elements => checked((long)Channels * Height * Width);

    /// <summary>The spatial size alone.</summary>
    public Size2 Spatial => new(Height, Width);

    /// <summary>Writes the shape as <c>CxHxW</c>, e.g. <c>3x227x227</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Channels}x{Height}x{Width}");

    /// <summary>Reads a shape written as <c>CxHxW</c> (e.g. <c>3x227x227</c>).</summary>
    /// <param name="text">The shape text.</param>
    /// <returns>The shape.</returns>
    /// <exception cref="FormatException">The text is not three positive integers separated by <c>x</c>.</exception>
    public static Shape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x', 'X');
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var c)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            && c > 0 && h > 0 && w > 0)
        {
            return new Shape(c, h, w);
        }

        throw new FormatException($"'{text}' is not a shape: expected CxHxW with positive integers, e.g. 3x227x227");
    }
}

/// <summary>
/// A height and a width: the extent of a kernel, a stride, a padding, a dilation or an image.
/// An <see cref="int"/> converts to a square size.
/// </summary>
/// <param name="Height">Extent along the height axis.</param>
/// <param name="Width">Extent along the width axis.</param>
public readonly record struct Size2(int Height, int Width)
{
    /// <summary>A square size, <c>n x n</c>.</summary>
    /// <param name="size">Both extents.</param>
    public static implicit operator Size2(int size) => new(size, size);

    /// <summary>Whether both extents are equal.</summary>
    public bool IsSquare => Height == Width;

    /// <summary>Writes the size as <c>HxW</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Height}x{Width}");

    /// <summary>Reads a size written as <c>HxW</c> or as one integer for a square.</summary>
    /// <param name="text">The size text, e.g. <c>6x6</c> or <c>3</c>.</param>
    /// <returns>The size.</returns>
    /// <exception cref="FormatException">The text is not one or two non-negative integers.</exception>
    public static Size2 Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x', 'X');
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h))
        {
            if (parts.Length == 1)
            {
                return new Size2(h, h);
            }

            if (int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var w))
            {
                return new Size2(h, w);
            }
        }

        throw new FormatException($"'{text}' is not a size: expected HxW or one integer, e.g. 6x6");
    }
}

/// <summary>
/// Zero padding on each side of a window's input: <see cref="Begin"/> on the top and left, <see cref="End"/> on the
/// bottom and right. Caffe and PyTorch pad both sides alike; ONNX allows them to differ.
/// </summary>
/// <param name="Begin">Rows added above and columns added to the left.</param>
/// <param name="End">Rows added below and columns added to the right.</param>
public readonly record struct Padding(Size2 Begin, Size2 End)
{
    /// <summary>The same padding on both sides.</summary>
    /// <param name="both">Padding per axis, on each side.</param>
    public static implicit operator Padding(Size2 both) => new(both, both);

    /// <summary>The same square padding on every side.</summary>
    /// <param name="each">Rows and columns added on each side.</param>
    public static implicit operator Padding(int each) => new(each, each);

    /// <summary>Whether both sides are padded alike.</summary>
    public bool IsSymmetric => Begin == End;

    /// <summary>Writes <c>HxW</c> when symmetric, <c>top,left,bottom,right</c> (ONNX's order) otherwise.</summary>
    public override string ToString() => IsSymmetric
        ? Begin.ToString()
        : string.Create(CultureInfo.InvariantCulture, $"{Begin.Height},{Begin.Width},{End.Height},{End.Width}");

    /// <summary>The padding after the input where it differs from the padding before it; <see langword="null"/> when symmetric.</summary>
    public Size2? EndWhereUneven => IsSymmetric ? null : End;

    /// <summary>Why the padding is impossible (a negative side), or <see langword="null"/> when it is fine.</summary>
    internal string? Problem() =>
        Begin.Height < 0 || Begin.Width < 0 || End.Height < 0 || End.Width < 0 ? $"padding must not be negative, got {this}" : null;
}
