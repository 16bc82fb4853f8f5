/* Monte Carlo integration over a box of an OpenCL C integrand, which the
 * host places before this file (defining HPK_USER_INTEGRAND).  Sample i's
 * point is the CPU backends' (kernels/philox.h, no contraction into fma).
 * Each work-item summarises its samples in blocks of BLOCK as (count, mean,
 * m2) -- sums shifted by the block's first value -- merged with Chan's
 * update; the group merges its work-items pairwise and writes part[3 group
 * + {0, 1, 2}]; the host merges the groups pairwise in order. */
#include "common.clh"
#include "philox.h"

#ifndef HPK_DIM
#define HPK_DIM 2 /* dimensions of the box */
#endif
#define BLOCK 1024 /* samples per block of a work-item */

#ifndef HPK_USER_INTEGRAND
/* Built on its own (no integrand placed before this file): a stand-in. */
double hpk_integrand(const double *point, int dim)
{
    return point[0] + dim;
}
#endif

typedef struct moments {
    double count, mean, m2;
} moments;

/* Chan, Golub and LeVeque's pairwise update; empty summaries are neutral. */
inline moments moments_merge(moments l, moments r)
{
    if (r.count == 0.0)
        return l;
    if (l.count == 0.0)
        return r;
    const double count = l.count + r.count, delta = r.mean - l.mean;
    l.mean += delta * (r.count / count);
    l.m2 += r.m2 + delta * delta * (l.count * r.count / count);
    l.count = count;
    return l;
}

/* Coordinate d of sample i: the (d % 2)-th pair of words of counter d / 2. */
inline void sample_point(ulong seed, ulong i, __constant const double *lower, __constant const double *upper,
                         double *point)
{
    for (int d = 0; d < HPK_DIM; d += 2) {
        const hpk__philox4 r = hpk__philox_sample(seed, i, (uint)(d / 2));
        for (int k = 0; k < 2 && d + k < HPK_DIM; k++) {
            const double u = hpk__u01_53(r.v[2 * k], r.v[2 * k + 1]);
            point[d + k] = lower[d + k] + (upper[d + k] - lower[d + k]) * u;
        }
    }
}

/* bounds: lower[0..HPK_DIM) then upper[0..HPK_DIM). */
HPK_KERNEL void mc_integrate(ulong samples, ulong seed, ulong run, __constant const double *bounds,
                             __global double *part)
{
    __local double shc[WGS], shm[WGS], shq[WGS];
    const int lid = get_local_id(0);
    HPK_SAMPLE_RANGE(samples, run, base, count, iters);
    double point[HPK_DIM];
    moments mine = {0.0, 0.0, 0.0};
    for (ulong k0 = 0; k0 < iters; k0 += BLOCK) {
        const ulong first = k0 * WGS + (ulong)lid; /* offsets from base */
        if (first >= count)
            break;
        const ulong stop = min(count, first + (ulong)BLOCK * WGS);
        double shift = 0.0, s1 = 0.0, s2 = 0.0, taken = 0.0;
        for (ulong offset = first; offset < stop; offset += WGS) {
            sample_point(seed, base + offset, bounds, bounds + HPK_DIM, point);
            const double v = hpk_integrand(point, HPK_DIM);
            if (offset == first)
                shift = v;
            const double d = v - shift;
            s1 += d;
            s2 += d * d;
            taken += 1.0;
        }
        const moments blk = {taken, shift + s1 / taken, s2 - s1 * s1 / taken};
        mine = moments_merge(mine, blk);
    }

    shc[lid] = mine.count;
    shm[lid] = mine.mean;
    shq[lid] = mine.m2;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = WGS / 2; w > 0; w >>= 1) {
        if (lid < w) {
            const moments l = {shc[lid], shm[lid], shq[lid]}, r = {shc[lid + w], shm[lid + w], shq[lid + w]};
            const moments m = moments_merge(l, r);
            shc[lid] = m.count;
            shm[lid] = m.mean;
            shq[lid] = m.m2;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        part[3 * get_group_id(0)] = shc[0];
        part[3 * get_group_id(0) + 1] = shm[0];
        part[3 * get_group_id(0) + 2] = shq[0];
    }
}
