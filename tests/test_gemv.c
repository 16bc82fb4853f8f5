/* Tests of hpk_dgemv and hpk_sgemv against the contract in hpk.h:
 *   - a hand-computed 2x3 case, in both layouts and both transposes;
 *   - random data against a long double reference, for every layout,
 *     transpose and increment sign, with sizes that do not divide evenly;
 *   - nothing outside y's strided elements is written, A and x are unchanged;
 *   - beta == 0 overwrites NaN/Inf, alpha == 0 reads neither A nor x,
 *     alpha == 0 and beta == 1 leave y untouched, empty sizes touch nothing;
 *   - every invalid argument is rejected, with a message, on a created
 *     context and on the default one;
 *   - the rounding rule y_i = alpha * t_i + beta * y_i, and results that do
 *     not depend on the thread count, the backend, the increments or the
 *     alignment of the data.
 *
 * Each check runs for both precisions: the helpers take `single` (true for
 * sgemv) and reach the elements through get()/put(), so one helper serves
 * both. */
#include "support.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef __STDC_NO_THREADS__
#include <threads.h>
#endif

/* Poisoned elements kept before and after every y buffer. */
#define GUARD 5

/* ---- elements of either precision ---------------------------------------- */

static size_t elem_size(bool single)
{
    return single ? sizeof(float) : sizeof(double);
}

static long double get(const void *p, size_t i, bool single)
{
    return single ? (long double)((const float *)p)[i] : (long double)((const double *)p)[i];
}

static void put(void *p, size_t i, bool single, double v)
{
    if (single)
        ((float *)p)[i] = (float)v;
    else
        ((double *)p)[i] = v;
}

static void poison(void *p, size_t i, bool single)
{
    if (single)
        ((float *)p)[i] = test_poison_s();
    else
        ((double *)p)[i] = test_poison_d();
}

static bool is_poison(const void *p, size_t i, bool single)
{
    return single ? test_is_poison_s(((const float *)p)[i]) : test_is_poison_d(((const double *)p)[i]);
}

/* A signalling NaN: any arithmetic on it (even 1 * y) returns a quiet NaN,
 * so only an element left alone keeps these bits. */
static void put_signaling_nan(void *p, size_t i, bool single)
{
    static const uint64_t bits_d = 0x7FF0000000000123u;
    static const uint32_t bits_s = 0x7F800123u;
    if (single)
        memcpy((float *)p + i, &bits_s, sizeof bits_s);
    else
        memcpy((double *)p + i, &bits_d, sizeof bits_d);
}

static void fill_random(void *p, size_t n, bool single)
{
    if (single)
        test_fill_s(p, n, -1.0f, 1.0f);
    else
        test_fill_d(p, n, -1.0, 1.0);
}

static void *alloc_elems(size_t n, bool single)
{
    return test_alloc(n * elem_size(single));
}

static void *duplicate(const void *p, size_t n, bool single)
{
    void *q = alloc_elems(n, single);
    memcpy(q, p, n * elem_size(single));
    return q;
}

/* Index of the first element where two buffers differ bitwise, or -1. */
static int64_t first_difference(const void *p, const void *q, size_t n, bool single)
{
    const size_t es = elem_size(single);
    for (size_t i = 0; i < n; i++)
        if (memcmp((const char *)p + i * es, (const char *)q + i * es, es) != 0)
            return (int64_t)i;
    return -1;
}

/* ---- one GEMV call and its shape ----------------------------------------- */

typedef struct gemv_case {
    hpk_layout layout;
    hpk_transpose trans;
    int64_t m, n, lda, incx, incy;
    double alpha, beta; /* sgemv gets them rounded to float */
} gemv_case;

static hpk_status call_gemv(bool single, hpk_ctx *ctx, const gemv_case *c, const void *a, const void *x,
                            void *y)
{
    if (single)
        return hpk_sgemv(ctx, c->layout, c->trans, c->m, c->n, (float)c->alpha, a, c->lda, x, c->incx,
                         (float)c->beta, y, c->incy);
    return hpk_dgemv(ctx, c->layout, c->trans, c->m, c->n, c->alpha, a, c->lda, x, c->incx, c->beta, y,
                     c->incy);
}

static const char *describe(const gemv_case *c, bool single)
{
    static char buf[256];
    snprintf(buf, sizeof buf,
             "hpk_%s(%s, %s, m=%" PRId64 ", n=%" PRId64 ", alpha=%g, lda=%" PRId64 ", incx=%" PRId64
             ", beta=%g, incy=%" PRId64 ") [%s]",
             single ? "sgemv" : "dgemv",
             c->layout == HPK_ROW_MAJOR ? "row" : c->layout == HPK_COL_MAJOR ? "col" : "bad-layout",
             c->trans == HPK_NO_TRANS ? "N" : c->trans == HPK_TRANS ? "T" : "bad-trans", c->m, c->n,
             c->alpha, c->lda, c->incx, c->beta, c->incy, test_backend_name);
    return buf;
}

static int64_t xlen_of(const gemv_case *c)
{
    return c->trans == HPK_NO_TRANS ? c->n : c->m;
}

static int64_t ylen_of(const gemv_case *c)
{
    return c->trans == HPK_NO_TRANS ? c->m : c->n;
}

/* A is stored as `vecs` contiguous vectors of `len` elements, lda apart. */
static int64_t len_of(const gemv_case *c)
{
    return c->layout == HPK_ROW_MAJOR ? c->n : c->m;
}

static int64_t vecs_of(const gemv_case *c)
{
    return c->layout == HPK_ROW_MAJOR ? c->m : c->n;
}

static int64_t min_lda(const gemv_case *c)
{
    return len_of(c) > 1 ? len_of(c) : 1;
}

/* Offset of A(i, j) as stored, and of op(A)(r, k). */
static size_t a_offset(const gemv_case *c, int64_t i, int64_t j)
{
    return (size_t)(c->layout == HPK_ROW_MAJOR ? i * c->lda + j : j * c->lda + i);
}

static size_t op_offset(const gemv_case *c, int64_t r, int64_t k)
{
    return c->trans == HPK_NO_TRANS ? a_offset(c, r, k) : a_offset(c, k, r);
}

/* Variant v (0..15) of a case: bit 0 the layout, bit 1 the transpose, bits 2
 * and 3 the signs of incx and incy. */
static gemv_case variant(int v, int64_t m, int64_t n, int64_t abs_incx, int64_t abs_incy, double alpha,
                         double beta)
{
    gemv_case c = {(v & 1) ? HPK_COL_MAJOR : HPK_ROW_MAJOR, (v & 2) ? HPK_TRANS : HPK_NO_TRANS, m, n, 0,
                   (v & 4) ? -abs_incx : abs_incx, (v & 8) ? -abs_incy : abs_incy, alpha, beta};
    c.lda = min_lda(&c) + 3;
    return c;
}

