/* The hpk_cl_ batched calls on device buffers (hpk_cl.h, "Batches on the
 * device"): the checks of hpk.h's batches (core/api_batch.c) and of the
 * buffers over every problem, the quick returns, then one launch for all
 * problems -- or, in verify mode, the single hpk_cl_ call on each problem,
 * each checked against the CPU. */
#include "batch.h"
#include "cl_backend.h"
#include "check.h"

#include <inttypes.h>

/* With batch == 0 nothing is touched and a buffer may be NULL: this stands
 * in for it, so that the single call's checks judge the other arguments. */
static const char no_buffer;

static cl_mem touched(cl_mem mem, int64_t batch)
{
    return batch > 0 ? mem : (cl_mem)&no_buffer;
}

static hpk_status check_batch(hpk_ctx *ctx, const char *fn, int64_t batch)
{
    hpk_status st = hpk__cl_check_ctx(ctx, fn);
    if (st == HPK_SUCCESS && batch < 0)
        st = hpk__fail(ctx, HPK_ERR_INVALID_ARG, "%s: batch is %" PRId64 "; it must be >= 0", fn, batch);
    return st;
}

/* Operand `name` of `count` problems in mem: problem k's `span` elements
 * from offset + k * stride, every one inside the buffer. */
static hpk_status check_operand(hpk_ctx *ctx, const char *fn, const char *name, cl_mem mem, size_t offset,
                                int64_t stride, int64_t count, int64_t span, size_t elem)
{
    hpk_status st = hpk__batch_check_extent(ctx, fn, name, count, stride, span, elem);
    if (st != HPK_SUCCESS)
        return st;
    const int64_t reach = (count - 1) * stride; /* bounded by the extent check */
    if (reach < 0 && (uint64_t)-reach > offset)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG,
                         "%s: with %s_offset = %zu and stride_%s = %" PRId64 ", problem %" PRId64
                         " would start before the buffer",
                         fn, name, offset, name, stride, count - 1);
    const size_t low = reach < 0 ? offset - (size_t)-reach : offset;
    return hpk__cl_check_buffer(ctx, fn, name, mem, low, (reach < 0 ? -reach : reach) + span, elem);
}

/* Problem k's offset: the extent checks keep it inside the buffer. */
static size_t at(size_t offset, int64_t stride, int64_t k)
{
    return (size_t)((int64_t)offset + k * stride);
}

/* ---- GEMV ------------------------------------------------------------------ */

typedef struct cl_operand {
    cl_mem mem;
    size_t offset;
    int64_t stride;
} cl_operand;

static hpk_status gemv(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans, int64_t m,
                       int64_t n, double alpha, cl_operand a, int64_t lda, cl_operand x, int64_t incx, double beta,
                       cl_operand y, int64_t incy, int64_t batch)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    hpk_status st = check_batch(ctx, fn, batch);
    if (st == HPK_SUCCESS)
        st = hpk__check_gemv(ctx, fn, layout, trans, m, n, touched(a.mem, batch), lda, touched(x.mem, batch), incx,
                             touched(y.mem, batch), incy, elem);
    if (st != HPK_SUCCESS || batch == 0 || m == 0 || n == 0)
        return st;
    const bool row_major = layout == HPK_ROW_MAJOR, no_trans = trans == HPK_NO_TRANS;
    const int64_t len = row_major ? n : m, vecs = row_major ? m : n;
    const int64_t xlen = no_trans ? n : m, ylen = no_trans ? m : n;
    if ((st = check_operand(ctx, fn, "a", a.mem, a.offset, a.stride, batch, (vecs - 1) * lda + len, elem)) ||
        (st = check_operand(ctx, fn, "x", x.mem, x.offset, x.stride, batch, hpk__vector_span(xlen, incx), elem)) ||
        (st = check_operand(ctx, fn, "y", y.mem, y.offset, y.stride, batch, hpk__vector_span(ylen, incy), elem)) ||
        (st = hpk__batch_check_outputs(ctx, fn, batch, y.stride, ylen, incy)))
        return st;
    if (alpha == 0.0 && beta == 1.0)
        return HPK_SUCCESS;
    if (!f32 && (st = hpk__cl_need_fp64(ctx, fn)) != HPK_SUCCESS)
        return st;
    if (hpk__cl(ctx)->verify) {
        for (int64_t k = 0; k < batch && st == HPK_SUCCESS; k++) {
            const size_t ak = at(a.offset, a.stride, k), xk = at(x.offset, x.stride, k), yk = at(y.offset, y.stride, k);
            st = f32 ? hpk_cl_sgemv(ctx, layout, trans, m, n, (float)alpha, a.mem, ak, lda, x.mem, xk, incx,
                                    (float)beta, y.mem, yk, incy)
                     : hpk_cl_dgemv(ctx, layout, trans, m, n, alpha, a.mem, ak, lda, x.mem, xk, incx, beta, y.mem, yk,
                                    incy);
        }
        return st;
    }
    hpk__cl_call_begin(hpk__cl(ctx));
    const hpk__cl_batch strides = {batch, a.stride, x.stride, y.stride};
    return hpk__cl_gemv(ctx, fn, f32, layout, trans, m, n, alpha, a.mem, (int64_t)a.offset, lda,
                        hpk__cl_vec_at(x.mem, x.offset, xlen, incx), beta, hpk__cl_vec_at(y.mem, y.offset, ylen, incy),
                        &strides);
}

