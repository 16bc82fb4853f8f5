/* Tests of hpk_cl.h, the OpenCL device API:
 *   - device selection strings (good and bad), HPK_CL_DEVICE, HPK_CL_WGS,
 *     HPK_CL_KERNELS, and the OpenCL objects of a context;
 *   - the cl_mem entry points with offsets and negative increments: bitwise
 *     the host-pointer functions' results on the same context, nothing
 *     written outside y's strided elements, and run-to-run repetition;
 *   - bad input (NULL and foreign buffers, buffers too small, contexts that
 *     are not OpenCL ones), nothing written;
 *   - a device without fp64 (HPK_CL_NO_FP64): double calls refused, float
 *     calls still accurate;
 *   - hpk_ctx_last_profile;
 *   - no leaked OpenCL objects, no per-call buffers, no repeated builds
 *     (counted by cl_counting.c);
 *   - Monte Carlo: pi bitwise the serial backend's, hpk_cl_mc_integrate
 *     against hpk_mc_integrate with the same integrand written in C;
 *   - the kernel sources build on their own with their defaults. */
#define _POSIX_C_SOURCE 200809L
#include "cl_counting.h"
#include "support.h"

#include <hpk/hpk_cl.h>

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------- */

static void expect(hpk_status got, hpk_status want, const hpk_ctx *ctx, const char *what)
{
    if (got != want)
        fail_msg("%s returned %d (%s), expected %d (%s); message: \"%s\"", what, (int)got, hpk_status_string(got),
                 (int)want, hpk_status_string(want), hpk_ctx_error_message(ctx));
}

static void expect_message(const hpk_ctx *ctx, const char *part, const char *what)
{
    if (!strstr(hpk_ctx_error_message(ctx), part))
        fail_msg("%s: message \"%s\" does not mention \"%s\"", what, hpk_ctx_error_message(ctx), part);
}

static cl_mem buffer(hpk_ctx *ctx, size_t bytes, const void *init)
{
    cl_int err;
    cl_mem m = clCreateBuffer(hpk_ctx_cl_context(ctx), CL_MEM_READ_WRITE | (init ? CL_MEM_COPY_HOST_PTR : 0), bytes,
                              (void *)init, &err);
    if (err != CL_SUCCESS)
        fail_msg("clCreateBuffer(%zu bytes): %d", bytes, (int)err);
    return m;
}

static void read_back(hpk_ctx *ctx, cl_mem m, size_t bytes, void *out)
{
    const cl_int err = clEnqueueReadBuffer(hpk_ctx_cl_queue(ctx), m, CL_TRUE, 0, bytes, out, 0, NULL, NULL);
    if (err != CL_SUCCESS)
        fail_msg("clEnqueueReadBuffer: %d", (int)err);
}

static size_t elem_size(bool single)
{
    return single ? sizeof(float) : sizeof(double);
}

static size_t span(int64_t n, int64_t inc)
{
    return n == 0 ? 0 : (size_t)((n - 1) * (inc < 0 ? -inc : inc) + 1);
}

static bool is_strided(size_t k, int64_t n, int64_t inc)
{
    return k < span(n, inc) && k % (size_t)(inc < 0 ? -inc : inc) == 0;
}

static void put(void *p, size_t i, bool single, double v)
{
    if (single)
        ((float *)p)[i] = (float)v;
    else
        ((double *)p)[i] = v;
}

static double get(const void *p, size_t i, bool single)
{
    return single ? ((const float *)p)[i] : ((const double *)p)[i];
}

static void poison_all(void *p, size_t n, bool single)
{
    if (single)
        test_poison_fill_s(p, n);
    else
        test_poison_fill_d(p, n);
}

/* n elements of poison, with `count` random values at the strided positions
 * of a vector starting at `offset`. */
static void *strided_data(size_t n, size_t offset, int64_t count, int64_t inc, bool single, double lo, double hi)
{
    void *p = test_alloc(n * elem_size(single));
    poison_all(p, n, single);
    for (int64_t i = 0; i < count; i++)
        put(p, offset + (size_t)test_index(i, count, inc), single, test_uniform(lo, hi));
    return p;
}

/* Does any device of `type` exist? */
static bool device_of_type_exists(cl_device_type type)
{
    cl_platform_id platforms[16];
    cl_uint np = 0;
    if (clGetPlatformIDs(16, platforms, &np) != CL_SUCCESS)
        return false;
    for (cl_uint p = 0; p < np && p < 16; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(platforms[p], type, 0, NULL, &nd) == CL_SUCCESS && nd > 0)
            return true;
    }
    return false;
}

static void device_name(hpk_ctx *ctx, char *name, size_t size)
{
    assert_int_equal(clGetDeviceInfo(hpk_ctx_cl_device(ctx), CL_DEVICE_NAME, size, name, NULL), CL_SUCCESS);
}

