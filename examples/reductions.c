/* Reductions on a context with an explicit backend and thread count, and
 * what a bad argument looks like. */
#include <hpk/hpk.h>

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    hpk_ctx *ctx = NULL;
    hpk_status st = hpk_ctx_create(&ctx, HPK_BACKEND_OPENMP);
    if (st == HPK_ERR_UNSUPPORTED)
        st = hpk_ctx_create(&ctx, HPK_BACKEND_SERIAL); /* a build without OpenMP */
    if (st != HPK_SUCCESS) {
        fprintf(stderr, "hpk_ctx_create: %s\n", hpk_ctx_error_message(NULL));
        return 1;
    }
    hpk_ctx_set_num_threads(ctx, 2);

    const int64_t n = 1000000;
    double *x = malloc((size_t)n * sizeof *x);
    if (!x)
        return 1;
    for (int64_t i = 0; i < n; i++)
        x[i] = (i % 2 ? -1.0 : 1.0) / (double)(i + 1); /* 1 - 1/2 + 1/3 - ... -> ln 2 */

    double sum, asum, norm;
    int64_t imax;
    if (hpk_dsum(ctx, n, x, 1, &sum) || hpk_dasum(ctx, n, x, 1, &asum) ||
        hpk_dnrm2(ctx, n, x, 1, &norm) || hpk_idamax(ctx, n, x, 1, &imax)) {
        fprintf(stderr, "reduction failed: %s\n", hpk_ctx_error_message(ctx));
        return 1;
    }
    printf("sum = %.15f (ln 2 = 0.693147...), asum = %.6f, nrm2 = %.6f, idamax = %lld\n",
           sum, asum, norm, (long long)imax);

    /* A zero increment is rejected; the result is left alone. */
    double untouched = -1.0;
    st = hpk_dsum(ctx, n, x, 0, &untouched);
    printf("hpk_dsum with incx = 0: %s (%s); result still %g\n", hpk_status_string(st),
           hpk_ctx_error_message(ctx), untouched);

    free(x);
    hpk_ctx_destroy(ctx);
    return st == HPK_ERR_INVALID_ARG && untouched == -1.0 && imax == 0 ? 0 : 1;
}
