namespace CnnCost.Graph;

/// <summary>How a fractional output size is rounded (dissertation Eq. 4.2 and the frameworks that differ from it).</summary>
public enum RoundingRule
{
    /// <summary>Round down: Caffe's convolution, PyTorch's convolution and (without <c>ceil_mode</c>) pooling.</summary>
    Floor,

    /// <summary>
    /// Round up: the dissertation's Eq. 4.2 and Caffe's pooling. As in Caffe and PyTorch, a last window
    /// that would start inside the right/bottom padding is dropped.
    /// </summary>
    Ceiling,
}

/// <summary>
/// Every convention a number depends on, in one value: how output sizes round per layer kind, whether
/// biases count toward parameter bytes, the bytes per value, and whether element-wise layers count
/// operations. The presets name the frameworks that produced published numbers.
/// </summary>
public sealed record Conventions
{
    /// <summary>
    /// Caffe, which produced every table in the dissertation: convolution floors, pooling ceils, biases
    /// counted, fp32, element-wise layers free and computed in place.
    /// </summary>
    public static Conventions Caffe { get; } = new();

    /// <summary>PyTorch: convolution and pooling both floor (a pooling layer may set ceil mode itself).</summary>
    public static Conventions PyTorch { get; } = new() { PoolingRounding = RoundingRule.Floor };

    /// <summary>The dissertation's Eq. 4.2: ceil for every layer kind.</summary>
    public static Conventions Dissertation { get; } = new() { ConvolutionRounding = RoundingRule.Ceiling };

    /// <summary>Rounding of a convolution's output size (<c>outH = round((inH + 2·padH − fH)/strideH) + 1</c>, Eq. 4.2).</summary>
    public RoundingRule ConvolutionRounding { get; init; } = RoundingRule.Floor;

    /// <summary>Rounding of a pooling layer's output size, unless the layer sets its own.</summary>
    public RoundingRule PoolingRounding { get; init; } = RoundingRule.Ceiling;

    /// <summary>
    /// Whether biases count toward parameter bytes. Weights and biases are always reported as separate
    /// counts; this decides only the bytes (Table 4.2's per-layer sizes and Table 5.1 both include them).
    /// </summary>
    public bool CountBiases { get; init; } = true;

    /// <summary>Bits per stored value, for parameters and activations alike.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>
    /// Whether element-wise, normalization and reduction work counts toward FLOPs: activation, dropout, batch-norm,
    /// LRN, softmax, add and element-wise layers one operation per output value per extra operand; reductions one (two
    /// for a mean or an L2 norm) per value read; layer, group and instance normalization one per value; linear and cubic
    /// resizing one per output value. Off by default: the dissertation (4.2.3) leaves them out as well under 1% of the
    /// total, and fvcore counts only convolutions and matrix products. Convolution, linear and matrix-product MACs are
    /// always counted exactly, and pooling always counts its window.
    /// </summary>
    public bool CountElementwiseOps { get; init; }

    /// <summary>
    /// Whether activation and dropout layers overwrite their input (Caffe's in-place ReLU) instead of
    /// producing a new buffer. In-place rows still report their output, but do not add to the totals of
    /// output and activation bytes.
    /// </summary>
    public bool InPlaceActivations { get; init; } = true;
}

/// <summary>
/// The width of one stored value, in bits: 32 for fp32, 16 for fp16, 8 for int8, or any n-bit quantization. The
/// constructor refuses widths outside 1 to 64; a <see langword="default"/> value has 0 bits and refuses to count bytes.
/// </summary>
/// <param name="Bits">Bits per value, 1 to 64.</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="Bits"/> is below 1 or above 64.</exception>
public readonly record struct Precision(int Bits)
{
    /// <summary>Bits per value, 1 to 64.</summary>
    public int Bits { get; } = Bits is >= 1 and <= 64
        ? Bits
        : throw new ArgumentOutOfRangeException(nameof(Bits), Bits, "a precision has 1 to 64 bits per value");

    /// <summary>IEEE single precision, 4 bytes per value (the dissertation's default).</summary>
    public static Precision Fp32 => new(32);

    /// <summary>IEEE half precision, 2 bytes per value.</summary>
    public static Precision Fp16 => new(16);

    /// <summary>8-bit integers, 1 byte per value.</summary>
    public static Precision Int8 => new(8);

    /// <summary>Bytes per value; fractional below 8 bits (0.75 for 6-bit).</summary>
    public double BytesPerValue => Bits / 8.0;

    /// <summary>
    /// Bytes that hold <paramref name="count"/> values packed tightly: <c>ceil(count·bits / 8)</c>.
    /// </summary>
    /// <param name="count">How many values.</param>
    /// <returns>The bytes, rounded up to whole bytes.</returns>
    /// <exception cref="OverflowException">The bit count exceeds 2^63-1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The precision is the <see langword="default"/> value, with 0 bits.</exception>
    public long BytesFor(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (Bits == 0)
        {
            throw new InvalidOperationException("default(Precision) has 0 bits per value; use Precision.Fp32 or new Precision(bits)");
        }

        if (Bits % 8 == 0)
        {
            return checked(count * (Bits / 8));
        }

        var bits = checked(count * Bits);
        return bits / 8 + (bits % 8 == 0 ? 0 : 1);
    }

    /// <summary>Names the precision: <c>fp32</c>, <c>fp16</c>, <c>int8</c> or <c>&lt;n&gt;bit</c>.</summary>
    public override string ToString() => Bits switch
    {
        32 => "fp32",
        16 => "fp16",
        8 => "int8",
        _ => $"{Bits}bit",
    };

    /// <summary>Reads <c>fp32</c>, <c>fp16</c>, <c>int8</c> or <c>&lt;n&gt;bit</c> (n from 1 to 64).</summary>
    /// <param name="text">The precision's name.</param>
    /// <returns>The precision.</returns>
    /// <exception cref="FormatException">The text names no precision.</exception>
    public static Precision Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.ToLowerInvariant())
        {
            case "fp32": return Fp32;
            case "fp16": return Fp16;
            case "int8": return Int8;
        }

        if (text.EndsWith("bit", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(0, text.Length - 3), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var bits)
            && bits is >= 1 and <= 64)
        {
            return new Precision(bits);
        }

        throw new FormatException($"'{text}' is not a precision: expected fp32, fp16, int8 or <n>bit with n from 1 to 64");
    }
}
