/* Reductions.  sum, asum, dot and nrm2 follow the canonical order of
 * order.h, so that their results are bitwise the CPU backends' wherever the
 * sums are in double: each block's lanes are accumulated and folded here,
 * one partial per block goes to part[k * nblocks + b] (k: the accumulator),
 * and the host combines the blocks pairwise.  A batch of problems (vectors
 * xstride, ystride elements apart) is dimension 1 of the launch: problem k
 * reads from xbase + k xstride and writes its partials nacc nblocks
 * further on per problem.  The CPU family gives a block
 * to one work-item, its LANES lanes NV vectors of VEC; the GPU family gives
 * each lane to its own work-item (LPI lanes per work-item when the
 * work-group is smaller than a block's lanes), so that neighbouring
 * work-items read neighbouring elements, and folds the lanes in local
 * memory.  float sum, asum and dot sum runs of HPK__F32_RUN of each lane's
 * elements in float and carry them into the double lane sums.  i?amax
 * splits the vector into fixed runs per work-group. */
#include "order.h"
/* Standing alone, the CPU family's vectors have sixteen lanes. */
#if !defined(VEC) && !(defined(HPK_CPU_KERNELS) && HPK_CPU_KERNELS == 0)
#define VEC 16
#endif
#include "common.clh"

/* Blue's scaling constants (order.h) for the type the sums use; float pairs
 * (no fp64) have their own, LAPACK's for float. */
#if HPK_ACC_DOUBLE
#define BLUE_TSML HPK__BLUE_TSML
#define BLUE_TBIG HPK__BLUE_TBIG
#define BLUE_SSML HPK__BLUE_SSML
#define BLUE_SBIG HPK__BLUE_SBIG
#else
#define BLUE_TSML 0x1p-63f
#define BLUE_TBIG 0x1p+52f
#define BLUE_SSML 0x1p+75f
#define BLUE_SBIG 0x1p-76f
#endif

inline void accumulate(int op, accv_t *acc, valv_t v, valv_t w)
{
    if (op == HPK__OP_SUM) {
        acc[0] = accv_add(acc[0], v);
    } else if (op == HPK__OP_ASUM) {
        acc[0] = accv_add(acc[0], fabs(v));
    } else if (op == HPK__OP_DOT) {
        acc[0] = accv_add_prod(acc[0], v, w);
    } else {
        const valv_t av = fabs(v);
#if HPK_ACC_DOUBLE && !HPK_DOUBLE
        /* float data summed in double: every square of a float, subnormal or
         * not, is a normal double, so all go to the medium sum, as on the
         * CPU. */
        acc[1] = accv_add_prod(acc[1], av, av);
#else
        /* Each |v| goes to exactly one accumulator; a NaN fails both range
         * tests and lands in the medium one. */
        const valmask_t small = av < (valv_t)BLUE_TSML, big = av > (valv_t)BLUE_TBIG;
        const valv_t zero = (valv_t)0;
        const valv_t sml = small ? av * BLUE_SSML : zero;
        const valv_t bg = big ? av * BLUE_SBIG : zero;
        const valv_t med = (small | big) ? zero : av;
        acc[0] = accv_add_prod(acc[0], sml, sml);
        acc[1] = accv_add_prod(acc[1], med, med);
        acc[2] = accv_add_prod(acc[2], bg, bg);
#endif
    }
}

inline long block_length(long n, long b)
{
    return min((long)HPK__REDUCE_BLOCK, n - b * HPK__REDUCE_BLOCK);
}

/* float sum, asum and dot on a device with fp64: float runs (order.h). */
#define F32_RUNS (!HPK_DOUBLE && HPK_FP64)

/* A float run's term for one element: x, |x| or x y (rounded to float). */
inline realv run_term(int op, realv v, realv w)
{
    return op == HPK__OP_ASUM ? fabs(v) : op == HPK__OP_DOT ? v * w : v;
}

#if HPK_CPU_KERNELS
#if VEC != 16
#error "the CPU family's reductions hold a block's lanes in vectors of 16: build with -DVEC=16"
#endif
#define NV (LANES / VEC)

