/* The OpenMP backend inside the caller's own parallel region: every thread
 * of the caller's team calls hpk, each gets the serial backend's bits, and
 * the caller's OpenMP settings are left as they were. */
#include "support.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define N (4096 * 9 + 13)

static void test_calls_from_parallel_region(void **state)
{
    (void)state;
    double *x = test_alloc(N * sizeof *x);
    test_seed(5);
    test_fill_d(x, N, -1.0, 1.0);
    hpk_ctx *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    double ref_sum, ref_nrm2;
    hpk_mc_result ref_pi;
    assert_int_equal(hpk_dsum(serial, N, x, 1, &ref_sum), HPK_SUCCESS);
    assert_int_equal(hpk_dnrm2(serial, N, x, -1, &ref_nrm2), HPK_SUCCESS);
    assert_int_equal(hpk_mc_pi(serial, 50000, 9, &ref_pi), HPK_SUCCESS);

    const int outer = 3;
    int wrong = 0, failed = 0, team = 0;
#pragma omp parallel num_threads(outer) reduction(+ : wrong, failed)
    {
#pragma omp single
        team = omp_get_num_threads();
        hpk_ctx *mine = NULL; /* a context per thread; the default one is per thread too */
        failed += hpk_ctx_create(&mine, HPK_BACKEND_OPENMP) != HPK_SUCCESS;
        failed += hpk_ctx_set_num_threads(mine, 4) != HPK_SUCCESS;
        double sum = 0.0, nrm2 = 0.0, sum_default = 0.0;
        hpk_mc_result pi;
        failed += hpk_dsum(mine, N, x, 1, &sum) != HPK_SUCCESS;
        failed += hpk_dnrm2(mine, N, x, -1, &nrm2) != HPK_SUCCESS;
        failed += hpk_mc_pi(mine, 50000, 9, &pi) != HPK_SUCCESS;
        failed += hpk_dsum(NULL, N, x, 1, &sum_default) != HPK_SUCCESS;
        wrong += memcmp(&sum, &ref_sum, sizeof sum) != 0;
        wrong += memcmp(&nrm2, &ref_nrm2, sizeof nrm2) != 0;
        wrong += memcmp(&pi, &ref_pi, sizeof pi) != 0;
        wrong += memcmp(&sum_default, &ref_sum, sizeof sum) != 0;
        hpk_ctx_destroy(mine);
    }
    assert_int_equal(failed, 0);
    assert_int_equal(wrong, 0);
    assert_true(team >= 1);
    free(x);
    hpk_ctx_destroy(serial);
}

static void test_caller_settings_untouched(void **state)
{
    (void)state;
    omp_set_num_threads(3);
    const int dynamic = omp_get_dynamic();
    hpk_ctx *ctx = test_ctx(2);
    double x[5] = {1, 2, 3, 4, 5}, r;
    assert_int_equal(hpk_dasum(ctx, 5, x, 1, &r), HPK_SUCCESS);
    hpk_mc_result pi;
    assert_int_equal(hpk_mc_pi(ctx, 200000, 1, &pi), HPK_SUCCESS);
    assert_int_equal(omp_get_max_threads(), 3);
    assert_int_equal(omp_get_dynamic(), dynamic);
    hpk_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_from_parallel_region),
        cmocka_unit_test(test_caller_settings_untouched),
    };
    return cmocka_run_group_tests_name(test_backend_name, tests, NULL, NULL);
}
