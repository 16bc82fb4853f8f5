/* The canonical order's trees across ranks, planned without MPI: which
 * units (blocks of a reduction, runs of the transposed GEMV) each rank owns
 * on any contiguous split, what it sends and receives so that it can
 * evaluate them, how it evaluates its pieces of the global tree, and how
 * every rank joins all pieces in the tree's shape.  mpi/reduce.c and
 * mpi/gemv.c call these functions around their messages;
 * tests/test_mpi_split.c calls the same ones for thousands of simulated
 * ranks in one process, with copies in place of the messages.
 *
 * A split: rank r holds the logical elements (rows) [first[r], first[r+1])
 * of N = first[P].  Units of U elements: unit u is [u U, min((u+1) U, N)).
 * A unit belongs to the rank that holds its LAST element, so rank r owns
 * the units [start[r], start[r+1]) with start[r] = floor(first[r] / U)
 * (ceil(N / U) once first[r] == N).  Its elements fall into three parts:
 *   head    [0, head): the end of a unit begun on an earlier rank (head > 0
 *           iff first[r] is not a unit boundary).  When that unit ends here
 *           (head_ends) it is the rank's first unit; otherwise the rank
 *           lies inside that unit (a pass-through rank, head == count);
 *   direct  [head, head + direct): whole units, evaluated in place;
 *   out     [count - out, count): the beginning of a unit that ends on a
 *           later rank (out == count on a pass-through rank).
 * Reductions send each rank's out elements (< U) to the unit's owner
 * (out_to), which completes the unit from them and its head.  The
 * transposed GEMV forwards partial run states instead: the out rows' run
 * from +0.0 goes to the next rank holding rows (next), which continues it
 * with its head rows (a pass-through rank forwards it again). */
#ifndef HPK_MPI_SPLIT_H
#define HPK_MPI_SPLIT_H

#include "hpk_internal.h"
#include "runner.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- units in rank order and the pieces of the tree (pieces.c) ----------
 * Units numbered globally in rank order: rank r owns the units
 * [start[r], start[r + 1]).  Each rank evaluates its pieces, the maximal
 * subtrees of the global pairwise tree (order.h) that lie in its units;
 * every rank then joins all pieces in the tree's shape, which gives the
 * single-process bits. */
typedef struct hpk__mpi_units {
    const int64_t *start; /* size + 1 entries */
    int size;
} hpk__mpi_units;

/* At most this many pieces per rank (two per level of a tree of at most
 * 2^63 units). */
#define HPK__MPI_MAX_PIECES 128

int64_t hpk__mpi_units_of(const hpk__mpi_units *u);

/* Rank `rank`'s pieces (global unit numbers), in order, into pieces (which
 * may be NULL to count them); returns how many. */
int hpk__mpi_pieces(const hpk__mpi_units *u, int rank, hpk__tree_piece *pieces);

/* Joins every rank's pieces, numbered 0, 1, ... in rank and unit order:
 * combine(job, l, r) adds piece r into piece l (l holds the lower units).
 * Returns the number of the piece that holds the whole tree. */
int64_t hpk__mpi_join(const hpk__mpi_units *u, void (*combine)(void *job, int64_t left, int64_t right), void *job);

/* ---- the split and one rank's plan (pieces.c) --------------------------- */
typedef struct hpk__split {
    const int64_t *first; /* size + 1 entries, nondecreasing, first[0] == 0 */
    int size;
    int64_t unit; /* HPK__REDUCE_BLOCK or HPK__GEMV_RUN */
} hpk__split;

/* The owned units' starts, start[size + 1] (see above). */
void hpk__split_units(const hpk__split *s, int64_t *start);

