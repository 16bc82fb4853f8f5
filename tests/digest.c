/* hpk_digest: the result bits of a few hundred deterministic calls of every
 * kernel, one line per call and backend, then a digest of all lines.
 * scripts/test runs it from an x86-64 build and from an aarch64 build (under
 * qemu-user) and compares the two outputs: hpk's results do not depend on
 * the CPU architecture (hpk.h, "Reproducibility").
 *
 * Each case runs on the serial backend and on OpenMP with 1, 2 and 3 threads
 * (3 threads need OMP_NUM_THREADS >= 3 on a machine with fewer CPUs: the
 * thread cap in hpk.h).  The data is full-mantissa pseudo-random numbers
 * from the tests' fixed-seed generator (support.h), plus huge, tiny,
 * subnormal, infinite and NaN elements.  Results are printed as hex bits;
 * every NaN prints as "nan", because hpk does not specify a NaN result's
 * sign or payload (x86-64 makes Inf - Inf negative, Arm positive).
 *
 * usage: hpk_digest [FILE]   (the lines go to FILE, or to stdout)
 * Exit status: 0, or 1 when a backend's bits differ from the serial
 * backend's on this machine (stderr says where), 2 on a failed allocation,
 * context or write.  Compile with -ffp-contract=off: the integrands'
 * arithmetic is part of what is compared. */
#include "support.h"

#include <hpk/hpk.h>

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output: lines, their digest, agreement with the serial backend ---- */

enum { BACKENDS_MAX = 4 };

static hpk_ctx *backend_ctx[BACKENDS_MAX];
static const char *backend_name[BACKENDS_MAX];
static int backends;

static uint64_t digest = 0xcbf29ce484222325u; /* FNV-1a, 64 bits */
static long lines, disagreements;

static uint64_t fnv1a(uint64_t h, const void *data, size_t size)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static FILE *out;

static void emit(const char *line)
{
    digest = fnv1a(digest, line, strlen(line));
    digest = fnv1a(digest, "\n", 1);
    lines++;
    fprintf(out, "%s\n", line);
}

/* One case: its name, and the result on each backend (written by the case's
 * run function into result[b]).  Lines are "<case> <backend> <result>". */
typedef struct result_text {
    char s[96];
} result_text;

static void finish_case(const char *name, const result_text result[])
{
    char line[256];
    for (int b = 0; b < backends; b++) {
        snprintf(line, sizeof line, "%s %s %s", name, backend_name[b], result[b].s);
        emit(line);
        if (b > 0 && strcmp(result[b].s, result[0].s) != 0) {
            fprintf(stderr, "hpk_digest: %s: %s gives %s, %s %s\n", name, backend_name[b], result[b].s,
                    backend_name[0], result[0].s);
            disagreements++;
        }
    }
}

static void out_of_memory(void)
{
    fprintf(stderr, "hpk_digest: out of memory\n");
    exit(2);
}

static void *alloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size);
    if (!p)
        out_of_memory();
    return p;
}

/* ---- bits as text ------------------------------------------------------ */

static uint64_t bits_d(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return isnan(v) ? UINT64_C(0x7ff8000000000000) : u;
}

static uint32_t bits_s(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return isnan(v) ? UINT32_C(0x7fc00000) : u;
}

static void text_d(char *s, size_t size, double v)
{
    if (isnan(v))
        snprintf(s, size, "nan");
    else
        snprintf(s, size, "%016" PRIx64, bits_d(v));
}

static void text_s(char *s, size_t size, float v)
{
    if (isnan(v))
        snprintf(s, size, "nan");
    else
        snprintf(s, size, "%08" PRIx32, bits_s(v));
}

static void text_status(result_text *r, hpk_status status)
{
    snprintf(r->s, sizeof r->s, "status=%d", (int)status);
}

/* ---- data: the tests' fixed-seed generator (support.h) and value kinds -- */

/* Value kinds: which exponents and signs the elements have.  Every finite
 * element has random bits in its whole mantissa. */
