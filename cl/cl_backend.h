/* The OpenCL backend's internals: the state an OpenCL context owns (device,
 * queue, tuning, programs, scratch buffers, the last call's events) and the
 * functions shared by the host-pointer table (ops.c) and the hpk_cl_ entry
 * points (api_*.c).  Arguments reaching the compute functions are checked. */
#ifndef HPK_CL_BACKEND_H
#define HPK_CL_BACKEND_H

#include "hpk/hpk_cl.h"
#include "hpk_internal.h"
#include "order.h"
#include "strided.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- programs ------------------------------------------------------------ */

/* hpk's own programs, each built the first time a call needs it. */
typedef enum hpk__cl_prog {
    HPK__CL_GEMV_D,
    HPK__CL_GEMV_S,
    HPK__CL_REDUCE_D,
    HPK__CL_REDUCE_S,
    HPK__CL_MC_PI,
    HPK__CL_NPROGS
} hpk__cl_prog;

/* Each program's kernels, in the order program.c names them. */
enum { HPK__K_GEMV_DOT, HPK__K_GEMV_AXPY, HPK__K_GEMV_COMBINE, HPK__K_GEMV_SCALE };
/* The reduction programs' kernels are in hpk__reduce_op's order (order.h). */
enum { HPK__K_MC_PI = 0 };
enum { HPK__K_MC_INTEGRATE = 0 };

#define HPK__CL_MAX_KERNELS 5

typedef struct hpk__cl_program {
    cl_program program; /* NULL until built */
    cl_kernel kernels[HPK__CL_MAX_KERNELS];
} hpk__cl_program;

/* A program built from a user's integrand (hpk_cl_mc_integrate). */
typedef struct hpk__cl_integrand {
    struct hpk__cl_integrand *next;
    char *source;
    int dim;
    hpk__cl_program prog;
} hpk__cl_integrand;

/* ---- tuning (tuning.c) ----------------------------------------------------- */

typedef struct hpk__cl_tuning {
    bool cpu_kernels;   /* kernel family: contiguous runs per work-item (CPU) or interleaved (GPU) */
    size_t wgs;         /* work-items per work-group, a power of two */
    size_t groups;      /* work-groups a reduction or Monte Carlo call uses at most */
    int vec_d, vec_s;   /* lanes of the CPU family's vectors (1 in the GPU family) */
    int rows;           /* CPU family dot-form gemv: rows per work-item */
    int axpy_vecs;      /* CPU family axpy-form gemv: vectors of y per work-item */
    int axpy_rows;      /* CPU family axpy-form gemv: stored vectors between barriers */
} hpk__cl_tuning;

/* The canonical order's lanes per block for the data's precision. */
static inline size_t hpk__cl_lanes(bool f32)
{
    return f32 ? HPK__LANES_F32 : HPK__LANES_F64;
}

/* The GPU family's work-items per block (row) of the canonical order: one
 * per lane, or the whole group when it is smaller (common.clh's TEAM). */
static inline size_t hpk__cl_lane_team(const hpk__cl_tuning *t, bool f32)
{
    return t->wgs < hpk__cl_lanes(f32) ? t->wgs : hpk__cl_lanes(f32);
}

/* The vector width of the reduction programs: sixteen lanes per vector, a
 * block's lanes one vector (double) or four (float) (CPU family); scalar
 * lanes (GPU family). */
static inline int hpk__cl_reduce_vec(const hpk__cl_tuning *t)
{
    return t->cpu_kernels ? 16 : 1;
}

/* ---- profiling (profile.c) -------------------------------------------------- */

typedef enum hpk__cl_phase { HPK__CL_UPLOAD, HPK__CL_KERNEL, HPK__CL_DOWNLOAD } hpk__cl_phase;

#define HPK__CL_MAX_EVENTS 8

/* ---- the state of an OpenCL context ----------------------------------------- */

#define HPK__CL_STAGES 3 /* host-pointer calls: device copies of A (or x), x (or y), y */
enum { HPK__CL_STAGE_A, HPK__CL_STAGE_X, HPK__CL_STAGE_Y };

