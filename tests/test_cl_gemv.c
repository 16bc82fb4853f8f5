/* Tests of hpk_cl_dgemv and hpk_cl_sgemv on cl_mem buffers with offsets and
 * negative increments: bitwise the host-pointer functions' results on the
 * same context, nothing written outside y's strided elements, alpha == 0
 * reading neither A nor x, and run-to-run repetition. */
#define _POSIX_C_SOURCE 200809L
#include "cl_test.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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
    const size_t na = (size_t)(vecs * c->lda), nx = test_span(xlen, c->incx), ny = test_span(ylen, c->incy);
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
        const bool written = k >= Y_OFF && test_is_strided(k - Y_OFF, ylen, c->incy);
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

int main(int argc, char **argv)
{
    if (!cl_test_start(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_dgemv),
        cmocka_unit_test(test_device_sgemv),
    };
    return cmocka_run_group_tests_name("opencl gemv on device buffers", tests, NULL, NULL);
}
