/* Strided vectors as BLAS lays them out: n logical elements, element i at
 * offset i * inc from logical element 0, which for a negative increment is
 * the last of them in memory. */
#ifndef HPK_STRIDED_H
#define HPK_STRIDED_H

#include <stddef.h>
#include <stdint.h>

/* The elements a vector spans, (n-1)|inc| + 1 (0 when n == 0), for a vector
 * that hpk__vector_fits (core/check.h). */
static inline int64_t hpk__vector_span(int64_t n, int64_t inc)
{
    return n == 0 ? 0 : (n - 1) * (inc < 0 ? -inc : inc) + 1;
}

/* Where logical element 0 lies, in elements from the lowest-addressed one:
 * (n-1)|inc| for a negative increment, else 0. */
static inline int64_t hpk__vector_origin(int64_t n, int64_t inc)
{
    return inc < 0 ? (n - 1) * -inc : 0;
}

/* Where logical element i lies, in elements from the lowest-addressed one. */
static inline int64_t hpk__vector_index(int64_t i, int64_t n, int64_t inc)
{
    return hpk__vector_origin(n, inc) + i * inc;
}

/* Logical elements [from, from + count) of a vector of n, increment inc,
 * as a vector of their own (the same increment): its lowest-addressed
 * element, es bytes each. */
static inline const void *hpk__vector_sub(const void *x, int64_t n, int64_t inc, int64_t from, int64_t count,
                                          size_t es)
{
    const int64_t at = inc > 0 ? from * inc : (n - from - count) * -inc;
    return (const char *)x + at * (int64_t)es;
}

#endif /* HPK_STRIDED_H */