typedef struct hpk__cl_state {
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue; /* in order; hpk's own or the caller's (both retained by the state) */
    bool profiling;         /* the queue has CL_QUEUE_PROFILING_ENABLE */
    char device_name[256];
    char identity[1024]; /* device, driver and platform: part of the disk cache key */
    bool fp64;
    bool fp64_hidden; /* the device has fp64 but HPK_CL_NO_FP64 hides it */
    hpk__cl_tuning tune;

    hpk__cl_program progs[HPK__CL_NPROGS];
    hpk__cl_integrand *integrands;

    /* Scratch, allocated with the context and reused by every call. */
    cl_mem partials;      /* stage-one results: at least tune.groups records of HPK__CL_PARTIAL_BYTES */
    void *host_partials;  /* their host copy */
    size_t partials_bytes; /* the size of both */
    cl_mem split;         /* gemv's partial sums per block (run), made and grown by calls */
    size_t split_bytes;
    cl_mem bounds;        /* hpk_cl_mc_integrate's box, HPK__CL_MAX_DIM * 2 doubles */

    /* Host-pointer calls' device copies, grown when a call needs more. */
    cl_mem stage[HPK__CL_STAGES];
    size_t stage_bytes[HPK__CL_STAGES];

    /* The last call's commands, for hpk_ctx_last_profile. */
    cl_event events[HPK__CL_MAX_EVENTS];
    hpk__cl_phase phases[HPK__CL_MAX_EVENTS];
    int nevents;
    double build_s;

    /* Verify mode (verify.c): the setting, the last call's verification
     * time, and the test hook's fault (the logical element of the output to
     * perturb; -1: none). */
    bool verify;
    double verify_s;
    int64_t fault;
} hpk__cl_state;

#define HPK__CL_PARTIAL_BYTES 32
#define HPK__CL_MAX_DIM 256

static inline hpk__cl_state *hpk__cl(const hpk_ctx *ctx)
{
    return ctx->backend_state;
}

/* A vector on the device: logical element i at element base + i * inc of mem. */
typedef struct hpk__cl_vec {
    cl_mem mem;
    int64_t base, inc;
} hpk__cl_vec;

/* The vector of n elements with increment inc whose lowest-addressed element
 * is element `offset` of mem (hpk.h's rule for negative increments). */
static inline hpk__cl_vec hpk__cl_vec_at(cl_mem mem, size_t offset, int64_t n, int64_t inc)
{
    return (hpk__cl_vec){mem, (int64_t)offset + hpk__vector_origin(n, inc), inc};
}

/* ---- errors (errors.c) ------------------------------------------------------ */

/* "CL_INVALID_VALUE" etc.; "an unknown OpenCL error" for others. */
const char *hpk__cl_error_name(cl_int err);

/* Records "fn: what failed: CL_... (code)" and returns HPK_ERR_ALLOC for
 * out-of-memory errors, HPK_ERR_DEVICE for the rest. */
hpk_status hpk__cl_fail(hpk_ctx *ctx, const char *fn, const char *what, cl_int err);

/* HPK_ERR_UNSUPPORTED (with a message) when the device lacks fp64. */
hpk_status hpk__cl_need_fp64(hpk_ctx *ctx, const char *fn);

/* ---- devices and contexts --------------------------------------------------- */

/* select.c: the platform and device that `spec` (hpk_ctx_create_cl's rules;
 * NULL reads HPK_CL_DEVICE) names.  Failures are recorded on the default
 * context. */
hpk_status hpk__cl_select(const char *fn, const char *spec, cl_platform_id *platform, cl_device_id *device);

/* tuning.c: device properties and the environment's overrides into s. */
hpk_status hpk__cl_tune(const char *fn, hpk__cl_state *s);

/* buffers.c: the scratch buffers of a new context; released by
 * hpk__cl_buffers_release. */
hpk_status hpk__cl_buffers_create(hpk_ctx *ctx, const char *fn);
void hpk__cl_buffers_release(hpk__cl_state *s);

/* context.c: the ops table's destroy hook. */
void hpk__cl_destroy(hpk_ctx *ctx);

/* The ops table of OpenCL contexts (ops.c). */
extern const hpk__ops hpk__cl_ops;

/* ---- programs (program.c, cache.c) ----------------------------------------- */

