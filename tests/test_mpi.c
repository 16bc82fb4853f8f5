/* The distributed layer (hpk_mpi.h), run under mpirun with any number of
 * ranks: every rank builds the whole problem from a seed, passes its own
 * block, and compares with the single-process result on the whole problem —
 * bitwise for Monte Carlo, row-block GEMV and reductions on
 * hpk_mpi_block_range's split; within rounding bounds for reductions on
 * other splits and the transposed GEMV (bitwise again on one rank).  Bad input
 * on one rank, and ranks that disagree, must give the same status on every
 * rank.
 *
 * The ranks stay in step: checks inside a test only count failures (printed
 * on stderr with the rank), and each test ends by agreeing on the count, so
 * a failure fails the test on every rank.  Only rank 0 writes cmocka's report
 * to stdout; the exit status is nonzero on every rank if any test failed
 * anywhere. */
#define _POSIX_C_SOURCE 200809L /* setenv, getpid */

#include "support.h"

#include <hpk/hpk_mpi.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int rank, size;
static int local_failures;
static FILE *diag; /* where failed checks are reported */

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond))                                                            \
            check_failed(__FILE__, __LINE__, __VA_ARGS__);                      \
    } while (0)

/* One line per failed check, written at once so ranks' lines do not mix. */
__attribute__((format(printf, 3, 4))) static void check_failed(const char *file, int line, const char *fmt, ...)
{
    char text[1024];
    int len = snprintf(text, sizeof text, "[rank %d of %d] %s:%d: ", rank, size, file, line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + len, sizeof text - (size_t)len - 1, fmt, ap);
    va_end(ap);
    strcat(text, "\n");
    fputs(text, diag);
    fflush(diag);
    local_failures++;
}

#define CHECK_STATUS(st, want, ctx)                                                        \
    CHECK((st) == (want), "status %s, expected %s; message: %s", hpk_status_string(st),    \
          hpk_status_string(want), hpk_ctx_error_message(ctx))

/* Ends a test: fails it on every rank if a check failed on any. */
static void agree(void)
{
    int mine = local_failures, most = 0;
    local_failures = 0;
    MPI_Allreduce(&mine, &most, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (most)
        fail_msg("a check failed on at least one rank (%d on the worst; details on stderr)", most);
}

/* The context under test (with two threads on OpenMP) and the serial
 * reference context. */
static hpk_ctx *ctx_under_test(void)
{
    return test_ctx(test_backend == HPK_BACKEND_OPENMP ? 2 : 0);
}

static hpk_ctx *serial_ctx(void)
{
    hpk_ctx *ctx = NULL;
    if (hpk_ctx_create(&ctx, HPK_BACKEND_SERIAL) != HPK_SUCCESS)
        fail_msg("hpk_ctx_create(serial): %s", hpk_ctx_error_message(NULL));
    return ctx;
}

/* How a global length is split: balanced (hpk_mpi_block_range), or skewed
 * (rank 0 empty when there are several ranks, the rest balanced). */
typedef enum split { BALANCED, SKEWED } split;

static void block_of(split how, int64_t n, int64_t *first, int64_t *count)
{
    if (how == BALANCED || size == 1) {
        if (hpk_mpi_block_range(MPI_COMM_WORLD, n, first, count) != HPK_SUCCESS)
            fail_msg("hpk_mpi_block_range: %s", hpk_ctx_error_message(NULL));
        return;
    }
    if (rank == 0) {
        *first = 0;
        *count = 0;
        return;
    }
    const int64_t q = n / (size - 1), rem = n % (size - 1), r = rank - 1;
    *count = q + (r < rem);
    *first = r * q + (r < rem ? r : rem);
}

/* Elements to allocate for a strided vector (at least one). */
static size_t span(int64_t n, int64_t inc)
{
    return n > 0 ? test_span(n, inc) : 1;
}

/* ---- helpers -------------------------------------------------------------- */

static void test_block_range(void **state)
{
    (void)state;
    const int64_t sizes[] = {0, 1, 2, 5, 4096, 4097, 3 * 4096, 1000003};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int64_t mine[2], *all = test_alloc(2 * (size_t)size * sizeof *all);
        CHECK_STATUS(hpk_mpi_block_range(MPI_COMM_WORLD, sizes[k], &mine[0], &mine[1]), HPK_SUCCESS, NULL);
        MPI_Allgather(mine, 2, MPI_INT64_T, all, 2, MPI_INT64_T, MPI_COMM_WORLD);
        /* Contiguous, at block boundaries, balanced in blocks. */
        const int64_t block = 4096, nblocks = (sizes[k] + block - 1) / block;
        int64_t next = 0;
        for (int r = 0; r < size; r++) {
            CHECK(all[2 * r] == next, "n %lld: rank %d starts at %lld, not %lld", (long long)sizes[k], r,
                  (long long)all[2 * r], (long long)next);
            const int64_t blocks = (all[2 * r + 1] + block - 1) / block;
            CHECK(all[2 * r] % block == 0 || all[2 * r + 1] == 0, "rank %d starts inside a block", r);
            CHECK(all[2 * r + 1] % block == 0 || next + all[2 * r + 1] == sizes[k],
                  "rank %d ends inside a block that is not the last", r);
            CHECK(blocks >= nblocks / size && blocks <= nblocks / size + 1, "unbalanced: rank %d has %lld blocks",
                  r, (long long)blocks);
            next += all[2 * r + 1];
        }
        CHECK(next == sizes[k], "the blocks cover %lld of %lld", (long long)next, (long long)sizes[k]);
        free(all);
    }
    int64_t first = -7, count = -7;
    CHECK_STATUS(hpk_mpi_block_range(MPI_COMM_WORLD, -1, &first, &count), HPK_ERR_INVALID_ARG, NULL);
    CHECK_STATUS(hpk_mpi_block_range(MPI_COMM_NULL, 5, &first, &count), HPK_ERR_INVALID_ARG, NULL);
    CHECK_STATUS(hpk_mpi_block_range(MPI_COMM_WORLD, 5, NULL, &count), HPK_ERR_INVALID_ARG, NULL);
    CHECK(first == -7 && count == -7, "outputs written on failure");
    agree();
}

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

