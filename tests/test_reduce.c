/* Tests of the reductions: hpk_?sum, hpk_?asum, hpk_?dot, hpk_?nrm2 and
 * hpk_i?amax, against the contract in hpk.h ("Reductions" and the
 * conventions at its top).
 *
 * Every vector is stored with the elements between its strided ones set to
 * poison (a NaN), so a kernel that reads them produces a wrong answer.  Results
 * are compared with long double references (compensated sums), with error
 * bounds that follow the documented scheme: blocks of 4096 elements summed in
 * 16 lanes (64 for float data), block sums combined pairwise, float variants
 * accumulated in double (sum, asum and dot after float runs of 16 terms per
 * lane) and rounded once. */
#include "support.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096           /* the documented block of the reductions */
#define INDEX_SENTINEL (-12345)

/* ---------------------------------------------------------------------------
 * The functions under test, behind one calling convention
 * ------------------------------------------------------------------------- */

typedef enum op { SUM, ASUM, DOT, NRM2, AMAX, OP_COUNT } op;

static const char *const op_names[2][OP_COUNT] = {
    {"hpk_dsum", "hpk_dasum", "hpk_ddot", "hpk_dnrm2", "hpk_idamax"},
    {"hpk_ssum", "hpk_sasum", "hpk_sdot", "hpk_snrm2", "hpk_isamax"},
};

/* Calls the double (f32 false) or float variant of `o`, writing through
 * whichever of rd, rs, index it produces (any may be NULL). */
static hpk_status call_to(hpk_ctx *ctx, op o, bool f32, int64_t n, const void *x, int64_t incx,
                          const void *y, int64_t incy, double *rd, float *rs, int64_t *index)
{
    switch (o) {
    case SUM: return f32 ? hpk_ssum(ctx, n, x, incx, rs) : hpk_dsum(ctx, n, x, incx, rd);
    case ASUM: return f32 ? hpk_sasum(ctx, n, x, incx, rs) : hpk_dasum(ctx, n, x, incx, rd);
    case DOT: return f32 ? hpk_sdot(ctx, n, x, incx, y, incy, rs) : hpk_ddot(ctx, n, x, incx, y, incy, rd);
    case NRM2: return f32 ? hpk_snrm2(ctx, n, x, incx, rs) : hpk_dnrm2(ctx, n, x, incx, rd);
    case AMAX: return f32 ? hpk_isamax(ctx, n, x, incx, index) : hpk_idamax(ctx, n, x, incx, index);
    case OP_COUNT: break;
    }
    fail_msg("unknown op %d", (int)o);
    return HPK_ERR_INVALID_ARG;
}

/* A call's status and outputs; the outputs start poisoned. */
typedef struct outcome {
    hpk_status status;
    double d;
    float s;
    int64_t index;
} outcome;

static outcome call(hpk_ctx *ctx, op o, bool f32, int64_t n, const void *x, int64_t incx,
                    const void *y, int64_t incy)
{
    outcome r = {HPK_SUCCESS, test_poison_d(), test_poison_s(), INDEX_SENTINEL};
    r.status = call_to(ctx, o, f32, n, x, incx, y, incy, &r.d, &r.s, &r.index);
    return r;
}

/* Is the output that `o` writes still the poison (or sentinel) it started as? */
static bool output_untouched(op o, bool f32, const outcome *r)
{
    if (o == AMAX)
        return r->index == INDEX_SENTINEL;
    return f32 ? test_is_poison_s(r->s) : test_is_poison_d(r->d);
}

static double result_value(bool f32, const outcome *r)
{
    return f32 ? (double)r->s : r->d;
}

/* Bitwise equality of the output that `o` writes. */
static bool same_result(op o, bool f32, const outcome *a, const outcome *b)
{
    if (o == AMAX)
        return a->index == b->index;
    return f32 ? memcmp(&a->s, &b->s, sizeof a->s) == 0 : memcmp(&a->d, &b->d, sizeof a->d) == 0;
}

/* The output that `o` writes, for messages. */
static void format_result(char *buf, size_t size, op o, bool f32, const outcome *r)
{
    if (o == AMAX)
        snprintf(buf, size, "index %" PRId64, r->index);
    else
        snprintf(buf, size, "%.17g (%a)", result_value(f32, r), result_value(f32, r));
}

/* Fails unless got is want bit for bit: "what: got, but `source` gives want". */
static void expect_same_result(op o, bool f32, const outcome *got, const outcome *want, const char *what,
                               const char *source)
{
    if (same_result(o, f32, got, want))
        return;
    char g[64], w[64];
    format_result(g, sizeof g, o, f32, got);
    format_result(w, sizeof w, o, f32, want);
    fail_msg("%s: %s, but %s gives %s", what, g, source, w);
}

static void expect_success(const outcome *r, hpk_ctx *ctx, const char *what)
{
    if (r->status != HPK_SUCCESS)
        fail_msg("%s: status %d (%s): %s", what, (int)r->status, hpk_status_string(r->status),
                 hpk_ctx_error_message(ctx));
}

/* ---------------------------------------------------------------------------
 * Strided test vectors
 * ------------------------------------------------------------------------- */

/* n logical elements stored with increment inc, once as doubles and once as
 * floats (the same values rounded); elements in between are poison. */
typedef struct vec {
    int64_t n, inc;
    size_t len;           /* elements spanned: (n - 1) * |inc| + 1 */
    double *d;
    float *s;
    double *d_mem;        /* the allocations; d and s start `shift` elements in */
    float *s_mem;
} vec;

/* A double as a float; values beyond the float range (which only double tests
 * use) become +-Inf instead of an undefined conversion. */
static float to_float(double v)
{
    if (v > FLT_MAX)
        return INFINITY;
    if (v < -FLT_MAX)
        return -INFINITY;
    return (float)v;
}

/* shift > 0 places the data that many elements past the allocation's start,
 * so it is misaligned relative to what malloc returns. */
static vec vec_new(int64_t n, int64_t inc, size_t shift)
{
    vec v = {.n = n, .inc = inc};
    v.len = test_span(n, inc);
    v.d_mem = test_alloc((v.len + shift) * sizeof(double));
    v.s_mem = test_alloc((v.len + shift) * sizeof(float));
    test_poison_fill_d(v.d_mem, v.len + shift);
    test_poison_fill_s(v.s_mem, v.len + shift);
    v.d = v.d_mem + shift;
    v.s = v.s_mem + shift;
    return v;
}

static void vec_free(vec *v)
{
    free(v->d_mem);
    free(v->s_mem);
}

static void vec_set(vec *v, int64_t i, double value)
{
    const int64_t k = test_index(i, v->n, v->inc);
    v->d[k] = value;
    v->s[k] = to_float(value);
}

static void vec_fill(vec *v, double lo, double hi)
{
    for (int64_t i = 0; i < v->n; i++)
        vec_set(v, i, test_uniform(lo, hi));
}

static vec vec_from(const double *values, int64_t n, int64_t inc, size_t shift)
{
    vec v = vec_new(n, inc, shift);
    for (int64_t i = 0; i < n; i++)
        vec_set(&v, i, values[i]);
    return v;
}

static const void *vec_data(const vec *v, bool f32)
{
    return f32 ? (const void *)v->s : (const void *)v->d;
}

static size_t vec_bytes(const vec *v, bool f32)
{
    return v->len * (f32 ? sizeof(float) : sizeof(double));
}

/* The logical elements of the variant under test, as doubles (exact). */
static double *vec_values(const vec *v, bool f32)
{
    double *out = test_alloc((size_t)v->n * sizeof *out);
    for (int64_t i = 0; i < v->n; i++) {
        const int64_t k = test_index(i, v->n, v->inc);
        out[i] = f32 ? (double)v->s[k] : v->d[k];
    }
    return out;
}

static void *snapshot(const vec *v, bool f32)
{
    void *copy = test_alloc(vec_bytes(v, f32));
    memcpy(copy, vec_data(v, f32), vec_bytes(v, f32));
    return copy;
}

/* Fails unless v's storage (gaps included) equals `copy`; frees the copy. */
static void expect_unchanged(const vec *v, bool f32, void *copy, const char *what)
{
    const bool same = memcmp(copy, vec_data(v, f32), vec_bytes(v, f32)) == 0;
    free(copy);
    if (!same)
        fail_msg("%s modified its input vector", what);
}

