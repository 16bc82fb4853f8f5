/* Execution contexts: creation, settings, error messages, and the per-thread
 * default context used when a call passes ctx == NULL. */
#include "hpk_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hpk__ops *backend_ops(hpk_backend backend)
{
    switch (backend) {
    case HPK_BACKEND_SERIAL:
    case HPK_BACKEND_OPENMP: return hpk__cpu_ops(backend, NULL);
    default: return NULL;
    }
}

#ifdef HPK_HAVE_OPENMP
#define HPK__DEFAULT_BACKEND HPK_BACKEND_OPENMP
#else
#define HPK__DEFAULT_BACKEND HPK_BACKEND_SERIAL
#endif

static _Thread_local hpk_ctx default_ctx;

hpk_ctx *hpk__resolve(hpk_ctx *ctx)
{
    if (ctx)
        return ctx;
    if (!default_ctx.ops) {
        default_ctx.backend = HPK__DEFAULT_BACKEND;
        default_ctx.ops = backend_ops(HPK__DEFAULT_BACKEND);
    }
    return &default_ctx;
}

hpk_status hpk__fail(hpk_ctx *ctx, hpk_status status, const char *fmt, ...)
{
    ctx = hpk__resolve(ctx);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->error, sizeof ctx->error, fmt, ap);
    va_end(ap);
    return status;
}

static bool backend_is_valid(hpk_backend backend)
{
    return backend == HPK_BACKEND_SERIAL || backend == HPK_BACKEND_OPENMP ||
           backend == HPK_BACKEND_OPENCL;
}

static const char *backend_option(hpk_backend backend)
{
    return backend == HPK_BACKEND_OPENMP ? "HPK_WITH_OPENMP" : "HPK_WITH_OPENCL";
}

hpk_status hpk_ctx_create(hpk_ctx **ctx, hpk_backend backend)
{
    if (!ctx)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "hpk_ctx_create: ctx is NULL");
    if (!backend_is_valid(backend))
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG,
                         "hpk_ctx_create: backend %d is not an hpk_backend value", (int)backend);
#ifdef HPK_HAVE_OPENCL
    if (backend == HPK_BACKEND_OPENCL)
        return hpk__cl_create(ctx, NULL, "hpk_ctx_create");
#endif
    const hpk__ops *ops = backend_ops(backend);
    if (!ops)
        return hpk__fail(NULL, HPK_ERR_UNSUPPORTED,
                         "hpk_ctx_create: the %s backend is not built into this library (configure with -D%s=ON)",
                         backend == HPK_BACKEND_OPENMP ? "OpenMP" : "OpenCL", backend_option(backend));
    hpk_ctx *c = hpk__ctx_alloc(backend, ops);
    if (!c)
        return hpk__fail(NULL, HPK_ERR_ALLOC, "hpk_ctx_create: out of memory");
    *ctx = c;
    return HPK_SUCCESS;
}

hpk_ctx *hpk__ctx_alloc(hpk_backend backend, const hpk__ops *ops)
{
    hpk_ctx *c = calloc(1, sizeof *c);
    if (c) {
        c->backend = backend;
        c->ops = ops;
    }
    return c;
}

void hpk_ctx_destroy(hpk_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->ops->destroy)
        ctx->ops->destroy(ctx);
    free(ctx);
}

hpk_status hpk_ctx_set_num_threads(hpk_ctx *ctx, int num_threads)
{
    ctx = hpk__resolve(ctx);
    if (num_threads < 0)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG,
                         "hpk_ctx_set_num_threads: num_threads is %d; use 0 for all available or a positive count",
                         num_threads);
    ctx->num_threads = num_threads;
    return HPK_SUCCESS;
}

int hpk_ctx_get_num_threads(const hpk_ctx *ctx)
{
    return hpk__resolve((hpk_ctx *)ctx)->num_threads;
}

hpk_status hpk_ctx_set_cpu_path(hpk_ctx *ctx, const char *path)
{
    ctx = hpk__resolve(ctx);
    if (!path)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "hpk_ctx_set_cpu_path: path is NULL");
    if (!hpk__cpu_path_known(path))
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "hpk_ctx_set_cpu_path: '%s' is not a code path (%s)", path,
                         hpk__cpu_path_names);
    const hpk__ops *ops = hpk__cpu_ops(ctx->backend, path);
    if (!ops)
        return hpk__fail(ctx, HPK_ERR_UNSUPPORTED,
                         "hpk_ctx_set_cpu_path: path '%s' is not available to this %s context on this CPU and build",
                         path, ctx->ops->name);
    ctx->ops = ops;
    return HPK_SUCCESS;
}

const char *hpk_ctx_get_cpu_path(const hpk_ctx *ctx)
{
    return hpk__resolve((hpk_ctx *)ctx)->ops->path;
}

hpk_backend hpk_ctx_get_backend(const hpk_ctx *ctx)
{
    return ctx ? ctx->backend : HPK__DEFAULT_BACKEND;
}

const char *hpk_ctx_error_message(const hpk_ctx *ctx)
{
    return ctx ? ctx->error : hpk__resolve(NULL)->error;
}
