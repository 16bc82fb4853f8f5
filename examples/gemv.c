/* y = A x for a 3 x 4 row-major matrix, then y = A^T z, with hpk's default
 * context (OpenMP when built in). */
#include <hpk/hpk.h>

#include <stdio.h>

int main(void)
{
    const double a[3 * 4] = {1, 2, 3, 4,
                             5, 6, 7, 8,
                             9, 10, 11, 12};
    const double x[4] = {1, 0, -1, 2};
    double y[3];

    hpk_status st = hpk_dgemv(NULL, HPK_ROW_MAJOR, HPK_NO_TRANS, 3, 4, 1.0, a, 4, x, 1, 0.0, y, 1);
    if (st != HPK_SUCCESS) {
        fprintf(stderr, "hpk_dgemv: %s: %s\n", hpk_status_string(st), hpk_ctx_error_message(NULL));
        return 1;
    }
    printf("A x   = [%g %g %g]\n", y[0], y[1], y[2]);

    /* z walked backwards: increment -1 reads z[2], z[1], z[0]. */
    const double z[3] = {3, 2, 1};
    double w[4];
    st = hpk_dgemv(NULL, HPK_ROW_MAJOR, HPK_TRANS, 3, 4, 1.0, a, 4, z, -1, 0.0, w, 1);
    if (st != HPK_SUCCESS) {
        fprintf(stderr, "hpk_dgemv: %s: %s\n", hpk_status_string(st), hpk_ctx_error_message(NULL));
        return 1;
    }
    printf("A^T z = [%g %g %g %g]\n", w[0], w[1], w[2], w[3]);
    return y[0] == 6.0 && y[1] == 14.0 && y[2] == 22.0 && w[0] == 38.0 ? 0 : 1;
}
