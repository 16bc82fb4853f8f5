/*
 * hpk_cl.h — the OpenCL offload backend of hpk, and its manual.
 *
 * Everything in hpk.h works on an OpenCL context: the host-pointer functions
 * (hpk_dgemv, hpk_ddot, ..., hpk_mc_pi) upload their data, compute on the
 * device, download the result and return, with the same arguments, edge
 * cases and errors as on the CPU backends.  This header adds what only a
 * device has: choosing the device, reaching its OpenCL objects, computing on
 * data that already lives in device buffers (cl_mem), Monte Carlo integration
 * of an integrand written in OpenCL C, a timing profile of the last call,
 * and a verify mode that checks each device result against the CPU's.
 *
 * Available when hpk was built with HPK_WITH_OPENCL (this header is installed
 * only then).  Link with the library as usual; the OpenCL types come from
 * <CL/cl.h>, so a program that uses this header also links the OpenCL ICD
 * loader (-lOpenCL; find_package(hpk) and pkg-config do this).
 *
 * ---------------------------------------------------------------------------
 * Devices and contexts
 * ---------------------------------------------------------------------------
 * Any OpenCL 1.2 or later device reached through the ICD loader works: a GPU,
 * or PoCL's CPU driver (Debian's pocl-opencl-icd), which is what the test
 * suite runs on when no GPU is present.  An OpenCL hpk context computes on
 * one device through one in-order command queue: either its own, with a
 * cl_context of its own (hpk_ctx_create_cl), or the caller's, with the
 * caller's cl_context (hpk_ctx_create_cl_queue), so that buffers made by
 * another OpenCL library (CLBlast, pyopencl, ...) are hpk's buffers too.
 * Like every hpk context it is used by one thread at a time.
 *
 * ---------------------------------------------------------------------------
 * Results and reproducibility on a device
 * ---------------------------------------------------------------------------
 * - GEMV: each y_i is alpha * t_i + beta * y_i (alpha * t_i when beta == 0),
 *   t_i accumulated in the precision of the data, without fused
 *   multiply-add, in hpk.h's canonical order: the device computes each
 *   4096-element block (dot form) or 256-vector run (axpy form) of t_i and,
 *   when there are several, joins them in the order's pairwise tree.  So
 *   y is bitwise the CPU backends' y, for every kernel family, work-group
 *   size and tuning (dgemv needs fp64, sgemv runs in float everywhere).
 * - Reductions (sum, asum, dot, nrm2) evaluate hpk.h's canonical order:
 *   each block's lanes (16 for double data, 64 for float data) are
 *   accumulated and folded on the device (CPU kernel family: a block per
 *   work-item, its lanes vectors of 16; GPU family: a lane per work-item),
 *   and the host combines the blocks' partial results in the order's
 *   pairwise tree.  No floating-point atomics are used.  On a device with
 *   fp64 the sums are in double (float sum, asum and dot after their float
 *   runs, as on the CPU), so the result is bitwise the CPU backends', for
 *   every kernel family, work-group size and tuning, and from run to run.
 *   On a device without fp64, float reductions accumulate in a compensated
 *   pair of floats (about 48 bits, no float runs) in the same lanes and
 *   blocks: they repeat from run to run and agree with the CPU to within
 *   rounding, not bitwise.  nrm2 uses Blue's scaling and neither overflows
 *   nor underflows; i?amax returns the first largest |x_i|, a NaN counting
 *   as larger than any number (the first NaN wins) -- an exact index, the
 *   CPU's.
 * - Monte Carlo pi is bitwise the CPU backends' result: the device runs the
 *   same Philox4x32-10 code (common/philox.h) and the same exact hit test,
 *   and hit counts are exact integers.
 * - Monte Carlo integration evaluates hpk.h's canonical order too: the
 *   device summarises each block of 4096 samples as the CPU does, and the
 *   host combines the blocks in the same pairwise tree.  Wherever the
 *   OpenCL C integrand returns the values the C one does, bit for bit (for
 *   example, one that uses only +, -, * and /, correctly rounded on every
 *   fp64 device), the result is bitwise hpk_mc_integrate's on a CPU
 *   backend, for every kernel family, work-group size and tuning.
 * No result depends on the increments' sign or size, on buffer offsets, or
 * on whether the data came through the host-pointer or the cl_mem
 * functions.
 *
 * ---------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------
 * As in hpk.h: every call returns an hpk_status, a failing call writes
 * nothing (no result, no device buffer, no y) and leaves a sentence in
 * hpk_ctx_error_message(ctx) -- except HPK_ERR_MISMATCH (verify mode, see
 * "Verify mode"), which leaves the device's output written.  In addition:
 *   HPK_ERR_DEVICE       an OpenCL call failed; the message names the call
 *                        and the OpenCL error (e.g. CL_INVALID_MEM_OBJECT),
 *                        and holds the build log when a program failed to
 *                        build.
 *   HPK_ERR_ALLOC        the device or the OpenCL runtime ran out of memory
 *                        (CL_MEM_OBJECT_ALLOCATION_FAILURE,
 *                        CL_OUT_OF_RESOURCES, CL_OUT_OF_HOST_MEMORY).
 *   HPK_ERR_UNSUPPORTED  a double-precision call on a device without fp64
 *                        (CL_DEVICE_DOUBLE_FP_CONFIG is 0).  float calls and
 *                        hpk_mc_pi still work there.
 *   HPK_ERR_NO_DEVICE    no platform or device matched the selection.
 *   HPK_ERR_INVALID_ARG  also for: a NULL or non-OpenCL ctx in an hpk_cl_
 *                        function, a NULL cl_mem with elements to touch, a
 *                        cl_mem of another OpenCL context, a buffer too small
 *                        for the offset and extent of the call.
 *
 * ---------------------------------------------------------------------------
 * Programs and the program cache
 * ---------------------------------------------------------------------------
 * hpk's OpenCL C kernels are built for the context's device the first time
 * a call needs them, and kept with the context; no call builds a program
 * twice.  Built programs are also written to a cache on disk, so that a new
 * process on the same device loads the binary instead of compiling again:
 *   directory  $XDG_CACHE_HOME/hpk/opencl, else $HOME/.cache/hpk/opencl
 *              (no disk cache when neither variable is set to an absolute
 *              path);
 *   key        the program source (by hash), the build options, the device
 *              name and version, the driver version, the platform and the
 *              hpk version: any change gives a new entry.  The whole key is
 *              stored in the entry and compared on load;
 *   entries    one file per program, written to a temporary file and renamed
 *              into place (concurrent processes are safe), with a checksum;
 *              a corrupt, truncated, stale or unusable entry (one that does
 *              not build on the device or lacks a kernel hpk needs) is
 *              rebuilt from source and replaced, never reported as an error;
 *   disabling  HPK_CL_CACHE=0 (or off, no, false) skips the disk cache.
 * A program loaded from the cache reports build_s == 0 in hpk_profile.
 *
 * Threat model.  An OpenCL driver loads a cached binary as native code, so
 * a cache entry is as powerful as a library on the process's path: whoever
 * can write an entry hpk loads can run code as the process.  hpk therefore
 * trusts an entry only when no one but the process's effective user (and
 * the superuser) could have written it:
 *   - the cache root ($XDG_CACHE_HOME or $HOME/.cache) is the user's choice
 *     and is used as named; hpk creates it (mode 0700) when it is missing;
 *   - the directories hpk/ and hpk/opencl/ under it are created with mode
 *     0700 and used only when each is a real directory (not a symbolic
 *     link), owned by the effective user and not writable by group or
 *     others; they are opened one level at a time without following links,
 *     and entries are reached through the opened directory, so a path
 *     swapped after the check is never followed;
 *   - an entry is opened without following links and without blocking (a
 *     FIFO never hangs a call) and loaded only when it is a regular file
 *     owned by the effective user, not writable by group or others, at most
 *     256 MiB, whose stored key equals the program's key and whose checksum
 *     matches.  The checksum detects damage, not forgery: the ownership and
 *     mode rules are what keep other users out;
 *   - a process whose real and effective user or group differ (set-user-ID
 *     or set-group-ID) uses no disk cache, and hpk reads every environment
 *     variable named on this page with secure_getenv, so such a process
 *     ignores them.
 * Anything that fails these checks is treated as a miss: the program is
 * built from source, and the call succeeds as if there were no cache.
 * hpk trusts the effective user's own files, the superuser, the OpenCL
 * driver and its own cache (PoCL keeps one under the same root), which
 * apply their own rules.
 *
 * ---------------------------------------------------------------------------
 * Environment variables (HPK_CL_CACHE and the cache directory are read when
 * a program is built, the others when a context is created; all through
 * secure_getenv)
 * ---------------------------------------------------------------------------
 *   HPK_CL_DEVICE   the device selection used when hpk_ctx_create_cl gets
 *                   device == NULL (and by hpk_ctx_create(&ctx,
 *                   HPK_BACKEND_OPENCL)); same syntax as `device` below.
 *   HPK_CL_WGS      work-group size of every hpk kernel: a power of two no
 *                   larger than the device allows (its maximum work-group
 *                   size, and local memory for three doubles per work-item).
 *                   Default: 64 for the CPU kernel family, 256 for the GPU
 *                   family, or the device's limit if smaller.  Another value
 *                   makes context creation fail with HPK_ERR_INVALID_ARG.
 *   HPK_CL_KERNELS  "cpu" or "gpu": the kernel family.  The GPU family
 *                   assigns consecutive elements to consecutive work-items
 *                   (coalesced loads) and stages x in local memory; the CPU
 *                   family gives each work-item a contiguous run of elements
 *                   processed with OpenCL vector types, which is what CPU
 *                   drivers vectorize well.  Default: "cpu" for CPU devices,
 *                   "gpu" for every other device type.
 *   HPK_CL_CACHE    "0", "off", "no" or "false" disables the disk cache.
 *   HPK_CL_NO_FP64  set and not "0": treat the device as lacking fp64.  A
 *                   testing hook: it exercises the float-only kernels and
 *                   the HPK_ERR_UNSUPPORTED path on any device.
 *   HPK_CL_VERIFY   "1", "on", "yes" or "true": the context starts in verify
 *                   mode ("Verify mode" below); "0", "off", "no", "false"
 *                   or empty: it does not (the default).  Another value
 *                   makes context creation fail with HPK_ERR_INVALID_ARG.
 * These settings change speed only (HPK_CL_VERIFY adds checks): no result
 * depends on them.
 */
