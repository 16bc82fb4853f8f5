/* Every backend against the serial one, bitwise, from one list of kernels
 * (KERNELS below: a new kernel is one line there).
 *
 * The backends: OpenMP with 1, 3 and 7 threads (test_variant_contexts), the
 * serial backend and OpenMP (3 threads) on each CPU code path this machine
 * runs, and -- in a build with OpenCL, when a device with fp64 exists -- the
 * OpenCL backend at four work-group sizes (test_variant_contexts again).
 * hpk.h ("Reproducibility") and hpk_cl.h promise the serial backend's bits
 * from each of them: a result (with its status) that differs in one bit
 * fails the kernel's test, naming the backend and the case.
 *
 * The data: full-mantissa pseudo-random numbers over many binades (so that
 * any change of order shows in the last bits) from the tests' generator
 * (support.h), the same for every backend; each case again with clusters
 * built to land on rounding ties (where float results, summed in double and
 * rounded once, show a change of order) and with numbers over each
 * precision's whole exponent range; odd sizes around the lanes and
 * the 4096-element blocks; increments of both signs; outputs poisoned before
 * every call (a GEMV's y between its strided elements, and all of y when
 * beta == 0), and the reference call must have changed them. */
#include "support.h"

#if HPK_TEST_HAVE_OPENCL
#include <hpk/hpk_cl.h>
#endif

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the problems ------------------------------------------------------------------- */

/* What a kernel takes: each family has its own list of cases (below). */
typedef enum family { REDUCTION, GEMV, MONTE_CARLO } family;

typedef struct problem {
    /* reductions: n, x, y, incx, incy; GEMV: all but the Monte Carlo fields */
    hpk_layout layout;
    hpk_transpose trans;
    int64_t m, n, lda, incx, incy;
    double alpha, beta; /* exact in float too */
    double *xd, *yd, *ad, *y0d;
    float *xs, *ys, *as, *y0s; /* y0: y before the call (poison between its elements) */
    size_t y_span;
    /* Monte Carlo */
    uint64_t samples, seed;
    int dim;
    double lower[5], upper[5];
    char what[160]; /* the case, for messages */
} problem;

/* n full-mantissa numbers of both signs in each precision, magnitudes
 * 2^-20 .. 2^20 (float: 2^-10 .. 2^10). */
static void random_data(size_t n, double **d, float **f)
{
    *d = test_alloc(n * sizeof **d);
    *f = test_alloc(n * sizeof **f);
    for (size_t i = 0; i < n; i++) {
        const int s = test_sign();
        (*d)[i] = test_full_d(s, test_int(-20, 20));
        (*f)[i] = test_full_s(s, test_int(-10, 10));
    }
}

/* y before a GEMV: poison, with random elements at the strided positions
 * unless beta == 0 (y is not read then). */
static void make_y0(problem *p, int64_t ny)
{
    p->y_span = test_span(ny, p->incy);
    p->y0d = test_alloc(p->y_span * sizeof *p->y0d);
    p->y0s = test_alloc(p->y_span * sizeof *p->y0s);
    test_poison_fill_d(p->y0d, p->y_span);
    test_poison_fill_s(p->y0s, p->y_span);
    if (p->beta != 0.0)
        for (int64_t i = 0; i < ny; i++) {
            const int s = test_sign();
            p->y0d[test_index(i, ny, p->incy)] = test_full_d(s, test_int(-4, 4));
            p->y0s[test_index(i, ny, p->incy)] = test_full_s(s, test_int(-4, 4));
        }
}

/* The kinds of data of the reductions and GEMVs: the random data above, then
 * (support.h) clusters built to land on rounding ties -- x (a reduction's,
 * or each row of op(A) times x) holds the terms, y a constant +-2^j for dot
 * (x_k +-2^j and A = t / x for GEMV) -- and numbers over each precision's
 * whole exponent range (products over most of it). */
enum { DATA_RANDOM, DATA_TIES, DATA_WIDE, DATA_KINDS };

