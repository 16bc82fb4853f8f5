/* Tests of what the hpk_cl.h functions refuse:
 *   - bad input (NULL and foreign buffers, buffers too small, contexts that
 *     are not OpenCL ones), nothing written;
 *   - a device without fp64 (HPK_CL_NO_FP64): double calls refused, float
 *     calls still accurate. */
#define _POSIX_C_SOURCE 200809L
#include "cl_test.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
    if (!cl_test_start(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_bad_input),
        cmocka_unit_test(test_without_fp64),
    };
    return cmocka_run_group_tests_name("opencl bad input and refusals", tests, NULL, NULL);
}
