/* A rank's pieces of the canonical trees across ranks (split.h): the
 * reductions' blocks and the transposed GEMV's runs, evaluated from the
 * rank's own elements and what it received, and the pieces of all ranks
 * joined.  No MPI here: mpi/reduce.c and mpi/gemv.c move the data,
 * tests/test_mpi_split.c copies it. */
#include "split.h"
#include "strided.h"

#include <string.h>

/* ---- a rank's pieces, whatever a node is ----------------------------------
 * The head unit, when the rank has one, is the first leaf of its first
 * piece: that piece is the head plus the right subtrees down its left
 * spine, added bottom up (the tree's own order).  Every other subtree lies
 * in the direct elements, so all of them -- the other pieces and the
 * spine's right subtrees -- are evaluated before the head is needed; only
 * then does head() wait for it.  Slots: a piece's number, or -1 - i for
 * the spine's i-th right subtree from the top. */
typedef struct piece_ops {
    void *job;
    hpk_status (*direct)(void *job, int64_t first, int64_t count, int slot); /* global unit numbers */
    hpk_status (*head)(void *job, int slot);
    void (*combine)(void *job, int left, int right);
} piece_ops;

/* The number of right subtrees down the left spine of a tree of `count`. */
static int spine_depth(int64_t count)
{
    int depth = 0;
    for (; count > 1; count = hpk__tree_left(count))
        depth++;
    return depth;
}

int hpk__split_spine(const hpk__split_plan *p, const hpk__mpi_units *u, int rank)
{
    hpk__tree_piece pieces[HPK__MPI_MAX_PIECES];
    return p->head_ends && hpk__mpi_pieces(u, rank, pieces) > 0 ? spine_depth(pieces[0].count) : 0;
}

static hpk_status eval_pieces(const hpk__split_plan *p, const hpk__mpi_units *u, int rank, const piece_ops *o)
{
    hpk__tree_piece pieces[HPK__MPI_MAX_PIECES];
    const int n = hpk__mpi_pieces(u, rank, pieces), spine = p->head_ends && n > 0;
    hpk_status st = HPK_SUCCESS;
    for (int k = spine; k < n && st == HPK_SUCCESS; k++)
        st = o->direct(o->job, pieces[k].first, pieces[k].count, k);
    if (!spine || st != HPK_SUCCESS)
        return st;
    int depth = 0;
    for (int64_t first = pieces[0].first, count = pieces[0].count; count > 1 && st == HPK_SUCCESS; depth++) {
        const int64_t left = hpk__tree_left(count);
        st = o->direct(o->job, first + left, count - left, -1 - depth);
        count = left;
    }
    if (st == HPK_SUCCESS)
        st = o->head(o->job, 0);
    for (int i = depth - 1; i >= 0 && st == HPK_SUCCESS; i--)
        o->combine(o->job, 0, -1 - i);
    return st;
}

/* The first unit of the direct elements. */
static int64_t direct_unit0(const hpk__split_plan *p)
{
    return p->unit0 + (p->head_ends ? 1 : 0);
}

/* ---- reductions ------------------------------------------------------------ */

typedef struct reduce_pieces {
    hpk_ctx *ctx;
    hpk__reduce_job direct;
    int64_t unit0;
    const hpk__reduce_job *head;
    const hpk__split_wait *wait;
    hpk__reduce_node *nodes, spine[64]; /* a tree of at most 2^63 units */
} reduce_pieces;

static hpk__reduce_node *node_at(reduce_pieces *j, int slot)
{
    return slot < 0 ? &j->spine[-1 - slot] : &j->nodes[slot];
}

static hpk_status reduce_direct(void *job, int64_t first, int64_t count, int slot)
{
    reduce_pieces *j = job;
    return j->ctx->ops->reduce_part(j->ctx, &j->direct, first - j->unit0, count, node_at(j, slot));
}

static hpk_status wait_for_head(const hpk__split_wait *w)
{
    return w && w->wait ? w->wait(w->arg) : HPK_SUCCESS;
}

static hpk_status reduce_head(void *job, int slot)
{
    reduce_pieces *j = job;
    const hpk_status st = wait_for_head(j->wait);
    return st != HPK_SUCCESS ? st : j->ctx->ops->reduce_part(j->ctx, j->head, 0, 1, node_at(j, slot));
}

static void add_node(hpk__reduce_node *l, const hpk__reduce_node *r)
{
    for (int k = 0; k < 3; k++)
        l->s[k] += r->s[k];
}

static void reduce_combine(void *job, int left, int right)
{
    reduce_pieces *j = job;
    add_node(node_at(j, left), node_at(j, right));
}

hpk_status hpk__split_reduce(hpk_ctx *ctx, const hpk__split_plan *p, const hpk__mpi_units *u, int rank,
                             const hpk__reduce_job *local, const hpk__reduce_job *head_unit,
                             const hpk__split_wait *wait, hpk__reduce_node *nodes)
{
    const size_t es = local->f32 ? sizeof(float) : sizeof(double);
    hpk__reduce_job direct = *local;
    direct.n = p->direct;
    if (p->direct > 0) {
        direct.x = hpk__vector_sub(local->x, local->n, local->incx, p->head, p->direct, es);
        if (local->op == HPK__OP_DOT)
            direct.y = hpk__vector_sub(local->y, local->n, local->incy, p->head, p->direct, es);
    }
    reduce_pieces j = {ctx, direct, direct_unit0(p), head_unit, wait, nodes, {{{0}}}};
    const piece_ops o = {&j, reduce_direct, reduce_head, reduce_combine};
    return eval_pieces(p, u, rank, &o);
}

