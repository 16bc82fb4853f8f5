/* Distributed GEMV over row blocks of a row-major matrix: y = A x with y kept
 * in blocks or gathered on every rank, and y = A^T x -- in the canonical
 * order's tree of row runs on any row split when every context is a CPU one
 * or an OpenCL one on a device with fp64 (split.h: runs that straddle ranks carried from rank to rank), else with
 * the ranks' partial products summed in rank order. */
#include "check.h"
#include "mpi_internal.h"
#include "order.h"
#include "runner.h"
#include "strided.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct gemv_args {
    bool f32;       /* float data; alpha and beta hold floats exactly */
    hpk_mpi_y ydist; /* row-block product only */
    int64_t m, n;   /* the rank's block: m rows, n columns */
    double alpha, beta;
    const void *a;
    int64_t lda;
    const void *x;
    int64_t incx;
    void *y;
    int64_t incy;
} gemv_args;

static size_t elem_size(const gemv_args *g)
{
    return g->f32 ? sizeof(float) : sizeof(double);
}

static MPI_Datatype elem_type(const gemv_args *g)
{
    return g->f32 ? MPI_FLOAT : MPI_DOUBLE;
}

static double get(const gemv_args *g, const void *p, int64_t i)
{
    return g->f32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}

static void put(const gemv_args *g, void *p, int64_t i, double v)
{
    if (g->f32)
        ((float *)p)[i] = (float)v;
    else
        ((double *)p)[i] = v;
}

static hpk_status local_gemv(hpk_ctx *ctx, const gemv_args *g, hpk_transpose trans, double alpha, double beta,
                             void *y, int64_t incy)
{
    if (g->f32)
        return hpk_sgemv(ctx, HPK_ROW_MAJOR, trans, g->m, g->n, (float)alpha, g->a, g->lda, g->x, g->incx,
                         (float)beta, y, incy);
    return hpk_dgemv(ctx, HPK_ROW_MAJOR, trans, g->m, g->n, alpha, g->a, g->lda, g->x, g->incx, beta, y, incy);
}

/* y[k] := alpha * t + beta * y[k] (alpha * t when beta == 0, without reading
 * y[k]; beta * y[k], or 0, when alpha == 0), rounded in the data's precision
 * exactly as hpk_?gemv rounds it. */
static void update(const gemv_args *g, double t, void *y, int64_t k)
{
    if (g->f32) {
        const float alpha = (float)g->alpha, beta = (float)g->beta, tf = (float)t;
        float *yk = (float *)y + k;
        if (alpha == 0.0f)
            *yk = beta == 0.0f ? 0.0f : beta * *yk;
        else
            *yk = beta == 0.0f ? alpha * tf : alpha * tf + beta * *yk;
        return;
    }
    const double alpha = g->alpha, beta = g->beta;
    double *yk = (double *)y + k;
    if (alpha == 0.0)
        *yk = beta == 0.0 ? 0.0 : beta * *yk;
    else
        *yk = beta == 0.0 ? alpha * t : alpha * t + beta * *yk;
}

/* Sum of the record field `field` over the ranks; false on int64_t overflow. */
static bool total_of(const hpk__mpi_call *c, const int64_t *all, int len, int field, int64_t *total)
{
    *total = 0;
    for (int r = 0; r < c->size; r++)
        if (__builtin_add_overflow(*total, all[(size_t)r * len + field], total))
            return false;
    return true;
}

/* ---- row blocks: y = alpha A x + beta y --------------------------------- */

/* A rank's record: status, rows, columns, ydist, alpha and beta (bits), and
 * its y pointer's nullness and increment (checked against M by all). */
enum { R_STATUS, R_M, R_N, R_YDIST, R_ALPHA, R_BETA, R_YNULL, R_INCY, ROW_RECORD };

/* With HPK_MPI_Y_GATHERED every rank checks every rank's y against the total
 * length M, so all reach the same verdict. */
