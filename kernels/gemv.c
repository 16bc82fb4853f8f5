/* GEMV in the canonical order of order.h.  A (m x n, either layout) is seen
 * as `vecs` contiguous vectors of `len` elements, lda apart.  When op(A)'s
 * rows are those vectors ("dot form": row-major N, column-major T) each y
 * element is the row's dot product with x in the reductions' order: blocks
 * of HPK__REDUCE_BLOCK elements, HPK__LANES lanes folded per block, blocks
 * combined pairwise.  Otherwise ("axpy form": row-major T, column-major N)
 * each y element accumulates x_k v_k[e] over runs of HPK__GEMV_RUN vectors
 * in sequence, the runs combined pairwise.  Either way y elements are
 * independent and each is computed in one fixed order, so the runner may
 * split them among threads, and the kernels may work on several at once,
 * without changing a bit. */
#include "cpu_kernels.h"
#include "order.h"
#include "runner.h"
#include "vec.h"

#include <stdlib.h>
#include <string.h>

#define HPK__GEMV_ROWS 4     /* dot form: rows sharing each load of x */
#define HPK__GEMV_PANEL 1024 /* axpy form: y elements accumulated in L1 at once */
#define HPK__GEMV_DEPTH 4    /* axpy form: vectors folded into them per pass */

typedef struct gemv_shape {
    bool dot_form;
    int64_t vecs, len, ylen, xlen;
} gemv_shape;

static gemv_shape gemv_shape_of(hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n)
{
    const bool row_major = layout == HPK_ROW_MAJOR, no_trans = trans == HPK_NO_TRANS;
    gemv_shape s;
    s.dot_form = row_major == no_trans;
    s.vecs = row_major ? m : n;
    s.len = row_major ? n : m;
    s.ylen = no_trans ? m : n;
    s.xlen = no_trans ? n : m;
    return s;
}

/* Pointer to logical element 0 of a strided vector of n elements. */
#define LOGICAL_BASE(p, n, inc) ((inc) < 0 ? (p) + ((n) - 1) * -(inc) : (p))

static inline int64_t count_of(int64_t total, int64_t per)
{
    return (total - 1) / per + 1;
}

static inline int64_t length_of(int64_t total, int64_t per, int64_t b)
{
    return total - b * per < per ? total - b * per : per;
}

/* ---- double -------------------------------------------------------------- */

typedef struct dgemv_job {
    int64_t vecs, len, lda, incx, incy;
    const double *a, *x; /* dot form: x contiguous (packed when incx != 1) */
    double *y;
    double alpha, beta;
    int64_t run_first, run_count; /* axpy form: the runs summed (all of them in a gemv) */
    double *t;                    /* axpy form: if set, t itself is stored here, not y */
} dgemv_job;

/* y := alpha t + beta y; with beta == 0, y is not read. */
static inline void dgemv_store(const dgemv_job *j, double t, double *y)
{
    *y = j->beta == 0.0 ? j->alpha * t : j->alpha * t + j->beta * *y;
}

/* Block b of `rows` consecutive rows from r: each row's lanes over the
 * block, folded into out[i]. */
static inline __attribute__((always_inline)) void ddot_block(const dgemv_job *j, int64_t r, int rows, int64_t b,
                                                             double *out)
{
    const int64_t first = b * HPK__REDUCE_BLOCK, len = length_of(j->len, HPK__REDUCE_BLOCK, b);
    const double *x = j->x + first;
    const double *v[HPK__GEMV_ROWS];
    hpk__v8d lo[HPK__GEMV_ROWS], hi[HPK__GEMV_ROWS];
    for (int i = 0; i < rows; i++) {
        v[i] = j->a + (r + i) * j->lda + first;
        lo[i] = hi[i] = (hpk__v8d){0};
    }
    int64_t k = 0;
    for (; k + HPK__LANES <= len; k += HPK__LANES) {
        const hpk__v8d xlo = hpk__load_v8d(x + k), xhi = hpk__load_v8d(x + k + 8);
        for (int i = 0; i < rows; i++) {
            lo[i] += hpk__load_v8d(v[i] + k) * xlo;
            hi[i] += hpk__load_v8d(v[i] + k + 8) * xhi;
        }
    }
    if (k < len) { /* the tail, padded with zeros: +0.0 changes no lane */
        double xt[HPK__LANES] = {0}, vt[HPK__LANES] = {0};
        memcpy(xt, x + k, (size_t)(len - k) * sizeof *xt);
        const hpk__v8d xlo = hpk__load_v8d(xt), xhi = hpk__load_v8d(xt + 8);
        for (int i = 0; i < rows; i++) {
            memcpy(vt, v[i] + k, (size_t)(len - k) * sizeof *vt);
            lo[i] += hpk__load_v8d(vt) * xlo;
            hi[i] += hpk__load_v8d(vt + 8) * xhi;
        }
    }
    for (int i = 0; i < rows; i++)
        out[i] = hpk__lanes_total((hpk__lanes){lo[i], hi[i]});
}

