/* hpk_cpu_path(): which HPK__CLONES variant the resolvers chose. */
#include "cpu_path.h"
#include "hpk/hpk.h"

const char *hpk_cpu_path(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
#if defined(HPK_NATIVE_BUILD)
    return "native";
#else
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return "avx512";
    if (__builtin_cpu_supports("avx2"))
        return "avx2";
#endif
#endif
    return "portable";
}
