/* Fixed-width vectors for the lane arithmetic of the kernels (GCC vector
 * extensions).  Each CPU code path's compilation lowers them to its own
 * registers — one AVX-512 register, two AVX2 or four SSE2 ones — with the
 * same elementwise operations, so every path rounds identically. */
#ifndef HPK_SIMD_H
#define HPK_SIMD_H

#include <string.h>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

typedef double hpk__v8d __attribute__((vector_size(64)));
typedef double hpk__v4d __attribute__((vector_size(32)));
typedef double hpk__v2d __attribute__((vector_size(16)));
typedef float hpk__v4f __attribute__((vector_size(16)));
typedef float hpk__v2f __attribute__((vector_size(8)));
typedef float hpk__v16f __attribute__((vector_size(64)));
typedef float hpk__v8f __attribute__((vector_size(32)));
typedef long long hpk__v8l __attribute__((vector_size(64))); /* masks of hpk__v8d compares */
typedef unsigned long long hpk__v8u __attribute__((vector_size(64)));
typedef int hpk__v16i __attribute__((vector_size(64)));

/* Lane-wise select: mask lanes are all ones (take a) or all zeros (take b). */
static inline hpk__v8d hpk__select_v8d(hpk__v8l mask, hpk__v8d a, hpk__v8d b)
{
    return (hpk__v8d)(((hpk__v8l)a & mask) | ((hpk__v8l)b & ~mask));
}

/* Whether any lane of a mask is set. */
static inline int hpk__any_v8l(hpk__v8l mask)
{
    long long lanes[8];
    memcpy(lanes, &mask, sizeof lanes);
    long long any = 0;
    for (int l = 0; l < 8; l++)
        any |= lanes[l];
    return any != 0;
}

static inline hpk__v8d hpk__abs_v8d(hpk__v8d v)
{
    return (hpk__v8d)((hpk__v8l)v & 0x7fffffffffffffffLL);
}

static inline hpk__v16f hpk__abs_v16f(hpk__v16f v)
{
    return (hpk__v16f)((hpk__v16i)v & 0x7fffffff);
}

static inline hpk__v8d hpk__load_v8d(const double *p)
{
    hpk__v8d v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline hpk__v16f hpk__load_v16f(const float *p)
{
    hpk__v16f v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Floats 0-7 and 8-15 of a vector as doubles (exact).  One vcvtps2pd each
 * with AVX-512; GCC lowers the generic conversion of eight floats to an
 * extract, two conversions and an insert. */
static inline hpk__v8d hpk__widen_lo(hpk__v16f v)
{
#ifdef __AVX512F__
    return (hpk__v8d)_mm512_cvtps_pd(_mm512_castps512_ps256((__m512)v));
#else
    hpk__v8f h;
    memcpy(&h, &v, sizeof h);
    return __builtin_convertvector(h, hpk__v8d);
#endif
}

static inline hpk__v8d hpk__widen_hi(hpk__v16f v)
{
#ifdef __AVX512F__
    return (hpk__v8d)_mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd((__m512d)v, 1)));
#else
    hpk__v8f h;
    memcpy(&h, (const char *)&v + sizeof h, sizeof h);
    return __builtin_convertvector(h, hpk__v8d);
#endif
}

#endif /* HPK_SIMD_H */
