/* The lanes of order.h as the CPU kernels hold them, their fold, and
 * strided vectors as the reduction kernels see them.  HPK__LANES_F64
 * double lanes are HPK__NVD vectors of the path's width (simd.h), vector q
 * holding lanes q HPK__VD_N .. (q + 1) HPK__VD_N - 1; HPK__LANES_F32 float
 * lanes are HPK__NVF float vectors, or HPK__NVW double vectors once
 * widened.  A strided vector is a base pointer to logical element 0 and an
 * increment (negative increments walk from the end, as in BLAS). */
#ifndef HPK_VEC_H
#define HPK_VEC_H

#include "order.h"
#include "simd.h"
#include "strided.h"

#include <stdbool.h>
#include <stdint.h>

#define HPK__NVD (HPK__LANES_F64 / HPK__VD_N) /* double lanes: 2 (AVX-512), 4 (AVX2), 8 (SSE2, NEON) vectors */
#define HPK__NVF (HPK__LANES_F32 / HPK__VF_N) /* float lanes: 4, 8 or 16 vectors */
#define HPK__NVW (HPK__LANES_F32 / HPK__VD_N) /* float lanes widened to double: 8, 16 or 32 vectors */

_Static_assert(HPK__LANES_F64 % HPK__VD_N == 0 && HPK__LANES_F32 % HPK__VF_N == 0,
               "order.h's lanes fill whole vectors of every path");

typedef struct hpk__vec {
    const void *base; /* logical element 0 */
    int64_t inc;
    bool f32;         /* float elements (else double) */
} hpk__vec;

static inline hpk__vec hpk__vec_make(const void *x, int64_t n, int64_t inc, bool f32)
{
    const int64_t origin = hpk__vector_origin(n, inc);
    const void *base = f32 ? (const void *)((const float *)x + origin) : (const void *)((const double *)x + origin);
    return (hpk__vec){base, inc, f32};
}

static inline double hpk__vec_at(const hpk__vec *v, int64_t i)
{
    return v->f32 ? (double)((const float *)v->base)[i * v->inc] : ((const double *)v->base)[i * v->inc];
}

static inline bool hpk__vec_is_dense_f64(const hpk__vec *v)
{
    return !v->f32 && v->inc == 1;
}

static inline bool hpk__vec_is_dense_f32(const hpk__vec *v)
{
    return v->f32 && v->inc == 1;
}

/* Lane groups.  A loop whose `live` accumulator vectors (and `temps` more)
 * would not fit the path's registers runs its lanes in groups, one group
 * after the other over the same elements: each lane still takes its
 * elements in order, so the bits are those of one pass. */
#define HPK__LANE_GROUPS(live, temps)             \
    ((live) + (temps) <= HPK__VREGS       ? 1       \
     : (live) / 2 + (temps) <= HPK__VREGS ? 2       \
     : (live) / 4 + (temps) <= HPK__VREGS ? 4       \
                                          : 8)

/* HPK__FOLD_LANES (order.h) on the lanes of one vector: lane l takes lane
 * l + w, w halving, each level one add of the vector's two halves. */
typedef double hpk__v2d __attribute__((vector_size(16)));
typedef double hpk__v4d __attribute__((vector_size(32)));
typedef float hpk__v2f __attribute__((vector_size(8)));
typedef float hpk__v4f __attribute__((vector_size(16)));
typedef float hpk__v8f __attribute__((vector_size(32)));

#define HPK__HALVES_ADD(type, v)                                    \
    __extension__({                                                 \
        type hpk__lo, hpk__hi;                                      \
        memcpy(&hpk__lo, &(v), sizeof hpk__lo);                     \
        memcpy(&hpk__hi, (const char *)&(v) + sizeof hpk__lo, sizeof hpk__hi); \
        hpk__lo + hpk__hi;                                          \
    })

