using System.Collections.Immutable;
using CnnCost.Graph;
using CnnCost.Import.Onnx.Schema;

namespace CnnCost.Import.Onnx;

// The operator table: one mapper per ONNX operator (opsets 7 to 21 as exporters write them). To support another
// operator, add a line to the table and a mapper below.
internal sealed partial class OnnxGraphReader
{
    private static readonly Dictionary<string, Action<OnnxGraphReader, NodeProto>> Operators = new(StringComparer.Ordinal)
    {
        ["Conv"] = (r, n) => r.Conv(n),
        ["ConvTranspose"] = (r, n) => r.ConvTranspose(n),
        ["Gemm"] = (r, n) => r.Gemm(n),
        ["MatMul"] = (r, n) => r.MatMul(n),
        ["Einsum"] = (r, n) => r.Einsum(n),
        ["MaxPool"] = (r, n) => r.Pool(n, PoolingMethod.Max),
        ["AveragePool"] = (r, n) => r.Pool(n, PoolingMethod.Average),
        ["GlobalAveragePool"] = (r, n) => r.GlobalPool(n, PoolingMethod.Average),
        ["GlobalMaxPool"] = (r, n) => r.GlobalPool(n, PoolingMethod.Max),
        ["BatchNormalization"] = (r, n) => r.Single(n, s => new BatchNormLayer(r._node, s), cnn: false),
        ["InstanceNormalization"] = (r, n) => r.Single(n, s => new NormalizationLayer(r._node, s, NormalizationMethod.Instance), cnn: false),
        ["GroupNormalization"] = (r, n) => r.Single(n, s => new NormalizationLayer(r._node, s, NormalizationMethod.Group, Groups: r.Int(r.IntAttribute(n, "num_groups", 1))), cnn: false),
        ["LayerNormalization"] = (r, n) => r.LayerNorm(n),
        ["LRN"] = (r, n) => r.Single(n, s => new LrnLayer(r._node, s, (int)Math.Clamp(r.IntAttribute(n, "size", 5), 1, int.MaxValue)), cnn: true),
        ["Softmax"] = (r, n) => r.Softmax(n),
        ["LogSoftmax"] = (r, n) => r.Softmax(n),
        ["Relu"] = (r, n) => r.Unary(n, ActivationFunction.ReLU),
        ["LeakyRelu"] = (r, n) => r.Unary(n, ActivationFunction.LeakyReLU),
        ["Sigmoid"] = (r, n) => r.Unary(n, ActivationFunction.Sigmoid),
        ["Tanh"] = (r, n) => r.Unary(n, ActivationFunction.Tanh),
        ["HardSigmoid"] = (r, n) => r.Unary(n, ActivationFunction.HardSigmoid),
        ["HardSwish"] = (r, n) => r.Unary(n, ActivationFunction.HardSwish),
        ["Gelu"] = (r, n) => r.Unary(n, ActivationFunction.Gelu),
        ["Erf"] = (r, n) => r.Unary(n, ActivationFunction.Erf),
        ["Sqrt"] = (r, n) => r.Unary(n, ActivationFunction.Sqrt, Math.Sqrt),
        ["Exp"] = (r, n) => r.Unary(n, ActivationFunction.Exp, Math.Exp),
        ["Log"] = (r, n) => r.Unary(n, ActivationFunction.Log, Math.Log),
        ["Abs"] = (r, n) => r.Unary(n, ActivationFunction.Abs, Math.Abs),
        ["Neg"] = (r, n) => r.Unary(n, ActivationFunction.Negate, v => -v),
        ["Reciprocal"] = (r, n) => r.Unary(n, ActivationFunction.Reciprocal, v => 1 / v),
        ["Floor"] = (r, n) => r.ConstantOnly(n, Math.Floor),
        ["Ceil"] = (r, n) => r.ConstantOnly(n, Math.Ceiling),
        ["Softplus"] = (r, n) => r.Unary(n, ActivationFunction.Softplus),
        ["Elu"] = (r, n) => r.Unary(n, ActivationFunction.Elu),
        ["Clip"] = (r, n) => r.Clip(n),
        ["PRelu"] = (r, n) => r.PRelu(n),
        ["Add"] = (r, n) => r.Binary(n, ElementwiseOperation.Sum),
        ["Sum"] = (r, n) => r.Binary(n, ElementwiseOperation.Sum),
        ["Sub"] = (r, n) => r.Binary(n, ElementwiseOperation.Subtract),
        ["Mul"] = (r, n) => r.Binary(n, ElementwiseOperation.Product),
        ["Div"] = (r, n) => r.Binary(n, ElementwiseOperation.Divide),
        ["Pow"] = (r, n) => r.Binary(n, ElementwiseOperation.Power),
        ["Max"] = (r, n) => r.Binary(n, ElementwiseOperation.Max),
        ["Min"] = (r, n) => r.Binary(n, ElementwiseOperation.Min),
        ["Equal"] = (r, n) => r.Compare(n, (a, b) => a == b),
        ["Less"] = (r, n) => r.Compare(n, (a, b) => a < b),
        ["Greater"] = (r, n) => r.Compare(n, (a, b) => a > b),
        ["Not"] = (r, n) => r.ConstantOnly(n, v => v == 0 ? 1 : 0),
        ["Mod"] = (r, n) => r.ConstantArithmetic(n, (a, b) => b == 0 ? 0 : a - b * Math.Floor(a / b)),
        ["And"] = (r, n) => r.Compare(n, (a, b) => a != 0 && b != 0),
        ["Or"] = (r, n) => r.Compare(n, (a, b) => a != 0 || b != 0),
        ["Where"] = (r, n) => r.Where(n),
        ["ReduceMean"] = (r, n) => r.Reduce(n, ReductionOperation.Mean),
        ["ReduceSum"] = (r, n) => r.Reduce(n, ReductionOperation.Sum),
        ["ReduceMax"] = (r, n) => r.Reduce(n, ReductionOperation.Max),
        ["ReduceMin"] = (r, n) => r.Reduce(n, ReductionOperation.Min),
        ["ReduceL2"] = (r, n) => r.Reduce(n, ReductionOperation.L2),
        ["Concat"] = (r, n) => r.Concat(n),
        ["Reshape"] = (r, n) => r.Reshape(n),
        ["Flatten"] = (r, n) => r.Flatten(n),
        ["Squeeze"] = (r, n) => r.Squeeze(n),
        ["Unsqueeze"] = (r, n) => r.Unsqueeze(n),
        ["Transpose"] = (r, n) => r.Transpose(n),
        ["Slice"] = (r, n) => r.Slice(n),
        ["Split"] = (r, n) => r.Split(n),
        ["Gather"] = (r, n) => r.Gather(n),
        ["Pad"] = (r, n) => r.Pad(n),
        ["Expand"] = (r, n) => r.Expand(n),
        ["Tile"] = (r, n) => r.Tile(n),
        ["Resize"] = (r, n) => r.Resize(n),
        ["Upsample"] = (r, n) => r.Resize(n),
        ["Dropout"] = (r, n) => r.Alias(n),
        ["Identity"] = (r, n) => r.Alias(n),
        ["Cast"] = (r, n) => r.Cast(n),
        ["Shape"] = (r, n) => r.ShapeOf(n),
        ["Size"] = (r, n) => r.SizeOf(n),
        ["Constant"] = (r, n) => r.ConstantNode(n),
        ["ConstantOfShape"] = (r, n) => r.ConstantOfShape(n),
        ["Range"] = (r, n) => r.Range(n),
        ["ScatterND"] = (r, n) => r.ScatterNd(n),
    };

