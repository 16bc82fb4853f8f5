/* The plain per-sample Philox loop of Monte Carlo pi (philox_loop.c), for
 * the harness (C++) to call. */
#ifndef HPK_BENCH_PHILOX_LOOP_H
#define HPK_BENCH_PHILOX_LOOP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The hits of samples 0 .. samples - 1 under `seed` (hpk_mc_pi's test),
 * counted on `threads` threads. */
uint64_t hpkb_philox_loop_hits(uint64_t samples, uint64_t seed, int threads);

#ifdef __cplusplus
}
#endif

#endif