static hpk_status check_gathered_y(hpk__mpi_call *c, const gemv_args *g, const int64_t *all, int64_t total)
{
    for (int r = 0; r < c->size; r++) {
        const int64_t *rec = all + (size_t)r * ROW_RECORD, inc = rec[R_INCY];
        if (rec[R_YNULL])
            return hpk__mpi_fail(c, HPK_ERR_INVALID_ARG, "y is NULL but has %" PRId64 " elements (on rank %d of %d)",
                                 total, r, c->size);
        if (!hpk__vector_fits(total, inc, elem_size(g)))
            return hpk__mpi_fail(c, HPK_ERR_INVALID_ARG,
                                 "y with %" PRId64 " elements and increment %" PRId64
                                 " addresses beyond int64_t (on rank %d of %d)",
                                 total, inc, r, c->size);
    }
    return HPK_SUCCESS;
}

/* The rank's block of y finished from t (its rows of A x) and its own copy of
 * that block, then every block gathered into every rank's y.  The receive
 * type strides through y; with incy < 0 the blocks land in reverse, so each
 * is sent reversed. */
static hpk_status gather_blocks(hpk__mpi_call *c, const gemv_args *g, const int64_t *all, int64_t total,
                                void *t, int *counts)
{
    int *displs = counts + c->size;
    const int64_t inc = g->incy, step = inc < 0 ? -inc : inc;
    int64_t offset = 0, mine = 0;
    for (int r = 0; r < c->size; r++) {
        const int64_t m = all[(size_t)r * ROW_RECORD + R_M];
        if (r == c->rank)
            mine = offset;
        counts[r] = (int)m;
        displs[r] = (int)(inc > 0 ? offset : total - offset - m);
        offset += m;
    }
    const int64_t m = g->m;
    for (int64_t i = 0; i < m; i++) {
        /* t[i] becomes y_i: the rank's own copy of it (when beta * y_i is
         * needed), then updated in place. */
        const double ti = g->alpha != 0.0 ? get(g, t, i) : 0.0;
        if (g->beta != 0.0)
            put(g, t, i, get(g, g->y, hpk__vector_index(mine + i, total, inc)));
        update(g, ti, t, i);
    }
    if (inc < 0)
        for (int64_t i = 0, j = m - 1; i < j; i++, j--) {
            const double v = get(g, t, i);
            put(g, t, i, get(g, t, j));
            put(g, t, j, v);
        }
    MPI_Datatype strided;
    hpk_status st = hpk__mpi_status(
        c, MPI_Type_create_resized(elem_type(g), 0, (MPI_Aint)(step * (int64_t)elem_size(g)), &strided),
        "MPI_Type_create_resized");
    if (st != HPK_SUCCESS)
        return st;
    if ((st = hpk__mpi_status(c, MPI_Type_commit(&strided), "MPI_Type_commit")) == HPK_SUCCESS)
        st = hpk__mpi_allgatherv(c, t, (int)m, elem_type(g), g->y, counts, displs, strided);
    MPI_Type_free(&strided);
    return st;
}

