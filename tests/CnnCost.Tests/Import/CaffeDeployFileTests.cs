using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Import;
using Xunit;

namespace CnnCost.Tests.Import;

/// <summary>
/// Deploy files written for these tests in the style of published ones (SENet, MobileNet-SSD, ShuffleNet v2, FCN with
/// PSPNet's Interp); each total is derived by hand below from the layers, not from the importer.
/// </summary>
public class CaffeDeployFileTests
{
    private static readonly AnalysisOptions Elementwise = new() { Conventions = Conventions.Caffe with { CountElementwiseOps = true } };

    /// <summary>Two SE residual blocks: the first merges with Axpy, the second with a two-bottom Scale and an Eltwise.</summary>
    private const string SeResNet = """
        name: "SE-ResNet-blocks"
        input: "data"
        input_dim: 1
        input_dim: 64
        input_dim: 8
        input_dim: 8
        layer { name: "res1_conv1" type: "Convolution" bottom: "data" top: "res1_conv1"
          convolution_param { num_output: 64 kernel_size: 3 pad: 1 bias_term: false } }
        layer { name: "res1_conv1_bn" type: "BatchNorm" bottom: "res1_conv1" top: "res1_conv1" batch_norm_param { use_global_stats: true } }
        layer { name: "res1_conv1_scale" type: "Scale" bottom: "res1_conv1" top: "res1_conv1" scale_param { bias_term: true } }
        layer { name: "res1_conv1_relu" type: "ReLU" bottom: "res1_conv1" top: "res1_conv1" }
        layer { name: "res1_conv2" type: "Convolution" bottom: "res1_conv1" top: "res1_conv2"
          convolution_param { num_output: 64 kernel_size: 3 pad: 1 bias_term: false } }
        layer { name: "res1_conv2_bn" type: "BatchNorm" bottom: "res1_conv2" top: "res1_conv2" batch_norm_param { use_global_stats: true } }
        layer { name: "res1_conv2_scale" type: "Scale" bottom: "res1_conv2" top: "res1_conv2" scale_param { bias_term: true } }
        layer { name: "res1_squeeze" type: "Pooling" bottom: "res1_conv2" top: "res1_squeeze" pooling_param { pool: AVE global_pooling: true } }
        layer { name: "res1_down" type: "Convolution" bottom: "res1_squeeze" top: "res1_down" convolution_param { num_output: 4 kernel_size: 1 } }
        layer { name: "res1_down_relu" type: "ReLU" bottom: "res1_down" top: "res1_down" }
        layer { name: "res1_up" type: "Convolution" bottom: "res1_down" top: "res1_up" convolution_param { num_output: 64 kernel_size: 1 } }
        layer { name: "res1_prob" type: "Sigmoid" bottom: "res1_up" top: "res1_up" }
        layer { name: "res1" type: "Axpy" bottom: "res1_up" bottom: "res1_conv2" bottom: "data" top: "res1" }
        layer { name: "res1_relu" type: "ReLU" bottom: "res1" top: "res1" }
        layer { name: "res2_conv1" type: "Convolution" bottom: "res1" top: "res2_conv1"
          convolution_param { num_output: 64 kernel_size: 3 pad: 1 bias_term: false } }
        layer { name: "res2_conv1_bn" type: "BatchNorm" bottom: "res2_conv1" top: "res2_conv1" batch_norm_param { use_global_stats: true } }
        layer { name: "res2_conv1_scale" type: "Scale" bottom: "res2_conv1" top: "res2_conv1" scale_param { bias_term: true } }
        layer { name: "res2_conv1_relu" type: "ReLU" bottom: "res2_conv1" top: "res2_conv1" }
        layer { name: "res2_conv2" type: "Convolution" bottom: "res2_conv1" top: "res2_conv2"
          convolution_param { num_output: 64 kernel_size: 3 pad: 1 bias_term: false } }
        layer { name: "res2_conv2_bn" type: "BatchNorm" bottom: "res2_conv2" top: "res2_conv2" batch_norm_param { use_global_stats: true } }
        layer { name: "res2_conv2_scale" type: "Scale" bottom: "res2_conv2" top: "res2_conv2" scale_param { bias_term: true } }
        layer { name: "res2_squeeze" type: "Pooling" bottom: "res2_conv2" top: "res2_squeeze" pooling_param { pool: AVE global_pooling: true } }
        layer { name: "res2_down" type: "Convolution" bottom: "res2_squeeze" top: "res2_down" convolution_param { num_output: 4 kernel_size: 1 } }
        layer { name: "res2_down_relu" type: "ReLU" bottom: "res2_down" top: "res2_down" }
        layer { name: "res2_up" type: "Convolution" bottom: "res2_down" top: "res2_up" convolution_param { num_output: 64 kernel_size: 1 } }
        layer { name: "res2_prob" type: "Sigmoid" bottom: "res2_up" top: "res2_up" }
        layer { name: "res2_prob_flat" type: "Reshape" bottom: "res2_up" top: "res2_prob_flat" reshape_param { shape { dim: 0 dim: -1 } } }
        layer { name: "res2_excite" type: "Scale" bottom: "res2_conv2" bottom: "res2_prob_flat" top: "res2_excite" scale_param { axis: 0 } }
        layer { name: "res2" type: "Eltwise" bottom: "res2_excite" bottom: "res1" top: "res2" eltwise_param { operation: SUM } }
        layer { name: "res2_relu" type: "ReLU" bottom: "res2" top: "res2" }
        """;

