/* Reductions (sum, asum, dot, nrm2, i?amax) in the canonical order of
 * order.h: fixed blocks of HPK__REDUCE_BLOCK logical elements, each summed
 * in independent lanes (HPK__LANES_F64 for double data, HPK__LANES_F32 for
 * float data), the blocks combined pairwise by the runner's tree.  float
 * sum, asum and dot add runs of each lane's elements in float and carry the
 * runs into double; float nrm2 widens each element to double. */
#include "blue.h"
#include "cpu_kernels.h"
#include "order.h"
#include "reduce_finish.h"
#include "runner.h"
#include "vec.h"

#include <math.h>
#include <string.h>

/* The kernels' operations: order.h's, and one of their own, OP_SUMSQ: float
 * nrm2, whose squares can neither overflow nor underflow in double, so the
 * plain sum of squares lands in Blue's medium slot. */
typedef int reduce_op;
enum { OP_SUMSQ = HPK__OP_AMAX + 1 };

typedef struct reduce_job {
    hpk__vec x, y;
    int64_t n;
} reduce_job;

/* Partial sums; nrm2 keeps Blue's three accumulators (small, medium, big). */
typedef hpk__reduce_node reduce_node;

#define ALWAYS_INLINE static inline __attribute__((always_inline))

static inline int64_t block_length(int64_t n, int64_t block)
{
    return n - block * HPK__REDUCE_BLOCK < HPK__REDUCE_BLOCK ? n - block * HPK__REDUCE_BLOCK : HPK__REDUCE_BLOCK;
}

/* The lanes of a vector at increment 2 (N lanes, lane k element p[2k]):
 * lanes 0, 2, 4, ... of the vector at p and of the one at p + N - 1,
 * which between them hold p[0 .. 2N - 2] and nothing past it: two loads
 * and a shuffle, not a load per lane.  Lane k is lane 2k of the first
 * while 2k < N, else lane 2k - N + 1 of the second: shuffle index
 * UP_2(N, k).  At increment -2 (lane k element p[-2k]) the vectors at
 * p - 2N + 2 and p - N + 1 hold p[-2N + 2 .. 0]: lane k is lane
 * N - 1 - 2k of the second while 2k < N, else lane 2N - 2 - 2k of the
 * first (DOWN_2). */
#define UP_2(N, k) (2 * (k) < (N) ? 2 * (k) : 2 * (k) + 1)
#define DOWN_2(N, k) (2 * (k) < (N) ? 2 * (N) - 1 - 2 * (k) : 2 * (N) - 2 - 2 * (k))
#define LANES_2(F, N) F(N, 0), F(N, 1)
#define LANES_4(F, N) LANES_2(F, N), F(N, 2), F(N, 3)
#define LANES_8(F, N) LANES_4(F, N), F(N, 4), F(N, 5), F(N, 6), F(N, 7)
#define LANES_16(F, N) LANES_8(F, N), F(N, 8), F(N, 9), F(N, 10), F(N, 11), F(N, 12), F(N, 13), F(N, 14), F(N, 15)
#if HPK__VD_N == 8
#define LANES_VD(F) LANES_8(F, 8)
#define LANES_VF(F) LANES_16(F, 16)
#elif HPK__VD_N == 4
#define LANES_VD(F) LANES_4(F, 4)
#define LANES_VF(F) LANES_8(F, 8)
#else
#define LANES_VD(F) LANES_2(F, 2)
#define LANES_VF(F) LANES_4(F, 4)
#endif

/* A vector of the elements p[0], p[inc], p[2 inc], ...: at increment 2 or
 * -2 from two loads (above), else built from its lanes in registers (an
 * initialiser, not a store per lane), four at a time from a pointer and
 * the increment's first three multiples (few registers for the
 * addresses). */
#define QUAD(b) (b)[0], (b)[inc], (b)[2 * inc], (b)[3 * inc]
ALWAYS_INLINE hpk__vd strided_vd(const double *p, int64_t inc)
{
    const int n = HPK__VD_N;
    if (inc == 2)
        return HPK__SHUFFLE(hpk__vd_load(p), hpk__vd_load(p + n - 1), LANES_VD(UP_2));
    if (inc == -2)
        return HPK__SHUFFLE(hpk__vd_load(p - 2 * n + 2), hpk__vd_load(p - n + 1), LANES_VD(DOWN_2));
#if HPK__VD_N == 8
    return (hpk__vd){QUAD(p), QUAD(p + 4 * inc)};
#elif HPK__VD_N == 4
    return (hpk__vd){QUAD(p)};
#else
    return (hpk__vd){p[0], p[inc]};
#endif
}

ALWAYS_INLINE hpk__vf strided_vf(const float *p, int64_t inc)
{
    const int n = HPK__VF_N;
    if (inc == 2)
        return HPK__SHUFFLE(hpk__vf_load(p), hpk__vf_load(p + n - 1), LANES_VF(UP_2));
    if (inc == -2)
        return HPK__SHUFFLE(hpk__vf_load(p - 2 * n + 2), hpk__vf_load(p - n + 1), LANES_VF(DOWN_2));
#if HPK__VF_N == 16
    return (hpk__vf){QUAD(p), QUAD(p + 4 * inc), QUAD(p + 8 * inc), QUAD(p + 12 * inc)};
#elif HPK__VF_N == 8
    return (hpk__vf){QUAD(p), QUAD(p + 4 * inc)};
#else
    return (hpk__vf){QUAD(p)};
#endif
}
#undef QUAD
#undef LANES_VD
#undef LANES_VF
#undef LANES_16
#undef LANES_8
#undef LANES_4
#undef LANES_2
#undef DOWN_2
#undef UP_2

/* Elements [i, i + count) of a strided vector (or a tail) gathered into
 * buf, the lanes past count +0.0, which changes no sum.  Out of line, so
 * that the kernels' loops only read the buffer (tests/check_hot_loops.py
 * tells a filled buffer from a spill by that).  A dense tail, and a whole
 * chunk of a strided vector, is stored a vector at a time, so that the
 * kernels' loads of buf take their data from those stores: a load from
 * stores of single elements waits until they reach the cache (a float dot
 * of 1000 elements spent two thirds of its time there, a float dot with
 * increment 2 half). */
static __attribute__((noinline)) void gather_f64(const hpk__vec *v, int64_t i, int64_t count,
                                                  double buf[HPK__LANES_F64])
{
    if (!v->f32 && v->inc == 1) { /* a dense tail */
        const double *p = (const double *)v->base + i;
        HPK__EACH(q, HPK__NVD) {
            const int64_t c = count - q * HPK__VD_N;
            const double *at = p + q * HPK__VD_N;
            *(hpk__vd_mem *)(buf + q * HPK__VD_N) = c >= HPK__VD_N ? hpk__vd_load(at)
                                                    : c > 0        ? hpk__vd_load_first(at, (int)c)
                                                                   : (hpk__vd){0};
        }
        return;
    }
    if (!v->f32 && count == HPK__LANES_F64) { /* strided: each vector built in registers, then stored whole */
        const int64_t inc = v->inc; /* (held: the stores below may alias *v) */
        const double *p = (const double *)v->base + i * inc;
        HPK__EACH(q, HPK__NVD)
            *(hpk__vd_mem *)(buf + q * HPK__VD_N) = strided_vd(p + q * HPK__VD_N * inc, inc);
        return;
    }
    for (int l = 0; l < HPK__LANES_F64; l++)
        buf[l] = l < count ? hpk__vec_at(v, i + l) : 0.0;
}