static void expect_status(hpk_status got, hpk_status want, const hpk_ctx *ctx, const char *what)
{
    if (got != want)
        fail_msg("%s returned %d (%s), expected %d (%s); message: \"%s\"", what, (int)got,
                 hpk_status_string(got), (int)want, hpk_status_string(want), hpk_ctx_error_message(ctx));
}

/* ---- buffers for one case ------------------------------------------------- */

typedef struct gemv_bufs {
    void *a, *x, *ybuf; /* ybuf: GUARD + span of y + GUARD elements */
    void *y;            /* ybuf + GUARD: the pointer gemv gets */
    size_t na, nx, ny;  /* elements of a, x and ybuf */
} gemv_bufs;

static void bufs_alloc(gemv_bufs *b, const gemv_case *c, bool single)
{
    b->na = (size_t)(vecs_of(c) * c->lda);
    b->nx = test_span(xlen_of(c), c->incx);
    b->ny = 2 * GUARD + test_span(ylen_of(c), c->incy);
    b->a = alloc_elems(b->na, single);
    b->x = alloc_elems(b->nx, single);
    b->ybuf = alloc_elems(b->ny, single);
    b->y = (char *)b->ybuf + GUARD * elem_size(single);
}

static void bufs_free(gemv_bufs *b)
{
    free(b->a);
    free(b->x);
    free(b->ybuf);
}

/* y's strided elements for beta == 0: NaN and infinities, which must not
 * survive. */
static double nonfinite(int64_t i)
{
    return i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -INFINITY;
}

/* A and x: random in [-1, 1] where gemv reads, poison (a NaN) in A's padding
 * and between x's strided elements, so that any use of them shows in y.
 * y: poison, with random values at its strided positions (NaN and Inf
 * instead when beta == 0). */
static void bufs_fill(gemv_bufs *b, const gemv_case *c, bool single)
{
    fill_random(b->a, b->na, single);
    for (size_t k = 0; k < b->na; k++)
        if ((int64_t)(k % (size_t)c->lda) >= len_of(c))
            poison(b->a, k, single);
    fill_random(b->x, b->nx, single);
    for (size_t k = 0; k < b->nx; k++)
        if (!test_is_strided(k, xlen_of(c), c->incx))
            poison(b->x, k, single);
    for (size_t k = 0; k < b->ny; k++)
        poison(b->ybuf, k, single);
    const int64_t ylen = ylen_of(c);
    for (int64_t i = 0; i < ylen; i++)
        put(b->y, (size_t)test_index(i, ylen, c->incy), single,
            c->beta == 0.0 ? nonfinite(i) : test_uniform(-1.0, 1.0));
}

/* The guards and the elements between y's strided ones still hold poison. */
static void check_y_gaps(const gemv_bufs *b, const gemv_case *c, bool single)
{
    for (size_t k = 0; k < b->ny; k++) {
        if (k >= GUARD && test_is_strided(k - GUARD, ylen_of(c), c->incy))
            continue;
        if (!is_poison(b->ybuf, k, single))
            fail_msg("%s: wrote y[%td], outside the strided elements", describe(c, single),
                     (ptrdiff_t)k - GUARD);
    }
}

/* y against a long double reference computed from the original y (y0):
 * |y_i - ref_i| <= 4 (k + 2) eps (|alpha| sum_k |op(A)_ik x_k| + |beta y0_i|),
 * k the inner dimension (the + 2 covers the final scaling and sum). */
static void check_against_reference(const gemv_case *c, bool single, const void *a, const void *x,
                                    const void *y0, const void *y)
{
    const int64_t xlen = xlen_of(c), ylen = ylen_of(c);
    const long double eps = single ? TEST_EPS_S : TEST_EPS_D;
    for (int64_t i = 0; i < ylen; i++) {
        long double t = 0.0L, abs_t = 0.0L;
        for (int64_t k = 0; k < xlen; k++) {
            const long double p =
                get(a, op_offset(c, i, k), single) * get(x, (size_t)test_index(k, xlen, c->incx), single);
            t += p;
            abs_t += fabsl(p);
        }
        const size_t yi = (size_t)test_index(i, ylen, c->incy);
        long double ref = c->alpha * t, scale = fabsl((long double)c->alpha) * abs_t;
        if (c->beta != 0.0) {
            const long double by = c->beta * get(y0, yi, single);
            ref += by;
            scale += fabsl(by);
        }
        const long double bound = 4.0L * (long double)(xlen + 2) * eps * scale;
        const long double got = get(y, yi, single);
        if (!isfinite(got) || !(fabsl(got - ref) <= bound))
            fail_msg("%s: y_%" PRId64 " = %.17Lg, reference %.17Lg, error %.3Lg > bound %.3Lg",
                     describe(c, single), i, got, ref, fabsl(got - ref), bound);
    }
}

/* Runs one case on random data and checks everything a successful call
 * promises: the values, y's gaps and guards, and A and x unchanged. */
static void run_random_case(hpk_ctx *ctx, const gemv_case *c, bool single)
{
    gemv_bufs b;
    bufs_alloc(&b, c, single);
    bufs_fill(&b, c, single);
    void *a0 = duplicate(b.a, b.na, single), *x0 = duplicate(b.x, b.nx, single);
    void *y0 = duplicate(b.ybuf, b.ny, single);

    expect_status(call_gemv(single, ctx, c, b.a, b.x, b.y), HPK_SUCCESS, ctx, describe(c, single));
    if (memcmp(a0, b.a, b.na * elem_size(single)) != 0)
        fail_msg("%s: A was modified", describe(c, single));
    if (memcmp(x0, b.x, b.nx * elem_size(single)) != 0)
        fail_msg("%s: x was modified", describe(c, single));
    check_y_gaps(&b, c, single);
    check_against_reference(c, single, b.a, b.x, (char *)y0 + GUARD * elem_size(single), b.y);

    free(a0);
    free(x0);
    free(y0);
    bufs_free(&b);
}

/* ---- the tests ------------------------------------------------------------ */

/* A = [1 2 3; 4 5 6], alpha = 2, beta = -1:
 *   N: x = (1, -1, 2), y = (1, 3)    -> A x = (5, 11),          y = (9, 19)
 *   T: x = (2, -1),    y = (1, 2, 3) -> A^T x = (-2, -1, 0),    y = (-5, -4, -3)
 * run with unit and with negative/strided increments, A padded with NaN. */
