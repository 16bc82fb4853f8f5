/* The OpenMP runner: the reduction tree's top levels split among threads, and
 * independent ranges split into contiguous pieces.  The tree has the same
 * shape as on one thread, so results are bitwise those of the serial
 * backend. */
#define _GNU_SOURCE /* sched_getaffinity */
#include "hpk_internal.h"
#include "runner.h"

#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

/* Subtrees evaluated in parallel: the tree cut at depth at most
 * HPK__OMP_TREE_DEPTH, enough pieces to balance any thread count this
 * backend expects. */
#define HPK__OMP_TREE_DEPTH 7
#define HPK__OMP_MAX_PIECES (1 << HPK__OMP_TREE_DEPTH)

/* The depth to cut the tree at for a team of `threads`: a piece per thread
 * where the pieces split evenly among them (a power of two of threads),
 * else enough pieces for every thread to get 32 or so, the extra piece some
 * threads get then costing them about 3%.  Fewer pieces keep each
 * thread's blocks in one subtree, which it reads with the kernel's
 * several-block code (hpk__tree.leaves), and leave the joining thread
 * fewer partials to read from the other threads' caches. */
static int cut_depth(int threads)
{
    int depth = 0;
    while (depth < HPK__OMP_TREE_DEPTH && ((1 << depth) % threads != 0 && (1 << depth) < 32 * threads))
        depth++;
    return depth;
}

/* Below this much work per thread (elements touched), starting another
 * thread costs more than it saves.  (Defined on the command line only to
 * measure where that is: see docs/PERFORMANCE.md.) */
#ifndef HPK__OMP_MIN_WORK
#define HPK__OMP_MIN_WORK 32768.0
#endif

/* The CPUs this process may run on, or 0 when the system does not say. */
static int affinity_cpus(void)
{
    for (size_t cpus = 1024; cpus <= ((size_t)1 << 20); cpus *= 2) {
        cpu_set_t *set = CPU_ALLOC(cpus);
        if (!set)
            return 0;
        const size_t size = CPU_ALLOC_SIZE(cpus);
        const int got = sched_getaffinity(0, size, set) == 0 ? CPU_COUNT_S(size, set) : -1;
        CPU_FREE(set);
        if (got >= 0)
            return got;
        /* EINVAL: the kernel's mask is wider than the set; try a wider one */
    }
    return 0;
}

/* The most threads a call starts (hpk.h, "the thread cap"): the CPUs this
 * process may run on (its affinity mask when first asked) or the caller's
 * omp_get_max_threads(), whichever is larger, within omp_get_thread_limit(). */
static int thread_cap(void)
{
    static atomic_int cpus; /* 0 until first computed; racing threads agree */
    int c = atomic_load_explicit(&cpus, memory_order_relaxed);
    if (c == 0) {
        c = affinity_cpus();
        if (c < 1)
            c = omp_get_num_procs();
        atomic_store_explicit(&cpus, c, memory_order_relaxed);
    }
    const int requested = omp_get_max_threads(), limit = omp_get_thread_limit();
    if (requested > c)
        c = requested;
    if (limit > 0 && limit < c)
        c = limit;
    return c > 1 ? c : 1;
}

/* Threads for a call doing `work`: one inside the caller's parallel region
 * (no oversubscription), else the context's count (all available when 0)
 * within the cap, fewer when the work is too small to share. */
static int team_size(const hpk_ctx *ctx, double work)
{
    const double useful = work / HPK__OMP_MIN_WORK;
    if (useful < 2.0 || omp_in_parallel())
        return 1; /* decided before asking the OpenMP runtime anything */
    int threads = ctx->num_threads > 0 ? ctx->num_threads : omp_get_max_threads();
    const int cap = thread_cap();
    if (threads > cap)
        threads = cap;
    return useful < threads ? (int)useful : threads;
}

static hpk_status omp_tree(hpk_ctx *ctx, const hpk__tree *t, void *root)
{
    const int threads = team_size(ctx, t->block_work * (double)t->nblocks);
    if (threads == 1 || t->nblocks == 1)
        return hpk__serial_runner.tree(ctx, t, root);

    hpk__tree_piece pieces[HPK__OMP_MAX_PIECES];
    _Alignas(max_align_t) unsigned char results[HPK__OMP_MAX_PIECES * HPK__TREE_NODE_MAX];
    const int depth = cut_depth(threads);
    const int npieces = (int)hpk__tree_cut(t->nblocks, depth, pieces);
    int failed = 0;

    /* Each thread takes a contiguous run of pieces (they differ in size by at
     * most one block); one parallel region, one barrier, and no write to
     * memory the threads share but a failure's. */
#pragma omp parallel num_threads(threads < npieces ? threads : npieces)
    {
        const int me = omp_get_thread_num(), team = omp_get_num_threads();
        void *scratch = t->scratch_size ? malloc(t->scratch_size) : NULL;
        if (t->scratch_size && !scratch) {
#pragma omp atomic write
            failed = 1;
        } else {
            for (int p = npieces * me / team; p < npieces * (me + 1) / team; p++)
                hpk__tree_eval_range(t, pieces[p].first, pieces[p].count, results + (size_t)p * t->node_size,
                                     scratch);
        }
        free(scratch);
    }
    if (failed)
        return hpk__fail(ctx, HPK_ERR_ALLOC, "out of memory for %zu bytes of scratch per thread",
                         t->scratch_size);
    hpk__tree_join(t, depth, results, root);
    return HPK_SUCCESS;
}

static void omp_range(hpk_ctx *ctx, int64_t count, int64_t grain, double work, hpk__range_body body,
                      const void *job)
{
    const int threads = team_size(ctx, work);
    const int64_t grains = (count + grain - 1) / grain;
    const int64_t pieces = grains < threads ? grains : threads;
    if (pieces <= 1) {
        body(job, 0, count);
        return;
    }
#pragma omp parallel num_threads((int)pieces)
    {
        const int64_t me = omp_get_thread_num(), team = omp_get_num_threads();
        const int64_t begin = grains * me / team * grain;
        const int64_t end = me + 1 == team ? count : grains * (me + 1) / team * grain;
        body(job, begin, end);
    }
}

const hpk__runner hpk__omp_runner = {omp_tree, omp_range, team_size};
