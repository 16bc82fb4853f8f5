/* The MPI scaling benchmark: times hpk's distributed kernels on the ranks it
 * is started with (mpirun -np P hpk_bench_mpi ...), splits each call's time
 * into computation and communication, and appends one CSV row per kernel to
 * a results file.  Run it once per rank count (scripts/bench-mpi does) for a
 * strong-scaling study (fixed global size) or a weak-scaling one (fixed size
 * per rank).
 *
 * CSV columns: kernel,precision,variant,size,ranks,threads,time_s,compute_s,
 * comm_s,gbps,repetitions,time_min_s,time_max_s,time_cv,working_set_bytes.
 *   variant    hpk_mpi_strong or hpk_mpi_weak, with _uneven appended for
 *              --split uneven.
 *   size       the global problem: rows M of the M x n matrix (gemv_*),
 *              elements (reductions), samples (mc_*).
 *   time_s     the median over repetitions (at least --reps, enough to fill
 *              --min-time) of the call's wall time, the slowest rank's (each
 *              repetition starts after a barrier).
 *   compute_s  in that repetition, the largest time a rank spent outside MPI
 *              calls (local kernels, checks, combining partial results);
 *   comm_s     time_s - compute_s: communication, and waiting for the
 *              slowest rank, beyond the slowest rank's computation.
 *   gbps       bytes the kernel must read and write (A, x and y once; the
 *              vectors once) per second of time_s; empty for Monte Carlo.
 *   repetitions, time_min_s, time_max_s, time_cv: how many repetitions were
 *              timed, the fastest and the slowest, and their coefficient of
 *              variation (population standard deviation over the mean).
 *   working_set_bytes  those bytes (all ranks together); 0 for Monte Carlo. */
#include <hpk/hpk_mpi.h>

#include "manifest.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct options {
    bool weak, uneven;
    const char *kernels, *precisions, *csv, *backend;
    int64_t gemv_n, vector_n;
    uint64_t pi_samples, integrate_samples;
    int reps, warmup, threads;
    double min_time;
} options;

static int rank, size;

/* --split uneven: how far each boundary between ranks moves. */
enum { UNEVEN_ELEMENTS = 1237, UNEVEN_ROWS = 37 };

/* This rank's first element (row) and count of `total`, given where the
 * balanced split puts them: with --split uneven every boundary between
 * ranks lies `shift` later (at most at the end). */
static void moved(const options *o, int64_t total, int64_t shift, int64_t *first, int64_t *count)
{
    if (!o->uneven || size == 1)
        return;
    const int64_t end = rank == size - 1 ? total : *first + *count + shift;
    *first = rank == 0 ? 0 : *first + shift;
    *first = *first < total ? *first : total;
    *count = (end < total ? end : total) - *first;
}

/* The --kernels list of the usage: the manifest's MPI kernels, wrapped. */
static void usage_kernels(void)
{
    const char *sep = "comma-separated, default all: ";
    int column = 27;
    printf("  --kernels LIST           ");
    for (int k = 0; k < hpkb_kernel_count; k++) {
        if (!hpkb_kernels[k].mpi)
            continue;
        const int width = (int)(strlen(sep) + strlen(hpkb_kernels[k].name));
        if (column + width > 88 && column > 27) {
            printf("%s\n%27s", sep[0] == ',' ? "," : "", "");
            sep = "";
            column = 27;
        }
        column += printf("%s%s", sep, hpkb_kernels[k].name);
        sep = ",";
    }
    printf("\n");
}

static void usage(void)
{
    if (rank != 0)
        return;
    printf("usage: mpirun -np P hpk_bench_mpi [options]\n"
           "  --scaling strong|weak    fixed global size (default) or fixed size per rank\n"
           "  --split balanced|uneven  vectors split in whole 4096-element blocks (hpk_mpi_block_range)\n"
           "                           and rows one by one (default), or every boundary between ranks\n"
           "                           then moved %d elements (%d rows) later, so that a canonical block\n"
           "                           (run of 256 rows) straddles it; Monte Carlo has no split and is\n"
           "                           left out\n",
           UNEVEN_ELEMENTS, UNEVEN_ROWS);
    usage_kernels();
    printf("  --precisions LIST        d, s or d,s (default d; Monte Carlo is always d)\n"
           "  --gemv-n N               matrix columns, and rows (strong) or rows per rank (weak); 4096\n"
           "  --vector-n N             reduction length (per rank when weak); 16777216\n"
           "  --pi-samples N           67108864;  --integrate-samples N   4194304\n"
           "  --reps R                 timed repetitions at least (median reported); 10\n"
           "  --min-time S             and as many more as fill S seconds; 0.5\n"
           "  --warmup W               untimed calls first; 2\n"
           "  --threads T              OpenMP threads per rank (default: OMP_NUM_THREADS, else 1)\n"
           "  --backend openmp|serial  the local backend (default openmp)\n"
           "  --quick                  sizes / 16, 3 repetitions (a smoke run)\n"
           "  --csv FILE               append rows here (header written if the file is new)\n"
           "  --manifest               alone, without mpirun: print the kernel manifest (JSON) and exit\n");
}

