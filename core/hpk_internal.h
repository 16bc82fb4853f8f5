/* Internal definitions shared by the dispatch layer and the backends: the
 * context, the backend table, error recording. */
#ifndef HPK_INTERNAL_H
#define HPK_INTERNAL_H

#include "hpk/hpk.h"
#include "macros.h" /* HPK__SHARED */
#include "order.h"  /* hpk__reduce_op */

#include <stdbool.h>

#define HPK__ERROR_CAPACITY 512

/* One entry per operation.  The dispatch layer has already checked every
 * argument and taken the quick returns (empty problems, alpha == 0 with
 * beta == 1); a backend only computes. */
struct hpk__runner;
struct hpk__tree;
struct hpk__batch;

/* A Monte Carlo problem as the CPU kernels see it: f == NULL means pi (the
 * other integrand fields are then unused). */
typedef struct hpk__mc_job {
    hpk_integrand f;
    void *user_data;
    int dim;
    const double *lower, *upper;
    uint64_t samples, seed;
} hpk__mc_job;

/* A reduction as the CPU kernels see it (sum, asum, dot, nrm2 of n logical
 * elements, hpk.h's arguments; not i?amax), for layers that evaluate its
 * tree in pieces (mpi/).  Its partial results are hpk__reduce_node values:
 * Blue's small, medium and big sums for nrm2, the sum in s[0] otherwise;
 * two nodes combine by adding their sums element by element. */

typedef struct hpk__reduce_job {
    hpk__reduce_op op;
    bool f32;
    int64_t n;
    const void *x, *y; /* y only for dot */
    int64_t incx, incy;
} hpk__reduce_job;

typedef struct hpk__reduce_node {
    double s[3];
} hpk__reduce_node;

typedef struct hpk__ops {
    const char *name;
    const char *path;                 /* CPU code path ("avx512", ...); NULL otherwise */
    const struct hpk__runner *runner; /* CPU backends: how kernels use threads */
    void (*destroy)(hpk_ctx *ctx);    /* releases backend_state; NULL if none */
    hpk_status (*dgemv)(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                        double alpha, const double *a, int64_t lda, const double *x, int64_t incx,
                        double beta, double *y, int64_t incy);
    hpk_status (*sgemv)(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                        float alpha, const float *a, int64_t lda, const float *x, int64_t incx,
                        float beta, float *y, int64_t incy);
    hpk_status (*dsum)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
    hpk_status (*ssum)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
    hpk_status (*dasum)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
    hpk_status (*sasum)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
    hpk_status (*dnrm2)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
    hpk_status (*snrm2)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
    hpk_status (*ddot)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                       const double *y, int64_t incy, double *result);
    hpk_status (*sdot)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                       const float *y, int64_t incy, float *result);
    hpk_status (*idamax)(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t *index);
    hpk_status (*isamax)(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t *index);
    /* A checked batch of problems (core/batch.h), each bitwise its single
     * call; NULL: the dispatch layer runs the problems one after another
     * through the entries above (hpk__batch_run). */
    hpk_status (*batch)(hpk_ctx *ctx, const struct hpk__batch *b);
    hpk_status (*mc_pi)(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *result);
    hpk_status (*mc_integrate)(hpk_ctx *ctx, hpk_integrand f, void *user_data, int dim,
                               const double *lower, const double *upper,
                               uint64_t samples, uint64_t seed, hpk_mc_result *result);
    /* mc_pi and mc_integrate in two halves, for layers that evaluate pieces
     * of the reduction tree themselves (mpi/): mc_tree describes the tree of
     * *job (which must outlive it); mc_finish turns its root into the result
     * exactly as mc_pi / mc_integrate do.  NULL on non-CPU backends. */
    void (*mc_tree)(const hpk__mc_job *job, struct hpk__tree *tree);
    void (*mc_finish)(const hpk__mc_job *job, const void *root, hpk_mc_result *result);
    /* The same for the reductions: reduce_part evaluates the subtree of
     * blocks [first, first + count) of *job's tree (order.h) with the
     * context's runner (or device); reduce_finish turns the root into the
     * result, in double (the float variants round it).  NULL where the
     * backend cannot. */
    hpk_status (*reduce_part)(hpk_ctx *ctx, const hpk__reduce_job *job, int64_t first, int64_t count,
                              hpk__reduce_node *node);
    double (*reduce_finish)(const hpk__reduce_job *job, const hpk__reduce_node *root);
    /* And for GEMV's axpy form (order.h) over `vecs` stored vectors of `len`
     * elements lda apart (x: vecs elements, increment incx): t[e] (e < len,
     * in the data's precision, f32 or double) := the subtree of the runs
     * [first, first + count) of HPK__GEMV_RUN vectors, with the context's
     * threads (or device).  NULL where the backend cannot. */
    hpk_status (*gemv_runs)(hpk_ctx *ctx, bool f32, int64_t vecs, int64_t len, const void *a, int64_t lda,
                            const void *x, int64_t incx, int64_t first, int64_t count, void *t);
    /* Whether reduce_part's nodes and gemv_runs' sums on this context are
     * the CPU backends' bits, so that its pieces join with theirs (NULL:
     * they are).  A backend that sets it may also fail in those two for
     * reasons of its own (a device error), not only for MPI's. */
    bool (*parts_exact)(hpk_ctx *ctx);
} hpk__ops;

