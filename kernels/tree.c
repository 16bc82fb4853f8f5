/* The reduction tree evaluated on one thread, cut into pieces and joined,
 * and the serial runner. */
#include "hpk_internal.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

void hpk__tree_eval_range(const hpk__tree *t, int64_t first, int64_t count, void *node, void *scratch)
{
    if (t->leaves && count <= HPK__TREE_LEAVES) { /* one block too: leaves() reads a whole one faster */
        t->leaves(t->job, first, (int)count, node, scratch);
        return;
    }
    if (count == 1) {
        t->leaf(t->job, first, node, scratch);
        return;
    }
    _Alignas(max_align_t) unsigned char right[HPK__TREE_NODE_MAX];
    const int64_t left = hpk__tree_left(count);
    hpk__tree_eval_range(t, first, left, node, scratch);
    hpk__tree_eval_range(t, first + left, count - left, right, scratch);
    t->combine(t->job, node, right);
}

static void cut(int64_t first, int64_t count, int depth, hpk__tree_piece *pieces, int64_t *npieces)
{
    if (depth == 0 || count == 1) {
        if (pieces)
            pieces[*npieces] = (hpk__tree_piece){first, count};
        ++*npieces;
        return;
    }
    const int64_t left = hpk__tree_left(count);
    cut(first, left, depth - 1, pieces, npieces);
    cut(first + left, count - left, depth - 1, pieces, npieces);
}

int64_t hpk__tree_cut(int64_t nblocks, int depth, hpk__tree_piece *pieces)
{
    int64_t npieces = 0;
    cut(0, nblocks, depth, pieces, &npieces);
    return npieces;
}

static void join(const hpk__tree *t, int64_t count, int depth, const unsigned char *results, int64_t *next,
                 void *node)
{
    if (depth == 0 || count == 1) {
        memcpy(node, results + (size_t)(*next)++ * t->node_size, t->node_size);
        return;
    }
    _Alignas(max_align_t) unsigned char right[HPK__TREE_NODE_MAX];
    const int64_t left = hpk__tree_left(count);
    join(t, left, depth - 1, results, next, node);
    join(t, count - left, depth - 1, results, next, right);
    t->combine(t->job, node, right);
}

void hpk__tree_join(const hpk__tree *t, int depth, const void *results, void *root)
{
    int64_t next = 0;
    join(t, t->nblocks, depth, results, &next, root);
}

static void part_leaf(const void *job, int64_t block, void *node, void *scratch)
{
    const hpk__subtree *sub = job;
    sub->whole->leaf(sub->whole->job, sub->first + block, node, scratch);
}

static void part_combine(const void *job, void *left, const void *right)
{
    const hpk__subtree *sub = job;
    sub->whole->combine(sub->whole->job, left, right);
}

static void part_leaves(const void *job, int64_t first, int count, void *node, void *scratch)
{
    const hpk__subtree *sub = job;
    sub->whole->leaves(sub->whole->job, sub->first + first, count, node, scratch);
}

hpk__tree hpk__tree_part(const hpk__tree *whole, int64_t first, int64_t count, hpk__subtree *sub)
{
    *sub = (hpk__subtree){whole, first};
    hpk__tree t = *whole;
    t.nblocks = count;
    t.job = sub;
    t.leaf = part_leaf;
    t.combine = part_combine;
    t.leaves = whole->leaves ? part_leaves : NULL;
    return t;
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

static int serial_threads(const hpk_ctx *ctx, double work)
{
    (void)ctx;
    (void)work;
    return 1;
}

const hpk__runner hpk__serial_runner = {serial_tree, serial_range, serial_threads};