    [Fact]
    public void Se_resnet_blocks_count_their_convolutions_batch_norms_and_excitations()
    {
        var network = CaffeImporter.Parse(SeResNet, "se.prototxt").Network;
        var report = CostModel.Analyze(network);
        // Per block: two 3x3 convolutions 64→64 without bias: 64·64·9 = 36864 weights each; two batch norms of 64 γ and
        // 64 β; squeeze 1x1 64→4 (256 weights, 4 biases) and excite 1x1 4→64 (256 weights, 64 biases).
        const long blockWeights = 2 * 36864 + 2 * 64 + 256 + 256;   // 74368
        const long blockBiases = 2 * 64 + 4 + 64;                    // 196
        Assert.Equal((2 * blockWeights, 2 * blockBiases), (report.Totals.Weights, report.Totals.Biases));
        // FLOPs: each 3x3 convolution 2·36864·8·8 = 4718592; each 1x1 on 1x1 2·256 = 512; the global average pool 2·8·8·64 = 8192.
        const long blockFlops = 2 * 4718592 + 512 + 512 + 8192;     // 9446400
        Assert.Equal(2 * blockFlops, report.Totals.Flops);
        Assert.Equal(new Shape(64, 8, 8), report["res2"].Output);

        // Counting element-wise operations too (4096 = 64·8·8 values per feature map): per block two batch norms (2·4096),
        // three ReLUs on maps (4096 + 4096) and one on the squeeze (4), the sigmoid (64), and the merge: Axpy's product
        // and sum (2·4096) in block 1, the two-bottom Scale's product and the Eltwise sum (2·4096) in block 2.
        const long blockElementwise = 2 * 4096 + 4096 + 4096 + 4 + 64 + 2 * 4096;
        var withElementwise = CostModel.Analyze(network, Elementwise);
        Assert.Equal(2 * blockFlops + 2 * blockElementwise, withElementwise.Totals.Flops);
        Assert.Equal(4096L, withElementwise["res1/scale"].Flops);
        Assert.Equal(4096L, withElementwise["res2_excite"].Flops);
    }