/* Sets or (value NULL) unsets an environment variable. */
static void set_env(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

/* ---- device selection ------------------------------------------------------- */

static void expect_no_device(const char *spec)
{
    hpk_ctx *sentinel = (hpk_ctx *)&sentinel, *ctx = sentinel;
    char what[160];
    snprintf(what, sizeof what, "hpk_ctx_create_cl(\"%s\")", spec);
    expect(hpk_ctx_create_cl(&ctx, spec), HPK_ERR_NO_DEVICE, NULL, what);
    assert_ptr_equal(ctx, sentinel);
    expect_message(NULL, spec, what);
}

static void test_select_devices(void **state)
{
    (void)state;
    hpk_ctx *ctx = NULL, *other = NULL;
    expect(hpk_ctx_create_cl(&ctx, NULL), HPK_SUCCESS, NULL, "hpk_ctx_create_cl(NULL)");
    assert_int_equal(hpk_ctx_get_backend(ctx), HPK_BACKEND_OPENCL);

    /* "P:D" and part of the device's name in another case find it again. */
    expect(hpk_ctx_create_cl(&other, "0:0"), HPK_SUCCESS, NULL, "hpk_ctx_create_cl(\"0:0\")");
    hpk_ctx_destroy(other);
    char name[256], part[8] = {0};
    device_name(ctx, name, sizeof name);
    const size_t len = strlen(name);
    assert_true(len >= 1);
    const size_t at = len > 6 ? len / 3 : 0, take = len - at < 5 ? len - at : 5;
    for (size_t k = 0; k < take; k++) {
        const char c = name[at + k];
        part[k] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    expect(hpk_ctx_create_cl(&other, part), HPK_SUCCESS, NULL, part);
    char other_name[256];
    device_name(other, other_name, sizeof other_name);
    assert_string_equal(name, other_name);
    hpk_ctx_destroy(other);

    /* Device types: found when the machine has one. */
    static const struct {
        const char *spec;
        cl_device_type type;
    } types[] = {{"gpu", CL_DEVICE_TYPE_GPU}, {"CPU", CL_DEVICE_TYPE_CPU}, {"accelerator", CL_DEVICE_TYPE_ACCELERATOR}};
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        if (device_of_type_exists(types[k].type)) {
            other = NULL;
            expect(hpk_ctx_create_cl(&other, types[k].spec), HPK_SUCCESS, NULL, types[k].spec);
            cl_device_type got = 0;
            clGetDeviceInfo(hpk_ctx_cl_device(other), CL_DEVICE_TYPE, sizeof got, &got, NULL);
            assert_true(got & types[k].type);
            hpk_ctx_destroy(other);
        } else {
            expect_no_device(types[k].spec);
        }
    }

    expect_no_device("99:0");
    expect_no_device("0:99");
    expect_no_device("no such device, surely");
    expect_no_device("0:0x");
    expect_no_device(":1");
    expect(hpk_ctx_create_cl(NULL, NULL), HPK_ERR_INVALID_ARG, NULL, "hpk_ctx_create_cl(NULL ctx)");
    hpk_ctx_destroy(ctx);
}

static void test_device_from_environment(void **state)
{
    (void)state;
    const char *saved = getenv("HPK_CL_DEVICE");
    char *copy = saved ? strdup(saved) : NULL;
    hpk_ctx *sentinel = (hpk_ctx *)&sentinel, *ctx = sentinel;

    set_env("HPK_CL_DEVICE", "no such device, surely");
    expect(hpk_ctx_create(&ctx, HPK_BACKEND_OPENCL), HPK_ERR_NO_DEVICE, NULL, "hpk_ctx_create(OPENCL)");
    assert_ptr_equal(ctx, sentinel);
    expect_message(NULL, "HPK_CL_DEVICE", "hpk_ctx_create with a bad HPK_CL_DEVICE");
    expect(hpk_ctx_create_cl(&ctx, NULL), HPK_ERR_NO_DEVICE, NULL, "hpk_ctx_create_cl(NULL)");
    /* An explicit selection does not read the variable. */
    expect(hpk_ctx_create_cl(&ctx, "0:0"), HPK_SUCCESS, NULL, "hpk_ctx_create_cl(\"0:0\")");
    hpk_ctx_destroy(ctx);
    set_env("HPK_CL_DEVICE", "0:0");
    expect(hpk_ctx_create(&ctx, HPK_BACKEND_OPENCL), HPK_SUCCESS, NULL, "hpk_ctx_create with HPK_CL_DEVICE=0:0");
    hpk_ctx_destroy(ctx);
    set_env("HPK_CL_DEVICE", copy);
    free(copy);
}

static void test_tuning_from_environment(void **state)
{
    (void)state;
    const char *saved_wgs = getenv("HPK_CL_WGS"), *saved_kernels = getenv("HPK_CL_KERNELS");
    char *wgs = saved_wgs ? strdup(saved_wgs) : NULL, *kernels = saved_kernels ? strdup(saved_kernels) : NULL;
    static const char *const bad_wgs[] = {"0", "3", "12", "abc", "8x", "1048576"};
    for (size_t k = 0; k < sizeof bad_wgs / sizeof bad_wgs[0]; k++) {
        hpk_ctx *sentinel = (hpk_ctx *)&sentinel, *ctx = sentinel;
        set_env("HPK_CL_WGS", bad_wgs[k]);
        expect(hpk_ctx_create_cl(&ctx, NULL), HPK_ERR_INVALID_ARG, NULL, bad_wgs[k]);
        assert_ptr_equal(ctx, sentinel);
        expect_message(NULL, "HPK_CL_WGS", bad_wgs[k]);
    }
    set_env("HPK_CL_WGS", wgs);
    set_env("HPK_CL_KERNELS", "fpga");
    hpk_ctx *ctx = NULL;
    expect(hpk_ctx_create_cl(&ctx, NULL), HPK_ERR_INVALID_ARG, NULL, "HPK_CL_KERNELS=fpga");
    expect_message(NULL, "HPK_CL_KERNELS", "HPK_CL_KERNELS=fpga");

    /* Every family and a few group sizes compute the same sums. */
    static const char *const families[] = {"cpu", "gpu"};
    static const char *const sizes[] = {"1", "4", "32"};
    double x[1000], abs_sum = 0.0;
    int64_t first_max = -1; /* in logical order for increment -1 */
    for (int i = 0; i < 1000; i++) {
        x[i] = (i % 13) - 6.0; /* small integers: every order sums exactly */
        abs_sum += fabs(x[i]);
        if (fabs(x[i]) == 6.0)
            first_max = 999 - i;
    }
    for (size_t f = 0; f < 2; f++)
        for (size_t w = 0; w < 3; w++) {
            set_env("HPK_CL_KERNELS", families[f]);
            set_env("HPK_CL_WGS", sizes[w]);
            expect(hpk_ctx_create_cl(&ctx, NULL), HPK_SUCCESS, NULL, "hpk_ctx_create_cl with HPK_CL_WGS");
            double r = 0.0;
            int64_t i = -2;
            expect(hpk_dasum(ctx, 1000, x, 1, &r), HPK_SUCCESS, ctx, "hpk_dasum");
            assert_true(r == abs_sum);
            expect(hpk_idamax(ctx, 1000, x, -1, &i), HPK_SUCCESS, ctx, "hpk_idamax");
            assert_int_equal(i, first_max);
            hpk_ctx_destroy(ctx);
        }
    set_env("HPK_CL_WGS", wgs);
    set_env("HPK_CL_KERNELS", kernels);
    free(wgs);
    free(kernels);
}

static void test_context_objects(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    cl_context context = hpk_ctx_cl_context(ctx);
    cl_command_queue queue = hpk_ctx_cl_queue(ctx);
    cl_device_id device = hpk_ctx_cl_device(ctx);
    assert_non_null(context);
    assert_non_null(queue);
    assert_non_null(device);
    cl_context queue_context = NULL;
    cl_device_id queue_device = NULL;
    cl_command_queue_properties props = 0;
    assert_int_equal(clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof queue_context, &queue_context, NULL), 0);
    assert_int_equal(clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof queue_device, &queue_device, NULL), 0);
    assert_int_equal(clGetCommandQueueInfo(queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL), 0);
    assert_ptr_equal(queue_context, context);
    assert_ptr_equal(queue_device, device);
    assert_true(props & CL_QUEUE_PROFILING_ENABLE);
    assert_false(props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);

    hpk_ctx *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    assert_null(hpk_ctx_cl_context(serial));
    assert_null(hpk_ctx_cl_queue(serial));
    assert_null(hpk_ctx_cl_device(serial));
    assert_null(hpk_ctx_cl_context(NULL));
    assert_null(hpk_ctx_cl_queue(NULL));
    assert_null(hpk_ctx_cl_device(NULL));
    hpk_ctx_destroy(serial);
    hpk_ctx_destroy(ctx);
}

/* ---- cl_mem GEMV -------------------------------------------------------------- */

typedef struct gemv_call {
    bool single;
    hpk_layout layout;
    hpk_transpose trans;
    int64_t m, n, lda, incx, incy;
    double alpha, beta;
} gemv_call;

static hpk_status device_gemv(hpk_ctx *ctx, const gemv_call *c, cl_mem a, size_t a_off, cl_mem x, size_t x_off,
                              cl_mem y, size_t y_off)
{
    if (c->single)
        return hpk_cl_sgemv(ctx, c->layout, c->trans, c->m, c->n, (float)c->alpha, a, a_off, c->lda, x, x_off,
                            c->incx, (float)c->beta, y, y_off, c->incy);
    return hpk_cl_dgemv(ctx, c->layout, c->trans, c->m, c->n, c->alpha, a, a_off, c->lda, x, x_off, c->incx,
                        c->beta, y, y_off, c->incy);
}

static hpk_status host_gemv(hpk_ctx *ctx, const gemv_call *c, const void *a, const void *x, void *y)
{
    if (c->single)
        return hpk_sgemv(ctx, c->layout, c->trans, c->m, c->n, (float)c->alpha, a, c->lda, x, c->incx,
                         (float)c->beta, y, c->incy);
    return hpk_dgemv(ctx, c->layout, c->trans, c->m, c->n, c->alpha, a, c->lda, x, c->incx, c->beta, y, c->incy);
}

