/* Device memory: the scratch buffers every context allocates once (the
 * partial results grown when a reduction has more blocks), gemv's partial
 * sums and the host-pointer calls' device copies (made when a call first
 * needs them, grown when one needs more, reused otherwise) with their transfers.  Strided host vectors move with
 * rectangular copies, so elements between the strided ones are neither read
 * nor written; on the device they are packed (increment 1 or -1). */
#include "cl_backend.h"

#include <stdlib.h>

static cl_mem create_buffer(hpk_ctx *ctx, const char *fn, cl_mem_flags flags, size_t bytes, hpk_status *st)
{
    cl_int err;
    cl_mem mem = clCreateBuffer(hpk__cl(ctx)->context, flags, bytes, NULL, &err);
    *st = err == CL_SUCCESS ? HPK_SUCCESS : hpk__cl_fail(ctx, fn, "clCreateBuffer", err);
    return err == CL_SUCCESS ? mem : NULL;
}

hpk_status hpk__cl_buffers_create(hpk_ctx *ctx, const char *fn)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const size_t partial_bytes = s->tune.groups * HPK__CL_PARTIAL_BYTES;
    hpk_status st;
    s->partials = create_buffer(ctx, fn, CL_MEM_READ_WRITE, partial_bytes, &st);
    if (st == HPK_SUCCESS)
        s->bounds = create_buffer(ctx, fn, CL_MEM_READ_ONLY, 2 * HPK__CL_MAX_DIM * sizeof(double), &st);
    if (st == HPK_SUCCESS && !(s->host_partials = malloc(partial_bytes)))
        st = hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of memory", fn);
    if (st == HPK_SUCCESS)
        s->partials_bytes = partial_bytes;
    return st;
}

void hpk__cl_buffers_release(hpk__cl_state *s)
{
    cl_mem *all[] = {&s->partials, &s->split, &s->bounds, &s->stage[0], &s->stage[1], &s->stage[2]};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (*all[i]) {
            clReleaseMemObject(*all[i]);
            *all[i] = NULL;
        }
    free(s->host_partials);
    s->host_partials = NULL;
}

/* *mem with room for `bytes` (*have: its size): a larger buffer when it is
 * too small, the old one kept when the new one cannot be had. */
static hpk_status grow(hpk_ctx *ctx, const char *fn, cl_mem *mem, size_t *have, size_t bytes)
{
    if (*mem && bytes <= *have)
        return HPK_SUCCESS;
    hpk_status st;
    cl_mem bigger = create_buffer(ctx, fn, CL_MEM_READ_WRITE, bytes, &st);
    if (st != HPK_SUCCESS)
        return st;
    if (*mem)
        clReleaseMemObject(*mem);
    *mem = bigger;
    *have = bytes;
    return HPK_SUCCESS;
}

hpk_status hpk__cl_partials_room(hpk_ctx *ctx, const char *fn, size_t bytes)
{
    hpk__cl_state *s = hpk__cl(ctx);
    if (bytes <= s->partials_bytes)
        return HPK_SUCCESS;
    void *host = malloc(bytes);
    if (!host)
        return hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of memory for %zu bytes of partial results", fn, bytes);
    size_t have = s->partials_bytes;
    const hpk_status st = grow(ctx, fn, &s->partials, &have, bytes);
    if (st != HPK_SUCCESS) {
        free(host);
        return st;
    }
    free(s->host_partials);
    s->host_partials = host;
    s->partials_bytes = have;
    return HPK_SUCCESS;
}

hpk_status hpk__cl_split_room(hpk_ctx *ctx, const char *fn, size_t bytes)
{
    hpk__cl_state *s = hpk__cl(ctx);
    return grow(ctx, fn, &s->split, &s->split_bytes, bytes);
}

/* Stage buffer `slot` with room for `bytes`. */
static hpk_status stage_room(hpk_ctx *ctx, const char *fn, int slot, size_t bytes, cl_mem *out)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const hpk_status st = grow(ctx, fn, &s->stage[slot], &s->stage_bytes[slot], bytes);
    if (st == HPK_SUCCESS)
        *out = s->stage[slot];
    return st;
}

static int64_t magnitude(int64_t inc)
{
    return inc < 0 ? -inc : inc;
}

/* The packed device copy of a vector of n elements with increment inc. */
static hpk__cl_vec packed(cl_mem mem, int64_t n, int64_t inc)
{
    const int64_t step = inc < 0 ? -1 : 1;
    return (hpk__cl_vec){mem, hpk__vector_origin(n, step), step};
}

hpk_status hpk__cl_stage_alloc(hpk_ctx *ctx, const char *fn, int slot, int64_t n, int64_t inc, size_t elem_size,
                               hpk__cl_vec *out)
{
    cl_mem mem;
    hpk_status st = stage_room(ctx, fn, slot, (size_t)n * elem_size, &mem);
    if (st == HPK_SUCCESS)
        *out = packed(mem, n, inc);
    return st;
}