static outcome call_vec(hpk_ctx *ctx, op o, bool f32, const vec *x, const vec *y)
{
    return call(ctx, o, f32, x->n, vec_data(x, f32), x->inc, y ? vec_data(y, f32) : NULL, y ? y->inc : 1);
}

static void describe(char *buf, size_t size, op o, bool f32, const vec *x, const vec *y)
{
    if (y)
        snprintf(buf, size, "%s(n = %" PRId64 ", incx = %" PRId64 ", incy = %" PRId64 ")",
                 op_names[f32][o], x->n, x->inc, y->inc);
    else
        snprintf(buf, size, "%s(n = %" PRId64 ", incx = %" PRId64 ")", op_names[f32][o], x->n, x->inc);
}

/* n values of magnitude in [scale, 2 scale), with random signs. */
static double *values_near(int64_t n, double scale)
{
    double *v = test_alloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = (test_next_u64() & 1 ? -scale : scale) * test_uniform(1.0, 2.0);
    return v;
}

/* n values with random signs and magnitudes spread over 2^-30 .. 2^31, so
 * that nearly every addition rounds, whichever order it happens in. */
static double *values_wide(int64_t n)
{
    double *v = test_alloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = ldexp(test_uniform(-2.0, 2.0), (int)(test_next_u64() % 61) - 30);
    return v;
}

/* ---------------------------------------------------------------------------
 * References
 * ------------------------------------------------------------------------- */

/* Neumaier's compensated sum in long double: its own error is far below the
 * tolerances, even for the 10^6-element vectors. */
typedef struct ld_sum {
    long double sum, comp;
} ld_sum;

static void ld_add(ld_sum *a, long double t)
{
    const long double u = a->sum + t;
    a->comp += fabsl(a->sum) >= fabsl(t) ? (a->sum - u) + t : (t - u) + a->sum;
    a->sum = u;
}

typedef struct reference {
    long double value; /* the exact result, to long double precision */
    long double scale; /* what the rounding error scales with: sum of |terms|; the norm for nrm2 */
} reference;

/* sum, asum, dot or nrm2 of the logical values x (and y). */
static reference ref_reduce(op o, int64_t n, const double *x, const double *y)
{
    ld_sum value = {0, 0}, scale = {0, 0};
    for (int64_t i = 0; i < n; i++) {
        const long double xi = x[i];
        const long double t = o == SUM ? xi : o == ASUM ? fabsl(xi) : o == DOT ? xi * y[i] : xi * xi;
        ld_add(&value, t);
        ld_add(&scale, fabsl(t));
    }
    reference r = {value.sum + value.comp, scale.sum + scale.comp};
    if (o == NRM2)
        r.value = r.scale = sqrtl(r.value);
    return r;
}

/* The first largest |x_i|, a NaN beating every number; -1 for n == 0. */
static int64_t ref_amax(int64_t n, const double *x)
{
    int64_t best = -1;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            return i;
        if (best < 0 || fabs(x[i]) > fabs(x[best]))
            best = i;
    }
    return best;
}

/* Relative error bound (per unit of reference.scale) of a double reduction:
 * each lane adds up to 4096/16 terms in a row, then the 16 lanes and the
 * blocks are combined pairwise (log2 levels); the 2 log2(n) + 8 leaves room
 * for those trees, the rounding of products and nrm2's final steps. */
static double double_bound(int64_t n)
{
    return (BLOCK / 16.0 + 2.0 * log2((double)n) + 8.0) * TEST_EPS_D;
}

/* The float variants accumulate in double and round once: the double bound
 * (doubled for slack) plus about one float ulp of the result.  sum, asum
 * and dot first add runs of 16 of a lane's terms in float (a product
 * rounded to float, then up to 15 float additions): up to 17 float
 * roundings of the terms more.  nrm2 squares and sums in double. */
static void expect_close(op o, bool f32, int64_t n, double got, reference ref, const char *what)
{
    long double tol = (long double)double_bound(n) * ref.scale;
    if (f32)
        tol = 2 * tol + 2 * TEST_EPS_S * fabsl(ref.value);
    if (f32 && o != NRM2)
        tol += 17 * TEST_EPS_S * ref.scale;
    const long double err = fabsl((long double)got - ref.value);
    if (!(err <= tol))
        fail_msg("%s: got %.17g, reference %.21Lg: error %.3Lg exceeds the tolerance %.3Lg", what, got,
                 ref.value, err, tol);
}

/* Calls o on (x, y), checks success, that the output was written and the
 * inputs left alone, and compares with the reference. */
static void check_against_reference(hpk_ctx *ctx, op o, bool f32, const vec *x, const vec *y)
{
    char what[160];
    describe(what, sizeof what, o, f32, x, y);
    void *x_copy = snapshot(x, f32), *y_copy = y ? snapshot(y, f32) : NULL;

    const outcome r = call_vec(ctx, o, f32, x, y);
    expect_success(&r, ctx, what);
    if (output_untouched(o, f32, &r))
        fail_msg("%s succeeded without writing its result", what);
    expect_unchanged(x, f32, x_copy, what);
    if (y)
        expect_unchanged(y, f32, y_copy, what);

    double *xv = vec_values(x, f32), *yv = y ? vec_values(y, f32) : NULL;
    if (o == AMAX) {
        const int64_t want = ref_amax(x->n, xv);
        if (r.index != want)
            fail_msg("%s: index %" PRId64 ", expected %" PRId64, what, r.index, want);
    } else {
        expect_close(o, f32, x->n, result_value(f32, &r), ref_reduce(o, x->n, xv, yv), what);
    }
    free(xv);
    free(yv);
}

static const op single_vector_ops[] = {SUM, ASUM, NRM2, AMAX};
#define N_SINGLE_OPS (sizeof single_vector_ops / sizeof single_vector_ops[0])

/* ---------------------------------------------------------------------------
 * Correctness on random data
 * ------------------------------------------------------------------------- */

static const int64_t random_sizes[] = {1, 2, 15, 16, 17, 1000, BLOCK - 1, BLOCK, BLOCK + 1,
                                       3 * BLOCK + 1, 100003};
#define N_RANDOM_SIZES (sizeof random_sizes / sizeof random_sizes[0])

static void test_random_single_vector(void **state)
{
    (void)state;
    static const int64_t incs[] = {1, 2, 3, -1, -2};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(101);
    for (size_t k = 0; k < N_RANDOM_SIZES; k++) {
        for (size_t j = 0; j < sizeof incs / sizeof incs[0]; j++) {
            vec x = vec_new(random_sizes[k], incs[j], 0);
            vec_fill(&x, -1.0, 2.0); /* mixed signs, a nonzero mean */
            for (int f32 = 0; f32 <= 1; f32++)
                for (size_t o = 0; o < N_SINGLE_OPS; o++)
                    check_against_reference(ctx, single_vector_ops[o], f32, &x, NULL);
            vec_free(&x);
        }
    }
    hpk_ctx_destroy(ctx);
}

static void test_random_dot(void **state)
{
    (void)state;
    static const int64_t incs[][2] = {{1, 1}, {1, 3}, {3, -2}, {-1, 2}, {-2, -1}, {1, -1}, {2, 2}};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(202);
    for (size_t k = 0; k < N_RANDOM_SIZES; k++) {
        for (size_t j = 0; j < sizeof incs / sizeof incs[0]; j++) {
            vec x = vec_new(random_sizes[k], incs[j][0], 0), y = vec_new(random_sizes[k], incs[j][1], 0);
            vec_fill(&x, -1.0, 2.0);
            vec_fill(&y, -2.0, 1.0);
            for (int f32 = 0; f32 <= 1; f32++)
                check_against_reference(ctx, DOT, f32, &x, &y);
            vec_free(&x);
            vec_free(&y);
        }
    }
    hpk_ctx_destroy(ctx);
}

/* One large element followed by many of at most a quarter of its ulp: a
 * running sum would lose every one of them (error ~ n), the documented scheme
 * only those in the large element's lane (at most 4096/16), the float
 * variants only those in its float run (at most 15). */
