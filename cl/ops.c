/* The OpenCL backend's table for hpk.h's host-pointer functions: each one
 * uploads what it reads into the context's stage buffers, computes on the
 * device, and downloads its result before returning; hpk_ctx_last_profile
 * shows the split.  In verify mode each also computes on the CPU and
 * compares (verify.c).  Arguments arrive checked by the dispatch layer. */
#include "cl_backend.h"
#include "strided.h"

#include <stdlib.h>

static hpk_status gemv(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans, int64_t m,
                       int64_t n, double alpha, const void *a, int64_t lda, const void *x, int64_t incx, double beta,
                       void *y, int64_t incy)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    hpk_status st = f32 ? HPK_SUCCESS : hpk__cl_need_fp64(ctx, fn);
    if (st != HPK_SUCCESS)
        return st;
    hpk__cl_call_begin(hpk__cl(ctx));
    const bool row_major = layout == HPK_ROW_MAJOR, no_trans = trans == HPK_NO_TRANS;
    const int64_t len = row_major ? n : m, vecs = row_major ? m : n;
    const int64_t xlen = no_trans ? n : m, ylen = no_trans ? m : n;
    cl_mem da = NULL;
    hpk__cl_vec dx = {NULL, 0, 1}, dy;
    if (alpha != 0.0) { /* alpha == 0 reads neither A nor x */
        st = hpk__cl_stage_matrix(ctx, fn, HPK__CL_STAGE_A, a, vecs, len, lda, elem, &da);
        if (st == HPK_SUCCESS)
            st = hpk__cl_stage_vec(ctx, fn, HPK__CL_STAGE_X, x, xlen, incx, elem, &dx);
    }
    if (st == HPK_SUCCESS) /* beta == 0 does not read y */
        st = beta != 0.0 ? hpk__cl_stage_vec(ctx, fn, HPK__CL_STAGE_Y, y, ylen, incy, elem, &dy)
                         : hpk__cl_stage_alloc(ctx, fn, HPK__CL_STAGE_Y, ylen, incy, elem, &dy);
    void *saved = NULL; /* verify mode: the original y */
    if (st == HPK_SUCCESS && hpk__cl(ctx)->verify)
        st = hpk__cl_verify_gemv_save(ctx, fn, f32, ylen, beta, y, incy, &saved);
    if (st == HPK_SUCCESS)
        st = hpk__cl_gemv(ctx, fn, f32, layout, trans, m, n, alpha, da, 0, len, dx, beta, dy, NULL);
    if (st == HPK_SUCCESS)
        st = hpk__cl_download_vec(ctx, fn, dy, y, ylen, incy, elem);
    if (st == HPK_SUCCESS && saved)
        st = hpk__cl_verify_gemv(ctx, fn, f32, layout, trans, m, n, alpha, a, lda, x, incx, beta, y, incy, saved);
    free(saved);
    return st;
}

static hpk_status cl_dgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n, double alpha,
                           const double *a, int64_t lda, const double *x, int64_t incx, double beta, double *y,
                           int64_t incy)
{
    return gemv(ctx, "hpk_dgemv", false, layout, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

static hpk_status cl_sgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n, float alpha,
                           const float *a, int64_t lda, const float *x, int64_t incx, float beta, float *y,
                           int64_t incy)
{
    return gemv(ctx, "hpk_sgemv", true, layout, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

/* sum, asum, nrm2 or dot of host vectors (n > 0): the root of the blocks'
 * tree into *root and the result into *r (verify mode compares it with the
 * CPU's). */
static hpk_status reduce_host(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, const void *x,
                              int64_t incx, const void *y, int64_t incy, hpk__reduce_node *root, double *r)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    hpk_status st = f32 ? HPK_SUCCESS : hpk__cl_need_fp64(ctx, fn);
    if (st != HPK_SUCCESS)
        return st;
    hpk__cl_call_begin(hpk__cl(ctx));
    hpk__cl_vec dx, dy;
    st = hpk__cl_stage_vec(ctx, fn, HPK__CL_STAGE_X, x, n, incx, elem, &dx);
    dy = dx;
    if (st == HPK_SUCCESS && op == HPK__OP_DOT)
        st = hpk__cl_stage_vec(ctx, fn, HPK__CL_STAGE_Y, y, n, incy, elem, &dy);
    if (st == HPK_SUCCESS)
        st = hpk__cl_reduce_root(ctx, fn, op, f32, n, dx, dy, NULL, root);
    if (st == HPK_SUCCESS)
        *r = hpk__cl_reduce_finish(op, f32 && !hpk__cl(ctx)->fp64, root);
    if (st == HPK_SUCCESS && hpk__cl_verifies_reduce(ctx, op, f32))
        st = hpk__cl_verify_reduce(ctx, fn, op, f32, n, x, incx, y, incy, r);
    return st;
}

/* The same into *result (a float for f32, else a double). */
static hpk_status reduce(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, const void *x,
                         int64_t incx, const void *y, int64_t incy, void *result)
{
    hpk__reduce_node root;
    double r = 0.0;
    const hpk_status st = reduce_host(ctx, fn, op, f32, n, x, incx, y, incy, &root, &r);
    return hpk__cl_store_result(st, r, f32, result);
}

static hpk_status cl_dsum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduce(ctx, "hpk_dsum", HPK__OP_SUM, false, n, x, incx, NULL, 0, result);
}

static hpk_status cl_ssum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduce(ctx, "hpk_ssum", HPK__OP_SUM, true, n, x, incx, NULL, 0, result);
}

