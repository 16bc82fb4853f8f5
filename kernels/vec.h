/* Strided vectors as the kernels see them: a base pointer to logical element
 * 0 and an increment (negative increments walk from the end, as in BLAS), and
 * chunks of them loaded as doubles. */
#ifndef HPK_VEC_H
#define HPK_VEC_H

#include <stdbool.h>
#include <stdint.h>

/* Independent accumulators per reduction block: 16 doubles is two AVX-512,
 * four AVX2 or eight SSE2 registers, so every code path runs the same
 * arithmetic. */
#define HPK__LANES 16

typedef struct hpk__vec {
    const void *base; /* logical element 0 */
    int64_t inc;
    bool f32;         /* float elements (else double) */
} hpk__vec;

static inline hpk__vec hpk__vec_make(const void *x, int64_t n, int64_t inc, bool f32)
{
    hpk__vec v = {x, inc, f32};
    if (inc < 0) {
        const int64_t offset = (n - 1) * -inc;
        v.base = f32 ? (const void *)((const float *)x + offset) : (const void *)((const double *)x + offset);
    }
    return v;
}

static inline double hpk__vec_at(const hpk__vec *v, int64_t i)
{
    return v->f32 ? (double)((const float *)v->base)[i * v->inc] : ((const double *)v->base)[i * v->inc];
}

/* Logical elements [i, i + count), count <= HPK__LANES, as HPK__LANES doubles
 * padded with zeros: a pointer into the vector itself when it is contiguous
 * double data, else `buf` filled with the converted elements. */
static inline const double *hpk__vec_chunk(const hpk__vec *v, int64_t i, int64_t count, double *buf)
{
    if (!v->f32 && v->inc == 1 && count == HPK__LANES)
        return (const double *)v->base + i;
    if (v->f32 && v->inc == 1) {
        const float *p = (const float *)v->base + i;
        for (int l = 0; l < HPK__LANES; l++)
            buf[l] = l < count ? (double)p[l] : 0.0;
        return buf;
    }
    for (int l = 0; l < HPK__LANES; l++)
        buf[l] = l < count ? hpk__vec_at(v, i + l) : 0.0;
    return buf;
}

/* The lanes' total, halving: lane l takes lane l + w for w = 8, 4, 2, 1. */
static inline double hpk__lanes_total(double *acc)
{
    for (int w = HPK__LANES / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; l++)
            acc[l] += acc[l + w];
    return acc[0];
}

#endif /* HPK_VEC_H */
