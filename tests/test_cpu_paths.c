/* Every CPU code path (portable, avx2, avx512) computes bitwise the same
 * results: each kernel is run on each path this CPU and build support and
 * compared with the first of them (portable, except in an HPK_NATIVE build,
 * which has the one path "native"). */
#include "support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define paths test_cpu_paths /* support.h */
#define NPATHS TEST_CPU_PATHS

/* Contexts for the backend under test, one per path; NULL where the CPU
 * lacks the path. */
static void make_contexts(hpk_ctx *ctx[NPATHS])
{
    for (size_t p = 0; p < NPATHS; p++) {
        ctx[p] = test_ctx(3);
        hpk_status st = hpk_ctx_set_cpu_path(ctx[p], paths[p]);
        if (st == HPK_ERR_UNSUPPORTED) {
            hpk_ctx_destroy(ctx[p]);
            ctx[p] = NULL;
            continue;
        }
        assert_int_equal(st, HPK_SUCCESS);
        assert_string_equal(hpk_ctx_get_cpu_path(ctx[p]), paths[p]);
    }
    size_t available = 0;
    for (size_t p = 0; p < NPATHS; p++)
        available += ctx[p] != NULL;
    assert_true(available >= 1);
}

/* Is p the first available path (the reference the others are compared with)? */
static int is_reference(hpk_ctx *ctx[NPATHS], size_t p)
{
    for (size_t q = 0; q < p; q++)
        if (ctx[q])
            return 0;
    return 1;
}

static void destroy_contexts(hpk_ctx *ctx[NPATHS])
{
    for (size_t p = 0; p < NPATHS; p++)
        hpk_ctx_destroy(ctx[p]);
}

/* Values spanning many magnitudes, so that any change of summation order
 * shows in the last bits. */
static void fill_wide(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = test_uniform(-1.0, 1.0) * pow(10.0, test_uniform(-6.0, 6.0));
}

static void test_reductions_agree(void **state)
{
    (void)state;
    hpk_ctx *ctx[NPATHS];
    make_contexts(ctx);
    const int64_t n = 4096 * 5 + 37, incs[] = {1, 2, -2, -3};
    double *x = test_alloc(sizeof(double) * (size_t)n * 3), *y = test_alloc(sizeof(double) * (size_t)n * 3);
    float *xf = test_alloc(sizeof(float) * (size_t)n * 3), *yf = test_alloc(sizeof(float) * (size_t)n * 3);
    test_seed(11);
    fill_wide(x, (size_t)n * 3);
    fill_wide(y, (size_t)n * 3);
    for (int64_t i = 0; i < n * 3; i++) {
        xf[i] = (float)x[i];
        yf[i] = (float)y[i];
    }
    x[777] = 0.0; /* a zero: nrm2 must take the same path everywhere */
    for (size_t k = 0; k < sizeof incs / sizeof incs[0]; k++) {
        const int64_t inc = incs[k];
        double ref[5];
        float reff[5];
        int64_t refi[2];
        for (size_t p = 0; p < NPATHS; p++) {
            if (!ctx[p])
                continue;
            double d[5];
            float f[5];
            int64_t idx[2];
            assert_int_equal(hpk_dsum(ctx[p], n, x, inc, &d[0]), HPK_SUCCESS);
            assert_int_equal(hpk_dasum(ctx[p], n, x, inc, &d[1]), HPK_SUCCESS);
            assert_int_equal(hpk_dnrm2(ctx[p], n, x, inc, &d[2]), HPK_SUCCESS);
            assert_int_equal(hpk_ddot(ctx[p], n, x, inc, y, 1, &d[3]), HPK_SUCCESS);
            assert_int_equal(hpk_dnrm2(ctx[p], n, y, inc, &d[4]), HPK_SUCCESS);
            assert_int_equal(hpk_ssum(ctx[p], n, xf, inc, &f[0]), HPK_SUCCESS);
            assert_int_equal(hpk_sasum(ctx[p], n, xf, inc, &f[1]), HPK_SUCCESS);
            assert_int_equal(hpk_snrm2(ctx[p], n, xf, inc, &f[2]), HPK_SUCCESS);
            assert_int_equal(hpk_sdot(ctx[p], n, xf, inc, yf, 1, &f[3]), HPK_SUCCESS);
            assert_int_equal(hpk_snrm2(ctx[p], n, yf, inc, &f[4]), HPK_SUCCESS);
            assert_int_equal(hpk_idamax(ctx[p], n, x, inc, &idx[0]), HPK_SUCCESS);
            assert_int_equal(hpk_isamax(ctx[p], n, xf, inc, &idx[1]), HPK_SUCCESS);
            if (is_reference(ctx, p)) {
                memcpy(ref, d, sizeof d);
                memcpy(reff, f, sizeof f);
                memcpy(refi, idx, sizeof idx);
                continue;
            }
            if (memcmp(ref, d, sizeof d) || memcmp(reff, f, sizeof f) || memcmp(refi, idx, sizeof idx))
                fail_msg("path %s differs from the reference path (inc %lld)", paths[p], (long long)inc);
        }
    }
    free(x);
    free(y);
    free(xf);
    free(yf);
    destroy_contexts(ctx);
}