static hpk_status cl_dasum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduce(ctx, "hpk_dasum", HPK__OP_ASUM, false, n, x, incx, NULL, 0, result);
}

static hpk_status cl_sasum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduce(ctx, "hpk_sasum", HPK__OP_ASUM, true, n, x, incx, NULL, 0, result);
}

static hpk_status cl_dnrm2(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduce(ctx, "hpk_dnrm2", HPK__OP_NRM2, false, n, x, incx, NULL, 0, result);
}

static hpk_status cl_snrm2(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduce(ctx, "hpk_snrm2", HPK__OP_NRM2, true, n, x, incx, NULL, 0, result);
}

static hpk_status cl_ddot(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, const double *y, int64_t incy,
                          double *result)
{
    return reduce(ctx, "hpk_ddot", HPK__OP_DOT, false, n, x, incx, y, incy, result);
}

static hpk_status cl_sdot(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, const float *y, int64_t incy,
                          float *result)
{
    return reduce(ctx, "hpk_sdot", HPK__OP_DOT, true, n, x, incx, y, incy, result);
}

static hpk_status amax(hpk_ctx *ctx, const char *fn, bool f32, int64_t n, const void *x, int64_t incx,
                       int64_t *index)
{
    hpk_status st = f32 ? HPK_SUCCESS : hpk__cl_need_fp64(ctx, fn);
    if (st != HPK_SUCCESS)
        return st;
    hpk__cl_call_begin(hpk__cl(ctx));
    hpk__cl_vec dx;
    st = hpk__cl_stage_vec(ctx, fn, HPK__CL_STAGE_X, x, n, incx, f32 ? sizeof(float) : sizeof(double), &dx);
    int64_t got = -1;
    if (st == HPK_SUCCESS)
        st = hpk__cl_amax(ctx, fn, f32, n, dx, NULL, &got);
    if (st == HPK_SUCCESS && hpk__cl_verifies_reduce(ctx, HPK__OP_AMAX, f32))
        st = hpk__cl_verify_reduce(ctx, fn, HPK__OP_AMAX, f32, n, x, incx, NULL, 0, &got);
    if (st == HPK_SUCCESS || st == HPK_ERR_MISMATCH)
        *index = got;
    return st;
}

static hpk_status cl_idamax(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t *index)
{
    return amax(ctx, "hpk_idamax", false, n, x, incx, index);
}

static hpk_status cl_isamax(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t *index)
{
    return amax(ctx, "hpk_isamax", true, n, x, incx, index);
}

static hpk_status cl_mc_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    hpk__cl_call_begin(hpk__cl(ctx));
    hpk_mc_result got;
    hpk_status st = hpk__cl_mc_pi(ctx, samples, seed, &got);
    if (st == HPK_SUCCESS && hpk__cl(ctx)->verify)
        st = hpk__cl_verify_mc_pi(ctx, samples, seed, &got);
    if (st == HPK_SUCCESS || st == HPK_ERR_MISMATCH)
        *result = got;
    return st;
}

