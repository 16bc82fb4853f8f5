/*
 * hpk_cl_first_call: what a new process pays before its first OpenCL
 * results.  Times, from the start of main: creating the OpenCL context
 * (platform and device discovery), then the first call of each kernel
 * family through the host-pointer API (gemv, a reduction, Monte Carlo pi),
 * each including the build or cache load of its program, and prints them
 * as one JSON object.  Run it with an empty cache directory
 * (XDG_CACHE_HOME) for the cold case, then again for the warm one;
 * scripts/bench does both.
 *
 * usage: hpk_cl_first_call [DEVICE]     (DEVICE as for hpk_ctx_create_cl)
 */
#include <hpk/hpk_cl.h>

#include <stdio.h>
#include <stdlib.h>

#include "probe_clock.h"

static double build_seconds(const hpk_ctx *ctx)
{
    hpk_profile p;
    return hpk_ctx_last_profile(ctx, &p) == HPK_SUCCESS ? p.build_s : -1.0;
}

int main(int argc, char **argv)
{
    enum { N = 512 };
    static double a[N * N], x[N], y[N];
    for (int i = 0; i < N * N; i++)
        a[i] = (double)(i % 7) - 3.0;
    for (int i = 0; i < N; i++)
        x[i] = (double)(i % 5) - 2.0;

    const double t0 = now();
    hpk_ctx *ctx = NULL;
    if (hpk_ctx_create_cl(&ctx, argc > 1 ? argv[1] : NULL) != HPK_SUCCESS) {
        fprintf(stderr, "hpk_cl_first_call: %s\n", hpk_ctx_error_message(ctx));
        hpk_ctx_destroy(ctx);
        return 1;
    }
    const double t_ctx = now();

    double dot = 0.0;
    hpk_mc_result pi;
    hpk_status st = hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, N, N, 1.0, a, N, x, 1, 0.0, y, 1);
    const double t_gemv = now(), build_gemv = build_seconds(ctx);
    if (st == HPK_SUCCESS)
        st = hpk_ddot(ctx, N, x, 1, y, 1, &dot);
    const double t_dot = now(), build_dot = build_seconds(ctx);
    if (st == HPK_SUCCESS)
        st = hpk_mc_pi(ctx, 1 << 16, 1, &pi);
    const double t_mc = now(), build_mc = build_seconds(ctx);
    if (st != HPK_SUCCESS) {
        fprintf(stderr, "hpk_cl_first_call: %s\n", hpk_ctx_error_message(ctx));
        hpk_ctx_destroy(ctx);
        return 1;
    }

    printf("{\"context_s\": %.6f, \"first_gemv_s\": %.6f, \"first_dot_s\": %.6f, \"first_mc_pi_s\": %.6f, "
           "\"build_gemv_s\": %.6f, \"build_dot_s\": %.6f, \"build_mc_pi_s\": %.6f, "
           "\"to_first_result_s\": %.6f, \"total_s\": %.6f}\n",
           t_ctx - t0, t_gemv - t_ctx, t_dot - t_gemv, t_mc - t_dot, build_gemv, build_dot, build_mc,
           t_gemv - t0, t_mc - t0);
    hpk_ctx_destroy(ctx);
    return 0;
}
