/* Batches on the CPU backends.  Small problems go to threads whole, each
 * computed by this code path's one-thread kernels (the serial table), in
 * one run of the runner's range; big ones run one after another, each with
 * the context's threads.  Either way problem k is computed by the same
 * kernel as its single call, so its bits are that call's. */
#include "batch.h"
#include "cpu_kernels.h"
#include "runner.h"

#include <stdatomic.h>
#include <string.h>

/* Problems below this many elements of work go to threads whole: a single
 * call this small runs on one thread anyway (the OpenMP runner starts a
 * thread per 32 K elements, kernels/omp/runner.c), so splitting a problem
 * would only add a fork and a join per problem. */
#define HPK__BATCH_SMALL 65536.0

typedef struct batch_job {
    const hpk__batch *b;
    atomic_int *failed; /* set by the first share that fails, which fills: */
    hpk_status *status;
    char *message;
} batch_job;

static void batch_share(const void *job, int64_t begin, int64_t end)
{
    const batch_job *j = job;
    hpk_ctx one = {.backend = HPK_BACKEND_SERIAL, .ops = &HPK__PATH_FN(hpk__serial_ops), .num_threads = 1};
    const hpk_status st = hpk__batch_run(&one, j->b, begin, end);
    int none = 0;
    if (st != HPK_SUCCESS && atomic_compare_exchange_strong(j->failed, &none, 1)) {
        *j->status = st;
        memcpy(j->message, one.error, sizeof one.error);
    }
}

hpk_status HPK__CPU(batch)(hpk_ctx *ctx, const hpk__batch *b)
{
    const double each = hpk__batch_work(b);
    if (each >= HPK__BATCH_SMALL)
        return hpk__batch_run(ctx, b, 0, b->count);
    atomic_int failed = 0;
    hpk_status status = HPK_SUCCESS;
    char message[HPK__ERROR_CAPACITY];
    const batch_job job = {b, &failed, &status, message};
    ctx->ops->runner->range(ctx, b->count, 1, each * (double)b->count, batch_share, &job);
    if (atomic_load(&failed))
        return hpk__fail(ctx, status, "%s", message);
    return HPK_SUCCESS;
}
