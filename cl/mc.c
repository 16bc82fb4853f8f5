/* Monte Carlo on the device: pi (hit counts, exact, so bitwise the CPU
 * backends' estimate) and integration of an OpenCL C integrand in the
 * canonical order of order.h (block summaries from the device, combined
 * here in the CPU's pairwise tree). */
#include "cl_backend.h"
#include "mc_finish.h"
#include "order.h"
#include "runner.h"

#include <math.h>

#define MIN_SAMPLES_CPU 4096 /* samples per work-item before another group is used */
#define MIN_SAMPLES_GPU 64

hpk_status hpk__cl_mc_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    static const char fn[] = "hpk_mc_pi";
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_program *prog;
    hpk_status st = hpk__cl_get_program(ctx, fn, HPK__CL_MC_PI, &prog);
    if (st != HPK_SUCCESS)
        return st;
    size_t groups;
    uint64_t run64;
    hpk__cl_plan(&s->tune, samples, 1, s->tune.cpu_kernels ? MIN_SAMPLES_CPU : MIN_SAMPLES_GPU, &groups, &run64);
    const cl_ulong n = samples, key = seed, run = run64;
    const hpk__cl_arg args[] = {HPK__ARG(n), HPK__ARG(key), HPK__ARG(run), HPK__ARG(s->partials)};
    st = hpk__cl_launch_groups(ctx, fn, prog->kernels[HPK__K_MC_PI], args, 4, groups, 1, groups * sizeof(cl_ulong));
    if (st != HPK_SUCCESS)
        return st;
    uint64_t hits = 0;
    for (size_t g = 0; g < groups; g++)
        hits += ((const cl_ulong *)s->host_partials)[g];
    /* The CPU backends' formulas, so every bit agrees. */
    hpk__mc_pi_result(samples, hits, result);
    return HPK_SUCCESS;
}

typedef hpk__moments moments;

/* Blocks per launch of mc_integrate (16.8 million samples): the partials
 * buffer stays at 96 KiB however many samples there are, and a launch costs
 * far less than its samples. */
#define MAX_LAUNCH_BLOCKS ((int64_t)1 << 12)

/* The device's block summaries as the CPU tree's leaves (kernels/tree.c). */
static void block_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    const double *part = (const double *)job + 3 * b;
    *(moments *)node = (moments){part[0], part[1], part[2]};
}

static void block_combine(const void *job, void *left, const void *right)
{
    (void)job;
    hpk__moments_merge(left, right);
}

/* Blocks [first, first + count) of the samples summarised on the device and
 * combined in the pairwise tree; a run of blocks too long for one launch is
 * split where the tree splits it. */
static hpk_status integrate_blocks(hpk_ctx *ctx, const char *fn, cl_kernel kernel, uint64_t samples, uint64_t seed,
                                   int64_t first, int64_t count, moments *out)
{
    if (count > MAX_LAUNCH_BLOCKS) {
        const int64_t left = hpk__tree_left(count);
        moments right;
        hpk_status st = integrate_blocks(ctx, fn, kernel, samples, seed, first, left, out);
        if (st == HPK_SUCCESS)
            st = integrate_blocks(ctx, fn, kernel, samples, seed, first + left, count - left, &right);
        if (st == HPK_SUCCESS)
            hpk__moments_merge(out, &right);
        return st;
    }
    hpk__cl_state *s = hpk__cl(ctx);
    const size_t bytes = 3 * (size_t)count * sizeof(double);
    hpk_status st = hpk__cl_partials_room(ctx, fn, bytes);
    if (st != HPK_SUCCESS)
        return st;
    const cl_ulong n = samples, key = seed, first_block = (cl_ulong)first, nblocks = (cl_ulong)count;
    const hpk__cl_arg args[] = {HPK__ARG(n),       HPK__ARG(key),       HPK__ARG(first_block),
                                HPK__ARG(nblocks), HPK__ARG(s->bounds), HPK__ARG(s->partials)};
    const size_t groups = ((size_t)count + s->tune.wgs - 1) / s->tune.wgs;
    if ((st = hpk__cl_launch_groups(ctx, fn, kernel, args, 6, groups, 1, bytes)) != HPK_SUCCESS)
        return st;
    const hpk__tree tree = {.nblocks = count, .node_size = sizeof(moments), .job = s->host_partials,
                            .leaf = block_leaf, .combine = block_combine};
    hpk__tree_eval_range(&tree, 0, count, out, NULL);
    return HPK_SUCCESS;
}

hpk_status hpk__cl_mc_integrate(hpk_ctx *ctx, const char *fn, const char *source, int dim, const double *lower,
                                const double *upper, uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk__cl_program *prog;
    hpk_status st = hpk__cl_get_integrand(ctx, fn, source, dim, &prog);
    if (st != HPK_SUCCESS)
        return st;
    double box[2 * HPK__CL_MAX_DIM];
    for (int d = 0; d < dim; d++) {
        box[d] = lower[d];
        box[dim + d] = upper[d];
    }
    const cl_int err = clEnqueueWriteBuffer(s->queue, s->bounds, CL_TRUE, 0, 2 * (size_t)dim * sizeof(double), box,
                                            0, NULL, hpk__cl_event_slot(s, HPK__CL_UPLOAD));
    if (err != CL_SUCCESS)
        return hpk__cl_fail(ctx, fn, "uploading the box", err);

    const int64_t nblocks = (int64_t)((samples - 1) / HPK__MC_BLOCK + 1);
    moments total;
    st = integrate_blocks(ctx, fn, prog->kernels[HPK__K_MC_INTEGRATE], samples, seed, 0, nblocks, &total);
    if (st != HPK_SUCCESS)
        return st;
    hpk__mc_integrate_result(dim, lower, upper, samples, &total, result);
    return HPK_SUCCESS;
}
