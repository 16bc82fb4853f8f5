/* Dense problems one at a time (batch.c).  A reduction of a contiguous
 * vector (increment 1) of one block (for float sum, asum and dot, of one
 * float run), and a GEMV of small matrices, is its single call's one leaf
 * or rows: lane l takes elements l, l + L, ... from memory a vector at a
 * time, the last vector loaded in part (its other lanes +0.0, which
 * changes no lane), and the lanes fold as HPK__FOLD_LANES says.  Here that
 * runs in the path's registers, one problem after another, without the
 * single call's fixed costs (checks, runner, tree) or the side-by-side
 * kernels' loads of one element at a time.  All problems of a batch have
 * the same length, so the kernels are instances for a constant number of
 * live lane vectors (WITH_SHAPE): straight code for short vectors. */

#define DENSE_MAX HPK__REDUCE_BLOCK
#define DENSE_MAX_F32_RUN (HPK__LANES_F32 * HPK__F32_RUN)
/* The dense GEMV's longest vectors of A (x is packed on the stack when
 * strided): within one block of the dot form. */
#define DENSE_GEMV_MAX 512
_Static_assert(DENSE_GEMV_MAX <= HPK__REDUCE_BLOCK, "one block of the dot form");

/* A kernel's shape, a constant in each instance (WITH_SHAPE): a vector of
 * at most `straight` lane vectors of `width` (all of them in one step of
 * `lanes`) has as its shape those live vectors, and runs as straight code;
 * a longer one has shape lanes / width + 1, a loop over its steps with all
 * lane vectors live. */
static inline int shape_of(int64_t n, int lanes, int width, int straight)
{
    const int64_t live = (n + width - 1) / width;
    return n <= lanes && live <= straight ? (int)live : lanes / width + 1;
}

/* Float reductions widen each float lane vector into two double ones: in
 * straight code, as many as keep those in the registers (GCC widens them
 * all before their fold). */
#define STRAIGHT_F32 (HPK__VREGS / 4 < HPK__NVF ? HPK__VREGS / 4 : HPK__NVF)
#define SHAPE_LIVE(shape, nv) ((shape) > (nv) ? (nv) : (shape))

/* The elements of lane vector q (of `width`) in the step at element k of
 * a vector of n: all, some, or none.  In one step (shape <= nv) all but
 * the last live vector are whole: one mask to load. */
static inline int step_count(int64_t n, int64_t k, int q, int width, int shape, int nv)
{
    if (shape <= nv)
        return q < shape - 1 ? width : (int)(n - (int64_t)(shape - 1) * width);
    const int64_t c = n - k - (int64_t)q * width;
    return c <= 0 ? 0 : c >= width ? width : (int)c;
}

/* call(S) with S the constant equal to shape (1 .. straight, or nv + 1;
 * straight <= 16). */
#define SHAPE_CASE(k, straight, call)          \
    case k:                                    \
        if ((k) <= (straight))                 \
            call((k) <= (straight) ? (k) : 1); \
        break;
#define WITH_SHAPE(shape, straight, nv, call)                                                            \
    if ((shape) > (straight))                                                                            \
        call((nv) + 1);                                                                                  \
    else                                                                                                 \
        switch (shape) {                                                                                 \
            SHAPE_CASE(1, straight, call) SHAPE_CASE(2, straight, call) SHAPE_CASE(3, straight, call)    \
            SHAPE_CASE(4, straight, call) SHAPE_CASE(5, straight, call) SHAPE_CASE(6, straight, call)    \
            SHAPE_CASE(7, straight, call) SHAPE_CASE(8, straight, call) SHAPE_CASE(9, straight, call)    \
            SHAPE_CASE(10, straight, call) SHAPE_CASE(11, straight, call) SHAPE_CASE(12, straight, call) \
            SHAPE_CASE(13, straight, call) SHAPE_CASE(14, straight, call) SHAPE_CASE(15, straight, call) \
            SHAPE_CASE(16, straight, call)                                                               \
        default: break;                                                                                  \
        }