static void test_error_growth_is_logarithmic(void **state)
{
    (void)state;
    static const int64_t incs[] = {1, -1, 3};
    const int64_t n = 100003;
    hpk_ctx *ctx = test_ctx(0);
    for (int f32 = 0; f32 <= 1; f32++) {
        const double tiny = f32 ? 0x1p-25 : 0x1p-54; /* a quarter of an ulp of 1 */
        for (size_t j = 0; j < sizeof incs / sizeof incs[0]; j++) {
            vec x = vec_new(n, incs[j], 0), y = vec_new(n, 1, 0);
            vec_set(&x, 0, 1.0);
            vec_set(&y, 0, 1.0);
            for (int64_t i = 1; i < n; i++) {
                vec_set(&x, i, i % 2 ? tiny : tiny / 2);
                vec_set(&y, i, i % 2 ? 1.0 : 2.0); /* products all tiny */
            }
            check_against_reference(ctx, SUM, f32, &x, NULL);
            check_against_reference(ctx, ASUM, f32, &x, NULL);
            check_against_reference(ctx, DOT, f32, &x, &y);
            vec_free(&x);
            vec_free(&y);
        }
    }
    hpk_ctx_destroy(ctx);
}

/* ---------------------------------------------------------------------------
 * n == 0
 * ------------------------------------------------------------------------- */

static void test_empty(void **state)
{
    (void)state;
    const double xd[1] = {2.5};
    const float xs[1] = {2.5f};
    hpk_ctx *ctx = test_ctx(0);
    for (int f32 = 0; f32 <= 1; f32++) {
        for (int o = 0; o < OP_COUNT; o++) {
            for (int with_data = 0; with_data <= 1; with_data++) {
                const void *x = with_data ? (f32 ? (const void *)xs : (const void *)xd) : NULL;
                for (int64_t inc = 1; inc >= -2; inc -= 3) { /* 1 and -2 */
                    const outcome r = call(ctx, o, f32, 0, x, inc, x, -inc);
                    char what[128];
                    snprintf(what, sizeof what, "%s(n = 0, x %s, inc %" PRId64 ")", op_names[f32][o],
                             x ? "non-NULL" : "NULL", inc);
                    expect_success(&r, ctx, what);
                    if (o == AMAX) {
                        if (r.index != -1)
                            fail_msg("%s: index %" PRId64 ", expected -1", what, r.index);
                    } else if (output_untouched(o, f32, &r) || result_value(f32, &r) != 0.0) {
                        fail_msg("%s: result %g, expected 0", what, result_value(f32, &r));
                    }
                }
            }
        }
    }
    hpk_ctx_destroy(ctx);
}

/* ---------------------------------------------------------------------------
 * nrm2: no overflow, no underflow, Inf and NaN
 * ------------------------------------------------------------------------- */

/* nrm2 of the given logical values, stored with increments 1 and -2,
 * checked against the reference (so finite and nonzero where it is). */
static void check_nrm2_of(hpk_ctx *ctx, bool f32, const double *values, int64_t n)
{
    for (int64_t inc = 1; inc >= -2; inc -= 3) {
        vec x = vec_from(values, n, inc, 0);
        check_against_reference(ctx, NRM2, f32, &x, NULL);
        vec_free(&x);
    }
}

static void test_nrm2_constant_extremes(void **state)
{
    (void)state;
    static const int64_t sizes[] = {1, 7, BLOCK + 3};
    hpk_ctx *ctx = test_ctx(0);
    for (int f32 = 0; f32 <= 1; f32++) {
        const double extremes[2] = {f32 ? 1e30 : 1e300, f32 ? 1e-30 : 1e-300};
        for (size_t e = 0; e < 2; e++) {
            for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
                const int64_t n = sizes[k];
                const double m = f32 ? (double)(float)extremes[e] : extremes[e];
                vec x = vec_new(n, -3, 0);
                for (int64_t i = 0; i < n; i++)
                    vec_set(&x, i, i % 3 ? m : -m);
                outcome r = call_vec(ctx, NRM2, f32, &x, NULL);
                expect_success(&r, ctx, op_names[f32][NRM2]);
                /* n copies of +-m: m sqrt(n), to within the tolerance. */
                const long double want = (long double)m * sqrtl((long double)n);
                const double got = result_value(f32, &r);
                const long double tol = f32 ? 2 * TEST_EPS_S * want : double_bound(n) * want;
                if (!isfinite(got) || got == 0.0 || fabsl(got - want) > tol)
                    fail_msg("%s of %" PRId64 " copies of +-%g: got %.17g, expected %.17Lg",
                             op_names[f32][NRM2], n, m, got, want);
                vec_free(&x);
            }
        }
    }
    hpk_ctx_destroy(ctx);
}

static void test_nrm2_scaling(void **state)
{
    (void)state;
    const int64_t n = 2 * BLOCK + 11;
    hpk_ctx *ctx = test_ctx(0);
    test_seed(303);
    for (int f32 = 0; f32 <= 1; f32++) {
        const double huge = f32 ? 1e30 : 1e300, tiny = f32 ? 1e-30 : 1e-300;
        double *v = values_near(n, huge);
        check_nrm2_of(ctx, f32, v, n);
        free(v);
        v = values_near(n, tiny);
        check_nrm2_of(ctx, f32, v, n);
        free(v);

        /* Huge, tiny and medium interleaved; then tiny and medium only. */
        v = values_near(n, 1.0);
        for (int64_t i = 0; i < n; i += 3)
            v[i] *= huge;
        for (int64_t i = 1; i < n; i += 3)
            v[i] *= tiny;
        check_nrm2_of(ctx, f32, v, n);
        for (int64_t i = 0; i < n; i += 3)
            v[i] = tiny * test_uniform(-2.0, 2.0);
        check_nrm2_of(ctx, f32, v, n);
        free(v);

        /* Values at the ends of the range. */
        const double big = f32 ? FLT_MAX : DBL_MAX, sub = f32 ? FLT_TRUE_MIN : DBL_TRUE_MIN;
        const double halves[2] = {big / 2, -big / 2}, one_max[1] = {-big};
        const double subnormals[3] = {3 * sub, 0.0, -4 * sub}; /* nrm2 = 5 sub exactly */
        check_nrm2_of(ctx, f32, halves, 2);
        check_nrm2_of(ctx, f32, one_max, 1);
        check_nrm2_of(ctx, f32, subnormals, 3);
    }

    /* double only: magnitudes spread across the scaling thresholds of
     * Blue's algorithm (about 2^-511 and 2^486), so that several accumulators
     * contribute at once. */
    static const int exponent_ranges[][2] = {{-530, -490}, {470, 500}, {-530, 500}};
    for (size_t k = 0; k < sizeof exponent_ranges / sizeof exponent_ranges[0]; k++) {
        double *v = test_alloc((size_t)n * sizeof *v);
        const int lo = exponent_ranges[k][0], span = exponent_ranges[k][1] - lo + 1;
        for (int64_t i = 0; i < n; i++)
            v[i] = ldexp(test_uniform(-2.0, 2.0), lo + (int)(test_next_u64() % (uint64_t)span));
        check_nrm2_of(ctx, false, v, n);
        free(v);
    }
    hpk_ctx_destroy(ctx);
}

/* nrm2 of values containing Inf and/or NaN: NaN if any NaN, else +Inf. */
static void expect_nrm2_special(hpk_ctx *ctx, bool f32, const double *values, int64_t n, const char *what)
{
    bool has_nan = false;
    for (int64_t i = 0; i < n; i++)
        has_nan |= isnan(values[i]);
    for (int64_t inc = 1; inc >= -2; inc -= 3) {
        vec x = vec_from(values, n, inc, 0);
        void *copy = snapshot(&x, f32);
        const outcome r = call_vec(ctx, NRM2, f32, &x, NULL);
        expect_success(&r, ctx, what);
        expect_unchanged(&x, f32, copy, what);
        const double got = result_value(f32, &r);
        if (output_untouched(NRM2, f32, &r))
            fail_msg("%s %s, inc %" PRId64 ": result not written", op_names[f32][NRM2], what, inc);
        if (has_nan ? !isnan(got) : !(isinf(got) && got > 0))
            fail_msg("%s %s, inc %" PRId64 ": got %g, expected %s", op_names[f32][NRM2], what, inc, got,
                     has_nan ? "NaN" : "+Inf");
        vec_free(&x);
    }
}

