using System.Collections.Immutable;
using CnnCost.Costs;
using CnnCost.Graph;

namespace CnnCost.DesignSpace;

/// <summary>
/// The VGG-style design space of dissertation 4.7 (contracts.md, <c>space vgg</c>): blocks of slots, each slot a
/// 3x3 convolution (stride 1, pad 1, with bias) of one of the filter counts or absent; a 2x2 max pool with stride 2
/// ends every block; then the fully-connected layers. Counts are of slot assignments: two assignments that give
/// the same network count twice, as in the dissertation.
/// </summary>
/// <param name="InputChannels">Channels of the input image.</param>
/// <param name="InputSize">Height and width of the input image.</param>
/// <param name="SlotsPerBlock">Slots in each block.</param>
/// <param name="FilterChoices">Filter counts a present slot may have (absent is always a further choice).</param>
/// <param name="FullyConnected">Outputs of the fully-connected layers after the last block.</param>
public sealed record VggSpace(int InputChannels, int InputSize, ImmutableArray<int> SlotsPerBlock, ImmutableArray<int> FilterChoices, ImmutableArray<int> FullyConnected)
{
    /// <summary>The space of 4.7: 3x224x224; blocks of 2, 2, 4, 4, 4 slots; 64, 128, 256 or 512 filters or absent; fc 4096, 4096, 1000.</summary>
    public static VggSpace Dissertation { get; } = new(3, 224, [2, 2, 4, 4, 4], [64, 128, 256, 512], [4096, 4096, 1000]);

    /// <summary>All slots.</summary>
    public int Slots => SlotsPerBlock.Sum();

    /// <summary>Choices per slot: the filter counts and absent.</summary>
    public int ChoicesPerSlot => FilterChoices.Length + 1;

    /// <summary>Every slot assignment: <c>choices^slots</c> (5^16 = 152,587,890,625; the dissertation's "30 billion" is 5^15).</summary>
    public long Total
    {
        get
        {
            long total = 1;
            for (var i = 0; i < Slots; i++)
            {
                total = checked(total * ChoicesPerSlot);
            }

            return total;
        }
    }

    /// <summary>Builds the network of one assignment (Caffe conventions, batch-free).</summary>
    /// <param name="assignment">One entry per slot: a filter count from <see cref="FilterChoices"/>, or 0 for absent.</param>
    /// <returns>The network.</returns>
    /// <exception cref="ArgumentException">The assignment does not fit the space.</exception>
    public Network Build(IReadOnlyList<int> assignment)
    {
        Check(assignment);
        var b = new NetworkBuilder("vgg-space", Conventions.Caffe).Input(InputChannels, InputSize, InputSize);
        var slot = 0;
        for (var block = 0; block < SlotsPerBlock.Length; block++)
        {
            for (var i = 0; i < SlotsPerBlock[block]; i++, slot++)
            {
                if (assignment[slot] > 0)
                {
                    b.Convolution($"conv{block + 1}_{i + 1}", assignment[slot], 3, pad: 1);
                }
            }

            b.MaxPool($"pool{block + 1}", 2, 2);
        }

        for (var i = 0; i < FullyConnected.Length; i++)
        {
            b.FullyConnected($"fc{i + 6}", FullyConnected[i]);
        }

        return b.Build();
    }

    /// <summary>Parameters (with biases) and inference FLOPs at batch 1 of one assignment, by the equations of cost-model.md.</summary>
    /// <param name="assignment">One entry per slot: a filter count or 0 for absent.</param>
    /// <returns>(parameters, FLOPs).</returns>
    /// <exception cref="ArgumentException">The assignment does not fit the space.</exception>
    public (long Parameters, long Flops) Costs(IReadOnlyList<int> assignment)
    {
        Check(assignment);
        var model = new SpaceCosts(this);
        long parameters = 0, flops = 0;
        var channels = InputChannels;
        for (var slot = 0; slot < assignment.Count; slot++)
        {
            var (p, f) = model.Slot(slot, channels, assignment[slot]);
            (parameters, flops) = (parameters + p, flops + f);
            channels = assignment[slot] > 0 ? assignment[slot] : channels;
            if (model.EndsBlock(slot))
            {
                flops += model.Pool(slot, channels);
            }
        }

        var (hp, hf) = model.Head(channels);
        return (parameters + hp, flops + hf);
    }

    private void Check(IReadOnlyList<int> assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        if (assignment.Count != Slots || assignment.Any(a => a != 0 && !FilterChoices.Contains(a)))
        {
            throw new ArgumentException($"an assignment has {Slots} entries, each 0 (absent) or one of {string.Join(", ", FilterChoices)}", nameof(assignment));
        }
    }

    /// <summary>The per-slot, per-pool and head costs of a space, precomputed from its spatial sizes.</summary>
    internal sealed class SpaceCosts
    {
        private readonly VggSpace _space;
        private readonly int[] _sizeAtSlot;
        private readonly int[] _poolOutputAtSlot;
        private readonly bool[] _endsBlock;
        private readonly int _finalSize;

        public SpaceCosts(VggSpace space)
        {
            _space = space;
            _sizeAtSlot = new int[space.Slots];
            _poolOutputAtSlot = new int[space.Slots];
            _endsBlock = new bool[space.Slots];
            var size = space.InputSize;
            var slot = 0;
            foreach (var slots in space.SlotsPerBlock)
            {
                var pooled = (int)ShapeInference.OutputExtent(size, 2, 2, 0, 1, Conventions.Caffe.PoolingRounding);
                for (var i = 0; i < slots; i++, slot++)
                {
                    _sizeAtSlot[slot] = size;
                    _poolOutputAtSlot[slot] = pooled;
                    _endsBlock[slot] = i == slots - 1;
                }

                size = pooled;
            }

            _finalSize = size;
        }

        public bool EndsBlock(int slot) => _endsBlock[slot];

        /// <summary>A slot's parameters and FLOPs: a 3x3 convolution from <paramref name="inChannels"/> to <paramref name="filters"/>, or nothing.</summary>
        public (long Parameters, long Flops) Slot(int slot, int inChannels, int filters)
        {
            // Stryker disable once Block : an absent slot through the equations below has 0 weights, 0 biases and 0 FLOPs as well
            if (filters == 0)
            {
                return (0, 0);
            }

            var weights = CostEquations.ConvolutionWeights(inChannels, filters, 3, 1);
            var size = _sizeAtSlot[slot];
            return (weights + filters, CostEquations.ConvolutionFlops(weights, new Shape(filters, size, size), 1));
        }

        /// <summary>The 2x2 max pool at the end of the slot's block over <paramref name="channels"/> channels.</summary>
        public long Pool(int slot, int channels)
        {
            var output = _poolOutputAtSlot[slot];
            return CostEquations.PoolingOps(PoolingMethod.Max, 2, new Shape(channels, output, output), 1);
        }

        /// <summary>The fully-connected layers after the last block, fed <paramref name="channels"/> x final size².</summary>
        public (long Parameters, long Flops) Head(int channels)
        {
            long parameters = 0, flops = 0;
            var input = new Shape(channels, _finalSize, _finalSize);
            foreach (var outputs in _space.FullyConnected)
            {
                var weights = CostEquations.FullyConnectedWeights(input, outputs);
                parameters += weights + outputs;
                flops += CostEquations.FullyConnectedFlops(weights, 1);
                input = new Shape(outputs, 1, 1);
            }

            return (parameters, flops);
        }
    }
}
