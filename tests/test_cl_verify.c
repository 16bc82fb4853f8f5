/* Tests of verify mode (hpk_cl.h, "Verify mode"): the setting and
 * HPK_CL_VERIFY; every kernel passes, through both APIs and in both
 * precisions, with the serial backend's bits and a verification time; a
 * device result perturbed by the library's test hook (hpk__cl_set_fault,
 * internal: this program links the static library) is caught, with the
 * kernel, the element and both values in the message and the device's
 * output written; verify mode off does no CPU work, nor do the calls it
 * does not check (hpk_cl_mc_integrate, float sums without fp64); bad input
 * keeps its statuses. */
#define _POSIX_C_SOURCE 200809L
#include "cl_test.h"

#include <inttypes.h>
#include <string.h>

/* The library's test hook (cl/cl_backend.h). */
void hpk__cl_set_fault(hpk_ctx *ctx, int64_t element);

typedef enum api { HOST, MEM } api;
typedef enum op { SUM, ASUM, DOT, NRM2, AMAX, OP_COUNT } op;
static const char *const op_names[OP_COUNT] = {"sum", "asum", "dot", "nrm2", "amax"};

static hpk_ctx *serial_ctx(void)
{
    hpk_ctx *c = NULL;
    expect(hpk_ctx_create(&c, HPK_BACKEND_SERIAL), HPK_SUCCESS, NULL, "hpk_ctx_create(serial)");
    return c;
}

static hpk_ctx *verifying_ctx(void)
{
    hpk_ctx *c = test_ctx(0);
    expect(hpk_ctx_set_verify(c, 1), HPK_SUCCESS, c, "hpk_ctx_set_verify");
    return c;
}

/* A buffer of `offset` + `span` elements holding host[0, span) from element offset. */
static cl_mem mem_of(hpk_ctx *ctx, const void *host, size_t span, size_t offset, bool single)
{
    const size_t e = elem_size(single);
    cl_mem m = buffer(ctx, (offset + span) * e, NULL);
    if (span) {
        const cl_int err =
            clEnqueueWriteBuffer(hpk_ctx_cl_queue(ctx), m, CL_TRUE, offset * e, span * e, host, 0, NULL, NULL);
        if (err != CL_SUCCESS)
            fail_msg("clEnqueueWriteBuffer: %d", (int)err);
    }
    return m;
}

static uint64_t bits(const void *v, bool single)
{
    if (single) {
        uint32_t b;
        memcpy(&b, v, sizeof b);
        return b;
    }
    uint64_t b;
    memcpy(&b, v, sizeof b);
    return b;
}

/* ---- one reduction through either API ---------------------------------------- */

typedef struct outcome {
    hpk_status status;
    union {
        double d;
        float s;
    } v;
    int64_t index;
} outcome;

enum { XO = 3, YO = 5 }; /* buffer offsets of the cl_mem calls */