/* ---- transposed GEMV: bitwise on splits at run boundaries, else within
 * rounding ---------------------------------------------------------------- */

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
    double *y0 = test_alloc(span(N, incy) * sizeof *y0);
    memcpy(y0, y, span(N, incy) * sizeof *y0);
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
        long double bound = beta == 0.0 ? 0.0L : fabsl((long double)beta * y0[test_index(j, N, incy)]);
        for (int64_t i = 0; i < M; i++)
            bound += fabsl((long double)alpha * a[i * lda + j] * x[test_index(i, M, incx)]);
        const long double tolerance = 2.0L * (M + size + 2) * TEST_EPS_D * bound;
        if (size == 1 || how == BALANCED)
            CHECK(memcmp(&got, &want, sizeof got) == 0, "y[%lld] %.17g, single process %.17g", (long long)j, got,
                  want);
        else
            CHECK(fabsl((long double)got - want) <= tolerance, "y[%lld] %.17g, single process %.17g",
                  (long long)j, got, want);
    }
    for (size_t e = 0; e < span(N, incy); e++)
        if ((int64_t)e % (incy < 0 ? -incy : incy))
            CHECK(test_is_poison_d(y[e]), "element %zu between the strided ones was written", e);
    free(a);
    free(x);
    free(x_local);
    free(y);
    free(y0);
    free(ref);
}

