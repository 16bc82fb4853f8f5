/* Distributed reductions.  When every rank's context is a CPU one or an
 * OpenCL one on a device with fp64 (hpk__mpi_parts_of), on any split, the
 * blocks of the canonical order (order.h) that straddle ranks are
 * completed on the rank holding their end from the other ranks' few
 * elements of them (split.h), each rank evaluates the subtrees of the
 * global block tree that lie in its blocks, the subtrees' partials are
 * gathered on every rank and the global tree is finished there: the
 * single-process result, bitwise.  Otherwise each rank reduces its block
 * with hpk.h's function and the ranks' results are combined in rank order
 * by the same pairwise tree.  i?amax always combines the ranks' winners (an
 * exact index either way). */
#include "check.h"
#include "mpi_internal.h"
#include "reduce_finish.h"
#include "runner.h"
#include "strided.h"

#include <math.h>
#include <stdlib.h>

typedef struct reduce_args {
    hpk__reduce_op op;
    bool f32;
    int64_t n;
    const void *x, *y;
    int64_t incx, incy;
    void *result; /* double, float or int64_t */
} reduce_args;

/* Each rank's record: status, local length, partial result, local index,
 * and how the rank can evaluate pieces of the canonical tree
 * (hpk__mpi_parts) -- when it can, its partial result is computed only
 * when needed. */
enum { F_STATUS, F_N, F_VALUE, F_INDEX, F_CANON, RECORD_LEN };

/* ---- the local partial ----------------------------------------------------- */

/* The rank's block reduced by its context's own entries (hpk__ops), as hpk.h's
 * function dispatches once its checks (check_local's) pass: an empty block
 * is 0 without a call.  A float result is widened exactly. */
static hpk_status local_value(hpk_ctx *ctx, const reduce_args *a, double *value)
{
    float v = 0.0f;
    *value = 0.0;
    if (a->n == 0)
        return HPK_SUCCESS;
    const hpk_status st = hpk__ops_reduce(ctx, a->op, a->f32, a->n, a->x, a->incx, a->y, a->incy,
                                          a->f32 ? (void *)&v : (void *)value);
    if (a->f32)
        *value = v;
    return st;
}

/* i?amax: the local index and |x| there (-1 and -1 for an empty block). */
static hpk_status local_amax(hpk_ctx *ctx, const reduce_args *a, int64_t *index, double *value)
{
    *index = -1;
    *value = -1.0;
    if (a->n == 0)
        return HPK_SUCCESS;
    const hpk_status st = hpk__ops_reduce(ctx, HPK__OP_AMAX, a->f32, a->n, a->x, a->incx, NULL, 0, index);
    if (st == HPK_SUCCESS && *index >= 0) {
        const int64_t at = hpk__vector_index(*index, a->n, a->incx);
        *value = a->f32 ? fabs((double)((const float *)a->x)[at]) : fabs(((const double *)a->x)[at]);
    }
    return st;
}

/* The rank's partial result (or i?amax winner) into its record. */
static hpk_status local_partial(hpk_ctx *ctx, const reduce_args *a, int64_t *record)
{
    double value = 0.0;
    int64_t index = -1;
    const hpk_status st = a->op == HPK__OP_AMAX ? local_amax(ctx, a, &index, &value) : local_value(ctx, a, &value);
    record[F_VALUE] = hpk__mpi_bits_d(value);
    record[F_INDEX] = index;
    return st;
}

/* ---- combining the ranks' partials ---------------------------------------- */

typedef struct combine_job {
    const int64_t *all;   /* the records */
    const int64_t *first; /* each rank's first global index */
    double scale;         /* nrm2 */
} combine_job;

static double rank_value(const combine_job *j, int64_t rank)
{
    return hpk__mpi_double(j->all[rank * RECORD_LEN + F_VALUE]);
}

static void sum_leaf(const void *job, int64_t rank, void *node, void *scratch)
{
    (void)scratch;
    *(double *)node = rank_value(job, rank);
}

static void scaled_square_leaf(const void *job, int64_t rank, void *node, void *scratch)
{
    (void)scratch;
    const combine_job *j = job;
    const double r = rank_value(j, rank) / j->scale;
    *(double *)node = r * r;
}

