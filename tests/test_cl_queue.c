/* Tests of hpk_ctx_create_cl_queue: an hpk context on the caller's own
 * cl_context and command queue, as a CLBlast or pyopencl program has them.
 *   - gemv and reductions on buffers the caller made in its own context,
 *     against a long-double reference (random data) and bitwise against the
 *     serial backend; hpk's commands in queue order with the caller's;
 *   - the same tuning and programs as hpk_ctx_create_cl (Monte Carlo
 *     integration, whose split depends on the tuning, gives the same bits;
 *     programs come from the disk cache);
 *   - the references taken on the queue and the context (their reference
 *     counts) are given back by hpk_ctx_destroy, which waits for the queue;
 *   - queues with and without profiling;
 *   - bad input: NULL, a queue the driver rejects, an out-of-order queue, a
 *     tuning the device cannot use, a buffer of another context; *ctx
 *     untouched, nothing kept (counted by cl_counting.c). */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "cl_counting.h"
#include "cl_test.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- a queue the driver does not recognise ---------------------------------------- */

/* A handle that this stand-in for clGetCommandQueueInfo (libhpk binds to
 * it: the executable exports its symbols) answers with
 * CL_INVALID_COMMAND_QUEUE, as a driver does for a handle that is not a
 * queue.  Other queues go to the real function. */
static char not_a_queue_storage;
#define NOT_A_QUEUE ((cl_command_queue)(void *)&not_a_queue_storage)

cl_int clGetCommandQueueInfo(cl_command_queue queue, cl_command_queue_info name, size_t size, void *value,
                             size_t *size_ret)
{
    static __typeof__(&clGetCommandQueueInfo) real;
    if (queue == NOT_A_QUEUE)
        return CL_INVALID_COMMAND_QUEUE;
    if (!real)
        real = (__typeof__(&clGetCommandQueueInfo))dlsym(RTLD_NEXT, "clGetCommandQueueInfo");
    return real(queue, name, size, value, size_ret);
}

/* ---- the caller's own OpenCL objects -------------------------------------------------- */

typedef struct own {
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
} own;

/* The device hpk_ctx_create_cl(NULL) would take without HPK_CL_DEVICE: the
 * first GPU, else the first device. */
static cl_device_id pick_device(void)
{
    cl_platform_id platforms[16];
    cl_uint np = 0;
    assert_int_equal(clGetPlatformIDs(16, platforms, &np), CL_SUCCESS);
    static const cl_device_type types[] = {CL_DEVICE_TYPE_GPU, CL_DEVICE_TYPE_ALL};
    for (size_t t = 0; t < 2; t++)
        for (cl_uint p = 0; p < np && p < 16; p++) {
            cl_device_id d;
            cl_uint nd = 0;
            if (clGetDeviceIDs(platforms[p], types[t], 1, &d, &nd) == CL_SUCCESS && nd > 0)
                return d;
        }
    fail_msg("no OpenCL device");
    return NULL;
}

/* A cl_context of the caller's and a queue on it with `props`; returns 0
 * when the device does not take those properties. */
static int own_open(own *o, cl_command_queue_properties props)
{
    cl_int err;
    o->device = pick_device();
    o->context = clCreateContext(NULL, 1, &o->device, NULL, NULL, &err);
    assert_int_equal(err, CL_SUCCESS);
    o->queue = clCreateCommandQueue(o->context, o->device, props, &err);
    if (err == CL_INVALID_QUEUE_PROPERTIES) {
        clReleaseContext(o->context);
        return 0;
    }
    assert_int_equal(err, CL_SUCCESS);
    return 1;
}

static void own_close(own *o)
{
    assert_int_equal(clReleaseCommandQueue(o->queue), CL_SUCCESS);
    assert_int_equal(clReleaseContext(o->context), CL_SUCCESS);
}

typedef struct refs {
    cl_uint queue, context;
} refs;

