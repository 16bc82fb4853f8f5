/* GEMV: y := alpha * op(A) * x + beta * y, in the canonical order of
 * order.h, so that results are bitwise the CPU backends'.  A (m x n, either
 * layout) is seen as contiguous stored vectors lda apart.  "dot form"
 * (row-major N, column-major T): y_r is the dot product of stored vector r
 * with x, in blocks of HPK__REDUCE_BLOCK elements with LANES lanes each,
 * folded.  "axpy form" (row-major T, column-major N): y_e accumulates
 * x_k * v_k[e] over runs of HPK__GEMV_RUN stored vectors, each in sequence
 * from +0.0.  Dimension 1 of the launch is the block (or run); with more
 * than one, each writes its partial sums to `part` and gemv_combine joins
 * them in the order's pairwise tree.  A batch of problems (operands
 * astride, xstride, ystride elements apart) is the launch's last dimension:
 * problem k reads and writes its own operands and its own units x rows
 * partial sums. */
#include "order.h"
#include "common.clh"

#ifndef ROWS
#define ROWS 4 /* CPU family, dot form: rows per work-item, sharing each load of x */
#endif
#ifndef AXPY_ROWS
#define AXPY_ROWS 8 /* CPU family, axpy form: stored vectors between barriers */
#endif
#ifndef AXPY_VECS
#define AXPY_VECS 8 /* CPU family, axpy form: vectors of y per work-item */
#endif

/* y_r = alpha t + beta y_r; beta == 0 does not read y. */
inline void store_y(long r, real t, real alpha, real beta, __global real *y, long ybase, long incy)
{
    __global real *p = y + ybase + r * incy;
    *p = beta == (real)0 ? alpha * t : alpha * t + beta * *p;
}

/* y_r itself, or block (run) u's partial sum when there are several. */
inline void finish(long r, real t, long u, long units, real alpha, real beta, __global real *y, long ybase,
                   long incy, __global real *part, long rows)
{
    if (units == 1)
        store_y(r, t, alpha, beta, y, ybase, incy);
    else
        part[u * rows + r] = t;
}

/* The blocks (runs) of work-group column get_group_id(1): per_group of
 * them, one after the other (the CPU family takes several per group to
 * keep the number of groups small). */
inline long first_unit(long per_group)
{
    return (long)get_group_id(1) * per_group;
}

inline long end_unit(long units, long per_group)
{
    return min(units, ((long)get_group_id(1) + 1) * per_group);
}

/* The lanes' total, halving: lane l takes lane l + VEC/2, and so on. */
inline real realv_total(realv a)
{
#if VEC == 1
    return a;
#else
#if VEC == 16
    const VTYPE(REAL) a16 = a;
    const HPK_CAT(REAL, 8) a8 = a16.lo + a16.hi;
#elif VEC == 8
    const HPK_CAT(REAL, 8) a8 = a;
#endif
#if VEC >= 8
    const HPK_CAT(REAL, 4) a4 = a8.lo + a8.hi;
#elif VEC == 4
    const HPK_CAT(REAL, 4) a4 = a;
#endif
#if VEC >= 4
    const HPK_CAT(REAL, 2) a2 = a4.lo + a4.hi;
#else
    const HPK_CAT(REAL, 2) a2 = a;
#endif
    return a2.lo + a2.hi;
#endif
}

inline real add_real(real a, real b)
{
    return a + b;
}

/* ---- dot form: rows = length of y, cols = length of x; unit u is the
 * block [u B, (u + 1) B) of the columns, B = HPK__REDUCE_BLOCK ---------- */

#if HPK_CPU_KERNELS
/* A block's lanes as NV vectors of VEC: lane l is element l % VEC of vector
 * l / VEC, so the fold pairs vectors NV/2, NV/4, ... apart and then halves
 * the last vector (realv_total). */
#define NV (LANES / VEC)

/* Block u of the ROWS rows from r0 (row[]). */
inline void dot_rows_block(long u, long units, long rows, long cols, long r0, __global const real *const *row,
                           __global const real *x, long xbase, long incx, real alpha, real beta,
                           __global real *y, long ybase, long incy, __global real *part)
{
    const long k0 = u * HPK__REDUCE_BLOCK, k1 = min(cols, k0 + HPK__REDUCE_BLOCK);
    realv acc[ROWS][NV];
    for (int q = 0; q < ROWS; q++)
        for (int j = 0; j < NV; j++)
            acc[q][j] = (realv)0;
    long k = k0;
    for (; k + LANES <= k1; k += LANES)
        for (int j = 0; j < NV; j++) {
            const realv xv = load_chunk(x, xbase, incx, k + j * VEC);
            for (int q = 0; q < ROWS; q++)
                acc[q][j] += HPK_CAT(vload, VEC)(0, row[q] + k + j * VEC) * xv;
        }
    if (k < k1) /* the tail, padded with zeros: +0.0 changes no lane */
        for (int j = 0; j < NV; j++) {
            const long at = k + j * VEC, count = k1 - at;
            const realv xv = load_partial(x, xbase, incx, at, count, 0);
            for (int q = 0; q < ROWS; q++)
                acc[q][j] += load_partial(row[q], 0, 1, at, count, 0) * xv;
        }
    for (int q = 0; q < ROWS && r0 + q < rows; q++) {
        for (int w = NV / 2; w >= 1; w /= 2)
            for (int j = 0; j < w; j++)
                acc[q][j] += acc[q][j + w];
        finish(r0 + q, realv_total(acc[q][0]), u, units, alpha, beta, y, ybase, incy, part, rows);
    }
}
#else
/* A team of work-items per row (common.clh): neighbours read neighbouring
 * elements; the team's lanes are folded in local memory (sh). */

