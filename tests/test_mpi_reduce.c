/* The distributed reductions (hpk_mpi_?sum, ?asum, ?dot, ?nrm2, i?amax)
 * against the single-process ones: bitwise on every split, balanced,
 * skewed or arbitrary (mpi_test.h: how the ranks check). */
#include "mpi_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- reductions ------------------------------------------------------------ */

enum { RED_N = 3 * 4096 + 123 };

/* The rank's block of the logical vector v (n elements) as a local vector
 * with increment inc. */
static double *local_block_d(const double *v, int64_t first, int64_t count, int64_t inc)
{
    double *local = test_alloc(span(count, inc) * sizeof *local);
    test_poison_fill_d(local, span(count, inc));
    for (int64_t i = 0; i < count; i++)
        local[test_index(i, count, inc)] = v[first + i];
    return local;
}

static float *local_block_s(const float *v, int64_t first, int64_t count, int64_t inc)
{
    float *local = test_alloc(span(count, inc) * sizeof *local);
    test_poison_fill_s(local, span(count, inc));
    for (int64_t i = 0; i < count; i++)
        local[test_index(i, count, inc)] = v[first + i];
    return local;
}

/* got against want: bitwise, on any split (the canonical order across
 * ranks, on CPU contexts). */
static void check_same(const char *what, double got, double want)
{
    CHECK(memcmp(&got, &want, sizeof got) == 0, "%s: %.17g, single process %.17g", what, got, want);
}

