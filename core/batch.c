/* A batch's problems one after another through the context's per-problem
 * entries: the OpenCL backend's batches, and each CPU thread's share. */
#include "batch.h"

hpk_status hpk__batch_run(hpk_ctx *ctx, const hpk__batch *b, int64_t begin, int64_t end)
{
    const size_t elem = b->f32 ? sizeof(float) : sizeof(double);
    const size_t result_size = b->op == HPK__OP_AMAX ? sizeof(int64_t) : elem;
    const hpk__ops *o = ctx->ops;
    for (int64_t k = begin; k < end; k++) {
        const void *a = hpk__batch_at(&b->a, k, elem), *x = hpk__batch_at(&b->x, k, elem);
        void *y = (void *)hpk__batch_at(&b->y, k, elem);
        hpk_status st;
        if (!b->gemv)
            st = hpk__ops_reduce(ctx, b->op, b->f32, b->n, x, b->incx, y, b->incy,
                                 (char *)b->result + (size_t)k * result_size);
        else if (b->f32)
            st = o->sgemv(ctx, b->layout, b->trans, b->m, b->n, (float)b->alpha, a, b->lda, x, b->incx,
                          (float)b->beta, y, b->incy);
        else
            st = o->dgemv(ctx, b->layout, b->trans, b->m, b->n, b->alpha, a, b->lda, x, b->incx, b->beta, y,
                          b->incy);
        if (st != HPK_SUCCESS)
            return st;
    }
    return HPK_SUCCESS;
}

void hpk__batch_empty_results(bool amax, bool f32, void *result, int64_t count)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    for (int64_t k = 0; k < count; k++) {
        if (amax)
            ((int64_t *)result)[k] = -1;
        else
            hpk__store_result(HPK_SUCCESS, 0.0, f32, (char *)result + (size_t)k * elem);
    }
}
