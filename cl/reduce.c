/* Reductions on the device.  sum, asum, dot and nrm2 (reduce.cl) leave one
 * partial result per block of the canonical order (order.h); here the blocks
 * are combined pairwise in that order's tree, and nrm2 is finished as on the
 * CPU, so where the sums are in double the result is bitwise the CPU
 * backends'.  i?amax: one winner per work-group, combined in group order. */
#include "cl_backend.h"
#include "reduce_finish.h"
#include "runner.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_RUN_CPU 512 /* i?amax: elements per work-item before another group is used */
#define MIN_RUN_GPU 16

static const hpk__cl_prog program_of[2] = {HPK__CL_REDUCE_D, HPK__CL_REDUCE_S};

/* The blocks' partial results as the CPU tree's leaves (kernels/tree.c):
 * each is nacc doubles, or float pairs (hi, lo) on a device without fp64,
 * read as doubles and added in the tree. */
typedef struct block_partials {
    const void *host;
    bool pairs;
    size_t nblocks;
    int nacc;
} block_partials;

static void partial_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    const block_partials *p = job;
    double *out = node;
    for (int k = 0; k < 3; k++) {
        const size_t at = (size_t)k * p->nblocks + (size_t)b;
        out[k] = k >= p->nacc ? 0.0
                 : p->pairs   ? (double)((const float *)p->host)[2 * at] + (double)((const float *)p->host)[2 * at + 1]
                              : ((const double *)p->host)[at];
    }
}

static void add_partials(const void *job, void *left, const void *right)
{
    (void)job;
    for (int k = 0; k < 3; k++)
        ((double *)left)[k] += ((const double *)right)[k];
}

/* One problem when batch is NULL. */
static hpk__cl_batch one_problem(const hpk__cl_batch *batch)
{
    return batch ? *batch : (hpk__cl_batch){1, 0, 0, 0};
}

hpk_status hpk__cl_reduce_root(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n,
                               hpk__cl_vec x, hpk__cl_vec y, const hpk__cl_batch *batch, hpk__reduce_node *root)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_tuning *t = &s->tune;
    const hpk__cl_program *prog;
    hpk_status st = hpk__cl_get_program(ctx, fn, program_of[f32], &prog);
    if (st != HPK_SUCCESS)
        return st;

    /* One work-item per block (CPU family) or per lane of a block, or per
     * lanes / wgs lanes when a group is smaller than a block's lanes (GPU
     * family); each problem of a batch its own groups. */
    const hpk__cl_batch b = one_problem(batch);
    const int nacc = op == HPK__OP_NRM2 ? 3 : 1;
    const size_t nblocks = (size_t)((n - 1) / HPK__REDUCE_BLOCK + 1);
    const size_t per_block = t->cpu_kernels ? 1 : hpk__cl_lane_team(t, f32);
    const size_t groups = (nblocks * per_block + t->wgs - 1) / t->wgs;
    const size_t per_problem = (size_t)nacc * nblocks; /* a double or a float pair each */
    const size_t bytes = per_problem * (size_t)b.count * sizeof(double);
    if ((st = hpk__cl_partials_room(ctx, fn, bytes)) != HPK_SUCCESS)
        return st;

    const cl_long nn = n, xbase = x.base, incx = x.inc, ybase = y.base, incy = y.inc, blocks = (cl_long)nblocks;
    const cl_long xstride = b.x, ystride = b.y;
    const hpk__cl_arg args[] = {HPK__ARG(nn),    HPK__ARG(x.mem), HPK__ARG(xbase), HPK__ARG(incx),
                                HPK__ARG(xstride), HPK__ARG(y.mem), HPK__ARG(ybase), HPK__ARG(incy),
                                HPK__ARG(ystride), HPK__ARG(blocks), HPK__ARG(s->partials)};
    const hpk__cl_arg x_only[] = {args[0], args[1], args[2], args[3], args[4], args[9], args[10]};
    const bool dot = op == HPK__OP_DOT;
    st = hpk__cl_launch_groups(ctx, fn, prog->kernels[op], dot ? args : x_only, dot ? 11 : 7, groups,
                               (size_t)b.count, bytes);
    if (st != HPK_SUCCESS)
        return st;

    const bool pairs = f32 && !s->fp64;
    for (int64_t k = 0; k < b.count; k++) {
        const block_partials parts = {(const char *)s->host_partials + (size_t)k * per_problem * sizeof(double),
                                      pairs, nblocks, nacc};
        const hpk__tree tree = {.nblocks = (int64_t)nblocks, .node_size = 3 * sizeof(double), .job = &parts,
                                .leaf = partial_leaf, .combine = add_partials};
        hpk__tree_eval_range(&tree, 0, tree.nblocks, root[k].s, NULL);
    }
    return HPK_SUCCESS;
}