_Static_assert(HPK__NVD <= 16 && HPK__NVF <= 16, "WITH_SHAPE's cases");

/* Groups of a kernel's `live` lane vectors that keep them and `temps` more
 * in the registers (vector q of group g: g * ceil(live / groups) + q). */
#define DENSE_GROUPS(live, temps) HPK__LANE_GROUPS(live, temps)

/* ---- reductions ------------------------------------------------------------ */

/* One double term: the element (sum), |element| (asum), the product with
 * y's (dot), or nrm2's term of one kind with the element's test of that
 * kind (NRM2_MEDIUM: |element|^2; NRM2_SMALL, NRM2_BIG: the scaled
 * |element|^2). */
ALWAYS_INLINE hpk__vd dense_term_f64(int op, hpk__vd v, hpk__vd w, hpk__vdm *outside)
{
    if (op == HPK__OP_SUM)
        return v;
    if (op == HPK__OP_ASUM)
        return hpk__vd_abs(v);
    if (op == HPK__OP_DOT)
        return v * w;
    const hpk__vd av = hpk__vd_abs(v), zero = {0};
    if (op == NRM2_MEDIUM) {
        *outside |= ((av < blue_tsml) & (av != zero)) | (av > blue_tbig);
        return av * av;
    }
    if (op == NRM2_SMALL)
        *outside |= ~(av < blue_tsml);
    else
        *outside |= ~(av > blue_tbig) & (av != zero);
    const hpk__vd u = av * (op == NRM2_SMALL ? blue_ssml : blue_sbig);
    return u * u;
}

/* The lanes of a dense double vector of n (1 .. DENSE_MAX) elements of the
 * given shape, folded to one vector (its lanes' fold, hpk__fold_in_vd, is
 * the sum; nrm2: the sum of its kind; false when some element is not of
 * that kind). */
ALWAYS_INLINE bool dense_f64(int op, int shape, const double *x, const double *y, int64_t n, hpk__vd *sum)
{
    const int live = SHAPE_LIVE(shape, HPK__NVD);
    hpk__vd s[HPK__NVD];
    HPK__ZERO_EACH(s, live);
    hpk__vdm outside = {0};
    int64_t k = 0;
    if (shape > HPK__NVD)
        for (; k + HPK__LANES_F64 <= n; k += HPK__LANES_F64)
            HPK__EACH(q, HPK__NVD) {
                const int64_t i = k + q * HPK__VD_N;
                s[q] += dense_term_f64(op, hpk__vd_load(x + i), hpk__vd_load(y + i), &outside);
            }
    HPK__EACH(q, live) {
        const int c = step_count(n, k, q, HPK__VD_N, shape, HPK__NVD);
        const int64_t i = k + q * HPK__VD_N;
        if (c > 0)
            s[q] += dense_term_f64(op, hpk__vd_load_first(x + i, c), hpk__vd_load_first(y + i, c), &outside);
    }
    if (op >= NRM2_MEDIUM && hpk__vdm_any(outside))
        return false;
    *sum = FOLD_LIVE(s, HPK__NVD, live);
    return true;
}

ALWAYS_INLINE hpk__vf dense_term_f32(int op, hpk__vf v, hpk__vf w)
{
    return op == HPK__OP_SUM ? v : op == HPK__OP_ASUM ? hpk__vf_abs(v) : v * w;
}

/* Float vector f's lanes as the double lanes 2f and 2f + 1 (the widened
 * run, or the squares of the widened elements). */
ALWAYS_INLINE void dense_halves_f32(bool squares, hpk__vf v, hpk__vd *lo, hpk__vd *hi)
{
    *lo = hpk__vf_widen_lo(v);
    *hi = hpk__vf_widen_hi(v);
    if (squares)
        *lo *= *lo, *hi *= *hi;
}

/* The fold of the double lanes of `live` float vectors: its first halving
 * (double vector j takes j + HPK__NVW / 2: float vector f's take those of
 * f + HPK__NVF / 2) as the vectors come, then the rest: at most
 * HPK__NVW / 2 vectors held at once.  v holds the float vectors (`halves`
 * false: dense_halves_f32 gives their lanes), or lo and hi their lanes. */