static refs refs_of(const own *o)
{
    refs r = {0, 0};
    assert_int_equal(clGetCommandQueueInfo(o->queue, CL_QUEUE_REFERENCE_COUNT, sizeof r.queue, &r.queue, NULL),
                     CL_SUCCESS);
    assert_int_equal(clGetContextInfo(o->context, CL_CONTEXT_REFERENCE_COUNT, sizeof r.context, &r.context, NULL),
                     CL_SUCCESS);
    return r;
}

/* The reference counts come back to `want`.  A driver may drop its own
 * references (those of finished commands' events, say) a moment after the
 * commands complete, so the counts get up to two seconds to settle. */
static void expect_refs(const own *o, refs want, const char *when)
{
    refs got = refs_of(o);
    for (int k = 0; k < 200 && (got.queue != want.queue || got.context != want.context); k++) {
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        got = refs_of(o);
    }
    if (got.queue != want.queue || got.context != want.context)
        fail_msg("%s: queue reference count %u (expected %u), context reference count %u (expected %u)", when,
                 got.queue, want.queue, got.context, want.context);
}

static void expect_none_live(const char *when)
{
    assert_true(cl_counting_active());
    const cl_counts c = cl_counts_now();
    for (int k = 0; k < CL_KIND_COUNT; k++)
        if (c.created[k] != c.released[k])
            fail_msg("%s: libhpk created or retained %ld OpenCL %s objects and released %ld", when, c.created[k],
                     cl_kind_names[k], c.released[k]);
}

static cl_mem own_buffer(const own *o, size_t bytes, const void *init)
{
    cl_int err;
    cl_mem m = clCreateBuffer(o->context, CL_MEM_READ_WRITE | (init ? CL_MEM_COPY_HOST_PTR : 0), bytes, (void *)init,
                              &err);
    assert_int_equal(err, CL_SUCCESS);
    return m;
}

static bool has_fp64(cl_device_id d)
{
    cl_device_fp_config fp64 = 0;
    return clGetDeviceInfo(d, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof fp64, &fp64, NULL) == CL_SUCCESS && fp64 != 0;
}

/* Whether the run of the test keeps a disk program cache (as ctest's does). */
static bool disk_cache_on(void)
{
    const char *root = getenv("XDG_CACHE_HOME"), *off = getenv("HPK_CL_CACHE");
    return root && root[0] == '/' && (!off || !off[0] || (strcmp(off, "0") && strcmp(off, "off") &&
                                                          strcmp(off, "no") && strcmp(off, "false")));
}

/* ---- gemv and reductions on the caller's buffers ---------------------------------- */

/* y := alpha A x + beta y, row-major, A m x n (lda n + 3, from element A_OFF
 * of the buffer), x with increment -2 from element X_OFF, y from Y_OFF, on
 * hpk's context over the caller's queue, against a long-double reference
 * and against the serial backend's bits.  The data reach the device through
 * the caller's own commands on the same queue, enqueued without waiting. */