    // --- Convolutions, products and pooling -----------------------------------------------------------------------

    private void Conv(NodeProto node)
    {
        var weights = In(node, 1);
        if (!weights.IsConstant || weights.Rank != 4)
        {
            throw Error(weights.IsConstant
                ? $"Conv weights have {weights.Rank} dimensions; CnnCost models 2-D convolutions"
                : "Conv weights are an activation; CnnCost needs them as an initializer");
        }

        FirstUse(weights);
        var weightKernel = new Size2(Int(weights.Dims[2]), Int(weights.Dims[3]));
        var kernel = Pair(node, "kernel_shape", null, weightKernel);
        if (kernel != weightKernel)
        {
            throw Error($"kernel_shape {kernel} disagrees with the weights' {weightKernel}");
        }

        var stride = Pair(node, "strides", 1);
        var dilation = Pair(node, "dilations", 1);
        var input = Image(node, 0);
        var group = Int(IntAttribute(node, "group", 1));
        var channels = _shapes[input.Layer!].Channels;
        if (group >= 1 && (long)Int(weights.Dims[1]) * group != channels)
        {
            throw Error($"the weights see {weights.Dims[1]} channels per group x {group} groups, but the input '{node.Input[0]}' has {channels} channels");
        }

        var pad = Padding(node, input.Layer!, kernel, stride, dilation);
        FirstUseOptional(node, 2);
        Emit(new ConvolutionLayer(_node, input.Layer!, Int(weights.Dims[0]), kernel, stride, pad.Begin, group, dilation,
            Optional(node, 2) is not null, PadEnd: pad.EndWhereUneven), Output(node), batchAxis: true);
    }

    private void ConvTranspose(NodeProto node)
    {
        var weights = In(node, 1);
        if (!weights.IsConstant || weights.Rank != 4)
        {
            throw Error("ConvTranspose weights must be a 4-D initializer; CnnCost models 2-D transposed convolutions");
        }

        FirstUse(weights);
        var input = Image(node, 0);
        var group = Int(IntAttribute(node, "group", 1));
        var kernel = Pair(node, "kernel_shape", null, new Size2(Int(weights.Dims[2]), Int(weights.Dims[3])));
        var stride = Pair(node, "strides", 1);
        var dilation = Pair(node, "dilations", 1);
        if (IntsAttribute(node, "output_shape") is not null)
        {
            throw Error("ConvTranspose with output_shape is not modelled; give pads and output_padding instead");
        }

        var pads = IntsAttribute(node, "pads") ?? [0, 0, 0, 0];
        if (pads.Length != 4 || TextAttribute(node, "auto_pad", "NOTSET") is not ("NOTSET" or "" or "VALID"))
        {
            throw Error("ConvTranspose padding must be 4 explicit pads (auto_pad SAME is not modelled)");
        }

        var outputPadding = Pair(node, "output_padding", 0);
        FirstUseOptional(node, 2);
        var padding = new Padding(new Size2(Int(pads[0]), Int(pads[1])), new Size2(Int(pads[2]), Int(pads[3])));
        Emit(new DeconvolutionLayer(_node, input.Layer!, Int(weights.Dims[1] * group), kernel, stride, padding.Begin, group, dilation,
            Optional(node, 2) is not null, outputPadding, padding.EndWhereUneven), Output(node), batchAxis: true);
    }

    private void Gemm(NodeProto node)
    {
        var b = In(node, 1);
        if (!b.IsConstant || b.Rank != 2)
        {
            throw Error(b.IsConstant ? $"Gemm weights have {b.Rank} dimensions, expected 2" : "Gemm of two activations is not modelled; CnnCost models Gemm with weights");
        }

        if (IntAttribute(node, "transA", 0) != 0)
        {
            throw Error("Gemm with transA set multiplies the transposed activations; CnnCost models fully-connected layers (transA = 0)");
        }

        var transposed = IntAttribute(node, "transB", 0) == 1;
        var input = Activation(node, 0);
        var (inputs, outputs) = transposed ? (b.Dims[1], b.Dims[0]) : (b.Dims[0], b.Dims[1]);
        FirstUse(b);
        FirstUseOptional(node, 2);
        if (!In(node, 0).BatchAxis)
        {
            // The exporter merged the batch into the rows (attention's output projection on L·N x E): every row is a
            // position, so the weights act on each one.
            var shape = _shapes[input];
            if (shape[shape.Rank - 1] != inputs)
            {
                throw Error($"the weights take {inputs} inputs, but the rows of '{node.Input[0]}' ({shape}) hold {shape[shape.Rank - 1]}");
            }

            Emit(new LinearLayer(_node, input, Int(outputs), Optional(node, 2) is not null), Output(node), batchAxis: false);
            return;
        }

        FullyConnectedInputs(input, inputs);
        Emit(new FullyConnectedLayer(_node, input, Int(outputs), Optional(node, 2) is not null), Output(node), batchAxis: true);
    }

    /// <summary>A fully-connected layer's weights must take exactly the values its flattened input holds.</summary>
    private void FullyConnectedInputs(string source, long weightInputs)
    {
        var elements = _shapes[source].Elements;
        if (weightInputs != elements)
        {
            throw Error($"the weights take {weightInputs} inputs, but '{source}' holds {elements} values ({_shapes[source]})");
        }
    }

    /// <summary>
    /// MatMul with a 2-D constant is a linear layer at every position (a fully-connected layer on a vector); between
    /// two activations it is a batched matrix product (attention).
    /// </summary>
    private void MatMul(NodeProto node)
    {
        var a = In(node, 0);
        var b = In(node, 1);
        if (a.IsConstant && b.IsConstant)
        {
            FoldUnknown(node, MatMulDims(a.Dims, b.Dims));
            return;
        }

        if (!b.IsConstant && !a.IsConstant)
        {
            var (left, right) = Aligned(node, a, b);
            Emit(new MatMulLayer(_node, left, right), Output(node), a.BatchAxis);
            return;
        }

        if (a.IsConstant || b.Rank != 2)
        {
            throw Error("MatMul with a constant is modelled only as activations times a 2-D initializer");
        }

        FirstUse(b);
        var input = a.Layer!;
        var shape = _shapes[input];
        if (shape[shape.Rank - 1] != b.Dims[0])
        {
            throw Error($"the weights take {b.Dims[0]} inputs, but the last axis of '{node.Input[0]}' ({shape}) holds {shape[shape.Rank - 1]}");
        }

        Layer layer = shape.Rank == 1
            ? new FullyConnectedLayer(_node, input, Int(b.Dims[1]), false)
            : new LinearLayer(_node, input, Int(b.Dims[1]), false);
        Emit(layer, Output(node), a.BatchAxis);
    }

    private long[] MatMulDims(long[] a, long[] b)
    {
        var shape = TensorShapes.MatMul(_node, Shape.Of([.. a.Select(Int)]), Shape.Of([.. b.Select(Int)]));
        return [.. shape.Dimensions.Select(d => (long)d)];
    }

