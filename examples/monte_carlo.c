/* Monte Carlo: pi, and the volume of the unit ball in 3 dimensions by
 * integrating its indicator over [-1, 1]^3. */
#include <hpk/hpk.h>

#include <math.h>
#include <stdio.h>

static const double PI = 3.14159265358979323846;

static double inside_ball(const double *p, int dim, void *user_data)
{
    (void)user_data;
    double r2 = 0.0;
    for (int d = 0; d < dim; d++)
        r2 += p[d] * p[d];
    return r2 < 1.0 ? 1.0 : 0.0;
}

int main(void)
{
    hpk_mc_result pi;
    if (hpk_mc_pi(NULL, 10000000, 42, &pi) != HPK_SUCCESS) {
        fprintf(stderr, "hpk_mc_pi: %s\n", hpk_ctx_error_message(NULL));
        return 1;
    }
    printf("pi     ~ %.6f +- %.6f (%llu samples)\n", pi.estimate, pi.std_error,
           (unsigned long long)pi.samples);

    const double lower[3] = {-1, -1, -1}, upper[3] = {1, 1, 1};
    hpk_mc_result ball;
    if (hpk_mc_integrate(NULL, inside_ball, NULL, 3, lower, upper, 1000000, 7, &ball) != HPK_SUCCESS) {
        fprintf(stderr, "hpk_mc_integrate: %s\n", hpk_ctx_error_message(NULL));
        return 1;
    }
    printf("V(B^3) ~ %.6f +- %.6f (exact 4/3 pi = %.6f)\n", ball.estimate, ball.std_error, 4.0 / 3.0 * PI);
    return fabs(pi.estimate - PI) < 6 * pi.std_error ? 0 : 1;
}
