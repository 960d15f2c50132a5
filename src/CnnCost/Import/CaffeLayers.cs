using System.Collections.Immutable;
using CnnCost.Graph;

namespace CnnCost.Import;

// Caffe layer types beyond BVLC's classic set, as published deploy files use them (SENet, MobileNet, ShuffleNet, SSD,
// PSPNet/DeepLab, FCN). Each is mapped onto the graph's layer kinds, so its cost comes from the existing equations.
// Caffe's axes count the batch (axis 0); the graph's count one item's axes, so a Caffe axis a is the graph's a − 1.
public static partial class CaffeImporter
{
    /// <summary>The types mapped here: their attribute errors name the layer as well as the line.</summary>
    private static readonly HashSet<string> TensorTypes = new(StringComparer.Ordinal)
    {
        "Deconvolution", "ConvolutionDepthwise", "DepthwiseConvolution", "Axpy", "Scale", "ShuffleChannel", "Slice", "Reshape", "Flatten",
        "Permute", "Power", "Swish", "Interp", "Upsample", "Crop", "Normalize", "PriorBox", "DetectionOutput",
    };

    /// <summary>Every layer type the importer reads (the README lists them; a test keeps the two equal).</summary>
    internal static IEnumerable<string> SupportedTypes =>
    [
        "Input", "Data", "Convolution", "Pooling", "InnerProduct", "ReLU", "ReLU6", "PReLU", "Sigmoid", "TanH", "Dropout", "LRN",
        "BatchNorm", "Concat", "Eltwise", "Softmax", "SoftmaxWithLoss", "Split", "Accuracy", "Silence", .. TensorTypes,
    ];

    private sealed partial class Builder
    {
        private Shape ShapeOf(string layer) => _shapeOfLayer[layer];

        /// <summary>
        /// The graph axis of a Caffe <c>axis</c> field (default <paramref name="defaultAxis"/>): negative values count
        /// from the end of the blob (batch included); the batch axis itself is refused.
        /// </summary>
        private int ItemAxis(ProtoTextField? field, int defaultAxis, Shape input, string layer, int line)
        {
            var rank = input.Rank + 1;
            var axis = field is null ? defaultAxis : Int(field, field.Name, -rank);
            var resolved = axis < 0 ? axis + rank : axis;
            if (resolved >= rank)
            {
                throw Error(field?.Line ?? line, $"layer '{layer}': axis {axis} is outside its {rank}-axis bottom (N x {input})");
            }

            return resolved >= 1
                ? resolved - 1
                : throw Error(field?.Line ?? line, $"layer '{layer}': axis {axis} is the batch axis; CnnCost models each item on its own");
        }

        private Layer Deconvolution(ProtoTextMessage message, string name, string bottom)
        {
            // Caffe's deconvolution output: stride·(in − 1) + dilation·(kernel − 1) + 1 − 2·pad, ONNX's rule without output padding.
            var p = Param(message, "convolution_param") ?? throw Error(message.Line, $"Deconvolution layer '{name}' needs convolution_param {{ num_output: N kernel_size: K }}");
            return new DeconvolutionLayer(name, bottom, IntField(p, "num_output", null, 1), Window(p, "kernel", null, 1), Window(p, "stride", 1, 1),
                Window(p, "pad", 0, 0), IntField(p, "group", 1, 1), Window(p, "dilation", 1, 1), BoolField(p, "bias_term", true));
        }

