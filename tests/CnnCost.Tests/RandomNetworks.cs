using CnnCost.Graph;
using FsCheck;
using FsCheck.Fluent;

namespace CnnCost.Tests;

/// <summary>One step of a random chain: what to append and its raw (unclamped) dimensions.</summary>
public sealed record Step(int Kind, int Filters, int Kernel, int Stride, int Pad);

/// <summary>A random network's recipe; <see cref="Build"/> clamps it into a valid network.</summary>
public sealed record Recipe(int Channels, int Size, Step[] Steps, bool EndsWithFullyConnected)
{
    public Network Build()
    {
        var b = new NetworkBuilder("random").Input(Channels, Size, Size);
        int channels = Channels, size = Size;
        for (var i = 0; i < Steps.Length; i++)
        {
            var s = Steps[i];
            var pad = Math.Min(s.Pad, s.Kernel - 1);
            var kernel = Math.Min(s.Kernel, size + 2 * pad);
            switch (s.Kind)
            {
                case 0 or 1:
                    b.Convolution($"conv{i}", s.Filters, kernel, s.Stride, pad);
                    channels = s.Filters;
                    size = (int)ShapeInference.OutputExtent(size, kernel, s.Stride, pad, 1, RoundingRule.Floor);
                    break;
                case 2:
                    b.Convolution($"dw{i}", channels, kernel, s.Stride, pad, groups: channels);
                    size = (int)ShapeInference.OutputExtent(size, kernel, s.Stride, pad, 1, RoundingRule.Floor);
                    break;
                case 3:
                    if (s.Filters % 2 == 0)
                    {
                        b.MaxPool($"pool{i}", kernel, s.Stride, pad);
                    }
                    else
                    {
                        b.AveragePool($"pool{i}", kernel, s.Stride, pad);
                    }

                    size = (int)ShapeInference.OutputExtent(size, kernel, s.Stride, pad, 1, RoundingRule.Ceiling);
                    break;
                case 4:
                    b.ReLU($"relu{i}");
                    break;
                case 6:
                    // A Fire-like block: squeeze 1x1, then 1x1 and 3x3 (pad 1) expands, concatenated.
                    var squeeze = b.Convolution($"fire{i}/squeeze", Math.Max(1, s.Filters / 4), 1).Last!;
                    b.Convolution($"fire{i}/expand1x1", s.Filters, 1, from: squeeze);
                    b.Convolution($"fire{i}/expand3x3", s.Filters, 3, pad: 1, from: squeeze);
                    b.Concat($"fire{i}/concat", $"fire{i}/expand1x1", $"fire{i}/expand3x3");
                    channels = 2 * s.Filters;
                    break;
                case 7:
                    // A residual block: a size-preserving convolution added to its input.
                    var entry = b.Last!;
                    b.Convolution($"res{i}/conv", channels, 3, pad: 1);
                    b.Sum($"res{i}/add", entry, $"res{i}/conv");
                    break;
                case 5:
                    b.BatchNorm($"bn{i}");
                    break;
            }
        }

        if (EndsWithFullyConnected)
        {
            b.FullyConnected("fc", 10);
        }

        return b.Build();
    }

    public override string ToString() =>
        $"input {Channels}x{Size}x{Size}, steps [{string.Join("; ", Steps.Select(s => s.ToString()))}], fc {EndsWithFullyConnected}";
}

public static class RandomNetworks
{
    public static readonly Gen<Step> Steps =
        from kind in Gen.Choose(0, 7)
        from filters in Gen.Choose(1, 48)
        from kernel in Gen.Choose(1, 5)
        from stride in Gen.Choose(1, 3)
        from pad in Gen.Choose(0, 2)
        select new Step(kind, filters, kernel, stride, pad);

    /// <summary>Chains and DAGs: steps 6 and 7 add Fire-like concat blocks and residual adds.</summary>
    public static readonly Gen<Recipe> Chains =
        from channels in Gen.Choose(1, 6)
        from size in Gen.Choose(4, 48)
        from count in Gen.Choose(1, 10)
        from steps in Gen.ArrayOf(Steps, count)
        from fc in Gen.Elements(true, false)
        select new Recipe(channels, size, steps, fc);

    public static Config Config => Config.QuickThrowOnFailure.WithMaxTest(300);
}
