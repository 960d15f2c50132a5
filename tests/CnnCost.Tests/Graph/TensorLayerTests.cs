using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.Graph;

/// <summary>
/// The layers of today's networks: shapes and costs derived by hand for each kind, and properties checked against
/// brute force (every element's index walked) on random shapes.
/// </summary>
public class TensorLayerTests
{
    private static readonly Conventions Counting = Conventions.PyTorch with { CountElementwiseOps = true };

    private static CostReport Analyze(Shape input, params Layer[] layers) =>
        CostModel.Analyze(new Network("t", [new InputLayer("x", input), .. layers]), new AnalysisOptions { Batch = 2, Conventions = Counting });

    [Fact]
    public void A_squeeze_excitation_gate_broadcasts_and_costs_one_operation_per_output_value()
    {
        // 8x4x4 block times an 8x1x1 gate: 128 values per item, 2 items, one multiply each.
        var report = Analyze(new Shape(8, 4, 4),
            new PoolingLayer("squeeze", "x", PoolingMethod.Average, 1, 1, 0, IsGlobal: true),
            new ActivationLayer("gate", "squeeze", ActivationFunction.HardSigmoid),
            new ElementwiseLayer("excite", ["x", "gate"], ElementwiseOperation.Product));
        Assert.Equal(new Shape(8, 4, 4), report["excite"].Output);
        Assert.Equal(2L * 128, report["excite"].Flops);
        Assert.Equal(0L, report["excite"].Parameters);
    }

    [Fact]
    public void A_learned_constant_operand_counts_as_weights_and_a_literal_does_not()
    {
        // ConvNeXt's layer scale: 8x1x1 learned values; GELU's 0.5 is a scalar literal.
        var report = Analyze(new Shape(8, 4, 4),
            new ElementwiseLayer("scale", ["x"], ElementwiseOperation.Product, new Shape(8, 1, 1), ConstantIsParameter: true),
            new ElementwiseLayer("half", ["scale"], ElementwiseOperation.Product, Shape.Of(), ConstantIsParameter: false));
        Assert.Equal((8L, 0L), (report["scale"].Weights, report["half"].Weights));
        Assert.Equal((2L * 128, 2L * 128), (report["scale"].Flops, report["half"].Flops));
    }

    [Fact]
    public void Element_wise_and_reduction_operations_are_counted_only_under_the_element_wise_convention()
    {
        var network = new Network("t", [
            new InputLayer("x", Shape.Of(4, 6)),
            new ElementwiseLayer("add", ["x", "x"], ElementwiseOperation.Sum),
            new ReductionLayer("mean", "add", ReductionOperation.Mean, [1], KeepDimensions: true),
            new NormalizationLayer("ln", "add", NormalizationMethod.Layer, Axis: 1)]);
        var without = CostModel.Analyze(network, new AnalysisOptions { Conventions = Conventions.PyTorch });
        Assert.All(without.Layers, l => Assert.Equal(0L, l.Flops));
        var with = CostModel.Analyze(network, new AnalysisOptions { Conventions = Counting });
        // add: 24 outputs x 1; mean: 24 inputs x 2 (an addition and the share of the division); layer norm: 24 outputs.
        Assert.Equal((24L, 48L, 24L), (with["add"].Flops, with["mean"].Flops, with["ln"].Flops));
        Assert.Equal(Shape.Of(4, 1), with["mean"].Output);
        // Layer norm over the last axis of 6: a scale and a shift per normalized value.
        Assert.Equal((6L, 6L), (with["ln"].Weights, with["ln"].Biases));
    }

