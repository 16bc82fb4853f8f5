/* A GPU per rank, where it goes wrong (run as "opencl" or "mixed",
 * mpi_test.h):
 *   - a device piece that fails on one rank (verify mode catching a device
 *     result perturbed by the library's test hook, hpk__cl_set_fault) gives
 *     every rank that status and message, and writes nothing;
 *   - verify mode without the fault passes, and the results are the
 *     single-process bits;
 *   - a device without fp64 on one rank (HPK_CL_NO_FP64) cannot give the
 *     CPU's block partials: float reductions then combine the ranks' results
 *     in rank order, identically on every rank, and double ones fail with
 *     HPK_ERR_UNSUPPORTED on every rank.
 * Linked against the static libraries, which have the hook. */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include "mpi_test.h"

#include <hpk/hpk_cl.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hpk__cl_set_fault(hpk_ctx *ctx, int64_t element);

/* The highest rank with an OpenCL context (-1: none). */
static int last_device_rank(void)
{
    int mine = test_backend == HPK_BACKEND_OPENCL ? rank : -1, last = -1;
    MPI_Allreduce(&mine, &last, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return last;
}

/* Rank r's elements: uneven, so that canonical blocks and runs straddle
 * ranks and some are carried from rank to rank. */
static int64_t local_length(int r, int64_t unit)
{
    return 2 * unit + 37 * r + 5;
}

static int64_t first_of(int r, int64_t unit)
{
    int64_t first = 0;
    for (int k = 0; k < r; k++)
        first += local_length(k, unit);
    return first;
}

/* The whole problem on every rank, drawn from one seed. */
typedef struct problem {
    int64_t n, first, count; /* the whole length and this rank's block */
    double *x, *y;
    float *xs, *ys;
} problem;

static problem make_problem(int64_t unit, uint64_t seed)
{
    problem p = {first_of(size, unit), first_of(rank, unit), local_length(rank, unit), NULL, NULL, NULL, NULL};
    p.x = test_alloc((size_t)p.n * sizeof *p.x);
    p.y = test_alloc((size_t)p.n * sizeof *p.y);
    p.xs = test_alloc((size_t)p.n * sizeof *p.xs);
    p.ys = test_alloc((size_t)p.n * sizeof *p.ys);
    test_seed(seed);
    test_fill_wide_d(p.x, (size_t)p.n, -40, 40);
    test_fill_wide_d(p.y, (size_t)p.n, -40, 40);
    test_fill_wide_s(p.xs, (size_t)p.n, -20, 20);
    test_fill_wide_s(p.ys, (size_t)p.n, -20, 20);
    return p;
}

static void free_problem(problem *p)
{
    free(p->x);
    free(p->y);
    free(p->xs);
    free(p->ys);
}

static void check_failed_everywhere(hpk_status st, hpk_status want, hpk_ctx *ctx, const char *needle)
{
    CHECK_STATUS(st, want, ctx);
    CHECK(strstr(hpk_ctx_error_message(ctx), needle) != NULL, "message '%s' lacks '%s'", hpk_ctx_error_message(ctx),
          needle);
}

static void test_fault_on_one_rank(void **state)
{
    (void)state;
    const int bad = last_device_rank();
    hpk_ctx *ctx = ctx_under_test();
    if (test_backend == HPK_BACKEND_OPENCL) {
        CHECK_STATUS(hpk_ctx_set_verify(ctx, 1), HPK_SUCCESS, ctx);
        if (rank == bad)
            hpk__cl_set_fault(ctx, 0);
    }
    char on_bad[48];
    snprintf(on_bad, sizeof on_bad, "(on rank %d of %d)", bad, size);
    problem p = make_problem(4096, 11);

    double r = test_poison_d();
    check_failed_everywhere(hpk_mpi_dsum(ctx, MPI_COMM_WORLD, p.count, p.x + p.first, 1, &r), HPK_ERR_MISMATCH, ctx,
                            on_bad);
    CHECK(strstr(hpk_ctx_error_message(ctx), "hpk_mpi_dsum"), "message: %s", hpk_ctx_error_message(ctx));
    CHECK(test_is_poison_d(r), "dsum written on failure");
    check_failed_everywhere(hpk_mpi_ddot(ctx, MPI_COMM_WORLD, p.count, p.x + p.first, 1, p.y + p.first, 1, &r),
                            HPK_ERR_MISMATCH, ctx, on_bad);
    CHECK(test_is_poison_d(r), "ddot written on failure");
    float rs = test_poison_s();
    check_failed_everywhere(hpk_mpi_snrm2(ctx, MPI_COMM_WORLD, p.count, p.xs + p.first, -1, &rs), HPK_ERR_MISMATCH,
                            ctx, on_bad);
    CHECK(test_is_poison_s(rs), "snrm2 written on failure");
    free_problem(&p);

    /* The transposed GEMV: rows of 300 columns, runs straddling ranks. */
    const int64_t cols = 300, rows = local_length(rank, 256), all_rows = first_of(size, 256);
    double *a = test_alloc((size_t)(rows * cols) * sizeof *a), *x = test_alloc((size_t)rows * sizeof *x);
    double *y = test_alloc((size_t)cols * sizeof *y);
    test_seed(12 + (uint64_t)rank);
    test_fill_d(a, (size_t)(rows * cols), -1, 1);
    test_fill_d(x, (size_t)rows, -1, 1);
    test_poison_fill_d(y, (size_t)cols);
    check_failed_everywhere(hpk_mpi_dgemv_t(ctx, MPI_COMM_WORLD, rows, cols, 1.5, a, cols, x, 1, 0.0, y, 1),
                            HPK_ERR_MISMATCH, ctx, on_bad);
    for (int64_t i = 0; i < cols; i++)
        CHECK(test_is_poison_d(y[i]), "y[%lld] written on failure (%lld rows in all)", (long long)i,
              (long long)all_rows);
    free(a);
    free(x);
    free(y);
    hpk_ctx_destroy(ctx);
    agree();
}

static void test_verify_passes(void **state)
{
    (void)state;
    hpk_ctx *ctx = ctx_under_test(), *ref = serial_ctx();
    if (test_backend == HPK_BACKEND_OPENCL)
        CHECK_STATUS(hpk_ctx_set_verify(ctx, 1), HPK_SUCCESS, ctx);
    problem p = make_problem(4096, 13);
    double got = 0.0, want = 1.0;
    CHECK_STATUS(hpk_mpi_ddot(ctx, MPI_COMM_WORLD, p.count, p.x + p.first, 1, p.y + p.first, 1, &got), HPK_SUCCESS,
                 ctx);
    CHECK_STATUS(hpk_ddot(ref, p.n, p.x, 1, p.y, 1, &want), HPK_SUCCESS, ref);
    CHECK(memcmp(&got, &want, sizeof got) == 0, "ddot %a, single process %a", got, want);
    float gs = 0.0f, ws = 1.0f;
    CHECK_STATUS(hpk_mpi_sasum(ctx, MPI_COMM_WORLD, p.count, p.xs + p.first, 1, &gs), HPK_SUCCESS, ctx);
    CHECK_STATUS(hpk_sasum(ref, p.n, p.xs, 1, &ws), HPK_SUCCESS, ref);
    CHECK(memcmp(&gs, &ws, sizeof gs) == 0, "sasum %a, single process %a", gs, ws);
    free_problem(&p);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref);
    agree();
}

