using System.Collections.Immutable;
using System.Globalization;

namespace CnnCost.Graph;

/// <summary>
/// The activations of one data item: a tensor of any rank, its dimensions listed outermost first. The batch is not
/// part of a shape; it multiplies counts in <see cref="Costs.CostModel"/>. A convolutional network's values are
/// <c>channels x height x width</c> (rank 3), and <see cref="Channels"/>, <see cref="Height"/> and
/// <see cref="Width"/> give that CNN view of every shape: a rank-3 shape's own dimensions; a lower rank padded with
/// 1s on the right (a fully-connected layer's <c>n</c> outputs read as <c>n x 1 x 1</c>); a higher rank with every
/// dimension after the second folded into the width, so <c>Channels·Height·Width</c> is always
/// <see cref="Elements"/>. Layers that need an image (convolution, pooling, LRN) require rank 3.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    // Ranks up to 3 live in the three fields (no allocation on the common path); higher ranks in _more, whole.
    private readonly int _d0, _d1, _d2;
    private readonly byte _rank;
    private readonly int[]? _more;

    /// <summary>A rank-3 image shape, <c>channels x height x width</c>.</summary>
    /// <param name="channels">Number of channels (the previous layer's filter count).</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="width">Width in pixels.</param>
    public Shape(int channels, int height, int width)
    {
        (_d0, _d1, _d2, _rank, _more) = (channels, height, width, 3, null);
    }

    /// <summary>A shape of any rank from its dimensions, outermost first (the batch excluded).</summary>
    /// <param name="dimensions">The dimensions; none for a scalar.</param>
    public Shape(ReadOnlySpan<int> dimensions)
    {
        _rank = dimensions.Length <= 3 ? (byte)dimensions.Length : (byte)255;
        _d0 = dimensions.Length > 0 ? dimensions[0] : 0;
        _d1 = dimensions.Length > 1 ? dimensions[1] : 0;
        _d2 = dimensions.Length > 2 ? dimensions[2] : 0;
        _more = dimensions.Length > 3 ? dimensions.ToArray() : null;
    }

    /// <summary>A shape of any rank from its dimensions, outermost first (the batch excluded).</summary>
    /// <param name="dimensions">The dimensions; none for a scalar.</param>
    /// <returns>The shape.</returns>
    public static Shape Of(params ReadOnlySpan<int> dimensions) => new(dimensions);

    /// <summary>The number of dimensions (3 for an image, 1 for a vector, 0 for a scalar).</summary>
    public int Rank => _more?.Length ?? _rank;

    /// <summary>The extent along <paramref name="axis"/>, counted from 0 (outermost).</summary>
    /// <param name="axis">An axis in <c>[0, Rank)</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside the shape.</exception>
    public int this[int axis]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(axis);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(axis, Rank);
            return _more is { } more ? more[axis] : axis switch { 0 => _d0, 1 => _d1, _ => _d2 };
        }
    }

    /// <summary>The dimensions, outermost first.</summary>
    public ImmutableArray<int> Dimensions
    {
        get
        {
            var dims = new int[Rank];
            CopyTo(dims);
            return ImmutableArray.Create(dims);
        }
    }

    /// <summary>A copy with the extent along <paramref name="axis"/> replaced.</summary>
    /// <param name="axis">An axis in <c>[0, Rank)</c>.</param>
    /// <param name="extent">The new extent.</param>
    /// <returns>The changed shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside the shape.</exception>
    public Shape WithDimension(int axis, int extent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(axis, Rank);
        Span<int> dims = stackalloc int[Rank];
        CopyTo(dims);
        dims[axis] = extent;
        return new Shape(dims);
    }

    /// <summary>Whether this is a <c>channels x height x width</c> image (rank 3).</summary>
    public bool IsImage => Rank == 3;

    /// <summary>Channels in the CNN view: the first dimension (1 for a scalar).</summary>
    public int Channels => Rank == 0 ? 1 : this[0];

    /// <summary>Height in the CNN view: the second dimension (1 below rank 2).</summary>
    public int Height => Rank >= 2 ? this[1] : 1;

    /// <summary>
    /// Width in the CNN view: the third dimension, with every later one folded in (1 below rank 3).
    /// </summary>
    /// <exception cref="OverflowException">A folded width exceeds 2^31-1.</exception>
    public int Width
    {
        get
        {
            if (_more is not { } more)
            {
                return _rank == 3 ? _d2 : 1;
            }

            long width = 1;
            for (var i = 2; i < more.Length; i++)
            {
                width = checked(width * more[i]);
            }

            return checked((int)width);
        }
    }

    /// <summary>Values in one data item's activations: the product of the dimensions (<c>channels·height·width</c> for an image).</summary>
    /// <exception cref="OverflowException">The count exceeds 2^63-1.</exception>
    public long Elements
    {
        get
        {
            if (_more is null)
            {
                return _rank switch { 0 => 1, 1 => _d0, 2 => checked((long)_d0 * _d1), _ => checked((long)_d0 * _d1 * _d2) };
            }

            long elements = 1;
            foreach (var d in _more)
            {
                elements = checked(elements * d);
            }

            return elements;
        }
    }

    /// <summary>The spatial size of the CNN view.</summary>
    public Size2 Spatial => new(Height, Width);

    /// <summary>Copies the dimensions into <paramref name="destination"/>, which holds at least <see cref="Rank"/> values.</summary>
    /// <param name="destination">Where the dimensions go.</param>
    public void CopyTo(Span<int> destination)
    {
        if (_more is { } more)
        {
            more.CopyTo(destination);
            return;
        }

        if (_rank > 0) destination[0] = _d0;
        if (_rank > 1) destination[1] = _d1;
        if (_rank > 2) destination[2] = _d2;
    }

    /// <summary>Whether both shapes have the same dimensions.</summary>
    /// <param name="other">The other shape.</param>
    public bool Equals(Shape other)
    {
        if (Rank != other.Rank)
        {
            return false;
        }

        if (_more is null)
        {
            return _d0 == other._d0 && _d1 == other._d1 && _d2 == other._d2;
        }

        return _more.AsSpan().SequenceEqual(other._more);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Shape other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        if (_more is null)
        {
            return HashCode.Combine(_rank, _d0, _d1, _d2);
        }

        var hash = new HashCode();
        foreach (var d in _more)
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <summary>Whether two shapes have the same dimensions.</summary>
    /// <param name="left">One shape.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Whether two shapes differ in rank or in a dimension.</summary>
    /// <param name="left">One shape.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Writes the dimensions joined by <c>x</c>, e.g. <c>3x227x227</c> for an image or <c>197x768</c> for tokens; a scalar is <c>scalar</c>.</summary>
    public override string ToString()
    {
        if (Rank == 0)
        {
            return "scalar";
        }

        if (_more is null && _rank == 3)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{_d0}x{_d1}x{_d2}");
        }

        Span<int> dims = stackalloc int[Rank];
        CopyTo(dims);
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < dims.Length; i++)
        {
            if (i > 0) text.Append('x');
            text.Append(dims[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Reads a shape written as dimensions joined by <c>x</c>: <c>CxHxW</c> for an image (e.g. <c>3x227x227</c>), or any rank.</summary>
    /// <param name="text">The shape text.</param>
    /// <returns>The shape.</returns>
    /// <exception cref="FormatException">The text is not positive integers separated by <c>x</c>.</exception>
    public static Shape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x', 'X');
        var dims = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
            {
                throw new FormatException($"'{text}' is not a shape: expected positive integers separated by x, e.g. 3x227x227");
            }
        }

        return new Shape(dims);
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
