/* Run-time selection of the CPU code path.  Hot kernels carry HPK__CLONES:
 * GCC compiles them once per path and an ifunc resolver picks one at load
 * time, in the same order as hpk_cpu_path() reports it.  The arithmetic is
 * the same on every path (no FMA contraction), so only the speed differs. */
#ifndef HPK_CPU_PATH_H
#define HPK_CPU_PATH_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(HPK_NATIVE_BUILD)
#define HPK__CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HPK__CLONES
#endif

#endif /* HPK_CPU_PATH_H */