static hpk_status row_gemv(hpk_ctx *ctx, MPI_Comm comm, const char *fn, const gemv_args *g)
{
    hpk__mpi_call c;
    hpk_status st = hpk__mpi_begin(&c, ctx, fn, comm);
    if (st != HPK_SUCCESS)
        return hpk__mpi_end(&c, st);

    const bool gathered = g->ydist == HPK_MPI_Y_GATHERED;
    hpk_status local = HPK_SUCCESS;
    if (g->ydist != HPK_MPI_Y_LOCAL && !gathered)
        local = hpk__fail(c.ctx, HPK_ERR_INVALID_ARG,
                          "%s: ydist %d is neither HPK_MPI_Y_LOCAL (0) nor HPK_MPI_Y_GATHERED (1)", fn,
                          (int)g->ydist);
    /* A gathered y is checked against the total length once that is known;
     * here only its increment (and the block's extent) is. */
    static const double placeholder = 0.0;
    const void *y_block = gathered && !g->y ? (const void *)&placeholder : g->y;
    if (local == HPK_SUCCESS)
        local = hpk__check_gemv(c.ctx, fn, HPK_ROW_MAJOR, HPK_NO_TRANS, g->m, g->n, g->a, g->lda, g->x, g->incx,
                                y_block, g->incy, elem_size(g));

    /* Gathered: the block's t = A_r x (alpha 1, beta 0) is formed before the
     * check's exchange, so that a failure here travels with it; its offset
     * in y, needed for beta * y, is known only after. */
    void *t = NULL;
    int *counts = NULL;
    if (gathered && local == HPK_SUCCESS) {
        t = malloc((size_t)(g->m > 0 ? g->m : 1) * elem_size(g));
        counts = malloc(2 * (size_t)c.size * sizeof *counts);
        if (!t || !counts)
            local = hpk__mpi_no_memory(&c, (size_t)g->m * elem_size(g) + 2 * (size_t)c.size * sizeof *counts);
        else if (g->alpha != 0.0 && g->n > 0 && g->m > 0)
            local = local_gemv(c.ctx, g, HPK_NO_TRANS, 1.0, 0.0, t, 1);
    }
    const int64_t bits_alpha = g->f32 ? hpk__mpi_bits_s((float)g->alpha) : hpk__mpi_bits_d(g->alpha);
    const int64_t bits_beta = g->f32 ? hpk__mpi_bits_s((float)g->beta) : hpk__mpi_bits_d(g->beta);
    int64_t record[ROW_RECORD] = {0, g->m, g->n, g->ydist, bits_alpha, bits_beta, g->y == NULL, g->incy};

    int64_t *all = malloc((size_t)c.size * ROW_RECORD * sizeof *all);
    if (!all) {
        st = hpk__mpi_no_memory(&c, (size_t)c.size * ROW_RECORD * sizeof *all);
        goto done;
    }
    const hpk__mpi_kind real = g->f32 ? HPK__MPI_FLOAT : HPK__MPI_DOUBLE;
    if ((st = hpk__mpi_exchange(&c, local, record, ROW_RECORD, all)) ||
        (st = hpk__mpi_same(&c, all, ROW_RECORD, R_N, "n (the columns of A, the length of x)", HPK__MPI_INT)) ||
        (st = hpk__mpi_same(&c, all, ROW_RECORD, R_YDIST, "ydist", HPK__MPI_INT)))
        goto done;
    if (!gathered) {
        st = local_gemv(c.ctx, g, HPK_NO_TRANS, g->alpha, g->beta, g->y, g->incy);
        goto done;
    }
    if ((st = hpk__mpi_same(&c, all, ROW_RECORD, R_ALPHA, "alpha", real)) ||
        (st = hpk__mpi_same(&c, all, ROW_RECORD, R_BETA, "beta", real)))
        goto done;
    int64_t total;
    if (!total_of(&c, all, ROW_RECORD, R_M, &total)) {
        st = hpk__mpi_fail(&c, HPK_ERR_INVALID_ARG, "the blocks' row counts add up to more than int64_t holds");
        goto done;
    }
    if (g->n == 0 || total == 0 || (g->alpha == 0.0 && g->beta == 1.0))
        goto done;
    if ((st = check_gathered_y(&c, g, all, total)))
        goto done;
    if (total > INT_MAX) {
        st = hpk__mpi_fail(&c, HPK_ERR_UNSUPPORTED,
                           "a gathered y of %" PRId64 " elements is more than MPI_Allgatherv can address", total);
        goto done;
    }
    st = gather_blocks(&c, g, all, total, t, counts);
done:
    free(all);
    free(counts);
    free(t);
    return hpk__mpi_end(&c, st);
}

/* ---- the transposed product: y = alpha A^T x + beta y ------------------- */

/* A rank's record: status, rows, columns, alpha and beta (bits), and whether
 * its context can evaluate runs of the canonical tree (hpk__mpi_parts_of). */
enum { T_STATUS, T_M, T_N, T_ALPHA, T_BETA, T_CANON, T_RECORD };

/* In place, the rows [first, first + count) of w (one row of len doubles per
 * rank) summed pairwise into row `first`: the shape of hpk's block tree. */
static void sum_rows(double *w, int64_t len, int64_t first, int64_t count)
{
    if (count == 1)
        return;
    const int64_t left = hpk__tree_left(count);
    sum_rows(w, len, first, left);
    sum_rows(w, len, first + left, count - left);
    double *l = w + first * len;
    const double *r = w + (first + left) * len;
    for (int64_t i = 0; i < len; i++)
        l[i] += r[i];
}

/* Buffers of the transposed product had before the check's exchange:
 * counts (seven arrays of P ints: send, receive and slice counts and
 * displacements, and scratch), t, the product's y (n elements), which
 * first receives the run a previous rank began, and state, the run this
 * rank begins for the next one (n elements). */
typedef struct transposed_buffers {
    int *counts;
    void *t, *state;
} transposed_buffers;