static inline __attribute__((always_inline)) double hpk__fold_in_vd(hpk__vd v)
{
#if HPK__VBYTES == 64 /* (the halves through memory would cost a store and two loads) */
    const hpk__v4d v32 =
        (hpk__v4d)_mm512_castpd512_pd256((__m512d)v) + (hpk__v4d)_mm512_extractf64x4_pd((__m512d)v, 1);
#else
    const hpk__vd v32 = v;
#endif
#if HPK__VBYTES >= 32
    const hpk__v2d v16 = HPK__HALVES_ADD(hpk__v2d, v32);
#else
    const hpk__vd v16 = v32;
#endif
    return v16[0] + v16[1];
}

static inline __attribute__((always_inline)) float hpk__fold_in_vf(hpk__vf v)
{
#if HPK__VBYTES == 64
    const hpk__v8f v32 = (hpk__v8f)_mm512_castps512_ps256((__m512)v) +
                         (hpk__v8f)_mm256_castpd_ps(_mm512_extractf64x4_pd((__m512d)v, 1));
#else
    const hpk__vf v32 = v;
#endif
#if HPK__VBYTES >= 32
    const hpk__v4f v16 = HPK__HALVES_ADD(hpk__v4f, v32);
#else
    const hpk__vf v16 = v32;
#endif
    const hpk__v2f v8 = HPK__HALVES_ADD(hpk__v2f, v16);
    return v8[0] + v8[1];
}

/* The fold of one vector's N lanes (hpk__fold_in_vd) of N vectors
 * v[0 .. N) at once: lane p of the result is v[p]'s fold, the same
 * adds in the same order, the lanes brought together by shuffles.  Each
 * level halves every vector's share of lanes and pairs two vectors'
 * halves in one: after it, vector i holds the partial lanes of rows i,
 * i + count, i + 2 count, ... (count: the vectors left).  The first level
 * (HPK__ACROSS_FIRST_VD, of rows i and i + N / 2) can be taken as the rows
 * come, so that no more than N / 2 + 2 of them are held;
 * HPK__ACROSS_REST_VD takes the N / 2 vectors from there. */
#define HPK__SHUFFLE __builtin_shufflevector
#define HPK__ACROSS_FIRST_2(a, b) (HPK__SHUFFLE(a, b, 0, 2) + HPK__SHUFFLE(a, b, 1, 3))
#define HPK__ACROSS_REST_2(t) ((t)[0])
#define HPK__ACROSS_FIRST_4(a, b) (HPK__SHUFFLE(a, b, 0, 1, 4, 5) + HPK__SHUFFLE(a, b, 2, 3, 6, 7))
#define HPK__ACROSS_REST_4(t) (HPK__SHUFFLE((t)[0], (t)[1], 0, 4, 2, 6) + HPK__SHUFFLE((t)[0], (t)[1], 1, 5, 3, 7))
#define HPK__ACROSS_FIRST_8(a, b) \
    (HPK__SHUFFLE(a, b, 0, 1, 2, 3, 8, 9, 10, 11) + HPK__SHUFFLE(a, b, 4, 5, 6, 7, 12, 13, 14, 15))
#define HPK__ACROSS_REST_8(t)                                                                                \
    __extension__({                                                                                          \
        __typeof__((t)[0]) u8_[2];                                                                           \
        for (int i_ = 0; i_ < 2; i_++) /* rows i, i + 2, i + 4, i + 6 */                                     \
            u8_[i_] = HPK__SHUFFLE((t)[i_], (t)[i_ + 2], 0, 1, 8, 9, 4, 5, 12, 13) +                         \
                      HPK__SHUFFLE((t)[i_], (t)[i_ + 2], 2, 3, 10, 11, 6, 7, 14, 15);                        \
        HPK__SHUFFLE(u8_[0], u8_[1], 0, 8, 2, 10, 4, 12, 6, 14) +                                            \
            HPK__SHUFFLE(u8_[0], u8_[1], 1, 9, 3, 11, 5, 13, 7, 15);                                         \
    })
