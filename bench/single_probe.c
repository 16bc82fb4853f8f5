/* A quick look at one kernel at one size, apart from the study: hpk's
 * serial call against OpenBLAS's on one thread, in one process, the two
 * interleaved, each the best of many calls (docs/PERFORMANCE.md).  For
 * checking a kernel change in a minute; the study (scripts/bench) is the
 * measurement of record.
 * usage: hpk_single_probe KERNEL N [TRIALS] [CPU_PATH]
 *   KERNEL  ddot sdot dsum ssum dasum sasum dnrm2 snrm2 idamax isamax
 *           dgemv_n sgemv_n dgemv_t sgemv_t (GEMV: row-major, N x N)
 *   N       elements (reductions) or matrix side (GEMV)
 *   TRIALS  rounds of the two, each the best of a burst of calls
 *           (default 100)
 *   CPU_PATH hpk's code path (hpk_ctx_set_cpu_path; default: the best
 *           the CPU has), to set beside OPENBLAS_CORETYPE for its peer
 * Prints hpk's and OpenBLAS's best time and GB/s, and OpenBLAS time / hpk
 * time (> 1: hpk faster).  The data: uniform in [-0.5, 0.5), each buffer
 * page-aligned as the study's harness allocates them (so a matrix's rows
 * and x share their offsets in a page, as page-aligned buffers of a
 * caller's do); OPENBLAS_CORETYPE picks OpenBLAS's core as usual. */
#define _POSIX_C_SOURCE 200809L
#include <hpk/hpk.h>

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_clock.h"

void openblas_set_num_threads(int threads);

static hpk_ctx *ctx;
static double *xd, *yd, *ad;
static float *xf, *yf, *af;
static volatile double sink;

/* One call of the kernel, hpk's (peer 0) or OpenBLAS's (peer 1). */
static void call(const char *k, long n, int peer)
{
    double d = 0;
    float f = 0;
    int64_t i = 0;
#define PAIR(name, hpk_call, ob_call) \
    if (!strcmp(k, name)) {           \
        if (peer)                     \
            sink = (ob_call);         \
        else                          \
            (void)(hpk_call);         \
    }
    PAIR("ddot", hpk_ddot(ctx, n, xd, 1, yd, 1, &d), cblas_ddot(n, xd, 1, yd, 1))
    PAIR("sdot", hpk_sdot(ctx, n, xf, 1, yf, 1, &f), cblas_sdot(n, xf, 1, yf, 1))
    PAIR("dsum", hpk_dsum(ctx, n, xd, 1, &d), cblas_dsum(n, xd, 1))
    PAIR("ssum", hpk_ssum(ctx, n, xf, 1, &f), cblas_ssum(n, xf, 1))
    PAIR("dasum", hpk_dasum(ctx, n, xd, 1, &d), cblas_dasum(n, xd, 1))
    PAIR("sasum", hpk_sasum(ctx, n, xf, 1, &f), cblas_sasum(n, xf, 1))
    PAIR("dnrm2", hpk_dnrm2(ctx, n, xd, 1, &d), cblas_dnrm2(n, xd, 1))
    PAIR("snrm2", hpk_snrm2(ctx, n, xf, 1, &f), cblas_snrm2(n, xf, 1))
    PAIR("idamax", hpk_idamax(ctx, n, xd, 1, &i), (double)cblas_idamax(n, xd, 1))
    PAIR("isamax", hpk_isamax(ctx, n, xf, 1, &i), (double)cblas_isamax(n, xf, 1))
    PAIR("dgemv_n", hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, n, n, 1.0, ad, n, xd, 1, 0.0, yd, 1),
         (cblas_dgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0, ad, n, xd, 1, 0.0, yd, 1), 0.0))
    PAIR("sgemv_n", hpk_sgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, n, n, 1.0f, af, n, xf, 1, 0.0f, yf, 1),
         (cblas_sgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0f, af, n, xf, 1, 0.0f, yf, 1), 0.0))
    PAIR("dgemv_t", hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_TRANS, n, n, 1.0, ad, n, xd, 1, 0.0, yd, 1),
         (cblas_dgemv(CblasRowMajor, CblasTrans, n, n, 1.0, ad, n, xd, 1, 0.0, yd, 1), 0.0))
    PAIR("sgemv_t", hpk_sgemv(ctx, HPK_ROW_MAJOR, HPK_TRANS, n, n, 1.0f, af, n, xf, 1, 0.0f, yf, 1),
         (cblas_sgemv(CblasRowMajor, CblasTrans, n, n, 1.0f, af, n, xf, 1, 0.0f, yf, 1), 0.0))