    /// <summary>
    /// A MobileNet-style trunk with two SSD heads: Normalize on the first feature map, Permute/Flatten/Concat of the
    /// box and class predictions, PriorBox per map, the class scores reshaped for a softmax, and DetectionOutput.
    /// </summary>
    private const string MobileNetSsd = """
        name: "MobileNet-SSD-mini"
        layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 16 dim: 16 } } }
        layer { name: "conv0" type: "Convolution" bottom: "data" top: "conv0" convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 bias_term: false } }
        layer { name: "conv0/bn" type: "BatchNorm" bottom: "conv0" top: "conv0" }
        layer { name: "conv0/scale" type: "Scale" bottom: "conv0" top: "conv0" scale_param { bias_term: true } }
        layer { name: "conv0/relu" type: "ReLU" bottom: "conv0" top: "conv0" }
        layer { name: "conv1/dw" type: "ConvolutionDepthwise" bottom: "conv0" top: "conv1/dw" convolution_param { num_output: 8 kernel_size: 3 pad: 1 bias_term: false } }
        layer { name: "conv1/dw/relu" type: "ReLU6" bottom: "conv1/dw" top: "conv1/dw" }
        layer { name: "conv1" type: "Convolution" bottom: "conv1/dw" top: "conv1" convolution_param { num_output: 16 kernel_size: 1 bias_term: false } }
        layer { name: "conv1/relu" type: "ReLU6" bottom: "conv1" top: "conv1" }
        layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2" convolution_param { num_output: 16 kernel_size: 3 stride: 2 pad: 1 bias_term: false } }
        layer { name: "conv2/relu" type: "ReLU6" bottom: "conv2" top: "conv2" }
        layer { name: "conv1_norm" type: "Normalize" bottom: "conv1" top: "conv1_norm"
          norm_param { across_spatial: false scale_filler { type: "constant" value: 20 } channel_shared: false } }
        layer { name: "conv1_mbox_loc" type: "Convolution" bottom: "conv1_norm" top: "conv1_mbox_loc" convolution_param { num_output: 16 kernel_size: 3 pad: 1 } }
        layer { name: "conv1_mbox_loc_perm" type: "Permute" bottom: "conv1_mbox_loc" top: "conv1_mbox_loc_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
        layer { name: "conv1_mbox_loc_flat" type: "Flatten" bottom: "conv1_mbox_loc_perm" top: "conv1_mbox_loc_flat" flatten_param { axis: 1 } }
        layer { name: "conv1_mbox_conf" type: "Convolution" bottom: "conv1_norm" top: "conv1_mbox_conf" convolution_param { num_output: 12 kernel_size: 3 pad: 1 } }
        layer { name: "conv1_mbox_conf_perm" type: "Permute" bottom: "conv1_mbox_conf" top: "conv1_mbox_conf_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
        layer { name: "conv1_mbox_conf_flat" type: "Flatten" bottom: "conv1_mbox_conf_perm" top: "conv1_mbox_conf_flat" flatten_param { axis: 1 } }
        layer { name: "conv1_mbox_priorbox" type: "PriorBox" bottom: "conv1_norm" bottom: "data" top: "conv1_mbox_priorbox"
          prior_box_param { min_size: 4 max_size: 8 aspect_ratio: 2 flip: true clip: false variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 } }
        layer { name: "conv2_mbox_loc" type: "Convolution" bottom: "conv2" top: "conv2_mbox_loc" convolution_param { num_output: 24 kernel_size: 3 pad: 1 } }
        layer { name: "conv2_mbox_loc_perm" type: "Permute" bottom: "conv2_mbox_loc" top: "conv2_mbox_loc_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
        layer { name: "conv2_mbox_loc_flat" type: "Flatten" bottom: "conv2_mbox_loc_perm" top: "conv2_mbox_loc_flat" flatten_param { axis: 1 } }
        layer { name: "conv2_mbox_conf" type: "Convolution" bottom: "conv2" top: "conv2_mbox_conf" convolution_param { num_output: 18 kernel_size: 3 pad: 1 } }
        layer { name: "conv2_mbox_conf_perm" type: "Permute" bottom: "conv2_mbox_conf" top: "conv2_mbox_conf_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
        layer { name: "conv2_mbox_conf_flat" type: "Flatten" bottom: "conv2_mbox_conf_perm" top: "conv2_mbox_conf_flat" flatten_param { axis: 1 } }
        layer { name: "conv2_mbox_priorbox" type: "PriorBox" bottom: "conv2" bottom: "data" top: "conv2_mbox_priorbox"
          prior_box_param { min_size: 8 max_size: 12 aspect_ratio: 2 aspect_ratio: 3 flip: true clip: false } }
        layer { name: "mbox_loc" type: "Concat" bottom: "conv1_mbox_loc_flat" bottom: "conv2_mbox_loc_flat" top: "mbox_loc" concat_param { axis: 1 } }
        layer { name: "mbox_conf" type: "Concat" bottom: "conv1_mbox_conf_flat" bottom: "conv2_mbox_conf_flat" top: "mbox_conf" concat_param { axis: 1 } }
        layer { name: "mbox_priorbox" type: "Concat" bottom: "conv1_mbox_priorbox" bottom: "conv2_mbox_priorbox" top: "mbox_priorbox" concat_param { axis: 2 } }
        layer { name: "mbox_conf_reshape" type: "Reshape" bottom: "mbox_conf" top: "mbox_conf_reshape" reshape_param { shape { dim: 0 dim: -1 dim: 3 } } }
        layer { name: "mbox_conf_softmax" type: "Softmax" bottom: "mbox_conf_reshape" top: "mbox_conf_softmax" softmax_param { axis: 2 } }
        layer { name: "mbox_conf_flatten" type: "Flatten" bottom: "mbox_conf_softmax" top: "mbox_conf_flatten" flatten_param { axis: 1 } }
        layer { name: "detection_out" type: "DetectionOutput" bottom: "mbox_loc" bottom: "mbox_conf_flatten" bottom: "mbox_priorbox" top: "detection_out"
          include { phase: TEST }
          detection_output_param { num_classes: 3 share_location: true background_label_id: 0
            nms_param { nms_threshold: 0.45 top_k: 100 } code_type: CENTER_SIZE keep_top_k: 50 confidence_threshold: 0.25 } }
        """;