static const char *describe_gemv(const gemv_call *c)
{
    static char buf[200];
    snprintf(buf, sizeof buf, "hpk_cl_%cgemv(%s, %s, m=%" PRId64 ", n=%" PRId64 ", incx=%" PRId64 ", incy=%" PRId64
             ", alpha=%g, beta=%g)",
             c->single ? 's' : 'd', c->layout == HPK_ROW_MAJOR ? "row" : "col", c->trans == HPK_NO_TRANS ? "N" : "T",
             c->m, c->n, c->incx, c->incy, c->alpha, c->beta);
    return buf;
}

/* The device call on buffers with data at offsets, against the host-pointer
 * call on the same context: the same bits in y, poison everywhere else. */
static void check_device_gemv(hpk_ctx *ctx, const gemv_call *c, bool nan_a_x)
{
    enum { A_OFF = 5, X_OFF = 3, Y_OFF = 7, PAD = 4 };
    const bool single = c->single, row = c->layout == HPK_ROW_MAJOR, no_trans = c->trans == HPK_NO_TRANS;
    const size_t es = elem_size(single);
    const int64_t len = row ? c->n : c->m, vecs = row ? c->m : c->n;
    const int64_t xlen = no_trans ? c->n : c->m, ylen = no_trans ? c->m : c->n;
    const size_t na = (size_t)(vecs * c->lda), nx = span(xlen, c->incx), ny = span(ylen, c->incy);
    const size_t ta = A_OFF + na + PAD, tx = X_OFF + nx + PAD, ty = Y_OFF + ny + PAD;

    void *a = test_alloc(ta * es), *x = strided_data(tx, X_OFF, xlen, c->incx, single, -1, 1);
    void *y = strided_data(ty, Y_OFF, ylen, c->incy, single, -1, 1);
    poison_all(a, ta, single);
    for (int64_t v = 0; v < vecs; v++)
        for (int64_t e = 0; e < len; e++)
            put(a, A_OFF + (size_t)(v * c->lda + e), single, nan_a_x ? NAN : test_uniform(-1, 1));
    if (nan_a_x)
        for (int64_t i = 0; i < xlen; i++)
            put(x, X_OFF + (size_t)test_index(i, xlen, c->incx), single, NAN);

    cl_mem da = buffer(ctx, ta * es, a), dx = buffer(ctx, tx * es, x), dy = buffer(ctx, ty * es, y);
    expect(device_gemv(ctx, c, da, A_OFF, dx, X_OFF, dy, Y_OFF), HPK_SUCCESS, ctx, describe_gemv(c));
    void *got = test_alloc(ty * es);
    read_back(ctx, dy, ty * es, got); /* in-order queue: after the kernels */

    void *want = test_alloc(ty * es);
    memcpy(want, y, ty * es);
    expect(host_gemv(ctx, c, (char *)a + A_OFF * es, (char *)x + X_OFF * es, (char *)want + Y_OFF * es),
           HPK_SUCCESS, ctx, "the host-pointer call");
    for (size_t k = 0; k < ty; k++)
        if (memcmp((char *)got + k * es, (char *)want + k * es, es) != 0)
            fail_msg("%s: y buffer element %zu (data start %d) is %.17g, the host-pointer call gives %.17g",
                     describe_gemv(c), k, Y_OFF, get(got, k, single), get(want, k, single));
    for (size_t k = 0; k < ty; k++) {
        const bool written = k >= Y_OFF && is_strided(k - Y_OFF, ylen, c->incy);
        if (!written && !(single ? test_is_poison_s(((float *)got)[k]) : test_is_poison_d(((double *)got)[k])))
            fail_msg("%s: wrote y buffer element %zu, outside y", describe_gemv(c), k);
        if (written && !isfinite(get(got, k, single)))
            fail_msg("%s: y buffer element %zu is %g", describe_gemv(c), k, get(got, k, single));
    }

    /* The same call again gives the same bits. */
    cl_mem dy2 = buffer(ctx, ty * es, y);
    expect(device_gemv(ctx, c, da, A_OFF, dx, X_OFF, dy2, Y_OFF), HPK_SUCCESS, ctx, describe_gemv(c));
    read_back(ctx, dy2, ty * es, want);
    if (memcmp(got, want, ty * es) != 0)
        fail_msg("%s: a second run gives other bits", describe_gemv(c));

    clReleaseMemObject(da);
    clReleaseMemObject(dx);
    clReleaseMemObject(dy);
    clReleaseMemObject(dy2);
    free(a);
    free(x);
    free(y);
    free(got);
    free(want);
}

static void device_gemv_matrix(bool single)
{
    static const int64_t shapes[][2] = {{7, 5}, {33, 130}, {1000, 517}, {3, 5000}, {5000, 3}};
    static const int64_t incs[][2] = {{1, 1}, {-2, 3}, {3, -1}};
    static const double scalars[][2] = {{1.5, -0.75}, {-0.5, 0.0}};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(single ? 72 : 71);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int v = 0; v < 4; v++)
            for (size_t i = 0; i < sizeof incs / sizeof incs[0]; i++)
                for (size_t k = 0; k < 2; k++) {
                    gemv_call c = {single, (v & 1) ? HPK_COL_MAJOR : HPK_ROW_MAJOR, (v & 2) ? HPK_TRANS : HPK_NO_TRANS,
                                   shapes[s][0], shapes[s][1], 0, incs[i][0], incs[i][1], scalars[k][0],
                                   scalars[k][1]};
                    c.lda = (c.layout == HPK_ROW_MAJOR ? c.n : c.m) + 2;
                    check_device_gemv(ctx, &c, false);
                }
    /* alpha == 0 reads neither A nor x (all NaN here); beta == 0 overwrites. */
    for (int v = 0; v < 4; v++)
        for (size_t k = 0; k < 2; k++) {
            gemv_call c = {single, (v & 1) ? HPK_COL_MAJOR : HPK_ROW_MAJOR, (v & 2) ? HPK_TRANS : HPK_NO_TRANS,
                           33, 17, 0, -2, 3, 0.0, k ? 0.0 : -0.75};
            c.lda = (c.layout == HPK_ROW_MAJOR ? c.n : c.m) + 1;
            check_device_gemv(ctx, &c, true);
        }
    hpk_ctx_destroy(ctx);
}

static void test_device_dgemv(void **state)
{
    (void)state;
    device_gemv_matrix(false);
}

static void test_device_sgemv(void **state)
{
    (void)state;
    device_gemv_matrix(true);
}

/* ---- cl_mem reductions ---------------------------------------------------------- */

typedef enum op { SUM, ASUM, DOT, NRM2, AMAX, OP_COUNT } op;
static const char *const op_names[OP_COUNT] = {"sum", "asum", "dot", "nrm2", "amax"};

typedef struct outcome {
    hpk_status status;
    double value; /* float results widened */
    int64_t index;
} outcome;