static void hand_case(bool single, hpk_layout layout, hpk_transpose trans, int64_t incx, int64_t incy)
{
    static const double A[2][3] = {{1, 2, 3}, {4, 5, 6}};
    static const double xn[3] = {1, -1, 2}, yn[2] = {1, 3}, want_n[2] = {9, 19};
    static const double xt[2] = {2, -1}, yt[3] = {1, 2, 3}, want_t[3] = {-5, -4, -3};
    gemv_case c = {layout, trans, 2, 3, 0, incx, incy, 2.0, -1.0};
    c.lda = min_lda(&c) + 1;
    const bool no_trans = trans == HPK_NO_TRANS;
    const double *xv = no_trans ? xn : xt, *yv = no_trans ? yn : yt, *want = no_trans ? want_n : want_t;

    gemv_bufs b;
    bufs_alloc(&b, &c, single);
    for (size_t k = 0; k < b.na; k++)
        put(b.a, k, single, NAN);
    for (int64_t i = 0; i < 2; i++)
        for (int64_t j = 0; j < 3; j++)
            put(b.a, a_offset(&c, i, j), single, A[i][j]);
    for (size_t k = 0; k < b.nx; k++)
        put(b.x, k, single, NAN);
    for (int64_t k = 0; k < xlen_of(&c); k++)
        put(b.x, (size_t)test_index(k, xlen_of(&c), incx), single, xv[k]);
    for (size_t k = 0; k < b.ny; k++)
        poison(b.ybuf, k, single);
    for (int64_t i = 0; i < ylen_of(&c); i++)
        put(b.y, (size_t)test_index(i, ylen_of(&c), incy), single, yv[i]);

    hpk_ctx *ctx = test_ctx(0);
    expect_status(call_gemv(single, ctx, &c, b.a, b.x, b.y), HPK_SUCCESS, ctx, describe(&c, single));
    for (int64_t i = 0; i < ylen_of(&c); i++) {
        const long double got = get(b.y, (size_t)test_index(i, ylen_of(&c), incy), single);
        if (got != want[i])
            fail_msg("%s: y_%" PRId64 " = %Lg, expected %g", describe(&c, single), i, got, want[i]);
    }
    check_y_gaps(&b, &c, single);
    hpk_ctx_destroy(ctx);
    bufs_free(&b);
}

static void known_small(bool single)
{
    for (int v = 0; v < 4; v++) {
        const hpk_layout layout = (v & 1) ? HPK_COL_MAJOR : HPK_ROW_MAJOR;
        const hpk_transpose trans = (v & 2) ? HPK_TRANS : HPK_NO_TRANS;
        hand_case(single, layout, trans, 1, 1);
        hand_case(single, layout, trans, -2, -1);
        hand_case(single, layout, trans, 3, -2);
    }
}

static void test_dgemv_known_small(void **state)
{
    (void)state;
    known_small(false);
}

static void test_sgemv_known_small(void **state)
{
    (void)state;
    known_small(true);
}

/* The BLAS reading of negative increments, spelled out in storage order:
 * row-major N, incx = -2: x stored (2, _, -1, _, 1) is logically (1, -1, 2);
 * incy = -1: y stored (3, 1) is logically (1, 3); the result (9, 19) is
 * stored (19, 9). */
static void test_gemv_negative_increments_by_hand(void **state)
{
    (void)state;
    const double a[6] = {1, 2, 3, 4, 5, 6};
    const double x[5] = {2, NAN, -1, NAN, 1};
    double y[2] = {3, 1};
    hpk_ctx *ctx = test_ctx(0);
    expect_status(hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 3, 2.0, a, 3, x, -2, -1.0, y, -1),
                  HPK_SUCCESS, ctx, "hpk_dgemv");
    assert_true(y[0] == 19.0 && y[1] == 9.0);

    float as[6] = {1, 2, 3, 4, 5, 6}, xs[5] = {2, NAN, -1, NAN, 1}, ys[2] = {3, 1};
    expect_status(hpk_sgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 3, 2.0f, as, 3, xs, -2, -1.0f, ys, -1),
                  HPK_SUCCESS, ctx, "hpk_sgemv");
    assert_true(ys[0] == 19.0f && ys[1] == 9.0f);
    hpk_ctx_destroy(ctx);
}

/* Every layout x transpose x increment sign, sizes 1..517 (square and not),
 * lda = minimum + 3, |inc| cycling through 1..3, beta in {-0.75, 0, 1}. */
static void random_sweep(bool single)
{
    static const int64_t sizes[] = {1, 7, 33, 130, 517};
    static const double betas[] = {-0.75, 0.0, 1.0};
    const size_t nsizes = sizeof sizes / sizeof sizes[0];
    hpk_ctx *ctx = test_ctx(0);
    test_seed(single ? 202 : 101);
    int turn = 0;
    for (size_t im = 0; im < nsizes; im++)
        for (size_t in = 0; in < nsizes; in++)
            for (int v = 0; v < 16; v++)
                for (size_t ib = 0; ib < 3; ib++, turn++) {
                    const double beta = betas[ib], alpha = beta == 1.0 ? -0.5 : 1.5;
                    const gemv_case c =
                        variant(v, sizes[im], sizes[in], 1 + turn % 3, 1 + (turn / 3) % 3, alpha, beta);
                    run_random_case(ctx, &c, single);
                }
    hpk_ctx_destroy(ctx);
}

static void test_dgemv_random(void **state)
{
    (void)state;
    random_sweep(false);
}

static void test_sgemv_random(void **state)
{
    (void)state;
    random_sweep(true);
}

/* alpha == 0 with A and x all NaN: y := beta * y exactly (0 for beta == 0,
 * even over NaN/Inf), and for beta == 1 the y buffer, a signalling NaN
 * included, is bitwise untouched. */
static void alpha_zero(bool single)
{
    static const double betas[] = {-0.75, 0.0, 1.0};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(single ? 12 : 11);
    for (int v = 0; v < 16; v++)
        for (size_t ib = 0; ib < 3; ib++) {
            const gemv_case c = variant(v, 33, 130, 2, 3, 0.0, betas[ib]);
            gemv_bufs b;
            bufs_alloc(&b, &c, single);
            bufs_fill(&b, &c, single);
            for (size_t k = 0; k < b.na; k++)
                put(b.a, k, single, NAN);
            for (size_t k = 0; k < b.nx; k++)
                put(b.x, k, single, NAN);
            if (c.beta == 1.0) /* must keep its bits: y is not even scaled by 1 */
                put_signaling_nan(b.y, (size_t)test_index(1, ylen_of(&c), c.incy), single);
            void *y0 = duplicate(b.ybuf, b.ny, single);

            expect_status(call_gemv(single, ctx, &c, b.a, b.x, b.y), HPK_SUCCESS, ctx, describe(&c, single));
            if (c.beta == 1.0) {
                if (first_difference(y0, b.ybuf, b.ny, single) >= 0)
                    fail_msg("%s: y changed", describe(&c, single));
            } else {
                check_y_gaps(&b, &c, single);
                const int64_t ylen = ylen_of(&c);
                const void *y0s = (const char *)y0 + GUARD * elem_size(single);
                for (int64_t i = 0; i < ylen; i++) {
                    const size_t yi = (size_t)test_index(i, ylen, c.incy);
                    long double want;
                    if (c.beta == 0.0)
                        want = 0.0L;
                    else if (single)
                        want = (float)c.beta * (float)get(y0s, yi, true);
                    else
                        want = c.beta * (double)get(y0s, yi, false);
                    if (get(b.y, yi, single) != want)
                        fail_msg("%s: y_%" PRId64 " = %Lg, expected beta * y = %Lg", describe(&c, single), i,
                                 get(b.y, yi, single), want);
                }
            }
            free(y0);
            bufs_free(&b);
        }
    hpk_ctx_destroy(ctx);
}