static void check_gemv(hpk_ctx *ctx, const own *o, bool single, hpk_ctx *serial)
{
    enum { M = 300, N = 517, LDA = N + 3, A_OFF = 5, X_OFF = 3, Y_OFF = 7, INCX = -2 };
    const size_t es = elem_size(single), ta = A_OFF + (size_t)M * LDA, tx = X_OFF + test_span(N, INCX), ty = Y_OFF + M;
    const double alpha = 1.25, beta = -0.5;
    void *a = test_alloc(ta * es), *x = test_alloc(tx * es), *y = test_alloc(ty * es), *got = test_alloc(ty * es);
    for (size_t k = 0; k < ta; k++)
        put(a, k, single, test_uniform(-1, 1));
    for (size_t k = 0; k < tx; k++)
        put(x, k, single, test_uniform(-1, 1));
    for (size_t k = 0; k < ty; k++)
        put(y, k, single, test_uniform(-1, 1));

    cl_mem da = own_buffer(o, ta * es, NULL), dx = own_buffer(o, tx * es, NULL), dy = own_buffer(o, ty * es, NULL);
    assert_int_equal(clEnqueueWriteBuffer(o->queue, da, CL_FALSE, 0, ta * es, a, 0, NULL, NULL), CL_SUCCESS);
    assert_int_equal(clEnqueueWriteBuffer(o->queue, dx, CL_FALSE, 0, tx * es, x, 0, NULL, NULL), CL_SUCCESS);
    assert_int_equal(clEnqueueWriteBuffer(o->queue, dy, CL_FALSE, 0, ty * es, y, 0, NULL, NULL), CL_SUCCESS);
    const hpk_status st =
        single ? hpk_cl_sgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, (float)alpha, da, A_OFF, LDA, dx, X_OFF, INCX,
                              (float)beta, dy, Y_OFF, 1)
               : hpk_cl_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, alpha, da, A_OFF, LDA, dx, X_OFF, INCX, beta, dy,
                              Y_OFF, 1);
    expect(st, HPK_SUCCESS, ctx, single ? "hpk_cl_sgemv" : "hpk_cl_dgemv");
    assert_int_equal(clEnqueueReadBuffer(o->queue, dy, CL_FALSE, 0, ty * es, got, 0, NULL, NULL), CL_SUCCESS);
    assert_int_equal(clFinish(o->queue), CL_SUCCESS);

    const long double eps = single ? TEST_EPS_S : TEST_EPS_D;
    for (int64_t i = 0; i < M; i++) {
        long double t = 0, scale = 0;
        for (int64_t j = 0; j < N; j++) {
            const long double p = (long double)get(a, A_OFF + (size_t)(i * LDA + j), single) *
                                  get(x, X_OFF + (size_t)test_index(j, N, INCX), single);
            t += p;
            scale += fabsl(p);
        }
        const long double y0 = get(y, Y_OFF + (size_t)i, single);
        const long double want = alpha * t + beta * y0;
        const long double tol = (N + 2) * eps * (fabsl((long double)alpha) * scale + fabsl((long double)beta * y0));
        char what[80];
        snprintf(what, sizeof what, "%cgemv on the caller's queue, y[%" PRId64 "]", single ? 's' : 'd', i);
        expect_close(what, get(got, Y_OFF + (size_t)i, single), want, tol);
    }
    for (size_t k = 0; k < Y_OFF; k++)
        assert_true(get(got, k, single) == get(y, k, single)); /* nothing before y written */

    /* The serial backend's bits (hpk_cl.h: gemv is bitwise the CPU's). */
    void *want = test_alloc(ty * es);
    memcpy(want, y, ty * es);
    const hpk_status sst =
        single ? hpk_sgemv(serial, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, (float)alpha, (float *)a + A_OFF, LDA,
                           (float *)x + X_OFF, INCX, (float)beta, (float *)want + Y_OFF, 1)
               : hpk_dgemv(serial, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, alpha, (double *)a + A_OFF, LDA,
                           (double *)x + X_OFF, INCX, beta, (double *)want + Y_OFF, 1);
    expect(sst, HPK_SUCCESS, serial, "serial gemv");
    if (memcmp(got, want, ty * es) != 0)
        fail_msg("%cgemv on the caller's queue differs from the serial backend's bits", single ? 's' : 'd');

    clReleaseMemObject(da);
    clReleaseMemObject(dx);
    clReleaseMemObject(dy);
    free(a);
    free(x);
    free(y);
    free(got);
    free(want);
}

/* dot, sum, asum, nrm2 and i?amax of random data in the caller's buffers,
 * against a long-double reference and the serial backend's bits.  x is
 * written by the caller's own command, enqueued without waiting: the
 * reduction runs after it in queue order. */
