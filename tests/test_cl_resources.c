/* Tests of what an OpenCL context holds and reports:
 *   - hpk_ctx_last_profile;
 *   - no leaked OpenCL objects, no per-call buffers, no repeated builds
 *     (counted by cl_counting.c);
 *   - the kernel sources build on their own with their defaults. */
#define _POSIX_C_SOURCE 200809L
#include "cl_counting.h"
#include "cl_test.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- profiles ------------------------------------------------------------------------ */

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

static const char poly_cl[] = TEST_POLY_CL;

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

/* ---- the OpenCL C sources ---------------------------------------------------------------- */

/* Each .cl file of cl/device builds on its own with its defaults, as the
 * files in the source tree (the library embeds them with #include lines
 * expanded and parameters as -D options). */
static void test_kernel_sources_build_alone(void **state)
{
    (void)state;
    static const char *const files[] = {"gemv.cl", "reduce.cl", "mc_pi.cl", "mc_integrate.cl"};
    hpk_ctx *ctx = test_ctx(0);
    cl_device_id device = hpk_ctx_cl_device(ctx);
    char options[600];
    snprintf(options, sizeof options, "-cl-std=CL1.2 -I %s/cl/device -I %s/common", HPK_TEST_SOURCE_DIR,
             HPK_TEST_SOURCE_DIR);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[400];
        snprintf(path, sizeof path, "%s/cl/device/%s", HPK_TEST_SOURCE_DIR, files[k]);
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
    if (!cl_test_start(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_no_leaks_or_rebuilds),
        cmocka_unit_test(test_kernel_sources_build_alone),
    };
    return cmocka_run_group_tests_name("opencl profiles, objects and programs", tests, NULL, NULL);
}
