/* OpenCL contexts: creation (device, cl_context, in-order profiling queue,
 * tuning, scratch buffers) or adoption of the caller's queue, destruction
 * (which waits for the queue), and the accessors of hpk_cl.h. */
#include "cl_backend.h"

#include <stdlib.h>

/* Waits for every command on the queue -- hpk's and, on a caller's queue,
 * the caller's -- before releasing anything: running kernels may still use
 * the scratch buffers and programs. */
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
    s->profiling = true;
    return HPK_SUCCESS;
}

/* The device and platform of the caller's queue, and its context (not yet
 * retained), checked for what hpk needs: a host queue that runs its commands
 * in order. */
static hpk_status inspect_queue(const char *fn, cl_command_queue queue, hpk__cl_state *s, cl_context *context)
{
    if (!queue)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "%s: queue is NULL", fn);
    cl_context c = NULL;
    cl_device_id d = NULL;
    cl_command_queue_properties props = 0;
    cl_int err = clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof c, &c, NULL);
    if (err == CL_SUCCESS)
        err = clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof d, &d, NULL);
    if (err == CL_SUCCESS)
        err = clGetCommandQueueInfo(queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    if (err == CL_SUCCESS && (!c || !d))
        err = CL_INVALID_COMMAND_QUEUE;
    if (err != CL_SUCCESS)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "%s: queue is not a valid cl_command_queue (%s from "
                         "clGetCommandQueueInfo)", fn, hpk__cl_error_name(err));
    /* hpk's commands rely on the ones it enqueued before them (gemv's stages,
     * a reduction's read of its partial results), so they need queue order. */
    const cl_command_queue_properties on_device = (cl_command_queue_properties)1 << 2; /* CL_QUEUE_ON_DEVICE */
    if (props & on_device)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG,
                         "%s: queue is a device-side queue (CL_QUEUE_ON_DEVICE); hpk needs a host queue", fn);
    if (props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG,
                         "%s: queue runs its commands out of order (CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE); hpk "
                         "needs an in-order queue (one on the same cl_context shares its buffers)",
                         fn);
    cl_platform_id platform = NULL;
    err = clGetDeviceInfo(d, CL_DEVICE_PLATFORM, sizeof platform, &platform, NULL);
    if (err != CL_SUCCESS)
        return hpk__cl_fail(NULL, fn, "clGetDeviceInfo(CL_DEVICE_PLATFORM)", err);
    s->platform = platform;
    s->device = d;
    s->profiling = (props & CL_QUEUE_PROFILING_ENABLE) != 0;
    *context = c;
    return HPK_SUCCESS;
}

/* References to the caller's queue and its context, kept in s (and so
 * released with it). */
static hpk_status retain_queue(const char *fn, cl_command_queue queue, cl_context context, hpk__cl_state *s)
{
    cl_int err = clRetainContext(context);
    if (err != CL_SUCCESS)
        return hpk__cl_fail(NULL, fn, "clRetainContext", err);
    s->context = context;
    err = clRetainCommandQueue(queue);
    if (err != CL_SUCCESS)
        return hpk__cl_fail(NULL, fn, "clRetainCommandQueue", err);
    s->queue = queue;
    return HPK_SUCCESS;
}

/* An hpk context around state s, whose device is open (its context and
 * queue set, or failed: st); s is released on failure. */
static hpk_status finish_create(hpk_ctx **out, hpk__cl_state *s, hpk_status st, const char *fn)
{
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
        st = hpk__cl_verify_env(fn, s);
    if (st == HPK_SUCCESS)
        st = open_device(fn, s);
    return finish_create(out, s, st, fn);
}

hpk_status hpk_ctx_create_cl_queue(hpk_ctx **out, cl_command_queue queue)
{
    static const char fn[] = "hpk_ctx_create_cl_queue";
    if (!out)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "%s: ctx is NULL", fn);
    hpk__cl_state *s = calloc(1, sizeof *s);
    if (!s)
        return hpk__fail(NULL, HPK_ERR_ALLOC, "%s: out of memory", fn);
    cl_context context = NULL;
    hpk_status st = inspect_queue(fn, queue, s, &context);
    if (st == HPK_SUCCESS)
        st = hpk__cl_tune(fn, s);
    if (st == HPK_SUCCESS)
        st = hpk__cl_verify_env(fn, s);
    if (st == HPK_SUCCESS)
        st = retain_queue(fn, queue, context, s);
    return finish_create(out, s, st, fn);
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
