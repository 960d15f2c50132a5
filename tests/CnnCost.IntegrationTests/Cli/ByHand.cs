using System.Globalization;
using Xunit;

namespace CnnCost.IntegrationTests.Cli;

/// <summary>
/// Independent oracles for the command line's numbers: the layer dimensions of LeNet and NiN written out by hand and
/// costed with the spec's equations (cost-model.md section 2), without the library. Tests compare the command line's
/// output with these.
/// </summary>
internal static class ByHand
{
    /// <summary>One convolution or fully-connected layer: input channels, filters, kernel side, output side.</summary>
    internal sealed record Conv(string Name, long Channels, long Filters, long Kernel, long Out)
    {
        public long Weights => Channels * Filters * Kernel * Kernel;                      // Eq. 3.1 / 4.1

        public long Flops => 2 * Channels * Filters * Kernel * Kernel * Out * Out;        // Eq. 4.3, per frame
    }

    /// <summary>One pooling layer: channels, window side, output side; max pooling is one op per window element, average two.</summary>
    internal sealed record Pool(string Name, long Channels, long Window, long Out, bool Average)
    {
        public long Flops => (Average ? 2 : 1) * Window * Window * Out * Out * Channels;
    }

    /// <summary>Caffe's MNIST LeNet: 1x28x28 -> conv1 20 5x5 -> pool1 2x2/2 -> conv2 50 5x5 -> pool2 2x2/2 -> ip1 500 -> ip2 10.</summary>
    internal static readonly Conv[] LeNetLayers =
    [
        new("conv1", 1, 20, 5, 24),   // 28 - 5 + 1 = 24
        new("conv2", 20, 50, 5, 8),   // 12 - 5 + 1 = 8
        new("ip1", 800, 500, 1, 1),   // 50x4x4 = 800 inputs, as a 1x1 "convolution" over a flattened input
        new("ip2", 500, 10, 1, 1),
    ];

    internal static readonly Pool[] LeNetPools = [new("pool1", 20, 2, 12, false), new("pool2", 50, 2, 4, false)];

    /// <summary>LeNet's weights: 500 + 25,000 + 400,000 + 5,000 = 430,500.</summary>
    internal static long LeNetWeights => LeNetLayers.Sum(l => l.Weights);

    /// <summary>LeNet's biases: 20 + 50 + 500 + 10 = 580.</summary>
    internal static long LeNetBiases => LeNetLayers.Sum(l => l.Filters);

    /// <summary>
    /// LeNet's inference FLOPs per frame: 576,000 + 3,200,000 + 800,000 + 10,000 (convolutions and fully-connected)
    /// + 11,520 + 3,200 (max pools, 4 compares per output) = 4,600,720.
    /// </summary>
    internal static long LeNetFlops => LeNetLayers.Sum(l => l.Flops) + LeNetPools.Sum(p => p.Flops);

    /// <summary>NiN as Table 4.2 gives it (cost-model.md section 3).</summary>
    internal static readonly Conv[] NinLayers =
    [
        new("conv1", 3, 96, 11, 55), new("conv2", 96, 96, 1, 55), new("conv3", 96, 96, 1, 55),
        new("conv4", 96, 256, 5, 27), new("conv5", 256, 256, 1, 27), new("conv6", 256, 256, 1, 27),
        new("conv7", 256, 384, 3, 13), new("conv8", 384, 384, 1, 13), new("conv9", 384, 384, 1, 13),
        new("conv10", 384, 1024, 3, 6), new("conv11", 1024, 1024, 1, 6), new("conv12", 1024, 1000, 1, 6),
    ];

    internal static readonly Pool[] NinPools =
        [new("pool3", 96, 3, 27, false), new("pool6", 256, 3, 13, false), new("pool9", 384, 3, 6, false), new("pool12", 1000, 6, 1, true)];

    /// <summary>NiN's weights: 7,589,920 (30,359,680 bytes at fp32, Table 4.2's 30.4 MB).</summary>
    internal static long NinWeights => NinLayers.Sum(l => l.Weights);

    /// <summary>NiN's inference FLOPs per frame: 2,213,208,288 (x 1024 = Table 4.2's 2.27 TF).</summary>
    internal static long NinFlops => NinLayers.Sum(l => l.Flops) + NinPools.Sum(p => p.Flops);

    /// <summary>Parses CSV as the command line writes it: one row per line, fields quoted when they hold a comma.</summary>
    internal static string[][] Csv(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).Select(CsvFields)];

    private static string[] CsvFields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    /// <summary>The row of a CSV table whose first field is <paramref name="key"/>, as a map from column header to field.</summary>
    internal static Dictionary<string, string> Row(string[][] table, string key)
    {
        var row = table.Skip(1).SingleOrDefault(r => r[0] == key) ?? throw new InvalidOperationException($"no row '{key}' in {string.Join(" | ", table.Select(r => r[0]))}");
        return table[0].Zip(row).ToDictionary(p => p.First, p => p.Second);
    }

    /// <summary>
    /// Asserts that <paramref name="printed"/> is <paramref name="expected"/> to three significant figures, as the
    /// tables print it: within half a unit of the third significant digit.
    /// </summary>
    internal static void Printed(double expected, string printed, string what)
    {
        var value = double.Parse(printed.Replace(",", "", StringComparison.Ordinal).TrimEnd('x', '%', ' ', 's'), CultureInfo.InvariantCulture);
        if (expected == 0)
        {
            Assert.True(value == 0, $"{what}: printed {printed}, expected 0");
            return;
        }

        var halfUnit = 0.5 * Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(expected))) - 2);
        Assert.True(Math.Abs(value - expected) <= halfUnit * (1 + 1e-9), $"{what}: printed {printed}, expected {expected:G6} to three significant figures");
    }

    /// <summary>Asserts a relative difference of at most 1e-12: the same double, but for the order of operations.</summary>
    internal static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-12 * Math.Abs(expected), $"{what}: {actual:R}, expected {expected:R}");
}
