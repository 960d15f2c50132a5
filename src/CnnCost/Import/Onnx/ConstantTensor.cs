using CnnCost.Import.Onnx.Schema;

namespace CnnCost.Import.Onnx;

/// <summary>
/// The values of a small constant tensor, row-major, as doubles (integers exact up to 2^53; larger ones, such as
/// the <c>INT64_MAX</c> that exporters write as an open slice end, saturate at ±2^62 and still clamp the same).
/// Shape subgraphs (Shape → Gather → Concat → Reshape, Range, Where …) are evaluated with these at import.
/// </summary>
internal static class ConstantTensor
{
    /// <summary>
    /// Tensors with more values than this (64 Ki) are never evaluated: no shape subgraph needs them, and the large
    /// constants exporters compute (attention masks) only need their dims.
    /// </summary>
    public const long MaxValues = 1 << 16;

    private const double Saturation = 4.611686018427388E18; // 2^62

    /// <summary>The values of <paramref name="tensor"/>, or <see langword="null"/> when its data is absent or not numeric.</summary>
    public static double[]? Values(TensorProto tensor)
    {
        var count = CountOrMore(tensor.Dims);
        if (count > MaxValues)
        {
            return null;
        }

        var raw = tensor.RawData.Span;
        var values = new double[count];
        switch (tensor.DataType)
        {
            case 1: // FLOAT
                if (tensor.FloatData.Count == count) return [.. tensor.FloatData.Select(v => (double)v)];
                if (raw.Length != count * 4) return null;
                for (var i = 0; i < count; i++) values[i] = BitConverter.ToSingle(raw.Slice(i * 4, 4));
                return values;
            case 11: // DOUBLE
                if (tensor.DoubleData.Count == count) return [.. tensor.DoubleData];
                if (raw.Length != count * 8) return null;
                for (var i = 0; i < count; i++) values[i] = BitConverter.ToDouble(raw.Slice(i * 8, 8));
                return values;
            case 7: // INT64
                if (tensor.Int64Data.Count == count) return [.. tensor.Int64Data.Select(Saturate)];
                if (raw.Length != count * 8) return null;
                for (var i = 0; i < count; i++) values[i] = Saturate(BitConverter.ToInt64(raw.Slice(i * 8, 8)));
                return values;
            case 6 or 3 or 2 or 5 or 4 or 9: // INT32, INT8, UINT8, INT16, UINT16, BOOL: int32_data or raw bytes of their width
                if (tensor.Int32Data.Count == count) return [.. tensor.Int32Data.Select(v => (double)v)];
                var width = tensor.DataType switch { 6 => 4, 5 or 4 => 2, _ => 1 };
                if (raw.Length != count * width) return null;
                for (var i = 0; i < count; i++)
                {
                    var at = raw.Slice(i * width, width);
                    values[i] = tensor.DataType switch
                    {
                        6 => BitConverter.ToInt32(at),
                        5 => BitConverter.ToInt16(at),
                        4 => BitConverter.ToUInt16(at),
                        3 => (sbyte)at[0],
                        _ => at[0],
                    };
                }

                return values;
            default:
                return null;
        }
    }

    /// <summary>An integer as a double, saturated at ±2^62 so that 2^63−1 does not round up past <see cref="long"/>.</summary>
    public static double Saturate(long value) => Math.Clamp(value, -Saturation, Saturation);

    /// <summary>A value as an integer: truncated toward zero, saturated.</summary>
    public static long ToInt64(double value) =>
        double.IsNaN(value) ? 0 : value >= Saturation ? (long)Saturation : value <= -Saturation ? -(long)Saturation : (long)value;

    /// <summary>Values in a tensor of <paramref name="dims"/>, or <see cref="long.MaxValue"/> when that many would not fit (or an extent is negative).</summary>
    public static long CountOrMore(IReadOnlyList<long> dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0)
            {
                return long.MaxValue;
            }

            if (d == 0)
            {
                return 0;
            }