/* Blocks [first, first + count) of the rows, combined in the tree. */
static void ddot_rows(const dgemv_job *j, int64_t r, int rows, int64_t first, int64_t count, double *out)
{
    if (count == 1) {
        if (rows == HPK__GEMV_ROWS)
            ddot_block(j, r, HPK__GEMV_ROWS, first, out);
        else
            ddot_block(j, r, 1, first, out);
        return;
    }
    const int64_t left = hpk__tree_left(count);
    double right[HPK__GEMV_ROWS];
    ddot_rows(j, r, rows, first, left, out);
    ddot_rows(j, r, rows, first + left, count - left, right);
    for (int i = 0; i < rows; i++)
        out[i] += right[i];
}

static void dgemv_dot_body(const void *job, int64_t begin, int64_t end)
{
    const dgemv_job *j = job;
    const int64_t nblocks = count_of(j->len, HPK__REDUCE_BLOCK);
    double t[HPK__GEMV_ROWS];
    int64_t r = begin;
    for (; r + HPK__GEMV_ROWS <= end; r += HPK__GEMV_ROWS) {
        if (nblocks == 1) /* the common case, without the tree's calls */
            ddot_block(j, r, HPK__GEMV_ROWS, 0, t);
        else
            ddot_rows(j, r, HPK__GEMV_ROWS, 0, nblocks, t);
        for (int i = 0; i < HPK__GEMV_ROWS; i++)
            dgemv_store(j, t[i], j->y + (r + i) * j->incy);
    }
    for (; r < end; r++) {
        ddot_rows(j, r, 1, 0, nblocks, t);
        dgemv_store(j, t[0], j->y + r * j->incy);
    }
}

/* Run `run` of vectors folded into acc[0 .. width) (y elements e0 ..), from
 * +0.0, HPK__GEMV_DEPTH vectors per pass; each element still adds x_k v_k
 * one k after the other. */
static void daxpy_run(const dgemv_job *j, int64_t e0, int64_t width, int64_t run, double *acc)
{
    const int64_t lda = j->lda, incx = j->incx, k0 = run * HPK__GEMV_RUN;
    const int64_t k1 = k0 + length_of(j->vecs, HPK__GEMV_RUN, run);
    const double *v = j->a + e0;
    for (int64_t e = 0; e < width; e++)
        acc[e] = 0.0;
    int64_t k = k0;
    for (; k + HPK__GEMV_DEPTH <= k1; k += HPK__GEMV_DEPTH) {
        const double x0 = j->x[k * incx], x1 = j->x[(k + 1) * incx];
        const double x2 = j->x[(k + 2) * incx], x3 = j->x[(k + 3) * incx];
        const double *v0 = v + k * lda, *v1 = v0 + lda, *v2 = v1 + lda, *v3 = v2 + lda;
        for (int64_t e = 0; e < width; e++)
            acc[e] = acc[e] + x0 * v0[e] + x1 * v1[e] + x2 * v2[e] + x3 * v3[e];
    }
    for (; k < k1; k++) {
        const double xk = j->x[k * incx];
        const double *vk = v + k * lda;
        for (int64_t e = 0; e < width; e++)
            acc[e] += xk * vk[e];
    }
}