static outcome reduce(hpk_ctx *ctx, api a, op o, bool single, int64_t n, const void *x, int64_t incx, const void *y,
                      int64_t incy)
{
    outcome r = {HPK_SUCCESS, {0}, -7};
    memset(&r.v, 0x5a, sizeof r.v);
    const void *px = x, *py = y;
    cl_mem mx = NULL, my = NULL;
    if (a == MEM) {
        mx = mem_of(ctx, x, test_span(n, incx), XO, single);
        my = o == DOT ? mem_of(ctx, y, test_span(n, incy), YO, single) : NULL;
    }
    double *d = &r.v.d;
    float *s = &r.v.s;
    switch (o) {
    case SUM: r.status = a == HOST ? (single ? hpk_ssum(ctx, n, px, incx, s) : hpk_dsum(ctx, n, px, incx, d))
                                   : (single ? hpk_cl_ssum(ctx, n, mx, XO, incx, s) : hpk_cl_dsum(ctx, n, mx, XO, incx, d));
        break;
    case ASUM: r.status = a == HOST ? (single ? hpk_sasum(ctx, n, px, incx, s) : hpk_dasum(ctx, n, px, incx, d))
                                    : (single ? hpk_cl_sasum(ctx, n, mx, XO, incx, s) : hpk_cl_dasum(ctx, n, mx, XO, incx, d));
        break;
    case NRM2: r.status = a == HOST ? (single ? hpk_snrm2(ctx, n, px, incx, s) : hpk_dnrm2(ctx, n, px, incx, d))
                                    : (single ? hpk_cl_snrm2(ctx, n, mx, XO, incx, s) : hpk_cl_dnrm2(ctx, n, mx, XO, incx, d));
        break;
    case DOT:
        r.status = a == HOST ? (single ? hpk_sdot(ctx, n, px, incx, py, incy, s) : hpk_ddot(ctx, n, px, incx, py, incy, d))
                             : (single ? hpk_cl_sdot(ctx, n, mx, XO, incx, my, YO, incy, s)
                                       : hpk_cl_ddot(ctx, n, mx, XO, incx, my, YO, incy, d));
        break;
    case AMAX:
        r.status = a == HOST ? (single ? hpk_isamax(ctx, n, px, incx, &r.index) : hpk_idamax(ctx, n, px, incx, &r.index))
                             : (single ? hpk_cl_isamax(ctx, n, mx, XO, incx, &r.index)
                                       : hpk_cl_idamax(ctx, n, mx, XO, incx, &r.index));
        break;
    case OP_COUNT: break;
    }
    if (mx)
        clReleaseMemObject(mx);
    if (my)
        clReleaseMemObject(my);
    return r;
}

static bool same_outcome(op o, bool single, const outcome *p, const outcome *q)
{
    return o == AMAX ? p->index == q->index : bits(&p->v, single) == bits(&q->v, single);
}

/* ---- GEMV through either API: y (host, span elements) updated in place ---------- */

enum { AO = 2 };

static hpk_status gemv(hpk_ctx *ctx, api a, bool single, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                       double alpha, const void *A, int64_t lda, const void *x, int64_t incx, double beta, void *y,
                       int64_t incy)
{
    const int64_t xlen = trans == HPK_NO_TRANS ? n : m, ylen = trans == HPK_NO_TRANS ? m : n;
    const int64_t vecs = layout == HPK_ROW_MAJOR ? m : n, len = layout == HPK_ROW_MAJOR ? n : m;
    if (a == HOST)
        return single ? hpk_sgemv(ctx, layout, trans, m, n, (float)alpha, A, lda, x, incx, (float)beta, y, incy)
                      : hpk_dgemv(ctx, layout, trans, m, n, alpha, A, lda, x, incx, beta, y, incy);
    const size_t yspan = test_span(ylen, incy);
    cl_mem ma = mem_of(ctx, A, (size_t)((vecs - 1) * lda + len), AO, single);
    cl_mem mx = mem_of(ctx, x, test_span(xlen, incx), XO, single);
    cl_mem my = mem_of(ctx, y, yspan, YO, single);
    hpk_status st = single ? hpk_cl_sgemv(ctx, layout, trans, m, n, (float)alpha, ma, AO, lda, mx, XO, incx,
                                          (float)beta, my, YO, incy)
                           : hpk_cl_dgemv(ctx, layout, trans, m, n, alpha, ma, AO, lda, mx, XO, incx, beta, my, YO, incy);
    assert_int_equal(clFinish(hpk_ctx_cl_queue(ctx)), CL_SUCCESS);
    const size_t e = elem_size(single);
    if (yspan) {
        const cl_int err =
            clEnqueueReadBuffer(hpk_ctx_cl_queue(ctx), my, CL_TRUE, YO * e, yspan * e, y, 0, NULL, NULL);
        assert_int_equal(err, CL_SUCCESS);
    }
    clReleaseMemObject(ma);
    clReleaseMemObject(mx);
    clReleaseMemObject(my);
    return st;
}

