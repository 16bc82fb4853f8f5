/* Public GEMV entry points: check, take the quick returns, dispatch. */
#include "check.h"

hpk_status hpk_dgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                     double alpha, const double *a, int64_t lda, const double *x, int64_t incx,
                     double beta, double *y, int64_t incy)
{
    ctx = hpk__resolve(ctx);
    hpk_status st = hpk__check_gemv(ctx, "hpk_dgemv", layout, trans, m, n, a, lda, x, incx, y, incy,
                                    sizeof *a);
    if (st != HPK_SUCCESS)
        return st;
    if (m == 0 || n == 0 || (alpha == 0.0 && beta == 1.0))
        return HPK_SUCCESS;
    return ctx->ops->dgemv(ctx, layout, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

hpk_status hpk_sgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                     float alpha, const float *a, int64_t lda, const float *x, int64_t incx,
                     float beta, float *y, int64_t incy)
{
    ctx = hpk__resolve(ctx);
    hpk_status st = hpk__check_gemv(ctx, "hpk_sgemv", layout, trans, m, n, a, lda, x, incx, y, incy,
                                    sizeof *a);
    if (st != HPK_SUCCESS)
        return st;
    if (m == 0 || n == 0 || (alpha == 0.0f && beta == 1.0f))
        return HPK_SUCCESS;
    return ctx->ops->sgemv(ctx, layout, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
