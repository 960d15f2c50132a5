namespace CnnCost.Measurement;

/// <summary>
/// The independent oracle engines are checked against: straightforward loops in double precision, evaluated at a
/// sample of output positions that covers the four edges and corners, every output channel and every batch item.
/// </summary>
public static class ReferenceConvolution
{
    /// <summary>One output value of the convolution, in double precision.</summary>
    /// <param name="shape">The convolution.</param>
    /// <param name="input">NCHW input.</param>
    /// <param name="weights">Weights, filters x channels/groups x kh x kw.</param>
    /// <param name="n">Batch item.</param>
    /// <param name="filter">Output channel.</param>
    /// <param name="y">Output row.</param>
    /// <param name="x">Output column.</param>
    /// <returns>The value.</returns>
    public static double At(ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, int n, int filter, int y, int x)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var channels = shape.ChannelsPerGroup;
        var group = filter / shape.FiltersPerGroup;
        var (h, w) = (shape.Input.Height, shape.Input.Width);
        var (kh, kw) = (shape.Kernel.Height, shape.Kernel.Width);
        double sum = 0;
        for (var c = 0; c < channels; c++)
        {
            var inputChannel = group * channels + c;
            for (var i = 0; i < kh; i++)
            {
                var row = y * shape.Stride.Height - shape.Pad.Height + i * shape.Dilation.Height;
                if (row < 0 || row >= h)
                {
                    continue;
                }

                for (var j = 0; j < kw; j++)
                {
                    var column = x * shape.Stride.Width - shape.Pad.Width + j * shape.Dilation.Width;
                    if (column < 0 || column >= w)
                    {
                        continue;
                    }

                    var value = input[(int)((((long)n * shape.Input.Channels + inputChannel) * h + row) * w + column)];
                    var weight = weights[(int)((((long)filter * channels + c) * kh + i) * kw + j)];
                    sum += (double)value * weight;
                }
            }
        }

        return sum;
    }

    /// <summary>
    /// The largest relative error of <paramref name="output"/> against the reference over the sample positions:
    /// <c>|got − expected| / max(|expected|, scale)</c>, where <c>scale</c> is the typical magnitude of an output
    /// (so that outputs near zero do not turn rounding into huge relative errors).
    /// </summary>
    /// <param name="shape">The convolution.</param>
    /// <param name="input">The input the engine used.</param>
    /// <param name="weights">The weights the engine used.</param>
    /// <param name="output">The engine's NCHW output.</param>
    /// <param name="samples">How many interior positions to add to the edge positions.</param>
    /// <param name="seed">Seed of the interior sample.</param>
    /// <returns>The maximum relative error.</returns>
    public static double MaxRelativeError(ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> output, int samples = 64, int seed = 7)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var (oh, ow) = (shape.OutHeight, shape.OutWidth);
        // Inputs and weights are uniform in [-1, 1): an output is a sum of K such products, of typical size sqrt(K)/3.
        var scale = Math.Sqrt((double)shape.ChannelsPerGroup * shape.Kernel.Height * shape.Kernel.Width) / 3;
        var random = new Random(seed);
        double worst = 0;
        for (var n = 0; n < shape.Batch; n++)
        {
            for (var f = 0; f < shape.Filters; f++)
            {
                // Corners and edge midpoints for every (item, filter); random interior points besides.
                Span<(int Y, int X)> positions = [(0, 0), (0, ow - 1), (oh - 1, 0), (oh - 1, ow - 1), (oh / 2, 0), (0, ow / 2), (oh - 1, ow / 2), (oh / 2, ow - 1)];
                foreach (var (y, x) in positions)
                {
                    worst = Math.Max(worst, Error(y, x, n, f, input, weights, output));
                }
            }
        }

        for (var s = 0; s < samples; s++)
        {
            worst = Math.Max(worst, Error(random.Next(oh), random.Next(ow), random.Next(shape.Batch), random.Next(shape.Filters), input, weights, output));
        }

        return worst;

        double Error(int y, int x, int n, int f, ReadOnlySpan<float> inputs, ReadOnlySpan<float> kernel, ReadOnlySpan<float> outputs)
        {
            var expected = At(shape, inputs, kernel, n, f, y, x);
            var got = outputs[(int)((((long)n * shape.Filters + f) * oh + y) * ow + x)];
            return Math.Abs(got - expected) / Math.Max(Math.Abs(expected), scale);
        }
    }
}
