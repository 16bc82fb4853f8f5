/* Programs: hpk's kernels and users' integrands, built for the context's
 * device on first use and kept with the context; the disk cache (cache.c)
 * spares a new process the compilation.  The build options carry every
 * tuning parameter, so the cache key (options, sources, device identity)
 * names everything a binary depends on. */
#include "cl_backend.h"
#include "hash.h"
#include "sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INTEGRANDS 16 /* integrand programs kept per context */

typedef struct builtin {
    const char *source; /* one of sources.h */
    const char *what;   /* for messages */
    bool f32;           /* float data (HPK_DOUBLE=0), else double; mc_pi builds as float */
    bool reduction;     /* reduce.cl: built with hpk__cl_reduce_vec's VEC */
    const char *kernels[HPK__CL_MAX_KERNELS];
} builtin;

static const builtin builtins[HPK__CL_NPROGS] = {
    [HPK__CL_GEMV_D] = {hpk__cl_src_gemv, "gemv.cl (double)", false, false,
                        {"gemv_dot", "gemv_axpy", "gemv_combine", "gemv_scale"}},
    [HPK__CL_GEMV_S] = {hpk__cl_src_gemv, "gemv.cl (float)", true, false,
                        {"gemv_dot", "gemv_axpy", "gemv_combine", "gemv_scale"}},
    [HPK__CL_REDUCE_D] = {hpk__cl_src_reduce, "reduce.cl (double)", false, true,
                          {"reduce_sum", "reduce_asum", "reduce_dot", "reduce_nrm2", "reduce_amax"}},
    [HPK__CL_REDUCE_S] = {hpk__cl_src_reduce, "reduce.cl (float)", true, true,
                          {"reduce_sum", "reduce_asum", "reduce_dot", "reduce_nrm2", "reduce_amax"}},
    [HPK__CL_MC_PI] = {hpk__cl_src_mc_pi, "mc_pi.cl", true, false, {"mc_pi"}},
};

