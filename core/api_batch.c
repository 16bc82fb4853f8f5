/* Public batched entry points (hpk.h, "Batches"): check every problem before
 * anything is computed, take the quick returns, dispatch the batch. */
#include "batch.h"
#include "check.h"

#include <inttypes.h>
#include <stdlib.h>

#define INVALID(...) hpk__fail(ctx, HPK_ERR_INVALID_ARG, __VA_ARGS__)

/* With batch == 0 nothing is touched and any pointer may be NULL: this
 * stands in for it, so that the single call's checks judge the other
 * arguments alone. */
static const char no_data;

static const void *touched(const void *p, int64_t batch)
{
    return batch > 0 ? p : &no_data;
}

static hpk_status check_batch(hpk_ctx *ctx, const char *fn, int64_t batch)
{
    if (batch < 0)
        return INVALID("%s: batch is %" PRId64 "; it must be >= 0", fn, batch);
    return HPK_SUCCESS;
}

hpk_status hpk__batch_check_extent(hpk_ctx *ctx, const char *fn, const char *name, int64_t count, int64_t stride,
                               int64_t span, size_t elem_size)
{
    int64_t far, total, bytes;
    if (count > 1 && (stride == INT64_MIN || __builtin_mul_overflow(count - 1, stride < 0 ? -stride : stride, &far) ||
                      __builtin_add_overflow(far, span, &total) ||
                      __builtin_mul_overflow(total, (int64_t)elem_size, &bytes)))
        return INVALID("%s: %s with stride_%s = %" PRId64 " over %" PRId64 " problems addresses beyond int64_t", fn,
                       name, name, stride, count);
    return HPK_SUCCESS;
}

/* Problems k and k + d share an element of y exactly when d * stride_y is
 * a multiple of |incy| below y's span (the extent check has bounded
 * d * stride_y). */
hpk_status hpk__batch_check_outputs(hpk_ctx *ctx, const char *fn, int64_t count, int64_t stride, int64_t len,
                                        int64_t inc)
{
    if (count <= 1)
        return HPK_SUCCESS;
    if (stride <= 0)
        return INVALID("%s: stride_y is %" PRId64 " with batch = %" PRId64
                       "; outputs of different problems must not overlap, so it must be > 0",
                       fn, stride, count);
    const int64_t step = inc < 0 ? -inc : inc, span = hpk__vector_span(len, inc);
    for (int64_t d = 1; d < count && d * stride < span; d++)
        if (d * stride % step == 0)
            return INVALID("%s: with stride_y = %" PRId64 " and incy = %" PRId64 ", problems 0 and %" PRId64
                           " write the same element of y (%" PRId64 " elements each); outputs must not overlap",
                           fn, stride, inc, d, len);
    return HPK_SUCCESS;
}

/* A pointer array: not NULL, and no NULL entry. */
static hpk_status check_list(hpk_ctx *ctx, const char *fn, const char *name, const void *const *list, int64_t count)
{
    if (!list)
        return INVALID("%s: %s is NULL but batch is %" PRId64, fn, name, count);
    for (int64_t k = 0; k < count; k++)
        if (!list[k])
            return INVALID("%s: %s[%" PRId64 "] is NULL", fn, name, k);
    return HPK_SUCCESS;
}

typedef struct output_span {
    uintptr_t first;
    int64_t k;
} output_span;

static int by_address(const void *p, const void *q)
{
    const output_span *s = p, *t = q;
    return s->first < t->first ? -1 : s->first > t->first ? 1 : s->k < t->k ? -1 : s->k > t->k;
}

/* Pointer-array GEMV's outputs: the y[k]'s spans (`bytes` each) disjoint,
 * found by sorting them by address. */
static hpk_status check_listed_outputs(hpk_ctx *ctx, const char *fn, const void *const *y, int64_t count,
                                       uintptr_t bytes)
{
    if (count <= 1)
        return HPK_SUCCESS;
    output_span *spans = (uint64_t)count <= SIZE_MAX / sizeof *spans ? malloc((size_t)count * sizeof *spans) : NULL;
    if (!spans)
        return hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of memory to check that the %" PRId64 " outputs do not overlap",
                         fn, count);
    for (int64_t k = 0; k < count; k++)
        spans[k] = (output_span){(uintptr_t)y[k], k};
    qsort(spans, (size_t)count, sizeof *spans, by_address);
    int64_t clash = -1;
    for (int64_t i = 1; i < count && clash < 0; i++)
        if (spans[i].first - spans[i - 1].first < bytes)
            clash = i;
    hpk_status st = HPK_SUCCESS;
    if (clash >= 0) {
        const int64_t j = spans[clash - 1].k, k = spans[clash].k;
        st = INVALID("%s: y[%" PRId64 "] and y[%" PRId64 "] overlap; outputs of different problems must not", fn,
                     j < k ? j : k, j < k ? k : j);
    }
    free(spans);
    return st;
}

static hpk_status dispatch(hpk_ctx *ctx, const hpk__batch *b)
{
    return ctx->ops->batch ? ctx->ops->batch(ctx, b) : hpk__batch_run(ctx, b, 0, b->count);
}