    /// <summary>Einsum of two activations, when its equation is a batched matrix product (the form attention takes).</summary>
    private void Einsum(NodeProto node)
    {
        var equation = TextAttribute(node, "equation", "").Replace(" ", "", StringComparison.Ordinal);
        if (node.Input.Count != 2)
        {
            throw Error($"Einsum '{equation}' has {node.Input.Count} operands; CnnCost models two");
        }

        var parts = equation.Split("->");
        var operands = parts[0].Split(',');
        if (parts.Length != 2 || operands.Length != 2 || operands.Concat([parts[1]]).Any(p => p.Length < 2 || p.Distinct().Count() != p.Length))
        {
            throw Error($"Einsum equation '{equation}' is not a batched matrix product CnnCost models");
        }

        // A batched matmul: the same leading letters on all three terms, then "ik,kj->ij" with k only on the inputs.
        var (x, y, z) = (operands[0], operands[1], parts[1]);
        var batch = x[..^2];
        var i = x[^2];
        var k = x[^1];
        var transposedRight = y[^1] == k;
        var j = transposedRight ? y[^2] : y[^1];
        if (y[..^2] != batch || z != batch + i + j || (transposedRight ? y[^1] : y[^2]) != k)
        {
            throw Error($"Einsum equation '{equation}' is not a batched matrix product CnnCost models");
        }

        var left = In(node, 0);
        var right = In(node, 1);
        if (left.IsConstant || right.IsConstant)
        {
            throw Error("Einsum with a constant operand is not modelled");
        }

        var (l, r) = Aligned(node, left, right);
        var source = r;
        if (transposedRight)
        {
            var rank = _shapes[r].Rank;
            var permutation = Enumerable.Range(0, rank).ToArray();
            (permutation[rank - 2], permutation[rank - 1]) = (permutation[rank - 1], permutation[rank - 2]);
            source = Unused($"{_node}/transpose");
            Emit(new TransposeLayer(source, r, [.. permutation]), "", right.BatchAxis);
        }

        Emit(new MatMulLayer(_node, l, source), Output(node), left.BatchAxis);
    }

    private void Pool(NodeProto node, PoolingMethod method)
    {
        var window = Pair(node, "kernel_shape", null);
        var stride = Pair(node, "strides", 1);
        var input = Image(node, 0);
        var pad = Padding(node, input.Layer!, window, stride, 1);
        var rounding = IntAttribute(node, "ceil_mode", 0) == 1 ? RoundingRule.Ceiling : RoundingRule.Floor;
        Emit(new PoolingLayer(_node, input.Layer!, method, window, stride, pad.Begin, false, rounding, pad.EndWhereUneven), Output(node), batchAxis: true);
    }

    private void GlobalPool(NodeProto node, PoolingMethod method) =>
        Emit(new PoolingLayer(_node, Image(node, 0).Layer!, method, 1, 1, 0, IsGlobal: true), Output(node), batchAxis: true);

    // --- Normalizations and element-wise operators ----------------------------------------------------------------

    private void Single(NodeProto node, Func<string, Layer> make, bool cnn)
    {
        var input = cnn ? Image(node, 0) : In(node, 0);
        if (input.IsConstant)
        {
            throw Error($"{node.OpType} of a constant is not modelled");
        }

        for (var k = 1; k < node.Input.Count; k++)
        {
            if (Optional(node, k) is { IsConstant: true } parameter)
            {
                FirstUse(parameter);
            }
        }

        Emit(make(input.Layer!), Output(node), input.BatchAxis);
    }

    private void LayerNorm(NodeProto node)
    {
        var input = In(node, 0);
        if (input.IsConstant)
        {
            throw Error("LayerNormalization of a constant is not modelled");
        }

        var axis = ItemAxis(input, IntAttribute(node, "axis", -1));
        var affine = Optional(node, 1) is not null;
        FirstUseOptional(node, 1);
        FirstUseOptional(node, 2);
        Emit(new NormalizationLayer(_node, input.Layer!, NormalizationMethod.Layer, axis, 1, affine), Output(node), input.BatchAxis);
    }

    private void Softmax(NodeProto node)
    {
        var input = In(node, 0);
        if (input.IsConstant)
        {
            throw Error($"{node.OpType} of a constant is not modelled");
        }

        // Opset 13 normalizes along one axis (default −1); earlier opsets flatten from the axis (default 1) on.
        var axis = ItemAxis(input, IntAttribute(node, "axis", Opset13 ? -1 : 1));
        Emit(new SoftmaxLayer(_node, input.Layer!, axis), Output(node), input.BatchAxis);
    }

    /// <summary>Whether a node follows opset 13 or later conventions: exporters from opset 13 on write axes as inputs.</summary>
    private bool Opset13 => graph.Opset >= 13;

    private void Unary(NodeProto node, ActivationFunction function, Func<double, double>? fold = null)
    {
        var input = In(node, 0);
        if (input.IsConstant)
        {
            Fold(node, input.Dims, fold is { } f && input.Data is { } data ? [.. data.Select(f)] : null);
            return;
        }

        Emit(new ActivationLayer(_node, input.Layer!, function), Output(node), input.BatchAxis);
    }

    private void Clip(NodeProto node)
    {
        var input = In(node, 0);
        if (input.IsConstant)
        {
            Fold(node, input.Dims, null);
            return;
        }

        // Bounds are attributes before opset 11, optional inputs after; (0, 6) is ReLU6.
        var low = Optional(node, 1) is { Data: [var l] } ? l : FloatAttribute(node, "min", float.MinValue);
        var high = Optional(node, 2) is { Data: [var h] } ? h : FloatAttribute(node, "max", float.MaxValue);
        var function = low == 0 && high == 6 ? ActivationFunction.ReLU6 : ActivationFunction.Clip;
        Emit(new ActivationLayer(_node, input.Layer!, function), Output(node), input.BatchAxis);
    }

    private void PRelu(NodeProto node)
    {
        var slope = In(node, 1);
        FirstUse(slope);
        Emit(new ActivationLayer(_node, Activation(node, 0), ActivationFunction.PReLU, ConstantTensor.Count(slope.Dims) == 1), Output(node), In(node, 0).BatchAxis);
    }

    /// <summary>
    /// Element-wise operators. Constants only: evaluated. Two activations of one shape added: a bypass
    /// (<see cref="AddLayer"/>). A constant added to a bias-free linear layer's output: that layer's bias (MatMul + Add
    /// exports). Otherwise an <see cref="ElementwiseLayer"/>, broadcasting, with any constant as its constant operand.
    /// </summary>
    private void Binary(NodeProto node, ElementwiseOperation operation)
    {
        var operands = Enumerable.Range(0, node.Input.Count).Select(k => In(node, k)).ToArray();
        if (operands.Length < 2 && node.OpType != "Sum")
        {
            throw Error($"{node.OpType} needs two inputs, got {operands.Length}");
        }

        var activations = operands.Where(o => !o.IsConstant).ToArray();
        var constants = operands.Where(o => o.IsConstant).ToArray();
        if (activations.Length == 0)
        {
            FoldBinary(node, operands, operation);
            return;
        }

        if (constants.Length > 1)
        {
            throw Error($"{node.OpType} with {constants.Length} constant operands is not modelled");
        }

        if (activations.Length == 1 && constants.Length == 0)
        {
            Alias(node);
            return;
        }

        var sources = AlignedAll(node, activations);
        var shapes = sources.Select(s => _shapes[s]).ToArray();
        if (constants.Length == 0 && operation == ElementwiseOperation.Sum && shapes.All(s => s == shapes[0]))
        {
            Emit(new AddLayer(_node, [.. sources]), Output(node), activations[0].BatchAxis);
            return;
        }

        if (constants.Length == 1 && activations.Length == 1 && operation == ElementwiseOperation.Sum
            && _layers[_layerIndex[sources[0]]] is var producer && producer is FullyConnectedLayer { HasBias: false } or LinearLayer { HasBias: false }
            && ConstantTensor.Count(constants[0].Dims) == shapes[0][shapes[0].Rank - 1] && constants[0].Dims[^1] == shapes[0][shapes[0].Rank - 1]
            && ConsumersSoFar(sources[0]) == 0)
        {
            FirstUse(constants[0]);
            _layers[_layerIndex[sources[0]]] = producer switch
            {
                FullyConnectedLayer fc => fc with { HasBias = true },
                LinearLayer linear => linear with { HasBias = true },
                _ => producer,
            };
            Define(node.Output[0], activations[0]);
            return;
        }

        Shape? constant = null;
        var learned = false;
        if (constants.Length == 1)
        {
            constant = ItemConstant(activations[0], constants[0]);
            learned = FirstUse(constants[0]);
        }

        Emit(new ElementwiseLayer(_node, [.. sources], operation, constant, learned), Output(node), activations[0].BatchAxis);
    }