typedef struct gemv_case {
    hpk_layout layout;
    hpk_transpose trans;
    int64_t m, n, incx, incy;
    double alpha, beta;
} gemv_case;

/* m x n (lda = the stored length + 3), x, and y of the case with random values. */
typedef struct gemv_data {
    void *a, *x, *y;
    int64_t lda;
    size_t yspan;
} gemv_data;

static gemv_data gemv_data_of(const gemv_case *c, bool single)
{
    const int64_t vecs = c->layout == HPK_ROW_MAJOR ? c->m : c->n, len = c->layout == HPK_ROW_MAJOR ? c->n : c->m;
    const int64_t xlen = c->trans == HPK_NO_TRANS ? c->n : c->m, ylen = c->trans == HPK_NO_TRANS ? c->m : c->n;
    gemv_data g = {NULL, NULL, NULL, len + 3, test_span(ylen, c->incy)};
    const size_t na = (size_t)(vecs * g.lda);
    g.a = strided_data(na, 0, (int64_t)na, 1, single, -1, 1);
    g.x = strided_data(test_span(xlen, c->incx), 0, xlen, c->incx, single, -1, 1);
    g.y = strided_data(g.yspan, 0, ylen, c->incy, single, -1, 1);
    return g;
}

static void gemv_data_free(gemv_data *g)
{
    free(g->a);
    free(g->x);
    free(g->y);
}

static const gemv_case gemv_cases[] = {
    {HPK_ROW_MAJOR, HPK_NO_TRANS, 37, 4101, 1, 1, 1.5, 0.0},   /* dot form, two blocks */
    {HPK_ROW_MAJOR, HPK_TRANS, 300, 29, -2, 3, -0.75, 0.5},     /* axpy form, two runs */
    {HPK_COL_MAJOR, HPK_NO_TRANS, 41, 260, 2, -1, 1.0, 1.0},   /* axpy form */
    {HPK_COL_MAJOR, HPK_TRANS, 33, 9, -1, -2, 2.0, -1.25},     /* dot form */
    {HPK_ROW_MAJOR, HPK_NO_TRANS, 20, 17, 1, 2, 0.0, 0.5},     /* alpha == 0: A and x not read */
};

/* ---- the setting ------------------------------------------------------------------ */

