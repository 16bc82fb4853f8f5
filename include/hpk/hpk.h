/*
 * hpk.h — the public interface of hpk, and its manual.
 *
 * hpk is a C11 library of numerical kernels: dense matrix-vector products
 * (GEMV), vector reductions and Monte Carlo estimation, each available on a
 * serial reference backend, an OpenMP backend and an OpenCL backend behind
 * one contract.
 *
 * ---------------------------------------------------------------------------
 * Conventions that hold for every function below
 * ---------------------------------------------------------------------------
 * Status.      Every call returns an hpk_status.  HPK_SUCCESS is 0; every
 *              failure is negative.  A failing call leaves every output
 *              untouched (result pointers, y, *ctx) and records a sentence
 *              saying what was wrong in its context (hpk_ctx_error_message);
 *              the one exception is HPK_ERR_MISMATCH, from the verify mode
 *              of OpenCL contexts (hpk_cl.h), which leaves the device's
 *              output written so that it can be inspected.
 *              hpk never prints, never aborts and never exits.
 *
 * Contexts.    A context (hpk_ctx) selects the backend and holds its settings,
 *              its error message and any device state.  ctx == NULL in a kernel
 *              call means the default context: the OpenMP backend (the serial
 *              backend when OpenMP is not built in) with its default thread
 *              count.  The default context is per thread, so its error message
 *              is the calling thread's: read it with
 *              hpk_ctx_error_message(NULL).  A context you create may be used
 *              by one thread at a time; give each thread its own, or use NULL.
 *
 * Vectors.     A vector of n elements with increment inc != 0 is passed as a
 *              pointer to the element with the lowest address, exactly as in
 *              the reference BLAS.  For inc > 0 logical element i is x[i*inc];
 *              for inc < 0 the vector is walked from its end: logical element
 *              i is x[(n-1-i)*(-inc)].  Elements between the strided ones are
 *              never read or written.
 *
 * Pointers.    Array arguments may be NULL only when the call has no element
 *              of them to touch (a size is 0).  Result pointers must never be
 *              NULL.
 *
 * Sizes.       Sizes, leading dimensions and increments are int64_t.  A call
 *              whose largest addressed element offset does not fit in int64_t
 *              is rejected with HPK_ERR_INVALID_ARG.
 *
 * Reproducibility.
 *              Every result of the CPU backends (serial and OpenMP) depends
 *              only on the inputs and on the hpk version: not on the number of
 *              threads, not on the CPU code path chosen at run time (portable,
 *              AVX2, AVX-512), not on the increment's sign or size, not on
 *              the alignment of the data, and not on the CPU architecture
 *              (x86-64 and aarch64 give the same bits).  The two backends
 *              agree bit for bit.
 *              NaN results: a NaN result is a NaN; its sign and payload are
 *              not specified (the reference BLAS says nothing of them
 *              either).  They are what the CPU's arithmetic makes: Inf - Inf
 *              inside a sum is a NaN with the sign bit set on x86-64 and
 *              clear on Arm.  Compare results with every NaN taken as equal
 *              to every other.
 *              Reductions and Monte Carlo sums are accumulated in fixed blocks
 *              that are combined in a fixed pairwise order; no multiply is
 *              fused with an add (each product is rounded before it is
 *              summed), so every code path rounds identically.
 *              Monte Carlo draws its numbers from a counter-based generator
 *              keyed by the sample index (see hpk_mc_pi), so its results are
 *              also independent of how samples are split among threads,
 *              processes or devices.
 *              The reductions (sum, asum, dot, nrm2) follow one canonical
 *              order, a function of n, the logical element order and the
 *              precision alone: blocks of 4096 logical elements; inside a
 *              block L lanes (L = 16 for double data, 64 for float data),
 *              lane l summing elements l, l + L, l + 2L, ... in sequence
 *              from +0.0 in double -- float sum, asum and dot first add
 *              runs of 16 of a lane's elements in float (from +0.0f, each
 *              product x_i y_i rounded to float) and then add each run's
 *              total to the lane's double sum; the lanes folded pairwise
 *              (lane l takes lane l + L/2, then l + L/4, ..., l + 1); the
 *              blocks combined by a pairwise tree (a run of c blocks splits
 *              into its first c - c/2 and the rest).  GEMV's order builds
 *              on it (see "GEMV"); Monte Carlo takes samples in blocks of
 *              4096 combined by the same tree.  An OpenCL device evaluates
 *              the same orders, so its reductions, GEMV and Monte Carlo are
 *              bitwise the CPU backends' (float reductions on a device
 *              without fp64 excepted; box integration wherever the device's
 *              integrand returns the same values).  hpk_cl.h says exactly
 *              what holds there; hpk_mpi.h what holds across ranks.
 */
