using CnnCost.Costs;
using CnnCost.Graph;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CnnCost.Tests.Costs;

/// <summary>Properties that hold for every valid chain network.</summary>
public class CostPropertyTests
{
    [Fact]
    public void Flops_and_activations_scale_linearly_with_batch_and_parameters_do_not_depend_on_it()
    {
        var cases = from recipe in RandomNetworks.Chains from batch in Gen.Choose(2, 512) select (recipe, batch);
        Check.One(RandomNetworks.Config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var network = c.recipe.Build();
            var one = CostModel.Analyze(network);
            var many = CostModel.Analyze(network, new AnalysisOptions { Batch = c.batch });
            var training = CostModel.Analyze(network, new AnalysisOptions { Batch = c.batch, Phase = Phase.Training });
            return many.Totals.Flops == c.batch * one.Totals.Flops
                && training.Totals.Flops == 3 * many.Totals.Flops
                && many.Totals.ActivationBytes == c.batch * one.Totals.ActivationBytes
                && many.Totals.OutputBytes == c.batch * one.Totals.OutputBytes
                && many.Layers.Zip(one.Layers).All(p => p.First.OutputElements == c.batch * p.Second.OutputElements)
                && many.Totals.Weights == one.Totals.Weights
                && many.Totals.Biases == one.Totals.Biases
                && many.Totals.ParameterBytes == one.Totals.ParameterBytes;
        }));
    }

    [Fact]
    public void Totals_are_the_sums_of_the_rows()
    {
        Check.One(RandomNetworks.Config, Prop.ForAll(RandomNetworks.Chains.ToArbitrary(), recipe =>
        {
            var report = CostModel.Analyze(recipe.Build(), new AnalysisOptions { Batch = 3 });
            var owned = report.Layers.Where(l => !l.InPlace).ToArray();
            return report.Totals.Flops == report.Layers.Sum(l => l.Flops)
                && report.Totals.ParameterBytes == report.Layers.Sum(l => l.ParameterBytes)
                && report.Totals.OutputBytes == owned.Sum(l => l.OutputBytes)
                && report.Totals.ActivationBytes == owned.Where(l => l.Kind != LayerKind.Input).Sum(l => l.OutputBytes);
        }));
    }

    [Fact]
    public void Every_corrupted_layer_is_named_by_the_error()
    {
        var cases = from recipe in RandomNetworks.Chains from pick in Gen.Choose(0, 1000) from fault in Gen.Choose(0, 3) select (recipe, pick, fault);
        Check.One(RandomNetworks.Config, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var network = c.recipe.Build();
            var candidates = network.Layers.OfType<ConvolutionLayer>().ToArray();
            if (candidates.Length == 0)
            {
                return true;
            }

            var victim = candidates[c.pick % candidates.Length];
            var inputSize = network.OutputShapes[network.IndexOf(victim.Inputs[0])];
            Layer corrupted = c.fault switch
            {
                0 => victim with { Stride = new Size2(1, 0) },
                1 => victim with { Filters = 0 },
                2 => victim with { Kernel = inputSize.Height + 2 * victim.Pad.Height + 1 },
                _ => victim with { Groups = inputSize.Channels + 1, Filters = inputSize.Channels + 1 },
            };
            try
            {
                network.ReplaceLayer(corrupted);
                return false;
            }
            catch (NetworkDefinitionException error)
            {
                return error.LayerName == victim.Name && error.Message.StartsWith($"layer '{victim.Name}': ", StringComparison.Ordinal);
            }
        }));
    }

    [Fact]
    public void Precision_scales_bytes_and_rounds_packed_bits_up()
    {
        Assert.Equal(4, Precision.Fp32.BytesFor(1));
        Assert.Equal(2, Precision.Fp16.BytesFor(1));
        Assert.Equal(1, Precision.Int8.BytesFor(1));
        Assert.Equal(3, new Precision(6).BytesFor(4));  // 24 bits
        Assert.Equal(4, new Precision(6).BytesFor(5));  // 30 bits -> 4 bytes
        Assert.Equal(new Precision(6), Precision.Parse("6bit"));
        Assert.Throws<FormatException>(() => Precision.Parse("fp64"));
    }
}