static void test_gemv_agrees(void **state)
{
    (void)state;
    hpk_ctx *ctx[NPATHS];
    make_contexts(ctx);
    const int64_t m = 203, n = 171, lda = 211;
    const hpk_layout layouts[] = {HPK_ROW_MAJOR, HPK_COL_MAJOR};
    const hpk_transpose transes[] = {HPK_NO_TRANS, HPK_TRANS};
    const size_t asize = (size_t)lda * 211, vsize = 3 * 211;
    double *a = test_alloc(asize * sizeof *a), *x = test_alloc(vsize * sizeof *x);
    double *y0 = test_alloc(vsize * sizeof *y0), *y = test_alloc(vsize * sizeof *y), *ref = test_alloc(vsize * sizeof *ref);
    float *af = test_alloc(asize * sizeof *af), *xf = test_alloc(vsize * sizeof *xf);
    float *yf0 = test_alloc(vsize * sizeof *yf0), *yf = test_alloc(vsize * sizeof *yf), *reff = test_alloc(vsize * sizeof *reff);
    test_seed(12);
    fill_wide(a, asize);
    fill_wide(x, vsize);
    fill_wide(y0, vsize);
    for (size_t i = 0; i < asize; i++)
        af[i] = (float)a[i];
    for (size_t i = 0; i < vsize; i++) {
        xf[i] = (float)x[i];
        yf0[i] = (float)y0[i];
    }
    for (int li = 0; li < 2; li++) {
        for (int ti = 0; ti < 2; ti++) {
            for (int64_t inc = -2; inc <= 1; inc += 3) {
                for (size_t p = 0; p < NPATHS; p++) {
                    if (!ctx[p])
                        continue;
                    memcpy(y, y0, vsize * sizeof *y);
                    memcpy(yf, yf0, vsize * sizeof *yf);
                    assert_int_equal(hpk_dgemv(ctx[p], layouts[li], transes[ti], m, n, 1.25, a, lda, x, inc, -0.5,
                                               y, -inc), HPK_SUCCESS);
                    assert_int_equal(hpk_sgemv(ctx[p], layouts[li], transes[ti], m, n, 1.25f, af, lda, xf, inc,
                                               -0.5f, yf, -inc), HPK_SUCCESS);
                    if (is_reference(ctx, p)) {
                        memcpy(ref, y, vsize * sizeof *y);
                        memcpy(reff, yf, vsize * sizeof *yf);
                    } else if (memcmp(ref, y, vsize * sizeof *y) || memcmp(reff, yf, vsize * sizeof *yf)) {
                        fail_msg("gemv on path %s differs from the reference path (layout %d, trans %d, inc %lld)", paths[p],
                                 (int)layouts[li], (int)transes[ti], (long long)inc);
                    }
                }
            }
        }
    }
    free(a), free(x), free(y0), free(y), free(ref), free(af), free(xf), free(yf0), free(yf), free(reff);
    destroy_contexts(ctx);
}