static void check_reductions(hpk_ctx *ctx, const own *o, bool single, hpk_ctx *serial)
{
    enum { N = 100003, X_OFF = 2, INCX = 3 };
    const size_t es = elem_size(single), tx = X_OFF + test_span(N, INCX), ty = N;
    void *x = test_alloc(tx * es), *y = test_alloc(ty * es);
    for (size_t k = 0; k < tx; k++)
        put(x, k, single, test_uniform(-1, 2));
    for (size_t k = 0; k < ty; k++)
        put(y, k, single, test_uniform(-2, 1));
    const int64_t peak = 4321;
    put(x, X_OFF + (size_t)peak * INCX, single, -9.0);
    cl_mem dx = own_buffer(o, tx * es, NULL), dy = own_buffer(o, ty * es, y);
    assert_int_equal(clEnqueueWriteBuffer(o->queue, dx, CL_FALSE, 0, tx * es, x, 0, NULL, NULL), CL_SUCCESS);

    long double sum = 0, asum = 0, dot = 0, dot_scale = 0, sq = 0;
    for (int64_t i = 0; i < N; i++) {
        const long double xi = get(x, X_OFF + (size_t)i * INCX, single), yi = get(y, (size_t)(N - 1 - i), single);
        sum += xi;
        asum += fabsl(xi);
        dot += xi * yi;
        dot_scale += fabsl(xi * yi);
        sq += xi * xi;
    }
    const long double tol = N * (long double)(single ? TEST_EPS_S : TEST_EPS_D);
    double r[4], s[4];
    float f;
    int64_t index = -7, serial_index = -7;
    const void *hx = (const char *)x + X_OFF * es;
    if (single) {
        expect(hpk_cl_sdot(ctx, N, dx, X_OFF, INCX, dy, 0, -1, &f), HPK_SUCCESS, ctx, "hpk_cl_sdot");
        r[0] = f;
        expect(hpk_cl_ssum(ctx, N, dx, X_OFF, INCX, &f), HPK_SUCCESS, ctx, "hpk_cl_ssum");
        r[1] = f;
        expect(hpk_cl_sasum(ctx, N, dx, X_OFF, INCX, &f), HPK_SUCCESS, ctx, "hpk_cl_sasum");
        r[2] = f;
        expect(hpk_cl_snrm2(ctx, N, dx, X_OFF, INCX, &f), HPK_SUCCESS, ctx, "hpk_cl_snrm2");
        r[3] = f;
        expect(hpk_cl_isamax(ctx, N, dx, X_OFF, INCX, &index), HPK_SUCCESS, ctx, "hpk_cl_isamax");
        expect(hpk_sdot(serial, N, hx, INCX, y, -1, &f), HPK_SUCCESS, serial, "hpk_sdot");
        s[0] = f;
        expect(hpk_ssum(serial, N, hx, INCX, &f), HPK_SUCCESS, serial, "hpk_ssum");
        s[1] = f;
        expect(hpk_sasum(serial, N, hx, INCX, &f), HPK_SUCCESS, serial, "hpk_sasum");
        s[2] = f;
        expect(hpk_snrm2(serial, N, hx, INCX, &f), HPK_SUCCESS, serial, "hpk_snrm2");
        s[3] = f;
        expect(hpk_isamax(serial, N, hx, INCX, &serial_index), HPK_SUCCESS, serial, "hpk_isamax");
    } else {
        expect(hpk_cl_ddot(ctx, N, dx, X_OFF, INCX, dy, 0, -1, &r[0]), HPK_SUCCESS, ctx, "hpk_cl_ddot");
        expect(hpk_cl_dsum(ctx, N, dx, X_OFF, INCX, &r[1]), HPK_SUCCESS, ctx, "hpk_cl_dsum");
        expect(hpk_cl_dasum(ctx, N, dx, X_OFF, INCX, &r[2]), HPK_SUCCESS, ctx, "hpk_cl_dasum");
        expect(hpk_cl_dnrm2(ctx, N, dx, X_OFF, INCX, &r[3]), HPK_SUCCESS, ctx, "hpk_cl_dnrm2");
        expect(hpk_cl_idamax(ctx, N, dx, X_OFF, INCX, &index), HPK_SUCCESS, ctx, "hpk_cl_idamax");
        expect(hpk_ddot(serial, N, hx, INCX, y, -1, &s[0]), HPK_SUCCESS, serial, "hpk_ddot");
        expect(hpk_dsum(serial, N, hx, INCX, &s[1]), HPK_SUCCESS, serial, "hpk_dsum");
        expect(hpk_dasum(serial, N, hx, INCX, &s[2]), HPK_SUCCESS, serial, "hpk_dasum");
        expect(hpk_dnrm2(serial, N, hx, INCX, &s[3]), HPK_SUCCESS, serial, "hpk_dnrm2");
        expect(hpk_idamax(serial, N, hx, INCX, &serial_index), HPK_SUCCESS, serial, "hpk_idamax");
    }
    const char pre = single ? 's' : 'd';
    char what[64];
    snprintf(what, sizeof what, "%cdot on the caller's queue", pre);
    expect_close(what, r[0], dot, tol * dot_scale);
    snprintf(what, sizeof what, "%csum on the caller's queue", pre);
    expect_close(what, r[1], sum, tol * asum);
    snprintf(what, sizeof what, "%casum on the caller's queue", pre);
    expect_close(what, r[2], asum, tol * asum);
    snprintf(what, sizeof what, "%cnrm2 on the caller's queue", pre);
    expect_close(what, r[3], sqrtl(sq), tol * sqrtl(sq));
    assert_int_equal(index, peak);
    assert_int_equal(serial_index, peak);
    for (int k = 0; k < 4; k++)
        if (memcmp(&r[k], &s[k], sizeof r[k]) != 0)
            fail_msg("%c reduction %d on the caller's queue: %.17g, the serial backend gives %.17g", pre, k, r[k],
                     s[k]);

    clReleaseMemObject(dx);
    clReleaseMemObject(dy);
    free(x);
    free(y);
}