ALWAYS_INLINE hpk__vd dense_fold_f32(int live, bool squares, bool halves, const hpk__vf *v, const hpk__vd *lo,
                                     const hpk__vd *hi)
{
    enum { HALF = HPK__NVF / 2 };
    hpk__vd w[HPK__NVW / 2];
    HPK__EACH(f, HALF) {
        if (f >= live)
            continue;
        hpk__vd l, h;
        if (halves)
            l = lo[f], h = hi[f];
        else
            dense_halves_f32(squares, v[f], &l, &h);
        if (f + HALF < live) {
            hpk__vd l2, h2;
            if (halves)
                l2 = lo[f + HALF], h2 = hi[f + HALF];
            else
                dense_halves_f32(squares, v[f + HALF], &l2, &h2);
            l += l2, h += h2;
        }
        w[2 * f] = l, w[2 * f + 1] = h;
    }
    return FOLD_LIVE(w, HPK__NVW / 2, 2 * live < HPK__NVW / 2 ? 2 * live : HPK__NVW / 2);
}

/* The same for float data of the given shape (in float vectors): sum, asum and
 * dot of n (1 .. DENSE_MAX_F32_RUN) elements in one float run, carried
 * into double lanes (which start at +0.0: the widened run itself, as a run
 * never holds -0.0) and folded there; nrm2's squares (n up to DENSE_MAX)
 * in double lanes.  Vectors of one step, in part, in straight code; more
 * in a loop over the steps, in lane groups. */
ALWAYS_INLINE void dense_f32(int op, int shape, const float *x, const float *y, int64_t n, hpk__vd *sum)
{
    const bool squares = op == HPK__OP_NRM2;
    const int live = SHAPE_LIVE(shape, HPK__NVF);
    if (shape <= HPK__NVF) {
        hpk__vf v[HPK__NVF]; /* the elements (squares), or the run */
        HPK__EACH(f, live) {
            const int c = step_count(n, 0, f, HPK__VF_N, shape, HPK__NVF);
            const hpk__vf e = hpk__vf_load_first(x + f * HPK__VF_N, c);
            v[f] = squares ? e : (hpk__vf){0} + dense_term_f32(op, e, hpk__vf_load_first(y + f * HPK__VF_N, c));
        }
        *sum = dense_fold_f32(live, squares, false, v, NULL, NULL);
        return;
    }
    const int groups = DENSE_GROUPS(squares ? 2 * live : live, 4), width = live / groups;
    hpk__vd lo[HPK__NVF], hi[HPK__NVF];
    for (int g = 0; g < groups; g++) {
        hpk__vf run[HPK__NVF];
        hpk__vd sql[HPK__NVF], sqh[HPK__NVF];
        HPK__EACH(q, width) {
            run[q] = (hpk__vf){0};
            sql[q] = sqh[q] = (hpk__vd){0};
        }
        int64_t k = 0;
        for (; k + HPK__LANES_F32 <= n; k += HPK__LANES_F32)
            HPK__EACH(q, width) {
                const int64_t i = k + (g * width + q) * HPK__VF_N;
                if (squares) {
                    const hpk__vd l = hpk__vd_load_widen(x + i), h = hpk__vd_load_widen(x + i + HPK__VD_N);
                    sql[q] += l * l;
                    sqh[q] += h * h;
                } else {
                    run[q] += dense_term_f32(op, hpk__vf_load(x + i), hpk__vf_load(y + i));
                }
            }
        HPK__EACH(q, width) {
            const int f = g * width + q, c = step_count(n, k, f, HPK__VF_N, shape, HPK__NVF);
            const int64_t i = k + f * HPK__VF_N;
            if (squares) {
                if (c > 0) {
                    hpk__vd l, h;
                    dense_halves_f32(true, hpk__vf_load_first(x + i, c), &l, &h);
                    sql[q] += l, sqh[q] += h;
                }
                lo[f] = sql[q], hi[f] = sqh[q];
                continue;
            }
            if (c > 0)
                run[q] += dense_term_f32(op, hpk__vf_load_first(x + i, c), hpk__vf_load_first(y + i, c));
            dense_halves_f32(false, run[q], &lo[f], &hi[f]);
        }
    }
    *sum = dense_fold_f32(live, squares, true, NULL, lo, hi);
}