static outcome device_reduce(hpk_ctx *ctx, op o, bool single, int64_t n, cl_mem x, size_t xo, int64_t incx, cl_mem y,
                             size_t yo, int64_t incy)
{
    outcome r = {HPK_SUCCESS, NAN, -7};
    double d = NAN;
    float s = NAN;
    switch (o) {
    case SUM: r.status = single ? hpk_cl_ssum(ctx, n, x, xo, incx, &s) : hpk_cl_dsum(ctx, n, x, xo, incx, &d); break;
    case ASUM: r.status = single ? hpk_cl_sasum(ctx, n, x, xo, incx, &s) : hpk_cl_dasum(ctx, n, x, xo, incx, &d); break;
    case NRM2: r.status = single ? hpk_cl_snrm2(ctx, n, x, xo, incx, &s) : hpk_cl_dnrm2(ctx, n, x, xo, incx, &d); break;
    case DOT:
        r.status = single ? hpk_cl_sdot(ctx, n, x, xo, incx, y, yo, incy, &s)
                          : hpk_cl_ddot(ctx, n, x, xo, incx, y, yo, incy, &d);
        break;
    case AMAX:
        r.status = single ? hpk_cl_isamax(ctx, n, x, xo, incx, &r.index) : hpk_cl_idamax(ctx, n, x, xo, incx, &r.index);
        break;
    case OP_COUNT: break;
    }
    r.value = single ? (double)s : d;
    return r;
}

static outcome host_reduce(hpk_ctx *ctx, op o, bool single, int64_t n, const void *x, int64_t incx, const void *y,
                           int64_t incy)
{
    outcome r = {HPK_SUCCESS, NAN, -7};
    double d = NAN;
    float s = NAN;
    switch (o) {
    case SUM: r.status = single ? hpk_ssum(ctx, n, x, incx, &s) : hpk_dsum(ctx, n, x, incx, &d); break;
    case ASUM: r.status = single ? hpk_sasum(ctx, n, x, incx, &s) : hpk_dasum(ctx, n, x, incx, &d); break;
    case NRM2: r.status = single ? hpk_snrm2(ctx, n, x, incx, &s) : hpk_dnrm2(ctx, n, x, incx, &d); break;
    case DOT: r.status = single ? hpk_sdot(ctx, n, x, incx, y, incy, &s) : hpk_ddot(ctx, n, x, incx, y, incy, &d); break;
    case AMAX: r.status = single ? hpk_isamax(ctx, n, x, incx, &r.index) : hpk_idamax(ctx, n, x, incx, &r.index); break;
    case OP_COUNT: break;
    }
    r.value = single ? (double)s : d;
    return r;
}

static bool same(op o, const outcome *a, const outcome *b)
{
    return o == AMAX ? a->index == b->index : memcmp(&a->value, &b->value, sizeof a->value) == 0;
}

static void test_device_reductions(void **state)
{
    (void)state;
    static const struct {
        int64_t n, incx, incy;
        size_t xo, yo;
    } cases[] = {{1, 1, 1, 0, 0},         {2, -1, 2, 1, 0},          {1000, -3, 1, 5, 2},
                 {4097, 2, -2, 0, 7},     {3 * 4096 + 7, -1, -1, 3, 1}, {100003, 1, 1, 1, 0},
                 {100003, 1, -1, 0, 4}};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(81);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int single = 0; single <= 1; single++) {
            const size_t es = elem_size(single);
            const int64_t n = cases[k].n;
            const size_t tx = cases[k].xo + span(n, cases[k].incx) + 2, ty = cases[k].yo + span(n, cases[k].incy) + 2;
            void *x = strided_data(tx, cases[k].xo, n, cases[k].incx, single, -1, 2);
            void *y = strided_data(ty, cases[k].yo, n, cases[k].incy, single, -2, 1);
            put(x, cases[k].xo + (size_t)test_index(n / 2, n, cases[k].incx), single, 7.0); /* a clear maximum */
            cl_mem dx = buffer(ctx, tx * es, x), dy = buffer(ctx, ty * es, y);
            for (int o = 0; o < OP_COUNT; o++) {
                const outcome want = host_reduce(ctx, o, single, n, (char *)x + cases[k].xo * es, cases[k].incx,
                                                 (char *)y + cases[k].yo * es, cases[k].incy);
                const outcome got =
                    device_reduce(ctx, o, single, n, dx, cases[k].xo, cases[k].incx, dy, cases[k].yo, cases[k].incy);
                const outcome again =
                    device_reduce(ctx, o, single, n, dx, cases[k].xo, cases[k].incx, dy, cases[k].yo, cases[k].incy);
                expect(want.status, HPK_SUCCESS, ctx, "host-pointer reduction");
                expect(got.status, HPK_SUCCESS, ctx, "cl_mem reduction");
                if (!same(o, &got, &want) || !same(o, &again, &got))
                    fail_msg("hpk_cl_%c%s(n = %" PRId64 ", offset %zu, incx %" PRId64 "): %.17g / index %" PRId64
                             " (again: %.17g / %" PRId64 "), the host-pointer call gives %.17g / %" PRId64,
                             single ? 's' : 'd', op_names[o], n, cases[k].xo, cases[k].incx, got.value, got.index,
                             again.value, again.index, want.value, want.index);
                if (o == AMAX && got.index != n / 2)
                    fail_msg("i%camax: index %" PRId64 ", expected %" PRId64, single ? 's' : 'd', got.index, n / 2);
            }
            clReleaseMemObject(dx);
            clReleaseMemObject(dy);
            free(x);
            free(y);
        }

    /* n == 0: 0 and -1, NULL buffers allowed. */
    for (int single = 0; single <= 1; single++)
        for (int o = 0; o < OP_COUNT; o++) {
            const outcome r = device_reduce(ctx, o, single, 0, NULL, 0, 1, NULL, 0, 1);
            expect(r.status, HPK_SUCCESS, ctx, "a reduction with n == 0");
            assert_true(o == AMAX ? r.index == -1 : r.value == 0.0);
        }
    hpk_ctx_destroy(ctx);
}

/* ---- bad input -------------------------------------------------------------------- */

