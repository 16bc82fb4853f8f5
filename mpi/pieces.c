/* The canonical order's trees across ranks: units (blocks of a reduction,
 * runs of a GEMV) in rank order, each rank evaluating the maximal subtrees
 * of the global tree that lie in its units, and every rank joining them in
 * the tree's own shape. */
#include "mpi_internal.h"
#include "order.h"
#include "runner.h"

int64_t hpk__mpi_units_of(const hpk__mpi_units *u)
{
    return u->start[u->size];
}

bool hpk__mpi_units_split(const int64_t *lengths, int size, int64_t unit, int64_t *start)
{
    int last = -1;
    for (int r = 0; r < size; r++)
        if (lengths[r] > 0)
            last = r;
    start[0] = 0;
    for (int r = 0; r < size; r++) {
        if (r < last && lengths[r] % unit)
            return false;
        start[r + 1] = start[r] + (lengths[r] > 0 ? (lengths[r] - 1) / unit + 1 : 0);
    }
    return true;
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