/* The nrm2 of a dense double vector of n (1 .. DENSE_MAX) elements of the
 * given shape with Blue's full step (nrm2_step), as the single call's leaf
 * takes a vector with an element that is not of medium size: the three
 * sums' lanes (in lane groups: three accumulators a lane vector), each
 * folded, and hpk__nrm2_finish. */
ALWAYS_INLINE double dense_blue_f64(int shape, const double *x, int64_t n)
{
    const int live = SHAPE_LIVE(shape, HPK__NVD);
    const int groups = DENSE_GROUPS(3 * live, 11), width = (live + groups - 1) / groups;
    hpk__vd sums[3][HPK__NVD];
    for (int g = 0; g < groups; g++) {
        hpk__vd s[3][HPK__NVD];
        for (int t = 0; t < 3; t++)
            HPK__ZERO_EACH(s[t], width);
        int64_t k = 0;
        for (; shape > HPK__NVD && k + HPK__LANES_F64 <= n; k += HPK__LANES_F64)
            HPK__EACH(q, width) {
                if (g * width + q < live)
                    nrm2_step(hpk__vd_load(x + k + (g * width + q) * HPK__VD_N), &s[0][q], &s[1][q], &s[2][q]);
            }
        HPK__EACH(q, width) {
            const int f = g * width + q, c = step_count(n, k, f, HPK__VD_N, shape, HPK__NVD);
            if (f >= live)
                continue;
            if (c > 0)
                nrm2_step(hpk__vd_load_first(x + k + f * HPK__VD_N, c), &s[0][q], &s[1][q], &s[2][q]);
            for (int t = 0; t < 3; t++)
                sums[t][f] = s[t][q];
        }
    }
    return hpk__nrm2_finish(hpk__fold_in_vd(FOLD_LIVE(sums[0], HPK__NVD, live)),
                            hpk__fold_in_vd(FOLD_LIVE(sums[1], HPK__NVD, live)),
                            hpk__fold_in_vd(FOLD_LIVE(sums[2], HPK__NVD, live)), blue_ssml, blue_sbig);
}

/* The nrm2 of a dense double vector with an element that is not of medium
 * size: as NRM2_SMALL or NRM2_BIG if its first element is of that kind
 * (the single call's leaf guesses alike), else, or if another element is
 * of another kind, with Blue's full step.  The bits are the full step's:
 * the other two sums are +0.0. */
ALWAYS_INLINE double dense_nrm2_kinds(int shape, const double *x, int64_t n)
{
    const blue_sum kind = blue_sum_of(x[0]);
    hpk__vd v;
    if (kind == BLUE_SMALL && dense_f64(NRM2_SMALL, shape, x, x, n, &v))
        return hpk__nrm2_finish(hpk__fold_in_vd(v), 0.0, 0.0, blue_ssml, blue_sbig);
    if (kind == BLUE_BIG && dense_f64(NRM2_BIG, shape, x, x, n, &v))
        return hpk__nrm2_finish(0.0, 0.0, hpk__fold_in_vd(v), blue_ssml, blue_sbig);
    return dense_blue_f64(shape, x, n);
}

/* The same, out of line (rare data), an instance per shape. */
static __attribute__((noinline)) double dense_nrm2_f64(int shape, const double *x, int64_t n)
{
    double got = 0.0;
#define NRM2_KINDS(S) got = dense_nrm2_kinds(S, x, n)
    WITH_SHAPE(shape, HPK__NVD, HPK__NVD, NRM2_KINDS)
#undef NRM2_KINDS
    return got;
}