#ifndef HPK_HPK_H
#define HPK_HPK_H

#include <stddef.h>
#include <stdint.h>

/* Version: the single source of truth (the build reads these lines). */
#define HPK_VERSION_MAJOR 0
#define HPK_VERSION_MINOR 2
#define HPK_VERSION_PATCH 0
#define HPK_VERSION_NUMBER \
    (HPK_VERSION_MAJOR * 10000 + HPK_VERSION_MINOR * 100 + HPK_VERSION_PATCH)

/* HPK_API marks the exported symbols; everything else in the library is
 * hidden. */
#if defined(_WIN32) && !defined(HPK_STATIC)
#  if defined(HPK_BUILDING_LIBRARY)
#    define HPK_API __declspec(dllexport)
#  else
#    define HPK_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define HPK_API __attribute__((visibility("default")))
#else
#  define HPK_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * Status, version
 * ------------------------------------------------------------------------- */

typedef enum hpk_status {
    HPK_SUCCESS = 0,
    HPK_ERR_INVALID_ARG = -1,  /* negative size, lda too small, zero increment, NULL pointer, bad enum */
    HPK_ERR_ALLOC = -2,        /* host or device memory could not be allocated */
    HPK_ERR_UNSUPPORTED = -3,  /* backend not built in, or the device lacks what the call needs */
    HPK_ERR_DEVICE = -4,       /* the OpenCL runtime failed; details in hpk_ctx_error_message() */
    HPK_ERR_NO_DEVICE = -5,    /* no OpenCL platform/device matched */
    HPK_ERR_MPI = -6,          /* an MPI call failed, or ranks disagree on sizes */
    HPK_ERR_MISMATCH = -7      /* verify mode (hpk_cl.h): the device's result differs from the CPU's */
} hpk_status;

/* A short constant description of a status ("success", "invalid argument",
 * ...).  Never NULL; an unknown value gives "unknown status". */
HPK_API const char *hpk_status_string(hpk_status status);

/* The library's version as "MAJOR.MINOR.PATCH", equal to the HPK_VERSION_*
 * macros of the header the library was built with.  Never NULL. */
HPK_API const char *hpk_version_string(void);

/* The CPU code path this process's kernels run: "avx512" (x86-64-v4:
 * AVX-512 F/BW/CD/DQ/VL), "avx2" (x86-64-v3) or "portable" (baseline x86-64
 * SSE2, or any other CPU), chosen once from the
 * CPU's features when the library is loaded; "native" for a library built
 * with HPK_NATIVE (-march=native, no run-time choice).  Every path computes bitwise
 * the same results; benchmarks record this string.  Never NULL.
 *
 * HPK_SEVERAL_STREAMS, "1" or "0" (any other value is ignored), read once,
 * when a reduction first asks: whether sum, asum and dot of more than 32 MiB
 * read several blocks of a vector at once, as many as a path's registers
 * hold ("1"), or one at a time ("0").  Several streams of memory pay on
 * some CPUs and cost on others: without the variable hpk reads several on
 * AMD Zen 4 only for double sum and asum, and only four (not two), and
 * wherever the registers hold them elsewhere (docs/PERFORMANCE.md).  Speed
 * only: the results are the same bits either way. */
