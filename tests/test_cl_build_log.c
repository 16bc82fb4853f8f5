/* hpk's device programs compile without a diagnostic: every program hpk
 * builds (gemv.cl and reduce.cl in double and float, mc_pi.cl, mc_integrate.cl
 * after an integrand), in both kernel families, with and without fp64, at
 * every vector width the CPU family picks and at several work-group sizes,
 * is built from source through the library's own path (program.c, the
 * options it passes) and its build log must hold no warning and no error.
 * A driver that compiles with clang (PoCL) prints "N warnings generated." on
 * stderr for each program with warnings, which hpk promises never to do;
 * test_first_calls_quiet (registered as cl_quiet) checks that stderr stays
 * empty.  Linked against the static
 * library, to reach the built programs (cl_backend.h). */
#define _XOPEN_SOURCE 700
#include "cl_backend.h"
#include "support.h"

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* An integrand as a user writes one (hpk_cl.h), clean itself. */
static const char integrand[] = "double hpk_integrand(const double *x, int dim)\n"
                                "{\n"
                                "    double s = 0.0;\n"
                                "    for (int d = 0; d < dim; d++)\n"
                                "        s += x[d] * x[d];\n"
                                "    return s;\n"
                                "}\n";

static const char *const prog_names[HPK__CL_NPROGS] = {
    [HPK__CL_GEMV_D] = "gemv.cl (double)",
    [HPK__CL_GEMV_S] = "gemv.cl (float)",
    [HPK__CL_REDUCE_D] = "reduce.cl (double)",
    [HPK__CL_REDUCE_S] = "reduce.cl (float)",
    [HPK__CL_MC_PI] = "mc_pi.cl",
};

static int builds, dirty; /* programs checked (all configurations), and those with a diagnostic */

static void set_env(const char *name, const char *value)
{
    if (value ? setenv(name, value, 1) : unsetenv(name))
        fail_msg("cannot set %s", name);
}

/* Counts (and shows) the build log of `program` when it holds anything but
 * white space. */
static void expect_clean_log(const hpk__cl_state *s, cl_program program, const char *what, const char *config)
{
    size_t size = 0;
    cl_int err = clGetProgramBuildInfo(program, s->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size);
    if (err != CL_SUCCESS)
        fail_msg("%s (%s): clGetProgramBuildInfo: %d", what, config, (int)err);
    char *log = calloc(size + 1, 1);
    assert_non_null(log);
    if (size && (err = clGetProgramBuildInfo(program, s->device, CL_PROGRAM_BUILD_LOG, size, log, NULL)) != CL_SUCCESS)
        fail_msg("%s (%s): clGetProgramBuildInfo: %d", what, config, (int)err);
    const char *p = log;
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    if (*p) {
        fprintf(stderr, "%s (%s): the build log is not empty:\n%s\n", what, config, log);
        dirty++;
    }
    free(log);
    builds++;
}

/* Which programs check_programs builds: a bit per hpk__cl_prog, and the
 * integrand programs (mc_integrate.cl). */
#define GEMV ((1u << HPK__CL_GEMV_D) | (1u << HPK__CL_GEMV_S))
#define REDUCE ((1u << HPK__CL_REDUCE_D) | (1u << HPK__CL_REDUCE_S))
#define INTEGRAND (1u << HPK__CL_NPROGS)
#define ALL (((1u << HPK__CL_NPROGS) - 1) | INTEGRAND) /* a new program is checked too */

/* Builds the programs in `which` as an OpenCL context of the current
 * environment builds them (with the CPU family's vector widths set to `vec`
 * when nonzero) and checks their build logs. */
static void check_programs(const char *config, int vec, unsigned programs)
{
    hpk_ctx *ctx = NULL;
    hpk_status st = hpk_ctx_create_cl(&ctx, NULL);
    if (st != HPK_SUCCESS)
        fail_msg("hpk_ctx_create_cl (%s): %s", config, hpk_status_string(st));
    hpk__cl_state *s = hpk__cl(ctx);
    if (vec) {
        if (!s->tune.cpu_kernels)
            fail_msg("%s: vector widths are the CPU family's", config);
        s->tune.vec_d = s->tune.vec_s = vec;
    }
    char label[160];
    snprintf(label, sizeof label, "%s, wgs %zu, vec_s %d, vec_d %d, fp64 %d", config, s->tune.wgs, s->tune.vec_s,
             s->tune.vec_d, (int)s->fp64);
    for (int which = 0; which < HPK__CL_NPROGS; which++) {
        /* The double programs; a new one belongs here (it does not build
         * without fp64, and hpk never builds it there: hpk__cl_need_fp64). */
        const bool f64 = which == HPK__CL_GEMV_D || which == HPK__CL_REDUCE_D;
        if (!(programs & (1u << which)) || (f64 && !s->fp64))
            continue;
        char what[64];
        snprintf(what, sizeof what, "%s", prog_names[which] ? prog_names[which] : "a program prog_names lacks");
        const hpk__cl_program *p;
        if ((st = hpk__cl_get_program(ctx, "test", (hpk__cl_prog)which, &p)) != HPK_SUCCESS)
            fail_msg("%s (%s): %s", what, label, hpk_ctx_error_message(ctx));
        expect_clean_log(s, p->program, what, label);
    }
    static const int dims[] = {1, 5};
    for (size_t k = 0; (programs & INTEGRAND) && s->fp64 && k < sizeof dims / sizeof dims[0]; k++) {
        const hpk__cl_program *p;
        if ((st = hpk__cl_get_integrand(ctx, "test", integrand, dims[k], &p)) != HPK_SUCCESS)
            fail_msg("mc_integrate.cl (%s): %s", label, hpk_ctx_error_message(ctx));
        char what[64];
        snprintf(what, sizeof what, "mc_integrate.cl (dim %d)", dims[k]);
        expect_clean_log(s, p->program, what, label);
    }
    hpk_ctx_destroy(ctx);
}

