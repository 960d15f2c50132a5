using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Zoo;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.Changes;

public class ModificationTests
{
    [Theory]
    [InlineData("input-channels=12")]
    [InlineData("input-size=454x454")]
    [InlineData("filters:conv8=1536")]
    [InlineData("kernel:conv7=6x6,pad=2")]
    [InlineData("insert-after:conv4=conv,1x1,256,name=conv4b")]
    [InlineData("insert-after:conv4=conv,3x3,64,pad=1,stride=2,name=x")]
    [InlineData("stride:conv1=2")]
    [InlineData("stride:conv1=2x1")]
    [InlineData("pool:pool3=avg")]
    [InlineData("categories=4000")]
    [InlineData("remove:pool3")]
    public void Specs_round_trip(string spec) => Assert.Equal(spec, Modification.Parse(spec).Spec);

    [Theory]
    [InlineData("filters:conv8")]
    [InlineData("filters:conv8=many")]
    [InlineData("grow:conv8=2")]
    [InlineData("insert-after:conv4=pool,2,2")]
    public void Malformed_specs_are_format_errors_that_quote_them(string spec) =>
        Assert.Contains(spec, Assert.Throws<FormatException>(() => Modification.Parse(spec)).Message);

    [Theory]
    [InlineData("filters:conv99=10", "conv99")]
    [InlineData("filters:conv8=0", "conv8")]
    [InlineData("filters:pool3=10", "pool3")]
    [InlineData("kernel:conv10=9x9", "conv10")]
    [InlineData("remove:data", "data")]
    public void Impossible_changes_name_the_layer(string spec, string layer)
    {
        var error = Assert.Throws<NetworkDefinitionException>(() => Modification.Parse(spec).ApplyTo(NetworkInNetwork.Create()));
        Assert.Contains($"'{layer}'", error.Message);
    }

    [Fact]
    public void Insert_after_adds_vgg_f_extralayers_1x1_convolution_and_is_local()
    {
        var change = ChangeAnalysis.Analyze(VggF.Create(), [Modification.Parse("insert-after:relu4=conv,1x1,256,name=conv4b")]);
        Assert.True(change.Layers.Single(d => d.Name == "conv4b").Added);
        Assert.Equal("conv4b", change.Modified.Layers[change.Modified.Layers.IndexOf(change.Modified["relu4"]) + 1].Name);
        Assert.Equal(ChangeScope.Local, change.Scope);
        Assert.Equal(256L * 256, change.Modified["conv4b"].Weights);
        // A Caffe convolution has biases unless it says otherwise (bias_term defaults to true): one per filter.
        Assert.Equal(256, change.Modified["conv4b"].Biases);
    }

    [Fact]
    public void Pool_max_reads_as_the_max_method()
    {
        Assert.Equal(new SetPoolingMethod("pool5", PoolingMethod.Max), Modification.Parse("pool:pool5=max"));
        Assert.Equal(new SetPoolingMethod("pool5", PoolingMethod.Average), Modification.Parse("pool:pool5=average"));
    }

    [Theory]
    [InlineData("kernel:conv7=6x6,str=2")]   // an option other than pad=, even one whose tail after four characters is a size
    [InlineData("kernel:conv7=6x6,2")]
    public void A_kernel_takes_only_a_pad_option(string spec) =>
        Assert.Contains(spec, Assert.Throws<FormatException>(() => Modification.Parse(spec)).Message);

    [Fact]
    public void Removing_a_layer_whose_removal_breaks_shapes_is_a_clear_error()
    {
        var network = new NetworkBuilder("n").Input(3, 8, 8).Convolution("a", 4, 1).Convolution("b", 4, 3, pad: 1, from: "data")
            .ReLU("relu_b").Sum("sum", "a", "relu_b").Build();
        var error = Assert.Throws<NetworkDefinitionException>(() => network.ReplaceLayer(((ConvolutionLayer)network["b"]) with { Filters = 8 }));
        Assert.Equal("sum", error.LayerName);
        var removal = Assert.Throws<NetworkDefinitionException>(() => new NetworkBuilder("m").Input(3, 8, 8).Convolution("c", 4, 1).Build().RemoveLayer("c").RemoveLayer("data"));
        Assert.Contains("'data'", removal.Message);
    }

