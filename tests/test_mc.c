/* Monte Carlo: the Philox generator's known answers (philox_kat.h, also
 * checked on a device by test_cl_mc.c), pi and box integration
 * against independent recomputations, statistics, reproducibility across
 * thread counts, and bad input. */
#include "philox_kat.h"
#include "support.h"

#include <math.h>
#include <string.h>

#define PI_L 3.141592653589793238462643383279502884L

/* ---- Philox4x32-10 against Random123's known-answer vectors -------------- */

static void test_philox_known_answers(void **state)
{
    (void)state;
    for (size_t k = 0; k < TEST_PHILOX_KATS; k++) {
        const test_philox_kat *v = &test_philox_kats[k];
        uint32_t out[4] = {0};
        assert_int_equal(hpk_philox4x32(v->counter, v->key, out), HPK_SUCCESS);
        assert_memory_equal(out, v->expected, sizeof out);
    }
}

static void test_philox_rejects_null(void **state)
{
    (void)state;
    const uint32_t counter[4] = {1, 2, 3, 4}, key[2] = {5, 6};
    uint32_t out[4] = {7, 7, 7, 7};
    assert_int_equal(hpk_philox4x32(NULL, key, out), HPK_ERR_INVALID_ARG);
    assert_int_equal(hpk_philox4x32(counter, NULL, out), HPK_ERR_INVALID_ARG);
    assert_int_equal(hpk_philox4x32(counter, key, NULL), HPK_ERR_INVALID_ARG);
    assert_true(out[0] == 7 && out[3] == 7);
    assert_true(strlen(hpk_ctx_error_message(NULL)) > 0);
}

/* The numbers of sample i, computed from the generator as documented. */
static void sample_words(uint64_t seed, uint64_t i, uint32_t g, uint32_t w[4])
{
    const uint32_t counter[4] = {(uint32_t)i, (uint32_t)(i >> 32), g, 0};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    assert_int_equal(hpk_philox4x32(counter, key, w), HPK_SUCCESS);
}

/* ---- pi ------------------------------------------------------------------ */

static hpk_mc_result run_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed)
{
    hpk_mc_result r = {test_poison_d(), test_poison_d(), 0};
    assert_int_equal(hpk_mc_pi(ctx, samples, seed, &r), HPK_SUCCESS);
    assert_int_equal(r.samples, samples);
    return r;
}

static void test_pi_matches_documented_scheme(void **state)
{
    (void)state;
    const uint64_t samples = 3 * 4096 + 77, seed = 0x0123456789abcdefu;
    uint64_t hits = 0;
    for (uint64_t i = 0; i < samples; i++) {
        uint32_t w[4];
        sample_words(seed, i, 0, w);
        const long double x = w[0] * 0x1p-32L, y = w[1] * 0x1p-32L;
        hits += x * x + y * y < 1.0L;
    }
    hpk_ctx *ctx = test_ctx(0);
    const hpk_mc_result r = run_pi(ctx, samples, seed);
    const double p = (double)hits / (double)samples;
    assert_true(r.estimate == 4.0 * p);
    assert_true(fabs(r.std_error - 4.0 * sqrt(p * (1.0 - p) / (double)samples)) <= 1e-15);
    hpk_ctx_destroy(ctx);
}

static void test_pi_statistics(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    const uint64_t sizes[] = {1000, 100003, 2000001};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        const hpk_mc_result r = run_pi(ctx, sizes[k], 2024 + k);
        assert_true(r.std_error > 0.0);
        if (fabsl(r.estimate - PI_L) > 6.0L * r.std_error)
            fail_msg("pi with %llu samples: %.9f is more than 6 standard errors (%.3g) from pi",
                     (unsigned long long)sizes[k], r.estimate, r.std_error);
    }
    /* Sensitive to the seed, deterministic for a given seed. */
    const hpk_mc_result a = run_pi(ctx, 100000, 1), b = run_pi(ctx, 100000, 2), c = run_pi(ctx, 100000, 1);
    assert_true(a.estimate != b.estimate);
    assert_memory_equal(&a, &c, sizeof a);
    /* One sample: a hit (4) or a miss (0), with zero binomial spread. */
    const hpk_mc_result one = run_pi(ctx, 1, 5);
    assert_true(one.estimate == 0.0 || one.estimate == 4.0);
    assert_true(one.std_error == 0.0);
    hpk_ctx_destroy(ctx);
}

