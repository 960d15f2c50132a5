using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Changes;

/// <summary>Scope, per-layer deltas and the scaling note on small networks whose answers follow from the definitions.</summary>
public class ChangeAnalysisTests
{
    // data 3x8x8 -> conv1 (3x3, pad 1: 8x8) -> conv2 (1x1: 8x8) -> fc1 -> fc2.
    private static Network TwoClassifiers(int inputSize) => new NetworkBuilder("two_fc")
        .Input(3, inputSize, inputSize)
        .Convolution("conv1", 4, 3, pad: 1)
        .Convolution("conv2", 4, 1)
        .FullyConnected("fc1", 6)
        .FullyConnected("fc2", 2)
        .Build();

    [Fact]
    public void The_spatial_part_ends_at_the_first_fully_connected_layer()
    {
        // A 16x16 input resizes data, conv1 and conv2; fc1 and fc2 stay 1x1. Every layer up to fc1 is resized,
        // so the change is global even though fc2, past the spatial part, keeps its size.
        var change = ChangeAnalysis.Compare(TwoClassifiers(8), TwoClassifiers(16));
        Assert.Equal(ChangeScope.Global, change.Scope);
        Assert.Equal(new[] { "data", "conv1", "conv2" }, change.ResizedLayers);
    }

    [Fact]
    public void A_new_layer_on_the_path_does_not_stop_a_resize_from_being_global()
    {
        // Baseline data 3x8x8 -> conv1 -> gap. Modified: a 16x16 input and a new 1x1 conv 'extra' after conv1.
        // data and conv1 are resized; 'extra' has no baseline size to compare, so it cannot make the change local.
        var baseline = new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv1", 4, 3, pad: 1).GlobalPool("gap").Build();
        var modified = new NetworkBuilder("n").Input(3, 16, 16).Convolution("conv1", 4, 3, pad: 1)
            .Convolution("extra", 4, 1).GlobalPool("gap").Build();
        var change = ChangeAnalysis.Compare(baseline, modified);
        Assert.Equal(ChangeScope.Global, change.Scope);
        Assert.Equal(new[] { "data", "conv1" }, change.ResizedLayers);
        var extra = change.Layers.Single(d => d.Name == "extra");
        Assert.Equal((true, false, true), (extra.Added, extra.Removed, extra.Changed));
        Assert.Equal((null, null, null), (extra.OutputRatio, extra.ParameterRatio, extra.FlopRatio));
    }

    [Fact]
    public void Turning_the_last_pooling_layer_global_is_a_local_change()
    {
        // conv1 8x8 -> pool 2x2/2 gives 4x4; as a global pool it gives 1x1. The resized layer is the end of the
        // spatial part itself, so nothing spatial after it changes size: local.
        var baseline = new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv1", 4, 3, pad: 1).MaxPool("pool", 2, 2)
            .FullyConnected("fc", 2).Build();
        var modified = baseline.ReplaceLayer(new PoolingLayer("pool", "conv1", PoolingMethod.Max, 1, 1, 0, IsGlobal: true));
        var change = ChangeAnalysis.Compare(baseline, modified);
        Assert.Equal(new[] { "pool" }, change.ResizedLayers);
        Assert.Equal(ChangeScope.Local, change.Scope);
    }

    [Fact]
    public void A_resized_branch_past_the_spatial_part_does_not_make_the_change_global()
    {
        // data 3x8x8 -> conv1 -> conv2 -> gap, and a side branch conv1 -> side listed after gap.
        // Stride 2 on conv1 (8x8 -> 4x4) and stride 1 instead of 2 on conv2 keep conv2 at 4x4: conv2 is not
        // resized, so the resize of conv1 stays local. 'side' (8x8 -> 4x4, a 1x1 conv of conv1) is resized too,
        // but it comes after the global pool in the layer order, outside the spatial part.
        Network Build(int stride1, int stride2) => new(
            "branches",
            [
                new InputLayer("data", new Shape(3, 8, 8)),
                new ConvolutionLayer("conv1", "data", 4, 1, stride1, 0, 1, 1, true),
                new ConvolutionLayer("conv2", "conv1", 4, 1, stride2, 0, 1, 1, true),
                new PoolingLayer("gap", "conv2", PoolingMethod.Average, 1, 1, 0, IsGlobal: true),
                new ConvolutionLayer("side", "conv1", 4, 1, 1, 0, 1, 1, true),
            ]);
        var change = ChangeAnalysis.Compare(Build(1, 2), Build(2, 1));
        Assert.Equal(new[] { "conv1", "side" }, change.ResizedLayers);
        Assert.Equal(ChangeScope.Local, change.Scope);
    }

    [Fact]
    public void Changing_only_the_pooling_method_marks_only_that_layer()
    {
        // Max -> average keeps every shape and weight; only the pool's operations double (1 -> 2 per element).
        var baseline = new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv1", 4, 3, pad: 1).MaxPool("pool", 2, 2)
            .Convolution("conv2", 4, 1).Build();
        var change = ChangeAnalysis.Analyze(baseline, [new SetPoolingMethod("pool", PoolingMethod.Average)]);
        Assert.Equal(new[] { "pool" }, change.ChangedLayers);
        Assert.Equal(2.0, change.Layers.Single(d => d.Name == "pool").FlopRatio);
        var conv2 = change.Layers.Single(d => d.Name == "conv2");
        Assert.Equal((false, false, false), (conv2.Added, conv2.Removed, conv2.Changed));
        Assert.Equal(ChangeScope.Local, change.Scope);
    }