    [Fact]
    public void Changing_filters_reaches_the_layer_and_the_next_weighted_layer_only()
    {
        var (applied, refused) = (0, 0);
        var cases = from recipe in RandomNetworks.Chains from pick in Gen.Choose(0, 1000) from delta in Gen.Choose(1, 16) select (recipe, pick, delta);
        Check.One(RandomNetworks.Config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var network = c.recipe.Build();
            var convs = network.Layers.OfType<ConvolutionLayer>().Where(l => l.Groups == 1).ToArray();
            if (convs.Length == 0)
            {
                return true;
            }

            var target = convs[c.pick % convs.Length];
            var reach = ReachUpToNextWeightedLayers(network, target.Name);
            Network modified;
            try
            {
                modified = new SetFilters(target.Name, target.Filters + c.delta).ApplyTo(network);
            }
            catch (NetworkDefinitionException error)
            {
                // Refused only where the new channel count really breaks a layer: a depthwise convolution or an add within reach.
                refused++;
                return ChannelsBreak(network, reach, error.LayerName);
            }

            applied++;
            var change = ChangeAnalysis.Compare(network, modified);
            return change.ChangedLayers.All(reach.Contains) && change.ChangedLayers.Contains(target.Name) && change.Scope == ChangeScope.Local;
        }));
        Assert.True(applied >= 100, $"only {applied} changes were applied ({refused} refused)");
    }

    /// <summary>Whether <paramref name="layer"/> is one a change of channels upstream can break: a depthwise convolution or an add, within the change's reach.</summary>
    private static bool ChannelsBreak(Network network, HashSet<string> reach, string? layer) =>
        layer is not null && reach.Contains(layer) && network[layer] is ConvolutionLayer { Groups: > 1 } or AddLayer;

    /// <summary>The layer, every layer downstream of it through layers without weights, and the weighted layers that stop the walk.</summary>
    private static HashSet<string> ReachUpToNextWeightedLayers(Network network, string start)
    {
        var reach = new HashSet<string> { start };
        var pending = new Stack<string>(network.ConsumersOf(start));
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (!reach.Add(name))
            {
                continue;
            }

            var layer = network[name];
            if (layer is ConvolutionLayer { Groups: 1 } or FullyConnectedLayer)
            {
                continue; // the next layer with weights takes the new channels and stops them
            }

            foreach (var consumer in network.ConsumersOf(name))
            {
                pending.Push(consumer);
            }
        }

        return reach;
    }

    [Fact]
    public void Changing_the_input_resolution_resizes_every_spatial_layer()
    {
        var cases = from recipe in RandomNetworks.Chains from extra in Gen.Choose(1, 40) select (recipe, extra);
        Check.One(RandomNetworks.Config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var network = c.recipe.Build();
            var size = network.Input.Shape.Height + c.extra;
            var change = ChangeAnalysis.Analyze(network, [new SetInputSize(size)]);
            var spatialEnd = network.Layers.ToList().FindIndex(l => l is FullyConnectedLayer or PoolingLayer { IsGlobal: true });
            var spatial = network.Layers.Take(spatialEnd < 0 ? network.Layers.Length : spatialEnd).Select(l => l.Name).ToArray();
            // Bigger inputs can stay the same size after a strided layer; then the change fades and is local.
            var allResized = spatial.All(change.ResizedLayers.Contains);
            return change.ResizedLayers.Contains("data") && (allResized == (change.Scope == ChangeScope.Global));
        }));
    }

    [Fact]
    public void A_change_and_its_inverse_give_back_the_baseline_report()
    {
        var applied = 0;
        var cases = from recipe in RandomNetworks.Chains from pick in Gen.Choose(0, 1000) from filters in Gen.Choose(1, 64) select (recipe, pick, filters);
        Check.One(RandomNetworks.Config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var network = c.recipe.Build();
            var convs = network.Layers.OfType<ConvolutionLayer>().Where(l => l.Groups == 1).ToArray();
            Modification forward = convs.Length == 0 ? new SetInputChannels(c.filters) : new SetFilters(convs[c.pick % convs.Length].Name, c.filters);
            Modification back = convs.Length == 0 ? new SetInputChannels(network.Input.Shape.Channels) : new SetFilters(convs[c.pick % convs.Length].Name, convs[c.pick % convs.Length].Filters);
            try
            {
                var roundTrip = CostModel.Analyze(Modification.ApplyAll(network, [forward, back]));
                var baseline = CostModel.Analyze(network);
                applied++;
                return roundTrip.Totals == baseline.Totals && roundTrip.Layers.Zip(baseline.Layers).All(p =>
                    p.First.Output == p.Second.Output && p.First.Flops == p.Second.Flops && p.First.ParameterBytes == p.Second.ParameterBytes);
            }
            catch (NetworkDefinitionException error)
            {
                // The forward change may break a depthwise layer or an add downstream; nothing else may refuse it.
                var reach = convs.Length == 0 ? ReachUpToNextWeightedLayers(network, network.Input.Name)
                    : ReachUpToNextWeightedLayers(network, convs[c.pick % convs.Length].Name);
                return ChannelsBreak(network, reach, error.LayerName);
            }
        }));
        Assert.True(applied >= 100, $"only {applied} of 300 round trips were applied");
    }

    [Fact]
    public void A_local_change_never_alters_any_layers_height_or_width()
    {
        var applied = 0;
        var cases = from recipe in RandomNetworks.Chains from pick in Gen.Choose(0, 1000) from count in Gen.Choose(1, 64) select (recipe, pick, count);
        Check.One(RandomNetworks.Config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var network = c.recipe.Build();
            var convs = network.Layers.OfType<ConvolutionLayer>().Where(l => l.Groups == 1).ToArray();
            Modification change = c.pick % 2 == 0 || convs.Length == 0
                ? new SetInputChannels(c.count)
                : new SetFilters(convs[c.pick % convs.Length].Name, c.count);
            try
            {
                var report = ChangeAnalysis.Analyze(network, [change]);
                applied++;
                return report.ResizedLayers.IsEmpty && report.Scope != ChangeScope.Global;
            }
            catch (NetworkDefinitionException error)
            {
                // A depthwise layer or an add downstream may no longer match its channels; nothing else may refuse it.
                var start = change is SetFilters f ? f.Layer : network.Input.Name;
                return ChannelsBreak(network, ReachUpToNextWeightedLayers(network, start), error.LayerName);
            }
        }));
        Assert.True(applied >= 100, $"only {applied} of 300 changes were applied");
    }

    [Fact]
    public void A_change_to_a_network_without_flops_keeps_computation_per_communication_at_one_rather_than_nan()
    {
        // Found by fuzz-cli: BatchNorm + Scale only, input-channels=12, printed "computation per communication: NaNx".
        var network = new CnnCost.Graph.NetworkBuilder("bn").Input(8, 31, 31).BatchNorm().Build();
        var report = CnnCost.Changes.ChangeAnalysis.Analyze(network, [Modification.Parse("input-channels=12")]);
        Assert.Equal(1.0, report.Ratios.ComputationPerCommunication);
    }

    [Fact]
    public void A_change_that_gives_flops_to_a_network_without_them_says_so_without_an_infinite_ratio()
    {
        // Found by fuzz-cli: BatchNorm only, insert-after a 1x1 convolution, wrote "rises Infinityx" in the JSON.
        var network = new CnnCost.Graph.NetworkBuilder("bn").Input(5, 29, 29).BatchNorm("bn").Build();
        var report = CnnCost.Changes.ChangeAnalysis.Analyze(network, [Modification.Parse("insert-after:bn=conv,1x1,8")]);
        Assert.DoesNotContain("Infinity", report.ScalingNote, StringComparison.Ordinal);
        Assert.Contains("rises from none", report.ScalingNote, StringComparison.Ordinal);
    }
}