static void test_no_fp64_on_one_rank(void **state)
{
    (void)state;
    const int bad = last_device_rank();
    if (rank == bad)
        setenv("HPK_CL_NO_FP64", "1", 1);
    hpk_ctx *ctx = ctx_under_test(), *ref = serial_ctx();
    unsetenv("HPK_CL_NO_FP64");
    char on_bad[48];
    snprintf(on_bad, sizeof on_bad, "(on rank %d of %d)", bad, size);
    problem p = make_problem(4096, 17);

    /* float: the ranks' sums in rank order, the same on every rank, and
     * close to the single-process sum of these values (all positive) */
    for (int64_t i = 0; i < p.n; i++)
        p.xs[i] = fabsf(p.xs[i]);
    float got = test_poison_s(), want = 0.0f;
    CHECK_STATUS(hpk_mpi_ssum(ctx, MPI_COMM_WORLD, p.count, p.xs + p.first, 1, &got), HPK_SUCCESS, ctx);
    CHECK_STATUS(hpk_ssum(ref, p.n, p.xs, 1, &want), HPK_SUCCESS, ref);
    CHECK(fabsf(got - want) <= 1e-5f * want, "ssum %a, single process %a", got, want);
    float *every = test_alloc((size_t)size * sizeof *every);
    MPI_Allgather(&got, 1, MPI_FLOAT, every, 1, MPI_FLOAT, MPI_COMM_WORLD);
    for (int r = 0; r < size; r++)
        CHECK(memcmp(&every[r], &got, sizeof got) == 0, "rank %d has %a, this rank %a", r, every[r], got);
    free(every);

    /* double: that rank's device cannot */
    double r = test_poison_d();
    check_failed_everywhere(hpk_mpi_dsum(ctx, MPI_COMM_WORLD, p.count, p.x + p.first, 1, &r), HPK_ERR_UNSUPPORTED,
                            ctx, on_bad);
    CHECK(test_is_poison_d(r), "dsum written on failure");
    free_problem(&p);
    hpk_ctx_destroy(ctx);
    hpk_ctx_destroy(ref);
    agree();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_on_one_rank),
        cmocka_unit_test(test_verify_passes),
        cmocka_unit_test(test_no_fp64_on_one_rank),
    };
    return mpi_test_main(argc, argv, "device", tests, sizeof tests / sizeof tests[0]);
}
