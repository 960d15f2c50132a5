using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// A register-blocked GEMM micro-kernel of one vector width: C (<see cref="MicroKernel.Rows"/> x <see cref="Columns"/>,
/// rows <c>ldc</c> floats apart) = or += A · B over <c>kb</c> steps of K, A packed as <see cref="MicroKernel.Rows"/>
/// floats per step and B as <see cref="Columns"/> floats per step. Implemented by structs, one per width, so code
/// generic over the struct is compiled once per width with the width a constant and the calls inlined (the way
/// System.Numerics.Tensors' operator structs work).
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>The tile's columns: two vectors' worth.</summary>
    static abstract int Columns { get; }

    /// <summary>Whether this CPU (and runtime) can run the kernel.</summary>
    static abstract bool IsSupported { get; }

    /// <summary>One tile over kb steps of K; <paramref name="first"/> starts C from zero, otherwise adds to it.</summary>
    static abstract void Multiply(float* a, float* b, float* c, int ldc, int kb, bool first);

    /// <summary><c>result[x] = Σ_t weights[t] · sources[t][x]</c> for <paramref name="count"/> floats (depthwise taps).</summary>
    static abstract void SumTaps(float* result, float** sources, float* weights, int taps, int count);
}

/// <summary>The vector operations the generic kernel bodies need, over one vector type.</summary>
internal unsafe interface ILanes<TVector>
    where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All zeros.</summary>
    static abstract TVector Zero { get; }

    /// <summary>Loads <see cref="Count"/> floats.</summary>
    static abstract TVector Load(float* source);

    /// <summary>Stores <see cref="Count"/> floats.</summary>
    static abstract void Store(TVector value, float* destination);

    /// <summary>One float in every lane.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary><c>a · b + c</c> lane by lane.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);
}

/// <summary>The kernel bodies, written once over a vector type and specialised by the JIT for each width.</summary>
internal static unsafe class MicroKernel
{
    /// <summary>Rows of a tile: six rows of two accumulators leave registers for B and the broadcast of A.</summary>
    public const int Rows = 6;

    /// <summary>Steps of K per block: a block of A's row panels and one of B's column panels stay in cache.</summary>
    public const int BlockDepth = 384;

    /// <summary>
    /// Where the panel of <see cref="Rows"/> rows starting at row panel <paramref name="panel"/> and K row
    /// <paramref name="k0"/> lives in packed A: blocks of K one after another, and within a block the row panels in
    /// order, so the micro-kernel walks A as one forward stream that the hardware prefetcher follows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long PanelOffset(int panels, int panel, int k0, int kb) => (long)k0 * panels * Rows + (long)panel * kb * Rows;

    /// <summary>
    /// Packs rows <c>panel·Rows</c> … of a row-major matrix (<paramref name="rows"/> x <paramref name="k"/>: a group's
    /// filters, or a fully-connected layer's batch items) into one row panel of A, in <see cref="PanelOffset"/>'s
    /// layout, with zero rows past the matrix's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRowPanel(float* matrix, int rows, int k, int panel, int panels, float* packed)
    {
        for (var k0 = 0; k0 < k; k0 += BlockDepth)
        {
            var kb = Math.Min(BlockDepth, k - k0);
            var target = packed + PanelOffset(panels, panel, k0, kb);
            for (var r = 0; r < Rows; r++)
            {
                var row = panel * Rows + r;
                var source = matrix + (long)row * k + k0;
                for (var kk = 0; kk < kb; kk++)
                {
                    target[kk * Rows + r] = row < rows ? source[kk] : 0;
                }
            }
        }
    }

    /// <summary>6 x 2·Count tile: twelve accumulators, one broadcast of A and two loads of B per step of K.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Multiply<TLanes, TVector>(float* a, float* b, float* c, int ldc, int kb, bool first)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        var n = TLanes.Count;
        TVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (first)
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = TLanes.Zero;
        }
        else
        {
            c00 = TLanes.Load(c); c01 = TLanes.Load(c + n);
            c10 = TLanes.Load(c + ldc); c11 = TLanes.Load(c + ldc + n);
            c20 = TLanes.Load(c + 2 * ldc); c21 = TLanes.Load(c + 2 * ldc + n);
            c30 = TLanes.Load(c + 3 * ldc); c31 = TLanes.Load(c + 3 * ldc + n);
            c40 = TLanes.Load(c + 4 * ldc); c41 = TLanes.Load(c + 4 * ldc + n);
            c50 = TLanes.Load(c + 5 * ldc); c51 = TLanes.Load(c + 5 * ldc + n);
        }

        for (var kk = 0; kk < kb; kk++, a += Rows, b += 2 * n)
        {
            var b0 = TLanes.Load(b);
            var b1 = TLanes.Load(b + n);
            var a0 = TLanes.Broadcast(a[0]);
            c00 = TLanes.MultiplyAdd(a0, b0, c00); c01 = TLanes.MultiplyAdd(a0, b1, c01);
            var a1 = TLanes.Broadcast(a[1]);
            c10 = TLanes.MultiplyAdd(a1, b0, c10); c11 = TLanes.MultiplyAdd(a1, b1, c11);
            var a2 = TLanes.Broadcast(a[2]);
            c20 = TLanes.MultiplyAdd(a2, b0, c20); c21 = TLanes.MultiplyAdd(a2, b1, c21);
            var a3 = TLanes.Broadcast(a[3]);
            c30 = TLanes.MultiplyAdd(a3, b0, c30); c31 = TLanes.MultiplyAdd(a3, b1, c31);
            var a4 = TLanes.Broadcast(a[4]);
            c40 = TLanes.MultiplyAdd(a4, b0, c40); c41 = TLanes.MultiplyAdd(a4, b1, c41);
            var a5 = TLanes.Broadcast(a[5]);
            c50 = TLanes.MultiplyAdd(a5, b0, c50); c51 = TLanes.MultiplyAdd(a5, b1, c51);
        }

        TLanes.Store(c00, c); TLanes.Store(c01, c + n); TLanes.Store(c10, c + ldc); TLanes.Store(c11, c + ldc + n);
        TLanes.Store(c20, c + 2 * ldc); TLanes.Store(c21, c + 2 * ldc + n); TLanes.Store(c30, c + 3 * ldc); TLanes.Store(c31, c + 3 * ldc + n);
        TLanes.Store(c40, c + 4 * ldc); TLanes.Store(c41, c + 4 * ldc + n); TLanes.Store(c50, c + 5 * ldc); TLanes.Store(c51, c + 5 * ldc + n);
    }

    /// <summary>
    /// Every tap of a depthwise kernel in one pass, a vector of outputs at a time and the rest one by one, so each
    /// output is written once rather than read and written once per tap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SumTaps<TLanes, TVector>(float* result, float** sources, float* weights, int taps, int count)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        var x = 0;
        for (; x + TLanes.Count <= count; x += TLanes.Count)
        {
            var sum = TLanes.Zero;
            for (var t = 0; t < taps; t++)
            {
                sum = TLanes.MultiplyAdd(TLanes.Load(sources[t] + x), TLanes.Broadcast(weights[t]), sum);
            }

            TLanes.Store(sum, result + x);
        }

        for (; x < count; x++)
        {
            var sum = 0f;
            for (var t = 0; t < taps; t++)
            {
                sum += sources[t][x] * weights[t];
            }

            result[x] = sum;
        }
    }
}

