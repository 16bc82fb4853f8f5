/* Argument checks shared by the public entry points. */
#include "check.h"

#include <inttypes.h>
#include <math.h>

#define INVALID(...) hpk__fail(ctx, HPK_ERR_INVALID_ARG, __VA_ARGS__)

bool hpk__vector_fits(int64_t n, int64_t inc, size_t elem_size)
{
    int64_t last, count, bytes;
    return n == 0 || (n > 0 && inc != INT64_MIN && !__builtin_mul_overflow(n - 1, inc < 0 ? -inc : inc, &last) &&
                      !__builtin_add_overflow(last, 1, &count) &&
                      !__builtin_mul_overflow(count, (int64_t)elem_size, &bytes));
}

static hpk_status check_size(hpk_ctx *ctx, const char *fn, const char *name, int64_t n)
{
    if (n < 0)
        return INVALID("%s: %s is %" PRId64 "; sizes must be >= 0", fn, name, n);
    return HPK_SUCCESS;
}

hpk_status hpk__check_vector(hpk_ctx *ctx, const char *fn, const char *name, int64_t n,
                             const void *x, int64_t inc, size_t elem_size)
{
    hpk_status st = check_size(ctx, fn, "n", n);
    if (st != HPK_SUCCESS)
        return st;
    if (inc == 0)
        return INVALID("%s: the increment of %s is 0; increments must be nonzero", fn, name);
    if (inc == INT64_MIN)
        return INVALID("%s: the increment of %s is too large in magnitude", fn, name);
    if (n > 0 && !x)
        return INVALID("%s: %s is NULL but has %" PRId64 " elements", fn, name, n);
    if (!hpk__vector_fits(n, inc, elem_size))
        return INVALID("%s: %s with n = %" PRId64 " and increment %" PRId64 " addresses beyond int64_t",
                       fn, name, n, inc);
    return HPK_SUCCESS;
}

hpk_status hpk__check_result(hpk_ctx *ctx, const char *fn, const char *name, const void *result)
{
    if (!result)
        return INVALID("%s: %s is NULL", fn, name);
    return HPK_SUCCESS;
}

hpk_status hpk__check_gemv(hpk_ctx *ctx, const char *fn, hpk_layout layout, hpk_transpose trans,
                           int64_t m, int64_t n, const void *a, int64_t lda, const void *x,
                           int64_t incx, const void *y, int64_t incy, size_t elem_size)
{
    if (layout != HPK_ROW_MAJOR && layout != HPK_COL_MAJOR)
        return INVALID("%s: layout %d is neither HPK_ROW_MAJOR (101) nor HPK_COL_MAJOR (102)", fn, (int)layout);
    if (trans != HPK_NO_TRANS && trans != HPK_TRANS)
        return INVALID("%s: trans %d is neither HPK_NO_TRANS (111) nor HPK_TRANS (112)", fn, (int)trans);
    hpk_status st;
    if ((st = check_size(ctx, fn, "m", m)) != HPK_SUCCESS || (st = check_size(ctx, fn, "n", n)) != HPK_SUCCESS)
        return st;

    /* Stored as `vecs` contiguous vectors of `len` elements, lda apart. */
    const bool row_major = layout == HPK_ROW_MAJOR;
    const int64_t len = row_major ? n : m, vecs = row_major ? m : n;
    const int64_t min_lda = len > 1 ? len : 1;
    if (lda < min_lda)
        return INVALID("%s: lda is %" PRId64 " but must be >= max(1, %s) = %" PRId64 " for %s layout",
                       fn, lda, row_major ? "n" : "m", min_lda, row_major ? "row-major" : "column-major");

    const bool no_trans = trans == HPK_NO_TRANS;
    const int64_t xlen = no_trans ? n : m, ylen = no_trans ? m : n;
    if (incx == 0 || incy == 0)
        return INVALID("%s: %s is 0; increments must be nonzero", fn, incx == 0 ? "incx" : "incy");
    if (incx == INT64_MIN || incy == INT64_MIN)
        return INVALID("%s: %s is too large in magnitude", fn, incx == INT64_MIN ? "incx" : "incy");
    if (m == 0 || n == 0)
        return HPK_SUCCESS; /* nothing will be touched */
    if (!a)
        return INVALID("%s: a is NULL", fn);
    if ((st = hpk__check_vector(ctx, fn, "x", xlen, x, incx, elem_size)) != HPK_SUCCESS ||
        (st = hpk__check_vector(ctx, fn, "y", ylen, y, incy, elem_size)) != HPK_SUCCESS)
        return st;
    int64_t last, bytes;
    if (__builtin_mul_overflow(vecs - 1, lda, &last) || __builtin_add_overflow(last, len, &last) ||
        __builtin_mul_overflow(last, (int64_t)elem_size, &bytes))
        return INVALID("%s: a with lda = %" PRId64 " addresses beyond int64_t", fn, lda);
    return HPK_SUCCESS;
}

hpk_status hpk__check_mc_box(hpk_ctx *ctx, const char *fn, int dim, const double *lower, const double *upper,
                             uint64_t samples, const void *result)
{
    if (!result)
        return INVALID("%s: result is NULL", fn);
    if (dim < 1)
        return INVALID("%s: dim is %d; it must be >= 1", fn, dim);
    if (!lower || !upper)
        return INVALID("%s: %s is NULL", fn, lower ? "upper" : "lower");
    if (samples == 0)
        return INVALID("%s: samples is 0; at least one sample is needed", fn);
    for (int d = 0; d < dim; d++) {
        if (!isfinite(lower[d]) || !isfinite(upper[d]))
            return INVALID("%s: the bounds of dimension %d are not finite", fn, d);
        if (!(lower[d] < upper[d]))
            return INVALID("%s: dimension %d has lower %g >= upper %g; the box must have positive width", fn, d,
                           lower[d], upper[d]);
        if (!isfinite(upper[d] - lower[d]))
            return INVALID("%s: dimension %d is wider (upper %g - lower %g) than a double can hold", fn, d,
                           upper[d], lower[d]);
    }
    return HPK_SUCCESS;
}
