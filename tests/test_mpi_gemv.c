/* The distributed GEMV (hpk_mpi_?gemv, hpk_mpi_?gemv_t) against the
 * single-process hpk_?gemv: row blocks bitwise, the transposed product
 * bitwise on every row split (mpi_test.h: how the ranks check). */
#include "mpi_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- row-block GEMV: bitwise the single-process y ------------------------ */

enum { GEMV_M = 103, GEMV_N = 67, GEMV_LDA = GEMV_N + 3 };

typedef struct row_case {
    split how;
    hpk_mpi_y ydist;
    int64_t incx, incy;
    double alpha, beta;
} row_case;

static void row_gemv_d(hpk_ctx *ctx, hpk_ctx *ref_ctx, row_case k)
{
    const int64_t M = GEMV_M, N = GEMV_N, lda = GEMV_LDA;
    double *a = test_alloc((size_t)(M * lda) * sizeof *a);
    double *x = test_alloc(span(N, k.incx) * sizeof *x);
    double *y0 = test_alloc(span(M, k.incy) * sizeof *y0), *ref = test_alloc(span(M, k.incy) * sizeof *ref);
    test_seed(1234);
    test_fill_d(a, (size_t)(M * lda), -1, 1);
    test_fill_d(x, span(N, k.incx), -1, 1);
    test_poison_fill_d(y0, span(M, k.incy));
    for (int64_t i = 0; i < M; i++)
        y0[test_index(i, M, k.incy)] = test_uniform(-2, 2);
    memcpy(ref, y0, span(M, k.incy) * sizeof *ref);
    CHECK_STATUS(hpk_dgemv(ref_ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, k.alpha, a, lda, x, k.incx, k.beta, ref,
                           k.incy),
                 HPK_SUCCESS, ref_ctx);

    int64_t first, count;
    block_of(k.how, M, &first, &count);
    const double *a_local = count ? a + first * lda : NULL;
    if (k.ydist == HPK_MPI_Y_LOCAL) {
        double *y = test_alloc(span(count, k.incy) * sizeof *y);
        test_poison_fill_d(y, span(count, k.incy));
        for (int64_t i = 0; i < count; i++)
            y[test_index(i, count, k.incy)] = y0[test_index(first + i, M, k.incy)];
        CHECK_STATUS(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, k.ydist, count, N, k.alpha, a_local, lda, x, k.incx, k.beta,
                                   count ? y : NULL, k.incy),
                     HPK_SUCCESS, ctx);
        for (int64_t i = 0; i < count; i++) {
            const double got = y[test_index(i, count, k.incy)], want = ref[test_index(first + i, M, k.incy)];
            CHECK(memcmp(&got, &want, sizeof got) == 0, "row %lld: %.17g, single process %.17g",
                  (long long)(first + i), got, want);
        }
        for (size_t e = 0; e < span(count, k.incy); e++)
            if ((int64_t)e % (k.incy < 0 ? -k.incy : k.incy))
                CHECK(test_is_poison_d(y[e]), "element %zu between the strided ones was written", e);
        free(y);
    } else {
        double *y = test_alloc(span(M, k.incy) * sizeof *y);
        memcpy(y, y0, span(M, k.incy) * sizeof *y);
        CHECK_STATUS(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, k.ydist, count, N, k.alpha, a_local, lda, x, k.incx, k.beta,
                                   y, k.incy),
                     HPK_SUCCESS, ctx);
        CHECK(memcmp(y, ref, span(M, k.incy) * sizeof *y) == 0,
              "gathered y differs from the single-process y (incx %lld, incy %lld)", (long long)k.incx,
              (long long)k.incy);
        free(y);
    }
    free(a);
    free(x);
    free(y0);
    free(ref);
}