/// <summary>AVX-512: a 6 x 32 tile of 16-lane FMA accumulators.</summary>
internal readonly unsafe struct Avx512MicroKernel : IMicroKernel, ILanes<Vector512<float>>
{
    /// <inheritdoc />
    public static int Columns => 2 * Vector512<float>.Count;

    /// <inheritdoc />
    public static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <inheritdoc />
    public static int Count => Vector512<float>.Count;

    /// <inheritdoc />
    public static Vector512<float> Zero => Vector512<float>.Zero;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, float* destination) => value.Store(destination);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(float* a, float* b, float* c, int ldc, int kb, bool first) =>
        MicroKernel.Multiply<Avx512MicroKernel, Vector512<float>>(a, b, c, ldc, kb, first);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumTaps(float* result, float** sources, float* weights, int taps, int count) =>
        MicroKernel.SumTaps<Avx512MicroKernel, Vector512<float>>(result, sources, weights, taps, count);
}

/// <summary>AVX2 with FMA: a 6 x 16 tile of 8-lane accumulators.</summary>
internal readonly unsafe struct Avx2MicroKernel : IMicroKernel, ILanes<Vector256<float>>
{
    /// <inheritdoc />
    public static int Columns => 2 * Vector256<float>.Count;

    /// <inheritdoc />
    public static bool IsSupported => Fma.IsSupported && Avx2.IsSupported;

    /// <inheritdoc />
    public static int Count => Vector256<float>.Count;

    /// <inheritdoc />
    public static Vector256<float> Zero => Vector256<float>.Zero;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, float* destination) => value.Store(destination);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(float* a, float* b, float* c, int ldc, int kb, bool first) =>
        MicroKernel.Multiply<Avx2MicroKernel, Vector256<float>>(a, b, c, ldc, kb, first);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumTaps(float* result, float** sources, float* weights, int taps, int count) =>
        MicroKernel.SumTaps<Avx2MicroKernel, Vector256<float>>(result, sources, weights, taps, count);
}

/// <summary>
/// The portable fallback: the same 6 x 16 tile over a "vector" of eight plain floats, one multiply and one add at a
/// time (no fused multiply-add, which is a slow library call where the CPU lacks it).
/// </summary>
internal readonly unsafe struct ScalarMicroKernel : IMicroKernel, ILanes<ScalarMicroKernel.Lanes>
{
    /// <summary>Eight floats handled one at a time.</summary>
    [InlineArray(8)]
    internal struct Lanes
    {
        private float _first;
    }

    /// <inheritdoc />
    public static int Columns => 16;

    /// <inheritdoc />
    public static bool IsSupported => true;

    /// <inheritdoc />
    public static int Count => 8;

    /// <inheritdoc />
    public static Lanes Zero => default;

    /// <inheritdoc />
    public static Lanes Load(float* source)
    {
        var value = default(Lanes);
        new ReadOnlySpan<float>(source, 8).CopyTo(value);
        return value;
    }

    /// <inheritdoc />
    public static void Store(Lanes value, float* destination) => ((ReadOnlySpan<float>)value).CopyTo(new Span<float>(destination, 8));

    /// <inheritdoc />
    public static Lanes Broadcast(float value)
    {
        var lanes = default(Lanes);
        ((Span<float>)lanes).Fill(value);
        return lanes;
    }

    /// <inheritdoc />
    public static Lanes MultiplyAdd(Lanes a, Lanes b, Lanes c)
    {
        for (var i = 0; i < 8; i++)
        {
            c[i] += a[i] * b[i];
        }

        return c;
    }

    /// <inheritdoc />
    public static void Multiply(float* a, float* b, float* c, int ldc, int kb, bool first) =>
        MicroKernel.Multiply<ScalarMicroKernel, Lanes>(a, b, c, ldc, kb, first);

    /// <inheritdoc />
    public static void SumTaps(float* result, float** sources, float* weights, int taps, int count) =>
        MicroKernel.SumTaps<ScalarMicroKernel, Lanes>(result, sources, weights, taps, count);
}