HPK_API const char *hpk_cpu_path(void);

/* ---------------------------------------------------------------------------
 * Enumerations (layout and transpose use the CBLAS values)
 * ------------------------------------------------------------------------- */

typedef enum hpk_backend {
    HPK_BACKEND_SERIAL = 0,  /* the readable reference; always built */
    HPK_BACKEND_OPENMP = 1,  /* multithreaded CPU kernels (HPK_WITH_OPENMP) */
    HPK_BACKEND_OPENCL = 2   /* offload to an OpenCL device (HPK_WITH_OPENCL) */
} hpk_backend;

typedef enum hpk_layout { HPK_ROW_MAJOR = 101, HPK_COL_MAJOR = 102 } hpk_layout;
typedef enum hpk_transpose { HPK_NO_TRANS = 111, HPK_TRANS = 112 } hpk_transpose;

/* ---------------------------------------------------------------------------
 * Contexts
 * ------------------------------------------------------------------------- */

typedef struct hpk_ctx hpk_ctx; /* opaque execution context */

/* Create a context for `backend` and store it in *ctx.  For
 * HPK_BACKEND_OPENCL this is hpk_ctx_create_cl(ctx, NULL) (hpk_cl.h), which
 * picks the device and can also fail with HPK_ERR_NO_DEVICE or
 * HPK_ERR_DEVICE.
 *   HPK_ERR_INVALID_ARG  ctx is NULL or backend is not an hpk_backend value.
 *   HPK_ERR_UNSUPPORTED  the backend was not built into this library.
 *   HPK_ERR_ALLOC        no memory for the context.
 * On failure *ctx is untouched and the message is recorded where
 * hpk_ctx_error_message(NULL) reads it. */
HPK_API hpk_status hpk_ctx_create(hpk_ctx **ctx, hpk_backend backend);

/* Release a context and everything it owns.  NULL is a no-op.  An OpenCL
 * context first waits for the commands enqueued on its queue to finish
 * (hpk_cl.h). */
HPK_API void hpk_ctx_destroy(hpk_ctx *ctx);

/* Threads used by this context's kernels.  ctx == NULL sets the calling
 * thread's default context, which that thread's later calls with
 * ctx == NULL use; other threads' default contexts keep their own count.
 * OpenMP backend: 0 (the default) means all available (omp_get_max_threads()
 * at the time of the call), n > 0 means at most n threads.  Serial and
 * OpenCL backends: accepted and ignored.
 *
 * The thread cap: a call never starts more threads than the larger of
 *   - the CPUs this process may run on (its affinity mask as it was the
 *     first time hpk needed it: taskset, mpirun's binding, cgroup cpusets),
 *   - omp_get_max_threads() of the calling thread (OMP_NUM_THREADS,
 *     omp_set_num_threads: the caller's explicit OpenMP setting),
 * and never more than omp_get_thread_limit() (OMP_THREAD_LIMIT).  A larger
 * num_threads is accepted, kept (hpk_ctx_get_num_threads returns it) and
 * lowered to the cap at each call.  So a count passed here never makes the
 * OpenMP runtime try to create more threads than the CPUs or the caller's
 * own OpenMP setting call for (libgomp prints a message and exits the
 * process when it cannot create a thread).  To run more threads than CPUs
 * on purpose, raise OMP_NUM_THREADS as well.
 *
 * How the OpenMP backend uses them:
 *   - The caller's OpenMP state (omp_set_num_threads, OMP_NUM_THREADS, ...)
 *     is read, never changed; the count is passed to each parallel region.
 *   - Called from inside an OpenMP parallel region of the caller, a kernel
 *     runs on the calling thread alone: no nested team, no oversubscription.
 *   - Small problems use fewer threads, down to one, so that they are never
 *     slower than on the serial backend: a thread is only started for about
 *     32 K elements (or 1 K Monte Carlo samples) of work.
 *   - None of this changes a result: see "Reproducibility" above.
 *   HPK_ERR_INVALID_ARG  num_threads < 0. */