#undef PAIR
    sink = d + f + (double)i;
}

static double best_of(const char *k, long n, int peer, int calls)
{
    double best = 1e30;
    for (int c = 0; c < calls; c++) {
        const double t = now();
        call(k, n, peer);
        const double dt = now() - t;
        best = dt < best ? dt : best;
    }
    return best;
}

static void *aligned(size_t bytes)
{
    void *p = NULL;
    return posix_memalign(&p, 4096, bytes ? bytes : 64) ? NULL : p;
}

int main(int argc, char **argv)
{
    static const char *const kernels[] = {"ddot",   "sdot",   "dsum",    "ssum",    "dasum",   "sasum",  "dnrm2",
                                          "snrm2",  "idamax", "isamax",  "dgemv_n", "sgemv_n", "dgemv_t", "sgemv_t"};
    const char *k = argc > 2 ? argv[1] : "";
    int known = 0;
    for (size_t i = 0; i < sizeof kernels / sizeof *kernels; i++)
        known |= !strcmp(k, kernels[i]);
    const long n = argc > 2 ? atol(argv[2]) : 0;
    const int trials = argc > 3 ? atoi(argv[3]) : 100;
    if (!known || n < 1 || trials < 1) {
        fprintf(stderr, "usage: %s KERNEL N [TRIALS] [CPU_PATH] (see the source's head for the kernels)\n", argv[0]);
        return 2;
    }
    const int gemv = strstr(k, "gemv") != NULL;
    const long len = gemv ? n * n : n; /* elements read from the first operand */
    openblas_set_num_threads(1);
    if (hpk_ctx_create(&ctx, HPK_BACKEND_SERIAL) != HPK_SUCCESS)
        return 1;
    if (argc > 4 && hpk_ctx_set_cpu_path(ctx, argv[4]) != HPK_SUCCESS) {
        fprintf(stderr, "%s: %s\n", argv[0], hpk_ctx_error_message(ctx));
        return 2;
    }
    xd = aligned((size_t)n * 8);
    yd = aligned((size_t)n * 8);
    ad = aligned((size_t)len * 8);
    xf = aligned((size_t)n * 4);
    yf = aligned((size_t)n * 4);
    af = aligned((size_t)len * 4);
    if (!xd || !yd || !ad || !xf || !yf || !af) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    srand(1);
    for (long i = 0; i < len; i++)
        af[i] = (float)(ad[i] = rand() / (double)RAND_MAX - 0.5);
    for (long i = 0; i < n; i++) {
        xf[i] = (float)(xd[i] = rand() / (double)RAND_MAX - 0.5);
        yf[i] = (float)(yd[i] = rand() / (double)RAND_MAX - 0.5);
    }
    const int calls = len < 100000 ? 50 : 3;
    double hpk = 1e30, ob = 1e30;
    for (int t = 0; t < trials; t++) {
        const double h = best_of(k, n, 0, calls), o = best_of(k, n, 1, calls);
        hpk = h < hpk ? h : hpk;
        ob = o < ob ? o : ob;
    }
    const double bytes = (strstr(k, "dot") ? 2.0 : 1.0) * (double)len * (k[0] == 'd' || k[1] == 'd' ? 8 : 4);
    printf("%-8s n=%-9ld hpk %10.3f us %6.1f GB/s   OpenBLAS %10.3f us %6.1f GB/s   OpenBLAS/hpk %.2f\n", k, n,
           hpk * 1e6, bytes / hpk / 1e9, ob * 1e6, bytes / ob / 1e9, ob / hpk);
    hpk_ctx_destroy(ctx);
    return 0;
}