inline void dot_lanes_block(long u, long units, long rows, long cols, long r, bool active, int q, int slot,
                            __global const real *row, __global const real *x, long xbase, long incx, real alpha,
                            real beta, __global real *y, long ybase, long incy, __global real *part,
                            __local real *sh)
{
    const long k0 = u * HPK__REDUCE_BLOCK, k1 = min(cols, k0 + HPK__REDUCE_BLOCK);
    real acc[LPI];
    for (int l = 0; l < LPI; l++)
        acc[l] = 0;
    if (active)
        for (long e0 = k0; e0 < k1; e0 += LANES)
            for (int l = 0; l < LPI; l++) {
                const long e = e0 + q * LPI + l;
                if (e < k1)
                    acc[l] += row[e] * x[xbase + e * incx];
            }
    for (int l = 0; l < LPI; l++)
        sh[slot * LANES + q * LPI + l] = acc[l];
    barrier(CLK_LOCAL_MEM_FENCE);
    if (active && q == 0) {
        real lanes[LANES];
        for (int l = 0; l < LANES; l++)
            lanes[l] = sh[slot * LANES + l];
        HPK__FOLD_LANES(lanes, LANES, add_real);
        finish(r, lanes[0], u, units, alpha, beta, y, ybase, incy, part, rows);
    }
    barrier(CLK_LOCAL_MEM_FENCE); /* sh is reused by the next block */
}
#endif

/* Problem get_global_id(dim) of a batch: its operands and partial sums. */
#define BATCH_PROBLEM(dim)                                                                                    \
    const long problem = get_global_id(dim);                                                                  \
    aoff += problem * astride;                                                                                \
    xbase += problem * xstride;                                                                               \
    ybase += problem * ystride;                                                                               \
    part += units > 1 ? problem * units * rows : 0

HPK_KERNEL void gemv_dot(long rows, long cols, long units, long per_group, __global const real *a, long aoff,
                         long lda, long astride, __global const real *x, long xbase, long incx, long xstride,
                         real alpha, real beta, __global real *y, long ybase, long incy, long ystride,
                         __global real *part)
{
    BATCH_PROBLEM(2);
#if HPK_CPU_KERNELS
    /* ROWS rows per work-item. */
    const long r0 = ((long)get_group_id(0) * WGS + (long)get_local_id(0)) * ROWS;
    if (r0 >= rows)
        return;
    __global const real *row[ROWS];
    for (int q = 0; q < ROWS; q++)
        row[q] = a + aoff + min(r0 + q, rows - 1) * lda;
    for (long u = first_unit(per_group); u < end_unit(units, per_group); u++)
        dot_rows_block(u, units, rows, cols, r0, row, x, xbase, incx, alpha, beta, y, ybase, incy, part);
#else
    __local real sh[WGS * LPI];
    const int lid = get_local_id(0), q = lid % TEAM, slot = lid / TEAM;
    const long r = (long)get_group_id(0) * (WGS / TEAM) + slot;
    const bool active = r < rows;
    __global const real *row = a + aoff + (active ? r : 0) * lda;
    for (long u = first_unit(per_group); u < end_unit(units, per_group); u++)
        dot_lanes_block(u, units, rows, cols, r, active, q, slot, row, x, xbase, incx, alpha, beta, y, ybase, incy,
                        part, sh);
#endif
}

/* ---- axpy form: rows = length of y (the stored vectors' length), cols =
 * length of x (the number of stored vectors); unit u is the run of vectors
 * [u R, (u + 1) R), R = HPK__GEMV_RUN, each y element summed over it in
 * sequence from +0.0 --------------------------------------------------- */

#if HPK_CPU_KERNELS
/* AXPY_VECS vectors of VEC consecutive y elements per work-item (from e0),
 * the group's work-items side by side.  The barrier after every AXPY_ROWS
 * stored vectors lets a CPU driver run the work-items one after another on
 * those vectors, so the group reads its part of each as a few long
 * contiguous runs instead of one short piece per work-item. */