    [Fact]
    public void Attention_products_and_per_position_linear_layers_cost_two_flops_per_multiply_accumulate()
    {
        // Tokens 197x768 -> Linear to 2304 (qkv): 197·768·2304 MACs, 768·2304 weights + 2304 biases.
        var report = Analyze(Shape.Of(197, 768),
            new LinearLayer("qkv", "x", 2304, HasBias: true),
            new ReshapeLayer("heads", "qkv", [197, 3, 12, 64]),
            new TransposeLayer("split", "heads", [1, 2, 0, 3]),
            new SliceLayer("q", "split", [new SliceRange(0, 0, 1)]),
            new ReshapeLayer("q2", "q", [12, 197, 64]),
            new TransposeLayer("kt", "q2", [0, 2, 1]),
            new MatMulLayer("scores", "q2", "kt"),
            new SoftmaxLayer("attn", "scores", Axis: 2));
        Assert.Equal((768L * 2304, 2304L), (report["qkv"].Weights, report["qkv"].Biases));
        Assert.Equal(2L * 2 * 197 * 768 * 2304, report["qkv"].Flops);
        Assert.Equal(Shape.Of(3, 12, 197, 64), report["split"].Output);
        Assert.Equal(Shape.Of(1, 12, 197, 64), report["q"].Output);
        // 12 heads of (197x64)·(64x197): 12·197·197 outputs, 64 MACs each.
        Assert.Equal(Shape.Of(12, 197, 197), report["scores"].Output);
        Assert.Equal(2L * 2 * 12 * 197 * 197 * 64, report["scores"].Flops);
        Assert.Equal(0L, report["heads"].Flops + report["split"].Flops + report["q"].Flops + report["kt"].Flops);
        Assert.True(report["heads"].InPlace);   // a reshape is a view
        Assert.False(report["split"].InPlace);
    }

    [Fact]
    public void A_transposed_convolution_scatters_each_input_through_the_whole_kernel()
    {
        // 16x7x7 -> 8 filters 4x4, stride 2, pad 1: out = (7-1)·2 - 2 + 4 = 14; weights 16·8·16 = 2048; FLOPs 2·2048·49·2.
        var report = Analyze(new Shape(16, 7, 7), new DeconvolutionLayer("up", "x", 8, 4, 2, 1, 1, 1, HasBias: true));
        Assert.Equal(new Shape(8, 14, 14), report["up"].Output);
        Assert.Equal((2048L, 8L), (report["up"].Weights, report["up"].Biases));
        Assert.Equal(2L * 2048 * 49 * 2, report["up"].Flops);
    }

    [Fact]
    public void Resize_pad_gather_expand_and_constants_have_their_shapes()
    {
        var report = Analyze(new Shape(3, 10, 10),
            new ResizeLayer("up", "x", ResizeMode.Linear, null, 2, 2.5),
            new ResizeLayer("fixed", "x", ResizeMode.Nearest, new Size2(7, 9)),
            new PadLayer("pad", "x", [0, 1, 2], [0, 3, 4]),
            new GatherLayer("pick", "x", 1, Shape.Of()),
            new GatherLayer("rows", "x", 1, Shape.Of(2, 3)),
            new ExpandLayer("wide", "pick", [5, 3, 10]),
            new ExpandLayer("tile", "x", [1, 2, 3], Repeat: true),
            new ConstantLayer("token", "x", Shape.Of(1, 768)));
        Assert.Equal(new Shape(3, 20, 25), report["up"].Output);
        Assert.Equal(2L * 3 * 20 * 25, report["up"].Flops);      // bilinear: one operation per output value
        Assert.Equal((new Shape(3, 7, 9), 0L), (report["fixed"].Output, report["fixed"].Flops));
        Assert.Equal(new Shape(3, 14, 16), report["pad"].Output);
        Assert.Equal(Shape.Of(3, 10), report["pick"].Output);
        Assert.Equal(Shape.Of(3, 2, 3, 10), report["rows"].Output);
        Assert.Equal(Shape.Of(5, 3, 10), report["wide"].Output);
        Assert.Equal(new Shape(3, 20, 30), report["tile"].Output);
        Assert.Equal((Shape.Of(1, 768), 768L), (report["token"].Output, report["token"].Weights));
    }

    [Fact]
    public void Other_operations_are_the_flops_that_are_not_multiply_accumulates()
    {
        // conv 2->4, 3x3, pad 1 on 2x6x6: 4·2·9 = 72 weights x 36 positions = 2,592 MACs; max pool 2x2/2: 4 per window x
        // 4·3·3 = 36 outputs = 144 comparisons; SiLU: 36 operations, only when element-wise work counts.
        Layer[] layers =
        [
            new InputLayer("x", new Shape(2, 6, 6)),
            new ConvolutionLayer("conv", "x", 4, 3, 1, 1, 1, 1, false),
            new PoolingLayer("pool", "conv", PoolingMethod.Max, 2, 2, 0),
            new ActivationLayer("act", "pool", ActivationFunction.SiLU),
        ];
        var without = CostModel.Analyze(new Network("t", layers), new AnalysisOptions { Conventions = Conventions.PyTorch });
        Assert.Equal((2592L, 144L, 2 * 2592L + 144), (without.Totals.Macs, without.Totals.OtherOps, without.Totals.Flops));
        var with = CostModel.Analyze(new Network("t", layers), new AnalysisOptions { Conventions = Counting, Batch = 2 });
        Assert.Equal((2 * 2592L, 2 * (144L + 36)), (with.Totals.Macs, with.Totals.OtherOps));
        Assert.Equal(0L, with["conv"].OtherOps);
    }

