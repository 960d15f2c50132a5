using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.DesignSpace;

/// <summary>
/// How a model is compressed (Deep Compression, Han et al. 2016, as dissertation 5.4 uses it): the weights of
/// convolution and fully-connected layers are pruned to a density and their survivors quantized through a
/// per-layer codebook; sparse positions are stored as relative indices of a fixed width.
/// </summary>
/// <param name="Density">Fraction of weights kept, in [<see cref="CompressionSettings.MinimumDensity"/>, 1].</param>
/// <param name="ConvolutionBits">Bits per kept convolution weight (its codebook has 2^bits entries).</param>
/// <param name="FullyConnectedBits">Bits per kept fully-connected weight.</param>
/// <param name="IndexBits">Width of a relative index; a gap longer than 2^bits positions costs a filler zero.</param>
/// <param name="CodebookEntryBits">Bits per codebook entry (32: one float per centroid).</param>
/// <param name="LayerDensities">Densities of named layers that differ from <paramref name="Density"/> (pruning per layer).</param>
public sealed record CompressionSettings(double Density, int ConvolutionBits, int FullyConnectedBits, int IndexBits = 4, int CodebookEntryBits = 32,
    IReadOnlyDictionary<string, double>? LayerDensities = null)
{
    /// <summary>The density of the layer called <paramref name="layer"/>.</summary>
    /// <param name="layer">A layer name.</param>
    /// <returns>Its own density, or <see cref="Density"/>.</returns>
    public double DensityOf(string layer) => LayerDensities is not null && LayerDensities.TryGetValue(layer, out var d) ? d : Density;

    /// <summary>Dense fp32 storage, the uncompressed baseline.</summary>
    public static CompressionSettings Dense { get; } = new(1, 32, 32);

    /// <summary>The smallest density the model accepts: one weight in 10^12 kept.</summary>
    public const double MinimumDensity = 1e-12;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        foreach (var (layer, density) in (LayerDensities ?? new Dictionary<string, double>()).Prepend(new("", Density)))
        {
            // Below 1e-12, 1 − density rounds to 1 and the index-gap count q/(1 − q) has no finite value.
            if (density is < MinimumDensity or > 1 || double.IsNaN(density))
            {
                throw new ArgumentOutOfRangeException(nameof(Density), $"density{(layer.Length > 0 ? $" of layer '{layer}'" : "")} must be in [1e-12, 1], got {density}");
            }
        }

        if (ConvolutionBits is < 1 or > 32 || FullyConnectedBits is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(ConvolutionBits), "bits per value must be from 1 to 32");
        }

        if (IndexBits is < 1 or > 32 || CodebookEntryBits is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(IndexBits), "index bits must be from 1 to 32 and codebook entry bits from 1 to 64");
        }
    }
}

/// <summary>One layer's compressed storage, in bits.</summary>
/// <param name="Name">The layer.</param>
/// <param name="Weights">Its weights before pruning.</param>
/// <param name="Kept">Weights kept after pruning, <c>⌈d·weights⌉</c>.</param>
/// <param name="Fillers">Filler zeros for gaps longer than the index range (expected value for uniformly spread survivors).</param>
/// <param name="ValueBits"><c>(kept + fillers) · bits</c>, plus the biases stored densely at the same width.</param>
/// <param name="IndexBits"><c>(kept + fillers) · index bits</c>; none when nothing is pruned.</param>
/// <param name="CodebookBits"><c>2^bits · entry bits</c> for a codebook of up to 8 bits; none above, where values are stored directly.</param>
public sealed record LayerCompression(string Name, long Weights, long Kept, long Fillers, long ValueBits, long IndexBits, long CodebookBits)
{
    /// <summary>All the layer's bits.</summary>
    public long TotalBits => checked(ValueBits + IndexBits + CodebookBits);
}

/// <summary>A model's size before and after compression.</summary>
/// <param name="Model">The model.</param>
/// <param name="Settings">The compression.</param>
/// <param name="Layers">One row per layer with parameters.</param>
/// <param name="DenseBytes">Every parameter in fp32.</param>
/// <param name="CompressedBytes">The compressed size, <c>⌈Σ bits / 8⌉</c>.</param>
public sealed record CompressionReport(string Model, CompressionSettings Settings, ImmutableArray<LayerCompression> Layers, long DenseBytes, long CompressedBytes)
{
    /// <summary>Dense over compressed size.</summary>
    public double Ratio => (double)DenseBytes / CompressedBytes;

    /// <summary>The column sums of <see cref="Layers"/>, as a row named <c>total</c>.</summary>
    public LayerCompression Totals => new("total", Layers.Sum(l => l.Weights), Layers.Sum(l => l.Kept), Layers.Sum(l => l.Fillers),
        Layers.Sum(l => l.ValueBits), Layers.Sum(l => l.IndexBits), Layers.Sum(l => l.CodebookBits));
}