static void test_queue_computes(void **state)
{
    (void)state;
    own o;
    assert_true(own_open(&o, 0)); /* in order, no profiling: what pyopencl makes by default */
    const refs before = refs_of(&o);
    hpk_ctx *ctx = NULL, *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    expect(hpk_ctx_create_cl_queue(&ctx, o.queue), HPK_SUCCESS, NULL, "hpk_ctx_create_cl_queue");
    assert_int_equal(hpk_ctx_get_backend(ctx), HPK_BACKEND_OPENCL);
    assert_ptr_equal(hpk_ctx_cl_queue(ctx), o.queue);
    assert_ptr_equal(hpk_ctx_cl_context(ctx), o.context);
    assert_ptr_equal(hpk_ctx_cl_device(ctx), o.device);
    /* One reference more on the queue; at least one on the context (a
     * driver's buffers, hpk's scratch included, may hold their own). */
    const refs during = refs_of(&o);
    assert_int_equal(during.queue, before.queue + 1);
    assert_true(during.context > before.context);

    test_seed(131);
    if (has_fp64(o.device)) {
        check_gemv(ctx, &o, false, serial);
        check_reductions(ctx, &o, false, serial);
    }
    check_gemv(ctx, &o, true, serial);
    check_reductions(ctx, &o, true, serial);

    /* The host-pointer functions run on the caller's queue too. */
    const float hx[5] = {1, -2, 3, -4, 5};
    float hr = 0;
    expect(hpk_sasum(ctx, 5, hx, 1, &hr), HPK_SUCCESS, ctx, "hpk_sasum");
    assert_true(hr == 15.0f);

    /* The caller may drop its own references: hpk's keep the objects alive. */
    assert_int_equal(clRetainCommandQueue(o.queue), CL_SUCCESS);
    assert_int_equal(clRetainContext(o.context), CL_SUCCESS);
    own_close(&o);
    expect(hpk_sasum(ctx, 5, hx, 1, &hr), HPK_SUCCESS, ctx, "hpk_sasum");

    hpk_ctx_destroy(ctx);
    expect_refs(&o, before, "after hpk_ctx_destroy");
    expect_none_live("after hpk_ctx_destroy");
    hpk_ctx_destroy(serial);
    own_close(&o);
}

