/* Tests of the batched calls (hpk.h, "Batches"):
 *   - strided-batched and pointer-array GEMV, both precisions, layouts and
 *     transposes, odd sizes, negative increments, input strides of 0 and
 *     negative ones, interleaved outputs: every problem's y bitwise the
 *     single call's on the same context and the serial backend's, every
 *     element between the outputs untouched;
 *   - strided-batched sum, asum, nrm2, dot and i?amax the same way, and a
 *     matrix's rows and columns in either layout;
 *   - the quick returns (batch 0, empty problems, alpha 0 with beta 1, n 0);
 *   - every bad argument rejected with a message naming it, nothing written.
 * The contexts under test: the backend at 1, 2 and 3 threads on every CPU
 * path this machine runs (OpenMP), every path (serial), or the device
 * (OpenCL).  Data has full mantissas, so a problem computed from the wrong
 * operands, or in another order, shows in its bits. */
#include "support.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD 4 /* poisoned elements before and after every output buffer */

/* ---- the contexts under test ---------------------------------------------- */

enum { MAX_CTX = 12 };

typedef struct ctx_set {
    hpk_ctx *ctx[MAX_CTX];
    char name[MAX_CTX][48];
    int count;
    hpk_ctx *serial; /* the reference */
    bool serial_bits; /* whether the backend must give the serial backend's bits */
} ctx_set;

