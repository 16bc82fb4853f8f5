/* The canonical order of hpk's reductions: the constants and rules that fix
 * the order of every floating-point operation of sum, asum, dot and nrm2,
 * whatever evaluates them (CPU SIMD lanes, OpenCL work-items, threads,
 * ranks).  This one file compiles as C and as OpenCL C.
 *
 *   blocks  logical elements [b B, (b + 1) B) form block b (the last one
 *           shorter), B = HPK__REDUCE_BLOCK;
 *   lanes   inside a block, lane l (0 <= l < L) accumulates the block's
 *           elements l, l + L, l + 2L, ... in that order, starting from
 *           +0.0, in double; L = HPK__LANES_F64 for double data,
 *           HPK__LANES_F32 for float data;
 *   runs    float sum, asum and dot: each lane's elements form runs of
 *           HPK__F32_RUN consecutive ones (its last run shorter), each run
 *           summed in float from +0.0f (x_i y_i rounded to float for dot),
 *           the run's total added to the lane's double sum.  float nrm2
 *           has no runs: each square is formed and summed in double;
 *   fold    a block's lanes are folded by HPK__FOLD_LANES: lane l takes
 *           lane l + L/2, then l + L/4, ..., down to lane 0;
 *   tree    blocks are combined pairwise: a run of c > 1 blocks is its first
 *           hpk__tree_left(c) blocks combined, plus the rest combined.
 * nrm2 keeps Blue's three sums per lane (HPK__BLUE_*), folded and combined
 * alike, and finishes as reduce_finish.h says.
 *
 * GEMV computes each y element as alpha t + beta y (alpha t when beta is
 * 0), t accumulated in the data's precision:
 *   dot form   (op(A)'s rows stored contiguously: row-major N, column-major
 *              T) t is the row's dot product with x in blocks and lanes as
 *              above (L lanes for the precision, no runs), every sum in the
 *              data's precision -- for dgemv, bitwise hpk_ddot of the row
 *              and x;
 *   axpy form  (the other two) t accumulates x_k v_k over the vectors k in
 *              runs of HPK__GEMV_RUN consecutive k, each run in sequence
 *              from +0.0, the runs combined by the pairwise tree.
 *
 * Monte Carlo takes samples in blocks of HPK__MC_BLOCK consecutive indices:
 * pi counts hits (exact); integration summarises a block in index order as
 * (count, mean, m2) from sums of v - v_first (kernels/mc.c), and combines
 * the blocks by the pairwise tree with Chan's update (mc_finish.h). */
#ifndef HPK_ORDER_H
#define HPK_ORDER_H

#ifdef __OPENCL_VERSION__
#define HPK__ORDER_FN inline
typedef long hpk__i64;
#else
#include <stdint.h>
#define HPK__ORDER_FN static inline
typedef int64_t hpk__i64;
#endif

#define HPK__REDUCE_BLOCK 4096 /* 32 KiB of doubles: one block stays in L1 */
#define HPK__LANES_F64 16      /* double data: 2 AVX-512, 4 AVX2, 8 SSE2/NEON registers; 16 work-items */
#define HPK__LANES_F32 64      /* float data: 4 AVX-512, 8 AVX2, 16 SSE2/NEON registers; 64 work-items */
#define HPK__F32_RUN 16        /* float sum, asum, dot: a lane's elements per float run */
#define HPK__GEMV_RUN 256      /* axpy-form gemv: vectors summed in sequence */
#define HPK__MC_BLOCK 4096     /* Monte Carlo: samples per block */

/* The reductions: sum, asum, dot and nrm2, whose order this file fixes, and
 * i?amax (exact, so it needs no order).  One list for the CPU kernels, the
 * OpenCL host code and device code, and the MPI layer. */
typedef enum hpk__reduce_op { HPK__OP_SUM, HPK__OP_ASUM, HPK__OP_DOT, HPK__OP_NRM2, HPK__OP_AMAX } hpk__reduce_op;

/* Folds t[0 .. lanes) into t[0]; merge(a, b) is a + b (or the device's
 * float-pair merge where there is no fp64). */
#define HPK__FOLD_LANES(t, lanes, merge)                           \
    for (int hpk__w = (lanes) / 2; hpk__w >= 1; hpk__w /= 2)       \
        for (int hpk__l = 0; hpk__l < hpk__w; hpk__l++)            \
            (t)[hpk__l] = merge((t)[hpk__l], (t)[hpk__l + hpk__w])

/* The left part of a run of `count` blocks in the pairwise tree. */
HPK__ORDER_FN hpk__i64 hpk__tree_left(hpk__i64 count)
{
    return count - count / 2;
}

/* Blue's scaling constants for double (Anderson, "Algorithm 978", 2017; the
 * LAPACK 3.10 ?nrm2): squares of magnitudes in [TSML, TBIG] neither
 * overflow nor underflow; smaller ones are scaled up by SSML, bigger ones
 * down by SBIG.  A NaN fails both range tests and counts as medium. */
#define HPK__BLUE_TSML 0x1p-511
#define HPK__BLUE_TBIG 0x1p+486
#define HPK__BLUE_SSML 0x1p+537
#define HPK__BLUE_SBIG 0x1p-538

#endif /* HPK_ORDER_H */