static __attribute__((noinline)) void gather_f32(const hpk__vec *v, int64_t i, int64_t count, float buf[HPK__LANES_F32])
{
    const float *p = (const float *)v->base;
    if (v->inc == 1) { /* a dense tail */
        HPK__EACH(q, HPK__NVF) {
            const int64_t c = count - q * HPK__VF_N;
            const float *at = p + i + q * HPK__VF_N;
            *(hpk__vf_mem *)(buf + q * HPK__VF_N) = c >= HPK__VF_N ? hpk__vf_load(at)
                                                    : c > 0        ? hpk__vf_load_first(at, (int)c)
                                                                   : (hpk__vf){0};
        }
        return;
    }
    const int64_t inc = v->inc; /* (held: the stores below may alias *v) */
    if (count == HPK__LANES_F32) { /* strided: each vector built in registers, then stored whole */
        HPK__EACH(q, HPK__NVF)
            *(hpk__vf_mem *)(buf + q * HPK__VF_N) = strided_vf(p + (i + q * HPK__VF_N) * inc, inc);
        return;
    }
    for (int l = 0; l < HPK__LANES_F32; l++)
        buf[l] = l < count ? p[(i + l) * inc] : 0.0f;
}

/* ---- double data: HPK__NVD vectors of lanes, three sums for nrm2 -------- */

#define F64_GROUPS(op) ((op) == HPK__OP_NRM2 ? HPK__LANE_GROUPS(3 * HPK__NVD, 11) : 1)

/* Vector q of a step's lanes: v (and w, for dot) into the sums s[0..2][q]. */
ALWAYS_INLINE void f64_add(reduce_op op, hpk__vd v, hpk__vd w, int q, hpk__vd s[3][HPK__NVD])
{
    switch (op) {
    case HPK__OP_SUM: s[0][q] += v; break;
    case HPK__OP_ASUM: s[0][q] += hpk__vd_abs(v); break;
    case HPK__OP_DOT: s[0][q] += hpk__vd_mul(v, w); break;
    case HPK__OP_NRM2: nrm2_step(v, &s[0][q], &s[1][q], &s[2][q]); break;
    }
}

/* One step of lane group g (of F64_GROUPS(op)): the group's lanes of the
 * sixteen elements at x (and y) into its sums s[0..2][0 .. group). */
ALWAYS_INLINE void f64_step(reduce_op op, const double *x, const double *y, int g, hpk__vd s[3][HPK__NVD])
{
    const int width = HPK__NVD / F64_GROUPS(op);
    HPK__EACH(q, width) {
        const int at = (g * width + q) * HPK__VD_N;
        const hpk__vd v = hpk__vd_load(x + at);
        f64_add(op, v, op == HPK__OP_DOT ? hpk__vd_load(y + at) : v, q, s);
    }
}

/* f64_step on the sixteen elements from logical element i of strided
 * vectors (or a strided and a dense one), each vector of lanes built in
 * registers (strided_vd): no buffer between the loads and the adds. */
ALWAYS_INLINE void f64_strided_step(reduce_op op, const reduce_job *job, int64_t i, int g, hpk__vd s[3][HPK__NVD])
{
    const int width = HPK__NVD / F64_GROUPS(op);
    const int64_t incx = job->x.inc, incy = op == HPK__OP_DOT ? job->y.inc : incx;
    const double *x = (const double *)job->x.base + i * incx;
    const double *y = op == HPK__OP_DOT ? (const double *)job->y.base + i * incy : x;
    HPK__EACH(q, width) {
        const int64_t at = (g * width + q) * HPK__VD_N;
        const hpk__vd v = strided_vd(x + at * incx, incx);
        f64_add(op, v, op == HPK__OP_DOT ? strided_vd(y + at * incy, incy) : v, q, s);
    }
}

/* Elements of a strided block that every lane group reads before the next
 * span (reduce_leaf_f64): 256 elements touch at most 256 cache lines. */
#define STRIDED_SPAN 256

/* A block of double data, group by group; the dense part straight from
 * memory, the rest (strided data, the short tail) through a gather. */
ALWAYS_INLINE void reduce_leaf_f64(reduce_op op, const reduce_job *job, int64_t block, reduce_node *out)
{
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    const int groups = F64_GROUPS(op), width = HPK__NVD / groups;
    const bool dense = hpk__vec_is_dense_f64(&job->x) && (op != HPK__OP_DOT || hpk__vec_is_dense_f64(&job->y));
    const double *px = (const double *)job->x.base + first;
    const double *py = op == HPK__OP_DOT ? (const double *)job->y.base + first : px;
    /* The elements read straight from memory; when what is left is one
     * chunk (a short block, a dense block's tail), it is gathered once for
     * every group; else whole chunks of strided data are read lane by lane,
     * and the last, short one gathered. */
    const int64_t direct = dense ? len - len % HPK__LANES_F64 : 0;
    const bool one_chunk = len > direct && len - direct <= HPK__LANES_F64;
    double tx[HPK__LANES_F64], ty[HPK__LANES_F64];
    if (one_chunk) {
        gather_f64(&job->x, first + direct, len - direct, tx);
        if (op == HPK__OP_DOT)
            gather_f64(&job->y, first + direct, len - direct, ty);
    }
    /* Group by group over spans of the block: the whole block when it is
     * dense or has one group (its 32 KiB stay in L1 from one group's pass
     * to the next), else STRIDED_SPAN elements, so that a strided block,
     * whose cache lines the groups share, is not read from memory once per
     * group (avx2 dnrm2 at increment 2 from DRAM ran at a quarter of
     * OpenBLAS's speed).  Each lane still takes its elements in order. */
    const int64_t span = dense || groups == 1 ? len : STRIDED_SPAN;
    hpk__vd all[3][HPK__NVD];
    for (int t = 0; t < 3; t++)
        HPK__ZERO_EACH(all[t], HPK__NVD);
    for (int64_t from = 0; from < len; from += span) {
        const int64_t to = len - from < span ? len : from + span;
        for (int g = 0; g < groups; g++) {
            hpk__vd s[3][HPK__NVD];
            for (int t = 0; t < 3; t++)
                for (int q = 0; q < width; q++)
                    s[t][q] = all[t][g * width + q];
            for (int64_t k = from; k < direct && k < to; k += HPK__LANES_F64)
                f64_step(op, px + k, py + k, g, s);
            if (one_chunk) /* (one span: the block is dense or short) */
                f64_step(op, tx, ty, g, s);
            else
                for (int64_t k = direct > from ? direct : from; k < to; k += HPK__LANES_F64) {
                    const int64_t count = len - k < HPK__LANES_F64 ? len - k : HPK__LANES_F64;
                    if (count == HPK__LANES_F64) {
                        f64_strided_step(op, job, first + k, g, s);
                        continue;
                    }
                    double bx[HPK__LANES_F64], by[HPK__LANES_F64];
                    gather_f64(&job->x, first + k, count, bx);
                    if (op == HPK__OP_DOT)
                        gather_f64(&job->y, first + k, count, by);
                    f64_step(op, bx, by, g, s);
                }
            for (int t = 0; t < 3; t++)
                for (int q = 0; q < width; q++)
                    all[t][g * width + q] = s[t][q];
        }
    }
    for (int t = 0; t < 3; t++)
        out->s[t] = t == 0 || op == HPK__OP_NRM2 ? hpk__fold_vd(all[t], HPK__NVD) : 0.0;
}

