/* GEMV.  A (m x n, either layout) is seen as `vecs` contiguous vectors of
 * `len` elements, lda apart.  When op(A)'s rows are those vectors ("dot
 * form": row-major N, column-major T) each y element is a dot product
 * accumulated in lanes; otherwise ("axpy form": row-major T, column-major N)
 * each y element accumulates x_k * v_k[e] over k in order.  Either way y
 * elements are independent and each is computed in one fixed order, so the
 * runner may split them among threads, and the kernels may work on several
 * at once, without changing a bit. */
#include "cpu_kernels.h"
#include "runner.h"
#include "simd.h"

#include <stdlib.h>
#include <string.h>

#define HPK__GEMV_LANES_D 8   /* one AVX-512 / two AVX2 registers of doubles */
#define HPK__GEMV_LANES_S 16  /* the same bytes of floats */
#define HPK__GEMV_ROWS 4      /* dot form: rows sharing each load of x */
#ifndef HPK__GEMV_PANEL
#define HPK__GEMV_PANEL 1024
#endif
#define HPK__GEMV_PANEL_DOC  /* axpy form: y elements accumulated in L1 at once */
#define HPK__GEMV_DEPTH 4     /* axpy form: vectors folded into them per pass */

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

/* ---- double -------------------------------------------------------------- */

typedef struct dgemv_job {
    int64_t vecs, len, lda, incx, incy;
    const double *a, *x; /* dot form: x contiguous (packed when incx != 1) */
    double *y;
    double alpha, beta;
} dgemv_job;

/* y := alpha t + beta y; with beta == 0, y is not read. */
static inline void dgemv_store(const dgemv_job *j, double t, double *y)
{
    *y = j->beta == 0.0 ? j->alpha * t : j->alpha * t + j->beta * *y;
}

/* The lanes' total, halving: lane l takes lane l + w for w = 4, 2, 1. */
static inline double dgemv_lanes_total(double *acc)
{
    for (int w = HPK__GEMV_LANES_D / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; l++)
            acc[l] += acc[l + w];
    return acc[0];
}

/* One row's dot product: lane l takes elements l, l + 8, l + 16, ... */
static inline double dgemv_row(const double *v, const double *x, int64_t len)
{
    double acc[HPK__GEMV_LANES_D] = {0};
    int64_t k = 0;
    for (; k + HPK__GEMV_LANES_D <= len; k += HPK__GEMV_LANES_D)
        for (int l = 0; l < HPK__GEMV_LANES_D; l++)
            acc[l] += v[k + l] * x[k + l];
    for (int l = 0; k + l < len; l++)
        acc[l] += v[k + l] * x[k + l];
    return dgemv_lanes_total(acc);
}

/* Rows in groups of HPK__GEMV_ROWS, each with exactly dgemv_row's lanes. */
static void dgemv_dot_body(const void *job, int64_t begin, int64_t end)
{
    const dgemv_job *j = job;
    const int64_t len = j->len, lda = j->lda;
    const double *x = j->x;
    int64_t r = begin;
    for (; r + HPK__GEMV_ROWS <= end; r += HPK__GEMV_ROWS) {
        const double *v0 = j->a + r * lda, *v1 = v0 + lda, *v2 = v1 + lda, *v3 = v2 + lda;
        hpk__v8d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        int64_t k = 0;
        for (; k + HPK__GEMV_LANES_D <= len; k += HPK__GEMV_LANES_D) {
            const hpk__v8d xv = hpk__load_v8d(x + k);
            a0 += hpk__load_v8d(v0 + k) * xv;
            a1 += hpk__load_v8d(v1 + k) * xv;
            a2 += hpk__load_v8d(v2 + k) * xv;
            a3 += hpk__load_v8d(v3 + k) * xv;
        }
        for (int l = 0; k + l < len; l++) {
            const double xv = x[k + l];
            a0[l] += v0[k + l] * xv;
            a1[l] += v1[k + l] * xv;
            a2[l] += v2[k + l] * xv;
            a3[l] += v3[k + l] * xv;
        }
        double lanes[HPK__GEMV_ROWS][HPK__GEMV_LANES_D];
        memcpy(lanes[0], &a0, sizeof a0);
        memcpy(lanes[1], &a1, sizeof a1);
        memcpy(lanes[2], &a2, sizeof a2);
        memcpy(lanes[3], &a3, sizeof a3);
        for (int i = 0; i < HPK__GEMV_ROWS; i++) {
            dgemv_store(j, dgemv_lanes_total(lanes[i]), j->y + (r + i) * j->incy);
        }
    }
    for (; r < end; r++) {
        dgemv_store(j, dgemv_row(j->a + r * lda, x, len), j->y + r * j->incy);
    }
}

