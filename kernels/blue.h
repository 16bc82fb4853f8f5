/* Blue's sum of squares (order.h's constants) as the CPU kernels take it:
 * one vector of elements into a lane's three sums.  Shared by the
 * reductions (reduce.c) and the batches of short vectors (batch.c), which
 * must round alike. */
#ifndef HPK_BLUE_H
#define HPK_BLUE_H

#include "order.h"
#include "simd.h"

#include <math.h>

static const double blue_tsml = HPK__BLUE_TSML, blue_tbig = HPK__BLUE_TBIG;
static const double blue_ssml = HPK__BLUE_SSML, blue_sbig = HPK__BLUE_SBIG;

/* Blue's three sums. */
typedef enum blue_sum { BLUE_SMALL, BLUE_MEDIUM, BLUE_BIG } blue_sum;

/* Which of Blue's sums x goes to (a zero or a NaN counts as medium).  The
 * kernels guess a vector's kind from its first element. */
static inline blue_sum blue_sum_of(double x)
{
    const double a = fabs(x);
    return a < blue_tsml && a != 0.0 ? BLUE_SMALL : a > blue_tbig ? BLUE_BIG : BLUE_MEDIUM;
}

/* Blue's step for one vector of |v|: select first, then scale (scaling
 * every |v| would make slow subnormals out of ordinary numbers).  A NaN
 * fails both range tests and lands in the medium sum. */
static inline __attribute__((always_inline)) void nrm2_step(hpk__vd v, hpk__vd *small_sum, hpk__vd *medium_sum,
                                                            hpk__vd *big_sum)
{
    const hpk__vd av = hpk__vd_abs(v), zero = {0};
    const hpk__vdm small = av < blue_tsml, big = av > blue_tbig;
    const hpk__vd sml = hpk__vd_select(small, av, zero) * blue_ssml;
    const hpk__vd bg = hpk__vd_select(big, av, zero) * blue_sbig;
    const hpk__vd med = hpk__vd_select(small | big, zero, av);
    *small_sum += sml * sml;
    *medium_sum += med * med;
    *big_sum += bg * bg;
}

#endif /* HPK_BLUE_H */