static hpk_status transposed_alloc(hpk__mpi_call *c, const gemv_args *g, transposed_buffers *b)
{
    const size_t vector = ((size_t)g->n + 1) * elem_size(g);
    b->counts = malloc(7 * (size_t)c->size * sizeof *b->counts);
    b->t = malloc(vector);
    b->state = malloc(vector);
    if (!b->counts || !b->t || !b->state)
        return hpk__mpi_no_memory(c, 7 * (size_t)c->size * sizeof *b->counts + 2 * vector);
    return HPK_SUCCESS;
}

static void transposed_free(transposed_buffers *b)
{
    free(b->counts);
    free(b->t);
    free(b->state);
}

/* The partial products exchanged slice by slice (MPI_Alltoallv): rank r
 * made products(job, r) vectors of n elements (this rank's one after the
 * other in `mine`); every rank receives its slice of y of every product,
 * in rank and product order, into a new *recv.  `local` (this rank's
 * status so far) and the buffers' allocation are agreed on first. */
static hpk_status exchange_slices(hpk__mpi_call *c, const gemv_args *g, hpk_status local,
                                  int (*products)(const void *job, int rank), const void *job, const void *mine,
                                  transposed_buffers *b, void **recv)
{
    const size_t es = elem_size(g);
    const int size = c->size, own = products(job, c->rank);
    int64_t my_first, my_count, send_total = 0, recv_total = 0;
    hpk__mpi_split(g->n, size, c->rank, &my_first, &my_count);
    int *send_counts = b->counts, *send_displs = b->counts + size, *recv_counts = b->counts + 2 * size;
    int *recv_displs = b->counts + 3 * size, *slice_counts = b->counts + 4 * size;
    int *slice_displs = b->counts + 5 * size;
    for (int r = 0; r < size; r++) {
        int64_t first, count;
        hpk__mpi_split(g->n, size, r, &first, &count);
        slice_counts[r] = (int)count;
        slice_displs[r] = (int)first;
        send_counts[r] = (int)(own * count);
        send_displs[r] = (int)send_total;
        send_total += send_counts[r];
        recv_counts[r] = (int)(products(job, r) * my_count);
        recv_displs[r] = (int)recv_total;
        recv_total += recv_counts[r];
    }
    char *send = malloc(((size_t)send_total + 1) * es);
    *recv = malloc(((size_t)recv_total + 1) * es);
    if (local == HPK_SUCCESS && (!send || !*recv))
        local = hpk__mpi_no_memory(c, (size_t)(send_total + recv_total) * es);
    for (int r = 0; local == HPK_SUCCESS && r < size; r++)
        for (int k = 0; k < own; k++)
            memcpy(send + ((size_t)send_displs[r] + (size_t)k * slice_counts[r]) * es,
                   (const char *)mine + ((size_t)k * g->n + slice_displs[r]) * es, (size_t)slice_counts[r] * es);
    hpk_status st = hpk__mpi_agree(c, local, b->counts + 6 * size);
    if (st == HPK_SUCCESS)
        st = hpk__mpi_alltoallv(c, send, send_counts, send_displs, *recv, recv_counts, recv_displs, elem_type(g));
    free(send);
    if (st != HPK_SUCCESS) {
        free(*recv);
        *recv = NULL;
    }
    return st;
}

/* This rank's slice of t (from `slice`) gathered with every rank's into
 * b->t (MPI_Allgatherv), then y updated. */
static hpk_status finish_y(hpk__mpi_call *c, const gemv_args *g, transposed_buffers *b, const void *slice)
{
    const size_t es = elem_size(g);
    const int *slice_counts = b->counts + 4 * c->size, *slice_displs = b->counts + 5 * c->size;
    memcpy((char *)b->t + (size_t)slice_displs[c->rank] * es, slice, (size_t)slice_counts[c->rank] * es);
    const hpk_status st =
        hpk__mpi_allgatherv(c, MPI_IN_PLACE, 0, elem_type(g), b->t, slice_counts, slice_displs, elem_type(g));
    if (st == HPK_SUCCESS)
        for (int64_t i = 0; i < g->n; i++)
            update(g, get(g, b->t, i), g->y, hpk__vector_index(i, g->n, g->incy));
    return st;
}

static int one_product(const void *job, int rank)
{
    (void)job;
    (void)rank;
    return 1;
}

/* t = A_r^T x_r on every rank, summed across ranks slice by slice (each
 * rank summing one slice, in double, pairwise in rank order), then y. */