    [Fact]
    public void A_layer_removed_from_the_end_is_reported_once_as_removed()
    {
        var baseline = new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv1", 4, 3, pad: 1).Softmax("prob").Build();
        var change = ChangeAnalysis.Analyze(baseline, [new RemoveLayer("prob")]);
        Assert.Equal(new[] { "data", "conv1", "prob" }, change.Layers.Select(d => d.Name));
        var prob = change.Layers[2];
        Assert.Equal((false, true, true), (prob.Added, prob.Removed, prob.Changed));
        Assert.Equal(new[] { "prob" }, change.ChangedLayers);
    }

    [Fact]
    public void Branches_listed_in_another_order_still_give_one_delta_per_layer()
    {
        // Baseline order: data, p, x, q (three 1x1 convs reading data). The modified network lists q before p
        // and drops x: every name appears exactly once among the deltas, x as removed.
        var baseline = new Network("n",
        [
            new InputLayer("data", new Shape(3, 4, 4)),
            new ConvolutionLayer("p", "data", 2, 1, 1, 0, 1, 1, true),
            new ConvolutionLayer("x", "data", 2, 1, 1, 0, 1, 1, true),
            new ConvolutionLayer("q", "data", 2, 1, 1, 0, 1, 1, true),
        ]);
        var modified = new Network("n",
        [
            new InputLayer("data", new Shape(3, 4, 4)),
            new ConvolutionLayer("q", "data", 2, 1, 1, 0, 1, 1, true),
            new ConvolutionLayer("p", "data", 2, 1, 1, 0, 1, 1, true),
        ]);
        var change = ChangeAnalysis.Compare(baseline, modified);
        Assert.Equal(new[] { "data", "p", "q", "x" }, change.Layers.Select(d => d.Name).Order());
        Assert.True(change.Layers.Single(d => d.Name == "x").Removed);
        Assert.Equal(new[] { "x" }, change.ChangedLayers);
    }

    [Fact]
    public void A_layer_that_gains_parameters_from_none_has_no_parameter_ratio()
    {
        // ReLU -> PReLU: 0 -> 4 slopes (no finite ratio); FLOPs stay 0 -> 0 (ratio 1) and the output is unchanged.
        var baseline = new NetworkBuilder("n").Input(3, 8, 8).Convolution("conv1", 4, 3, pad: 1).ReLU("act").Build();
        var modified = baseline.ReplaceLayer(new ActivationLayer("act", "conv1", ActivationFunction.PReLU));
        var act = ChangeAnalysis.Compare(baseline, modified).Layers.Single(d => d.Name == "act");
        Assert.Null(act.ParameterRatio);
        Assert.Equal(1.0, act.FlopRatio);
        Assert.Equal(1.0, act.OutputRatio);
        Assert.True(act.Changed);
    }

    [Fact]
    public void A_network_without_parameters_has_infinite_computation_per_communication()
    {
        // No weights at all: 0 bytes to exchange, so the ratio is +infinity whether the FLOPs are 0 or not.
        var relu = CostModel.Analyze(new NetworkBuilder("n").Input(3, 4, 4).ReLU("relu").Build());
        var pool = CostModel.Analyze(new NetworkBuilder("n").Input(3, 4, 4).MaxPool("pool", 2, 2).Build());
        Assert.Equal(0, relu.Totals.Flops);
        Assert.Equal(double.PositiveInfinity, ChangeAnalysis.ComputationPerCommunication(relu));
        Assert.Equal(double.PositiveInfinity, ChangeAnalysis.ComputationPerCommunication(pool));

        // Both sides infinite: nothing moved between computation and communication, so the ratio is 1, not NaN.
        var change = ChangeAnalysis.Compare(new NetworkBuilder("n").Input(3, 4, 4).ReLU("relu").Build(),
            new NetworkBuilder("n").Input(3, 8, 8).ReLU("relu").Build());
        Assert.Equal(1, change.Ratios.ComputationPerCommunication);
        Assert.StartsWith("Computation per byte of communication is unchanged", change.ScalingNote, StringComparison.Ordinal);
    }

    [Fact]
    public void Comparing_a_network_with_itself_changes_nothing_and_the_note_says_so()
    {
        var network = TwoClassifiers(8);
        var change = ChangeAnalysis.Compare(network, network.WithName("copy"));
        Assert.Equal(ChangeScope.None, change.Scope);
        Assert.Empty(change.ChangedLayers);
        Assert.Equal(1.0, change.Ratios.ComputationPerCommunication);
        Assert.Equal(
            "Computation per byte of communication is unchanged, so data-parallel training scales to as many workers as before (4.5.2.2).",
            change.ScalingNote);
    }

    [Fact]
    public void Missing_networks_and_reports_are_argument_errors_naming_the_parameter()
    {
        var network = TwoClassifiers(8);
        Assert.Equal("baseline", Assert.Throws<ArgumentNullException>(() => ChangeAnalysis.Compare(null!, network)).ParamName);
        Assert.Equal("modified", Assert.Throws<ArgumentNullException>(() => ChangeAnalysis.Compare(network, null!)).ParamName);
        Assert.Equal("report", Assert.Throws<ArgumentNullException>(() => ChangeAnalysis.ComputationPerCommunication(null!)).ParamName);
    }
}