typedef enum kind {
    KIND_MIXED,    /* both signs, magnitudes 2^-4 .. 2^5: cancellation */
    KIND_POSITIVE, /* positive, 2^-2 .. 2^3 */
    KIND_WIDE,     /* both signs, 2^-60 .. 2^61 */
    KIND_HUGE,     /* both signs, the top 8 binades: sums overflow, nrm2 scales */
    KIND_TINY,     /* both signs, the lowest 4 normal binades and subnormals */
    KIND_INF,      /* mixed, with one +Inf */
    KIND_INF_INF,  /* mixed, with +Inf and -Inf: a NaN sum the kernel creates */
    KIND_NAN,      /* mixed, with two NaNs */
    KINDS
} kind;

static const char *const kind_name[KINDS] = {"mixed", "positive", "wide", "huge", "tiny", "inf", "inf-inf", "nan"};

/* Exponent range and sign rule of a kind, for a precision whose largest
 * and smallest normal exponents are emax and emin. */
static void kind_range(kind k, int emin, int emax, int *lo, int *hi, bool *signed_values)
{
    *signed_values = true;
    switch (k) {
    case KIND_POSITIVE: *lo = -2, *hi = 3, *signed_values = false; break;
    case KIND_WIDE: *lo = -60, *hi = 61; break;
    case KIND_HUGE: *lo = emax - 7, *hi = emax; break;
    case KIND_TINY: *lo = emin - 1, *hi = emin + 3; break; /* emin - 1: subnormal */
    default: *lo = -4, *hi = 5; break;
    }
}

/* Where a kind plants its special elements: fixed fractions of n. */
static void plant_specials_d(double *x, size_t span, kind k)
{
    if (span == 0)
        return;
    const size_t a = span / 3, b = (2 * span) / 3;
    if (k == KIND_INF)
        x[a] = INFINITY;
    if (k == KIND_INF_INF) {
        x[a] = INFINITY;
        x[b] = -INFINITY;
    }
    if (k == KIND_NAN) {
        x[b] = NAN;
        x[a] = -NAN;
    }
}

static void plant_specials_s(float *x, size_t span, kind k)
{
    if (span == 0)
        return;
    const size_t a = span / 3, b = (2 * span) / 3;
    if (k == KIND_INF)
        x[a] = INFINITY;
    if (k == KIND_INF_INF) {
        x[a] = INFINITY;
        x[b] = -INFINITY;
    }
    if (k == KIND_NAN) {
        x[b] = NAN;
        x[a] = -NAN;
    }
}

static double *fill_d(size_t span, kind k)
{
    double *x = alloc(span, sizeof *x);
    int lo, hi;
    bool sign;
    kind_range(k, -1022, 1023, &lo, &hi, &sign);
    for (size_t i = 0; i < span; i++) {
        const int s = sign ? test_sign() : 0;
        x[i] = test_full_d(s, test_int(lo, hi));
    }
    plant_specials_d(x, span, k);
    return x;
}

static float *fill_s(size_t span, kind k)
{
    float *x = alloc(span, sizeof *x);
    int lo, hi;
    bool sign;
    kind_range(k, -126, 127, &lo, &hi, &sign);
    for (size_t i = 0; i < span; i++) {
        const int s = sign ? test_sign() : 0;
        x[i] = test_full_s(s, test_int(lo, hi));
    }
    plant_specials_s(x, span, k);
    return x;
}

/* ---- reductions -------------------------------------------------------- */

typedef enum reduction { SUM, ASUM, DOT, NRM2, IAMAX, REDUCTIONS } reduction;
static const char *const reduction_name[REDUCTIONS] = {"sum", "asum", "dot", "nrm2", "iamax"};

