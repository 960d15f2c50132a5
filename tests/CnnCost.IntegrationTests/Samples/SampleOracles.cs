using System.Globalization;

namespace CnnCost.IntegrationTests.Samples;

/// <summary>
/// What the samples and notebooks must print, from arithmetic of their own: layer dimensions propagated with Caffe's
/// rounding (convolutions floor, pooling ceils) and costed with cost-model.md's equations, never with the library.
/// A sample and the notebook of the same name print the same lines, so both are checked against the same lines.
/// </summary>
internal static class SampleOracles
{
    /// <summary>Parameters (biases included), inference FLOPs and output values (without the input) of one frame.</summary>
    internal readonly record struct LayerTotals(long Parameters, long Flops, long Outputs);

    /// <summary>A small shape-and-cost walker: one running activation, layers appended in order.</summary>
    private sealed class Walk(long channels, long size)
    {
        public long Channels = channels, Size = size, Parameters, Flops, Outputs;

        public Walk Conv(long filters, long kernel, long stride = 1, long pad = 0, long groups = 1)
        {
            var output = (Size + 2 * pad - kernel) / stride + 1;
            Parameters += Channels / groups * filters * kernel * kernel + filters;
            Flops += 2 * Channels / groups * filters * kernel * kernel * output * output;
            (Channels, Size) = (filters, output);
            Outputs += Channels * Size * Size;
            return this;
        }

        public Walk MaxPool(long kernel, long stride)
        {
            var output = (long)Math.Ceiling((Size - kernel) / (double)stride) + 1;
            Flops += kernel * kernel * output * output * Channels;
            Size = output;
            Outputs += Channels * Size * Size;
            return this;
        }

        public Walk GlobalAveragePool()
        {
            Flops += 2 * Size * Size * Channels;
            Size = 1;
            Outputs += Channels;
            return this;
        }

        /// <summary>A fully-connected layer: a convolution whose kernel covers its input.</summary>
        public Walk FullyConnected(long outputs) => Conv(outputs, Size);

        public LayerTotals Totals => new(Parameters, Flops, Outputs);
    }

    /// <summary>NiN (Table 4.2) with the modifications of Tables 4.3-4.8 as parameters.</summary>
    internal static LayerTotals Nin(long inputChannels = 3, long inputSize = 227, long conv7Kernel = 3, long conv7Pad = 1, long conv8Filters = 384, long categories = 1000, bool pool3 = true)
    {
        var walk = new Walk(inputChannels, inputSize).Conv(96, 11, 4).Conv(96, 1).Conv(96, 1);
        if (pool3)
        {
            walk.MaxPool(3, 2);
        }

        return walk.Conv(256, 5, 1, 2).Conv(256, 1).Conv(256, 1).MaxPool(3, 2)
            .Conv(384, conv7Kernel, 1, conv7Pad).Conv(conv8Filters, 1).Conv(384, 1).MaxPool(3, 2)
            .Conv(1024, 3, 1, 1).Conv(1024, 1).Conv(categories, 1).GlobalAveragePool().Totals;
    }

    /// <summary>The six modifications of Table 4.1, in its order, with the oracle's costs of each.</summary>
    internal static readonly (string Table, string Description, string Scope, LayerTotals Costs)[] NinCases =
    [
        ("4.3", "4x more input channels", "Local", Nin(inputChannels: 12)),
        ("4.4", "4x more filters in conv8", "Local", Nin(conv8Filters: 1536)),
        ("4.5", "4x larger filter resolution in conv7", "Local", Nin(conv7Kernel: 6, conv7Pad: 2)),
        ("4.6", "4x more categories to classify", "Local", Nin(categories: 4000)),
        ("4.7", "remove pool3 downsampling layer", "Global", Nin(pool3: false)),
        ("4.8", "4x larger input data resolution", "Global", Nin(inputSize: 454)),
    ];

    /// <summary>Caffe's AlexNet (grouped conv2, conv4, conv5; LRN costs nothing) on a square input.</summary>
    internal static LayerTotals AlexNet(long inputSize = 227) =>
        new Walk(3, inputSize).Conv(96, 11, 4).MaxPool(3, 2).Conv(256, 5, 1, 2, groups: 2).MaxPool(3, 2)
            .Conv(384, 3, 1, 1).Conv(384, 3, 1, 1, groups: 2).Conv(256, 3, 1, 1, groups: 2).MaxPool(3, 2)
            .FullyConnected(4096).FullyConnected(4096).FullyConnected(1000).Totals;

