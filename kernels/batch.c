/* Batches on the CPU backends.  Small problems go to threads whole, each
 * computed by this code path's one-thread kernels (the serial table), in
 * one run of the runner's range; big ones run one after another, each with
 * the context's threads.  Either way problem k is computed by the same
 * kernel as its single call, so its bits are that call's. */
#include "batch.h"
#include "blue.h"
#include "cpu_kernels.h"
#include "reduce_finish.h"
#include "runner.h"
#include "vec.h"

#include <stdatomic.h>
#include <string.h>

/* Problems below this many elements of work go to threads whole: a single
 * call this small runs on one thread anyway (the OpenMP runner starts a
 * thread per 32 K elements, kernels/omp/runner.c), so splitting a problem
 * would only add a fork and a join per problem. */
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

/* Vectors up to this many elements go side by side; longer ones are each
 * their own single call's lanes. */
#define SIDE_BY_SIDE_MAX 48

#define W HPK__VD_N
typedef float vfw __attribute__((vector_size(W * sizeof(float))));
typedef int vfwm __attribute__((vector_size(W * sizeof(int))));

/* W problems' elements as a vector: problem p's element at p * stride + i
 * from x (its logical element 0). */
static inline hpk__vd across_d(const double *x, int64_t stride, int64_t i)
{
    hpk__vd v;
    for (int p = 0; p < W; p++)
        v[p] = x[p * stride + i];
    return v;
}

static inline vfw across_f(const float *x, int64_t stride, int64_t i)
{
    vfw v;
    for (int p = 0; p < W; p++)
        v[p] = x[p * stride + i];
    return v;
}

/* The fold of `lanes` lanes of which only the first `live` can be other
 * than +0.0: adding a +0.0 lane changes nothing (a lane never holds -0.0),
 * so those adds are left out; the others are HPK__FOLD_LANES's. */
static inline __attribute__((always_inline)) hpk__vd fold_live(hpk__vd *t, int lanes, int live)
{
    for (int w = lanes / 2; w >= 1; w /= 2) {
        for (int l = 0; l < w && l + w < live; l++)
            t[l] += t[l + w];
        live = live < w ? live : w;
    }
    return t[0];
}

/* The three folded sums (nrm2; the others use s[0]) of W double problems,
 * for one operation (a constant where it is inlined). */
static inline __attribute__((always_inline)) void f64_lanes(hpk__reduce_op op, const hpk__batch *b, const double *x,
                                                            const double *y, hpk__vd s[3])
{
    const int64_t n = b->n, xs = b->x.stride, ys = b->y.stride, incx = b->incx, incy = b->incy;
    const int live = n < HPK__LANES_F64 ? (int)n : HPK__LANES_F64, sums = op == HPK__OP_NRM2 ? 3 : 1;
    hpk__vd lanes[3][HPK__LANES_F64];
    for (int l = 0; l < live; l++) {
        hpk__vd s0 = {0}, s1 = {0}, s2 = {0};
        int64_t i = l;
        do { /* lane l's elements; one, when n <= HPK__LANES_F64 */
            const hpk__vd v = across_d(x, xs, i * incx);
            if (op == HPK__OP_SUM)
                s0 += v;
            else if (op == HPK__OP_ASUM)
                s0 += hpk__vd_abs(v);
            else if (op == HPK__OP_DOT)
                s0 += v * across_d(y, ys, i * incy);
            else
                nrm2_step(v, &s0, &s1, &s2);
            i += HPK__LANES_F64;
        } while (n > HPK__LANES_F64 && i < n);
        lanes[0][l] = s0;
        if (op == HPK__OP_NRM2)
            lanes[1][l] = s1, lanes[2][l] = s2;
    }
    for (int t = 0; t < sums; t++)
        s[t] = fold_live(lanes[t], HPK__LANES_F64, live);
}

/* The same for float problems: sum, asum and dot in float runs, nrm2's
 * squares in double (s[0] here). */
