namespace CnnCost.Graph;

/// <summary>
/// Output shapes of the layers that act on tensors of any rank, for <see cref="ShapeInference"/>. Every rule is
/// ONNX's for the operator the layer stands for, on one item's axes; an impossible shape is a
/// <see cref="NetworkDefinitionException"/> naming the layer.
/// </summary>
internal static class TensorShapes
{
    public static Shape OutputOf(Layer layer, int[] inputIndices, Shape[] shapes)
    {
        var input = shapes[inputIndices[0]];
        return layer switch
        {
            ElementwiseLayer e => Elementwise(e, inputIndices, shapes),
            ReductionLayer r => Reduction(r, input),
            ReshapeLayer r => Reshape(r.Name, input, r.Target.AsSpan()),
            TransposeLayer t => Transpose(t, input),
            SliceLayer s => Slice(s, input),
            GatherLayer g => Gather(g, input),
            PadLayer p => Pad(p, input),
            ExpandLayer e => e.Repeat ? Tile(e, input) : Broadcast(e.Name, input, Shape.Of([.. e.Target])),
            MatMulLayer m => MatMul(m.Name, input, shapes[inputIndices[1]]),
            LinearLayer l => Linear(l, input),
            DeconvolutionLayer d => Deconvolution(d, ShapeInference.Image(d.Name, input)),
            ResizeLayer r => Resize(r, ShapeInference.Image(r.Name, input)),
            ConstantLayer c => c.Value,
            SkippedLayer s => s.Output,
            _ => throw new NetworkDefinitionException(layer.Name, $"no shape rule for a {layer.Kind} layer"),
        };
    }

    /// <summary>Batch norm, softmax and the normalizations keep their input's shape, if it has the axis they work on.</summary>
    public static Shape WithAxis(Layer layer, Shape input)
    {
        var (axis, what) = layer switch
        {
            SoftmaxLayer s => (s.Axis, "softmax axis"),
            NormalizationLayer { Method: NormalizationMethod.Layer } n => (n.Axis, "normalization axis"),
            NormalizationLayer => (1, "spatial axis a group or instance normalization needs"),
            _ => (0, "channel axis"),
        };
        if (axis >= input.Rank)
        {
            throw new NetworkDefinitionException(layer.Name, $"its {what} {axis} is outside its input {input} (rank {input.Rank})");
        }

        if (layer is NormalizationLayer { Method: NormalizationMethod.Group } group && input.Channels % group.Groups != 0)
        {
            throw new NetworkDefinitionException(layer.Name, $"its {input.Channels} channels are not divisible by groups {group.Groups}");
        }

        return input;
    }

    public static Shape Concat(ConcatLayer concat, int[] inputIndices, Shape[] shapes)
    {
        var first = shapes[inputIndices[0]];
        if (concat.Axis >= first.Rank)
        {
            throw new NetworkDefinitionException(concat.Name, $"its axis {concat.Axis} is outside its input {first} (rank {first.Rank})");
        }

        long total = 0;
        for (var j = 0; j < inputIndices.Length; j++)
        {
            var shape = shapes[inputIndices[j]];
            if (!AgreeExceptOn(first, shape, concat.Axis))
            {
                var what = first.IsImage && concat.Axis == 0 ? "height and width" : $"shape outside axis {concat.Axis}";
                throw new NetworkDefinitionException(concat.Name,
                    $"its inputs differ in {what}: '{concat.Inputs[0]}' is {first}, '{concat.Inputs[j]}' is {shape}");
            }

            total += shape[concat.Axis];
        }

        return total <= int.MaxValue
            ? first.WithDimension(concat.Axis, (int)total)
            : throw new NetworkDefinitionException(concat.Name, $"its {total} values along axis {concat.Axis} exceed 2^31-1");
    }

