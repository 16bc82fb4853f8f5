/* Batched GEMV on an OpenCL device, apart from the study:
 * hpk_cl_dgemv_strided_batched against CLBlast's GemmStridedBatched with one
 * column (the same products y_k = A_k x_k, row-major n x n), both
 * device-resident on hpk's queue, each call followed by clFinish, best of
 * the repetitions after the first (docs/PERFORMANCE.md, "Batched
 * problems").  The largest difference between the two is printed (CLBlast
 * sums in its own order).
 * usage: hpk_cl_batched_probe N PROBLEMS [REPETITIONS] */
#define _POSIX_C_SOURCE 200809L
#include <hpk/hpk_cl.h>

#include <clblast_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "probe_clock.h"

static cl_mem device_copy(cl_context c, const double *host, size_t count)
{
    cl_int err;
    cl_mem m = clCreateBuffer(c, CL_MEM_READ_WRITE | (host ? CL_MEM_COPY_HOST_PTR : 0), count * sizeof *host,
                              (void *)host, &err);
    return err == CL_SUCCESS ? m : NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s N PROBLEMS [REPETITIONS]\n", argv[0]);
        return 2;
    }
    const int64_t n = atoll(argv[1]), batch = atoll(argv[2]);
    const int reps = argc > 3 ? atoi(argv[3]) : 10;
    if (n < 1 || batch < 1 || reps < 2) {
        fprintf(stderr, "%s: N and PROBLEMS must be positive, REPETITIONS at least 2\n", argv[0]);
        return 2;
    }
    hpk_ctx *ctx;
    if (hpk_ctx_create(&ctx, HPK_BACKEND_OPENCL) != HPK_SUCCESS) {
        fprintf(stderr, "%s: %s\n", argv[0], hpk_ctx_error_message(NULL));
        return 1;
    }
    cl_context c = hpk_ctx_cl_context(ctx);
    cl_command_queue q = hpk_ctx_cl_queue(ctx);
    const size_t na = (size_t)(n * n * batch), ny = (size_t)(n * batch);
    double *ha = malloc(na * sizeof *ha), *hx = malloc(ny * sizeof *hx), *yh = malloc(ny * sizeof *yh);
    double *yc = malloc(ny * sizeof *yc);
    if (!ha || !hx || !yh || !yc)
        return 1;
    srand(1);
    for (size_t i = 0; i < na; i++)
        ha[i] = (double)rand() / RAND_MAX - 0.5;
    for (size_t i = 0; i < ny; i++)
        hx[i] = (double)rand() / RAND_MAX - 0.5;
    cl_mem a = device_copy(c, ha, na), x = device_copy(c, hx, ny), y = device_copy(c, NULL, ny);
    if (!a || !x || !y)
        return 1;
    double best_hpk = INFINITY, best_clblast = INFINITY;
    for (int r = 0; r < reps; r++) {
        double t = now();
        if (hpk_cl_dgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, n, n, 1.0, a, 0, n, n * n, x, 0, 1, n, 0.0,
                                         y, 0, 1, n, batch) != HPK_SUCCESS) {
            fprintf(stderr, "%s: %s\n", argv[0], hpk_ctx_error_message(ctx));
            return 1;
        }
        clFinish(q);
        t = now() - t;
        if (r > 0 && t < best_hpk)
            best_hpk = t;
        if (r == 0)
            clEnqueueReadBuffer(q, y, CL_TRUE, 0, ny * sizeof *yh, yh, 0, NULL, NULL);
        t = now();
        const CLBlastStatusCode s =
            CLBlastDgemmStridedBatched(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, (size_t)n, 1,
                                       (size_t)n, 1.0, a, 0, (size_t)n, (size_t)(n * n), x, 0, 1, (size_t)n, 0.0, y, 0,
                                       1, (size_t)n, (size_t)batch, &q, NULL);
        if (s != CLBlastSuccess) {
            fprintf(stderr, "%s: CLBlastDgemmStridedBatched returned %d\n", argv[0], (int)s);
            return 1;
        }
        clFinish(q);
        t = now() - t;
        if (r > 0 && t < best_clblast)
            best_clblast = t;
        if (r == 0)
            clEnqueueReadBuffer(q, y, CL_TRUE, 0, ny * sizeof *yc, yc, 0, NULL, NULL);
    }
    double most = 0.0;
    for (size_t i = 0; i < ny; i++)
        most = fmax(most, fabs(yh[i] - yc[i]));
    printf("n = %lld, %lld problems: hpk %.3f ms, CLBlast %.3f ms, CLBlast / hpk %.2f (largest difference %.1e)\n",
           (long long)n, (long long)batch, 1e3 * best_hpk, 1e3 * best_clblast, best_clblast / best_hpk, most);
    clReleaseMemObject(a), clReleaseMemObject(x), clReleaseMemObject(y);
    hpk_ctx_destroy(ctx);
    free(ha), free(hx), free(yh), free(yc);
    return 0;
}