static void test_nrm2_inf_nan(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    for (int f32 = 0; f32 <= 1; f32++) {
        const double H = f32 ? 1e30 : 1e300, T = f32 ? 1e-30 : 1e-300;
        const struct {
            const char *what;
            double v[3];
        } cases[] = {
            {"{1, Inf, 2}", {1, INFINITY, 2}},
            {"{1, -Inf, 2}", {1, -INFINITY, 2}},
            {"{tiny, -Inf, tiny}", {T, -INFINITY, T}},
            {"{huge, Inf, 1}", {H, INFINITY, 1}},
            {"{1, NaN, 2}", {1, NAN, 2}},
            {"{tiny, NaN, tiny}", {T, NAN, -T}},
            {"{huge, -NaN, 1}", {H, -NAN, 1}},
            {"{NaN, Inf, 1}", {NAN, INFINITY, 1}},
            {"{-Inf, 1, NaN}", {-INFINITY, 1, NAN}},
            {"{tiny, Inf, NaN}", {T, INFINITY, NAN}},
        };
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
            expect_nrm2_special(ctx, f32, cases[k].v, 3, cases[k].what);
        const double lone_nan[1] = {NAN}, lone_inf[1] = {-INFINITY};
        expect_nrm2_special(ctx, f32, lone_nan, 1, "{NaN}");
        expect_nrm2_special(ctx, f32, lone_inf, 1, "{-Inf}");

        /* Inf and NaN in different blocks of a longer vector. */
        const int64_t n = 3 * BLOCK + 5;
        double *v = values_near(n, 1.0);
        v[9000] = -INFINITY;
        expect_nrm2_special(ctx, f32, v, n, "{..., -Inf at 9000, ...}");
        v[10] = INFINITY;
        v[3 * BLOCK + 2] = NAN;
        expect_nrm2_special(ctx, f32, v, n, "{..., Inf at 10 and 9000, NaN in the last block}");
        v[3 * BLOCK + 2] = H;
        v[BLOCK - 1] = NAN;
        expect_nrm2_special(ctx, f32, v, n, "{..., NaN at 4095, Inf at 10 and 9000}");
        free(v);
    }
    hpk_ctx_destroy(ctx);
}

/* ---------------------------------------------------------------------------
 * i?amax: ties, NaN, Inf
 * ------------------------------------------------------------------------- */

/* i?amax of the given logical values is `expected`, in both precisions and
 * stored with increments 1 and -2. */
static void expect_amax(hpk_ctx *ctx, const double *values, int64_t n, int64_t expected, const char *what)
{
    for (int f32 = 0; f32 <= 1; f32++) {
        for (int64_t inc = 1; inc >= -2; inc -= 3) {
            vec x = vec_from(values, n, inc, 0);
            void *copy = snapshot(&x, f32);
            const outcome r = call_vec(ctx, AMAX, f32, &x, NULL);
            expect_success(&r, ctx, what);
            expect_unchanged(&x, f32, copy, what);
            if (r.index != expected)
                fail_msg("%s(%s, inc %" PRId64 "): index %" PRId64 ", expected %" PRId64, op_names[f32][AMAX],
                         what, inc, r.index, expected);
            vec_free(&x);
        }
    }
}

static void test_amax_small_cases(void **state)
{
    (void)state;
    const double nnan = -NAN;
    const struct {
        const char *what;
        int64_t n;
        double v[6];
        int64_t expected;
    } cases[] = {
        {"{1, -3, 2, 3, -3}", 5, {1, -3, 2, 3, -3}, 1},
        {"{-7, 7}", 2, {-7, 7}, 0},
        {"{0, -0, 0, 0}", 4, {0, -0.0, 0, 0}, 0},
        {"{-2}", 1, {-2}, 0},
        {"{0}", 1, {0}, 0},
        {"{NaN}", 1, {NAN}, 0},
        {"{1, Inf, 3, NaN, -Inf, NaN}", 6, {1, INFINITY, 3, NAN, -INFINITY, NAN}, 3},
        {"{Inf, -NaN, 2, NaN}", 4, {INFINITY, nnan, 2, NAN}, 1},
        {"{NaN, 5, NaN}", 3, {NAN, 5, NAN}, 0},
        {"{1, -Inf, 2, Inf}", 4, {1, -INFINITY, 2, INFINITY}, 1},
        {"{Inf, -Inf}", 2, {INFINITY, -INFINITY}, 0},
        {"{2, 1, -2.5, 2.5}", 4, {2, 1, -2.5, 2.5}, 2},
    };
    hpk_ctx *ctx = test_ctx(0);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        expect_amax(ctx, cases[k].v, cases[k].n, cases[k].expected, cases[k].what);

    /* Negative increments walk from the end: the first maximum in logical
     * order is the last one in memory. */
    const double md[5] = {5, 0, 5, 9, 1};
    const float ms[5] = {5, 0, 5, 9, 1};
    int64_t id = INDEX_SENTINEL, is = INDEX_SENTINEL;
    assert_int_equal(hpk_idamax(ctx, 3, md, -2, &id), HPK_SUCCESS); /* logical {1, 5, 5} */
    assert_int_equal(hpk_isamax(ctx, 3, ms, -2, &is), HPK_SUCCESS);
    assert_int_equal(id, 1);
    assert_int_equal(is, 1);
    assert_int_equal(hpk_idamax(ctx, 4, md, -1, &id), HPK_SUCCESS); /* logical {9, 5, 0, 5} */
    assert_int_equal(hpk_isamax(ctx, 4, ms, -1, &is), HPK_SUCCESS);
    assert_int_equal(id, 0);
    assert_int_equal(is, 0);

    /* All zeros across several blocks. */
    double *zeros = test_alloc((BLOCK + 1) * sizeof *zeros);
    for (int64_t i = 0; i <= BLOCK; i++)
        zeros[i] = i % 2 ? -0.0 : 0.0;
    expect_amax(ctx, zeros, BLOCK + 1, 0, "4097 zeros");
    free(zeros);
    hpk_ctx_destroy(ctx);
}

/* Maxima planted into random data spanning several blocks. */
static void test_amax_across_blocks(void **state)
{
    (void)state;
    const int64_t n = 3 * BLOCK + 7;
    const struct {
        const char *what;
        int64_t at[3];
        double v[3];
        int64_t expected;
    } cases[] = {
        {"5 at 5000, -5 at 9000", {5000, 9000, 9000}, {5, -5, -5}, 5000},
        {"-5 at 4096, 5 at 4095", {4096, 4095, 4095}, {-5, 5, 5}, 4095},
        {"5 at 12000, -5 at 8191, 4 at 0", {12000, 8191, 0}, {5, -5, 4}, 8191},
        {"5 at the last element", {n - 1, n - 1, n - 1}, {5, 5, 5}, n - 1},
        {"Inf at 10, NaN at 9000 and 5000", {10, 9000, 5000}, {INFINITY, NAN, NAN}, 5000},
        {"-Inf at 0, NaN in the last block", {0, 3 * BLOCK + 2, 0}, {-INFINITY, NAN, -INFINITY}, 3 * BLOCK + 2},
        {"-Inf at 4000, Inf at 8000", {4000, 8000, 8000}, {-INFINITY, INFINITY, INFINITY}, 4000},
    };
    hpk_ctx *ctx = test_ctx(0);
    test_seed(404);
    double *base = values_near(n, 0.5), *v = test_alloc((size_t)n * sizeof *v);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(v, base, (size_t)n * sizeof *v);
        for (int p = 0; p < 3; p++)
            v[cases[k].at[p]] = cases[k].v[p];
        expect_amax(ctx, v, n, cases[k].expected, cases[k].what);
    }
    free(base);
    free(v);
    hpk_ctx_destroy(ctx);
}

/* Contiguous vectors take a faster i?amax path than strided ones; on data
 * full of ties (a few magnitudes, both signs, zeros of both signs,
 * subnormals, infinities, the odd NaN) at sizes around the chunk and block
 * boundaries, both must give the index of a plain scan. */
static void test_amax_dense_paths(void **state)
{
    (void)state;
    static const double pool[] = {0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 0x1p-1060, 0x1p-140, -0x1p-140, 1e30};
    static const int64_t sizes[] = {1, 15, 255, 256, 257, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + 300};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(4321);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (int variant = 0; variant < 4; variant++) {
            const int64_t n = sizes[k];
            double *v = test_alloc((size_t)n * sizeof *v);
            for (int64_t i = 0; i < n; i++)
                v[i] = pool[test_next_u64() % (variant < 2 ? 6 : 10)];
            if (variant == 1 && n > 3)
                v[n - 1 - (int64_t)(test_next_u64() % (uint64_t)(n / 2))] = INFINITY;
            if (variant == 3 && n > 3) /* a NaN after a NaN-free prefix */
                v[n / 3 + (int64_t)(test_next_u64() % (uint64_t)(n / 2))] = NAN;
            for (int f32 = 0; f32 <= 1; f32++) {
                /* the plain scan, on the values as the precision holds them */
                int64_t want = -1;
                double best = -1.0;
                for (int64_t i = 0; i < n; i++) {
                    const double a = fabs(f32 ? (double)to_float(v[i]) : v[i]);
                    if (isnan(a)) {
                        want = i;
                        break;
                    }
                    if (a > best) {
                        best = a;
                        want = i;
                    }
                }
                for (int64_t inc = 1; inc <= 2; inc++) {
                    vec x = vec_from(v, n, inc, 0);
                    const outcome r = call_vec(ctx, AMAX, f32, &x, NULL);
                    expect_success(&r, ctx, "i?amax");
                    if (r.index != want)
                        fail_msg("%s(n = %" PRId64 ", inc %" PRId64 ", variant %d): index %" PRId64
                                 ", a plain scan gives %" PRId64,
                                 op_names[f32][AMAX], n, inc, variant, r.index, want);
                    vec_free(&x);
                }
            }
            free(v);
        }
    hpk_ctx_destroy(ctx);
}