static hpk_status cl_mc_integrate(hpk_ctx *ctx, hpk_integrand f, void *user_data, int dim, const double *lower,
                                  const double *upper, uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    (void)f, (void)user_data, (void)dim, (void)lower, (void)upper, (void)samples, (void)seed, (void)result;
    return hpk__fail(ctx, HPK_ERR_UNSUPPORTED,
                     "hpk_mc_integrate: a C function cannot run on an OpenCL device; pass the integrand as OpenCL C "
                     "source to hpk_cl_mc_integrate (hpk_cl.h)");
}

/* ---- pieces of the canonical trees, for the distributed layer (mpi/) -----
 * On a device with fp64 the blocks' partials and the GEMV's runs are the
 * CPU backends' bits, so a rank with an OpenCL context evaluates its
 * subtrees of the global trees as a CPU rank does: each subtree is the
 * whole tree of its elements (rows), staged as a vector (matrix) of their
 * own.  Verify mode checks each piece as the call it is. */

static bool cl_parts_exact(hpk_ctx *ctx)
{
    return hpk__cl(ctx)->fp64;
}

static hpk_status cl_reduce_part(hpk_ctx *ctx, const hpk__reduce_job *job, int64_t first, int64_t count,
                                 hpk__reduce_node *node)
{
    static const char *const names[][2] = {[HPK__OP_SUM] = {"hpk_mpi_dsum", "hpk_mpi_ssum"},
                                           [HPK__OP_ASUM] = {"hpk_mpi_dasum", "hpk_mpi_sasum"},
                                           [HPK__OP_DOT] = {"hpk_mpi_ddot", "hpk_mpi_sdot"},
                                           [HPK__OP_NRM2] = {"hpk_mpi_dnrm2", "hpk_mpi_snrm2"}};
    const size_t elem = job->f32 ? sizeof(float) : sizeof(double);
    const int64_t from = first * HPK__REDUCE_BLOCK, n = count * HPK__REDUCE_BLOCK < job->n - from
                                                            ? count * HPK__REDUCE_BLOCK
                                                            : job->n - from;
    const void *x = hpk__vector_sub(job->x, job->n, job->incx, from, n, elem);
    const void *y = job->op == HPK__OP_DOT ? hpk__vector_sub(job->y, job->n, job->incy, from, n, elem) : NULL;
    double r;
    return reduce_host(ctx, names[job->op][job->f32], job->op, job->f32, n, x, job->incx, y, job->incy, node, &r);
}

static double cl_reduce_finish(const hpk__reduce_job *job, const hpk__reduce_node *root)
{
    return hpk__cl_reduce_finish(job->op, false, root);
}

static hpk_status cl_gemv_runs(hpk_ctx *ctx, bool f32, int64_t vecs, int64_t len, const void *a, int64_t lda,
                               const void *x, int64_t incx, int64_t first, int64_t count, void *t)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    const int64_t from = first * HPK__GEMV_RUN;
    const int64_t m = count * HPK__GEMV_RUN < vecs - from ? count * HPK__GEMV_RUN : vecs - from;
    return gemv(ctx, f32 ? "hpk_mpi_sgemv_t" : "hpk_mpi_dgemv_t", f32, HPK_ROW_MAJOR, HPK_TRANS, m, len, 1.0,
                (const char *)a + (size_t)(from * lda) * elem, lda, hpk__vector_sub(x, vecs, incx, from, m, elem),
                incx, 0.0, t, 1);
}

const hpk__ops hpk__cl_ops = {
    .name = "opencl",
    .destroy = hpk__cl_destroy,
    .dgemv = cl_dgemv,
    .sgemv = cl_sgemv,
    .dsum = cl_dsum,
    .ssum = cl_ssum,
    .dasum = cl_dasum,
    .sasum = cl_sasum,
    .dnrm2 = cl_dnrm2,
    .snrm2 = cl_snrm2,
    .ddot = cl_ddot,
    .sdot = cl_sdot,
    .idamax = cl_idamax,
    .isamax = cl_isamax,
    .batch = hpk__cl_run_batch,
    .mc_pi = cl_mc_pi,
    .mc_integrate = cl_mc_integrate,
    .reduce_part = cl_reduce_part,
    .reduce_finish = cl_reduce_finish,
    .gemv_runs = cl_gemv_runs,
    .parts_exact = cl_parts_exact,
};
