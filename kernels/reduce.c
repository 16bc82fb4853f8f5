/* Reductions (sum, asum, dot, nrm2, i?amax) in the canonical order of
 * order.h: fixed blocks of HPK__REDUCE_BLOCK logical elements, each summed
 * in independent lanes (HPK__LANES_F64 for double data, HPK__LANES_F32 for
 * float data), the blocks combined pairwise by the runner's tree.  float
 * sum, asum and dot add runs of each lane's elements in float and carry the
 * runs into double; float nrm2 widens each element to double. */
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

static const double blue_tsml = HPK__BLUE_TSML, blue_tbig = HPK__BLUE_TBIG;
static const double blue_ssml = HPK__BLUE_SSML, blue_sbig = HPK__BLUE_SBIG;

static inline int64_t block_length(int64_t n, int64_t block)
{
    const int64_t rest = n - block * HPK__REDUCE_BLOCK;
    return rest < HPK__REDUCE_BLOCK ? rest : HPK__REDUCE_BLOCK;
}

/* double data's accumulators: lanes 0-7 and 8-15 of one running sum; nrm2
 * keeps three (Blue's small, medium and big). */
typedef struct reduce_acc {
    hpk__v8d lo[3], hi[3];
} reduce_acc;

/* Blue's step for eight |v|: select first, then scale — scaling every |v|
 * would make (slow) subnormals out of ordinary numbers.  A NaN fails both
 * range tests and lands in the medium sum. */
static inline __attribute__((always_inline)) void
nrm2_step(hpk__v8d v, hpk__v8d *small_sum, hpk__v8d *medium_sum, hpk__v8d *big_sum)
{
    const hpk__v8d av = hpk__abs_v8d(v), zero = {0};
    const hpk__v8l small = av < blue_tsml, big = av > blue_tbig;
    const hpk__v8d sml = hpk__select_v8d(small, av, zero) * blue_ssml;
    const hpk__v8d bg = hpk__select_v8d(big, av, zero) * blue_sbig;
    const hpk__v8d med = hpk__select_v8d(small | big, zero, av);
    *small_sum += sml * sml;
    *medium_sum += med * med;
    *big_sum += bg * bg;
}

/* One step of sixteen double lanes: x (and y, for dot) folded into acc. */
static inline __attribute__((always_inline)) void
reduce_step(reduce_op op, reduce_acc *acc, hpk__lanes x, hpk__lanes y)
{
    switch (op) {
    case HPK__OP_SUM:
        acc->lo[0] += x.lo;
        acc->hi[0] += x.hi;
        break;
    case HPK__OP_ASUM:
        acc->lo[0] += hpk__abs_v8d(x.lo);
        acc->hi[0] += hpk__abs_v8d(x.hi);
        break;
    case HPK__OP_DOT:
        acc->lo[0] += x.lo * y.lo;
        acc->hi[0] += x.hi * y.hi;
        break;
    case HPK__OP_NRM2:
        nrm2_step(x.lo, &acc->lo[0], &acc->lo[1], &acc->lo[2]);
        nrm2_step(x.hi, &acc->hi[0], &acc->hi[1], &acc->hi[2]);
        break;
    case OP_SUMSQ: /* float data only (reduce_leaf_f32) */
        break;
    }
}

