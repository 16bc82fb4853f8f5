/* Reductions on the device.  sum, asum, dot and nrm2 (reduce.cl) leave one
 * partial result per block of the canonical order (order.h); here the blocks
 * are combined pairwise in that order's tree, and nrm2 is finished as on the
 * CPU, so where the sums are in double the result is bitwise the CPU
 * backends'.  i?amax: one winner per work-group, combined in group order. */
#include "cl_backend.h"
#include "reduce_finish.h"

#include <math.h>
#include <string.h>

#define MIN_RUN_CPU 512 /* i?amax: elements per work-item before another group is used */
#define MIN_RUN_GPU 16

static const hpk__cl_prog program_of[2] = {HPK__CL_REDUCE_D, HPK__CL_REDUCE_S};

/* Partial k of block b, as a double: the sums are doubles, or float pairs
 * (hi, lo) on a device without fp64. */
static double partial(const void *host, bool pairs, size_t nblocks, int k, size_t b)
{
    if (!pairs)
        return ((const double *)host)[(size_t)k * nblocks + b];
    const float *p = (const float *)host + 2 * ((size_t)k * nblocks + b);
    return (double)p[0] + (double)p[1];
}

/* Blocks [first, first + count) combined in the canonical tree. */
static void combine(const void *host, bool pairs, size_t nblocks, int nacc, size_t first, size_t count, double *out)
{
    if (count == 1) {
        for (int k = 0; k < nacc; k++)
            out[k] = partial(host, pairs, nblocks, k, first);
        return;
    }
    const size_t left = (size_t)hpk__tree_left((hpk__i64)count);
    double right[3];
    combine(host, pairs, nblocks, nacc, first, left, out);
    combine(host, pairs, nblocks, nacc, first + left, count - left, right);
    for (int k = 0; k < nacc; k++)
        out[k] += right[k];
}

hpk_status hpk__cl_reduce(hpk_ctx *ctx, const char *fn, hpk__cl_op op, bool f32, int64_t n, hpk__cl_vec x,
                          hpk__cl_vec y, double *result)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_tuning *t = &s->tune;
    const hpk__cl_program *prog;
    hpk_status st = hpk__cl_get_program(ctx, fn, program_of[f32], &prog);
    if (st != HPK_SUCCESS)
        return st;

    /* One work-item per block (CPU family) or per lane of a block, or per
     * HPK__LANES / wgs lanes when a group is smaller than a block's lanes
     * (GPU family). */
    const int nacc = op == HPK__CL_NRM2 ? 3 : 1;
    const size_t nblocks = (size_t)((n - 1) / HPK__REDUCE_BLOCK + 1);
    const size_t per_block = t->cpu_kernels ? 1 : t->wgs >= HPK__LANES ? HPK__LANES : t->wgs;
    const size_t groups = (nblocks * per_block + t->wgs - 1) / t->wgs;
    const size_t bytes = (size_t)nacc * nblocks * sizeof(double); /* a double or a float pair each */
    if ((st = hpk__cl_partials_room(ctx, fn, bytes)) != HPK_SUCCESS)
        return st;

    const cl_long nn = n, xbase = x.base, incx = x.inc, ybase = y.base, incy = y.inc, blocks = (cl_long)nblocks;
    static const int kernel_of[] = {[HPK__CL_SUM] = HPK__K_SUM, [HPK__CL_ASUM] = HPK__K_ASUM,
                                    [HPK__CL_DOT] = HPK__K_DOT, [HPK__CL_NRM2] = HPK__K_NRM2};
    const hpk__cl_arg args[] = {HPK__ARG(nn),    HPK__ARG(x.mem), HPK__ARG(xbase),  HPK__ARG(incx),
                                HPK__ARG(y.mem), HPK__ARG(ybase), HPK__ARG(incy),   HPK__ARG(blocks),
                                HPK__ARG(s->partials)};
    const hpk__cl_arg single[] = {args[0], args[1], args[2], args[3], args[7], args[8]};
    const bool dot = op == HPK__CL_DOT;
    st = hpk__cl_launch_groups(ctx, fn, prog->kernels[kernel_of[op]], dot ? args : single, dot ? 9 : 6, groups,
                               bytes);
    if (st != HPK_SUCCESS)
        return st;

    const bool pairs = f32 && !s->fp64;
    double acc[3];
    combine(s->host_partials, pairs, nblocks, nacc, 0, nblocks, acc);
    if (op != HPK__CL_NRM2)
        *result = acc[0];
    else if (pairs)
        *result = hpk__nrm2_finish(acc[0], acc[1], acc[2], 0x1p+75, 0x1p-76);
    else
        *result = hpk__nrm2_finish(acc[0], acc[1], acc[2], HPK__BLUE_SSML, HPK__BLUE_SBIG);
    return HPK_SUCCESS;
}

hpk_status hpk__cl_amax(hpk_ctx *ctx, const char *fn, bool f32, int64_t n, hpk__cl_vec x, int64_t *index)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_tuning *t = &s->tune;
    const hpk__cl_program *prog;
    hpk_status st = hpk__cl_get_program(ctx, fn, program_of[f32], &prog);
    if (st != HPK_SUCCESS)
        return st;
    size_t groups;
    uint64_t run64;
    hpk__cl_plan(t, (uint64_t)n, hpk__cl_reduce_vec(t), t->cpu_kernels ? MIN_RUN_CPU : MIN_RUN_GPU, &groups, &run64);
    const cl_long nn = n, xbase = x.base, incx = x.inc, run = (cl_long)run64;
    const hpk__cl_arg args[] = {HPK__ARG(nn),   HPK__ARG(x.mem), HPK__ARG(xbase),
                                HPK__ARG(incx), HPK__ARG(run),   HPK__ARG(s->partials)};
    st = hpk__cl_launch_groups(ctx, fn, prog->kernels[HPK__K_AMAX], args, 6, groups, 2 * groups * sizeof(int64_t));
    if (st != HPK_SUCCESS)
        return st;

    /* Groups own increasing index ranges, so their winners combine in
     * group order with the CPU backends' rule; an empty group's (-1,
     * INT64_MAX) never wins. */
    const int64_t *part = s->host_partials;
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
    *index = best.index;
    return HPK_SUCCESS;
}