    /// <summary>How many layers read <paramref name="layer"/> so far: a bias folds only into a layer nothing else has read.</summary>
    private int ConsumersSoFar(string layer) => _layers.Count(l => l.Inputs.Contains(layer));

    /// <summary>A constant operand's shape in an activation's item axes: its batch axis (extent 1) dropped where the activation drops it.</summary>
    private Shape ItemConstant(Value activation, Value constant)
    {
        var dims = constant.Dims;
        if (activation.BatchAxis && dims.Length == activation.Rank)
        {
            if (dims[0] != 1)
            {
                throw Error($"its constant operand varies along the batch axis ({string.Join("x", dims)})");
            }

            dims = dims[1..];
        }

        return Shape.Of([.. dims.Select(Int)]);
    }

    private void Compare(NodeProto node, Func<double, double, bool> compare) =>
        ConstantArithmetic(node, (a, b) => compare(a, b) ? 1 : 0);

    /// <summary>An operator CnnCost evaluates only on constants (shape and mask computations): Equal, Mod, And …</summary>
    private void ConstantArithmetic(NodeProto node, Func<double, double, double> operation)
    {
        var a = In(node, 0);
        var b = In(node, 1);
        if (!a.IsConstant || !b.IsConstant)
        {
            throw Error($"{node.OpType} of activations is not modelled (only on constants, in shape computations)");
        }

        var dims = BroadcastDims(a.Dims, b.Dims);
        double[]? data = null;
        if (a.Data is { } x && b.Data is { } y)
        {
            if (ConstantTensor.BroadcastTo(x, a.Dims, dims) is { } xs && ConstantTensor.BroadcastTo(y, b.Dims, dims) is { } ys)
            {
                data = [.. xs.Zip(ys, operation)];
            }
        }

        Fold(node, dims, data);
    }

    private void ConstantOnly(NodeProto node, Func<double, double> fold)
    {
        var input = In(node, 0);
        if (!input.IsConstant)
        {
            throw Error($"{node.OpType} of an activation is not modelled (only on constants, in shape computations)");
        }

        Fold(node, input.Dims, input.Data is { } data ? [.. data.Select(fold)] : null);
    }

    private void Where(NodeProto node)
    {
        var condition = In(node, 0);
        var x = In(node, 1);
        var y = In(node, 2);
        if (!condition.IsConstant || !x.IsConstant || !y.IsConstant)
        {
            throw Error("Where on activations is not modelled (only on constants, in shape computations)");
        }

        var dims = BroadcastDims(BroadcastDims(condition.Dims, x.Dims), y.Dims);
        double[]? data = null;
        if (condition.Data is { } c && x.Data is { } xs && y.Data is { } ys)
        {
            if (ConstantTensor.BroadcastTo(c, condition.Dims, dims) is { } cb && ConstantTensor.BroadcastTo(xs, x.Dims, dims) is { } xb
                && ConstantTensor.BroadcastTo(ys, y.Dims, dims) is { } yb)
            {
                data = [.. cb.Select((v, i) => v != 0 ? xb[i] : yb[i])];
            }
        }

        Fold(node, dims, data, x.Origin ?? y.Origin);
    }

    private void Reduce(NodeProto node, ReductionOperation operation)
    {
        var input = In(node, 0);
        // Axes are an attribute until opset 18 (ReduceSum: 13), an input after; none means every axis.
        var axes = IntsAttribute(node, "axes") ?? (Optional(node, 1) is not null ? KnownInts(node, 1, "axes") : null);
        var keep = IntAttribute(node, "keepdims", 1) == 1;
        if (axes is null || axes.Length == 0)
        {
            if (IntAttribute(node, "noop_with_empty_axes", 0) == 1)
            {
                Alias(node);
                return;
            }

            axes = [.. Enumerable.Range(0, input.Rank).Select(a => (long)a)];
        }

        if (input.IsConstant)
        {
            var resolved = axes.Select(a => Axis(a, input.Rank)).ToHashSet();
            FoldUnknown(node, [.. input.Dims.Select((d, i) => resolved.Contains(i) ? (keep ? 1 : -1) : d).Where(d => d >= 0)]);
            return;
        }

        var itemAxes = axes.Select(a => ItemAxis(input, a)).Distinct().Order().ToImmutableArray();
        Emit(new ReductionLayer(_node, input.Layer!, operation, itemAxes, keep), Output(node), input.BatchAxis);
    }

    // --- Data movement --------------------------------------------------------------------------------------------

    private void Concat(NodeProto node)
    {
        var operands = Enumerable.Range(0, node.Input.Count).Where(k => node.Input[k].Length > 0).Select(k => In(node, k)).ToArray();
        if (operands.Length == 0)
        {
            throw Error("Concat needs at least one input");
        }

        var axisAttribute = IntAttribute(node, "axis", 1);
        if (operands.All(o => o.IsConstant))
        {
            var axis = Axis(axisAttribute, operands[0].Rank);
            var dims = (long[])operands[0].Dims.Clone();
            dims[axis] = operands.Sum(o => o.Dims[axis]);
            double[]? data = null;
            if (operands.All(o => o.Data is not null) && operands.Sum(o => (long)o.Data!.Length) <= ConstantTensor.MaxValues)
            {
                long outer = 1;
                for (var i = 0; i < axis; i++) outer *= dims[i];
                var result = new List<double>();
                for (long o = 0; o < outer; o++)
                {
                    foreach (var operand in operands)
                    {
                        var block = operand.Data!.Length / outer;
                        result.AddRange(operand.Data.AsSpan((int)(o * block), (int)block).ToArray());
                    }
                }

                data = [.. result];
            }

            Fold(node, dims, data, operands.Select(o => o.Origin).FirstOrDefault(o => o is not null));
            return;
        }

        var reference = operands.First(o => !o.IsConstant);
        var joined = operands.Select(o => o.IsConstant ? ConstantLayerFor(o, reference) : o).ToArray();
        Emit(new ConcatLayer(_node, [.. AlignedAll(node, joined)]) { Axis = ItemAxis(reference, axisAttribute) }, Output(node), reference.BatchAxis);
    }