static void test_pi_independent_of_threads(void **state)
{
    (void)state;
    hpk_ctx *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    const uint64_t samples = 37 * 4096 + 11;
    const hpk_mc_result ref = run_pi(serial, samples, 99);
    const int threads[] = {1, 2, 3, 4, 7};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        hpk_ctx *ctx = test_ctx(threads[t]);
        const hpk_mc_result r = run_pi(ctx, samples, 99);
        assert_memory_equal(&r, &ref, sizeof r);
        hpk_ctx_destroy(ctx);
    }
    hpk_ctx_destroy(serial);
}

/* ---- integration --------------------------------------------------------- */

/* hpk_mc_integrate's C integrand cannot run on a device: OpenCL contexts
 * answer HPK_ERR_UNSUPPORTED (test_cl_mc tests hpk_cl_mc_integrate). */
static void skip_unless_cpu(void)
{
    if (!test_is_cpu_backend())
        skip();
}

typedef struct poly {
    int calls_seen_wrong_dim;
    int dim;
} poly;

/* f(p) = sum_d (d + 1) * p_d^2 + 1, with a user_data check. */
static double poly_integrand(const double *p, int dim, void *user_data)
{
    poly *info = user_data;
    if (dim != info->dim)
        info->calls_seen_wrong_dim = 1;
    double s = 1.0;
    for (int d = 0; d < dim; d++)
        s += (d + 1) * p[d] * p[d];
    return s;
}

/* Exact integral of poly_integrand over the box. */
static long double poly_exact(int dim, const double *lo, const double *hi)
{
    long double volume = 1.0L;
    for (int d = 0; d < dim; d++)
        volume *= (long double)hi[d] - lo[d];
    long double total = volume;
    for (int d = 0; d < dim; d++) {
        const long double cube = ((long double)hi[d] * hi[d] * hi[d] - (long double)lo[d] * lo[d] * lo[d]) / 3.0L;
        total += (d + 1) * cube * volume / ((long double)hi[d] - lo[d]);
    }
    return total;
}

static hpk_mc_result run_integrate(hpk_ctx *ctx, int dim, const double *lo, const double *hi,
                                   uint64_t samples, uint64_t seed)
{
    poly info = {0, dim};
    hpk_mc_result r = {test_poison_d(), test_poison_d(), 0};
    assert_int_equal(hpk_mc_integrate(ctx, poly_integrand, &info, dim, lo, hi, samples, seed, &r), HPK_SUCCESS);
    assert_int_equal(info.calls_seen_wrong_dim, 0);
    assert_int_equal(r.samples, samples);
    return r;
}

static void test_integrate_matches_documented_scheme(void **state)
{
    (void)state;
    skip_unless_cpu();
    const double lo[5] = {-1.0, 0.5, 2.0, -3.0, 0.0}, hi[5] = {2.0, 1.5, 2.25, -1.0, 1e-3};
    const int dim = 5;
    const uint64_t samples = 4096 + 1001, seed = 77;
    long double sum = 0.0L, volume = 1.0L;
    for (int d = 0; d < dim; d++)
        volume *= (long double)hi[d] - lo[d];
    for (uint64_t i = 0; i < samples; i++) {
        double p[5];
        for (int d = 0; d < dim; d++) {
            uint32_t w[4];
            sample_words(seed, i, (uint32_t)(d / 2), w);
            const uint32_t a = w[2 * (d % 2)], b = w[2 * (d % 2) + 1];
            const double u = (double)((((uint64_t)a << 32) | b) >> 11) * 0x1p-53;
            p[d] = lo[d] + (hi[d] - lo[d]) * u;
        }
        poly info = {0, dim};
        sum += poly_integrand(p, dim, &info);
    }
    const long double expected = volume * sum / samples;
    hpk_ctx *ctx = test_ctx(0);
    const hpk_mc_result r = run_integrate(ctx, dim, lo, hi, samples, seed);
    assert_true(fabsl(r.estimate - expected) <= 1e-13L * fabsl(expected));
    hpk_ctx_destroy(ctx);
}

