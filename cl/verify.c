/* Verify mode (hpk_cl.h, "Verify mode"): each device call of a context with
 * the setting on is computed again by the serial CPU backend and compared
 * bit for bit.  Inputs in device buffers are read back for it; the time of
 * that and of the CPU's work is the profile's verify_s.  A difference
 * returns HPK_ERR_MISMATCH with the first differing element, both values in
 * hex, the device's output written all the same. */
#define _POSIX_C_SOURCE 200809L
#include "cl_backend.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the setting ------------------------------------------------------------ */

hpk_status hpk__cl_verify_env(const char *fn, hpk__cl_state *s)
{
    static const char *const on[] = {"1", "on", "yes", "true"}, *const off[] = {"0", "off", "no", "false"};
    s->fault = -1;
    const char *v = hpk__getenv("HPK_CL_VERIFY");
    if (!v || !v[0])
        return HPK_SUCCESS;
    for (int i = 0; i < 4; i++) {
        if (strcmp(v, on[i]) == 0)
            return s->verify = true, HPK_SUCCESS;
        if (strcmp(v, off[i]) == 0)
            return HPK_SUCCESS;
    }
    return hpk__fail(NULL, HPK_ERR_INVALID_ARG,
                     "%s: HPK_CL_VERIFY is \"%s\"; use 1, on, yes or true to verify, 0, off, no or false not to",
                     fn, v);
}

hpk_status hpk_ctx_set_verify(hpk_ctx *ctx, int on)
{
    hpk_status st = hpk__cl_check_ctx(ctx, "hpk_ctx_set_verify");
    if (st == HPK_SUCCESS)
        hpk__cl(ctx)->verify = on != 0;
    return st;
}

int hpk_ctx_get_verify(const hpk_ctx *ctx)
{
    return ctx && ctx->backend == HPK_BACKEND_OPENCL && hpk__cl(ctx)->verify;
}

void hpk__cl_set_fault(hpk_ctx *ctx, int64_t element)
{
    hpk__cl(ctx)->fault = element;
}

/* ---- time, the CPU, comparisons ------------------------------------------------ */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Adds the time since t0 to the call's verification time; returns st. */
static hpk_status timed(hpk_ctx *ctx, double t0, hpk_status st)
{
    hpk__cl(ctx)->verify_s += now() - t0;
    return st;
}

/* The serial backend, which does the CPU's half. */
static hpk_ctx cpu_context(void)
{
    return (hpk_ctx){.backend = HPK_BACKEND_SERIAL, .ops = hpk__cpu_ops(HPK_BACKEND_SERIAL, NULL)};
}

static hpk_status cpu_failed(hpk_ctx *ctx, const char *fn, hpk_status st, const hpk_ctx *cpu)
{
    return hpk__fail(ctx, st, "%s: verifying on the CPU: %s", fn, cpu->error);
}

static uint64_t bits_of(const void *v, bool f32)
{
    if (f32) {
        uint32_t b;
        memcpy(&b, v, sizeof b);
        return b;
    }
    uint64_t b;
    memcpy(&b, v, sizeof b);
    return b;
}

static bool is_nan(const void *v, bool f32)
{
    return f32 ? isnan(*(const float *)v) : isnan(*(const double *)v);
}

/* Bitwise equal, every NaN equal to every other (hpk.h: a NaN result's sign
 * and payload are not specified). */
static bool same(const void *dev, const void *cpu, bool f32)
{
    return bits_of(dev, f32) == bits_of(cpu, f32) || (is_nan(dev, f32) && is_nan(cpu, f32));
}

/* Flips the lowest bit of a value: the test hook's fault. */
static void perturb(void *v, bool f32)
{
    if (f32) {
        uint32_t b = (uint32_t)bits_of(v, true) ^ 1u;
        memcpy(v, &b, sizeof b);
    } else {
        uint64_t b = bits_of(v, false) ^ 1u;
        memcpy(v, &b, sizeof b);
    }
}