    /// <summary>A constant joined to activations (a class token) becomes a layer of its own that follows the batch.</summary>
    private Value ConstantLayerFor(Value constant, Value reference)
    {
        var shape = ItemConstant(reference, constant);
        var name = Unused($"{_node}/constant");
        var learned = FirstUse(constant);
        Emit(new ConstantLayer(name, _inputLayer, shape, learned), "", reference.BatchAxis);
        return new Value(name, Dims(shape, reference.BatchAxis), reference.BatchAxis);
    }

    private void Reshape(NodeProto node)
    {
        var input = In(node, 0);
        var target = KnownInts(node, 1, "shape");
        var allowZero = IntAttribute(node, "allowzero", 0) == 1;
        if (allowZero && target.Contains(0))
        {
            throw Error("Reshape with allowzero and an extent of 0 makes an empty tensor");
        }

        ReshapeTo(node, input, target);
    }

    /// <summary>
    /// A reshape of a value to <paramref name="target"/> (ONNX semantics: 0 copies, −1 infers). On an activation whose
    /// axis 0 is the batch and stays so, the layer reshapes each item (keeping 0 and −1, so it holds at other
    /// resolutions); one that merges or moves the batch keeps the file's extents whole (exact per item at batch 1).
    /// </summary>
    private void ReshapeTo(NodeProto node, Value input, long[] target)
    {
        var inputShape = Shape.Of([.. input.Dims.Select(Int)]);
        Shape full;
        try
        {
            full = TensorShapes.Reshape(_node, inputShape, [.. target.Select(t => t < -1 ? throw Error($"Reshape extent {t} is below -1") : t > int.MaxValue ? throw Error($"Reshape extent {t} exceeds 2^31-1") : (int)t)]);
        }
        catch (NetworkDefinitionException error)
        {
            throw Error(error.Reason);
        }

        var outDims = full.Dimensions.Select(d => (long)d).ToArray();
        if (input.IsConstant)
        {
            Fold(node, outDims, input.Data, input.Origin);
            return;
        }

        var keepsBatch = input.BatchAxis && outDims.Length > 0 && outDims[0] == _batch && (target[0] == 0 || target[0] == _batch);
        if (keepsBatch)
        {
            var itemTarget = target[1..].Select(t => (int)t).ToImmutableArray();
            Emit(new ReshapeLayer(_node, input.Layer!, itemTarget), Output(node), batchAxis: true);
            return;
        }

        RequireUnitBatch(node, "merges or moves the batch axis");
        // At batch 1 a leading 1 is the batch again: layers after it (a convolution) see one item's image.
        var batchAxis = outDims.Length > 1 && outDims[0] == 1;
        Emit(new ReshapeLayer(_node, input.Layer!, [.. (batchAxis ? outDims[1..] : outDims).Select(d => (int)d)]), Output(node), batchAxis);
    }

    private void RequireUnitBatch(NodeProto node, string what)
    {
        if (_batch != 1)
        {
            throw Error($"{node.OpType} {what}; CnnCost follows the batch only in files exported at batch 1 or with a symbolic batch (this one has {_batch})");
        }
    }

    private void Flatten(NodeProto node)
    {
        var input = In(node, 0);
        var axis = IntAttribute(node, "axis", 1);
        var resolved = axis < 0 ? axis + input.Rank : axis;
        if (resolved < 0 || resolved > input.Rank)
        {
            throw Error($"its axis {axis} is outside a tensor of rank {input.Rank}");
        }

        long outer = 1;
        for (var i = 0; i < resolved; i++) outer *= input.Dims[i];
        ReshapeTo(node, input, input.BatchAxis && resolved == 1 ? [0, -1] : [outer, -1]);
    }

    private void Squeeze(NodeProto node)
    {
        var input = In(node, 0);
        var axes = IntsAttribute(node, "axes") ?? (Optional(node, 1) is not null ? KnownInts(node, 1, "axes") : null);
        var resolved = axes?.Select(a => Axis(a, input.Rank)).ToHashSet() ?? [.. Enumerable.Range(0, input.Rank).Where(i => input.Dims[i] == 1)];
        if (resolved.Any(a => input.Dims[a] != 1))
        {
            throw Error($"it squeezes an axis whose extent is not 1 ({string.Join("x", input.Dims)})");
        }

        var dims = input.Dims.Where((_, i) => !resolved.Contains(i)).ToArray();
        ReshapeTo(node, input, input.BatchAxis && !resolved.Contains(0) ? [0, .. dims[1..]] : dims);
    }

    private void Unsqueeze(NodeProto node)
    {
        var input = In(node, 0);
        var axes = IntsAttribute(node, "axes") ?? KnownInts(node, 1, "axes");
        var rank = input.Rank + axes.Length;
        var inserted = axes.Select(a => Axis(a, rank)).ToHashSet();
        var dims = new List<long>();
        var next = 0;
        for (var i = 0; i < rank; i++)
        {
            dims.Add(inserted.Contains(i) ? 1 : input.Dims[next++]);
        }

        ReshapeTo(node, input, input.BatchAxis && !inserted.Contains(0) ? [0, .. dims.Skip(1)] : [.. dims]);
    }

    private void Transpose(NodeProto node)
    {
        var input = In(node, 0);
        var permutation = IntsAttribute(node, "perm")?.Select(p => Axis(p, input.Rank, "permutation entry")).ToArray()
            ?? [.. Enumerable.Range(0, input.Rank).Reverse()];
        if (!permutation.Order().SequenceEqual(Enumerable.Range(0, input.Rank)))
        {
            throw Error($"its permutation {string.Join(",", permutation)} does not name each of {input.Rank} axes once");
        }

        var outDims = permutation.Select(p => input.Dims[p]).ToArray();
        if (input.IsConstant)
        {
            Fold(node, outDims, input.Data is { } data ? ConstantTensor.Transpose(data, input.Dims, permutation) : null, input.Origin);
            return;
        }

        if (!input.BatchAxis || permutation[0] == 0)
        {
            var item = input.BatchAxis ? permutation[1..].Select(p => p - 1) : permutation;
            Emit(new TransposeLayer(_node, input.Layer!, [.. item]), Output(node), input.BatchAxis);
            return;
        }

        // The batch moves: at batch 1 it is an axis of extent 1, and moving it moves no value.
        RequireUnitBatch(node, "moves the batch axis");
        Emit(new TransposeLayer(_node, AddUnitAxis(input), [.. permutation]), Output(node), batchAxis: false);
    }

    /// <summary>An item shape with the batch's axis of extent 1 put back in front, so a layer can move it.</summary>
    private string AddUnitAxis(Value input)
    {
        var name = Unused($"{_node}/batch");
        Emit(new ReshapeLayer(name, input.Layer!, [1, .. ItemDims(input)]), "", batchAxis: false);
        return name;
    }