static void test_setting(void **state)
{
    (void)state;
    set_env("HPK_CL_VERIFY", NULL);
    hpk_ctx *ctx = test_ctx(0);
    assert_int_equal(hpk_ctx_get_verify(ctx), 0);
    expect(hpk_ctx_set_verify(ctx, 7), HPK_SUCCESS, ctx, "hpk_ctx_set_verify(7)");
    assert_int_equal(hpk_ctx_get_verify(ctx), 1);
    expect(hpk_ctx_set_verify(ctx, 0), HPK_SUCCESS, ctx, "hpk_ctx_set_verify(0)");
    assert_int_equal(hpk_ctx_get_verify(ctx), 0);
    hpk_ctx_destroy(ctx);

    expect(hpk_ctx_set_verify(NULL, 1), HPK_ERR_INVALID_ARG, NULL, "hpk_ctx_set_verify(NULL)");
    assert_int_equal(hpk_ctx_get_verify(NULL), 0);
    hpk_ctx *cpu = serial_ctx();
    expect(hpk_ctx_set_verify(cpu, 1), HPK_ERR_INVALID_ARG, cpu, "hpk_ctx_set_verify(serial)");
    expect_message(cpu, "hpk_ctx_set_verify", "hpk_ctx_set_verify(serial)");
    assert_int_equal(hpk_ctx_get_verify(cpu), 0);
    hpk_ctx_destroy(cpu);

    static const struct {
        const char *value;
        int on;
    } values[] = {{"1", 1}, {"on", 1}, {"yes", 1}, {"true", 1}, {"0", 0}, {"off", 0}, {"no", 0}, {"false", 0}, {"", 0}};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        set_env("HPK_CL_VERIFY", values[i].value);
        ctx = test_ctx(0);
        if (hpk_ctx_get_verify(ctx) != values[i].on)
            fail_msg("HPK_CL_VERIFY=\"%s\" gave verify %d", values[i].value, hpk_ctx_get_verify(ctx));
        hpk_ctx_destroy(ctx);
    }
    set_env("HPK_CL_VERIFY", "maybe");
    ctx = NULL;
    expect(hpk_ctx_create_cl(&ctx, NULL), HPK_ERR_INVALID_ARG, NULL, "HPK_CL_VERIFY=maybe");
    assert_null(ctx);
    expect_message(NULL, "HPK_CL_VERIFY is \"maybe\"", "HPK_CL_VERIFY=maybe");
    /* a context on the caller's queue reads it too */
    set_env("HPK_CL_VERIFY", NULL);
    ctx = test_ctx(0);
    set_env("HPK_CL_VERIFY", "maybe");
    cl_int err;
    cl_command_queue q = clCreateCommandQueue(hpk_ctx_cl_context(ctx), hpk_ctx_cl_device(ctx), 0, &err);
    assert_int_equal(err, CL_SUCCESS);
    hpk_ctx *adopted = NULL;
    expect(hpk_ctx_create_cl_queue(&adopted, q), HPK_ERR_INVALID_ARG, NULL, "a queue with HPK_CL_VERIFY=maybe");
    assert_null(adopted);
    set_env("HPK_CL_VERIFY", "yes");
    expect(hpk_ctx_create_cl_queue(&adopted, q), HPK_SUCCESS, NULL, "a queue with HPK_CL_VERIFY=yes");
    assert_int_equal(hpk_ctx_get_verify(adopted), 1);
    double v[3] = {1, 2, 3}, r = 0;
    expect(hpk_dsum(adopted, 3, v, 1, &r), HPK_SUCCESS, adopted, "hpk_dsum on the caller's queue, verified");
    assert_true(r == 6.0);
    hpk_ctx_destroy(adopted);
    clReleaseCommandQueue(q);
    hpk_ctx_destroy(ctx);
    set_env("HPK_CL_VERIFY", NULL);

    assert_int_equal(HPK_ERR_MISMATCH, -7);
    assert_string_equal(hpk_status_string(HPK_ERR_MISMATCH), "device and CPU results differ");
}

/* ---- without a fault every kernel passes ----------------------------------------------- */

static double verify_seconds(hpk_ctx *ctx)
{
    return profile_of(ctx).verify_s;
}