#ifndef HPK_HPK_CL_H
#define HPK_HPK_CL_H

#include "hpk.h"

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * Contexts
 * ------------------------------------------------------------------------- */

/* Create an OpenCL context on the device chosen by `device` and store it in
 * *ctx.  device is one of:
 *   NULL (or "")   $HPK_CL_DEVICE if set and not empty, else the first GPU
 *             of the first platform that has one, else the first device of
 *             the first platform that has any;
 *   "P:D"     device D of platform P (0-based indices, every device type, in
 *             the order clGetPlatformIDs / clGetDeviceIDs list them);
 *   "gpu", "cpu", "accelerator"   the first device of that type;
 *   any other string   the first device whose name (CL_DEVICE_NAME)
 *             contains it, compared without regard to case.
 * hpk_ctx_create(&ctx, HPK_BACKEND_OPENCL) is the same as device == NULL.
 *   HPK_ERR_INVALID_ARG  ctx is NULL, or HPK_CL_WGS / HPK_CL_KERNELS is set
 *                        to a value the device cannot use.
 *   HPK_ERR_NO_DEVICE    no OpenCL platform, or nothing matched `device`.
 *   HPK_ERR_DEVICE       creating the OpenCL context or queue failed.
 *   HPK_ERR_ALLOC        out of host or device memory.
 * On failure *ctx is untouched and the message is recorded where
 * hpk_ctx_error_message(NULL) reads it.  The context's queue is in order,
 * with profiling enabled.  hpk_ctx_destroy waits for every command on the
 * queue to finish (clFinish), then releases every OpenCL object the context
 * created. */