static void add(const void *job, void *left, const void *right)
{
    (void)job;
    *(double *)left += *(const double *)right;
}

/* value: |x_index|, NaN, or -1 for a rank without elements. */
typedef hpk__amax_node amax_node;

static void amax_leaf(const void *job, int64_t rank, void *node, void *scratch)
{
    (void)scratch;
    const combine_job *j = job;
    const int64_t local = j->all[rank * RECORD_LEN + F_INDEX];
    *(amax_node *)node = (amax_node){local >= 0 ? j->first[rank] + local : -1, rank_value(j, rank)};
}

/* As within one process (common/reduce_finish.h). */
static void amax_combine(const void *job, void *left, const void *right)
{
    (void)job;
    hpk__amax_combine(left, right);
}

static void combine_ranks(const combine_job *j, int size, size_t node_size,
                          void (*leaf)(const void *, int64_t, void *, void *),
                          void (*combine)(const void *, void *, const void *), void *root)
{
    const hpk__tree tree = {.nblocks = size, .node_size = node_size, .job = j, .leaf = leaf, .combine = combine};
    hpk__tree_eval_range(&tree, 0, size, root, NULL);
}

/* nrm2 of the partial norms: NaN wins, then Inf; else scaled by the largest. */
static double combine_nrm2(combine_job *j, int size)
{
    double scale = 0.0;
    bool nan = false;
    for (int r = 0; r < size; r++) {
        const double v = rank_value(j, r);
        nan |= isnan(v);
        scale = v > scale ? v : scale;
    }
    if (nan)
        return NAN;
    if (scale == 0.0 || isinf(scale))
        return scale;
    j->scale = scale;
    double sum;
    combine_ranks(j, size, sizeof sum, scaled_square_leaf, add, &sum);
    return scale * sqrt(sum);
}

/* ---- the canonical order across ranks --------------------------------------- */

/* Buffers of the canonical path, had before the check's exchange so that a
 * failure travels with it: the pieces' nodes of every rank, allgatherv's
 * counts, the head unit (x then y, a block each), this rank's out elements
 * (likewise) and the receive requests. */
typedef struct canon_buffers {
    hpk__reduce_node *nodes; /* size * HPK__MPI_MAX_PIECES */
    int *counts;             /* 3 * size */
    void *unit, *out;        /* 2 * HPK__REDUCE_BLOCK elements each */
    MPI_Request *requests;   /* 2 * size + 2 */
} canon_buffers;

static bool canon_alloc(int size, canon_buffers *b, size_t *bytes)
{
    const size_t block = 2 * HPK__REDUCE_BLOCK * sizeof(double);
    *bytes = (size_t)size * HPK__MPI_MAX_PIECES * sizeof *b->nodes + 3 * (size_t)size * sizeof *b->counts +
             2 * block + (2 * (size_t)size + 2) * sizeof *b->requests;
    b->nodes = malloc((size_t)size * HPK__MPI_MAX_PIECES * sizeof *b->nodes);
    b->counts = malloc(3 * (size_t)size * sizeof *b->counts);
    b->unit = malloc(block);
    b->out = malloc(block);
    b->requests = malloc((2 * (size_t)size + 2) * sizeof *b->requests);
    return b->nodes && b->counts && b->unit && b->out && b->requests;
}

static void canon_free(canon_buffers *b)
{
    free(b->nodes);
    free(b->counts);
    free(b->unit);
    free(b->out);
    free(b->requests);
}

/* The point-to-point messages of the canonical path: tag and datatype. */
enum { TAG_X = 2101, TAG_Y = 2102 };

/* The head unit's elements of earlier ranks received into place, and this
 * rank's out elements sent to the owner of their block (x, then y for dot):
 * fewer than one block each way.  The requests started: *nrecv receives,
 * then the sends, *nreq in all. */
