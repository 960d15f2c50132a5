using CnnCost.Changes;
using CnnCost.Costs;
using CnnCost.Graph;
using CnnCost.Zoo;
using Xunit;

namespace CnnCost.Tests.Changes;

/// <summary>
/// Every kind of edit, on NiN and on many small chains, with the scope worked out a second way. On a chain the rule
/// of 4.4 ("the new height and width reach every later layer of the spatial part") comes down to one question: does
/// the last layer of the spatial part that existed before the change have another height or width than it had?
/// </summary>
public class ScopeBruteForceTests
{
    private sealed record Case(string Kind, Network Baseline, Modification[] Edits);

    /// <summary>A chain of 3 to 8 layers (convolutions with any kernel, stride and pad per axis, ReLUs, max and average pools), optionally closed by a global pool and a classifier.</summary>
    private static Network Chain(Random random, int index)
    {
        var height = random.Next(12, 40);
        var width = random.Next(2) == 0 ? height : random.Next(12, 40);
        var b = new NetworkBuilder($"chain{index}").Input(random.Next(1, 4), height, width);
        var layers = random.Next(3, 9);
        for (var i = 0; i < layers; i++)
        {
            switch (random.Next(4))
            {
                case 0 or 1:
                    var kernel = new Size2(random.Next(1, 4), random.Next(1, 4));
                    var pad = new Size2(random.Next(0, kernel.Height), random.Next(0, kernel.Width));
                    b.Convolution($"conv{i}", random.Next(2, 9), kernel, new Size2(random.Next(1, 3), random.Next(1, 3)), pad);
                    break;
                case 2:
                    b.ReLU($"relu{i}");
                    break;
                default:
                    var stride = random.Next(1, 3);
                    if (random.Next(2) == 0)
                    {
                        b.MaxPool($"pool{i}", random.Next(2, 4), stride);
                    }
                    else
                    {
                        b.AveragePool($"pool{i}", 2, stride);
                    }

                    break;
            }
        }

        switch (random.Next(3))
        {
            case 0:
                b.GlobalPool("gap").FullyConnected("fc", 10);
                break;
            case 1:
                b.FullyConnected("fc", 10);
                break;
        }

        return b.Build();
    }

    /// <summary>Every edit of every kind that names one of the network's layers, and resizing edits combined with a layer added at the end of the spatial part.</summary>
    private static IEnumerable<Case> Edits(Network network)
    {
        var input = network.Input.Shape;
        foreach (var size in new Size2[] { new(input.Height + 5, input.Width), new(input.Height, input.Width + 3), new(input.Height * 2, input.Width * 2), new(input.Height - 1, input.Width - 1) })
        {
            yield return new Case("input-size", network, [new SetInputSize(size)]);
        }

        yield return new Case("input-channels", network, [new SetInputChannels(input.Channels + 2)]);
        if (network.Layers.Any(l => l is FullyConnectedLayer))
        {
            yield return new Case("categories", network, [new SetCategories(17)]);
        }

        var spatialEnd = network.Layers.ToList().FindIndex(l => l is FullyConnectedLayer or PoolingLayer { IsGlobal: true });
        var lastSpatial = network.Layers[(spatialEnd < 0 ? network.Layers.Length : spatialEnd) - 1].Name;
        foreach (var layer in network.Layers.Skip(1))
        {
            switch (layer)
            {
                case ConvolutionLayer c:
                    yield return new Case("filters", network, [new SetFilters(c.Name, c.Filters + 3)]);
                    foreach (var stride in new Size2[] { new(1, 1), new(2, 2), new(1, 2), new(2, 1), new(3, 1) })
                    {
                        yield return new Case("stride", network, [new SetStride(c.Name, stride)]);
                    }

                    foreach (var kernel in new Size2[] { new(1, 1), new(3, 3), new(1, 3), new(3, 1), new(5, 5) })
                    {
                        yield return new Case("kernel", network, [new SetKernel(c.Name, kernel)]);
                        yield return new Case("kernel", network, [new SetKernel(c.Name, kernel, new Size2(kernel.Height / 2, kernel.Width / 2))]);
                    }

                    break;
                case PoolingLayer { IsGlobal: false } p:
                    yield return new Case("pool", network, [new SetPoolingMethod(p.Name, p.Method == PoolingMethod.Max ? PoolingMethod.Average : PoolingMethod.Max)]);
                    foreach (var stride in new Size2[] { new(1, 1), new(2, 1), new(1, 2), new(3, 3) })
                    {
                        yield return new Case("stride", network, [new SetStride(p.Name, stride)]);
                    }

                    foreach (var kernel in new Size2[] { new(2, 2), new(3, 1), new(1, 3) })
                    {
                        yield return new Case("kernel", network, [new SetKernel(p.Name, kernel)]);
                    }

                    break;
            }

            if (layer is ConvolutionLayer or PoolingLayer { IsGlobal: false } or ActivationLayer)
            {
                yield return new Case("remove", network, [new RemoveLayer(layer.Name)]);
            }

            if (layer is not FullyConnectedLayer)
            {
                foreach (var (kernel, stride, pad) in new (Size2, Size2, Size2)[] { (1, 1, 0), (3, 1, 1), (3, 2, 1), (new(1, 2), new(1, 2), 0), (2, 2, 0) })
                {
                    var inserted = new ConvolutionLayer("inserted", layer.Name, 4, kernel, stride, pad, 1, 1, true);
                    yield return new Case("insert-after", network, [new InsertAfter(layer.Name, inserted)]);
                }
            }
        }

        // An edit that resizes everything, then a layer added after the last spatial layer: the added layer has no
        // "before" to differ from, so it must not hide the change from the rule.
        var appended = new ConvolutionLayer("appended", lastSpatial, 4, 1, 1, 0, 1, 1, true);
        yield return new Case("input-size+insert-after", network, [new SetInputSize(new Size2(input.Height * 2, input.Width * 2)), new InsertAfter(lastSpatial, appended)]);
        yield return new Case("input-size+insert-after", network, [new SetInputSize(new Size2(input.Height, input.Width + 4)), new InsertAfter(lastSpatial, appended)]);
    }