inline void axpy_vecs_run(long u, long units, long rows, long cols, long e0, __global const real *a, long aoff,
                          long lda, __global const real *x, long xbase, long incx, real alpha, real beta,
                          __global real *y, long ybase, long incy, __global real *part)
{
    const long k0 = u * HPK__GEMV_RUN, k1 = min(cols, k0 + HPK__GEMV_RUN);
    const bool full = e0 + VEC * AXPY_VECS <= rows, some = e0 < rows;
    realv acc[AXPY_VECS];
    for (int w = 0; w < AXPY_VECS; w++)
        acc[w] = (realv)0;
    for (long kb = k0; kb < k1; kb += AXPY_ROWS) {
        const long kend = min(k1, kb + AXPY_ROWS);
        for (long k = kb; k < kend; k++) {
            const real xk = x[xbase + k * incx];
            __global const real *v = a + aoff + k * lda + e0;
            if (full) {
                for (int w = 0; w < AXPY_VECS; w++)
                    acc[w] += xk * HPK_CAT(vload, VEC)(w, v);
            } else if (some) {
                for (int w = 0; w < AXPY_VECS; w++)
                    acc[w] += xk * load_partial(v, 0, 1, w * VEC, max(0L, rows - e0 - w * VEC), 0);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    real t[VEC * AXPY_VECS];
    for (int w = 0; w < AXPY_VECS; w++)
        HPK_CAT(vstore, VEC)(acc[w], w, t);
    for (int l = 0; l < VEC * AXPY_VECS && e0 + l < rows; l++)
        finish(e0 + l, t[l], u, units, alpha, beta, y, ybase, incy, part, rows);
}
#else
/* One y element per work-item: neighbours read neighbouring elements of
 * each stored vector; tiles of x are staged in local memory (xs). */
inline void axpy_element_run(long u, long units, long rows, long cols, __global const real *a, long aoff, long lda,
                             __global const real *x, long xbase, long incx, real alpha, real beta,
                             __global real *y, long ybase, long incy, __global real *part, __local real *xs)
{
    const long k0 = u * HPK__GEMV_RUN, k1 = min(cols, k0 + HPK__GEMV_RUN);
    const int lid = get_local_id(0);
    const long e = (long)get_group_id(0) * WGS + lid;
    const bool active = e < rows;
    real acc = 0;
    for (long kt = k0; kt < k1; kt += WGS) {
        xs[lid] = kt + lid < k1 ? x[xbase + (kt + lid) * incx] : (real)0;
        barrier(CLK_LOCAL_MEM_FENCE);
        const int len = (int)min((long)WGS, k1 - kt);
        if (active)
            for (int j = 0; j < len; j++)
                acc += xs[j] * a[aoff + (kt + j) * lda + e];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (active)
        finish(e, acc, u, units, alpha, beta, y, ybase, incy, part, rows);
}
#endif

HPK_KERNEL void gemv_axpy(long rows, long cols, long units, long per_group, __global const real *a, long aoff,
                          long lda, long astride, __global const real *x, long xbase, long incx, long xstride,
                          real alpha, real beta, __global real *y, long ybase, long incy, long ystride,
                          __global real *part)
{
    BATCH_PROBLEM(2);
#if HPK_CPU_KERNELS
    const long e0 = ((long)get_group_id(0) * WGS + (long)get_local_id(0)) * (VEC * AXPY_VECS);
    for (long u = first_unit(per_group); u < end_unit(units, per_group); u++)
        axpy_vecs_run(u, units, rows, cols, e0, a, aoff, lda, x, xbase, incx, alpha, beta, y, ybase, incy, part);
#else
    __local real xs[WGS];
    for (long u = first_unit(per_group); u < end_unit(units, per_group); u++)
        axpy_element_run(u, units, rows, cols, a, aoff, lda, x, xbase, incx, alpha, beta, y, ybase, incy, part, xs);
#endif
}

/* Second step with several blocks (runs): y_r from their partial sums,
 * joined in the order's pairwise tree.  The tree is evaluated leaf by leaf
 * on a stack: after leaf s, every node of the tree that ends at s is
 * complete, deepest first, and each completion adds the top of the stack
 * (its right half) into the entry below (its left half). */
HPK_KERNEL void gemv_combine(long rows, long splits, __global const real *part, real alpha, real beta,
                             __global real *y, long ybase, long incy, long ystride)
{
    const long r = get_global_id(0);
    part += (long)get_global_id(1) * splits * rows;
    ybase += (long)get_global_id(1) * ystride;
    if (r >= rows)
        return;
    real stack[64];
    int depth = 0;
    for (long s = 0; s < splits; s++) {
        stack[depth++] = part[s * rows + r];
        int complete = 0;
        for (long first = 0, count = splits; count > 1;) {
            const long left = hpk__tree_left(count);
            complete += first + count - 1 == s;
            if (s < first + left) {
                count = left;
            } else {
                first += left;
                count -= left;
            }
        }
        for (; complete > 0; complete--) {
            depth--;
            stack[depth - 1] = stack[depth - 1] + stack[depth];
        }
    }
    store_y(r, stack[0], alpha, beta, y, ybase, incy);
}

/* alpha == 0: y := beta y without reading A or x; beta == 0 writes zeros. */
HPK_KERNEL void gemv_scale(long rows, real beta, __global real *y, long ybase, long incy, long ystride)
{
    const long r = get_global_id(0);
    ybase += (long)get_global_id(1) * ystride;
    if (r >= rows)
        return;
    __global real *p = y + ybase + r * incy;
    *p = beta == (real)0 ? (real)0 : beta * *p;
}