        /// <summary>
        /// A Scale that is not batch norm's γ and β. With one bottom: a learned factor per entry of
        /// <c>bottom.shape[axis, axis + num_axes)</c> (per channel by default) and a learned shift when <c>bias_term</c>.
        /// With two bottoms (SENet's excitation): the second bottom's values multiply the first, its shape matching the
        /// first's from <c>axis</c> on (Caffe's ScaleLayer rule).
        /// </summary>
        private void AddScale(ProtoTextMessage message, string name, string[] sources, string[] tops, int line)
        {
            var p = Param(message, "scale_param");
            var input = ShapeOf(sources[0]);
            var axis = ItemAxisOrBatch(p?.Last("axis"), input, name, line);
            var hasBias = p is not null && BoolField(p, "bias_term", false);
            if (sources.Length > 2)
            {
                throw Error(line, $"Scale layer '{name}' has {sources.Length} bottoms; Caffe's Scale takes one or two");
            }

            string product;
            var last = hasBias ? $"{name}/scale" : name;
            Shape factor;
            if (sources.Length == 2)
            {
                // The scale blob is N x s: its batch meets the first bottom's batch only when axis is 0.
                var scale = ShapeOf(sources[1]);
                if (axis != -1)
                {
                    throw Error(line, $"Scale layer '{name}' aligns its scale blob (N x {scale}) at axis {axis + 1}, which puts the scale's batch on a data axis; CnnCost models a two-bottom Scale with axis 0");
                }

                if (scale.Rank > input.Rank || !scale.Dimensions.SequenceEqual(input.Dimensions.Take(scale.Rank)))
                {
                    throw Error(line, $"Scale layer '{name}': its scale blob N x {scale} does not match the leading axes of its input N x {input}");
                }

                factor = Shape.Of([.. scale.Dimensions, .. Enumerable.Repeat(1, input.Rank - scale.Rank)]);
                var operand = Broadcastable(sources[1], scale, input.Rank, $"{name}/broadcast", line);
                Register(new ElementwiseLayer(last, [sources[0], operand], ElementwiseOperation.Product), line, hasBias ? [] : tops);
                product = last;
            }
            else
            {
                if (axis < 0)
                {
                    throw Error(line, $"Scale layer '{name}': axis 0 would scale the batch; CnnCost models each item on its own");
                }

                var numAxes = p?.Last("num_axes") is { } n ? Int(n, "num_axes", -1) : 1;
                var end = numAxes == -1 ? input.Rank : axis + numAxes;
                if (end > input.Rank)
                {
                    throw Error(p!.Last("num_axes")!.Line, $"Scale layer '{name}': num_axes {numAxes} from axis {axis + 1} runs past its input N x {input}");
                }

                factor = Factor(input, axis, end);
                Register(new ElementwiseLayer(last, [sources[0]], ElementwiseOperation.Product, factor, ConstantIsParameter: true), line, hasBias ? [] : tops);
                product = last;
            }

            if (hasBias)
            {
                Register(new ElementwiseLayer(name, [product], ElementwiseOperation.Sum, factor, ConstantIsParameter: true), line, tops);
            }
        }

        /// <summary>A Caffe axis that may be the batch: −1 for the batch, the graph's axis otherwise.</summary>
        private int ItemAxisOrBatch(ProtoTextField? field, Shape input, string layer, int line)
        {
            var rank = input.Rank + 1;
            var axis = field is null ? 1 : Int(field, field.Name, -rank);
            var resolved = axis < 0 ? axis + rank : axis;
            return resolved < rank
                ? resolved - 1
                : throw Error(field!.Line, $"layer '{layer}': axis {axis} is outside its {rank}-axis bottom (N x {input})");
        }

        /// <summary>The extents of <paramref name="input"/> on axes [start, end) followed by 1s to its last axis, so it broadcasts against it.</summary>
        private static Shape Factor(Shape input, int start, int end)
        {
            var dims = new int[input.Rank - start];
            for (var i = 0; i < dims.Length; i++)
            {
                dims[i] = start + i < end ? input[start + i] : 1;
            }

            return new Shape(dims);
        }

        /// <summary>
        /// <paramref name="source"/> (shape <paramref name="shape"/>, aligned with the leading axes of a tensor of
        /// <paramref name="rank"/>) as an operand that broadcasts with NumPy's trailing alignment: reshaped with 1s
        /// appended when it is shorter.
        /// </summary>
        private string Broadcastable(string source, Shape shape, int rank, string reshapeName, int line)
        {
            if (shape.Rank == rank)
            {
                return source;
            }

            var target = new int[rank];
            for (var i = 0; i < rank; i++)
            {
                target[i] = i < shape.Rank ? shape[i] : 1;
            }

            Register(new ReshapeLayer(reshapeName, source, [.. target]), line, []);
            return reshapeName;
        }

