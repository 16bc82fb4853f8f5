/* Shared helpers for the hpk test programs. */
#define _POSIX_C_SOURCE 200809L /* setenv, strdup */
#include "support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hpk_backend test_backend = HPK_BACKEND_SERIAL;
const char *test_backend_name = "serial";

int test_parse_backend(int argc, char **argv)
{
    static const struct {
        const char *name;
        hpk_backend backend;
    } known[] = {{"serial", HPK_BACKEND_SERIAL}, {"openmp", HPK_BACKEND_OPENMP}, {"opencl", HPK_BACKEND_OPENCL}};
    if (argc < 2) {
        fprintf(stderr, "usage: %s serial|openmp|opencl\n", argv[0]);
        return 1;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(argv[1], known[i].name) == 0) {
            test_backend = known[i].backend;
            test_backend_name = known[i].name;
            return 0;
        }
    }
    fprintf(stderr, "%s: unknown backend '%s'\n", argv[0], argv[1]);
    return 1;
}

int test_is_cpu_backend(void)
{
    return test_backend == HPK_BACKEND_SERIAL || test_backend == HPK_BACKEND_OPENMP;
}

hpk_ctx *test_ctx(int threads)
{
    hpk_ctx *ctx = NULL;
    hpk_status st = hpk_ctx_create(&ctx, test_backend);
    if (st != HPK_SUCCESS)
        fail_msg("hpk_ctx_create(%s): %s: %s", test_backend_name, hpk_status_string(st),
                 hpk_ctx_error_message(NULL));
    assert_int_equal(hpk_ctx_set_num_threads(ctx, threads), HPK_SUCCESS);
    return ctx;
}

const char *const test_cpu_paths[TEST_CPU_PATHS] = {"portable", "avx2", "avx512", "native"};

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

void test_seed(uint64_t seed)
{
    rng_state = seed;
}

uint64_t test_next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

double test_uniform(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(test_next_u64() >> 11) * 0x1.0p-53);
}

void test_fill_d(double *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = test_uniform(lo, hi);
}

void test_fill_s(float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)test_uniform(lo, hi);
}

int test_int(int lo, int hi)
{
    return lo + (int)(test_next_u64() % (uint64_t)(hi - lo + 1));
}

int test_sign(void)
{
    return (int)(test_next_u64() >> 63);
}

