using System.Collections.Immutable;

namespace CnnCost.Reporting.Html;

/// <summary>
/// Modules found from layer names: Fire modules (<c>fire2/squeeze1x1</c>), Inception modules
/// (<c>inception_3a/1x1</c>), residual blocks (<c>layer1.0.conv1</c>, <c>layer1.0.downsample.0</c>) and imported
/// node groups (<c>/layer1/layer1.0/conv1/Conv</c>). A name's prefix is everything before its last <c>/</c> or
/// <c>.</c>; a prefix that begins at least two names is a module, and each layer joins the shortest module that
/// prefixes its name, so a block's nested parts (a downsample path) stay in the block.
/// </summary>
public static class LayerModules
{
    /// <summary>The module of each layer.</summary>
    /// <param name="names">Layer names.</param>
    /// <returns>For each name, its module's name, or null when it belongs to none.</returns>
    public static ImmutableArray<string?> Find(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var last = name.AsSpan().LastIndexOfAny('/', '.');
            if (last > 0)
            {
                candidates.Add(name[..last]);
            }
        }

        var members = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            foreach (var prefix in Prefixes(name))
            {
                if (candidates.Contains(prefix))
                {
                    members[prefix] = members.GetValueOrDefault(prefix) + 1;
                }
            }
        }

        var result = ImmutableArray.CreateBuilder<string?>(names.Count);
        foreach (var name in names)
        {
            result.Add(Prefixes(name).FirstOrDefault(p => members.GetValueOrDefault(p) >= 2));
        }

        return result.MoveToImmutable();
    }

    /// <summary>Every proper prefix of a name that ends before a separator, shortest first (none empty).</summary>
    private static IEnumerable<string> Prefixes(string name)
    {
        for (var i = 1; i < name.Length; i++)
        {
            if (name[i] is '/' or '.')
            {
                yield return name[..i];
            }
        }
    }
}