/* A block of double data. */
static inline __attribute__((always_inline)) void
reduce_leaf_f64(reduce_op op, const reduce_job *job, int64_t block, reduce_node *out)
{
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    reduce_acc acc = {{{0}}, {{0}}};
    int64_t k = 0;
    /* Contiguous data: straight loads; everything else: hpk__vec_load.
     * Both feed the same lanes in the same order. */
    if (hpk__vec_is_dense_f64(&job->x) && (op != HPK__OP_DOT || hpk__vec_is_dense_f64(&job->y))) {
        const double *px = (const double *)job->x.base + first;
        const double *py = op == HPK__OP_DOT ? (const double *)job->y.base + first : px;
        for (; k + HPK__LANES_F64 <= len; k += HPK__LANES_F64) {
            const hpk__lanes x = {hpk__load_v8d(px + k), hpk__load_v8d(px + k + 8)};
            const hpk__lanes y = {hpk__load_v8d(py + k), hpk__load_v8d(py + k + 8)};
            reduce_step(op, &acc, x, y);
        }
    }
    for (; k < len; k += HPK__LANES_F64) {
        const int64_t count = len - k < HPK__LANES_F64 ? len - k : HPK__LANES_F64;
        const hpk__lanes x = hpk__vec_load(&job->x, first + k, count);
        const hpk__lanes y = op == HPK__OP_DOT ? hpk__vec_load(&job->y, first + k, count) : x;
        reduce_step(op, &acc, x, y);
    }
    for (int s = 0; s < 3; s++)
        out->s[s] = s == 0 || op == HPK__OP_NRM2 ? hpk__lanes_total((hpk__lanes){acc.lo[s], acc.hi[s]}) : 0.0;
}

/* float data's lane sums in double: m holds lanes 8m .. 8m + 7 (named
 * fields, so that they stay in registers). */
typedef struct sums_f {
    hpk__v8d m0, m1, m2, m3, m4, m5, m6, m7;
} sums_f;

/* A float run's lanes carried into the double sums (exact widening). */
static inline __attribute__((always_inline)) void carry_run(sums_f *s, hpk__lanes_f run)
{
    s->m0 += hpk__widen_lo(run.a);
    s->m1 += hpk__widen_hi(run.a);
    s->m2 += hpk__widen_lo(run.b);
    s->m3 += hpk__widen_hi(run.b);
    s->m4 += hpk__widen_lo(run.c);
    s->m5 += hpk__widen_hi(run.c);
    s->m6 += hpk__widen_lo(run.d);
    s->m7 += hpk__widen_hi(run.d);
}

/* float nrm2: each element's square, formed in double, into the sums. */
static inline __attribute__((always_inline)) void add_squares(sums_f *s, hpk__lanes_f x)
{
    hpk__v8d w;
    w = hpk__widen_lo(x.a), s->m0 += w * w;
    w = hpk__widen_hi(x.a), s->m1 += w * w;
    w = hpk__widen_lo(x.b), s->m2 += w * w;
    w = hpk__widen_hi(x.b), s->m3 += w * w;
    w = hpk__widen_lo(x.c), s->m4 += w * w;
    w = hpk__widen_hi(x.c), s->m5 += w * w;
    w = hpk__widen_lo(x.d), s->m6 += w * w;
    w = hpk__widen_hi(x.d), s->m7 += w * w;
}

/* The fold of order.h on the 64 lanes: lane l takes l + 32 and l + 16
 * (whole vectors), then the halvings of hpk__lanes_total. */
static inline double sums_f_total(sums_f s)
{
    const hpk__lanes t = {(s.m0 + s.m4) + (s.m2 + s.m6), (s.m1 + s.m5) + (s.m3 + s.m7)};
    return hpk__lanes_total(t);
}

/* One step of a float run: x (and y, for dot) into the run's lanes. */
static inline __attribute__((always_inline)) hpk__lanes_f run_step(reduce_op op, hpk__lanes_f r, hpk__lanes_f x,
                                                                   hpk__lanes_f y)
{
    if (op == HPK__OP_ASUM) {
        x = (hpk__lanes_f){hpk__abs_v16f(x.a), hpk__abs_v16f(x.b), hpk__abs_v16f(x.c), hpk__abs_v16f(x.d)};
    } else if (op == HPK__OP_DOT) {
        x = (hpk__lanes_f){x.a * y.a, x.b * y.b, x.c * y.c, x.d * y.d};
    }
    return (hpk__lanes_f){r.a + x.a, r.b + x.b, r.c + x.c, r.d + x.d};
}