static void transposed_s(hpk_ctx *ctx, hpk_ctx *ref_ctx, split how)
{
    const int64_t M = GEMV_M * 5, N = GEMV_N, lda = GEMV_N;
    const float alpha = 0.75f, beta = -1.5f;
    float *a = test_alloc((size_t)(M * lda) * sizeof *a), *x = test_alloc((size_t)M * sizeof *x);
    float *y = test_alloc((size_t)N * sizeof *y), *ref = test_alloc((size_t)N * sizeof *ref);
    float *y0 = test_alloc((size_t)N * sizeof *y0);
    test_seed(4242);
    test_fill_s(a, (size_t)(M * lda), -1, 1);
    test_fill_s(x, (size_t)M, -1, 1);
    test_fill_s(y, (size_t)N, -1, 1);
    memcpy(ref, y, (size_t)N * sizeof *ref);
    memcpy(y0, y, (size_t)N * sizeof *y0);
    CHECK_STATUS(hpk_sgemv(ref_ctx, HPK_ROW_MAJOR, HPK_TRANS, M, N, alpha, a, lda, x, 1, beta, ref, 1), HPK_SUCCESS,
                 ref_ctx);
    int64_t first, count;
    block_of(how, M, &first, &count);
    CHECK_STATUS(hpk_mpi_sgemv_t(ctx, MPI_COMM_WORLD, count, N, alpha, count ? a + first * lda : NULL, lda,
                                 count ? x + first : NULL, 1, beta, y, 1),
                 HPK_SUCCESS, ctx);
    for (int64_t j = 0; j < N; j++) {
        double bound = fabs(beta * y0[j]);
        for (int64_t i = 0; i < M; i++)
            bound += fabs(alpha * a[i * lda + j] * x[i]);
        if (size == 1 || how == BALANCED)
            CHECK(memcmp(&y[j], &ref[j], sizeof y[j]) == 0, "y[%lld] %.9g, single process %.9g", (long long)j,
                  y[j], ref[j]);
        else
            CHECK(fabs((double)y[j] - ref[j]) <= 2.0 * (M + size + 2) * TEST_EPS_S * bound,
                  "y[%lld] %.9g, single process %.9g", (long long)j, y[j], ref[j]);
    }
    free(a);
    free(x);
    free(y);
    free(y0);
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

/* got against want: bitwise on hpk_mpi_block_range's split (the canonical
 * order, on CPU contexts), else within (n + ranks) * eps * scale. */
static void check_close(const char *what, double got, double want, double scale, double eps, bool bitwise)
{
    if (bitwise)
        CHECK(memcmp(&got, &want, sizeof got) == 0, "%s: %.17g, single process %.17g", what, got, want);
    else
        CHECK(fabs(got - want) <= (RED_N + size) * eps * scale, "%s: %.17g, single process %.17g", what, got, want);
}

static void reductions_d(hpk_ctx *ctx, hpk_ctx *ref_ctx, split how, int64_t inc)
{
    const int64_t n = RED_N;
    double *x = test_alloc(n * sizeof *x), *y = test_alloc(n * sizeof *y);
    test_seed(2024 + (uint64_t)inc);
    test_fill_d(x, n, -1, 1);
    test_fill_d(y, n, -3, 3);
    double ref_sum, ref_asum, ref_dot, ref_nrm2, abs_dot = 0.0;
    hpk_dsum(ref_ctx, n, x, 1, &ref_sum);
    hpk_dasum(ref_ctx, n, x, 1, &ref_asum);
    hpk_ddot(ref_ctx, n, x, 1, y, 1, &ref_dot);
    hpk_dnrm2(ref_ctx, n, x, 1, &ref_nrm2);
    for (int64_t i = 0; i < n; i++)
        abs_dot += fabs(x[i] * y[i]);

    int64_t first, count;
    block_of(how, n, &first, &count);
    double *xl = local_block_d(x, first, count, inc), *yl = local_block_d(y, first, count, -inc);
    const bool bitwise = how == BALANCED || size == 1;
    double r = test_poison_d();
    CHECK_STATUS(hpk_mpi_dsum(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_close("dsum", r, ref_sum, ref_asum, TEST_EPS_D, bitwise);
    CHECK_STATUS(hpk_mpi_dasum(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_close("dasum", r, ref_asum, ref_asum, TEST_EPS_D, bitwise);
    CHECK_STATUS(hpk_mpi_ddot(ctx, MPI_COMM_WORLD, count, xl, inc, yl, -inc, &r), HPK_SUCCESS, ctx);
    check_close("ddot", r, ref_dot, abs_dot, TEST_EPS_D, bitwise);
    CHECK_STATUS(hpk_mpi_dnrm2(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_close("dnrm2", r, ref_nrm2, ref_nrm2, TEST_EPS_D, bitwise);
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
    double abs_dot = 0.0;
    hpk_ssum(ref_ctx, n, x, 1, &ref_sum);
    hpk_sasum(ref_ctx, n, x, 1, &ref_asum);
    hpk_sdot(ref_ctx, n, x, 1, y, 1, &ref_dot);
    hpk_snrm2(ref_ctx, n, x, 1, &ref_nrm2);
    for (int64_t i = 0; i < n; i++)
        abs_dot += fabs((double)x[i] * y[i]);

    int64_t first, count;
    block_of(how, n, &first, &count);
    float *xl = local_block_s(x, first, count, inc), *yl = local_block_s(y, first, count, inc);
    const bool bitwise = how == BALANCED || size == 1;
    float r = test_poison_s();
    /* Each rank's float partial is rounded once, the total once more. */
    CHECK_STATUS(hpk_mpi_ssum(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_close("ssum", r, ref_sum, ref_asum, TEST_EPS_S, bitwise);
    CHECK_STATUS(hpk_mpi_sasum(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_close("sasum", r, ref_asum, ref_asum, TEST_EPS_S, bitwise);
    CHECK_STATUS(hpk_mpi_sdot(ctx, MPI_COMM_WORLD, count, xl, inc, yl, inc, &r), HPK_SUCCESS, ctx);
    check_close("sdot", r, ref_dot, abs_dot, TEST_EPS_S, bitwise);
    CHECK_STATUS(hpk_mpi_snrm2(ctx, MPI_COMM_WORLD, count, xl, inc, &r), HPK_SUCCESS, ctx);
    check_close("snrm2", r, ref_nrm2, ref_nrm2, TEST_EPS_S, bitwise);
    free(xl);
    free(yl);
    free(x);
    free(y);
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
        double *xl = local_block_d(x, first, count, inc), *yl = local_block_d(y, first, count, -inc);
        float *xsl = local_block_s(xs, first, count, inc), *ysl = local_block_s(ys, first, count, -inc);
        double want, got;
        float want_s, got_s;
#define SAME_D(call_ref, call_mpi, name)                                                                         \
    call_ref;                                                                                                  \
    got = test_poison_d();                                                                                     \
    CHECK_STATUS(call_mpi, HPK_SUCCESS, ctx);                                                                  \
    CHECK(memcmp(&got, &want, sizeof got) == 0, "%s, n %lld: %.17g, single process %.17g", name, (long long)n, \
          got, want)
#define SAME_S(call_ref, call_mpi, name)                                                                         \
    call_ref;                                                                                                  \
    got_s = test_poison_s();                                                                                   \
    CHECK_STATUS(call_mpi, HPK_SUCCESS, ctx);                                                                  \
    CHECK(memcmp(&got_s, &want_s, sizeof got_s) == 0, "%s, n %lld: %.9g, single process %.9g", name,            \
          (long long)n, got_s, want_s)
        SAME_D(hpk_dsum(ref_ctx, n, x, 1, &want), hpk_mpi_dsum(ctx, MPI_COMM_WORLD, count, xl, inc, &got), "dsum");
        SAME_D(hpk_dasum(ref_ctx, n, x, 1, &want), hpk_mpi_dasum(ctx, MPI_COMM_WORLD, count, xl, inc, &got),
               "dasum");
        SAME_D(hpk_dnrm2(ref_ctx, n, x, 1, &want), hpk_mpi_dnrm2(ctx, MPI_COMM_WORLD, count, xl, inc, &got),
               "dnrm2");
        SAME_D(hpk_ddot(ref_ctx, n, x, 1, y, 1, &want),
               hpk_mpi_ddot(ctx, MPI_COMM_WORLD, count, xl, inc, yl, -inc, &got), "ddot");
        SAME_S(hpk_ssum(ref_ctx, n, xs, 1, &want_s), hpk_mpi_ssum(ctx, MPI_COMM_WORLD, count, xsl, inc, &got_s),
               "ssum");
        SAME_S(hpk_sasum(ref_ctx, n, xs, 1, &want_s),
               hpk_mpi_sasum(ctx, MPI_COMM_WORLD, count, xsl, inc, &got_s), "sasum");
        SAME_S(hpk_snrm2(ref_ctx, n, xs, 1, &want_s),
               hpk_mpi_snrm2(ctx, MPI_COMM_WORLD, count, xsl, inc, &got_s), "snrm2");
        SAME_S(hpk_sdot(ref_ctx, n, xs, 1, ys, 1, &want_s),
               hpk_mpi_sdot(ctx, MPI_COMM_WORLD, count, xsl, inc, ysl, -inc, &got_s), "sdot");
#undef SAME_D
#undef SAME_S
        free(xl);
        free(yl);
        free(xsl);
        free(ysl);
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
    else if (isinf(want))
        CHECK(isinf(got) && got > 0, "nrm2 %g, expected +Inf", got);
    else
        CHECK(isfinite(got) && fabs(got - want) <= 8 * TEST_EPS_D * want, "nrm2 %.17g, single process %.17g", got,
              want);
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

/* ---- Monte Carlo: bitwise the single-process result ------------------------ */

static void check_same_result(const char *what, hpk_mc_result got, hpk_mc_result want)
{
    CHECK(memcmp(&got.estimate, &want.estimate, sizeof got.estimate) == 0 &&
              (memcmp(&got.std_error, &want.std_error, sizeof got.std_error) == 0 ||
               (isnan(got.std_error) && isnan(want.std_error))) &&
              got.samples == want.samples,
          "%s: %.17g +- %.17g (%llu), single process %.17g +- %.17g (%llu)", what, got.estimate, got.std_error,
          (unsigned long long)got.samples, want.estimate, want.std_error, (unsigned long long)want.samples);
}

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

static double inside_ball(const double *p, int dim, void *user_data)
{
    (void)user_data;
    double r2 = 0.0;
    for (int d = 0; d < dim; d++)
        r2 += p[d] * p[d];
    return r2 < 1.0 ? 1.0 : 0.0;
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

/* ---- bad input on one rank, and ranks that disagree ------------------------ */

/* The status on every rank is `want`, and the message mentions `needle`. */
static void check_everywhere(hpk_status st, hpk_status want, hpk_ctx *ctx, const char *needle)
{
    CHECK_STATUS(st, want, ctx);
    CHECK(strstr(hpk_ctx_error_message(ctx), needle) != NULL, "message '%s' lacks '%s'", hpk_ctx_error_message(ctx),
          needle);
}

static void test_bad_input_on_one_rank(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test();
    const int last = size - 1;
    char on_last[32];
    snprintf(on_last, sizeof on_last, "(on rank %d of %d)", last, size);
    const int64_t n = 1000;
    double *x = test_alloc(n * sizeof *x), *y = test_alloc(n * sizeof *y), *a = test_alloc(n * n * sizeof *a);
    test_seed(3);
    test_fill_d(x, n, -1, 1);
    test_fill_d(y, n, -1, 1);
    test_fill_d(a, n * n, -1, 1);

    double r = test_poison_d();
    check_everywhere(hpk_mpi_ddot(ctx, MPI_COMM_WORLD, n, x, 1, y, rank == last ? 0 : 1, &r), HPK_ERR_INVALID_ARG, ctx,
                     on_last);
    CHECK(strstr(hpk_ctx_error_message(ctx), "increment of y is 0"), "message: %s", hpk_ctx_error_message(ctx));
    CHECK(test_is_poison_d(r), "result written on failure");
    check_everywhere(hpk_mpi_dnrm2(ctx, MPI_COMM_WORLD, rank == last ? -1 : n, x, 1, &r), HPK_ERR_INVALID_ARG, ctx,
                     on_last);
    int64_t index = -7;
    check_everywhere(hpk_mpi_idamax(ctx, MPI_COMM_WORLD, n, rank == last ? NULL : x, 1, &index), HPK_ERR_INVALID_ARG,
                     ctx, on_last);
    CHECK(index == -7, "index written on failure");

    /* GEMV: lda too small on the last rank; y NULL there; a bad ydist. */
    const int64_t rows = 4;
    double *yg = test_alloc((size_t)size * rows * sizeof *yg);
    test_poison_fill_d(yg, (size_t)size * rows);
    check_everywhere(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, HPK_MPI_Y_GATHERED, rows, n, 1.0, a,
                                   rank == last ? n - 1 : n, x, 1, 0.0, yg, 1),
                     HPK_ERR_INVALID_ARG, ctx, on_last);
    CHECK(strstr(hpk_ctx_error_message(ctx), "lda"), "message: %s", hpk_ctx_error_message(ctx));
    check_everywhere(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, HPK_MPI_Y_GATHERED, rows, n, 1.0, a, n, x, 1, 0.0,
                                   rank == last ? NULL : yg, 1),
                     HPK_ERR_INVALID_ARG, ctx, on_last);
    CHECK(strstr(hpk_ctx_error_message(ctx), "y is NULL"), "message: %s", hpk_ctx_error_message(ctx));
    check_everywhere(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, rank == 0 ? (hpk_mpi_y)7 : HPK_MPI_Y_LOCAL, rows, n, 1.0, a,
                                   n, x, 1, 0.0, yg, 1),
                     HPK_ERR_INVALID_ARG, ctx, "(on rank 0 of");
    check_everywhere(hpk_mpi_dgemv_t(ctx, MPI_COMM_WORLD, rows, n, 1.0, a, n, x, rank == last ? 0 : 1, 0.0, y, 1),
                     HPK_ERR_INVALID_ARG, ctx, on_last);
    /* Increments at the edges of int64_t on a rank with no rows of its own:
     * INT64_MIN is refused outright; INT64_MAX makes y's span overflow once
     * the other ranks' rows are counted. */
    check_everywhere(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, HPK_MPI_Y_GATHERED, rank == last ? 0 : rows, n, 1.0, a, n, x,
                                   1, 0.0, yg, rank == last ? INT64_MIN : 1),
                     HPK_ERR_INVALID_ARG, ctx, on_last);
    if (size > 1)
        check_everywhere(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, HPK_MPI_Y_GATHERED, rank == last ? 0 : rows, n, 1.0, a,
                                       n, x, 1, 0.0, yg, rank == last ? INT64_MAX : 1),
                         HPK_ERR_INVALID_ARG, ctx, on_last);
    check_everywhere(hpk_mpi_ddot(ctx, MPI_COMM_WORLD, 2, x, rank == last ? INT64_MAX : 1, y, 1, &r),
                     HPK_ERR_INVALID_ARG, ctx, on_last);
    for (int64_t i = 0; i < (int64_t)size * rows; i++)
        CHECK(test_is_poison_d(yg[i]), "y[%lld] written on failure", (long long)i);

    /* Monte Carlo. */
    hpk_mc_result res = {test_poison_d(), test_poison_d(), 12345};
    check_everywhere(hpk_mpi_mc_pi(ctx, MPI_COMM_WORLD, rank == last ? 0 : 1000, 1, &res), HPK_ERR_INVALID_ARG, ctx,
                     on_last);
    const double lower[2] = {0, 0}, upper[2] = {1, 1}, bad_upper[2] = {1, -1};
    check_everywhere(hpk_mpi_mc_integrate(ctx, MPI_COMM_WORLD, inside_ball, NULL, 2, lower,
                                          rank == last ? bad_upper : upper, 1000, 1, &res),
                     HPK_ERR_INVALID_ARG, ctx, on_last);
    const double wide_lower[2] = {0, -1e308}, wide_upper[2] = {1, 1e308};
    check_everywhere(hpk_mpi_mc_integrate(ctx, MPI_COMM_WORLD, inside_ball, NULL, 2, rank == last ? wide_lower : lower,
                                          rank == last ? wide_upper : upper, 1000, 1, &res),
                     HPK_ERR_INVALID_ARG, ctx, on_last);
    CHECK(test_is_poison_d(res.estimate) && res.samples == 12345, "result written on failure");

    /* A local failure: no communicator at all. */
    CHECK_STATUS(hpk_mpi_dsum(ctx, MPI_COMM_NULL, n, x, 1, &r), HPK_ERR_INVALID_ARG, ctx);

    /* The default context carries the message when ctx is NULL. */
    CHECK_STATUS(hpk_mpi_dsum(NULL, MPI_COMM_WORLD, rank == last ? -5 : n, x, 1, &r), HPK_ERR_INVALID_ARG, NULL);
    CHECK(strstr(hpk_ctx_error_message(NULL), on_last), "default context message: %s", hpk_ctx_error_message(NULL));

    /* After all that, calls work again. */
    CHECK_STATUS(hpk_mpi_dsum(ctx, MPI_COMM_WORLD, n, x, 1, &r), HPK_SUCCESS, ctx);
    free(x);
    free(y);
    free(a);
    free(yg);
    hpk_ctx_destroy(ctx);
    agree();
}

static void test_ranks_that_disagree(void **state)
{
    (void)state;
    if (size == 1)
        skip(); /* one rank cannot disagree with itself */
    hpk_ctx *ctx = ctx_under_test();
    const int last = size - 1, odd = rank == last;
    const int64_t n = 50, rows = 3;
    double *a = test_alloc(rows * (n + 1) * sizeof *a), *x = test_alloc((n + 1) * sizeof *x);
    double *y = test_alloc((size_t)size * rows * sizeof *y);
    test_seed(8);
    test_fill_d(a, rows * (n + 1), -1, 1);
    test_fill_d(x, n + 1, -1, 1);
    test_poison_fill_d(y, (size_t)size * rows);

    check_everywhere(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, HPK_MPI_Y_LOCAL, rows, odd ? n + 1 : n, 1.0, a, n + 1, x, 1,
                                   0.0, y, 1),
                     HPK_ERR_MPI, ctx, "disagree on n");
    check_everywhere(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, odd ? HPK_MPI_Y_LOCAL : HPK_MPI_Y_GATHERED, rows, n, 1.0, a,
                                   n, x, 1, 0.0, y, 1),
                     HPK_ERR_MPI, ctx, "disagree on ydist");
    check_everywhere(hpk_mpi_dgemv(ctx, MPI_COMM_WORLD, HPK_MPI_Y_GATHERED, rows, n, odd ? 2.0 : 1.0, a, n, x, 1, 0.0,
                                   y, 1),
                     HPK_ERR_MPI, ctx, "disagree on alpha");
    for (int64_t i = 0; i < (int64_t)size * rows; i++)
        CHECK(test_is_poison_d(y[i]), "y[%lld] written on failure", (long long)i);
    check_everywhere(hpk_mpi_dgemv_t(ctx, MPI_COMM_WORLD, rows, odd ? n - 1 : n, 1.0, a, n, x, 1, 0.0, y, 1),
                     HPK_ERR_MPI, ctx, "disagree on n");
    check_everywhere(hpk_mpi_dgemv_t(ctx, MPI_COMM_WORLD, rows, n, 1.0, a, n, x, 1, odd ? 0.5 : 0.0, y, 1),
                     HPK_ERR_MPI, ctx, "disagree on beta");

    hpk_mc_result res = {test_poison_d(), test_poison_d(), 12345};
    check_everywhere(hpk_mpi_mc_pi(ctx, MPI_COMM_WORLD, odd ? 1001 : 1000, 1, &res), HPK_ERR_MPI, ctx,
                     "disagree on samples");
    check_everywhere(hpk_mpi_mc_pi(ctx, MPI_COMM_WORLD, 1000, odd ? 2 : 1, &res), HPK_ERR_MPI, ctx,
                     "disagree on seed");
    const double lower[2] = {0, 0}, upper[2] = {1, 1}, other_upper[2] = {1, 1.5};
    check_everywhere(hpk_mpi_mc_integrate(ctx, MPI_COMM_WORLD, inside_ball, NULL, odd ? 1 : 2, lower, upper, 1000, 1,
                                          &res),
                     HPK_ERR_MPI, ctx, "disagree on dim");
    check_everywhere(hpk_mpi_mc_integrate(ctx, MPI_COMM_WORLD, inside_ball, NULL, 2, lower,
                                          odd ? other_upper : upper, 1000, 1, &res),
                     HPK_ERR_MPI, ctx, "disagree on the bounds");
    CHECK(test_is_poison_d(res.estimate) && res.samples == 12345, "result written on failure");
    free(a);
    free(x);
    free(y);
    hpk_ctx_destroy(ctx);
    agree();
}

/* ---- communicators and timing ---------------------------------------------- */

static void test_sub_communicators(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref_ctx = serial_ctx();
    const int64_t n = 5000;
    double *x = test_alloc(n * sizeof *x);
    test_seed(11);
    test_fill_d(x, n, 0, 1);
    for (int round = 0; round < 3; round++) {
        /* Even and odd ranks, each group summing the whole vector. */
        MPI_Comm half;
        MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
        int64_t first, count;
        CHECK_STATUS(hpk_mpi_block_range(half, n, &first, &count), HPK_SUCCESS, NULL);
        double got, want;
        hpk_dasum(ref_ctx, n, x, 1, &want);
        for (int call = 0; call < 2; call++) {
            CHECK_STATUS(hpk_mpi_dasum(ctx, half, count, x + first, 1, &got), HPK_SUCCESS, ctx);
            CHECK(fabs(got - want) <= 1e-12 * want, "dasum on a sub-communicator: %.17g, expected %.17g", got, want);
        }
        hpk_mc_result r1, r2;
        CHECK_STATUS(hpk_mpi_mc_pi(ctx, half, 20000, 5, &r1), HPK_SUCCESS, ctx);
        CHECK_STATUS(hpk_mc_pi(ref_ctx, 20000, 5, &r2), HPK_SUCCESS, ref_ctx);
        check_same_result("pi on a sub-communicator", r1, r2);
        MPI_Comm_free(&half);
    }
    /* MPI_COMM_SELF: one rank alone. */
    double got, want;
    CHECK_STATUS(hpk_mpi_dsum(ctx, MPI_COMM_SELF, n, x, 1, &got), HPK_SUCCESS, ctx);
    hpk_dsum(ctx, n, x, 1, &want);
    CHECK(memcmp(&got, &want, sizeof got) == 0, "dsum on MPI_COMM_SELF: %.17g, expected %.17g", got, want);
    free(x);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref_ctx);
    agree();
}

static void test_timing(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test();
    hpk_mc_result r;
    CHECK_STATUS(hpk_mpi_mc_pi(ctx, MPI_COMM_WORLD, 100000, 1, &r), HPK_SUCCESS, ctx);
    const hpk_mpi_times t = hpk_mpi_last_times();
    CHECK(t.total_s > 0.0 && t.comm_s >= 0.0 && t.compute_s >= -1e-9, "times %g = %g + %g", t.total_s, t.compute_s,
          t.comm_s);
    CHECK(fabs(t.total_s - t.compute_s - t.comm_s) <= 1e-9 * (1.0 + t.total_s), "times %g != %g + %g", t.total_s,
          t.compute_s, t.comm_s);
    hpk_ctx_destroy(ctx);
    agree();
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (test_parse_backend(argc, argv)) {
        MPI_Finalize();
        return 2;
    }
    /* One report: rank 0's.  The other ranks write cmocka's report as XML to
     * a scratch file (cmocka will not write over an existing one) that is
     * removed at the end; their failed checks (and sanitizer reports) still
     * reach stderr. */
    diag = stderr;
    char xml[256] = "";
    if (rank != 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(xml, sizeof xml, "%s/hpk-test-mpi-%ld-%d.xml", tmp && *tmp ? tmp : "/tmp", (long)getpid(), rank);
        remove(xml);
        setenv("CMOCKA_XML_FILE", xml, 1);
        cmocka_set_message_output(CM_OUTPUT_XML);
        if (!freopen("/dev/null", "w", stdout))
            fprintf(stderr, "[rank %d] could not silence stdout\n", rank);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_range),
        cmocka_unit_test(test_row_gemv_bitwise),
        cmocka_unit_test(test_transposed_gemv),
        cmocka_unit_test(test_transposed_gemv_runs),
        cmocka_unit_test(test_reductions),
        cmocka_unit_test(test_reductions_canonical),
        cmocka_unit_test(test_nrm2_is_safe),
        cmocka_unit_test(test_amax),
        cmocka_unit_test(test_mc_pi_bitwise),
        cmocka_unit_test(test_mc_integrate_bitwise),
        cmocka_unit_test(test_bad_input_on_one_rank),
        cmocka_unit_test(test_ranks_that_disagree),
        cmocka_unit_test(test_sub_communicators),
        cmocka_unit_test(test_timing),
    };
    char group[64];
    snprintf(group, sizeof group, "mpi (%s, %d rank%s)", test_backend_name, size, size > 1 ? "s" : "");
    const int failed = _cmocka_run_group_tests(group, tests, sizeof tests / sizeof tests[0], NULL, NULL);
    int any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (*xml)
        remove(xml);
    MPI_Finalize();
    return any ? 1 : 0;
}