static bool listed(const char *list, const char *name)
{
    const size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        const size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

static bool parse(int argc, char **argv, options *o)
{
    const char *env = getenv("OMP_NUM_THREADS");
    *o = (options){false, false, "all", "d", NULL, "openmp", 4096, 1 << 24, 1u << 26, 1u << 22, 10, 2,
                   env && atoi(env) > 0 ? atoi(env) : 1, 0.5};
    bool quick = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(arg, name) == 0 && val && ++i)
        if (OPT("--scaling"))
            o->weak = strcmp(val, "weak") == 0;
        else if (OPT("--split") && (strcmp(val, "balanced") == 0 || strcmp(val, "uneven") == 0))
            o->uneven = strcmp(val, "uneven") == 0;
        else if (OPT("--kernels"))
            o->kernels = val;
        else if (OPT("--precisions"))
            o->precisions = val;
        else if (OPT("--gemv-n"))
            o->gemv_n = atoll(val);
        else if (OPT("--vector-n"))
            o->vector_n = atoll(val);
        else if (OPT("--pi-samples"))
            o->pi_samples = strtoull(val, NULL, 10);
        else if (OPT("--integrate-samples"))
            o->integrate_samples = strtoull(val, NULL, 10);
        else if (OPT("--reps"))
            o->reps = atoi(val);
        else if (OPT("--warmup"))
            o->warmup = atoi(val);
        else if (OPT("--min-time"))
            o->min_time = atof(val);
        else if (OPT("--threads"))
            o->threads = atoi(val);
        else if (OPT("--backend"))
            o->backend = val;
        else if (OPT("--csv"))
            o->csv = val;
        else if (strcmp(arg, "--quick") == 0)
            quick = true;
        else {
            if (rank == 0 && strcmp(arg, "--help") && strcmp(arg, "-h"))
                fprintf(stderr, "hpk_bench_mpi: unknown or incomplete option '%s'\n", arg);
            usage();
            return false;
        }
#undef OPT
    }
    if (quick) {
        o->gemv_n /= 16;
        o->vector_n /= 16;
        o->pi_samples /= 16;
        o->integrate_samples /= 16;
        o->reps = 3;
        o->warmup = 1;
        o->min_time = 0.0;
    }
    if (o->gemv_n < 1 || o->vector_n < 1 || o->pi_samples < 1 || o->integrate_samples < 1 || o->reps < 1 ||
        o->warmup < 0 || o->threads < 1) {
        if (rank == 0)
            fprintf(stderr, "hpk_bench_mpi: sizes, --reps and --threads must be positive\n");
        return false;
    }
    return true;
}

/* ---- one kernel's problem on this rank ----------------------------------- */

typedef struct problem {
    const char *kernel;
    char precision;
    int64_t m_local, n, rows; /* gemv: this rank's rows, columns, all rows */
    int64_t n_local, length;  /* reductions: this rank's elements, all elements */
    uint64_t samples;
    void *a, *x, *y;
    double bytes; /* moved per call, all ranks together; 0 for Monte Carlo */
} problem;

/* The same value for global element i whatever the rank count: [-1, 1). */
static double value_at(uint64_t i)
{
    i = (i + 0x9E3779B97F4A7C15u) * 0xBF58476D1CE4E5B9u;
    i ^= i >> 31;
    return (double)(i >> 11) * 0x1p-52 - 1.0;
}

static void *filled(int64_t count, int64_t first, bool single)
{
    const size_t es = single ? sizeof(float) : sizeof(double);
    void *p = malloc((size_t)(count > 0 ? count : 1) * es);
    if (!p)
        return NULL;
    for (int64_t i = 0; i < count; i++) {
        const double v = value_at((uint64_t)(first + i));
        if (single)
            ((float *)p)[i] = (float)v;
        else
            ((double *)p)[i] = v;
    }
    return p;
}