/* Overwrites logical elements [0, n) of x (storage increment inc) in both
 * precisions with terms for the data kind, from t (ties) or drawn here. */
static void put_terms(double *xd, float *xs, int64_t n, int64_t inc, const double *td, const double *ts)
{
    for (int64_t i = 0; i < n; i++) {
        xd[test_index(i, n, inc)] = td[i];
        xs[test_index(i, n, inc)] = (float)ts[i];
    }
}

/* Fills the n terms of both precisions: ties (lanes of the reductions or of
 * a GEMV's dot form; a GEMV's float t accumulates in float), or wide
 * numbers over [emin, emax] of each precision. */
static void make_terms(int data, bool gemv, int64_t n, double *td, double *ts, bool half)
{
    if (data == DATA_TIES) {
        test_fill_ties(td, n, 16, 53, 53, TEST_TIES_D_EMIN, TEST_TIES_D_EMAX);
        test_fill_ties(ts, n, 64, gemv ? 24 : 53, 24, TEST_TIES_S_EMIN, TEST_TIES_S_EMAX);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        const int s = test_sign(), e = half ? test_int(TEST_WIDE_D_HALF_MIN, TEST_WIDE_D_HALF_MAX)
                                            : test_int(TEST_WIDE_D_MIN, TEST_WIDE_D_MAX);
        const int es = half ? test_int(TEST_WIDE_S_HALF_MIN, TEST_WIDE_S_HALF_MAX)
                            : test_int(TEST_WIDE_S_MIN, TEST_WIDE_S_MAX);
        td[i] = test_full_d(s, e);
        ts[i] = test_full_s(s, es);
    }
}

/* y of a wide dot: each y_i's exponent keeps x_i y_i finite and normal. */
static double wide_partner(double x, int lo, int hi)
{
    const int ex = ilogb(x), s = test_sign();
    const int e = test_int(lo - ex > lo ? lo - ex : lo, hi - ex < hi ? hi - ex : hi);
    return hi > 200 ? test_full_d(s, e) : (double)test_full_s(s, e);
}

/* The reduction data of a kind other than DATA_RANDOM over p's random data. */
static void reduction_data(problem *p, int data)
{
    double *td = test_alloc((size_t)p->n * sizeof *td), *ts = test_alloc((size_t)p->n * sizeof *ts);
    make_terms(data, false, p->n, td, ts, false);
    put_terms(p->xd, p->xs, p->n, p->incx, td, ts);
    const int s = test_sign(), j = test_int(-2, 2);
    for (int64_t i = 0; i < p->n; i++) {
        td[i] = data == DATA_TIES ? ldexp(s ? -1.0 : 1.0, j) : wide_partner(td[i], -1020, 1000);
        ts[i] = data == DATA_TIES ? td[i] : wide_partner(ts[i], -124, 110);
    }
    put_terms(p->yd, p->ys, p->n, p->incy, td, ts);
    free(td), free(ts);
}

/* The GEMV data of a kind other than DATA_RANDOM over p's random data. */
static void gemv_data(problem *p, int data)
{
    const int64_t nx = p->trans == HPK_NO_TRANS ? p->n : p->m, ny = p->trans == HPK_NO_TRANS ? p->m : p->n;
    double *xd = test_alloc((size_t)nx * sizeof *xd), *xs = test_alloc((size_t)nx * sizeof *xs);
    double *td = test_alloc((size_t)nx * sizeof *td), *ts = test_alloc((size_t)nx * sizeof *ts);
    if (data == DATA_TIES)
        for (int64_t k = 0; k < nx; k++) {
            const int s = test_sign();
            xd[k] = xs[k] = ldexp(s ? -1.0 : 1.0, test_int(-2, 2));
        }
    else
        make_terms(data, true, nx, xd, xs, true);
    put_terms(p->xd, p->xs, nx, p->incx, xd, xs);
    for (int64_t r = 0; r < ny; r++) {
        make_terms(data, true, nx, td, ts, true);
        for (int64_t k = 0; k < nx; k++) {
            /* op(A)'s element (r, k): A's (r, k), or (k, r) transposed */
            const int64_t i = p->trans == HPK_NO_TRANS ? r : k, j = p->trans == HPK_NO_TRANS ? k : r;
            const size_t at = (size_t)(p->layout == HPK_ROW_MAJOR ? i * p->lda + j : i + j * p->lda);
            p->ad[at] = data == DATA_TIES ? td[k] / xd[k] : td[k];
            p->as[at] = (float)(data == DATA_TIES ? ts[k] / xs[k] : ts[k]);
        }
    }
    free(xd), free(xs), free(td), free(ts);
}

