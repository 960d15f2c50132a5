using System.Collections.Immutable;
using CnnCost.Graph;

namespace CnnCost.Zoo;

/// <summary>The built-in networks by name, as the command line knows them.</summary>
public static class ModelZoo
{
    private static readonly ImmutableSortedDictionary<string, Func<Network>> Factories =
        new Dictionary<string, Func<Network>>
        {
            [NetworkInNetwork.Name] = NetworkInNetwork.Create,
            [AlexNet.Name] = AlexNet.Create,
            ["vgg11"] = Vgg.Vgg11,
            ["vgg13"] = Vgg.Vgg13,
            ["vgg16"] = Vgg.Vgg16,
            ["vgg19"] = Vgg.Vgg19,
            [LeNet.Name] = LeNet.Create,
            [VggF.Name] = VggF.Create,
            [SqueezeNet.Version10Name] = SqueezeNet.Version10,
            [SqueezeNet.Version11Name] = SqueezeNet.Version11,
            [GoogLeNet.Name] = () => GoogLeNet.Create(),
            ["resnet18"] = ResNet.ResNet18,
            ["resnet50"] = ResNet.ResNet50,
            [MobileNetV2.Name] = MobileNetV2.Create,
            [MobileNetV3.LargeName] = MobileNetV3.Large,
            [EfficientNet.B0Name] = EfficientNet.B0,
            [ShuffleNetV2.X10Name] = ShuffleNetV2.X10,
            [DenseNet.DenseNet121Name] = DenseNet.DenseNet121,
            [ConvNeXt.TinyName] = ConvNeXt.Tiny,
            [RegNet.Y400MFName] = RegNet.Y400MF,
            [InceptionV3.Name] = InceptionV3.Create,
        }.ToImmutableSortedDictionary(StringComparer.Ordinal);

    /// <summary>The names of the built-in networks, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Factories.Keys];

    /// <summary>Whether <paramref name="name"/> names a built-in network (case-insensitive).</summary>
    /// <param name="name">A model name.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public static bool Contains(string name) => Factories.ContainsKey(name.ToLowerInvariant());

    /// <summary>Builds the built-in network called <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">A zoo name such as <c>nin</c> or <c>vgg16</c>.</param>
    /// <returns>A new network.</returns>
    /// <exception cref="CnnCostException">No built-in network has that name; the message lists those that exist.</exception>
    public static Network Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Factories.TryGetValue(name.ToLowerInvariant(), out var factory)
            ? factory()
            : throw new CnnCostException($"unknown model '{name}': the built-in models are {string.Join(", ", Names)}");
    }
}