/* What a kernel's problem is, from the manifest: a matrix (gemv_*), Monte
 * Carlo samples (mc_*), else vectors (the reductions). */
static bool is_gemv(const char *k)
{
    const hpkb_kernel *m = hpkb_find_kernel(k);
    return m && strcmp(m->size, "matrix") == 0;
}

static bool is_mc(const char *k)
{
    const hpkb_kernel *m = hpkb_find_kernel(k);
    return m && strcmp(m->measure, "samples") == 0;
}

static bool setup(problem *p, const options *o)
{
    const bool single = p->precision == 's';
    const double es = single ? 4.0 : 8.0;
    int64_t first = 0;
    if (is_gemv(p->kernel)) {
        p->n = o->gemv_n;
        if (o->weak) {
            p->m_local = o->gemv_n;
            first = (int64_t)rank * o->gemv_n;
        } else {
            /* rows balanced one by one (a row-block gemv is bitwise for any split) */
            first = (int64_t)rank * (o->gemv_n / size) + (rank < o->gemv_n % size ? rank : o->gemv_n % size);
            p->m_local = o->gemv_n / size + (rank < o->gemv_n % size);
        }
        p->rows = o->weak ? o->gemv_n * size : o->gemv_n;
        moved(o, p->rows, UNEVEN_ROWS, &first, &p->m_local);
        const bool t = strcmp(p->kernel, "gemv_t") == 0, gathered = strcmp(p->kernel, "gemv_n_gathered") == 0;
        p->a = filled(p->m_local * p->n, first * p->n, single);
        p->x = t ? filled(p->m_local, first, single) : filled(p->n, 0, single);
        p->y = filled(t ? p->n : gathered ? p->rows : p->m_local, 0, single);
        p->bytes = es * ((double)p->rows * (double)p->n + (double)p->n + (double)p->rows);
        return p->a && p->x && p->y;
    }
    if (is_mc(p->kernel)) {
        const uint64_t base = strcmp(p->kernel, "mc_pi") == 0 ? o->pi_samples : o->integrate_samples;
        p->samples = o->weak ? base * (uint64_t)size : base;
        return true;
    }
    if (o->weak) {
        p->n_local = o->vector_n;
        first = (int64_t)rank * o->vector_n;
    } else {
        hpk_mpi_block_range(MPI_COMM_WORLD, o->vector_n, &first, &p->n_local);
    }
    p->length = o->weak ? o->vector_n * size : o->vector_n;
    moved(o, p->length, UNEVEN_ELEMENTS, &first, &p->n_local);
    const bool dot = strcmp(p->kernel, "dot") == 0;
    p->x = filled(p->n_local, first, single);
    p->y = dot ? filled(p->n_local, first + p->length, single) : NULL;
    p->bytes = es * (double)p->length * (dot ? 2.0 : 1.0);
    return p->x && (!dot || p->y);
}

static void teardown(problem *p)
{
    free(p->a);
    free(p->x);
    free(p->y);
}

static double inside_ball(const double *point, int dim, void *user_data)
{
    (void)user_data;
    double r2 = 0.0;
    for (int d = 0; d < dim; d++)
        r2 += point[d] * point[d];
    return r2 < 1.0 ? 1.0 : 0.0;
}