static ctx_set contexts(void)
{
    ctx_set s = {.count = 0};
    assert_int_equal(hpk_ctx_create(&s.serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    if (!test_is_cpu_backend()) {
        s.ctx[0] = test_ctx(0);
        snprintf(s.name[0], sizeof s.name[0], "%s", test_backend_name);
        s.count = 1;
        /* A device with fp64 gives the CPU's bits (hpk_cl.h); without it
         * double calls are unsupported and the float ones may differ. */
        double one = 1.0, r;
        s.serial_bits = hpk_ddot(s.ctx[0], 1, &one, 1, &one, 1, &r) == HPK_SUCCESS;
        return s;
    }
    s.serial_bits = true;
    const int threads_max = test_backend == HPK_BACKEND_OPENMP ? 3 : 1;
    for (int threads = 1; threads <= threads_max; threads++) {
        for (int p = 0; p < TEST_CPU_PATHS; p++) {
            hpk_ctx *c = test_ctx(threads);
            if (hpk_ctx_set_cpu_path(c, test_cpu_paths[p]) != HPK_SUCCESS) {
                hpk_ctx_destroy(c);
                continue;
            }
            assert_true(s.count < MAX_CTX);
            s.ctx[s.count] = c;
            snprintf(s.name[s.count], sizeof s.name[0], "%s, %d thread(s), path %s", test_backend_name, threads,
                     test_cpu_paths[p]);
            s.count++;
        }
    }
    return s;
}

static void contexts_free(ctx_set *s)
{
    for (int i = 0; i < s->count; i++)
        hpk_ctx_destroy(s->ctx[i]);
    hpk_ctx_destroy(s->serial);
}

/* ---- elements of either precision ------------------------------------------ */

static size_t esize(bool f32)
{
    return f32 ? sizeof(float) : sizeof(double);
}

static void fill_full(void *p, size_t n, bool f32)
{
    if (f32)
        test_fill_wide_s(p, n, -6, 6);
    else
        test_fill_wide_d(p, n, -6, 6);
}

static void poison_at(void *p, size_t i, bool f32)
{
    if (f32)
        ((float *)p)[i] = test_poison_s();
    else
        ((double *)p)[i] = test_poison_d();
}

static void put_at(void *p, size_t i, bool f32, double v)
{
    if (f32)
        ((float *)p)[i] = (float)v;
    else
        ((double *)p)[i] = v;
}

static bool is_poison_at(const void *p, size_t i, bool f32)
{
    return f32 ? test_is_poison_s(((const float *)p)[i]) : test_is_poison_d(((const double *)p)[i]);
}

static int64_t iabs64(int64_t v)
{
    return v < 0 ? -v : v;
}

/* Whether two values are the same: the same bits, or both NaN (hpk.h,
 * "Reproducibility": a NaN result is any NaN).  Indices (values of
 * `real` false) are compared as they are. */
static bool same_value(const void *p, const void *q, size_t elem, bool real)
{
    if (memcmp(p, q, elem) == 0)
        return true;
    if (!real)
        return false;
    if (elem == sizeof(float)) {
        float a, b;
        memcpy(&a, p, sizeof a), memcpy(&b, q, sizeof b);
        return isnan(a) && isnan(b);
    }
    double a, b;
    memcpy(&a, p, sizeof a), memcpy(&b, q, sizeof b);
    return isnan(a) && isnan(b);
}

/* The first element at which two buffers differ (same_value), or -1. */
static int64_t first_difference(const void *p, const void *q, size_t n, size_t elem, bool real)
{
    for (size_t i = 0; i < n; i++)
        if (!same_value((const char *)p + i * elem, (const char *)q + i * elem, elem, real))
            return (int64_t)i;
    return -1;
}

/* ---- an operand of a batch: `batch` problems, stride apart ------------------- */

typedef struct operand {
    char *buf;      /* GUARD + storage + GUARD elements */
    size_t elems;   /* all of it */
    int64_t origin; /* where problem 0 starts, in elements from buf */
    int64_t stride, span;
} operand;

static operand operand_alloc(int64_t batch, int64_t stride, int64_t span, bool f32)
{
    operand o = {.stride = stride, .span = span};
    const int64_t reach = (batch - 1) * iabs64(stride);
    o.origin = GUARD + (stride < 0 ? reach : 0);
    o.elems = (size_t)(2 * GUARD + reach + span);
    o.buf = test_alloc(o.elems * esize(f32));
    return o;
}

/* Where problem k's operand starts (the pointer a single call takes). */
static void *problem_at(const operand *o, int64_t k, bool f32)
{
    return o->buf + (size_t)(o->origin + k * o->stride) * esize(f32);
}

static void *duplicate(const operand *o, bool f32)
{
    void *d = test_alloc(o->elems * esize(f32));
    memcpy(d, o->buf, o->elems * esize(f32));
    return d;
}

/* Input strides the tests take: packed, with a gap, 0 (shared by every
 * problem), negative, interleaved (stride 1, the increment >= batch). */
enum { PACKED, GAPPED, SHARED, NEGATIVE, INTERLEAVED, STRIDE_KINDS };
static const char *const stride_names[STRIDE_KINDS] = {"packed", "gapped", "shared", "negative", "interleaved"};

/* The stride of kind `kind` for operands of `span` elements. */
static int64_t stride_of(int kind, int64_t span)
{
    switch (kind) {
    case GAPPED: return span + 3;
    case SHARED: return 0;
    case NEGATIVE: return -(span + 1);
    case INTERLEAVED: return 1;
    default: return span;
    }
}

/* ---- GEMV -------------------------------------------------------------------- */

typedef struct gemv_case {
    bool f32, listed;
    hpk_layout layout;
    hpk_transpose trans;
    int64_t m, n, lda, incx, incy, batch;
    int kind_a, kind_x, kind_y;
    double alpha, beta;
} gemv_case;

static const char *describe_gemv(const gemv_case *c)
{
    static char text[320];
    snprintf(text, sizeof text,
             "%cgemv%s %s %s m=%" PRId64 " n=%" PRId64 " lda=%" PRId64 " incx=%" PRId64 " incy=%" PRId64
             " batch=%" PRId64 " a %s, x %s, y %s, alpha=%a beta=%a",
             c->f32 ? 's' : 'd', c->listed ? "_batched" : "_strided_batched",
             c->layout == HPK_ROW_MAJOR ? "row" : "col", c->trans == HPK_NO_TRANS ? "N" : "T", c->m, c->n, c->lda,
             c->incx, c->incy, c->batch, stride_names[c->kind_a], stride_names[c->kind_x], stride_names[c->kind_y],
             c->alpha, c->beta);
    return text;
}

static hpk_status single_gemv(hpk_ctx *ctx, const gemv_case *c, const void *a, const void *x, void *y)
{
    if (c->f32)
        return hpk_sgemv(ctx, c->layout, c->trans, c->m, c->n, (float)c->alpha, a, c->lda, x, c->incx,
                         (float)c->beta, y, c->incy);
    return hpk_dgemv(ctx, c->layout, c->trans, c->m, c->n, c->alpha, a, c->lda, x, c->incx, c->beta, y, c->incy);
}

/* Problem k uses slot slot_of(k) of each operand: k itself for strided
 * batches, the reverse order for pointer arrays (whose problems are then
 * not evenly spaced upwards). */
static int64_t slot_of(const gemv_case *c, int64_t k)
{
    return c->listed ? c->batch - 1 - k : k;
}

static hpk_status batched_gemv(hpk_ctx *ctx, const gemv_case *c, const operand *a, const operand *x, operand *y)
{
    const bool f = c->f32;
    if (!c->listed) {
        if (f)
            return hpk_sgemv_strided_batched(ctx, c->layout, c->trans, c->m, c->n, (float)c->alpha,
                                             problem_at(a, 0, f), c->lda, a->stride, problem_at(x, 0, f), c->incx,
                                             x->stride, (float)c->beta, problem_at(y, 0, f), c->incy, y->stride,
                                             c->batch);
        return hpk_dgemv_strided_batched(ctx, c->layout, c->trans, c->m, c->n, c->alpha, problem_at(a, 0, f), c->lda,
                                         a->stride, problem_at(x, 0, f), c->incx, x->stride, c->beta,
                                         problem_at(y, 0, f), c->incy, y->stride, c->batch);
    }
    void **pa = test_alloc((size_t)c->batch * sizeof *pa), **px = test_alloc((size_t)c->batch * sizeof *px),
         **py = test_alloc((size_t)c->batch * sizeof *py);
    for (int64_t k = 0; k < c->batch; k++) {
        pa[k] = problem_at(a, slot_of(c, k), f);
        px[k] = problem_at(x, slot_of(c, k), f);
        py[k] = problem_at(y, slot_of(c, k), f);
    }
    hpk_status st;
    if (f)
        st = hpk_sgemv_batched(ctx, c->layout, c->trans, c->m, c->n, (float)c->alpha, (const float *const *)pa,
                               c->lda, (const float *const *)px, c->incx, (float)c->beta, (float *const *)py,
                               c->incy, c->batch);
    else
        st = hpk_dgemv_batched(ctx, c->layout, c->trans, c->m, c->n, c->alpha, (const double *const *)pa, c->lda,
                               (const double *const *)px, c->incx, c->beta, (double *const *)py, c->incy, c->batch);
    free(pa);
    free(px);
    free(py);
    return st;
}

/* y's buffer: poison everywhere but the problems' elements, which hold
 * full-mantissa numbers (poison too when beta == 0: it must not survive).
 * Returns a map of which elements are some problem's. */
static bool *fill_outputs(operand *y, const gemv_case *c, int64_t ylen)
{
    bool *is_output = calloc(y->elems, sizeof *is_output);
    assert_non_null(is_output);
    for (size_t i = 0; i < y->elems; i++)
        poison_at(y->buf, i, c->f32);
    for (int64_t k = 0; k < c->batch; k++) {
        for (int64_t i = 0; i < ylen; i++) {
            const int64_t e = y->origin + k * y->stride + i * iabs64(c->incy);
            assert_false(is_output[e]); /* the test's own layouts never overlap */
            is_output[e] = true;
            if (c->beta != 0.0)
                fill_full(y->buf + e * esize(c->f32), 1, c->f32);
        }
    }
    return is_output;
}

/* The expected buffer: the single calls, problem by problem, on ctx. */
static void *expected_gemv(hpk_ctx *ctx, const char *name, const gemv_case *c, const operand *a, const operand *x,
                           const operand *y)
{
    operand e = *y;
    e.buf = duplicate(y, c->f32);
    for (int64_t k = 0; k < c->batch; k++) {
        const int64_t s = slot_of(c, k);
        const hpk_status st =
            single_gemv(ctx, c, problem_at(a, s, c->f32), problem_at(x, s, c->f32), problem_at(&e, s, c->f32));
        if (st != HPK_SUCCESS)
            fail_msg("%s on %s: the single call on problem %" PRId64 " failed: %s", describe_gemv(c), name, k,
                     hpk_ctx_error_message(ctx));
    }
    return e.buf;
}

static void check_same(const void *got, const void *want, size_t elems, bool f32, const char *what,
                       const char *where, const char *against)
{
    const int64_t d = first_difference(got, want, elems, esize(f32), true);
    if (d >= 0)
        fail_msg("%s on %s: element %" PRId64 " of the output buffer differs from %s", what, where, d, against);
}

static void run_gemv_case(const ctx_set *s, const gemv_case *c)
{
    const bool f = c->f32, row_major = c->layout == HPK_ROW_MAJOR, no_trans = c->trans == HPK_NO_TRANS;
    const int64_t len = row_major ? c->n : c->m, vecs = row_major ? c->m : c->n;
    const int64_t xlen = no_trans ? c->n : c->m, ylen = no_trans ? c->m : c->n;
    const int64_t span_a = (vecs - 1) * c->lda + len;
    operand a = operand_alloc(c->batch, stride_of(c->kind_a, span_a), span_a, f);
    operand x = operand_alloc(c->batch, stride_of(c->kind_x, test_span(xlen, c->incx)),
                              (int64_t)test_span(xlen, c->incx), f);
    operand y = operand_alloc(c->batch, stride_of(c->kind_y, test_span(ylen, c->incy)),
                              (int64_t)test_span(ylen, c->incy), f);
    fill_full(a.buf, a.elems, f);
    fill_full(x.buf, x.elems, f);
    bool *is_output = fill_outputs(&y, c, ylen);
    const char *what = describe_gemv(c);

    void *want = s->serial_bits ? expected_gemv(s->serial, "serial", c, &a, &x, &y) : NULL;
    for (int i = 0; i < s->count; i++) {
        void *single = expected_gemv(s->ctx[i], s->name[i], c, &a, &x, &y);
        if (want)
            check_same(single, want, y.elems, f, what, s->name[i], "the serial backend's single calls");
        operand got = y;
        got.buf = duplicate(&y, f);
        const hpk_status st = batched_gemv(s->ctx[i], c, &a, &x, &got);
        if (st != HPK_SUCCESS)
            fail_msg("%s on %s: %s: %s", what, s->name[i], hpk_status_string(st), hpk_ctx_error_message(s->ctx[i]));
        check_same(got.buf, single, y.elems, f, what, s->name[i], "the single calls on the same context");
        if (want)
            check_same(got.buf, want, y.elems, f, what, s->name[i], "the serial backend's single calls");
        for (size_t e = 0; e < y.elems; e++) {
            if (!is_output[e] && !is_poison_at(got.buf, e, f))
                fail_msg("%s on %s: element %zu, between the outputs, was written", what, s->name[i], e);
            if (is_output[e] && c->beta == 0.0 && is_poison_at(got.buf, e, f))
                fail_msg("%s on %s: output element %zu was not written", what, s->name[i], e);
        }
        free(got.buf);
        free(single);
    }
    free(want);
    free(is_output);
    free(a.buf);
    free(x.buf);
    free(y.buf);
}

static const int64_t sizes[] = {1, 3, 7, 17, 100, 257};
static const int64_t batches[] = {1, 2, 5, 33};
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* alpha and beta: full-mantissa numbers, and 0 and 1 in each place. */
static void scalars(int which, bool f32, double *alpha, double *beta)
{
    double r[2];
    for (int i = 0; i < 2; i++) {
        const int sign = test_sign();
        r[i] = f32 ? (double)test_full_s(sign, test_int(-2, 2)) : test_full_d(sign, test_int(-2, 2));
    }
    static const double fixed[][2] = {{-1, -1}, {-1, 0}, {0, -1}, {1, 1}, {0, 1}, {1, 0}};
    const int k = which % COUNT(fixed);
    *alpha = fixed[k][0] < 0 ? r[0] : fixed[k][0];
    *beta = fixed[k][1] < 0 ? r[1] : fixed[k][1];
}

/* A random case of the given kind, its sizes from `sizes` and `batches`
 * within a budget of elements. */
static gemv_case random_gemv(bool f32, bool listed, hpk_layout layout, hpk_transpose trans, int which)
{
    gemv_case c = {.f32 = f32, .listed = listed, .layout = layout, .trans = trans};
    c.m = sizes[test_int(0, COUNT(sizes) - 1)];
    c.n = sizes[test_int(0, COUNT(sizes) - 1)];
    c.batch = batches[test_int(0, COUNT(batches) - 1)];
    while (c.batch > 1 && c.m * c.n * c.batch > 1200000)
        c.batch = c.batch == 33 ? 5 : 2;
    const int64_t len = layout == HPK_ROW_MAJOR ? c.n : c.m;
    c.lda = len + test_int(0, 2);
    static const int64_t incs[] = {1, -1, 2, -3};
    c.incx = incs[test_int(0, 3)];
    c.incy = incs[test_int(0, 3)];
    c.kind_a = test_int(0, NEGATIVE);
    c.kind_x = test_int(0, INTERLEAVED);
    static const int output_kinds[] = {PACKED, GAPPED, INTERLEAVED}; /* outputs: never shared or negative */
    c.kind_y = output_kinds[test_int(0, listed ? 1 : 2)]; /* pointer arrays: spans must be disjoint */
    if (c.kind_x == INTERLEAVED)
        c.incx = (c.incx < 0 ? -1 : 1) * (c.batch + test_int(0, 1));
    if (c.kind_y == INTERLEAVED)
        c.incy = (c.incy < 0 ? -1 : 1) * (c.batch + test_int(0, 1));
    scalars(which, f32, &c.alpha, &c.beta);
    return c;
}

static void gemv_sweep(bool listed)
{
    ctx_set s = contexts();
    test_seed(listed ? 2020 : 2019);
    int which = 0;
    for (int f = 0; f < 2; f++)
        for (int l = 0; l < 2; l++)
            for (int t = 0; t < 2; t++)
                for (int r = 0; r < 7; r++) {
                    gemv_case c = random_gemv(f, listed, l ? HPK_COL_MAJOR : HPK_ROW_MAJOR,
                                              t ? HPK_TRANS : HPK_NO_TRANS, which++);
                    run_gemv_case(&s, &c);
                }
    /* Shapes that take each schedule: tiny problems, small ones shared by
     * threads, and big ones (257 x 257): shared whole as far as they share
     * evenly, the rest (5 problems on 2 or 3 threads) run one after another
     * with every thread inside each. */
    static const int64_t shapes[][3] = {{3, 7, 33}, {100, 257, 33}, {257, 257, 5}, {257, 100, 2}};
    for (int i = 0; i < COUNT(shapes); i++) {
        for (int f = 0; f < 2; f++) {
            gemv_case c = random_gemv(f, listed, i % 2 ? HPK_COL_MAJOR : HPK_ROW_MAJOR,
                                      f ? HPK_TRANS : HPK_NO_TRANS, 0);
            c.m = shapes[i][0];
            c.n = shapes[i][1];
            c.batch = shapes[i][2];
            c.lda = (c.layout == HPK_ROW_MAJOR ? c.n : c.m) + 1;
            c.incx = c.incy = 1;
            c.kind_a = c.kind_x = c.kind_y = PACKED;
            run_gemv_case(&s, &c);
        }
    }
    contexts_free(&s);
}

/* Matrices whose vectors (A's rows in row-major, columns in column-major)
 * have every length around the shapes of the dense kernels
 * (kernels/batch_dense.h: one lane vector in part, whole ones, one step,
 * several, the longest a batch runs dense and one past it), in either
 * form, with contiguous and strided x and y, strided and pointer arrays. */
static void test_gemv_dense_shapes(void **state)
{
    (void)state;
    ctx_set s = contexts();
    test_seed(2025);
    static const int64_t lens[] = {1, 3, 4, 5, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 512, 513};
    static const int64_t others[] = {1, 2, 5, 7, 33};
    static const int64_t incs[][2] = {{1, 1}, {1, -1}, {-1, 1}, {3, 2}};
    int which = 0;
    for (int i = 0; i < COUNT(lens); i++)
        for (int f = 0; f < 2; f++)
            for (int form = 0; form < 4; form++) {
                const bool col_major = form & 1, trans = form & 2, listed = (i + form) % 3 == 0;
                gemv_case c = random_gemv(f, listed, col_major ? HPK_COL_MAJOR : HPK_ROW_MAJOR,
                                          trans ? HPK_TRANS : HPK_NO_TRANS, which++);
                const int64_t other = others[(i + form + f) % COUNT(others)];
                c.m = col_major ? lens[i] : other;
                c.n = col_major ? other : lens[i];
                c.batch = 5;
                c.lda = lens[i] + test_int(0, 2);
                c.incx = incs[(i + form) % 4][0];
                c.incy = incs[(i + form) % 4][1];
                c.kind_a = c.kind_x = PACKED;
                c.kind_y = (i + f) % 2 ? GAPPED : PACKED;
                run_gemv_case(&s, &c);
            }
    contexts_free(&s);
}

static void test_gemv_strided_batched(void **state)
{
    (void)state;
    gemv_sweep(false);
}

static void test_gemv_batched(void **state)
{
    (void)state;
    gemv_sweep(true);
}

/* ---- reductions -------------------------------------------------------------- */

enum { SUM, ASUM, NRM2, DOT, AMAX, OPS };
static const char *const op_names[OPS] = {"sum", "asum", "nrm2", "dot", "amax"};

typedef struct reduce_case {
    int op;
    bool f32;
    int64_t n, incx, incy, stride_x, stride_y, batch;
} reduce_case;

static size_t result_size(const reduce_case *c)
{
    return c->op == AMAX ? sizeof(int64_t) : esize(c->f32);
}

static hpk_status single_reduce(hpk_ctx *ctx, const reduce_case *c, const void *x, const void *y, void *r)
{
    const int64_t n = c->n, ix = c->incx, iy = c->incy;
    if (c->f32) {
        switch (c->op) {
        case SUM: return hpk_ssum(ctx, n, x, ix, r);
        case ASUM: return hpk_sasum(ctx, n, x, ix, r);
        case NRM2: return hpk_snrm2(ctx, n, x, ix, r);
        case DOT: return hpk_sdot(ctx, n, x, ix, y, iy, r);
        default: return hpk_isamax(ctx, n, x, ix, r);
        }
    }
    switch (c->op) {
    case SUM: return hpk_dsum(ctx, n, x, ix, r);
    case ASUM: return hpk_dasum(ctx, n, x, ix, r);
    case NRM2: return hpk_dnrm2(ctx, n, x, ix, r);
    case DOT: return hpk_ddot(ctx, n, x, ix, y, iy, r);
    default: return hpk_idamax(ctx, n, x, ix, r);
    }
}

static hpk_status batched_reduce(hpk_ctx *ctx, const reduce_case *c, const void *x, const void *y, void *r)
{
    const int64_t n = c->n, ix = c->incx, iy = c->incy, sx = c->stride_x, sy = c->stride_y, b = c->batch;
    if (c->f32) {
        switch (c->op) {
        case SUM: return hpk_ssum_strided_batched(ctx, n, x, ix, sx, r, b);
        case ASUM: return hpk_sasum_strided_batched(ctx, n, x, ix, sx, r, b);
        case NRM2: return hpk_snrm2_strided_batched(ctx, n, x, ix, sx, r, b);
        case DOT: return hpk_sdot_strided_batched(ctx, n, x, ix, sx, y, iy, sy, r, b);
        default: return hpk_isamax_strided_batched(ctx, n, x, ix, sx, r, b);
        }
    }
    switch (c->op) {
    case SUM: return hpk_dsum_strided_batched(ctx, n, x, ix, sx, r, b);
    case ASUM: return hpk_dasum_strided_batched(ctx, n, x, ix, sx, r, b);
    case NRM2: return hpk_dnrm2_strided_batched(ctx, n, x, ix, sx, r, b);
    case DOT: return hpk_ddot_strided_batched(ctx, n, x, ix, sx, y, iy, sy, r, b);
    default: return hpk_idamax_strided_batched(ctx, n, x, ix, sx, r, b);
    }
}

/* Results poisoned: NaN patterns, or an index no call returns. */
#define POISON_INDEX (INT64_MIN + 0x5EED)

static void poison_results(void *r, size_t count, const reduce_case *c)
{
    for (size_t i = 0; i < count; i++) {
        if (c->op == AMAX)
            ((int64_t *)r)[i] = POISON_INDEX;
        else
            poison_at(r, i, c->f32);
    }
}

static bool is_poison_result(const void *r, size_t i, const reduce_case *c)
{
    return c->op == AMAX ? ((const int64_t *)r)[i] == POISON_INDEX : is_poison_at(r, i, c->f32);
}

static const char *describe_reduce(const reduce_case *c)
{
    static char text[200];
    snprintf(text, sizeof text,
             "%s%s_strided_batched n=%" PRId64 " incx=%" PRId64 " stride_x=%" PRId64 " incy=%" PRId64
             " stride_y=%" PRId64 " batch=%" PRId64,
             c->op == AMAX ? (c->f32 ? "is" : "id") : (c->f32 ? "s" : "d"), op_names[c->op], c->n, c->incx,
             c->stride_x, c->incy, c->stride_y, c->batch);
    return text;
}

/* The results of the single calls on ctx, problem by problem: `batch`
 * results and GUARD poisoned ones after them. */
static void *expected_reduce(hpk_ctx *ctx, const char *name, const reduce_case *c, const void *x0, const void *y0)
{
    const size_t rs = result_size(c), es = esize(c->f32);
    char *r = test_alloc(((size_t)c->batch + GUARD) * rs);
    poison_results(r, (size_t)c->batch + GUARD, c);
    for (int64_t k = 0; k < c->batch; k++) {
        const void *xk = (const char *)x0 + k * c->stride_x * (int64_t)es;
        const void *yk = y0 ? (const char *)y0 + k * c->stride_y * (int64_t)es : NULL;
        const hpk_status st = single_reduce(ctx, c, xk, yk, r + (size_t)k * rs);
        if (st != HPK_SUCCESS)
            fail_msg("%s on %s: the single call on problem %" PRId64 " failed: %s", describe_reduce(c), name, k,
                     hpk_ctx_error_message(ctx));
    }
    return r;
}

static void check_results(const void *got, const void *want, const reduce_case *c, const char *where,
                          const char *against)
{
    const int64_t d = first_difference(got, want, (size_t)c->batch + GUARD, result_size(c), c->op != AMAX);
    if (d >= 0)
        fail_msg("%s on %s: result %" PRId64 " differs from %s", describe_reduce(c), where, d, against);
}

/* One case on every context: x (and y) are operands with the case's
 * strides, already filled; x0 and y0 problem 0's pointers. */
static void run_reduce_on(const ctx_set *s, const reduce_case *c, const void *x0, const void *y0)
{
    const size_t count = (size_t)c->batch + GUARD;
    void *want = s->serial_bits ? expected_reduce(s->serial, "serial", c, x0, y0) : NULL;
    for (int i = 0; i < s->count; i++) {
        void *single = expected_reduce(s->ctx[i], s->name[i], c, x0, y0);
        if (want)
            check_results(single, want, c, s->name[i], "the serial backend's single calls");
        void *got = test_alloc(count * result_size(c));
        poison_results(got, count, c);
        const hpk_status st = batched_reduce(s->ctx[i], c, x0, y0, got);
        if (st != HPK_SUCCESS)
            fail_msg("%s on %s: %s: %s", describe_reduce(c), s->name[i], hpk_status_string(st),
                     hpk_ctx_error_message(s->ctx[i]));
        check_results(got, single, c, s->name[i], "the single calls on the same context");
        if (want)
            check_results(got, want, c, s->name[i], "the serial backend's single calls");
        for (size_t k = 0; k < count; k++)
            if ((k < (size_t)c->batch) == is_poison_result(got, k, c))
                fail_msg("%s on %s: result %zu %s", describe_reduce(c), s->name[i], k,
                         k < (size_t)c->batch ? "was not written" : "(past the batch) was written");
        free(got);
        free(single);
    }
    free(want);
}

/* Data over the whole exponent range (subnormal to near overflow, where
 * nrm2 scales), with zeros, and a NaN and an Inf in some problems. */
static void fill_whole_range(void *p, size_t n, bool f32)
{
    if (f32)
        test_fill_wide_s(p, n, -148, 126);
    else
        test_fill_wide_d(p, n, -1072, 1022);
    for (size_t i = 0; i < n; i += 7)
        put_at(p, i, f32, 0.0);
    if (n > 40) {
        put_at(p, 23, f32, NAN);
        put_at(p, 37, f32, INFINITY);
    }
}

typedef void (*fill_fn)(void *p, size_t n, bool f32);

static void run_reduce_filled(const ctx_set *s, reduce_case *c, int kind_x, int kind_y, fill_fn fill)
{
    const bool f = c->f32, dot = c->op == DOT;
    const int64_t span_x = (int64_t)test_span(c->n, c->incx), span_y = (int64_t)test_span(c->n, c->incy);
    c->stride_x = stride_of(kind_x, span_x);
    c->stride_y = dot ? stride_of(kind_y, span_y) : 0;
    operand x = operand_alloc(c->batch, c->stride_x, span_x, f);
    operand y = operand_alloc(c->batch, c->stride_y, span_y, f);
    fill(x.buf, x.elems, f);
    fill(y.buf, y.elems, f);
    run_reduce_on(s, c, problem_at(&x, 0, f), dot ? problem_at(&y, 0, f) : NULL);
    free(x.buf);
    free(y.buf);
}

static void run_reduce_case(const ctx_set *s, reduce_case *c, int kind_x, int kind_y)
{
    run_reduce_filled(s, c, kind_x, kind_y, fill_full);
}

/* Blue's scaled sums of nrm2 (and every other reduction) on data over the
 * whole exponent range, short vectors side by side and longer ones alone. */
static void test_reductions_whole_range(void **state)
{
    (void)state;
    ctx_set s = contexts();
    test_seed(2023);
    static const int64_t lengths[] = {1, 3, 16, 17, 48, 100, 129, 1000};
    for (int op = 0; op < OPS; op++)
        for (int f = 0; f < 2; f++)
            for (size_t i = 0; i < COUNT(lengths); i++) {
                reduce_case c = {.op = op, .f32 = f, .n = lengths[i], .incx = i % 2 ? -1 : 1, .incy = 1, .batch = 9};
                run_reduce_filled(&s, &c, GAPPED, GAPPED, fill_whole_range);
            }
    contexts_free(&s);
}

static void test_reductions(void **state)
{
    (void)state;
    ctx_set s = contexts();
    test_seed(2021);
    static const int64_t incs[] = {1, -1, 2, -3};
    for (int op = 0; op < OPS; op++) {
        for (int f = 0; f < 2; f++) {
            for (int r = 0; r < 8; r++) {
                reduce_case c = {.op = op, .f32 = f};
                c.n = sizes[test_int(0, COUNT(sizes) - 1)];
                c.batch = batches[r % COUNT(batches)];
                c.incx = incs[test_int(0, 3)];
                c.incy = incs[test_int(0, 3)];
                const int kind_x = r % STRIDE_KINDS, kind_y = test_int(0, INTERLEAVED);
                if (kind_x == INTERLEAVED)
                    c.incx = (c.incx < 0 ? -1 : 1) * (c.batch + 1);
                if (kind_y == INTERLEAVED)
                    c.incy = (c.incy < 0 ? -1 : 1) * (c.batch + 1);
                run_reduce_case(&s, &c, kind_x, kind_y);
            }
            /* Vectors of more than one block, long enough to be big: on 2
             * threads two whole and one with both threads inside it. */
            reduce_case big = {.op = op, .f32 = f, .n = 70001, .incx = -1, .incy = 2, .batch = 3};
            run_reduce_case(&s, &big, GAPPED, NEGATIVE);
        }
    }
    contexts_free(&s);
}

/* Data whose float sums show the order of their double lanes: each pair
 * of elements 3, 4 (mod 11) is +2^50 and -2^50, which cancel, and the
 * others' bits that a lane holding 2^50 rounds away survive in another
 * order (on fill_full's data, a float result of a double sum rounds any
 * order's differences away). */
static void fill_spread(void *p, size_t n, bool f32)
{
    if (f32)
        test_fill_wide_s(p, n, -20, 20);
    else
        test_fill_wide_d(p, n, -20, 20);
    for (size_t i = 3; i + 1 < n; i += 11) {
        put_at(p, i, f32, 0x1p50);
        put_at(p, i + 1, f32, -0x1p50);
    }
}

/* nrm2's kinds of data (Blue's TSML = 2^-511, TBIG = 2^486): every
 * element small or zero (subnormals among them), every element big or
 * zero, and small ones with one medium or one big one in the middle, which
 * the dense kernel's guess of "all small" (from the first element) gets
 * wrong. */
static void fill_tiny(void *p, size_t n, bool f32)
{
    if (f32)
        test_fill_wide_s(p, n, -148, -70);
    else
        test_fill_wide_d(p, n, -1072, -513);
    for (size_t i = 3; i < n; i += 7)
        put_at(p, i, f32, 0.0);
}

static void fill_huge(void *p, size_t n, bool f32)
{
    if (f32)
        test_fill_wide_s(p, n, 70, 126);
    else
        test_fill_wide_d(p, n, 487, 1000);
    for (size_t i = 3; i < n; i += 7)
        put_at(p, i, f32, 0.0);
}

static void fill_tiny_one_medium(void *p, size_t n, bool f32)
{
    fill_tiny(p, n, f32);
    if (n > 1)
        put_at(p, n / 2, f32, -1.5);
}

static void fill_tiny_one_huge(void *p, size_t n, bool f32)
{
    fill_tiny(p, n, f32);
    if (n > 1)
        put_at(p, n / 2, f32, f32 ? 0x1p100 : 0x1p600);
}

/* Contiguous vectors of every length around the shapes of the dense
 * kernels (kernels/batch_dense.h: one lane vector in part, whole ones, one
 * step, several, the longest of one float run and of one block, and one
 * past them), on full-mantissa data, spread data and over the whole
 * exponent range (where nrm2 takes Blue's full step), and nrm2 on each
 * kind of data above. */
static void test_reductions_dense_lengths(void **state)
{
    (void)state;
    ctx_set s = contexts();
    test_seed(2024);
    static const int64_t lengths[] = {1,  2,  3,  4,  5,  7,   8,   9,   15,   16,   17,   24,   31,  32,
                                      33, 47, 48, 49, 63, 64, 65, 100, 127, 128, 1024, 1025, 4096, 4097};
    for (int op = 0; op < OPS; op++)
        for (int f = 0; f < 2; f++)
            for (int i = 0; i < COUNT(lengths); i++) {
                reduce_case c = {.op = op, .f32 = f, .n = lengths[i], .incx = 1, .incy = 1, .batch = 7};
                static const fill_fn fills[] = {fill_whole_range, fill_full, fill_spread};
                run_reduce_filled(&s, &c, i % 2 ? PACKED : GAPPED, GAPPED, fills[i % 3]);
                static const fill_fn kinds[] = {fill_tiny, fill_huge, fill_tiny_one_medium, fill_tiny_one_huge};
                for (int k = 0; op == NRM2 && k < COUNT(kinds); k++)
                    run_reduce_filled(&s, &c, PACKED, GAPPED, kinds[k]);
            }
    contexts_free(&s);
}

/* hpk.h's example: the rows and columns of an m x n matrix, in either
 * layout, against single calls on each row and column. */
static void test_rows_and_columns(void **state)
{
    (void)state;
    ctx_set s = contexts();
    test_seed(2022);
    const int64_t m = 17, n = 100;
    for (int f = 0; f < 2; f++) {
        for (int col_major = 0; col_major < 2; col_major++) {
            const int64_t lda = (col_major ? m : n) + 3, vecs = col_major ? n : m;
            const size_t elems = (size_t)(vecs * lda);
            void *a = test_alloc(elems * esize(f)), *b = test_alloc(elems * esize(f));
            fill_full(a, elems, f);
            fill_full(b, elems, f);
            /* rows: n elements; columns: m elements */
            for (int columns = 0; columns < 2; columns++) {
                const bool contiguous = columns == col_major;
                for (int op = 0; op < OPS; op++) {
                    reduce_case c = {.op = op, .f32 = f, .n = columns ? m : n, .batch = columns ? n : m};
                    c.incx = c.incy = contiguous ? 1 : lda;
                    c.stride_x = c.stride_y = contiguous ? lda : 1;
                    run_reduce_on(&s, &c, a, op == DOT ? b : NULL);
                }
            }
            free(a);
            free(b);
        }
    }
    contexts_free(&s);
}

/* ---- quick returns ----------------------------------------------------------- */

static void test_quick_returns(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    double y[8], a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, x[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    test_poison_fill_d(y, 8);
    /* batch == 0: nothing read or written, every pointer may be NULL */
    assert_int_equal(hpk_dgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0, NULL, 2, 4, NULL, 1, 2,
                                               0.0, NULL, 1, 2, 0),
                     HPK_SUCCESS);
    assert_int_equal(hpk_dgemv_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0, NULL, 2, NULL, 1, 0.0, NULL, 1, 0),
                     HPK_SUCCESS);
    assert_int_equal(hpk_dnrm2_strided_batched(ctx, 4, NULL, 1, 4, NULL, 0), HPK_SUCCESS);
    assert_int_equal(hpk_sdot_strided_batched(ctx, 4, NULL, 1, 4, NULL, 1, 4, NULL, 0), HPK_SUCCESS);
    /* m == 0 or n == 0: nothing touched, pointers may be NULL */
    assert_int_equal(hpk_dgemv_strided_batched(ctx, HPK_COL_MAJOR, HPK_TRANS, 0, 3, 1.0, NULL, 1, 0, NULL, 1, 0, 0.0,
                                               NULL, 1, 0, 5),
                     HPK_SUCCESS);
    /* alpha == 0 and beta == 1: y untouched (poison survives) */
    assert_int_equal(hpk_dgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 0.0, a, 2, 4, x, 1, 2, 1.0, y,
                                               1, 2, 2),
                     HPK_SUCCESS);
    for (int i = 0; i < 8; i++)
        assert_true(test_is_poison_d(y[i]));
    /* n == 0: every result 0 (-1 for i?amax), and nothing past the batch */
    double r[4];
    float rs[4];
    int64_t idx[4];
    test_poison_fill_d(r, 4);
    test_poison_fill_s(rs, 4);
    for (int i = 0; i < 4; i++)
        idx[i] = POISON_INDEX;
    assert_int_equal(hpk_dasum_strided_batched(ctx, 0, NULL, 1, 0, r, 3), HPK_SUCCESS);
    assert_int_equal(hpk_ssum_strided_batched(ctx, 0, NULL, -2, 7, rs, 3), HPK_SUCCESS);
    assert_int_equal(hpk_isamax_strided_batched(ctx, 0, NULL, 1, 0, idx, 3), HPK_SUCCESS);
    for (int i = 0; i < 3; i++) {
        assert_true(r[i] == 0.0 && rs[i] == 0.0f && idx[i] == -1);
    }
    assert_true(test_is_poison_d(r[3]) && test_is_poison_s(rs[3]) && idx[3] == POISON_INDEX);
    hpk_ctx_destroy(ctx);
}