static void pack_one(bool f32, const void *v, int64_t n, int64_t inc, int64_t from, int64_t count, void *out)
{
    for (int64_t i = 0; i < count; i++) {
        const int64_t at = hpk__vector_index(from + i, n, inc);
        if (f32)
            ((float *)out)[i] = ((const float *)v)[at];
        else
            ((double *)out)[i] = ((const double *)v)[at];
    }
}

void hpk__split_pack(const hpk__reduce_job *local, int64_t from, int64_t count, void *x, void *y)
{
    pack_one(local->f32, local->x, local->n, local->incx, from, count, x);
    if (local->op == HPK__OP_DOT)
        pack_one(local->f32, local->y, local->n, local->incy, from, count, y);
}

static void join_nodes(void *job, int64_t left, int64_t right)
{
    hpk__reduce_node *nodes = job;
    add_node(&nodes[left], &nodes[right]);
}

int64_t hpk__split_join_nodes(const hpk__mpi_units *u, hpk__reduce_node *nodes)
{
    return hpk__mpi_join(u, join_nodes, nodes);
}

/* ---- the transposed GEMV's runs ------------------------------------------ */

static size_t elem_size(bool f32)
{
    return f32 ? sizeof(float) : sizeof(double);
}

/* The rank's rows [from, from + count) as a matrix and x of their own. */
static hpk_status runs_of(hpk_ctx *ctx, const hpk__split_rows *g, int64_t from, int64_t count, int64_t first,
                          int64_t runs, void *t)
{
    const size_t es = elem_size(g->f32);
    const void *a = (const char *)g->a + (size_t)(from * g->lda) * es;
    const void *x = hpk__vector_sub(g->x, g->m, g->incx, from, count, es);
    return ctx->ops->gemv_runs(ctx, g->f32, count, g->n, a, g->lda, x, g->incx, first, runs, t);
}

hpk_status hpk__split_gemv_out(hpk_ctx *ctx, const hpk__split_plan *p, const hpk__split_rows *g, void *state)
{
    return runs_of(ctx, g, p->count - p->out, p->out, 0, 1, state);
}

/* As the kernels' runs add each row: t[e] += x_k v_k[e], k in order, in the
 * data's precision (no contraction: -ffp-contract=off). */
void hpk__split_gemv_continue(const hpk__split_plan *p, const hpk__split_rows *g, void *state)
{
    for (int64_t k = 0; k < p->head; k++) {
        const int64_t xk = hpk__vector_index(k, g->m, g->incx);
        if (g->f32) {
            const float x = ((const float *)g->x)[xk], *v = (const float *)g->a + k * g->lda;
            float *t = state;
            for (int64_t e = 0; e < g->n; e++)
                t[e] += x * v[e];
        } else {
            const double x = ((const double *)g->x)[xk], *v = (const double *)g->a + k * g->lda;
            double *t = state;
            for (int64_t e = 0; e < g->n; e++)
                t[e] += x * v[e];
        }
    }
}

typedef struct gemv_pieces {
    hpk_ctx *ctx;
    const hpk__split_rows *g;
    const hpk__split_plan *p;
    int64_t unit0;
    const void *head;
    const hpk__split_wait *wait;
    char *t;
    int pieces; /* the spine's subtrees follow the pieces */
} gemv_pieces;

static void *slot_of(const gemv_pieces *j, int slot)
{
    return j->t + (size_t)(slot < 0 ? j->pieces - 1 - slot : slot) * (size_t)j->g->n * elem_size(j->g->f32);
}

static hpk_status gemv_direct(void *job, int64_t first, int64_t count, int slot)
{
    const gemv_pieces *j = job;
    return runs_of(j->ctx, j->g, j->p->head, j->p->direct, first - j->unit0, count, slot_of(j, slot));
}

static hpk_status gemv_head(void *job, int slot)
{
    const gemv_pieces *j = job;
    const hpk_status st = wait_for_head(j->wait);
    if (st == HPK_SUCCESS)
        memcpy(slot_of(j, slot), j->head, (size_t)j->g->n * elem_size(j->g->f32));
    return st;
}

/* l[i] += r[i], i < len, in the data's precision. */
static void add_vectors(bool f32, void *l, const void *r, int64_t len)
{
    for (int64_t i = 0; i < len; i++) {
        if (f32)
            ((float *)l)[i] += ((const float *)r)[i];
        else
            ((double *)l)[i] += ((const double *)r)[i];
    }
}

static void gemv_combine(void *job, int left, int right)
{
    const gemv_pieces *j = job;
    add_vectors(j->g->f32, slot_of(j, left), slot_of(j, right), j->g->n);
}

hpk_status hpk__split_gemv_pieces(hpk_ctx *ctx, const hpk__split_plan *p, const hpk__mpi_units *u, int rank,
                                  const hpk__split_rows *g, const void *head_state, const hpk__split_wait *wait,
                                  void *t)
{
    gemv_pieces j = {ctx, g, p, direct_unit0(p), head_state, wait, t, hpk__mpi_pieces(u, rank, NULL)};
    const piece_ops o = {&j, gemv_direct, gemv_head, gemv_combine};
    return eval_pieces(p, u, rank, &o);
}

typedef struct slice_join {
    bool f32;
    char *slices;
    int64_t len;
} slice_join;

static void join_slices(void *job, int64_t left, int64_t right)
{
    const slice_join *j = job;
    const size_t bytes = (size_t)j->len * elem_size(j->f32);
    add_vectors(j->f32, j->slices + (size_t)left * bytes, j->slices + (size_t)right * bytes, j->len);
}

int64_t hpk__split_join_slices(const hpk__mpi_units *u, bool f32, void *slices, int64_t len)
{
    slice_join j = {f32, slices, len};
    return hpk__mpi_join(u, join_slices, &j);
}