static hpk_status mismatch(hpk_ctx *ctx, const char *fn, const char *where, const void *dev, const void *cpu,
                           bool f32)
{
    const int digits = f32 ? 8 : 16;
    return hpk__fail(ctx, HPK_ERR_MISMATCH, "%s: device and CPU differ at %s: device 0x%0*" PRIx64 ", CPU 0x%0*" PRIx64,
                     fn, where, digits, bits_of(dev, f32), digits, bits_of(cpu, f32));
}

/* Reads `span` elements from element `offset` of a device buffer (what a
 * vector or matrix of the call addresses) into a new host buffer *host;
 * waits for the commands before it on the queue. */
static hpk_status fetch(hpk_ctx *ctx, const char *fn, const char *name, cl_mem mem, size_t offset, int64_t span,
                        size_t elem, void **host)
{
    const size_t bytes = (size_t)span * elem;
    if (!(*host = malloc(bytes ? bytes : 1)))
        return hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of host memory for verifying (%zu bytes of %s)", fn, bytes,
                         name);
    const cl_int err =
        bytes ? clEnqueueReadBuffer(hpk__cl(ctx)->queue, mem, CL_TRUE, offset * elem, bytes, *host, 0, NULL, NULL)
              : CL_SUCCESS;
    if (err != CL_SUCCESS) {
        free(*host);
        *host = NULL;
        return hpk__cl_fail(ctx, fn, name[0] == 'a' ? "reading a back to verify" : "reading a vector back to verify",
                            err);
    }
    return HPK_SUCCESS;
}

/* ---- reductions ------------------------------------------------------------------ */

bool hpk__cl_verifies_reduce(const hpk_ctx *ctx, hpk__reduce_op op, bool f32)
{
    const hpk__cl_state *s = hpk__cl(ctx);
    /* Float sums on a device without fp64 are not the CPU's bits (hpk_cl.h). */
    return s->verify && (op == HPK__OP_AMAX || !f32 || s->fp64);
}

/* The untimed part of hpk__cl_verify_reduce: host data. */
static hpk_status check_reduce(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, const void *x,
                               int64_t incx, const void *y, int64_t incy, void *dev)
{
    typedef union {
        double d;
        float s;
        int64_t i;
    } value;
    const bool amax = op == HPK__OP_AMAX;
    value got;
    if (amax)
        got.i = *(int64_t *)dev;
    else if (f32)
        got.s = (float)*(double *)dev; /* what the caller stores */
    else
        got.d = *(double *)dev;
    if (hpk__cl(ctx)->fault >= 0) {
        if (amax)
            *(int64_t *)dev = ++got.i;
        else
            perturb(&got, f32), *(double *)dev = f32 ? (double)got.s : got.d;
    }
    hpk_ctx cpu = cpu_context();
    value want;
    hpk_status st = hpk__ops_reduce(&cpu, op, f32, n, x, incx, y, incy, &want);
    if (st != HPK_SUCCESS)
        return cpu_failed(ctx, fn, st, &cpu);
    if (amax)
        return got.i == want.i ? HPK_SUCCESS
                               : hpk__fail(ctx, HPK_ERR_MISMATCH,
                                           "%s: device and CPU differ at the index: device %" PRId64 ", CPU %" PRId64,
                                           fn, got.i, want.i);
    return same(&got, &want, f32) ? HPK_SUCCESS : mismatch(ctx, fn, "the result", &got, &want, f32);
}

hpk_status hpk__cl_verify_reduce(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n,
                                 const void *x, int64_t incx, const void *y, int64_t incy, void *dev)
{
    const double t0 = now();
    return timed(ctx, t0, check_reduce(ctx, fn, op, f32, n, x, incx, y, incy, dev));
}

hpk_status hpk__cl_verify_reduce_mem(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n,
                                     cl_mem x, size_t x_offset, int64_t incx, cl_mem y, size_t y_offset,
                                     int64_t incy, void *dev)
{
    const double t0 = now();
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    void *hx = NULL, *hy = NULL;
    hpk_status st = fetch(ctx, fn, "x", x, x_offset, hpk__vector_span(n, incx), elem, &hx);
    if (st == HPK_SUCCESS && op == HPK__OP_DOT)
        st = fetch(ctx, fn, "y", y, y_offset, hpk__vector_span(n, incy), elem, &hy);
    if (st == HPK_SUCCESS)
        st = check_reduce(ctx, fn, op, f32, n, hx, incx, hy, incy, dev);
    free(hx);
    free(hy);
    return timed(ctx, t0, st);
}