HPK_API hpk_status hpk_ctx_set_num_threads(hpk_ctx *ctx, int num_threads);

/* The value last set with hpk_ctx_set_num_threads (0 when never set), before
 * the thread cap; for ctx == NULL, the calling thread's default context's. */
HPK_API int hpk_ctx_get_num_threads(const hpk_ctx *ctx);

/* The backend of a context; for ctx == NULL, the default context's backend. */
HPK_API hpk_backend hpk_ctx_get_backend(const hpk_ctx *ctx);

/* Run this context's CPU kernels on a given code path instead of the best
 * one: "avx512", "avx2" or "portable" ("native" alone in an HPK_NATIVE
 * build; see hpk_cpu_path).  Results do not
 * change, only speed: this exists to measure the paths against each other.
 * ctx == NULL sets the calling thread's default context.
 *   HPK_ERR_INVALID_ARG  path NULL, or path not a known name.
 *   HPK_ERR_UNSUPPORTED  not a CPU backend, or this CPU (or build) lacks the
 *                        path. */
HPK_API hpk_status hpk_ctx_set_cpu_path(hpk_ctx *ctx, const char *path);

/* The code path a CPU context runs (for ctx == NULL, the default context's);
 * NULL for an OpenCL context. */
HPK_API const char *hpk_ctx_get_cpu_path(const hpk_ctx *ctx);

/* A sentence describing this context's last failure, "" if no call on it has
 * failed.  A successful call does not clear it.  ctx == NULL reads the calling
 * thread's default context, which also records failures of hpk_ctx_create.
 * Valid until the next call on the same context; never NULL. */
HPK_API const char *hpk_ctx_error_message(const hpk_ctx *ctx);

/* ---------------------------------------------------------------------------
 * GEMV: y := alpha * op(A) * x + beta * y
 * ---------------------------------------------------------------------------
 * A is m x n as stored, in `layout` with leading dimension lda; op(A) is A
 * (HPK_NO_TRANS: x has n elements, y has m) or its transpose (HPK_TRANS: x
 * has m elements, y has n).
 *
 *   lda     >= max(1, n) for HPK_ROW_MAJOR, >= max(1, m) for HPK_COL_MAJOR.
 *   incx, incy != 0; negative increments walk the vector from its end (see
 *   "Vectors" above).
 *   m == 0 or n == 0   success; y is untouched (a, x, y may be NULL).
 *   alpha == 0         A and x are not read: y := beta * y.
 *   alpha == 0 and beta == 1   success; y is untouched.
 *   beta == 0          y is written without being read, so NaN or Inf
 *                      already in y does not survive.
 *
 * Rounding: each y_i is computed as alpha * t_i + beta * y_i (or alpha * t_i
 * when beta == 0), where t_i, the dot product of row i of op(A) with x, is
 * accumulated in the data's precision (sgemv in float) in one canonical
 * order that depends on the shapes alone:
 *   - when op(A)'s rows are stored contiguously (row-major HPK_NO_TRANS,
 *     column-major HPK_TRANS), t_i is the reductions' order (see
 *     "Reproducibility"): blocks of 4096 elements of the row, 16 lanes
 *     each for double, 64 for float (no float runs: sgemv's lanes are in
 *     float throughout), folded, the blocks combined pairwise.  So dgemv's
 *     t_i is bitwise hpk_ddot of the row and x;
 *   - otherwise (row-major HPK_TRANS, column-major HPK_NO_TRANS), t_i sums
 *     x_k * A's element over runs of 256 consecutive k, each run in
 *     sequence from +0.0, and the runs are combined pairwise like blocks.
 * Neither depends on the backend's thread count or code path.
 *
 * Errors (nothing is written): HPK_ERR_INVALID_ARG for a bad layout or
 * transpose, m < 0, n < 0, lda too small, incx == 0, incy == 0, or a NULL
 * a/x/y when m > 0 and n > 0. */
