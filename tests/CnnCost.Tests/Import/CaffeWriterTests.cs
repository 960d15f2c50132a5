using CnnCost.Graph;
using CnnCost.Import;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>
/// The exact prototxt the Caffe writer produces, written out by hand from Caffe's format (caffe.proto's
/// LayerParameter fields), so every field and every parameter block is checked, not only what reads back.
/// </summary>
public class CaffeWriterTests
{
    [Fact]
    public void Every_layer_kind_is_written_as_the_hand_written_prototxt()
    {
        // Caffe conventions: pooling ceils unless the layer floors itself, so only "pool" carries round_mode.
        var network = new NetworkBuilder("q\"uo\\te", Conventions.Caffe).Input(3, 8, 8)
            .Convolution("conv", 4, 3, pad: 1, dilation: new Size2(2, 2), bias: false)   // 8 + 2 - 5 + 1 = 6
            .Activation(ActivationFunction.LeakyReLU, "leaky")
            .Add(new ActivationLayer("shared", "leaky", ActivationFunction.PReLU, SharedSlope: true))
            .Add(new ActivationLayer("each", "shared", ActivationFunction.PReLU))
            .Activation(ActivationFunction.Sigmoid, "sig").Activation(ActivationFunction.Tanh, "tanh")
            .Activation(ActivationFunction.ReLU6, "six").ReLU("relu")
            .Dropout(0.25, "drop").BatchNorm("bn").Lrn("lrn", 3)
            .MaxPool("pool", 2, 2, rounding: RoundingRule.Floor)                          // 6 -> 3
            .AveragePool("ave", 2, 2)                                                      // ceil((3 - 2) / 2) + 1 = 2
            .Add(new AddLayer("prod", ["ave", "ave"], ElementwiseOperation.Product))
            .Add(new AddLayer("max", ["prod", "prod"], ElementwiseOperation.Max))
            .Sum("sum", "max", "ave").Concat("cat", "sum", "ave")
            .GlobalPool("gp", PoolingMethod.Max).FullyConnected("fc", 10, bias: false).Softmax("prob")
            .Build();
        var expected = """
            name: "q\"uo\\te"
            layer {
              name: "data"
              type: "Input"
              top: "data"
              input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }
            }
            layer {
              name: "conv"
              type: "Convolution"
              bottom: "data"
              top: "conv"
              convolution_param { num_output: 4 kernel_h: 3 kernel_w: 3 stride_h: 1 stride_w: 1 pad_h: 1 pad_w: 1 group: 1 dilation: 2 dilation: 2 bias_term: false }
            }
            layer {
              name: "leaky"
              type: "ReLU"
              bottom: "conv"
              top: "leaky"
              relu_param { negative_slope: 0.01 }
            }
            layer {
              name: "shared"
              type: "PReLU"
              bottom: "leaky"
              top: "shared"
              prelu_param { channel_shared: true }
            }
            layer {
              name: "each"
              type: "PReLU"
              bottom: "shared"
              top: "each"
              prelu_param { channel_shared: false }
            }
            layer {
              name: "sig"
              type: "Sigmoid"
              bottom: "each"
              top: "sig"
            }
            layer {
              name: "tanh"
              type: "TanH"
              bottom: "sig"
              top: "tanh"
            }
            layer {
              name: "six"
              type: "ReLU6"
              bottom: "tanh"
              top: "six"
            }
            layer {
              name: "relu"
              type: "ReLU"
              bottom: "six"
              top: "relu"
            }
            layer {
              name: "drop"
              type: "Dropout"
              bottom: "relu"
              top: "drop"
              dropout_param { dropout_ratio: 0.25 }
            }
            layer {
              name: "bn"
              type: "BatchNorm"
              bottom: "drop"
              top: "bn"
            }
            layer {
              name: "bn_scale"
              type: "Scale"
              bottom: "bn"
              top: "bn"
              scale_param { bias_term: true }
            }
            layer {
              name: "lrn"
              type: "LRN"
              bottom: "bn"
              top: "lrn"
              lrn_param { local_size: 3 }
            }
            layer {
              name: "pool"
              type: "Pooling"
              bottom: "lrn"
              top: "pool"
              pooling_param { pool: MAX kernel_h: 2 kernel_w: 2 stride_h: 2 stride_w: 2 pad_h: 0 pad_w: 0 round_mode: FLOOR }
            }
            layer {
              name: "ave"
              type: "Pooling"
              bottom: "pool"
              top: "ave"
              pooling_param { pool: AVE kernel_h: 2 kernel_w: 2 stride_h: 2 stride_w: 2 pad_h: 0 pad_w: 0 }
            }
            layer {
              name: "prod"
              type: "Eltwise"
              bottom: "ave"
              bottom: "ave"
              top: "prod"
              eltwise_param { operation: PROD }
            }
            layer {
              name: "max"
              type: "Eltwise"
              bottom: "prod"
              bottom: "prod"
              top: "max"
              eltwise_param { operation: MAX }
            }
            layer {
              name: "sum"
              type: "Eltwise"
              bottom: "max"
              bottom: "ave"
              top: "sum"
              eltwise_param { operation: SUM }
            }
            layer {
              name: "cat"
              type: "Concat"
              bottom: "sum"
              bottom: "ave"
              top: "cat"
            }
            layer {
              name: "gp"
              type: "Pooling"
              bottom: "cat"
              top: "gp"
              pooling_param { pool: MAX global_pooling: true }
            }
            layer {
              name: "fc"
              type: "InnerProduct"
              bottom: "gp"
              top: "fc"
              inner_product_param { num_output: 10 bias_term: false }
            }
            layer {
              name: "prob"
              type: "Softmax"
              bottom: "fc"
              top: "prob"
            }
            """.ReplaceLineEndings("\n") + "\n";
        Assert.Equal(expected, CaffeWriter.Write(network));
    }