/* ---- hpk_ctx_destroy waits for the queue ------------------------------------------------ */

/* An hpk_cl_dgemv left running, then a marker of the caller's after it: when
 * hpk_ctx_destroy returns, both have completed. */
static void destroy_after_gemv(hpk_ctx *ctx, cl_command_queue queue, cl_context context)
{
    enum { N = 1500 };
    float *a = test_alloc((size_t)N * N * sizeof *a), *x = test_alloc(N * sizeof *x);
    test_fill_s(a, (size_t)N * N, -1, 1);
    test_fill_s(x, N, -1, 1);
    cl_int err;
    cl_mem da = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (size_t)N * N * sizeof *a, a, &err);
    assert_int_equal(err, CL_SUCCESS);
    cl_mem dx = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, N * sizeof *x, x, &err);
    assert_int_equal(err, CL_SUCCESS);
    cl_mem dy = clCreateBuffer(context, CL_MEM_READ_WRITE, N * sizeof *x, NULL, &err);
    assert_int_equal(err, CL_SUCCESS);
    assert_int_equal(clFinish(queue), CL_SUCCESS);
    cl_event marker = NULL;
    for (int k = 0; k < 4; k++)
        expect(hpk_cl_sgemv(ctx, HPK_COL_MAJOR, k % 2 ? HPK_TRANS : HPK_NO_TRANS, N, N, 1.0f, da, 0, N, dx, 0, 1, 0.5f,
                            dy, 0, 1),
               HPK_SUCCESS, ctx, "hpk_cl_sgemv");
    assert_int_equal(clEnqueueMarkerWithWaitList(queue, 0, NULL, &marker), CL_SUCCESS);
    hpk_ctx_destroy(ctx);
    cl_int status = -1;
    assert_int_equal(clGetEventInfo(marker, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, NULL),
                     CL_SUCCESS);
    if (status != CL_COMPLETE)
        fail_msg("hpk_ctx_destroy returned with the queue's commands in state %d, not CL_COMPLETE", (int)status);
    clReleaseEvent(marker);
    clReleaseMemObject(da);
    clReleaseMemObject(dx);
    clReleaseMemObject(dy);
    free(a);
    free(x);
}

static void test_destroy_waits(void **state)
{
    (void)state;
    test_seed(137);
    own o;
    assert_true(own_open(&o, 0));
    const refs before = refs_of(&o);
    hpk_ctx *ctx = NULL;
    expect(hpk_ctx_create_cl_queue(&ctx, o.queue), HPK_SUCCESS, NULL, "hpk_ctx_create_cl_queue");
    destroy_after_gemv(ctx, o.queue, o.context);
    expect_refs(&o, before, "after hpk_ctx_destroy");
    own_close(&o);

    /* hpk's own queue likewise (kept alive here past hpk_ctx_destroy). */
    ctx = test_ctx(0);
    cl_command_queue queue = hpk_ctx_cl_queue(ctx);
    cl_context context = hpk_ctx_cl_context(ctx);
    assert_int_equal(clRetainCommandQueue(queue), CL_SUCCESS);
    assert_int_equal(clRetainContext(context), CL_SUCCESS);
    destroy_after_gemv(ctx, queue, context);
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
    expect_none_live("after hpk_ctx_destroy");
}

/* ---- tuning, programs and profiles ---------------------------------------------------- */