static void test_device_bad_input(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0), *other = test_ctx(0), *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    double data[16];
    for (int i = 0; i < 16; i++)
        data[i] = i + 1.0;
    cl_mem x = buffer(ctx, sizeof data, data), y = buffer(ctx, sizeof data, data);
    cl_mem foreign = buffer(other, sizeof data, data);
    double r = -1.0;
    int64_t index = -5;

    static const struct {
        const char *why, *word;
        int64_t n, incx;
        size_t offset;
        int buf; /* 0: x, 1: NULL, 2: foreign */
        bool null_result;
    } cases[] = {
        {"n < 0", "n is", -1, 1, 0, 0, false},
        {"incx == 0", "increment", 4, 0, 0, 0, false},
        {"NULL buffer", "NULL", 4, 1, 0, 1, false},
        {"NULL result", "result", 4, 1, 0, 0, true},
        {"buffer too small", "holds 16", 17, 1, 0, 0, false},
        {"offset and n too large", "holds 16", 7, 1, 10, 0, false},
        {"stride too large", "holds 16", 9, -2, 0, 0, false},
        {"offset beyond everything", "holds 16", 1, 1, SIZE_MAX, 0, false},
        {"buffer of another context", "another OpenCL context", 4, 1, 0, 2, false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cl_mem b = cases[k].buf == 0 ? x : cases[k].buf == 1 ? NULL : foreign;
        expect(hpk_cl_dsum(ctx, cases[k].n, b, cases[k].offset, cases[k].incx, cases[k].null_result ? NULL : &r),
               HPK_ERR_INVALID_ARG, ctx, cases[k].why);
        expect_message(ctx, cases[k].word, cases[k].why);
        expect(hpk_cl_idamax(ctx, cases[k].n, b, cases[k].offset, cases[k].incx, cases[k].null_result ? NULL : &index),
               HPK_ERR_INVALID_ARG, ctx, cases[k].why);
        expect(hpk_cl_ddot(ctx, cases[k].n, x, 0, 1, b, cases[k].offset, cases[k].incx, cases[k].null_result ? NULL : &r),
               HPK_ERR_INVALID_ARG, ctx, cases[k].why);
        assert_true(r == -1.0 && index == -5);
    }

    /* Contexts that are not OpenCL ones. */
    expect(hpk_cl_dsum(NULL, 4, x, 0, 1, &r), HPK_ERR_INVALID_ARG, NULL, "hpk_cl_dsum(NULL ctx)");
    expect_message(NULL, "OpenCL context", "hpk_cl_dsum(NULL ctx)");
    expect(hpk_cl_dsum(serial, 4, x, 0, 1, &r), HPK_ERR_INVALID_ARG, serial, "hpk_cl_dsum(serial ctx)");
    expect_message(serial, "OpenCL context", "hpk_cl_dsum(serial ctx)");
    const double lo[1] = {0.0}, hi[1] = {1.0};
    hpk_mc_result mr = {-1.0, -1.0, 9};
    expect(hpk_cl_mc_integrate(serial, "x", 1, lo, hi, 10, 1, &mr), HPK_ERR_INVALID_ARG, serial, "mc on serial");
    hpk_profile prof;
    expect(hpk_ctx_last_profile(serial, &prof), HPK_ERR_INVALID_ARG, serial, "hpk_ctx_last_profile(serial)");
    expect(hpk_ctx_last_profile(NULL, &prof), HPK_ERR_INVALID_ARG, NULL, "hpk_ctx_last_profile(NULL)");
    expect(hpk_ctx_last_profile(ctx, NULL), HPK_ERR_INVALID_ARG, ctx, "hpk_ctx_last_profile(profile NULL)");
    assert_true(r == -1.0 && mr.estimate == -1.0 && mr.samples == 9);

    /* GEMV: each bad argument leaves y as it was. */
    cl_mem a = buffer(ctx, sizeof data, data);
    static const struct {
        const char *why;
        hpk_layout layout;
        int64_t m, n, lda;
        int a_buf, x_buf, y_buf; /* 0: own, 1: NULL, 2: foreign */
    } gemv_cases[] = {
        {"bad layout", (hpk_layout)7, 2, 2, 2, 0, 0, 0},  {"lda < n", HPK_ROW_MAJOR, 2, 3, 2, 0, 0, 0},
        {"a too small", HPK_ROW_MAJOR, 4, 5, 5, 0, 0, 0}, {"a NULL", HPK_ROW_MAJOR, 2, 2, 2, 1, 0, 0},
        {"x NULL", HPK_ROW_MAJOR, 2, 2, 2, 0, 1, 0},      {"y NULL", HPK_COL_MAJOR, 2, 2, 2, 0, 0, 1},
        {"y foreign", HPK_COL_MAJOR, 2, 2, 2, 0, 0, 2},
    };
    for (size_t k = 0; k < sizeof gemv_cases / sizeof gemv_cases[0]; k++) {
        cl_mem bufs[3][3] = {{a, NULL, foreign}, {x, NULL, foreign}, {y, NULL, foreign}};
        const hpk_status st = hpk_cl_dgemv(ctx, gemv_cases[k].layout, HPK_NO_TRANS, gemv_cases[k].m, gemv_cases[k].n,
                                           1.0, bufs[0][gemv_cases[k].a_buf], 0, gemv_cases[k].lda,
                                           bufs[1][gemv_cases[k].x_buf], 0, 1, 0.0, bufs[2][gemv_cases[k].y_buf], 0, 1);
        expect(st, HPK_ERR_INVALID_ARG, ctx, gemv_cases[k].why);
        double now[16];
        read_back(ctx, y, sizeof now, now);
        assert_memory_equal(now, data, sizeof data);
    }
    /* Empty sizes touch nothing, even NULL buffers. */
    expect(hpk_cl_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 0, 5, 1.0, NULL, 0, 5, NULL, 0, 1, 0.0, NULL, 0, 1),
           HPK_SUCCESS, ctx, "hpk_cl_dgemv with m == 0");
    expect(hpk_cl_sgemv(ctx, HPK_COL_MAJOR, HPK_TRANS, 5, 0, 1.0f, NULL, 0, 5, NULL, 0, 1, 0.0f, NULL, 0, 1),
           HPK_SUCCESS, ctx, "hpk_cl_sgemv with n == 0");

    clReleaseMemObject(a);
    clReleaseMemObject(x);
    clReleaseMemObject(y);
    clReleaseMemObject(foreign);
    hpk_ctx_destroy(serial);
    hpk_ctx_destroy(other);
    hpk_ctx_destroy(ctx);
}

/* ---- a device without fp64 -------------------------------------------------------- */

/* |got - want| <= tol * scale, with a long double reference. */
static void expect_close(const char *what, double got, long double want, long double tol)
{
    if (!(fabsl((long double)got - want) <= tol))
        fail_msg("%s: got %.17g, reference %.17Lg, tolerance %.3Lg", what, got, want, tol);
}

