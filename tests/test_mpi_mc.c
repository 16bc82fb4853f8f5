/* Distributed Monte Carlo (hpk_mpi_mc_pi, hpk_mpi_mc_integrate): bitwise
 * the single-process result for any number of ranks (mpi_test.h: how the
 * ranks check). */
#include "mpi_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- Monte Carlo: bitwise the single-process result ------------------------ */

static void test_mc_pi_bitwise(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    const uint64_t samples[] = {1, 77, 4096, 4097, 3 * 4096 + 77, 37 * 4096 + 5, 300 * 4096 + 1};
    const uint64_t seeds[] = {0, 0x0123456789abcdefu};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        for (size_t s = 0; s < 2; s++) {
            hpk_mc_result want, got = {test_poison_d(), test_poison_d(), 0};
            CHECK_STATUS(hpk_mc_pi(ref_ctx, samples[i], seeds[s], &want), HPK_SUCCESS, ref_ctx);
            CHECK_STATUS(hpk_mpi_mc_pi(ctx, MPI_COMM_WORLD, samples[i], seeds[s], &got), HPK_SUCCESS, ctx);
            char what[64];
            snprintf(what, sizeof what, "pi, %llu samples", (unsigned long long)samples[i]);
            check_same_result(what, got, want);
        }
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

static double smooth(const double *p, int dim, void *user_data)
{
    const double *shift = user_data;
    double v = *shift;
    for (int d = 0; d < dim; d++)
        v += sin((d + 1) * p[d]);
    return v;
}

static void test_mc_integrate_bitwise(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    const double lower[5] = {-1, -1, -1, 0, 2}, upper[5] = {1, 1, 1, 3, 2.5};
    double shift = 1e6; /* a large mean against the spread */
    const struct {
        hpk_integrand f;
        void *data;
        int dim;
        uint64_t samples;
    } cases[] = {{inside_ball, NULL, 3, 50 * 4096 + 3}, {smooth, &shift, 5, 9 * 4096},
                 {smooth, &shift, 1, 1},                 {smooth, &shift, 2, 100}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hpk_mc_result want, got = {test_poison_d(), test_poison_d(), 0};
        CHECK_STATUS(hpk_mc_integrate(ref_ctx, cases[i].f, cases[i].data, cases[i].dim, lower, upper,
                                      cases[i].samples, 99, &want),
                     HPK_SUCCESS, ref_ctx);
        CHECK_STATUS(hpk_mpi_mc_integrate(ctx, MPI_COMM_WORLD, cases[i].f, cases[i].data, cases[i].dim, lower, upper,
                                          cases[i].samples, 99, &got),
                     HPK_SUCCESS, ctx);
        char what[64];
        snprintf(what, sizeof what, "integral, dim %d, %llu samples", cases[i].dim,
                 (unsigned long long)cases[i].samples);
        check_same_result(what, got, want);
    }
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc_pi_bitwise),
        cmocka_unit_test(test_mc_integrate_bitwise),
    };
    return mpi_test_main(argc, argv, "mc", tests, sizeof tests / sizeof tests[0]);
}