/* Fails when a program of the current test had a diagnostic. */
static void expect_all_clean(void)
{
    const int n = dirty;
    dirty = 0;
    if (n)
        fail_msg("%d programs built with diagnostics in their build logs (above)", n);
}

/* The CPU family: every program with the device's tuning; gemv (the only
 * program whose vectors follow the device) at every vector width tuning.c
 * picks (2, 4, 8, 16); gemv and the reductions in groups of one work-item. */
static void test_cpu_family(void **state)
{
    (void)state;
    set_env("HPK_CL_KERNELS", "cpu");
    set_env("HPK_CL_WGS", NULL);
    check_programs("cpu family", 0, ALL);
    static const int vecs[] = {2, 4, 8, 16};
    for (size_t k = 0; k < sizeof vecs / sizeof vecs[0]; k++)
        check_programs("cpu family", vecs[k], GEMV);
    set_env("HPK_CL_WGS", "1");
    check_programs("cpu family", 0, GEMV | REDUCE);
    set_env("HPK_CL_WGS", NULL);
    expect_all_clean();
}

/* The GPU family: every program with the device's tuning (groups larger
 * than a block's lanes); gemv and the reductions in groups smaller than a
 * block's lanes (1, 4) and equal to double's (16). */
static void test_gpu_family(void **state)
{
    (void)state;
    set_env("HPK_CL_KERNELS", "gpu");
    set_env("HPK_CL_WGS", NULL);
    check_programs("gpu family", 0, ALL);
    static const char *const wgs[] = {"1", "4", "16"};
    for (size_t k = 0; k < sizeof wgs / sizeof wgs[0]; k++) {
        set_env("HPK_CL_WGS", wgs[k]);
        check_programs("gpu family", 0, GEMV | REDUCE);
    }
    set_env("HPK_CL_WGS", NULL);
    expect_all_clean();
}

/* A device without fp64 (HPK_CL_NO_FP64): the float programs with float
 * pairs, in both families. */
static void test_without_fp64(void **state)
{
    (void)state;
    set_env("HPK_CL_NO_FP64", "1");
    set_env("HPK_CL_KERNELS", "cpu");
    check_programs("cpu family, no fp64", 0, ALL);
    set_env("HPK_CL_KERNELS", "gpu");
    set_env("HPK_CL_WGS", "16");
    check_programs("gpu family, no fp64", 0, ALL);
    set_env("HPK_CL_WGS", NULL);
    set_env("HPK_CL_NO_FP64", NULL);
    expect_all_clean();
}

/* ---- nothing on stderr ------------------------------------------------------------------ */

/* The child's work (test_first_calls_quiet): a call that builds each of
 * hpk's programs in the kernel family of its environment.  Its own messages
 * go to stdout, so that stderr holds only what the library and the driver
 * print. */
static int first_calls(void)
{
    hpk_ctx *ctx;
    hpk_status st = hpk_ctx_create(&ctx, HPK_BACKEND_OPENCL);
    if (st != HPK_SUCCESS) {
        printf("hpk_ctx_create: %s\n", hpk_status_string(st));
        return 1;
    }
    enum { M = 40, N = 70 };
    static double a[M * N], x[N], y[M], r;
    static float as[M * N], xs[N], ys[M], rs;
    for (int i = 0; i < M * N; i++)
        as[i] = (float)(a[i] = (double)(i % 7) - 3.0);
    for (int i = 0; i < N; i++)
        xs[i] = (float)(x[i] = 1.0 / (i + 1));
    int64_t index;
    hpk_mc_result mr;
    const double lower[2] = {0, 0}, upper[2] = {1, 1};
    const char *failed = NULL;
    if ((st = hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, 1.0, a, N, x, 1, 0.0, y, 1)) != HPK_SUCCESS)
        failed = "hpk_dgemv";
    else if ((st = hpk_sgemv(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, M, N, 1.0f, as, N, xs, 1, 0.0f, ys, 1)) != HPK_SUCCESS)
        failed = "hpk_sgemv";
    else if ((st = hpk_dnrm2(ctx, M * N, a, 1, &r)) != HPK_SUCCESS)
        failed = "hpk_dnrm2";
    else if ((st = hpk_isamax(ctx, M * N, as, 1, &index)) != HPK_SUCCESS)
        failed = "hpk_isamax";
    else if ((st = hpk_ssum(ctx, M * N, as, 1, &rs)) != HPK_SUCCESS)
        failed = "hpk_ssum";
    else if ((st = hpk_mc_pi(ctx, 100000, 1, &mr)) != HPK_SUCCESS)
        failed = "hpk_mc_pi";
    else if ((st = hpk_cl_mc_integrate(ctx, integrand, 2, lower, upper, 10000, 1, &mr)) != HPK_SUCCESS)
        failed = "hpk_cl_mc_integrate";
    if (failed)
        printf("%s: %s\n", failed, hpk_ctx_error_message(ctx));
    hpk_ctx_destroy(ctx);
    return failed != NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* What went wrong in a child (empty: nothing). */
