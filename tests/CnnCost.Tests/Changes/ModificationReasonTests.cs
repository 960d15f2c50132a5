using CnnCost.Changes;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Changes;

/// <summary>What each modification edits, the layer kinds it refuses with their reasons, and the specs it writes and reads.</summary>
public class ModificationReasonTests
{
    // data 3x8x8 -> conv (3x3, pad 1) -> relu -> pool (2x2/2) -> gap -> fc (10).
    private static Network Small() => new NetworkBuilder("small").Input(3, 8, 8)
        .Convolution("conv", 4, 3, pad: 1).ReLU("relu").MaxPool("pool", 2, 2).GlobalPool("gap").FullyConnected("fc", 10).Build();

    [Theory]
    [InlineData("filters", "relu", "it is a Activation layer; filter counts apply to convolution, transposed convolution, fully-connected and linear layers")]
    [InlineData("kernel", "relu", "it is a Activation layer without a kernel to resize")]
    [InlineData("kernel", "gap", "it is a Pooling layer without a kernel to resize")]
    [InlineData("stride", "fc", "it is a FullyConnected layer without a stride")]
    [InlineData("stride", "gap", "it is a Pooling layer without a stride")]
    [InlineData("pool", "conv", "it is a Convolution layer, not a pooling layer")]
    public void Each_edit_refuses_layer_kinds_it_does_not_apply_to(string edit, string layer, string reason)
    {
        Modification modification = edit switch
        {
            "filters" => new SetFilters(layer, 8),
            "kernel" => new SetKernel(layer, 3),
            "stride" => new SetStride(layer, 2),
            _ => new SetPoolingMethod(layer, PoolingMethod.Average),
        };
        var error = Assert.Throws<NetworkDefinitionException>(() => modification.ApplyTo(Small()));
        Assert.Equal((layer, reason), (error.LayerName, error.Reason));
    }

    [Fact]
    public void Each_edit_changes_exactly_what_it_names()
    {
        var network = Small();
        Assert.Equal(12, ((FullyConnectedLayer)new SetFilters("fc", 12).ApplyTo(network)["fc"]).Outputs);
        Assert.Equal(6, ((ConvolutionLayer)new SetFilters("conv", 6).ApplyTo(network)["conv"]).Filters);

        var conv = (ConvolutionLayer)new SetKernel("conv", 5).ApplyTo(network)["conv"];
        Assert.Equal((new Size2(5, 5), new Size2(1, 1)), (conv.Kernel, conv.Pad));          // the pad is kept when not named
        conv = (ConvolutionLayer)new SetKernel("conv", 5, 2).ApplyTo(network)["conv"];
        Assert.Equal(new Size2(2, 2), conv.Pad);
        var pool = (PoolingLayer)new SetKernel("pool", 3, 1).ApplyTo(network)["pool"];
        Assert.Equal((new Size2(3, 3), new Size2(1, 1)), (pool.Kernel, pool.Pad));
        pool = (PoolingLayer)new SetKernel("pool", 3).ApplyTo(network)["pool"];
        Assert.Equal(new Size2(0, 0), pool.Pad);

        Assert.Equal(new Size2(2, 1), ((ConvolutionLayer)new SetStride("conv", new Size2(2, 1)).ApplyTo(network)["conv"]).Stride);
        Assert.Equal(new Size2(1, 1), ((PoolingLayer)new SetStride("pool", 1).ApplyTo(network)["pool"]).Stride);
        Assert.Equal(PoolingMethod.Average, ((PoolingLayer)new SetPoolingMethod("pool", PoolingMethod.Average).ApplyTo(network)["pool"]).Method);

        Assert.Equal(new Shape(5, 8, 8), new SetInputChannels(5).ApplyTo(network).Input.Shape);
        Assert.Equal(new Shape(3, 16, 12), new SetInputSize(new Size2(16, 12)).ApplyTo(network).Input.Shape);
        Assert.Equal(7, ((FullyConnectedLayer)new SetCategories(7).ApplyTo(network)["fc"]).Outputs);
    }

