/* Public Monte Carlo entry points and the Philox generator. */
#include "check.h"
#include "philox.h"

hpk_status hpk_mc_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    ctx = hpk__resolve(ctx);
    if (!result)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "hpk_mc_pi: result is NULL");
    if (samples == 0)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "hpk_mc_pi: samples is 0; at least one sample is needed");
    return ctx->ops->mc_pi(ctx, samples, seed, result);
}

hpk_status hpk_mc_integrate(hpk_ctx *ctx, hpk_integrand f, void *user_data, int dim,
                            const double *lower, const double *upper,
                            uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    static const char fn[] = "hpk_mc_integrate";
    ctx = hpk__resolve(ctx);
    if (!f)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "%s: the integrand f is NULL", fn);
    hpk_status st = hpk__check_mc_box(ctx, fn, dim, lower, upper, samples, result);
    if (st != HPK_SUCCESS)
        return st;
    return ctx->ops->mc_integrate(ctx, f, user_data, dim, lower, upper, samples, seed, result);
}

hpk_status hpk_philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4])
{
    if (!counter || !key || !out)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "hpk_philox4x32: %s is NULL",
                         !counter ? "counter" : !key ? "key" : "out");
    hpk__philox4 r = hpk__philox4x32_10((hpk__philox4){{counter[0], counter[1], counter[2], counter[3]}},
                                       key[0], key[1]);
    for (int i = 0; i < 4; i++)
        out[i] = r.v[i];
    return HPK_SUCCESS;
}