/* The vectors a sum needs beyond its lanes: none on x86, whose adds take an
 * operand from memory; elsewhere a register for each vector loaded. */
#if defined(__x86_64__) || defined(__i386__)
#define SUM_TEMPS 0
#else
#define SUM_TEMPS 4
#endif

/* Several whole, dense blocks of double data at once (sum, asum, dot), their
 * steps interleaved, each block with its own lanes: that many streams of
 * memory instead of one.  A core reading several streams gets more of the
 * memory's bandwidth (from DRAM on Zen 3: 1.3x with two, 1.5x with four);
 * each block's lanes take its elements in order, so the partials are
 * reduce_leaf_f64's.  As many blocks as keep their lanes and `temps` more
 * vectors in the path's registers, and more than one only where the data
 * streams from memory (streams_from_memory). */
#define F64_BLOCKS_FOR(temps) (4 * HPK__NVD + (temps) <= HPK__VREGS ? 4 : 2 * HPK__NVD + (temps) <= HPK__VREGS ? 2 : 1)
#define F64_BLOCKS(op) ((op) == HPK__OP_SUM ? F64_BLOCKS_FOR(SUM_TEMPS) : F64_BLOCKS_FOR(4))
#define F64_BLOCKS_MAX F64_BLOCKS_FOR(SUM_TEMPS)

ALWAYS_INLINE void f64_blocks(reduce_op op, const reduce_job *job, int64_t block, int blocks, reduce_node *out)
{
    const int64_t first = block * HPK__REDUCE_BLOCK;
    const double *px = (const double *)job->x.base + first;
    const double *py = op == HPK__OP_DOT ? (const double *)job->y.base + first : px;
    hpk__vd s[F64_BLOCKS_MAX][3][HPK__NVD];
    HPK__EACH(b, blocks)
        HPK__ZERO_EACH(s[b][0], HPK__NVD);
    for (int64_t k = 0; k < HPK__REDUCE_BLOCK; k += HPK__LANES_F64)
        HPK__EACH(b, blocks)
            f64_step(op, px + b * HPK__REDUCE_BLOCK + k, py + b * HPK__REDUCE_BLOCK + k, 0, s[b]);
    for (int b = 0; b < blocks; b++)
        out[b] = (reduce_node){{hpk__fold_vd(s[b][0], HPK__NVD), 0.0, 0.0}};
}

/* ---- float data: float runs carried into double lanes ------------------- */

/* A float run's lane groups in float, and the sums of all 64 lanes in
 * double (HPK__NVW vectors, touched once per run). */
#define F32_GROUPS(op) ((op) == OP_SUMSQ ? HPK__LANE_GROUPS(HPK__NVW, 4) : HPK__LANE_GROUPS(HPK__NVF, 4))

/* Elements of a block covered by one float run of every lane. */
#define F32_RUN_SPAN (HPK__LANES_F32 * HPK__F32_RUN)

/* One step of group g of a float run: the group's lanes of the 64
 * elements at x (and y) into run[0 .. width). */
ALWAYS_INLINE void f32_run_step(reduce_op op, const float *x, const float *y, int g, int width,
                                hpk__vf run[HPK__NVF])
{
    HPK__EACH(q, width) {
        const hpk__vf v = hpk__vf_load(x + (g * width + q) * HPK__VF_N);
        run[q] += op == HPK__OP_ASUM  ? hpk__vf_abs(v)
                  : op == HPK__OP_DOT ? hpk__vf_mul(v, hpk__vf_load(y + (g * width + q) * HPK__VF_N))
                                      : v;
    }
}

/* float nrm2's step for group g: each element widened to double and its
 * square added to the group's double lanes sq[0 .. width). */
ALWAYS_INLINE void f32_squares_step(const float *x, int g, hpk__vd sq[HPK__NVW])
{
    const int width = HPK__NVW / F32_GROUPS(OP_SUMSQ);
    HPK__EACH(q, width) {
        const hpk__vd w = hpk__vd_load_widen(x + (g * width + q) * HPK__VD_N);
        sq[q] += w * w;
    }
}

/* One step of group g: float nrm2's squares into sq, or the others' run. */
ALWAYS_INLINE void f32_step(reduce_op op, const float *x, const float *y, int g, hpk__vf run[HPK__NVF],
                            hpk__vd sq[HPK__NVW])
{
    if (op == OP_SUMSQ)
        f32_squares_step(x, g, sq);
    else
        f32_run_step(op, x, y, g, HPK__NVF / F32_GROUPS(op), run);
}

/* The run of lane group g (run[0 .. width)) carried into the double sums
 * (exact widening): float vector q holds the double lanes of vectors 2q
 * and 2q + 1. */
ALWAYS_INLINE void f32_carry(const hpk__vf run[HPK__NVF], int g, int width, hpk__vd sums[HPK__NVW])
{
    HPK__EACH(q, width) {
        sums[2 * (g * width + q)] += hpk__vf_widen_lo(run[q]);
        sums[2 * (g * width + q) + 1] += hpk__vf_widen_hi(run[q]);
    }
}

/* Steps [i, end) (at most one run) of lane group g, from memory when
 * dense, else through a gather. */
