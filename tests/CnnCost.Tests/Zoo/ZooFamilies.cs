namespace CnnCost.Tests.Zoo;

/// <summary>Groups of zoo networks the tests treat alike.</summary>
internal static class ZooFamilies
{
    /// <summary>
    /// The families of issue 13 (torchvision 0.14 layouts): they use tensor layer kinds (element-wise products,
    /// reductions, reshapes, transposes, slices, layer norm, per-position linear layers) that the Caffe and ONNX
    /// writers do not write, so the writers' round trips leave them out and a test checks that the writers refuse them.
    /// </summary>
    public static readonly string[] TensorModels =
        ["convnext_tiny", "densenet121", "efficientnet_b0", "inception_v3", "mobilenet_v3_large", "regnet_y_400mf", "shufflenet_v2_x1_0"];
}