static void test_dgemv_alpha_zero(void **state)
{
    (void)state;
    alpha_zero(false);
}

static void test_sgemv_alpha_zero(void **state)
{
    (void)state;
    alpha_zero(true);
}

/* m == 0 or n == 0: success, y untouched (even when it would have n or m
 * elements), with real pointers and with NULL ones; no error is recorded. */
static void empty_sizes(bool single)
{
    static const int64_t shapes[][2] = {{0, 0}, {0, 5}, {5, 0}};
    static const double scalars[][2] = {{1.5, -0.75}, {0.0, 0.0}, {1.5, 0.0}, {0.0, 1.0}};
    hpk_ctx *ctx = test_ctx(0);
    assert_string_equal(hpk_ctx_error_message(ctx), "");
    void *a = alloc_elems(64, single), *x = alloc_elems(16, single), *y = alloc_elems(16, single);
    fill_random(a, 64, single);
    fill_random(x, 16, single);
    fill_random(y, 16, single);
    void *y0 = duplicate(y, 16, single);
    for (size_t is = 0; is < 3; is++)
        for (int v = 0; v < 4; v++)
            for (size_t isc = 0; isc < 4; isc++)
                for (int null_ptrs = 0; null_ptrs < 2; null_ptrs++) {
                    gemv_case c = variant(v, shapes[is][0], shapes[is][1], 1, 2, scalars[isc][0], scalars[isc][1]);
                    c.lda = min_lda(&c);
                    hpk_status st = null_ptrs ? call_gemv(single, ctx, &c, NULL, NULL, NULL)
                                              : call_gemv(single, ctx, &c, a, x, y);
                    expect_status(st, HPK_SUCCESS, ctx, describe(&c, single));
                    if (first_difference(y0, y, 16, single) >= 0)
                        fail_msg("%s: y changed", describe(&c, single));
                }
    assert_string_equal(hpk_ctx_error_message(ctx), "");
    free(a);
    free(x);
    free(y);
    free(y0);
    hpk_ctx_destroy(ctx);
}

static void test_dgemv_empty(void **state)
{
    (void)state;
    empty_sizes(false);
}

static void test_sgemv_empty(void **state)
{
    (void)state;
    empty_sizes(true);
}

/* ---- invalid arguments ---------------------------------------------------- */

typedef struct bad_case {
    const char *what;
    gemv_case c;
    bool null_a, null_x, null_y;
} bad_case;

#define ROW HPK_ROW_MAJOR
#define COL HPK_COL_MAJOR
#define N HPK_NO_TRANS
#define T HPK_TRANS

/* Each is a valid 3x4 (or 4x3) call with one thing wrong; the buffers of
 * check_bad_case are large enough for the valid version. */
static const bad_case bad_cases[] = {
    {"layout 0", {(hpk_layout)0, N, 3, 4, 4, 1, 1, 1.5, -0.75}, false, false, false},
    {"layout 103", {(hpk_layout)103, N, 3, 4, 4, 1, 1, 1.5, -0.75}, false, false, false},
    {"trans 0", {ROW, (hpk_transpose)0, 3, 4, 4, 1, 1, 1.5, -0.75}, false, false, false},
    {"trans 113", {ROW, (hpk_transpose)113, 3, 4, 4, 1, 1, 1.5, -0.75}, false, false, false},
    {"m < 0", {ROW, N, -1, 4, 4, 1, 1, 1.5, -0.75}, false, false, false},
    {"n < 0", {COL, T, 3, -1, 3, 1, 1, 1.5, -0.75}, false, false, false},
    {"m < 0 with n == 0", {ROW, N, -1, 0, 1, 1, 1, 1.5, -0.75}, false, false, false},
    {"n < 0 with m == 0", {COL, T, 0, -2, 1, 1, 1, 1.5, -0.75}, false, false, false},
    {"row-major lda < n", {ROW, N, 3, 4, 3, 1, 1, 1.5, -0.75}, false, false, false},
    {"row-major lda < n, trans", {ROW, T, 3, 4, 3, 1, 1, 1.5, -0.75}, false, false, false},
    {"row-major lda < n with m == 0", {ROW, N, 0, 4, 3, 1, 1, 1.5, -0.75}, false, false, false},
    {"column-major lda < m", {COL, N, 4, 3, 3, 1, 1, 1.5, -0.75}, false, false, false},
    {"column-major lda < m, trans", {COL, T, 4, 3, 3, 1, 1, 1.5, -0.75}, false, false, false},
    {"row-major lda 0 with m == n == 0", {ROW, N, 0, 0, 0, 1, 1, 1.5, -0.75}, false, false, false},
    {"column-major lda 0 with m == n == 0", {COL, T, 0, 0, 0, 1, 1, 1.5, -0.75}, false, false, false},
    {"lda < 0 with m == n == 0", {COL, N, 0, 0, -1, 1, 1, 1.5, -0.75}, false, false, false},
    {"incx == 0", {ROW, N, 3, 4, 4, 0, 1, 1.5, -0.75}, false, false, false},
    {"incy == 0", {COL, T, 4, 3, 4, 1, 0, 1.5, -0.75}, false, false, false},
    {"incx == 0 with m == 0", {ROW, N, 0, 4, 4, 0, 1, 1.5, -0.75}, false, false, false},
    {"incy == 0 with n == 0", {COL, N, 4, 0, 4, 1, 0, 1.5, -0.75}, false, false, false},
    {"a NULL", {ROW, N, 3, 4, 4, 1, 1, 1.5, -0.75}, true, false, false},
    {"x NULL", {COL, T, 3, 4, 3, 1, -1, 1.5, -0.75}, false, true, false},
    {"y NULL", {ROW, T, 3, 4, 4, -1, 1, 1.5, -0.75}, false, false, true},
    {"y offset beyond int64_t", {ROW, N, 3, 4, 4, 1, INT64_MAX, 1.5, -0.75}, false, false, false},
    {"x offset beyond int64_t", {ROW, N, 3, 4, 4, INT64_MIN, 1, 1.5, -0.75}, false, false, false},
    {"A offset beyond int64_t", {ROW, N, 3, 4, INT64_MAX, 1, 1, 1.5, -0.75}, false, false, false},
    {"y span overflows (m == 2, incy == INT64_MAX)", {ROW, N, 2, 4, 4, 1, INT64_MAX, 1.5, -0.75}, false, false, false},
    {"x span overflows (n == 2, incx == -INT64_MAX)", {COL, N, 3, 2, 3, -INT64_MAX, 1, 1.5, -0.75}, false, false, false},
    {"incy == INT64_MIN", {ROW, N, 3, 4, 4, 1, INT64_MIN, 1.5, -0.75}, false, false, false},
    {"incy == INT64_MIN with m == 0", {ROW, N, 0, 4, 4, 1, INT64_MIN, 1.5, -0.75}, false, false, false},
    {"incx == INT64_MIN with n == 0", {COL, T, 3, 0, 3, INT64_MIN, 1, 1.5, -0.75}, false, false, false},
};