static const int64_t reduction_sizes[] = {1, 17, 64, 4095, 4097, 5 * 4096 + 77, 24 * 4096 + 1003};
static const int64_t reduction_incs[][2] = {{1, 1}, {-3, 2}, {2, -1}};
#define NINCS (sizeof reduction_incs / sizeof reduction_incs[0])

static const int64_t gemv_shapes[][2] = {{1, 1}, {17, 33}, {130, 67}, {5, 4099}, {300, 401}};
static const int64_t gemv_incs[][2] = {{1, 1}, {-2, 3}};
#define NSHAPES (sizeof gemv_shapes / sizeof gemv_shapes[0])
#define NGEMV_INCS (sizeof gemv_incs / sizeof gemv_incs[0])

static const struct {
    uint64_t samples, seed;
    int dim;
} mc_cases[] = {{1, 0, 1}, {4097, 7, 2}, {3 * 4096 + 77, UINT64_C(0xfeedface12345678), 3}, {65537, 1, 5}};

static size_t case_count(family f)
{
    switch (f) {
    case REDUCTION: return DATA_KINDS * sizeof reduction_sizes / sizeof reduction_sizes[0] * NINCS;
    case GEMV: return DATA_KINDS * 2 * 2 * NSHAPES * NGEMV_INCS * 2; /* data, layouts, transposes, shapes, increments, alpha/beta */
    default: return sizeof mc_cases / sizeof mc_cases[0];
    }
}

/* Case k of family f, the same data for every kernel of the family. */
static void make_case(family f, size_t k, problem *p)
{
    memset(p, 0, sizeof *p);
    test_seed(0x5eed0000u + 1000u * (unsigned)f + k);
    const size_t per_kind = f == MONTE_CARLO ? case_count(f) : case_count(f) / DATA_KINDS;
    const int data = (int)(k / per_kind);
    static const char *const data_names[DATA_KINDS] = {"random", "ties", "wide"};
    k %= per_kind;
    if (f == REDUCTION) {
        p->n = reduction_sizes[k / NINCS];
        p->incx = reduction_incs[k % NINCS][0];
        p->incy = reduction_incs[k % NINCS][1];
        random_data(test_span(p->n, p->incx), &p->xd, &p->xs);
        random_data(test_span(p->n, p->incy), &p->yd, &p->ys);
        if (data != DATA_RANDOM)
            reduction_data(p, data);
        snprintf(p->what, sizeof p->what, "%s data, n=%" PRId64 " incx=%" PRId64 " incy=%" PRId64,
                 data_names[data], p->n, p->incx, p->incy);
    } else if (f == GEMV) {
        const size_t ab = k % 2, inc = k / 2 % NGEMV_INCS, shape = k / 2 / NGEMV_INCS % NSHAPES;
        const size_t kind = k / 2 / NGEMV_INCS / NSHAPES; /* layout and transpose */
        p->layout = kind % 2 ? HPK_COL_MAJOR : HPK_ROW_MAJOR;
        p->trans = kind / 2 ? HPK_TRANS : HPK_NO_TRANS;
        p->m = gemv_shapes[shape][0];
        p->n = gemv_shapes[shape][1];
        p->incx = gemv_incs[inc][0];
        p->incy = gemv_incs[inc][1];
        p->lda = (p->layout == HPK_ROW_MAJOR ? p->n : p->m) + 3; /* padded rows or columns */
        p->alpha = ab ? -1.375 : 1.0;
        p->beta = ab ? 0.625 : 0.0;
        const size_t a_size = (size_t)p->lda * (size_t)(p->layout == HPK_ROW_MAJOR ? p->m : p->n);
        const int64_t nx = p->trans == HPK_NO_TRANS ? p->n : p->m, ny = p->trans == HPK_NO_TRANS ? p->m : p->n;
        random_data(a_size, &p->ad, &p->as);
        random_data(test_span(nx, p->incx), &p->xd, &p->xs);
        make_y0(p, ny);
        if (data != DATA_RANDOM)
            gemv_data(p, data);
        snprintf(p->what, sizeof p->what,
                 "%s data, %s %s m=%" PRId64 " n=%" PRId64 " incx=%" PRId64 " incy=%" PRId64 " alpha=%g beta=%g",
                 data_names[data], p->layout == HPK_ROW_MAJOR ? "row-major" : "column-major",
                 p->trans == HPK_NO_TRANS ? "no-trans" : "trans", p->m, p->n, p->incx, p->incy, p->alpha, p->beta);
    } else {
        p->samples = mc_cases[k].samples;
        p->seed = mc_cases[k].seed;
        p->dim = mc_cases[k].dim;
        for (int d = 0; d < p->dim; d++) {
            const int s = test_sign();
            p->lower[d] = test_full_d(s, test_int(-3, 1));
            p->upper[d] = p->lower[d] + test_full_d(0, test_int(-1, 2));
        }
        snprintf(p->what, sizeof p->what, "samples=%" PRIu64 " seed=%" PRIx64 " dim=%d", p->samples, p->seed,
                 p->dim);
    }
}