            count = count > long.MaxValue / d ? long.MaxValue : count * d;
        }

        return count;
    }

    /// <summary>Values in a tensor of <paramref name="dims"/>.</summary>
    public static long Count(IReadOnlyList<long> dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count = checked(count * d);
        }

        return count;
    }

    /// <summary>Row-major strides of <paramref name="dims"/>.</summary>
    public static long[] Strides(IReadOnlyList<long> dims)
    {
        var strides = new long[dims.Count];
        long stride = 1;
        for (var i = dims.Count - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= dims[i];
        }

        return strides;
    }

    /// <summary>The values of a tensor of <paramref name="dims"/> broadcast to <paramref name="target"/> (NumPy rules, already checked); <see langword="null"/> when too many to evaluate.</summary>
    public static double[]? BroadcastTo(double[] values, IReadOnlyList<long> dims, IReadOnlyList<long> target)
    {
        var count = CountOrMore(target);
        if (count > MaxValues)
        {
            return null; // too large to evaluate: its dims are still known
        }

        if (values.Length == count)
        {
            return (double[])values.Clone(); // the same values in the same order: nothing stretched
        }

        // Each output axis reads the source with its stride, or with 0 where the source is stretched.
        var strides = Strides(dims);
        var offset = target.Count - dims.Count;
        var read = new long[target.Count];
        for (var axis = 0; axis < dims.Count; axis++)
        {
            read[axis + offset] = dims[axis] == 1 ? 0 : strides[axis];
        }

        return Walk(values, [.. target], read, 0, count);
    }

    /// <summary>The values of a transposed tensor: output axis <c>i</c> is input axis <c>permutation[i]</c>.</summary>
    public static double[] Transpose(double[] values, IReadOnlyList<long> dims, IReadOnlyList<int> permutation)
    {
        var strides = Strides(dims);
        return Walk(values, [.. permutation.Select(p => dims[p])], [.. permutation.Select(p => strides[p])], 0, values.Length);
    }

    /// <summary>
    /// Reads <paramref name="count"/> values from <paramref name="values"/> in the row-major order of
    /// <paramref name="extents"/>, stepping the source by <paramref name="read"/> on each axis from <paramref name="start"/>
    /// (an odometer: one addition per value, however many axes).
    /// </summary>
    private static double[] Walk(double[] values, long[] extents, long[] read, long start, long count)
    {
        var result = new double[count];
        var index = new long[extents.Length];
        var source = start;
        for (long flat = 0; flat < count; flat++)
        {
            result[flat] = values[source];
            for (var axis = extents.Length - 1; axis >= 0; axis--)
            {
                source += read[axis];
                if (++index[axis] < extents[axis]) break;
                source -= read[axis] * extents[axis];
                index[axis] = 0;
            }
        }

        return result;
    }

    /// <summary>The values at <paramref name="indices"/> along <paramref name="axis"/> (ONNX Gather; negative indices count from the end).</summary>
    public static double[]? Gather(double[] values, IReadOnlyList<long> dims, int axis, double[] indices)
    {
        long outer = 1, inner = 1;
        for (var i = 0; i < axis; i++) outer *= dims[i];
        for (var i = axis + 1; i < dims.Count; i++) inner *= dims[i];
        var extent = dims[axis];
        if (CountOrMore([outer, indices.Length, inner]) > MaxValues)
        {
            return null;
        }

        var result = new double[outer * indices.Length * inner];
        var at = 0;
        for (long o = 0; o < outer; o++)
        {
            foreach (var raw in indices)
            {
                var index = ToInt64(raw);
                index = index < 0 ? index + extent : index;
                for (long i = 0; i < inner; i++)
                {
                    result[at++] = values[(o * extent + index) * inner + i];
                }
            }
        }

        return result;
    }

    /// <summary>The values of the given ranges (ONNX Slice), per axis <c>(start, count, step)</c> already resolved; <see langword="null"/> when too many.</summary>
    public static double[]? Slice(double[] values, IReadOnlyList<long> dims, IReadOnlyList<(long Start, long Count, long Step)> ranges)
    {
        var strides = Strides(dims);
        var outDims = ranges.Select(r => r.Count).ToArray();
        var count = CountOrMore(outDims);
        if (count > values.Length)
        {
            return null;
        }

        long start = 0;
        for (var axis = 0; axis < outDims.Length; axis++)
        {
            start += ranges[axis].Start * strides[axis];
        }

        return Walk(values, outDims, [.. ranges.Select((r, axis) => r.Step * strides[axis])], start, count);
    }
}