static void test_queue_like_own_context(void **state)
{
    (void)state;
    own o;
    assert_true(own_open(&o, CL_QUEUE_PROFILING_ENABLE));
    hpk_ctx *mine = test_ctx(0), *ctx = NULL;
    if (hpk_ctx_cl_device(mine) != o.device) { /* HPK_CL_DEVICE names another device */
        hpk_ctx_destroy(mine);
        own_close(&o);
        skip();
    }
    const double lo[3] = {-1, 0, 2}, hi[3] = {1, 0.5, 3};
    hpk_mc_result want, got;
    expect(hpk_cl_mc_integrate(mine, TEST_POLY_CL, 3, lo, hi, 100003, 7, &want), HPK_SUCCESS, mine,
           "hpk_cl_mc_integrate on hpk's own queue");
    double d = 0;
    const double v[3] = {1, 2, 3};
    expect(hpk_ddot(mine, 3, v, 1, v, 1, &d), HPK_SUCCESS, mine, "hpk_ddot on hpk's own queue");

    expect(hpk_ctx_create_cl_queue(&ctx, o.queue), HPK_SUCCESS, NULL, "hpk_ctx_create_cl_queue");
    /* The work split of Monte Carlo integration follows the tuning: the same
     * bits mean the same work-group size and kernel family. */
    expect(hpk_cl_mc_integrate(ctx, TEST_POLY_CL, 3, lo, hi, 100003, 7, &got), HPK_SUCCESS, ctx,
           "hpk_cl_mc_integrate on the caller's queue");
    assert_memory_equal(&got, &want, sizeof got);
    hpk_profile p = profile_of(ctx);
    assert_true(p.kernel_s > 0);
    if (disk_cache_on())
        assert_true(p.build_s == 0); /* the program hpk_ctx_create_cl's context built, from the disk cache */
    expect(hpk_ddot(ctx, 3, v, 1, v, 1, &d), HPK_SUCCESS, ctx, "hpk_ddot on the caller's queue");
    assert_true(d == 14.0);
    p = profile_of(ctx);
    assert_true(p.kernel_s > 0);
    if (disk_cache_on())
        assert_true(p.build_s == 0);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(mine);
    own_close(&o);
    expect_none_live("after hpk_ctx_destroy");
}

static void test_queue_without_profiling(void **state)
{
    (void)state;
    own o;
    assert_true(own_open(&o, 0));
    hpk_ctx *ctx = NULL;
    expect(hpk_ctx_create_cl_queue(&ctx, o.queue), HPK_SUCCESS, NULL, "hpk_ctx_create_cl_queue");
    hpk_profile p = {-1, -1, -1, -1, -1};
    expect(hpk_ctx_last_profile(ctx, &p), HPK_ERR_UNSUPPORTED, ctx, "hpk_ctx_last_profile without profiling");
    expect_message(ctx, "CL_QUEUE_PROFILING_ENABLE", "hpk_ctx_last_profile without profiling");
    const double v[4] = {1, -2, 3, -4};
    double r = 0;
    expect(hpk_dasum(ctx, 4, v, 1, &r), HPK_SUCCESS, ctx, "hpk_dasum");
    assert_true(r == 10.0);
    expect(hpk_ctx_last_profile(ctx, &p), HPK_ERR_UNSUPPORTED, ctx, "hpk_ctx_last_profile after a call");
    assert_true(p.upload_s == -1 && p.kernel_s == -1 && p.download_s == -1 && p.build_s == -1);
    expect(hpk_ctx_last_profile(ctx, NULL), HPK_ERR_INVALID_ARG, ctx, "hpk_ctx_last_profile(profile NULL)");
    hpk_ctx_destroy(ctx);
    own_close(&o);
    expect_none_live("after hpk_ctx_destroy");
}

/* ---- bad input ------------------------------------------------------------------------ */

/* A create call that must fail with `want` and a message holding `word`,
 * leaving *ctx and the queue's references as they were. */
