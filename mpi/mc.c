/* Distributed Monte Carlo: the fixed pairwise tree over blocks of samples
 * that hpk_mc_pi / hpk_mc_integrate reduce is cut into pieces (whole
 * subtrees); each rank evaluates a contiguous run of them with its context's
 * runner, the pieces' results are gathered on every rank and joined in the
 * tree's own shape, so the result is bitwise the single-process one. */
#include "check.h"
#include "hash.h"
#include "mpi_internal.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

/* Pieces aimed at per rank, so that the ranks' shares (whole pieces, which
 * differ in size by at most one block) stay within a few percent of each
 * other; the cut depth is capped to bound the gathered bytes.  Neither
 * changes a bit of the result. */
#define PIECES_PER_RANK 16
#define MAX_CUT_DEPTH 20

/* Each rank's record: status, then what must agree. */
enum { M_STATUS, M_SAMPLES, M_SEED, M_DIM, M_BOUNDS, MC_RECORD };

/* Each rank's status travels after its pieces, in a slot of this size. */
#define STATUS_SLOT 8

static int cut_depth(int size)
{
    int depth = 0;
    while (depth < MAX_CUT_DEPTH && ((int64_t)1 << depth) < (int64_t)PIECES_PER_RANK * size)
        depth++;
    return depth;
}

/* 64-bit FNV-1a of the box's bounds, for comparing them across ranks. */
static int64_t bounds_hash(int dim, const double *lower, const double *upper)
{
    const size_t bytes = (size_t)dim * sizeof(double);
    return (int64_t)hpk__fnv1a(hpk__fnv1a(HPK__FNV1A_START, lower, bytes), upper, bytes);
}

typedef struct mc_plan {
    hpk__tree tree;
    int depth;
    int64_t npieces;
    hpk__tree_piece *pieces;
    unsigned char *nodes; /* the pieces' results, each rank's followed by its status slot */
    int *counts, *displs; /* bytes, per rank */
} mc_plan;

static int64_t first_piece(const mc_plan *p, int size, int rank)
{
    return p->npieces * rank / size;
}

/* The tree and the buffers, before the check's exchange so that their
 * failure travels with it. */
static hpk_status plan(hpk__mpi_call *c, const hpk__mc_job *job, mc_plan *p)
{
    if (!c->ctx->ops->mc_tree || !c->ctx->ops->runner)
        return hpk__fail(c->ctx, HPK_ERR_UNSUPPORTED, "%s: the %s backend does not run CPU Monte Carlo kernels",
                         c->fn, c->ctx->ops->name);
    c->ctx->ops->mc_tree(job, &p->tree);
    p->depth = cut_depth(c->size);
    p->npieces = hpk__tree_cut(p->tree.nblocks, p->depth, NULL);
    const size_t bytes = (size_t)p->npieces * p->tree.node_size + (size_t)c->size * STATUS_SLOT;
    p->pieces = malloc((size_t)p->npieces * sizeof *p->pieces);
    p->nodes = malloc(bytes);
    p->counts = malloc(2 * (size_t)c->size * sizeof *p->counts);
    if (!p->pieces || !p->nodes || !p->counts)
        return hpk__mpi_no_memory(c, bytes + (size_t)p->npieces * sizeof *p->pieces);
    hpk__tree_cut(p->tree.nblocks, p->depth, p->pieces);
    p->displs = p->counts + c->size;
    for (int r = 0; r < c->size; r++) {
        const int64_t first = first_piece(p, c->size, r), end = first_piece(p, c->size, r + 1);
        p->counts[r] = (int)((size_t)(end - first) * p->tree.node_size + STATUS_SLOT);
        p->displs[r] = (int)((size_t)first * p->tree.node_size + (size_t)r * STATUS_SLOT);
    }
    return HPK_SUCCESS;
}

static void plan_free(mc_plan *p)
{
    free(p->pieces);
    free(p->nodes);
    free(p->counts);
}

/* This rank's pieces, each a subtree evaluated by the context's runner (so
 * with its threads), into its segment of p->nodes; then the status. */
static hpk_status evaluate_mine(hpk__mpi_call *c, mc_plan *p)
{
    const int64_t first = first_piece(p, c->size, c->rank), end = first_piece(p, c->size, c->rank + 1);
    unsigned char *segment = p->nodes + p->displs[c->rank];
    hpk_status st = HPK_SUCCESS;
    for (int64_t k = first; k < end && st == HPK_SUCCESS; k++) {
        hpk__subtree sub;
        const hpk__tree part = hpk__tree_part(&p->tree, p->pieces[k].first, p->pieces[k].count, &sub);
        st = c->ctx->ops->runner->tree(c->ctx, &part, segment + (size_t)(k - first) * p->tree.node_size);
    }
    const int64_t status = st;
    memcpy(segment + (size_t)(end - first) * p->tree.node_size, &status, sizeof status);
    return st;
}

