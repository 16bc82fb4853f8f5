/* Strided vectors as the reduction kernels see them: a base pointer to
 * logical element 0 and an increment (negative increments walk from the end,
 * as in BLAS), loaded HPK__LANES elements at a time as two hpk__v8d. */
#ifndef HPK_VEC_H
#define HPK_VEC_H

#include "order.h"
#include "simd.h"

#include <stdbool.h>
#include <stdint.h>

/* HPK__LANES (order.h) independent accumulators per reduction block: 16
 * doubles is two AVX-512, four AVX2 or eight SSE2 registers. */
_Static_assert(HPK__LANES == 16, "the CPU kernels hold the lanes as two hpk__v8d");

typedef struct hpk__vec {
    const void *base; /* logical element 0 */
    int64_t inc;
    bool f32;         /* float elements (else double) */
} hpk__vec;

/* Lanes 0-7 and 8-15 of one step. */
typedef struct hpk__lanes {
    hpk__v8d lo, hi;
} hpk__lanes;

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
    float f[16];
    memcpy(f, &v, sizeof f);
    hpk__lanes r;
    r.lo = __builtin_convertvector(hpk__load_v8f(f), hpk__v8d);
    r.hi = __builtin_convertvector(hpk__load_v8f(f + 8), hpk__v8d);
    return r;
}

/* Logical elements [i, i + count), count <= HPK__LANES, as doubles, the
 * lanes past count zero. */
static inline hpk__lanes hpk__vec_load(const hpk__vec *v, int64_t i, int64_t count)
{
    hpk__lanes r;
    if (count == HPK__LANES && v->inc == 1) {
        if (!v->f32) {
            const double *p = (const double *)v->base + i;
            r.lo = hpk__load_v8d(p);
            r.hi = hpk__load_v8d(p + 8);
        } else {
            const float *p = (const float *)v->base + i;
            r.lo = __builtin_convertvector(hpk__load_v8f(p), hpk__v8d);
            r.hi = __builtin_convertvector(hpk__load_v8f(p + 8), hpk__v8d);
        }
        return r;
    }
    double buf[HPK__LANES];
    for (int l = 0; l < HPK__LANES; l++)
        buf[l] = l < count ? hpk__vec_at(v, i + l) : 0.0;
    r.lo = hpk__load_v8d(buf);
    r.hi = hpk__load_v8d(buf + 8);
    return r;
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

/* The same fold of sixteen float lanes held in one vector. */
static inline float hpk__lanes_total_f(hpk__v16f acc)
{
    hpk__v8f a8, b8;
    memcpy(&a8, &acc, sizeof a8);
    memcpy(&b8, (const char *)&acc + sizeof a8, sizeof b8);
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
