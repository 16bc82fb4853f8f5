/* Enqueueing kernels: arguments, an NDRange in groups of the context's
 * work-group size timed by an event of the current call, and the work split
 * and partial results of reductions. */
#include "cl_backend.h"

hpk_status hpk__cl_launch(hpk_ctx *ctx, const char *fn, cl_kernel kernel, const hpk__cl_arg *args, int nargs,
                          size_t global0, size_t global1, size_t global2)
{
    hpk__cl_state *s = hpk__cl(ctx);
    for (int i = 0; i < nargs; i++) {
        const cl_int err = clSetKernelArg(kernel, (cl_uint)i, args[i].size, args[i].value);
        if (err != CL_SUCCESS)
            return hpk__cl_fail(ctx, fn, "clSetKernelArg", err);
    }
    const size_t global[3] = {global0, global1, global2}, local[3] = {s->tune.wgs, 1, 1};
    const cl_uint dims = global2 > 1 ? 3 : global1 > 1 ? 2 : 1;
    const cl_int err = clEnqueueNDRangeKernel(s->queue, kernel, dims, NULL, global, local, 0, NULL,
                                              hpk__cl_event_slot(s, HPK__CL_KERNEL));
    if (err != CL_SUCCESS)
        return hpk__cl_fail(ctx, fn, "clEnqueueNDRangeKernel", err);
    return HPK_SUCCESS;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0); /* no overflow, whatever a is */
}

void hpk__cl_plan(const hpk__cl_tuning *t, uint64_t n, int vec, uint64_t min_run, size_t *groups, uint64_t *run)
{
    const uint64_t wgs = t->wgs;
    uint64_t g = ceil_div(n, wgs * min_run);
    g = g < 1 ? 1 : g > t->groups ? t->groups : g;
    if (t->cpu_kernels)
        *run = ceil_div(ceil_div(n, g * wgs), (uint64_t)vec) * (uint64_t)vec;
    else
        *run = ceil_div(ceil_div(n, g), wgs) * wgs;
    *groups = (size_t)g;
}

hpk_status hpk__cl_launch_groups(hpk_ctx *ctx, const char *fn, cl_kernel kernel, const hpk__cl_arg *args,
                                 int nargs, size_t groups, size_t batch, size_t bytes)
{
    hpk__cl_state *s = hpk__cl(ctx);
    hpk_status st = hpk__cl_launch(ctx, fn, kernel, args, nargs, groups * s->tune.wgs, batch, 1);
    if (st != HPK_SUCCESS)
        return st;
    const cl_int err = clEnqueueReadBuffer(s->queue, s->partials, CL_TRUE, 0, bytes, s->host_partials, 0, NULL,
                                           hpk__cl_event_slot(s, HPK__CL_DOWNLOAD));
    if (err != CL_SUCCESS)
        return hpk__cl_fail(ctx, fn, "reading the partial results", err);
    return HPK_SUCCESS;
}