static void test_without_fp64(void **state)
{
    (void)state;
    const char *saved = getenv("HPK_CL_NO_FP64");
    char *copy = saved ? strdup(saved) : NULL;
    set_env("HPK_CL_NO_FP64", "1");
    hpk_ctx *ctx = test_ctx(0);
    set_env("HPK_CL_NO_FP64", copy);
    free(copy);

    /* Double precision is refused, with nothing written. */
    double d[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r = -1.0;
    int64_t index = -5;
    expect(hpk_ddot(ctx, 8, d, 1, d, 1, &r), HPK_ERR_UNSUPPORTED, ctx, "hpk_ddot without fp64");
    expect_message(ctx, "HPK_CL_NO_FP64", "hpk_ddot without fp64");
    expect(hpk_idamax(ctx, 8, d, 1, &index), HPK_ERR_UNSUPPORTED, ctx, "hpk_idamax without fp64");
    expect(hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0, d, 2, d, 1, 0.0, d + 4, 1), HPK_ERR_UNSUPPORTED, ctx,
           "hpk_dgemv without fp64");
    assert_true(r == -1.0 && index == -5 && d[4] == 5.0);
    cl_mem dd = buffer(ctx, sizeof d, d);
    expect(hpk_cl_dnrm2(ctx, 8, dd, 0, 1, &r), HPK_ERR_UNSUPPORTED, ctx, "hpk_cl_dnrm2 without fp64");
    expect(hpk_cl_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0, dd, 0, 2, dd, 0, 1, 0.0, dd, 4, 1),
           HPK_ERR_UNSUPPORTED, ctx, "hpk_cl_dgemv without fp64");
    const double lo[2] = {0, 0}, hi[2] = {1, 1};
    hpk_mc_result mr = {-1.0, -1.0, 3};
    expect(hpk_cl_mc_integrate(ctx, "double hpk_integrand(const double *p, int d) { return p[0]; }", 2, lo, hi, 10, 1,
                               &mr),
           HPK_ERR_UNSUPPORTED, ctx, "hpk_cl_mc_integrate without fp64");
    assert_true(r == -1.0 && mr.estimate == -1.0);
    clReleaseMemObject(dd);

    /* float still works, and as accurately: sums are compensated pairs. */
    const int64_t n = 100003;
    float *x = test_alloc((size_t)n * 3 * sizeof *x), *y = test_alloc((size_t)n * sizeof *y);
    test_seed(91);
    test_fill_s(x, (size_t)n * 3, -1.0f, 2.0f);
    test_fill_s(y, (size_t)n, -2.0f, 1.0f);
    long double sum = 0, asum = 0, dot = 0, sq = 0, scale_dot = 0;
    for (int64_t i = 0; i < n; i++) {
        const long double xi = x[(size_t)i * 3];
        sum += xi;
        asum += fabsl(xi);
        dot += xi * y[n - 1 - i];
        scale_dot += fabsl(xi * y[n - 1 - i]);
        sq += xi * xi;
    }
    const long double tol_rel = 1e-7L; /* a float ulp of the result, plus the sums' own error */
    float s = 0;
    int64_t at = -1;
    expect(hpk_ssum(ctx, n, x, 3, &s), HPK_SUCCESS, ctx, "hpk_ssum");
    expect_close("hpk_ssum without fp64", s, sum, tol_rel * asum);
    expect(hpk_sasum(ctx, n, x, 3, &s), HPK_SUCCESS, ctx, "hpk_sasum");
    expect_close("hpk_sasum without fp64", s, asum, tol_rel * asum);
    expect(hpk_sdot(ctx, n, x, 3, y, -1, &s), HPK_SUCCESS, ctx, "hpk_sdot");
    expect_close("hpk_sdot without fp64", s, dot, tol_rel * scale_dot);
    expect(hpk_snrm2(ctx, n, x, 3, &s), HPK_SUCCESS, ctx, "hpk_snrm2");
    expect_close("hpk_snrm2 without fp64", s, sqrtl(sq), tol_rel * sqrtl(sq));
    x[3 * 777] = 9.0f;
    expect(hpk_isamax(ctx, n, x, 3, &at), HPK_SUCCESS, ctx, "hpk_isamax");
    assert_int_equal(at, 777);

    /* One, then many values below a quarter of its float ulp: a float running
     * sum would drop them all. */
    x[0] = 1.0f;
    for (int64_t i = 1; i < n; i++)
        x[i] = 0x1p-26f;
    expect(hpk_ssum(ctx, n, x, 1, &s), HPK_SUCCESS, ctx, "hpk_ssum");
    expect_close("hpk_ssum of 1 and tiny values without fp64", s, 1.0L + (n - 1) * 0x1p-26L, 0x1p-24L);

    /* nrm2 neither overflows nor underflows in float. */
    for (int e = 0; e < 2; e++) {
        const float big = e ? 1e30f : 1e-30f;
        for (int64_t i = 0; i < 1000; i++)
            x[i] = i % 2 ? big : -big;
        expect(hpk_snrm2(ctx, 1000, x, 1, &s), HPK_SUCCESS, ctx, "hpk_snrm2");
        expect_close("hpk_snrm2 of extremes without fp64", s, (long double)big * sqrtl(1000.0L),
                     1e-6L * big * sqrtl(1000.0L));
    }

    /* sgemv and Monte Carlo pi. */
    float a[6] = {1, 2, 3, 4, 5, 6}, xv[3] = {1, -1, 2}, yv[2] = {1, 3};
    expect(hpk_sgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 3, 2.0f, a, 3, xv, 1, -1.0f, yv, 1), HPK_SUCCESS, ctx,
           "hpk_sgemv");
    assert_true(yv[0] == 9.0f && yv[1] == 19.0f);
    hpk_ctx *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    hpk_mc_result want, got;
    expect(hpk_mc_pi(serial, 123457, 5, &want), HPK_SUCCESS, serial, "hpk_mc_pi serial");
    expect(hpk_mc_pi(ctx, 123457, 5, &got), HPK_SUCCESS, ctx, "hpk_mc_pi without fp64");
    assert_memory_equal(&got, &want, sizeof got);
    hpk_ctx_destroy(serial);
    free(x);
    free(y);
    hpk_ctx_destroy(ctx);
}

/* ---- profiles ------------------------------------------------------------------------ */

static hpk_profile profile_of(hpk_ctx *ctx)
{
    hpk_profile p = {-1, -1, -1, -1};
    expect(hpk_ctx_last_profile(ctx, &p), HPK_SUCCESS, ctx, "hpk_ctx_last_profile");
    assert_true(p.upload_s >= 0 && p.kernel_s >= 0 && p.download_s >= 0 && p.build_s >= 0);
    return p;
}

static void test_profile(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    hpk_profile p = profile_of(ctx);
    assert_true(p.upload_s == 0 && p.kernel_s == 0 && p.download_s == 0 && p.build_s == 0);

    enum { M = 600, N = 700 };
    double *a = test_alloc(M * N * sizeof *a), *x = test_alloc(N * sizeof *x), *y = test_alloc(M * sizeof *y);
    test_seed(101);
    test_fill_d(a, M * N, -1, 1);
    test_fill_d(x, N, -1, 1);
    test_fill_d(y, M, -1, 1);
    expect(hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, 1.0, a, N, x, 1, 0.5, y, 1), HPK_SUCCESS, ctx, "hpk_dgemv");
    p = profile_of(ctx);
    assert_true(p.upload_s > 0 && p.kernel_s > 0 && p.download_s > 0);
    expect(hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, 1.0, a, N, x, 1, 0.5, y, 1), HPK_SUCCESS, ctx, "hpk_dgemv");
    p = profile_of(ctx);
    assert_true(p.build_s == 0); /* built once per context */

    /* Device data: no transfers for gemv; reductions download their partials. */
    cl_mem da = buffer(ctx, M * N * sizeof *a, a), dx = buffer(ctx, N * sizeof *x, x), dy = buffer(ctx, M * sizeof *y, y);
    expect(hpk_cl_dgemv(ctx, HPK_ROW_MAJOR, HPK_TRANS, M, N, 1.0, da, 0, N, dy, 0, 1, 0.0, dx, 0, 1), HPK_SUCCESS, ctx,
           "hpk_cl_dgemv");
    p = profile_of(ctx); /* waits for the kernels */
    assert_true(p.upload_s == 0 && p.kernel_s > 0 && p.download_s == 0);
    double r;
    expect(hpk_cl_dnrm2(ctx, M * N, da, 0, 1, &r), HPK_SUCCESS, ctx, "hpk_cl_dnrm2");
    p = profile_of(ctx);
    assert_true(p.upload_s == 0 && p.kernel_s > 0 && p.download_s > 0);

    /* A failing call, or one with nothing to do, leaves the profile alone. */
    expect(hpk_cl_dnrm2(ctx, -1, da, 0, 1, &r), HPK_ERR_INVALID_ARG, ctx, "hpk_cl_dnrm2(n = -1)");
    expect(hpk_ddot(ctx, 0, x, 1, x, 1, &r), HPK_SUCCESS, ctx, "hpk_ddot(n = 0)");
    hpk_profile q = profile_of(ctx);
    assert_memory_equal(&p, &q, sizeof p);

    hpk_mc_result mr;
    expect(hpk_mc_pi(ctx, 1000000, 3, &mr), HPK_SUCCESS, ctx, "hpk_mc_pi");
    p = profile_of(ctx);
    assert_true(p.upload_s == 0 && p.kernel_s > 0);

    clReleaseMemObject(da);
    clReleaseMemObject(dx);
    clReleaseMemObject(dy);
    free(a);
    free(x);
    free(y);
    hpk_ctx_destroy(ctx);
}