/* Elements of a block covered by one float run of every lane. */
#define F32_RUN_SPAN (HPK__LANES_F32 * HPK__F32_RUN)

/* A block of float data: sum, asum and dot in float runs carried into
 * double, nrm2 (OP_SUMSQ) in double. */
static inline __attribute__((always_inline)) void
reduce_leaf_f32(reduce_op op, const reduce_job *job, int64_t block, reduce_node *out)
{
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    const bool dense = hpk__vec_is_dense_f32(&job->x) && (op != HPK__OP_DOT || hpk__vec_is_dense_f32(&job->y));
    const float *px = (const float *)job->x.base + first;
    const float *py = op == HPK__OP_DOT ? (const float *)job->y.base + first : px;
    sums_f sums = {0};
    for (int64_t k = 0; k < len; k += F32_RUN_SPAN) {
        const int64_t end = len - k < F32_RUN_SPAN ? len : k + F32_RUN_SPAN;
        hpk__lanes_f run = {0};
        int64_t i = k;
        if (dense)
            for (; i + HPK__LANES_F32 <= end; i += HPK__LANES_F32) {
                const hpk__lanes_f x = hpk__load_lanes_f(px + i);
                if (op == OP_SUMSQ)
                    add_squares(&sums, x);
                else
                    run = run_step(op, run, x, op == HPK__OP_DOT ? hpk__load_lanes_f(py + i) : x);
            }
        for (; i < end; i += HPK__LANES_F32) { /* lanes past the end add +0.0f, changing nothing */
            const int64_t count = end - i < HPK__LANES_F32 ? end - i : HPK__LANES_F32;
            const hpk__lanes_f x = hpk__vec_load_f(&job->x, first + i, count);
            if (op == OP_SUMSQ)
                add_squares(&sums, x);
            else
                run = run_step(op, run, x, op == HPK__OP_DOT ? hpk__vec_load_f(&job->y, first + i, count) : x);
        }
        if (op != OP_SUMSQ)
            carry_run(&sums, run);
    }
    const double total = sums_f_total(sums);
    out->s[0] = op == OP_SUMSQ ? 0.0 : total;
    out->s[1] = op == OP_SUMSQ ? total : 0.0;
    out->s[2] = 0.0;
}

static inline __attribute__((always_inline)) void
reduce_leaf(reduce_op op, const reduce_job *job, int64_t block, reduce_node *out)
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

/* nrm2 of a contiguous block, chunk by chunk.  Blue's step sends each |x|
 * to one of three sums; a chunk whose elements all go to the same one (or
 * are zero, which adds +0.0 to whichever sum takes it, changing none) gives
 * the same lanes with one multiply-add per element: v^2 into the medium
 * sum (NaN counts as medium), or (|v| ssml)^2 into the small one, or
 * (|v| sbig)^2 into the big one.  Each chunk runs as the kind its
 * predecessors had, checking that its elements are of that kind; when one
 * is not, the lanes are restored and the chunk runs again with Blue's full
 * step, and the sum it changed (if only one) sets the kind guessed next.
 * The bits are those of the full step on every element. */
#define NRM2_CHUNK 1024

typedef enum nrm2_kind { NRM2_SMALL, NRM2_MEDIUM, NRM2_BIG, NRM2_MIXED } nrm2_kind;

/* The chunk's elements folded into sums[k][0..1] (lanes 0-7 and 8-15 of
 * Blue's sum k: small, medium, big) as `kind` (Blue's full step for
 * NRM2_MIXED); true when every element is of that kind or zero.  Always
 * inlined with a constant kind, so each version tests only what it must. */