ALWAYS_INLINE void f32_group_run(reduce_op op, const reduce_job *job, bool dense, int64_t first, int64_t i,
                                 int64_t end, int g, hpk__vd sums[HPK__NVW])
{
    const float *px = (const float *)job->x.base + first;
    const float *py = op == HPK__OP_DOT ? (const float *)job->y.base + first : px;
    const int groups = F32_GROUPS(op), width = HPK__NVF / groups, squares = HPK__NVW / groups;
    hpk__vf run[HPK__NVF]; /* the others' run (float nrm2 has none) */
    if (op != OP_SUMSQ)
        HPK__ZERO_EACH(run, HPK__NVF);
    hpk__vd sq[HPK__NVW]; /* float nrm2: the group's double lanes, summed in place */
    if (op == OP_SUMSQ)
        HPK__EACH(q, squares) sq[q] = sums[g * squares + q];
    if (dense)
        for (; i + HPK__LANES_F32 <= end; i += HPK__LANES_F32)
            f32_step(op, px + i, py + i, g, run, sq);
    for (; i < end; i += HPK__LANES_F32) {
        const int64_t count = end - i < HPK__LANES_F32 ? end - i : HPK__LANES_F32;
        float bx[HPK__LANES_F32], by[HPK__LANES_F32];
        gather_f32(&job->x, first + i, count, bx);
        if (op == HPK__OP_DOT)
            gather_f32(&job->y, first + i, count, by);
        f32_step(op, bx, by, g, run, sq);
    }
    if (op == OP_SUMSQ) {
        HPK__EACH(q, squares) sums[g * squares + q] = sq[q];
        return;
    }
    f32_carry(run, g, width, sums);
}

/* A block of float data: sum, asum and dot in float runs carried into
 * double, nrm2 (OP_SUMSQ) in double. */
ALWAYS_INLINE void reduce_leaf_f32(reduce_op op, const reduce_job *job, int64_t block, reduce_node *out)
{
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    const bool dense = hpk__vec_is_dense_f32(&job->x) && (op != HPK__OP_DOT || hpk__vec_is_dense_f32(&job->y));
    hpk__vd sums[HPK__NVW];
    HPK__ZERO_EACH(sums, HPK__NVW);
    for (int64_t k = 0; k < len; k += F32_RUN_SPAN) {
        const int64_t end = len - k < F32_RUN_SPAN ? len : k + F32_RUN_SPAN;
        for (int g = 0; g < F32_GROUPS(op); g++)
            f32_group_run(op, job, dense, first, k, end, g, sums);
    }
    const double total = hpk__fold_vd(sums, HPK__NVW);
    out->s[0] = op == OP_SUMSQ ? 0.0 : total;
    out->s[1] = op == OP_SUMSQ ? total : 0.0;
    out->s[2] = 0.0;
}

/* Several whole, dense blocks of float data at once (sum, asum, dot), as
 * f64_blocks does for double data: run by run, each run's steps
 * interleaved across the blocks.  As many blocks as keep their run lanes
 * in the registers (one, where even two would not fit: a dense block
 * whose bounds are known here still runs faster than reduce_leaf_f32's;
 * none where one would not, as on SSE2), and more than one only where the
 * data streams from memory (streams_from_memory).  The partials are
 * reduce_leaf_f32's. */
#define F32_BLOCKS_FOR(temps)                                                                                \
    (4 * HPK__NVF + (temps) <= HPK__VREGS ? 4 : 2 * HPK__NVF + (temps) <= HPK__VREGS ? 2 : HPK__NVF + (temps) <= HPK__VREGS)
#define F32_BLOCKS(op) ((op) == HPK__OP_SUM ? F32_BLOCKS_FOR(SUM_TEMPS) : F32_BLOCKS_FOR(4))
#define F32_BLOCKS_MAX F32_BLOCKS_FOR(SUM_TEMPS)

/* Whether a sum, asum or dot reads more than STREAMS_FROM bytes, and so
 * reads several blocks at once.  In L2 and L3 the interleaved blocks ran
 * slower than one at a time on Zen 4 (float: 0.82-0.88x, sdot and sasum
 * with four blocks, ssum with two; double: 0.93-0.96x, dsum with four, ddot
 * and dasum with two), and from DRAM up to 1.2x faster where they pay
 * (several_blocks; docs/PERFORMANCE.md). */
#define STREAMS_FROM (32.0 * (1 << 20))

static inline bool streams_from_memory(reduce_op op, const reduce_job *job)
{
    const double bytes = (double)job->n * (job->x.f32 ? sizeof(float) : sizeof(double));
    return bytes * (op == HPK__OP_DOT ? 2 : 1) > STREAMS_FROM;
}

/* Whether a leaves call reads the `fit` blocks the registers hold at once,
 * else one: where the data streams from memory, and as that many streams
 * of memory (a block of each vector read) only where they pay on this CPU
 * for this data (hpk__streams_pay: on Zen 4, double sum and asum only). */
static inline bool several_blocks(reduce_op op, const reduce_job *job, int fit)
{
    const int streams = fit * (op == HPK__OP_DOT ? 2 : 1);
    return fit > 1 && streams_from_memory(op, job) && hpk__streams_pay(streams, job->x.f32, op == HPK__OP_DOT);
}

ALWAYS_INLINE void f32_blocks(reduce_op op, const reduce_job *job, int64_t block, int blocks, reduce_node *out)
{
    const float *px = (const float *)job->x.base + block * HPK__REDUCE_BLOCK;
    const float *py = op == HPK__OP_DOT ? (const float *)job->y.base + block * HPK__REDUCE_BLOCK : px;
    hpk__vd sums[F32_BLOCKS_MAX][HPK__NVW];
    HPK__EACH(b, blocks)
        HPK__ZERO_EACH(sums[b], HPK__NVW);
    for (int64_t k = 0; k < HPK__REDUCE_BLOCK; k += F32_RUN_SPAN) {
        hpk__vf run[F32_BLOCKS_MAX][HPK__NVF];
        HPK__EACH(b, blocks)
            HPK__ZERO_EACH(run[b], HPK__NVF);
        /* a loop, not unrolled: the carries below stay out of it */
        _Pragma("GCC unroll 1") for (int64_t i = k; i < k + F32_RUN_SPAN; i += HPK__LANES_F32)
            HPK__EACH(b, blocks)
                f32_run_step(op, px + b * HPK__REDUCE_BLOCK + i, py + b * HPK__REDUCE_BLOCK + i, 0, HPK__NVF, run[b]);
        HPK__EACH(b, blocks)
            f32_carry(run[b], 0, HPK__NVF, sums[b]);
    }
    for (int b = 0; b < blocks; b++)
        out[b] = (reduce_node){{hpk__fold_vd(sums[b], HPK__NVW), 0.0, 0.0}};
}

ALWAYS_INLINE void reduce_leaf(reduce_op op, const reduce_job *job, int64_t block, reduce_node *out)
{
    if (job->x.f32)
        reduce_leaf_f32(op, job, block, out);
    else
        reduce_leaf_f64(op, job, block, out);
}

static void sum_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaf(HPK__OP_SUM, job, b, node);
}

static void asum_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaf(HPK__OP_ASUM, job, b, node);
}

static void dot_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaf(HPK__OP_DOT, job, b, node);
}

/* The leaves [first, first + count) of a sum, asum or dot: whole dense
 * blocks several at a time (f64_blocks, f32_blocks), then one at a time,
 * the vector's last, short block with reduce_leaf.  The blocks read at
 * once are a constant of the op and path (0 where even one block's lanes
 * would not fit the registers), or one (several_blocks); b counts the
 * leaves done. */