HPK_API hpk_status hpk_dgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans,
                             int64_t m, int64_t n, double alpha, const double *a,
                             int64_t lda, const double *x, int64_t incx,
                             double beta, double *y, int64_t incy);
HPK_API hpk_status hpk_sgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans,
                             int64_t m, int64_t n, float alpha, const float *a,
                             int64_t lda, const float *x, int64_t incx,
                             float beta, float *y, int64_t incy);

/* ---------------------------------------------------------------------------
 * Reductions over a vector of n elements with increment incx (and incy)
 * ---------------------------------------------------------------------------
 *   sum    sum of x_i                   (no reference-BLAS equivalent)
 *   asum   sum of |x_i|                 (BLAS ?asum for real vectors)
 *   dot    sum of x_i * y_i             (BLAS ?dot)
 *   nrm2   sqrt(sum of x_i^2)           (BLAS ?nrm2)
 *   i?amax 0-based logical index of the first largest |x_i|
 *
 *   n == 0     *result = 0; i?amax gives *index = -1.  x (and y) may be NULL.
 *   incx < 0   allowed: the vector is walked from its end, as in BLAS.  This
 *              changes which element is "first" for i?amax and the order of
 *              summation (and so, possibly, the last bits of a sum).
 *   nrm2       one pass, never overflows or underflows for finite input
 *              (Blue's three-accumulator scaling); Inf in any element gives
 *              +Inf unless a NaN is present, NaN in any element gives NaN.
 *   i?amax     a NaN counts as larger than any number: the first NaN wins.
 *
 * Accuracy: elements are summed in fixed blocks with several independent
 * accumulators, and the block sums are combined pairwise, so the rounding
 * error grows like log(n), not n.  The float variants (hpk_s...) accumulate in
 * double and round once at the end; ssum, sasum and sdot first add runs of
 * 16 terms in float (see "Reproducibility"), which costs each term at most
 * 16 float roundings of its run's partial sums -- on well-conditioned data
 * the result stays within half a float ulp or so of the exact one (0.35-
 * 0.48 ulp worst of five uniform [0, 1) vectors of 2^20 and 2^22 elements,
 * where a float-accumulating BLAS sdot is 7-65 ulp off), at the speed of
 * float arithmetic (docs/PERFORMANCE.md).  The price: a run's float sum
 * overflows to +-Inf when it passes FLT_MAX (about 3.4e38) although the
 * total would not, and an sdot product below FLT_MIN (about 1.2e-38) loses
 * precision -- as in a BLAS that accumulates floats in float.  snrm2 forms
 * and sums its squares in double, so it neither overflows nor underflows.
 *
 * Errors (nothing is written): HPK_ERR_INVALID_ARG for n < 0, incx == 0 or
 * incy == 0, a NULL result, or a NULL x/y when n > 0. */
HPK_API hpk_status hpk_dsum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
HPK_API hpk_status hpk_ssum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
HPK_API hpk_status hpk_dasum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
HPK_API hpk_status hpk_sasum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
HPK_API hpk_status hpk_dnrm2(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result);
HPK_API hpk_status hpk_snrm2(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result);
HPK_API hpk_status hpk_ddot(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                            const double *y, int64_t incy, double *result);
HPK_API hpk_status hpk_sdot(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                            const float *y, int64_t incy, float *result);
HPK_API hpk_status hpk_idamax(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t *index);
HPK_API hpk_status hpk_isamax(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t *index);

