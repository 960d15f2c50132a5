using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CnnCost.Hardware;

namespace CnnCost.Measurement;

/// <summary>
/// Measures this machine's ceilings so it becomes a <see cref="Device"/>: peak fp32 FLOP/s from independent FMA
/// chains on every core, and memory bandwidth from a STREAM-like triad <c>a[i] = b[i] + s·c[i]</c> over arrays far
/// larger than the caches (three arrays of 4 bytes per element moved: two reads and one write).
/// </summary>
public static class Ceilings
{
    /// <summary>Peak FMA throughput in FLOP/s (an FMA counts 2), best of a few runs.</summary>
    /// <param name="threads">Threads; all cores when null.</param>
    /// <returns>FLOP/s.</returns>
    public static double PeakFlopsPerSecond(int? threads = null)
    {
        var count = threads ?? Environment.ProcessorCount;
        const long iterations = 20_000_000;
        var best = 0.0;
        for (var run = 0; run < 3; run++)
        {
            var watch = Stopwatch.StartNew();
            var flops = new double[count];
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = count }, t => flops[t] = FmaChains(iterations));
            best = Math.Max(best, flops.Sum() / watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    /// <summary>
    /// This machine's processor as Linux names it (the first <c>model name</c> of <c>/proc/cpuinfo</c>), or
    /// "N-core CPU" where the system does not say.
    /// </summary>
    /// <returns>The name.</returns>
    public static string ProcessorName()
    {
        try
        {
            var line = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                : null;
            var name = line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            if (!string.IsNullOrEmpty(name))
            {
                return name;
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // No readable /proc/cpuinfo: the core count is all there is to say.
        }

        return $"{Environment.ProcessorCount}-core CPU";
    }

    /// <summary>
    /// The size of this machine's last-level CPU cache (the largest level Linux lists under
    /// <c>/sys/devices/system/cpu/cpu0/cache</c>), 0 where the system does not say.
    /// </summary>
    /// <returns>Bytes.</returns>
    public static long LastLevelCacheBytes()
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var best = (Level: 0, Bytes: 0L);
        foreach (var index in Directory.EnumerateDirectories(root, "index*"))
        {
            try
            {
                var level = int.Parse(File.ReadAllText(Path.Combine(index, "level")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                var type = File.ReadAllText(Path.Combine(index, "type")).Trim();
                var bytes = CacheSize(File.ReadAllText(Path.Combine(index, "size")).Trim());
                if (type != "Instruction" && (level, bytes).CompareTo(best) > 0)
                {
                    best = (level, bytes);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
            {
                // An entry the kernel does not fill in: the others still say.
            }
        }

        return best.Bytes;
    }

    /// <summary>Parses a sysfs cache size such as <c>32768K</c> or <c>2M</c>.</summary>
    internal static long CacheSize(string text)
    {
        var (digits, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], char.ToUpperInvariant(text[^1])) : (text, ' ');
        var value = long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        return unit switch
        {
            'K' => value << 10,
            'M' => value << 20,
            'G' => value << 30,
            ' ' => value,
            _ => throw new FormatException($"cache size '{text}'"),
        };
    }

    /// <summary>Triad bandwidth in bytes per second, best of a few runs over 3 x 64 MiB arrays.</summary>
    /// <param name="threads">Threads; all cores when null.</param>
    /// <returns>Bytes per second.</returns>
    public static double TriadBytesPerSecond(int? threads = null)
    {
        var count = threads ?? Environment.ProcessorCount;
        const int length = 16 << 20;
        var (a, b, c) = (new float[length], new float[length], new float[length]);
        Array.Fill(a, 1f);
        Array.Fill(b, 2f);
        Array.Fill(c, 3f);
        var best = 0.0;
        for (var run = 0; run < 5; run++)
        {
            var watch = Stopwatch.StartNew();
            var chunk = length / count;
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = count }, t =>
            {
                var start = t * chunk;
                var end = t == count - 1 ? length : start + chunk;
                Triad(a.AsSpan(start, end - start), b.AsSpan(start, end - start), c.AsSpan(start, end - start), 0.5f);
            });
            best = Math.Max(best, 3.0 * sizeof(float) * length / watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    /// <summary>This machine as a device: measured peak and bandwidth, power unknown (0).</summary>
    /// <returns>The device.</returns>
    public static Device ThisMachine() =>
        new($"this machine ({Environment.ProcessorCount} cores)", PeakFlopsPerSecond(), TriadBytesPerSecond(), 0,
            "measured: independent FMA chains on every core; STREAM-like triad over 3 x 64 MiB");

    /// <summary>Eight independent FMA chains per iteration, so latency never limits throughput; returns its FLOPs.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double FmaChains(long iterations)
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            var x = Vector512.Create(1.0001f);
            var y = Vector512.Create(0.9999f);
            Vector512<float> a0 = Vector512.Create(0.1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Avx512F.FusedMultiplyAdd(a0, x, y); a1 = Avx512F.FusedMultiplyAdd(a1, x, y);
                a2 = Avx512F.FusedMultiplyAdd(a2, x, y); a3 = Avx512F.FusedMultiplyAdd(a3, x, y);
                a4 = Avx512F.FusedMultiplyAdd(a4, x, y); a5 = Avx512F.FusedMultiplyAdd(a5, x, y);
                a6 = Avx512F.FusedMultiplyAdd(a6, x, y); a7 = Avx512F.FusedMultiplyAdd(a7, x, y);
            }

            Sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7).ToScalar();
            return iterations * 8.0 * 16 * 2;
        }

        if (Fma.IsSupported)
        {
            var x = Vector256.Create(1.0001f);
            var y = Vector256.Create(0.9999f);
            Vector256<float> a0 = Vector256.Create(0.1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Fma.MultiplyAdd(a0, x, y); a1 = Fma.MultiplyAdd(a1, x, y); a2 = Fma.MultiplyAdd(a2, x, y); a3 = Fma.MultiplyAdd(a3, x, y);
                a4 = Fma.MultiplyAdd(a4, x, y); a5 = Fma.MultiplyAdd(a5, x, y); a6 = Fma.MultiplyAdd(a6, x, y); a7 = Fma.MultiplyAdd(a7, x, y);
            }

            Sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7).ToScalar();
            return iterations * 8.0 * 8 * 2;
        }

        float s0 = 0.1f, s1 = s0, s2 = s0, s3 = s0;
        for (long i = 0; i < iterations; i++)
        {
            s0 = MathF.FusedMultiplyAdd(s0, 1.0001f, 0.9999f); s1 = MathF.FusedMultiplyAdd(s1, 1.0001f, 0.9999f);
            s2 = MathF.FusedMultiplyAdd(s2, 1.0001f, 0.9999f); s3 = MathF.FusedMultiplyAdd(s3, 1.0001f, 0.9999f);
        }

        Sink = s0 + s1 + s2 + s3;
        return iterations * 4.0 * 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Triad(Span<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, float scalar)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scalar);
            for (; i + 16 <= a.Length; i += 16)
            {
                (Vector512.Create(b.Slice(i, 16)) + s * Vector512.Create(c.Slice(i, 16))).CopyTo(a.Slice(i, 16));
            }
        }

        for (; i < a.Length; i++)
        {
            a[i] = b[i] + scalar * c[i];
        }
    }

    /// <summary>Keeps the FMA chains' results observable so the JIT cannot drop them.</summary>
    private static float Sink { get; set; }
}