static hpk_status start_messages(hpk__mpi_call *c, const hpk__split *split, const int64_t *start,
                                 const hpk__split_plan *p, const hpk__reduce_job *job, canon_buffers *b, int *nrecv,
                                 int *nreq)
{
    const bool dot = job->op == HPK__OP_DOT;
    const MPI_Datatype type = job->f32 ? MPI_FLOAT : MPI_DOUBLE;
    const size_t es = job->f32 ? sizeof(float) : sizeof(double);
    char *unit_x = b->unit, *unit_y = unit_x + HPK__REDUCE_BLOCK * es;
    char *out_x = b->out, *out_y = out_x + HPK__REDUCE_BLOCK * es;
    const double t0 = MPI_Wtime();
    hpk_status st = HPK_SUCCESS;
    *nreq = 0;
    if (p->head_ends)
        for (int r = p->in_from; r < c->rank && st == HPK_SUCCESS; r++) {
            hpk__split_plan q;
            hpk__split_plan_of(split, start, r, &q);
            if (q.out == 0)
                continue;
            st = hpk__mpi_status(c, MPI_Irecv(unit_x + q.out_at * es, (int)q.out, type, r, TAG_X, c->comm,
                                              &b->requests[(*nreq)++]), "MPI_Irecv");
            if (st == HPK_SUCCESS && dot)
                st = hpk__mpi_status(c, MPI_Irecv(unit_y + q.out_at * es, (int)q.out, type, r, TAG_Y, c->comm,
                                                  &b->requests[(*nreq)++]), "MPI_Irecv");
        }
    *nrecv = *nreq;
    if (p->out > 0 && st == HPK_SUCCESS) {
        hpk__split_pack(job, p->count - p->out, p->out, out_x, out_y);
        st = hpk__mpi_status(c, MPI_Isend(out_x, (int)p->out, type, p->out_to, TAG_X, c->comm,
                                          &b->requests[(*nreq)++]), "MPI_Isend");
        if (st == HPK_SUCCESS && dot)
            st = hpk__mpi_status(c, MPI_Isend(out_y, (int)p->out, type, p->out_to, TAG_Y, c->comm,
                                              &b->requests[(*nreq)++]), "MPI_Isend");
    }
    c->comm_s += MPI_Wtime() - t0;
    return st;
}

static hpk_status wait_all(hpk__mpi_call *c, int nreq, MPI_Request *requests)
{
    const double t0 = MPI_Wtime();
    const hpk_status st = hpk__mpi_status(c, MPI_Waitall(nreq, requests, MPI_STATUSES_IGNORE), "MPI_Waitall");
    c->comm_s += MPI_Wtime() - t0;
    return st;
}

/* The receives, waited for once the rank's own blocks are evaluated. */
typedef struct receives {
    hpk__mpi_call *c;
    int count;
    MPI_Request *requests;
} receives;

static hpk_status wait_receives(void *arg)
{
    const receives *r = arg;
    return wait_all(r->c, r->count, r->requests);
}

/* The whole canonical reduction on any split (split.h): the blocks that
 * straddle a boundary completed on their owners from the other ranks' out
 * elements, this rank's pieces evaluated, every rank's gathered, the tree
 * joined.  lengths: each rank's elements; first: size + 1 entries, start
 * another size + 1; devices: whether some rank's pieces come from a device
 * (which can fail: then the ranks agree on their status first). */