static void free_case(problem *p)
{
    free(p->xd), free(p->yd), free(p->ad), free(p->y0d);
    free(p->xs), free(p->ys), free(p->as), free(p->y0s);
}

/* hpk_mc_integrate of test_poly, or on an OpenCL context
 * hpk_cl_mc_integrate of its OpenCL C twin (the same values, bit for bit). */
static hpk_status integrate(hpk_ctx *ctx, const problem *p, hpk_mc_result *out)
{
#if HPK_TEST_HAVE_OPENCL
    if (hpk_ctx_get_backend(ctx) == HPK_BACKEND_OPENCL)
        return hpk_cl_mc_integrate(ctx, TEST_POLY_CL, p->dim, p->lower, p->upper, p->samples, p->seed, out);
#endif
    return hpk_mc_integrate(ctx, test_poly, NULL, p->dim, p->lower, p->upper, p->samples, p->seed, out);
}

/* ---- the kernels: X(name, family, result type, the call on ctx, problem p, out) ------ */

#define KERNELS(X)                                                                                               \
    X(dsum, REDUCTION, double, hpk_dsum(ctx, p->n, p->xd, p->incx, out))                                         \
    X(ssum, REDUCTION, float, hpk_ssum(ctx, p->n, p->xs, p->incx, out))                                          \
    X(dasum, REDUCTION, double, hpk_dasum(ctx, p->n, p->xd, p->incx, out))                                       \
    X(sasum, REDUCTION, float, hpk_sasum(ctx, p->n, p->xs, p->incx, out))                                        \
    X(dnrm2, REDUCTION, double, hpk_dnrm2(ctx, p->n, p->xd, p->incx, out))                                       \
    X(snrm2, REDUCTION, float, hpk_snrm2(ctx, p->n, p->xs, p->incx, out))                                        \
    X(ddot, REDUCTION, double, hpk_ddot(ctx, p->n, p->xd, p->incx, p->yd, p->incy, out))                         \
    X(sdot, REDUCTION, float, hpk_sdot(ctx, p->n, p->xs, p->incx, p->ys, p->incy, out))                          \
    X(idamax, REDUCTION, int64_t, hpk_idamax(ctx, p->n, p->xd, p->incx, out))                                    \
    X(isamax, REDUCTION, int64_t, hpk_isamax(ctx, p->n, p->xs, p->incx, out))                                    \
    X(dgemv, GEMV, double,                                                                                       \
      hpk_dgemv(ctx, p->layout, p->trans, p->m, p->n, p->alpha, p->ad, p->lda, p->xd, p->incx, p->beta, out,     \
                p->incy))                                                                                        \
    X(sgemv, GEMV, float,                                                                                        \
      hpk_sgemv(ctx, p->layout, p->trans, p->m, p->n, (float)p->alpha, p->as, p->lda, p->xs, p->incx,            \
                (float)p->beta, out, p->incy))                                                                   \
    X(mc_pi, MONTE_CARLO, hpk_mc_result, hpk_mc_pi(ctx, p->samples, p->seed, out))                               \
    X(mc_integrate, MONTE_CARLO, hpk_mc_result, integrate(ctx, p, out))

