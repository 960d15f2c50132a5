using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Hardware;
using Xunit;

namespace CnnCost.Tests.Hardware;

/// <summary>
/// Roofline bytes and memory footprints of one tiny network at fp16 and at 6 bits, at batch 2, every number
/// counted by hand. n-bit values pack tightly: bytes = ceil(values · bits / 8).
/// </summary>
public class PrecisionHandCountTests
{
    private static readonly Device Toy = new("toy", 1e12, 1e11, 100, "for hand calculation");

    // data 3x5x5 (75 values per item)
    // conv 4 filters 3x3 pad 1 with bias -> 4x5x5 (100): 108 weights + 4 biases; FLOPs 2*108*25 = 5,400 per item
    // relu (in place unless told otherwise)
    // pool max 3x3 stride 2 -> 4x2x2 (16): floor((5-3)/2)+1 = 2 (ceil gives 2 as well); 9*16 = 144 comparisons per item
    // fc 16 -> 3 with bias: 48 weights + 3 biases; FLOPs 2*48 = 96 per item
    private static Network Tiny() => new NetworkBuilder("tiny").Input(3, 5, 5)
        .Convolution("conv", 4, 3, pad: 1).ReLU("relu")
        .MaxPool("pool", 3, 2)
        .FullyConnected("fc", 3).Build();

    private static CostReport Report(Precision precision, bool inPlace = true) =>
        CostModel.Analyze(Tiny(), new AnalysisOptions
        {
            Batch = 2,
            Conventions = Conventions.Caffe with { Precision = precision, InPlaceActivations = inPlace },
        });

    private static long Bytes(CostReport report, string layer) => Roofline.Analyze(report, Toy).Single(p => p.Name == layer).Bytes;

    [Fact]
    public void Roofline_bytes_at_fp16_are_two_bytes_for_every_input_weight_and_output_value()
    {
        var report = Report(Precision.Fp16);
        // conv: inputs 75*2 = 150 values = 300 B; parameters 112 = 224 B; outputs 100*2 = 200 = 400 B
        Assert.Equal(300 + 224 + 400, Bytes(report, "conv"));
        // pool: reads the (in-place) relu, 200 values = 400 B; outputs 16*2 = 32 = 64 B
        Assert.Equal(400 + 64, Bytes(report, "pool"));
        // fc: inputs 32 = 64 B; parameters 51 = 102 B; outputs 6 = 12 B
        Assert.Equal(64 + 102 + 12, Bytes(report, "fc"));
        Assert.Equal(["conv", "pool", "fc"], Roofline.Analyze(report, Toy).Select(p => p.Name));   // relu works in place
        var conv = Roofline.Analyze(report, Toy).Single(p => p.Name == "conv");
        Assert.Equal(10_800, conv.Flops);                                   // 5,400 * 2 items, whatever the precision
        Assert.Equal(10_800.0 / 924, conv.Intensity, 12);                   // 11.7 FLOPs/byte, above the ridge of 10
        Assert.True(conv.ComputeBound);
    }

    [Fact]
    public void Roofline_bytes_at_six_bits_pack_the_values_and_round_up_to_whole_bytes()
    {
        var report = Report(new Precision(6));
        // conv: inputs 150*6 = 900 bits = 112.5 -> 113 B; parameters 112*6 = 672 bits = 84 B; outputs 200*6 = 1200 bits = 150 B
        Assert.Equal(113 + 84 + 150, Bytes(report, "conv"));
        // pool: inputs 200*6/8 = 150 B; outputs 32*6/8 = 24 B
        Assert.Equal(150 + 24, Bytes(report, "pool"));
        // fc: inputs 32*6/8 = 24 B; parameters 51*6 = 306 bits -> 39 B; outputs 6*6 = 36 bits -> 5 B
        Assert.Equal(24 + 39 + 5, Bytes(report, "fc"));
        var conv = Roofline.Analyze(report, Toy).Single(p => p.Name == "conv");
        Assert.Equal(10_800.0 / 347, conv.Intensity, 12);
    }

    [Fact]
    public void Report_bytes_at_fp16_and_six_bits_follow_the_hand_count()
    {
        var fp16 = Report(Precision.Fp16);
        Assert.Equal(224 + 102, fp16.Totals.ParameterBytes);                 // 163 parameters * 2
        Assert.Equal(300 + 400 + 64 + 12, fp16.Totals.OutputBytes);          // data, conv, pool, fc (relu in place)
        Assert.Equal(400 + 64 + 12, fp16.Totals.ActivationBytes);            // without the input
        var six = Report(new Precision(6));
        Assert.Equal(84 + 39, six.Totals.ParameterBytes);                   // per layer: 672 bits, 306 bits -> 39 B
        Assert.Equal(113 + 150 + 24 + 5, six.Totals.OutputBytes);
        Assert.Equal(150, six["relu"].OutputBytes);                          // reported, though in place
        Assert.Equal(2 * (5_400 + 144 + 96), six.Totals.Flops);              // FLOPs do not depend on the precision
    }

    [Fact]
    public void Memory_footprints_at_fp16_and_six_bits_follow_the_hand_count()
    {
        var network = Tiny();
        var fp16 = Report(Precision.Fp16);
        var inference = MemoryModel.Inference(network, fp16);
        Assert.Equal(326, inference.Weights);                                // 163 parameters * 2 B
        Assert.Equal(300 + 400, inference.Activations);                      // data and conv alive together while conv runs
        Assert.Equal("conv", inference.PeakLayer);
        var adam = MemoryModel.Training(network, fp16, Optimizer.Adam);
        Assert.Equal(300 + 400 + 64 + 12, adam.Activations);
        Assert.Equal(326 + 326 + 2 * 326 + 776, adam.Total);                 // 2,080

        var six = Report(new Precision(6));
        var sixInference = MemoryModel.Inference(network, six);
        Assert.Equal(123, sixInference.Weights);                             // 163 * 6 = 978 bits -> 123 B
        Assert.Equal(113 + 150, sixInference.Activations);
        var momentum = MemoryModel.Training(network, six, Optimizer.SgdMomentum);
        Assert.Equal(113 + 150 + 24 + 5, momentum.Activations);
        Assert.Equal(123 + 123 + 123 + 292, momentum.Total);
    }

    [Fact]
    public void Without_in_place_activations_the_relu_owns_a_buffer_in_every_count()
    {
        var network = Tiny();
        var report = Report(Precision.Fp16, inPlace: false);
        Assert.False(report["relu"].InPlace);
        // relu's 200 values (400 B) join the totals: data 300 + conv 400 + relu 400 + pool 64 + fc 12.
        Assert.Equal(1_176, report.Totals.OutputBytes);
        Assert.Equal(876, report.Totals.ActivationBytes);
        // The roofline now has a relu point: 400 B in, 400 B out, no FLOPs (element-wise operations not counted).
        var relu = Roofline.Analyze(report, Toy).Single(p => p.Name == "relu");
        Assert.Equal(800, relu.Bytes);
        Assert.Equal(0, relu.Flops);
        Assert.Equal(8e-9, relu.Seconds, 1e-20);                             // 800 B over 1e11 B/s
        // Inference: data is freed after conv; while relu runs conv (400) and relu (400) are alive: the peak.
        var inference = MemoryModel.Inference(network, report);
        Assert.Equal(326, inference.Weights);                                // 163 parameters * 2 B, as before
        Assert.Equal(800, inference.Activations);
        Assert.Equal("relu", inference.PeakLayer);
        Assert.Equal(1_176, MemoryModel.Training(network, report, Optimizer.Sgd).Activations);
    }
}
