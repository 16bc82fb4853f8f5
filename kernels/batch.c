/* Batches on the CPU backends.  Problems go to threads whole, in one run of
 * the runner's range: dense ones one at a time in the path's registers,
 * short strided vectors W at a time side by side (below), the others each
 * by this code path's one-thread kernels (the serial table).  Small
 * problems all go so; big ones as many as share evenly among the threads,
 * and the few left over one after another, each with all the threads.
 * Every way computes problem k with its single call's operations in their
 * order, so its bits are that call's. */
#include "batch.h"
#include "blue.h"
#include "cpu_kernels.h"
#include "reduce_finish.h"
#include "runner.h"
#include "vec.h"

#include <stdatomic.h>
#include <string.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* Problems below this many elements of work are small: a single call this
 * small runs on one thread anyway (the OpenMP runner starts a thread per
 * 32 K elements, kernels/omp/runner.c), so splitting one would only add a
 * fork and a join.  Big problems run whole too, where they share evenly
 * among the threads: from DRAM, a thread reading its own problems streams
 * faster than threads taking halves of each (docs/PERFORMANCE.md, "Batched
 * problems, fourth round"). */
#define HPK__BATCH_SMALL 65536.0

typedef struct batch_job {
    const hpk__batch *b;
    atomic_int *failed; /* set by the first share that fails, which fills: */
    hpk_status *status;
    char *message;
} batch_job;

/* ---- short vectors side by side ------------------------------------------
 * The reductions of W = HPK__VD_N short vectors at once: vector lane p
 * holds problem p's value, so that each operation the lane kernels
 * (reduce.c) do on one problem's lane l is done here on lane l of W
 * problems -- the same operations on the same values in the same order,
 * so the same bits -- at a few loads per element, without a single call's
 * fixed costs.  Lane l of a problem takes its elements l, l + L, ... (L
 * lanes: HPK__LANES_F64, or HPK__LANES_F32 with float runs of
 * HPK__F32_RUN carried into double); the lanes fold as HPK__FOLD_LANES
 * says.  The elements the kernels pad a block's tail with are +0.0, which
 * changes no lane (a lane that starts at +0.0 never holds -0.0), so they
 * are left out. */

/* Strided vectors up to this many elements go side by side; longer ones
 * are each their own single call's lanes, which are faster from there
 * (measured on AVX2 against the single calls' path: 48 doubles or about
 * 128 floats). */
#define SIDE_BY_SIDE_MAX 48
#define SIDE_BY_SIDE_MAX_F32 128

#define W HPK__VD_N
typedef float vfw __attribute__((vector_size(W * sizeof(float))));
typedef int vfwm __attribute__((vector_size(W * sizeof(int))));

/* W problems' elements as a vector: problem p's element i of p[q]. */
static inline hpk__vd across_d(const double *const *p, int64_t i)
{
    hpk__vd v;
    for (int q = 0; q < W; q++)
        v[q] = p[q][i];
    return v;
}

static inline vfw across_f(const float *const *p, int64_t i)
{
    vfw v;
    for (int q = 0; q < W; q++)
        v[q] = p[q][i];
    return v;
}

/* FOLD_LIVE and its callers: the fold reads only the `live` lanes the
 * callers wrote, which GCC cannot see (every batch here has n >= 1, so live >= 1). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

/* The fold of `lanes` lanes (a power of two up to 64) of which only the
 * first `live` can be other than +0.0: adding a +0.0 lane changes nothing
 * (a lane never holds -0.0), so those adds are left out; the others are
 * HPK__FOLD_LANES's.  On vectors of double or float lanes alike.  Each
 * halving unrolled (vec.h's HPK__FOLD_LIVE), its adds guarded by `live`:
 * straight code on constant offsets, where a loop over the halvings kept
 * storing the lanes to the stack (and ran 0.8x as fast). */
#define FOLD_LIVE(t, lanes, live)                          \
    __extension__({                                        \
        _Static_assert((lanes) <= 64, "at most 64 lanes"); \
        HPK__FOLD_LIVE(t, lanes, live);                    \
        (t)[0];                                            \
    })

/* Problem q's operand of a batch (from problem k): its logical element 0,
 * for an operand of `len` elements with increment inc. */
static inline const void *operand_at(const hpk__batch_operand *o, int64_t k, int q, int64_t len, int64_t inc,
                                     size_t elem)
{
    return (const char *)hpk__batch_at(o, k + q, elem) + hpk__vector_origin(len, inc) * (int64_t)elem;
}

/* nrm2 when every element is 0, a NaN or of medium size (Blue's
 * [TSML, TBIG]): then the small and big sums stay +0.0 (a zero lands in
 * the small one as +0.0), so only the medium one, |v|^2 added as
 * nrm2_step adds it, is formed.  Likewise NRM2_SMALL when every element is
 * 0 or small (< TSML), NRM2_BIG when every element is 0 or big (> TBIG):
 * only that sum, (|v| SSML)^2 or (|v| SBIG)^2 as nrm2_step adds it (a zero
 * adds +0.0 to whichever sum takes it). */
enum { NRM2_MEDIUM = HPK__OP_AMAX + 1, NRM2_SMALL, NRM2_BIG };

/* The three folded sums (nrm2; the others use s[0]) of W double problems,
 * for one operation (a constant where it is inlined).  NRM2_MEDIUM returns
 * false, with s unset, when some element is not medium. */
ALWAYS_INLINE bool f64_lanes(int op, const hpk__batch *b, const double *const *x, const double *const *y,
                             hpk__vd s[3])
{
    const int64_t n = b->n, incx = b->incx, incy = b->incy;
    const int live = n < HPK__LANES_F64 ? (int)n : HPK__LANES_F64;
    const hpk__vd zero = {0};
    hpk__vdm outside = {0};
    hpk__vd lanes[3][HPK__LANES_F64];
    for (int l = 0; l < live; l++) {
        hpk__vd s0 = {0}, s1 = {0}, s2 = {0};
        int64_t i = l;
        do { /* lane l's elements; one, when n <= HPK__LANES_F64 */
            const hpk__vd v = across_d(x, i * incx);
            if (op == HPK__OP_SUM) {
                s0 += v;
            } else if (op == HPK__OP_ASUM) {
                s0 += hpk__vd_abs(v);
            } else if (op == HPK__OP_DOT) {
                s0 += v * across_d(y, i * incy);
            } else if (op == NRM2_MEDIUM) {
                const hpk__vd av = hpk__vd_abs(v);
                outside |= ((av < blue_tsml) & (av != zero)) | (av > blue_tbig);
                s1 += av * av;
            } else {
                nrm2_step(v, &s0, &s1, &s2);
            }
            i += HPK__LANES_F64;
        } while (n > HPK__LANES_F64 && i < n);
        lanes[0][l] = s0, lanes[1][l] = s1, lanes[2][l] = s2;
    }
    if (op == NRM2_MEDIUM && hpk__vdm_any(outside))
        return false;
    s[0] = op == NRM2_MEDIUM ? zero : FOLD_LIVE(lanes[0], HPK__LANES_F64, live);
    s[1] = op == NRM2_MEDIUM || op == HPK__OP_NRM2 ? FOLD_LIVE(lanes[1], HPK__LANES_F64, live) : zero;
    s[2] = op == HPK__OP_NRM2 ? FOLD_LIVE(lanes[2], HPK__LANES_F64, live) : zero;
    return true;
}

/* The same for float problems: sum, asum and dot in float runs, nrm2's
 * squares in double (s[0] here). */
ALWAYS_INLINE void f32_lanes(hpk__reduce_op op, const hpk__batch *b, const float *const *x, const float *const *y,
                             hpk__vd s[3])
{
    const int64_t n = b->n, incx = b->incx, incy = b->incy;
    const int live = n < HPK__LANES_F32 ? (int)n : HPK__LANES_F32;
    hpk__vd lanes[HPK__LANES_F32];
    for (int l = 0; l < live; l++) {
        hpk__vd lane = {0};
        for (int64_t i = l; i < n;) {
            if (op == HPK__OP_NRM2) {
                const hpk__vd w = __builtin_convertvector(across_f(x, i * incx), hpk__vd);
                lane += w * w;
                i += HPK__LANES_F32;
                continue;
            }
            vfw run = {0};
            for (int r = 0; r < HPK__F32_RUN && i < n; r++, i += HPK__LANES_F32) {
                const vfw v = across_f(x, i * incx);
                if (op == HPK__OP_SUM)
                    run += v;
                else if (op == HPK__OP_ASUM)
                    run += (vfw)((vfwm)v & 0x7fffffff);
                else
                    run += v * across_f(y, i * incy);
            }
            lane += __builtin_convertvector(run, hpk__vd);
        }
        lanes[l] = lane;
    }
    s[0] = FOLD_LIVE(lanes, HPK__LANES_F32, live);
}

/* Problems [k, k + W) of a strided reduction, finished (as reduce.c and
 * reduce_finish.h finish them) and stored. */
static void side_by_side(const hpk__batch *b, int64_t k)
{
    const size_t elem = b->f32 ? sizeof(float) : sizeof(double);
    const bool dot = b->op == HPK__OP_DOT;
    const void *x[W], *y[W];
    for (int q = 0; q < W; q++) {
        x[q] = operand_at(&b->x, k, q, b->n, b->incx, elem);
        y[q] = dot ? operand_at(&b->y, k, q, b->n, b->incy, elem) : x[q];
    }
    hpk__vd s[3];
    if (b->f32) {
        const float *const *xf = (const float *const *)x, *const *yf = (const float *const *)y;
        switch (b->op) {
        case HPK__OP_SUM: f32_lanes(HPK__OP_SUM, b, xf, yf, s); break;
        case HPK__OP_ASUM: f32_lanes(HPK__OP_ASUM, b, xf, yf, s); break;
        case HPK__OP_DOT: f32_lanes(HPK__OP_DOT, b, xf, yf, s); break;
        default: f32_lanes(HPK__OP_NRM2, b, xf, yf, s); break;
        }
    } else {
        const double *const *xd = (const double *const *)x, *const *yd = (const double *const *)y;
        switch (b->op) {
        case HPK__OP_SUM: f64_lanes(HPK__OP_SUM, b, xd, yd, s); break;
        case HPK__OP_ASUM: f64_lanes(HPK__OP_ASUM, b, xd, yd, s); break;
        case HPK__OP_DOT: f64_lanes(HPK__OP_DOT, b, xd, yd, s); break;
        default:
            if (!f64_lanes(NRM2_MEDIUM, b, xd, yd, s))
                f64_lanes(HPK__OP_NRM2, b, xd, yd, s);
            break;
        }
    }
    double sums[3][W]; /* element by element (clang stores a vector to the stack to take one at a time) */
    memcpy(sums, s, sizeof sums);
    for (int p = 0; p < W; p++) {
        double r = sums[0][p];
        if (b->op == HPK__OP_NRM2) /* float nrm2: its sum of squares is Blue's medium sum */
            r = b->f32 ? hpk__nrm2_finish(0.0, sums[0][p], 0.0, blue_ssml, blue_sbig)
                       : hpk__nrm2_finish(sums[0][p], sums[1][p], sums[2][p], blue_ssml, blue_sbig);
        hpk__store_result(HPK_SUCCESS, r, b->f32, (char *)b->result + (size_t)(k + p) * elem);
    }
}

#include "batch_dense.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* How a batch's problems run on a thread: one at a time from memory
 * (dense reductions, GEMV of small matrices: batch_dense.h), W at a time
 * side by side (sum, asum, dot and nrm2 of short strided vectors), or as
 * single calls. */
typedef enum { BY_SINGLE_CALLS, SIDE_BY_SIDE, DENSE } batch_way;

static batch_way way_of(const hpk__batch *b)
{
    if (b->gemv ? gemv_is_dense(b) : reduction_is_dense(b))
        return DENSE;
    const bool side =
        !b->gemv && b->op != HPK__OP_AMAX && b->n <= (b->f32 ? SIDE_BY_SIDE_MAX_F32 : SIDE_BY_SIDE_MAX);
    return side ? SIDE_BY_SIDE : BY_SINGLE_CALLS;
}

static void batch_share(const void *job, int64_t begin, int64_t end)
{
    const batch_job *j = job;
    hpk_ctx one = {.backend = HPK_BACKEND_SERIAL, .ops = &HPK__PATH_FN(hpk__serial_ops), .num_threads = 1};
    const batch_way way = way_of(j->b);
    if (way == DENSE) {
        dense_share(j->b, begin, end);
        return;
    }
    if (way == SIDE_BY_SIDE)
        for (; begin + W <= end; begin += W)
            side_by_side(j->b, begin);
    const hpk_status st = hpk__batch_run(&one, j->b, begin, end);
    int none = 0;
    if (st != HPK_SUCCESS && atomic_compare_exchange_strong(j->failed, &none, 1)) {
        *j->status = st;
        memcpy(j->message, one.error, sizeof one.error);
    }
}

hpk_status HPK__CPU(batch)(hpk_ctx *ctx, const hpk__batch *b)
{
    const hpk__runner *run = ctx->ops->runner;
    const double each = hpk__batch_work(b);
    int64_t whole = b->count;
    if (each >= HPK__BATCH_SMALL) {
        const int threads = run->threads(ctx, each * (double)b->count);
        whole -= b->count % threads;
    }
    atomic_int failed = 0;
    hpk_status status = HPK_SUCCESS;
    char message[HPK__ERROR_CAPACITY];
    const batch_job job = {b, &failed, &status, message};
    if (whole > 0)
        run->range(ctx, whole, 1, each * (double)whole, batch_share, &job);
    if (atomic_load(&failed))
        return hpk__fail(ctx, status, "%s", message);
    return hpk__batch_run(ctx, b, whole, b->count);
}
