/*
 * hpk_spin_baseline: how much parallelism the machine gives right now.  A
 * fixed amount of floating-point work per thread (8 independent chains of
 * multiply-adds, no memory traffic), timed on 1 thread and on all threads,
 * alternately, REPS times; the usable parallelism is threads x the 1-thread
 * time / the all-thread time (= threads on an idle machine).  scripts/bench
 * runs it before and after the study (noise.json, report.md).  Prints one
 * JSON object.
 *
 * usage: hpk_spin_baseline [THREADS [REPS]]   (default: all cores, 7)
 */
#include <omp.h>

#include <stdio.h>
#include <stdlib.h>

#include "probe_clock.h"

static volatile double g_seed = 1.0;
static volatile double g_sink;

/* Independent chains: throughput-bound, so two threads sharing a core's
 * floating-point units (SMT siblings, an oversubscribed vCPU) show it. */
static double spin(long iterations)
{
    double x[8];
    const double a = 0.999999 * g_seed, b = 1e-7 * g_seed;
    for (int k = 0; k < 8; k++)
        x[k] = g_seed + k;
    for (long i = 0; i < iterations; i++)
        for (int k = 0; k < 8; k++)
            x[k] = x[k] * a + b;
    double s = 0;
    for (int k = 0; k < 8; k++)
        s += x[k];
    return s;
}

/* Wall time of `threads` threads each spinning `iterations`, from a common
 * start to the last one's end. */
static double timed(int threads, long iterations)
{
    double t0 = 0, t1 = 0;
#pragma omp parallel num_threads(threads)
    {
#pragma omp barrier
#pragma omp master
        t0 = now();
        const double s = spin(iterations);
#pragma omp barrier
#pragma omp master
        t1 = now();
#pragma omp atomic
        g_sink += s;
    }
    return t1 - t0;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[64];
    for (int i = 0; i < n; i++)
        s[i] = v[i];
    qsort(s, (size_t)n, sizeof s[0], by_value);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

static void print_list(const char *name, const double *v, int n)
{
    printf("\"%s\": [", name);
    for (int i = 0; i < n; i++)
        printf("%s%.6g", i ? ", " : "", v[i]);
    printf("], ");
}

int main(int argc, char **argv)
{
    const int threads = argc > 1 ? atoi(argv[1]) : omp_get_num_procs();
    const int reps = argc > 2 ? atoi(argv[2]) : 7;
    if (threads < 1 || reps < 1 || reps > 64) {
        fprintf(stderr, "usage: hpk_spin_baseline [THREADS [REPS (1-64)]]\n");
        return 2;
    }
    /* About 20 ms of work per thread. */
    long iterations = 1 << 16;
    while (timed(1, iterations) < 0.02 && iterations < (1L << 40))
        iterations *= 2;
    timed(threads, iterations); /* wakes the pool */

    double one[64], all[64];
    for (int r = 0; r < reps; r++) {
        one[r] = timed(1, iterations);
        all[r] = timed(threads, iterations);
    }
    const double m1 = median(one, reps), mt = median(all, reps);
    printf("{\"threads\": %d, \"repetitions\": %d, \"iterations\": %ld, ", threads, reps, iterations);
    print_list("seconds_1", one, reps);
    print_list("seconds_all", all, reps);
    printf("\"median_1\": %.6g, \"median_all\": %.6g, \"parallelism\": %.4f}\n", m1, mt,
           threads * m1 / mt);
    return 0;
}
