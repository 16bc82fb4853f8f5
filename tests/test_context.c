/* Contexts, status strings, the version, and the default context. */
#include "support.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void test_create_and_destroy(void **state)
{
    (void)state;
    hpk_ctx *ctx = NULL;
    assert_int_equal(hpk_ctx_create(&ctx, test_backend), HPK_SUCCESS);
    assert_non_null(ctx);
    assert_int_equal(hpk_ctx_get_backend(ctx), test_backend);
    assert_string_equal(hpk_ctx_error_message(ctx), "");
    assert_int_equal(hpk_ctx_get_num_threads(ctx), 0);
    assert_int_equal(hpk_ctx_set_num_threads(ctx, 3), HPK_SUCCESS);
    assert_int_equal(hpk_ctx_get_num_threads(ctx), 3);
    assert_int_equal(hpk_ctx_set_num_threads(ctx, 0), HPK_SUCCESS);
    assert_int_equal(hpk_ctx_get_num_threads(ctx), 0);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(NULL); /* a no-op */
}

static void test_create_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_int_equal(hpk_ctx_create(NULL, test_backend), HPK_ERR_INVALID_ARG);
    assert_true(strstr(hpk_ctx_error_message(NULL), "ctx is NULL") != NULL);

    hpk_ctx *sentinel = (hpk_ctx *)&sentinel, *ctx = sentinel;
    assert_int_equal(hpk_ctx_create(&ctx, (hpk_backend)7), HPK_ERR_INVALID_ARG);
    assert_ptr_equal(ctx, sentinel);
    assert_true(strstr(hpk_ctx_error_message(NULL), "backend 7") != NULL);
    assert_int_equal(hpk_ctx_create(&ctx, (hpk_backend)-1), HPK_ERR_INVALID_ARG);
    assert_ptr_equal(ctx, sentinel);
}

/* Asking for a backend this build lacks (HPK_TEST_HAVE_* come from the
 * build's options) must say which option adds it. */
static void test_backend_not_built(void **state)
{
    (void)state;
    static const struct {
        hpk_backend backend;
        int built;
        const char *option;
    } backends[] = {{HPK_BACKEND_OPENMP, HPK_TEST_HAVE_OPENMP, "HPK_WITH_OPENMP"},
                    {HPK_BACKEND_OPENCL, HPK_TEST_HAVE_OPENCL, "HPK_WITH_OPENCL"}};
    int missing = 0;
    hpk_ctx *sentinel = (hpk_ctx *)&sentinel, *ctx = sentinel;
    for (size_t k = 0; k < sizeof backends / sizeof backends[0]; k++) {
        if (!backends[k].built) {
            missing++;
            assert_int_equal(hpk_ctx_create(&ctx, backends[k].backend), HPK_ERR_UNSUPPORTED);
            assert_ptr_equal(ctx, sentinel);
            assert_true(strstr(hpk_ctx_error_message(NULL), backends[k].option) != NULL);
        }
    }
    if (!missing)
        skip(); /* every backend is built in */
}

static void test_set_num_threads_rejects_bad_arguments(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(2);
    assert_int_equal(hpk_ctx_set_num_threads(ctx, -1), HPK_ERR_INVALID_ARG);
    assert_int_equal(hpk_ctx_get_num_threads(ctx), 2);
    assert_true(strstr(hpk_ctx_error_message(ctx), "-1") != NULL);
    hpk_ctx_destroy(ctx);
}

static void *default_num_threads(void *out)
{
    *(int *)out = hpk_ctx_get_num_threads(NULL);
    return NULL;
}

/* ctx == NULL sets the calling thread's default context: its calls with
 * NULL see the count, created contexts and other threads' defaults do not. */
