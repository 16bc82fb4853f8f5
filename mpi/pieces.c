/* The canonical order's trees across ranks: units (blocks of a reduction,
 * runs of a GEMV) in rank order, each rank evaluating the maximal subtrees
 * of the global tree that lie in its units, and every rank joining them in
 * the tree's own shape; which units a rank owns on any split, and what it
 * sends and receives (split.h).  No MPI here. */
#include "split.h"
#include "order.h"

int64_t hpk__mpi_units_of(const hpk__mpi_units *u)
{
    return u->start[u->size];
}

static void cut(int64_t first, int64_t count, int64_t u0, int64_t u1, hpk__tree_piece *pieces, int *npieces)
{
    if (first + count <= u0 || first >= u1)
        return;
    if (first >= u0 && first + count <= u1) {
        if (pieces)
            pieces[*npieces] = (hpk__tree_piece){first, count};
        ++*npieces;
        return;
    }
    const int64_t left = hpk__tree_left(count);
    cut(first, left, u0, u1, pieces, npieces);
    cut(first + left, count - left, u0, u1, pieces, npieces);
}

int hpk__mpi_pieces(const hpk__mpi_units *u, int rank, hpk__tree_piece *pieces)
{
    int npieces = 0;
    cut(0, hpk__mpi_units_of(u), u->start[rank], u->start[rank + 1], pieces, &npieces);
    return npieces;
}

/* Whether units [first, first + count) all belong to one rank: the rank
 * holding `first` (the last r with start[r] <= first; ranks without units
 * share their start with the next) also holds the last one. */
static bool inside_one_rank(const hpk__mpi_units *u, int64_t first, int64_t count)
{
    int lo = 0, hi = u->size; /* start[lo] <= first < start[hi] */
    while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        if (u->start[mid] <= first)
            lo = mid;
        else
            hi = mid;
    }
    return first + count <= u->start[lo + 1];
}

static int64_t join(const hpk__mpi_units *u, int64_t first, int64_t count, int64_t *next,
                    void (*combine)(void *job, int64_t left, int64_t right), void *job)
{
    if (inside_one_rank(u, first, count))
        return (*next)++;
    const int64_t left = hpk__tree_left(count);
    const int64_t l = join(u, first, left, next, combine, job);
    const int64_t r = join(u, first + left, count - left, next, combine, job);
    combine(job, l, r);
    return l;
}

int64_t hpk__mpi_join(const hpk__mpi_units *u, void (*combine)(void *job, int64_t left, int64_t right), void *job)
{
    int64_t next = 0;
    return join(u, 0, hpk__mpi_units_of(u), &next, combine, job);
}

/* ---- the split ----------------------------------------------------------- */

static int64_t total_of(const hpk__split *s)
{
    return s->first[s->size];
}

void hpk__split_units(const hpk__split *s, int64_t *start)
{
    const int64_t n = total_of(s), u = s->unit, all = (n + u - 1) / u;
    for (int r = 0; r <= s->size; r++)
        start[r] = s->first[r] >= n ? all : s->first[r] / u;
}

/* The rank holding element e (0 <= e < N): the last r with first[r] <= e,
 * which holds elements (first[r + 1] > e). */
static int rank_of(const hpk__split *s, int64_t e)
{
    int lo = 0, hi = s->size; /* first[lo] <= e < first[hi] */
    while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        if (s->first[mid] <= e)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void hpk__split_plan_of(const hpk__split *s, const int64_t *start, int rank, hpk__split_plan *p)
{
    const int64_t n = total_of(s), u = s->unit, f = s->first[rank], e = s->first[rank + 1];
    const int64_t count = e - f, off = f % u;
    *p = (hpk__split_plan){.first = f, .count = count, .unit0 = start[rank],
                           .units = start[rank + 1] - start[rank], .out_to = -1, .prev = -1, .next = -1,
                           .in_from = -1};
    if (count == 0)
        return;
    p->prev = f > 0 ? rank_of(s, f - 1) : -1;
    p->next = e < n ? rank_of(s, e) : -1;
    /* the head: up to the end of the unit f lies in */
    const int64_t unit_begin = f - off, unit_end = unit_begin + u < n ? unit_begin + u : n;
    if (off) {
        p->head = count < u - off ? count : u - off;
        p->head_ends = f + p->head == unit_end;
        if (p->head_ends) {
            p->in_from = rank_of(s, unit_begin);
            p->head_at = off;
            p->head_length = unit_end - unit_begin;
        }
    }
    /* the out part: from the last unit boundary (or f) when the rank ends
     * inside a unit */
    const int64_t last_begin = e - e % u;
    if (e < n && e % u) {
        const int64_t from = last_begin > f ? last_begin : f;
        p->out = e - from;
        p->out_at = from - last_begin;
        p->out_to = rank_of(s, (last_begin + u < n ? last_begin + u : n) - 1);
    }
    /* whole units in place: from the head's end to the last boundary (or N) */
    const int64_t direct_end = e == n ? e : last_begin;
    p->direct = direct_end > f + p->head ? direct_end - (f + p->head) : 0;
}
