/* Monte Carlo on the device: pi (hit counts, exact, so bitwise the CPU
 * backends' estimate) and integration of an OpenCL C integrand (moments
 * merged pairwise with Chan's update, here in group order). */
#include "cl_backend.h"
#include "mc_finish.h"

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
    st = hpk__cl_launch_groups(ctx, fn, prog->kernels[HPK__K_MC_PI], args, 4, groups, groups * sizeof(cl_ulong));
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

static moments combine(const double *part, size_t first, size_t count)
{
    if (count == 1)
        return (moments){part[3 * first], part[3 * first + 1], part[3 * first + 2]};
    const size_t left = count - count / 2;
    moments l = combine(part, first, left);
    const moments r = combine(part, first + left, count - left);
    hpk__moments_merge(&l, &r);
    return l;
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

    size_t groups;
    uint64_t run64;
    hpk__cl_plan(&s->tune, samples, 1, s->tune.cpu_kernels ? MIN_SAMPLES_CPU : MIN_SAMPLES_GPU, &groups, &run64);
    const cl_ulong n = samples, key = seed, run = run64;
    const hpk__cl_arg args[] = {HPK__ARG(n), HPK__ARG(key), HPK__ARG(run), HPK__ARG(s->bounds),
                                HPK__ARG(s->partials)};
    st = hpk__cl_launch_groups(ctx, fn, prog->kernels[HPK__K_MC_INTEGRATE], args, 5, groups,
                               3 * groups * sizeof(double));
    if (st != HPK_SUCCESS)
        return st;

    const moments total = combine(s->host_partials, 0, groups);
    hpk__mc_integrate_result(dim, lower, upper, samples, &total, result);
    return HPK_SUCCESS;
}
