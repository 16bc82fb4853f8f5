/* The serial backend: the shared CPU kernels run on the calling thread. */
#include "cpu_kernels.h"
#include "runner.h"

const hpk__ops hpk__serial_ops = {
    .name = "serial",
    .runner = &hpk__serial_runner,
    HPK__CPU_KERNELS,
};
