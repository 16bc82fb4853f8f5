/* The Monte Carlo pi a user would write with hpk's own Philox
 * (common/philox.h): one sample per iteration, scalar, hits summed by an
 * OpenMP reduction.  It counts exactly hpk_mc_pi's hits; the study's
 * philox_loop variant (bench_mc.cpp) is hpk's mc_pi against it, thread for
 * thread.  Compiled with the build's C flags, for the baseline ISA. */
#include "philox_loop.h"

#include "philox.h"

uint64_t hpkb_philox_loop_hits(uint64_t samples, uint64_t seed, int threads)
{
    uint64_t hits = 0;
#pragma omp parallel for num_threads(threads) reduction(+ : hits)
    for (uint64_t i = 0; i < samples; i++) {
        const hpk__philox4 r = hpk__philox_sample(seed, i, 0);
        hits += (uint64_t)hpk__pi_hit(r.v[0], r.v[1]);
    }
    return hits;
}