static cl_operand operand(cl_mem mem, size_t offset, int64_t stride)
{
    return (cl_operand){mem, offset, stride};
}

hpk_status hpk_cl_dgemv_strided_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                                        double alpha, cl_mem a, size_t a_offset, int64_t lda, int64_t stride_a,
                                        cl_mem x, size_t x_offset, int64_t incx, int64_t stride_x, double beta,
                                        cl_mem y, size_t y_offset, int64_t incy, int64_t stride_y, int64_t batch)
{
    return gemv(ctx, "hpk_cl_dgemv_strided_batched", false, layout, trans, m, n, alpha,
                operand(a, a_offset, stride_a), lda, operand(x, x_offset, stride_x), incx, beta,
                operand(y, y_offset, stride_y), incy, batch);
}

hpk_status hpk_cl_sgemv_strided_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                                        float alpha, cl_mem a, size_t a_offset, int64_t lda, int64_t stride_a,
                                        cl_mem x, size_t x_offset, int64_t incx, int64_t stride_x, float beta,
                                        cl_mem y, size_t y_offset, int64_t incy, int64_t stride_y, int64_t batch)
{
    return gemv(ctx, "hpk_cl_sgemv_strided_batched", true, layout, trans, m, n, alpha,
                operand(a, a_offset, stride_a), lda, operand(x, x_offset, stride_x), incx, beta,
                operand(y, y_offset, stride_y), incy, batch);
}

/* ---- reductions ------------------------------------------------------------ */

/* Any reduction; y only for dot; result: batch doubles, floats or (i?amax)
 * int64_t indices on the host. */
static hpk_status reduce(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, cl_operand x,
                         int64_t incx, cl_operand y, int64_t incy, void *result, int64_t batch)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    const bool dot = op == HPK__OP_DOT, amax = op == HPK__OP_AMAX;
    hpk_status st = check_batch(ctx, fn, batch);
    if (st == HPK_SUCCESS)
        st = hpk__check_vector(ctx, fn, "x", n, touched(x.mem, batch), incx, elem);
    if (st == HPK_SUCCESS && dot)
        st = hpk__check_vector(ctx, fn, "y", n, touched(y.mem, batch), incy, elem);
    if (st != HPK_SUCCESS || batch == 0)
        return st;
    if ((st = hpk__check_result(ctx, fn, amax ? "index" : "result", result)) != HPK_SUCCESS)
        return st;
    if (n == 0) {
        hpk__batch_empty_results(amax, f32, result, batch);
        return HPK_SUCCESS;
    }
    if ((st = check_operand(ctx, fn, "x", x.mem, x.offset, x.stride, batch, hpk__vector_span(n, incx), elem)) ||
        (dot && (st = check_operand(ctx, fn, "y", y.mem, y.offset, y.stride, batch, hpk__vector_span(n, incy), elem))))
        return st;
    if (!f32 && (st = hpk__cl_need_fp64(ctx, fn)) != HPK_SUCCESS)
        return st;
    if (hpk__cl(ctx)->verify) { /* each problem as its single call, checked */
        for (int64_t k = 0; k < batch && st == HPK_SUCCESS; k++)
            st = hpk__cl_reduce_one(ctx, op, f32, n, x.mem, at(x.offset, x.stride, k), incx, y.mem,
                                    dot ? at(y.offset, y.stride, k) : 0, incy,
                                    (char *)result + (size_t)k * (amax ? sizeof(int64_t) : elem));
        return st;
    }
    hpk__cl_call_begin(hpk__cl(ctx));
    const hpk__cl_batch strides = {batch, 0, x.stride, dot ? y.stride : 0};
    const hpk__cl_vec dx = hpk__cl_vec_at(x.mem, x.offset, n, incx);
    if (amax)
        return hpk__cl_amax(ctx, fn, f32, n, dx, &strides, result);
    return hpk__cl_reduce_results(ctx, fn, op, f32, n, dx, dot ? hpk__cl_vec_at(y.mem, y.offset, n, incy) : dx,
                                  &strides, result);
}