/* ---------------------------------------------------------------------------
 * Bad arguments
 * ------------------------------------------------------------------------- */

typedef struct bad_case {
    const char *why;
    int64_t n, incx, incy;
    bool x_null, y_null, result_null;
    bool dot_only;
} bad_case;

static const bad_case bad_cases[] = {
    {"n < 0", -1, 1, 1, false, false, false, false},
    {"n == INT64_MIN", INT64_MIN, 1, 1, false, false, false, false},
    {"incx == 0", 5, 0, 1, false, false, false, false},
    {"incx == 0 with n == 0", 0, 0, 1, false, false, false, false},
    {"incx == 0 with n == 0 and x NULL", 0, 0, 1, true, true, false, false},
    {"x NULL", 5, 1, 1, true, false, false, false},
    {"x NULL with incx < 0", 5, -2, 1, true, false, false, false},
    {"result NULL", 5, 1, 1, false, false, true, false},
    {"result NULL with n == 0", 0, 1, 1, false, false, true, false},
    {"result NULL with n == 0 and x NULL", 0, 1, 1, true, true, true, false},
    {"x's last offset beyond int64_t", 3, INT64_MAX, 1, false, false, false, false},
    {"n == INT64_MAX / 2 with incx == 1 (its bytes beyond int64_t)", INT64_MAX / 2, 1, 1, false, false, false,
     false},
    {"x's last offset beyond int64_t, incx < 0", 3, -INT64_MAX, 1, false, false, false, false},
    {"incx == INT64_MIN", 2, INT64_MIN, 1, false, false, false, false},
    {"n == 2, incx == INT64_MAX (the span, |incx| + 1, overflows)", 2, INT64_MAX, 1, false, false, false, false},
    {"n == 2, incx == -INT64_MAX", 2, -INT64_MAX, 1, false, false, false, false},
    {"n == 1, incx == INT64_MIN", 1, INT64_MIN, 1, false, false, false, false},
    {"n == 0, incx == INT64_MIN", 0, INT64_MIN, 1, false, false, false, false},
    {"n == 2, incy == INT64_MAX", 2, 1, INT64_MAX, false, false, false, true},
    {"n == 2, incy == INT64_MIN", 2, 1, INT64_MIN, false, false, false, true},
    {"incy == 0", 5, 1, 0, false, false, false, true},
    {"incy == 0 with n == 0", 0, 1, 0, false, false, false, true},
    {"y NULL", 5, 1, 1, false, true, false, true},
    {"y NULL with incy < 0", 5, 1, -3, false, true, false, true},
    {"y's last offset beyond int64_t", 3, 1, INT64_MAX, false, false, false, true},
};

/* Runs one bad case on ctx and checks the status and that nothing was
 * written.  Returns the error message to check. */
static const char *run_bad_case(hpk_ctx *ctx, const bad_case *c, op o, bool f32, const char *what)
{
    static const double xd[16] = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16};
    static const float xs[16] = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16};
    const void *data = f32 ? (const void *)xs : (const void *)xd;
    outcome r = {HPK_SUCCESS, test_poison_d(), test_poison_s(), INDEX_SENTINEL};
    r.status = call_to(ctx, o, f32, c->n, c->x_null ? NULL : data, c->incx, c->y_null ? NULL : data, c->incy,
                       c->result_null ? NULL : &r.d, c->result_null ? NULL : &r.s,
                       c->result_null ? NULL : &r.index);
    if (r.status != HPK_ERR_INVALID_ARG)
        fail_msg("%s: status %d (%s), expected HPK_ERR_INVALID_ARG", what, (int)r.status,
                 hpk_status_string(r.status));
    if (!output_untouched(o, f32, &r))
        fail_msg("%s: a failing call wrote its result", what);
    return hpk_ctx_error_message(ctx);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        const bad_case *c = &bad_cases[k];
        for (int o = 0; o < OP_COUNT; o++) {
            if (c->dot_only && o != DOT)
                continue;
            for (int f32 = 0; f32 <= 1; f32++) {
                char what[160];
                snprintf(what, sizeof what, "%s with %s", op_names[f32][o], c->why);
                hpk_ctx *ctx = test_ctx(0); /* fresh, so its message is this call's */
                const char *before = hpk_ctx_error_message(ctx);
                if (!before || before[0] != '\0')
                    fail_msg("a fresh context's error message is not \"\"");
                const char *message = run_bad_case(ctx, c, o, f32, what);
                if (!message || message[0] == '\0')
                    fail_msg("%s: no error message recorded", what);
                hpk_ctx_destroy(ctx);
            }
        }
    }
}

static void test_bad_arguments_default_context(void **state)
{
    (void)state;
    static const struct {
        bad_case c;
        op o;
        bool f32;
    } picks[] = {
        {{"n < 0", -1, 1, 1, false, false, false, false}, SUM, false},
        {{"incx == 0", 5, 0, 1, false, false, false, false}, NRM2, true},
        {{"x NULL", 5, 1, 1, true, false, false, false}, ASUM, false},
        {{"result NULL", 5, 1, 1, false, false, true, false}, AMAX, false},
        {{"y NULL", 5, 1, 1, false, true, false, true}, DOT, true},
    };
    for (size_t k = 0; k < sizeof picks / sizeof picks[0]; k++) {
        const bad_case *c = &picks[k].c;
        char what[160];
        snprintf(what, sizeof what, "%s(ctx NULL) with %s", op_names[picks[k].f32][picks[k].o], c->why);
        const char *message = run_bad_case(NULL, c, picks[k].o, picks[k].f32, what);
        if (!message || message[0] == '\0')
            fail_msg("%s: no error message recorded for the default context", what);
    }
}

/* ---------------------------------------------------------------------------
 * Reproducibility
 * ------------------------------------------------------------------------- */

/* CPU backends: every reduction gives the serial backend's bits on contexts
 * of the backend under test with 0 (all), 1, 2, 3, 4 and 7 threads, and on the
 * default context.  Other backends (OpenCL): five contexts of the backend
 * give the bits of a first run on a sixth -- results repeat from run to run
 * (the default context, a CPU one, is left out). */