/* ---- leaks, per-call allocations, repeated builds --------------------------------- */

static const char poly_cl[] = "double hpk_integrand(const double *p, int dim)\n"
                              "{\n"
                              "    double s = 1.0;\n"
                              "    for (int d = 0; d < dim; d++)\n"
                              "        s += (d + 1) * p[d] * p[d];\n"
                              "    return s;\n"
                              "}\n";

/* One call of every kind, on host and device data of fixed sizes. */
static void every_kind_of_call(hpk_ctx *ctx, int64_t n)
{
    double *a = test_alloc((size_t)(n * n) * sizeof *a), *x = test_alloc((size_t)n * 2 * sizeof *x);
    double *y = test_alloc((size_t)n * sizeof *y);
    float *as = test_alloc((size_t)n * 2 * sizeof *as), *xs = test_alloc(2 * sizeof *xs);
    float *ys = test_alloc((size_t)n * sizeof *ys);
    for (int64_t i = 0; i < n * n; i++)
        a[i] = (double)(i % 5);
    for (int64_t i = 0; i < 2 * n; i++)
        x[i] = as[i] = (float)(i % 3);
    for (int64_t i = 0; i < n; i++)
        y[i] = ys[i] = 1.0f;
    xs[0] = xs[1] = 0.5f;
    double r;
    float rs;
    int64_t index;
    hpk_mc_result mr;
    const double lo[2] = {0, 0}, hi[2] = {1, 2};
    expect(hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, n, n, 1.0, a, n, x, 2, 0.5, y, 1), HPK_SUCCESS, ctx, "dgemv");
    expect(hpk_sgemv(ctx, HPK_COL_MAJOR, HPK_NO_TRANS, n, 2, 1.0f, as, n, xs, 1, 0.0f, ys, -1), HPK_SUCCESS, ctx,
           "sgemv");
    expect(hpk_ddot(ctx, n, x, -2, y, 1, &r), HPK_SUCCESS, ctx, "ddot");
    expect(hpk_snrm2(ctx, n, as, 1, &rs), HPK_SUCCESS, ctx, "snrm2");
    expect(hpk_idamax(ctx, n, x, 1, &index), HPK_SUCCESS, ctx, "idamax");
    expect(hpk_mc_pi(ctx, 10000, 1, &mr), HPK_SUCCESS, ctx, "mc_pi");
    cl_mem da = buffer(ctx, (size_t)(n * n) * sizeof *a, a), dx = buffer(ctx, (size_t)n * 2 * sizeof *x, x);
    expect(hpk_cl_dgemv(ctx, HPK_COL_MAJOR, HPK_TRANS, n, n, 1.0, da, 0, n, dx, 0, 1, 0.0, dx, (size_t)n, 1),
           HPK_SUCCESS, ctx, "cl_dgemv");
    expect(hpk_cl_dasum(ctx, n, dx, 1, 1, &r), HPK_SUCCESS, ctx, "cl_dasum");
    expect(hpk_cl_mc_integrate(ctx, poly_cl, 2, lo, hi, 5000, 2, &mr), HPK_SUCCESS, ctx, "cl_mc_integrate");
    hpk_profile p;
    expect(hpk_ctx_last_profile(ctx, &p), HPK_SUCCESS, ctx, "profile");
    clReleaseMemObject(da);
    clReleaseMemObject(dx);
    free(a);
    free(x);
    free(y);
    free(as);
    free(xs);
    free(ys);
}

static void expect_none_live(const char *when)
{
    const cl_counts c = cl_counts_now();
    for (int k = 0; k < CL_KIND_COUNT; k++)
        if (c.created[k] != c.released[k])
            fail_msg("%s: libhpk created %ld OpenCL %s objects and released %ld", when, c.created[k], cl_kind_names[k],
                     c.released[k]);
}

static void test_no_leaks_or_rebuilds(void **state)
{
    (void)state;
    for (int round = 0; round < 4; round++) {
        hpk_ctx *ctx = test_ctx(0);
        every_kind_of_call(ctx, 64 + round);
        hpk_ctx_destroy(ctx);
        assert_true(cl_counting_active());
        expect_none_live("after hpk_ctx_destroy");
    }

    /* Once warm, calls of the same sizes create no buffers and build nothing;
     * only the last call's events stay alive. */
    hpk_ctx *ctx = test_ctx(0);
    every_kind_of_call(ctx, 100);
    const cl_counts warm = cl_counts_now();
    for (int round = 0; round < 30; round++)
        every_kind_of_call(ctx, 100);
    const cl_counts after = cl_counts_now();
    assert_int_equal(after.created[CL_KIND_BUFFER], warm.created[CL_KIND_BUFFER]);
    assert_int_equal(after.created[CL_KIND_PROGRAM], warm.created[CL_KIND_PROGRAM]);
    assert_int_equal(after.created[CL_KIND_KERNEL], warm.created[CL_KIND_KERNEL]);
    assert_int_equal(after.builds, warm.builds);
    const long live_events = after.created[CL_KIND_EVENT] - after.released[CL_KIND_EVENT];
    assert_true(live_events >= 1 && live_events <= 8);
    /* A failing build releases what it made. */
    const double lo[1] = {0}, hi[1] = {1};
    hpk_mc_result mr;
    expect(hpk_cl_mc_integrate(ctx, "double hpk_integrand(", 1, lo, hi, 10, 1, &mr), HPK_ERR_DEVICE, ctx,
           "a broken integrand");
    hpk_ctx_destroy(ctx);
    expect_none_live("after a warm context's hpk_ctx_destroy");
}

/* ---- Monte Carlo ---------------------------------------------------------------------- */

static double poly_c(const double *p, int dim, void *user_data)
{
    (void)user_data;
    double s = 1.0;
    for (int d = 0; d < dim; d++)
        s += (d + 1) * p[d] * p[d];
    return s;
}

static void test_mc_pi_matches_serial(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0), *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    static const uint64_t samples[] = {1, 2, 4095, 4097, 65536 * 3 + 1, 1000003};
    static const uint64_t seeds[] = {0, 42, 0xfedcba9876543210u};
    for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++)
        for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
            hpk_mc_result want, got;
            expect(hpk_mc_pi(serial, samples[k], seeds[s], &want), HPK_SUCCESS, serial, "hpk_mc_pi serial");
            expect(hpk_mc_pi(ctx, samples[k], seeds[s], &got), HPK_SUCCESS, ctx, "hpk_mc_pi opencl");
            if (memcmp(&got, &want, sizeof got) != 0)
                fail_msg("hpk_mc_pi(%" PRIu64 " samples, seed %" PRIu64 "): %.17g on OpenCL, %.17g on serial",
                         samples[k], seeds[s], got.estimate, want.estimate);
        }
    hpk_ctx_destroy(serial);
    hpk_ctx_destroy(ctx);
}

/* The canonical order (order.h): with an integrand whose values are the
 * host's bit for bit (poly_c and poly_cl use only + and *, and neither side
 * contracts into fma), the result is the serial backend's bit for bit, at
 * every work-group size and in both kernel families (the gpu family runs
 * this test again), including runs of blocks longer than one launch. */