static void reduce_d(reduction op, int64_t n, kind k, int64_t incx, int64_t incy)
{
    double *x = fill_d(test_span(n, incx), k);
    double *y = fill_d(test_span(n, incy), KIND_MIXED);
    result_text r[BACKENDS_MAX];
    for (int b = 0; b < backends; b++) {
        hpk_ctx *ctx = backend_ctx[b];
        double v = 0.0;
        int64_t index = -2;
        hpk_status st;
        switch (op) {
        case SUM: st = hpk_dsum(ctx, n, x, incx, &v); break;
        case ASUM: st = hpk_dasum(ctx, n, x, incx, &v); break;
        case DOT: st = hpk_ddot(ctx, n, x, incx, y, incy, &v); break;
        case NRM2: st = hpk_dnrm2(ctx, n, x, incx, &v); break;
        default: st = hpk_idamax(ctx, n, x, incx, &index); break;
        }
        if (st != HPK_SUCCESS)
            text_status(&r[b], st);
        else if (op == IAMAX)
            snprintf(r[b].s, sizeof r[b].s, "%" PRId64, index);
        else
            text_d(r[b].s, sizeof r[b].s, v);
    }
    char name[160];
    if (op == IAMAX)
        snprintf(name, sizeof name, "idamax n=%" PRId64 " incx=%" PRId64 " %s", n, incx, kind_name[k]);
    else
        snprintf(name, sizeof name, "d%s n=%" PRId64 " incx=%" PRId64 " incy=%" PRId64 " %s", reduction_name[op],
                 n, incx, op == DOT ? incy : 0, kind_name[k]);
    finish_case(name, r);
    free(x);
    free(y);
}

static void reduce_s(reduction op, int64_t n, kind k, int64_t incx, int64_t incy)
{
    float *x = fill_s(test_span(n, incx), k);
    float *y = fill_s(test_span(n, incy), KIND_MIXED);
    result_text r[BACKENDS_MAX];
    for (int b = 0; b < backends; b++) {
        hpk_ctx *ctx = backend_ctx[b];
        float v = 0.0f;
        int64_t index = -2;
        hpk_status st;
        switch (op) {
        case SUM: st = hpk_ssum(ctx, n, x, incx, &v); break;
        case ASUM: st = hpk_sasum(ctx, n, x, incx, &v); break;
        case DOT: st = hpk_sdot(ctx, n, x, incx, y, incy, &v); break;
        case NRM2: st = hpk_snrm2(ctx, n, x, incx, &v); break;
        default: st = hpk_isamax(ctx, n, x, incx, &index); break;
        }
        if (st != HPK_SUCCESS)
            text_status(&r[b], st);
        else if (op == IAMAX)
            snprintf(r[b].s, sizeof r[b].s, "%" PRId64, index);
        else
            text_s(r[b].s, sizeof r[b].s, v);
    }
    char name[160];
    if (op == IAMAX)
        snprintf(name, sizeof name, "isamax n=%" PRId64 " incx=%" PRId64 " %s", n, incx, kind_name[k]);
    else
        snprintf(name, sizeof name, "s%s n=%" PRId64 " incx=%" PRId64 " incy=%" PRId64 " %s", reduction_name[op],
                 n, incx, op == DOT ? incy : 0, kind_name[k]);
    finish_case(name, r);
    free(x);
    free(y);
}

static void reductions(void)
{
    /* Odd sizes around the 16- and 64-lane widths and the 4096-element
     * blocks, up to 24 blocks (more than 32 K elements per thread for 3
     * threads); strides with both signs, the pairs used by dot. */
    static const int64_t sizes[] = {1,    2,    15,   16,   17,       63,          64,         65,
                                    1000, 4095, 4096, 4097, 3 * 4096 + 1, 5 * 4096 + 77, 9 * 4096 + 4095,
                                    24 * 4096 + 1003};
    static const int64_t incs[][2] = {{1, 1}, {-1, 2}, {3, -1}, {-7, -5}};
    const size_t n_sizes = sizeof sizes / sizeof sizes[0], n_incs = sizeof incs / sizeof incs[0];
    for (int op = 0; op < REDUCTIONS; op++)
        for (size_t i = 0; i < n_sizes; i++)
            for (size_t j = 0; j < n_incs; j++) {
                const kind k = (kind)((i + j) % 3); /* mixed, positive, wide */
                reduce_d((reduction)op, sizes[i], k, incs[j][0], incs[j][1]);
                reduce_s((reduction)op, sizes[i], k, incs[j][0], incs[j][1]);
            }
    /* The special values, at sizes inside one block, across a few and
     * across the threads' share. */
    static const int64_t special_sizes[] = {17, 4097, 5 * 4096 + 77, 24 * 4096 + 1003};
    for (int op = 0; op < REDUCTIONS; op++)
        for (size_t i = 0; i < sizeof special_sizes / sizeof special_sizes[0]; i++)
            for (int k = KIND_HUGE; k < KINDS; k++) {
                const int64_t inc = i % 2 ? -3 : 1;
                reduce_d((reduction)op, special_sizes[i], (kind)k, inc, 1);
                reduce_s((reduction)op, special_sizes[i], (kind)k, inc, 1);
            }
}