static void test_thread_count_independence(void **state)
{
    (void)state;
    static const int64_t sizes[] = {1000003, BLOCK * 37 + 5};
    static const int64_t incs[] = {1, -3};
    static const int threads[] = {0, 1, 2, 3, 4, 7};
    enum { N_THREADS = sizeof threads / sizeof threads[0] };
    hpk_ctx *serial = NULL;
    if (test_is_cpu_backend())
        assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    else
        serial = test_ctx(0);
    const int with_default = test_is_cpu_backend();
    hpk_ctx *ctx[N_THREADS];
    for (int t = 0; t < N_THREADS; t++)
        ctx[t] = test_ctx(threads[t]);
    test_seed(505);

    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (size_t j = 0; j < sizeof incs / sizeof incs[0]; j++) {
            const int64_t n = sizes[k];
            vec x = vec_new(n, incs[j], 0), y = vec_new(n, incs[j], 0);
            vec_fill(&x, -1.0, 2.0);
            vec_fill(&y, -2.0, 1.0);
            /* Equal maxima in several blocks, so the split among threads matters. */
            const int64_t planted[] = {n - 1, n / 2, BLOCK * 20, BLOCK * 5 + 3};
            for (size_t p = 0; p < sizeof planted / sizeof planted[0]; p++)
                vec_set(&x, planted[p], p % 2 ? -10.0 : 10.0);

            for (int f32 = 0; f32 <= 1; f32++) {
                for (int o = 0; o < OP_COUNT; o++) {
                    const vec *yy = o == DOT ? &y : NULL;
                    char what[160];
                    describe(what, sizeof what, o, f32, &x, yy);
                    const outcome want = call_vec(serial, o, f32, &x, yy);
                    expect_success(&want, serial, what);
                    if (o == AMAX && want.index != BLOCK * 5 + 3)
                        fail_msg("%s: index %" PRId64 ", expected %d", what, want.index, BLOCK * 5 + 3);
                    for (int t = 0; t < N_THREADS + with_default; t++) {
                        hpk_ctx *c = t < N_THREADS ? ctx[t] : NULL;
                        const outcome got = call_vec(c, o, f32, &x, yy);
                        expect_success(&got, c, what);
                        if (!same_result(o, f32, &got, &want)) {
                            char g[64], w[64];
                            format_result(g, sizeof g, o, f32, &got);
                            format_result(w, sizeof w, o, f32, &want);
                            if (c)
                                fail_msg("%s with %d threads (%s): %s, but the reference run gives %s", what,
                                         threads[t], test_backend_name, g, w);
                            else
                                fail_msg("%s on the default context: %s, but the serial backend gives %s", what,
                                         g, w);
                        }
                    }
                }
            }
            vec_free(&x);
            vec_free(&y);
        }
    }
    for (int t = 0; t < N_THREADS; t++)
        hpk_ctx_destroy(ctx[t]);
    hpk_ctx_destroy(serial);
}

/* Whether ctx sums in double: every CPU context, and OpenCL devices with
 * fp64 (the one stated exception is float data on a device without it). */
static bool sums_in_double(hpk_ctx *ctx)
{
    double x = 1.0, r;
    return hpk_dsum(ctx, 1, &x, 1, &r) != HPK_ERR_UNSUPPORTED;
}

/* The model: sum, asum or dot of logical values x (and y) as order.h
 * defines them, written plainly.  Blocks of 4096; in each, lane l of L (16
 * for double, 64 for float) sums elements l, l + L, ... in double -- for
 * float data in runs of 16 of the lane's elements, each summed in float
 * from +0.0f (products rounded to float) and then added to the lane; the
 * lanes folded (l takes l + L/2, ..., l + 1); the blocks combined pairwise
 * (first c - c/2, then the rest). */
enum { MODEL_LANES_D = 16, MODEL_LANES_S = 64, MODEL_RUN_S = 16 };

static double model_term(op o, bool f32, const double *x, const double *y, int64_t i)
{
    if (o == ASUM)
        return fabs(x[i]);
    if (o == DOT)
        return f32 ? (double)((float)x[i] * (float)y[i]) : x[i] * y[i];
    return x[i];
}

static double model_block(op o, bool f32, const double *x, const double *y, int64_t n, int64_t b)
{
    const int nl = f32 ? MODEL_LANES_S : MODEL_LANES_D;
    const int64_t first = b * BLOCK, len = n - first < BLOCK ? n - first : BLOCK;
    double lanes[MODEL_LANES_S] = {0};
    for (int l = 0; l < nl; l++) {
        float run = 0.0f;
        int in_run = 0;
        for (int64_t k = l; k < len; k += nl) {
            const double t = model_term(o, f32, x, y, first + k);
            if (!f32) {
                lanes[l] += t;
                continue;
            }
            run += (float)t;
            if (++in_run == MODEL_RUN_S) {
                lanes[l] += run;
                run = 0.0f;
                in_run = 0;
            }
        }
        if (in_run)
            lanes[l] += run;
    }
    for (int w = nl / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; l++)
            lanes[l] += lanes[l + w];
    return lanes[0];
}

static double model_tree(op o, bool f32, const double *x, const double *y, int64_t n, int64_t first, int64_t count)
{
    if (count == 1)
        return model_block(o, f32, x, y, n, first);
    const int64_t left = count - count / 2;
    return model_tree(o, f32, x, y, n, first, left) + model_tree(o, f32, x, y, n, first + left, count - left);
}

/* nrm2 in the same order, with Blue's constants restated rather than read
 * from common/order.h, so that a change there fails: LAPACK 3.10's dnrm2
 * (la_constants.f90, Anderson's "Algorithm 978", 2017) for double, whose
 * minexponent -1021, maxexponent 1024 and digits 53 give
 *   tsml = 2^ceiling((minexponent - 1) / 2)          = 2^-511,
 *   tbig = 2^floor((maxexponent - digits + 1) / 2)   = 2^486,
 *   ssml = 2^-floor((minexponent - digits) / 2)      = 2^537,
 *   sbig = 2^-ceiling((maxexponent + digits - 1) / 2) = 2^-538.
 * (snrm2's are 2^-63, 2^52, 2^75, 2^-76; hpk's float nrm2 sums the squares
 * in double, where none of them can overflow or underflow.)  Each of a
 * block's 16 lanes keeps three sums: |v| < tsml adds (|v| ssml)^2 to the
 * small one, |v| > tbig (|v| sbig)^2 to the big one, any other (NaN
 * included) v^2 to the medium one; the sums are folded and combined like
 * the others, and finished as dnrm2 finishes them.  Float data: 64 lanes of
 * plain double squares, the root rounded once. */
#define MODEL_TSML 0x1p-511
#define MODEL_TBIG 0x1p+486
#define MODEL_SSML 0x1p+537
#define MODEL_SBIG 0x1p-538

typedef struct blue3 {
    double s[3]; /* small, medium, big */
} blue3;

static blue3 blue_add(blue3 a, blue3 b)
{
    for (int k = 0; k < 3; k++)
        a.s[k] += b.s[k];
    return a;
}

static blue3 model_nrm2_block(bool f32, const double *x, int64_t n, int64_t b)
{
    const int nl = f32 ? MODEL_LANES_S : MODEL_LANES_D;
    const int64_t first = b * BLOCK, len = n - first < BLOCK ? n - first : BLOCK;
    blue3 lanes[MODEL_LANES_S] = {{{0}}};
    for (int64_t k = 0; k < len; k++) {
        const double v = x[first + k], av = fabs(v);
        blue3 *l = &lanes[k % nl];
        if (f32)
            l->s[1] += v * v;
        else if (av < MODEL_TSML)
            l->s[0] += (av * MODEL_SSML) * (av * MODEL_SSML);
        else if (av > MODEL_TBIG)
            l->s[2] += (av * MODEL_SBIG) * (av * MODEL_SBIG);
        else
            l->s[1] += av * av;
    }
    for (int w = nl / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; l++)
            lanes[l] = blue_add(lanes[l], lanes[l + w]);
    return lanes[0];
}

static blue3 model_nrm2_tree(bool f32, const double *x, int64_t n, int64_t first, int64_t count)
{
    if (count == 1)
        return model_nrm2_block(f32, x, n, first);
    const int64_t left = count - count / 2;
    return blue_add(model_nrm2_tree(f32, x, n, first, left), model_nrm2_tree(f32, x, n, first + left, count - left));
}

/* dnrm2's ending (LAPACK 3.10): big sum first, else small with medium. */
static double model_nrm2_finish(blue3 a)
{
    double asml = a.s[0], amed = a.s[1], abig = a.s[2];
    if (abig > 0.0) {
        if (amed > 0.0 || isnan(amed))
            abig += (amed * MODEL_SBIG) * MODEL_SBIG;
        return sqrt(abig) / MODEL_SBIG;
    }
    if (asml > 0.0) {
        if (amed > 0.0 || isnan(amed)) {
            amed = sqrt(amed);
            asml = sqrt(asml) / MODEL_SSML;
            const double ymin = asml > amed ? amed : asml, ymax = asml > amed ? asml : amed;
            return sqrt(ymax * ymax * (1.0 + (ymin / ymax) * (ymin / ymax)));
        }
        return sqrt(asml) / MODEL_SSML;
    }
    return sqrt(amed);
}

/* The model's result as the API returns it (float results rounded once). */
static outcome model_result(op o, bool f32, const vec *x, const vec *y)
{
    double *xv = vec_values(x, f32), *yv = y ? vec_values(y, f32) : NULL;
    const int64_t blocks = (x->n - 1) / BLOCK + 1;
    const double t = o == NRM2 ? model_nrm2_finish(model_nrm2_tree(f32, xv, x->n, 0, blocks))
                               : model_tree(o, f32, xv, yv, x->n, 0, blocks);
    free(xv);
    free(yv);
    outcome r = {HPK_SUCCESS, t, (float)t, INDEX_SENTINEL};
    return r;
}

