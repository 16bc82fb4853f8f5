/* The CPU kernels shared by the serial and OpenMP backends.  Each takes
 * checked arguments and runs through ctx->ops->runner, so both backends
 * execute the same arithmetic in the same order.
 *
 * The kernel sources are compiled once per CPU code path (portable, avx2,
 * avx512; see kernels/CMakeLists.txt) with that path's -march and HPK__PATH
 * set to its name.  Within one compilation, HPK__CPU(dgemv) and the others
 * name that path's copy (hpk__cpu_dgemv_avx2, ...); kernels/cpu_path.c picks
 * a path's tables at run time. */
#ifndef HPK_CPU_KERNELS_H
#define HPK_CPU_KERNELS_H

#include "hpk_internal.h"

#ifndef HPK__PATH
#error "compile the CPU kernels through kernels/CMakeLists.txt, which sets HPK__PATH"
#endif
#define HPK__CAT2(a, b) a##_##b
#define HPK__CAT(a, b) HPK__CAT2(a, b)
#define HPK__PATH_FN(name) HPK__CAT(name, HPK__PATH)
#define HPK__PATH_NAME HPK__STR(HPK__PATH)

/* The CPU kernels: one per entry of hpk__ops that they fill, by that entry's
 * name.  This list is the only one: it declares each path's kernels (below)
 * and fills its backend tables (HPK__CPU_KERNELS, kernels/cpu_ops.c). */
#define HPK__CPU_KERNEL_LIST(X)                                                              \
    X(dgemv) X(sgemv) X(dsum) X(ssum) X(dasum) X(sasum) X(dnrm2) X(snrm2) X(ddot) X(sdot)    \
    X(idamax) X(isamax) X(mc_pi) X(mc_integrate) X(mc_tree) X(mc_finish) X(reduce_part)      \
    X(reduce_finish) X(gemv_runs) X(batch)

/* This path's kernel for the hpk__ops entry `name` (hpk__cpu_dsum_avx2, ...):
 * the kernel sources define each as HPK__CPU(name), with the entry's type
 * (core/hpk_internal.h documents the entries). */
#define HPK__CPU(name) HPK__PATH_FN(hpk__cpu_##name)

#define HPK__CPU_DECLARE(name) extern __typeof__(*((hpk__ops *)0)->name) HPK__CPU(name);
HPK__CPU_KERNEL_LIST(HPK__CPU_DECLARE)
#undef HPK__CPU_DECLARE

/* This path's serial table (kernels/cpu_ops.c): its kernels on the calling
 * thread alone, for work already spread over threads (kernels/batch.c). */
extern const hpk__ops HPK__PATH_FN(hpk__serial_ops);

/* The table entries every CPU backend shares, for designated initializers. */
#define HPK__CPU_ENTRY(name) .name = HPK__CPU(name),
#define HPK__CPU_KERNELS .path = HPK__PATH_NAME, HPK__CPU_KERNEL_LIST(HPK__CPU_ENTRY)

#endif /* HPK_CPU_KERNELS_H */