static void expect_integrate_bitwise(hpk_ctx *ctx, const char *label, hpk_ctx *serial, int dim, const double *lo,
                                     const double *hi, uint64_t samples, uint64_t seed)
{
    hpk_mc_result want, got = {test_poison_d(), test_poison_d(), 0};
    expect(hpk_mc_integrate(serial, poly_c, NULL, dim, lo, hi, samples, seed, &want), HPK_SUCCESS, serial,
           "hpk_mc_integrate");
    expect(hpk_cl_mc_integrate(ctx, poly_cl, dim, lo, hi, samples, seed, &got), HPK_SUCCESS, ctx,
           "hpk_cl_mc_integrate");
    assert_int_equal(got.samples, samples);
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("dim %d, %" PRIu64 " samples (%s): %a +- %a on OpenCL, %a +- %a on the serial backend", dim,
                 samples, label, got.estimate, got.std_error, want.estimate, want.std_error);
}

static void test_mc_integrate_matches_cpu(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0), *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    const double lo[5] = {-1.0, 0.5, 2.0, -3.0, 0.0}, hi[5] = {2.0, 1.5, 2.25, -1.0, 1e-3};
    static const int dims[] = {1, 2, 3, 5};
    static const uint64_t samples[] = {1, 2, 1000, 4095, 4096, 4097, 3 * 4096 + 5, 100003};
    hpk_ctx *variants[4];
    const char *names[4];
    const int nvariants = test_variant_contexts(variants, names);
    for (int v = 0; v < nvariants; v++) {
        for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
            for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++)
                expect_integrate_bitwise(variants[v], names[v], serial, dims[d], lo, hi, samples[k], 11 + d);
        hpk_ctx_destroy(variants[v]);
    }
    /* 4102 blocks: more than one launch takes (cl/mc.c) */
    expect_integrate_bitwise(ctx, "default", serial, 1, lo, hi, (uint64_t)4102 * 4096 - 7, 99);

    /* The same source again builds nothing; a constant has no spread. */
    hpk_mc_result r;
    expect(hpk_cl_mc_integrate(ctx, poly_cl, 3, lo, hi, 5000, 1, &r), HPK_SUCCESS, ctx, "hpk_cl_mc_integrate");
    hpk_profile p = profile_of(ctx);
    assert_true(p.build_s == 0.0 && p.kernel_s > 0.0);
    const char *constant = "double hpk_integrand(const double *p, int dim) { return 1e8 + 0.5; }";
    expect(hpk_cl_mc_integrate(ctx, constant, 2, lo, hi, 3 * 4096 + 5, 3, &r), HPK_SUCCESS, ctx, "constant");
    assert_true(r.estimate == 3.0 * (1e8 + 0.5) && r.std_error == 0.0);
    hpk_ctx_destroy(serial);
    hpk_ctx_destroy(ctx);
}

static void test_mc_integrate_bad_input(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    const double lo[2] = {0, 0}, hi[2] = {1, 1}, flat[2] = {1, 0}, inf[2] = {1, INFINITY};
    hpk_mc_result r = {test_poison_d(), test_poison_d(), 12345};
    static const struct {
        const char *source, *word;
        int dim, bounds; /* 0: good, 1: NULL lower, 2: flat, 3: infinite */
        uint64_t samples;
        bool null_result;
    } cases[] = {
        {NULL, "integrand_source", 2, 0, 10, false}, {poly_cl, "dim", 0, 0, 10, false},
        {poly_cl, "at most", 257, 0, 10, false},     {poly_cl, "lower", 2, 1, 10, false},
        {poly_cl, "dimension 1", 2, 2, 10, false},   {poly_cl, "finite", 2, 3, 10, false},
        {poly_cl, "samples", 2, 0, 0, false},        {poly_cl, "result", 2, 0, 10, true},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const double *l = cases[k].bounds == 1 ? NULL : lo;
        const double *u = cases[k].bounds == 2 ? flat : cases[k].bounds == 3 ? inf : hi;
        expect(hpk_cl_mc_integrate(ctx, cases[k].source, cases[k].dim, l, u, cases[k].samples, 1,
                                   cases[k].null_result ? NULL : &r),
               HPK_ERR_INVALID_ARG, ctx, cases[k].word);
        expect_message(ctx, cases[k].word, cases[k].word);
        assert_true(test_is_poison_d(r.estimate) && r.samples == 12345);
    }
    /* A source that does not build: HPK_ERR_DEVICE with the build log. */
    expect(hpk_cl_mc_integrate(ctx, "double hpk_integrand(const double *p, int dim) { return undeclared; }", 2, lo, hi,
                               10, 1, &r),
           HPK_ERR_DEVICE, ctx, "a broken integrand");
    expect_message(ctx, "undeclared", "a broken integrand's build log");
    assert_true(test_is_poison_d(r.estimate) && r.samples == 12345);
    /* hpk_mc_integrate's C function cannot run on the device. */
    expect(hpk_mc_integrate(ctx, poly_c, NULL, 2, lo, hi, 10, 1, &r), HPK_ERR_UNSUPPORTED, ctx, "hpk_mc_integrate");
    expect_message(ctx, "hpk_cl_mc_integrate", "hpk_mc_integrate on OpenCL");
    hpk_ctx_destroy(ctx);
}

/* ---- the kernel sources ---------------------------------------------------------------- */

/* Each .cl file of cl/kernels builds on its own with its defaults, as the
 * files in the source tree (the library embeds them with #include lines
 * expanded and parameters as -D options). */
static void test_kernel_sources_build_alone(void **state)
{
    (void)state;
    static const char *const files[] = {"gemv.cl", "reduce.cl", "mc_pi.cl", "mc_integrate.cl"};
    hpk_ctx *ctx = test_ctx(0);
    cl_device_id device = hpk_ctx_cl_device(ctx);
    char options[600];
    snprintf(options, sizeof options, "-cl-std=CL1.2 -I %s/cl/kernels -I %s/kernels", HPK_TEST_SOURCE_DIR,
             HPK_TEST_SOURCE_DIR);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[400];
        snprintf(path, sizeof path, "%s/cl/kernels/%s", HPK_TEST_SOURCE_DIR, files[k]);
        FILE *f = fopen(path, "rb");
        if (!f)
            fail_msg("cannot open %s", path);
        static char text[1 << 16];
        const size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = '\0';
        const char *source = text;
        cl_int err;
        cl_program p = clCreateProgramWithSource(hpk_ctx_cl_context(ctx), 1, &source, NULL, &err);
        assert_int_equal(err, CL_SUCCESS);
        err = clBuildProgram(p, 1, &device, options, NULL, NULL);
        if (err != CL_SUCCESS) {
            static char log[1 << 14];
            clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL);
            fail_msg("%s does not build on its own: %d\n%s", files[k], (int)err, log);
        }
        clReleaseProgram(p);
    }
    hpk_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    if (test_backend != HPK_BACKEND_OPENCL) {
        fprintf(stderr, "%s tests the OpenCL backend only\n", argv[0]);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_devices),
        cmocka_unit_test(test_device_from_environment),
        cmocka_unit_test(test_tuning_from_environment),
        cmocka_unit_test(test_context_objects),
        cmocka_unit_test(test_device_dgemv),
        cmocka_unit_test(test_device_sgemv),
        cmocka_unit_test(test_device_reductions),
        cmocka_unit_test(test_device_bad_input),
        cmocka_unit_test(test_without_fp64),
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_no_leaks_or_rebuilds),
        cmocka_unit_test(test_mc_pi_matches_serial),
        cmocka_unit_test(test_mc_integrate_matches_cpu),
        cmocka_unit_test(test_mc_integrate_bad_input),
        cmocka_unit_test(test_kernel_sources_build_alone),
    };
    return cmocka_run_group_tests_name("opencl device API", tests, NULL, NULL);
}