static void row_gemv_s(hpk_ctx *ctx, hpk_ctx *ref_ctx, row_case k)
{
    const int64_t M = GEMV_M, N = GEMV_N, lda = GEMV_LDA;
    float *a = test_alloc((size_t)(M * lda) * sizeof *a);
    float *x = test_alloc(span(N, k.incx) * sizeof *x);
    float *y = test_alloc(span(M, k.incy) * sizeof *y), *ref = test_alloc(span(M, k.incy) * sizeof *ref);
    test_seed(99);
    test_fill_s(a, (size_t)(M * lda), -1, 1);
    test_fill_s(x, span(N, k.incx), -1, 1);
    test_poison_fill_s(y, span(M, k.incy));
    for (int64_t i = 0; i < M; i++)
        y[test_index(i, M, k.incy)] = (float)test_uniform(-2, 2);
    memcpy(ref, y, span(M, k.incy) * sizeof *ref);
    CHECK_STATUS(hpk_sgemv(ref_ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, (float)k.alpha, a, lda, x, k.incx,
                           (float)k.beta, ref, k.incy),
                 HPK_SUCCESS, ref_ctx);
    int64_t first, count;
    block_of(k.how, M, &first, &count);
    CHECK_STATUS(hpk_mpi_sgemv(ctx, MPI_COMM_WORLD, HPK_MPI_Y_GATHERED, count, N, (float)k.alpha,
                               count ? a + first * lda : NULL, lda, x, k.incx, (float)k.beta, y, k.incy),
                 HPK_SUCCESS, ctx);
    CHECK(memcmp(y, ref, span(M, k.incy) * sizeof *y) == 0, "gathered float y differs from the single-process y");
    free(a);
    free(x);
    free(y);
    free(ref);
}