/* Runs [first, first + count) combined in the tree. */
static void daxpy_runs(const dgemv_job *j, int64_t e0, int64_t width, int64_t first, int64_t count, double *acc)
{
    if (count == 1) {
        daxpy_run(j, e0, width, first, acc);
        return;
    }
    const int64_t left = hpk__tree_left(count);
    double right[HPK__GEMV_PANEL];
    daxpy_runs(j, e0, width, first, left, acc);
    daxpy_runs(j, e0, width, first + left, count - left, right);
    for (int64_t e = 0; e < width; e++)
        acc[e] += right[e];
}

static void dgemv_axpy_body(const void *job, int64_t begin, int64_t end)
{
    const dgemv_job *j = job;
    double acc[HPK__GEMV_PANEL];
    for (int64_t e0 = begin; e0 < end; e0 += HPK__GEMV_PANEL) {
        const int64_t width = end - e0 < HPK__GEMV_PANEL ? end - e0 : HPK__GEMV_PANEL;
        daxpy_runs(j, e0, width, j->run_first, j->run_count, acc);
        if (j->t)
            memcpy(j->t + e0, acc, (size_t)width * sizeof *acc);
        else
            for (int64_t e = 0; e < width; e++)
                dgemv_store(j, acc[e], j->y + (e0 + e) * j->incy);
    }
}

/* alpha == 0: y := beta * y, without reading A or x (beta == 0 writes 0). */
static void dgemv_scale_body(const void *job, int64_t begin, int64_t end)
{
    const dgemv_job *j = job;
    for (int64_t i = begin; i < end; i++) {
        double *y = j->y + i * j->incy;
        *y = j->beta == 0.0 ? 0.0 : j->beta * *y;
    }
}

hpk_status hpk__cpu_dgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                          double alpha, const double *a, int64_t lda, const double *x, int64_t incx,
                          double beta, double *y, int64_t incy)
{
    const gemv_shape s = gemv_shape_of(layout, trans, m, n);
    dgemv_job job = {s.vecs, s.len, lda, incx, incy, a, LOGICAL_BASE(x, s.xlen, incx),
                     LOGICAL_BASE(y, s.ylen, incy), alpha, beta, 0, count_of(s.vecs, HPK__GEMV_RUN), NULL};
    const hpk__runner *run = ctx->ops->runner;
    const double work = (double)m * (double)n;
    if (alpha == 0.0) {
        run->range(ctx, s.ylen, 1, (double)s.ylen, dgemv_scale_body, &job);
        return HPK_SUCCESS;
    }
    if (!s.dot_form) {
        run->range(ctx, s.ylen, 8, work, dgemv_axpy_body, &job);
        return HPK_SUCCESS;
    }
    double *packed = NULL;
    if (incx != 1) {
        if (!(packed = malloc((size_t)s.xlen * sizeof *packed)))
            return hpk__fail(ctx, HPK_ERR_ALLOC, "hpk_dgemv: out of memory packing x (%lld elements)",
                             (long long)s.xlen);
        for (int64_t i = 0; i < s.xlen; i++)
            packed[i] = job.x[i * incx];
        job.x = packed;
        job.incx = 1;
    }
    run->range(ctx, s.ylen, HPK__GEMV_ROWS, work, dgemv_dot_body, &job);
    free(packed);
    return HPK_SUCCESS;
}

/* ---- float: the same steps in single precision --------------------------- */

typedef struct sgemv_job {
    int64_t vecs, len, lda, incx, incy;
    const float *a, *x; /* dot form: x contiguous (packed when incx != 1) */
    float *y;
    float alpha, beta;
    int64_t run_first, run_count; /* axpy form: the runs summed (all of them in a gemv) */
    float *t;                     /* axpy form: if set, t itself is stored here, not y */
} sgemv_job;

/* y := alpha t + beta y; with beta == 0, y is not read. */
static inline void sgemv_store(const sgemv_job *j, float t, float *y)
{
    *y = j->beta == 0.0f ? j->alpha * t : j->alpha * t + j->beta * *y;
}