/// <summary>
/// The size model of compression (dissertation Table 5.2). Stated in full: convolution and fully-connected weights
/// are pruned to the density and quantized; each survivor costs its value bits and one relative index; a gap of
/// g positions between survivors needs <c>⌊(g−1)/2^index bits⌋</c> filler zeros (each a value and an index), whose
/// expected number per survivor is <c>q/(1−q)</c> with <c>q = (1−d)^(2^index bits)</c> for uniformly spread
/// survivors; at 8 bits or fewer each layer stores a codebook of <c>2^bits</c> entries (Deep Compression's range; wider values
/// are stored directly); biases stay dense at the layer's width; other
/// parameters (batch norm) stay dense in fp32. Dense layers (d = 1) store no indices. Huffman coding, which Deep
/// Compression adds on top, is not modelled.
/// </summary>
public static class Compression
{
    /// <summary>The widest values quantized through a codebook; wider ones are stored directly.</summary>
    public const int MaxCodebookBits = 8;

    /// <summary>Compresses a report's parameters.</summary>
    /// <param name="report">The report (its rows give each layer's weights and biases).</param>
    /// <param name="settings">The compression.</param>
    /// <returns>The sizes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="CnnCostException">A size exceeds 2^63-1 bits, or the model has no parameters to compress; the message names the layer or the model.</exception>
    public static CompressionReport Compress(CostReport report, CompressionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (report.Totals.Parameters == 0)
        {
            // 0 bytes to 0 bytes would be a ratio of 0/0.
            throw new CnnCostException($"model '{report.Model}' has no weights or biases to compress");
        }

        var layers = ImmutableArray.CreateBuilder<LayerCompression>();
        foreach (var row in report.Layers.Where(r => r.Parameters > 0))
        {
            layers.Add(row.Kind switch
            {
                LayerKind.Convolution => Layer(row.Name, row.Weights, row.Biases, settings.ConvolutionBits, settings.DensityOf(row.Name), settings),
                LayerKind.FullyConnected => Layer(row.Name, row.Weights, row.Biases, settings.FullyConnectedBits, settings.DensityOf(row.Name), settings),
                _ => new LayerCompression(row.Name, row.Weights, row.Weights, 0, DenseFp32Bits(row), 0, 0),
            });
        }

        try
        {
            var bits = layers.Sum(l => l.TotalBits);
            return new CompressionReport(report.Model, settings, layers.ToImmutable(), checked(4 * report.Totals.Parameters), bits / 8 + (bits % 8 == 0 ? 0 : 1));
        }
        catch (OverflowException overflow)
        {
            throw new CnnCostException($"model '{report.Model}': its size exceeds 2^63-1 bits", overflow);
        }
    }

    /// <summary>A layer whose parameters stay dense in fp32 (batch norm): 32 bits each.</summary>
    private static long DenseFp32Bits(LayerCost row)
    {
        try
        {
            return checked(32 * row.Parameters);
        }
        catch (OverflowException overflow)
        {
            throw new CostOverflowException(row.Name, overflow);
        }
    }

    /// <summary>One layer of <paramref name="weights"/> weights and <paramref name="biases"/> biases at <paramref name="bits"/> bits.</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="weights">Weights before pruning.</param>
    /// <param name="biases">Biases (kept dense).</param>
    /// <param name="bits">Bits per value.</param>
    /// <param name="settings">Density, index width and codebook entry width.</param>
    /// <returns>The layer's storage.</returns>
    public static LayerCompression Layer(string name, long weights, long biases, int bits, CompressionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Layer(name, weights, biases, bits, settings.Density, settings);
    }

    private static LayerCompression Layer(string name, long weights, long biases, int bits, double density, CompressionSettings settings)
    {
        try
        {
            checked
            {
                var codebook = bits <= MaxCodebookBits ? (1L << bits) * settings.CodebookEntryBits : 0;
                if (density >= 1)
                {
                    return new LayerCompression(name, weights, weights, 0, (weights + biases) * bits, 0, codebook);
                }

                var kept = (long)Math.Ceiling(density * weights);
                var q = Math.Pow(1 - density, Math.Pow(2, settings.IndexBits));
                var fillers = (long)Math.Round(kept * q / (1 - q));
                var stored = kept + fillers;
                return new LayerCompression(name, weights, kept, fillers, stored * bits + biases * bits, stored * settings.IndexBits, codebook);
            }
        }
        catch (OverflowException overflow)
        {
            throw new CostOverflowException(name, overflow);
        }
    }
}