typedef struct kernel {
    const char *name;
    family family;
    size_t out_size; /* bytes of one result element */
    hpk_status (*call)(hpk_ctx *ctx, const problem *p, void *out);
} kernel;

#define CALL(name, family, T, call)                                                                              \
    static hpk_status call_##name(hpk_ctx *ctx, const problem *p, void *out)                                     \
    {                                                                                                            \
        return call;                                                                                             \
    }
KERNELS(CALL)
#undef CALL

#define ENTRY(name, family, T, call) {#name, family, sizeof(T), call_##name},
static const kernel kernels[] = {KERNELS(ENTRY)};
#undef ENTRY

/* ---- the backends ------------------------------------------------------------------- */

enum { MAX_BACKENDS = 32 };

static hpk_ctx *reference; /* serial */
static hpk_ctx *backend_ctx[MAX_BACKENDS];
static char backend_name[MAX_BACKENDS][64];
static int backends;

static void add(hpk_ctx *ctx, const char *fmt, const char *a, const char *b)
{
    assert_true(backends < MAX_BACKENDS);
    backend_ctx[backends] = ctx;
    snprintf(backend_name[backends++], sizeof backend_name[0], fmt, a, b);
}

/* test_variant_contexts of a backend (it makes them for test_backend). */
static void add_variants(hpk_backend backend, const char *name)
{
    test_backend = backend;
    test_backend_name = name;
    hpk_ctx *ctx[4];
    const char *labels[4];
    const int n = test_variant_contexts(ctx, labels);
    for (int k = 0; k < n; k++)
        add(ctx[k], "%s, %s", name, labels[k]);
    test_backend = HPK_BACKEND_SERIAL;
    test_backend_name = "serial";
}

/* The serial backend and OpenMP with 3 threads on each CPU code path. */
static void add_cpu_paths(void)
{
    for (int b = 0; b < 1 + HPK_TEST_HAVE_OPENMP; b++)
        for (int k = 0; k < TEST_CPU_PATHS; k++) {
            hpk_ctx *ctx = NULL;
            assert_int_equal(hpk_ctx_create(&ctx, b ? HPK_BACKEND_OPENMP : HPK_BACKEND_SERIAL), HPK_SUCCESS);
            assert_int_equal(hpk_ctx_set_num_threads(ctx, 3), HPK_SUCCESS);
            const hpk_status st = hpk_ctx_set_cpu_path(ctx, test_cpu_paths[k]);
            if (st == HPK_ERR_UNSUPPORTED) {
                hpk_ctx_destroy(ctx);
                continue;
            }
            assert_int_equal(st, HPK_SUCCESS);
            add(ctx, "%s on the %s path", b ? "openmp, 3 threads," : "serial", test_cpu_paths[k]);
        }
}

/* OpenCL, when the build has it and a device with fp64 exists (without
 * fp64 double-precision calls are unsupported and float reductions are
 * within rounding, hpk_cl.h). */