/* As ddot_block, the 16 float lanes in one vector. */
static inline __attribute__((always_inline)) void sdot_block(const sgemv_job *j, int64_t r, int rows, int64_t b,
                                                             float *out)
{
    const int64_t first = b * HPK__REDUCE_BLOCK, len = length_of(j->len, HPK__REDUCE_BLOCK, b);
    const float *x = j->x + first;
    const float *v[HPK__GEMV_ROWS];
    hpk__v16f acc[HPK__GEMV_ROWS];
    for (int i = 0; i < rows; i++) {
        v[i] = j->a + (r + i) * j->lda + first;
        acc[i] = (hpk__v16f){0};
    }
    int64_t k = 0;
    for (; k + HPK__LANES <= len; k += HPK__LANES) {
        const hpk__v16f xv = hpk__load_v16f(x + k);
        for (int i = 0; i < rows; i++)
            acc[i] += hpk__load_v16f(v[i] + k) * xv;
    }
    if (k < len) { /* the tail, padded with zeros: +0.0 changes no lane */
        float xt[HPK__LANES] = {0}, vt[HPK__LANES] = {0};
        memcpy(xt, x + k, (size_t)(len - k) * sizeof *xt);
        const hpk__v16f xv = hpk__load_v16f(xt);
        for (int i = 0; i < rows; i++) {
            memcpy(vt, v[i] + k, (size_t)(len - k) * sizeof *vt);
            acc[i] += hpk__load_v16f(vt) * xv;
        }
    }
    for (int i = 0; i < rows; i++)
        out[i] = hpk__lanes_total_f(acc[i]);
}

static void sdot_rows(const sgemv_job *j, int64_t r, int rows, int64_t first, int64_t count, float *out)
{
    if (count == 1) {
        if (rows == HPK__GEMV_ROWS)
            sdot_block(j, r, HPK__GEMV_ROWS, first, out);
        else
            sdot_block(j, r, 1, first, out);
        return;
    }
    const int64_t left = hpk__tree_left(count);
    float right[HPK__GEMV_ROWS];
    sdot_rows(j, r, rows, first, left, out);
    sdot_rows(j, r, rows, first + left, count - left, right);
    for (int i = 0; i < rows; i++)
        out[i] += right[i];
}

static void sgemv_dot_body(const void *job, int64_t begin, int64_t end)
{
    const sgemv_job *j = job;
    const int64_t nblocks = count_of(j->len, HPK__REDUCE_BLOCK);
    float t[HPK__GEMV_ROWS];
    int64_t r = begin;
    for (; r + HPK__GEMV_ROWS <= end; r += HPK__GEMV_ROWS) {
        if (nblocks == 1) /* the common case, without the tree's calls */
            sdot_block(j, r, HPK__GEMV_ROWS, 0, t);
        else
            sdot_rows(j, r, HPK__GEMV_ROWS, 0, nblocks, t);
        for (int i = 0; i < HPK__GEMV_ROWS; i++)
            sgemv_store(j, t[i], j->y + (r + i) * j->incy);
    }
    for (; r < end; r++) {
        sdot_rows(j, r, 1, 0, nblocks, t);
        sgemv_store(j, t[0], j->y + r * j->incy);
    }
}

static void saxpy_run(const sgemv_job *j, int64_t e0, int64_t width, int64_t run, float *acc)
{
    const int64_t lda = j->lda, incx = j->incx, k0 = run * HPK__GEMV_RUN;
    const int64_t k1 = k0 + length_of(j->vecs, HPK__GEMV_RUN, run);
    const float *v = j->a + e0;
    for (int64_t e = 0; e < width; e++)
        acc[e] = 0.0f;
    int64_t k = k0;
    for (; k + HPK__GEMV_DEPTH <= k1; k += HPK__GEMV_DEPTH) {
        const float x0 = j->x[k * incx], x1 = j->x[(k + 1) * incx];
        const float x2 = j->x[(k + 2) * incx], x3 = j->x[(k + 3) * incx];
        const float *v0 = v + k * lda, *v1 = v0 + lda, *v2 = v1 + lda, *v3 = v2 + lda;
        for (int64_t e = 0; e < width; e++)
            acc[e] = acc[e] + x0 * v0[e] + x1 * v1[e] + x2 * v2[e] + x3 * v3[e];
    }
    for (; k < k1; k++) {
        const float xk = j->x[k * incx];
        const float *vk = v + k * lda;
        for (int64_t e = 0; e < width; e++)
            acc[e] += xk * vk[e];
    }
}