#define WHOLE_BLOCKS(blocks_of, blocks, dense)                                                                \
    do {                                                                                                   \
        const int64_t whole = (dense) && (blocks) > 0 ? job->n / HPK__REDUCE_BLOCK : 0;                    \
        for (; (blocks) > 0 && b + (blocks) <= count && first + b + (blocks) <= whole; b += (blocks))      \
            blocks_of(op, job, first + b, (blocks), out + b);                                              \
        for (; b < count && first + b < whole; b++)                                                        \
            blocks_of(op, job, first + b, 1, out + b);                                                     \
    } while (0)

/* r added into l, as the tree combines two partials. */
static inline void node_add(reduce_node *l, const reduce_node *r)
{
    for (int s = 0; s < 3; s++)
        l->s[s] += r->s[s];
}

/* nodes[0 .. count) combined in the tree's shape, into nodes[0].  A power
 * of two (a subtree of whole leaves, the common case) is a perfect tree:
 * neighbours paired level by level, no calls. */
static void tree_of(reduce_node *nodes, int count)
{
    if ((count & (count - 1)) == 0) {
        for (int w = 1; w < count; w *= 2)
            for (int i = 0; i < count; i += 2 * w)
                node_add(&nodes[i], &nodes[i + w]);
        return;
    }
    const int left = (int)hpk__tree_left(count);
    tree_of(nodes, left);
    tree_of(nodes + left, count - left);
    node_add(&nodes[0], &nodes[left]);
}

/* The subtree of leaves [first, first + count) into node. */
ALWAYS_INLINE void reduce_leaves(reduce_op op, const reduce_job *job, int64_t first, int count, reduce_node *node)
{
    reduce_node leaves[HPK__TREE_LEAVES];
    /* one leaf (a vector of one block) straight into node: a copy out of
     * leaves[] would load what the fold has just stored in other widths */
    reduce_node *const out = count == 1 ? node : leaves;
    int b = 0;
    if (job->x.f32) {
        const bool dense = hpk__vec_is_dense_f32(&job->x) && (op != HPK__OP_DOT || hpk__vec_is_dense_f32(&job->y));
        if (several_blocks(op, job, F32_BLOCKS(op)))
            WHOLE_BLOCKS(f32_blocks, F32_BLOCKS(op), dense);
        else
            WHOLE_BLOCKS(f32_blocks, F32_BLOCKS(op) < 1 ? F32_BLOCKS(op) : 1, dense);
    } else {
        const bool dense = hpk__vec_is_dense_f64(&job->x) && (op != HPK__OP_DOT || hpk__vec_is_dense_f64(&job->y));
        if (several_blocks(op, job, F64_BLOCKS(op)))
            WHOLE_BLOCKS(f64_blocks, F64_BLOCKS(op), dense);
        else
            WHOLE_BLOCKS(f64_blocks, 1, dense);
    }
    for (; b < count; b++)
        reduce_leaf(op, job, first + b, out + b);
    if (count > 1) {
        tree_of(out, count);
        *node = out[0];
    }
}

static void sum_leaves(const void *job, int64_t first, int count, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaves(HPK__OP_SUM, job, first, count, node);
}

static void asum_leaves(const void *job, int64_t first, int count, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaves(HPK__OP_ASUM, job, first, count, node);
}

static void dot_leaves(const void *job, int64_t first, int count, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaves(HPK__OP_DOT, job, first, count, node);
}

/* ---- double nrm2 of contiguous data, chunk by chunk ---------------------
 * Blue's step sends each |x| to one of three sums; a chunk whose elements
 * all go to the same one (or are zero, which adds +0.0 to whichever sum
 * takes it, changing none) gives the same lanes with one multiply-add per
 * element: v^2 into the medium sum (NaN counts as medium), or (|v| ssml)^2
 * into the small one, or (|v| sbig)^2 into the big one.  Each chunk runs
 * as the kind its predecessors had, checking that its elements are of that
 * kind; when one is not, the lanes are restored and the chunk runs again
 * with Blue's full step, and the sum it changed (if only one) sets the kind
 * guessed next.  The bits are those of the full step on every element. */
#define NRM2_CHUNK 1024

typedef enum nrm2_kind {
    NRM2_SMALL = BLUE_SMALL,
    NRM2_MEDIUM = BLUE_MEDIUM,
    NRM2_BIG = BLUE_BIG,
    NRM2_MIXED
} nrm2_kind;

/* The thresholds are powers of two, so |v| is medium (TSML <= |v| <= TBIG)
 * exactly when TSML^2 <= v^2 <= TBIG^2: the medium run checks the least
 * and largest square, two operations a vector.  A zero (or NaN) fails
 * that test and sends the chunk to the exact test, which allows them. */
static const double blue_tsml_sq = HPK__BLUE_TSML * HPK__BLUE_TSML, blue_tbig_sq = HPK__BLUE_TBIG * HPK__BLUE_TBIG;

/* Whether every element of p[begin, end) is of `kind` or zero (a NaN
 * counting as medium). */
static bool nrm2_chunk_is(nrm2_kind kind, const double *p, int64_t begin, int64_t end)
{
    const hpk__vd zero = {0};
    hpk__vdm wrong = {0};
    for (int64_t k = begin; k < end; k += HPK__VD_N) {
        const hpk__vd a = hpk__vd_abs(hpk__vd_load(p + k));
        if (kind == NRM2_MEDIUM)
            wrong |= ((a < blue_tsml) & (a != zero)) | (a > blue_tbig);
        else if (kind == NRM2_SMALL)
            wrong |= ~(a < blue_tsml);
        else
            wrong |= ~(a > blue_tbig) & (a != zero);
    }
    return !hpk__vdm_any(wrong);
}

/* The chunk's elements folded into sums[k] (the lanes of Blue's sum k:
 * small, medium, big) as `kind` (Blue's full step for NRM2_MIXED); true
 * when every element is of that kind or zero (or NaN, for medium).  Always inlined with a
 * constant kind, so each version tests only what it must. */