static hpk_status run_once(hpk_ctx *ctx, const problem *p)
{
    const MPI_Comm w = MPI_COMM_WORLD;
    const char *k = p->kernel;
    const bool s = p->precision == 's';
    if (strcmp(k, "gemv_n") == 0 || strcmp(k, "gemv_n_gathered") == 0) {
        const hpk_mpi_y ydist = strcmp(k, "gemv_n") == 0 ? HPK_MPI_Y_LOCAL : HPK_MPI_Y_GATHERED;
        return s ? hpk_mpi_sgemv(ctx, w, ydist, p->m_local, p->n, 1.0f, p->a, p->n, p->x, 1, 0.0f, p->y, 1)
                 : hpk_mpi_dgemv(ctx, w, ydist, p->m_local, p->n, 1.0, p->a, p->n, p->x, 1, 0.0, p->y, 1);
    }
    if (strcmp(k, "gemv_t") == 0)
        return s ? hpk_mpi_sgemv_t(ctx, w, p->m_local, p->n, 1.0f, p->a, p->n, p->x, 1, 0.0f, p->y, 1)
                 : hpk_mpi_dgemv_t(ctx, w, p->m_local, p->n, 1.0, p->a, p->n, p->x, 1, 0.0, p->y, 1);
    if (strcmp(k, "mc_pi") == 0) {
        hpk_mc_result r;
        return hpk_mpi_mc_pi(ctx, w, p->samples, 42, &r);
    }
    if (strcmp(k, "mc_integrate") == 0) {
        const double lower[3] = {-1, -1, -1}, upper[3] = {1, 1, 1};
        hpk_mc_result r;
        return hpk_mpi_mc_integrate(ctx, w, inside_ball, NULL, 3, lower, upper, p->samples, 42, &r);
    }
    double rd;
    float rs;
    int64_t index;
    if (strcmp(k, "dot") == 0)
        return s ? hpk_mpi_sdot(ctx, w, p->n_local, p->x, 1, p->y, 1, &rs)
                 : hpk_mpi_ddot(ctx, w, p->n_local, p->x, 1, p->y, 1, &rd);
    if (strcmp(k, "sum") == 0)
        return s ? hpk_mpi_ssum(ctx, w, p->n_local, p->x, 1, &rs) : hpk_mpi_dsum(ctx, w, p->n_local, p->x, 1, &rd);
    if (strcmp(k, "asum") == 0)
        return s ? hpk_mpi_sasum(ctx, w, p->n_local, p->x, 1, &rs)
                 : hpk_mpi_dasum(ctx, w, p->n_local, p->x, 1, &rd);
    if (strcmp(k, "nrm2") == 0)
        return s ? hpk_mpi_snrm2(ctx, w, p->n_local, p->x, 1, &rs)
                 : hpk_mpi_dnrm2(ctx, w, p->n_local, p->x, 1, &rd);
    return s ? hpk_mpi_isamax(ctx, w, p->n_local, p->x, 1, &index)
             : hpk_mpi_idamax(ctx, w, p->n_local, p->x, 1, &index);
}

/* ---- timing ---------------------------------------------------------------- */

typedef struct sample {
    double time, compute;
} sample;

/* A point's repetitions: the median one, the extremes and the spread. */
typedef struct summary {
    sample median;
    double min, max, cv;
    int reps;
} summary;

static int by_time(const void *a, const void *b)
{
    const double x = ((const sample *)a)->time, y = ((const sample *)b)->time;
    return (x > y) - (x < y);
}

/* One call's time, the slowest rank's. */
static double timed_call(hpk_ctx *ctx, const problem *p, int *failed)
{
    MPI_Barrier(MPI_COMM_WORLD);
    const double t0 = MPI_Wtime();
    *failed |= run_once(ctx, p) != HPK_SUCCESS;
    const double mine = MPI_Wtime() - t0;
    double most;
    MPI_Allreduce(&mine, &most, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return most;
}

/* The repetitions' summary; false (on every rank) if a call failed.  At
 * least o->reps repetitions, more to fill o->min_time (all ranks agree on the
 * count: it comes from the slowest rank's time). */
static bool measure(hpk_ctx *ctx, const problem *p, const options *o, summary *out)
{
    int failed = 0;
    for (int i = 0; i < o->warmup && !failed; i++)
        failed = run_once(ctx, p) != HPK_SUCCESS;
    int reps = o->reps;
    if (!failed && o->min_time > 0) {
        const double once = timed_call(ctx, p, &failed);
        const double wanted = once > 0 ? ceil(o->min_time / once) : reps;
        reps = wanted > reps ? (wanted < 10000 ? (int)wanted : 10000) : reps;
    }
    sample *runs = malloc((size_t)reps * sizeof *runs);
    if (!runs)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int i = 0; i < reps && !failed; i++) {
        MPI_Barrier(MPI_COMM_WORLD);
        const double t0 = MPI_Wtime();
        failed = run_once(ctx, p) != HPK_SUCCESS;
        const double t1 = MPI_Wtime();
        const hpk_mpi_times t = hpk_mpi_last_times();
        const double mine[2] = {t1 - t0, t.compute_s};
        double most[2];
        MPI_Allreduce(mine, most, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        runs[i] = (sample){most[0], most[1] < most[0] ? most[1] : most[0]};
    }
    if (failed)
        fprintf(stderr, "hpk_bench_mpi: rank %d: %s failed: %s\n", rank, p->kernel, hpk_ctx_error_message(ctx));
    int any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!any) {
        qsort(runs, (size_t)reps, sizeof *runs, by_time);
        double mean = 0.0, var = 0.0;
        for (int i = 0; i < reps; i++)
            mean += runs[i].time / reps;
        for (int i = 0; i < reps; i++)
            var += (runs[i].time - mean) * (runs[i].time - mean) / reps;
        *out = (summary){runs[reps / 2], runs[0].time, runs[reps - 1].time, mean > 0 ? sqrt(var) / mean : 0.0,
                         reps};
    }
    free(runs);
    return !any;
}

