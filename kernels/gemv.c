/* GEMV.  A (m x n, either layout) is seen as `vecs` contiguous vectors of
 * `len` elements, lda apart.  When op(A)'s rows are those vectors ("dot
 * form": row-major N, column-major T) each y element is a dot product
 * accumulated in lanes; otherwise ("axpy form": row-major T, column-major N)
 * each y element accumulates x_k * v_k[e] over k in order, a block of y held
 * in registers.  Either way y elements are independent, so the runner may
 * split them among threads without changing a bit. */
#include "cpu_kernels.h"
#include "cpu_path.h"
#include "runner.h"

#define HPK__GEMV_LANES_D 8   /* one AVX-512 / two AVX2 registers of doubles */
#define HPK__GEMV_LANES_S 16  /* the same bytes of floats */
#define HPK__GEMV_BLOCK 64    /* y elements per register block in the axpy form */

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
    const double *a, *x;
    double *y;
    double alpha, beta;
} dgemv_job;

static inline double dgemv_update(const dgemv_job *j, double t, double y)
{
    return j->beta == 0.0 ? j->alpha * t : j->alpha * t + j->beta * y;
}

HPK__CLONES static void dgemv_dot_body(const void *job, int64_t begin, int64_t end)
{
    const dgemv_job *j = job;
    const int64_t len = j->len, incx = j->incx;
    const double *x = j->x;
    for (int64_t r = begin; r < end; r++) {
        const double *v = j->a + r * j->lda;
        double acc[HPK__GEMV_LANES_D] = {0};
        int64_t k = 0;
        if (incx == 1) {
            for (; k + HPK__GEMV_LANES_D <= len; k += HPK__GEMV_LANES_D)
                for (int l = 0; l < HPK__GEMV_LANES_D; l++)
                    acc[l] += v[k + l] * x[k + l];
        }
        for (; k + HPK__GEMV_LANES_D <= len; k += HPK__GEMV_LANES_D)
            for (int l = 0; l < HPK__GEMV_LANES_D; l++)
                acc[l] += v[k + l] * x[(k + l) * incx];
        for (int l = 0; k + l < len; l++)
            acc[l] += v[k + l] * x[(k + l) * incx];
        for (int w = HPK__GEMV_LANES_D / 2; w >= 1; w /= 2)
            for (int l = 0; l < w; l++)
                acc[l] += acc[l + w];
        double *y = j->y + r * j->incy;
        *y = dgemv_update(j, acc[0], *y);
    }
}

HPK__CLONES static void dgemv_axpy_body(const void *job, int64_t begin, int64_t end)
{
    const dgemv_job *j = job;
    for (int64_t e0 = begin; e0 < end; e0 += HPK__GEMV_BLOCK) {
        const int64_t width = end - e0 < HPK__GEMV_BLOCK ? end - e0 : HPK__GEMV_BLOCK;
        double acc[HPK__GEMV_BLOCK] = {0};
        for (int64_t k = 0; k < j->vecs; k++) {
            const double xk = j->x[k * j->incx];
            const double *v = j->a + k * j->lda + e0;
            for (int64_t e = 0; e < width; e++)
                acc[e] += xk * v[e];
        }
        for (int64_t e = 0; e < width; e++) {
            double *y = j->y + (e0 + e) * j->incy;
            *y = dgemv_update(j, acc[e], *y);
        }
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
    const dgemv_job job = {s.vecs, s.len, lda, incx, incy, a, LOGICAL_BASE(x, s.xlen, incx),
                           LOGICAL_BASE(y, s.ylen, incy), alpha, beta};
    const hpk__runner *run = ctx->ops->runner;
    if (alpha == 0.0)
        run->range(ctx, s.ylen, 1, dgemv_scale_body, &job);
    else if (s.dot_form)
        run->range(ctx, s.ylen, 1, dgemv_dot_body, &job);
    else
        run->range(ctx, s.ylen, HPK__GEMV_BLOCK, dgemv_axpy_body, &job);
    return HPK_SUCCESS;
}

/* ---- float: the same steps in single precision --------------------------- */

typedef struct sgemv_job {
    int64_t vecs, len, lda, incx, incy;
    const float *a, *x;
    float *y;
    float alpha, beta;
} sgemv_job;

static inline float sgemv_update(const sgemv_job *j, float t, float y)
{
    return j->beta == 0.0f ? j->alpha * t : j->alpha * t + j->beta * y;
}

HPK__CLONES static void sgemv_dot_body(const void *job, int64_t begin, int64_t end)
{
    const sgemv_job *j = job;
    const int64_t len = j->len, incx = j->incx;
    const float *x = j->x;
    for (int64_t r = begin; r < end; r++) {
        const float *v = j->a + r * j->lda;
        float acc[HPK__GEMV_LANES_S] = {0};
        int64_t k = 0;
        if (incx == 1) {
            for (; k + HPK__GEMV_LANES_S <= len; k += HPK__GEMV_LANES_S)
                for (int l = 0; l < HPK__GEMV_LANES_S; l++)
                    acc[l] += v[k + l] * x[k + l];
        }
        for (; k + HPK__GEMV_LANES_S <= len; k += HPK__GEMV_LANES_S)
            for (int l = 0; l < HPK__GEMV_LANES_S; l++)
                acc[l] += v[k + l] * x[(k + l) * incx];
        for (int l = 0; k + l < len; l++)
            acc[l] += v[k + l] * x[(k + l) * incx];
        for (int w = HPK__GEMV_LANES_S / 2; w >= 1; w /= 2)
            for (int l = 0; l < w; l++)
                acc[l] += acc[l + w];
        float *y = j->y + r * j->incy;
        *y = sgemv_update(j, acc[0], *y);
    }
}

HPK__CLONES static void sgemv_axpy_body(const void *job, int64_t begin, int64_t end)
{
    const sgemv_job *j = job;
    for (int64_t e0 = begin; e0 < end; e0 += HPK__GEMV_BLOCK) {
        const int64_t width = end - e0 < HPK__GEMV_BLOCK ? end - e0 : HPK__GEMV_BLOCK;
        float acc[HPK__GEMV_BLOCK] = {0};
        for (int64_t k = 0; k < j->vecs; k++) {
            const float xk = j->x[k * j->incx];
            const float *v = j->a + k * j->lda + e0;
            for (int64_t e = 0; e < width; e++)
                acc[e] += xk * v[e];
        }
        for (int64_t e = 0; e < width; e++) {
            float *y = j->y + (e0 + e) * j->incy;
            *y = sgemv_update(j, acc[e], *y);
        }
    }
}

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
    const sgemv_job job = {s.vecs, s.len, lda, incx, incy, a, LOGICAL_BASE(x, s.xlen, incx),
                           LOGICAL_BASE(y, s.ylen, incy), alpha, beta};
    const hpk__runner *run = ctx->ops->runner;
    if (alpha == 0.0f)
        run->range(ctx, s.ylen, 1, sgemv_scale_body, &job);
    else if (s.dot_form)
        run->range(ctx, s.ylen, 1, sgemv_dot_body, &job);
    else
        run->range(ctx, s.ylen, HPK__GEMV_BLOCK, sgemv_axpy_body, &job);
    return HPK_SUCCESS;
}