    private static bool AgreeExceptOn(Shape a, Shape b, int axis)
    {
        if (a.Rank != b.Rank)
        {
            return false;
        }

        for (var i = 0; i < a.Rank; i++)
        {
            if (i != axis && a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static Shape Elementwise(ElementwiseLayer layer, int[] inputIndices, Shape[] shapes)
    {
        var result = shapes[inputIndices[0]];
        for (var j = 1; j < inputIndices.Length; j++)
        {
            result = Broadcast(layer.Name, result, shapes[inputIndices[j]]);
        }

        return layer.Constant is { } constant ? Broadcast(layer.Name, result, constant) : result;
    }

    /// <summary>NumPy broadcasting: trailing axes aligned; on each, equal extents or one of them 1.</summary>
    public static Shape Broadcast(string layer, Shape a, Shape b)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i - (rank - a.Rank) is var ia and >= 0 ? a[ia] : 1;
            var y = i - (rank - b.Rank) is var ib and >= 0 ? b[ib] : 1;
            dims[i] = x == y || y == 1 ? x
                : x == 1 ? y
                : throw new NetworkDefinitionException(layer, $"shapes {a} and {b} do not broadcast: {x} against {y} on axis {i}");
        }

        return new Shape(dims);
    }

    private static void CheckAxis(string layer, int axis, Shape input, string what)
    {
        if (axis >= input.Rank)
        {
            throw new NetworkDefinitionException(layer, $"its {what} {axis} is outside its input {input} (rank {input.Rank})");
        }
    }

    private static Shape Reduction(ReductionLayer layer, Shape input)
    {
        var dims = new List<int>(input.Rank);
        foreach (var axis in layer.Axes)
        {
            CheckAxis(layer.Name, axis, input, "axis");
        }

        for (var i = 0; i < input.Rank; i++)
        {
            if (!layer.Axes.Contains(i))
            {
                dims.Add(input[i]);
            }
            else if (layer.KeepDimensions)
            {
                dims.Add(1);
            }
        }

        return Shape.Of([.. dims]);
    }

    /// <summary>ONNX Reshape: 0 copies the input's extent on that axis, −1 takes the elements left over.</summary>
    public static Shape Reshape(string layer, Shape input, ReadOnlySpan<int> target)
    {
        var dims = new int[target.Length];
        long known = 1;
        var free = -1;
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = target[i] switch
            {
                0 when i < input.Rank => input[i],
                0 => throw new NetworkDefinitionException(layer, $"its target copies axis {i} (0), which its input {input} does not have"),
                var d => d,
            };
            if (dims[i] == -1)
            {
                free = i;
            }
            else
            {
                known = checked(known * dims[i]);
            }
        }

        var elements = input.Elements;
        if (free >= 0)
        {
            if (known == 0 || elements % known != 0)
            {
                throw new NetworkDefinitionException(layer, $"its input {input} ({elements} values) cannot be reshaped to {Target(target)}");
            }

            dims[free] = elements / known <= int.MaxValue
                ? (int)(elements / known)
                : throw new NetworkDefinitionException(layer, $"the inferred extent {elements / known} exceeds 2^31-1");
        }
        else if (known != elements)
        {
            throw new NetworkDefinitionException(layer, $"its input {input} holds {elements} values, but its target {Target(target)} holds {known}");
        }

        if (dims.Any(d => d < 1))
        {
            throw new NetworkDefinitionException(layer, $"its target {Target(target)} gives an empty extent");
        }

        return new Shape(dims);
    }

    private static string Target(ReadOnlySpan<int> target) => $"[{string.Join(",", target.ToArray())}]";

    private static Shape Transpose(TransposeLayer layer, Shape input)
    {
        if (layer.Permutation.Length != input.Rank)
        {
            throw new NetworkDefinitionException(layer.Name, $"its permutation {string.Join(",", layer.Permutation)} has {layer.Permutation.Length} axes, its input {input} {input.Rank}");
        }

        var dims = new int[input.Rank];
        for (var i = 0; i < dims.Length; i++)
        {
            dims[i] = input[layer.Permutation[i]];
        }

        return new Shape(dims);
    }

    private static Shape Slice(SliceLayer layer, Shape input)
    {
        var output = input;
        foreach (var range in layer.Ranges)
        {
            CheckAxis(layer.Name, range.Axis, input, "slice axis");
            var count = range.Count(input[range.Axis]);
            if (count < 1)
            {
                throw new NetworkDefinitionException(layer.Name, $"its range {range.Start}..{range.End} step {range.Step} on axis {range.Axis} of {input} is empty");
            }

            output = output.WithDimension(range.Axis, (int)count);
        }

        return output;
    }

    private static Shape Gather(GatherLayer layer, Shape input)
    {
        CheckAxis(layer.Name, layer.Axis, input, "axis");
        var dims = new List<int>(input.Rank + layer.Indices.Rank);
        for (var i = 0; i < layer.Axis; i++)
        {
            dims.Add(input[i]);
        }

        dims.AddRange(layer.Indices.Dimensions);
        for (var i = layer.Axis + 1; i < input.Rank; i++)
        {
            dims.Add(input[i]);
        }

        return Shape.Of([.. dims]);
    }