/* ---- GEMV ------------------------------------------------------------------ */

/* Either kind of GEMV batch: pointer arrays when the operands have lists. */
static hpk_status gemv_batch(hpk_ctx *ctx, const char *fn, bool f32, bool listed, hpk_layout layout,
                             hpk_transpose trans,
                             int64_t m, int64_t n, double alpha, hpk__batch_operand a, int64_t lda,
                             hpk__batch_operand x, int64_t incx, double beta, hpk__batch_operand y, int64_t incy,
                             int64_t batch)
{
    ctx = hpk__resolve(ctx);
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    CHECK_OR_RETURN(check_batch(ctx, fn, batch));
    const bool touches = batch > 0 && m > 0 && n > 0;
    if (listed && touches) {
        CHECK_OR_RETURN(check_list(ctx, fn, "a", a.list, batch));
        CHECK_OR_RETURN(check_list(ctx, fn, "x", x.list, batch));
        CHECK_OR_RETURN(check_list(ctx, fn, "y", y.list, batch));
    }
    /* Problem 0's operands (checked like a single call's); every other
     * problem has the same sizes, so only its extent is left to check. */
    const hpk__batch_operand *operands[3] = {&a, &x, &y};
    const void *first[3];
    for (int i = 0; i < 3; i++)
        first[i] = !touches ? &no_data : hpk__batch_at(operands[i], 0, elem);
    CHECK_OR_RETURN(hpk__check_gemv(ctx, fn, layout, trans, m, n, first[0], lda, first[1], incx, first[2], incy,
                                    elem));
    if (!touches)
        return HPK_SUCCESS;

    const bool row_major = layout == HPK_ROW_MAJOR, no_trans = trans == HPK_NO_TRANS;
    const int64_t len = row_major ? n : m, vecs = row_major ? m : n;
    const int64_t xlen = no_trans ? n : m, ylen = no_trans ? m : n;
    if (listed) {
        CHECK_OR_RETURN(check_listed_outputs(ctx, fn, y.list, batch,
                                             (uintptr_t)hpk__vector_span(ylen, incy) * elem));
    } else {
        CHECK_OR_RETURN(hpk__batch_check_extent(ctx, fn, "a", batch, a.stride, (vecs - 1) * lda + len, elem));
        CHECK_OR_RETURN(hpk__batch_check_extent(ctx, fn, "x", batch, x.stride, hpk__vector_span(xlen, incx), elem));
        CHECK_OR_RETURN(hpk__batch_check_extent(ctx, fn, "y", batch, y.stride, hpk__vector_span(ylen, incy), elem));
        CHECK_OR_RETURN(hpk__batch_check_outputs(ctx, fn, batch, y.stride, ylen, incy));
    }
    if (alpha == 0.0 && beta == 1.0)
        return HPK_SUCCESS;
    const hpk__batch b = {.count = batch, .f32 = f32, .gemv = true, .layout = layout, .trans = trans, .m = m, .n = n,
                          .lda = lda, .alpha = alpha, .beta = beta, .a = a, .x = x, .y = y, .incx = incx,
                          .incy = incy};
    return dispatch(ctx, &b);
}

static hpk__batch_operand strided(const void *base, int64_t stride)
{
    return (hpk__batch_operand){base, stride, NULL};
}

static hpk__batch_operand in_list(const void *const *list)
{
    return (hpk__batch_operand){NULL, 0, list};
}

hpk_status hpk_dgemv_strided_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                                     double alpha, const double *a, int64_t lda, int64_t stride_a, const double *x,
                                     int64_t incx, int64_t stride_x, double beta, double *y, int64_t incy,
                                     int64_t stride_y, int64_t batch)
{
    return gemv_batch(ctx, "hpk_dgemv_strided_batched", false, false, layout, trans, m, n, alpha, strided(a, stride_a), lda,
                      strided(x, stride_x), incx, beta, strided(y, stride_y), incy, batch);
}

hpk_status hpk_sgemv_strided_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                                     float alpha, const float *a, int64_t lda, int64_t stride_a, const float *x,
                                     int64_t incx, int64_t stride_x, float beta, float *y, int64_t incy,
                                     int64_t stride_y, int64_t batch)
{
    return gemv_batch(ctx, "hpk_sgemv_strided_batched", true, false, layout, trans, m, n, alpha, strided(a, stride_a), lda,
                      strided(x, stride_x), incx, beta, strided(y, stride_y), incy, batch);
}

hpk_status hpk_dgemv_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                             double alpha, const double *const a[], int64_t lda, const double *const x[],
                             int64_t incx, double beta, double *const y[], int64_t incy, int64_t batch)
{
    return gemv_batch(ctx, "hpk_dgemv_batched", false, true, layout, trans, m, n, alpha, in_list((const void *const *)a),
                      lda, in_list((const void *const *)x), incx, beta, in_list((const void *const *)y), incy, batch);
}