/* Reduction o of x (and yy) on the serial backend equals the model (sum,
 * asum, dot, nrm2), the same values with increment 2, and every context of
 * the backend under test, bit for bit. */
static void expect_canonical(hpk_ctx *serial, hpk_ctx *ctx[], const char *names[], int nctx, op o, bool f32,
                             const vec *x, const vec *yy)
{
    const int64_t n = x->n;
    char what[200];
    describe(what, sizeof what, o, f32, x, yy);
    const outcome want = call_vec(serial, o, f32, x, yy);
    expect_success(&want, serial, what);
    if (o != AMAX) { /* the order itself, written plainly */
        const outcome model = model_result(o, f32, x, yy);
        char on_serial[240];
        snprintf(on_serial, sizeof on_serial, "%s on the serial backend", what);
        expect_same_result(o, f32, &want, &model, on_serial, "the canonical order");
    }
    {   /* contiguous and strided data take different CPU paths */
        double *values = vec_values(x, f32);
        vec strided = vec_from(values, n, 2, 0);
        free(values);
        const outcome other = call_vec(serial, o, f32, &strided, yy);
        if (!same_result(o, f32, &other, &want))
            fail_msg("%s: the same values with increment 2 give other bits", what);
        vec_free(&strided);
    }
    for (int c = 0; c < nctx; c++) {
        if (f32 && !sums_in_double(ctx[c]))
            continue;
        const outcome got = call_vec(ctx[c], o, f32, x, yy);
        expect_success(&got, ctx[c], what);
        if (!same_result(o, f32, &got, &want)) {
            char g[64], w[64];
            format_result(g, sizeof g, o, f32, &got);
            format_result(w, sizeof w, o, f32, &want);
            fail_msg("%s on %s (%s): %s, but the serial backend gives %s", what, test_backend_name, names[c], g,
                     w);
        }
    }
}

/* One arithmetic order on every backend (order.h): for sizes around every
 * boundary of the order (lanes, blocks, several blocks), both increment
 * signs, and data whose rounding depends on the order (magnitudes spread
 * over many binades, nrm2's three ranges in double), every reduction gives
 * the serial backend's bits on every context of the backend under test. */
static void test_canonical_order(void **state)
{
    (void)state;
    static const int64_t sizes[] = {1,         2,         15,        16,          17,          63,
                                    65,        255,       1023,      1025,        BLOCK - 1,   BLOCK,
                                    BLOCK + 1, 3 * BLOCK + 1, 16 * BLOCK - 1, 37 * BLOCK + 17, 4 * BLOCK,
                                    4 * BLOCK + 16};
    static const int64_t incs[] = {1, -1, 3, -2};
    hpk_ctx *serial = NULL, *ctx[4];
    const char *names[4];
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    const int nctx = test_variant_contexts(ctx, names);
    test_seed(2718);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        const int64_t n = sizes[k], inc = n % BLOCK == 0 || n % BLOCK == 16 ? 1 : incs[k % 4];
        const int64_t incy = incs[(k + 1) % 4];
        vec x = vec_new(n, inc, k % 3), y = vec_new(n, incy, 0);
        for (int64_t i = 0; i < n; i++) {
            /* magnitudes 2^-30 .. 2^30; in double also Blue's small and big */
            double v = ldexp(test_uniform(-1.0, 1.0), (int)(test_next_u64() % 61) - 30);
            if (n == 4 * BLOCK) /* whole blocks of medium values and zeros */
                v = i % 7 == 3 ? 0.0 : v;
            else if (n == 4 * BLOCK + 16) /* runs of only small, only big, mixed values */
                v = i % 7 == 3 ? 0.0 : ldexp(v, (i / 700) % 3 == 0 ? -600 : (i / 700) % 3 == 1 ? 560 : 0);
            else if (i % 97 == 5)
                v = ldexp(v, -600);
            else if (i % 89 == 7)
                v = ldexp(v, 560);
            else if (i % 7 == 3)
                v = i % 2 ? 0.0 : -0.0; /* zeros: nrm2's fast path must give Blue's bits */
            vec_set(&x, i, v);
            vec_set(&y, i, ldexp(test_uniform(-1.0, 1.0), (int)(test_next_u64() % 41) - 20));
        }
        for (int f32 = 0; f32 <= 1; f32++) {
            if (f32) /* keep float data finite and normal: only double covers Blue's ranges */
                for (int64_t i = 0; i < n; i++) {
                    const int64_t at = test_index(i, n, inc);
                    if (fabs(x.d[at]) > 0x1p40 || fabs(x.d[at]) < 0x1p-40)
                        x.s[at] = (float)test_uniform(-1.0, 1.0);
                }
            for (int o = 0; o < OP_COUNT; o++)
                expect_canonical(serial, ctx, names, nctx, o, f32, &x, o == DOT ? &y : NULL);
        }
        vec_free(&x);
        vec_free(&y);
    }
    for (int c = 0; c < nctx; c++)
        hpk_ctx_destroy(ctx[c]);
    hpk_ctx_destroy(serial);
}

/* The canonical order on data that tells orders apart where the data above
 * cannot (support.h): clusters built to land on rounding ties, in both
 * precisions (float sums in double and rounded once, where a change in the
 * fold or the tree of the double sums shows only near a tie), numbers over
 * each precision's whole exponent range, and values around Blue's
 * thresholds (each side of tsml and tbig, with medium ones) for nrm2. */