#if HPK__VD_N == 8
#define HPK__ACROSS_FIRST_VD HPK__ACROSS_FIRST_8
#define HPK__ACROSS_REST_VD(t) HPK__ACROSS_REST_8(t)
#elif HPK__VD_N == 4
#define HPK__ACROSS_FIRST_VD HPK__ACROSS_FIRST_4
#define HPK__ACROSS_REST_VD(t) HPK__ACROSS_REST_4(t)
#else
#define HPK__ACROSS_FIRST_VD HPK__ACROSS_FIRST_2
#define HPK__ACROSS_REST_VD(t) HPK__ACROSS_REST_2(t)
#endif

static inline __attribute__((always_inline)) hpk__vd hpk__fold_in_across_vd(const hpk__vd *v)
{
    hpk__vd t[HPK__VD_N / 2];
    for (int i = 0; i < HPK__VD_N / 2; i++)
        t[i] = HPK__ACROSS_FIRST_VD(v[i], v[i + HPK__VD_N / 2]);
    return HPK__ACROSS_REST_VD(t);
}

/* One halving of a fold of `count` vectors (a power of two): v[q] +=
 * v[q + w] for q < w, those adds only whose v[q + w] is below `live`
 * (the vectors the caller wrote; count for all).  A loop of constant
 * length, so that GCC unrolls it early and keeps v, when the caller's
 * array of accumulators, in registers (a loop halving its width left the
 * array on the stack: a store and a reload per vector at the end of every
 * GEMV row). */
/* (its reads are of vectors below `live`, which GCC cannot see) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define HPK__FOLD_HALVING(v, count, w, live)               \
    if ((count) > (w)) {                                   \
        HPK__EACH(q_, w) {                                 \
            if (q_ + (w) < (live))                         \
                (v)[q_] += (v)[q_ + (w)];                  \
        }                                                  \
    }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* v[q] += v[q + count / 2], then v[q] += v[q + count / 4], ... down to
 * v[0] += v[1], for count a power of two up to 64, of which only the
 * first `live` vectors are read (the others' adds are left out: the
 * caller knows them to be +0.0, which changes no lane); HPK__FOLD_VECTORS
 * reads all. */
#define HPK__FOLD_LIVE_HALVING(v, count, w, live) \
    HPK__FOLD_HALVING(v, count, w, live)          \
    (live) = (live) < (w) ? (live) : (w);
#define HPK__FOLD_LIVE(v, count, live)                       \
    do {                                                     \
        int fold_live_ = (live);                             \
        HPK__FOLD_LIVE_HALVING(v, count, 32, fold_live_)     \
        HPK__FOLD_LIVE_HALVING(v, count, 16, fold_live_)     \
        HPK__FOLD_LIVE_HALVING(v, count, 8, fold_live_)      \
        HPK__FOLD_LIVE_HALVING(v, count, 4, fold_live_)      \
        HPK__FOLD_LIVE_HALVING(v, count, 2, fold_live_)      \
        HPK__FOLD_LIVE_HALVING(v, count, 1, fold_live_)      \
    } while (0)
#define HPK__FOLD_VECTORS(v, count) HPK__FOLD_LIVE(v, count, count)

/* The fold of order.h on `count` vectors of double lanes (count a power of
 * two): lane l takes lane l + L/2, then l + L/4, ...: whole vectors while
 * the width is at least a vector, then within vector 0. */
static inline __attribute__((always_inline)) double hpk__fold_vd(hpk__vd *v, int count)
{
    HPK__FOLD_VECTORS(v, count);
    return hpk__fold_in_vd(v[0]);
}

/* The same fold on float lanes, in float. */
static inline __attribute__((always_inline)) float hpk__fold_vf(hpk__vf *v, int count)
{
    HPK__FOLD_VECTORS(v, count);
    return hpk__fold_in_vf(v[0]);
}

#endif /* HPK_VEC_H */