/* Program `which`, building it (or loading it from the disk cache) on first
 * use. */
hpk_status hpk__cl_get_program(hpk_ctx *ctx, const char *fn, hpk__cl_prog which, const hpk__cl_program **out);

/* The program of an integrand source for `dim` dimensions, likewise. */
hpk_status hpk__cl_get_integrand(hpk_ctx *ctx, const char *fn, const char *source, int dim,
                                     const hpk__cl_program **out);

void hpk__cl_programs_release(hpk__cl_state *s);

/* The disk cache: a program binary by key (a text naming everything the
 * binary depends on).  load returns a malloc'd binary, or NULL when there is
 * no trusted, valid entry; store writes atomically and ignores failures.
 * hpk_cl.h states what the cache trusts. */
unsigned char *hpk__cl_cache_load(const char *key, size_t *size);
void hpk__cl_cache_store(const char *key, const unsigned char *binary, size_t size);

/* ---- commands ---------------------------------------------------------------- */

/* profile.c: a call that uses the device starts by dropping the previous
 * call's events; each command it enqueues gets an event slot (NULL when the
 * slots are full: the command then goes untimed). */
void hpk__cl_call_begin(hpk__cl_state *s);
cl_event *hpk__cl_event_slot(hpk__cl_state *s, hpk__cl_phase phase);
void hpk__cl_events_release(hpk__cl_state *s);

/* One kernel argument: HPK__ARG(variable). */
typedef struct hpk__cl_arg {
    size_t size;
    const void *value;
} hpk__cl_arg;
#define HPK__ARG(v) ((hpk__cl_arg){sizeof(v), &(v)})

/* launch.c: sets the arguments and enqueues the kernel over `global`
 * work-items (dims 1 to 3: those past the last one above 1 are left out)
 * in groups of (tune.wgs, 1, 1). */
hpk_status hpk__cl_launch(hpk_ctx *ctx, const char *fn, cl_kernel kernel, const hpk__cl_arg *args, int nargs,
                          size_t global0, size_t global1, size_t global2);

/* buffers.c: partials (and host_partials), or split, with room for
 * `bytes`, grown (and kept) when a call needs more. */
hpk_status hpk__cl_partials_room(hpk_ctx *ctx, const char *fn, size_t bytes);
hpk_status hpk__cl_split_room(hpk_ctx *ctx, const char *fn, size_t bytes);

/* launch.c: stage one of a reduction -- `kernel` over `groups` work-groups
 * for each of `batch` problems (dimension 1) -- and its first `bytes` of
 * partial results read into host_partials. */
hpk_status hpk__cl_launch_groups(hpk_ctx *ctx, const char *fn, cl_kernel kernel, const hpk__cl_arg *args,
                                 int nargs, size_t groups, size_t batch, size_t bytes);

/* launch.c: the work split of a reduction over n items (elements, samples):
 * the number of work-groups and `run`, the items of one work-item (CPU
 * family; a multiple of vec) or of one work-group (GPU family; a multiple of
 * the work-group size), as the kernels' share of work expects.  A work-item
 * gets at least min_run items when n allows.  Depends on n and the tuning
 * only, so results repeat. */
void hpk__cl_plan(const hpk__cl_tuning *t, uint64_t n, int vec, uint64_t min_run, size_t *groups, uint64_t *run);

/* buffers.c: host-pointer calls' transfers.  stage_vec uploads the strided
 * elements of a host vector (and nothing between them) into stage buffer
 * `slot`, packed, and describes it; stage_alloc only makes room (for a y
 * that is not read); stage_matrix uploads the `vecs` stored vectors of `len`
 * elements (lda apart on the host) packed, so their device lda is len;
 * download_vec writes a stage vector (as stage_vec or stage_alloc made it)
 * back to the host's strided elements, waiting for it. */
hpk_status hpk__cl_stage_vec(hpk_ctx *ctx, const char *fn, int slot, const void *x, int64_t n, int64_t inc,
                             size_t elem_size, hpk__cl_vec *out);
hpk_status hpk__cl_stage_alloc(hpk_ctx *ctx, const char *fn, int slot, int64_t n, int64_t inc, size_t elem_size,
                               hpk__cl_vec *out);