HPK_API hpk_status hpk_ctx_create_cl(hpk_ctx **ctx, const char *device);

/* Create an OpenCL context that enqueues its work on the caller's own
 * command queue, and store it in *ctx.  The device and the cl_context are
 * the queue's (CL_QUEUE_DEVICE, CL_QUEUE_CONTEXT; a context of several
 * devices is fine, hpk builds its programs for the queue's device only), so
 * every buffer of that cl_context can be passed to the hpk_cl_ functions,
 * and hpk_ctx_cl_context / _queue / _device return the caller's objects.
 * Everything else is as for hpk_ctx_create_cl: the same tuning (HPK_CL_WGS,
 * HPK_CL_KERNELS, HPK_CL_NO_FP64 are read now), the same programs and
 * program cache, the same results, bitwise.
 *
 * Ownership.  The context retains the queue and its cl_context
 * (clRetainCommandQueue, clRetainContext) and releases both in
 * hpk_ctx_destroy, after waiting (clFinish) for every command on the queue
 * -- hpk's and the caller's -- to finish.  The caller keeps its own
 * references and may release them while the hpk context lives.
 *
 * The queue is shared.  hpk's commands run in queue order with the
 * caller's: an hpk_cl_?gemv runs after the commands enqueued before it, and
 * the caller's later commands see its y.  The reductions and the
 * host-pointer functions wait for their results, and so also for the
 * caller's earlier commands.  Enqueueing on the queue from another thread
 * while an hpk call runs is allowed by OpenCL, but the order of those
 * commands and hpk's is then unspecified.
 *
 * What the queue must have:
 *   in-order execution  hpk's commands depend on the ones it enqueued before
 *                       them, so a queue with
 *                       CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE (or a
 *                       device-side queue) is refused with
 *                       HPK_ERR_INVALID_ARG; create an in-order queue on the
 *                       same cl_context (it shares the buffers) for hpk.
 *   profiling           optional.  Without CL_QUEUE_PROFILING_ENABLE every
 *                       call works, and hpk_ctx_last_profile returns
 *                       HPK_ERR_UNSUPPORTED (the commands are not timed).
 *   HPK_ERR_INVALID_ARG  ctx or queue is NULL; queue is not a valid command
 *                        queue (the ICD loader and driver decide what they
 *                        can recognise: a released or random pointer is
 *                        undefined behaviour, as in OpenCL); an out-of-order
 *                        or device-side queue; HPK_CL_WGS / HPK_CL_KERNELS set
 *                        to a value the device cannot use.
 *   HPK_ERR_DEVICE       an OpenCL query or retain failed.
 *   HPK_ERR_ALLOC        out of host or device memory.
 * On failure *ctx is untouched, no reference is kept, and the message is
 * recorded where hpk_ctx_error_message(NULL) reads it. */
