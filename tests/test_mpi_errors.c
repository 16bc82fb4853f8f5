/* Bad input on one rank, and ranks that disagree: the same status and
 * message on every rank, nothing written (mpi_test.h: how the ranks
 * check). */
#include "mpi_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_on_one_rank),
        cmocka_unit_test(test_ranks_that_disagree),
    };
    return mpi_test_main(argc, argv, "errors", tests, sizeof tests / sizeof tests[0]);
}
