/* hpk.h's batched host-pointer calls on the device: each operand of every
 * problem gathered into one stage buffer (problem k's span, from its
 * lowest-addressed element, at k spans; one copy when an input's stride is
 * 0), one launch for all problems (GEMV: one more for its blocks' or runs'
 * sums), and y's elements scattered back -- its other elements, between a
 * problem's or between problems, are never written.  The kernels take the
 * problem from the launch's last dimension and compute each one as its
 * single call does, so the bits are the single calls'.  In verify mode a
 * batch runs problem by problem instead, each checked as its single call. */
#include "batch.h"
#include "cl_backend.h"
#include "strided.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The public function's name, for messages. */
static void name_of(const hpk__batch *b, char *out, size_t size)
{
    static const char *const reductions[] = {[HPK__OP_SUM] = "sum", [HPK__OP_ASUM] = "asum", [HPK__OP_DOT] = "dot",
                                             [HPK__OP_NRM2] = "nrm2", [HPK__OP_AMAX] = "amax"};
    const char p = b->f32 ? 's' : 'd';
    const char *kind = b->a.list || b->x.list ? "batched" : "strided_batched";
    if (b->gemv)
        snprintf(out, size, "hpk_%cgemv_%s", p, kind);
    else if (b->op == HPK__OP_AMAX)
        snprintf(out, size, "hpk_i%camax_%s", p, kind);
    else
        snprintf(out, size, "hpk_%c%s_%s", p, reductions[b->op], kind);
}

/* One operand staged: its problems' spans (`span` elements each) one after
 * another (a single one when every problem shares it), uploaded unless
 * `upload` is false -- straight from the caller's memory when it is laid
 * out that way already, else gathered first; *stride: elements from one
 * problem's span to the next on the device. */
static hpk_status stage(hpk_ctx *ctx, const char *fn, int slot, const hpk__batch_operand *o, int64_t count,
                        int64_t span, size_t elem, bool upload, cl_mem *mem, int64_t *stride)
{
    const bool shared = !o->list && o->stride == 0;
    const int64_t copies = shared ? 1 : count;
    const size_t each = (size_t)span * elem;
    size_t bytes;
    if (__builtin_mul_overflow(each, (size_t)copies, &bytes))
        return hpk__fail(ctx, HPK_ERR_ALLOC, "%s: the batch's operands do not fit in memory", fn);
    *stride = shared ? 0 : span;
    if (!upload)
        return hpk__cl_stage_bytes(ctx, fn, slot, NULL, bytes, mem);
    if (shared || (!o->list && o->stride == span)) /* already laid out so: no copy */
        return hpk__cl_stage_bytes(ctx, fn, slot, hpk__batch_at(o, 0, elem), bytes, mem);
    char *host = malloc(bytes);
    if (!host)
        return hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of host memory for %zu bytes of the batch's operands", fn, bytes);
    for (int64_t k = 0; k < copies; k++)
        memcpy(host + (size_t)k * each, hpk__batch_at(o, k, elem), each);
    const hpk_status st = hpk__cl_stage_bytes(ctx, fn, slot, host, bytes, mem);
    free(host);
    return st;
}

/* The device's y (problems' spans one after another) read back, and each
 * problem's ylen elements put in place. */
static hpk_status scatter_y(hpk_ctx *ctx, const char *fn, const hpk__batch *b, cl_mem mem, int64_t ylen,
                            int64_t span, size_t elem)
{
    const size_t each = (size_t)span * elem, bytes = each * (size_t)b->count;
    char *host = malloc(bytes);
    if (!host)
        return hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of host memory for %zu bytes of the batch's outputs", fn, bytes);
    const hpk_status st = hpk__cl_download_bytes(ctx, fn, mem, host, bytes);
    for (int64_t k = 0; st == HPK_SUCCESS && k < b->count; k++) {
        char *y = (char *)hpk__batch_at(&b->y, k, elem);
        for (int64_t i = 0; i < ylen; i++) {
            const size_t at = (size_t)hpk__vector_index(i, ylen, b->incy) * elem;
            memcpy(y + at, host + (size_t)k * each + at, elem);
        }
    }
    free(host);
    return st;
}

