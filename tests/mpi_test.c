/* The distributed layer's test harness (mpi_test.h). */
#define _POSIX_C_SOURCE 200809L /* setenv, getpid */

#include "mpi_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rank, size;
static int local_failures;
static FILE *diag; /* where failed checks are reported */

void check_failed(const char *file, int line, const char *fmt, ...)
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

void agree(void)
{
    int mine = local_failures, most = 0;
    local_failures = 0;
    MPI_Allreduce(&mine, &most, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (most)
        fail_msg("a check failed on at least one rank (%d on the worst; details on stderr)", most);
}

hpk_ctx *ctx_under_test(void)
{
    return test_ctx(test_backend == HPK_BACKEND_OPENMP ? 2 : 0);
}

hpk_ctx *serial_ctx(void)
{
    hpk_ctx *ctx = NULL;
    if (hpk_ctx_create(&ctx, HPK_BACKEND_SERIAL) != HPK_SUCCESS)
        fail_msg("hpk_ctx_create(serial): %s", hpk_ctx_error_message(NULL));
    return ctx;
}

void block_of(split how, int64_t n, int64_t *first, int64_t *count)
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

size_t span(int64_t n, int64_t inc)
{
    return n > 0 ? test_span(n, inc) : 1;
}

void check_same_result(const char *what, hpk_mc_result got, hpk_mc_result want)
{
    CHECK(memcmp(&got.estimate, &want.estimate, sizeof got.estimate) == 0 &&
              (memcmp(&got.std_error, &want.std_error, sizeof got.std_error) == 0 ||
               (isnan(got.std_error) && isnan(want.std_error))) &&
              got.samples == want.samples,
          "%s: %.17g +- %.17g (%llu), single process %.17g +- %.17g (%llu)", what, got.estimate, got.std_error,
          (unsigned long long)got.samples, want.estimate, want.std_error, (unsigned long long)want.samples);
}

double inside_ball(const double *p, int dim, void *user_data)
{
    (void)user_data;
    double r2 = 0.0;
    for (int d = 0; d < dim; d++)
        r2 += p[d] * p[d];
    return r2 < 1.0 ? 1.0 : 0.0;
}

int mpi_test_main(int argc, char **argv, const char *area, const struct CMUnitTest *tests, size_t count)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    /* "mixed": OpenCL contexts on the odd ranks, serial ones on the even. */
    const bool mixed = argc >= 2 && strcmp(argv[1], "mixed") == 0;
    char *backend_args[] = {argv[0], mixed ? (rank % 2 ? "opencl" : "serial") : argc >= 2 ? argv[1] : NULL};
    if (test_parse_backend(argc >= 2 ? 2 : argc, backend_args)) {
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
    char group[96];
    snprintf(group, sizeof group, "mpi %s (%s, %d rank%s)", area, mixed ? "mixed serial/opencl" : test_backend_name,
             size, size > 1 ? "s" : "");
    const int failed = _cmocka_run_group_tests(group, tests, count, NULL, NULL);
    int any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (*xml)
        remove(xml);
    MPI_Finalize();
    return any ? 1 : 0;
}