static inline __attribute__((always_inline)) void f32_lanes(hpk__reduce_op op, const hpk__batch *b, const float *x,
                                                            const float *y, hpk__vd s[3])
{
    const int64_t n = b->n, xs = b->x.stride, ys = b->y.stride, incx = b->incx, incy = b->incy;
    const int live = n < HPK__LANES_F32 ? (int)n : HPK__LANES_F32;
    hpk__vd lanes[HPK__LANES_F32];
    for (int l = 0; l < live; l++) {
        hpk__vd lane = {0};
        for (int64_t i = l; i < n;) {
            if (op == HPK__OP_NRM2) {
                const hpk__vd w = __builtin_convertvector(across_f(x, xs, i * incx), hpk__vd);
                lane += w * w;
                i += HPK__LANES_F32;
                continue;
            }
            vfw run = {0};
            for (int r = 0; r < HPK__F32_RUN && i < n; r++, i += HPK__LANES_F32) {
                const vfw v = across_f(x, xs, i * incx);
                if (op == HPK__OP_SUM)
                    run += v;
                else if (op == HPK__OP_ASUM)
                    run += (vfw)((vfwm)v & 0x7fffffff);
                else
                    run += v * across_f(y, ys, i * incy);
            }
            lane += __builtin_convertvector(run, hpk__vd);
        }
        lanes[l] = lane;
    }
    s[0] = fold_live(lanes, HPK__LANES_F32, live);
}

/* Problems [k, k + W) of a strided reduction, finished (as reduce.c and
 * reduce_finish.h finish them) and stored. */
static void side_by_side(const hpk__batch *b, int64_t k)
{
    const size_t elem = b->f32 ? sizeof(float) : sizeof(double);
    const int64_t xo = hpk__vector_origin(b->n, b->incx), yo = hpk__vector_origin(b->n, b->incy);
    const char *x = (const char *)hpk__batch_at(&b->x, k, elem) + xo * (int64_t)elem;
    const char *y = b->op == HPK__OP_DOT ? (const char *)hpk__batch_at(&b->y, k, elem) + yo * (int64_t)elem : x;
    hpk__vd s[3];
    if (b->f32) {
        const float *xf = (const float *)x, *yf = (const float *)y;
        switch (b->op) {
        case HPK__OP_SUM: f32_lanes(HPK__OP_SUM, b, xf, yf, s); break;
        case HPK__OP_ASUM: f32_lanes(HPK__OP_ASUM, b, xf, yf, s); break;
        case HPK__OP_DOT: f32_lanes(HPK__OP_DOT, b, xf, yf, s); break;
        default: f32_lanes(HPK__OP_NRM2, b, xf, yf, s); break;
        }
    } else {
        const double *xd = (const double *)x, *yd = (const double *)y;
        switch (b->op) {
        case HPK__OP_SUM: f64_lanes(HPK__OP_SUM, b, xd, yd, s); break;
        case HPK__OP_ASUM: f64_lanes(HPK__OP_ASUM, b, xd, yd, s); break;
        case HPK__OP_DOT: f64_lanes(HPK__OP_DOT, b, xd, yd, s); break;
        default: f64_lanes(HPK__OP_NRM2, b, xd, yd, s); break;
        }
    }
    for (int p = 0; p < W; p++) {
        double r = s[0][p];
        if (b->op == HPK__OP_NRM2) /* float nrm2: its sum of squares is Blue's medium sum */
            r = b->f32 ? hpk__nrm2_finish(0.0, s[0][p], 0.0, blue_ssml, blue_sbig)
                       : hpk__nrm2_finish(s[0][p], s[1][p], s[2][p], blue_ssml, blue_sbig);
        hpk__store_result(HPK_SUCCESS, r, b->f32, (char *)b->result + (size_t)(k + p) * elem);
    }
}

/* Whether a batch's problems go side by side: strided sum, asum, dot or
 * nrm2 of short vectors. */
static bool goes_side_by_side(const hpk__batch *b)
{
    return !b->gemv && b->op != HPK__OP_AMAX && b->n <= SIDE_BY_SIDE_MAX && !b->x.list;
}

static void batch_share(const void *job, int64_t begin, int64_t end)
{
    const batch_job *j = job;
    hpk_ctx one = {.backend = HPK_BACKEND_SERIAL, .ops = &HPK__PATH_FN(hpk__serial_ops), .num_threads = 1};
    if (goes_side_by_side(j->b))
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
    const double each = hpk__batch_work(b);
    if (each >= HPK__BATCH_SMALL)
        return hpk__batch_run(ctx, b, 0, b->count);
    atomic_int failed = 0;
    hpk_status status = HPK_SUCCESS;
    char message[HPK__ERROR_CAPACITY];
    const batch_job job = {b, &failed, &status, message};
    ctx->ops->runner->range(ctx, b->count, 1, each * (double)b->count, batch_share, &job);
    if (atomic_load(&failed))
        return hpk__fail(ctx, status, "%s", message);
    return HPK_SUCCESS;
}
