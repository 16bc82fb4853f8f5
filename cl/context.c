/* OpenCL contexts: creation (device, cl_context, in-order profiling queue,
 * tuning, scratch buffers), destruction, and the accessors of hpk_cl.h. */
#include "cl_backend.h"

#include <stdlib.h>

static void release_state(hpk__cl_state *s)
{
    if (s->queue)
        clFinish(s->queue);
    hpk__cl_events_release(s);
    hpk__cl_programs_release(s);
    hpk__cl_buffers_release(s);
    if (s->queue)
        clReleaseCommandQueue(s->queue);
    if (s->context)
        clReleaseContext(s->context);
    free(s);
}

/* The context and queue of a new state whose device is chosen. */
static hpk_status open_device(const char *fn, hpk__cl_state *s)
{
    const cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)s->platform, 0};
    cl_int err;
    s->context = clCreateContext(props, 1, &s->device, NULL, NULL, &err);
    if (err != CL_SUCCESS)
        return hpk__cl_fail(NULL, fn, "clCreateContext", err);
    s->queue = clCreateCommandQueue(s->context, s->device, CL_QUEUE_PROFILING_ENABLE, &err);
    if (err != CL_SUCCESS)
        return hpk__cl_fail(NULL, fn, "clCreateCommandQueue", err);
    return HPK_SUCCESS;
}

hpk_status hpk__cl_create(hpk_ctx **out, const char *device, const char *fn)
{
    if (!out)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "%s: ctx is NULL", fn);
    hpk__cl_state *s = calloc(1, sizeof *s);
    if (!s)
        return hpk__fail(NULL, HPK_ERR_ALLOC, "%s: out of memory", fn);
    hpk_status st = hpk__cl_select(fn, device, &s->platform, &s->device);
    if (st == HPK_SUCCESS)
        st = hpk__cl_tune(fn, s);
    if (st == HPK_SUCCESS)
        st = open_device(fn, s);
    if (st != HPK_SUCCESS) {
        release_state(s);
        return st;
    }
    hpk_ctx *ctx = hpk__ctx_alloc(HPK_BACKEND_OPENCL, &hpk__cl_ops);
    if (!ctx) {
        release_state(s);
        return hpk__fail(NULL, HPK_ERR_ALLOC, "%s: out of memory", fn);
    }
    ctx->backend_state = s;
    st = hpk__cl_buffers_create(ctx, fn);
    if (st != HPK_SUCCESS) {
        hpk__fail(NULL, st, "%s", ctx->error); /* creation failures are read from the default context */
        hpk_ctx_destroy(ctx);
        return st;
    }
    *out = ctx;
    return HPK_SUCCESS;
}

void hpk__cl_destroy(hpk_ctx *ctx)
{
    release_state(ctx->backend_state);
    ctx->backend_state = NULL;
}

hpk_status hpk_ctx_create_cl(hpk_ctx **ctx, const char *device)
{
    return hpk__cl_create(ctx, device, "hpk_ctx_create_cl");
}

static const hpk__cl_state *state_of(const hpk_ctx *ctx)
{
    return ctx && ctx->backend == HPK_BACKEND_OPENCL ? hpk__cl(ctx) : NULL;
}

cl_context hpk_ctx_cl_context(const hpk_ctx *ctx)
{
    const hpk__cl_state *s = state_of(ctx);
    return s ? s->context : NULL;
}

cl_command_queue hpk_ctx_cl_queue(const hpk_ctx *ctx)
{
    const hpk__cl_state *s = state_of(ctx);
    return s ? s->queue : NULL;
}

cl_device_id hpk_ctx_cl_device(const hpk_ctx *ctx)
{
    const hpk__cl_state *s = state_of(ctx);
    return s ? s->device : NULL;
}