/* ---------------------------------------------------------------------------
 * Batches: many independent problems of one shape in one call
 * ---------------------------------------------------------------------------
 * A batched call computes `batch` problems of the same sizes, increments,
 * layout, transpose and scalars, each on its own operands.  Problem k
 * (0 <= k < batch) is exactly the single call (hpk_dgemv, hpk_dnrm2, ...)
 * on problem k's operands, and its result is bitwise that single call's on
 * the same context, on every backend, thread count and code path: batching
 * changes how problems are scheduled, never how one is computed.
 *
 * Strided batches (..._strided_batched, as cuBLAS's gemvStridedBatched):
 * problem k's operands start `k * stride` elements after the first
 * problem's, for each operand its own stride:
 *     A_k = a + k * stride_a,   x_k = x + k * stride_x,   y_k = y + k * stride_y
 * (pointers to each problem's lowest-addressed element, as for a single
 * call; see "Vectors").  An input's stride may be 0 (one A, or one x,
 * shared by every problem) or negative.  Outputs must not overlap: see
 * below.
 *
 * Pointer-array batches (..._batched): problem k's operands are a[k], x[k],
 * y[k], for problems that are not evenly spaced.
 *
 *   batch < 0      HPK_ERR_INVALID_ARG.
 *   batch == 0     success; nothing is read or written, and the pointers
 *                  (arrays and their entries, result) may be NULL.  The
 *                  other arguments are still checked as for a single call.
 *   Every problem's arguments follow its single call's contract (sizes,
 *   lda, increments, NULL operands, the quick returns: m == 0 or n == 0
 *   touches nothing, alpha == 0 and beta == 1 leave every y untouched,
 *   n == 0 makes every reduction result 0, or -1 for i?amax).  When the
 *   problems touch nothing (m == 0, n == 0), strides and the entries of
 *   pointer arrays are not looked at.
 *   Outputs.   No two problems may write the same element, so that the
 *              result does not depend on an order between problems:
 *              strided GEMV needs stride_y > 0 (when batch > 1) and no
 *              element of one problem's y among another's -- stride_y at
 *              least y's span, (ylen - 1)|incy| + 1 for y of ylen
 *              elements, or an interleaving such as stride_y = 1 with
 *              |incy| >= batch; pointer-array GEMV
 *              needs the y[k]'s spans (first to last element) disjoint.
 *              An output that overlaps an input is the caller's business,
 *              as in BLAS.
 *   Overflow.  Each strided operand's whole extent, (batch - 1)|stride|
 *              elements plus one problem's, must fit in int64_t in bytes
 *              (HPK_ERR_INVALID_ARG otherwise), as a single call's does.
 *              (Any stride is then fine for batch == 1.)
 *   Errors.    Every argument of every problem is checked before anything
 *              is computed: a call that fails a check writes nothing, and
 *              its message names the argument (and the index, "x[7] is
 *              NULL", for pointer arrays).  Pointer-array GEMV sorts a copy
 *              of y's pointers for its overlap check, and can fail with
 *              HPK_ERR_ALLOC there, also before anything is written.  A
 *              failure of the backend while computing (HPK_ERR_ALLOC,
 *              HPK_ERR_DEVICE, HPK_ERR_MISMATCH in OpenCL verify mode)
 *              may leave other problems' outputs written.
 *
 * Scheduling.  The OpenMP backend gives its threads whole problems when
 * problems are small (under 64 K elements of work each, where a single call
 * would run on one thread), each computed by its code path's one-thread
 * kernel, in one parallel region; bigger problems run one after another,
 * each with all threads.  The OpenCL backend gathers every problem's
 * operands into one device buffer each and computes all problems in one
 * launch (GEMV: one more for its blocks' or runs' sums), then puts each
 * y's elements back, touching no other element; in verify mode it runs
 * the problems one after another instead, each checked as its single call
 * (hpk_cl.h, "Verify mode").
 */

/* GEMV on a batch: y_k := alpha * op(A_k) * x_k + beta * y_k, k < batch,
 * with the arguments of hpk_dgemv and the strides above (in elements). */
HPK_API hpk_status hpk_dgemv_strided_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans,
                                             int64_t m, int64_t n, double alpha, const double *a,
                                             int64_t lda, int64_t stride_a, const double *x,
                                             int64_t incx, int64_t stride_x, double beta, double *y,
                                             int64_t incy, int64_t stride_y, int64_t batch);