ALWAYS_INLINE bool nrm2_run(nrm2_kind kind, const double *p, int64_t begin, int64_t end,
                            hpk__vd sums[3][HPK__NVD])
{
    const hpk__vd zero = {0};
    if (kind == NRM2_MIXED) {
        const int groups = F64_GROUPS(HPK__OP_NRM2), width = HPK__NVD / groups;
        for (int g = 0; g < groups; g++) {
            hpk__vd s[3][HPK__NVD];
            for (int t = 0; t < 3; t++)
                HPK__EACH(q, width) s[t][q] = sums[t][g * width + q];
            for (int64_t k = begin; k < end; k += HPK__LANES_F64)
                f64_step(HPK__OP_NRM2, p + k, p, g, s);
            for (int t = 0; t < 3; t++)
                HPK__EACH(q, width) sums[t][g * width + q] = s[t][q];
        }
        return true;
    }
    const int t = kind == NRM2_SMALL ? 0 : kind == NRM2_MEDIUM ? 1 : 2;
    const double scale = kind == NRM2_SMALL ? blue_ssml : blue_sbig;
    hpk__vd s[HPK__NVD], least = zero + HUGE_VAL, most = zero;
    HPK__EACH(q, HPK__NVD) s[q] = sums[t][q];
    for (int64_t k = begin; k < end; k += HPK__LANES_F64) {
        HPK__EACH(q, HPK__NVD) {
            const hpk__vd v = hpk__vd_load(p + k + q * HPK__VD_N);
            if (kind == NRM2_MEDIUM) { /* a NaN square leaves least and most as they were */
                const hpk__vd sq = hpk__vd_mul(v, v);
                s[q] += sq;
                least = hpk__vd_min(sq, least);
                most = hpk__vd_max(sq, most);
            } else {
                const hpk__vd u = hpk__vd_abs(v) * scale;
                s[q] += u * u;
            }
        }
    }
    HPK__EACH(q, HPK__NVD) sums[t][q] = s[q];
    if (kind == NRM2_MEDIUM &&
        !hpk__vdm_any((least < blue_tsml_sq) | (most > blue_tbig_sq) | (least != least) | (most != most)))
        return true;
    return nrm2_chunk_is(kind, p, begin, end); /* the small and big kinds (rare) check in a pass of their own */
}

static bool nrm2_run_kind(nrm2_kind kind, const double *p, int64_t begin, int64_t end, hpk__vd sums[3][HPK__NVD])
{
    switch (kind) {
    case NRM2_SMALL: return nrm2_run(NRM2_SMALL, p, begin, end, sums);
    case NRM2_MEDIUM: return nrm2_run(NRM2_MEDIUM, p, begin, end, sums);
    case NRM2_BIG: return nrm2_run(NRM2_BIG, p, begin, end, sums);
    default: return nrm2_run(NRM2_MIXED, p, begin, end, sums);
    }
}

/* The kind of a chunk the full step just folded in: the one sum it
 * changed, or `guess` when it changed none or several. */
static nrm2_kind nrm2_kind_after(hpk__vd before[3][HPK__NVD], hpk__vd after[3][HPK__NVD], nrm2_kind guess)
{
    int changed = 0;
    nrm2_kind kind = guess;
    for (int t = 0; t < 3; t++) {
        hpk__vdm differ = {0};
        for (int q = 0; q < HPK__NVD; q++)
            differ |= before[t][q] != after[t][q];
        if (hpk__vdm_any(differ)) {
            changed++;
            kind = (nrm2_kind)t;
        }
    }
    return changed == 1 ? kind : guess;
}

static bool nrm2_dense_leaf(const reduce_job *job, int64_t block, reduce_node *out)
{
    if (!hpk__vec_is_dense_f64(&job->x))
        return false;
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    if (len % HPK__LANES_F64)
        return false; /* the vector's last, short block: the full step */
    const double *p = (const double *)job->x.base + first;
    hpk__vd sums[3][HPK__NVD];
    for (int t = 0; t < 3; t++)
        HPK__ZERO_EACH(sums[t], HPK__NVD);
    /* the first guess: the kind of the block's first element */
    nrm2_kind guess = (nrm2_kind)blue_sum_of(p[0]);
    for (int64_t begin = 0; begin < len; begin += NRM2_CHUNK) {
        const int64_t end = len - begin < NRM2_CHUNK ? len : begin + NRM2_CHUNK;
        hpk__vd saved[3][HPK__NVD];
        memcpy(saved, sums, sizeof saved);
        if (!nrm2_run_kind(guess, p, begin, end, sums)) { /* guessed wrong: the full step */
            memcpy(sums, saved, sizeof saved);
            nrm2_run(NRM2_MIXED, p, begin, end, sums);
            guess = nrm2_kind_after(saved, sums, guess);
        }
    }
    for (int t = 0; t < 3; t++)
        out->s[t] = hpk__fold_vd(sums[t], HPK__NVD);
    return true;
}

static void sumsq_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaf(OP_SUMSQ, job, b, node);
}

static void nrm2_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    if (!nrm2_dense_leaf(job, b, node))
        reduce_leaf(HPK__OP_NRM2, job, b, node);
}

static void reduce_combine(const void *job, void *left, const void *right)
{
    (void)job;
    node_add(left, right);
}

static double nrm2_finish(const reduce_node *node)
{
    return hpk__nrm2_finish(node->s[0], node->s[1], node->s[2], blue_ssml, blue_sbig);
}

/* The kernel's operation for a job: float nrm2 sums plain squares. */
static reduce_op op_of(const hpk__reduce_job *j)
{
    return j->op == HPK__OP_NRM2 && j->f32 ? OP_SUMSQ : (reduce_op)j->op;
}

static int64_t reduce_blocks(int64_t n)
{
    return (n + HPK__REDUCE_BLOCK - 1) / HPK__REDUCE_BLOCK;
}

hpk_status HPK__CPU(reduce_part)(hpk_ctx *ctx, const hpk__reduce_job *j, int64_t first, int64_t count,
                                 hpk__reduce_node *node)
{
    static void (*const leaves[])(const void *, int64_t, void *, void *) = {
        [HPK__OP_SUM] = sum_leaf, [HPK__OP_ASUM] = asum_leaf, [HPK__OP_DOT] = dot_leaf, [HPK__OP_NRM2] = nrm2_leaf,
        [OP_SUMSQ] = sumsq_leaf};
    static void (*const multi[])(const void *, int64_t, int, void *, void *) = {
        [HPK__OP_SUM] = sum_leaves, [HPK__OP_ASUM] = asum_leaves, [HPK__OP_DOT] = dot_leaves,
        [HPK__OP_NRM2] = NULL, [OP_SUMSQ] = NULL};
    const reduce_op op = op_of(j);
    const reduce_job job = {hpk__vec_make(j->x, j->n, j->incx, j->f32),
                            op == HPK__OP_DOT ? hpk__vec_make(j->y, j->n, j->incy, j->f32) : (hpk__vec){0}, j->n};
    const hpk__tree tree = {
        .nblocks = reduce_blocks(j->n),
        .block_work = op == HPK__OP_DOT ? 2.0 * HPK__REDUCE_BLOCK : HPK__REDUCE_BLOCK,
        .node_size = sizeof(reduce_node),
        .job = &job,
        .leaf = leaves[op],
        .combine = reduce_combine,
        .leaves = multi[op],
    };
    if (count == 1) { /* one block: its leaf, on this thread either way */
        if (tree.leaves)
            tree.leaves(&job, first, 1, node, NULL);
        else
            tree.leaf(&job, first, node, NULL);
        return HPK_SUCCESS;
    }
    hpk__subtree sub;
    const hpk__tree part = hpk__tree_part(&tree, first, count, &sub);
    return ctx->ops->runner->tree(ctx, &part, node);
}