    private static Shape Pad(PadLayer layer, Shape input)
    {
        if (layer.Before.Length != input.Rank)
        {
            throw new NetworkDefinitionException(layer.Name, $"it pads {layer.Before.Length} axes, but its input {input} has {input.Rank}");
        }

        var dims = new int[input.Rank];
        for (var i = 0; i < dims.Length; i++)
        {
            var extent = (long)input[i] + layer.Before[i] + layer.After[i];
            dims[i] = extent is >= 1 and <= int.MaxValue
                ? (int)extent
                : throw new NetworkDefinitionException(layer.Name, $"axis {i} of its input {input} would become {extent} after padding");
        }

        return new Shape(dims);
    }

    private static Shape Tile(ExpandLayer layer, Shape input)
    {
        if (layer.Target.Length != input.Rank)
        {
            throw new NetworkDefinitionException(layer.Name, $"it repeats {layer.Target.Length} axes, but its input {input} has {input.Rank}");
        }

        var dims = new int[input.Rank];
        for (var i = 0; i < dims.Length; i++)
        {
            var extent = (long)input[i] * layer.Target[i];
            dims[i] = extent is >= 1 and <= int.MaxValue
                ? (int)extent
                : throw new NetworkDefinitionException(layer.Name, $"axis {i} of its input {input} would become {extent} after repeating");
        }

        return new Shape(dims);
    }

    /// <summary>NumPy matmul: a 1-D operand is a row (left) or a column (right); the leading axes broadcast.</summary>
    public static Shape MatMul(string layer, Shape left, Shape right)
    {
        if (left.Rank == 0 || right.Rank == 0)
        {
            throw new NetworkDefinitionException(layer, $"a matrix product needs operands of rank 1 or more, got {left} and {right}");
        }

        var a = left.Rank == 1 ? Shape.Of(1, left[0]) : left;
        var b = right.Rank == 1 ? Shape.Of(right[0], 1) : right;
        var k = a[a.Rank - 1];
        if (k != b[b.Rank - 2])
        {
            throw new NetworkDefinitionException(layer, $"its operands {left} and {right} do not multiply: {k} columns against {b[b.Rank - 2]} rows");
        }

        var batch = Broadcast(layer, Leading(a), Leading(b));
        var dims = new List<int>(batch.Dimensions);
        if (left.Rank > 1)
        {
            dims.Add(a[a.Rank - 2]);
        }

        if (right.Rank > 1)
        {
            dims.Add(b[b.Rank - 1]);
        }

        return Shape.Of([.. dims]);
    }

    private static Shape Leading(Shape matrix)
    {
        var dims = matrix.Dimensions;
        return Shape.Of([.. dims[..^2]]);
    }

    private static Shape Linear(LinearLayer layer, Shape input)
    {
        if (input.Rank == 0)
        {
            throw new NetworkDefinitionException(layer.Name, "a linear layer needs an input of rank 1 or more, got a scalar");
        }

        return input.WithDimension(input.Rank - 1, layer.Outputs);
    }

    private static Shape Deconvolution(DeconvolutionLayer layer, Shape input)
    {
        if (input.Channels % layer.Groups != 0)
        {
            throw new NetworkDefinitionException(layer.Name, $"its {input.Channels} input channels are not divisible by groups {layer.Groups}");
        }

        int Extent(string axis, int extent, int kernel, int stride, int padBegin, int padEnd, int dilation, int outputPadding)
        {
            var output = (long)(extent - 1) * stride - padBegin - padEnd + (long)dilation * (kernel - 1) + outputPadding + 1;
            return output is >= 1 and <= int.MaxValue
                ? (int)output
                : throw new NetworkDefinitionException(layer.Name, $"its output {axis} would be {output} (input {extent}, kernel {kernel}, stride {stride}, pads {padBegin} and {padEnd})");
        }

        var pad = layer.Padding;
        return new Shape(layer.Filters,
            Extent("height", input.Height, layer.Kernel.Height, layer.Stride.Height, pad.Begin.Height, pad.End.Height, layer.Dilation.Height, layer.OutputPadding.Height),
            Extent("width", input.Width, layer.Kernel.Width, layer.Stride.Width, pad.Begin.Width, pad.End.Width, layer.Dilation.Width, layer.OutputPadding.Width));
    }

    private static Shape Resize(ResizeLayer layer, Shape input)
    {
        if (layer.Size is { } size)
        {
            return new Shape(input.Channels, size.Height, size.Width);
        }

        int Extent(string axis, int extent, double scale)
        {
            var output = Math.Floor(extent * scale);
            return output is >= 1 and <= int.MaxValue
                ? (int)output
                : throw new NetworkDefinitionException(layer.Name, $"its output {axis} would be {output} ({extent} scaled by {scale})");
        }

        return new Shape(input.Channels, Extent("height", input.Height, layer.ScaleHeight), Extent("width", input.Width, layer.ScaleWidth));
    }
}