    [Fact]
    public void Mobilenet_ssd_heads_have_one_prior_per_box_and_count_only_their_convolutions()
    {
        var imported = CaffeImporter.Parse(MobileNetSsd, "ssd.prototxt");
        var report = CostModel.Analyze(imported.Network);
        // Feature maps: conv1 16x8x8 (16/2), conv2 16x4x4. Priors per position: map 1 ratios 1, 2, 1/2 and one max
        // size = 4; map 2 ratios 1, 2, 1/2, 3, 1/3 and one max size = 6. Boxes: 8·8·4 + 4·4·6 = 256 + 96 = 352.
        Assert.Equal(Shape.Of(352 * 4), report["mbox_loc"].Output);           // 1024 + 384 box coordinates
        Assert.Equal(Shape.Of(352 * 3), report["mbox_conf"].Output);          // 3 classes
        Assert.Equal(Shape.Of(2, 352 * 4), report["mbox_priorbox"].Output);   // priors and their variances
        Assert.Equal(Shape.Of(352, 3), report["mbox_conf_softmax"].Output);
        Assert.Equal(Shape.Of(8, 8, 16), report["conv1_mbox_loc_perm"].Output);
        Assert.Equal(Shape.Of(1, 50, 7), report["detection_out"].Output);

        // Weights: conv0 3·8·9 = 216, its batch norm 8 (+8 β), dw 8·9 = 72, conv1 8·16 = 128, conv2 16·16·9 = 2304,
        // Normalize 16 scales, loc1 16·16·9 = 2304, conf1 16·12·9 = 1728, loc2 16·24·9 = 3456, conf2 16·18·9 = 2592.
        Assert.Equal(216L + 8 + 72 + 128 + 2304 + 16 + 2304 + 1728 + 3456 + 2592, report.Totals.Weights);   // 12824
        Assert.Equal(8L + 16 + 12 + 24 + 18, report.Totals.Biases);                                          // 78
        // FLOPs (Caffe's convention, convolutions only): 2·216·64 + 2·72·64 + 2·128·64 + 2·2304·16
        // + 2·2304·64 + 2·1728·64 + 2·3456·16 + 2·2592·16.
        Assert.Equal(27648L + 9216 + 16384 + 73728 + 294912 + 221184 + 110592 + 82944, report.Totals.Flops);   // 836608
        Assert.Contains(imported.Notes, n => n.Contains("DetectionOutput layer 'detection_out'", StringComparison.Ordinal));
    }