static hpk_status transposed_product(hpk__mpi_call *c, const gemv_args *g, transposed_buffers *b)
{
    int64_t my_first, my_count;
    hpk__mpi_split(g->n, c->size, c->rank, &my_first, &my_count);
    hpk_status local = HPK_SUCCESS;
    if (g->m > 0)
        local = local_gemv(c->ctx, g, HPK_TRANS, 1.0, 0.0, b->t, 1);
    else
        memset(b->t, 0, (size_t)g->n * elem_size(g));
    double *sums = malloc(((size_t)c->size * (size_t)my_count + 1) * sizeof *sums);
    if (local == HPK_SUCCESS && !sums)
        local = hpk__mpi_no_memory(c, (size_t)c->size * (size_t)my_count * sizeof *sums);
    void *recv;
    hpk_status st = exchange_slices(c, g, local, one_product, NULL, b->t, b, &recv);
    if (st == HPK_SUCCESS) {
        for (int64_t i = 0; i < (int64_t)c->size * my_count; i++)
            sums[i] = get(g, recv, i);
        sum_rows(sums, my_count, 0, c->size);
        for (int64_t i = 0; i < my_count; i++)
            put(g, recv, i, sums[i]);
        st = finish_y(c, g, b, recv);
    }
    free(recv);
    free(sums);
    return st;
}

/* The canonical transposed product on any row split (split.h): a run that
 * straddles a boundary is summed where its rows are, its partial sum
 * forwarded to the next rank holding rows (one message of n elements per
 * such boundary); this rank's pieces of the global tree of row runs (A^T's
 * axpy form, order.h) each give a partial t; every rank joins its slice of
 * y over all pieces in the tree's shape, then y.  The same bits as
 * hpk_?gemv(HPK_ROW_MAJOR, HPK_TRANS) on the whole matrix. */
enum { TAG_RUN = 2103 };

static int pieces_of(const void *units, int rank)
{
    return hpk__mpi_pieces(units, rank, NULL);
}

/* The run a previous rank began, received into b->t and continued with
 * this rank's head rows (once: *done). */
typedef struct head_run {
    hpk__mpi_call *c;
    const gemv_args *g;
    const hpk__split_plan *p;
    const hpk__split_rows *rows;
    void *state;
    bool done;
} head_run;

static hpk_status receive_head(void *arg)
{
    head_run *h = arg;
    if (h->done || h->p->head == 0)
        return HPK_SUCCESS;
    h->done = true;
    const double t0 = MPI_Wtime();
    const hpk_status st = hpk__mpi_status(h->c,
                                          MPI_Recv(h->state, (int)h->g->n, elem_type(h->g), h->p->prev, TAG_RUN,
                                                   h->c->comm, MPI_STATUS_IGNORE),
                                          "MPI_Recv");
    h->c->comm_s += MPI_Wtime() - t0;
    if (st == HPK_SUCCESS)
        hpk__split_gemv_continue(h->p, h->rows, h->state);
    return st;
}

/* A run state (n elements) sent on to the next rank holding rows. */
static hpk_status send_run(hpk__mpi_call *c, const gemv_args *g, const hpk__split_plan *p, void *state,
                           MPI_Request *request)
{
    const double t0 = MPI_Wtime();
    const hpk_status st = hpk__mpi_status(
        c, MPI_Isend(state, (int)g->n, elem_type(g), p->next, TAG_RUN, c->comm, request), "MPI_Isend");
    c->comm_s += MPI_Wtime() - t0;
    return st;
}

