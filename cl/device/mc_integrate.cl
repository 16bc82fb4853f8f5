/* Monte Carlo integration over a box of an OpenCL C integrand, which the
 * host places before this file (defining HPK_USER_INTEGRAND), in the
 * canonical order of order.h: work-item k summarises block first_block + k
 * of HPK__MC_BLOCK samples exactly as the CPU kernels do (kernels/mc.c:
 * sample i's point from common/philox.h, sums shifted by the block's first
 * value, in index order, no contraction into fma) and writes (count, mean,
 * m2) to part[3 k + {0, 1, 2}]; the host combines the blocks pairwise with
 * Chan's update (mc_finish.h).  Where the integrand gives the host's values
 * bit for bit, the result is the CPU backends'. */
#include "order.h"
#include "common.clh"
#include "philox.h"

#ifndef HPK_DIM
#define HPK_DIM 2 /* dimensions of the box */
#endif

#ifndef HPK_USER_INTEGRAND
/* Built on its own (no integrand placed before this file): a stand-in. */
double hpk_integrand(const double *point, int dim)
{
    return point[0] + dim;
}
#endif

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

/* bounds: lower[0..HPK_DIM) then upper[0..HPK_DIM); blocks [first_block,
 * first_block + nblocks) of the samples. */
HPK_KERNEL void mc_integrate(ulong samples, ulong seed, ulong first_block, ulong nblocks,
                             __constant const double *bounds, __global double *part)
{
    const ulong k = get_global_id(0);
    if (k >= nblocks)
        return;
    const ulong begin = (first_block + k) * HPK__MC_BLOCK;
    const ulong end = samples - begin < HPK__MC_BLOCK ? samples : begin + HPK__MC_BLOCK;
    double point[HPK_DIM];
    double shift = 0.0, s1 = 0.0, s2 = 0.0;
    for (ulong i = begin; i < end; i++) {
        sample_point(seed, i, bounds, bounds + HPK_DIM, point);
        const double v = hpk_integrand(point, HPK_DIM);
        if (i == begin)
            shift = v;
        const double d = v - shift;
        s1 += d;
        s2 += d * d;
    }
    const double count = (double)(end - begin);
    part[3 * k] = count;
    part[3 * k + 1] = shift + s1 / count;
    part[3 * k + 2] = s2 - s1 * s1 / count;
}