double hpk__cl_reduce_finish(hpk__reduce_op op, bool pairs, const hpk__reduce_node *root)
{
    const double *acc = root->s;
    if (op != HPK__OP_NRM2)
        return acc[0];
    if (pairs)
        return hpk__nrm2_finish(acc[0], acc[1], acc[2], 0x1p+75, 0x1p-76);
    return hpk__nrm2_finish(acc[0], acc[1], acc[2], HPK__BLUE_SSML, HPK__BLUE_SBIG);
}

hpk_status hpk__cl_reduce(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, hpk__cl_vec x,
                          hpk__cl_vec y, double *result)
{
    hpk__reduce_node root;
    const hpk_status st = hpk__cl_reduce_root(ctx, fn, op, f32, n, x, y, NULL, &root);
    if (st == HPK_SUCCESS)
        *result = hpk__cl_reduce_finish(op, f32 && !hpk__cl(ctx)->fp64, &root);
    return st;
}

hpk_status hpk__cl_reduce_results(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, hpk__cl_vec x,
                                  hpk__cl_vec y, const hpk__cl_batch *batch, void *result)
{
    hpk__reduce_node *roots = malloc((size_t)batch->count * sizeof *roots);
    if (!roots)
        return hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of host memory for %" PRId64 " partial results", fn,
                         batch->count);
    const hpk_status st = hpk__cl_reduce_root(ctx, fn, op, f32, n, x, y, batch, roots);
    const bool pairs = f32 && !hpk__cl(ctx)->fp64;
    for (int64_t k = 0; st == HPK_SUCCESS && k < batch->count; k++) {
        const double r = hpk__cl_reduce_finish(op, pairs, &roots[k]);
        if (f32)
            ((float *)result)[k] = (float)r;
        else
            ((double *)result)[k] = r;
    }
    free(roots);
    return st;
}

hpk_status hpk__cl_amax(hpk_ctx *ctx, const char *fn, bool f32, int64_t n, hpk__cl_vec x, const hpk__cl_batch *batch,
                        int64_t *index)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_tuning *t = &s->tune;
    const hpk__cl_program *prog;
    hpk_status st = hpk__cl_get_program(ctx, fn, program_of[f32], &prog);
    if (st != HPK_SUCCESS)
        return st;
    const hpk__cl_batch b = one_problem(batch);
    size_t groups;
    uint64_t run64;
    hpk__cl_plan(t, (uint64_t)n, hpk__cl_reduce_vec(t), t->cpu_kernels ? MIN_RUN_CPU : MIN_RUN_GPU, &groups, &run64);
    const size_t bytes = 2 * groups * (size_t)b.count * sizeof(int64_t);
    if ((st = hpk__cl_partials_room(ctx, fn, bytes)) != HPK_SUCCESS)
        return st;
    const cl_long nn = n, xbase = x.base, incx = x.inc, xstride = b.x, run = (cl_long)run64;
    const hpk__cl_arg args[] = {HPK__ARG(nn),      HPK__ARG(x.mem), HPK__ARG(xbase),      HPK__ARG(incx),
                                HPK__ARG(xstride), HPK__ARG(run),   HPK__ARG(s->partials)};
    st = hpk__cl_launch_groups(ctx, fn, prog->kernels[HPK__OP_AMAX], args, 7, groups, (size_t)b.count, bytes);
    if (st != HPK_SUCCESS)
        return st;

    /* Groups own increasing index ranges, so their winners combine in
     * group order with the CPU backends' rule; an empty group's (-1,
     * INT64_MAX) never wins. */
    for (int64_t k = 0; k < b.count; k++) {
        const int64_t *part = (const int64_t *)s->host_partials + 2 * groups * (size_t)k;
        hpk__amax_node best = {INT64_MAX, -1.0};
        for (size_t g = 0; g < groups; g++) {
            hpk__amax_node node = {part[2 * g], 0.0};
            if (f32) {
                uint32_t bits = (uint32_t)part[2 * g + 1];
                float fv;
                memcpy(&fv, &bits, sizeof fv);
                node.value = fv;
            } else {
                memcpy(&node.value, &part[2 * g + 1], sizeof node.value);
            }
            hpk__amax_combine(&best, &node);
        }
        index[k] = best.index;
    }
    return HPK_SUCCESS;
}