    [Fact]
    public void A_convolution_rounds_by_its_own_rule_before_the_conventions()
    {
        // The layer floors under conventions that ceil: Caffe can write it.
        var floors = new NetworkBuilder("n", Conventions.Dissertation).Input(1, 4, 4)
            .Add(new ConvolutionLayer("conv", "data", 2, 3, 1, 0, 1, 1, true, Rounding: RoundingRule.Floor)).Build();
        Assert.Contains("  convolution_param { num_output: 2 kernel_h: 3 kernel_w: 3 stride_h: 1 stride_w: 1 pad_h: 0 pad_w: 0 group: 1 bias_term: true }\n",
            CaffeWriter.Write(floors));

        // The layer ceils under conventions that floor: Caffe cannot.
        var ceils = new NetworkBuilder("n", Conventions.PyTorch).Input(1, 4, 4)
            .Add(new ConvolutionLayer("conv", "data", 2, 3, 1, 0, 1, 1, true, Rounding: RoundingRule.Ceiling)).Build();
        Assert.Equal("layer 'conv': its output size rounds up (Eq. 4.2), which a Caffe convolution cannot express",
            Assert.Throws<CnnCostException>(() => CaffeWriter.Write(ceils)).Message);
    }

    [Fact]
    public void A_pooling_layer_with_uneven_padding_is_refused_naming_it()
    {
        var network = new NetworkBuilder("n").Input(1, 8, 8).MaxPool("pool", 2, 2, pad: new Padding(0, 1)).Build();
        Assert.Equal("layer 'pool': its padding 0,0,1,1 differs before and after the input, which Caffe's pad_h and pad_w cannot express",
            Assert.Throws<CnnCostException>(() => CaffeWriter.Write(network)).Message);
    }

    [Fact]
    public void A_null_network_is_refused()
    {
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => CaffeWriter.Write(null!)).ParamName);
    }
}