        /// <summary>Maps the layer types that act on tensors; <see langword="false"/> when <paramref name="type"/> is not one of them.</summary>
        private bool AddTensorLayer(ProtoTextMessage message, string type, string name, int bottomCount, Func<int, string> bottom, string[] tops, int line)
        {
            string[] Top() => tops.Length > 0 ? tops : throw Error(line, $"layer '{name}' ({type}) has no top blob");
            switch (type)
            {
                case "Axpy":
                    AddAxpy(name, bottom(0), bottom(1), bottom(2), Top(), line);
                    return true;
                case "ShuffleChannel":
                    AddShuffleChannel(message, name, bottom(0), Top(), line);
                    return true;
                case "Slice":
                    AddSlice(message, name, bottom(0), Top(), line);
                    return true;
                case "Reshape":
                    var reshapeInput = bottom(0);
                    Register(new ReshapeLayer(name, reshapeInput, ReshapeTarget(message, name, ShapeOf(reshapeInput), line)), line, Top());
                    return true;
                case "Flatten":
                    var flattenInput = bottom(0);
                    Register(new ReshapeLayer(name, flattenInput, FlattenTarget(message, name, ShapeOf(flattenInput), line)), line, Top());
                    return true;
                case "Permute":
                    var permuteInput = bottom(0);
                    Register(new TransposeLayer(name, permuteInput, Permutation(message, name, ShapeOf(permuteInput), line)), line, Top());
                    return true;
                case "Power":
                    AddPower(message, name, bottom(0), Top(), line);
                    return true;
                case "Swish":
                    // x·sigmoid(βx): an activation, one operation per value like every activation (β is a constant).
                    Register(new ActivationLayer(name, bottom(0), ActivationFunction.SiLU), line, Top());
                    return true;
                case "Interp":
                    var interpInput = bottom(0);
                    Register(new ResizeLayer(name, interpInput, ResizeMode.Linear, InterpSize(message, name, ShapeOf(interpInput), line)), line, Top());
                    return true;
                case "Upsample":
                    Register(Upsample(message, name, bottom(0)), line, Top());
                    return true;
                case "Crop":
                    var cropInput = bottom(0);
                    Register(new SliceLayer(name, cropInput, CropRanges(message, name, ShapeOf(cropInput), ShapeOf(bottom(1)), line)), line, Top());
                    return true;
                case "Normalize":
                    AddNormalize(message, name, bottom(0), Top(), line);
                    return true;
                case "PriorBox":
                    // The priors depend on the shapes of the feature map and the image only, never on their values.
                    var feature = bottom(0);
                    Register(new ConstantLayer(name, feature, PriorBoxShape(message, name, ShapeOf(feature), line), IsParameter: false), line, Top());
                    return true;
                case "DetectionOutput":
                    AddDetectionOutput(message, name, bottomCount, bottom, Top(), line);
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// An unsupported type: an error, or with <see cref="CaffeImportOptions.SkipUnsupported"/> a layer of no cost
        /// where its output shape is known: an in-place layer's top is its bottom, so it keeps its bottom's shape.
        /// </summary>
        private void Unsupported(string type, string name, string[] bottoms, string[] tops, Func<int, string> bottom, int line)
        {
            var reason = $"layer '{name}' has type {type}, which CnnCost does not model";
            if (!options.SkipUnsupported)
            {
                throw Error(line, reason);
            }

            if (bottoms.Length != 1 || tops.Length != 1 || tops[0] != bottoms[0])
            {
                throw Error(line, $"{reason}; it is not in place (one top equal to its one bottom), so its output shape is unknown and it cannot be skipped");
            }

            var source = bottom(0);
            Register(new SkippedLayer(name, [source], ShapeOf(source), type), line, tops);
            _skipped.Add(new SkippedNode(name, type, $"type {type} is not supported"));
            _notes.Add($"line {line}: {reason}; skipped at no cost as in place (its output keeps its input's shape)");
        }

        /// <summary>
        /// SENet's Axpy: <c>a·x + y</c> with <c>a</c> one factor per channel (N x C x 1 x 1, or N x C). Two element-wise
        /// layers: the product, broadcast over the positions, and the sum.
        /// </summary>
        private void AddAxpy(string name, string a, string x, string y, string[] tops, int line)
        {
            var (scale, input, addend) = (ShapeOf(a), ShapeOf(x), ShapeOf(y));
            if (input != addend)
            {
                throw Error(line, $"Axpy layer '{name}': its second and third bottoms differ in shape: N x {input} and N x {addend}");
            }

            if (scale.Rank == 0 || scale[0] != input.Channels || scale.Dimensions.Skip(1).Any(d => d != 1) || scale.Rank > input.Rank)
            {
                throw Error(line, $"Axpy layer '{name}': its first bottom N x {scale} is not one factor per channel of its input N x {input}");
            }

            var factor = Broadcastable(a, scale, input.Rank, $"{name}/broadcast", line);
            Register(new ElementwiseLayer($"{name}/scale", [x, factor], ElementwiseOperation.Product), line, []);
            Register(new ElementwiseLayer(name, [$"{name}/scale", y], ElementwiseOperation.Sum), line, tops);
        }

        /// <summary>
        /// ShuffleNet's channel shuffle: C channels in <c>group</c> groups become C/group groups of <c>group</c>; a
        /// reshape to group x C/group x …, a transpose of those two axes and a reshape back, moving data at no arithmetic.
        /// </summary>
        private void AddShuffleChannel(ProtoTextMessage message, string name, string source, string[] tops, int line)
        {
            var p = Param(message, "shuffle_channel_param");
            var group = p is null ? 1 : IntField(p, "group", 1, 1);
            var input = ShapeOf(source);
            if (input.Rank == 0)
            {
                throw Error(line, $"ShuffleChannel layer '{name}': its input is a scalar, with no channels to shuffle");
            }

            if (input.Channels % group != 0)
            {
                throw Error(p?.Last("group")?.Line ?? line, $"ShuffleChannel layer '{name}': group {group} does not divide its {input.Channels} channels");
            }

            var split = new int[input.Rank + 1];
            split[0] = group;
            split[1] = input.Channels / group;
            for (var i = 1; i < input.Rank; i++)
            {
                split[i + 1] = input[i];
            }

            var permutation = Enumerable.Range(0, split.Length).ToArray();
            (permutation[0], permutation[1]) = (1, 0);
            Register(new ReshapeLayer($"{name}/split", source, [.. split]), line, []);
            Register(new TransposeLayer($"{name}/transpose", $"{name}/split", [.. permutation]), line, []);
            Register(new ReshapeLayer(name, $"{name}/transpose", input.Dimensions), line, tops);
        }

        /// <summary>
        /// Caffe's Slice: one top per part of <c>axis</c> (default 1), cut at the strictly increasing
        /// <c>slice_point</c> values, or into equal parts when none are given. Each part is a slice layer.
        /// </summary>
        private void AddSlice(ProtoTextMessage message, string name, string source, string[] tops, int line)
        {
            var p = Param(message, "slice_param");
            var input = ShapeOf(source);
            var axis = ItemAxis(p?.Last("axis") ?? p?.Last("slice_dim"), 1, input, name, line);
            var extent = input[axis];
            var points = p is null ? [] : p.All("slice_point").ToArray();
            var cuts = new long[tops.Length + 1];
            cuts[tops.Length] = extent;
            if (points.Length > 0)
            {
                if (points.Length != tops.Length - 1)
                {
                    throw Error(points[0].Line, $"Slice layer '{name}' has {points.Length} slice_point values for {tops.Length} tops; it needs {tops.Length - 1}");
                }

                for (var k = 0; k < points.Length; k++)
                {
                    cuts[k + 1] = Int(points[k], "slice_point", 1);
                    if (cuts[k + 1] <= cuts[k] || cuts[k + 1] >= extent)
                    {
                        throw Error(points[k].Line, $"Slice layer '{name}': slice_point {cuts[k + 1]} must be above the previous cut ({cuts[k]}) and below axis {axis + 1}'s extent {extent}");
                    }
                }
            }
            else if (extent % tops.Length != 0)
            {
                throw Error(line, $"Slice layer '{name}' gives no slice_point, and its {tops.Length} tops do not divide axis {axis + 1}'s extent {extent} equally");
            }
            else
            {
                for (var k = 1; k < tops.Length; k++)
                {
                    cuts[k] = (long)extent / tops.Length * k;
                }
            }

            for (var k = 0; k < tops.Length; k++)
            {
                // The first part keeps the layer's name; the others are named as ONNX's extra outputs are (name:k).
                Register(new SliceLayer(k == 0 ? name : $"{name}:{k}", source, [new SliceRange(axis, cuts[k], cuts[k + 1])]), line, [tops[k]]);
            }
        }

        /// <summary>
        /// Caffe's Reshape: <c>shape</c> replaces the bottom's axes [axis, axis + num_axes) (all of them by default);
        /// 0 copies the bottom's extent at that position, one −1 takes what is left. The batch may only be kept.
        /// </summary>
        private ImmutableArray<int> ReshapeTarget(ProtoTextMessage message, string name, Shape input, int line)
        {
            var p = Param(message, "reshape_param") ?? throw Error(line, $"Reshape layer '{name}' needs reshape_param {{ shape {{ dim … }} }}");
            var shapeField = p.Last("shape") ?? throw Error(p.Line, $"Reshape layer '{name}' needs reshape_param {{ shape {{ dim … }} }}");
            var spec = (shapeField.Message ?? throw Error(shapeField.Line, "'shape' must be a message")).All("dim").Select(d => Int(d, "dim", -1)).ToArray();
            var bottom = new int[input.Rank + 1];
            bottom[0] = _fileBatch ?? 1;
            input.Dimensions.CopyTo(bottom, 1);
            var axisField = p.Last("axis");
            var axis = axisField is null ? 0 : Int(axisField, "axis", -bottom.Length - 1);
            var start = axis < 0 ? axis + bottom.Length + 1 : axis;
            var numAxes = p.Last("num_axes") is { } n ? Int(n, "num_axes", -1) : -1;
            var end = numAxes == -1 ? bottom.Length : start + numAxes;
            if (start > bottom.Length || end > bottom.Length)
            {
                throw Error(axisField?.Line ?? p.Line, $"Reshape layer '{name}': axis {axis} and num_axes {numAxes} are outside its {bottom.Length}-axis bottom (N x {input})");
            }

            if (spec.Count(d => d == -1) > 1)
            {
                throw Error(shapeField.Line, $"Reshape layer '{name}': at most one dim may be -1, got {string.Join(",", spec)}");
            }

            var full = new List<int>(bottom[..start]);
            for (var i = 0; i < spec.Length; i++)
            {
                full.Add(spec[i] != 0 ? spec[i]
                    : start + i < end ? bottom[start + i]
                    : throw Error(shapeField.Line, $"Reshape layer '{name}': dim {i} is 0 (copy), but its bottom N x {input} has no axis {start + i} to copy"));
            }

            full.AddRange(bottom[end..]);
            if (start == 0 && spec.Length == 0 && end > 0)
            {
                throw Error(shapeField.Line, $"Reshape layer '{name}' removes the batch axis; CnnCost models each item on its own (use dim: 0 to keep it)");
            }
            if (start == 0 && spec.Length > 0 && spec[0] != 0)
            {
                // The first dim is the batch's: kept when it is the file's batch, or −1 when the rest holds one item.
                var rest = full.Skip(1).ToArray();
                var keepsBatch = spec[0] == bottom[0] || (spec[0] == -1 && rest.All(d => d > 0) && rest.Aggregate(1L, (x, d) => checked(x * d)) == input.Elements);
                if (!keepsBatch)
                {
                    throw Error(shapeField.Line, $"Reshape layer '{name}' changes the batch axis (first dim {spec[0]}); CnnCost models each item on its own (use dim: 0 to keep it)");
                }
            }

            return [.. full.Skip(1)];
        }

        /// <summary>Caffe's Flatten: axes [axis, end_axis] (1 and −1 by default) become one; the batch stays.</summary>
        private ImmutableArray<int> FlattenTarget(ProtoTextMessage message, string name, Shape input, int line)
        {
            var p = Param(message, "flatten_param");
            var first = ItemAxis(p?.Last("axis"), 1, input, name, line);
            var last = ItemAxis(p?.Last("end_axis"), -1, input, name, line);
            if (last < first)
            {
                throw Error(p?.Line ?? line, $"Flatten layer '{name}': end_axis {last + 1} is before axis {first + 1}");
            }

            var dims = new List<int>(input.Dimensions.Take(first));
            long joined = 1;
            for (var i = first; i <= last; i++)
            {
                joined = checked(joined * input[i]);
            }

            dims.Add(joined <= int.MaxValue ? (int)joined : throw Error(line, $"Flatten layer '{name}': {joined} values on one axis exceed 2^31-1"));
            dims.AddRange(input.Dimensions.Skip(last + 1));
            return [.. dims];
        }

        /// <summary>SSD's Permute: <c>order</c> lists the bottom's axes (batch first); axes it leaves out follow in order.</summary>
        private ImmutableArray<int> Permutation(ProtoTextMessage message, string name, Shape input, int line)
        {
            var p = Param(message, "permute_param");
            var rank = input.Rank + 1;
            var order = new List<int>();
            foreach (var field in p is null ? [] : p.All("order"))
            {
                var axis = Int(field, "order", 0);
                if (axis >= rank || order.Contains(axis))
                {
                    throw Error(field.Line, $"Permute layer '{name}': order {axis} is {(axis >= rank ? $"outside its {rank}-axis bottom (N x {input})" : "repeated")}");
                }

                order.Add(axis);
            }

            order.AddRange(Enumerable.Range(0, rank).Where(a => !order.Contains(a)));
            return order[0] == 0
                ? [.. order.Skip(1).Select(a => a - 1)]
                : throw Error(p?.Line ?? line, $"Permute layer '{name}' moves the batch axis (order starts with {order[0]}); CnnCost models each item on its own");
        }

        /// <summary>
        /// Caffe's Power, <c>(shift + scale·x)^power</c>: an element-wise layer for each step that is not the identity
        /// (scale ≠ 1, shift ≠ 0, power ≠ 1), each with its constant; all three identities make it a copy (a reshape to the same shape).
        /// </summary>
        private void AddPower(ProtoTextMessage message, string name, string source, string[] tops, int line)
        {
            var p = Param(message, "power_param");
            var steps = new List<(string Suffix, ElementwiseOperation Operation)>();
            if (p is not null && DoubleField(p, "scale", 1) != 1)
            {
                steps.Add(("scale", ElementwiseOperation.Product));
            }

            if (p is not null && DoubleField(p, "shift", 0) != 0)
            {
                steps.Add(("shift", ElementwiseOperation.Sum));
            }

            if (p is not null && DoubleField(p, "power", 1) != 1)
            {
                steps.Add(("power", ElementwiseOperation.Power));
            }

            if (steps.Count == 0)
            {
                Register(new ReshapeLayer(name, source, ShapeOf(source).Dimensions), line, tops);
                return;
            }

            var previous = source;
            for (var i = 0; i < steps.Count; i++)
            {
                var layerName = i == steps.Count - 1 ? name : $"{name}/{steps[i].Suffix}";
                Register(new ElementwiseLayer(layerName, [previous], steps[i].Operation, Shape.Of()), line, i == steps.Count - 1 ? tops : []);
                previous = layerName;
            }
        }

        /// <summary>
        /// PSPNet's Interp (bilinear): the input, cropped by the non-positive <c>pad_beg</c> and <c>pad_end</c>, shrunk
        /// by <c>shrink_factor</c> (<c>(in − 1)/s + 1</c>) then zoomed by <c>zoom_factor</c> (<c>in + (in − 1)(z − 1)</c>),
        /// or set to <c>height</c> x <c>width</c>.
        /// </summary>
        private Size2 InterpSize(ProtoTextMessage message, string name, Shape input, int line)
        {
            var p = Param(message, "interp_param") ?? throw Error(line, $"Interp layer '{name}' needs interp_param {{ zoom_factor, shrink_factor, or height and width }}");
            long crop = 0;
            foreach (var f in new[] { p.Last("pad_beg"), p.Last("pad_end") }.OfType<ProtoTextField>())
            {
                var pad = Int(f, f.Name, int.MinValue);
                crop += pad <= 0 ? pad : throw Error(f.Line, $"Interp layer '{name}': {f.Name} {pad} must not be positive (Caffe's Interp only crops)");
            }

            var (zoom, shrink) = (p.Last("zoom_factor"), p.Last("shrink_factor"));
            var (height, width) = (p.Last("height"), p.Last("width"));
            var (useZoom, useShrink) = (zoom is not null, shrink is not null);
            long Extent(int extent)
            {
                var size = extent + crop;
                if (size < 1)
                {
                    throw Error(line, $"Interp layer '{name}': pads of {crop} leave nothing of its input N x {input}");
                }

                if (useShrink)
                {
                    size = (size - 1) / Int(shrink!, "shrink_factor", 1) + 1;
                }

                if (useZoom)
                {
                    size += (size - 1) * (Int(zoom!, "zoom_factor", 1) - 1);
                }

                return size;
            }

            // Caffe's precedence: one factor alone; else height and width; else both factors, shrinking first.
            var explicitSize = height is not null && width is not null && (zoom is null) == (shrink is null);
            if (explicitSize)
            {
                return new Size2(Int(height!, "height", 1), Int(width!, "width", 1));
            }

            if (zoom is null && shrink is null)
            {
                throw Error(p.Line, $"Interp layer '{name}' needs zoom_factor, shrink_factor, or both height and width");
            }

            var (outHeight, outWidth) = (Extent(input.Height), Extent(input.Width));
            return outHeight <= int.MaxValue && outWidth <= int.MaxValue
                ? new Size2((int)outHeight, (int)outWidth)
                : throw Error(line, $"Interp layer '{name}': its output {outHeight}x{outWidth} exceeds 2^31-1");
        }

        /// <summary>Upsample (YOLO and SegNet ports): nearest copies, <c>scale</c> times (2 by default) or to <c>upsample_h</c> x <c>upsample_w</c>.</summary>
        private ResizeLayer Upsample(ProtoTextMessage message, string name, string source)
        {
            var p = Param(message, "upsample_param");
            if (p?.Last("upsample_h") is not null || p?.Last("upsample_w") is not null)
            {
                return new ResizeLayer(name, source, ResizeMode.Nearest, new Size2(IntField(p!, "upsample_h", null, 1), IntField(p!, "upsample_w", null, 1)));
            }

            var scale = p is null ? 2 : IntField(p, "scale", 2, 1);
            var (scaleHeight, scaleWidth) = p is null ? (scale, scale) : (IntField(p, "scale_h", scale, 1), IntField(p, "scale_w", scale, 1));
            return new ResizeLayer(name, source, ResizeMode.Nearest, null, scaleHeight, scaleWidth);
        }

        /// <summary>
        /// Caffe's Crop: the first bottom cut to the second's extents on every axis from <c>axis</c> (2 by default), at
        /// <c>offset</c>: none (0), one for every cropped axis, or one per cropped axis.
        /// </summary>
        private ImmutableArray<SliceRange> CropRanges(ProtoTextMessage message, string name, Shape input, Shape reference, int line)
        {
            var p = Param(message, "crop_param");
            var axis = ItemAxis(p?.Last("axis"), 2, input, name, line);
            if (reference.Rank != input.Rank)
            {
                throw Error(line, $"Crop layer '{name}': its reference N x {reference} and its input N x {input} differ in rank");
            }

            var offsets = p is null ? [] : p.All("offset").ToArray();
            var cropped = input.Rank - axis;
            if (offsets.Length is not (0 or 1) && offsets.Length != cropped)
            {
                throw Error(offsets[0].Line, $"Crop layer '{name}' has {offsets.Length} offsets; it crops {cropped} axes (from axis {axis + 1}), so it needs 0, 1 or {cropped}");
            }

            var ranges = new SliceRange[cropped];
            for (var i = 0; i < cropped; i++)
            {
                var offset = offsets.Length == 0 ? 0 : Int(offsets[offsets.Length == 1 ? 0 : i], "offset", 0);
                var (extent, size) = (input[axis + i], reference[axis + i]);
                if ((long)offset + size > extent)
                {
                    throw Error(offsets.Length == 0 ? line : offsets[offsets.Length == 1 ? 0 : i].Line,
                        $"Crop layer '{name}': offset {offset} plus the reference's {size} exceeds axis {axis + i + 1}'s extent {extent}");
                }

                ranges[i] = new SliceRange(axis + i, offset, offset + (long)size);
            }

            return [.. ranges];
        }

        /// <summary>
        /// SSD's Normalize: each value divided by the L2 norm over the channels at its position (over the whole item
        /// when <c>across_spatial</c>, Caffe's default), then multiplied by a learned scale per channel (one scale when
        /// <c>channel_shared</c>, the default). Three layers: the L2 reduction, the division, the scaling.
        /// </summary>
        private void AddNormalize(ProtoTextMessage message, string name, string source, string[] tops, int line)
        {
            var p = Param(message, "norm_param");
            var acrossSpatial = p is null || BoolField(p, "across_spatial", true);
            var channelShared = p is null || BoolField(p, "channel_shared", true);
            var input = ShapeOf(source);
            var axes = acrossSpatial ? Enumerable.Range(0, input.Rank).ToImmutableArray() : [0];
            Register(new ReductionLayer($"{name}/norm", source, ReductionOperation.L2, axes, KeepDimensions: true), line, []);
            Register(new ElementwiseLayer($"{name}/divide", [source, $"{name}/norm"], ElementwiseOperation.Divide), line, []);
            var scale = channelShared ? Shape.Of() : Factor(input, 0, 1);
            Register(new ElementwiseLayer(name, [$"{name}/divide"], ElementwiseOperation.Product, scale, ConstantIsParameter: true), line, tops);
        }

        /// <summary>
        /// SSD's PriorBox output, 1 x 2 x (H·W·priors·4) per Caffe's rule: the aspect ratios are 1 and each distinct
        /// <c>aspect_ratio</c> (with its inverse when <c>flip</c>, the default); priors = ratios · min sizes + max sizes.
        /// </summary>
        private Shape PriorBoxShape(ProtoTextMessage message, string name, Shape feature, int line)
        {
            var p = Param(message, "prior_box_param") ?? throw Error(line, $"PriorBox layer '{name}' needs prior_box_param {{ min_size: S }}");
            var minSizes = p.All("min_size").Select(f => (f, Value: Positive(f))).ToArray();
            var maxSizes = p.All("max_size").Select(f => (f, Value: Positive(f))).ToArray();
            if (minSizes.Length == 0)
            {
                throw Error(p.Line, $"PriorBox layer '{name}' needs at least one min_size");
            }

            if (maxSizes.Length > 0 && maxSizes.Length != minSizes.Length)
            {
                throw Error(maxSizes[0].f.Line, $"PriorBox layer '{name}' has {maxSizes.Length} max_size values for {minSizes.Length} min_size values");
            }

            foreach (var (max, min) in maxSizes.Zip(minSizes))
            {
                if (max.Value <= min.Value)
                {
                    throw Error(max.f.Line, $"PriorBox layer '{name}': max_size {max.Value} must exceed min_size {min.Value}");
                }
            }

            var flip = BoolField(p, "flip", true);
            var ratios = new List<double> { 1 };
            foreach (var field in p.All("aspect_ratio"))
            {
                var ratio = Positive(field);
                if (!ratios.Any(r => Math.Abs(r - ratio) < 1e-6))
                {
                    ratios.Add(ratio);
                    if (flip)
                    {
                        ratios.Add(1 / ratio);
                    }
                }
            }

            long priors = (long)ratios.Count * minSizes.Length + maxSizes.Length;
            var values = (long)feature.Height * feature.Width * priors * 4;
            return values <= int.MaxValue
                ? Shape.Of(2, (int)values)
                : throw Error(line, $"PriorBox layer '{name}': {values} prior values exceed 2^31-1");

            double Positive(ProtoTextField field)
            {
                var text = field.Value;
                return text is not null && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
                    ? value
                    : throw Error(field.Line, $"PriorBox layer '{name}': {field.Name} must be a positive number, got '{text ?? "{ … }"}'");
            }
        }

        /// <summary>
        /// SSD's DetectionOutput (box decoding and non-maximum suppression): shape only, 1 x keep_top_k x 7 per item,
        /// with no weights; its arithmetic is not modelled, so it is kept as a layer of no cost and said so in a note.
        /// </summary>
        private void AddDetectionOutput(ProtoTextMessage message, string name, int bottomCount, Func<int, string> bottom, string[] tops, int line)
        {
            var p = Param(message, "detection_output_param") ?? throw Error(line, $"DetectionOutput layer '{name}' needs detection_output_param {{ keep_top_k: K }}");
            var keep = p.Last("keep_top_k") is { } k ? Int(k, "keep_top_k", -1) : -1;
            if (keep < 1)
            {
                throw Error(p.Last("keep_top_k")?.Line ?? p.Line, $"DetectionOutput layer '{name}' needs keep_top_k of at least 1: without it, its output size depends on the data");
            }

            var sources = Enumerable.Range(0, Math.Max(bottomCount, 3)).Select(bottom).Distinct().ToArray();
            Register(new SkippedLayer(name, [.. sources], Shape.Of(1, keep, 7), "DetectionOutput"), line, tops);
            _notes.Add($"line {line}: DetectionOutput layer '{name}' (box decoding and non-maximum suppression) is kept for its shape, 1 x {keep} x 7, at no cost");
        }
    }
}
