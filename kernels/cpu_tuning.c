/* Properties of the CPU that the kernels tune by, measured rather than
 * derived from its features (docs/PERFORMANCE.md, sixth round). */
#include "hpk_internal.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

/* One core reading memory as two streams at once got 1.12-1.21x of one
 * stream's bandwidth from DRAM on Zen 3, and 0.82-0.97x on Zen 4 (where
 * four streams got 1.1-1.3x): false on Zen 4, true elsewhere, unless
 * HPK_TWO_STREAMS says (hpk.h). */
static bool two_streams_pay(void)
{
    const char *v = hpk__getenv("HPK_TWO_STREAMS");
    if (v && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0))
        return v[0] == '1';
#if defined(__x86_64__) || defined(__i386__)
    /* Zen 4: AMD's family 25 (Zen 3 and Zen 4) with AVX-512 */
    return !(__builtin_cpu_is("amdfam19h") && __builtin_cpu_supports("avx512f"));
#else
    return true;
#endif
}

bool hpk__two_streams_pay(void)
{
    static atomic_int known; /* 0: not asked yet, 1: no, 2: yes; every thread computes the same */
    int v = atomic_load_explicit(&known, memory_order_relaxed);
    if (v == 0) {
        v = two_streams_pay() ? 2 : 1;
        atomic_store_explicit(&known, v, memory_order_relaxed);
    }
    return v == 2;
}