    [Fact]
    public void The_classifier_is_the_last_convolution_or_fully_connected_layer()
    {
        Assert.Equal("fc", SetCategories.ClassifierOf(Small()));
        var ninLike = new NetworkBuilder("n").Input(3, 8, 8).Convolution("c1", 4, 1).Convolution("c2", 10, 1).GlobalPool("gap").Softmax().Build();
        Assert.Equal("c2", SetCategories.ClassifierOf(ninLike));
        var none = new NetworkBuilder("bare").Input(3, 8, 8).MaxPool("pool", 2, 2).Build();
        var error = Assert.Throws<NetworkDefinitionException>(() => SetCategories.ClassifierOf(none));
        Assert.Equal((null, "network 'bare' has no convolution or fully-connected layer to classify with"), (error.LayerName, error.Reason));
        Assert.Throws<ArgumentNullException>(() => SetCategories.ClassifierOf(null!));
    }

    [Fact]
    public void Specs_write_sizes_compactly_and_name_inserted_layers()
    {
        Assert.Equal("kernel:conv=5x5", new SetKernel("conv", 5).Spec);
        Assert.Equal("kernel:conv=5x3,pad=2x1", new SetKernel("conv", new Size2(5, 3), new Size2(2, 1)).Spec);
        Assert.Equal("stride:conv=2", new SetStride("conv", 2).Spec);
        Assert.Equal("pool:p=max", new SetPoolingMethod("p", PoolingMethod.Max).Spec);
        Assert.Equal("pool:p=avg", new SetPoolingMethod("p", PoolingMethod.Average).Spec);
        Assert.Equal("input-size=16x12", new SetInputSize(new Size2(16, 12)).Spec);
        var conv = new ConvolutionLayer("x", "a", 8, new Size2(3, 1), new Size2(1, 2), new Size2(0, 0), 1, 1, true);
        Assert.Equal("insert-after:a=conv,3x1,8,stride=1x2,name=x", new InsertAfter("a", conv).Spec);
        Assert.Equal("insert-after:a=conv,3x1,8,pad=1,name=x", new InsertAfter("a", conv with { Stride = 1, Pad = 1 }).Spec);
        Assert.Equal("insert-after:a=Activation:r", new InsertAfter("a", new ActivationLayer("r", "a", ActivationFunction.ReLU)).Spec);
    }

    [Theory]
    [InlineData("pool:p=average", "pool:p=avg")]
    [InlineData("insert-after:a=conv,3x3,8", "insert-after:a=conv,3x3,8,name=a_extra")]
    [InlineData("kernel:c=3", "kernel:c=3x3")]
    public void Specs_read_their_accepted_spellings(string spec, string written) =>
        Assert.Equal(written, Modification.Parse(spec).Spec);

    [Theory]
    [InlineData("input-channels")]
    [InlineData("input-channels:x=3")]
    [InlineData("remove:x=3")]
    [InlineData("remove")]
    [InlineData("pool:p=min")]
    [InlineData("kernel:c=3,stride=2")]
    [InlineData("insert-after:a=conv,3x3")]
    [InlineData("insert-after:a=conv,3x3,8,pad")]
    [InlineData("insert-after:a=conv,3x3,8,stride")]
    [InlineData("insert-after:a=conv,3x3,8,name=")]
    [InlineData("insert-after:a=conv,3x3,8,group=2")]
    [InlineData("categories=-1")]
    public void Malformed_specs_quote_themselves_and_list_every_form(string spec)
    {
        var error = Assert.Throws<FormatException>(() => Modification.Parse(spec));
        Assert.Equal(
            $"'{spec}' is not a change; the forms are input-channels=N, input-size=HxW, filters:LAYER=N, kernel:LAYER=HxW[,pad=P], "
            + "stride:LAYER=S, pool:LAYER=max|avg, categories=N, remove:LAYER, insert-after:LAYER=conv,KxK,N[,pad=P][,stride=S][,name=NAME]",
            error.Message);
    }

    [Fact]
    public void Applying_needs_a_network_and_a_list_of_edits_and_applies_them_in_order()
    {
        Assert.Throws<ArgumentNullException>(() => Modification.ApplyAll(null!, []));
        Assert.Throws<ArgumentNullException>(() => Modification.ApplyAll(Small(), null!));
        Assert.Throws<ArgumentNullException>(() => Modification.Parse(null!));
        // Filters 6 then 9: the last one wins.
        var edited = Modification.ApplyAll(Small(), [new SetFilters("conv", 6), new SetFilters("conv", 9)]);
        Assert.Equal(9, ((ConvolutionLayer)edited["conv"]).Filters);
    }
}