static void test_canonical_order_ties(void **state)
{
    (void)state;
    static const int64_t sizes[] = {1, 2, 17, 64, 65, 200, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5};
    static const int64_t incs[] = {1, -1, 3, -2};
    enum { REPEATS = 6 };
    hpk_ctx *serial = NULL, *ctx[4];
    const char *names[4];
    assert_int_equal(hpk_ctx_create(&serial, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    const int nctx = test_variant_contexts(ctx, names);
    test_seed(31415);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (int rep = 0; rep < REPEATS; rep++)
            for (int f32 = 0; f32 <= 1; f32++) {
                const int64_t n = sizes[k], inc = incs[(k + (size_t)rep) % 4], incy = incs[(k + (size_t)rep + 1) % 4];
                vec x = vec_new(n, inc, (size_t)rep % 3), y = vec_new(n, incy, 0);
                double *t = test_alloc((size_t)n * sizeof *t);
                /* ties: sum and asum of t; dot of t / y and y, y = +-2^j */
                if (f32)
                    test_fill_ties(t, n, MODEL_LANES_S, 53, 24, TEST_TIES_S_EMIN, TEST_TIES_S_EMAX);
                else
                    test_fill_ties(t, n, MODEL_LANES_D, 53, 53, TEST_TIES_D_EMIN, TEST_TIES_D_EMAX);
                for (int64_t i = 0; i < n; i++)
                    vec_set(&x, i, t[i]);
                for (op o = SUM; o <= ASUM; o++)
                    expect_canonical(serial, ctx, names, nctx, o, f32, &x, NULL);
                for (int64_t i = 0; i < n; i++) {
                    const int s = test_sign();
                    const double yi = ldexp(s ? -1.0 : 1.0, test_int(-2, 2));
                    vec_set(&y, i, yi);
                    vec_set(&x, i, t[i] / yi);
                }
                expect_canonical(serial, ctx, names, nctx, DOT, f32, &x, &y);
                /* the whole exponent range (products: half of it) */
                for (int64_t i = 0; i < n; i++) {
                    const int s = test_sign(), e = f32 ? test_int(TEST_WIDE_S_MIN, TEST_WIDE_S_MAX)
                                                       : test_int(TEST_WIDE_D_MIN, TEST_WIDE_D_MAX);
                    vec_set(&x, i, f32 ? test_full_s(s, e) : test_full_d(s, e));
                }
                for (op o = SUM; o <= NRM2; o += o == ASUM ? 2 : 1)
                    expect_canonical(serial, ctx, names, nctx, o, f32, &x, NULL);
                for (int64_t i = 0; i < n; i++) {
                    const int s = test_sign(), e = f32 ? test_int(TEST_WIDE_S_HALF_MIN, TEST_WIDE_S_HALF_MAX)
                                                       : test_int(TEST_WIDE_D_HALF_MIN, TEST_WIDE_D_HALF_MAX);
                    const int s2 = test_sign(), e2 = f32 ? test_int(TEST_WIDE_S_HALF_MIN, TEST_WIDE_S_HALF_MAX)
                                                         : test_int(TEST_WIDE_D_HALF_MIN, TEST_WIDE_D_HALF_MAX);
                    vec_set(&x, i, f32 ? test_full_s(s, e) : test_full_d(s, e));
                    vec_set(&y, i, f32 ? test_full_s(s2, e2) : test_full_d(s2, e2));
                }
                expect_canonical(serial, ctx, names, nctx, DOT, f32, &x, &y);
                if (!f32) { /* nrm2 around one of Blue's thresholds: values each side of it (2^-514 ..
                             * 2^-508, or 2^483 .. 2^489) among medium ones near it, whose squares meet
                             * theirs in the sums; odd repeats tsml, even ones tbig */
                    const bool small_side = rep % 2;
                    for (int64_t i = 0; i < n; i++) {
                        const int s = test_sign(), near = test_int(0, 1);
                        const int e = small_side ? (near ? test_int(-514, -509) : test_int(-508, -490))
                                                 : (near ? test_int(483, 488) : test_int(465, 482));
                        vec_set(&x, i, test_full_d(s, e));
                    }
                    expect_canonical(serial, ctx, names, nctx, NRM2, false, &x, NULL);
                }
                free(t);
                vec_free(&x);
                vec_free(&y);
            }
    for (int c = 0; c < nctx; c++)
        hpk_ctx_destroy(ctx[c]);
    hpk_ctx_destroy(serial);
}

/* The same logical values stored with different increments (of either sign)
 * and alignments give the same bits: results do not depend on the
 * increment's sign or size, nor on the alignment of the data. */
static void test_increment_and_alignment_independence(void **state)
{
    (void)state;
    static const struct {
        int64_t inc;
        size_t shift;
    } layouts[] = {{1, 0}, {3, 0}, {1, 1}, {2, 1}, {-1, 0}, {-3, 0}, {-2, 1}, {5, 3}};
    enum { N_LAYOUTS = sizeof layouts / sizeof layouts[0] };
    const int64_t n = 3 * BLOCK + 77;
    hpk_ctx *ctx = test_ctx(0);
    test_seed(606);
    double *xv = values_wide(n), *yv = values_wide(n);
    xv[BLOCK + 5] = 0x1p40; /* equal maxima for i?amax */
    xv[2 * BLOCK + 1] = -0x1p40;

    vec x[N_LAYOUTS], y[N_LAYOUTS];
    for (int l = 0; l < N_LAYOUTS; l++) {
        x[l] = vec_from(xv, n, layouts[l].inc, layouts[l].shift);
        y[l] = vec_from(yv, n, layouts[(l + 3) % N_LAYOUTS].inc, layouts[(l + 3) % N_LAYOUTS].shift);
    }
    for (int f32 = 0; f32 <= 1; f32++) {
        for (int o = 0; o < OP_COUNT; o++) {
            const outcome want = call_vec(ctx, o, f32, &x[0], o == DOT ? &y[0] : NULL);
            char what[160];
            describe(what, sizeof what, o, f32, &x[0], o == DOT ? &y[0] : NULL);
            expect_success(&want, ctx, what);
            for (int l = 1; l < N_LAYOUTS; l++) {
                const outcome got = call_vec(ctx, o, f32, &x[l], o == DOT ? &y[l] : NULL);
                char what_l[160];
                describe(what_l, sizeof what_l, o, f32, &x[l], o == DOT ? &y[l] : NULL);
                expect_success(&got, ctx, what_l);
                if (!same_result(o, f32, &got, &want)) {
                    char g[64], w[64];
                    format_result(g, sizeof g, o, f32, &got);
                    format_result(w, sizeof w, o, f32, &want);
                    fail_msg("%s (data %zu elements past malloc's address) gave %s, but %s gave %s for the "
                             "same logical values",
                             what_l, layouts[l].shift, g, what, w);
                }
            }
        }
    }
    for (int l = 0; l < N_LAYOUTS; l++) {
        vec_free(&x[l]);
        vec_free(&y[l]);
    }
    free(xv);
    free(yv);
    hpk_ctx_destroy(ctx);
}

/* sum, asum and dot of more than 32 MiB, which the kernels read several
 * blocks at a time where the path's registers hold them and the CPU gains
 * by it (kernels/reduce.c, STREAMS_FROM; one block at a time below; ctest's
 * reduce.several-streams reads several wherever the registers hold them):
 * on every CPU path this machine has, with 3 threads, bitwise the
 * canonical order.  The size leaves three whole blocks after the groups of
 * four, and a short last block. */
static void check_streams(bool f32)
{
    const int64_t n = (f32 ? 8 : 4) * 1024 * 1024 + 3 * BLOCK + 17;
    assert_true((double)n * (f32 ? sizeof(float) : sizeof(double)) > 32.0 * (1 << 20));
    vec x = vec_new(n, 1, 0), y = vec_new(n, 1, 0);
    test_seed(3141);
    /* random data, each block's first element replaced in turn by 2^60,
     * -2^60, 1 and 1 (2^60 swallows the rest of a partial): four
     * consecutive blocks meet in the tree as (a + b) + (c + d), and the
     * sum shows in which order they met (a rotation of the four partials
     * turns 2 into 0, or 0 into 2); dot: t / y and y = +-2^j */
    double *t = test_alloc((size_t)n * sizeof *t);
    static const double firsts[4] = {0x1p60, -0x1p60, 1.0, 1.0};
    for (int64_t i = 0; i < n; i++)
        t[i] = i % BLOCK == 0 ? firsts[i / BLOCK % 4] : test_uniform(-1.0, 1.0);
    for (int64_t i = 0; i < n; i++)
        vec_set(&x, i, t[i]);
    static const op ops[] = {SUM, ASUM, DOT};
    outcome model[3];
    for (int k = 0; k < 2; k++)
        model[k] = model_result(ops[k], f32, &x, NULL);
    vec dx = vec_new(n, 1, 0);
    for (int64_t i = 0; i < n; i++) {
        const double yi = ldexp(test_sign() ? -1.0 : 1.0, test_int(-2, 2));
        vec_set(&y, i, yi);
        vec_set(&dx, i, t[i] / yi);
    }
    free(t);
    model[2] = model_result(DOT, f32, &dx, &y);
    for (size_t p = 0; p < TEST_CPU_PATHS; p++) {
        hpk_ctx *ctx = test_ctx(3);
        const hpk_status st = hpk_ctx_set_cpu_path(ctx, test_cpu_paths[p]);
        if (st == HPK_ERR_UNSUPPORTED) { /* an OpenCL context, or a path this CPU lacks */
            hpk_ctx_destroy(ctx);
            continue;
        }
        assert_int_equal(st, HPK_SUCCESS);
        for (int k = 0; k < 3; k++) {
            const vec *xk = ops[k] == DOT ? &dx : &x, *yk = ops[k] == DOT ? &y : NULL;
            const outcome got = call_vec(ctx, ops[k], f32, xk, yk);
            char what[200], on_path[240];
            describe(what, sizeof what, ops[k], f32, xk, yk);
            expect_success(&got, ctx, what);
            snprintf(on_path, sizeof on_path, "%s on path %s", what, test_cpu_paths[p]);
            expect_same_result(ops[k], f32, &got, &model[k], on_path, "the canonical order");
        }
        hpk_ctx_destroy(ctx);
    }
    vec_free(&x);
    vec_free(&dx);
    vec_free(&y);
}

static void test_float_streams(void **state)
{
    (void)state;
    check_streams(true);
}

static void test_double_streams(void **state)
{
    (void)state;
    check_streams(false);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_single_vector),
        cmocka_unit_test(test_random_dot),
        cmocka_unit_test(test_error_growth_is_logarithmic),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_nrm2_constant_extremes),
        cmocka_unit_test(test_nrm2_scaling),
        cmocka_unit_test(test_nrm2_inf_nan),
        cmocka_unit_test(test_amax_small_cases),
        cmocka_unit_test(test_amax_across_blocks),
        cmocka_unit_test(test_amax_dense_paths),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_bad_arguments_default_context),
        cmocka_unit_test(test_thread_count_independence),
        cmocka_unit_test(test_canonical_order),
        cmocka_unit_test(test_canonical_order_ties),
        cmocka_unit_test(test_float_streams),
        cmocka_unit_test(test_double_streams),
        cmocka_unit_test(test_increment_and_alignment_independence),
    };
    return cmocka_run_group_tests_name(test_backend_name, tests, NULL, NULL);
}