    /// <summary>Two ShuffleNet v2 units (channel split, a 1x1 / depthwise 3x3 / 1x1 branch, concat, channel shuffle) and a classifier.</summary>
    private const string ShuffleNetV2 = """
        name: "ShuffleNetV2-units"
        input: "data"
        input_shape { dim: 1 dim: 16 dim: 8 dim: 8 }
        layer { name: "u1_split" type: "Slice" bottom: "data" top: "u1_left" top: "u1_right" slice_param { axis: 1 slice_point: 8 } }
        layer { name: "u1_pw1" type: "Convolution" bottom: "u1_right" top: "u1_pw1" convolution_param { num_output: 8 kernel_size: 1 bias_term: false } }
        layer { name: "u1_pw1_bn" type: "BatchNorm" bottom: "u1_pw1" top: "u1_pw1" }
        layer { name: "u1_pw1_scale" type: "Scale" bottom: "u1_pw1" top: "u1_pw1" scale_param { bias_term: true } }
        layer { name: "u1_pw1_relu" type: "ReLU" bottom: "u1_pw1" top: "u1_pw1" }
        layer { name: "u1_dw" type: "ConvolutionDepthwise" bottom: "u1_pw1" top: "u1_dw" convolution_param { num_output: 8 kernel_size: 3 pad: 1 bias_term: false } }
        layer { name: "u1_dw_bn" type: "BatchNorm" bottom: "u1_dw" top: "u1_dw" }
        layer { name: "u1_dw_scale" type: "Scale" bottom: "u1_dw" top: "u1_dw" scale_param { bias_term: true } }
        layer { name: "u1_pw2" type: "Convolution" bottom: "u1_dw" top: "u1_pw2" convolution_param { num_output: 8 kernel_size: 1 bias_term: false } }
        layer { name: "u1_pw2_bn" type: "BatchNorm" bottom: "u1_pw2" top: "u1_pw2" }
        layer { name: "u1_pw2_scale" type: "Scale" bottom: "u1_pw2" top: "u1_pw2" scale_param { bias_term: true } }
        layer { name: "u1_pw2_relu" type: "ReLU" bottom: "u1_pw2" top: "u1_pw2" }
        layer { name: "u1_concat" type: "Concat" bottom: "u1_left" bottom: "u1_pw2" top: "u1_concat" }
        layer { name: "u1_shuffle" type: "ShuffleChannel" bottom: "u1_concat" top: "u1_shuffle" shuffle_channel_param { group: 2 } }
        layer { name: "u2_split" type: "Slice" bottom: "u1_shuffle" top: "u2_left" top: "u2_right" }
        layer { name: "u2_pw1" type: "Convolution" bottom: "u2_right" top: "u2_pw1" convolution_param { num_output: 8 kernel_size: 1 bias_term: false } }
        layer { name: "u2_pw1_bn" type: "BatchNorm" bottom: "u2_pw1" top: "u2_pw1" }
        layer { name: "u2_pw1_scale" type: "Scale" bottom: "u2_pw1" top: "u2_pw1" scale_param { bias_term: true } }
        layer { name: "u2_pw1_relu" type: "ReLU" bottom: "u2_pw1" top: "u2_pw1" }
        layer { name: "u2_dw" type: "DepthwiseConvolution" bottom: "u2_pw1" top: "u2_dw" convolution_param { num_output: 8 group: 8 kernel_size: 3 pad: 1 bias_term: false } }
        layer { name: "u2_dw_bn" type: "BatchNorm" bottom: "u2_dw" top: "u2_dw" }
        layer { name: "u2_dw_scale" type: "Scale" bottom: "u2_dw" top: "u2_dw" scale_param { bias_term: true } }
        layer { name: "u2_pw2" type: "Convolution" bottom: "u2_dw" top: "u2_pw2" convolution_param { num_output: 8 kernel_size: 1 bias_term: false } }
        layer { name: "u2_pw2_bn" type: "BatchNorm" bottom: "u2_pw2" top: "u2_pw2" }
        layer { name: "u2_pw2_scale" type: "Scale" bottom: "u2_pw2" top: "u2_pw2" scale_param { bias_term: true } }
        layer { name: "u2_pw2_relu" type: "ReLU" bottom: "u2_pw2" top: "u2_pw2" }
        layer { name: "u2_concat" type: "Concat" bottom: "u2_left" bottom: "u2_pw2" top: "u2_concat" }
        layer { name: "u2_shuffle" type: "ShuffleChannel" bottom: "u2_concat" top: "u2_shuffle" shuffle_channel_param { group: 2 } }
        layer { name: "pool" type: "Pooling" bottom: "u2_shuffle" top: "pool" pooling_param { pool: AVE global_pooling: true } }
        layer { name: "fc" type: "InnerProduct" bottom: "pool" top: "fc" inner_product_param { num_output: 10 } }
        layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
        """;