    private void Slice(NodeProto node)
    {
        var input = In(node, 0);
        long[] starts, ends;
        long[]? axes, steps;
        if (node.Input.Count == 1)
        {
            // Before opset 10: attributes.
            starts = IntsAttribute(node, "starts") ?? throw Error("Slice has no starts");
            ends = IntsAttribute(node, "ends") ?? throw Error("Slice has no ends");
            axes = IntsAttribute(node, "axes");
            steps = null;
        }
        else
        {
            starts = KnownInts(node, 1, "starts");
            ends = KnownInts(node, 2, "ends");
            axes = Optional(node, 3) is not null ? KnownInts(node, 3, "axes") : null;
            steps = Optional(node, 4) is not null ? KnownInts(node, 4, "steps") : null;
        }

        axes ??= [.. Enumerable.Range(0, starts.Length).Select(a => (long)a)];
        steps ??= [.. starts.Select(_ => 1L)];
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
        {
            throw Error($"Slice has {starts.Length} starts, {ends.Length} ends, {axes.Length} axes and {steps.Length} steps");
        }

        var ranges = new List<SliceRange>();
        for (var k = 0; k < starts.Length; k++)
        {
            if (steps[k] == 0)
            {
                throw Error("Slice step 0");
            }

            ranges.Add(new SliceRange(Axis(axes[k], input.Rank), starts[k], ends[k], steps[k]));
        }

        SliceValue(node, input, ranges, Output(node), _node);
    }

    private void SliceValue(NodeProto node, Value input, List<SliceRange> ranges, string output, string layerName)
    {
        var outDims = (long[])input.Dims.Clone();
        var resolved = input.Dims.Select((d, i) => (Start: 0L, Count: d, Step: 1L)).ToArray();
        foreach (var range in ranges)
        {
            var extent = (int)input.Dims[range.Axis];
            var count = range.Count(extent);
            outDims[range.Axis] = count;
            var start = range.Start < 0 ? range.Start + extent : range.Start;
            start = range.Step > 0 ? Math.Clamp(start, 0, extent) : Math.Clamp(start, -1, extent - 1L);
            resolved[range.Axis] = (start, count, range.Step);
        }

        if (input.IsConstant)
        {
            var data = input.Data is { } values && outDims.All(d => d > 0) ? ConstantTensor.Slice(values, input.Dims, resolved) : input.Data is null ? null : [];
            DefineConstant(output, outDims, data, input.Origin);
            return;
        }

        if (input.BatchAxis && ranges.Any(r => r.Axis == 0))
        {
            if (ranges.First(r => r.Axis == 0).Count((int)input.Dims[0]) != input.Dims[0])
            {
                throw Error("it slices the batch axis; CnnCost models each item on its own");
            }

            ranges = [.. ranges.Where(r => r.Axis != 0)];
        }

        var item = ranges.Select(r => r with { Axis = input.BatchAxis ? r.Axis - 1 : r.Axis }).ToImmutableArray();
        Emit(new SliceLayer(layerName, input.Layer!, item), output, input.BatchAxis);
    }

    private void Split(NodeProto node)
    {
        var input = In(node, 0);
        var axis = Axis(IntAttribute(node, "axis", 0), input.Rank);
        var parts = node.Output.Count;
        var sizes = IntsAttribute(node, "split") ?? (Optional(node, 1) is not null ? KnownInts(node, 1, "split") : null);
        if (sizes is null)
        {
            var extent = input.Dims[axis];
            var numOutputs = IntAttribute(node, "num_outputs", parts);
            var each = (extent + numOutputs - 1) / numOutputs;
            sizes = [.. Enumerable.Range(0, parts).Select(k => Math.Min(each, extent - k * each))];
        }

        if (sizes.Length != parts || sizes.Sum() != input.Dims[axis] || sizes.Any(s => s < 1))
        {
            throw Error($"Split sizes {string.Join(",", sizes)} do not divide axis {axis} of extent {input.Dims[axis]} into {parts} parts");
        }

        long start = 0;
        for (var k = 0; k < parts; k++)
        {
            var name = k == 0 ? _node : Unused($"{_node}:{k}");
            SliceValue(node, input, [new SliceRange(axis, start, start + sizes[k])], node.Output[k], name);
            start += sizes[k];
        }
    }

    private void Gather(NodeProto node)
    {
        var input = In(node, 0);
        var indices = In(node, 1);
        if (!indices.IsConstant)
        {
            throw Error("Gather with indices computed from activations is not modelled (constant indices only)");
        }

        var axis = Axis(IntAttribute(node, "axis", 0), input.Rank);
        var outDims = input.Dims[..axis].Concat(indices.Dims).Concat(input.Dims[(axis + 1)..]).ToArray();
        if (input.IsConstant)
        {
            var data = input.Data is { } values && indices.Data is { } at ? ConstantTensor.Gather(values, input.Dims, axis, at) : null;
            Fold(node, outDims, data, input.Origin);
            return;
        }

        Emit(new GatherLayer(_node, input.Layer!, ItemAxis(input, axis), Shape.Of([.. indices.Dims.Select(Int)])), Output(node), input.BatchAxis);
    }

    private void Pad(NodeProto node)
    {
        var input = In(node, 0);
        var pads = IntsAttribute(node, "pads") ?? KnownInts(node, 1, "pads");
        var axes = Optional(node, 3) is not null ? KnownInts(node, 3, "axes").Select(a => Axis(a, input.Rank)).ToArray() : [.. Enumerable.Range(0, input.Rank)];
        if (pads.Length != 2 * axes.Length)
        {
            throw Error($"Pad has {pads.Length} pads for {axes.Length} axes");
        }

        var before = new long[input.Rank];
        var after = new long[input.Rank];
        for (var k = 0; k < axes.Length; k++)
        {
            before[axes[k]] = pads[k];
            after[axes[k]] = pads[k + axes.Length];
        }

        if (input.IsConstant)
        {
            FoldUnknown(node, [.. input.Dims.Select((d, i) => d + before[i] + after[i])]);
            return;
        }

        if (input.BatchAxis && (before[0] != 0 || after[0] != 0))
        {
            throw Error("it pads the batch axis; CnnCost models each item on its own");
        }

        var skip = input.BatchAxis ? 1 : 0;
        Emit(new PadLayer(_node, input.Layer!, [.. before[skip..].Select(PadValue)], [.. after[skip..].Select(PadValue)]), Output(node), input.BatchAxis);
    }

    private int PadValue(long pad) =>
        pad is >= int.MinValue and <= int.MaxValue ? (int)pad : throw Error($"the pad {pad} is out of range");

    private void Expand(NodeProto node)
    {
        var input = In(node, 0);
        var target = KnownInts(node, 1, "shape");
        var dims = BroadcastDims(input.Dims, target);
        if (input.IsConstant)
        {
            Fold(node, dims, input.Data is { } data ? ConstantTensor.BroadcastTo(data, input.Dims, dims) : null, input.Origin);
            return;
        }

        if (input.BatchAxis && dims.Length == input.Rank && dims[0] == input.Dims[0])
        {
            Emit(new ExpandLayer(_node, input.Layer!, [.. dims[1..].Select(Int)]), Output(node), batchAxis: true);
            return;
        }

        throw Error("Expand that changes the batch or the rank of an activation is not modelled");
    }

    private void Tile(NodeProto node)
    {
        var input = In(node, 0);
        var repeats = KnownInts(node, 1, "repeats");
        if (repeats.Length != input.Rank)
        {
            throw Error($"Tile has {repeats.Length} repeats for a tensor of rank {input.Rank}");
        }

        var dims = input.Dims.Select((d, i) => d * repeats[i]).ToArray();
        if (input.IsConstant)
        {
            FoldUnknown(node, dims);
            return;
        }

        if (input.BatchAxis && repeats[0] != 1)
        {
            throw Error("it repeats the batch; CnnCost models each item on its own");
        }

        Emit(new ExpandLayer(_node, input.Layer!, [.. repeats[(input.BatchAxis ? 1 : 0)..].Select(Int)], Repeat: true), Output(node), input.BatchAxis);
    }