typedef struct hpk__split_plan {
    int64_t first, count; /* the rank's elements: [first, first + count) */
    int64_t head;         /* local [0, head): the end of a unit begun earlier */
    bool head_ends;       /* ... which ends here: the rank's first unit */
    int64_t unit0, units; /* the units owned: [unit0, unit0 + units) */
    int64_t direct;       /* local [head, head + direct): whole units */
    int64_t out;          /* local [count - out, count): the start of a unit ending later */
    int out_to;           /* the rank that owns that unit (-1: out == 0) */
    int64_t out_at;       /* where the out elements begin in their unit */
    int prev, next;       /* the nearest ranks holding elements before and after (-1: none) */
    int in_from;          /* head_ends: the first rank holding elements of the head unit */
    int64_t head_at;      /* head_ends: where the head begins in its unit (the elements received before it) */
    int64_t head_length;  /* head_ends: that unit's length */
} hpk__split_plan;

/* Rank `rank`'s plan; start[] as hpk__split_units gives it. */
void hpk__split_plan_of(const hpk__split *s, const int64_t *start, int rank, hpk__split_plan *p);

/* Whether the rank lies inside one unit that neither begins nor ends on it. */
static inline bool hpk__split_passes(const hpk__split_plan *p)
{
    return p->head > 0 && !p->head_ends;
}

/* ---- evaluating a rank's pieces (split.c) ------------------------------- */

/* What a rank does once everything that needs no other rank's data is
 * evaluated, before it uses its head unit (its messages' arrival); NULL
 * (or a NULL wait) when the head is there already. */
typedef struct hpk__split_wait {
    hpk_status (*wait)(void *arg);
    void *arg;
} hpk__split_wait;

/* The right subtrees down the left spine of the rank's first piece when it
 * holds the head unit (0 otherwise): they are evaluated, and kept, before
 * the head is waited for. */
int hpk__split_spine(const hpk__split_plan *p, const hpk__mpi_units *u, int rank);

/* A rank's reduction: its pieces' nodes into nodes[0 ..), given its local
 * job (its count elements, hpk.h's arguments) and, when head_ends, the head
 * unit's job (its head_length elements, received ones and the head), ready
 * once `wait` returns. */
hpk_status hpk__split_reduce(hpk_ctx *ctx, const hpk__split_plan *p, const hpk__mpi_units *u, int rank,
                             const hpk__reduce_job *local, const hpk__reduce_job *head_unit,
                             const hpk__split_wait *wait, hpk__reduce_node *nodes);

/* The local job's logical elements [from, from + count) copied, in order,
 * to x (and, for dot, y): what a rank sends, and its own head's place in
 * the head unit. */
void hpk__split_pack(const hpk__reduce_job *local, int64_t from, int64_t count, void *x, void *y);

/* The nodes of all ranks' pieces, in rank order, joined; returns the root. */
int64_t hpk__split_join_nodes(const hpk__mpi_units *u, hpk__reduce_node *nodes);

/* A rank's rows of the transposed product: A is m x n, row-major, rows lda
 * apart; x has m elements (increment incx); the data are float (f32) or
 * double. */
typedef struct hpk__split_rows {
    bool f32;
    int64_t m, n;
    const void *a;
    int64_t lda;
    const void *x;
    int64_t incx;
} hpk__split_rows;

/* The out rows' run from +0.0 (n elements of the data's type into state),
 * on a rank that is not a pass-through one. */
hpk_status hpk__split_gemv_out(hpk_ctx *ctx, const hpk__split_plan *p, const hpk__split_rows *g, void *state);

/* state, a run's partial sum received from the previous rank, continued
 * with the head rows in sequence, as the kernels sum a run. */
void hpk__split_gemv_continue(const hpk__split_plan *p, const hpk__split_rows *g, void *state);

/* The rank's pieces, n elements each, into t[0 ..); t has room for
 * hpk__split_spine more; head_state is the head unit's finished run when
 * head_ends, ready once `wait` returns. */
hpk_status hpk__split_gemv_pieces(hpk_ctx *ctx, const hpk__split_plan *p, const hpk__mpi_units *u, int rank,
                                  const hpk__split_rows *g, const void *head_state, const hpk__split_wait *wait,
                                  void *t);

/* All ranks' pieces, each `len` elements of the data's type one after the
 * other in rank order, joined; returns the root's number. */
int64_t hpk__split_join_slices(const hpk__mpi_units *u, bool f32, void *slices, int64_t len);

#endif /* HPK_MPI_SPLIT_H */
