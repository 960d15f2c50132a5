// Convolution as a tiled implicit GEMM: C[M x N] = A[M x K] * B[K x N] for one channel group, where M is the
// group's filters, K = channels/groups * KH * KW and N = batch * OH * OW; B is gathered from the NCHW input on the
// fly (implicit im2col). Each work-group computes a TS x TS tile of C through local memory, TK columns of K at a
// time; each work-item accumulates WPT x WPT outputs in registers. TS and WPT can be overridden at build time
// (-D TS=... -D WPT=...) to fit a GPU's local memory and work-group size.
#ifndef TS
#define TS 64
#endif
#ifndef WPT
#define WPT 4
#endif
#ifndef TK
#define TK 16
#endif
#define RTS (TS / WPT)

__kernel __attribute__((reqd_work_group_size(RTS, RTS, 1)))
void conv_gemm(const int M, const int N, const int K,
               const int channels, const int H, const int W, const int OH, const int OW,
               const int KH, const int KW, const int SH, const int SW, const int PH, const int PW,
               const int DH, const int DW, const int group, const int channelsPerGroup, const int filters,
               __global const float* input, __global const float* weights, __global float* output)
{
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int n0 = get_group_id(0) * TS;
    const int m0 = get_group_id(1) * TS;
    const int plane = OH * OW;
    const int window = KH * KW;
    __local float As[TK][TS];
    __local float Bs[TK][TS];
    float acc[WPT][WPT];
    for (int a = 0; a < WPT; a++)
        for (int b = 0; b < WPT; b++)
            acc[a][b] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TK) {
        for (int l = ty * RTS + tx; l < TK * TS; l += RTS * RTS) {
            const int kk = l / TS;
            const int t = l - kk * TS;
            const int k = k0 + kk;
            const int m = m0 + t;
            As[kk][t] = (m < M && k < K) ? weights[(long)(group * M + m) * K + k] : 0.0f;
            const int n = n0 + t;
            float v = 0.0f;
            if (n < N && k < K) {
                const int item = n / plane;
                const int position = n - item * plane;
                const int y = position / OW;
                const int x = position - y * OW;
                const int c = k / window;
                const int r = k - c * window;
                const int i = r / KW;
                const int j = r - i * KW;
                const int row = y * SH - PH + i * DH;
                const int col = x * SW - PW + j * DW;
                if (row >= 0 && row < H && col >= 0 && col < W)
                    v = input[(((long)item * channels + group * channelsPerGroup + c) * H + row) * W + col];
            }
            Bs[kk][t] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TK; kk++) {
            float a[WPT];
            float b[WPT];
            for (int w = 0; w < WPT; w++) {
                a[w] = As[kk][ty + w * RTS];
                b[w] = Bs[kk][tx + w * RTS];
            }
            for (int wm = 0; wm < WPT; wm++)
                for (int wn = 0; wn < WPT; wn++)
                    acc[wm][wn] = fma(a[wm], b[wn], acc[wm][wn]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int wm = 0; wm < WPT; wm++) {
        const int m = m0 + ty + wm * RTS;
        if (m >= M)
            continue;
        for (int wn = 0; wn < WPT; wn++) {
            const int n = n0 + tx + wn * RTS;
            if (n >= N)
                continue;
            const int item = n / plane;
            const int position = n - item * plane;
            output[((long)item * filters + group * M + m) * plane + position] = acc[wm][wn];
        }
    }
}

// Device ceilings. fma_peak: each work-item runs 8 independent FMA chains of float4 for `iterations` steps
// (8 * 4 * 2 FLOPs per step) and stores a sum so nothing is optimized away. triad: a[i] = b[i] + s * c[i].
__kernel void fma_peak(const int iterations, __global float* sink)
{
    const float4 x = (float4)(1.0001f);
    const float4 y = (float4)(0.9999f);
    float4 a0 = (float4)(get_global_id(0) * 1e-7f), a1 = a0 + 0.1f, a2 = a0 + 0.2f, a3 = a0 + 0.3f;
    float4 a4 = a0 + 0.4f, a5 = a0 + 0.5f, a6 = a0 + 0.6f, a7 = a0 + 0.7f;
    for (int i = 0; i < iterations; i++) {
        a0 = fma(a0, x, y); a1 = fma(a1, x, y); a2 = fma(a2, x, y); a3 = fma(a3, x, y);
        a4 = fma(a4, x, y); a5 = fma(a5, x, y); a6 = fma(a6, x, y); a7 = fma(a7, x, y);
    }
    const float4 s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    sink[get_global_id(0)] = s.x + s.y + s.z + s.w;
}

__kernel void triad(__global float* a, __global const float* b, __global const float* c, const float s)
{
    const size_t i = get_global_id(0);
    a[i] = b[i] + s * c[i];
}
