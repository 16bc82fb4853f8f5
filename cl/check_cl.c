/* Checks only the hpk_cl_ entry points need, run after core/check.c's: the
 * context is an OpenCL one, and each buffer belongs to it and holds every
 * element the call addresses. */
#include "cl_backend.h"

#include <inttypes.h>

hpk_status hpk__cl_check_ctx(hpk_ctx *ctx, const char *fn)
{
    if (!ctx)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG,
                         "%s: ctx is NULL; the hpk_cl_ functions need an OpenCL context (hpk_ctx_create_cl)", fn);
    if (ctx->backend != HPK_BACKEND_OPENCL)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG,
                         "%s: ctx is a context of the %s backend; the hpk_cl_ functions need an OpenCL context "
                         "(hpk_ctx_create_cl)",
                         fn, ctx->ops->name);
    return HPK_SUCCESS;
}

hpk_status hpk__cl_check_buffer(hpk_ctx *ctx, const char *fn, const char *name, cl_mem mem, size_t offset,
                                int64_t extent, size_t elem_size)
{
    if (extent == 0)
        return HPK_SUCCESS;
    cl_context owner = NULL;
    size_t bytes = 0;
    cl_int err = clGetMemObjectInfo(mem, CL_MEM_CONTEXT, sizeof owner, &owner, NULL);
    if (err == CL_SUCCESS)
        err = clGetMemObjectInfo(mem, CL_MEM_SIZE, sizeof bytes, &bytes, NULL);
    if (err != CL_SUCCESS)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "%s: %s is not a valid cl_mem (%s)", fn, name,
                         hpk__cl_error_name(err));
    if (owner != hpk__cl(ctx)->context)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG,
                         "%s: %s belongs to another OpenCL context than ctx's (hpk_ctx_cl_context)", fn, name);
    size_t end, end_bytes;
    if (__builtin_add_overflow(offset, (size_t)extent, &end) ||
        __builtin_mul_overflow(end, elem_size, &end_bytes) || end > (size_t)INT64_MAX || end_bytes > bytes)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG,
                         "%s: %s holds %zu elements, but the call addresses elements %zu to %zu + %" PRId64 " - 1",
                         fn, name, bytes / elem_size, offset, offset, extent);
    return HPK_SUCCESS;
}
