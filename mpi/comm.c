/* The distributed layer's plumbing: the cached duplicate communicator, the
 * collective argument check, timed MPI wrappers, the per-thread timing
 * record and the block-split helper. */
#include "mpi_internal.h"
#include "order.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the cached communicator --------------------------------------------- */

/* Attribute key under which a caller's communicator keeps hpk's duplicate,
 * and a key on MPI_COMM_SELF whose deletion in MPI_Finalize releases the
 * duplicate of MPI_COMM_WORLD (whose attributes MPI_Finalize leaves alone). */
static int dup_keyval = MPI_KEYVAL_INVALID, finalize_keyval = MPI_KEYVAL_INVALID;
static int keyval_rc = MPI_SUCCESS;
static pthread_once_t keyval_once = PTHREAD_ONCE_INIT;

static int free_dup(MPI_Comm comm, int keyval, void *attr, void *extra)
{
    (void)comm;
    (void)keyval;
    (void)extra;
    MPI_Comm *dup = attr;
    const int rc = MPI_Comm_free(dup);
    free(dup);
    return rc;
}

static int at_finalize(MPI_Comm comm, int keyval, void *attr, void *extra)
{
    (void)comm;
    (void)keyval;
    (void)attr;
    (void)extra;
    const int rc = MPI_Comm_delete_attr(MPI_COMM_WORLD, dup_keyval);
    MPI_Comm_free_keyval(&dup_keyval);
    return rc;
}

static void create_keyvals(void)
{
    keyval_rc = MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, free_dup, &dup_keyval, NULL);
    if (keyval_rc == MPI_SUCCESS)
        keyval_rc = MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, at_finalize, &finalize_keyval, NULL);
    if (keyval_rc == MPI_SUCCESS)
        keyval_rc = MPI_Comm_set_attr(MPI_COMM_SELF, finalize_keyval, NULL);
}

hpk_status hpk__mpi_status(hpk__mpi_call *c, int rc, const char *what)
{
    if (rc == MPI_SUCCESS)
        return HPK_SUCCESS;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "MPI error code %d", rc);
    return hpk__fail(c->ctx, HPK_ERR_MPI, "%s: %s failed: %s", c->fn, what, text);
}