/* ---- GEMV -------------------------------------------------------------- */

/* The digest of y's whole storage (the strided elements and those between),
 * NaNs canonical. */
static void text_vector_d(result_text *r, const double *y, size_t span)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < span; i++) {
        const uint64_t u = bits_d(y[i]);
        h = fnv1a(h, &u, sizeof u);
    }
    snprintf(r->s, sizeof r->s, "y=%016" PRIx64, h);
}

static void text_vector_s(result_text *r, const float *y, size_t span)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < span; i++) {
        const uint32_t u = bits_s(y[i]);
        h = fnv1a(h, &u, sizeof u);
    }
    snprintf(r->s, sizeof r->s, "y=%016" PRIx64, h);
}

typedef struct gemv_case {
    hpk_layout layout;
    hpk_transpose trans;
    int64_t m, n, incx, incy;
    int ab; /* 0: alpha 1, beta 0; 1: random alpha and beta; 2: alpha 0 */
    kind k;
} gemv_case;

static void gemv_shape(const gemv_case *c, int64_t *lda, size_t *a_size, int64_t *nx, int64_t *ny)
{
    *lda = (c->layout == HPK_ROW_MAJOR ? c->n : c->m) + 3; /* padded rows or columns */
    *a_size = (size_t)*lda * (size_t)(c->layout == HPK_ROW_MAJOR ? c->m : c->n);
    *nx = c->trans == HPK_NO_TRANS ? c->n : c->m;
    *ny = c->trans == HPK_NO_TRANS ? c->m : c->n;
}

static void gemv_name(char *name, size_t size, char prec, const gemv_case *c)
{
    snprintf(name, size, "%cgemv %s %s m=%" PRId64 " n=%" PRId64 " incx=%" PRId64 " incy=%" PRId64 " ab=%d %s", prec,
             c->layout == HPK_ROW_MAJOR ? "row" : "col", c->trans == HPK_NO_TRANS ? "N" : "T", c->m, c->n, c->incx,
             c->incy, c->ab, kind_name[c->k]);
}

static void gemv_d(const gemv_case *c)
{
    int64_t lda, nx, ny;
    size_t a_size;
    gemv_shape(c, &lda, &a_size, &nx, &ny);
    const size_t y_span = test_span(ny, c->incy);
    double *a = fill_d(a_size, c->k);
    double *x = fill_d(test_span(nx, c->incx), KIND_MIXED);
    double *y0 = fill_d(y_span, KIND_MIXED);
    double *y = alloc(y_span, sizeof *y);
    const double alpha = c->ab == 0 ? 1.0 : c->ab == 2 ? 0.0 : test_full_d(1, -1);
    const double beta = c->ab == 0 ? 0.0 : test_full_d(0, -2);
    result_text r[BACKENDS_MAX];
    for (int b = 0; b < backends; b++) {
        memcpy(y, y0, y_span * sizeof *y);
        const hpk_status st =
            hpk_dgemv(backend_ctx[b], c->layout, c->trans, c->m, c->n, alpha, a, lda, x, c->incx, beta, y, c->incy);
        if (st != HPK_SUCCESS)
            text_status(&r[b], st);
        else
            text_vector_d(&r[b], y, y_span);
    }
    char name[200];
    gemv_name(name, sizeof name, 'd', c);
    finish_case(name, r);
    free(a);
    free(x);
    free(y0);
    free(y);
}