double test_full_d(int s, int e)
{
    const uint64_t mantissa = test_next_u64() >> 12;
    uint64_t u = (uint64_t)s << 63 | mantissa;
    if (e >= -1022)
        u |= (uint64_t)(e + 1023) << 52;
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

float test_full_s(int s, int e)
{
    const uint32_t mantissa = (uint32_t)(test_next_u64() >> 41);
    uint32_t u = (uint32_t)s << 31 | mantissa;
    if (e >= -126)
        u |= (uint32_t)(e + 127) << 23;
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

void test_fill_wide_d(double *x, size_t n, int emin, int emax)
{
    for (size_t i = 0; i < n; i++) {
        const int s = test_sign();
        x[i] = test_full_d(s, test_int(emin, emax));
    }
}

void test_fill_wide_s(float *x, size_t n, int emin, int emax)
{
    for (size_t i = 0; i < n; i++) {
        const int s = test_sign();
        x[i] = test_full_s(s, test_int(emin, emax));
    }
}

/* The position of a cluster member in lane `lane`: a random element of that
 * lane in block `block` (block 0 if the last, short block has no such lane). */
static int64_t tie_position(int64_t n, int lanes, int lane, int64_t block)
{
    int64_t len = n - block * 4096 < 4096 ? n - block * 4096 : 4096;
    if (lane >= len)
        block = 0, len = n < 4096 ? n : 4096;
    return block * 4096 + lane + lanes * (int64_t)(test_next_u64() % (uint64_t)((len - 1 - lane) / lanes + 1));
}

void test_fill_ties(double *t, int64_t n, int lanes, int acc, int res, int emin, int emax)
{
    enum { MAX_LANES = 64 };
    if (n <= 0)
        return;
    const int e = test_int(emin, emax), s = test_sign();
    const double sign = s ? -1.0 : 1.0;
    int bits = 0; /* n < 2^bits */
    while (bits < 62 && (INT64_C(1) << bits) <= n)
        bits++;
    /* the filler's unit: its total stays below 2^(e-2), on B's grid */
    const int unit = e - 6 - bits > e - res + 1 ? e - 6 - bits : e - res + 1;
    /* the members' lanes: the corners r, r^a, r^b, r^a^b of a square of lanes
     * (a, b distinct powers of two, often neighbours), within the first
     * `span` lanes (span a power of two, at most n); fewer members when n < 4 */
    const int nl = lanes < MAX_LANES ? lanes : MAX_LANES;
    int span = 1, levels = 0;
    while (2 * span <= nl && 2 * span <= n)
        span *= 2, levels++;
    int lane[4] = {0, 1, 2, 3}, members = n < 4 ? (int)n : 4;
    if (levels >= 2) {
        const int ia = test_int(0, levels - 1);
        int ib;
        if (test_int(0, 1)) { /* neighbours */
            ib = ia + 1 < levels ? ia + 1 : ia - 1;
        } else {
            ib = test_int(0, levels - 2);
            ib += ib >= ia;
        }
        const int a = 1 << ia, b = 1 << ib, r = test_int(0, span - 1) & ~a & ~b;
        lane[0] = r, lane[1] = r ^ a, lane[2] = r ^ b, lane[3] = r ^ a ^ b;
    }
    bool taken[MAX_LANES] = {false};
    for (int m = 0; m < members; m++)
        taken[lane[m]] = true;
    for (int64_t i = 0; i < n; i++)
        t[i] = taken[i % 4096 % nl] ? 0.0 : sign * ldexp((double)test_int(0, 15), unit);
    const int64_t blocks = (n - 1) / 4096 + 1, home = (int64_t)(test_next_u64() % (uint64_t)blocks);
    const int c = test_int(0, 1);
    for (int m = 0; m < members; m++) {
        const int64_t block = m == 0 || test_int(0, 1) ? home : (int64_t)(test_next_u64() % (uint64_t)blocks);
        const int sm = test_sign(), j = test_int(0, 3) == 3;
        const double v = m == 0 ? sign * (ldexp(1.0, e) + ldexp((double)c, e - res + 1))
                                : (sm ? -1.0 : 1.0) * ldexp(1.0, m == 1 ? e - res : e - acc - j);
        t[tie_position(n, nl, lane[m], block)] = v;
    }
}

double test_poly(const double *p, int dim, void *user_data)
{
    (void)user_data;
    double s = 1.0;
    for (int d = 0; d < dim; d++)
        s += (d + 1) * p[d] * p[d];
    return s;
}

static const uint64_t poison_bits_d = 0x7FF8DEADBEEF0BADu;
static const uint32_t poison_bits_s = 0x7FC0BADu | 0x7FC00000u;

double test_poison_d(void)
{
    double v;
    memcpy(&v, &poison_bits_d, sizeof v);
    return v;
}

float test_poison_s(void)
{
    float v;
    memcpy(&v, &poison_bits_s, sizeof v);
    return v;
}

int test_is_poison_d(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits == poison_bits_d;
}

int test_is_poison_s(float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits == poison_bits_s;
}

void test_poison_fill_d(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = test_poison_d();
}

void test_poison_fill_s(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = test_poison_s();
}

void *test_alloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        fail_msg("out of memory for %zu bytes", bytes);
    return p;
}

int64_t test_index(int64_t i, int64_t n, int64_t inc)
{
    return inc > 0 ? i * inc : (n - 1 - i) * -inc;
}

int test_variant_contexts(hpk_ctx *ctx[4], const char *names[4])
{
    if (test_is_cpu_backend()) {
        static const int threads[] = {1, 3, 7};
        static const char *const labels[] = {"1 thread", "3 threads", "7 threads"};
        for (int k = 0; k < 3; k++) {
            ctx[k] = test_ctx(threads[k]);
            names[k] = labels[k];
        }
        return 3;
    }
    static const char *const wgs[] = {NULL, "4", "16", "128"};
    static const char *const labels[] = {"default work-group size", "HPK_CL_WGS=4", "HPK_CL_WGS=16",
                                         "HPK_CL_WGS=128"};
    const char *saved = getenv("HPK_CL_WGS");
    char *restore = saved ? strdup(saved) : NULL;
    for (int k = 0; k < 4; k++) {
        if (wgs[k])
            setenv("HPK_CL_WGS", wgs[k], 1);
        ctx[k] = test_ctx(0);
        names[k] = labels[k];
    }
    if (restore)
        setenv("HPK_CL_WGS", restore, 1);
    else
        unsetenv("HPK_CL_WGS");
    free(restore);
    return 4;
}
