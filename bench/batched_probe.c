/* A quick look at batched problems on the CPU, apart from the study: one
 * hpk batched call against a loop of OpenBLAS calls on the same problems,
 * in one process, interleaved, best of 15 repetitions (docs/PERFORMANCE.md,
 * "Batched problems").  The study's batched family (scripts/bench --kernels
 * batched) is the measurement of record.
 * usage: hpk_batched_probe N [PROBLEMS [THREADS [SCALE]]]
 *   N         row length (reductions) and matrix size n x n (GEMV)
 *   PROBLEMS  rows (default 200000); GEMV gets PROBLEMS / N matrices
 *   THREADS   hpk's OpenMP threads (default 1; the loop's calls are too small
 *             for OpenBLAS to thread)
 *   SCALE     the data's magnitude (default 1: uniform in [-0.5, 0.5) times
 *             SCALE; 1e-300 or 1e300 make double rows that are not of
 *             medium size for nrm2; float data is scaled within 1e+-30) */
#define _POSIX_C_SOURCE 200809L
#include <hpk/hpk.h>

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "probe_clock.h"

static void keep(double *best, double t)
{
    if (t < *best)
        *best = t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s N [PROBLEMS [THREADS [SCALE]]]\n", argv[0]);
        return 2;
    }
    const int n = atoi(argv[1]), threads = argc > 3 ? atoi(argv[3]) : 1;
    const long rows = argc > 2 ? atol(argv[2]) : 200000, mats = rows / n;
    const double scale = argc > 4 ? atof(argv[4]) : 1.0;
    const double scale_f = scale < 1e-30 ? 1e-30 : scale > 1e30 ? 1e30 : scale;
    if (n < 1 || rows < 1 || threads < 1 || !(scale > 0.0)) {
        fprintf(stderr, "%s: N, PROBLEMS, THREADS and SCALE must be positive\n", argv[0]);
        return 2;
    }
    const size_t count = (size_t)n * (size_t)rows;
    double *a = malloc(count * sizeof *a), *b = malloc(count * sizeof *b), *r = malloc((size_t)rows * sizeof *r);
    float *as = malloc(count * sizeof *as), *bs = malloc(count * sizeof *bs), *rs = malloc((size_t)rows * sizeof *rs);
    double *y = malloc(count * sizeof *y);
    float *ys = malloc(count * sizeof *ys);
    if (!a || !b || !r || !as || !bs || !rs || !y || !ys)
        return 1;
    srand(1);
    for (size_t i = 0; i < count; i++) {
        const double u = (double)rand() / RAND_MAX - 0.5;
        a[i] = u * scale, b[i] = 0.3 * a[i];
        as[i] = (float)(u * scale_f), bs[i] = (float)(0.3 * u * scale_f);
    }
    hpk_ctx *ctx;
    if (hpk_ctx_create(&ctx, threads > 1 ? HPK_BACKEND_OPENMP : HPK_BACKEND_SERIAL) != HPK_SUCCESS ||
        hpk_ctx_set_num_threads(ctx, threads) != HPK_SUCCESS)
        return 1;
    openblas_set_num_threads(threads);
    enum { DNRM2, DDOT, SNRM2, SDOT, DGEMV, SGEMV, KINDS };
    static const char *const names[KINDS] = {"dnrm2 rows", "ddot rows", "snrm2 rows", "sdot rows", "dgemv", "sgemv"};
    double hpk[KINDS], loop[KINDS];
    for (int k = 0; k < KINDS; k++)
        hpk[k] = loop[k] = 1e30;
    for (int rep = 0; rep < 15; rep++) {
        double t = now();
        hpk_dnrm2_strided_batched(ctx, n, a, 1, n, r, rows);
        keep(&hpk[DNRM2], now() - t), t = now();
        for (long k = 0; k < rows; k++)
            r[k] = cblas_dnrm2(n, a + k * n, 1);
        keep(&loop[DNRM2], now() - t), t = now();
        hpk_ddot_strided_batched(ctx, n, a, 1, n, b, 1, n, r, rows);
        keep(&hpk[DDOT], now() - t), t = now();
        for (long k = 0; k < rows; k++)
            r[k] = cblas_ddot(n, a + k * n, 1, b + k * n, 1);
        keep(&loop[DDOT], now() - t), t = now();
        hpk_snrm2_strided_batched(ctx, n, as, 1, n, rs, rows);
        keep(&hpk[SNRM2], now() - t), t = now();
        for (long k = 0; k < rows; k++)
            rs[k] = cblas_snrm2(n, as + k * n, 1);
        keep(&loop[SNRM2], now() - t), t = now();
        hpk_sdot_strided_batched(ctx, n, as, 1, n, bs, 1, n, rs, rows);
        keep(&hpk[SDOT], now() - t), t = now();
        for (long k = 0; k < rows; k++)
            rs[k] = cblas_sdot(n, as + k * n, 1, bs + k * n, 1);
        keep(&loop[SDOT], now() - t), t = now();
        hpk_dgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, n, n, 1.0, a, n, (int64_t)n * n, b, 1, n, 0.0, y,
                                  1, n, mats);
        keep(&hpk[DGEMV], now() - t), t = now();
        for (long k = 0; k < mats; k++)
            cblas_dgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0, a + (size_t)k * n * n, n, b + (size_t)k * n, 1, 0.0,
                        y + (size_t)k * n, 1);
        keep(&loop[DGEMV], now() - t), t = now();
        hpk_sgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, n, n, 1.0f, as, n, (int64_t)n * n, bs, 1, n, 0.0f,
                                  ys, 1, n, mats);
        keep(&hpk[SGEMV], now() - t), t = now();
        for (long k = 0; k < mats; k++)
            cblas_sgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0f, as + (size_t)k * n * n, n, bs + (size_t)k * n, 1,
                        0.0f, ys + (size_t)k * n, 1);
        keep(&loop[SGEMV], now() - t);
    }
    printf("n = %d, %ld rows (%ld matrices), %d thread(s), data scale %g: us, hpk batched / OpenBLAS loop / loop over "
           "hpk\n",
           n, rows, mats, threads, scale);
    for (int k = 0; k < KINDS; k++)
        printf("  %-11s %10.1f %10.1f %6.2f\n", names[k], 1e6 * hpk[k], 1e6 * loop[k], loop[k] / hpk[k]);
    hpk_ctx_destroy(ctx);
    free(a), free(b), free(r), free(as), free(bs), free(rs), free(y), free(ys);
    return 0;
}
