/* GEMV: y := alpha * op(A) * x + beta * y.  A (m x n, either layout) is seen
 * as contiguous stored vectors lda apart.  "dot form" (row-major N,
 * column-major T): y_r is the dot product of stored vector r with x.  "axpy
 * form" (row-major T, column-major N): y_e accumulates x_k * v_k[e] over the
 * stored vectors k in order.  The k range may be split among work-groups
 * (dimension 1, "split-K", when y is too short to keep the device busy); the
 * splits' partial sums then go to `part` and gemv_combine adds them in split
 * order.  Every y element's sum has a fixed order: results repeat bit for
 * bit, and do not depend on alpha and beta. */
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
#ifndef TEAM
#define TEAM 32 /* GPU family, dot form: work-items per row (divides WGS) */
#endif

/* y_r = alpha t + beta y_r; beta == 0 does not read y. */
inline void finish(long r, real t, real alpha, real beta, __global real *y, long ybase, long incy,
                   __global real *part, long rows)
{
    if (get_num_groups(1) == 1) {
        __global real *p = y + ybase + r * incy;
        *p = beta == (real)0 ? alpha * t : alpha * t + beta * *p;
    } else {
        part[(long)get_group_id(1) * rows + r] = t;
    }
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

/* Dot form.  rows = length of y, cols = length of x; split s covers the
 * columns [s kchunk, (s + 1) kchunk). */
HPK_KERNEL void gemv_dot(long rows, long cols, long kchunk, __global const real *a, long aoff, long lda,
                         __global const real *x, long xbase, long incx, real alpha, real beta,
                         __global real *y, long ybase, long incy, __global real *part)
{
    const long k0 = (long)get_group_id(1) * kchunk, k1 = min(cols, k0 + kchunk);
#if HPK_CPU_KERNELS
    /* ROWS rows per work-item, VEC lanes along each row. */
    const long r0 = ((long)get_group_id(0) * WGS + (long)get_local_id(0)) * ROWS;
    if (r0 >= rows)
        return;
    realv acc[ROWS];
    __global const real *row[ROWS];
    for (int q = 0; q < ROWS; q++) {
        acc[q] = (realv)0;
        row[q] = a + aoff + min(r0 + q, rows - 1) * lda;
    }
    long k = k0;
    for (; k + VEC <= k1; k += VEC) {
        const realv xv = load_chunk(x, xbase, incx, k);
        for (int q = 0; q < ROWS; q++)
            acc[q] += HPK_CAT(vload, VEC)(0, row[q] + k) * xv;
    }
    if (k < k1) {
        const realv xv = load_partial(x, xbase, incx, k, k1 - k, 0);
        for (int q = 0; q < ROWS; q++)
            acc[q] += load_partial(row[q], 0, 1, k, k1 - k, 0) * xv;
    }
    for (int q = 0; q < ROWS && r0 + q < rows; q++)
        finish(r0 + q, realv_total(acc[q]), alpha, beta, y, ybase, incy, part, rows);
#else
    /* A team of TEAM work-items per row, reading it in coalesced runs; the
     * group's WGS / TEAM rows share each tile of x, staged in local memory. */
    __local real xs[WGS];
    __local real sh[WGS];
    const int lid = get_local_id(0), lane = lid % TEAM;
    const long r = (long)get_group_id(0) * (WGS / TEAM) + lid / TEAM;
    const bool active = r < rows;
    __global const real *row = a + aoff + (active ? r : 0) * lda;
    real acc = 0;
    for (long kt = k0; kt < k1; kt += WGS) {
        xs[lid] = kt + lid < k1 ? x[xbase + (kt + lid) * incx] : (real)0;
        barrier(CLK_LOCAL_MEM_FENCE);
        const int len = (int)min((long)WGS, k1 - kt);
        if (active)
            for (int j = lane; j < len; j += TEAM)
                acc += row[kt + j] * xs[j];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    sh[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = TEAM / 2; w > 0; w >>= 1) {
        if (lane < w)
            sh[lid] += sh[lid + w];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (active && lane == 0)
        finish(r, sh[lid], alpha, beta, y, ybase, incy, part, rows);
#endif
}

/* Axpy form.  rows = length of y (the stored vectors' length), cols = length
 * of x (the number of stored vectors); split s covers the vectors
 * [s kchunk, (s + 1) kchunk). */
HPK_KERNEL void gemv_axpy(long rows, long cols, long kchunk, __global const real *a, long aoff, long lda,
                          __global const real *x, long xbase, long incx, real alpha, real beta,
                          __global real *y, long ybase, long incy, __global real *part)
{
    const long k0 = (long)get_group_id(1) * kchunk, k1 = min(cols, k0 + kchunk);
#if HPK_CPU_KERNELS
    /* AXPY_VECS vectors of VEC consecutive y elements per work-item, the
     * group's work-items side by side.  The barrier after every AXPY_ROWS
     * stored vectors lets a CPU driver run the work-items one after another
     * on those vectors, so the group reads its part of each as a few long
     * contiguous runs instead of one short piece per work-item. */
    const long e0 = ((long)get_group_id(0) * WGS + (long)get_local_id(0)) * (VEC * AXPY_VECS);
    const bool full = e0 + VEC * AXPY_VECS <= rows, some = e0 < rows;
    realv acc[AXPY_VECS];
    for (int u = 0; u < AXPY_VECS; u++)
        acc[u] = (realv)0;
    for (long kb = k0; kb < k1; kb += AXPY_ROWS) {
        const long kend = min(k1, kb + AXPY_ROWS);
        for (long k = kb; k < kend; k++) {
            const real xk = x[xbase + k * incx];
            __global const real *v = a + aoff + k * lda + e0;
            if (full) {
                for (int u = 0; u < AXPY_VECS; u++)
                    acc[u] += xk * HPK_CAT(vload, VEC)(u, v);
            } else if (some) {
                for (int u = 0; u < AXPY_VECS; u++)
                    acc[u] += xk * load_partial(v, 0, 1, u * VEC, max(0L, rows - e0 - u * VEC), 0);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    real t[VEC * AXPY_VECS];
    for (int u = 0; u < AXPY_VECS; u++)
        HPK_CAT(vstore, VEC)(acc[u], u, t);
    for (int l = 0; l < VEC * AXPY_VECS && e0 + l < rows; l++)
        finish(e0 + l, t[l], alpha, beta, y, ybase, incy, part, rows);
#else
    /* One y element per work-item: neighbours read neighbouring elements of
     * each stored vector; tiles of x are staged in local memory. */
    __local real xs[WGS];
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
        finish(e, acc, alpha, beta, y, ybase, incy, part, rows);
#endif
}

/* Split-K, second step: y_r from the splits' partial sums, added in split
 * order. */
HPK_KERNEL void gemv_combine(long rows, long splits, __global const real *part, real alpha, real beta,
                             __global real *y, long ybase, long incy)
{
    const long r = get_global_id(0);
    if (r >= rows)
        return;
    real t = part[r];
    for (long s = 1; s < splits; s++)
        t += part[s * rows + r];
    __global real *p = y + ybase + r * incy;
    *p = beta == (real)0 ? alpha * t : alpha * t + beta * *p;
}

/* alpha == 0: y := beta y without reading A or x; beta == 0 writes zeros. */
HPK_KERNEL void gemv_scale(long rows, real beta, __global real *y, long ybase, long incy)
{
    const long r = get_global_id(0);
    if (r >= rows)
        return;
    __global real *p = y + ybase + r * incy;
    *p = beta == (real)0 ? (real)0 : beta * *p;
}