    [Fact]
    public void Shufflenet_v2_units_cost_their_branch_and_move_the_rest_for_free()
    {
        var report = CostModel.Analyze(CaffeImporter.Parse(ShuffleNetV2, "shuffle.prototxt").Network);
        // Per unit, on the right half (8x8x8): 1x1 8→8 (64 weights), depthwise 3x3 (8·9 = 72), 1x1 8→8 (64), three batch
        // norms of 8 γ and 8 β. Classifier: 16·10 = 160 weights, 10 biases.
        Assert.Equal(2 * (64L + 72 + 64 + 3 * 8) + 160, report.Totals.Weights);   // 608
        Assert.Equal(2 * (3L * 8) + 10, report.Totals.Biases);                    // 58
        // FLOPs per unit: 2·64·64 + 2·72·64 + 2·64·64 = 25600; the global pool 2·8·8·16 = 2048; the classifier 2·160 = 320.
        Assert.Equal(2 * 25600L + 2048 + 320, report.Totals.Flops);              // 53568
        Assert.Equal((new Shape(8, 8, 8), new Shape(8, 8, 8)), (report["u2_split"].Output, report["u2_split:1"].Output));
        Assert.Equal(new Shape(16, 8, 8), report["u2_shuffle"].Output);
        var moves = report.Layers.Where(r => r.Kind is LayerKind.Slice or LayerKind.Reshape or LayerKind.Transpose or LayerKind.Concat);
        Assert.All(moves, r => Assert.Equal((0L, 0L), (r.Flops, r.Weights)));
    }

