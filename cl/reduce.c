/* Reductions on the device: stage one (reduce.cl) leaves one partial result
 * per work-group; stage two, here, combines them pairwise in group order --
 * the same tree shape as the CPU backends' -- and finishes nrm2 as LAPACK
 * 3.10 does.  The work split depends on n alone, so results repeat. */
#include "cl_backend.h"
#include "reduce_finish.h"

#include <math.h>
#include <string.h>

#define MIN_RUN_CPU 512 /* elements per work-item before another group is used */
#define MIN_RUN_GPU 16

static const hpk__cl_prog program_of[2] = {HPK__CL_REDUCE_D, HPK__CL_REDUCE_S};

/* Partial k of group g, as a double: the sums are doubles, or float pairs
 * (hi, lo) on a device without fp64. */
static double partial(const void *host, bool pairs, size_t groups, int k, size_t g)
{
    if (!pairs)
        return ((const double *)host)[(size_t)k * groups + g];
    const float *p = (const float *)host + 2 * ((size_t)k * groups + g);
    return (double)p[0] + (double)p[1];
}

/* Groups [first, first + count) combined pairwise, as hpk__tree_left splits. */
static void combine(const void *host, bool pairs, size_t groups, int nacc, size_t first, size_t count, double *out)
{
    if (count == 1) {
        for (int k = 0; k < nacc; k++)
            out[k] = partial(host, pairs, groups, k, first);
        return;
    }
    const size_t left = count - count / 2;
    double right[3];
    combine(host, pairs, groups, nacc, first, left, out);
    combine(host, pairs, groups, nacc, first + left, count - left, right);
    for (int k = 0; k < nacc; k++)
        out[k] += right[k];
}

/* Blue's accumulators (small, medium, big) into the norm, as the CPU
 * backends' nrm2 (kernels/reduce.c) finishes; ssml and sbig are the scaling
 * factors the device used. */
static double nrm2_finish(const double *acc, double ssml, double sbig)
{
    return hpk__nrm2_finish(acc[0], acc[1], acc[2], ssml, sbig);
}

/* The program, the work-group count and each group's run of elements for a
 * reduction over n elements: what every reduction starts with. */
static hpk_status prepare(hpk_ctx *ctx, const char *fn, bool f32, int64_t n, const hpk__cl_program **prog,
                          size_t *groups, uint64_t *run)
{
    const hpk__cl_tuning *t = &hpk__cl(ctx)->tune;
    hpk_status st = hpk__cl_get_program(ctx, fn, program_of[f32], prog);
    if (st == HPK_SUCCESS)
        hpk__cl_plan(t, (uint64_t)n, f32 ? t->vec_s : t->vec_d, t->cpu_kernels ? MIN_RUN_CPU : MIN_RUN_GPU, groups,
                     run);
    return st;
}

hpk_status hpk__cl_reduce(hpk_ctx *ctx, const char *fn, hpk__cl_op op, bool f32, int64_t n, hpk__cl_vec x,
                          hpk__cl_vec y, double *result)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_program *prog;
    size_t groups;
    uint64_t run64;
    hpk_status st = prepare(ctx, fn, f32, n, &prog, &groups, &run64);
    if (st != HPK_SUCCESS)
        return st;

    const cl_long nn = n, xbase = x.base, incx = x.inc, ybase = y.base, incy = y.inc, run = (cl_long)run64;
    static const int kernel_of[] = {[HPK__CL_SUM] = HPK__K_SUM, [HPK__CL_ASUM] = HPK__K_ASUM,
                                    [HPK__CL_DOT] = HPK__K_DOT, [HPK__CL_NRM2] = HPK__K_NRM2};
    const hpk__cl_arg args[] = {HPK__ARG(nn),   HPK__ARG(x.mem), HPK__ARG(xbase),       HPK__ARG(incx),
                                HPK__ARG(y.mem), HPK__ARG(ybase), HPK__ARG(incy),        HPK__ARG(run),
                                HPK__ARG(s->partials)};
    const hpk__cl_arg single[] = {args[0], args[1], args[2], args[3], args[7], args[8]};
    const int nacc = op == HPK__CL_NRM2 ? 3 : 1;
    const bool pairs = f32 && !s->fp64;
    st = hpk__cl_launch_groups(ctx, fn, prog->kernels[kernel_of[op]], op == HPK__CL_DOT ? args : single, op == HPK__CL_DOT ? 9 : 6,
                   groups, (size_t)nacc * groups * sizeof(double));
    if (st != HPK_SUCCESS)
        return st;

    double acc[3];
    combine(s->host_partials, pairs, groups, nacc, 0, groups, acc);
    if (op != HPK__CL_NRM2)
        *result = acc[0];
    else if (pairs)
        *result = nrm2_finish(acc, 0x1p+75, 0x1p-76);
    else
        *result = nrm2_finish(acc, 0x1p+537, 0x1p-538);
    return HPK_SUCCESS;
}

hpk_status hpk__cl_amax(hpk_ctx *ctx, const char *fn, bool f32, int64_t n, hpk__cl_vec x, int64_t *index)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_program *prog;
    size_t groups;
    uint64_t run64;
    hpk_status st = prepare(ctx, fn, f32, n, &prog, &groups, &run64);
    if (st != HPK_SUCCESS)
        return st;
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