static void reductions_d(hpk_ctx *ctx, hpk_ctx *ref_ctx, split how, int64_t inc)
{
    const int64_t n = RED_N;
    double *x = test_alloc(n * sizeof *x), *y = test_alloc(n * sizeof *y);
    test_seed(2024 + (uint64_t)inc);
    test_fill_d(x, n, -1, 1);
    test_fill_d(y, n, -3, 3);
    double ref_sum, ref_asum, ref_dot, ref_nrm2;
    hpk_dsum(ref_ctx, n, x, 1, &ref_sum);
    hpk_dasum(ref_ctx, n, x, 1, &ref_asum);
    hpk_ddot(ref_ctx, n, x, 1, y, 1, &ref_dot);
    hpk_dnrm2(ref_ctx, n, x, 1, &ref_nrm2);

    int64_t first, count;
    block_of(how, n, &first, &count);
    double *xl = local_block_d(x, first, count, inc), *yl = local_block_d(y, first, count, -inc);
    double r = test_poison_d();
    CHECK_STATUS(hpk_mpi_dsum(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_same("dsum", r, ref_sum);
    CHECK_STATUS(hpk_mpi_dasum(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_same("dasum", r, ref_asum);
    CHECK_STATUS(hpk_mpi_ddot(ctx, MPI_COMM_WORLD, count, xl, inc, yl, -inc, &r), HPK_SUCCESS, ctx);
    check_same("ddot", r, ref_dot);
    CHECK_STATUS(hpk_mpi_dnrm2(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_same("dnrm2", r, ref_nrm2);
    free(xl);
    free(yl);
    free(x);
    free(y);
}

static void reductions_s(hpk_ctx *ctx, hpk_ctx *ref_ctx, split how, int64_t inc)
{
    const int64_t n = RED_N;
    float *x = test_alloc(n * sizeof *x), *y = test_alloc(n * sizeof *y);
    test_seed(31 + (uint64_t)inc);
    test_fill_s(x, n, -1, 1);
    test_fill_s(y, n, -1, 1);
    float ref_sum, ref_asum, ref_dot, ref_nrm2;
    hpk_ssum(ref_ctx, n, x, 1, &ref_sum);
    hpk_sasum(ref_ctx, n, x, 1, &ref_asum);
    hpk_sdot(ref_ctx, n, x, 1, y, 1, &ref_dot);
    hpk_snrm2(ref_ctx, n, x, 1, &ref_nrm2);

    int64_t first, count;
    block_of(how, n, &first, &count);
    float *xl = local_block_s(x, first, count, inc), *yl = local_block_s(y, first, count, inc);
    float r = test_poison_s();
    CHECK_STATUS(hpk_mpi_ssum(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_same("ssum", r, ref_sum);
    CHECK_STATUS(hpk_mpi_sasum(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_same("sasum", r, ref_asum);
    CHECK_STATUS(hpk_mpi_sdot(ctx, MPI_COMM_WORLD, count, xl, inc, yl, inc, &r), HPK_SUCCESS, ctx);
    check_same("sdot", r, ref_dot);
    CHECK_STATUS(hpk_mpi_snrm2(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_same("snrm2", r, ref_nrm2);
    free(xl);
    free(yl);
    free(x);
    free(y);
}

/* Every reduction, s and d, of the rank's elements [first, first + count)
 * of x, y (double) and xs, ys (float), n in all, stored with increment inc
 * (y's -inc): bitwise the single-process result on the whole vector. */
static void all_bitwise(hpk_ctx *ctx, hpk_ctx *ref_ctx, const char *split_name, int64_t n, const double *x,
                        const double *y, const float *xs, const float *ys, int64_t first, int64_t count, int64_t inc)
{
    double *xl = local_block_d(x, first, count, inc), *yl = local_block_d(y, first, count, -inc);
    float *xsl = local_block_s(xs, first, count, inc), *ysl = local_block_s(ys, first, count, -inc);
    double want, got;
    float want_s, got_s;
#define SAME_D(call_ref, call_mpi, name)                                                                         \
    call_ref;                                                                                                  \
    got = test_poison_d();                                                                                     \
    CHECK_STATUS(call_mpi, HPK_SUCCESS, ctx);                                                                  \
    CHECK(memcmp(&got, &want, sizeof got) == 0, "%s, %s split, n %lld, rank's %lld at %lld: %a, single process %a", \
          name, split_name, (long long)n, (long long)count, (long long)first, got, want)
#define SAME_S(call_ref, call_mpi, name)                                                                         \
    call_ref;                                                                                                  \
    got_s = test_poison_s();                                                                                   \
    CHECK_STATUS(call_mpi, HPK_SUCCESS, ctx);                                                                  \
    CHECK(memcmp(&got_s, &want_s, sizeof got_s) == 0,                                                          \
          "%s, %s split, n %lld, rank's %lld at %lld: %a, single process %a", name, split_name, (long long)n,   \
          (long long)count, (long long)first, got_s, want_s)
    SAME_D(hpk_dsum(ref_ctx, n, x, 1, &want), hpk_mpi_dsum(ctx, MPI_COMM_WORLD, count, xl, inc, &got), "dsum");
    SAME_D(hpk_dasum(ref_ctx, n, x, 1, &want), hpk_mpi_dasum(ctx, MPI_COMM_WORLD, count, xl, inc, &got), "dasum");
    SAME_D(hpk_dnrm2(ref_ctx, n, x, 1, &want), hpk_mpi_dnrm2(ctx, MPI_COMM_WORLD, count, xl, inc, &got), "dnrm2");
    SAME_D(hpk_ddot(ref_ctx, n, x, 1, y, 1, &want), hpk_mpi_ddot(ctx, MPI_COMM_WORLD, count, xl, inc, yl, -inc, &got),
           "ddot");
    SAME_S(hpk_ssum(ref_ctx, n, xs, 1, &want_s), hpk_mpi_ssum(ctx, MPI_COMM_WORLD, count, xsl, inc, &got_s), "ssum");
    SAME_S(hpk_sasum(ref_ctx, n, xs, 1, &want_s), hpk_mpi_sasum(ctx, MPI_COMM_WORLD, count, xsl, inc, &got_s),
           "sasum");
    SAME_S(hpk_snrm2(ref_ctx, n, xs, 1, &want_s), hpk_mpi_snrm2(ctx, MPI_COMM_WORLD, count, xsl, inc, &got_s),
           "snrm2");
    SAME_S(hpk_sdot(ref_ctx, n, xs, 1, ys, 1, &want_s),
           hpk_mpi_sdot(ctx, MPI_COMM_WORLD, count, xsl, inc, ysl, -inc, &got_s), "sdot");
#undef SAME_D
#undef SAME_S
    free(xl);
    free(yl);
    free(xsl);
    free(ysl);
}

/* Every reduction, s and d, at sizes around the canonical order's lane and
 * block boundaries, both increment signs, on hpk_mpi_block_range's split:
 * bitwise the single-process result on the whole vector, for any number of
 * ranks. */
static void test_reductions_canonical(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    static const int64_t sizes[] = {1, 17, 4095, 4096, 4097, 2 * 4096, 5 * 4096 + 7, 9 * 4096 - 1};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        const int64_t n = sizes[k], inc = k % 2 ? -2 : 1;
        double *x = test_alloc((size_t)n * sizeof *x), *y = test_alloc((size_t)n * sizeof *y);
        float *xs = test_alloc((size_t)n * sizeof *xs), *ys = test_alloc((size_t)n * sizeof *ys);
        test_seed(77 + k);
        for (int64_t i = 0; i < n; i++) { /* magnitudes over many binades: the order shows */
            x[i] = ldexp(test_uniform(-1, 1), (int)(test_next_u64() % 41) - 20);
            y[i] = ldexp(test_uniform(-1, 1), (int)(test_next_u64() % 41) - 20);
            xs[i] = (float)x[i];
            ys[i] = (float)y[i];
        }
        int64_t first, count;
        block_of(BALANCED, n, &first, &count);
        all_bitwise(ctx, ref_ctx, "balanced", n, x, y, xs, ys, first, count, inc);
        free(x);
        free(y);
        free(xs);
        free(ys);
    }
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

/* Arbitrary uneven splits, the same on every rank (drawn from one seed):
 * lengths that are multiples of nothing, empty ranks, ranks shorter than a
 * block between long ones, and ranks of a few elements each (one block over
 * all of them); random full-mantissa data over many binades (Blue's small
 * and big sums too), both increment signs.  Every reduction, s and d:
 * bitwise the single-process result. */
static const char *const uneven_names[] = {"arbitrary", "short-between-long", "tiny", "with empty ranks"};

static int64_t uneven_length(int pattern, int r)
{
    switch (pattern) {
    case 0: return test_int(0, 3 * 4096 + 500);
    case 1: return r % 2 ? test_int(0, 40) : test_int(4000, 9000);
    case 2: return test_int(1, 7);
    default: return r % 3 == 1 ? 0 : test_int(1, 2 * 4096 + 99);
    }
}

static void test_reductions_any_split(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    for (int pattern = 0; pattern < 4; pattern++) {
        test_seed(2100 + (uint64_t)pattern);
        int64_t n = 0, first = 0, count = 0;
        for (int r = 0; r < size; r++) {
            const int64_t len = uneven_length(pattern, r);
            if (r == rank) {
                first = n;
                count = len;
            }
            n += len;
        }
        double *x = test_alloc((size_t)(n + 1) * sizeof *x), *y = test_alloc((size_t)(n + 1) * sizeof *y);
        float *xs = test_alloc((size_t)(n + 1) * sizeof *xs), *ys = test_alloc((size_t)(n + 1) * sizeof *ys);
        const int spread = pattern % 2 ? 600 : 60; /* double x; y and float data narrower */
        for (int64_t i = 0; i < n; i++) {
            int s = test_sign(), e = test_int(-spread, spread);
            x[i] = test_full_d(s, e);
            s = test_sign();
            e = test_int(-spread / 4, spread / 4);
            y[i] = test_full_d(s, e);
            s = test_sign();
            e = test_int(-40, 40);
            xs[i] = test_full_s(s, e);
            s = test_sign();
            e = test_int(-40, 40);
            ys[i] = test_full_s(s, e);
        }
        all_bitwise(ctx, ref_ctx, uneven_names[pattern], n, x, y, xs, ys, first, count, pattern % 2 ? -1 : 2);
        free(x);
        free(y);
        free(xs);
        free(ys);
    }
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

static void test_reductions(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    reductions_d(ctx, ref_ctx, BALANCED, 1);
    reductions_d(ctx, ref_ctx, SKEWED, -2);
    reductions_s(ctx, ref_ctx, BALANCED, 1);
    reductions_s(ctx, ref_ctx, SKEWED, 3);

    /* Empty everywhere: 0 and -1. */
    double r = test_poison_d();
    float rs = test_poison_s();
    int64_t index = 7;
    CHECK_STATUS(hpk_mpi_dsum(ctx, MPI_COMM_WORLD, 0, NULL, 1, &r), HPK_SUCCESS, ctx);
    CHECK(r == 0.0, "dsum of nothing is %g", r);
    CHECK_STATUS(hpk_mpi_snrm2(ctx, MPI_COMM_WORLD, 0, NULL, 1, &rs), HPK_SUCCESS, ctx);
    CHECK(rs == 0.0f, "snrm2 of nothing is %g", rs);
    CHECK_STATUS(hpk_mpi_idamax(ctx, MPI_COMM_WORLD, 0, NULL, 1, &index), HPK_SUCCESS, ctx);
    CHECK(index == -1, "idamax of nothing is %lld", (long long)index);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

/* nrm2 of numbers whose squares overflow or underflow, and Inf and NaN. */
static void nrm2_case(hpk_ctx *ctx, hpk_ctx *ref_ctx, double scale, int64_t special_at, double special)
{
    const int64_t n = RED_N;
    double *x = test_alloc(n * sizeof *x);
    test_seed(5);
    for (int64_t i = 0; i < n; i++)
        x[i] = scale * test_uniform(0.5, 1.0) * (i % 3 ? 1 : -1);
    if (special_at >= 0)
        x[special_at] = special;
    double want;
    hpk_dnrm2(ref_ctx, n, x, 1, &want);
    int64_t first, count;
    block_of(SKEWED, n, &first, &count);
    double got = test_poison_d();
    CHECK_STATUS(hpk_mpi_dnrm2(ctx, MPI_COMM_WORLD, count, count ? x + first : NULL, 1, &got), HPK_SUCCESS, ctx);
    if (isnan(want))
        CHECK(isnan(got), "nrm2 %g, expected NaN", got);
    else
        check_same("nrm2", got, want);
    free(x);
}

static void test_nrm2_is_safe(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    nrm2_case(ctx, ref_ctx, 1e300, -1, 0.0);  /* squares overflow */
    nrm2_case(ctx, ref_ctx, 1e-300, -1, 0.0); /* squares underflow */
    nrm2_case(ctx, ref_ctx, 1.0, RED_N - 1, INFINITY);
    nrm2_case(ctx, ref_ctx, 1.0, 5, INFINITY);
    nrm2_case(ctx, ref_ctx, 1e300, RED_N - 1, NAN);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

/* i?amax: the global index equals the single-process one exactly. */
static void amax_case(hpk_ctx *ctx, hpk_ctx *ref_ctx, split how, int64_t inc, const int64_t *at, const double *v,
                      int nset)
{
    const int64_t n = RED_N;
    double *x = test_alloc(n * sizeof *x);
    float *xs = test_alloc(n * sizeof *xs);
    test_seed(77);
    test_fill_d(x, n, -1, 1);
    for (int k = 0; k < nset; k++)
        x[at[k]] = v[k];
    for (int64_t i = 0; i < n; i++)
        xs[i] = (float)x[i];
    int64_t want, want_s;
    hpk_idamax(ref_ctx, n, x, 1, &want);
    hpk_isamax(ref_ctx, n, xs, 1, &want_s);
    int64_t first, count;
    block_of(how, n, &first, &count);
    double *xl = local_block_d(x, first, count, inc);
    float *xsl = local_block_s(xs, first, count, inc);
    int64_t got = -7, got_s = -7;
    CHECK_STATUS(hpk_mpi_idamax(ctx, MPI_COMM_WORLD, count, xl, inc, &got), HPK_SUCCESS, ctx);
    CHECK_STATUS(hpk_mpi_isamax(ctx, MPI_COMM_WORLD, count, xsl, inc, &got_s), HPK_SUCCESS, ctx);
    CHECK(got == want, "idamax %lld, single process %lld", (long long)got, (long long)want);
    CHECK(got_s == want_s, "isamax %lld, single process %lld", (long long)got_s, (long long)want_s);
    free(x);
    free(xs);
    free(xl);
    free(xsl);
}

static void test_amax(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    const int64_t n = RED_N;
    amax_case(ctx, ref_ctx, BALANCED, 1, NULL, NULL, 0);
    /* A tie across blocks: the first wins. */
    amax_case(ctx, ref_ctx, SKEWED, 1, (const int64_t[]){n / 2, n - 1}, (const double[]){-5.0, 5.0}, 2);
    amax_case(ctx, ref_ctx, BALANCED, -1, (const int64_t[]){n - 1, 3}, (const double[]){5.0, 5.0}, 2);
    /* The first NaN beats a larger number before it and a later NaN. */
    amax_case(ctx, ref_ctx, SKEWED, 2, (const int64_t[]){1, n - 10, n - 5}, (const double[]){9.0, NAN, NAN}, 3);
    amax_case(ctx, ref_ctx, BALANCED, 1, (const int64_t[]){n - 2, 0}, (const double[]){INFINITY, NAN}, 2);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reductions),
        cmocka_unit_test(test_reductions_canonical),
        cmocka_unit_test(test_reductions_any_split),
        cmocka_unit_test(test_nrm2_is_safe),
        cmocka_unit_test(test_amax),
    };
    return mpi_test_main(argc, argv, "reduce", tests, sizeof tests / sizeof tests[0]);
}