hpk_status hpk__cl_stage_matrix(hpk_ctx *ctx, const char *fn, int slot, const void *a, int64_t vecs, int64_t len,
                                int64_t lda, size_t elem_size, cl_mem *out);
hpk_status hpk__cl_download_vec(hpk_ctx *ctx, const char *fn, hpk__cl_vec v, void *x, int64_t n, int64_t inc,
                                size_t elem_size);
/* A batch's operand as `bytes` of the stage buffer `slot`, uploaded from
 * host (NULL: room only), and an output read back whole. */
hpk_status hpk__cl_stage_bytes(hpk_ctx *ctx, const char *fn, int slot, const void *host, size_t bytes, cl_mem *out);
hpk_status hpk__cl_download_bytes(hpk_ctx *ctx, const char *fn, cl_mem mem, void *host, size_t bytes);

/* ---- the computations (arguments checked, quick returns taken) ------------- */

/* A batch of problems in one launch: problem k's operands lie k * stride
 * elements after problem 0's (a stride may be 0 or negative).  NULL where a
 * computation takes one: a single problem. */
typedef struct hpk__cl_batch {
    int64_t count; /* >= 1 */
    int64_t a, x, y; /* strides of A, x and y (reductions: x and y) */
} hpk__cl_batch;

/* gemv.c: enqueues y := alpha op(A) x + beta y and returns without waiting.
 * alpha and beta are the call's values (exact in float for sgemv). */
hpk_status hpk__cl_gemv(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans,
                        int64_t m, int64_t n, double alpha, cl_mem a, int64_t a_offset, int64_t lda,
                        hpk__cl_vec x, double beta, hpk__cl_vec y, const hpk__cl_batch *batch);

/* reduce.c: sum, asum, dot, nrm2 of n > 0 elements (y only for dot), and the
 * i?amax index; both wait for the result (with a batch, one root or index
 * per problem).  hpk__cl_reduce_root leaves the root of the blocks' tree
 * (the CPU backends' node, on a device with fp64), which
 * hpk__cl_reduce_finish turns into the result (pairs: float pairs'
 * partials, a float reduction on a device without fp64). */
hpk_status hpk__cl_reduce_root(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n,
                               hpk__cl_vec x, hpk__cl_vec y, const hpk__cl_batch *batch, hpk__reduce_node *root);
double hpk__cl_reduce_finish(hpk__reduce_op op, bool pairs, const hpk__reduce_node *root);
hpk_status hpk__cl_reduce(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, hpk__cl_vec x,
                          hpk__cl_vec y, double *result);
/* A batch's results, finished and stored (batch->count floats or doubles). */
hpk_status hpk__cl_reduce_results(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n, hpk__cl_vec x,
                                  hpk__cl_vec y, const hpk__cl_batch *batch, void *result);
hpk_status hpk__cl_amax(hpk_ctx *ctx, const char *fn, bool f32, int64_t n, hpk__cl_vec x, const hpk__cl_batch *batch,
                        int64_t *index);

/* api_reduce.c: the hpk_cl_ reduction (or i?amax) `op` on one problem, as
 * its public function (checks, verify mode) does. */
hpk_status hpk__cl_reduce_one(hpk_ctx *ctx, hpk__reduce_op op, bool f32, int64_t n, cl_mem x, size_t x_offset,
                              int64_t incx, cl_mem y, size_t y_offset, int64_t incy, void *result);

/* batch.c: hpk.h's batched host-pointer calls (the ops table's batch). */
struct hpk__batch;
hpk_status hpk__cl_run_batch(hpk_ctx *ctx, const struct hpk__batch *b);

/* mc.c */
hpk_status hpk__cl_mc_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *result);
hpk_status hpk__cl_mc_integrate(hpk_ctx *ctx, const char *fn, const char *source, int dim, const double *lower,
                                const double *upper, uint64_t samples, uint64_t seed, hpk_mc_result *result);

/* ---- verify mode (verify.c) ------------------------------------------------- */

/* Reads HPK_CL_VERIFY into a new state (and clears its fault). */
hpk_status hpk__cl_verify_env(const char *fn, hpk__cl_state *s);