#undef ROW
#undef COL
#undef N
#undef T

typedef struct bad_call {
    const bad_case *bc;
    bool single;
    void *a, *x, *y; /* 64, 16 and 16 elements */
    hpk_ctx *ctx;    /* NULL: the default context */
    hpk_status status;
    bool message_empty_before, message_empty_after;
} bad_call;

static hpk_status bad_call_run(bad_call *d)
{
    gemv_case c = d->bc->c;
    d->message_empty_before = hpk_ctx_error_message(d->ctx)[0] == '\0';
    d->status = call_gemv(d->single, d->ctx, &c, d->bc->null_a ? NULL : d->a, d->bc->null_x ? NULL : d->x,
                          d->bc->null_y ? NULL : d->y);
    d->message_empty_after = hpk_ctx_error_message(d->ctx)[0] == '\0';
    return d->status;
}

#ifndef __STDC_NO_THREADS__
static int bad_call_thread(void *arg)
{
    bad_call_run(arg);
    return 0;
}
#endif

/* Runs one bad case, on a fresh context or (ctx == NULL) on a fresh thread's
 * default context, so that its error message starts empty. */
static void check_bad_case(const bad_case *bc, bool single, bool default_ctx, double alpha, double beta)
{
    bad_case local = *bc;
    local.c.alpha = alpha;
    local.c.beta = beta;
    bad_call d = {&local, single, alloc_elems(64, single), alloc_elems(16, single), alloc_elems(16, single),
                  NULL, 0, false, false};
    fill_random(d.a, 64, single);
    fill_random(d.x, 16, single);
    fill_random(d.y, 16, single);
    void *y0 = duplicate(d.y, 16, single);
    bool fresh = true;
    if (!default_ctx) {
        d.ctx = test_ctx(0);
        bad_call_run(&d);
    } else {
#ifndef __STDC_NO_THREADS__
        thrd_t thread;
        assert_int_equal(thrd_create(&thread, bad_call_thread, &d), thrd_success);
        assert_int_equal(thrd_join(thread, NULL), thrd_success);
#else
        bad_call_run(&d);
        fresh = false; /* this thread's default context may hold an earlier message */
#endif
    }
    const char *what = describe(&local.c, single);
    if (d.status != HPK_ERR_INVALID_ARG)
        fail_msg("%s (%s%s): returned %d (%s), expected HPK_ERR_INVALID_ARG", bc->what,
                 default_ctx ? "default context, " : "", what, (int)d.status, hpk_status_string(d.status));
    if (first_difference(y0, d.y, 16, single) >= 0)
        fail_msg("%s (%s): a failing call wrote y", bc->what, what);
    if (fresh && !d.message_empty_before)
        fail_msg("%s (%s): a fresh context's message is not empty", bc->what, what);
    if (d.message_empty_after)
        fail_msg("%s (%s%s): no error message recorded", bc->what, default_ctx ? "default context, " : "",
                 what);
    hpk_ctx_destroy(d.ctx);
    free(d.a);
    free(d.x);
    free(d.y);
    free(y0);
}

static void invalid_args(bool single, bool default_ctx)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        check_bad_case(&bad_cases[i], single, default_ctx, 1.5, -0.75);
        /* alpha == 0, beta == 1 is a no-op only for valid arguments */
        check_bad_case(&bad_cases[i], single, default_ctx, 0.0, 1.0);
    }
}

static void test_dgemv_invalid(void **state)
{
    (void)state;
    invalid_args(false, false);
}

static void test_sgemv_invalid(void **state)
{
    (void)state;
    invalid_args(true, false);
}

static void test_dgemv_invalid_default_ctx(void **state)
{
    (void)state;
    invalid_args(false, true);
}

static void test_sgemv_invalid_default_ctx(void **state)
{
    (void)state;
    invalid_args(true, true);
}

/* A failure on the default context is readable in the calling thread. */
static void test_gemv_invalid_default_ctx_same_thread(void **state)
{
    (void)state;
    double a[4] = {1, 2, 3, 4}, x[2] = {1, 1}, y[2] = {5, 6};
    float as[4] = {1, 2, 3, 4}, xs[2] = {1, 1}, ys[2] = {5, 6};
    assert_int_equal(hpk_dgemv(NULL, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0, a, 2, x, 0, 0.0, y, 1),
                     HPK_ERR_INVALID_ARG);
    assert_true(hpk_ctx_error_message(NULL)[0] != '\0');
    assert_true(y[0] == 5.0 && y[1] == 6.0);
    assert_int_equal(hpk_sgemv(NULL, HPK_COL_MAJOR, HPK_NO_TRANS, 2, 2, 1.0f, as, 1, xs, 1, 0.0f, ys, 1),
                     HPK_ERR_INVALID_ARG);
    assert_true(hpk_ctx_error_message(NULL)[0] != '\0');
    assert_true(ys[0] == 5.0f && ys[1] == 6.0f);
}

/* ---- reproducibility ------------------------------------------------------ */

/* The rounding rule: with t_i from a call with alpha = 1, beta = 0 (which
 * gives t_i itself), a call with other alpha and beta gives exactly
 * fl(fl(alpha t_i) + fl(beta y_i)), and fl(alpha t_i) for beta == 0. */
static long double update_rule(double alpha, long double t, double beta, long double y, bool single)
{
    if (single) {
        volatile float p = (float)alpha * (float)t;
        if (beta == 0.0)
            return p;
        volatile float q = (float)beta * (float)y;
        volatile float r = p + q;
        return r;
    }
    volatile double p = alpha * (double)t;
    if (beta == 0.0)
        return p;
    volatile double q = beta * (double)y;
    volatile double r = p + q;
    return r;
}

static void rounding_rule(bool single)
{
    static const int64_t shapes[][2] = {{33, 130}, {517, 7}};
    static const double scalars[][2] = {{1.5, -0.75}, {-0.3, 0.7}, {-2.5, 0.0}};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(single ? 32 : 31);
    for (size_t is = 0; is < 2; is++)
        for (int v = 0; v < 16; v++) {
            gemv_case c = variant(v, shapes[is][0], shapes[is][1], 2, 1, 1.0, 1.0);
            gemv_bufs b;
            bufs_alloc(&b, &c, single);
            bufs_fill(&b, &c, single); /* beta != 0: y random */
            void *y0 = duplicate(b.ybuf, b.ny, single), *t = alloc_elems(b.ny, single);
            c.beta = 0.0;
            expect_status(call_gemv(single, ctx, &c, b.a, b.x, b.y), HPK_SUCCESS, ctx, describe(&c, single));
            memcpy(t, b.ybuf, b.ny * elem_size(single));
            const size_t g = GUARD * elem_size(single);
            for (size_t k = 0; k < 3; k++) {
                memcpy(b.ybuf, y0, b.ny * elem_size(single));
                c.alpha = scalars[k][0];
                c.beta = scalars[k][1];
                expect_status(call_gemv(single, ctx, &c, b.a, b.x, b.y), HPK_SUCCESS, ctx,
                              describe(&c, single));
                for (int64_t i = 0; i < ylen_of(&c); i++) {
                    const size_t yi = (size_t)test_index(i, ylen_of(&c), c.incy);
                    const long double want = update_rule(c.alpha, get((char *)t + g, yi, single), c.beta,
                                                         get((char *)y0 + g, yi, single), single);
                    if (get(b.y, yi, single) != want)
                        fail_msg("%s: y_%" PRId64 " = %.17Lg, but alpha * t + beta * y = %.17Lg",
                                 describe(&c, single), i, get(b.y, yi, single), want);
                }
            }
            free(t);
            free(y0);
            bufs_free(&b);
        }
    hpk_ctx_destroy(ctx);
}

