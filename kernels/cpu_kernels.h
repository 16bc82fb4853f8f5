/* The CPU kernels shared by the serial and OpenMP backends.  Each takes
 * checked arguments and runs through ctx->ops->runner, so both backends
 * execute the same arithmetic in the same order.
 *
 * The kernel sources are compiled once per CPU code path (portable, avx2,
 * avx512; see kernels/CMakeLists.txt) with that path's -march and HPK__PATH
 * set to its name.  Within one compilation, hpk__cpu_dgemv and the others
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

#define hpk__cpu_dgemv HPK__PATH_FN(hpk__cpu_dgemv)
#define hpk__cpu_sgemv HPK__PATH_FN(hpk__cpu_sgemv)
#define hpk__cpu_dsum HPK__PATH_FN(hpk__cpu_dsum)
#define hpk__cpu_ssum HPK__PATH_FN(hpk__cpu_ssum)
#define hpk__cpu_dasum HPK__PATH_FN(hpk__cpu_dasum)
#define hpk__cpu_sasum HPK__PATH_FN(hpk__cpu_sasum)
#define hpk__cpu_dnrm2 HPK__PATH_FN(hpk__cpu_dnrm2)
#define hpk__cpu_snrm2 HPK__PATH_FN(hpk__cpu_snrm2)
#define hpk__cpu_ddot HPK__PATH_FN(hpk__cpu_ddot)
#define hpk__cpu_sdot HPK__PATH_FN(hpk__cpu_sdot)
#define hpk__cpu_idamax HPK__PATH_FN(hpk__cpu_idamax)
#define hpk__cpu_isamax HPK__PATH_FN(hpk__cpu_isamax)
#define hpk__cpu_mc_pi HPK__PATH_FN(hpk__cpu_mc_pi)
#define hpk__cpu_mc_integrate HPK__PATH_FN(hpk__cpu_mc_integrate)
#define hpk__cpu_mc_tree HPK__PATH_FN(hpk__cpu_mc_tree)
#define hpk__cpu_mc_finish HPK__PATH_FN(hpk__cpu_mc_finish)
#define hpk__cpu_reduce_part HPK__PATH_FN(hpk__cpu_reduce_part)
#define hpk__cpu_reduce_finish HPK__PATH_FN(hpk__cpu_reduce_finish)
#define hpk__cpu_gemv_runs HPK__PATH_FN(hpk__cpu_gemv_runs)

hpk_status hpk__cpu_dgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                          double alpha, const double *a, int64_t lda, const double *x, int64_t incx,
                          double beta, double *y, int64_t incy);
hpk_status hpk__cpu_sgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                          float alpha, const float *a, int64_t lda, const float *x, int64_t incx,
                          float beta, float *y, int64_t incy);

hpk_status hpk__cpu_dsum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
hpk_status hpk__cpu_ssum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
hpk_status hpk__cpu_dasum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
hpk_status hpk__cpu_sasum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
hpk_status hpk__cpu_dnrm2(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
hpk_status hpk__cpu_snrm2(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
hpk_status hpk__cpu_ddot(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                         const double *y, int64_t incy, double *result);
hpk_status hpk__cpu_sdot(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                         const float *y, int64_t incy, float *result);
hpk_status hpk__cpu_idamax(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t *index);
hpk_status hpk__cpu_isamax(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t *index);

hpk_status hpk__cpu_mc_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *result);
hpk_status hpk__cpu_mc_integrate(hpk_ctx *ctx, hpk_integrand f, void *user_data, int dim,
                                 const double *lower, const double *upper,
                                 uint64_t samples, uint64_t seed, hpk_mc_result *result);
void hpk__cpu_mc_tree(const hpk__mc_job *job, struct hpk__tree *tree);
void hpk__cpu_mc_finish(const hpk__mc_job *job, const void *root, hpk_mc_result *result);
hpk_status hpk__cpu_reduce_part(hpk_ctx *ctx, const hpk__reduce_job *job, int64_t first, int64_t count,
                                hpk__reduce_node *node);
double hpk__cpu_reduce_finish(const hpk__reduce_job *job, const hpk__reduce_node *root);
hpk_status hpk__cpu_gemv_runs(hpk_ctx *ctx, bool f32, int64_t vecs, int64_t len, const void *a, int64_t lda,
                              const void *x, int64_t incx, int64_t first, int64_t count, void *t);

/* The table entries every CPU backend shares, for designated initializers. */
#define HPK__CPU_KERNELS                                                            \
    .path = HPK__PATH_NAME,                                                         \
    .dgemv = hpk__cpu_dgemv, .sgemv = hpk__cpu_sgemv, .dsum = hpk__cpu_dsum,        \
    .ssum = hpk__cpu_ssum, .dasum = hpk__cpu_dasum, .sasum = hpk__cpu_sasum,        \
    .dnrm2 = hpk__cpu_dnrm2, .snrm2 = hpk__cpu_snrm2, .ddot = hpk__cpu_ddot,        \
    .sdot = hpk__cpu_sdot, .idamax = hpk__cpu_idamax, .isamax = hpk__cpu_isamax,    \
    .mc_pi = hpk__cpu_mc_pi, .mc_integrate = hpk__cpu_mc_integrate,                 \
    .mc_tree = hpk__cpu_mc_tree, .mc_finish = hpk__cpu_mc_finish,                  \
    .reduce_part = hpk__cpu_reduce_part, .reduce_finish = hpk__cpu_reduce_finish,   \
    .gemv_runs = hpk__cpu_gemv_runs

#endif /* HPK_CPU_KERNELS_H */