static void test_every_kernel_passes(void **state)
{
    (void)state;
    static const struct {
        int64_t n, incx, incy;
    } cases[] = {{1, 1, 1}, {1000, -3, 2}, {3 * 4096 + 7, 1, -1}, {2 * 4096, 2, 1}};
    hpk_ctx *ctx = verifying_ctx(), *cpu = serial_ctx();
    test_seed(2101);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int single = 0; single <= 1; single++) {
            const int64_t n = cases[k].n, incx = cases[k].incx, incy = cases[k].incy;
            void *x = strided_data(test_span(n, incx), 0, n, incx, single, -2, 2);
            void *y = strided_data(test_span(n, incy), 0, n, incy, single, -2, 2);
            for (op o = SUM; o < OP_COUNT; o++) {
                const outcome want = reduce(cpu, HOST, o, single, n, x, incx, y, incy);
                for (api a = HOST; a <= MEM; a++) {
                    const outcome got = reduce(ctx, a, o, single, n, x, incx, y, incy);
                    if (got.status != HPK_SUCCESS || !same_outcome(o, single, &got, &want))
                        fail_msg("%s%s (%s API) n=%" PRId64 ": status %d (%s), %s the serial result",
                                 single ? "s" : "d", op_names[o], a == HOST ? "host" : "cl_mem", n, (int)got.status,
                                 hpk_ctx_error_message(ctx), same_outcome(o, single, &got, &want) ? "equal to" : "not");
                    if (!(verify_seconds(ctx) > 0))
                        fail_msg("%s%s: verify_s is %g", single ? "s" : "d", op_names[o], verify_seconds(ctx));
                }
            }
            free(x);
            free(y);
        }

    for (size_t k = 0; k < sizeof gemv_cases / sizeof gemv_cases[0]; k++)
        for (int single = 0; single <= 1; single++)
            for (api a = HOST; a <= MEM; a++) {
                const gemv_case *c = &gemv_cases[k];
                gemv_data g = gemv_data_of(c, single);
                void *want = test_alloc(g.yspan * elem_size(single));
                memcpy(want, g.y, g.yspan * elem_size(single));
                expect(gemv(cpu, HOST, single, c->layout, c->trans, c->m, c->n, c->alpha, g.a, g.lda, g.x, c->incx,
                            c->beta, want, c->incy),
                       HPK_SUCCESS, cpu, "serial gemv");
                expect(gemv(ctx, a, single, c->layout, c->trans, c->m, c->n, c->alpha, g.a, g.lda, g.x, c->incx,
                            c->beta, g.y, c->incy),
                       HPK_SUCCESS, ctx, "gemv with verify");
                if (memcmp(want, g.y, g.yspan * elem_size(single)) != 0)
                    fail_msg("gemv case %zu (%s, %s API): y differs from the serial backend's", k,
                             single ? "s" : "d", a == HOST ? "host" : "cl_mem");
                assert_true(verify_seconds(ctx) > 0);
                free(want);
                gemv_data_free(&g);
            }

    hpk_mc_result got, want;
    expect(hpk_mc_pi(ctx, 100003, 42, &got), HPK_SUCCESS, ctx, "hpk_mc_pi with verify");
    assert_true(verify_seconds(ctx) > 0);
    expect(hpk_mc_pi(cpu, 100003, 42, &want), HPK_SUCCESS, cpu, "serial hpk_mc_pi");
    assert_memory_equal(&got, &want, sizeof got);

    /* hpk_cl_mc_integrate is not checked (its integrand is OpenCL C only):
     * it runs as without verify mode, with no verification time */
    static const char poly_cl[] = TEST_POLY_CL;
    const double lo[3] = {-1, 0, 0.5}, hi[3] = {1, 2, 0.75};
    expect(hpk_cl_mc_integrate(ctx, poly_cl, 3, lo, hi, 20011, 5, &got), HPK_SUCCESS, ctx, "hpk_cl_mc_integrate");
    assert_true(verify_seconds(ctx) == 0.0);
    expect(hpk_mc_integrate(cpu, test_poly, NULL, 3, lo, hi, 20011, 5, &want), HPK_SUCCESS, cpu, "hpk_mc_integrate");
    assert_memory_equal(&got, &want, sizeof got);
    hpk_ctx_destroy(cpu);
    hpk_ctx_destroy(ctx);
}

/* ---- a fault is caught ------------------------------------------------------------------ */

static void expect_text(const hpk_ctx *ctx, const char *want, const char *what)
{
    if (strcmp(hpk_ctx_error_message(ctx), want) != 0)
        fail_msg("%s: message \"%s\", expected \"%s\"", what, hpk_ctx_error_message(ctx), want);
}