    /// <summary>Resize and Upsample: scales or sizes, on the height and width of an image (the batch and channels kept).</summary>
    private void Resize(NodeProto node)
    {
        var input = Image(node, 0);
        var mode = TextAttribute(node, "mode", "nearest") switch
        {
            "nearest" => ResizeMode.Nearest,
            "linear" or "bilinear" => ResizeMode.Linear,
            "cubic" => ResizeMode.Cubic,
            var other => throw Error($"resize mode '{other}' is not an ONNX mode"),
        };
        double[]? scales;
        long[]? sizes = null;
        if (node.OpType == "Upsample")
        {
            scales = Attribute(node, "scales") is { } a ? [.. a.Floats.Select(f => (double)f)] : Known(node, 1, "scales");
        }
        else
        {
            // Opset 10: (X, scales); 11 on: (X, roi, scales, sizes), any of them empty.
            var scalesIndex = node.Input.Count == 2 ? 1 : 2;
            scales = Optional(node, scalesIndex) is { Dims.Length: > 0 } s && ConstantTensor.Count(s.Dims) > 0 ? Known(node, scalesIndex, "scales") : null;
            sizes = Optional(node, 3) is { } z && ConstantTensor.Count(z.Dims) > 0 ? KnownInts(node, 3, "sizes") : null;
        }

        Layer layer;
        if (sizes is { Length: 4 })
        {
            if (sizes[0] != input.Dims[0] || sizes[1] != input.Dims[1])
            {
                throw Error($"Resize to {string.Join("x", sizes)} changes the batch or the channels of {string.Join("x", input.Dims)}");
            }

            layer = new ResizeLayer(_node, input.Layer!, mode, new Size2(Int(sizes[2]), Int(sizes[3])));
        }
        else if (scales is { Length: 4 })
        {
            if (scales[0] != 1 || scales[1] != 1)
            {
                throw Error($"Resize scales {string.Join(",", scales)} change the batch or the channels");
            }

            layer = new ResizeLayer(_node, input.Layer!, mode, null, scales[2], scales[3]);
        }
        else
        {
            throw Error("Resize needs 4 scales or 4 sizes (N, C, H, W)");
        }

        Emit(layer, Output(node), batchAxis: true);
    }

    private void Alias(NodeProto node)
    {
        var first = In(node, 0);
        // Exporters share equal initializers through Identity nodes: each output is a tensor of its own in the model,
        // so a learned one counts again.
        Define(Output(node), first.Origin is not null ? first with { Origin = Output(node) } : first);
    }

    private void Cast(NodeProto node)
    {
        var input = In(node, 0);
        var to = IntAttribute(node, "to", 1);
        if (input.IsConstant && input.Data is { } data && to is 6 or 7 or 2 or 3 or 4 or 5 or 9 or 12 or 13)
        {
            // To an integer type: truncated toward zero.
            Define(Output(node), input with { Data = [.. data.Select(v => (double)ConstantTensor.ToInt64(v))] });
            return;
        }

        Define(Output(node), input);
    }

    // --- Shape computations ---------------------------------------------------------------------------------------

    private void ShapeOf(NodeProto node)
    {
        var input = In(node, 0);
        var dims = input.Dims.Select(d => (double)d).ToArray();
        var start = IntAttribute(node, "start", 0);
        var end = IntAttribute(node, "end", dims.Length);
        var from = (int)Math.Clamp(start < 0 ? start + dims.Length : start, 0, dims.Length);
        var to = (int)Math.Clamp(end < 0 ? end + dims.Length : end, 0, dims.Length);
        var taken = to > from ? dims[from..to] : [];
        DefineConstant(Output(node), [taken.Length], taken, null);
    }

    private void SizeOf(NodeProto node)
    {
        var input = In(node, 0);
        DefineConstant(Output(node), [], [ConstantTensor.Count(input.Dims)], null);
    }

    private void ConstantNode(NodeProto node)
    {
        var attribute = node.Attribute.FirstOrDefault() ?? throw Error("Constant has no value");
        switch (attribute.Name)
        {
            case "value":
                DefineConstant(Output(node), [.. attribute.T.Dims], ConstantTensor.Values(attribute.T), null);
                return;
            case "value_float":
                DefineConstant(Output(node), [], [attribute.F], null);
                return;
            case "value_int":
                DefineConstant(Output(node), [], [ConstantTensor.Saturate(attribute.I)], null);
                return;
            case "value_floats":
                DefineConstant(Output(node), [attribute.Floats.Count], [.. attribute.Floats.Select(f => (double)f)], null);
                return;
            case "value_ints":
                DefineConstant(Output(node), [attribute.Ints.Count], [.. attribute.Ints.Select(ConstantTensor.Saturate)], null);
                return;
            default:
                throw Error($"Constant with a '{attribute.Name}' value is not modelled");
        }
    }

    private void ConstantOfShape(NodeProto node)
    {
        var dims = KnownInts(node, 0, "shape");
        if (dims.Any(d => d < 0))
        {
            throw Error($"ConstantOfShape of a negative extent ({string.Join(",", dims)})");
        }

        var value = Attribute(node, "value")?.T is { } t && ConstantTensor.Values(t) is [var v] ? v : 0;
        var count = ConstantTensor.Count(dims);
        DefineConstant(Output(node), dims, count <= ConstantTensor.MaxValues ? Enumerable.Repeat(value, (int)count).ToArray() : null, null);
    }

    private void Range(NodeProto node)
    {
        var start = Known(node, 0, "start") is [var s] ? s : throw Error("Range start is not a scalar");
        var limit = Known(node, 1, "limit") is [var l] ? l : throw Error("Range limit is not a scalar");
        var delta = Known(node, 2, "delta") is [var d] && d != 0 ? d : throw Error("Range delta is not a non-zero scalar");
        var count = Math.Max(0, (long)Math.Ceiling((limit - start) / delta));
        if (count > ConstantTensor.MaxValues)
        {
            throw Error($"Range of {count} values is larger than CnnCost evaluates");
        }

        DefineConstant(Output(node), [count], [.. Enumerable.Range(0, (int)count).Select(i => start + i * delta)], null);
    }

    private void ScatterNd(NodeProto node)
    {
        var data = In(node, 0);
        var indices = In(node, 1);
        var updates = In(node, 2);
        if (!data.IsConstant || !indices.IsConstant || !updates.IsConstant)
        {
            throw Error("ScatterND on activations is not modelled (only on constants, in shape computations)");
        }

        double[]? result = null;
        if (data.Data is { } values && indices.Data is { } at && updates.Data is { } with && indices.Dims.Length >= 1)
        {
            result = (double[])values.Clone();
            var depth = (int)indices.Dims[^1];
            var strides = ConstantTensor.Strides(data.Dims);
            var slice = ConstantTensor.Count(data.Dims[depth..]);
            for (long u = 0; u < at.Length / depth; u++)
            {
                long offset = 0;
                for (var k = 0; k < depth; k++)
                {
                    var index = ConstantTensor.ToInt64(at[u * depth + k]);
                    offset += (index < 0 ? index + data.Dims[k] : index) * strides[k];
                }

                Array.Copy(with, u * slice, result, offset, slice);
            }
        }

        Fold(node, data.Dims, result);
    }

    // --- Constants ------------------------------------------------------------------------------------------------