static hpk_status canonical(hpk__mpi_call *c, const hpk__reduce_job *job, const int64_t *lengths, int64_t *first,
                            int64_t *start, bool devices, canon_buffers *b, double *result)
{
    first[0] = 0;
    for (int r = 0; r < c->size; r++)
        first[r + 1] = first[r] + lengths[r];
    const hpk__split split = {first, c->size, HPK__REDUCE_BLOCK};
    hpk__split_units(&split, start);
    const hpk__mpi_units units = {start, c->size};
    hpk__split_plan p;
    hpk__split_plan_of(&split, start, c->rank, &p);

    int nrecv, nreq;
    hpk_status st = start_messages(c, &split, start, &p, job, b, &nrecv, &nreq);
    if (st != HPK_SUCCESS)
        return st;
    const size_t es = job->f32 ? sizeof(float) : sizeof(double);
    char *unit_x = b->unit, *unit_y = unit_x + HPK__REDUCE_BLOCK * es;
    hpk__reduce_job head = {job->op, job->f32, p.head_length, unit_x, unit_y, 1, 1};
    if (p.head_ends)
        hpk__split_pack(job, 0, p.head, unit_x + p.head_at * es, unit_y + p.head_at * es);

    int *counts = b->counts, *displs = counts + c->size, offset = 0;
    for (int r = 0; r < c->size; r++) {
        counts[r] = hpk__mpi_pieces(&units, r, NULL) * (int)sizeof(hpk__reduce_node);
        displs[r] = offset;
        offset += counts[r];
    }
    hpk__reduce_node *my_nodes = b->nodes + displs[c->rank] / (int)sizeof(hpk__reduce_node);
    receives pending = {c, nrecv, b->requests};
    const hpk__split_wait wait = {wait_receives, &pending};
    st = hpk__split_reduce(c->ctx, &p, &units, c->rank, job, &head, &wait, my_nodes);
    const hpk_status sent = wait_all(c, nreq, b->requests); /* the sends (and receives not waited for) */
    if (sent != HPK_SUCCESS)
        return sent;
    if (devices)
        st = hpk__mpi_agree(c, st, counts + 2 * c->size);
    if (st != HPK_SUCCESS)
        return st; /* on CPU contexts, MPI failures only: reductions need no scratch */
    st = hpk__mpi_allgatherv(c, MPI_IN_PLACE, 0, MPI_BYTE, b->nodes, counts, displs, MPI_BYTE);
    if (st != HPK_SUCCESS)
        return st;
    *result = c->ctx->ops->reduce_finish(job, &b->nodes[hpk__split_join_nodes(&units, b->nodes)]);
    return HPK_SUCCESS;
}

/* ---- the common body -------------------------------------------------------- */

static hpk_status check_local(hpk_ctx *ctx, const char *fn, const reduce_args *a)
{
    const size_t elem = a->f32 ? sizeof(float) : sizeof(double);
    hpk_status st = hpk__check_vector(ctx, fn, "x", a->n, a->x, a->incx, elem);
    if (st == HPK_SUCCESS && a->op == HPK__OP_DOT)
        st = hpk__check_vector(ctx, fn, "y", a->n, a->y, a->incy, elem);
    if (st == HPK_SUCCESS)
        st = hpk__check_result(ctx, fn, a->op == HPK__OP_AMAX ? "index" : "result", a->result);
    return st;
}