    [Theory]
    [InlineData("broadcast", "shapes 4x3 and 2x3 do not broadcast: 4 against 2 on axis 0")]
    [InlineData("reshape", "its input 4x3 holds 12 values, but its target [5,2] holds 10")]
    [InlineData("transpose rank", "its permutation 1,0,2 has 3 axes, its input 4x3 2")]
    [InlineData("matmul", "its operands 4x3 and 4x3 do not multiply: 3 columns against 4 rows")]
    [InlineData("slice", "its range 5..9 step 1 on axis 0 of 4x3 is empty")]
    [InlineData("conv on tokens", "it needs a channels x height x width image, but its input is 4x3 (rank 2)")]
    public void An_impossible_tensor_layer_names_itself_and_why(string what, string reason)
    {
        Layer layer = what switch
        {
            "broadcast" => new ElementwiseLayer("bad", ["x"], ElementwiseOperation.Sum, Shape.Of(2, 3)),
            "reshape" => new ReshapeLayer("bad", "x", [5, 2]),
            "transpose rank" => new TransposeLayer("bad", "x", [1, 0, 2]),
            "matmul" => new MatMulLayer("bad", "x", "x"),
            "slice" => new SliceLayer("bad", "x", [new SliceRange(0, 5, 9)]),
            _ => new ConvolutionLayer("bad", "x", 2, 1, 1, 0, 1, 1, false),
        };
        var error = Assert.Throws<NetworkDefinitionException>(() => new Network("t", [new InputLayer("x", Shape.Of(4, 3)), layer]));
        Assert.Equal(("bad", reason), (error.LayerName, error.Reason));
    }

    // --- Properties against brute force ---------------------------------------------------------------------------

    private static readonly Gen<int[]> Dims = from rank in Gen.Choose(1, 4) from dims in Gen.ArrayOf(Gen.Choose(1, 5), rank) select dims;