    private void FoldBinary(NodeProto node, Value[] operands, ElementwiseOperation operation)
    {
        var dims = operands.Select(o => o.Dims).Aggregate(BroadcastDims);
        double[]? data = null;
        if (operands.All(o => o.Data is not null) && ConstantTensor.CountOrMore(dims) <= ConstantTensor.MaxValues)
        {
            data = ConstantTensor.BroadcastTo(operands[0].Data!, operands[0].Dims, dims)!;
            foreach (var operand in operands.Skip(1))
            {
                var other = ConstantTensor.BroadcastTo(operand.Data!, operand.Dims, dims)!;
                for (var i = 0; i < data.Length; i++)
                {
                    data[i] = operation switch
                    {
                        ElementwiseOperation.Sum => data[i] + other[i],
                        ElementwiseOperation.Subtract => data[i] - other[i],
                        ElementwiseOperation.Product => data[i] * other[i],
                        ElementwiseOperation.Divide => IntegerDivision(operands) ? Math.Floor(data[i] / other[i]) : data[i] / other[i],
                        ElementwiseOperation.Power => Math.Pow(data[i], other[i]),
                        ElementwiseOperation.Max => Math.Max(data[i], other[i]),
                        _ => Math.Min(data[i], other[i]),
                    };
                }
            }
        }

        Fold(node, dims, data, operands.Select(o => o.Origin).FirstOrDefault(o => o is not null));
    }

    /// <summary>Shape arithmetic divides integers: every operand whole (sizes, never learned values).</summary>
    private static bool IntegerDivision(Value[] operands) =>
        operands.All(o => o.Origin is null && o.Data!.All(v => v == Math.Floor(v)));

    private long[] BroadcastDims(long[] a, long[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var dims = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i - (rank - a.Length) is var ia and >= 0 ? a[ia] : 1;
            var y = i - (rank - b.Length) is var ib and >= 0 ? b[ib] : 1;
            dims[i] = x == y || y == 1 ? x : x == 1 ? y : throw Error($"shapes {string.Join("x", a)} and {string.Join("x", b)} do not broadcast");
        }

        return dims;
    }

    private void Fold(NodeProto node, long[] dims, double[]? data, string? origin = null)
    {
        if (node.Output.Count != 1 && node.OpType != "Dropout")
        {
            throw Error($"{node.OpType} with {node.Output.Count} outputs is not modelled");
        }

        DefineConstant(Output(node), dims, data, origin);
    }

    private void FoldUnknown(NodeProto node, long[] dims) => Fold(node, dims, null);

    private void DefineConstant(string output, long[] dims, double[]? data, string? origin)
    {
        if (dims.Any(d => d < 0))
        {
            throw Error($"a constant would have a negative extent ({string.Join("x", dims)})");
        }

        Define(output, new Value(null, dims, false, data, origin));
    }

    // --- Helpers --------------------------------------------------------------------------------------------------

    private static string Output(NodeProto node) => node.Output.Count > 0 ? node.Output[0] : "";

    private void FirstUseOptional(NodeProto node, int index)
    {
        if (Optional(node, index) is { IsConstant: true } value)
        {
            FirstUse(value);
        }
    }

    /// <summary>An image activation: batch on axis 0, one item <c>channels x height x width</c>.</summary>
    private Value Image(NodeProto node, int index)
    {
        var value = In(node, index);
        if (value.IsConstant)
        {
            throw Error($"{node.OpType} input '{node.Input[index]}' is a constant where CnnCost expects an activation");
        }

        if (!value.BatchAxis || value.Rank != 4)
        {
            throw Error($"{node.OpType} needs an N x C x H x W image, but '{node.Input[index]}' is {string.Join("x", value.Dims)}");
        }

        return value;
    }

    /// <summary>Two activations whose batch axes agree; one without its batch axis is given one of extent 1 when it must be.</summary>
    private (string Left, string Right) Aligned(NodeProto node, Value a, Value b)
    {
        var both = AlignedAll(node, [a, b]);
        return (both[0], both[1]);
    }

    private string[] AlignedAll(NodeProto node, Value[] values)
    {
        if (values.All(v => v.BatchAxis == values[0].BatchAxis))
        {
            return [.. values.Select(v => v.Layer!)];
        }

        // Mixed: at batch 1, a value that dropped its batch axis gets it back as an axis of extent 1.
        RequireUnitBatch(node, "mixes activations whose batch axes differ");
        return [.. values.Select(v => v.BatchAxis ? AddUnitAxis(v) : v.Layer!)];
    }

    /// <summary>
    /// The padding of a window: ONNX <c>pads</c> as begin and end per axis, or <c>auto_pad</c> SAME, whose total
    /// <c>(⌈in/stride⌉ − 1)·stride + dilation·(kernel − 1) + 1 − in</c> goes half to each side, the odd one after the
    /// input for SAME_UPPER and before it for SAME_LOWER (ONNX operator docs, Conv).
    /// </summary>
    private Padding Padding(NodeProto node, string source, Size2 kernel, Size2 stride, Size2 dilation)
    {
        var autoPad = TextAttribute(node, "auto_pad", "NOTSET");
        var input = _shapes[source];
        switch (autoPad)
        {
            case "NOTSET" or "":
                var pads = IntsAttribute(node, "pads")?.Select(Int).ToArray() ?? [0, 0, 0, 0];
                if (pads.Length != 4)
                {
                    throw Error($"pads has {pads.Length} values, expected 4");
                }

                return new Padding(new Size2(pads[0], pads[1]), new Size2(pads[2], pads[3]));
            case "VALID":
                return new Size2(0, 0);
            case "SAME_UPPER" or "SAME_LOWER":
                var upper = autoPad == "SAME_UPPER";
                var (top, bottom) = Same(input.Height, kernel.Height, stride.Height, dilation.Height, upper);
                var (left, right) = Same(input.Width, kernel.Width, stride.Width, dilation.Width, upper);
                return new Padding(new Size2(top, left), new Size2(bottom, right));
            default:
                throw Error($"auto_pad '{autoPad}' is not an ONNX padding mode");
        }
    }

    private (int Begin, int End) Same(int input, int kernel, int stride, int dilation, bool extraAtEnd)
    {
        if (stride < 1 || kernel < 1 || dilation < 1)
        {
            throw Error($"auto_pad SAME needs a positive kernel, stride and dilation, got kernel {kernel}, stride {stride}, dilation {dilation}");
        }

        var output = ((long)input + stride - 1) / stride;
        var total = Math.Max(0, (output - 1) * stride + ((long)dilation * (kernel - 1) + 1) - input);
        if (total > int.MaxValue)
        {
            throw Error($"auto_pad SAME needs {total} padding, more than 2^31-1");
        }

        var (small, large) = ((int)(total / 2), (int)(total - total / 2));
        return extraAtEnd ? (small, large) : (large, small);
    }

    private Size2 Pair(NodeProto node, string name, int? defaultValue, Size2? defaultPair = null)
    {
        var values = IntsAttribute(node, name)?.Select(Int).ToArray();
        return values switch
        {
            null when defaultPair is { } p => p,
            null when defaultValue is { } d => d,
            null => throw Error($"{node.OpType} has no '{name}'"),
            { Length: 2 } => new Size2(values[0], values[1]),
            _ => throw Error($"'{name}' has {values.Length} values; CnnCost models 2-D layers"),
        };
    }
}