/* Logical elements [i, i + VEC) of a block ending at `end`, as a vector;
 * lanes at or past the end +0.0. */
inline realv block_chunk(__global const real *x, long base, long inc, long i, long end)
{
    return i + VEC <= end ? load_chunk(x, base, inc, i) : load_partial(x, base, inc, i, max(end - i, 0L), 0);
}

/* Work-item b sums block b: lane l is element l % VEC of vector l / VEC,
 * so the fold pairs vectors NV/2, NV/4, ... apart and then halves the last
 * one (accv_total), in order.h's shape. */
inline void reduce_blocks(int op, int nacc, long n, __global const real *x, long xbase, long incx,
                          __global const real *y, long ybase, long incy, long nblocks,
                          __global acc_store_t *part, __local acc_t *sh)
{
    (void)sh;
    const long b = get_global_id(0);
    if (b >= nblocks)
        return;
    const long first = b * HPK__REDUCE_BLOCK, len = block_length(n, b);
    accv_t acc[NV][3];
    for (int j = 0; j < NV; j++)
        for (int a = 0; a < 3; a++)
            acc[j][a] = accv_zero();
    if (F32_RUNS && op != HPK__OP_NRM2) {
        for (long k = 0; k < len; k += LANES * HPK__F32_RUN) {
            const long end = min(len, k + LANES * HPK__F32_RUN);
            realv run[NV];
            for (int j = 0; j < NV; j++)
                run[j] = (realv)0;
            for (long i = k; i < end; i += LANES)
                for (int j = 0; j < NV; j++) {
                    const long at = i + j * VEC;
                    const realv v = block_chunk(x, xbase, incx, first + at, first + end);
                    const realv w = op == HPK__OP_DOT ? block_chunk(y, ybase, incy, first + at, first + end) : v;
                    run[j] += run_term(op, v, w);
                }
            for (int j = 0; j < NV; j++)
                acc[j][0] = accv_add(acc[j][0], TO_VALV(run[j]));
        }
    } else {
        for (long i = 0; i < len; i += LANES)
            for (int j = 0; j < NV; j++) {
                const long at = i + j * VEC; /* lanes past the end add +0.0, which changes no sum */
                const valv_t v = TO_VALV(block_chunk(x, xbase, incx, first + at, first + len));
                const valv_t w = op == HPK__OP_DOT ? TO_VALV(block_chunk(y, ybase, incy, first + at, first + len)) : v;
                accumulate(op, acc[j], v, w);
            }
    }
    for (int a = 0; a < nacc; a++) {
        for (int w = NV / 2; w >= 1; w /= 2)
            for (int j = 0; j < w; j++)
                acc[j][a] = accv_merge(acc[j][a], acc[j + w][a]);
        part[a * nblocks + b] = acc_store(accv_total(acc[0][a]));
    }
}
#define REDUCE_LOCAL 1
#else
#if VEC != 1
#error "the GPU family's reductions are scalar: build with -DVEC=1"
#endif
/* A block per team (common.clh); blocks per work-group. */
#define BPG (WGS / TEAM)
#define REDUCE_LOCAL (BPG * LANES)

inline acc_t merge_lanes(acc_t a, acc_t b)
{
    return acc_merge(a, b);
}

/* Work-item t takes lanes q LPI .. q LPI + LPI - 1 of block t / TEAM (q =
 * t mod TEAM); the first work-item of each block folds its lanes from local
 * memory. */
