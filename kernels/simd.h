/* Vectors of the CPU code path's own register width for the lane arithmetic
 * of the kernels (GCC vector extensions): 64 bytes with AVX-512, 32 with
 * AVX/AVX2, 16 with SSE2, NEON and anything else.  The kernels hold their
 * lanes (order.h) as several such vectors, so each path keeps them in its
 * registers: a vector wider than the path's registers would live in memory
 * (GCC 12 keeps a 64-byte vector on the stack without AVX-512, every add
 * going through it).  The operations are elementwise, so every width rounds
 * identically.  A few primitives the vector extensions cannot say well
 * (widening loads, the 32 x 32 -> 64-bit multiply) use the ISA's intrinsic,
 * with a plain C fallback that gives the same bits. */
#ifndef HPK_SIMD_H
#define HPK_SIMD_H

#include <stdint.h>
#include <string.h>

#if defined(__AVX512F__)
#define HPK__VBYTES 64
#elif defined(__AVX__)
#define HPK__VBYTES 32
#else /* SSE2, NEON, others */
#define HPK__VBYTES 16
#endif

#if defined(__AVX__) || defined(__SSE2__)
#include <immintrin.h>
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#endif

/* Vector registers the path has: 32 with AVX-512 and on aarch64. */
#if HPK__VBYTES == 64 || defined(__aarch64__)
#define HPK__VREGS 32
#else
#define HPK__VREGS 16
#endif

#define HPK__VD_N (HPK__VBYTES / 8) /* doubles per vector */
#define HPK__VF_N (HPK__VBYTES / 4) /* floats per vector */

typedef double hpk__vd __attribute__((vector_size(HPK__VBYTES)));
typedef float hpk__vf __attribute__((vector_size(HPK__VBYTES)));
typedef long long hpk__vdm __attribute__((vector_size(HPK__VBYTES))); /* masks of hpk__vd compares */
typedef int hpk__vfm __attribute__((vector_size(HPK__VBYTES)));       /* masks of hpk__vf compares */
typedef unsigned long long hpk__vu __attribute__((vector_size(HPK__VBYTES)));

/* The same types for loads from and stores to any element address. */
typedef double hpk__vd_mem __attribute__((vector_size(HPK__VBYTES), aligned(8), may_alias));
typedef float hpk__vf_mem __attribute__((vector_size(HPK__VBYTES), aligned(4), may_alias));
typedef long long hpk__vdm_mem __attribute__((vector_size(HPK__VBYTES), aligned(8), may_alias));
typedef int hpk__vfm_mem __attribute__((vector_size(HPK__VBYTES), aligned(4), may_alias));

/* Keeps a loaded vector in a register: a compiler that may load an operand
 * again from memory for each use (GCC's choice when registers run short)
 * would double the loads of a kernel that shares one load among several
 * products. */
#if defined(__x86_64__) && defined(__SSE2__)
#define HPK__IN_REGISTER(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define HPK__IN_REGISTER(v) __asm__("" : "+w"(v))
#else
#define HPK__IN_REGISTER(v) ((void)0)
#endif

/* Keeps a vector in memory: v's value is stored there, and read from there
 * at its next use.  For lanes a kernel holds in L1 on purpose (more than
 * the registers hold), which a compiler would otherwise keep in registers
 * and pay for with spills of others. */
#define HPK__IN_MEMORY(v) __asm__("" : "+m"(v))

/* Loops over a fixed number of vectors, unrolled so that each stays in a
 * register of its own. */
#define HPK__EACH(q, count) _Pragma("GCC unroll 32") for (int q = 0; q < (count); q++)

/* Sets v[0 .. count) to zero, each vector on its own.  GCC clears an array
 * of vectors initialised with {0} as a block of memory (`rep stos`, or
 * 8-byte stores that the vector loads after them cannot forward from), and
 * keeps it there: that cost a block of the float sums a fifth of its time
 * on Zen 3.  Accumulators start with this instead. */
#define HPK__ZERO_EACH(v, count)                   \
    HPK__EACH(hpk__z, count) {                     \
        (v)[hpk__z] = (__typeof__((v)[0])){0};     \
    }

static inline __attribute__((always_inline)) hpk__vd hpk__vd_load(const double *p)
{
    return *(const hpk__vd_mem *)p;
}

static inline __attribute__((always_inline)) hpk__vf hpk__vf_load(const float *p)
{
    return *(const hpk__vf_mem *)p;
}

static inline __attribute__((always_inline)) hpk__vd hpk__vd_abs(hpk__vd v)
{
    return (hpk__vd)((hpk__vdm)v & 0x7fffffffffffffffLL);
}

static inline __attribute__((always_inline)) hpk__vf hpk__vf_abs(hpk__vf v)
{
    return (hpk__vf)((hpk__vfm)v & 0x7fffffff);
}