static hpk_status reduce(hpk_ctx *ctx, MPI_Comm comm, const char *fn, const reduce_args *a)
{
    hpk__mpi_call c;
    hpk_status st = hpk__mpi_begin(&c, ctx, fn, comm);
    if (st != HPK_SUCCESS)
        return hpk__mpi_end(&c, st);

    /* Ranks that can evaluate the canonical tree wait with their partial
     * result until the exchange has shown whether it is needed. */
    const hpk__mpi_parts parts = hpk__mpi_parts_of(c.ctx, a->op != HPK__OP_AMAX && c.ctx->ops->reduce_part);
    const bool can_canon = parts != HPK__MPI_PARTS_NONE;
    int64_t record[RECORD_LEN] = {0, a->n, hpk__mpi_bits_d(0.0), -1, parts};
    hpk_status local = check_local(c.ctx, fn, a);

    /* Everything the call needs, allocated before the exchange so that a
     * failure travels with it. */
    canon_buffers b = {0};
    size_t canon_bytes = 0;
    const bool canon_ok = !can_canon || canon_alloc(c.size, &b, &canon_bytes);
    int64_t *all = malloc(((size_t)c.size * (RECORD_LEN + 4) + 2) * sizeof *all);
    if (local == HPK_SUCCESS && (!all || !canon_ok))
        local = hpk__mpi_no_memory(&c, ((size_t)c.size * (RECORD_LEN + 4) + 2) * sizeof *all + canon_bytes);
    if (!all) { /* the exchange needs it: report the failure on this rank alone */
        canon_free(&b);
        return hpk__mpi_end(&c, local);
    }
    if (local == HPK_SUCCESS && !can_canon)
        local = local_partial(c.ctx, a, record);
    int64_t *first = all + (size_t)c.size * RECORD_LEN;
    if ((st = hpk__mpi_exchange(&c, local, record, RECORD_LEN, all)) != HPK_SUCCESS)
        goto done;

    int64_t total = 0;
    bool every_rank_can = true, some_rank_waited = false, devices = false;
    for (int r = 0; r < c.size; r++) {
        first[r] = total;
        every_rank_can = every_rank_can && all[(size_t)r * RECORD_LEN + F_CANON];
        some_rank_waited = some_rank_waited || all[(size_t)r * RECORD_LEN + F_CANON];
        devices = devices || all[(size_t)r * RECORD_LEN + F_CANON] == HPK__MPI_PARTS_DEVICE;
        if (__builtin_add_overflow(total, all[(size_t)r * RECORD_LEN + F_N], &total)) {
            st = hpk__mpi_fail(&c, HPK_ERR_INVALID_ARG, "the blocks' lengths add up to more than int64_t holds");
            goto done;
        }
    }

    /* every rank's elements, then the split's size + 1 offsets and the
     * blocks' owners (size + 1 each) */
    int64_t *lengths = first + c.size, *offsets = lengths + c.size, *start = offsets + c.size + 1;
    for (int r = 0; r < c.size; r++)
        lengths[r] = all[(size_t)r * RECORD_LEN + F_N];
    if (every_rank_can && total > 0) {
        const hpk__reduce_job job = {a->op, a->f32, a->n, a->x, a->y, a->incx, a->incy};
        double r = 0.0;
        st = canonical(&c, &job, lengths, offsets, start, devices, &b, &r);
        hpk__store_result(st, r, a->f32, a->result);
        goto done;
    }
    if (some_rank_waited) { /* those ranks compute their partials now, and all exchange again */
        const hpk_status mine = can_canon ? local_partial(c.ctx, a, record) : HPK_SUCCESS;
        if ((st = hpk__mpi_exchange(&c, mine, record, RECORD_LEN, all)) != HPK_SUCCESS)
            goto done;
    }

    combine_job j = {all, first, 0.0};
    if (a->op == HPK__OP_AMAX) {
        amax_node root;
        combine_ranks(&j, c.size, sizeof root, amax_leaf, amax_combine, &root);
        *(int64_t *)a->result = root.index;
    } else {
        double r;
        if (a->op == HPK__OP_NRM2)
            r = combine_nrm2(&j, c.size);
        else
            combine_ranks(&j, c.size, sizeof r, sum_leaf, add, &r);
        hpk__store_result(HPK_SUCCESS, r, a->f32, a->result);
    }
done:
    free(all);
    canon_free(&b);
    return hpk__mpi_end(&c, st);
}

/* ---- entry points: one line each ------------------------------------------- */

/* hpk_mpi_<name> of precision p (d or s, mpi_internal.h) for the operation
 * op, its result of type R. */
#define VECTOR_ENTRY(name, p, op, R)                                                                           \
    hpk_status hpk_mpi_##name(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const HPK__MPI_T_##p *x,          \
                              int64_t incx, R *result)                                                         \
    {                                                                                                          \
        const reduce_args a = {op, HPK__MPI_F32_##p, n_local, x, NULL, incx, 0, result};                      \
        return reduce(ctx, comm, "hpk_mpi_" #name, &a);                                                        \
    }
#define DOT_ENTRY(name, p)                                                                                     \
    hpk_status hpk_mpi_##name(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const HPK__MPI_T_##p *x,          \
                              int64_t incx, const HPK__MPI_T_##p *y, int64_t incy, HPK__MPI_T_##p *result)    \
    {                                                                                                          \
        const reduce_args a = {HPK__OP_DOT, HPK__MPI_F32_##p, n_local, x, y, incx, incy, result};             \
        return reduce(ctx, comm, "hpk_mpi_" #name, &a);                                                        \
    }

VECTOR_ENTRY(dsum, d, HPK__OP_SUM, double)
VECTOR_ENTRY(ssum, s, HPK__OP_SUM, float)
VECTOR_ENTRY(dasum, d, HPK__OP_ASUM, double)
VECTOR_ENTRY(sasum, s, HPK__OP_ASUM, float)
VECTOR_ENTRY(dnrm2, d, HPK__OP_NRM2, double)
VECTOR_ENTRY(snrm2, s, HPK__OP_NRM2, float)
DOT_ENTRY(ddot, d)
DOT_ENTRY(sdot, s)
VECTOR_ENTRY(idamax, d, HPK__OP_AMAX, int64_t)
VECTOR_ENTRY(isamax, s, HPK__OP_AMAX, int64_t)