int main(int argc, char **argv)
{
    /* --manifest: the kernel manifest's JSON (as hpk_bench --manifest), without MPI. */
    if (argc == 2 && strcmp(argv[1], "--manifest") == 0) {
        hpkb_manifest_write(stdout);
        return ferror(stdout) ? 1 : 0;
    }
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    options o;
    if (!parse(argc, argv, &o)) {
        MPI_Finalize();
        return 2;
    }
    hpk_ctx *ctx = NULL;
    const hpk_backend backend = strcmp(o.backend, "serial") == 0 ? HPK_BACKEND_SERIAL : HPK_BACKEND_OPENMP;
    if (hpk_ctx_create(&ctx, backend) != HPK_SUCCESS || hpk_ctx_set_num_threads(ctx, o.threads) != HPK_SUCCESS) {
        fprintf(stderr, "hpk_bench_mpi: %s\n", hpk_ctx_error_message(NULL));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    char variant[32];
    snprintf(variant, sizeof variant, "hpk_mpi_%s%s", o.weak ? "weak" : "strong", o.uneven ? "_uneven" : "");
    FILE *csv = NULL;
    if (rank == 0) {
        printf("hpk %s, %s backend, CPU path %s: %d rank(s) x %d thread(s), %s scaling, %s split\n",
               hpk_version_string(), o.backend, hpk_ctx_get_cpu_path(ctx), size, o.threads, o.weak ? "weak" : "strong",
               o.uneven ? "uneven" : "balanced");
        if (o.csv) {
            csv = fopen(o.csv, "a+");
            if (!csv) {
                perror(o.csv);
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
            fseek(csv, 0, SEEK_END);
            if (ftell(csv) == 0)
                fprintf(csv, "kernel,precision,variant,size,ranks,threads,time_s,compute_s,comm_s,gbps,"
                             "repetitions,time_min_s,time_max_s,time_cv,working_set_bytes\n");
        }
    }
    int status = 0;
    /* The manifest's MPI kernels, in its order. */
    for (int k = 0; k < hpkb_kernel_count; k++) {
        const hpkb_kernel *kernel = &hpkb_kernels[k];
        if (!kernel->mpi || (strcmp(o.kernels, "all") != 0 && !listed(o.kernels, kernel->name)) ||
            (o.uneven && is_mc(kernel->name)))
            continue;
        for (const char *prec = "ds"; *prec; prec++) {
            if (!listed(o.precisions, (char[]){*prec, 0}) || !strchr(kernel->precisions, *prec))
                continue;
            problem p = {.kernel = kernel->name, .precision = *prec};
            int ok = setup(&p, &o), all_ok;
            MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
            summary sm;
            if (!all_ok) {
                if (rank == 0)
                    fprintf(stderr, "hpk_bench_mpi: %s: out of memory on some rank\n", p.kernel);
                status = 1;
            } else if (!measure(ctx, &p, &o, &sm)) {
                status = 1;
            } else if (rank == 0) {
                const sample m = sm.median;
                const int64_t problem_size = is_gemv(p.kernel) ? p.rows
                                             : is_mc(p.kernel) ? (int64_t)p.samples
                                                               : p.length;
                char gbps[32] = "";
                if (p.bytes > 0)
                    snprintf(gbps, sizeof gbps, "%.4g", p.bytes / m.time / 1e9);
                printf("  %-16s %c size %-11lld %10.4f ms  (compute %9.4f, comm %9.4f)  %s%s\n", p.kernel,
                       p.precision, (long long)problem_size, m.time * 1e3, m.compute * 1e3,
                       (m.time - m.compute) * 1e3, gbps, *gbps ? " GB/s" : "");
                if (csv)
                    fprintf(csv, "%s,%c,%s,%lld,%d,%d,%.6g,%.6g,%.6g,%s,%d,%.6g,%.6g,%.4g,%.0f\n", p.kernel,
                            p.precision, variant, (long long)problem_size, size, o.threads, m.time, m.compute,
                            m.time - m.compute, gbps, sm.reps, sm.min, sm.max, sm.cv, p.bytes);
            }
            teardown(&p);
        }
    }
    if (csv)
        fclose(csv);
    hpk_ctx_destroy(ctx);
    MPI_Finalize();
    return status;
}