/* Problems [begin, end) of a dense reduction of the given shape, W at a
 * time: their lanes folded together (hpk__fold_in_across_vd), so that
 * lane p holds problem p's sum, nrm2's square roots taken at once (nrm2
 * of medium elements alone is the square root of their sum,
 * hpk__nrm2_finish; float nrm2's squares are all medium), and the W
 * results stored as one vector.  A double nrm2 problem with an element
 * that is not of medium size is dense_nrm2_f64's. */
ALWAYS_INLINE void dense_reduce_share(int op, bool f32, int shape, const hpk__batch *b, int64_t begin, int64_t end)
{
    typedef float vdf __attribute__((vector_size(W * sizeof(float))));
    const size_t elem = f32 ? sizeof(float) : sizeof(double);
    const hpk__batch_operand xo = b->x, yo = op == HPK__OP_DOT ? b->y : b->x;
    const int64_t n = b->n;
    char *const result = b->result;
    /* A chunk of problems at a time: first W at once, with no call in the
     * loop (the compiler would save its live vectors on the stack round
     * it), then the double nrm2 problems that loop left (not all medium). */
    enum { CHUNK = 64 * W };
    _Static_assert(W <= 8, "a W problems' mask in a byte");
    for (int64_t c = begin; c < end; c += CHUNK) {
        const int64_t stop = end - c < CHUNK ? end : c + CHUNK;
        unsigned char left[CHUNK / W]; /* bit p: problem k + p left */
        unsigned any = 0;
        for (int64_t k = c; k < stop; k += W) {
            hpk__vd v[W];
            unsigned dense = 0, here = 0; /* bit p: problem k + p done here; in the chunk */
            HPK__EACH(p, W) {
                v[p] = (hpk__vd){0};
                if (k + p < stop) {
                    const void *x = hpk__batch_at(&xo, k + p, elem), *y = hpk__batch_at(&yo, k + p, elem);
                    here |= 1u << p;
                    if (f32) {
                        dense_f32(op, shape, x, y, n, &v[p]);
                        dense |= 1u << p;
                    } else if ((op != NRM2_MEDIUM || blue_sum_of(*(const double *)x) == BLUE_MEDIUM) &&
                               dense_f64(op, shape, x, y, n, &v[p])) { /* nrm2: a medium first element */
                        dense |= 1u << p;
                    }
                }
            }
            left[(k - c) / W] = (unsigned char)(here & ~dense);
            any |= here & ~dense;
            hpk__vd r = hpk__fold_in_across_vd(v);
            if (op == HPK__OP_NRM2 || op == NRM2_MEDIUM)
                r = hpk__vd_sqrt(r);
            char *const out = result + (size_t)k * elem;
            if (dense == (1u << W) - 1) { /* all W */
                if (f32) {
                    const vdf rf = __builtin_convertvector(r, vdf);
                    memcpy(out, &rf, sizeof rf);
                } else {
                    memcpy(out, &r, sizeof r);
                }
                continue;
            }
            HPK__EACH(p, W) {
                if (dense >> p & 1)
                    hpk__store_result(HPK_SUCCESS, r[p], f32, out + (size_t)p * elem);
            }
        }
        for (int64_t k = c; any && k < stop; k += W)
            for (int p = 0; p < W; p++)
                if (left[(k - c) / W] >> p & 1)
                    hpk__store_result(HPK_SUCCESS, dense_nrm2_f64(shape, hpk__batch_at(&xo, k + p, elem), n), f32,
                                      result + (size_t)(k + p) * elem);
    }
}

/* Whether a reduction's problems are dense. */
static bool reduction_is_dense(const hpk__batch *b)
{
    const bool contiguous = b->incx == 1 && (b->op != HPK__OP_DOT || b->incy == 1);
    const int64_t most = b->f32 && b->op != HPK__OP_NRM2 ? DENSE_MAX_F32_RUN : DENSE_MAX;
    return b->op != HPK__OP_AMAX && contiguous && b->n <= most;
}