static hpk_status canonical_transposed(hpk__mpi_call *c, const gemv_args *g, int64_t *first, int64_t *start,
                                       const int64_t *rows_of, transposed_buffers *b)
{
    first[0] = 0;
    for (int r = 0; r < c->size; r++)
        first[r + 1] = first[r] + rows_of[r];
    const hpk__split split = {first, c->size, HPK__GEMV_RUN};
    hpk__split_units(&split, start);
    const hpk__mpi_units units = {start, c->size};
    hpk__split_plan p;
    hpk__split_plan_of(&split, start, c->rank, &p);
    const hpk__split_rows rows = {g->f32, g->m, g->n, g->a, g->lda, g->x, g->incx};

    const size_t es = elem_size(g);
    int64_t my_first, my_count;
    hpk__mpi_split(g->n, c->size, c->rank, &my_first, &my_count);
    /* the pieces, then the first one's spine */
    const int mine = hpk__mpi_pieces(&units, c->rank, NULL);
    const size_t slots = (size_t)mine + (size_t)hpk__split_spine(&p, &units, c->rank);
    hpk_status local = HPK_SUCCESS;
    char *t = malloc((slots + 1) * (size_t)g->n * es);
    if (!t)
        local = hpk__mpi_no_memory(c, slots * (size_t)g->n * es);

    /* The messages run whatever `local` is, so that no partner waits in
     * vain: this rank's out rows' run first (begun from +0.0, sent to the
     * next rank), then its own runs, and only then the run of the previous
     * rank, continued; a rank inside one run passes it on. */
    MPI_Request send = MPI_REQUEST_NULL;
    hpk_status st = HPK_SUCCESS;
    if (p.out > 0 && !hpk__split_passes(&p)) {
        const hpk_status mine_st = hpk__split_gemv_out(c->ctx, &p, &rows, b->state);
        local = local == HPK_SUCCESS ? mine_st : local;
        st = send_run(c, g, &p, b->state, &send);
    }
    head_run head = {c, g, &p, &rows, b->t, false};
    const hpk__split_wait wait = {receive_head, &head};
    if (st == HPK_SUCCESS && local == HPK_SUCCESS)
        local = hpk__split_gemv_pieces(c->ctx, &p, &units, c->rank, &rows, b->t, &wait, t);
    if (st == HPK_SUCCESS && !head.done)
        st = receive_head(&head);
    if (st == HPK_SUCCESS && hpk__split_passes(&p))
        st = send_run(c, g, &p, b->t, &send);
    if (st == HPK_SUCCESS) {
        const double t0 = MPI_Wtime();
        st = hpk__mpi_status(c, MPI_Wait(&send, MPI_STATUS_IGNORE), "MPI_Wait");
        c->comm_s += MPI_Wtime() - t0;
    }
    if (st != HPK_SUCCESS) {
        free(t);
        return st;
    }
    void *recv = NULL;
    st = exchange_slices(c, g, local, pieces_of, &units, t, b, &recv);
    if (st == HPK_SUCCESS) {
        const int64_t root = hpk__split_join_slices(&units, g->f32, recv, my_count);
        st = finish_y(c, g, b, (char *)recv + (size_t)root * my_count * es);
    }
    free(recv);
    free(t);
    return st;
}