static void add_opencl(void)
{
#if HPK_TEST_HAVE_OPENCL
    hpk_ctx *probe = NULL;
    if (hpk_ctx_create(&probe, HPK_BACKEND_OPENCL) != HPK_SUCCESS) {
        fprintf(stderr, "test_backends: no OpenCL device (%s): OpenCL not compared\n", hpk_ctx_error_message(NULL));
        return;
    }
    const double one = 1.0;
    double r;
    const hpk_status st = hpk_dsum(probe, 1, &one, 1, &r);
    hpk_ctx_destroy(probe);
    if (st == HPK_ERR_UNSUPPORTED) {
        fprintf(stderr, "test_backends: the OpenCL device has no fp64: OpenCL not compared\n");
        return;
    }
    add_variants(HPK_BACKEND_OPENCL, "opencl");
#endif
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(hpk_ctx_create(&reference, HPK_BACKEND_SERIAL), HPK_SUCCESS);
    if (HPK_TEST_HAVE_OPENMP)
        add_variants(HPK_BACKEND_OPENMP, "openmp");
    add_cpu_paths();
    add_opencl();
    fprintf(stderr, "test_backends: %d backends against the serial one (CPU path %s):\n", backends,
            hpk_ctx_get_cpu_path(reference));
    for (int b = 0; b < backends; b++)
        fprintf(stderr, "  %s\n", backend_name[b]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int b = 0; b < backends; b++)
        hpk_ctx_destroy(backend_ctx[b]);
    hpk_ctx_destroy(reference);
    return 0;
}

/* ---- one test per kernel ------------------------------------------------------------ */

/* The output before the call: y0 for GEMV, else poison (all bits set: a NaN,
 * index -1 -- never the answer for n >= 1 -- or a NaN Monte Carlo result
 * of UINT64_MAX samples). */
static void prepare(const kernel *k, const problem *p, void *out, size_t bytes)
{
    if (k->family == GEMV)
        memcpy(out, k->out_size == sizeof(float) ? (const void *)p->y0s : (const void *)p->y0d, bytes);
    else
        memset(out, 0xff, bytes);
}

static void test_kernel(void **state)
{
    const kernel *k = *state;
    const size_t cases = case_count(k->family);
    for (size_t c = 0; c < cases; c++) {
        problem p;
        make_case(k->family, c, &p);
        const size_t bytes = k->out_size * (k->family == GEMV ? p.y_span : 1);
        unsigned char *want = test_alloc(bytes), *got = test_alloc(bytes), *before = test_alloc(bytes);
        prepare(k, &p, before, bytes);
        memcpy(want, before, bytes);
        hpk_status st = k->call(reference, &p, want);
        if (st != HPK_SUCCESS)
            fail_msg("%s (%s) on the serial backend: %s: %s", k->name, p.what, hpk_status_string(st),
                     hpk_ctx_error_message(reference));
        if (memcmp(want, before, bytes) == 0)
            fail_msg("%s (%s) on the serial backend left its output as it was", k->name, p.what);
        for (int b = 0; b < backends; b++) {
            memcpy(got, before, bytes);
            st = k->call(backend_ctx[b], &p, got);
            if (st != HPK_SUCCESS)
                fail_msg("%s (%s) on %s: %s: %s", k->name, p.what, backend_name[b], hpk_status_string(st),
                         hpk_ctx_error_message(backend_ctx[b]));
            if (memcmp(got, want, bytes) != 0) {
                size_t at = 0;
                while (got[at] == want[at])
                    at++;
                fail_msg("%s (%s) on %s differs from the serial backend (first at byte %zu of %zu)", k->name,
                         p.what, backend_name[b], at, bytes);
            }
        }
        free(want), free(got), free(before);
        free_case(&p);
    }
}

int main(void)
{
#define TEST(name, family, T, call) {#name, test_kernel, NULL, NULL, (void *)&kernels[K_##name]},
    enum {
#define INDEX(name, family, T, call) K_##name,
        KERNELS(INDEX)
#undef INDEX
    };
    const struct CMUnitTest tests[] = {KERNELS(TEST)};
#undef TEST
    return cmocka_run_group_tests_name("every backend against serial", tests, setup, teardown);
}