inline void reduce_blocks(int op, int nacc, long n, __global const real *x, long xbase, long incx,
                          __global const real *y, long ybase, long incy, long nblocks,
                          __global acc_store_t *part, __local acc_t *sh)
{
    const long t = get_global_id(0), b = t / TEAM;
    const int q = (int)(t % TEAM), slot = get_local_id(0) / TEAM;
    const bool runs = F32_RUNS && op != HPK__OP_NRM2;
    accv_t acc[LPI][3];
    real run[LPI];
    for (int l = 0; l < LPI; l++) {
        run[l] = 0;
        for (int a = 0; a < 3; a++)
            acc[l][a] = accv_zero();
    }
    if (b < nblocks) {
        const long first = b * HPK__REDUCE_BLOCK, len = block_length(n, b);
        for (long k = 0, step = 1; k < len; k += LANES, step++) {
            for (int l = 0; l < LPI; l++) {
                const long e = k + q * LPI + l;
                if (e < len) {
                    const real v = x[xbase + (first + e) * incx];
                    const real w = op == HPK__OP_DOT ? y[ybase + (first + e) * incy] : v;
                    if (runs)
                        run[l] += run_term(op, v, w);
                    else
                        accumulate(op, acc[l], TO_VALV(v), TO_VALV(w));
                }
            }
            if (runs && (step % HPK__F32_RUN == 0 || k + LANES >= len)) /* a run ends */
                for (int l = 0; l < LPI; l++) {
                    acc[l][0] = accv_add(acc[l][0], TO_VALV(run[l]));
                    run[l] = 0;
                }
        }
    }
    for (int a = 0; a < nacc; a++)
        for (int l = 0; l < LPI; l++)
            sh[a * REDUCE_LOCAL + slot * LANES + q * LPI + l] = accv_total(acc[l][a]);
    barrier(CLK_LOCAL_MEM_FENCE);
    if (q == 0 && b < nblocks)
        for (int a = 0; a < nacc; a++) {
            acc_t lanes[LANES];
            for (int l = 0; l < LANES; l++)
                lanes[l] = sh[a * REDUCE_LOCAL + slot * LANES + l];
            HPK__FOLD_LANES(lanes, LANES, merge_lanes);
            part[a * nblocks + b] = acc_store(lanes[0]);
        }
}
#endif

/* Problem get_global_id(1) of a batch: its vectors and partials. */
#define BATCH_PROBLEM(nacc)                                                                                   \
    const long problem = get_global_id(1);                                                                    \
    xbase += problem * xstride;                                                                               \
    part += problem * (nacc) * nblocks

HPK_KERNEL void reduce_sum(long n, __global const real *x, long xbase, long incx, long xstride, long nblocks,
                           __global acc_store_t *part)
{
    __local acc_t sh[REDUCE_LOCAL];
    BATCH_PROBLEM(1);
    reduce_blocks(HPK__OP_SUM, 1, n, x, xbase, incx, x, xbase, incx, nblocks, part, sh);
}

HPK_KERNEL void reduce_asum(long n, __global const real *x, long xbase, long incx, long xstride, long nblocks,
                            __global acc_store_t *part)
{
    __local acc_t sh[REDUCE_LOCAL];
    BATCH_PROBLEM(1);
    reduce_blocks(HPK__OP_ASUM, 1, n, x, xbase, incx, x, xbase, incx, nblocks, part, sh);
}

HPK_KERNEL void reduce_nrm2(long n, __global const real *x, long xbase, long incx, long xstride, long nblocks,
                            __global acc_store_t *part)
{
    __local acc_t sh[3 * REDUCE_LOCAL];
    BATCH_PROBLEM(3);
    reduce_blocks(HPK__OP_NRM2, 3, n, x, xbase, incx, x, xbase, incx, nblocks, part, sh);
}

HPK_KERNEL void reduce_dot(long n, __global const real *x, long xbase, long incx, long xstride,
                           __global const real *y, long ybase, long incy, long ystride, long nblocks,
                           __global acc_store_t *part)
{
    __local acc_t sh[REDUCE_LOCAL];
    BATCH_PROBLEM(1);
    ybase += problem * ystride;
    reduce_blocks(HPK__OP_DOT, 1, n, x, xbase, incx, y, ybase, incy, nblocks, part, sh);
}

/* The work-item's share of i?amax: chunks of VEC logical elements starting
 * at `first`, `step` apart, below `end`.  `run` is the elements per
 * work-item (CPU family) or per work-group (GPU family), fixed by the host
 * from n. */
typedef struct share {
    long first, step, end;
} share;