static void test_dgemv_rounding_rule(void **state)
{
    (void)state;
    rounding_rule(false);
}

static void test_sgemv_rounding_rule(void **state)
{
    (void)state;
    rounding_rule(true);
}

/* CPU backends: threads 1, 2, 3 and 7 of the backend under test, and the
 * default context, give bitwise the y buffer of an explicit serial-backend
 * context.  Other backends (OpenCL): four contexts of the backend give
 * bitwise the y buffer of a first run on a fifth -- results repeat from run
 * to run (the default context, a CPU one, is left out). */
static void thread_independence(bool single)
{
    static const int64_t shapes[][2] = {{1000, 517}, {3, 1500}};
    static const int64_t incs[][2] = {{1, 1}, {-2, -3}};
    static const int threads[] = {1, 2, 3, 7};
    enum { NCTX = 5 };
    hpk_ctx *serial = NULL, *ctxs[NCTX] = {NULL};
    const int nctx = test_is_cpu_backend() ? NCTX : 4;
    if (test_is_cpu_backend())
        expect_status(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS, NULL, "hpk_ctx_create(serial)");
    else
        serial = test_ctx(0);
    for (int k = 0; k < 4; k++)
        ctxs[k] = test_ctx(threads[k]);
    /* ctxs[4] stays NULL: the default context */
    test_seed(single ? 42 : 41);
    for (size_t is = 0; is < 2; is++)
        for (size_t ii = 0; ii < 2; ii++)
            for (int v = 0; v < 4; v++) {
                gemv_case c = variant(v, shapes[is][0], shapes[is][1], 1, 1, 1.5, -0.75);
                c.incx = incs[ii][0];
                c.incy = incs[ii][1];
                gemv_bufs b;
                bufs_alloc(&b, &c, single);
                bufs_fill(&b, &c, single);
                void *y0 = duplicate(b.ybuf, b.ny, single);
                expect_status(call_gemv(single, serial, &c, b.a, b.x, b.y), HPK_SUCCESS, serial,
                              describe(&c, single));
                void *want = duplicate(b.ybuf, b.ny, single);
                for (int k = 0; k < nctx; k++) {
                    memcpy(b.ybuf, y0, b.ny * elem_size(single));
                    expect_status(call_gemv(single, ctxs[k], &c, b.a, b.x, b.y), HPK_SUCCESS, ctxs[k],
                                  describe(&c, single));
                    const int64_t at = first_difference(want, b.ybuf, b.ny, single);
                    if (at >= 0)
                        fail_msg("%s, threads = %d (0: default context): y buffer element %" PRId64
                                 " is %.17Lg, the reference run gives %.17Lg",
                                 describe(&c, single), k < 4 ? threads[k] : 0, at - GUARD,
                                 get(b.ybuf, (size_t)at, single), get(want, (size_t)at, single));
                }
                free(want);
                free(y0);
                bufs_free(&b);
            }
    for (int k = 0; k < 4; k++)
        hpk_ctx_destroy(ctxs[k]);
    hpk_ctx_destroy(serial);
}

static void test_dgemv_thread_independence(void **state)
{
    (void)state;
    thread_independence(false);
}

static void test_sgemv_thread_independence(void **state)
{
    (void)state;
    thread_independence(true);
}

/* The same logical A, x and y stored differently (x and y with other
 * increments, all three one element off a 64-byte boundary) give bitwise the
 * same logical y. */
static void *aligned_at(void *p, size_t offset_elems, bool single)
{
    const uintptr_t u = ((uintptr_t)p + 63) & ~(uintptr_t)63;
    return (char *)u + offset_elems * elem_size(single);
}

static void storage_independence(bool single)
{
    static const int64_t shapes[][2] = {{130, 517}, {517, 33}};
    static const int64_t incs[][2] = {{-1, 1}, {3, -2}, {-3, 2}};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(single ? 52 : 51);
    for (size_t is = 0; is < 2; is++)
        for (int v = 0; v < 4; v++) {
            const gemv_case base = variant(v, shapes[is][0], shapes[is][1], 1, 1, 1.5, -0.75);
            gemv_bufs b;
            bufs_alloc(&b, &base, single);
            bufs_fill(&b, &base, single);
            void *y0 = duplicate(b.y, b.ny - 2 * GUARD, single);
            expect_status(call_gemv(single, ctx, &base, b.a, b.x, b.y), HPK_SUCCESS, ctx,
                          describe(&base, single));
            const int64_t xlen = xlen_of(&base), ylen = ylen_of(&base);
            for (size_t ii = 0; ii < 3; ii++) {
                gemv_case c = base;
                c.incx = incs[ii][0];
                c.incy = incs[ii][1];
                const size_t es = elem_size(single), nx = test_span(xlen, c.incx), ny = test_span(ylen, c.incy);
                void *abuf = alloc_elems(b.na + 64, single), *xbuf = alloc_elems(nx + 64, single);
                void *ybuf = alloc_elems(ny + 64, single);
                void *a = aligned_at(abuf, 1, single), *x = aligned_at(xbuf, 1, single);
                void *y = aligned_at(ybuf, 1, single);
                memcpy(a, b.a, b.na * es);
                for (int64_t k = 0; k < xlen; k++)
                    memcpy((char *)x + (size_t)test_index(k, xlen, c.incx) * es,
                           (char *)b.x + (size_t)k * es, es);
                for (int64_t i = 0; i < ylen; i++)
                    memcpy((char *)y + (size_t)test_index(i, ylen, c.incy) * es,
                           (char *)y0 + (size_t)i * es, es);
                expect_status(call_gemv(single, ctx, &c, a, x, y), HPK_SUCCESS, ctx, describe(&c, single));
                for (int64_t i = 0; i < ylen; i++) {
                    const size_t yi = (size_t)test_index(i, ylen, c.incy);
                    if (memcmp((char *)y + yi * es, (char *)b.y + (size_t)i * es, es) != 0)
                        fail_msg("%s: y_%" PRId64 " = %.17Lg, but %.17Lg with unit increments and aligned data",
                                 describe(&c, single), i, get(y, yi, single), get(b.y, (size_t)i, single));
                }
                free(abuf);
                free(xbuf);
                free(ybuf);
            }
            free(y0);
            bufs_free(&b);
        }
    hpk_ctx_destroy(ctx);
}