/* Tests only (linked statically; not exported from the shared library):
 * from now on, every verified call on ctx perturbs the last bit of logical
 * element `element` of its device output before comparing (a reduction's
 * result, i?amax's index + 1, Monte Carlo pi's estimate), as a faulty device
 * would.  -1 stops it. */
void hpk__cl_set_fault(hpk_ctx *ctx, int64_t element);

/* Whether a reduction (op HPK__OP_AMAX: i?amax) of this precision is
 * verified on ctx: verify mode is on and the device's result is bitwise the
 * CPU's (not a float sum on a device without fp64). */
bool hpk__cl_verifies_reduce(const hpk_ctx *ctx, hpk__reduce_op op, bool f32);

/* The checks.  Each adds its time to verify_s and returns HPK_SUCCESS,
 * HPK_ERR_MISMATCH (message recorded; the device's output stays written),
 * or the status of a failure of the verification itself.  A reduction's
 * device result `dev` is a double (as hpk__cl_reduce gives it; the float
 * variants compare it rounded to float) or an int64_t index (i?amax); x, y are host vectors (hpk.h's layout) or device buffers
 * (_mem, read back).  GEMV: _save copies the original y (logical order,
 * packed) into a new *saved before the device call (beta == 0: room only);
 * after it, hpk__cl_verify_gemv compares the device's y (on the host) and
 * hpk__cl_verify_gemv_mem y in its buffer (it waits for the kernels). The
 * caller frees *saved. */
hpk_status hpk__cl_verify_reduce(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n,
                                 const void *x, int64_t incx, const void *y, int64_t incy, void *dev);
hpk_status hpk__cl_verify_reduce_mem(hpk_ctx *ctx, const char *fn, hpk__reduce_op op, bool f32, int64_t n,
                                     cl_mem x, size_t x_offset, int64_t incx, cl_mem y, size_t y_offset,
                                     int64_t incy, void *dev);
hpk_status hpk__cl_verify_gemv_save(hpk_ctx *ctx, const char *fn, bool f32, int64_t ylen, double beta,
                                    const void *y, int64_t incy, void **saved);
hpk_status hpk__cl_verify_gemv_mem_save(hpk_ctx *ctx, const char *fn, bool f32, int64_t ylen, double beta, cl_mem y,
                                        size_t y_offset, int64_t incy, void **saved);
hpk_status hpk__cl_verify_gemv(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans,
                               int64_t m, int64_t n, double alpha, const void *a, int64_t lda, const void *x,
                               int64_t incx, double beta, void *y, int64_t incy, void *saved);
hpk_status hpk__cl_verify_gemv_mem(hpk_ctx *ctx, const char *fn, bool f32, hpk_layout layout, hpk_transpose trans,
                                   int64_t m, int64_t n, double alpha, cl_mem a, size_t a_offset, int64_t lda,
                                   cl_mem x, size_t x_offset, int64_t incx, double beta, cl_mem y, size_t y_offset,
                                   int64_t incy, void *saved);
hpk_status hpk__cl_verify_mc_pi(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *dev);

/* A reduction's result r (a float for f32, else a double) stored as
 * hpk__store_result does, also when st is HPK_ERR_MISMATCH (verify mode
 * writes the device's output); returns st. */
static inline hpk_status hpk__cl_store_result(hpk_status st, double r, bool f32, void *result)
{
    hpk__store_result(st == HPK_ERR_MISMATCH ? HPK_SUCCESS : st, r, f32, result);
    return st;
}

/* ---- checks of the hpk_cl_ entry points (check_cl.c) ----------------------- */

/* ctx is an OpenCL context (a NULL ctx is recorded on the default one). */
hpk_status hpk__cl_check_ctx(hpk_ctx *ctx, const char *fn);

/* mem holds the elements [offset, offset + extent) of elem_size bytes and
 * belongs to ctx's OpenCL context; extent 0 checks nothing. */
hpk_status hpk__cl_check_buffer(hpk_ctx *ctx, const char *fn, const char *name, cl_mem mem, size_t offset,
                                int64_t extent, size_t elem_size);

#endif /* HPK_CL_BACKEND_H */