static void gemv_s(const gemv_case *c)
{
    int64_t lda, nx, ny;
    size_t a_size;
    gemv_shape(c, &lda, &a_size, &nx, &ny);
    const size_t y_span = test_span(ny, c->incy);
    float *a = fill_s(a_size, c->k);
    float *x = fill_s(test_span(nx, c->incx), KIND_MIXED);
    float *y0 = fill_s(y_span, KIND_MIXED);
    float *y = alloc(y_span, sizeof *y);
    const float alpha = c->ab == 0 ? 1.0f : c->ab == 2 ? 0.0f : test_full_s(1, -1);
    const float beta = c->ab == 0 ? 0.0f : test_full_s(0, -2);
    result_text r[BACKENDS_MAX];
    for (int b = 0; b < backends; b++) {
        memcpy(y, y0, y_span * sizeof *y);
        const hpk_status st =
            hpk_sgemv(backend_ctx[b], c->layout, c->trans, c->m, c->n, alpha, a, lda, x, c->incx, beta, y, c->incy);
        if (st != HPK_SUCCESS)
            text_status(&r[b], st);
        else
            text_vector_s(&r[b], y, y_span);
    }
    char name[200];
    gemv_name(name, sizeof name, 's', c);
    finish_case(name, r);
    free(a);
    free(x);
    free(y0);
    free(y);
}