static void test_fault_in_reductions(void **state)
{
    (void)state;
    const int64_t n = 5000, incx = -2, incy = 1;
    hpk_ctx *ctx = verifying_ctx(), *cpu = serial_ctx();
    hpk__cl_set_fault(ctx, 0);
    test_seed(2102);
    for (int single = 0; single <= 1; single++) {
        void *x = strided_data(test_span(n, incx), 0, n, incx, single, -2, 2);
        void *y = strided_data(test_span(n, incy), 0, n, incy, single, -2, 2);
        for (op o = SUM; o < OP_COUNT; o++)
            for (api a = HOST; a <= MEM; a++) {
                char fn[32], what[128], want_text[256];
                snprintf(fn, sizeof fn, "hpk_%s%s%s%s", a == MEM ? "cl_" : "", o == AMAX ? "i" : "",
                         single ? "s" : "d", op_names[o]);
                snprintf(what, sizeof what, "%s with a fault", fn);
                const outcome want = reduce(cpu, HOST, o, single, n, x, incx, y, incy);
                const outcome got = reduce(ctx, a, o, single, n, x, incx, y, incy);
                expect(got.status, HPK_ERR_MISMATCH, ctx, what);
                if (o == AMAX) {
                    assert_int_equal(got.index, want.index + 1); /* the device's (perturbed) index is written */
                    snprintf(want_text, sizeof want_text,
                             "%s: device and CPU differ at the index: device %" PRId64 ", CPU %" PRId64, fn,
                             got.index, want.index);
                } else {
                    /* the device's result is written: the CPU's with its last bit flipped */
                    assert_true(bits(&got.v, single) == (bits(&want.v, single) ^ 1u));
                    snprintf(want_text, sizeof want_text,
                             "%s: device and CPU differ at the result: device 0x%0*" PRIx64 ", CPU 0x%0*" PRIx64, fn,
                             single ? 8 : 16, bits(&got.v, single), single ? 8 : 16, bits(&want.v, single));
                }
                expect_text(ctx, want_text, what);
            }
        free(x);
        free(y);
    }
    hpk_ctx_destroy(cpu);
    hpk_ctx_destroy(ctx);
}

static void test_fault_in_gemv(void **state)
{
    (void)state;
    hpk_ctx *ctx = verifying_ctx(), *cpu = serial_ctx();
    test_seed(2103);
    for (size_t k = 0; k < 4; k++)
        for (int single = 0; single <= 1; single++)
            for (api a = HOST; a <= MEM; a++) {
                const gemv_case *c = &gemv_cases[k];
                const int64_t ylen = c->trans == HPK_NO_TRANS ? c->m : c->n, bad = ylen / 2 + (int64_t)k;
                hpk__cl_set_fault(ctx, bad);
                gemv_data g = gemv_data_of(c, single);
                const size_t e = elem_size(single);
                void *want = test_alloc(g.yspan * e);
                memcpy(want, g.y, g.yspan * e);
                expect(gemv(cpu, HOST, single, c->layout, c->trans, c->m, c->n, c->alpha, g.a, g.lda, g.x, c->incx,
                            c->beta, want, c->incy),
                       HPK_SUCCESS, cpu, "serial gemv");
                char fn[32], what[128], want_text[256];
                snprintf(fn, sizeof fn, "hpk_%s%sgemv", a == MEM ? "cl_" : "", single ? "s" : "d");
                snprintf(what, sizeof what, "%s case %zu with a fault at y[%" PRId64 "]", fn, k, bad);
                expect(gemv(ctx, a, single, c->layout, c->trans, c->m, c->n, c->alpha, g.a, g.lda, g.x, c->incx,
                            c->beta, g.y, c->incy),
                       HPK_ERR_MISMATCH, ctx, what);
                /* y is written: the CPU's, but for the perturbed element */
                const size_t at = (size_t)test_index(bad, ylen, c->incy);
                const char *dev = (const char *)g.y + at * e, *cpu_v = (const char *)want + at * e;
                assert_true(bits(dev, single) == (bits(cpu_v, single) ^ 1u));
                snprintf(want_text, sizeof want_text,
                         "%s: device and CPU differ at y[%" PRId64 "]: device 0x%0*" PRIx64 ", CPU 0x%0*" PRIx64, fn,
                         bad, single ? 8 : 16, bits(dev, single), single ? 8 : 16, bits(cpu_v, single));
                expect_text(ctx, want_text, what);
                memcpy((char *)g.y + at * e, cpu_v, e);
                assert_memory_equal(g.y, want, g.yspan * e);
                free(want);
                gemv_data_free(&g);
            }
    hpk__cl_set_fault(ctx, -1); /* and without the fault, the same context passes */
    const gemv_case *c = &gemv_cases[1];
    gemv_data g = gemv_data_of(c, false);
    expect(gemv(ctx, MEM, false, c->layout, c->trans, c->m, c->n, c->alpha, g.a, g.lda, g.x, c->incx, c->beta, g.y,
                c->incy),
           HPK_SUCCESS, ctx, "gemv after the fault");
    gemv_data_free(&g);
    hpk_ctx_destroy(cpu);
    hpk_ctx_destroy(ctx);
}