/* a * b lane by lane, rounded as the multiply rounds it (every bit the
 * same, the sign of a zero included), where the x86 paths have fused
 * multiply-adds computed as a fused multiply-add of -0.0: x + -0.0 is x
 * for every x, so the one rounding is the product's.  Why: Zen 4 takes a
 * slow path for a multiply whose result falls below the normal range
 * (subnormal, or rounded to zero), and none for the fused multiply-add (a
 * dot of tiny values, all products underflowing, ran at 0.6x its speed on
 * uniform data).  clang turns the fused multiply-add of -0.0 back into the
 * multiply: the same bits, with the slow path. */
static inline __attribute__((always_inline)) hpk__vd hpk__vd_mul(hpk__vd a, hpk__vd b)
{
#if defined(__FMA__) && HPK__VBYTES >= 32
    hpk__vd minus_zero = -(hpk__vd){0.0};
#if HPK__VBYTES == 64
    return (hpk__vd)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)minus_zero);
#else
    return (hpk__vd)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)minus_zero);
#endif
#else
    return a * b;
#endif
}

static inline __attribute__((always_inline)) hpk__vf hpk__vf_mul(hpk__vf a, hpk__vf b)
{
#if defined(__FMA__) && HPK__VBYTES >= 32
    hpk__vf minus_zero = -(hpk__vf){0.0f};
#if HPK__VBYTES == 64
    return (hpk__vf)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)minus_zero);
#else
    return (hpk__vf)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)minus_zero);
#endif
#else
    return a * b;
#endif
}

/* Lane-wise select: mask lanes are all ones (take a) or all zeros (take b). */
static inline __attribute__((always_inline)) hpk__vd hpk__vd_select(hpk__vdm mask, hpk__vd a, hpk__vd b)
{
    return (hpk__vd)(((hpk__vdm)a & mask) | ((hpk__vdm)b & ~mask));
}

/* The smaller (larger) of a and b lane by lane; b where a is NaN (as
 * x86's minpd and maxpd; NEON's give NaN: callers must not care). */
static inline __attribute__((always_inline)) hpk__vd hpk__vd_min(hpk__vd a, hpk__vd b)
{
#if HPK__VBYTES == 64
    return (hpk__vd)_mm512_min_pd((__m512d)a, (__m512d)b);
#elif HPK__VBYTES == 32
    return (hpk__vd)_mm256_min_pd((__m256d)a, (__m256d)b);
#elif defined(__SSE2__)
    return (hpk__vd)_mm_min_pd((__m128d)a, (__m128d)b);
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return (hpk__vd)vminq_f64((float64x2_t)a, (float64x2_t)b);
#else
    return hpk__vd_select(a < b, a, b);
#endif
}

static inline __attribute__((always_inline)) hpk__vd hpk__vd_max(hpk__vd a, hpk__vd b)
{
#if HPK__VBYTES == 64
    return (hpk__vd)_mm512_max_pd((__m512d)a, (__m512d)b);
#elif HPK__VBYTES == 32
    return (hpk__vd)_mm256_max_pd((__m256d)a, (__m256d)b);
#elif defined(__SSE2__)
    return (hpk__vd)_mm_max_pd((__m128d)a, (__m128d)b);
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return (hpk__vd)vmaxq_f64((float64x2_t)a, (float64x2_t)b);
#else
    return hpk__vd_select(a > b, a, b);
#endif
}

/* The square root of each lane, correctly rounded (as sqrt). */
static inline __attribute__((always_inline)) hpk__vd hpk__vd_sqrt(hpk__vd v)
{
#if HPK__VBYTES == 64
    return (hpk__vd)_mm512_sqrt_pd((__m512d)v);
#elif HPK__VBYTES == 32
    return (hpk__vd)_mm256_sqrt_pd((__m256d)v);
#elif defined(__SSE2__)
    return (hpk__vd)_mm_sqrt_pd((__m128d)v);
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return (hpk__vd)vsqrtq_f64((float64x2_t)v);
#else
    for (int l = 0; l < HPK__VD_N; l++)
        v[l] = __builtin_sqrt(v[l]);
    return v;
#endif
}

/* The larger of a and b lane by lane, as signed integers. */
static inline __attribute__((always_inline)) hpk__vfm hpk__vfm_max(hpk__vfm a, hpk__vfm b)
{
#if HPK__VBYTES == 64
    return (hpk__vfm)_mm512_max_epi32((__m512i)a, (__m512i)b);
#elif HPK__VBYTES == 32 && defined(__AVX2__)
    return (hpk__vfm)_mm256_max_epi32((__m256i)a, (__m256i)b);
#elif HPK__VBYTES == 16 && defined(__SSE4_1__)
    return (hpk__vfm)_mm_max_epi32((__m128i)a, (__m128i)b);
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return (hpk__vfm)vmaxq_s32((int32x4_t)a, (int32x4_t)b);
#else
    const hpk__vfm up = a > b;
    return (a & up) | (b & ~up);
#endif
}

/* Whether any lane of a mask is set. */
static inline int hpk__vdm_any(hpk__vdm mask)
{
    long long lanes[HPK__VD_N], any = 0;
    memcpy(lanes, &mask, sizeof lanes);
    for (int l = 0; l < HPK__VD_N; l++)
        any |= lanes[l];
    return any != 0;
}