static inline __attribute__((always_inline)) bool nrm2_run(nrm2_kind kind, const double *p, int64_t begin,
                                                            int64_t end, hpk__v8d sums[3][2])
{
    const hpk__v8d zero = {0};
    hpk__v8l wrong = {0};
    for (int64_t k = begin; k < end; k += HPK__LANES_F64) {
        for (int h = 0; h < 2; h++) {
            const hpk__v8d v = hpk__load_v8d(p + k + 8 * h), a = hpk__abs_v8d(v);
            if (kind == NRM2_MEDIUM) { /* NaN passes both tests: medium */
                sums[1][h] += v * v;
                wrong |= ((a < blue_tsml) & (a != zero)) | (a > blue_tbig);
            } else if (kind == NRM2_SMALL) {
                const hpk__v8d t = a * blue_ssml;
                sums[0][h] += t * t;
                wrong |= ~(a < blue_tsml);
            } else if (kind == NRM2_BIG) {
                const hpk__v8d t = a * blue_sbig;
                sums[2][h] += t * t;
                wrong |= ~(a > blue_tbig) & (a != zero);
            } else {
                nrm2_step(v, &sums[0][h], &sums[1][h], &sums[2][h]);
            }
        }
    }
    return !hpk__any_v8l(wrong);
}