hpk_status hpk_sgemv_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n, float alpha,
                             const float *const a[], int64_t lda, const float *const x[], int64_t incx, float beta,
                             float *const y[], int64_t incy, int64_t batch)
{
    return gemv_batch(ctx, "hpk_sgemv_batched", true, true, layout, trans, m, n, alpha, in_list((const void *const *)a),
                      lda, in_list((const void *const *)x), incx, beta, in_list((const void *const *)y), incy, batch);
}

/* ---- reductions ------------------------------------------------------------ */

/* Any reduction on a strided batch; y, incy and stride_y only for dot. */
static hpk_status reduce_batch(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, const void *x,
                               int64_t incx, int64_t stride_x, const void *y, int64_t incy, int64_t stride_y,
                               void *result, int64_t batch)
{
    ctx = hpk__resolve(ctx);
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    const bool dot = op == HPK__OP_DOT, amax = op == HPK__OP_AMAX;
    CHECK_OR_RETURN(check_batch(ctx, fn, batch));
    CHECK_OR_RETURN(hpk__check_vector(ctx, fn, "x", n, touched(x, batch), incx, elem));
    if (dot)
        CHECK_OR_RETURN(hpk__check_vector(ctx, fn, "y", n, touched(y, batch), incy, elem));
    if (batch == 0)
        return HPK_SUCCESS;
    CHECK_OR_RETURN(hpk__check_result(ctx, fn, amax ? "index" : "result", result));
    if (n == 0) {
        hpk__batch_empty_results(amax, f32, result, batch);
        return HPK_SUCCESS;
    }
    CHECK_OR_RETURN(hpk__batch_check_extent(ctx, fn, "x", batch, stride_x, hpk__vector_span(n, incx), elem));
    if (dot)
        CHECK_OR_RETURN(hpk__batch_check_extent(ctx, fn, "y", batch, stride_y, hpk__vector_span(n, incy), elem));
    const hpk__batch b = {.count = batch, .f32 = f32, .op = op, .n = n, .x = strided(x, stride_x),
                          .y = strided(dot ? y : NULL, stride_y), .incx = incx, .incy = incy, .result = result};
    return dispatch(ctx, &b);
}

hpk_status hpk_dsum_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t stride_x,
                                    double *result, int64_t batch)
{
    return reduce_batch(ctx, "hpk_dsum_strided_batched", HPK__OP_SUM, false, n, x, incx, stride_x, NULL, 1, 0,
                        result, batch);
}

hpk_status hpk_ssum_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t stride_x,
                                    float *result, int64_t batch)
{
    return reduce_batch(ctx, "hpk_ssum_strided_batched", HPK__OP_SUM, true, n, x, incx, stride_x, NULL, 1, 0,
                        result, batch);
}

hpk_status hpk_dasum_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t stride_x,
                                     double *result, int64_t batch)
{
    return reduce_batch(ctx, "hpk_dasum_strided_batched", HPK__OP_ASUM, false, n, x, incx, stride_x, NULL, 1, 0,
                        result, batch);
}

hpk_status hpk_sasum_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t stride_x,
                                     float *result, int64_t batch)
{
    return reduce_batch(ctx, "hpk_sasum_strided_batched", HPK__OP_ASUM, true, n, x, incx, stride_x, NULL, 1, 0,
                        result, batch);
}

hpk_status hpk_dnrm2_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t stride_x,
                                     double *result, int64_t batch)
{
    return reduce_batch(ctx, "hpk_dnrm2_strided_batched", HPK__OP_NRM2, false, n, x, incx, stride_x, NULL, 1, 0,
                        result, batch);
}

hpk_status hpk_snrm2_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t stride_x,
                                     float *result, int64_t batch)
{
    return reduce_batch(ctx, "hpk_snrm2_strided_batched", HPK__OP_NRM2, true, n, x, incx, stride_x, NULL, 1, 0,
                        result, batch);
}

hpk_status hpk_ddot_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t stride_x,
                                    const double *y, int64_t incy, int64_t stride_y, double *result, int64_t batch)
{
    return reduce_batch(ctx, "hpk_ddot_strided_batched", HPK__OP_DOT, false, n, x, incx, stride_x, y, incy,
                        stride_y, result, batch);
}

hpk_status hpk_sdot_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t stride_x,
                                    const float *y, int64_t incy, int64_t stride_y, float *result, int64_t batch)
{
    return reduce_batch(ctx, "hpk_sdot_strided_batched", HPK__OP_DOT, true, n, x, incx, stride_x, y, incy, stride_y,
                        result, batch);
}

hpk_status hpk_idamax_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t stride_x,
                                      int64_t *index, int64_t batch)
{
    return reduce_batch(ctx, "hpk_idamax_strided_batched", HPK__OP_AMAX, false, n, x, incx, stride_x, NULL, 1, 0,
                        index, batch);
}

hpk_status hpk_isamax_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t stride_x,
                                      int64_t *index, int64_t batch)
{
    return reduce_batch(ctx, "hpk_isamax_strided_batched", HPK__OP_AMAX, true, n, x, incx, stride_x, NULL, 1, 0,
                        index, batch);
}
