/* hpk_mpi_block_range's split, calls on sub-communicators and
 * MPI_COMM_SELF, and hpk_mpi_last_times (mpi_test.h: how the ranks
 * check). */
#include "mpi_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- hpk_mpi_block_range ------------------------------------------------------ */

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
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_range),
        cmocka_unit_test(test_sub_communicators),
        cmocka_unit_test(test_timing),
    };
    return mpi_test_main(argc, argv, "comm", tests, sizeof tests / sizeof tests[0]);
}
