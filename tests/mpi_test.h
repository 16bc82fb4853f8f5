/* The harness of the distributed layer's tests (test_mpi_*.c, one program per
 * area), run under mpirun with any number of ranks: every rank builds the
 * whole problem from a seed, passes its own block, and compares with the
 * single-process result on the whole problem -- bitwise for Monte Carlo,
 * GEMV of both kinds and the reductions, on balanced, skewed and arbitrary
 * uneven splits.  Bad input on one rank, and ranks that disagree, must give
 * the same status on every rank.
 *
 * The ranks stay in step: checks inside a test only count failures (printed
 * on stderr with the rank), and each test ends by agreeing on the count, so
 * a failure fails the test on every rank.  Only rank 0 writes cmocka's report
 * to stdout; the exit status is nonzero on every rank if any test failed
 * anywhere. */
#ifndef HPK_TEST_MPI_TEST_H
#define HPK_TEST_MPI_TEST_H

#include "support.h"

#include <hpk/hpk_mpi.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* This process's rank in MPI_COMM_WORLD and the number of ranks. */
extern int rank, size;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond))                                                            \
            check_failed(__FILE__, __LINE__, __VA_ARGS__);                      \
    } while (0)

/* One line per failed check, written at once so ranks' lines do not mix. */
__attribute__((format(printf, 3, 4))) void check_failed(const char *file, int line, const char *fmt, ...);

#define CHECK_STATUS(st, want, ctx)                                                        \
    CHECK((st) == (want), "status %s, expected %s; message: %s", hpk_status_string(st),    \
          hpk_status_string(want), hpk_ctx_error_message(ctx))

/* Ends a test: fails it on every rank if a check failed on any. */
void agree(void);

/* The context under test (with two threads on OpenMP) and the serial
 * reference context. */
hpk_ctx *ctx_under_test(void);
hpk_ctx *serial_ctx(void);

/* How a global length is split: balanced (hpk_mpi_block_range), or skewed
 * (rank 0 empty when there are several ranks, the rest balanced). */
typedef enum split { BALANCED, SKEWED } split;

void block_of(split how, int64_t n, int64_t *first, int64_t *count);

/* Elements to allocate for a strided vector (at least one). */
size_t span(int64_t n, int64_t inc);

/* Monte Carlo results bitwise equal (a NaN std_error equal to a NaN). */
void check_same_result(const char *what, hpk_mc_result got, hpk_mc_result want);

/* The indicator of the unit ball, an integrand. */
double inside_ball(const double *p, int dim, void *user_data);

/* The main() of a test program: MPI_Init, the backend from argv[1] (or
 * "mixed": OpenCL on the odd ranks, serial on the even ones), the
 * tests as the group "mpi AREA (backend, P ranks)" with rank 0's report
 * alone on stdout, MPI_Finalize; 0 when every test passed on every rank. */
int mpi_test_main(int argc, char **argv, const char *area, const struct CMUnitTest *tests, size_t count);

#endif /* HPK_TEST_MPI_TEST_H */