static void test_row_gemv_bitwise(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    const row_case cases[] = {
        {BALANCED, HPK_MPI_Y_LOCAL, 1, 1, 1.5, -0.75},
        {SKEWED, HPK_MPI_Y_LOCAL, 3, -2, -0.5, 0.0},
        {BALANCED, HPK_MPI_Y_GATHERED, 1, 1, 1.0, 0.0},
        {SKEWED, HPK_MPI_Y_GATHERED, -2, 3, 2.0, 0.5},
        {BALANCED, HPK_MPI_Y_GATHERED, 1, -3, -1.25, 1.0},
        {SKEWED, HPK_MPI_Y_GATHERED, 2, 1, 0.0, -2.0}, /* alpha == 0: y := beta * y */
        {BALANCED, HPK_MPI_Y_GATHERED, 1, 2, 0.0, 0.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        row_gemv_d(ctx, ref_ctx, cases[i]);
        if (cases[i].ydist == HPK_MPI_Y_GATHERED)
            row_gemv_s(ctx, ref_ctx, cases[i]);
    }
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

/* ---- transposed GEMV: bitwise on every split ----------------------------- */

static void transposed_d(hpk_ctx *ctx, hpk_ctx *ref_ctx, split how, int64_t incx, int64_t incy, double alpha,
                         double beta)
{
    const int64_t M = GEMV_M * 7, N = GEMV_N, lda = GEMV_LDA;
    double *a = test_alloc((size_t)(M * lda) * sizeof *a), *x = test_alloc(span(M, incx) * sizeof *x);
    double *y = test_alloc(span(N, incy) * sizeof *y), *ref = test_alloc(span(N, incy) * sizeof *ref);
    test_seed(777);
    test_fill_d(a, (size_t)(M * lda), -1, 1);
    test_fill_d(x, span(M, incx), -1, 1);
    test_poison_fill_d(y, span(N, incy));
    for (int64_t i = 0; i < N; i++)
        y[test_index(i, N, incy)] = beta == 0.0 ? NAN : test_uniform(-2, 2);
    memcpy(ref, y, span(N, incy) * sizeof *ref);
    CHECK_STATUS(hpk_dgemv(ref_ctx, HPK_ROW_MAJOR, HPK_TRANS, M, N, alpha, a, lda, x, incx, beta, ref, incy),
                 HPK_SUCCESS, ref_ctx);

    int64_t first, count;
    block_of(how, M, &first, &count);
    double *x_local = test_alloc(span(count, incx) * sizeof *x_local);
    for (int64_t i = 0; i < count; i++)
        x_local[test_index(i, count, incx)] = x[test_index(first + i, M, incx)];
    CHECK_STATUS(hpk_mpi_dgemv_t(ctx, MPI_COMM_WORLD, count, N, alpha, count ? a + first * lda : NULL, lda,
                                 count ? x_local : NULL, incx, beta, y, incy),
                 HPK_SUCCESS, ctx);
    for (int64_t j = 0; j < N; j++) {
        const double got = y[test_index(j, N, incy)], want = ref[test_index(j, N, incy)];
        CHECK(memcmp(&got, &want, sizeof got) == 0, "y[%lld] %.17g, single process %.17g", (long long)j, got, want);
    }
    for (size_t e = 0; e < span(N, incy); e++)
        if ((int64_t)e % (incy < 0 ? -incy : incy))
            CHECK(test_is_poison_d(y[e]), "element %zu between the strided ones was written", e);
    free(a);
    free(x);
    free(x_local);
    free(y);
    free(ref);
}

static void transposed_s(hpk_ctx *ctx, hpk_ctx *ref_ctx, split how)
{
    const int64_t M = GEMV_M * 5, N = GEMV_N, lda = GEMV_N;
    const float alpha = 0.75f, beta = -1.5f;
    float *a = test_alloc((size_t)(M * lda) * sizeof *a), *x = test_alloc((size_t)M * sizeof *x);
    float *y = test_alloc((size_t)N * sizeof *y), *ref = test_alloc((size_t)N * sizeof *ref);
    test_seed(4242);
    test_fill_s(a, (size_t)(M * lda), -1, 1);
    test_fill_s(x, (size_t)M, -1, 1);
    test_fill_s(y, (size_t)N, -1, 1);
    memcpy(ref, y, (size_t)N * sizeof *ref);
    CHECK_STATUS(hpk_sgemv(ref_ctx, HPK_ROW_MAJOR, HPK_TRANS, M, N, alpha, a, lda, x, 1, beta, ref, 1), HPK_SUCCESS,
                 ref_ctx);
    int64_t first, count;
    block_of(how, M, &first, &count);
    CHECK_STATUS(hpk_mpi_sgemv_t(ctx, MPI_COMM_WORLD, count, N, alpha, count ? a + first * lda : NULL, lda,
                                 count ? x + first : NULL, 1, beta, y, 1),
                 HPK_SUCCESS, ctx);
    for (int64_t j = 0; j < N; j++)
        CHECK(memcmp(&y[j], &ref[j], sizeof y[j]) == 0, "y[%lld] %.9g, single process %.9g", (long long)j, y[j],
              ref[j]);
    free(a);
    free(x);
    free(y);
    free(ref);
}

/* Rows split at the 256-row runs of the canonical order, unevenly (rank r
 * holds 256 (r + 2) rows, the last rank the rest), magnitudes over many
 * binades: y of both precisions bitwise the single-process y. */
static void test_transposed_gemv_runs(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    const int64_t N = 37, lda = 40;
    int64_t M = 77, first = 0, count = 0;
    for (int r = 0; r < size; r++)
        M += 256 * (r + 2);
    for (int r = 0; r < rank; r++)
        first += 256 * (r + 2);
    count = rank == size - 1 ? M - first : 256 * (rank + 2);
    double *a = test_alloc((size_t)(M * lda) * sizeof *a), *x = test_alloc((size_t)M * sizeof *x);
    float *as = test_alloc((size_t)(M * lda) * sizeof *as), *xs = test_alloc((size_t)M * sizeof *xs);
    test_seed(99);
    for (int64_t i = 0; i < M * lda; i++)
        as[i] = (float)(a[i] = ldexp(test_uniform(-1, 1), (int)(test_next_u64() % 31) - 15));
    for (int64_t i = 0; i < M; i++)
        xs[i] = (float)(x[i] = test_uniform(-1, 1));
    for (int inc = -1; inc <= 1; inc += 2) {
        double y[37], ref[37];
        float ys[37], refs[37];
        for (int64_t j = 0; j < N; j++)
            y[j] = ref[j] = ys[j] = refs[j] = (float)(j - 18);
        /* x_local: this rank's rows of x, walked backwards when inc < 0 */
        double *xl = test_alloc((size_t)(count > 0 ? count : 1) * sizeof *xl);
        float *xsl = test_alloc((size_t)(count > 0 ? count : 1) * sizeof *xsl);
        for (int64_t i = 0; i < count; i++) {
            xl[test_index(i, count, inc)] = x[first + i];
            xsl[test_index(i, count, inc)] = xs[first + i];
        }
        CHECK_STATUS(hpk_dgemv(ref_ctx, HPK_ROW_MAJOR, HPK_TRANS, M, N, 1.5, a, lda, x, 1, -0.5, ref, 1),
                     HPK_SUCCESS, ref_ctx);
        CHECK_STATUS(hpk_mpi_dgemv_t(ctx, MPI_COMM_WORLD, count, N, 1.5, a + first * lda, lda, xl, inc, -0.5, y, 1),
                     HPK_SUCCESS, ctx);
        CHECK_STATUS(hpk_sgemv(ref_ctx, HPK_ROW_MAJOR, HPK_TRANS, M, N, 1.5f, as, lda, xs, 1, -0.5f, refs, 1),
                     HPK_SUCCESS, ref_ctx);
        CHECK_STATUS(hpk_mpi_sgemv_t(ctx, MPI_COMM_WORLD, count, N, 1.5f, as + first * lda, lda, xsl, inc, -0.5f,
                                     ys, 1),
                     HPK_SUCCESS, ctx);
        for (int64_t j = 0; j < N; j++) {
            CHECK(memcmp(&y[j], &ref[j], sizeof y[j]) == 0, "dgemv_t y[%lld] %.17g, single process %.17g",
                  (long long)j, y[j], ref[j]);
            CHECK(memcmp(&ys[j], &refs[j], sizeof ys[j]) == 0, "sgemv_t y[%lld] %.9g, single process %.9g",
                  (long long)j, ys[j], refs[j]);
        }
        free(xl);
        free(xsl);
    }
    free(a);
    free(x);
    free(as);
    free(xs);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

/* Arbitrary uneven row splits, the same on every rank (drawn from one
 * seed): row counts that are multiples of nothing, empty ranks, ranks of a
 * few rows between long ones and ranks of a few rows each (one run over
 * all of them); random full-mantissa data; both precisions, x increments of
 * both signs, a strided y: y bitwise the single-process y, and nothing
 * between its elements written. */
static const char *const uneven_names[] = {"arbitrary", "short-between-long", "tiny", "with empty ranks"};

static int64_t uneven_rows(int pattern, int r)
{
    switch (pattern) {
    case 0: return test_int(0, 700);
    case 1: return r % 2 ? test_int(0, 10) : test_int(250, 900);
    case 2: return test_int(1, 5);
    default: return r % 3 == 1 ? 0 : test_int(1, 600);
    }
}

static double full_d(int spread)
{
    const int s = test_sign();
    const int e = test_int(-spread, spread);
    return test_full_d(s, e);
}

static float full_s(int spread)
{
    const int s = test_sign();
    const int e = test_int(-spread, spread);
    return test_full_s(s, e);
}

static void test_transposed_gemv_any_split(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    for (int pattern = 0; pattern < 4; pattern++) {
        test_seed(2150 + (uint64_t)pattern);
        int64_t M = 0, first = 0, count = 0;
        for (int r = 0; r < size; r++) {
            const int64_t rows = uneven_rows(pattern, r);
            if (r == rank) {
                first = M;
                count = rows;
            }
            M += rows;
        }
        const int64_t N = 29 + 7 * pattern, lda = N + 2, incx = pattern % 2 ? -1 : 2, incy = pattern % 2 ? 1 : -2;
        const double alpha = pattern % 2 ? 1.0 : -0.75, beta = pattern % 2 ? 0.0 : 1.5;
        const size_t la = (size_t)(M * lda) + 1, lx = span(M, incx), ly = span(N, incy);
        double *a = test_alloc(la * sizeof *a), *x = test_alloc(lx * sizeof *x);
        float *as = test_alloc(la * sizeof *as), *xs = test_alloc(lx * sizeof *xs);
        double *y = test_alloc(ly * sizeof *y), *ref = test_alloc(ly * sizeof *ref);
        float *ys = test_alloc(ly * sizeof *ys), *refs = test_alloc(ly * sizeof *refs);
        for (size_t i = 0; i < la; i++) {
            a[i] = full_d(30);
            as[i] = full_s(15);
        }
        for (size_t i = 0; i < lx; i++) {
            x[i] = full_d(10);
            xs[i] = full_s(5);
        }
        test_poison_fill_d(y, ly);
        test_poison_fill_s(ys, ly);
        for (int64_t j = 0; j < N; j++) {
            y[test_index(j, N, incy)] = full_d(5);
            ys[test_index(j, N, incy)] = full_s(5);
        }
        memcpy(ref, y, ly * sizeof *ref);
        memcpy(refs, ys, ly * sizeof *refs);
        double *xl = test_alloc(span(count, incx) * sizeof *xl);
        float *xsl = test_alloc(span(count, incx) * sizeof *xsl);
        for (int64_t i = 0; i < count; i++) {
            xl[test_index(i, count, incx)] = x[test_index(first + i, M, incx)];
            xsl[test_index(i, count, incx)] = xs[test_index(first + i, M, incx)];
        }
        CHECK_STATUS(hpk_dgemv(ref_ctx, HPK_ROW_MAJOR, HPK_TRANS, M, N, alpha, a, lda, x, incx, beta, ref, incy),
                     HPK_SUCCESS, ref_ctx);
        CHECK_STATUS(hpk_sgemv(ref_ctx, HPK_ROW_MAJOR, HPK_TRANS, M, N, (float)alpha, as, lda, xs, incx,
                               (float)beta, refs, incy),
                     HPK_SUCCESS, ref_ctx);
        CHECK_STATUS(hpk_mpi_dgemv_t(ctx, MPI_COMM_WORLD, count, N, alpha, count ? a + first * lda : NULL, lda,
                                     count ? xl : NULL, incx, beta, y, incy),
                     HPK_SUCCESS, ctx);
        CHECK_STATUS(hpk_mpi_sgemv_t(ctx, MPI_COMM_WORLD, count, N, (float)alpha, count ? as + first * lda : NULL,
                                     lda, count ? xsl : NULL, incx, (float)beta, ys, incy),
                     HPK_SUCCESS, ctx);
        CHECK(memcmp(y, ref, ly * sizeof *y) == 0, "dgemv_t, %s split of %lld rows (rank's %lld at %lld): y differs",
              uneven_names[pattern], (long long)M, (long long)count, (long long)first);
        CHECK(memcmp(ys, refs, ly * sizeof *ys) == 0,
              "sgemv_t, %s split of %lld rows (rank's %lld at %lld): y differs", uneven_names[pattern], (long long)M,
              (long long)count, (long long)first);
        free(a);
        free(x);
        free(as);
        free(xs);
        free(y);
        free(ref);
        free(ys);
        free(refs);
        free(xl);
        free(xsl);
    }
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

static void test_transposed_gemv(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    transposed_d(ctx, ref_ctx, BALANCED, 1, 1, 1.0, 0.0);
    transposed_d(ctx, ref_ctx, SKEWED, -2, 3, -0.5, 0.25);
    transposed_d(ctx, ref_ctx, BALANCED, 3, -1, 2.0, 1.0);
    transposed_d(ctx, ref_ctx, SKEWED, 1, 2, 0.0, -3.0); /* alpha == 0 */
    transposed_s(ctx, ref_ctx, BALANCED);
    transposed_s(ctx, ref_ctx, SKEWED);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_gemv_bitwise),
        cmocka_unit_test(test_transposed_gemv),
        cmocka_unit_test(test_transposed_gemv_runs),
        cmocka_unit_test(test_transposed_gemv_any_split),
    };
    return mpi_test_main(argc, argv, "gemv", tests, sizeof tests / sizeof tests[0]);
}
