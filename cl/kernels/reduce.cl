/* Reductions, stage one: each work-group reduces a fixed part of the vector
 * into one partial result; the host combines the groups' partials pairwise
 * in group order (stage two).  Each work-item accumulates a fixed share of
 * the elements (CPU family: one contiguous run, VEC lanes at a time; GPU
 * family: every WGS-th element, so that neighbouring work-items read
 * neighbouring elements), in blocks of CASCADE chunks whose sums are added
 * to a running total; the work-items' totals are combined pairwise in local
 * memory.  Nothing depends on timing, so results repeat bit for bit. */
#include "common.clh"

#define CASCADE 32 /* chunks per block: bounds the length of any running sum */

#define OP_SUM 0
#define OP_ASUM 1
#define OP_DOT 2
#define OP_NRM2 3

/* Blue's scaling constants (LAPACK 3.10 ?nrm2) for the type the sums use:
 * squares of magnitudes in [TSML, TBIG] neither overflow nor underflow;
 * smaller ones are scaled up by SSML, bigger ones down by SBIG. */
#if HPK_ACC_DOUBLE
#define BLUE_TSML 0x1p-511
#define BLUE_TBIG 0x1p+486
#define BLUE_SSML 0x1p+537
#define BLUE_SBIG 0x1p-538
#else
#define BLUE_TSML 0x1p-63f
#define BLUE_TBIG 0x1p+52f
#define BLUE_SSML 0x1p+75f
#define BLUE_SBIG 0x1p-76f
#endif

/* The work-item's share: chunks of VEC logical elements starting at `first`,
 * `step` apart, below `end`.  `run` is the elements per work-item (CPU
 * family) or per work-group (GPU family), fixed by the host from n. */
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

inline void accumulate(int op, accv_t *acc, valv_t v, valv_t w)
{
    if (op == OP_SUM) {
        acc[0] = accv_add(acc[0], v);
    } else if (op == OP_ASUM) {
        acc[0] = accv_add(acc[0], fabs(v));
    } else if (op == OP_DOT) {
        acc[0] = accv_add_prod(acc[0], v, w);
    } else {
        const valv_t av = fabs(v);
#if HPK_ACC_DOUBLE && !HPK_DOUBLE
        /* float data summed in double: every square of a float, subnormal or
         * not, is a normal double, so all go to the medium sum (Blue's other
         * two would only ever receive zeros and infinities, which give the
         * same result from the medium one). */
        acc[1] = accv_add_prod(acc[1], av, av);
#else
        /* Each |v| goes to exactly one accumulator; a NaN fails both range
         * tests and lands in the medium one.  (Branching to a medium-only
         * path for chunks without small or big lanes measured slower on
         * PoCL: the selects below vectorise, the branch does not.) */
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

/* Stage one of sum, asum, dot or nrm2 (nacc accumulators): the group's
 * partial k goes to part[k * groups + group]. */
inline void reduce_group(int op, int nacc, long n, __global const real *x, long xbase, long incx,
                         __global const real *y, long ybase, long incy, long run,
                         __global acc_store_t *part, __local acc_t *sh)
{
    const share s = my_share(n, run);
    accv_t tot[3] = {accv_zero(), accv_zero(), accv_zero()};
    for (long i = s.first; i < s.end; i += s.step * CASCADE) {
        accv_t blk[3] = {accv_zero(), accv_zero(), accv_zero()};
        const long stop = min(s.end, i + s.step * CASCADE);
        for (long j = i; j < stop; j += s.step) {
            valv_t v, w;
            if (j + VEC <= s.end) {
                v = TO_VALV(load_chunk(x, xbase, incx, j));
                w = op == OP_DOT ? TO_VALV(load_chunk(y, ybase, incy, j)) : v;
            } else {
                v = TO_VALV(load_partial(x, xbase, incx, j, s.end - j, 0));
                w = op == OP_DOT ? TO_VALV(load_partial(y, ybase, incy, j, s.end - j, 0)) : v;
            }
            accumulate(op, blk, v, w);
        }
        for (int k = 0; k < nacc; k++)
            tot[k] = accv_merge(tot[k], blk[k]);
    }

    const int lid = get_local_id(0);
    for (int k = 0; k < nacc; k++)
        sh[k * WGS + lid] = accv_total(tot[k]);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = WGS / 2; w > 0; w >>= 1) {
        if (lid < w)
            for (int k = 0; k < nacc; k++)
                sh[k * WGS + lid] = acc_merge(sh[k * WGS + lid], sh[k * WGS + lid + w]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0)
        for (int k = 0; k < nacc; k++)
            part[k * (long)get_num_groups(0) + get_group_id(0)] = acc_store(sh[k * WGS]);
}

HPK_KERNEL void reduce_sum(long n, __global const real *x, long xbase, long incx, long run,
                           __global acc_store_t *part)
{
    __local acc_t sh[WGS];
    reduce_group(OP_SUM, 1, n, x, xbase, incx, x, xbase, incx, run, part, sh);
}

HPK_KERNEL void reduce_asum(long n, __global const real *x, long xbase, long incx, long run,
                            __global acc_store_t *part)
{
    __local acc_t sh[WGS];
    reduce_group(OP_ASUM, 1, n, x, xbase, incx, x, xbase, incx, run, part, sh);
}

HPK_KERNEL void reduce_nrm2(long n, __global const real *x, long xbase, long incx, long run,
                            __global acc_store_t *part)
{
    __local acc_t sh[3 * WGS];
    reduce_group(OP_NRM2, 3, n, x, xbase, incx, x, xbase, incx, run, part, sh);
}

HPK_KERNEL void reduce_dot(long n, __global const real *x, long xbase, long incx,
                           __global const real *y, long ybase, long incy, long run,
                           __global acc_store_t *part)
{
    __local acc_t sh[WGS];
    reduce_group(OP_DOT, 1, n, x, xbase, incx, y, ybase, incy, run, part, sh);
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
 * (the bits of |x_index|). */
HPK_KERNEL void reduce_amax(long n, __global const real *x, long xbase, long incx, long run,
                            __global long *part)
{
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
