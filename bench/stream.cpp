// STREAM-style bandwidth, the roofline of the memory-bound kernels: a
// read-only sum (what reductions and gemv do) and the triad z = x + s*y,
// at every vector size and thread count.  Bytes follow STREAM's convention:
// 8n for the read, 24n for the triad (write-allocate traffic not counted).
// This file is compiled for the build machine's CPU (-march=native) so the
// roofline is the best this machine does.
#include "harness.h"

#include <omp.h>

#include <algorithm>

namespace hpkb {

// A call makes `passes` passes over the arrays inside one parallel region,
// each thread over its own contiguous part (first-touched by the same
// schedule), so that even an array that fits in L1 streams ~16 MiB per call:
// the fork and join then cost under 1%, and in-cache sizes measure the
// caches' bandwidth rather than the threads' start-up.
static int64_t passes_for(int64_t bytes) { return std::max<int64_t>(1, (int64_t(16) << 20) / bytes); }

static double read_sum(const double *x, int64_t n, int64_t passes, int threads)
{
    double total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        const int64_t begin = n * t / nt, end = n * (t + 1) / nt;
        // 32 independent lanes: enough vector accumulators to hide the
        // latency of the adds, so loads are the only limit.
        double acc[32] = {0};
        for (int64_t p = 0; p < passes; p++) {
            int64_t i = begin;
            for (; i + 32 <= end; i += 32)
                for (int l = 0; l < 32; l++)
                    acc[l] += x[i + l];
            for (; i < end; i++)
                acc[0] += x[i];
        }
        for (int l = 0; l < 32; l++)
            total += acc[l];
    }
    return total;
}

static void triad(double *z, const double *x, const double *y, int64_t n, int64_t passes, int threads)
{
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        const int64_t begin = n * t / nt, end = n * (t + 1) / nt;
        for (int64_t p = 0; p < passes; p++) {
#pragma omp simd
            for (int64_t i = begin; i < end; i++)
                z[i] = x[i] + 3.0 * y[i];
            benchmark::ClobberMemory();  // every pass stores
        }
    }
}

void register_stream()
{
    for (const int64_t n : sizes_of("stream_read")) {
        Work w;
        w.working_set = 8.0 * n;
        const int64_t read_passes = passes_for(8 * n);
        w.bytes = w.working_set * read_passes;
        Point read{"stream_read", 'd', "stream", n, w, {{Buf::x, n}}};
        add(read, [=](benchmark::State &st, int threads) {
            const double *x = buffer<double>(Buf::x);
            for (auto _ : st)
                benchmark::DoNotOptimize(read_sum(x, n, read_passes, threads));
        });

        w.working_set = 24.0 * n;
        const int64_t triad_passes = passes_for(24 * n);
        w.bytes = w.working_set * triad_passes;
        w.flops = 2.0 * n * triad_passes;
        Point tri{"stream_triad", 'd', "stream", n, w, {{Buf::x, n}, {Buf::y, n}, {Buf::z, n}}};
        add(tri, [=](benchmark::State &st, int threads) {
            const double *x = buffer<double>(Buf::x), *y = buffer<double>(Buf::y);
            double *z = buffer<double>(Buf::z);
            for (auto _ : st)
                triad(z, x, y, n, triad_passes, threads);
        });
    }
}

}  // namespace hpkb