    /// <summary>
    /// A SqueezeNet-family network (dissertation 5.5.1): e_i = base_e + incr_e · floor(i / freq), e3x3 = pct3x3 · e_i,
    /// s1x1 = SR · e_i (rounded half away from zero, at least 1); max pools after conv1, fire4 and fire8.
    /// </summary>
    internal static LayerTotals SqueezeNet(double squeezeRatio = 0.125, double percent3x3 = 0.5)
    {
        static long Round(double x) => Math.Max(1, (long)Math.Round(x, MidpointRounding.AwayFromZero));
        var walk = new Walk(3, 227).Conv(96, 7, 2).MaxPool(3, 2);
        for (var i = 0; i < 8; i++)
        {
            var e = 128 + 128 * (i / 2);
            var (s, e3) = (Round(squeezeRatio * e), Round(percent3x3 * e));
            var e1 = Math.Max(1, e - e3);
            var (channels, size) = (walk.Channels, walk.Size);
            walk.Parameters += channels * s + s + s * e1 + e1 + 9 * s * e3 + e3;
            walk.Flops += 2 * size * size * (channels * s + s * e1 + 9 * s * e3);
            walk.Channels = e1 + e3;
            if (i is 2 or 6)
            {
                walk.MaxPool(3, 2);
            }
        }

        return walk.Conv(1000, 1).GlobalAveragePool().Totals;
    }

    /// <summary>
    /// The whatif sample's network: 3x128x128 -> conv1 32 3x3/2 pad 1 -> conv2 64 3x3 pad 1 -> pool2 2x2/2 ->
    /// conv3 128 3x3 pad 1 -> global average pool -> fc 10, with the sample's changes as parameters.
    /// </summary>
    internal static LayerTotals Mine(long conv1Stride = 2, long conv2Filters = 64, long conv3Kernel = 3, bool pool2 = true, long categories = 10)
    {
        var walk = new Walk(3, 128).Conv(32, 3, conv1Stride, 1).Conv(conv2Filters, 3, 1, 1);
        if (pool2)
        {
            walk.MaxPool(2, 2);
        }

        return walk.Conv(128, conv3Kernel, 1, conv3Kernel / 2).GlobalAveragePool().FullyConnected(categories).Totals;
    }

    internal static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>One layer on the roofline: its name, FLOPs, and the values it must move (inputs, weights with biases, output).</summary>
    internal readonly record struct RooflineLayer(string Name, double Flops, double Values);

    /// <summary>
    /// VGG-16 at a batch, layer by layer as the roofline sees it: 3x3 convolutions with pad 1, 2x2 max pools of stride 2,
    /// fully-connected layers, the softmax; ReLU and dropout work in place and move nothing of their own.
    /// </summary>
    internal static RooflineLayer[] Vgg16Roofline(long batch)
    {
        var layers = new List<RooflineLayer>();
        long channels = 3, size = 224;
        int[][] blocks = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
        for (var b = 0; b < blocks.Length; b++)
        {
            for (var i = 0; i < blocks[b].Length; i++)
            {
                long filters = blocks[b][i];
                var weights = channels * filters * 9 + filters;
                var plane = size * size;
                layers.Add(new($"conv{b + 1}_{i + 1}", 2.0 * channels * filters * 9 * plane * batch, channels * plane * batch + weights + filters * plane * batch));
                channels = filters;
            }

            var output = size / 2;
            layers.Add(new($"pool{b + 1}", 4.0 * output * output * channels * batch, (channels * size * size + channels * output * output) * batch));
            size = output;
        }

        long inputs = channels * size * size;
        foreach (var (name, outputs) in new[] { ("fc6", 4096L), ("fc7", 4096L), ("fc8", 1000L) })
        {
            layers.Add(new(name, 2.0 * inputs * outputs * batch, inputs * batch + inputs * outputs + outputs + outputs * batch));
            inputs = outputs;
        }

        layers.Add(new("prob", 0, 2.0 * 1000 * batch));
        return [.. layers];
    }
}
