/* The OpenMP backend: the shared CPU kernels spread over the context's
 * threads. */
#include "cpu_kernels.h"
#include "runner.h"

const hpk__ops hpk__omp_ops = {
    .name = "openmp",
    .runner = &hpk__omp_runner,
    HPK__CPU_KERNELS,
};