/* hpk's duplicate of comm, made on first use: errors return, never abort. */
static hpk_status cached_dup(hpk__mpi_call *c, MPI_Comm comm)
{
    pthread_once(&keyval_once, create_keyvals);
    hpk_status st = hpk__mpi_status(c, keyval_rc, "MPI_Comm_create_keyval");
    if (st != HPK_SUCCESS)
        return st;
    void *attr;
    int found;
    if ((st = hpk__mpi_status(c, MPI_Comm_get_attr(comm, dup_keyval, &attr, &found), "MPI_Comm_get_attr")))
        return st;
    if (found) {
        c->comm = *(MPI_Comm *)attr;
        return HPK_SUCCESS;
    }
    MPI_Comm *dup = malloc(sizeof *dup);
    if (!dup)
        return hpk__mpi_no_memory(c, sizeof *dup);
    if ((st = hpk__mpi_status(c, MPI_Comm_dup(comm, dup), "MPI_Comm_dup"))) {
        free(dup);
        return st;
    }
    if ((st = hpk__mpi_status(c, MPI_Comm_set_errhandler(*dup, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler")) ||
        (st = hpk__mpi_status(c, MPI_Comm_set_attr(comm, dup_keyval, dup), "MPI_Comm_set_attr"))) {
        MPI_Comm_free(dup);
        free(dup);
        return st;
    }
    c->comm = *dup;
    return HPK_SUCCESS;
}

/* ---- one call ------------------------------------------------------------- */

static _Thread_local hpk_mpi_times last_times;

hpk_status hpk__mpi_begin(hpk__mpi_call *c, hpk_ctx *ctx, const char *fn, MPI_Comm comm)
{
    *c = (hpk__mpi_call){.ctx = hpk__resolve(ctx), .fn = fn, .comm = MPI_COMM_NULL, .start = -1.0};
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (!initialized || finalized)
        return hpk__fail(c->ctx, HPK_ERR_MPI, "%s: MPI is %s", fn,
                         finalized ? "already finalised" : "not initialised (call MPI_Init first)");
    c->start = MPI_Wtime();
    if (comm == MPI_COMM_NULL)
        return hpk__fail(c->ctx, HPK_ERR_INVALID_ARG, "%s: comm is MPI_COMM_NULL", fn);
    hpk_status st = cached_dup(c, comm);
    if (st != HPK_SUCCESS)
        return st;
    if ((st = hpk__mpi_status(c, MPI_Comm_rank(c->comm, &c->rank), "MPI_Comm_rank")) ||
        (st = hpk__mpi_status(c, MPI_Comm_size(c->comm, &c->size), "MPI_Comm_size")))
        return st;
    return HPK_SUCCESS;
}

hpk_status hpk__mpi_end(hpk__mpi_call *c, hpk_status st)
{
    const double total = c->start >= 0.0 ? MPI_Wtime() - c->start : 0.0;
    last_times = (hpk_mpi_times){total, total - c->comm_s, c->comm_s};
    return st;
}

hpk_mpi_times hpk_mpi_last_times(void)
{
    return last_times;
}

/* ---- timed collectives ---------------------------------------------------- */

#define TIMED(c, what, call)                                   \
    do {                                                       \
        const double t0_ = MPI_Wtime();                        \
        const int rc_ = (call);                                \
        (c)->comm_s += MPI_Wtime() - t0_;                      \
        return hpk__mpi_status((c), rc_, (what));                   \
    } while (0)

hpk_status hpk__mpi_allgather(hpk__mpi_call *c, const void *send, int count, MPI_Datatype type, void *recv)
{
    TIMED(c, "MPI_Allgather", MPI_Allgather(send, count, type, recv, count, type, c->comm));
}

hpk_status hpk__mpi_allgatherv(hpk__mpi_call *c, const void *send, int count, MPI_Datatype send_type, void *recv,
                               const int *counts, const int *displs, MPI_Datatype recv_type)
{
    TIMED(c, "MPI_Allgatherv", MPI_Allgatherv(send, count, send_type, recv, counts, displs, recv_type, c->comm));
}

hpk_status hpk__mpi_alltoallv(hpk__mpi_call *c, const void *send, const int *send_counts,
                              const int *send_displs, void *recv, const int *recv_counts, const int *recv_displs,
                              MPI_Datatype type)
{
    TIMED(c, "MPI_Alltoallv",
          MPI_Alltoallv(send, send_counts, send_displs, type, recv, recv_counts, recv_displs, type, c->comm));
}

static hpk_status bcast(hpk__mpi_call *c, void *buffer, int count, MPI_Datatype type, int root)
{
    TIMED(c, "MPI_Bcast", MPI_Bcast(buffer, count, type, root, c->comm));
}

/* ---- the collective argument check ---------------------------------------- */

hpk_status hpk__mpi_exchange(hpk__mpi_call *c, hpk_status local, int64_t *record, int len, int64_t *all)
{
    record[0] = local;
    hpk_status st = hpk__mpi_allgather(c, record, len, MPI_INT64_T, all);
    if (st != HPK_SUCCESS)
        return st;
    for (int r = 0; r < c->size; r++)
        if (all[(size_t)r * len] != HPK_SUCCESS)
            return hpk__mpi_failed_on(c, r, (hpk_status)all[(size_t)r * len]);
    return HPK_SUCCESS;
}

hpk_status hpk__mpi_failed_on(hpk__mpi_call *c, int rank, hpk_status st)
{
    char message[HPK__ERROR_CAPACITY];
    if (rank == c->rank)
        memcpy(message, c->ctx->error, sizeof message);
    hpk_status bst = bcast(c, message, (int)sizeof message, MPI_CHAR, rank);
    if (bst != HPK_SUCCESS)
        return bst;
    message[sizeof message - 1] = '\0';
    return hpk__fail(c->ctx, st, "%s (on rank %d of %d)", message, rank, c->size);
}

hpk_status hpk__mpi_agree(hpk__mpi_call *c, hpk_status local, int *scratch)
{
    const int mine = (int)local;
    hpk_status st = hpk__mpi_allgather(c, &mine, 1, MPI_INT, scratch);
    for (int r = 0; st == HPK_SUCCESS && r < c->size; r++)
        if (scratch[r] != HPK_SUCCESS)
            st = hpk__mpi_failed_on(c, r, (hpk_status)scratch[r]);
    return st;
}

static void format_field(char *out, size_t size, int64_t v, hpk__mpi_kind kind)
{
    switch (kind) {
    case HPK__MPI_INT: snprintf(out, size, "%" PRId64, v); break;
    case HPK__MPI_UINT: snprintf(out, size, "%" PRIu64, (uint64_t)v); break;
    case HPK__MPI_DOUBLE: snprintf(out, size, "%.17g", hpk__mpi_double(v)); break;
    case HPK__MPI_FLOAT: snprintf(out, size, "%.9g", hpk__mpi_double(v)); break;
    case HPK__MPI_HASH: snprintf(out, size, "hash %016" PRIx64, (uint64_t)v); break;
    }
}

hpk_status hpk__mpi_same(hpk__mpi_call *c, const int64_t *all, int len, int field, const char *name,
                         hpk__mpi_kind kind)
{
    for (int r = 1; r < c->size; r++) {
        const int64_t mine = all[(size_t)r * len + field];
        if (mine != all[field]) {
            char first[32], other[32];
            format_field(first, sizeof first, all[field], kind);
            format_field(other, sizeof other, mine, kind);
            return hpk__mpi_fail(c, HPK_ERR_MPI, "the ranks disagree on %s: rank 0 has %s, rank %d has %s",
                                 name, first, r, other);
        }
    }
    return HPK_SUCCESS;
}

hpk_status hpk__mpi_fail(hpk__mpi_call *c, hpk_status st, const char *fmt, ...)
{
    char text[HPK__ERROR_CAPACITY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return hpk__fail(c->ctx, st, "%s: %s", c->fn, text);
}

hpk_status hpk__mpi_no_memory(hpk__mpi_call *c, size_t bytes)
{
    return hpk__fail(c->ctx, HPK_ERR_ALLOC, "%s: out of memory for %zu bytes", c->fn, bytes);
}

/* ---- small helpers -------------------------------------------------------- */

int64_t hpk__mpi_bits_d(double v)
{
    int64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

int64_t hpk__mpi_bits_s(float v)
{
    return hpk__mpi_bits_d((double)v);
}

double hpk__mpi_double(int64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

void hpk__mpi_split(int64_t n, int size, int rank, int64_t *first, int64_t *count)
{
    const int64_t q = n / size, rem = n % size;
    *count = q + (rank < rem);
    *first = rank * q + (rank < rem ? rank : rem);
}

hpk_status hpk_mpi_block_range(MPI_Comm comm, int64_t n, int64_t *first, int64_t *count)
{
    static const char fn[] = "hpk_mpi_block_range";
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (!initialized || finalized)
        return hpk__fail(NULL, HPK_ERR_MPI, "%s: MPI is %s", fn,
                         finalized ? "already finalised" : "not initialised (call MPI_Init first)");
    if (comm == MPI_COMM_NULL)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "%s: comm is MPI_COMM_NULL", fn);
    if (n < 0)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "%s: n is %" PRId64 "; sizes must be >= 0", fn, n);
    if (!first || !count)
        return hpk__fail(NULL, HPK_ERR_INVALID_ARG, "%s: %s is NULL", fn, first ? "count" : "first");
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    /* Whole blocks of the reductions' canonical order, balanced in blocks;
     * the last block (shorter) goes to the last rank that gets any. */
    const int64_t nblocks = n > 0 ? (n - 1) / HPK__REDUCE_BLOCK + 1 : 0;
    int64_t block, blocks;
    hpk__mpi_split(nblocks, size, rank, &block, &blocks);
    const int64_t begin = block * HPK__REDUCE_BLOCK, end = (block + blocks) * HPK__REDUCE_BLOCK;
    *first = begin < n ? begin : n;
    *count = (end < n ? end : n) - *first;
    return HPK_SUCCESS;
}