HPK_API hpk_status hpk_ctx_create_cl_queue(hpk_ctx **ctx, cl_command_queue queue);

/* The OpenCL objects of an OpenCL context, for creating buffers and
 * enqueueing your own work around hpk's (the queue is in order; it has
 * profiling enabled unless it is a caller's queue without it).  ctx holds a
 * reference to each until hpk_ctx_destroy: retain them to keep them past it.
 * NULL for ctx == NULL or a context of another backend. */
HPK_API cl_context hpk_ctx_cl_context(const hpk_ctx *ctx);
HPK_API cl_command_queue hpk_ctx_cl_queue(const hpk_ctx *ctx);
HPK_API cl_device_id hpk_ctx_cl_device(const hpk_ctx *ctx);

/* ---------------------------------------------------------------------------
 * Device-resident data
 * ---------------------------------------------------------------------------
 * Buffers belong to the context's cl_context; offsets count elements (of
 * the call's precision) from the start of the buffer to the element with the
 * lowest address, exactly where hpk.h's pointers would point.  Increments
 * and leading dimensions follow hpk.h, negative increments included.  Every
 * element a call addresses must lie inside its buffer.  y must not overlap a
 * or x.
 *
 * hpk_cl_?gemv enqueues its kernels on the context's queue and returns at
 * once: call clFinish(hpk_ctx_cl_queue(ctx)) (or wait for later work on the
 * queue) before reading y.  hpk_ctx_destroy waits for them (and for
 * everything else on the queue) before it releases anything, so destroying
 * a context right after an hpk_cl_?gemv is safe and y is complete when it
 * returns.  Its semantics are those of hpk_?gemv: m == 0 or
 * n == 0, or alpha == 0 with beta == 1, enqueue nothing; alpha == 0 does not
 * read a or x; beta == 0 writes y without reading it.
 *
 * The reductions wait for the device and return with the result on the
 * host, as hpk_?dot etc. do; n == 0 gives 0 (i?amax: -1) without touching
 * the device.
 *
 * Errors: those of the hpk.h function with the same name, plus those listed
 * under "Errors" at the top of this header. */
