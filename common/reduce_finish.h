/* How reduction partials are finished and combined, shared by the CPU
 * kernels (kernels/reduce.c), the OpenCL host code (cl/) and the MPI layer
 * (mpi/), so that every backend applies the same rules. */
#ifndef HPK_REDUCE_FINISH_H
#define HPK_REDUCE_FINISH_H

#include <math.h>
#include <stdint.h>

/* The norm from Blue's three sums (small values scaled up by ssml, medium
 * ones as they are, big ones scaled down by sbig), as LAPACK 3.10 finishes
 * ?nrm2: never overflows or underflows on the way; NaN in, NaN out. */
static inline double hpk__nrm2_finish(double asml, double amed, double abig, double ssml, double sbig)
{
    if (abig > 0.0) {
        if (amed > 0.0 || isnan(amed))
            abig += (amed * sbig) * sbig;
        return sqrt(abig) / sbig;
    }
    if (asml > 0.0) {
        if (amed > 0.0 || isnan(amed)) {
            amed = sqrt(amed);
            asml = sqrt(asml) / ssml;
            const double ymin = asml > amed ? amed : asml, ymax = asml > amed ? asml : amed;
            const double ratio = ymin / ymax;
            return sqrt(ymax * ymax * (1.0 + ratio * ratio));
        }
        return sqrt(asml) / ssml;
    }
    return sqrt(amed);
}

/* A candidate for i?amax: where, and |x| there (NaN counts as largest). */
typedef struct hpk__amax_node {
    int64_t index;
    double value;
} hpk__amax_node;

/* left := the winner of left and right, left holding the smaller indices: a
 * NaN on the left stays; a NaN or a strictly larger value on the right
 * replaces it; ties keep the left (the first index). */
static inline void hpk__amax_combine(hpk__amax_node *left, const hpk__amax_node *right)
{
    if (isnan(left->value))
        return;
    if (isnan(right->value) || right->value > left->value)
        *left = *right;
}

#endif /* HPK_REDUCE_FINISH_H */
