/* Argument checks run once, in the dispatch layer, before any backend.  Each
 * returns HPK_SUCCESS, or records why in the context and returns
 * HPK_ERR_INVALID_ARG.  `fn` is the public function's name for the message.
 * libhpk_mpi calls them too (HPK__SHARED, common/macros.h). */
#ifndef HPK_CHECK_H
#define HPK_CHECK_H

#include "hpk_internal.h"
#include "strided.h" /* hpk__vector_span */

/* Evaluates a check and returns its status from the calling function when
 * it is not HPK_SUCCESS. */
#define CHECK_OR_RETURN(call)               \
    do {                                    \
        hpk_status check_status_ = (call);  \
        if (check_status_ != HPK_SUCCESS)   \
            return check_status_;           \
    } while (0)

/* Whether a vector of n >= 0 elements of elem_size bytes with increment inc
 * is addressable: inc != INT64_MIN, and its span, (n-1)|inc| + 1 elements,
 * fits in int64_t in bytes.  Computed without overflow for any arguments. */
HPK__SHARED bool hpk__vector_fits(int64_t n, int64_t inc, size_t elem_size);

/* n >= 0, inc != 0, x != NULL when n > 0, and hpk__vector_fits. */
HPK__SHARED hpk_status hpk__check_vector(hpk_ctx *ctx, const char *fn, const char *name, int64_t n,
                                         const void *x, int64_t inc, size_t elem_size);

/* Whether a vector passes hpk__check_vector in the common case, decided
 * inline: n > 0 elements, increment 1, x not NULL, and n elem_size bytes
 * within int64_t. */
static inline bool hpk__dense_vector_ok(int64_t n, const void *x, int64_t inc, size_t elem_size)
{
    return n > 0 && inc == 1 && x && n <= INT64_MAX / (int64_t)elem_size;
}

/* hpk__check_vector without a call in the common case
 * (hpk__dense_vector_ok); the full check, which says why, otherwise. */
static inline hpk_status hpk__check_vector_quick(hpk_ctx *ctx, const char *fn, const char *name, int64_t n,
                                                 const void *x, int64_t inc, size_t elem_size)
{
    return hpk__dense_vector_ok(n, x, inc, elem_size) ? HPK_SUCCESS
                                                       : hpk__check_vector(ctx, fn, name, n, x, inc, elem_size);
}

/* A result pointer is never NULL. */
HPK__SHARED hpk_status hpk__check_result(hpk_ctx *ctx, const char *fn, const char *name, const void *result);

/* Every gemv argument: enums, sizes, lda, increments, pointers, extents. */
HPK__SHARED hpk_status hpk__check_gemv(hpk_ctx *ctx, const char *fn, hpk_layout layout, hpk_transpose trans,
                                       int64_t m, int64_t n, const void *a, int64_t lda, const void *x,
                                       int64_t incx, const void *y, int64_t incy, size_t elem_size);

/* The box and counts of a Monte Carlo integration: result not NULL,
 * dim >= 1, lower and upper not NULL, samples > 0, and finite bounds with
 * lower_d < upper_d and a finite width upper_d - lower_d. */
HPK__SHARED hpk_status hpk__check_mc_box(hpk_ctx *ctx, const char *fn, int dim, const double *lower,
                                         const double *upper, uint64_t samples, const void *result);

#endif /* HPK_CHECK_H */