static void test_integrate_statistics(void **state)
{
    (void)state;
    skip_unless_cpu();
    hpk_ctx *ctx = test_ctx(0);
    const double lo[3] = {-1.0, 0.5, 10.0}, hi[3] = {2.0, 1.5, 10.5};
    for (int dim = 1; dim <= 3; dim++) {
        const hpk_mc_result r = run_integrate(ctx, dim, lo, hi, 200003, 31 + dim);
        const long double exact = poly_exact(dim, lo, hi);
        assert_true(r.std_error > 0.0);
        if (fabsl(r.estimate - exact) > 6.0L * r.std_error)
            fail_msg("dim %d: %.9f vs exact %.9Lf, std_error %.3g", dim, r.estimate, exact, r.std_error);
    }
    const hpk_mc_result a = run_integrate(ctx, 2, lo, hi, 5000, 1), b = run_integrate(ctx, 2, lo, hi, 5000, 2);
    assert_true(a.estimate != b.estimate);
    const hpk_mc_result one = run_integrate(ctx, 2, lo, hi, 1, 1);
    assert_true(isnan(one.std_error));
    assert_true(isfinite(one.estimate));
    hpk_ctx_destroy(ctx);
}

static double constant_integrand(const double *p, int dim, void *user_data)
{
    (void)p;
    (void)dim;
    return *(const double *)user_data;
}

static void test_integrate_constant_has_no_spread(void **state)
{
    (void)state;
    skip_unless_cpu();
    hpk_ctx *ctx = test_ctx(0);
    const double lo[2] = {0.0, -2.0}, hi[2] = {4.0, 0.0}, value = 1e8 + 0.5;
    hpk_mc_result r;
    assert_int_equal(hpk_mc_integrate(ctx, constant_integrand, (void *)&value, 2, lo, hi, 3 * 4096 + 5, 3, &r),
                     HPK_SUCCESS);
    assert_true(r.estimate == 8.0 * value);
    assert_true(r.std_error == 0.0);
    hpk_ctx_destroy(ctx);
}

static void test_integrate_unsupported_on_devices(void **state)
{
    (void)state;
    if (test_is_cpu_backend())
        skip();
    hpk_ctx *ctx = test_ctx(0);
    const double lo[2] = {0.0, 0.0}, hi[2] = {1.0, 1.0};
    poly info = {0, 2};
    hpk_mc_result r = {test_poison_d(), test_poison_d(), 12345};
    assert_int_equal(hpk_mc_integrate(ctx, poly_integrand, &info, 2, lo, hi, 100, 1, &r), HPK_ERR_UNSUPPORTED);
    assert_true(test_is_poison_d(r.estimate) && test_is_poison_d(r.std_error) && r.samples == 12345);
    assert_true(strstr(hpk_ctx_error_message(ctx), "hpk_cl_mc_integrate") != NULL);
    hpk_ctx_destroy(ctx);
}

static void test_integrate_independent_of_threads(void **state)
{
    (void)state;
    skip_unless_cpu();
    hpk_ctx *serial = NULL;
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    const double lo[3] = {-1.0, 0.5, 10.0}, hi[3] = {2.0, 1.5, 10.5};
    const uint64_t samples = 41 * 4096 + 3;
    const hpk_mc_result ref = run_integrate(serial, 3, lo, hi, samples, 5);
    const int threads[] = {1, 2, 3, 4, 7};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        hpk_ctx *ctx = test_ctx(threads[t]);
        const hpk_mc_result r = run_integrate(ctx, 3, lo, hi, samples, 5);
        assert_memory_equal(&r, &ref, sizeof r);
        hpk_ctx_destroy(ctx);
    }
    hpk_ctx_destroy(serial);
}

