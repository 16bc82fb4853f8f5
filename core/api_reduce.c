/* Public reduction entry points: check, answer n == 0, dispatch. */
#include "check.h"

/* The checks every reduction shares: the vector x and the result pointer,
 * without a call where they pass in the common case (a short reduction's
 * call costs a few nanoseconds less). */
static inline hpk_status check_reduction(hpk_ctx *ctx, const char *fn, int64_t n, const void *x,
                                         int64_t incx, size_t elem_size, const void *result)
{
    hpk_status st = hpk__check_vector_quick(ctx, fn, "x", n, x, incx, elem_size);
    if (st == HPK_SUCCESS && !result)
        st = hpk__check_result(ctx, fn, "result", result);
    return st;
}

hpk_status hpk__ops_reduce(hpk_ctx *ctx, hpk__reduce_op op, bool f32, int64_t n, const void *x, int64_t incx,
                           const void *y, int64_t incy, void *result)
{
    const hpk__ops *o = ctx->ops;
    switch (op) {
    case HPK__OP_SUM: return f32 ? o->ssum(ctx, n, x, incx, result) : o->dsum(ctx, n, x, incx, result);
    case HPK__OP_ASUM: return f32 ? o->sasum(ctx, n, x, incx, result) : o->dasum(ctx, n, x, incx, result);
    case HPK__OP_NRM2: return f32 ? o->snrm2(ctx, n, x, incx, result) : o->dnrm2(ctx, n, x, incx, result);
    case HPK__OP_DOT: return f32 ? o->sdot(ctx, n, x, incx, y, incy, result) : o->ddot(ctx, n, x, incx, y, incy, result);
    case HPK__OP_AMAX: return f32 ? o->isamax(ctx, n, x, incx, result) : o->idamax(ctx, n, x, incx, result);
    }
    return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "hpk__ops_reduce: unknown reduction %d", (int)op);
}

hpk_status hpk_dsum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_dsum", n, x, incx, sizeof *x, result));
    if (n == 0)
        return *result = 0.0, HPK_SUCCESS;
    return ctx->ops->dsum(ctx, n, x, incx, result);
}

hpk_status hpk_ssum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_ssum", n, x, incx, sizeof *x, result));
    if (n == 0)
        return *result = 0.0f, HPK_SUCCESS;
    return ctx->ops->ssum(ctx, n, x, incx, result);
}

hpk_status hpk_dasum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_dasum", n, x, incx, sizeof *x, result));
    if (n == 0)
        return *result = 0.0, HPK_SUCCESS;
    return ctx->ops->dasum(ctx, n, x, incx, result);
}

hpk_status hpk_sasum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_sasum", n, x, incx, sizeof *x, result));
    if (n == 0)
        return *result = 0.0f, HPK_SUCCESS;
    return ctx->ops->sasum(ctx, n, x, incx, result);
}

hpk_status hpk_dnrm2(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_dnrm2", n, x, incx, sizeof *x, result));
    if (n == 0)
        return *result = 0.0, HPK_SUCCESS;
    return ctx->ops->dnrm2(ctx, n, x, incx, result);
}

hpk_status hpk_snrm2(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_snrm2", n, x, incx, sizeof *x, result));
    if (n == 0)
        return *result = 0.0f, HPK_SUCCESS;
    return ctx->ops->snrm2(ctx, n, x, incx, result);
}

hpk_status hpk_ddot(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                    const double *y, int64_t incy, double *result)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_ddot", n, x, incx, sizeof *x, result));
    CHECK_OR_RETURN(hpk__check_vector_quick(ctx, "hpk_ddot", "y", n, y, incy, sizeof *y));
    if (n == 0)
        return *result = 0.0, HPK_SUCCESS;
    return ctx->ops->ddot(ctx, n, x, incx, y, incy, result);
}

hpk_status hpk_sdot(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                    const float *y, int64_t incy, float *result)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_sdot", n, x, incx, sizeof *x, result));
    CHECK_OR_RETURN(hpk__check_vector_quick(ctx, "hpk_sdot", "y", n, y, incy, sizeof *y));
    if (n == 0)
        return *result = 0.0f, HPK_SUCCESS;
    return ctx->ops->sdot(ctx, n, x, incx, y, incy, result);
}

hpk_status hpk_idamax(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t *index)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_idamax", n, x, incx, sizeof *x, index));
    if (n == 0)
        return *index = -1, HPK_SUCCESS;
    return ctx->ops->idamax(ctx, n, x, incx, index);
}

hpk_status hpk_isamax(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t *index)
{
    ctx = hpk__resolve(ctx);
    CHECK_OR_RETURN(check_reduction(ctx, "hpk_isamax", n, x, incx, sizeof *x, index));
    if (n == 0)
        return *index = -1, HPK_SUCCESS;
    return ctx->ops->isamax(ctx, n, x, incx, index);
}