HPK_API hpk_status hpk_cl_dgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                                double alpha, cl_mem a, size_t a_offset, int64_t lda,
                                cl_mem x, size_t x_offset, int64_t incx,
                                double beta, cl_mem y, size_t y_offset, int64_t incy);
HPK_API hpk_status hpk_cl_sgemv(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m, int64_t n,
                                float alpha, cl_mem a, size_t a_offset, int64_t lda,
                                cl_mem x, size_t x_offset, int64_t incx,
                                float beta, cl_mem y, size_t y_offset, int64_t incy);

HPK_API hpk_status hpk_cl_ddot(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                               cl_mem y, size_t y_offset, int64_t incy, double *result);
HPK_API hpk_status hpk_cl_sdot(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                               cl_mem y, size_t y_offset, int64_t incy, float *result);
HPK_API hpk_status hpk_cl_dsum(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, double *result);
HPK_API hpk_status hpk_cl_ssum(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, float *result);
HPK_API hpk_status hpk_cl_dasum(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, double *result);
HPK_API hpk_status hpk_cl_sasum(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, float *result);
HPK_API hpk_status hpk_cl_dnrm2(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, double *result);
HPK_API hpk_status hpk_cl_snrm2(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, float *result);
HPK_API hpk_status hpk_cl_idamax(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, int64_t *index);
HPK_API hpk_status hpk_cl_isamax(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx, int64_t *index);

/* ---------------------------------------------------------------------------
 * Batches on the device
 * ---------------------------------------------------------------------------
 * hpk.h's strided batches ("Batches") on device buffers: problem k's
 * operand starts k * stride elements after problem 0's, whose
 * lowest-addressed element is element `offset` of the buffer (any stride,
 * 0 or negative included, that keeps every problem inside the buffer).
 * All problems run in one launch (GEMV: one more for its blocks' or runs'
 * sums), each bitwise its single hpk_cl_ call (and so hpk.h's).  The rules
 * are hpk.h's batches' and the single hpk_cl_ calls': batch < 0 is an
 * error, batch == 0 touches nothing (buffers may be NULL), every problem is
 * checked before anything is enqueued (outputs of different problems must
 * not overlap; each problem's span inside its buffer), hpk_cl_?gemv_
 * strided_batched returns without waiting and the reductions wait, with
 * `batch` results (indices) on the host.  In verify mode each problem runs
 * as its single hpk_cl_ call instead, checked against the CPU (a mismatch
 * names that call). */
HPK_API hpk_status hpk_cl_dgemv_strided_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m,
                                                int64_t n, double alpha, cl_mem a, size_t a_offset, int64_t lda,
                                                int64_t stride_a, cl_mem x, size_t x_offset, int64_t incx,
                                                int64_t stride_x, double beta, cl_mem y, size_t y_offset,
                                                int64_t incy, int64_t stride_y, int64_t batch);
HPK_API hpk_status hpk_cl_sgemv_strided_batched(hpk_ctx *ctx, hpk_layout layout, hpk_transpose trans, int64_t m,
                                                int64_t n, float alpha, cl_mem a, size_t a_offset, int64_t lda,
                                                int64_t stride_a, cl_mem x, size_t x_offset, int64_t incx,
                                                int64_t stride_x, float beta, cl_mem y, size_t y_offset,
                                                int64_t incy, int64_t stride_y, int64_t batch);
HPK_API hpk_status hpk_cl_ddot_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                               int64_t stride_x, cl_mem y, size_t y_offset, int64_t incy,
                                               int64_t stride_y, double *result, int64_t batch);
HPK_API hpk_status hpk_cl_sdot_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                               int64_t stride_x, cl_mem y, size_t y_offset, int64_t incy,
                                               int64_t stride_y, float *result, int64_t batch);
