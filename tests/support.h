/* Shared helpers for the hpk test programs: the backend under test, seeded
 * random data, poisoned buffers, and long-double reference arithmetic. */
#ifndef HPK_TEST_SUPPORT_H
#define HPK_TEST_SUPPORT_H

#include <hpk/hpk.h>

#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* The backend named on the command line ("serial", "openmp", "opencl"). */
extern hpk_backend test_backend;
extern const char *test_backend_name;

/* Parses argv[1] into test_backend; returns nonzero (after a message on
 * stderr) if it is missing or unknown. */
int test_parse_backend(int argc, char **argv);

/* Whether the backend under test runs on the CPU (serial, OpenMP), whose
 * results are bitwise those of the serial backend at every thread count.  An
 * OpenCL device's results repeat from run to run but are grouped
 * differently (hpk_cl.h). */
int test_is_cpu_backend(void);

/* A fresh context for the backend under test, with `threads` threads (0: the
 * default); fails the test if it cannot be created. */
hpk_ctx *test_ctx(int threads);

/* Contexts of the backend under test that must all give the serial
 * backend's bits: OpenMP (and serial) with 1, 3 and 7 threads; OpenCL with
 * the default work-group size and HPK_CL_WGS = 4, 16 and 128 (read when a
 * context is created), down to groups smaller than a block's lanes.  Fills
 * ctx[] and names[] and returns how many (at most 4). */
int test_variant_contexts(hpk_ctx *ctx[4], const char *names[4]);

/* Every CPU code path of hpk's (hpk_ctx_set_cpu_path), whether this build
 * and CPU have it or not. */
enum { TEST_CPU_PATHS = 4 };
extern const char *const test_cpu_paths[TEST_CPU_PATHS];

/* Deterministic pseudo-random numbers (splitmix64), independent of hpk. */
void test_seed(uint64_t seed);
uint64_t test_next_u64(void);
double test_uniform(double lo, double hi);
void test_fill_d(double *x, size_t n, double lo, double hi);
void test_fill_s(float *x, size_t n, float lo, float hi);

/* From the same generator: an integer in [lo, hi]; a random sign, 0 or 1; a
 * double (float) with sign s, unbiased exponent e (normal range) and a
 * random full mantissa -- e below the normal range gives a subnormal.
 * Callers draw s and e in separate statements: the order in which a call's
 * arguments are evaluated differs between compilers (and between GCC's x86
 * and Arm targets), and the numbers must not. */
int test_int(int lo, int hi);
int test_sign(void);
double test_full_d(int s, int e);
float test_full_s(int s, int e);

/* Data over a precision's whole exponent range: n numbers with random
 * signs, full mantissas and exponents drawn uniformly from [emin, emax].
 * The TEST_WIDE_* ranges keep every sum of such numbers finite and, in
 * float, every number normal; the *_HALF ones also every product of two. */
void test_fill_wide_d(double *x, size_t n, int emin, int emax);
void test_fill_wide_s(float *x, size_t n, int emin, int emax);
#define TEST_WIDE_D_MIN (-1022)
#define TEST_WIDE_D_MAX 1000
#define TEST_WIDE_D_HALF_MIN (-511)
#define TEST_WIDE_D_HALF_MAX 500
#define TEST_WIDE_S_MIN (-126)
#define TEST_WIDE_S_MAX 110
#define TEST_WIDE_S_HALF_MIN (-63)
#define TEST_WIDE_S_HALF_MAX 55

/* Terms built to land on rounding ties, so that any change in the order of
 * the additions of the canonical order (lanes, their fold, the block tree)
 * shows in the result.  t[0 .. n) gets a cluster of up to four members
 *   B = +-(2^e + c 2^(e - res + 1))  (e from [emin, emax], c 0 or 1),
 *   h = +-2^(e - res)                (half an ulp of B in the result's
 *                                     precision of res digits: B + h is a tie),
 *   two tinies +-2^(e - acc - j)     (j 0 or 1: half or a quarter of an ulp
 *                                     of B in the accumulators' precision of
 *                                     acc digits: B + tiny is a tie or rounds
 *                                     down, tiny + tiny is exact)
 * in lanes r, r^a, r^b and r^a^b (lane: index mod 4096, mod `lanes`; a, b
 * distinct powers of two, often neighbours) of one block or of random
 * blocks, and a filler: in every other lane, small multiples of a power of
 * two no smaller than an ulp of B in the result's precision, with B's sign,
 * whose sums are exact in every order (and with B, and with h or a tiny).
 * A fold that pairs lanes across a before b (or b before a) rounds
 * differently.  The example, ssum of 2^30, 2^6, 2^-23, 2^-23 in
 * lanes 0, 16, 32, 48, is such a cluster: 1073741824 in order.h's fold,
 * 1073741952 if lanes 0 and 16 meet first.
 * Float data: res 24 (acc 53 where sums are in double), e in [-60, 100];
 * double data: res = acc = 53, e in [-900, 900]. */
void test_fill_ties(double *t, int64_t n, int lanes, int acc, int res, int emin, int emax);
#define TEST_TIES_S_EMIN (-60)
#define TEST_TIES_S_EMAX 100
#define TEST_TIES_D_EMIN (-900)
#define TEST_TIES_D_EMAX 900

/* Poison: a quiet NaN with a recognisable payload, so that an element never
 * written by a kernel is told apart from any computed value. */
double test_poison_d(void);
float test_poison_s(void);
int test_is_poison_d(double v);
int test_is_poison_s(float v);
void test_poison_fill_d(double *x, size_t n);
void test_poison_fill_s(float *x, size_t n);

/* malloc that fails the test on failure. */
void *test_alloc(size_t bytes);

/* Offset of logical element i of a strided vector of n elements (BLAS rule:
 * negative increments walk from the end). */
int64_t test_index(int64_t i, int64_t n, int64_t inc);

/* Elements spanned by a strided vector of n elements: (n-1)|inc| + 1, 0
 * when n == 0. */
static inline size_t test_span(int64_t n, int64_t inc)
{
    return n == 0 ? 0 : (size_t)((n - 1) * (inc < 0 ? -inc : inc) + 1);
}

/* Whether element k of the storage is one of the vector's elements. */
static inline bool test_is_strided(size_t k, int64_t n, int64_t inc)
{
    return k < test_span(n, inc) && k % (size_t)(inc < 0 ? -inc : inc) == 0;
}

/* A small polynomial integrand, in C (test_poly) and in OpenCL C
 * (TEST_POLY_CL) with the same values bit for bit: only + and *, which
 * neither side contracts into fused multiply-add. */
double test_poly(const double *p, int dim, void *user_data);
#define TEST_POLY_CL \
    "double hpk_integrand(const double *p, int dim)\n" \
    "{\n" \
    "    double s = 1.0;\n" \
    "    for (int d = 0; d < dim; d++)\n" \
    "        s += (d + 1) * p[d] * p[d];\n" \
    "    return s;\n" \
    "}\n"

/* Unit roundoff of each precision. */
#define TEST_EPS_D 0x1p-53
#define TEST_EPS_S 0x1p-24

#endif /* HPK_TEST_SUPPORT_H */