inline share my_share(long n, long run)
{
    share s;
#if HPK_CPU_KERNELS
    s.first = ((long)get_group_id(0) * WGS + (long)get_local_id(0)) * run;
    s.step = VEC;
    s.end = min(n, s.first + run);
#else
    const long start = (long)get_group_id(0) * run;
    s.first = start + (long)get_local_id(0);
    s.step = WGS;
    s.end = min(n, start + run);
#endif
    return s;
}

/* ---- i?amax: the first largest |x_i|, a NaN beating every number --------- */

/* Does candidate (vb, ib) beat the best so far (va, ia)?  Ties go to the
 * lower index; a NaN beats every number, the first NaN every later one.
 * Empty entries are (-1, LONG_MAX). */
inline bool amax_better(real va, long ia, real vb, long ib)
{
    if (isnan(vb))
        return !isnan(va) || ib < ia;
    if (isnan(va))
        return false;
    return vb > va || (vb == va && ib < ia);
}

/* |x| of the first `count` (< VEC) logical elements from i; -1, which every
 * element beats, in the other lanes. */
inline realv abs_partial(__global const real *x, long base, long inc, long i, long count)
{
#if VEC == 1
    return count > 0 ? fabs(x[base + i * inc]) : -1;
#else
    real t[VEC];
    for (int l = 0; l < VEC; l++)
        t[l] = l < count ? fabs(x[base + (i + l) * inc]) : -1;
    return HPK_CAT(vload, VEC)(0, t);
#endif
}

#if HPK_DOUBLE || VEC == 1
#define WIDEN_MASK(m) (m)
#else
#define WIDEN_MASK(m) HPK_CAT(convert_, VTYPE(long))(m)
#endif

/* The group's winner goes to part[2 * group] (index) and part[2 * group + 1]
 * (the bits of |x_index|); problem k of a batch (dimension 1) reads from
 * xbase + k xstride and writes 2 * (groups of dimension 0) further on. */
HPK_KERNEL void reduce_amax(long n, __global const real *x, long xbase, long incx, long xstride, long run,
                            __global long *part)
{
    xbase += (long)get_global_id(1) * xstride;
    part += (long)get_global_id(1) * 2 * (long)get_num_groups(0);
    __local real shv[WGS];
    __local long shi[WGS];
    const share s = my_share(n, run);
    /* Per lane, elements come in increasing index order: only a strictly
     * larger value, or a first NaN, replaces the lane's best. */
    realv best = (realv)(-1);
    longv idx = (longv)LONG_MAX;
    for (long j = s.first; j < s.end; j += s.step) {
        realv av;
        if (j + VEC <= s.end)
            av = fabs(load_chunk(x, xbase, incx, j));
        else
            av = abs_partial(x, xbase, incx, j, s.end - j);
        const maskv take = (av > best) | (isnan(av) & !isnan(best));
        best = take ? av : best;
        idx = WIDEN_MASK(take) ? LANE_IDS + j : idx;
    }

    real bv[VEC];
    long bi[VEC];
#if VEC == 1
    bv[0] = best;
    bi[0] = idx;
#else
    HPK_CAT(vstore, VEC)(best, 0, bv);
    HPK_CAT(vstore, VEC)(idx, 0, bi);
#endif
    real v = bv[0];
    long i = bi[0];
    for (int l = 1; l < VEC; l++)
        if (amax_better(v, i, bv[l], bi[l])) {
            v = bv[l];
            i = bi[l];
        }

    const int lid = get_local_id(0);
    shv[lid] = v;
    shi[lid] = i;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = WGS / 2; w > 0; w >>= 1) {
        if (lid < w && amax_better(shv[lid], shi[lid], shv[lid + w], shi[lid + w])) {
            shv[lid] = shv[lid + w];
            shi[lid] = shi[lid + w];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        part[2 * get_group_id(0)] = shi[0];
#if HPK_DOUBLE
        part[2 * get_group_id(0) + 1] = as_long(shv[0]);
#else
        part[2 * get_group_id(0) + 1] = (long)as_uint(shv[0]);
#endif
    }
}
