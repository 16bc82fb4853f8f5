/* A batch of problems as the dispatch layer hands it to a backend
 * (hpk__ops.batch): checked, with the quick returns taken.  Problem k is
 * one single call, run through the context's own per-problem entries by
 * hpk__batch_run. */
#ifndef HPK_BATCH_H
#define HPK_BATCH_H

#include "hpk_internal.h"

/* One operand of every problem: problem k's at base + k * stride elements,
 * or at list[k] for pointer arrays (list != NULL). */
typedef struct hpk__batch_operand {
    const void *base;
    int64_t stride;
    const void *const *list;
} hpk__batch_operand;

typedef struct hpk__batch {
    int64_t count; /* problems, > 0 */
    bool f32;
    bool gemv; /* GEMV; otherwise the reduction `op` */
    hpk__reduce_op op;
    hpk_layout layout; /* GEMV */
    hpk_transpose trans;
    int64_t m, n, lda; /* n alone for reductions */
    double alpha, beta; /* sgemv's float scalars, exactly */
    hpk__batch_operand a, x, y; /* y: GEMV's output, or dot's second vector */
    int64_t incx, incy;
    void *result; /* reductions: count results, contiguous (int64_t for i?amax) */
} hpk__batch;

/* Problem k's pointer to operand o, of elements of elem_size bytes. */
static inline const void *hpk__batch_at(const hpk__batch_operand *o, int64_t k, size_t elem_size)
{
    if (o->list)
        return o->list[k];
    return o->base ? (const char *)o->base + k * o->stride * (int64_t)elem_size : NULL; /* NULL: dot's y alone */
}

/* Elements one problem touches, for sizing its share of threads. */
static inline double hpk__batch_work(const hpk__batch *b)
{
    if (b->gemv)
        return (double)b->m * (double)b->n + (double)b->m + (double)b->n;
    return (b->op == HPK__OP_DOT ? 2.0 : 1.0) * (double)b->n;
}

/* The batches' own checks (core/api_batch.c), shared with hpk_cl.h's:
 * operand `name` of `count` problems, stride elements apart, each spanning
 * `span` elements (> 0), has an extent that fits in int64_t bytes; and
 * strided GEMV's outputs (y of len elements, increment inc, stride apart)
 * share no element between problems. */
hpk_status hpk__batch_check_extent(hpk_ctx *ctx, const char *fn, const char *name, int64_t count, int64_t stride,
                                   int64_t span, size_t elem_size);
hpk_status hpk__batch_check_outputs(hpk_ctx *ctx, const char *fn, int64_t count, int64_t stride, int64_t len,
                                    int64_t inc);

/* The results of `count` reductions of empty vectors: 0, or -1 for
 * i?amax (amax: int64_t indices; else floats for f32, doubles). */
void hpk__batch_empty_results(bool amax, bool f32, void *result, int64_t count);

/* Problems [begin, end) of *b, one after another, each by ctx's own entry
 * for its single call (ctx->ops->dgemv, ... ); stops at the first failure
 * and returns its status (recorded in ctx). */
hpk_status hpk__batch_run(hpk_ctx *ctx, const hpk__batch *b, int64_t begin, int64_t end);

#endif /* HPK_BATCH_H */