/* Values whose products fall below the normal range (subnormal, or rounded
 * to a zero of either sign), with zeros of both signs among them: the x86
 * paths' dot reductions compute such products with a fused multiply-add of
 * -0.0, the portable path with the multiply (kernels/simd.h, hpk__vd_mul). */
static void fill_underflowing(double *x, float *xf, size_t n, double scale, float scale_f)
{
    for (size_t i = 0; i < n; i++) {
        const double u = test_uniform(-1.0, 1.0), e = test_uniform(0.0, 6.0);
        x[i] = i % 17 == 3 ? (i % 2 ? -0.0 : 0.0) : u * scale * pow(10.0, -e);
        xf[i] = i % 17 == 3 ? (float)x[i] : (float)u * scale_f * (float)pow(10.0, -e);
    }
}

static void test_underflowing_products_agree(void **state)
{
    (void)state;
    hpk_ctx *ctx[NPATHS];
    make_contexts(ctx);
    const int64_t n = 4096 + 61, m = 37, cols = 101;
    const size_t size = (size_t)(m * cols > n ? m * cols : n);
    double *x = test_alloc(size * sizeof *x), *y = test_alloc(size * sizeof *y), *g = test_alloc((size_t)cols * sizeof *g);
    float *xf = test_alloc(size * sizeof *xf), *yf = test_alloc(size * sizeof *yf), *gf = test_alloc((size_t)cols * sizeof *gf);
    test_seed(14);
    fill_underflowing(x, xf, size, 1e-155, 1e-19f);
    fill_underflowing(y, yf, size, 1e-160, 1e-21f);
    double ref[2 + 4 * 101];
    float reff[2 + 4 * 101];
    for (size_t p = 0; p < NPATHS; p++) {
        if (!ctx[p])
            continue;
        double d[2 + 4 * 101];
        float f[2 + 4 * 101];
        assert_int_equal(hpk_ddot(ctx[p], n, x, 1, y, 1, &d[0]), HPK_SUCCESS);
        assert_int_equal(hpk_ddot(ctx[p], n / 2, x, 2, y, -1, &d[1]), HPK_SUCCESS);
        assert_int_equal(hpk_sdot(ctx[p], n, xf, 1, yf, 1, &f[0]), HPK_SUCCESS);
        assert_int_equal(hpk_sdot(ctx[p], n / 2, xf, 2, yf, -1, &f[1]), HPK_SUCCESS);
        for (int form = 0; form < 4; form++) { /* row- and column-major, each transposed or not */
            const hpk_layout layout = form < 2 ? HPK_ROW_MAJOR : HPK_COL_MAJOR;
            const hpk_transpose trans = form % 2 ? HPK_TRANS : HPK_NO_TRANS;
            const int64_t lda = layout == HPK_ROW_MAJOR ? cols : m;
            const int64_t outputs = (layout == HPK_ROW_MAJOR) == (trans == HPK_NO_TRANS) ? m : cols;
            memset(g, 0xff, (size_t)cols * sizeof *g); /* poisoned: beta 0 must not read it */
            memset(gf, 0xff, (size_t)cols * sizeof *gf);
            assert_int_equal(hpk_dgemv(ctx[p], layout, trans, m, cols, 1.0, x, lda, y, 1, 0.0, g, 1), HPK_SUCCESS);
            assert_int_equal(hpk_sgemv(ctx[p], layout, trans, m, cols, 1.0f, xf, lda, yf, 1, 0.0f, gf, 1),
                             HPK_SUCCESS);
            for (int64_t i = 0; i < 101; i++) {
                d[2 + form * 101 + i] = i < outputs ? g[i] : 0.0;
                f[2 + form * 101 + i] = i < outputs ? gf[i] : 0.0f;
            }
        }
        if (is_reference(ctx, p)) {
            memcpy(ref, d, sizeof d);
            memcpy(reff, f, sizeof f);
            assert_true(d[0] != 0.0 && fabs(d[0]) < 0x1p-1022);  /* subnormal: the products reached the sum */
            assert_true(f[0] != 0.0f && fabsf(f[0]) < 0x1p-126f);
        } else if (memcmp(ref, d, sizeof d) || memcmp(reff, f, sizeof f)) {
            fail_msg("path %s differs from the reference path on products below the normal range", paths[p]);
        }
    }
    free(x), free(y), free(g), free(xf), free(yf), free(gf);
    destroy_contexts(ctx);
}

