/* Tests of Monte Carlo on an OpenCL context: the device's Philox against
 * Random123's known answers, pi bitwise the serial backend's, hpk_cl_mc_integrate against hpk_mc_integrate with the same
 * integrand written in C, and hpk_cl_mc_integrate's bad input. */
#define _POSIX_C_SOURCE 200809L
#include "cl_test.h"
#include "philox_kat.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* ---- Philox4x32-10 on the device ---------------------------------------------------------- */

/* common/philox.h compiled as OpenCL C, as the library's device code
 * includes it, with a kernel that runs the generator on each vector. */
static const char philox_kat_cl[] =
    "#include \"philox.h\"\n"
    "__kernel void philox_kat(__global const uint *in, __global uint *out)\n"
    "{\n"
    "    const size_t i = get_global_id(0);\n"
    "    hpk__philox4 c;\n"
    "    for (int k = 0; k < 4; k++)\n"
    "        c.v[k] = in[6 * i + k];\n"
    "    c = hpk__philox4x32_10(c, in[6 * i + 4], in[6 * i + 5]);\n"
    "    for (int k = 0; k < 4; k++)\n"
    "        out[4 * i + k] = c.v[k];\n"
    "}\n";

static void test_philox_known_answers_on_device(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    cl_context context = hpk_ctx_cl_context(ctx);
    cl_device_id device = hpk_ctx_cl_device(ctx);
    cl_command_queue queue = hpk_ctx_cl_queue(ctx);
    char options[600];
    snprintf(options, sizeof options, "-cl-std=CL1.2 -I %s/common", HPK_TEST_SOURCE_DIR);
    const char *source = philox_kat_cl;
    cl_int err;
    cl_program program = clCreateProgramWithSource(context, 1, &source, NULL, &err);
    assert_int_equal(err, CL_SUCCESS);
    err = clBuildProgram(program, 1, &device, options, NULL, NULL);
    if (err != CL_SUCCESS) {
        static char log[1 << 14];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL);
        fail_msg("philox.h does not build as OpenCL C: %d\n%s", (int)err, log);
    }
    cl_kernel kernel = clCreateKernel(program, "philox_kat", &err);
    assert_int_equal(err, CL_SUCCESS);

    cl_uint in[TEST_PHILOX_KATS][6], out[TEST_PHILOX_KATS][4];
    for (size_t k = 0; k < TEST_PHILOX_KATS; k++) {
        memcpy(in[k], test_philox_kats[k].counter, sizeof test_philox_kats[k].counter);
        memcpy(in[k] + 4, test_philox_kats[k].key, sizeof test_philox_kats[k].key);
    }
    memset(out, 0, sizeof out);
    cl_mem din = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof in, in, &err);
    assert_int_equal(err, CL_SUCCESS);
    cl_mem dout = clCreateBuffer(context, CL_MEM_WRITE_ONLY, sizeof out, NULL, &err);
    assert_int_equal(err, CL_SUCCESS);
    assert_int_equal(clSetKernelArg(kernel, 0, sizeof din, &din), CL_SUCCESS);
    assert_int_equal(clSetKernelArg(kernel, 1, sizeof dout, &dout), CL_SUCCESS);
    const size_t global = TEST_PHILOX_KATS;
    assert_int_equal(clEnqueueNDRangeKernel(queue, kernel, 1, NULL, &global, NULL, 0, NULL, NULL), CL_SUCCESS);
    assert_int_equal(clEnqueueReadBuffer(queue, dout, CL_TRUE, 0, sizeof out, out, 0, NULL, NULL), CL_SUCCESS);
    for (size_t k = 0; k < TEST_PHILOX_KATS; k++)
        assert_memory_equal(out[k], test_philox_kats[k].expected, sizeof out[k]);

    clReleaseMemObject(din);
    clReleaseMemObject(dout);
    clReleaseKernel(kernel);
    clReleaseProgram(program);
    hpk_ctx_destroy(ctx);
}

/* ---- Monte Carlo ---------------------------------------------------------------------- */

static const char poly_cl[] = TEST_POLY_CL;

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
 * host's bit for bit (test_poly and poly_cl use only + and *, and neither side
 * contracts into fma), the result is the serial backend's bit for bit, at
 * every work-group size and in both kernel families (the gpu family runs
 * this test again), including runs of blocks longer than one launch. */
static void expect_integrate_bitwise(hpk_ctx *ctx, const char *label, hpk_ctx *serial, int dim, const double *lo,
                                     const double *hi, uint64_t samples, uint64_t seed)
{
    hpk_mc_result want, got = {test_poison_d(), test_poison_d(), 0};
    expect(hpk_mc_integrate(serial, test_poly, NULL, dim, lo, hi, samples, seed, &want), HPK_SUCCESS, serial,
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
    expect(hpk_mc_integrate(ctx, test_poly, NULL, 2, lo, hi, 10, 1, &r), HPK_ERR_UNSUPPORTED, ctx, "hpk_mc_integrate");
    expect_message(ctx, "hpk_cl_mc_integrate", "hpk_mc_integrate on OpenCL");
    hpk_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    if (!cl_test_start(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_known_answers_on_device),
        cmocka_unit_test(test_mc_pi_matches_serial),
        cmocka_unit_test(test_mc_integrate_matches_cpu),
        cmocka_unit_test(test_mc_integrate_bad_input),
    };
    return cmocka_run_group_tests_name("opencl Monte Carlo", tests, NULL, NULL);
}
