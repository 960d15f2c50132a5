using CnnCost.Costs;
using CnnCost.Graph;
using Xunit;

namespace CnnCost.Tests.Costs;

/// <summary>Per-layer rows of the cost model for each layer kind, worked out by hand on a 4x3x3 tensor.</summary>
public class CostModelLayerTests
{
    private static readonly Conventions Counting = Conventions.Caffe with { CountElementwiseOps = true, InPlaceActivations = false };

    // data 4x3x3 (36 values per item) feeding every element-wise kind once, then a bias-free fully-connected layer.
    private static Network ElementwiseNetwork(Conventions conventions) => new NetworkBuilder("elementwise", conventions)
        .Input(4, 3, 3)
        .ReLU("relu")
        .Dropout(0.5, "drop")
        .BatchNorm("bn")
        .Lrn("lrn", 3)
        .Softmax("prob")
        .Add(new ActivationLayer("prelu", "prob", ActivationFunction.PReLU))
        .Add(new ActivationLayer("prelu_shared", "prelu", ActivationFunction.PReLU, SharedSlope: true))
        .Sum("sum3", "prelu_shared", "bn", "relu")
        .FullyConnected("fc", 5, bias: false)
        .Build();

    [Theory]
    [InlineData("relu")]
    [InlineData("drop")]
    [InlineData("bn")]
    [InlineData("lrn")]
    [InlineData("prob")]
    [InlineData("prelu")]
    [InlineData("prelu_shared")]
    public void Element_wise_layers_count_one_operation_per_output_value_only_when_the_conventions_ask(string layer)
    {
        // 36 values per item, batch 2: 72 operations when counted, none otherwise (dissertation 4.2.3).
        var counted = CostModel.Analyze(ElementwiseNetwork(Counting), new AnalysisOptions { Batch = 2 });
        var free = CostModel.Analyze(ElementwiseNetwork(Conventions.Caffe), new AnalysisOptions { Batch = 2 });
        Assert.Equal(72, counted[layer].Flops);
        Assert.Equal(0, free[layer].Flops);
    }

    [Fact]
    public void An_add_of_three_inputs_costs_two_additions_per_output_value()
    {
        // 36 values per item at batch 2, (3 - 1) additions each: 144.
        var report = CostModel.Analyze(ElementwiseNetwork(Counting), new AnalysisOptions { Batch = 2 });
        Assert.Equal(144, report["sum3"].Flops);
        Assert.Equal(0, CostModel.Analyze(ElementwiseNetwork(Conventions.Caffe))["sum3"].Flops);
    }

    [Fact]
    public void Prelu_learns_a_slope_per_channel_unless_the_slope_is_shared()
    {
        var report = CostModel.Analyze(ElementwiseNetwork(Conventions.Caffe));
        Assert.Equal(4, report["prelu"].Weights);
        Assert.Equal(1, report["prelu_shared"].Weights);
        Assert.Equal(0, report["relu"].Weights);
        // Batch norm: a scale and a shift per channel, 4 + 4 values, 32 bytes in fp32.
        Assert.Equal((4, 4, 32L), (report["bn"].Weights, report["bn"].Biases, report["bn"].ParameterBytes));
    }

    [Fact]
    public void A_fully_connected_layer_without_bias_has_no_bias_values()
    {
        // 36 inputs to 5 outputs: 180 weights, no biases, 720 bytes.
        var fc = CostModel.Analyze(ElementwiseNetwork(Conventions.Caffe))["fc"];
        Assert.Equal((180L, 0L, 720L), (fc.Weights, fc.Biases, fc.ParameterBytes));
    }

    [Fact]
    public void The_operations_of_a_wide_add_throw_instead_of_wrapping()
    {
        // (2^31-1)^2 ≈ 4.6e18 int8 values: the input's and the add's bytes together still fit in 2^63-1 (≈ 9.2e18),
        // but a 4-input add needs 3 additions per value, ≈ 1.4e19 operations, which do not.
        var conventions = Conventions.Caffe with { CountElementwiseOps = true, Precision = Precision.Int8 };
        var network = new Network("wide", [new InputLayer("data", new Shape(int.MaxValue, int.MaxValue, 1)), new AddLayer("sum", ["data", "data", "data", "data"])], conventions);
        Assert.Equal("sum", Assert.Throws<CostOverflowException>(() => CostModel.Analyze(network)).LayerName);
    }

    [Fact]
    public void Asking_a_report_for_a_layer_it_lacks_names_the_layer_and_the_model()
    {
        var report = CostModel.Analyze(ElementwiseNetwork(Conventions.Caffe));
        var error = Assert.Throws<KeyNotFoundException>(() => report["conv9"]);
        Assert.Equal("the report of 'elementwise' has no layer 'conv9'", error.Message);
    }

    [Fact]
    public void Analyzing_no_network_is_an_argument_error()
    {
        var error = Assert.Throws<ArgumentNullException>(() => CostModel.Analyze(null!));
        Assert.Equal("network", error.ParamName);
    }
}
