/* Properties of the CPU that the kernels tune by, measured rather than
 * derived from its features (docs/PERFORMANCE.md, sixth and eighth
 * rounds). */
#include "hpk_internal.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

/* AMD Zen 4: AMD's family 25 (Zen 3 and Zen 4) with AVX-512. */
static bool zen4(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_is("amdfam19h") && __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

/* What decides hpk__streams_pay, computed once (every thread computes the
 * same): HPK_SEVERAL_STREAMS (hpk.h), else this CPU. */
enum { STREAMS_UNKNOWN, STREAMS_NEVER, STREAMS_ZEN4, STREAMS_WHEREVER_THEY_FIT };

static int streams_rule(void)
{
    static atomic_int known;
    int v = atomic_load_explicit(&known, memory_order_relaxed);
    if (v == STREAMS_UNKNOWN) {
        const char *env = hpk__getenv("HPK_SEVERAL_STREAMS");
        v = env && strcmp(env, "0") == 0              ? STREAMS_NEVER
            : !(env && strcmp(env, "1") == 0) && zen4() ? STREAMS_ZEN4
                                                        : STREAMS_WHEREVER_THEY_FIT;
        atomic_store_explicit(&known, v, memory_order_relaxed);
    }
    return v;
}

/* One core reading memory as several streams at once, against one stream,
 * in the study's paired measurements (hpk against OpenBLAS round by
 * round): on Zen 4 double sum and asum reading four blocks got 1.1-1.2x,
 * but two streams 0.82-0.97x, float data reading four blocks 0.80-0.90x
 * (sdot, sasum, ssum; two blocks of sdot 0.83-0.88x), and dot products of
 * double data 0.87-0.96x (two blocks on avx2, four on avx512).  On Zen 3
 * two streams got 1.12-1.21x and four 1.5x. */
bool hpk__streams_pay(int streams, bool f32, bool dot)
{
    switch (streams_rule()) {
    case STREAMS_NEVER: return false;
    case STREAMS_ZEN4: return streams != 2 && !f32 && !dot;
    default: return true;
    }
}
