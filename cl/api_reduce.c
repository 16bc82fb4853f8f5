/* The hpk_cl_ reductions: the checks of the hpk.h reductions (core/check.c),
 * the buffers', n == 0, then the device (and, in verify mode, the CPU). */
#include "cl_backend.h"
#include "check.h"

/* Checks a call on x (and y when has_y) with a result pointer; on success
 * *empty tells whether n == 0 (nothing to compute). */
static hpk_status check(hpk_ctx *ctx, const char *fn, bool f32, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                        bool has_y, cl_mem y, size_t y_offset, int64_t incy, const void *result, bool *empty)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    hpk_status st = hpk__cl_check_ctx(ctx, fn);
    if (st == HPK_SUCCESS)
        st = hpk__check_vector(ctx, fn, "x", n, x, incx, elem);
    if (st == HPK_SUCCESS)
        st = hpk__check_result(ctx, fn, "result", result);
    if (st == HPK_SUCCESS && has_y)
        st = hpk__check_vector(ctx, fn, "y", n, y, incy, elem);
    if (st == HPK_SUCCESS)
        st = hpk__cl_check_buffer(ctx, fn, "x", x, x_offset, hpk__vector_span(n, incx), elem);
    if (st == HPK_SUCCESS && has_y)
        st = hpk__cl_check_buffer(ctx, fn, "y", y, y_offset, hpk__vector_span(n, incy), elem);
    if (st != HPK_SUCCESS)
        return st;
    *empty = n == 0;
    if (!*empty && !f32 && (st = hpk__cl_need_fp64(ctx, fn)) != HPK_SUCCESS)
        return st;
    if (!*empty)
        hpk__cl_call_begin(hpk__cl(ctx));
    return HPK_SUCCESS;
}

/* sum, asum, nrm2, dot into *result (0 for n == 0; a float for f32, else a double). */
static hpk_status reduce(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, cl_mem x,
                         size_t x_offset, int64_t incx, cl_mem y, size_t y_offset, int64_t incy, void *result)
{
    const bool has_y = op == HPK__OP_DOT;
    bool empty;
    hpk_status st = check(ctx, fn, f32, n, x, x_offset, incx, has_y, y, y_offset, incy, result, &empty);
    double r = 0.0;
    if (st == HPK_SUCCESS && !empty)
        st = hpk__cl_reduce(ctx, fn, op, f32, n, hpk__cl_vec_at(x, x_offset, n, incx),
                            has_y ? hpk__cl_vec_at(y, y_offset, n, incy) : hpk__cl_vec_at(x, x_offset, n, incx), &r);
    if (st == HPK_SUCCESS && !empty && hpk__cl_verifies_reduce(ctx, op, f32))
        st = hpk__cl_verify_reduce_mem(ctx, fn, op, f32, n, x, x_offset, incx, y, y_offset, incy, &r);
    return hpk__cl_store_result(st, r, f32, result);
}

hpk_status hpk_cl_ddot(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, cl_mem y, size_t y_offset,
                       int64_t incy, double *result)
{
    return reduce(ctx, "hpk_cl_ddot", HPK__OP_DOT, false, n, x, x_offset, incx, y, y_offset, incy, result);
}

hpk_status hpk_cl_sdot(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, cl_mem y, size_t y_offset,
                       int64_t incy, float *result)
{
    return reduce(ctx, "hpk_cl_sdot", HPK__OP_DOT, true, n, x, x_offset, incx, y, y_offset, incy, result);
}

hpk_status hpk_cl_dsum(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, double *result)
{
    return reduce(ctx, "hpk_cl_dsum", HPK__OP_SUM, false, n, x, x_offset, incx, NULL, 0, 1, result);
}

hpk_status hpk_cl_ssum(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, float *result)
{
    return reduce(ctx, "hpk_cl_ssum", HPK__OP_SUM, true, n, x, x_offset, incx, NULL, 0, 1, result);
}

hpk_status hpk_cl_dasum(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, double *result)
{
    return reduce(ctx, "hpk_cl_dasum", HPK__OP_ASUM, false, n, x, x_offset, incx, NULL, 0, 1, result);
}

hpk_status hpk_cl_sasum(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, float *result)
{
    return reduce(ctx, "hpk_cl_sasum", HPK__OP_ASUM, true, n, x, x_offset, incx, NULL, 0, 1, result);
}

hpk_status hpk_cl_dnrm2(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, double *result)
{
    return reduce(ctx, "hpk_cl_dnrm2", HPK__OP_NRM2, false, n, x, x_offset, incx, NULL, 0, 1, result);
}

hpk_status hpk_cl_snrm2(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, float *result)
{
    return reduce(ctx, "hpk_cl_snrm2", HPK__OP_NRM2, true, n, x, x_offset, incx, NULL, 0, 1, result);
}

static hpk_status amax(hpk_ctx *ctx, const char *fn, bool f32, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                       int64_t *index)
{
    bool empty;
    hpk_status st = check(ctx, fn, f32, n, x, x_offset, incx, false, NULL, 0, 1, index, &empty);
    if (st != HPK_SUCCESS)
        return st;
    if (empty)
        return *index = -1, HPK_SUCCESS;
    int64_t got = -1;
    st = hpk__cl_amax(ctx, fn, f32, n, hpk__cl_vec_at(x, x_offset, n, incx), NULL, &got);
    if (st == HPK_SUCCESS && hpk__cl_verifies_reduce(ctx, HPK__OP_AMAX, f32))
        st = hpk__cl_verify_reduce_mem(ctx, fn, HPK__OP_AMAX, f32, n, x, x_offset, incx, NULL, 0, 1, &got);
    if (st == HPK_SUCCESS || st == HPK_ERR_MISMATCH)
        *index = got;
    return st;
}

hpk_status hpk_cl_idamax(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, int64_t *index)
{
    return amax(ctx, "hpk_cl_idamax", false, n, x, x_offset, incx, index);
}

hpk_status hpk_cl_isamax(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, int64_t *index)
{
    return amax(ctx, "hpk_cl_isamax", true, n, x, x_offset, incx, index);
}

hpk_status hpk__cl_reduce_one(hpk_ctx *ctx, hpk__reduce_op op, bool f32, int64_t n, cl_mem x, size_t x_offset,
                              int64_t incx, cl_mem y, size_t y_offset, int64_t incy, void *result)
{
    static const char *const names[][2] = {
        [HPK__OP_SUM] = {"hpk_cl_dsum", "hpk_cl_ssum"},    [HPK__OP_ASUM] = {"hpk_cl_dasum", "hpk_cl_sasum"},
        [HPK__OP_DOT] = {"hpk_cl_ddot", "hpk_cl_sdot"},    [HPK__OP_NRM2] = {"hpk_cl_dnrm2", "hpk_cl_snrm2"},
        [HPK__OP_AMAX] = {"hpk_cl_idamax", "hpk_cl_isamax"}};
    const char *fn = names[op][f32];
    if (op == HPK__OP_AMAX)
        return amax(ctx, fn, f32, n, x, x_offset, incx, result);
    return reduce(ctx, fn, op, f32, n, x, x_offset, incx, y, y_offset, incy, result);
}