static char problem[1 << 15];

/* Runs this program's first_calls in a child with the kernel family
 * `family` and the cache root `cache`, its stderr into a file there; says in
 * `problem` unless it succeeds and writes nothing there. */
static bool quiet_child(const char *family, const char *cache, const char *what)
{
    char errpath[512];
    snprintf(errpath, sizeof errpath, "%s/stderr", cache);
    /* The driver's caches on, as a user has them; none of the build-log
     * tests' settings. */
    set_env("HPK_CL_KERNELS", family);
    set_env("XDG_CACHE_HOME", cache);
    set_env("HPK_CL_CACHE", NULL);
    set_env("POCL_KERNEL_CACHE", NULL);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char *argv[] = {"test_cl_build_log", "opencl", "--first-calls", NULL};
    pid_t pid;
    const int spawned = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    set_env("HPK_CL_CACHE", "0");
    set_env("POCL_KERNEL_CACHE", "0");
    int status = 0;
    if (spawned != 0) {
        snprintf(problem, sizeof problem, "posix_spawn: %s", strerror(spawned));
        return false;
    }
    if (waitpid(pid, &status, 0) != pid) {
        snprintf(problem, sizeof problem, "waitpid failed");
        return false;
    }
    static char err[1 << 14];
    size_t len = 0;
    FILE *f = fopen(errpath, "rb");
    if (f) {
        len = fread(err, 1, sizeof err - 1, f);
        fclose(f);
    }
    err[len] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        snprintf(problem, sizeof problem, "%s family, %s: the calls failed (status %d); stderr:\n%s", family, what,
                 status, err);
    else if (len)
        snprintf(problem, sizeof problem, "%s family, %s: %zu bytes on stderr:\n%s", family, what, len, err);
    return !problem[0];
}

/* A new user's first OpenCL calls, in a new cache directory (every program
 * compiled by the driver), then a second process on the same cache (every
 * program loaded from it), in both kernel families: nothing on stderr. */
static void test_first_calls_quiet(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    char cache[400];
    snprintf(cache, sizeof cache, "%s/hpk-quiet-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (!mkdtemp(cache))
        fail_msg("mkdtemp(%s) failed", cache);
    const char *saved = getenv("XDG_CACHE_HOME");
    char *saved_copy = saved ? strdup(saved) : NULL;
    static const char *const families[] = {"cpu", "gpu"};
    problem[0] = '\0';
    bool quiet = true;
    for (size_t k = 0; quiet && k < 2; k++)
        quiet =
            quiet_child(families[k], cache, "a new cache") && quiet_child(families[k], cache, "the same cache again");
    set_env("XDG_CACHE_HOME", saved_copy);
    free(saved_copy);
    set_env("HPK_CL_KERNELS", NULL);
    nftw(cache, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (problem[0])
        fail_msg("%s", problem);
}

static int report(void **state)
{
    (void)state;
    printf("%d programs built without a diagnostic\n", builds);
    return 0;
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    if (argc == 3 && strcmp(argv[2], "--first-calls") == 0)
        return first_calls();
    if (test_backend != HPK_BACKEND_OPENCL) {
        fprintf(stderr, "%s tests the OpenCL backend only\n", argv[0]);
        return 1;
    }
    /* Every program compiled from source here: no binary from hpk's disk
     * cache, none from PoCL's kernel cache (its build log would be empty). */
    set_env("HPK_CL_CACHE", "0");
    set_env("POCL_KERNEL_CACHE", "0");
    /* "quiet" as the second argument: the stderr test alone (ctest runs
     * it beside the build logs). */
    if (argc == 3 && strcmp(argv[2], "quiet") == 0) {
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_first_calls_quiet)};
        return cmocka_run_group_tests_name("opencl first calls, nothing on stderr", tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_family),
        cmocka_unit_test(test_gpu_family),
        cmocka_unit_test(test_without_fp64),
    };
    return cmocka_run_group_tests_name("opencl build logs", tests, NULL, report);
}