/* A panel of y accumulates HPK__GEMV_DEPTH vectors per pass over it; each
 * element still adds x_0 v_0, x_1 v_1, ... one after the other. */
static void dgemv_axpy_body(const void *job, int64_t begin, int64_t end)
{
    const dgemv_job *j = job;
    const int64_t vecs = j->vecs, lda = j->lda, incx = j->incx;
    double acc[HPK__GEMV_PANEL];
    for (int64_t e0 = begin; e0 < end; e0 += HPK__GEMV_PANEL) {
        const int64_t width = end - e0 < HPK__GEMV_PANEL ? end - e0 : HPK__GEMV_PANEL;
        const double *v = j->a + e0;
        for (int64_t e = 0; e < width; e++)
            acc[e] = 0.0;
        int64_t k = 0;
        for (; k + HPK__GEMV_DEPTH <= vecs; k += HPK__GEMV_DEPTH) {
            const double x0 = j->x[k * incx], x1 = j->x[(k + 1) * incx];
            const double x2 = j->x[(k + 2) * incx], x3 = j->x[(k + 3) * incx];
            const double *v0 = v + k * lda, *v1 = v0 + lda, *v2 = v1 + lda, *v3 = v2 + lda;
            for (int64_t e = 0; e < width; e++)
                acc[e] = acc[e] + x0 * v0[e] + x1 * v1[e] + x2 * v2[e] + x3 * v3[e];
        }
        for (; k < vecs; k++) {
            const double xk = j->x[k * incx];
            const double *vk = v + k * lda;
            for (int64_t e = 0; e < width; e++)
                acc[e] += xk * vk[e];
        }
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
                     LOGICAL_BASE(y, s.ylen, incy), alpha, beta};
    const hpk__runner *run = ctx->ops->runner;
    const double work = (double)m * (double)n;
    if (alpha == 0.0) {
        run->range(ctx, s.ylen, 1, (double)s.ylen, dgemv_scale_body, &job);
        return HPK_SUCCESS;
    }
    if (!s.dot_form) {
        run->range(ctx, s.ylen, HPK__GEMV_LANES_D, work, dgemv_axpy_body, &job);
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
} sgemv_job;

/* y := alpha t + beta y; with beta == 0, y is not read. */
static inline void sgemv_store(const sgemv_job *j, float t, float *y)
{
    *y = j->beta == 0.0f ? j->alpha * t : j->alpha * t + j->beta * *y;
}

/* The lanes' total, halving: lane l takes lane l + w for w = 8, 4, 2, 1. */
static inline float sgemv_lanes_total(float *acc)
{
    for (int w = HPK__GEMV_LANES_S / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; l++)
            acc[l] += acc[l + w];
    return acc[0];
}

/* One row's dot product: lane l takes elements l, l + 16, l + 32, ... */
static inline float sgemv_row(const float *v, const float *x, int64_t len)
{
    float acc[HPK__GEMV_LANES_S] = {0};
    int64_t k = 0;
    for (; k + HPK__GEMV_LANES_S <= len; k += HPK__GEMV_LANES_S)
        for (int l = 0; l < HPK__GEMV_LANES_S; l++)
            acc[l] += v[k + l] * x[k + l];
    for (int l = 0; k + l < len; l++)
        acc[l] += v[k + l] * x[k + l];
    return sgemv_lanes_total(acc);
}

/* Rows in groups of HPK__GEMV_ROWS, each with exactly sgemv_row's lanes. */
static void sgemv_dot_body(const void *job, int64_t begin, int64_t end)
{
    const sgemv_job *j = job;
    const int64_t len = j->len, lda = j->lda;
    const float *x = j->x;
    int64_t r = begin;
    for (; r + HPK__GEMV_ROWS <= end; r += HPK__GEMV_ROWS) {
        const float *v0 = j->a + r * lda, *v1 = v0 + lda, *v2 = v1 + lda, *v3 = v2 + lda;
        hpk__v16f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        int64_t k = 0;
        for (; k + HPK__GEMV_LANES_S <= len; k += HPK__GEMV_LANES_S) {
            const hpk__v16f xv = hpk__load_v16f(x + k);
            a0 += hpk__load_v16f(v0 + k) * xv;
            a1 += hpk__load_v16f(v1 + k) * xv;
            a2 += hpk__load_v16f(v2 + k) * xv;
            a3 += hpk__load_v16f(v3 + k) * xv;
        }
        for (int l = 0; k + l < len; l++) {
            const float xv = x[k + l];
            a0[l] += v0[k + l] * xv;
            a1[l] += v1[k + l] * xv;
            a2[l] += v2[k + l] * xv;
            a3[l] += v3[k + l] * xv;
        }
        float lanes[HPK__GEMV_ROWS][HPK__GEMV_LANES_S];
        memcpy(lanes[0], &a0, sizeof a0);
        memcpy(lanes[1], &a1, sizeof a1);
        memcpy(lanes[2], &a2, sizeof a2);
        memcpy(lanes[3], &a3, sizeof a3);
        for (int i = 0; i < HPK__GEMV_ROWS; i++) {
            sgemv_store(j, sgemv_lanes_total(lanes[i]), j->y + (r + i) * j->incy);
        }
    }
    for (; r < end; r++) {
        sgemv_store(j, sgemv_row(j->a + r * lda, x, len), j->y + r * j->incy);
    }
}

/* A panel of y accumulates HPK__GEMV_DEPTH vectors per pass over it; each
 * element still adds x_0 v_0, x_1 v_1, ... one after the other. */
static void sgemv_axpy_body(const void *job, int64_t begin, int64_t end)
{
    const sgemv_job *j = job;
    const int64_t vecs = j->vecs, lda = j->lda, incx = j->incx;
    float acc[HPK__GEMV_PANEL];
    for (int64_t e0 = begin; e0 < end; e0 += HPK__GEMV_PANEL) {
        const int64_t width = end - e0 < HPK__GEMV_PANEL ? end - e0 : HPK__GEMV_PANEL;
        const float *v = j->a + e0;
        for (int64_t e = 0; e < width; e++)
            acc[e] = 0.0f;
        int64_t k = 0;
        for (; k + HPK__GEMV_DEPTH <= vecs; k += HPK__GEMV_DEPTH) {
            const float x0 = j->x[k * incx], x1 = j->x[(k + 1) * incx];
            const float x2 = j->x[(k + 2) * incx], x3 = j->x[(k + 3) * incx];
            const float *v0 = v + k * lda, *v1 = v0 + lda, *v2 = v1 + lda, *v3 = v2 + lda;
            for (int64_t e = 0; e < width; e++)
                acc[e] = acc[e] + x0 * v0[e] + x1 * v1[e] + x2 * v2[e] + x3 * v3[e];
        }
        for (; k < vecs; k++) {
            const float xk = j->x[k * incx];
            const float *vk = v + k * lda;
            for (int64_t e = 0; e < width; e++)
                acc[e] += xk * vk[e];
        }
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
                     LOGICAL_BASE(y, s.ylen, incy), alpha, beta};
    const hpk__runner *run = ctx->ops->runner;
    const double work = (double)m * (double)n;
    if (alpha == 0.0f) {
        run->range(ctx, s.ylen, 1, (double)s.ylen, sgemv_scale_body, &job);
        return HPK_SUCCESS;
    }
    if (!s.dot_form) {
        run->range(ctx, s.ylen, HPK__GEMV_LANES_S, work, sgemv_axpy_body, &job);
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

