/* The C probes' clock (hpk_spin_baseline, hpk_cl_first_call and the
 * *_probe programs): seconds on CLOCK_MONOTONIC (POSIX: in strict C the
 * includer defines _POSIX_C_SOURCE before any header). */
#ifndef HPK_PROBE_CLOCK_H
#define HPK_PROBE_CLOCK_H

#include <time.h>

static inline double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#endif /* HPK_PROBE_CLOCK_H */