struct hpk_ctx {
    hpk_backend backend;
    const hpk__ops *ops;
    int num_threads; /* as set by hpk_ctx_set_num_threads; 0 = all available */
    void *backend_state; /* owned by the backend (OpenCL: device, queue, programs) */
    char error[HPK__ERROR_CAPACITY];
};

/* A reduction's result r, computed in double, stored as the caller's type
 * (rounded once to float for f32) when st is HPK_SUCCESS; returns st. */
static inline hpk_status hpk__store_result(hpk_status st, double r, bool f32, void *result)
{
    if (st == HPK_SUCCESS) {
        if (f32)
            *(float *)result = (float)r;
        else
            *(double *)result = r;
    }
    return st;
}

/* The variable `name`, or NULL when it is unset or the process runs with
 * set-user-ID or set-group-ID rights (core/env.c). */
const char *hpk__getenv(const char *name);

/* A zeroed context for a backend, or NULL when out of memory. */
hpk_ctx *hpk__ctx_alloc(hpk_backend backend, const hpk__ops *ops);

/* The table of a CPU backend (serial or OpenMP) for a code path: NULL path
 * means the best the CPU supports.  NULL if the backend is not built in or
 * the path is unknown or unsupported here. */
const hpk__ops *hpk__cpu_ops(hpk_backend backend, const char *path);

/* Whether `name` is a CPU code path of hpk's (built here or not), and all
 * their names, "avx512, avx2, ..." (kernels/cpu_path.c). */
bool hpk__cpu_path_known(const char *name);
extern const char *const hpk__cpu_path_names;

/* Whether one core reads memory faster as `streams` streams at once than as
 * one on this CPU, for float data or not, for a dot product or not: the
 * reductions' blocks read at once (kernels/cpu_tuning.c). */
bool hpk__streams_pay(int streams, bool f32, bool dot);

#ifdef HPK_HAVE_OPENCL
/* A new OpenCL context on the device `device` names (hpk_ctx_create_cl's
 * rules); `fn` is the public function, for messages, which go to the default
 * context (cl/context.c). */
hpk_status hpk__cl_create(hpk_ctx **ctx, const char *device, const char *fn);
#endif

/* The reduction `op` (x and y strided, n > 0, checked) by ctx's own entry of
 * its hpk__ops table, as hpk.h's function dispatches once its checks pass:
 * result is a double (float when f32) for sum, asum, dot and nrm2, an
 * int64_t index for i?amax.  The one map from an operation to its entries,
 * for the layers that hold a context and an operation (the MPI layer's local
 * partials, the OpenCL verify mode's CPU twin). */
HPK__SHARED hpk_status hpk__ops_reduce(hpk_ctx *ctx, hpk__reduce_op op, bool f32, int64_t n, const void *x,
                                       int64_t incx, const void *y, int64_t incy, void *result);

/* ctx itself, or the calling thread's default context when ctx is NULL. */
HPK__SHARED hpk_ctx *hpk__resolve(hpk_ctx *ctx);

/* Record a printf-style message in ctx (NULL: the default context) and
 * return status. */
HPK__SHARED hpk_status hpk__fail(hpk_ctx *ctx, hpk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* HPK_INTERNAL_H */