/* ---- bad input --------------------------------------------------------------- */

/* The status is HPK_ERR_INVALID_ARG and the message contains `needle`. */
static void expect_invalid(hpk_status st, const hpk_ctx *ctx, const char *needle, int line)
{
    const char *msg = hpk_ctx_error_message(ctx);
    if (st != HPK_ERR_INVALID_ARG)
        fail_msg("line %d: got %s, not invalid argument (%s)", line, hpk_status_string(st), msg);
    if (!strstr(msg, needle))
        fail_msg("line %d: message \"%s\" does not name \"%s\"", line, msg, needle);
}
#define EXPECT_INVALID(call, needle) expect_invalid((call), ctx, (needle), __LINE__)

static void bad_input(hpk_ctx *ctx)
{
    enum { N = 64 };
    double a[N], x[N], y[N], r[N];
    float as[N], xs[N], ys[N];
    int64_t idx[N];
    test_fill_d(a, N, -1, 1);
    test_fill_d(x, N, -1, 1);
    test_fill_s(as, N, -1, 1);
    test_fill_s(xs, N, -1, 1);
    test_poison_fill_d(y, N);
    test_poison_fill_d(r, N);
    test_poison_fill_s(ys, N);
    for (int i = 0; i < N; i++)
        idx[i] = POISON_INDEX;
    const hpk_layout R = HPK_ROW_MAJOR;
    const hpk_transpose T = HPK_NO_TRANS;

    /* strided GEMV: 3 x 2 problems, y of 3 elements */
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, 6, x, 1, 2, 0.0, y, 1, 3, -1), "batch");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, (hpk_layout)7, T, 3, 2, 1.0, a, 2, 6, x, 1, 2, 0.0, y, 1, 3, 2),
                   "layout");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 1, 6, x, 1, 2, 0.0, y, 1, 3, 2), "lda");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, -2, 1.0, a, 2, 6, x, 1, 2, 0.0, y, 1, 3, 2), "n is");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, 6, x, 0, 2, 0.0, y, 1, 3, 2), "incx");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, NULL, 2, 6, x, 1, 2, 0.0, y, 1, 3, 2), "a is NULL");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, 6, x, 1, 2, 0.0, NULL, 1, 3, 2), "y is NULL");
    EXPECT_INVALID(hpk_sgemv_strided_batched(ctx, R, T, 3, 2, 1.0f, as, 2, 6, xs, 1, 2, 0.0f, ys, 1, 0, 2),
                   "stride_y");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, 6, x, 1, 2, 0.0, y + 6, 1, -3, 2),
                   "stride_y");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, 6, x, 1, 2, 0.0, y, 1, 2, 2),
                   "same element of y");
    /* interleaved with a clash: incy = 2, stride_y = 2 */
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, 6, x, 1, 2, 0.0, y, 2, 2, 3),
                   "same element of y");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, INT64_MAX / 4, x, 1, 2, 0.0, y, 1, 3, 5),
                   "stride_a");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, 6, x, 1, INT64_MIN, 0.0, y, 1, 3, 2),
                   "stride_x");
    EXPECT_INVALID(hpk_dgemv_strided_batched(ctx, R, T, 3, 2, 1.0, a, 2, 6, x, 1, 2, 0.0, y, 1, INT64_MAX / 2, 3),
                   "stride_y");

    /* pointer arrays: 2 x 2 problems */
    const double *pa[4] = {a, a + 4, a + 8, a + 12}, *px[4] = {x, x + 2, x + 4, x + 6};
    double *py[4] = {y, y + 2, y + 4, y + 6};
    const float *pas[2] = {as, as + 4}, *pxs[2] = {xs, xs + 2};
    float *pys[2] = {ys, ys + 2};
    EXPECT_INVALID(hpk_dgemv_batched(ctx, R, T, 2, 2, 1.0, pa, 2, px, 1, 0.0, py, 1, -3), "batch");
    EXPECT_INVALID(hpk_dgemv_batched(ctx, R, T, 2, 2, 1.0, NULL, 2, px, 1, 0.0, py, 1, 4), "a is NULL");
    EXPECT_INVALID(hpk_sgemv_batched(ctx, R, T, 2, 2, 1.0f, pas, 2, NULL, 1, 0.0f, pys, 1, 2), "x is NULL");
    const double *pa_hole[4] = {a, a + 4, a + 8, NULL};
    EXPECT_INVALID(hpk_dgemv_batched(ctx, R, T, 2, 2, 1.0, pa_hole, 2, px, 1, 0.0, py, 1, 4), "a[3] is NULL");
    const double *px_hole[4] = {x, NULL, x, x};
    EXPECT_INVALID(hpk_dgemv_batched(ctx, R, T, 2, 2, 1.0, pa, 2, px_hole, 1, 0.0, py, 1, 4), "x[1] is NULL");
    double *py_hole[4] = {y, y + 2, NULL, y + 6};
    EXPECT_INVALID(hpk_dgemv_batched(ctx, R, T, 2, 2, 1.0, pa, 2, px, 1, 0.0, py_hole, 1, 4), "y[2] is NULL");
    double *py_clash[4] = {y, y + 5, y + 9, y + 4};
    EXPECT_INVALID(hpk_dgemv_batched(ctx, R, T, 2, 2, 1.0, pa, 2, px, 1, 0.0, py_clash, 1, 4), "y[1] and y[3]");
    double *py_same[4] = {y, y + 10, y + 20, y + 10};
    EXPECT_INVALID(hpk_dgemv_batched(ctx, R, T, 2, 2, 1.0, pa, 2, px, 1, 0.0, py_same, 1, 4), "y[1] and y[3]");
    EXPECT_INVALID(hpk_dgemv_batched(ctx, R, T, 2, 2, 1.0, pa, 1, px, 1, 0.0, py, 1, 4), "lda");
    EXPECT_INVALID(hpk_sgemv_batched(ctx, R, T, 2, 2, 1.0f, pas, 2, pxs, 1, 0.0f, pys, 0, 2), "incy");

    /* reductions: 4 vectors of 3 */
    EXPECT_INVALID(hpk_dsum_strided_batched(ctx, 3, x, 1, 3, r, -1), "batch");
    EXPECT_INVALID(hpk_dasum_strided_batched(ctx, -1, x, 1, 3, r, 4), "n is");
    EXPECT_INVALID(hpk_dnrm2_strided_batched(ctx, 3, x, 0, 3, r, 4), "increment of x");
    EXPECT_INVALID(hpk_snrm2_strided_batched(ctx, 3, NULL, 1, 3, (float *)r, 4), "x is NULL");
    EXPECT_INVALID(hpk_ddot_strided_batched(ctx, 3, x, 1, 3, NULL, 1, 3, r, 4), "y is NULL");
    EXPECT_INVALID(hpk_sdot_strided_batched(ctx, 3, xs, 1, 3, xs, 0, 3, (float *)r, 4), "increment of y");
    EXPECT_INVALID(hpk_dsum_strided_batched(ctx, 3, x, 1, 3, NULL, 4), "result is NULL");
    EXPECT_INVALID(hpk_idamax_strided_batched(ctx, 3, x, 1, 3, NULL, 4), "index is NULL");
    EXPECT_INVALID(hpk_isamax_strided_batched(ctx, 3, xs, 1, INT64_MAX / 2, idx, 4), "stride_x");
    EXPECT_INVALID(hpk_ddot_strided_batched(ctx, 3, x, 1, 3, x, 1, INT64_MIN, r, 4), "stride_y");
    EXPECT_INVALID(hpk_ssum_strided_batched(ctx, 3, xs, INT64_MIN, 3, (float *)r, 4), "increment of x");

    /* nothing was written by any of them */
    for (int i = 0; i < N; i++) {
        assert_true(test_is_poison_d(y[i]) && test_is_poison_d(r[i]) && test_is_poison_s(ys[i]));
        assert_true(idx[i] == POISON_INDEX);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    bad_input(ctx);
    hpk_ctx_destroy(ctx);
}

static void test_bad_input_default_context(void **state)
{
    (void)state;
    if (test_backend != HPK_BACKEND_OPENMP)
        skip(); /* the default context is a CPU one; run once */
    bad_input(NULL);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemv_strided_batched),
        cmocka_unit_test(test_gemv_batched),
        cmocka_unit_test(test_gemv_dense_shapes),
        cmocka_unit_test(test_reductions),
        cmocka_unit_test(test_reductions_whole_range),
        cmocka_unit_test(test_reductions_dense_lengths),
        cmocka_unit_test(test_rows_and_columns),
        cmocka_unit_test(test_quick_returns),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_bad_input_default_context),
    };
    return cmocka_run_group_tests_name(test_backend_name, tests, NULL, NULL);
}