    [Fact]
    public void A_slice_takes_exactly_the_positions_a_walk_from_the_start_visits()
    {
        var cases = from extent in Gen.Choose(1, 20) from start in Gen.Choose(-30, 30) from end in Gen.Choose(-30, 30)
                    from step in Gen.Elements(-5, -3, -2, -1, 1, 2, 3, 5) select (extent, start, end, step);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            // ONNX Slice, walked: negative positions count from the end, then clamp, then step until the end.
            long s = c.start < 0 ? c.start + c.extent : c.start, e = c.end < 0 ? c.end + c.extent : c.end;
            s = c.step > 0 ? Math.Clamp(s, 0, c.extent) : Math.Clamp(s, -1, c.extent - 1);
            e = c.step > 0 ? Math.Clamp(e, 0, c.extent) : Math.Clamp(e, -1, c.extent - 1);
            long visited = 0;
            for (var i = s; c.step > 0 ? i < e : i > e; i += c.step)
            {
                visited++;
            }

            return new SliceRange(0, c.start, c.end, c.step).Count(c.extent) == visited;
        }));
    }

    [Fact]
    public void A_transpose_sends_every_element_to_the_permuted_index_and_conserves_them()
    {
        var cases = from dims in Dims from keys in Gen.ArrayOf(Gen.Choose(0, 1000), dims.Length) select (dims, keys);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var permutation = Enumerable.Range(0, c.dims.Length).OrderBy(i => c.keys[i]).ThenBy(i => i).ToArray();
            var report = CostModel.Analyze(new Network("t", [new InputLayer("x", Shape.Of(c.dims)), new TransposeLayer("t", "x", [.. permutation])]));
            // Brute force: walk every input index, move it, and take the largest index reached on each output axis.
            var reached = new int[c.dims.Length];
            foreach (var index in Indices(c.dims))
            {
                for (var axis = 0; axis < reached.Length; axis++)
                {
                    reached[axis] = Math.Max(reached[axis], index[permutation[axis]] + 1);
                }
            }

            var output = report["t"].Output;
            return output.Dimensions.SequenceEqual(reached) && output.Elements == Shape.Of(c.dims).Elements && report["t"].Flops == 0;
        }));
    }

    [Fact]
    public void Broadcasting_gives_the_smallest_shape_both_operands_stretch_to()
    {
        // The second operand: the first's trailing dims, some set to 1, some leading ones dropped.
        var cases = from dims in Dims from ones in Gen.ArrayOf(Gen.Choose(0, 1), dims.Length) from drop in Gen.Choose(0, dims.Length - 1)
                    from swap in Gen.Choose(0, 1) select (dims, ones, drop, swap);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var other = c.dims.Select((d, i) => c.ones[i] == 1 ? 1 : d).Skip(c.drop).ToArray();
            var (a, b) = c.swap == 0 ? (c.dims, other) : (other, c.dims);
            var report = CostModel.Analyze(new Network("t", [
                new InputLayer("x", Shape.Of(a)),
                new ElementwiseLayer("sum", ["x"], ElementwiseOperation.Sum, Shape.Of(b))]),
                new AnalysisOptions { Conventions = Counting });
            // Brute force: among shapes of the larger rank whose extents come from the operands, the one every index of
            // which lands inside both operands (an extent of 1 read again) and that covers both.
            var rank = Math.Max(a.Length, b.Length);
            int At(int[] s, int axis) => axis - (rank - s.Length) is var k and >= 0 ? s[k] : 1;
            var expected = Enumerable.Range(0, rank).Select(axis => Math.Max(At(a, axis), At(b, axis))).ToArray();
            var covers = Enumerable.Range(0, rank).All(axis => At(a, axis) == expected[axis] || At(a, axis) == 1)
                && Enumerable.Range(0, rank).All(axis => At(b, axis) == expected[axis] || At(b, axis) == 1);
            return covers && report["sum"].Output.Dimensions.SequenceEqual(expected) && report["sum"].Flops == report["sum"].Output.Elements;
        }));
    }

    [Fact]
    public void Data_movement_costs_nothing_and_reshapes_conserve_every_value()
    {
        var cases = from dims in Dims from cut in Gen.Choose(0, 3) select (dims, cut);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var shape = Shape.Of(c.dims);
            var flat = (int)shape.Elements;
            var cut = Math.Min(c.cut, c.dims.Length - 1);
            var report = CostModel.Analyze(new Network("t", [
                new InputLayer("x", shape),
                new ReshapeLayer("flat", "x", [-1]),
                new ReshapeLayer("back", "flat", [.. c.dims]),
                new SliceLayer("half", "back", [new SliceRange(cut, 0, (c.dims[cut] + 1) / 2)]),
                new ConcatLayer("join", ["back", "back"]) { Axis = cut },
                new PadLayer("pad", "join", [.. c.dims.Select(_ => 1)], [.. c.dims.Select(_ => 0)]),
                new ExpandLayer("copy", "back", [.. c.dims]),
                new GatherLayer("take", "back", cut, Shape.Of(3))]), new AnalysisOptions { Conventions = Counting });
            return report.Layers.All(l => l.Flops == 0 && l.Parameters == 0)
                && report["flat"].Output == Shape.Of(flat) && report["back"].Output == shape
                && report["half"].Output[cut] == (c.dims[cut] + 1) / 2
                && report["join"].Output.Elements == 2 * shape.Elements
                && report["pad"].Output.Dimensions.SequenceEqual(c.dims.Select((d, i) => (i == cut ? 2 * d : d) + 1))
                && report["copy"].Output == shape
                && report["take"].Output.Elements == shape.Elements / c.dims[cut] * 3;
        }));
    }

    private static IEnumerable<int[]> Indices(int[] dims)
    {
        var index = new int[dims.Length];
        var count = dims.Aggregate(1, (a, d) => a * d);
        for (var n = 0; n < count; n++)
        {
            yield return (int[])index.Clone();
            for (var axis = dims.Length - 1; axis >= 0; axis--)
            {
                if (++index[axis] < dims[axis]) break;
                index[axis] = 0;
            }
        }
    }
}