hpk_status hpk__cl_stage_vec(hpk_ctx *ctx, const char *fn, int slot, const void *x, int64_t n, int64_t inc,
                             size_t elem_size, hpk__cl_vec *out)
{
    hpk__cl_state *s = hpk__cl(ctx);
    cl_mem mem;
    hpk_status st = stage_room(ctx, fn, slot, (size_t)n * elem_size, &mem);
    if (st != HPK_SUCCESS)
        return st;
    cl_int err;
    if (magnitude(inc) == 1) {
        err = clEnqueueWriteBuffer(s->queue, mem, CL_TRUE, 0, (size_t)n * elem_size, x, 0, NULL,
                                   hpk__cl_event_slot(s, HPK__CL_UPLOAD));
    } else {
        const size_t origin[3] = {0, 0, 0}, region[3] = {elem_size, (size_t)n, 1};
        err = clEnqueueWriteBufferRect(s->queue, mem, CL_TRUE, origin, origin, region, elem_size, 0,
                                       (size_t)magnitude(inc) * elem_size, 0, x, 0, NULL,
                                       hpk__cl_event_slot(s, HPK__CL_UPLOAD));
    }
    if (err != CL_SUCCESS)
        return hpk__cl_fail(ctx, fn, "uploading a vector", err);
    *out = packed(mem, n, inc);
    return HPK_SUCCESS;
}

hpk_status hpk__cl_stage_matrix(hpk_ctx *ctx, const char *fn, int slot, const void *a, int64_t vecs, int64_t len,
                                int64_t lda, size_t elem_size, cl_mem *out)
{
    hpk__cl_state *s = hpk__cl(ctx);
    cl_mem mem;
    hpk_status st = stage_room(ctx, fn, slot, (size_t)vecs * (size_t)len * elem_size, &mem);
    if (st != HPK_SUCCESS)
        return st;
    cl_int err;
    if (lda == len) {
        err = clEnqueueWriteBuffer(s->queue, mem, CL_TRUE, 0, (size_t)vecs * (size_t)len * elem_size, a, 0, NULL,
                                   hpk__cl_event_slot(s, HPK__CL_UPLOAD));
    } else {
        const size_t origin[3] = {0, 0, 0}, region[3] = {(size_t)len * elem_size, (size_t)vecs, 1};
        err = clEnqueueWriteBufferRect(s->queue, mem, CL_TRUE, origin, origin, region, (size_t)len * elem_size, 0,
                                       (size_t)lda * elem_size, 0, a, 0, NULL,
                                       hpk__cl_event_slot(s, HPK__CL_UPLOAD));
    }
    if (err != CL_SUCCESS)
        return hpk__cl_fail(ctx, fn, "uploading the matrix", err);
    *out = mem;
    return HPK_SUCCESS;
}

hpk_status hpk__cl_stage_bytes(hpk_ctx *ctx, const char *fn, int slot, const void *host, size_t bytes, cl_mem *out)
{
    hpk__cl_state *s = hpk__cl(ctx);
    hpk_status st = stage_room(ctx, fn, slot, bytes, out);
    if (st != HPK_SUCCESS || !host)
        return st;
    const cl_int err = clEnqueueWriteBuffer(s->queue, *out, CL_TRUE, 0, bytes, host, 0, NULL,
                                            hpk__cl_event_slot(s, HPK__CL_UPLOAD));
    return err == CL_SUCCESS ? HPK_SUCCESS : hpk__cl_fail(ctx, fn, "uploading the batch's operands", err);
}

hpk_status hpk__cl_download_bytes(hpk_ctx *ctx, const char *fn, cl_mem mem, void *host, size_t bytes)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const cl_int err = clEnqueueReadBuffer(s->queue, mem, CL_TRUE, 0, bytes, host, 0, NULL,
                                           hpk__cl_event_slot(s, HPK__CL_DOWNLOAD));
    return err == CL_SUCCESS ? HPK_SUCCESS : hpk__cl_fail(ctx, fn, "downloading the batch's outputs", err);
}

hpk_status hpk__cl_download_vec(hpk_ctx *ctx, const char *fn, hpk__cl_vec v, void *x, int64_t n, int64_t inc,
                                size_t elem_size)
{
    hpk__cl_state *s = hpk__cl(ctx);
    cl_int err;
    if (magnitude(inc) == 1) {
        err = clEnqueueReadBuffer(s->queue, v.mem, CL_TRUE, 0, (size_t)n * elem_size, x, 0, NULL,
                                  hpk__cl_event_slot(s, HPK__CL_DOWNLOAD));
    } else {
        const size_t origin[3] = {0, 0, 0}, region[3] = {elem_size, (size_t)n, 1};
        err = clEnqueueReadBufferRect(s->queue, v.mem, CL_TRUE, origin, origin, region, elem_size, 0,
                                      (size_t)magnitude(inc) * elem_size, 0, x, 0, NULL,
                                      hpk__cl_event_slot(s, HPK__CL_DOWNLOAD));
    }
    if (err != CL_SUCCESS)
        return hpk__cl_fail(ctx, fn, "downloading y", err);
    return HPK_SUCCESS;
}