/* The first `count` elements at p (0 < count <= a vector's elements) in
 * the first lanes, +0.0 in the others; nothing past p[count - 1] is read
 * (a whole vector's load, else a masked load where the ISA has one, else
 * the elements one by one, in registers). */
static inline __attribute__((always_inline)) hpk__vd hpk__vd_load_first(const double *p, int count)
{
    if (count == HPK__VD_N)
        return hpk__vd_load(p);
#if HPK__VBYTES == 64
    return (hpk__vd)_mm512_maskz_loadu_pd((__mmask8)((1u << count) - 1), p);
#elif HPK__VBYTES == 32
    const hpk__vdm lanes = {0, 1, 2, 3};
    return (hpk__vd)_mm256_maskload_pd(p, (__m256i)(lanes < count));
#else
    (void)count; /* two lanes: count is 1 */
    return (hpk__vd){p[0]};
#endif
}

static inline __attribute__((always_inline)) hpk__vf hpk__vf_load_first(const float *p, int count)
{
    if (count == HPK__VF_N)
        return hpk__vf_load(p);
#if HPK__VBYTES == 64
    return (hpk__vf)_mm512_maskz_loadu_ps((__mmask16)((1u << count) - 1), p);
#elif HPK__VBYTES == 32
    const hpk__vfm lanes = {0, 1, 2, 3, 4, 5, 6, 7};
    return (hpk__vf)_mm256_maskload_ps(p, (__m256i)(lanes < count));
#else
    switch (count) { /* four lanes */
    case 1: return (hpk__vf){p[0]};
    case 2: return (hpk__vf){p[0], p[1]};
    default: return (hpk__vf){p[0], p[1], p[2]};
    }
#endif
}

/* HPK__VD_N floats from p, as doubles (exact). */
static inline __attribute__((always_inline)) hpk__vd hpk__vd_load_widen(const float *p)
{
#if HPK__VBYTES == 64
    return (hpk__vd)_mm512_cvtps_pd(_mm256_loadu_ps(p));
#elif HPK__VBYTES == 32
    return (hpk__vd)_mm256_cvtps_pd(_mm_loadu_ps(p));
#elif defined(__SSE2__)
    /* _mm_loadl_epi64 takes any alignment (_mm_load_sd would read a double
     * that a float pointer need not align) */
    return (hpk__vd)_mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)(const void *)p)));
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return (hpk__vd)vcvt_f64_f32(vld1_f32(p));
#else
    hpk__vd v;
    for (int l = 0; l < HPK__VD_N; l++)
        v[l] = p[l];
    return v;
#endif
}

/* Lanes 0 .. HPK__VD_N - 1 (lo) and the rest (hi) of a float vector, as
 * doubles (exact). */
static inline __attribute__((always_inline)) hpk__vd hpk__vf_widen_lo(hpk__vf v)
{
#if HPK__VBYTES == 64
    return (hpk__vd)_mm512_cvtps_pd(_mm512_castps512_ps256((__m512)v));
#elif HPK__VBYTES == 32
    return (hpk__vd)_mm256_cvtps_pd(_mm256_castps256_ps128((__m256)v));
#elif defined(__SSE2__)
    return (hpk__vd)_mm_cvtps_pd((__m128)v);
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return (hpk__vd)vcvt_f64_f32(vget_low_f32((float32x4_t)v));
#else
    hpk__vd r;
    for (int l = 0; l < HPK__VD_N; l++)
        r[l] = v[l];
    return r;
#endif
}

static inline __attribute__((always_inline)) hpk__vd hpk__vf_widen_hi(hpk__vf v)
{
#if HPK__VBYTES == 64
    return (hpk__vd)_mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd((__m512d)v, 1)));
#elif HPK__VBYTES == 32
    return (hpk__vd)_mm256_cvtps_pd(_mm256_extractf128_ps((__m256)v, 1));
#elif defined(__SSE2__)
    return (hpk__vd)_mm_cvtps_pd(_mm_movehl_ps((__m128)v, (__m128)v));
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return (hpk__vd)vcvt_high_f64_f32((float32x4_t)v);
#else
    hpk__vd r;
    for (int l = 0; l < HPK__VD_N; l++)
        r[l] = v[HPK__VD_N + l];
    return r;
#endif
}

/* a * b lane by lane, for lanes below 2^32: the full 64-bit product.  The
 * generic 64 x 64-bit multiply gives the same bits; the ISA's 32 x 32 ->
 * 64-bit multiply is the one instruction it takes. */
static inline __attribute__((always_inline)) hpk__vu hpk__vu_mul32(hpk__vu a, hpk__vu b)
{
#if HPK__VBYTES == 64
    return (hpk__vu)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#elif HPK__VBYTES == 32 && defined(__AVX2__)
    return (hpk__vu)_mm256_mul_epu32((__m256i)a, (__m256i)b);
#elif HPK__VBYTES == 16 && defined(__SSE2__)
    return (hpk__vu)_mm_mul_epu32((__m128i)a, (__m128i)b);
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return (hpk__vu)vmull_u32(vmovn_u64((uint64x2_t)a), vmovn_u64((uint64x2_t)b));
#else
    return a * b;
#endif
}

#endif /* HPK_SIMD_H */