static double seconds_now(void)
{
    struct timespec t;
    timespec_get(&t, TIME_UTC);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* FNV-1a over the sources, from two different offsets: 128 bits in all. */
static void hash_sources(const char *const *sources, size_t count, unsigned long long h[2], size_t *length)
{
    uint64_t h0 = HPK__FNV1A_START, h1 = 0x84222325cbf29ce4u;
    *length = 0;
    for (size_t i = 0; i < count; i++) {
        const size_t len = strlen(sources[i]);
        h0 = hpk__fnv1a(h0, sources[i], len);
        h1 = hpk__fnv1a(h1, sources[i], len);
        *length += len;
    }
    h[0] = h0;
    h[1] = h1;
}

static char *cache_key(const hpk__cl_state *s, const char *const *sources, size_t count, const char *options)
{
    unsigned long long h[2];
    size_t length;
    hash_sources(sources, count, h, &length);
    const char *fmt = "hpk %s OpenCL program\n%s\noptions: %s\nsources: %zu bytes, %016llx%016llx\n";
    const int size = snprintf(NULL, 0, fmt, hpk_version_string(), s->identity, options, length, h[0], h[1]);
    char *key = size > 0 ? malloc((size_t)size + 1) : NULL;
    if (key && snprintf(key, (size_t)size + 1, fmt, hpk_version_string(), s->identity, options, length, h[0],
                        h[1]) != size) {
        free(key);
        key = NULL;
    }
    return key; /* NULL: no disk cache for this program */
}

/* The program from a cached binary, or NULL when there is none that builds. */
static cl_program from_cache(const hpk__cl_state *s, const char *key, const char *options)
{
    size_t size;
    unsigned char *binary = key ? hpk__cl_cache_load(key, &size) : NULL;
    if (!binary)
        return NULL;
    cl_int err, binary_status;
    const unsigned char *bin = binary;
    cl_program program = clCreateProgramWithBinary(s->context, 1, &s->device, &size, &bin, &binary_status, &err);
    free(binary);
    if (err == CL_SUCCESS && binary_status == CL_SUCCESS &&
        clBuildProgram(program, 1, &s->device, options, NULL, NULL) == CL_SUCCESS)
        return program;
    if (err == CL_SUCCESS)
        clReleaseProgram(program);
    return NULL;
}

static void store_binary(const char *key, cl_program program)
{
    size_t size = 0;
    if (!key || clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return;
    unsigned char *binary = malloc(size);
    if (binary && clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof binary, &binary, NULL) == CL_SUCCESS)
        hpk__cl_cache_store(key, binary, size);
    free(binary);
}

/* A failed build's message: the start of the build log. */
static hpk_status build_failure(hpk_ctx *ctx, const char *fn, const char *what, cl_program program, cl_int err)
{
    const hpk__cl_state *s = hpk__cl(ctx);
    char log[HPK__ERROR_CAPACITY];
    log[0] = '\0';
    if (clGetProgramBuildInfo(program, s->device, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL) != CL_SUCCESS) {
        /* longer than the message can hold: read it whole, keep the start */
        size_t size = 0;
        clGetProgramBuildInfo(program, s->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size);
        char *full = size ? malloc(size) : NULL;
        if (full && clGetProgramBuildInfo(program, s->device, CL_PROGRAM_BUILD_LOG, size, full, NULL) == CL_SUCCESS)
            snprintf(log, sizeof log, "%s", full);
        free(full);
    }
    log[sizeof log - 1] = '\0';
    return hpk__fail(ctx, HPK_ERR_DEVICE, "%s: building %s for \"%s\" failed (%s): %s", fn, what, s->device_name,
                     hpk__cl_error_name(err), log[0] ? log : "no build log");
}

/* The kernels `names` of program into *out (which then owns the program). */
static cl_int create_kernels(cl_program program, const char *const *names, hpk__cl_program *out)
{
    hpk__cl_program p = {program, {NULL}};
    for (int k = 0; k < HPK__CL_MAX_KERNELS && names[k]; k++) {
        cl_int err;
        p.kernels[k] = clCreateKernel(program, names[k], &err);
        if (err != CL_SUCCESS) {
            for (int j = 0; j < k; j++)
                clReleaseKernel(p.kernels[j]);
            return err;
        }
    }
    *out = p;
    return CL_SUCCESS;
}

/* Builds (or loads) the program of `sources` with `options`, and its kernels.
 * A cached binary that does not build, or lacks one of the kernels, is
 * replaced by a build from source. */
static hpk_status build(hpk_ctx *ctx, const char *fn, const char *what, const char *const *sources, size_t count,
                        const char *options, const char *const *kernel_names, hpk__cl_program *out)
{
    hpk__cl_state *s = hpk__cl(ctx);
    char *key = cache_key(s, sources, count, options);
    cl_program program = from_cache(s, key, options);
    if (program && create_kernels(program, kernel_names, out) == CL_SUCCESS) {
        free(key);
        return HPK_SUCCESS;
    }
    if (program)
        clReleaseProgram(program);

    const double start = seconds_now();
    cl_int err;
    program = clCreateProgramWithSource(s->context, (cl_uint)count, (const char **)sources, NULL, &err);
    if (err != CL_SUCCESS) {
        free(key);
        return hpk__cl_fail(ctx, fn, "clCreateProgramWithSource", err);
    }
    err = clBuildProgram(program, 1, &s->device, options, NULL, NULL);
    s->build_s += seconds_now() - start;
    hpk_status st = HPK_SUCCESS;
    if (err != CL_SUCCESS)
        st = err == CL_BUILD_PROGRAM_FAILURE || err == CL_INVALID_BUILD_OPTIONS
                 ? build_failure(ctx, fn, what, program, err)
                 : hpk__cl_fail(ctx, fn, "clBuildProgram", err);
    else if ((err = create_kernels(program, kernel_names, out)) != CL_SUCCESS)
        st = hpk__cl_fail(ctx, fn, "clCreateKernel", err);
    else
        store_binary(key, program);
    if (st != HPK_SUCCESS)
        clReleaseProgram(program);
    free(key);
    return st;
}

static void release_program(hpk__cl_program *p)
{
    for (int k = 0; k < HPK__CL_MAX_KERNELS; k++)
        if (p->kernels[k])
            clReleaseKernel(p->kernels[k]);
    if (p->program)
        clReleaseProgram(p->program);
    *p = (hpk__cl_program){NULL, {NULL}};
}

/* The -D options every hpk program gets; `f32` picks the element type (float,
 * else double), `vec` the vector width. */
static void base_options(const hpk__cl_state *s, bool f32, int vec, char *out, size_t size)
{
    const hpk__cl_tuning *t = &s->tune;
    snprintf(out, size,
             "-cl-std=CL1.2 -DWGS=%zu -DHPK_DOUBLE=%d -DHPK_FP64=%d -DHPK_CPU_KERNELS=%d -DVEC=%d -DROWS=%d "
             "-DAXPY_VECS=%d -DAXPY_ROWS=%d",
             t->wgs, (int)!f32, (int)s->fp64, (int)t->cpu_kernels, vec, t->rows,
             t->axpy_vecs, t->axpy_rows);
}

hpk_status hpk__cl_get_program(hpk_ctx *ctx, const char *fn, hpk__cl_prog which, const hpk__cl_program **out)
{
    hpk__cl_state *s = hpk__cl(ctx);
    hpk__cl_program *p = &s->progs[which];
    if (!p->program) {
        const builtin *b = &builtins[which];
        char options[256];
        const int vec = b->reduction ? hpk__cl_reduce_vec(&s->tune) : b->f32 ? s->tune.vec_s : s->tune.vec_d;
        base_options(s, b->f32, vec, options, sizeof options);
        const hpk_status st = build(ctx, fn, b->what, &b->source, 1, options, b->kernels, p);
        if (st != HPK_SUCCESS)
            return st;
    }
    *out = p;
    return HPK_SUCCESS;
}

/* The integrand comes first, after a prelude that gives it fp64 and the
 * kernels' rounding rules; #line makes build logs count its own lines. */
static const char integrand_prelude[] =
    "#define HPK_USER_INTEGRAND 1\n"
    "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n"
    "#pragma OPENCL FP_CONTRACT OFF\n"
    "#line 1 \"integrand\"\n";
static const char integrand_epilogue[] = "\n#line 1 \"mc_integrate.cl\"\n";

hpk_status hpk__cl_get_integrand(hpk_ctx *ctx, const char *fn, const char *source, int dim,
                                     const hpk__cl_program **out)
{
    hpk__cl_state *s = hpk__cl(ctx);
    int kept = 0;
    for (hpk__cl_integrand *e = s->integrands; e; e = e->next, kept++)
        if (e->dim == dim && strcmp(e->source, source) == 0) {
            *out = &e->prog;
            return HPK_SUCCESS;
        }
    if (kept >= MAX_INTEGRANDS) { /* forget the oldest (the list's last entry) */
        hpk__cl_integrand **last = &s->integrands;
        while ((*last)->next)
            last = &(*last)->next;
        release_program(&(*last)->prog);
        free((*last)->source);
        free(*last);
        *last = NULL;
    }

    hpk__cl_integrand *e = calloc(1, sizeof *e);
    const size_t length = strlen(source);
    if (e)
        e->source = malloc(length + 1);
    if (!e || !e->source) {
        free(e);
        return hpk__fail(ctx, HPK_ERR_ALLOC, "%s: out of memory", fn);
    }
    memcpy(e->source, source, length + 1);
    e->dim = dim;

    char options[320];
    base_options(s, false, s->tune.vec_d, options, sizeof options);
    const size_t used = strlen(options);
    snprintf(options + used, sizeof options - used, " -DHPK_DIM=%d", dim);
    const char *sources[] = {integrand_prelude, source, integrand_epilogue, hpk__cl_src_mc_integrate};
    static const char *const kernels[HPK__CL_MAX_KERNELS] = {"mc_integrate"};
    const hpk_status st = build(ctx, fn, "the integrand", sources, 4, options, kernels, &e->prog);
    if (st != HPK_SUCCESS) {
        free(e->source);
        free(e);
        return st;
    }
    e->next = s->integrands;
    s->integrands = e;
    *out = &e->prog;
    return HPK_SUCCESS;
}

void hpk__cl_programs_release(hpk__cl_state *s)
{
    for (int i = 0; i < HPK__CL_NPROGS; i++)
        release_program(&s->progs[i]);
    while (s->integrands) {
        hpk__cl_integrand *e = s->integrands;
        s->integrands = e->next;
        release_program(&e->prog);
        free(e->source);
        free(e);
    }
}