static void test_fault_in_mc_pi(void **state)
{
    (void)state;
    hpk_ctx *ctx = verifying_ctx(), *cpu = serial_ctx();
    hpk__cl_set_fault(ctx, 0);
    hpk_mc_result got, want;
    expect(hpk_mc_pi(cpu, 5000, 9, &want), HPK_SUCCESS, cpu, "serial hpk_mc_pi");
    expect(hpk_mc_pi(ctx, 5000, 9, &got), HPK_ERR_MISMATCH, ctx, "hpk_mc_pi with a fault");
    assert_true(bits(&got.estimate, false) == (bits(&want.estimate, false) ^ 1u));
    char text[256];
    snprintf(text, sizeof text, "hpk_mc_pi: device and CPU differ at the estimate: device 0x%016" PRIx64
             ", CPU 0x%016" PRIx64, bits(&got.estimate, false), bits(&want.estimate, false));
    expect_text(ctx, text, "hpk_mc_pi with a fault");
    hpk_ctx_destroy(cpu);
    hpk_ctx_destroy(ctx);
}

/* ---- verify off, a device without fp64, bad input ------------------------------------- */

static void test_off_does_no_cpu_work(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    hpk__cl_set_fault(ctx, 0); /* the hook acts in verify mode only */
    double x[300], r;
    test_fill_d(x, 300, -1, 1);
    for (op o = SUM; o < OP_COUNT; o++)
        for (api a = HOST; a <= MEM; a++) {
            const outcome got = reduce(ctx, a, o, false, 300, x, 1, x, 1);
            expect(got.status, HPK_SUCCESS, ctx, "a reduction with verify off");
            assert_true(verify_seconds(ctx) == 0.0);
        }
    const gemv_case *c = &gemv_cases[3];
    gemv_data g = gemv_data_of(c, true);
    expect(gemv(ctx, MEM, true, c->layout, c->trans, c->m, c->n, c->alpha, g.a, g.lda, g.x, c->incx, c->beta, g.y,
                c->incy),
           HPK_SUCCESS, ctx, "hpk_cl_sgemv with verify off");
    assert_true(verify_seconds(ctx) == 0.0);
    gemv_data_free(&g);
    hpk_mc_result m;
    expect(hpk_mc_pi(ctx, 1000, 1, &m), HPK_SUCCESS, ctx, "hpk_mc_pi with verify off");
    assert_true(verify_seconds(ctx) == 0.0);
    /* switched on, the same context checks (and catches the fault) */
    expect(hpk_ctx_set_verify(ctx, 1), HPK_SUCCESS, ctx, "hpk_ctx_set_verify");
    expect(hpk_dsum(ctx, 300, x, 1, &r), HPK_ERR_MISMATCH, ctx, "hpk_dsum with verify on");
    assert_true(verify_seconds(ctx) > 0);
    hpk_ctx_destroy(ctx);
}

/* Float sums on a device without fp64 are not the CPU's bits: not checked;
 * isamax and sgemv are, and are. */