/* Each operation and shape its own instance: DENSE_OPS(P, ...) switches
 * over the operations of precision P (F64, F32) and their shapes. */
#define SHARE(op, f32, S) dense_reduce_share(op, f32, S, b, begin, end)
#define SUM_F64(S) SHARE(HPK__OP_SUM, false, S)
#define ASUM_F64(S) SHARE(HPK__OP_ASUM, false, S)
#define DOT_F64(S) SHARE(HPK__OP_DOT, false, S)
#define NRM2_F64(S) SHARE(NRM2_MEDIUM, false, S)
#define SUM_F32(S) SHARE(HPK__OP_SUM, true, S)
#define ASUM_F32(S) SHARE(HPK__OP_ASUM, true, S)
#define DOT_F32(S) SHARE(HPK__OP_DOT, true, S)
#define NRM2_F32(S) SHARE(HPK__OP_NRM2, true, S)
#define DENSE_OPS(P, shape, straight, nv)                                      \
    switch (b->op) {                                                           \
    case HPK__OP_SUM: WITH_SHAPE(shape, straight, nv, SUM_##P) break;          \
    case HPK__OP_ASUM: WITH_SHAPE(shape, straight, nv, ASUM_##P) break;        \
    case HPK__OP_DOT: WITH_SHAPE(shape, straight, nv, DOT_##P) break;          \
    default: WITH_SHAPE(shape, straight, nv, NRM2_##P) break;                  \
    }

static __attribute__((noinline)) void dense_reductions(const hpk__batch *b, int64_t begin, int64_t end)
{
    if (b->f32) {
        const int shape = shape_of(b->n, HPK__LANES_F32, HPK__VF_N, STRAIGHT_F32);
        DENSE_OPS(F32, shape, STRAIGHT_F32, HPK__NVF)
    } else {
        const int shape = shape_of(b->n, HPK__LANES_F64, HPK__VD_N, HPK__NVD);
        DENSE_OPS(F64, shape, HPK__NVD, HPK__NVD)
    }
}

/* ---- GEMV ------------------------------------------------------------------ */

#define BG_T double
#define BG_V hpk__vd
#define BG_VN HPK__VD_N
#define BG_NV HPK__NVD
#define BG_LANES HPK__LANES_F64
#define BG_LOAD hpk__vd_load
#define BG_LOAD_FIRST hpk__vd_load_first
#define BG_FOLD_IN hpk__fold_in_vd
#define BG_ACROSS_FIRST HPK__ACROSS_FIRST_VD
#define BG_ACROSS_REST HPK__ACROSS_REST_VD
#define BG_NAME(name) name##_f64
#include "batch_gemv.h"

#define BG_T float
#define BG_V hpk__vf
#define BG_VN HPK__VF_N
#define BG_NV HPK__NVF
#define BG_LANES HPK__LANES_F32
#define BG_LOAD hpk__vf_load
#define BG_LOAD_FIRST hpk__vf_load_first
#define BG_FOLD_IN hpk__fold_in_vf
#define BG_NAME(name) name##_f32
#include "batch_gemv.h"

/* Whether a GEMV's problems are dense: alpha != 0 (else y is only
 * scaled), A's vectors within DENSE_GEMV_MAX, and the axpy form's in one
 * run. */
static bool gemv_is_dense(const hpk__batch *b)
{
    const bool row_major = b->layout == HPK_ROW_MAJOR, dot_form = row_major == (b->trans == HPK_NO_TRANS);
    const int64_t len = row_major ? b->n : b->m, vecs = row_major ? b->m : b->n;
    return b->alpha != 0.0 && len <= DENSE_GEMV_MAX && (dot_form || vecs <= HPK__GEMV_RUN);
}

/* Problems [begin, end) of a dense batch, on the calling thread. */
static void dense_share(const hpk__batch *b, int64_t begin, int64_t end)
{
    if (!b->gemv)
        dense_reductions(b, begin, end);
    else if (b->f32)
        gemv_dense_f32(b, begin, end);
    else
        gemv_dense_f64(b, begin, end);
}