HPK_API hpk_status hpk_sgemv_strided_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans,
                                             int64_t m, int64_t n, float alpha, const float *a,
                                             int64_t lda, int64_t stride_a, const float *x,
                                             int64_t incx, int64_t stride_x, float beta, float *y,
                                             int64_t incy, int64_t stride_y, int64_t batch);
/* The same with problem k's operands a[k], x[k], y[k]: the arrays have
 * `batch` entries, none NULL (when m > 0 and n > 0). */
HPK_API hpk_status hpk_dgemv_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans,
                                     int64_t m, int64_t n, double alpha, const double *const a[],
                                     int64_t lda, const double *const x[], int64_t incx,
                                     double beta, double *const y[], int64_t incy, int64_t batch);
HPK_API hpk_status hpk_sgemv_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans,
                                     int64_t m, int64_t n, float alpha, const float *const a[],
                                     int64_t lda, const float *const x[], int64_t incx,
                                     float beta, float *const y[], int64_t incy, int64_t batch);

/* Reductions on a batch of vectors of n elements: vector k is
 * x + k * stride_x with increment incx (and y + k * stride_y with incy for
 * dot), and result[k] (index[k] for i?amax), k < batch, is the single
 * call's result on it.  result has `batch` contiguous elements.
 *
 * Rows and columns of a matrix.  For an m x n matrix A with leading
 * dimension lda, the rows are the vectors of n elements
 *     row-major:     stride_x = lda, incx = 1
 *     column-major:  stride_x = 1,   incx = lda
 * and the columns are the vectors of m elements
 *     row-major:     stride_x = 1,   incx = lda
 *     column-major:  stride_x = lda, incx = 1
 * so, for a row-major m x n matrix,
 *     hpk_dnrm2_strided_batched(ctx, n, a, 1, lda, norms, m);   row norms
 *     hpk_dnrm2_strided_batched(ctx, m, a, lda, 1, norms, n);   column norms
 *     hpk_ddot_strided_batched(ctx, n, a, 1, lda, b, 1, ldb, dots, m);
 *                                  row k of A with row k of B, k < m
 * (numpy's np.linalg.norm(a, axis=1) and np.einsum('ij,ij->i', a, b)).
 *
 * Errors (nothing is written): HPK_ERR_INVALID_ARG for batch < 0, any
 * error of the single call (n < 0, incx == 0 or incy == 0, a NULL x/y
 * when n > 0), a NULL result when batch > 0, or an extent beyond int64_t. */
HPK_API hpk_status hpk_dsum_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                                            int64_t stride_x, double *result, int64_t batch);
HPK_API hpk_status hpk_ssum_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                                            int64_t stride_x, float *result, int64_t batch);
HPK_API hpk_status hpk_dasum_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                                             int64_t stride_x, double *result, int64_t batch);
HPK_API hpk_status hpk_sasum_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                                             int64_t stride_x, float *result, int64_t batch);
HPK_API hpk_status hpk_dnrm2_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                                             int64_t stride_x, double *result, int64_t batch);
HPK_API hpk_status hpk_snrm2_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                                             int64_t stride_x, float *result, int64_t batch);
HPK_API hpk_status hpk_ddot_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                                            int64_t stride_x, const double *y, int64_t incy,
                                            int64_t stride_y, double *result, int64_t batch);
HPK_API hpk_status hpk_sdot_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                                            int64_t stride_x, const float *y, int64_t incy,
                                            int64_t stride_y, float *result, int64_t batch);
HPK_API hpk_status hpk_idamax_strided_batched(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                                              int64_t stride_x, int64_t *index, int64_t batch);
HPK_API hpk_status hpk_isamax_strided_batched(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                                              int64_t stride_x, int64_t *index, int64_t batch);