/* ---- the canonical order (hpk.h, "Reproducibility") ---------------------- */

/* The model: t of y element r as order.h defines it, written plainly -- in
 * double for dgemv, float for sgemv.  Dot form: op(A)'s row r with x in
 * blocks of 4096, 16 lanes each for double, 64 for float, the lanes folded
 * (l takes l + L/2, l + L/4, ..., l + 1), the blocks combined pairwise
 * (first c - c/2, then the rest).  Axpy form: runs of 256 vectors summed in
 * sequence from +0.0, the runs combined pairwise. */
enum { MODEL_BLOCK = 4096, MODEL_LANES_D = 16, MODEL_LANES_S = 64, MODEL_RUN = 256 };

typedef struct model {
    const gemv_case *c;
    const void *a, *x;
    bool single;
    int64_t r; /* the y element */
} model;

static double term(const model *md, int64_t k)
{
    const gemv_case *c = md->c;
    const size_t xi = (size_t)test_index(k, xlen_of(c), c->incx);
    if (md->single) {
        const float p = ((const float *)md->a)[op_offset(c, md->r, k)] * ((const float *)md->x)[xi];
        return p;
    }
    return ((const double *)md->a)[op_offset(c, md->r, k)] * ((const double *)md->x)[xi];
}

static double model_add(bool single, double a, double b)
{
    return single ? (double)((float)a + (float)b) : a + b;
}

static double model_leaf(const model *md, bool dot_form, int64_t b)
{
    const int64_t xlen = xlen_of(md->c);
    if (dot_form) {
        const int nl = md->single ? MODEL_LANES_S : MODEL_LANES_D;
        double lanes[MODEL_LANES_S] = {0};
        for (int64_t k = b * MODEL_BLOCK; k < xlen && k < (b + 1) * MODEL_BLOCK; k++)
            lanes[k % nl] = model_add(md->single, lanes[k % nl], term(md, k));
        for (int w = nl / 2; w >= 1; w /= 2)
            for (int l = 0; l < w; l++)
                lanes[l] = model_add(md->single, lanes[l], lanes[l + w]);
        return lanes[0];
    }
    double s = 0.0;
    for (int64_t k = b * MODEL_RUN; k < xlen && k < (b + 1) * MODEL_RUN; k++)
        s = model_add(md->single, s, term(md, k));
    return s;
}

static double model_tree(const model *md, bool dot_form, int64_t first, int64_t count)
{
    if (count == 1)
        return model_leaf(md, dot_form, first);
    const int64_t left = count - count / 2;
    return model_add(md->single, model_tree(md, dot_form, first, left),
                     model_tree(md, dot_form, first + left, count - left));
}

static double model_t(const model *md)
{
    const gemv_case *c = md->c;
    const bool dot_form = (c->layout == HPK_ROW_MAJOR) == (c->trans == HPK_NO_TRANS);
    const int64_t per = dot_form ? MODEL_BLOCK : MODEL_RUN;
    return model_tree(md, dot_form, 0, (xlen_of(c) - 1) / per + 1);
}

/* The data of the canonical-order tests: magnitudes over many binades (0);
 * each row of op(A) a cluster built to land on rounding ties, with x_k =
 * +-2^j and A = t / x (1); numbers over half the precision's exponent range,
 * so that every product and sum stays finite and normal (2) -- support.h. */
enum { DATA_BINADES, DATA_TIES, DATA_WIDE, DATA_KINDS };

static void fill_canonical(gemv_bufs *b, const gemv_case *c, bool single, int data)
{
    if (data == DATA_BINADES) {
        for (size_t k = 0; k < b->na; k++)
            if (!is_poison(b->a, k, single))
                put(b->a, k, single, ldexp(test_uniform(-1.0, 1.0), (int)(test_next_u64() % 31) - 15));
        return;
    }
    const int64_t xlen = xlen_of(c), ylen = ylen_of(c);
    const int emin = single ? TEST_WIDE_S_HALF_MIN : TEST_WIDE_D_HALF_MIN;
    const int emax = single ? TEST_WIDE_S_HALF_MAX : TEST_WIDE_D_HALF_MAX;
    double *x = test_alloc((size_t)xlen * sizeof *x), *t = test_alloc((size_t)xlen * sizeof *t);
    for (int64_t k = 0; k < xlen; k++) {
        const int s = test_sign(), e = data == DATA_TIES ? test_int(-2, 2) : test_int(emin, emax);
        x[k] = data == DATA_TIES ? ldexp(s ? -1.0 : 1.0, e) : single ? test_full_s(s, e) : test_full_d(s, e);
        put(b->x, (size_t)test_index(k, xlen, c->incx), single, x[k]);
    }
    for (int64_t r = 0; r < ylen; r++) {
        if (data == DATA_TIES && single)
            test_fill_ties(t, xlen, MODEL_LANES_S, 24, 24, TEST_TIES_S_EMIN, TEST_TIES_S_EMAX);
        else if (data == DATA_TIES)
            test_fill_ties(t, xlen, MODEL_LANES_D, 53, 53, TEST_TIES_D_EMIN, TEST_TIES_D_EMAX);
        for (int64_t k = 0; k < xlen; k++) {
            double v = data == DATA_TIES ? t[k] / x[k] : 0.0;
            if (data == DATA_WIDE) {
                const int s = test_sign(), e = test_int(emin, emax);
                v = single ? test_full_s(s, e) : test_full_d(s, e);
            }
            put(b->a, op_offset(c, r, k), single, v);
        }
    }
    free(x);
    free(t);
}

/* y_r of a call (alpha 1, beta 0) must be the model's t bitwise; returns
 * it.  label names the context in the message. */
static long double expect_canonical_y(const gemv_case *c, const gemv_bufs *b, bool single, int64_t r,
                                      const char *label)
{
    const model md = {c, b->a, b->x, single, r};
    const long double got = get(b->y, (size_t)test_index(r, ylen_of(c), c->incy), single);
    const double want = model_t(&md);
    if (got != (long double)want)
        fail_msg("%s (%s): y_%" PRId64 " = %a, the canonical order gives %a", describe(c, single), label, r,
                 (double)got, want);
    return got;
}

/* Every layout, transpose and increment sign, sizes around the lane, block
 * and run boundaries: y (alpha 1, beta 0) is the model's t bitwise, and
 * dgemv's dot form is hpk_ddot of the row and x -- on every backend (an
 * OpenCL device evaluates the same order).
 * Each kind of data of fill_canonical. */
