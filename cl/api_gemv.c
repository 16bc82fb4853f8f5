/* hpk_cl_dgemv and hpk_cl_sgemv: the checks of hpk_?gemv (core/check.c),
 * the buffers', the quick returns, then the device (and, in verify mode,
 * the CPU). */
#include "cl_backend.h"
#include "check.h"

#include <stdlib.h>

static hpk_status gemv(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans, int64_t m,
                       int64_t n, double alpha, cl_mem a, size_t a_offset, int64_t lda, cl_mem x, size_t x_offset,
                       int64_t incx, double beta, cl_mem y, size_t y_offset, int64_t incy)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    hpk_status st = hpk__cl_check_ctx(ctx, fn);
    if (st == HPK_SUCCESS)
        st = hpk__check_gemv(ctx, fn, layout, trans, m, n, a, lda, x, incx, y, incy, elem);
    if (st != HPK_SUCCESS || m == 0 || n == 0)
        return st;
    const bool row_major = layout == HPK_ROW_MAJOR, no_trans = trans == HPK_NO_TRANS;
    const int64_t len = row_major ? n : m, vecs = row_major ? m : n;
    const int64_t xlen = no_trans ? n : m, ylen = no_trans ? m : n;
    if ((st = hpk__cl_check_buffer(ctx, fn, "a", a, a_offset, (vecs - 1) * lda + len, elem)) != HPK_SUCCESS ||
        (st = hpk__cl_check_buffer(ctx, fn, "x", x, x_offset, hpk__vector_span(xlen, incx), elem)) != HPK_SUCCESS ||
        (st = hpk__cl_check_buffer(ctx, fn, "y", y, y_offset, hpk__vector_span(ylen, incy), elem)) != HPK_SUCCESS)
        return st;
    if (alpha == 0.0 && beta == 1.0)
        return HPK_SUCCESS;
    if (!f32 && (st = hpk__cl_need_fp64(ctx, fn)) != HPK_SUCCESS)
        return st;
    hpk__cl_call_begin(hpk__cl(ctx));
    void *saved = NULL; /* verify mode: the original y */
    if (hpk__cl(ctx)->verify)
        st = hpk__cl_verify_gemv_mem_save(ctx, fn, f32, ylen, beta, y, y_offset, incy, &saved);
    if (st == HPK_SUCCESS)
        st = hpk__cl_gemv(ctx, fn, f32, layout, trans, m, n, alpha, a, (int64_t)a_offset, lda,
                          hpk__cl_vec_at(x, x_offset, xlen, incx), beta, hpk__cl_vec_at(y, y_offset, ylen, incy), NULL);
    if (st == HPK_SUCCESS && saved)
        st = hpk__cl_verify_gemv_mem(ctx, fn, f32, layout, trans, m, n, alpha, a, a_offset, lda, x, x_offset, incx,
                                     beta, y, y_offset, incy, saved);
    free(saved);
    return st;
}

hpk_status hpk_cl_dgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n, double alpha,
                        cl_mem a, size_t a_offset, int64_t lda, cl_mem x, size_t x_offset, int64_t incx,
                        double beta, cl_mem y, size_t y_offset, int64_t incy)
{
    return gemv(ctx, "hpk_cl_dgemv", false, layout, trans, m, n, alpha, a, a_offset, lda, x, x_offset, incx, beta,
                y, y_offset, incy);
}

hpk_status hpk_cl_sgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n, float alpha,
                        cl_mem a, size_t a_offset, int64_t lda, cl_mem x, size_t x_offset, int64_t incx,
                        float beta, cl_mem y, size_t y_offset, int64_t incy)
{
    return gemv(ctx, "hpk_cl_sgemv", true, layout, trans, m, n, alpha, a, a_offset, lda, x, x_offset, incx, beta,
                y, y_offset, incy);
}