static hpk_status run(hpk__mpi_call *c, const hpk__mc_job *job, hpk_status local, int64_t bounds,
                      hpk_mc_result *result)
{
    mc_plan p = {0};
    if (local == HPK_SUCCESS)
        local = plan(c, job, &p);
    int64_t record[MC_RECORD] = {0, (int64_t)job->samples, (int64_t)job->seed, job->dim, bounds};
    int64_t *all = malloc((size_t)c->size * MC_RECORD * sizeof *all);
    hpk_status st;
    if (!all) {
        st = hpk__mpi_no_memory(c, (size_t)c->size * MC_RECORD * sizeof *all);
        goto done;
    }
    if ((st = hpk__mpi_exchange(c, local, record, MC_RECORD, all)) ||
        (st = hpk__mpi_same(c, all, MC_RECORD, M_SAMPLES, "samples", HPK__MPI_UINT)) ||
        (st = hpk__mpi_same(c, all, MC_RECORD, M_SEED, "seed", HPK__MPI_UINT)) ||
        (st = hpk__mpi_same(c, all, MC_RECORD, M_DIM, "dim", HPK__MPI_INT)) ||
        (st = hpk__mpi_same(c, all, MC_RECORD, M_BOUNDS, "the bounds (lower and upper)", HPK__MPI_HASH)))
        goto done;

    evaluate_mine(c, &p);
    if ((st = hpk__mpi_allgatherv(c, MPI_IN_PLACE, 0, MPI_BYTE, p.nodes, p.counts, p.displs, MPI_BYTE)))
        goto done;
    /* Statuses first; then the segments closed up, in rank order, into the
     * pieces' results one after the other. */
    for (int r = 0; r < c->size; r++) {
        int64_t status;
        memcpy(&status, p.nodes + p.displs[r] + p.counts[r] - STATUS_SLOT, sizeof status);
        if (status != HPK_SUCCESS) {
            st = hpk__mpi_failed_on(c, r, (hpk_status)status);
            goto done;
        }
    }
    for (int r = 1; r < c->size; r++)
        memmove(p.nodes + p.displs[r] - (size_t)r * STATUS_SLOT, p.nodes + p.displs[r],
                (size_t)p.counts[r] - STATUS_SLOT);
    _Alignas(max_align_t) unsigned char root[HPK__TREE_NODE_MAX];
    hpk__tree_join(&p.tree, p.depth, p.nodes, root);
    c->ctx->ops->mc_finish(job, root, result);
done:
    free(all);
    plan_free(&p);
    return st;
}

hpk_status hpk_mpi_mc_pi(hpk_ctx *ctx, MPI_Comm comm, uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    static const char fn[] = "hpk_mpi_mc_pi";
    hpk__mpi_call c;
    hpk_status st = hpk__mpi_begin(&c, ctx, fn, comm);
    if (st != HPK_SUCCESS)
        return hpk__mpi_end(&c, st);
    hpk_status local = HPK_SUCCESS;
    if (!result)
        local = hpk__fail(c.ctx, HPK_ERR_INVALID_ARG, "%s: result is NULL", fn);
    else if (samples == 0)
        local = hpk__fail(c.ctx, HPK_ERR_INVALID_ARG, "%s: samples is 0; at least one sample is needed", fn);
    const hpk__mc_job job = {.samples = samples, .seed = seed};
    return hpk__mpi_end(&c, run(&c, &job, local, 0, result));
}

static hpk_status check_integrate(hpk_ctx *ctx, const char *fn, hpk_integrand f, int dim, const double *lower,
                                  const double *upper, uint64_t samples, const hpk_mc_result *result)
{
    if (!f)
        return hpk__fail(ctx, HPK_ERR_INVALID_ARG, "%s: the integrand f is NULL", fn);
    return hpk__check_mc_box(ctx, fn, dim, lower, upper, samples, result);
}

hpk_status hpk_mpi_mc_integrate(hpk_ctx *ctx, MPI_Comm comm, hpk_integrand f, void *user_data, int dim,
                                const double *lower, const double *upper, uint64_t samples, uint64_t seed,
                                hpk_mc_result *result)
{
    static const char fn[] = "hpk_mpi_mc_integrate";
    hpk__mpi_call c;
    hpk_status st = hpk__mpi_begin(&c, ctx, fn, comm);
    if (st != HPK_SUCCESS)
        return hpk__mpi_end(&c, st);
    const hpk_status local = check_integrate(c.ctx, fn, f, dim, lower, upper, samples, result);
    const int64_t bounds = local == HPK_SUCCESS ? bounds_hash(dim, lower, upper) : 0;
    const hpk__mc_job job = {f, user_data, dim, lower, upper, samples, seed};
    return hpk__mpi_end(&c, run(&c, &job, local, bounds, result));
}