static hpk_status transposed_gemv(hpk_ctx *ctx, MPI_Comm comm, const char *fn, const gemv_args *g)
{
    hpk__mpi_call c;
    hpk_status st = hpk__mpi_begin(&c, ctx, fn, comm);
    if (st != HPK_SUCCESS)
        return hpk__mpi_end(&c, st);

    hpk_status local = hpk__check_gemv(c.ctx, fn, HPK_ROW_MAJOR, HPK_TRANS, g->m, g->n, g->a, g->lda, g->x,
                                       g->incx, g->y, g->incy, elem_size(g));
    /* y is written even where this rank's block is empty. */
    if (local == HPK_SUCCESS)
        local = hpk__check_vector(c.ctx, fn, "y", g->n, g->y, g->incy, elem_size(g));
    /* The buffers, when the product will need them (n beyond what MPI's int
     * counts address is refused, on every rank, after the exchange). */
    transposed_buffers b = {0};
    if (local == HPK_SUCCESS && g->n > 0 && g->alpha != 0.0 && g->n <= INT_MAX - c.size)
        local = transposed_alloc(&c, g, &b);
    const int64_t bits_alpha = g->f32 ? hpk__mpi_bits_s((float)g->alpha) : hpk__mpi_bits_d(g->alpha);
    const int64_t bits_beta = g->f32 ? hpk__mpi_bits_s((float)g->beta) : hpk__mpi_bits_d(g->beta);
    int64_t record[T_RECORD] = {0, g->m, g->n, bits_alpha, bits_beta,
                                hpk__mpi_parts_of(c.ctx, c.ctx->ops->gemv_runs) != HPK__MPI_PARTS_NONE};

    /* the records, then each rank's rows, its first row and the runs' owners
     * (size + 1 each) */
    int64_t *all = malloc(((size_t)c.size * (T_RECORD + 3) + 2) * sizeof *all);
    if (!all) {
        st = hpk__mpi_no_memory(&c, (size_t)c.size * T_RECORD * sizeof *all);
        goto done;
    }
    const hpk__mpi_kind real = g->f32 ? HPK__MPI_FLOAT : HPK__MPI_DOUBLE;
    if ((st = hpk__mpi_exchange(&c, local, record, T_RECORD, all)) ||
        (st = hpk__mpi_same(&c, all, T_RECORD, T_N, "n (the columns of A, the length of y)", HPK__MPI_INT)) ||
        (st = hpk__mpi_same(&c, all, T_RECORD, T_ALPHA, "alpha", real)) ||
        (st = hpk__mpi_same(&c, all, T_RECORD, T_BETA, "beta", real)))
        goto done;
    int64_t total;
    if (!total_of(&c, all, T_RECORD, T_M, &total)) {
        st = hpk__mpi_fail(&c, HPK_ERR_INVALID_ARG, "the blocks' row counts add up to more than int64_t holds");
        goto done;
    }
    if (g->n == 0 || total == 0 || (g->alpha == 0.0 && g->beta == 1.0))
        goto done;
    if (g->alpha == 0.0) {
        /* A and x are not read: y := beta * y, on each rank alone. */
        for (int64_t i = 0; i < g->n; i++)
            update(g, 0.0, g->y, hpk__vector_index(i, g->n, g->incy));
        goto done;
    }
    if (g->n > INT_MAX - c.size) {
        st = hpk__mpi_fail(&c, HPK_ERR_UNSUPPORTED, "n = %" PRId64 " is more than MPI_Alltoallv can address", g->n);
        goto done;
    }
    int64_t *rows = all + (size_t)c.size * T_RECORD, *first = rows + c.size, *start = first + c.size + 1;
    bool every_rank_can = true;
    for (int r = 0; r < c.size; r++) {
        rows[r] = all[(size_t)r * T_RECORD + T_M];
        every_rank_can = every_rank_can && all[(size_t)r * T_RECORD + T_CANON];
    }
    if (every_rank_can)
        st = canonical_transposed(&c, g, first, start, rows, &b);
    else
        st = transposed_product(&c, g, &b);
done:
    free(all);
    transposed_free(&b);
    return hpk__mpi_end(&c, st);
}

/* ---- entry points: one line each ----------------------------------------- */

/* hpk_mpi_<name> of precision p (d or s, mpi_internal.h): the row-block
 * product and the transposed one. */
#define ROW_ENTRY(name, p)                                                                                     \
    hpk_status hpk_mpi_##name(hpk_ctx *ctx, MPI_Comm comm, hpk_mpi_y ydist, int64_t m_local, int64_t n,      \
                              HPK__MPI_T_##p alpha, const HPK__MPI_T_##p *a, int64_t lda,                      \
                              const HPK__MPI_T_##p *x, int64_t incx, HPK__MPI_T_##p beta, HPK__MPI_T_##p *y,  \
                              int64_t incy)                                                                    \
    {                                                                                                          \
        const gemv_args g = {HPK__MPI_F32_##p, ydist, m_local, n, alpha, beta, a, lda, x, incx, y, incy};     \
        return row_gemv(ctx, comm, "hpk_mpi_" #name, &g);                                                      \
    }
#define TRANSPOSED_ENTRY(name, p)                                                                              \
    hpk_status hpk_mpi_##name(hpk_ctx *ctx, MPI_Comm comm, int64_t m_local, int64_t n, HPK__MPI_T_##p alpha, \
                              const HPK__MPI_T_##p *a, int64_t lda, const HPK__MPI_T_##p *x, int64_t incx,    \
                              HPK__MPI_T_##p beta, HPK__MPI_T_##p *y, int64_t incy)                           \
    {                                                                                                          \
        const gemv_args g = {HPK__MPI_F32_##p, HPK_MPI_Y_GATHERED, m_local, n, alpha, beta, a, lda, x, incx,  \
                             y, incy};                                                                         \
        return transposed_gemv(ctx, comm, "hpk_mpi_" #name, &g);                                               \
    }

ROW_ENTRY(dgemv, d)
ROW_ENTRY(sgemv, s)
TRANSPOSED_ENTRY(dgemv_t, d)
TRANSPOSED_ENTRY(sgemv_t, s)