static hpk_status gemv(hpk_ctx *ctx, const char *fn, const hpk__batch *b)
{
    const size_t elem = b->f32 ? sizeof(float) : sizeof(double);
    const bool row_major = b->layout == HPK_ROW_MAJOR, no_trans = b->trans == HPK_NO_TRANS;
    const int64_t len = row_major ? b->n : b->m, vecs = row_major ? b->m : b->n;
    const int64_t xlen = no_trans ? b->n : b->m, ylen = no_trans ? b->m : b->n;
    const int64_t yspan = hpk__vector_span(ylen, b->incy);
    hpk__cl_batch strides = {b->count, 0, 0, 0};
    cl_mem da = NULL, dx = NULL, dy;
    hpk_status st = HPK_SUCCESS;
    if (b->alpha != 0.0) { /* alpha == 0 reads neither A nor x */
        st = stage(ctx, fn, HPK__CL_STAGE_A, &b->a, b->count, (vecs - 1) * b->lda + len, elem, true, &da, &strides.a);
        if (st == HPK_SUCCESS)
            st = stage(ctx, fn, HPK__CL_STAGE_X, &b->x, b->count, hpk__vector_span(xlen, b->incx), elem, true, &dx,
                       &strides.x);
    }
    if (st == HPK_SUCCESS) /* beta == 0 does not read y */
        st = stage(ctx, fn, HPK__CL_STAGE_Y, &b->y, b->count, yspan, elem, b->beta != 0.0, &dy, &strides.y);
    if (st == HPK_SUCCESS)
        st = hpk__cl_gemv(ctx, fn, b->f32, b->layout, b->trans, b->m, b->n, b->alpha, da, 0, b->lda,
                          hpk__cl_vec_at(dx, 0, xlen, b->incx), b->beta, hpk__cl_vec_at(dy, 0, ylen, b->incy),
                          &strides);
    return st == HPK_SUCCESS ? scatter_y(ctx, fn, b, dy, ylen, yspan, elem) : st;
}

static hpk_status reduce(hpk_ctx *ctx, const char *fn, const hpk__batch *b)
{
    const size_t elem = b->f32 ? sizeof(float) : sizeof(double);
    const bool dot = b->op == HPK__OP_DOT;
    hpk__cl_batch strides = {b->count, 0, 0, 0};
    cl_mem dx, dy = NULL;
    hpk_status st =
        stage(ctx, fn, HPK__CL_STAGE_X, &b->x, b->count, hpk__vector_span(b->n, b->incx), elem, true, &dx, &strides.x);
    if (st == HPK_SUCCESS && dot)
        st = stage(ctx, fn, HPK__CL_STAGE_Y, &b->y, b->count, hpk__vector_span(b->n, b->incy), elem, true, &dy,
                   &strides.y);
    if (st != HPK_SUCCESS)
        return st;
    const hpk__cl_vec x = hpk__cl_vec_at(dx, 0, b->n, b->incx), y = dot ? hpk__cl_vec_at(dy, 0, b->n, b->incy) : x;
    if (b->op == HPK__OP_AMAX)
        return hpk__cl_amax(ctx, fn, b->f32, b->n, x, &strides, b->result);
    return hpk__cl_reduce_results(ctx, fn, b->op, b->f32, b->n, x, y, &strides, b->result);
}

hpk_status hpk__cl_run_batch(hpk_ctx *ctx, const hpk__batch *b)
{
    if (hpk__cl(ctx)->verify)
        return hpk__batch_run(ctx, b, 0, b->count);
    char fn[48];
    name_of(b, fn, sizeof fn);
    hpk_status st = b->f32 ? HPK_SUCCESS : hpk__cl_need_fp64(ctx, fn);
    if (st != HPK_SUCCESS)
        return st;
    hpk__cl_call_begin(hpk__cl(ctx));
    return b->gemv ? gemv(ctx, fn, b) : reduce(ctx, fn, b);
}