static bool nrm2_run_kind(nrm2_kind kind, const double *p, int64_t begin, int64_t end, hpk__v8d sums[3][2])
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
static nrm2_kind nrm2_kind_after(hpk__v8d before[3][2], hpk__v8d after[3][2], nrm2_kind guess)
{
    int changed = 0;
    nrm2_kind kind = guess;
    for (int k = 0; k < 3; k++) {
        if (hpk__any_v8l((before[k][0] != after[k][0]) | (before[k][1] != after[k][1]))) {
            changed++;
            kind = (nrm2_kind)k;
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
    hpk__v8d sums[3][2] = {{{0}}};
    /* the first guess: the kind of the block's first element */
    const double a0 = fabs(p[0]);
    nrm2_kind guess = a0 < blue_tsml && a0 != 0.0 ? NRM2_SMALL : a0 > blue_tbig ? NRM2_BIG : NRM2_MEDIUM;
    for (int64_t begin = 0; begin < len; begin += NRM2_CHUNK) {
        const int64_t end = len - begin < NRM2_CHUNK ? len : begin + NRM2_CHUNK;
        hpk__v8d saved[3][2];
        memcpy(saved, sums, sizeof saved);
        if (!nrm2_run_kind(guess, p, begin, end, sums)) { /* guessed wrong: the full step */
            memcpy(sums, saved, sizeof saved);
            nrm2_run(NRM2_MIXED, p, begin, end, sums);
            guess = nrm2_kind_after(saved, sums, guess);
        }
    }
    for (int k = 0; k < 3; k++)
        out->s[k] = hpk__lanes_total((hpk__lanes){sums[k][0], sums[k][1]});
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
    reduce_node *l = left;
    const reduce_node *r = right;
    for (int s = 0; s < 3; s++)
        l->s[s] += r->s[s];
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
    };
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

/* Strided data, sixteen lanes as doubles (any lane count finds the same
 * index: maxima are exact). */
#define AMAX_LANES HPK__LANES_F64

/* One pass per block: each lane keeps its largest |x| and where it first
 * saw it; then the lanes agree on the largest value and, among the lanes
 * holding it, the smallest index.  A NaN anywhere sends the block to a scan
 * for the first NaN. */
static void amax_leaf(const void *job_, int64_t block, void *node, void *scratch)
{
    (void)scratch;
    const reduce_job *job = job_;
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    const hpk__v8d none = {-1, -1, -1, -1, -1, -1, -1, -1};
    const hpk__v8l iota = {0, 1, 2, 3, 4, 5, 6, 7};
    hpk__v8d best_lo = none, best_hi = none;
    hpk__v8l at_lo = {0}, at_hi = {0}, nan_seen = {0};
    for (int64_t k = 0; k < len; k += AMAX_LANES) {
        const int64_t count = len - k < AMAX_LANES ? len - k : AMAX_LANES;
        const hpk__lanes x = hpk__vec_load(&job->x, first + k, count);
        const hpk__v8d lo = hpk__abs_v8d(x.lo), hi = hpk__abs_v8d(x.hi);
        nan_seen |= (lo != lo) | (hi != hi);
        const hpk__v8l up_lo = lo > best_lo, up_hi = hi > best_hi;
        best_lo = hpk__select_v8d(up_lo, lo, best_lo);
        best_hi = hpk__select_v8d(up_hi, hi, best_hi);
        at_lo = (at_lo & ~up_lo) | ((iota + k) & up_lo);
        at_hi = (at_hi & ~up_hi) | ((iota + (k + 8)) & up_hi);
    }
    long long at[AMAX_LANES];
    double best[AMAX_LANES];
    memcpy(best, &best_lo, sizeof best_lo);
    memcpy(best + 8, &best_hi, sizeof best_hi);
    memcpy(at, &at_lo, sizeof at_lo);
    memcpy(at + 8, &at_hi, sizeof at_hi);
    amax_node *out = node;
    if (hpk__any_v8l(nan_seen)) {
        out->index = first_nan(job, first, len);
        out->value = NAN;
        return;
    }
    int winner = 0;
    for (int l = 1; l < AMAX_LANES; l++)
        if (best[l] > best[winner] || (best[l] == best[winner] && at[l] < at[winner]))
            winner = l;
    out->index = first + at[winner];
    out->value = best[winner];
}

/* Contiguous data: |x| of a float or double orders as its bit pattern read
 * as an unsigned integer, a NaN above every number.  So a block's largest
 * |x| is an integer maximum, which vectorises to one instruction per
 * vector; the chunks' maxima say where the first largest lies, and a short
 * scan of that chunk finds it.  A maximum above infinity's pattern means a
 * NaN, and the block is scanned for the first one.  Every index is the one
 * the comparison rule gives (hpk.h). */
#define AMAX_CHUNK 256

/* The largest |x| bit pattern among p[begin, end) (integer maxima, which
 * vectorise), for each precision. */
static uint64_t max_bits_f32(const void *p, int64_t begin, int64_t end)
{
    uint32_t m = 0;
    for (int64_t i = begin; i < end; i++) {
        uint32_t u;
        memcpy(&u, (const float *)p + i, sizeof u);
        u &= 0x7fffffffu;
        m = u > m ? u : m;
    }
    return m;
}

static uint64_t max_bits_f64(const void *p, int64_t begin, int64_t end)
{
    uint64_t m = 0;
    for (int64_t i = begin; i < end; i++) {
        uint64_t u;
        memcpy(&u, (const double *)p + i, sizeof u);
        u &= 0x7fffffffffffffffu;
        m = u > m ? u : m;
    }
    return m;
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

static void amax_leaf_dense(const reduce_job *job, int64_t block, amax_node *out, bool f32)
{
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    const void *p = f32 ? (const void *)((const float *)job->x.base + first)
                        : (const void *)((const double *)job->x.base + first);
    uint64_t chunk_max[HPK__REDUCE_BLOCK / AMAX_CHUNK] = {0}, most = 0;
    const int64_t chunks = (len + AMAX_CHUNK - 1) / AMAX_CHUNK;
    for (int64_t c = 0; c < chunks; c++) {
        const int64_t begin = c * AMAX_CHUNK, end = len - begin < AMAX_CHUNK ? len : begin + AMAX_CHUNK;
        chunk_max[c] = f32 ? max_bits_f32(p, begin, end) : max_bits_f64(p, begin, end);
        most = chunk_max[c] > most ? chunk_max[c] : most;
    }
    if (most > (f32 ? 0x7f800000u : 0x7ff0000000000000u)) { /* above infinity: a NaN */
        out->index = first_nan(job, first, len);
        out->value = NAN;
        return;
    }
    int64_t i = 0;
    while (chunk_max[i / AMAX_CHUNK] != most)
        i += AMAX_CHUNK;
    while (abs_bits(p, f32, i) != most)
        i++;
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
