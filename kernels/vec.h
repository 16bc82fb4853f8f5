/* Strided vectors as the reduction kernels see them: a base pointer to
 * logical element 0 and an increment (negative increments walk from the end,
 * as in BLAS), loaded one step of the lanes of order.h at a time: double
 * data as HPK__LANES_F64 doubles (two hpk__v8d), float data as
 * HPK__LANES_F32 floats (four hpk__v16f). */
#ifndef HPK_VEC_H
#define HPK_VEC_H

#include "order.h"
#include "simd.h"
#include "strided.h"

#include <stdbool.h>
#include <stdint.h>

/* order.h's lanes per reduction block: 16 doubles is two AVX-512, four AVX2
 * or eight SSE2 registers; 64 floats four AVX-512 registers. */
_Static_assert(HPK__LANES_F64 == 16, "the CPU kernels hold double lanes as two hpk__v8d");
_Static_assert(HPK__LANES_F32 == 64, "the CPU kernels hold float lanes as four hpk__v16f");

typedef struct hpk__vec {
    const void *base; /* logical element 0 */
    int64_t inc;
    bool f32;         /* float elements (else double) */
} hpk__vec;

/* Lanes 0-7 and 8-15 of one step (double data, or widened float data). */
typedef struct hpk__lanes {
    hpk__v8d lo, hi;
} hpk__lanes;

/* Lanes 0-15, 16-31, 32-47 and 48-63 of one step of float data (named
 * fields, not an array, so that they stay in registers). */
typedef struct hpk__lanes_f {
    hpk__v16f a, b, c, d;
} hpk__lanes_f;

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

/* Sixteen floats as sixteen doubles (exact). */
static inline hpk__lanes hpk__widen_v16f(hpk__v16f v)
{
    return (hpk__lanes){hpk__widen_lo(v), hpk__widen_hi(v)};
}

/* Logical elements [i, i + count), count <= HPK__LANES_F64, as doubles,
 * the lanes past count zero. */
static inline hpk__lanes hpk__vec_load(const hpk__vec *v, int64_t i, int64_t count)
{
    hpk__lanes r;
    if (count == HPK__LANES_F64 && v->inc == 1) {
        if (!v->f32) {
            const double *p = (const double *)v->base + i;
            r.lo = hpk__load_v8d(p);
            r.hi = hpk__load_v8d(p + 8);
        } else {
            const float *p = (const float *)v->base + i;
            r = hpk__widen_v16f(hpk__load_v16f(p));
        }
        return r;
    }
    double buf[HPK__LANES_F64];
    for (int l = 0; l < HPK__LANES_F64; l++)
        buf[l] = l < count ? hpk__vec_at(v, i + l) : 0.0;
    r.lo = hpk__load_v8d(buf);
    r.hi = hpk__load_v8d(buf + 8);
    return r;
}

static inline hpk__lanes_f hpk__load_lanes_f(const float *p)
{
    return (hpk__lanes_f){hpk__load_v16f(p), hpk__load_v16f(p + 16), hpk__load_v16f(p + 32),
                          hpk__load_v16f(p + 48)};
}

/* Logical elements [i, i + count) of float data, count <= HPK__LANES_F32,
 * the lanes past count +0.0f. */
static inline hpk__lanes_f hpk__vec_load_f(const hpk__vec *v, int64_t i, int64_t count)
{
    const float *p = (const float *)v->base;
    if (count == HPK__LANES_F32 && v->inc == 1)
        return hpk__load_lanes_f(p + i);
    float buf[HPK__LANES_F32];
    for (int l = 0; l < HPK__LANES_F32; l++)
        buf[l] = l < count ? p[(i + l) * v->inc] : 0.0f;
    return hpk__load_lanes_f(buf);
}

/* The lanes' total, folded as order.h says: lane l takes lane l + 8, then
 * l + 4, l + 2, l + 1 -- the same additions as HPK__FOLD_LANES, each level
 * one add of a vector's two halves. */
static inline double hpk__lanes_total(hpk__lanes acc)
{
    const hpk__v8d t8 = acc.lo + acc.hi;
    hpk__v4d a4, b4;
    memcpy(&a4, &t8, sizeof a4);
    memcpy(&b4, (const char *)&t8 + sizeof a4, sizeof b4);
    const hpk__v4d t4 = a4 + b4;
    hpk__v2d a2, b2;
    memcpy(&a2, &t4, sizeof a2);
    memcpy(&b2, (const char *)&t4 + sizeof a2, sizeof b2);
    const hpk__v2d t2 = a2 + b2;
    return t2[0] + t2[1];
}

/* The fold of order.h on sixty-four float lanes, in float: lane l takes
 * lane l + 32 and l + 16 (whole vectors), then l + 8, l + 4, l + 2, l + 1
 * (halves of one vector). */
static inline float hpk__lanes_total_f(hpk__lanes_f acc)
{
    const hpk__v16f t16 = (acc.a + acc.c) + (acc.b + acc.d);
    hpk__v8f a8, b8;
    memcpy(&a8, &t16, sizeof a8);
    memcpy(&b8, (const char *)&t16 + sizeof a8, sizeof b8);
    const hpk__v8f t8 = a8 + b8;
    hpk__v4f a4, b4;
    memcpy(&a4, &t8, sizeof a4);
    memcpy(&b4, (const char *)&t8 + sizeof a4, sizeof b4);
    const hpk__v4f t4 = a4 + b4;
    hpk__v2f a2, b2;
    memcpy(&a2, &t4, sizeof a2);
    memcpy(&b2, (const char *)&t4 + sizeof a2, sizeof b2);
    const hpk__v2f t2 = a2 + b2;
    return t2[0] + t2[1];
}

#endif /* HPK_VEC_H */