static void test_set_num_threads_on_default_context(void **state)
{
    (void)state;
    assert_int_equal(hpk_ctx_get_num_threads(NULL), 0);
    assert_int_equal(hpk_ctx_set_num_threads(NULL, 3), HPK_SUCCESS);
    assert_int_equal(hpk_ctx_get_num_threads(NULL), 3);

    hpk_ctx *ctx = test_ctx(0);
    assert_int_equal(hpk_ctx_get_num_threads(ctx), 0);
    hpk_ctx_destroy(ctx);
    int other = -1;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, default_num_threads, &other), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(other, 0);

    double x[3] = {1.0, 2.0, 4.0}, r = 0.0;
    assert_int_equal(hpk_dsum(NULL, 3, x, 1, &r), HPK_SUCCESS);
    assert_true(r == 7.0);

    assert_int_equal(hpk_ctx_set_num_threads(NULL, -2), HPK_ERR_INVALID_ARG);
    assert_true(strstr(hpk_ctx_error_message(NULL), "-2") != NULL);
    assert_int_equal(hpk_ctx_get_num_threads(NULL), 3);
    assert_int_equal(hpk_ctx_set_num_threads(NULL, 0), HPK_SUCCESS);
    assert_int_equal(hpk_ctx_get_num_threads(NULL), 0);
}

static void test_error_message_is_per_context(void **state)
{
    (void)state;
    hpk_ctx *a = test_ctx(0), *b = test_ctx(0);
    double x = 1.0, r = 0.0;
    assert_int_equal(hpk_dsum(a, -1, &x, 1, &r), HPK_ERR_INVALID_ARG);
    assert_true(strstr(hpk_ctx_error_message(a), "hpk_dsum") != NULL);
    assert_string_equal(hpk_ctx_error_message(b), "");
    /* A later success does not clear the message of the last failure. */
    assert_int_equal(hpk_dsum(a, 1, &x, 1, &r), HPK_SUCCESS);
    assert_true(strstr(hpk_ctx_error_message(a), "hpk_dsum") != NULL);
    hpk_ctx_destroy(a);
    hpk_ctx_destroy(b);
}

static void test_default_context(void **state)
{
    (void)state;
    hpk_backend expected = HPK_BACKEND_SERIAL;
    hpk_ctx *probe = NULL;
    if (hpk_ctx_create(&probe, HPK_BACKEND_OPENMP) == HPK_SUCCESS)
        expected = HPK_BACKEND_OPENMP;
    hpk_ctx_destroy(probe);
    assert_int_equal(hpk_ctx_get_backend(NULL), expected);

    double x = 2.0, r = -1.0;
    assert_int_equal(hpk_dsum(NULL, 1, &x, 0, &r), HPK_ERR_INVALID_ARG);
    assert_true(strstr(hpk_ctx_error_message(NULL), "increment") != NULL);
    assert_true(r == -1.0);
    assert_int_equal(hpk_dsum(NULL, 1, &x, 1, &r), HPK_SUCCESS);
    assert_true(r == 2.0);
}

static void test_status_strings(void **state)
{
    (void)state;
    const hpk_status all[] = {HPK_SUCCESS, HPK_ERR_INVALID_ARG, HPK_ERR_ALLOC, HPK_ERR_UNSUPPORTED,
                              HPK_ERR_DEVICE, HPK_ERR_NO_DEVICE, HPK_ERR_MPI};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *s = hpk_status_string(all[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, hpk_status_string(all[j]));
    }
    assert_string_equal(hpk_status_string((hpk_status)42), "unknown status");
}

static void test_version(void **state)
{
    (void)state;
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", HPK_VERSION_MAJOR, HPK_VERSION_MINOR, HPK_VERSION_PATCH);
    assert_string_equal(hpk_version_string(), expected);
    assert_int_equal(HPK_VERSION_NUMBER, HPK_VERSION_MAJOR * 10000 + HPK_VERSION_MINOR * 100 + HPK_VERSION_PATCH);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_destroy),
        cmocka_unit_test(test_create_rejects_bad_arguments),
        cmocka_unit_test(test_backend_not_built),
        cmocka_unit_test(test_set_num_threads_rejects_bad_arguments),
        cmocka_unit_test(test_set_num_threads_on_default_context),
        cmocka_unit_test(test_error_message_is_per_context),
        cmocka_unit_test(test_default_context),
        cmocka_unit_test(test_status_strings),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests_name(test_backend_name, tests, NULL, NULL);
}
