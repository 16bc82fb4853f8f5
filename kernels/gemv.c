/* GEMV in the canonical order of order.h.  A (m x n, either layout) is seen
 * as `vecs` contiguous vectors of `len` elements, lda apart.  When op(A)'s
 * rows are those vectors ("dot form": row-major N, column-major T) each y
 * element is the row's dot product with x in the reductions' order: blocks
 * of HPK__REDUCE_BLOCK elements, the precision's lanes folded per block, blocks
 * combined pairwise.  Otherwise ("axpy form": row-major T, column-major N)
 * each y element accumulates x_k v_k[e] over runs of HPK__GEMV_RUN vectors
 * in sequence, the runs combined pairwise.  Either way y elements are
 * independent and each is computed in one fixed order, so the runner may
 * split them among threads, and the kernels may work on several at once,
 * without changing a bit. */
#include "cpu_kernels.h"
#include "order.h"
#include "runner.h"
#include "strided.h"
#include "vec.h"

#include <stdlib.h>
#include <string.h>

/* The axpy form's panel: the y elements accumulated at once, in L1.  Each
 * vector of A is read HPK__GEMV_PANEL_BYTES of it at a time, a stream of
 * its own: 4 KiB (one page) left the prefetchers too little to go on
 * (float from DRAM at 0.73-0.78 of OpenBLAS's speed, 0.93-0.97 with 16 KiB;
 * docs/PERFORMANCE.md).  The pairwise combine of runs holds one more panel
 * on the stack per level of its tree. */
#define HPK__GEMV_PANEL_BYTES 16384
#define HPK__GEMV_DEPTH 8    /* axpy form: vectors folded into them per pass */

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

/* Elements of type T in a 64-byte cache line: the axpy form's threads take
 * y (and each vector of A) in multiples of it, so that with incy == 1 no
 * two threads write one line. */
#define GEMV_CACHE_LINE(T) ((int64_t)(64 / sizeof(T)))

static inline int64_t count_of(int64_t total, int64_t per)
{
    return (total - 1) / per + 1;
}

static inline int64_t length_of(int64_t total, int64_t per, int64_t b)
{
    return total - b * per < per ? total - b * per : per;
}

/* ---- the kernels, once per precision (gemv_typed.h) ---------------------- */

#define GEMV_T double
#define GEMV_P(name) d##name
#define GEMV_NLANES HPK__LANES_F64
#define GEMV_VEC hpk__vd
#define GEMV_VN HPK__VD_N
#define GEMV_NV HPK__NVD
#define GEMV_LOAD hpk__vd_load
#define GEMV_LOAD_FIRST hpk__vd_load_first
#define GEMV_FOLD hpk__fold_vd
#define GEMV_DEPTH_IN_CACHE HPK__GEMV_DEPTH
#define GEMV_DOT_STREAMS_FROM GEMV_STREAMS_FROM
/* double's rows from memory: eight where their lanes fit in the registers
 * (AVX-512), else six (four on AVX2 read DRAM at 0.86-1.21 of OpenBLAS
 * Haswell's speed, six at 0.98-1.29, eight at 1.06-1.20; Zen 4, 2048^2 to
 * 8192^2; docs/PERFORMANCE.md) */
#define GEMV_ROWS_FROM_MEMORY (GEMV_MEM_LANES(8) == 0 ? 8 : 6)
/* double from L3, A over twice Zen 4's L2: one row at a time, the whole
 * of A one stream where lda = n, reads it faster than several rows (dgemv
 * N at 512^2 to 1024^2: avx512 0.96-1.06 -> 1.06-1.22 of OpenBLAS's speed,
 * avx2 0.94-1.02 -> 1.01-1.16); on AVX-512 only to 9 MiB, where seven rows
 * in the registers take over (1280^2: 1.03 against 0.94), elsewhere to
 * GEMV_DOT_STREAMS_FROM (avx2 1408^2: 0.87 -> 1.15;
 * docs/PERFORMANCE.md) */
#define GEMV_ONE_ROW_FROM (2.0 * (1 << 20))
#define GEMV_MANY_ROWS_FROM (GEMV_MEM_LANES(8) == 0 ? 9.0 * (1 << 20) : GEMV_DOT_STREAMS_FROM)
#define GEMV_ENTRY HPK__CPU(dgemv)
#define GEMV_NAME "hpk_dgemv"
#include "gemv_typed.h"

#define GEMV_T float
#define GEMV_P(name) s##name
#define GEMV_NLANES HPK__LANES_F32
#define GEMV_VEC hpk__vf
#define GEMV_VN HPK__VF_N
#define GEMV_NV HPK__NVF
#define GEMV_LOAD hpk__vf_load
#define GEMV_LOAD_FIRST hpk__vf_load_first
#define GEMV_FOLD hpk__fold_vf
/* float in cache: four vectors per pass read L2 faster than eight
 * (sgemv T at 1024^2 0.84 -> 0.96 of OpenBLAS's speed; double, and float
 * from L3 on, do as well or better with eight: docs/PERFORMANCE.md) */
#define GEMV_DEPTH_IN_CACHE 4
/* float's rows from memory keep most of their lanes in memory without
 * AVX-512 (51 of 64 vectors on AVX2): in L3 one row at a time in the
 * registers read A faster (sgemv N on Zen 4 at 2048^2 to 3344^2, 16 to
 * 43 MiB: 0.98-1.11 of OpenBLAS's speed against 0.77-0.84 for four rows),
 * eight rows only from DRAM: AVX2 0.90-1.04 -> 1.05-1.13 of OpenBLAS
 * Haswell's speed at 4096^2 to 8192^2 for eight rows against four, SSE2
 * 1.11-1.34 -> 1.47-1.50 against one (docs/PERFORMANCE.md) */
#define GEMV_DOT_STREAMS_FROM (48.0 * (1 << 20))
#define GEMV_ROWS_FROM_MEMORY 8
/* float: few rows to 9 MiB (sgemv N on avx512 at 1448^2, 8 MiB: 0.92
 * against 0.84 for six; 2048^2: 0.91 against 0.96), never one at a time
 * (1024^2: 1.03 as for three rows; 2048^2 0.89) */
#define GEMV_MANY_ROWS_FROM (9.0 * (1 << 20))
#define GEMV_ONE_ROW_FROM GEMV_MANY_ROWS_FROM
#define GEMV_ENTRY HPK__CPU(sgemv)
#define GEMV_NAME "hpk_sgemv"
#include "gemv_typed.h"

/* ---- the axpy form's runs, for layers that join them themselves (mpi/) -- */

hpk_status HPK__CPU(gemv_runs)(hpk_ctx *ctx, bool f32, int64_t vecs, int64_t len, const void *a, int64_t lda,
                               const void *x, int64_t incx, int64_t first, int64_t count, void *t)
{
    const hpk__runner *run = ctx->ops->runner;
    const double work = (double)(count * HPK__GEMV_RUN) * (double)len;
    if (f32) {
        const sgemv_job job = {vecs, len, lda, incx, 1, a, (const float *)x + hpk__vector_origin(vecs, incx), NULL,
                               1.0f, 0.0f, first, count, t, {0}};
        run->range(ctx, len, GEMV_CACHE_LINE(float), work, sgemv_axpy_body, &job);
    } else {
        const dgemv_job job = {vecs, len, lda, incx, 1, a, (const double *)x + hpk__vector_origin(vecs, incx), NULL,
                               1.0, 0.0, first, count, t, {0}};
        run->range(ctx, len, GEMV_CACHE_LINE(double), work, dgemv_axpy_body, &job);
    }
    return HPK_SUCCESS;
}