static void expect_refused(cl_command_queue queue, const own *o, hpk_status want, const char *word, const char *what)
{
    hpk_ctx *sentinel = (hpk_ctx *)&sentinel, *ctx = sentinel;
    const refs before = o ? refs_of(o) : (refs){0, 0};
    expect(hpk_ctx_create_cl_queue(&ctx, queue), want, NULL, what);
    assert_ptr_equal(ctx, sentinel);
    expect_message(NULL, word, what);
    if (o)
        expect_refs(o, before, what);
    expect_none_live(what);
}

static void test_queue_bad_input(void **state)
{
    (void)state;
    own o;
    assert_true(own_open(&o, CL_QUEUE_PROFILING_ENABLE));
    const refs before = refs_of(&o);

    expect(hpk_ctx_create_cl_queue(NULL, o.queue), HPK_ERR_INVALID_ARG, NULL, "hpk_ctx_create_cl_queue(NULL ctx)");
    expect_message(NULL, "ctx is NULL", "hpk_ctx_create_cl_queue(NULL ctx)");
    expect_refs(&o, before, "hpk_ctx_create_cl_queue(NULL ctx)");
    expect_refused(NULL, NULL, HPK_ERR_INVALID_ARG, "queue is NULL", "a NULL queue");
    expect_refused(NOT_A_QUEUE, NULL, HPK_ERR_INVALID_ARG, "CL_INVALID_COMMAND_QUEUE", "a handle that is not a queue");

    /* A tuning the device cannot use fails after the queue was inspected. */
    const char *saved = getenv("HPK_CL_WGS");
    char *copy = saved ? strdup(saved) : NULL;
    set_env("HPK_CL_WGS", "3");
    expect_refused(o.queue, &o, HPK_ERR_INVALID_ARG, "HPK_CL_WGS", "HPK_CL_WGS=3");
    set_env("HPK_CL_WGS", copy);
    free(copy);

    /* A buffer of another OpenCL context than the queue's. */
    hpk_ctx *ctx = NULL, *other = test_ctx(0);
    expect(hpk_ctx_create_cl_queue(&ctx, o.queue), HPK_SUCCESS, NULL, "hpk_ctx_create_cl_queue");
    const double data[4] = {1, 2, 3, 4};
    cl_mem foreign = buffer(other, sizeof data, data), mine = own_buffer(&o, sizeof data, data);
    double r = -1.0;
    expect(hpk_cl_dsum(ctx, 4, foreign, 0, 1, &r), HPK_ERR_INVALID_ARG, ctx, "a buffer of another context");
    expect_message(ctx, "another OpenCL context", "a buffer of another context");
    expect(hpk_cl_dsum(other, 4, mine, 0, 1, &r), HPK_ERR_INVALID_ARG, other, "the caller's buffer elsewhere");
    assert_true(r == -1.0);
    expect(hpk_cl_dsum(ctx, 4, mine, 0, 1, &r), HPK_SUCCESS, ctx, "hpk_cl_dsum");
    assert_true(r == 10.0);
    clReleaseMemObject(foreign);
    clReleaseMemObject(mine);
    hpk_ctx_destroy(other);
    hpk_ctx_destroy(ctx);
    expect_refs(&o, before, "after hpk_ctx_destroy");
    own_close(&o);
    expect_none_live("after hpk_ctx_destroy");

    /* An out-of-order queue, where the device allows one. */
    if (own_open(&o, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE | CL_QUEUE_PROFILING_ENABLE)) {
        expect_refused(o.queue, &o, HPK_ERR_INVALID_ARG, "out of order", "an out-of-order queue");
        own_close(&o);
    }
}

int main(int argc, char **argv)
{
    if (!cl_test_start(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_computes),
        cmocka_unit_test(test_destroy_waits),
        cmocka_unit_test(test_queue_like_own_context),
        cmocka_unit_test(test_queue_without_profiling),
        cmocka_unit_test(test_queue_bad_input),
    };
    return cmocka_run_group_tests_name("opencl contexts on the caller's queue", tests, NULL, NULL);
}
