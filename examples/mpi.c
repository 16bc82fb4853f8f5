/* hpk across MPI ranks: a distributed matrix-vector product whose result is
 * gathered on every rank, a distributed norm, and Monte Carlo pi whose
 * result is bitwise the single-process one.
 *   mpirun -np 2 ./mpi      (as root, Open MPI also wants --allow-run-as-root) */
#include <hpk/hpk_mpi.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    /* hpk calls MPI from the calling thread only: FUNNELED is enough. */
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* A = the n x n matrix with a_ij = 1 / (i + j + 1), split by rows. */
    const int64_t n = 2000;
    int64_t first, rows;
    hpk_mpi_block_range(MPI_COMM_WORLD, n, &first, &rows);
    double *a = malloc((size_t)(rows * n + 1) * sizeof *a), *x = malloc((size_t)n * sizeof *x);
    double *y = malloc((size_t)n * sizeof *y);
    if (!a || !x || !y)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < n; j++)
            a[i * n + j] = 1.0 / (double)(first + i + j + 1);
    for (int64_t j = 0; j < n; j++)
        x[j] = 1.0;

    int failed = 0;
    hpk_status st = hpk_mpi_dgemv(NULL, MPI_COMM_WORLD, HPK_MPI_Y_GATHERED, rows, n, 1.0, a, n, x, 1, 0.0, y, 1);
    double norm = 0.0;
    if (st == HPK_SUCCESS) /* every rank has all of y: its norm, over this rank's block */
        st = hpk_mpi_dnrm2(NULL, MPI_COMM_WORLD, rows, y + first, 1, &norm);
    if (st != HPK_SUCCESS) {
        fprintf(stderr, "rank %d: %s\n", rank, hpk_ctx_error_message(NULL));
        failed = 1;
    }

    hpk_mc_result pi, pi_one;
    st = hpk_mpi_mc_pi(NULL, MPI_COMM_WORLD, 10000000, 42, &pi);
    if (st != HPK_SUCCESS || hpk_mc_pi(NULL, 10000000, 42, &pi_one) != HPK_SUCCESS) {
        fprintf(stderr, "rank %d: %s\n", rank, hpk_ctx_error_message(NULL));
        failed = 1;
    }
    const hpk_mpi_times t = hpk_mpi_last_times();
    if (rank == 0 && !failed) {
        printf("%d rank(s): y = A 1 with y[0] = %.6f, ||y|| = %.6f\n", size, y[0], norm);
        printf("pi ~ %.6f +- %.6f on %d rank(s) (%.3f s, %.3f s in MPI); one process: %s\n", pi.estimate,
               pi.std_error, size, t.total_s, t.comm_s,
               pi.estimate == pi_one.estimate ? "the same bits" : "DIFFERENT");
        failed = pi.estimate != pi_one.estimate || fabs(pi.estimate - 3.14159265358979) > 6 * pi.std_error;
    }
    MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(a);
    free(x);
    free(y);
    MPI_Finalize();
    return failed;
}