/* ---- GEMV ----------------------------------------------------------------------- */

hpk_status hpk__cl_verify_gemv_save(hpk_ctx *ctx, const char *fn, bool f32, int64_t ylen, double beta,
                                    const void *y, int64_t incy, void **saved)
{
    const double t0 = now();
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    if (!(*saved = calloc((size_t)ylen, elem)))
        return timed(ctx, t0, hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of host memory for verifying (a copy of y)", fn));
    if (beta != 0.0) /* beta == 0 does not read y */
        for (int64_t i = 0; i < ylen; i++)
            memcpy((char *)*saved + (size_t)i * elem, (const char *)y + (size_t)hpk__vector_index(i, ylen, incy) * elem,
                   elem);
    return timed(ctx, t0, HPK_SUCCESS);
}

/* y (the device's, host memory) against the CPU's y computed into saved
 * (the original y, packed). */
static hpk_status check_gemv(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans,
                             int64_t m, int64_t n, double alpha, const void *a, int64_t lda, const void *x,
                             int64_t incx, double beta, const void *y, int64_t incy, void *saved)
{
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    const int64_t ylen = trans == HPK_NO_TRANS ? m : n;
    hpk_ctx cpu = cpu_context();
    hpk_status st = f32 ? cpu.ops->sgemv(&cpu, layout, trans, m, n, (float)alpha, a, lda, x, incx, (float)beta,
                                         saved, 1)
                        : cpu.ops->dgemv(&cpu, layout, trans, m, n, alpha, a, lda, x, incx, beta, saved, 1);
    if (st != HPK_SUCCESS)
        return cpu_failed(ctx, fn, st, &cpu);
    for (int64_t i = 0; i < ylen; i++) {
        const void *dev = (const char *)y + (size_t)hpk__vector_index(i, ylen, incy) * elem;
        const void *want = (const char *)saved + (size_t)i * elem;
        if (!same(dev, want, f32)) {
            char where[32];
            snprintf(where, sizeof where, "y[%" PRId64 "]", i);
            return mismatch(ctx, fn, where, dev, want, f32);
        }
    }
    return HPK_SUCCESS;
}

hpk_status hpk__cl_verify_gemv(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans,
                               int64_t m, int64_t n, double alpha, const void *a, int64_t lda, const void *x,
                               int64_t incx, double beta, void *y, int64_t incy, void *saved)
{
    const double t0 = now();
    const int64_t ylen = trans == HPK_NO_TRANS ? m : n, fault = hpk__cl(ctx)->fault;
    if (fault >= 0 && fault < ylen)
        perturb((char *)y + (size_t)hpk__vector_index(fault, ylen, incy) * (f32 ? sizeof(float) : sizeof(double)),
                f32);
    return timed(ctx, t0, check_gemv(ctx, fn, f32, layout, trans, m, n, alpha, a, lda, x, incx, beta, y, incy, saved));
}

hpk_status hpk__cl_verify_gemv_mem_save(hpk_ctx *ctx, const char *fn, bool f32, int64_t ylen, double beta, cl_mem y,
                                        size_t y_offset, int64_t incy, void **saved)
{
    *saved = NULL;
    if (beta == 0.0)
        return hpk__cl_verify_gemv_save(ctx, fn, f32, ylen, beta, NULL, incy, saved);
    const double t0 = now();
    void *hy;
    hpk_status st = fetch(ctx, fn, "y", y, y_offset, hpk__vector_span(ylen, incy), f32 ? sizeof(float) : sizeof(double),
                          &hy);
    timed(ctx, t0, st);
    if (st == HPK_SUCCESS)
        st = hpk__cl_verify_gemv_save(ctx, fn, f32, ylen, beta, hy, incy, saved);
    free(hy);
    return st;
}

/* The test hook's fault on the device: logical element `fault` of y. */
static hpk_status perturb_device(hpk_ctx *ctx, const char *fn, bool f32, cl_mem y, size_t offset)
{
    hpk__cl_state *s = hpk__cl(ctx);
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    double v;
    cl_int err = clEnqueueReadBuffer(s->queue, y, CL_TRUE, offset * elem, elem, &v, 0, NULL, NULL);
    if (err == CL_SUCCESS) {
        perturb(&v, f32);
        err = clEnqueueWriteBuffer(s->queue, y, CL_TRUE, offset * elem, elem, &v, 0, NULL, NULL);
    }
    return err == CL_SUCCESS ? HPK_SUCCESS : hpk__cl_fail(ctx, fn, "the test fault", err);
}

hpk_status hpk__cl_verify_gemv_mem(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans,
                                   int64_t m, int64_t n, double alpha, cl_mem a, size_t a_offset, int64_t lda,
                                   cl_mem x, size_t x_offset, int64_t incx, double beta, cl_mem y, size_t y_offset,
                                   int64_t incy, void *saved)
{
    hpk__cl_state *s = hpk__cl(ctx);
    cl_int err = clFinish(s->queue); /* the kernels' time is not verification time */
    if (err != CL_SUCCESS)
        return hpk__cl_fail(ctx, fn, "clFinish", err);
    const double t0 = now();
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    const bool row_major = layout == HPK_ROW_MAJOR, no_trans = trans == HPK_NO_TRANS;
    const int64_t len = row_major ? n : m, vecs = row_major ? m : n;
    const int64_t xlen = no_trans ? n : m, ylen = no_trans ? m : n;
    hpk_status st = HPK_SUCCESS;
    if (s->fault >= 0 && s->fault < ylen)
        st = perturb_device(ctx, fn, f32, y, y_offset + (size_t)hpk__vector_index(s->fault, ylen, incy));
    void *ha = NULL, *hx = NULL, *hy = NULL;
    double unread = 0.0; /* alpha == 0: A and x are not read (nor addressed: incx 1) */
    if (st == HPK_SUCCESS && alpha != 0.0)
        st = fetch(ctx, fn, "a", a, a_offset, (vecs - 1) * lda + len, elem, &ha);
    if (st == HPK_SUCCESS && alpha != 0.0)
        st = fetch(ctx, fn, "x", x, x_offset, hpk__vector_span(xlen, incx), elem, &hx);
    if (st == HPK_SUCCESS)
        st = fetch(ctx, fn, "y", y, y_offset, hpk__vector_span(ylen, incy), elem, &hy);
    if (st == HPK_SUCCESS)
        st = check_gemv(ctx, fn, f32, layout, trans, m, n, alpha, ha ? ha : &unread, lda, hx ? hx : &unread,
                        hx ? incx : 1, beta, hy, incy, saved);
    free(ha);
    free(hx);
    free(hy);
    return timed(ctx, t0, st);
}

/* ---- Monte Carlo pi ----------------------------------------------------------------- */

hpk_status hpk__cl_verify_mc_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *dev)
{
    static const char fn[] = "hpk_mc_pi";
    const double t0 = now();
    if (hpk__cl(ctx)->fault >= 0)
        perturb(&dev->estimate, false);
    hpk_ctx cpu = cpu_context();
    hpk_mc_result want;
    hpk_status st = cpu.ops->mc_pi(&cpu, samples, seed, &want);
    if (st != HPK_SUCCESS)
        st = cpu_failed(ctx, fn, st, &cpu);
    else if (!same(&dev->estimate, &want.estimate, false))
        st = mismatch(ctx, fn, "the estimate", &dev->estimate, &want.estimate, false);
    else if (!same(&dev->std_error, &want.std_error, false))
        st = mismatch(ctx, fn, "the standard error", &dev->std_error, &want.std_error, false);
    else if (dev->samples != want.samples)
        st = hpk__fail(ctx, HPK_ERR_MISMATCH, "%s: device and CPU differ at the sample count: device %" PRIu64
                       ", CPU %" PRIu64, fn, dev->samples, want.samples);
    return timed(ctx, t0, st);
}
