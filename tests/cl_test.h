/* Helpers shared by the tests of hpk_cl.h (test_cl_*.c): status and message
 * checks, buffers of a context, strided data of either precision, the
 * environment, long-double tolerances and profiles.  Header-only (static
 * functions), so that the test programs that export their symbols for
 * cl_counting.c export nothing of these. */
#ifndef HPK_TEST_CL_TEST_H
#define HPK_TEST_CL_TEST_H

#include "support.h"

#include <hpk/hpk_cl.h>

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The start of an OpenCL test program's main(): parses the backend argument,
 * which must be opencl; false (after saying why) otherwise. */
static inline bool cl_test_start(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return false;
    if (test_backend != HPK_BACKEND_OPENCL) {
        fprintf(stderr, "%s tests the OpenCL backend only\n", argv[0]);
        return false;
    }
    return true;
}

static inline void expect(hpk_status got, hpk_status want, const hpk_ctx *ctx, const char *what)
{
    if (got != want)
        fail_msg("%s returned %d (%s), expected %d (%s); message: \"%s\"", what, (int)got, hpk_status_string(got),
                 (int)want, hpk_status_string(want), hpk_ctx_error_message(ctx));
}

static inline void expect_message(const hpk_ctx *ctx, const char *part, const char *what)
{
    if (!strstr(hpk_ctx_error_message(ctx), part))
        fail_msg("%s: message \"%s\" does not mention \"%s\"", what, hpk_ctx_error_message(ctx), part);
}

static inline cl_mem buffer(hpk_ctx *ctx, size_t bytes, const void *init)
{
    cl_int err;
    cl_mem m = clCreateBuffer(hpk_ctx_cl_context(ctx), CL_MEM_READ_WRITE | (init ? CL_MEM_COPY_HOST_PTR : 0), bytes,
                              (void *)init, &err);
    if (err != CL_SUCCESS)
        fail_msg("clCreateBuffer(%zu bytes): %d", bytes, (int)err);
    return m;
}

static inline void read_back(hpk_ctx *ctx, cl_mem m, size_t bytes, void *out)
{
    const cl_int err = clEnqueueReadBuffer(hpk_ctx_cl_queue(ctx), m, CL_TRUE, 0, bytes, out, 0, NULL, NULL);
    if (err != CL_SUCCESS)
        fail_msg("clEnqueueReadBuffer: %d", (int)err);
}

static inline size_t elem_size(bool single)
{
    return single ? sizeof(float) : sizeof(double);
}

static inline void put(void *p, size_t i, bool single, double v)
{
    if (single)
        ((float *)p)[i] = (float)v;
    else
        ((double *)p)[i] = v;
}

static inline double get(const void *p, size_t i, bool single)
{
    return single ? ((const float *)p)[i] : ((const double *)p)[i];
}

static inline void poison_all(void *p, size_t n, bool single)
{
    if (single)
        test_poison_fill_s(p, n);
    else
        test_poison_fill_d(p, n);
}

/* n elements of poison, with `count` random values at the strided positions
 * of a vector starting at `offset`. */
static inline void *strided_data(size_t n, size_t offset, int64_t count, int64_t inc, bool single, double lo,
                                 double hi)
{
    void *p = test_alloc(n * elem_size(single));
    poison_all(p, n, single);
    for (int64_t i = 0; i < count; i++)
        put(p, offset + (size_t)test_index(i, count, inc), single, test_uniform(lo, hi));
    return p;
}

/* Sets or (value NULL) unsets an environment variable. */
static inline void set_env(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

/* |got - want| <= tol * scale, with a long double reference. */
static inline void expect_close(const char *what, double got, long double want, long double tol)
{
    if (!(fabsl((long double)got - want) <= tol))
        fail_msg("%s: got %.17g, reference %.17Lg, tolerance %.3Lg", what, got, want, tol);
}

/* The last call's profile, checked to be complete and non-negative. */
static inline hpk_profile profile_of(hpk_ctx *ctx)
{
    hpk_profile p = {-1, -1, -1, -1, -1};
    expect(hpk_ctx_last_profile(ctx, &p), HPK_SUCCESS, ctx, "hpk_ctx_last_profile");
    assert_true(p.upload_s >= 0 && p.kernel_s >= 0 && p.download_s >= 0 && p.build_s >= 0 && p.verify_s >= 0);
    return p;
}

#endif /* HPK_TEST_CL_TEST_H */
