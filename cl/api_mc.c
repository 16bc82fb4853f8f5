/* hpk_cl_mc_integrate: the checks of hpk_mc_integrate (core/check.c), the
 * integrand source and dimension limit, fp64, then the device. */
#include "cl_backend.h"
#include "check.h"

hpk_status hpk_cl_mc_integrate(hpk_ctx *ctx, const char *integrand_source, int dim, const double *lower,
                               const double *upper, uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    static const char fn[] = "hpk_cl_mc_integrate";
    hpk_status st = hpk__cl_check_ctx(ctx, fn);
    if (st != HPK_SUCCESS)
        return st;
    if (!integrand_source)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "%s: integrand_source is NULL", fn);
    if (dim > HPK__CL_MAX_DIM) /* before the box's bounds are read */
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "%s: dim is %d; at most %d dimensions are supported", fn, dim,
                         HPK__CL_MAX_DIM);
    if ((st = hpk__check_mc_box(ctx, fn, dim, lower, upper, samples, result)) != HPK_SUCCESS)
        return st;
    if ((st = hpk__cl_need_fp64(ctx, fn)) != HPK_SUCCESS)
        return st;
    hpk__cl_call_begin(hpk__cl(ctx));
    return hpk__cl_mc_integrate(ctx, fn, integrand_source, dim, lower, upper, samples, seed, result);
}