static void saxpy_runs(const sgemv_job *j, int64_t e0, int64_t width, int64_t first, int64_t count, float *acc)
{
    if (count == 1) {
        saxpy_run(j, e0, width, first, acc);
        return;
    }
    const int64_t left = hpk__tree_left(count);
    float right[HPK__GEMV_PANEL];
    saxpy_runs(j, e0, width, first, left, acc);
    saxpy_runs(j, e0, width, first + left, count - left, right);
    for (int64_t e = 0; e < width; e++)
        acc[e] += right[e];
}

static void sgemv_axpy_body(const void *job, int64_t begin, int64_t end)
{
    const sgemv_job *j = job;
    float acc[HPK__GEMV_PANEL];
    for (int64_t e0 = begin; e0 < end; e0 += HPK__GEMV_PANEL) {
        const int64_t width = end - e0 < HPK__GEMV_PANEL ? end - e0 : HPK__GEMV_PANEL;
        saxpy_runs(j, e0, width, j->run_first, j->run_count, acc);
        if (j->t)
            memcpy(j->t + e0, acc, (size_t)width * sizeof *acc);
        else
            for (int64_t e = 0; e < width; e++)
                sgemv_store(j, acc[e], j->y + (e0 + e) * j->incy);
    }
}

/* alpha == 0: y := beta * y, without reading A or x (beta == 0 writes 0). */
static void sgemv_scale_body(const void *job, int64_t begin, int64_t end)
{
    const sgemv_job *j = job;
    for (int64_t i = begin; i < end; i++) {
        float *y = j->y + i * j->incy;
        *y = j->beta == 0.0f ? 0.0f : j->beta * *y;
    }
}

hpk_status hpk__cpu_sgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                          float alpha, const float *a, int64_t lda, const float *x, int64_t incx,
                          float beta, float *y, int64_t incy)
{
    const gemv_shape s = gemv_shape_of(layout, trans, m, n);
    sgemv_job job = {s.vecs, s.len, lda, incx, incy, a, LOGICAL_BASE(x, s.xlen, incx),
                     LOGICAL_BASE(y, s.ylen, incy), alpha, beta, 0, count_of(s.vecs, HPK__GEMV_RUN), NULL};
    const hpk__runner *run = ctx->ops->runner;
    const double work = (double)m * (double)n;
    if (alpha == 0.0f) {
        run->range(ctx, s.ylen, 1, (double)s.ylen, sgemv_scale_body, &job);
        return HPK_SUCCESS;
    }
    if (!s.dot_form) {
        run->range(ctx, s.ylen, 16, work, sgemv_axpy_body, &job);
        return HPK_SUCCESS;
    }
    float *packed = NULL;
    if (incx != 1) {
        if (!(packed = malloc((size_t)s.xlen * sizeof *packed)))
            return hpk__fail(ctx, HPK_ERR_ALLOC, "hpk_sgemv: out of memory packing x (%lld elements)",
                             (long long)s.xlen);
        for (int64_t i = 0; i < s.xlen; i++)
            packed[i] = job.x[i * incx];
        job.x = packed;
        job.incx = 1;
    }
    run->range(ctx, s.ylen, HPK__GEMV_ROWS, work, sgemv_dot_body, &job);
    free(packed);
    return HPK_SUCCESS;
}

/* ---- the axpy form's runs, for layers that join them themselves (mpi/) -- */

hpk_status hpk__cpu_gemv_runs(hpk_ctx *ctx, bool f32, int64_t vecs, int64_t len, const void *a, int64_t lda,
                              const void *x, int64_t incx, int64_t first, int64_t count, void *t)
{
    const hpk__runner *run = ctx->ops->runner;
    const double work = (double)(count * HPK__GEMV_RUN) * (double)len;
    if (f32) {
        const sgemv_job job = {vecs, len, lda, incx, 1, a, LOGICAL_BASE((const float *)x, vecs, incx), NULL,
                               1.0f, 0.0f, first, count, t};
        run->range(ctx, len, 16, work, sgemv_axpy_body, &job);
    } else {
        const dgemv_job job = {vecs, len, lda, incx, 1, a, LOGICAL_BASE((const double *)x, vecs, incx), NULL,
                               1.0, 0.0, first, count, t};
        run->range(ctx, len, 8, work, dgemv_axpy_body, &job);
    }
    return HPK_SUCCESS;
}