#define NO_Y operand(NULL, 0, 0), 1

hpk_status hpk_cl_dsum_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                       int64_t stride_x, double *result, int64_t batch)
{
    return reduce(ctx, "hpk_cl_dsum_strided_batched", HPK__OP_SUM, false, n, operand(x, x_offset, stride_x), incx,
                  NO_Y, result, batch);
}

hpk_status hpk_cl_ssum_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                       int64_t stride_x, float *result, int64_t batch)
{
    return reduce(ctx, "hpk_cl_ssum_strided_batched", HPK__OP_SUM, true, n, operand(x, x_offset, stride_x), incx,
                  NO_Y, result, batch);
}

hpk_status hpk_cl_dasum_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                        int64_t stride_x, double *result, int64_t batch)
{
    return reduce(ctx, "hpk_cl_dasum_strided_batched", HPK__OP_ASUM, false, n, operand(x, x_offset, stride_x), incx,
                  NO_Y, result, batch);
}

hpk_status hpk_cl_sasum_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                        int64_t stride_x, float *result, int64_t batch)
{
    return reduce(ctx, "hpk_cl_sasum_strided_batched", HPK__OP_ASUM, true, n, operand(x, x_offset, stride_x), incx,
                  NO_Y, result, batch);
}

hpk_status hpk_cl_dnrm2_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                        int64_t stride_x, double *result, int64_t batch)
{
    return reduce(ctx, "hpk_cl_dnrm2_strided_batched", HPK__OP_NRM2, false, n, operand(x, x_offset, stride_x), incx,
                  NO_Y, result, batch);
}

hpk_status hpk_cl_snrm2_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                        int64_t stride_x, float *result, int64_t batch)
{
    return reduce(ctx, "hpk_cl_snrm2_strided_batched", HPK__OP_NRM2, true, n, operand(x, x_offset, stride_x), incx,
                  NO_Y, result, batch);
}

hpk_status hpk_cl_ddot_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                       int64_t stride_x, cl_mem y, size_t y_offset, int64_t incy, int64_t stride_y,
                                       double *result, int64_t batch)
{
    return reduce(ctx, "hpk_cl_ddot_strided_batched", HPK__OP_DOT, false, n, operand(x, x_offset, stride_x), incx,
                  operand(y, y_offset, stride_y), incy, result, batch);
}

hpk_status hpk_cl_sdot_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                       int64_t stride_x, cl_mem y, size_t y_offset, int64_t incy, int64_t stride_y,
                                       float *result, int64_t batch)
{
    return reduce(ctx, "hpk_cl_sdot_strided_batched", HPK__OP_DOT, true, n, operand(x, x_offset, stride_x), incx,
                  operand(y, y_offset, stride_y), incy, result, batch);
}

hpk_status hpk_cl_idamax_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                         int64_t stride_x, int64_t *index, int64_t batch)
{
    return reduce(ctx, "hpk_cl_idamax_strided_batched", HPK__OP_AMAX, false, n, operand(x, x_offset, stride_x), incx,
                  NO_Y, index, batch);
}

hpk_status hpk_cl_isamax_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                         int64_t stride_x, int64_t *index, int64_t batch)
{
    return reduce(ctx, "hpk_cl_isamax_strided_batched", HPK__OP_AMAX, true, n, operand(x, x_offset, stride_x), incx,
                  NO_Y, index, batch);
}