static void test_without_fp64(void **state)
{
    (void)state;
    set_env("HPK_CL_NO_FP64", "1");
    hpk_ctx *ctx = verifying_ctx();
    set_env("HPK_CL_NO_FP64", NULL);
    hpk__cl_set_fault(ctx, 0);
    float x[5000];
    test_fill_s(x, 5000, -1, 1);
    for (op o = SUM; o < AMAX; o++)
        for (api a = HOST; a <= MEM; a++) {
            const outcome got = reduce(ctx, a, o, true, 5000, x, 1, x, 1);
            expect(got.status, HPK_SUCCESS, ctx, "a float reduction without fp64");
            assert_true(verify_seconds(ctx) == 0.0);
        }
    const outcome got = reduce(ctx, MEM, AMAX, true, 5000, x, 1, NULL, 1);
    expect(got.status, HPK_ERR_MISMATCH, ctx, "hpk_cl_isamax without fp64, with a fault");
    const gemv_case *c = &gemv_cases[0];
    gemv_data g = gemv_data_of(c, true);
    expect(gemv(ctx, HOST, true, c->layout, c->trans, c->m, c->n, c->alpha, g.a, g.lda, g.x, c->incx, c->beta, g.y,
                c->incy),
           HPK_ERR_MISMATCH, ctx, "hpk_sgemv without fp64, with a fault");
    gemv_data_free(&g);
    hpk_ctx_destroy(ctx);
}

static void test_bad_input(void **state)
{
    (void)state;
    hpk_ctx *ctx = verifying_ctx();
    double x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r = 42.0, y[8] = {0};
    int64_t index = 42;
    expect(hpk_dsum(ctx, -1, x, 1, &r), HPK_ERR_INVALID_ARG, ctx, "hpk_dsum(n = -1)");
    expect(hpk_ddot(ctx, 8, x, 1, y, 0, &r), HPK_ERR_INVALID_ARG, ctx, "hpk_ddot(incy = 0)");
    expect(hpk_idamax(ctx, 8, x, 1, NULL), HPK_ERR_INVALID_ARG, ctx, "hpk_idamax(NULL)");
    expect(hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 4, 1.0, x, 3, x, 1, 0.0, y, 1), HPK_ERR_INVALID_ARG, ctx,
           "hpk_dgemv(lda too small)");
    hpk_mc_result m = {-1, -1, 0};
    expect(hpk_mc_pi(ctx, 0, 1, &m), HPK_ERR_INVALID_ARG, ctx, "hpk_mc_pi(0 samples)");
    cl_mem small = mem_of(ctx, x, 8, 0, false);
    expect(hpk_cl_dsum(ctx, 9, small, 0, 1, &r), HPK_ERR_INVALID_ARG, ctx, "hpk_cl_dsum past the buffer");
    expect(hpk_cl_idamax(ctx, 5, small, 4, 1, &index), HPK_ERR_INVALID_ARG, ctx, "hpk_cl_idamax past the buffer");
    expect(hpk_cl_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 3, 3, 1.0, small, 0, 3, small, 0, 1, 0.0, small, 6, 1),
           HPK_ERR_INVALID_ARG, ctx, "hpk_cl_dgemv past the buffer");
    assert_true(r == 42.0 && index == 42 && m.estimate == -1);
    for (int i = 0; i < 8; i++)
        assert_true(y[i] == 0.0);
    /* n == 0 and the quick returns: success, nothing to verify */
    expect(hpk_cl_dnrm2(ctx, 0, NULL, 0, 1, &r), HPK_SUCCESS, ctx, "hpk_cl_dnrm2(n = 0)");
    assert_true(r == 0.0);
    expect(hpk_cl_idamax(ctx, 0, NULL, 0, 1, &index), HPK_SUCCESS, ctx, "hpk_cl_idamax(n = 0)");
    assert_true(index == -1);
    clReleaseMemObject(small);
    hpk_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    if (!cl_test_start(argc, argv))
        return 1;
    set_env("HPK_CL_VERIFY", NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setting),
        cmocka_unit_test(test_every_kernel_passes),
        cmocka_unit_test(test_fault_in_reductions),
        cmocka_unit_test(test_fault_in_gemv),
        cmocka_unit_test(test_fault_in_mc_pi),
        cmocka_unit_test(test_off_does_no_cpu_work),
        cmocka_unit_test(test_without_fp64),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name("verify mode", tests, NULL, NULL);
}