static double bumpy(const double *p, int dim, void *user_data)
{
    (void)user_data;
    double s = 0.0;
    for (int d = 0; d < dim; d++)
        s += sin(3.0 * p[d]) * exp(p[d]);
    return s;
}

static void test_monte_carlo_agrees(void **state)
{
    (void)state;
    hpk_ctx *ctx[NPATHS];
    make_contexts(ctx);
    const double lo[3] = {-1, 0, 2}, hi[3] = {1, 0.5, 3};
    hpk_mc_result pi_ref, int_ref;
    for (size_t p = 0; p < NPATHS; p++) {
        if (!ctx[p])
            continue;
        hpk_mc_result pi, in;
        assert_int_equal(hpk_mc_pi(ctx[p], 9 * 4096 + 5, 3, &pi), HPK_SUCCESS);
        assert_int_equal(hpk_mc_integrate(ctx[p], bumpy, NULL, 3, lo, hi, 5 * 4096 + 9, 4, &in), HPK_SUCCESS);
        if (is_reference(ctx, p)) {
            pi_ref = pi;
            int_ref = in;
        } else if (memcmp(&pi, &pi_ref, sizeof pi) || memcmp(&in, &int_ref, sizeof in)) {
            fail_msg("Monte Carlo on path %s differs from the reference path", paths[p]);
        }
    }
    destroy_contexts(ctx);
}

static void test_bad_paths(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    const char *before = hpk_ctx_get_cpu_path(ctx);
    assert_non_null(before);
    assert_int_equal(hpk_ctx_set_cpu_path(ctx, NULL), HPK_ERR_INVALID_ARG);
    assert_int_equal(hpk_ctx_set_cpu_path(ctx, "sse9"), HPK_ERR_INVALID_ARG);
    assert_non_null(strstr(hpk_ctx_error_message(ctx), "sse9"));
    assert_string_equal(hpk_ctx_get_cpu_path(ctx), before);
    /* The default path is the one hpk_cpu_path() reports; NULL sets the
     * calling thread's default context, as everywhere. */
    const char *best = hpk_cpu_path();
    assert_string_equal(hpk_ctx_get_cpu_path(NULL), best);
    assert_int_equal(hpk_ctx_set_cpu_path(NULL, "portable"), HPK_SUCCESS);
    assert_string_equal(hpk_ctx_get_cpu_path(NULL), "portable");
    assert_string_equal(hpk_ctx_get_cpu_path(ctx), before); /* other contexts keep theirs */
    assert_int_equal(hpk_ctx_set_cpu_path(NULL, NULL), HPK_ERR_INVALID_ARG);
    assert_non_null(strstr(hpk_ctx_error_message(NULL), "path is NULL"));
    assert_int_equal(hpk_ctx_set_cpu_path(NULL, best), HPK_SUCCESS);
    assert_string_equal(hpk_ctx_get_cpu_path(NULL), best);
    hpk_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reductions_agree),
        cmocka_unit_test(test_gemv_agrees),
        cmocka_unit_test(test_underflowing_products_agree),
        cmocka_unit_test(test_monte_carlo_agrees),
        cmocka_unit_test(test_bad_paths),
    };
    return cmocka_run_group_tests_name(test_backend_name, tests, NULL, NULL);
}
