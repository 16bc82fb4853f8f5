/* The CPU code paths built into the library, which ones this CPU can run,
 * and their backend tables. */
#include "hpk_internal.h"

#include <stdbool.h>
#include <string.h>

#define DECLARE_PATH(path)                          \
    extern const hpk__ops hpk__serial_ops_##path;   \
    extern const hpk__ops hpk__omp_ops_##path;

typedef struct cpu_path {
    const char *name;
    bool (*supported)(void);
    const hpk__ops *serial, *omp;
} cpu_path;

#ifdef HPK_HAVE_OPENMP
#define OMP_OPS(path) &hpk__omp_ops_##path
#else
#define OMP_OPS(path) NULL
#endif

static bool always(void)
{
    return true;
}

#if defined(HPK_PATH_NATIVE)
DECLARE_PATH(native)
static const cpu_path paths[] = {{"native", always, &hpk__serial_ops_native, OMP_OPS(native)}};
#else
DECLARE_PATH(portable)
#if defined(HPK_PATH_X86)
DECLARE_PATH(avx2)
DECLARE_PATH(avx512)

/* The features of the x86-64-v2/v3/v4 levels the kernels are compiled for,
 * by the names both GCC 12 and clang 14 accept: clang 14 rejects the level
 * names and f16c, lzcnt, movbe, xsave, cmpxchg16b and lahf_lm.  x86-64 CPUs
 * with AVX2, BMI2 and FMA have those too, and the avx and avx512 checks
 * include the operating system's support for the wider registers. */
static bool has_x86_64_v3(void)
{
    return __builtin_cpu_supports("sse3") && __builtin_cpu_supports("ssse3") &&
           __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("sse4.2") &&
           __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("avx") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
           __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("fma");
}

static bool has_x86_64_v4(void)
{
    return has_x86_64_v3() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}
#endif

/* Best first. */
static const cpu_path paths[] = {
#if defined(HPK_PATH_X86)
    {"avx512", has_x86_64_v4, &hpk__serial_ops_avx512, OMP_OPS(avx512)},
    {"avx2", has_x86_64_v3, &hpk__serial_ops_avx2, OMP_OPS(avx2)},
#endif
    {"portable", always, &hpk__serial_ops_portable, OMP_OPS(portable)},
};
#endif

/* Every code path hpk has, whether this build has it or not, best first:
 * the names hpk_ctx_set_cpu_path accepts. */
#define CPU_PATH_NAMES(X) X(avx512) X(avx2) X(portable) X(native)
#define AS_STRING(name) #name,
#define AS_TEXT(name) ", " #name
static const char *const known_paths[] = {CPU_PATH_NAMES(AS_STRING)};
const char *const hpk__cpu_path_names = &(CPU_PATH_NAMES(AS_TEXT))[2]; /* past the first ", " */

bool hpk__cpu_path_known(const char *name)
{
    for (size_t i = 0; i < sizeof known_paths / sizeof known_paths[0]; i++)
        if (strcmp(name, known_paths[i]) == 0)
            return true;
    return false;
}

static const cpu_path *find_path(const char *name)
{
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (name ? strcmp(name, paths[i].name) == 0 : paths[i].supported())
            return name && !paths[i].supported() ? NULL : &paths[i];
    return NULL;
}

const hpk__ops *hpk__cpu_ops(hpk_backend backend, const char *path)
{
    const cpu_path *p = find_path(path);
    if (!p)
        return NULL;
    return backend == HPK_BACKEND_SERIAL ? p->serial : backend == HPK_BACKEND_OPENMP ? p->omp : NULL;
}

const char *hpk_cpu_path(void)
{
    return find_path(NULL)->name;
}
