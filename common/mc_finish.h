/* How Monte Carlo partials are merged and turned into an hpk_mc_result,
 * shared by the CPU kernels (kernels/mc.c) and the OpenCL host code (cl/mc.c)
 * so that both finish with the same formulas. */
#ifndef HPK_MC_FINISH_H
#define HPK_MC_FINISH_H

#include "hpk/hpk.h"

#include <math.h>

/* Count, mean and sum of squared deviations of a set of integrand values. */
typedef struct hpk__moments {
    double count, mean, m2;
} hpk__moments;

/* left := left and right together (Chan, Golub and LeVeque's pairwise
 * update); an empty side changes nothing. */
static inline void hpk__moments_merge(hpk__moments *left, const hpk__moments *right)
{
    if (right->count == 0.0)
        return;
    if (left->count == 0.0) {
        *left = *right;
        return;
    }
    const double count = left->count + right->count, delta = right->mean - left->mean;
    left->mean += delta * (right->count / count);
    left->m2 += right->m2 + delta * delta * (left->count * right->count / count);
    left->count = count;
}

/* pi from the hit count: 4 p, with the binomial standard error. */
static inline void hpk__mc_pi_result(uint64_t samples, uint64_t hits, hpk_mc_result *result)
{
    const double p = (double)hits / (double)samples;
    result->estimate = 4.0 * p;
    result->std_error = 4.0 * sqrt(p * (1.0 - p) / (double)samples);
    result->samples = samples;
}

/* The integral from the moments of all samples: volume times the mean, with
 * the standard error from the sample variance (NaN for one sample). */
static inline void hpk__mc_integrate_result(int dim, const double *lower, const double *upper, uint64_t samples,
                                            const hpk__moments *total, hpk_mc_result *result)
{
    double volume = 1.0;
    for (int d = 0; d < dim; d++)
        volume *= upper[d] - lower[d];
    const double n = (double)samples;
    result->estimate = volume * total->mean;
    /* m2 >= 0 mathematically; rounding may leave it a hair below zero. */
    result->std_error = samples > 1 ? volume * sqrt(fmax(total->m2, 0.0) / (n - 1.0) / n) : NAN;
    result->samples = samples;
}

#endif /* HPK_MC_FINISH_H */
