/* The reduction tree evaluated on one thread, and the serial runner. */
#include "runner.h"

#include <stdlib.h>
#include <string.h>

void hpk__tree_eval_range(const hpk__tree *t, int64_t first, int64_t count, void *node, void *scratch)
{
    if (count == 1) {
        t->leaf(t->job, first, node, scratch);
        return;
    }
    unsigned char right[HPK__TREE_NODE_MAX];
    const int64_t left = hpk__tree_left(count);
    hpk__tree_eval_range(t, first, left, node, scratch);
    hpk__tree_eval_range(t, first + left, count - left, right, scratch);
    t->combine(t->job, node, right);
}

static hpk_status serial_tree(hpk_ctx *ctx, const hpk__tree *t, void *root)
{
    void *scratch = NULL;
    if (t->scratch_size && !(scratch = malloc(t->scratch_size)))
        return hpk__fail(ctx, HPK_ERR_ALLOC, "out of memory for %zu bytes of scratch", t->scratch_size);
    hpk__tree_eval_range(t, 0, t->nblocks, root, scratch);
    free(scratch);
    return HPK_SUCCESS;
}

static void serial_range(hpk_ctx *ctx, int64_t count, int64_t grain, double work, hpk__range_body body,
                         const void *job)
{
    (void)ctx;
    (void)grain;
    (void)work;
    body(job, 0, count);
}

const hpk__runner hpk__serial_runner = {serial_tree, serial_range};