static void canonical_order_on(hpk_ctx *ctx, const char *label, bool single, int data)
{
    static const int64_t shapes[][2] = {{3, 4097}, {17, 255}, {5, 8193 + 16}, {300, 1}, {2, 513}, {9, 15},
                                        {6, 65}, {4, 4096 + 63}};
    test_seed((single ? 62 : 61) + 100 * (uint64_t)data);
    for (size_t is = 0; is < sizeof shapes / sizeof shapes[0]; is++)
        for (int v = 0; v < 16; v++) {
            /* both orientations of each shape, so each size is a row length */
            const bool flip = v & 2;
            gemv_case c = variant(v, shapes[is][flip], shapes[is][!flip], 1 + (v & 4) / 4, 1, 1.0, 0.0);
            gemv_bufs b;
            bufs_alloc(&b, &c, single);
            bufs_fill(&b, &c, single);
            /* so that a different order shows */
            fill_canonical(&b, &c, single, data);
            expect_status(call_gemv(single, ctx, &c, b.a, b.x, b.y), HPK_SUCCESS, ctx, describe(&c, single));
            const bool dot_form = (c.layout == HPK_ROW_MAJOR) == (c.trans == HPK_NO_TRANS);
            for (int64_t r = 0; r < ylen_of(&c); r++) {
                const long double got = expect_canonical_y(&c, &b, single, r, label);
                if (!single && dot_form) {
                    double dot = 0.0;
                    const double *row = (const double *)b.a + op_offset(&c, r, 0);
                    expect_status(hpk_ddot(ctx, xlen_of(&c), row, 1, b.x, c.incx, &dot), HPK_SUCCESS, ctx,
                                  "hpk_ddot of a row");
                    if ((long double)dot != got)
                        fail_msg("%s: y_%" PRId64 " = %a, hpk_ddot of the row and x %a", describe(&c, single), r,
                                 (double)got, dot);
                }
            }
            bufs_free(&b);
        }
}

static void canonical_order(bool single)
{
    hpk_ctx *ctx[4];
    const char *names[4];
    const int nctx = test_variant_contexts(ctx, names);
    for (int k = 0; k < nctx; k++) {
        for (int data = 0; data < DATA_KINDS; data++)
            canonical_order_on(ctx[k], names[k], single, data);
        hpk_ctx_destroy(ctx[k]);
    }
}

static void test_dgemv_canonical_order(void **state)
{
    (void)state;
    canonical_order(false);
}

static void test_sgemv_canonical_order(void **state)
{
    (void)state;
    canonical_order(true);
}

/* The dot form at the sizes where the kernels change how many rows they
 * read at once (kernels/gemv.c and gemv_typed.h, dot_rows_at_once): over
 * 16 MiB of doubles or 48 MiB of floats, six or eight rows at once,
 * without AVX-512 with some of their lanes in memory; from 9 MiB, as many
 * as the registers hold; 2 to 9 MiB of doubles, one row at a time (the
 * other tests' sizes take GEMV_ROWS_FEW).  Every row bitwise the
 * canonical order, on every CPU path this machine has, with 3 threads,
 * both layouts and incx of either sign; row counts that leave the last
 * thread rows to take one at a time (3 or 5 of 515 doubles, 7 of 3103
 * floats). */
static void dot_form_at(bool single, int64_t len, int64_t rows, double min_mib, double max_mib)
{
    for (size_t p = 0; p < TEST_CPU_PATHS; p++) {
        hpk_ctx *ctx = test_ctx(3);
        const hpk_status st = hpk_ctx_set_cpu_path(ctx, test_cpu_paths[p]);
        if (st == HPK_ERR_UNSUPPORTED) {
            hpk_ctx_destroy(ctx);
            continue;
        }
        expect_status(st, HPK_SUCCESS, ctx, "hpk_ctx_set_cpu_path");
        static const int dot_forms[] = {0, 4, 3, 7}; /* row-major N, column-major T; incx + and - */
        for (size_t iv = 0; iv < sizeof dot_forms / sizeof dot_forms[0]; iv++) {
            const int v = dot_forms[iv];
            const bool trans = v & 2;
            gemv_case c = variant(v, trans ? len : rows, trans ? rows : len, 1, 1, 1.0, 0.0);
            gemv_bufs b;
            bufs_alloc(&b, &c, single);
            bufs_fill(&b, &c, single);
            fill_canonical(&b, &c, single, DATA_WIDE);
            const double mib = (double)b.na * (single ? sizeof(float) : sizeof(double)) / (1 << 20);
            assert_true(mib >= min_mib && mib < max_mib);
            expect_status(call_gemv(single, ctx, &c, b.a, b.x, b.y), HPK_SUCCESS, ctx, describe(&c, single));
            char label[32];
            snprintf(label, sizeof label, "path %s", test_cpu_paths[p]);
            for (int64_t r = 0; r < ylen_of(&c); r++)
                (void)expect_canonical_y(&c, &b, single, r, label);
            bufs_free(&b);
        }
        hpk_ctx_destroy(ctx);
    }
}

static void streams(bool single)
{
    test_seed(single ? 72 : 71);
    if (single) {
        dot_form_at(true, 4099, 3103, 48, 1e9);
        dot_form_at(true, 4099, 611, 9, 48); /* GEMV_ROWS_MANY */
    } else {
        dot_form_at(false, 4099, 515, 16, 1e9);
        dot_form_at(false, 2333, 515, 9, 16); /* GEMV_ROWS_MANY on avx512 */
        dot_form_at(false, 611, 515, 2, 9);   /* one row at a time */
    }
}

static void test_dgemv_streams(void **state)
{
    (void)state;
    streams(false);
}

static void test_sgemv_streams(void **state)
{
    (void)state;
    streams(true);
}

static void test_dgemv_storage_independence(void **state)
{
    (void)state;
    storage_independence(false);
}

static void test_sgemv_storage_independence(void **state)
{
    (void)state;
    storage_independence(true);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dgemv_known_small),
        cmocka_unit_test(test_sgemv_known_small),
        cmocka_unit_test(test_gemv_negative_increments_by_hand),
        cmocka_unit_test(test_dgemv_random),
        cmocka_unit_test(test_sgemv_random),
        cmocka_unit_test(test_dgemv_alpha_zero),
        cmocka_unit_test(test_sgemv_alpha_zero),
        cmocka_unit_test(test_dgemv_empty),
        cmocka_unit_test(test_sgemv_empty),
        cmocka_unit_test(test_dgemv_invalid),
        cmocka_unit_test(test_sgemv_invalid),
        cmocka_unit_test(test_dgemv_invalid_default_ctx),
        cmocka_unit_test(test_sgemv_invalid_default_ctx),
        cmocka_unit_test(test_gemv_invalid_default_ctx_same_thread),
        cmocka_unit_test(test_dgemv_rounding_rule),
        cmocka_unit_test(test_sgemv_rounding_rule),
        cmocka_unit_test(test_dgemv_thread_independence),
        cmocka_unit_test(test_sgemv_thread_independence),
        cmocka_unit_test(test_dgemv_storage_independence),
        cmocka_unit_test(test_sgemv_storage_independence),
        cmocka_unit_test(test_dgemv_canonical_order),
        cmocka_unit_test(test_sgemv_canonical_order),
        cmocka_unit_test(test_dgemv_streams),
        cmocka_unit_test(test_sgemv_streams),
    };
    return cmocka_run_group_tests_name(test_backend_name, tests, NULL, NULL);
}