HPK_API hpk_status hpk_cl_dsum_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                               int64_t stride_x, double *result, int64_t batch);
HPK_API hpk_status hpk_cl_ssum_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                               int64_t stride_x, float *result, int64_t batch);
HPK_API hpk_status hpk_cl_dasum_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                                int64_t stride_x, double *result, int64_t batch);
HPK_API hpk_status hpk_cl_sasum_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                                int64_t stride_x, float *result, int64_t batch);
HPK_API hpk_status hpk_cl_dnrm2_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                                int64_t stride_x, double *result, int64_t batch);
HPK_API hpk_status hpk_cl_snrm2_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                                int64_t stride_x, float *result, int64_t batch);
HPK_API hpk_status hpk_cl_idamax_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                                 int64_t stride_x, int64_t *index, int64_t batch);
HPK_API hpk_status hpk_cl_isamax_strided_batched(hpk_ctx *ctx, int64_t n, cl_mem x, size_t x_offset, int64_t incx,
                                                 int64_t stride_x, int64_t *index, int64_t batch);

/* ---------------------------------------------------------------------------
 * Monte Carlo integration of an OpenCL C integrand
 * ---------------------------------------------------------------------------
 * hpk_mc_integrate (hpk.h) with the integrand given as OpenCL C source
 * instead of a C function pointer, which cannot run on a device.
 * integrand_source must define
 *
 *     double hpk_integrand(const double *point, int dim)
 *
 * (it may define helper functions and constants too; names starting with
 * hpk_ or hpk__ are reserved).  The sample points are exactly those of
 * hpk_mc_integrate: coordinate d of sample i is lower_d + (upper_d -
 * lower_d) * u with u from Philox as hpk.h specifies, computed without fused
 * multiply-add.  The samples are summarised and combined in hpk.h's
 * canonical order (a work-item per block of 4096 samples, the blocks
 * combined on the host), so for an integrand that returns the C
 * integrand's values bit for bit the result is hpk_mc_integrate's on a CPU
 * backend, bit for bit; otherwise it differs from it only as the integrand
 * values do.
 * The program built from the source is cached like hpk's own (per context
 * and on disk), keyed by the source text and dim.  Needs fp64.
 * The source is compiled by the device's OpenCL compiler with the rights of
 * the calling process: an #include in it can read any file the process can
 * read, so pass only sources you would compile yourself.  When it fails to
 * build, some drivers' compilers (PoCL's) also write their error count
 * ("1 error generated.") to the process's stderr; hpk itself prints
 * nothing, and the full log is in the error message.
 *   HPK_ERR_INVALID_ARG  ctx not an OpenCL context; integrand_source, lower,
 *                        upper or result NULL; dim < 1 or dim > 256;
 *                        samples == 0; a bound not finite or
 *                        lower_d >= upper_d.
 *   HPK_ERR_DEVICE       the source does not build: the message holds the
 *                        build log.
 *   HPK_ERR_UNSUPPORTED  the device has no fp64. */
HPK_API hpk_status hpk_cl_mc_integrate(hpk_ctx *ctx, const char *integrand_source, int dim,
                                       const double *lower, const double *upper,
                                       uint64_t samples, uint64_t seed, hpk_mc_result *result);

/* ---------------------------------------------------------------------------
 * Profile of the last call
 * ---------------------------------------------------------------------------
 * Where the time of the most recent call on ctx that used the device went,
 * in seconds, from the OpenCL events of its commands (CL_PROFILING_COMMAND_
 * START to _END, summed per kind):
 *   upload_s    host-to-device transfers (host-pointer functions only);
 *   kernel_s    kernels;
 *   download_s  device-to-host transfers (results, y);
 *   build_s     wall time spent building OpenCL programs from source for this
 *               call (0 when every program came from the in-memory or the
 *               disk cache);
 *   verify_s    wall time of verify mode's work (see "Verify mode"): copying
 *               y, reading device inputs back, the CPU's computation and the
 *               comparison.  0 when verify mode is off or did not check the
 *               call.
 * For hpk_cl_?gemv, which returns before its kernels run, this call waits for
 * them.  Before any such call the profile is all zeros.  Calls that touch
 * nothing on the device (invalid arguments, empty sizes) leave the profile
 * as it was.
 *   HPK_ERR_INVALID_ARG  ctx is NULL or not an OpenCL context, or profile is
 *                        NULL.
 *   HPK_ERR_UNSUPPORTED  ctx was made by hpk_ctx_create_cl_queue on a queue
 *                        without CL_QUEUE_PROFILING_ENABLE; *profile is not
 *                        written.
 *   HPK_ERR_DEVICE       waiting for the commands or reading their events
 *                        failed. */
