/* Monte Carlo pi: sample i hits when its Philox words (w0, w1) of counter
 * g = 0 satisfy w0^2 + w1^2 < 2^64 -- the CPU backends' code, from the same
 * file, so the hit count is exactly theirs.  Each work-group writes its hit
 * count to part[group]; the host adds them (integers: any order is exact). */
#include "common.clh"

/* philox.h also defines hpk__u01_53, unused here, in double: on a device
 * without fp64 it is compiled in float so that the file still builds. */
#if !HPK_FP64
#define double float
#endif
#include "philox.h"
#if !HPK_FP64
#undef double
#endif

HPK_KERNEL void mc_pi(ulong samples, ulong seed, ulong run, __global ulong *part)
{
    __local ulong sh[WGS];
    const int lid = get_local_id(0);
    HPK_SAMPLE_RANGE(samples, run, base, count, iters);
    ulong hits = 0;
    for (ulong k = 0; k < iters; k++) {
        const ulong offset = k * WGS + (ulong)lid;
        const hpk__philox4 r = hpk__philox_sample(seed, base + offset, 0);
        hits += (ulong)(hpk__pi_hit(r.v[0], r.v[1]) & (offset < count));
    }
    sh[lid] = hits;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = WGS / 2; w > 0; w >>= 1) {
        if (lid < w)
            sh[lid] += sh[lid + w];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0)
        part[get_group_id(0)] = sh[0];
}