    [Fact]
    public void Every_kind_of_edit_gets_the_scope_the_rule_of_section_4_4_gives()
    {
        var random = new Random(20_161_201);
        var networks = new List<Network> { NetworkInNetwork.Create() };
        while (networks.Count < 60)
        {
            try
            {
                networks.Add(Chain(random, networks.Count));
            }
            catch (NetworkDefinitionException)
            {
                // a random chain whose later kernels outgrow its shrinking input: draw another
            }
        }

        var checkedByKind = new Dictionary<string, int>();
        var (refused, local, global, none) = (0, 0, 0, 0);
        foreach (var c in networks.SelectMany(Edits))
        {
            Network modified;
            try
            {
                modified = Modification.ApplyAll(c.Baseline, c.Edits);
            }
            catch (NetworkDefinitionException)
            {
                refused++; // an output below 1x1, a kernel larger than its input: nothing to classify
                continue;
            }

            var report = ChangeAnalysis.Compare(c.Baseline, modified);
            var (expectedResized, expectedScope) = Oracle(c.Baseline, modified);
            var label = $"{c.Baseline.Name}: {string.Join(" + ", c.Edits.Select(e => e.Spec))}";
            Assert.True(expectedResized.SetEquals(report.ResizedLayers), $"{label}: resized {string.Join(",", report.ResizedLayers)}, expected {string.Join(",", expectedResized)}");
            Assert.True(expectedScope == report.Scope, $"{label}: scope {report.Scope}, expected {expectedScope}");
            checkedByKind[c.Kind] = checkedByKind.GetValueOrDefault(c.Kind) + 1;
            _ = report.Scope switch { ChangeScope.Local => local++, ChangeScope.Global => global++, _ => none++ };
        }

        // The check must have checked: every kind of edit, many times, both outcomes well represented.
        foreach (var kind in new[] { "input-size", "input-channels", "categories", "filters", "stride", "kernel", "pool", "remove", "insert-after", "input-size+insert-after" })
        {
            Assert.True(checkedByKind.GetValueOrDefault(kind) >= 20, $"only {checkedByKind.GetValueOrDefault(kind)} '{kind}' edits were checked");
        }

        var total = checkedByKind.Values.Sum();
        Assert.True(total >= 2_000, $"only {total} edits were checked ({refused} refused)");
        Assert.True(local >= 500 && global >= 500, $"{local} local and {global} global of {total}");
        Assert.True(refused < total / 4, $"{refused} edits refused against {total} checked");
    }

    [Fact]
    public void Doubling_nins_input_and_adding_a_layer_after_relu12_is_still_global()
    {
        // Every layer from data to relu12 grows (conv12 6x6 -> 13x13); the added 1x1 convolution has no size to compare.
        var change = ChangeAnalysis.Analyze(NetworkInNetwork.Create(),
            [Modification.Parse("input-size=454x454"), Modification.Parse("insert-after:relu12=conv,1x1,1000")]);
        Assert.Equal(ChangeScope.Global, change.Scope);
        Assert.Contains("relu12", change.ResizedLayers);
        Assert.DoesNotContain("pool12", change.ResizedLayers); // global pooling stays 1x1
    }

    [Fact]
    public void A_stride_that_changes_only_the_width_is_global()
    {
        // conv1 11x11 stride 4 -> 4x2: width (227 − 11)/2 + 1 = 109 instead of 55, height stays 55; every later width differs.
        var change = ChangeAnalysis.Analyze(NetworkInNetwork.Create(), [Modification.Parse("stride:conv1=4x2")]);
        Assert.Equal(ChangeScope.Global, change.Scope);
        Assert.Equal(new Shape(96, 55, 109), change.Modified["conv1"].Output);
        Assert.Contains("relu12", change.ResizedLayers);
    }

    /// <summary>The resized layers (on both sides, another height or another width) and the scope, from the two reports alone.</summary>
    private static (HashSet<string> Resized, ChangeScope Scope) Oracle(Network baseline, Network modified)
    {
        var before = CostModel.Analyze(baseline).Layers.ToDictionary(l => l.Name);
        var after = CostModel.Analyze(modified).Layers;
        var resized = after.Where(l => before.TryGetValue(l.Name, out var old)
            && (old.Output.Height != l.Output.Height || old.Output.Width != l.Output.Width)).Select(l => l.Name).ToHashSet();
        var anyChange = after.Length != before.Count || after.Any(l => !before.TryGetValue(l.Name, out var old)
            || old.Output != l.Output || old.Flops != l.Flops || old.Weights != l.Weights || old.Biases != l.Biases);
        if (!anyChange)
        {
            return (resized, ChangeScope.None);
        }

        var spatial = after.TakeWhile(l => !(l.Kind == LayerKind.FullyConnected || modified[l.Name] is PoolingLayer { IsGlobal: true }));
        var lastExisting = spatial.Last(l => before.ContainsKey(l.Name));
        return (resized, resized.Contains(lastExisting.Name) ? ChangeScope.Global : ChangeScope.Local);
    }
}