typedef struct hpk_profile {
    double upload_s, kernel_s, download_s, build_s;
    double verify_s; /* verify mode: reading inputs back, the CPU's computation, the comparison */
} hpk_profile;

HPK_API hpk_status hpk_ctx_last_profile(const hpk_ctx *ctx, hpk_profile *profile);

/* ---------------------------------------------------------------------------
 * Verify mode
 * ---------------------------------------------------------------------------
 * A device's results are bitwise the CPU backends' (see "Results and
 * reproducibility on a device"), so they can be checked exactly.  With
 * verify mode on, every call on the context that computes on the device
 * also computes the same thing on the CPU, with the serial backend, and
 * compares the two bit for bit (any NaN equal to any NaN, as hpk.h says of
 * NaN results).  It is meant for porting and testing: a driver, compiler or
 * kernel that computes something plausible but wrong shows up call by call,
 * at the first call it affects.
 *
 * What is checked: the host-pointer functions of hpk.h (hpk_?gemv, the
 * reductions, i?amax, hpk_mc_pi) and the hpk_cl_ functions on buffers
 * (hpk_cl_?gemv, the reductions, i?amax): every element of y, the result,
 * the index, the estimate, standard error and sample count.  In hpk_mpi.h's
 * calls on such a context, each piece the device computes is checked as
 * the call it is (a reduction of its elements, the transposed product of
 * its rows), and a mismatch on one rank is returned on every rank.  Not
 * checked:
 *   - hpk_cl_mc_integrate, whose integrand exists only as OpenCL C, which
 *     the CPU cannot run;
 *   - float sum, asum, dot and nrm2 on a device without fp64 (or with
 *     HPK_CL_NO_FP64), which are not bitwise the CPU's there (isamax and
 *     sgemv are, and are checked).
 * Calls that are not checked behave as with verify mode off.
 *
 * The cost: the CPU's serial computation of every call (about the time
 * hpk_ctx_create(&c, HPK_BACKEND_SERIAL) would take for it), plus, for the
 * hpk_cl_ functions, reading the inputs back from the device (the span of
 * x, y and A a call addresses) and, for hpk_cl_?gemv, y before and after.
 * hpk_cl_?gemv then waits for its kernels before it returns (they must
 * finish to be compared).  hpk_ctx_last_profile reports this time apart,
 * as verify_s; the other fields are as without verify mode.
 *
 * A mismatch returns HPK_ERR_MISMATCH, and the message names the function,
 * the first element that differs and both values' bits in hex, e.g.
 *   hpk_cl_dgemv: device and CPU differ at y[17]: device
 *   0x3ff0000000000001, CPU 0x3ff0000000000000
 * ("at the result" for a reduction, "at the index" for i?amax with both
 * indices in decimal, "at the estimate" for hpk_mc_pi).  Unlike every other
 * failure, a mismatch leaves the device's output written -- the result,
 * the index or y (on the host for hpk_?gemv, in its buffer for
 * hpk_cl_?gemv) -- so that it can be inspected.  It means that the device
 * did not compute what hpk specifies: a bug in the driver or its compiler,
 * faulty hardware, or a bug in hpk; please report it with the message.
 * Every other status keeps its meaning; a verification that cannot run
 * (HPK_ERR_ALLOC for the host copies, HPK_ERR_DEVICE for reading back)
 * fails the call as usual, though hpk_?gemv's and hpk_cl_?gemv's y may
 * then already hold the device's result.
 *
 * Verify mode is set per context, off by default; HPK_CL_VERIFY, read when
 * the context is created, sets its initial value: "1", "on", "yes" or
 * "true" for on, "0", "off", "no", "false" or empty for off; another value
 * makes context creation fail with HPK_ERR_INVALID_ARG.
 *
 * hpk_ctx_set_verify turns it on (on != 0) or off.
 *   HPK_ERR_INVALID_ARG  ctx is NULL or not an OpenCL context.
 * hpk_ctx_get_verify returns 1 when it is on, 0 when it is off (and for
 * ctx == NULL or a context of another backend). */
HPK_API hpk_status hpk_ctx_set_verify(hpk_ctx *ctx, int on);
HPK_API int hpk_ctx_get_verify(const hpk_ctx *ctx);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HPK_HPK_CL_H */