    /// <summary>An FCN-style decoder: a learned 2x upsampling (Deconvolution) cropped to the skip map, a PSPNet-style Interp back to the input.</summary>
    private const string FcnDecoder = """
        name: "FCN-decoder"
        input: "data"
        input_shape { dim: 1 dim: 3 dim: 17 dim: 17 }
        layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 stride: 2 } }
        layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2" convolution_param { num_output: 8 kernel_size: 3 stride: 2 } }
        layer { name: "score2" type: "Convolution" bottom: "conv2" top: "score2" convolution_param { num_output: 2 kernel_size: 1 } }
        layer { name: "upscore2" type: "Deconvolution" bottom: "score2" top: "upscore2" convolution_param { num_output: 2 kernel_size: 6 stride: 2 bias_term: false } }
        layer { name: "score1" type: "Convolution" bottom: "conv1" top: "score1" convolution_param { num_output: 2 kernel_size: 1 } }
        layer { name: "upscore2_crop" type: "Crop" bottom: "upscore2" bottom: "score1" top: "upscore2_crop" crop_param { axis: 2 offset: 1 } }
        layer { name: "fuse" type: "Eltwise" bottom: "upscore2_crop" bottom: "score1" top: "fuse" }
        layer { name: "interp" type: "Interp" bottom: "fuse" top: "interp" interp_param { height: 17 width: 17 } }
        """;

    [Fact]
    public void An_fcn_decoder_upsamples_crops_and_interpolates()
    {
        var report = CostModel.Analyze(CaffeImporter.Parse(FcnDecoder, "fcn.prototxt").Network, Elementwise);
        // conv1: (17 − 3)/2 + 1 = 8; conv2: (8 − 3)/2 + 1 = 3 (floor); deconvolution: 2·(3 − 1) + 6 = 10; the crop keeps score1's 8x8 from (1, 1).
        Assert.Equal((new Shape(8, 8, 8), new Shape(2, 3, 3), new Shape(2, 10, 10), new Shape(2, 8, 8)),
            (report["conv1"].Output, report["score2"].Output, report["upscore2"].Output, report["upscore2_crop"].Output));
        Assert.Equal(new Shape(2, 17, 17), report["interp"].Output);
        // Weights: conv1 3·8·9 = 216, conv2 8·8·9 = 576, score2 16, deconvolution 2·2·36 = 144, score1 16.
        Assert.Equal(216L + 576 + 16 + 144 + 16, report.Totals.Weights);
        Assert.Equal(8L + 8 + 2 + 2, report.Totals.Biases);
        // FLOPs: conv1 2·216·64 = 27648, conv2 2·576·9 = 10368, score2 2·16·9 = 288, deconvolution 2·144·3·3 = 2592,
        // score1 2·16·64 = 2048; the sum 2·8·8 = 128 additions; the interpolation 2·17·17 = 578.
        Assert.Equal(27648L + 10368 + 288 + 2592 + 2048 + 128 + 578, report.Totals.Flops);
    }

    [Fact]
    public void Mutated_deploy_files_import_or_fail_with_one_format_error()
    {
        // Each file with one number changed (to values at and past every bound) or one line dropped: the importer and
        // the analysis either succeed or give a CnnCost error, never another exception.
        var random = new Random(13);
        string[] values = ["-3", "-1", "0", "1", "2", "3", "7", "64", "100000", "3000000000", "0.5", "-0.5"];
        var files = new[] { SeResNet, MobileNetSsd, ShuffleNetV2, FcnDecoder };
        for (var i = 0; i < 1000; i++)
        {
            var text = files[random.Next(files.Length)];
            string mutated;
            if (random.Next(4) == 0)
            {
                var lines = text.Split('\n').ToList();
                lines.RemoveAt(random.Next(lines.Count));
                mutated = string.Join('\n', lines);
            }
            else
            {
                var numbers = System.Text.RegularExpressions.Regex.Matches(text, "-?[0-9]+(\\.[0-9]+)?");
                var number = numbers[random.Next(numbers.Count)];
                mutated = string.Concat(text.AsSpan(0, number.Index), values[random.Next(values.Length)], text.AsSpan(number.Index + number.Length));
            }

            try
            {
                var imported = CaffeImporter.Parse(mutated, "m.prototxt");
                CostModel.Analyze(imported.Network, Elementwise);
            }
            catch (CnnCostException)
            {
                // A refusal with a message: the contract.
            }
        }
    }
}