double HPK__CPU(reduce_finish)(const hpk__reduce_job *job, const hpk__reduce_node *root)
{
    return job->op == HPK__OP_NRM2 ? nrm2_finish(root) : root->s[0];
}

static hpk_status reduction(hpk_ctx *ctx, hpk__reduce_op op, bool f32, int64_t n, const void *x, int64_t incx,
                            const void *y, int64_t incy, void *result)
{
    const hpk__reduce_job job = {op, f32, n, x, y, incx, incy};
    reduce_node root;
    const hpk_status st = HPK__CPU(reduce_part)(ctx, &job, 0, reduce_blocks(n), &root);
    return hpk__store_result(st, st == HPK_SUCCESS ? HPK__CPU(reduce_finish)(&job, &root) : 0.0, f32, result);
}

hpk_status HPK__CPU(dsum)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduction(ctx, HPK__OP_SUM, false, n, x, incx, NULL, 0, result);
}

hpk_status HPK__CPU(ssum)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduction(ctx, HPK__OP_SUM, true, n, x, incx, NULL, 0, result);
}

hpk_status HPK__CPU(dasum)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduction(ctx, HPK__OP_ASUM, false, n, x, incx, NULL, 0, result);
}

hpk_status HPK__CPU(sasum)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduction(ctx, HPK__OP_ASUM, true, n, x, incx, NULL, 0, result);
}

hpk_status HPK__CPU(dnrm2)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduction(ctx, HPK__OP_NRM2, false, n, x, incx, NULL, 0, result);
}

hpk_status HPK__CPU(snrm2)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduction(ctx, HPK__OP_NRM2, true, n, x, incx, NULL, 0, result);
}

hpk_status HPK__CPU(ddot)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                          const double *y, int64_t incy, double *result)
{
    return reduction(ctx, HPK__OP_DOT, false, n, x, incx, y, incy, result);
}

hpk_status HPK__CPU(sdot)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                          const float *y, int64_t incy, float *result)
{
    return reduction(ctx, HPK__OP_DOT, true, n, x, incx, y, incy, result);
}

/* ---- i?amax: the first largest |x_i|, a NaN beating every number ---------- */

typedef hpk__amax_node amax_node;

/* The first element of a block whose |x| is NaN; -1 if none. */
static int64_t first_nan(const reduce_job *job, int64_t first, int64_t len)
{
    for (int64_t i = 0; i < len; i++)
        if (isnan(hpk__vec_at(&job->x, first + i)))
            return first + i;
    return -1;
}

/* Strided data: each lane keeps its largest |x| and where it first saw
 * it; then the lanes agree on the largest value and, among the lanes
 * holding it, the smallest index (any lane count finds the same index:
 * maxima are exact).  A NaN anywhere sends the block to a scan for the
 * first NaN. */
static void amax_leaf(const void *job_, int64_t block, void *node, void *scratch)
{
    (void)scratch;
    const reduce_job *job = job_;
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    const hpk__vd none = {0};
    hpk__vd best[HPK__NVD];
    hpk__vdm at[HPK__NVD], iota[HPK__NVD], nan_seen = {0};
    for (int q = 0; q < HPK__NVD; q++) {
        best[q] = none - 1.0;
        at[q] = (hpk__vdm){0};
        for (int l = 0; l < HPK__VD_N; l++)
            iota[q][l] = q * HPK__VD_N + l;
    }
    for (int64_t k = 0; k < len; k += HPK__LANES_F64) {
        double buf[HPK__LANES_F64];
        gather_f64(&job->x, first + k, len - k < HPK__LANES_F64 ? len - k : HPK__LANES_F64, buf);
        HPK__EACH(q, HPK__NVD) {
            const hpk__vd a = hpk__vd_abs(hpk__vd_load(buf + q * HPK__VD_N));
            const hpk__vdm up = a > best[q];
            nan_seen |= a != a;
            best[q] = hpk__vd_select(up, a, best[q]);
            at[q] = (at[q] & ~up) | ((iota[q] + k) & up);
        }
    }
    amax_node *out = node;
    if (hpk__vdm_any(nan_seen)) {
        out->index = first_nan(job, first, len);
        out->value = NAN;
        return;
    }
    double lane_best[HPK__LANES_F64];
    long long lane_at[HPK__LANES_F64];
    memcpy(lane_best, best, sizeof lane_best);
    memcpy(lane_at, at, sizeof lane_at);
    int winner = 0;
    for (int l = 1; l < HPK__LANES_F64; l++)
        if (lane_best[l] > lane_best[winner] || (lane_best[l] == lane_best[winner] && lane_at[l] < lane_at[winner]))
            winner = l;
    out->index = first + lane_at[winner];
    out->value = lane_best[winner];
}

/* Contiguous data: |x| of a float or double orders as its bit pattern read
 * as an unsigned integer, a NaN above every number.  So a block's largest
 * |x| is an integer maximum, which vectorises to one instruction per
 * vector; the chunks' maxima say where the first largest lies, and a short
 * scan of that chunk finds it.  A maximum above infinity's pattern means a
 * NaN, and the block is scanned for the first one.  Every index is the one
 * the comparison rule gives (hpk.h). */
#define AMAX_CHUNK 256

/* Independent running maxima per chunk: enough to hide the compare's
 * latency. */
#define AMAX_ACCS 4

/* The largest lane of m: the lanes rotated by half, a quarter, ... of the
 * vector and the maxima taken, a few shuffles instead of a scalar pass
 * over every lane (on AVX-512 sixteen, once per chunk). */
static inline __attribute__((always_inline)) int vfm_lanes_max(hpk__vfm m)
{
#if HPK__VF_N == 16
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7));
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3));
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1));
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0));
#elif HPK__VF_N == 8
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 4, 5, 6, 7, 0, 1, 2, 3));
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 2, 3, 4, 5, 6, 7, 0, 1));
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 1, 2, 3, 4, 5, 6, 7, 0));
#elif HPK__VF_N == 4
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 2, 3, 0, 1));
    m = hpk__vfm_max(m, HPK__SHUFFLE(m, m, 1, 2, 3, 0));
#else
#error "vfm_lanes_max: a float vector of 4, 8 or 16 lanes"
#endif
    return m[0];
}

/* The largest |x| bit pattern among p[begin, end), for each precision: an
 * integer maximum of the patterns with the sign cleared (a signed compare
 * orders them; AVX2 has no unsigned 64-bit one), a NaN's pattern above
 * infinity's.  SSE2 has no 64-bit compare at all: there the double kernel
 * takes the largest |x| as a number (without NaNs it has the largest
 * pattern) and reports a NaN as UINT64_MAX. */
