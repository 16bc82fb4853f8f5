/* How a CPU backend runs the shared kernels: a fixed reduction tree over
 * blocks, and a loop over independent index ranges.  The serial backend runs
 * both on the calling thread; the OpenMP backend spreads them over threads.
 * Results depend only on the tree's shape, which is fixed by the block count,
 * so every runner produces the same bits. */
#ifndef HPK_RUNNER_H
#define HPK_RUNNER_H

#include "hpk/hpk.h"
#include "macros.h" /* HPK__SHARED */
#include "order.h"  /* hpk__tree_left */

#include <stddef.h>
#include <stdint.h>

/* Bytes of one partial result, at most.  Buffers for nodes are aligned as
 * _Alignas(max_align_t); node sizes are multiples of their types'
 * alignment, so arrays of nodes stay aligned too. */
#define HPK__TREE_NODE_MAX 32

/* A reduction over `nblocks` blocks.  leaf() computes block b's partial
 * result; combine() folds the right neighbour's partial into the left one.
 * The blocks are combined pairwise: a range of c > 1 blocks is split into
 * its first hpk__tree_left(c) blocks and the rest, recursively.
 * Each worker gets `scratch_size` bytes of scratch for leaf().
 * leaves(), where set, evaluates the subtree of `count` (at most
 * HPK__TREE_LEAVES) consecutive blocks from `first` into node, bitwise what
 * leaf() and combine() give: a kernel that reads several blocks at once,
 * as several streams of memory, gets more of the memory's bandwidth than
 * one reading them one after the other, and one that combines its
 * partials itself saves a call per block. */
#define HPK__TREE_LEAVES 16

typedef struct hpk__tree {
    int64_t nblocks;
    double block_work;  /* elements (or samples) one leaf handles: sizes the team */
    size_t node_size;
    size_t scratch_size;
    const void *job;
    void (*leaf)(const void *job, int64_t block, void *node, void *scratch);
    void (*combine)(const void *job, void *left, const void *right);
    void (*leaves)(const void *job, int64_t first, int count, void *node, void *scratch); /* may be NULL */
} hpk__tree;

/* Evaluates [first, first + count) of the tree on the calling thread.
 * This function and the next three are exported for libhpk_mpi
 * (HPK__SHARED, macros.h). */
HPK__SHARED void hpk__tree_eval_range(const hpk__tree *t, int64_t first, int64_t count, void *node, void *scratch);

/* A tree cut into pieces that are evaluated independently (by threads, or by
 * processes) and then joined in the tree's own shape: the pieces are the
 * subtrees at depth `depth` (or single blocks above it), in block order.
 * hpk__tree_cut stores them in pieces[] (which may be NULL to count them;
 * there are at most 2^depth) and returns how many there are.  hpk__tree_join
 * combines the pieces' results, stored one after the other in `results`
 * (node_size bytes each), into root: the same bits as evaluating the whole
 * tree at once. */
typedef struct hpk__tree_piece {
    int64_t first, count;
} hpk__tree_piece;

HPK__SHARED int64_t hpk__tree_cut(int64_t nblocks, int depth, hpk__tree_piece *pieces);
HPK__SHARED void hpk__tree_join(const hpk__tree *t, int depth, const void *results, void *root);

/* The blocks [first, first + count) of `whole` as a tree of their own, for a
 * runner to evaluate: a subtree of count blocks has the shape of any tree of
 * count blocks, wherever it starts.  *sub must outlive the returned tree. */
typedef struct hpk__subtree {
    const hpk__tree *whole;
    int64_t first;
} hpk__subtree;

HPK__SHARED hpk__tree hpk__tree_part(const hpk__tree *whole, int64_t first, int64_t count, hpk__subtree *sub);

/* body(job, begin, end) handles the indices [begin, end) of an independent
 * loop; a runner may call it on any split of [0, count) into pieces whose
 * boundaries are multiples of `grain` (except the last).  `work` (elements
 * touched in all) decides how many threads are worth starting. */
typedef void (*hpk__range_body)(const void *job, int64_t begin, int64_t end);

typedef struct hpk__runner {
    /* Evaluates the whole tree into root; HPK_ERR_ALLOC if scratch could not
     * be had (recorded in ctx). */
    hpk_status (*tree)(hpk_ctx *ctx, const hpk__tree *t, void *root);
    void (*range)(hpk_ctx *ctx, int64_t count, int64_t grain, double work, hpk__range_body body,
                  const void *job);
    /* The threads range() starts for `work` (with at least that many
     * grains), and tree() for a tree of that much work. */
    int (*threads)(const hpk_ctx *ctx, double work);
} hpk__runner;

extern const hpk__runner hpk__serial_runner;
#ifdef HPK_HAVE_OPENMP
extern const hpk__runner hpk__omp_runner;
#endif

#endif /* HPK_RUNNER_H */
