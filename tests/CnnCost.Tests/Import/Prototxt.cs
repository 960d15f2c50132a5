namespace CnnCost.Tests.Import;

/// <summary>Prototxt files written for the tests, in the styles real Caffe files use.</summary>
internal static class Prototxt
{
    /// <summary>AlexNet in train_val style: TRAIN and TEST data layers, in-place ReLUs, loss and accuracy layers.</summary>
    public const string AlexNetTrainVal = """
        name: "AlexNet"
        layer {
          name: "data"
          type: "Data"
          top: "data"
          top: "label"
          include { phase: TRAIN }
          transform_param { mirror: true crop_size: 227 mean_file: "mean.binaryproto" }
          data_param { source: "train_lmdb" batch_size: 256 backend: LMDB }
        }
        layer {
          name: "data"
          type: "Data"
          top: "data"
          top: "label"
          include { phase: TEST }
          transform_param { mirror: false crop_size: 227 }
          data_param { source: "val_lmdb" batch_size: 256 backend: LMDB }
        }
        layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
          param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
          convolution_param { num_output: 96 kernel_size: 11 stride: 4 weight_filler { type: "gaussian" std: 0.01 } } }
        layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
        layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { local_size: 5 alpha: 0.0001 beta: 0.75 } }
        layer { name: "pool1" type: "Pooling" bottom: "norm1" top: "pool1" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
        layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2" convolution_param { num_output: 256 pad: 2 kernel_size: 5 group: 2 } }
        layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
        layer { name: "norm2" type: "LRN" bottom: "conv2" top: "norm2" lrn_param { local_size: 5 } }
        layer { name: "pool2" type: "Pooling" bottom: "norm2" top: "pool2" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
        layer { name: "conv3" type: "Convolution" bottom: "pool2" top: "conv3" convolution_param { num_output: 384 pad: 1 kernel_size: 3 } }
        layer { name: "relu3" type: "ReLU" bottom: "conv3" top: "conv3" }
        layer { name: "conv4" type: "Convolution" bottom: "conv3" top: "conv4" convolution_param { num_output: 384 pad: 1 kernel_size: 3 group: 2 } }
        layer { name: "relu4" type: "ReLU" bottom: "conv4" top: "conv4" }
        layer { name: "conv5" type: "Convolution" bottom: "conv4" top: "conv5" convolution_param { num_output: 256 pad: 1 kernel_size: 3 group: 2 } }
        layer { name: "relu5" type: "ReLU" bottom: "conv5" top: "conv5" }
        layer { name: "pool5" type: "Pooling" bottom: "conv5" top: "pool5" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
        layer { name: "fc6" type: "InnerProduct" bottom: "pool5" top: "fc6" inner_product_param { num_output: 4096 } }
        layer { name: "relu6" type: "ReLU" bottom: "fc6" top: "fc6" }
        layer { name: "drop6" type: "Dropout" bottom: "fc6" top: "fc6" dropout_param { dropout_ratio: 0.5 } }
        layer { name: "fc7" type: "InnerProduct" bottom: "fc6" top: "fc7" inner_product_param { num_output: 4096 } }
        layer { name: "relu7" type: "ReLU" bottom: "fc7" top: "fc7" }
        layer { name: "drop7" type: "Dropout" bottom: "fc7" top: "fc7" dropout_param { dropout_ratio: 0.5 } }
        layer { name: "fc8" type: "InnerProduct" bottom: "fc7" top: "fc8" inner_product_param { num_output: 1000 } }
        layer { name: "accuracy" type: "Accuracy" bottom: "fc8" bottom: "label" top: "accuracy" include { phase: TEST } }
        layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc8" bottom: "label" top: "loss" }
        """;

    /// <summary>Caffe's MNIST LeNet in the old V1 syntax.</summary>
    public const string LeNetV1 = """
        name: "LeNet"
        layers { name: "mnist" type: DATA top: "data" top: "label"
          data_param { source: "mnist_test_lmdb" batch_size: 64 }
          memory_data_param { channels: 1 height: 28 width: 28 }
          include: { phase: TEST } }
        layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1" blobs_lr: 1 blobs_lr: 2
          convolution_param { num_output: 20 kernel_size: 5 stride: 1 } }
        layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
        layers { name: "conv2" type: CONVOLUTION bottom: "pool1" top: "conv2" convolution_param { num_output: 50 kernel_size: 5 } }
        layers { name: "pool2" type: POOLING bottom: "conv2" top: "pool2" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
        layers { name: "ip1" type: INNER_PRODUCT bottom: "pool2" top: "ip1" inner_product_param { num_output: 500 } }
        layers { name: "relu1" type: RELU bottom: "ip1" top: "ip1" }
        layers { name: "ip2" type: INNER_PRODUCT bottom: "ip1" top: "ip2" inner_product_param { num_output: 10 } }
        layers { name: "prob" type: SOFTMAX bottom: "ip2" top: "prob" }
        """;

    /// <summary>A deploy file with a batch of 10 in input_dim.</summary>
    public const string TinyWithInputDim = """
        input: "data"
        input_dim: 10
        input_dim: 3
        input_dim: 32
        input_dim: 32
        layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 8 kernel_size: 3 bias_term: false } }
        """;

    /// <summary>Batch norm with Scale, PReLU, per-axis windows, Eltwise MAX, Concat, Flatten, round_mode FLOOR.</summary>
    public const string Features = """
        name: "features" # a comment
        input: "data"
        input_shape { dim: 1 dim: 3 dim: 16 dim: 16 }
        layer { name: "rect" type: "Convolution" bottom: "data" top: "rect"
                convolution_param { num_output: 8 kernel_h: 3 kernel_w: 4 pad: 1 } }
        layer { name: "bn" type: "BatchNorm" bottom: "rect" top: "rect" }
        layer { name: "bn_scale" type: "Scale" bottom: "rect" top: "rect" scale_param { bias_term: true } }
        layer { name: "other" type: "Convolution" bottom: "rect" top: "other" convolution_param { num_output: 8 kernel_size: 1 } }
        layer { name: "sum" type: "Eltwise" bottom: "rect" bottom: "other" top: "sum" eltwise_param { operation: MAX } }
        layer { name: "cat" type: "Concat" bottom: "sum" bottom: "other" top: "cat" concat_param { axis: 1 } }
        layer { name: "prelu" type: "PReLU" bottom: "cat" top: "cat" }
        layer { name: "floorpool" type: "Pooling" bottom: "cat" top: "floorpool" pooling_param { pool: AVE kernel_size: 2 stride: 2 round_mode: FLOOR } }
        layer { name: "flat" type: "Flatten" bottom: "floorpool" top: "flat" }
        layer { name: "fc" type: "InnerProduct" bottom: "flat" top: "fc" inner_product_param { num_output: 10 } }
        """;
}