static uint64_t max_bits_f32(const float *p, int64_t begin, int64_t end)
{
    hpk__vfm m[AMAX_ACCS];
    HPK__ZERO_EACH(m, AMAX_ACCS);
    int64_t i = begin;
    for (; i + AMAX_ACCS * HPK__VF_N <= end; i += AMAX_ACCS * HPK__VF_N)
        HPK__EACH(q, AMAX_ACCS) {
            const hpk__vfm u = *(const hpk__vfm_mem *)(p + i + q * HPK__VF_N) & 0x7fffffff;
            m[q] = hpk__vfm_max(u, m[q]);
        }
    HPK__EACH(q, AMAX_ACCS - 1) m[0] = hpk__vfm_max(m[q + 1], m[0]);
    int most = vfm_lanes_max(m[0]);
    for (; i < end; i++) {
        int u;
        memcpy(&u, p + i, sizeof u);
        u &= 0x7fffffff;
        most = u > most ? u : most;
    }
    return (uint64_t)most;
}

#if defined(__SSE2__) && !defined(__SSE4_2__)
#define AMAX_F64_AS_NUMBERS 1
#endif

static uint64_t max_bits_f64(const double *p, int64_t begin, int64_t end)
{
#ifdef AMAX_F64_AS_NUMBERS
    hpk__vd m[AMAX_ACCS];
    hpk__vdm nan = {0};
#else
    hpk__vdm m[AMAX_ACCS];
#endif
    HPK__ZERO_EACH(m, AMAX_ACCS);
    int64_t i = begin;
    for (; i + AMAX_ACCS * HPK__VD_N <= end; i += AMAX_ACCS * HPK__VD_N)
        HPK__EACH(q, AMAX_ACCS) {
#ifdef AMAX_F64_AS_NUMBERS
            const hpk__vd a = hpk__vd_abs(hpk__vd_load(p + i + q * HPK__VD_N));
            nan |= a != a;
            m[q] = hpk__vd_max(a, m[q]);
#else
            const hpk__vdm u = *(const hpk__vdm_mem *)(p + i + q * HPK__VD_N) & 0x7fffffffffffffffLL;
            const hpk__vdm up = u > m[q];
            m[q] = (m[q] & ~up) | (u & up);
#endif
        }
#ifdef AMAX_F64_AS_NUMBERS
    HPK__EACH(q, AMAX_ACCS - 1) m[0] = hpk__vd_max(m[q + 1], m[0]);
#else
    HPK__EACH(q, AMAX_ACCS - 1) {
        const hpk__vdm up = m[q + 1] > m[0];
        m[0] = (m[0] & ~up) | (m[q + 1] & up);
    }
#endif
    long long most = 0;
    HPK__EACH(l, HPK__VD_N) {
        long long u;
        memcpy(&u, (const char *)&m[0] + l * sizeof u, sizeof u);
        most = u > most ? u : most;
    }
#ifdef AMAX_F64_AS_NUMBERS
    if (hpk__vdm_any(nan))
        return UINT64_MAX;
#endif
    for (; i < end; i++) {
        long long u;
        memcpy(&u, p + i, sizeof u);
        u &= 0x7fffffffffffffffLL;
        most = u > most ? u : most;
    }
    return (uint64_t)most;
}

static uint64_t abs_bits(const void *p, bool f32, int64_t i)
{
    if (f32) {
        uint32_t u;
        memcpy(&u, (const float *)p + i, sizeof u);
        return u & 0x7fffffffu;
    }
    uint64_t u;
    memcpy(&u, (const double *)p + i, sizeof u);
    return u & 0x7fffffffffffffffu;
}

/* The first index in [i, len) whose |x| has the bit pattern `most` (there
 * is one): a whole vector at a time, then element by element from the
 * vector that holds it (or the short tail). */
static int64_t first_with_bits(const void *p, bool f32, int64_t i, int64_t len, uint64_t most)
{
    if (f32) {
        const hpk__vfm want = (hpk__vfm){0} + (int)most;
        while (i + HPK__VF_N <= len &&
               !hpk__vdm_any((hpk__vdm)((*(const hpk__vfm_mem *)((const float *)p + i) & 0x7fffffff) == want)))
            i += HPK__VF_N;
    } else {
        const hpk__vdm want = (hpk__vdm){0} + (long long)most;
        while (i + HPK__VD_N <= len &&
               !hpk__vdm_any((*(const hpk__vdm_mem *)((const double *)p + i) & 0x7fffffffffffffffLL) == want))
            i += HPK__VD_N;
    }
    while (abs_bits(p, f32, i) != most)
        i++;
    return i;
}

static void amax_leaf_dense(const reduce_job *job, int64_t block, amax_node *out, bool f32)
{
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    const void *p = f32 ? (const void *)((const float *)job->x.base + first)
                        : (const void *)((const double *)job->x.base + first);
    uint64_t most = 0;
    int64_t i = 0; /* the first chunk holding the largest */
    const int64_t chunks = (len + AMAX_CHUNK - 1) / AMAX_CHUNK;
    for (int64_t c = 0; c < chunks; c++) {
        const int64_t begin = c * AMAX_CHUNK, end = len - begin < AMAX_CHUNK ? len : begin + AMAX_CHUNK;
        const uint64_t chunk_max = f32 ? max_bits_f32(p, begin, end) : max_bits_f64(p, begin, end);
        if (chunk_max > most) {
            most = chunk_max;
            i = begin;
        }
    }
    if (most > (f32 ? 0x7f800000u : 0x7ff0000000000000u)) { /* above infinity: a NaN */
        out->index = first_nan(job, first, len);
        out->value = NAN;
        return;
    }
    i = first_with_bits(p, f32, i, len, most);
    out->index = first + i;
    out->value = fabs(hpk__vec_at(&job->x, first + i));
}

static void amax_leaf_f32(const void *job, int64_t block, void *node, void *scratch)
{
    (void)scratch;
    amax_leaf_dense(job, block, node, true);
}

static void amax_leaf_f64(const void *job, int64_t block, void *node, void *scratch)
{
    (void)scratch;
    amax_leaf_dense(job, block, node, false);
}

static void amax_combine(const void *job, void *left, const void *right)
{
    (void)job;
    hpk__amax_combine(left, right);
}

static hpk_status run_amax(hpk_ctx *ctx, int64_t n, hpk__vec x, int64_t *index)
{
    const reduce_job job = {x, {0}, n};
    const hpk__tree tree = {
        .nblocks = reduce_blocks(n),
        .block_work = HPK__REDUCE_BLOCK,
        .node_size = sizeof(amax_node),
        .job = &job,
        .leaf = hpk__vec_is_dense_f32(&x) ? amax_leaf_f32 : hpk__vec_is_dense_f64(&x) ? amax_leaf_f64 : amax_leaf,
        .combine = amax_combine,
    };
    amax_node root;
    hpk_status st = ctx->ops->runner->tree(ctx, &tree, &root);
    if (st == HPK_SUCCESS)
        *index = root.index;
    return st;
}

hpk_status HPK__CPU(idamax)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t *index)
{
    return run_amax(ctx, n, hpk__vec_make(x, n, incx, false), index);
}

hpk_status HPK__CPU(isamax)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t *index)
{
    return run_amax(ctx, n, hpk__vec_make(x, n, incx, true), index);
}