/* ---------------------------------------------------------------------------
 * Monte Carlo
 * ---------------------------------------------------------------------------
 * Random numbers come from Philox4x32-10 (Salmon et al., SC'11; the Random123
 * definition, checked against its known-answer vectors).  The key is the
 * seed, (k0, k1) = (low, high 32 bits).  Sample i (0-based, i < samples) uses
 * the counter (c0, c1, c2, c3) = (low 32 bits of i, high 32 bits of i, g, 0),
 * where g numbers the blocks of four 32-bit words the sample needs.  A
 * sample's numbers therefore depend on (seed, i) alone, and every backend,
 * thread and process that computes sample i draws the same numbers.
 *
 * result->samples is set to the number of samples taken (== samples).
 */
typedef struct hpk_mc_result {
    double estimate;   /* the estimate of the quantity */
    double std_error;  /* one standard error of the estimate */
    uint64_t samples;  /* samples taken */
} hpk_mc_result;

/* A function to integrate: the value at `point` (dim coordinates). */
typedef double (*hpk_integrand)(const double *point, int dim, void *user_data);

/* Estimate pi by throwing `samples` points into the unit square.
 * Sample i takes the words (w0, w1) of its counter g = 0 as the point
 * (w0 / 2^32, w1 / 2^32) and counts a hit when w0^2 + w1^2 < 2^64, an exact
 * integer test.  estimate = 4 * hits / samples; std_error =
 * 4 * sqrt(p * (1 - p) / samples) with p = hits / samples.
 * The result is bitwise identical on every backend and for any split of the
 * samples (hit counts are exact integers).
 *   HPK_ERR_INVALID_ARG  samples == 0 or result == NULL. */
HPK_API hpk_status hpk_mc_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *result);

/* Estimate the integral of f over the box [lower_d, upper_d), d < dim.
 * Coordinate d of sample i is lower_d + (upper_d - lower_d) * u, where u is a
 * double in [0, 1) with 53 random bits: (((uint64)a << 32 | b) >> 11) * 2^-53
 * with (a, b) the words (w[2(d%2)], w[2(d%2)+1]) of counter g = d / 2.
 * estimate = volume * mean(f); std_error = volume * sqrt(s^2 / samples) with
 * s^2 the sample variance (denominator samples - 1; std_error is NaN when
 * samples == 1).  Sums are formed in fixed blocks of samples combined
 * pairwise (Chan's update), so the result does not depend on the thread
 * count.  f is called once per sample; on the OpenMP backend it is called
 * from several threads at once and must be thread-safe.
 * The estimate is as reproducible as f's own values: for the same bits on
 * every architecture, compile f with -ffp-contract=off (or -std=c11, which
 * implies it in GCC) so that no product in it is fused into a multiply-add.
 * Measured: f = 1 + c0 x0 x1 + c1 x1 x0 over a 2-d box, 20011 samples,
 * compiled by aarch64 GCC 12 with its default -std=gnu17, which fuses into
 * fmadd, gives an estimate one ulp from x86-64's (0x3ff119f19c9f7e1f
 * against ...7e1e); with -ffp-contract=off both give ...7e1e.
 *   HPK_ERR_INVALID_ARG  f, lower, upper or result NULL; dim < 1;
 *                        samples == 0; lower_d >= upper_d or a bound that is
 *                        not finite.
 *   HPK_ERR_UNSUPPORTED  on an OpenCL context (a C callback cannot run on a
 *                        device; use hpk_cl_mc_integrate from hpk_cl.h). */
HPK_API hpk_status hpk_mc_integrate(hpk_ctx *ctx, hpk_integrand f, void *user_data, int dim,
                                    const double *lower, const double *upper,
                                    uint64_t samples, uint64_t seed, hpk_mc_result *result);

/* The Philox4x32-10 generator itself, for callers who want the same stream:
 * out = Philox4x32-10(counter, key).  counter, key and out must not be NULL;
 * out may alias counter.
 *   HPK_ERR_INVALID_ARG  a NULL pointer (nothing is written). */
HPK_API hpk_status hpk_philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HPK_HPK_H */