static void gemvs(void)
{
    /* Odd shapes: tiny, around the lanes, a row of more than one 4096-block
     * (dot form) or more than one 256-run (axpy form) either way round, and
     * one large enough for 3 threads. */
    static const int64_t shapes[][2] = {{1, 1}, {3, 5}, {17, 33}, {64, 7}, {130, 67}, {5, 4099}, {4099, 3}, {300, 401}};
    static const int64_t incs[][2] = {{1, 1}, {-2, 3}};
    static const hpk_layout layouts[] = {HPK_ROW_MAJOR, HPK_COL_MAJOR};
    static const hpk_transpose transposes[] = {HPK_NO_TRANS, HPK_TRANS};
    for (int l = 0; l < 2; l++)
        for (int t = 0; t < 2; t++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                for (size_t i = 0; i < sizeof incs / sizeof incs[0]; i++)
                    for (int ab = 0; ab < 3; ab++) {
                        const gemv_case c = {layouts[l], transposes[t], shapes[s][0], shapes[s][1],
                                             incs[i][0], incs[i][1], ab, (kind)((s + i) % 3)};
                        gemv_d(&c);
                        gemv_s(&c);
                    }
    /* Special values in A: overflowing products, subnormal ones, Inf and
     * NaN. */
    for (int l = 0; l < 2; l++)
        for (int t = 0; t < 2; t++)
            for (int k = KIND_HUGE; k < KINDS; k++) {
                const gemv_case c = {layouts[l], transposes[t], 33, 65, 1, -1, 1, (kind)k};
                gemv_d(&c);
                gemv_s(&c);
            }
}

/* ---- Monte Carlo ------------------------------------------------------- */

static void text_mc(result_text *r, hpk_status st, const hpk_mc_result *m)
{
    if (st != HPK_SUCCESS) {
        text_status(r, st);
        return;
    }
    char e[24], se[24];
    text_d(e, sizeof e, m->estimate);
    text_d(se, sizeof se, m->std_error);
    snprintf(r->s, sizeof r->s, "%s %s %" PRIu64, e, se, m->samples);
}

static void mc_pis(void)
{
    static const uint64_t samples[] = {1, 7, 4095, 4096, 4097, 65537, 300001};
    static const uint64_t seeds[] = {0, 1, UINT64_C(0xfeedface12345678)};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        for (size_t j = 0; j < sizeof seeds / sizeof seeds[0]; j++) {
            result_text r[BACKENDS_MAX];
            for (int b = 0; b < backends; b++) {
                hpk_mc_result m = {0};
                text_mc(&r[b], hpk_mc_pi(backend_ctx[b], samples[i], seeds[j], &m), &m);
            }
            char name[96];
            snprintf(name, sizeof name, "mc_pi samples=%" PRIu64 " seed=%" PRIx64, samples[i], seeds[j]);
            finish_case(name, r);
        }
}

enum { DIM_MAX = 5 };

typedef struct coefficients {
    double c[DIM_MAX];
} coefficients;

/* Products summed: a compiler that contracts them into fused multiply-adds
 * changes the integral's last bits (hpk.h, hpk_mc_integrate). */
static double poly_integrand(const double *p, int dim, void *user_data)
{
    const coefficients *k = user_data;
    double v = 1.0;
    for (int d = 0; d < dim; d++)
        v = v + k->c[d] * p[d] * p[(d + 1) % dim];
    return v;
}

/* Division and square root, correctly rounded everywhere. */
static double rational_integrand(const double *p, int dim, void *user_data)
{
    (void)user_data;
    double s = 0.0;
    for (int d = 0; d < dim; d++)
        s = s + p[d] * p[d];
    return sqrt(s) / (1.0 + s);
}

static void mc_integrates(void)
{
    static const int dims[] = {1, 2, 3, 5};
    static const uint64_t samples[] = {1, 2, 4097, 20011};
    static const uint64_t seeds[] = {7, UINT64_C(0x0123456789abcdef)};
    static const struct {
        const char *name;
        hpk_integrand f;
    } integrands[] = {{"poly", poly_integrand}, {"rational", rational_integrand}};
    for (size_t f = 0; f < sizeof integrands / sizeof integrands[0]; f++)
        for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
            for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
                for (size_t j = 0; j < sizeof seeds / sizeof seeds[0]; j++) {
                    coefficients k;
                    double lower[DIM_MAX], upper[DIM_MAX];
                    for (int q = 0; q < DIM_MAX; q++) {
                        int sign = test_sign();
                        k.c[q] = test_full_d(sign, test_int(-2, 2));
                        sign = test_sign();
                        lower[q] = test_full_d(sign, test_int(-3, 1));
                        upper[q] = lower[q] + test_full_d(0, test_int(-1, 2));
                    }
                    result_text r[BACKENDS_MAX];
                    for (int b = 0; b < backends; b++) {
                        hpk_mc_result m = {0};
                        const hpk_status st = hpk_mc_integrate(backend_ctx[b], integrands[f].f, &k, dims[d], lower,
                                                               upper, samples[i], seeds[j], &m);
                        text_mc(&r[b], st, &m);
                    }
                    char name[128];
                    snprintf(name, sizeof name, "mc_integrate %s dim=%d samples=%" PRIu64 " seed=%" PRIx64,
                             integrands[f].name, dims[d], samples[i], seeds[j]);
                    finish_case(name, r);
                }
}

/* ---- main -------------------------------------------------------------- */

static void add_backend(hpk_backend backend, int threads, const char *name)
{
    hpk_ctx *ctx = NULL;
    hpk_status st = hpk_ctx_create(&ctx, backend);
    if (st == HPK_ERR_UNSUPPORTED) {
        fprintf(stderr, "hpk_digest: %s not built in; its lines are missing\n", name);
        return;
    }
    if (st == HPK_SUCCESS && threads > 0)
        st = hpk_ctx_set_num_threads(ctx, threads);
    if (st != HPK_SUCCESS) {
        fprintf(stderr, "hpk_digest: context %s: %s\n", name, hpk_ctx_error_message(ctx));
        exit(2);
    }
    backend_ctx[backends] = ctx;
    backend_name[backends++] = name;
}

int main(int argc, char **argv)
{
    out = stdout;
    if (argc > 1 && !(out = fopen(argv[1], "w"))) {
        fprintf(stderr, "hpk_digest: cannot write %s\n", argv[1]);
        return 2;
    }
    add_backend(HPK_BACKEND_SERIAL, 0, "serial");
    add_backend(HPK_BACKEND_OPENMP, 1, "openmp1");
    add_backend(HPK_BACKEND_OPENMP, 2, "openmp2");
    add_backend(HPK_BACKEND_OPENMP, 3, "openmp3");
    fprintf(stderr, "hpk_digest: hpk %s, CPU path %s\n", hpk_version_string(), hpk_cpu_path());

    test_seed(UINT64_C(0x5eed0f4b1d16e570));
    reductions();
    gemvs();
    mc_pis();
    mc_integrates();

    fprintf(out, "digest %016" PRIx64 " of %ld lines\n", digest, lines);
    fprintf(stderr, "hpk_digest: digest %016" PRIx64 " of %ld lines\n", digest, lines);
    for (int b = 0; b < backends; b++)
        hpk_ctx_destroy(backend_ctx[b]);
    if (fflush(out) != 0 || ferror(out) || (out != stdout && fclose(out) != 0)) {
        fprintf(stderr, "hpk_digest: write error\n");
        return 2;
    }
    if (disagreements) {
        fprintf(stderr, "hpk_digest: %ld results differ from the serial backend's\n", disagreements);
        return 1;
    }
    return 0;
}
