/* Tests of hpk_cl.h's contexts: device selection strings (good and bad),
 * HPK_CL_DEVICE, HPK_CL_WGS, HPK_CL_KERNELS, and the OpenCL objects of a
 * context.  (Contexts on the caller's own queue: test_cl_queue.c.) */
#define _POSIX_C_SOURCE 200809L
#include "cl_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers --------------------------------------------------------------- */

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

int main(int argc, char **argv)
{
    if (!cl_test_start(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_devices),
        cmocka_unit_test(test_device_from_environment),
        cmocka_unit_test(test_tuning_from_environment),
        cmocka_unit_test(test_context_objects),
    };
    return cmocka_run_group_tests_name("opencl contexts", tests, NULL, NULL);
}
