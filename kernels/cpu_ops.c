/* The backend tables of one CPU code path (this file is compiled once per
 * path, like the kernels it lists). */
#include "cpu_kernels.h"
#include "runner.h"

const hpk__ops HPK__PATH_FN(hpk__serial_ops) = {
    .name = "serial",
    .runner = &hpk__serial_runner,
    HPK__CPU_KERNELS
};

#ifdef HPK_HAVE_OPENMP
const hpk__ops HPK__PATH_FN(hpk__omp_ops) = {
    .name = "openmp",
    .runner = &hpk__omp_runner,
    HPK__CPU_KERNELS
};
#endif