/* ---- bad input ----------------------------------------------------------- */

static void expect_untouched(const hpk_mc_result *r)
{
    assert_true(test_is_poison_d(r->estimate) && test_is_poison_d(r->std_error));
    assert_int_equal(r->samples, 12345);
}

static void test_bad_input(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    const double lo[2] = {0.0, 0.0}, hi[2] = {1.0, 1.0}, flat[2] = {1.0, 0.0}, inf[2] = {1.0, INFINITY};
    const double nan_lo[2] = {NAN, 0.0}, wide_lo[2] = {0.0, -1e308}, wide_hi[2] = {1.0, 1e308};
    hpk_mc_result r = {test_poison_d(), test_poison_d(), 12345};
    poly info = {0, 2};

    assert_int_equal(hpk_mc_pi(ctx, 0, 1, &r), HPK_ERR_INVALID_ARG);
    expect_untouched(&r);
    assert_true(strstr(hpk_ctx_error_message(ctx), "samples") != NULL);
    assert_int_equal(hpk_mc_pi(ctx, 10, 1, NULL), HPK_ERR_INVALID_ARG);
    assert_true(strstr(hpk_ctx_error_message(ctx), "result") != NULL);

    struct {
        hpk_integrand f;
        int dim;
        const double *lo, *hi;
        uint64_t samples;
        const char *word;
    } cases[] = {
        {NULL, 2, lo, hi, 10, "integrand"}, {poly_integrand, 0, lo, hi, 10, "dim"},
        {poly_integrand, -3, lo, hi, 10, "dim"}, {poly_integrand, 2, NULL, hi, 10, "lower"},
        {poly_integrand, 2, lo, NULL, 10, "upper"}, {poly_integrand, 2, lo, hi, 0, "samples"},
        {poly_integrand, 2, lo, flat, 10, "dimension 1"}, {poly_integrand, 2, hi, lo, 10, "dimension 0"},
        {poly_integrand, 2, lo, inf, 10, "finite"}, {poly_integrand, 2, nan_lo, hi, 10, "finite"},
        {poly_integrand, 2, wide_lo, wide_hi, 10, "dimension 1 is wider"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        hpk_status st = hpk_mc_integrate(ctx, cases[k].f, &info, cases[k].dim, cases[k].lo, cases[k].hi,
                                         cases[k].samples, 1, &r);
        if (st != HPK_ERR_INVALID_ARG)
            fail_msg("case %zu: status %d", k, (int)st);
        expect_untouched(&r);
        if (!strstr(hpk_ctx_error_message(ctx), cases[k].word))
            fail_msg("case %zu: message '%s' does not mention '%s'", k, hpk_ctx_error_message(ctx), cases[k].word);
    }
    assert_int_equal(hpk_mc_integrate(ctx, poly_integrand, &info, 2, lo, hi, 10, 1, NULL), HPK_ERR_INVALID_ARG);

    /* The default context reports through hpk_ctx_error_message(NULL). */
    assert_int_equal(hpk_mc_pi(NULL, 0, 1, &r), HPK_ERR_INVALID_ARG);
    expect_untouched(&r);
    assert_true(strstr(hpk_ctx_error_message(NULL), "samples") != NULL);
    hpk_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_known_answers),
        cmocka_unit_test(test_philox_rejects_null),
        cmocka_unit_test(test_pi_matches_documented_scheme),
        cmocka_unit_test(test_pi_statistics),
        cmocka_unit_test(test_pi_independent_of_threads),
        cmocka_unit_test(test_integrate_matches_documented_scheme),
        cmocka_unit_test(test_integrate_statistics),
        cmocka_unit_test(test_integrate_constant_has_no_spread),
        cmocka_unit_test(test_integrate_independent_of_threads),
        cmocka_unit_test(test_integrate_unsupported_on_devices),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name(test_backend_name, tests, NULL, NULL);
}
