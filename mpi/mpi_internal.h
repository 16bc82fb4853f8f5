/* What the distributed entry points share: the per-call state, the cached
 * communicator, the collective argument check and timed MPI wrappers. */
#ifndef HPK_MPI_INTERNAL_H
#define HPK_MPI_INTERNAL_H

#include "hpk/hpk_mpi.h"
#include "hpk_internal.h"
#include "split.h"

#include <stdbool.h>

/* The two precisions, for the entry points that are one line each: the
 * element type and whether it is float. */
#define HPK__MPI_T_d double
#define HPK__MPI_T_s float
#define HPK__MPI_F32_d false
#define HPK__MPI_F32_s true

/* One collective call in progress. */
typedef struct hpk__mpi_call {
    hpk_ctx *ctx;     /* resolved: never NULL */
    const char *fn;   /* the public function's name, for messages */
    MPI_Comm comm;    /* hpk's duplicate of the caller's communicator */
    int rank, size;
    double start, comm_s;
} hpk__mpi_call;

/* Resolves ctx, checks that MPI is usable and comm is not MPI_COMM_NULL,
 * and finds (or, on the first call, creates) the cached duplicate of comm.
 * A failure here is local to this rank; the caller returns it at once
 * through hpk__mpi_end. */
hpk_status hpk__mpi_begin(hpk__mpi_call *c, hpk_ctx *ctx, const char *fn, MPI_Comm comm);

/* Records the call's time split for hpk_mpi_last_times and returns st. */
hpk_status hpk__mpi_end(hpk__mpi_call *c, hpk_status st);

/* The argument check every call starts with.  Each rank contributes a
 * record of `len` int64 values whose field 0 is its local status (set here
 * from `local`); the records of all ranks land in all[size * len], rank
 * order.  If any rank's status is a failure, the lowest such rank's message
 * is sent to every rank, and every rank returns its status with that message
 * and "(on rank r of P)". */
hpk_status hpk__mpi_exchange(hpk__mpi_call *c, hpk_status local, int64_t *record, int len, int64_t *all);

/* Every rank learnt (from a collective) that `rank` failed with status st:
 * that rank's message is sent to all, and every rank returns st with it and
 * "(on rank r of P)".  Collective. */
hpk_status hpk__mpi_failed_on(hpk__mpi_call *c, int rank, hpk_status st);

/* Every rank's `local` status made common (the lowest failing rank's
 * message on every rank), so that no rank enters an exchange another has
 * given up on.  scratch: P ints.  Collective. */
hpk_status hpk__mpi_agree(hpk__mpi_call *c, hpk_status local, int *scratch);

/* How a rank's context takes part in the canonical trees across ranks
 * (split.h), given whether its backend has the entry the call needs
 * (reduce_part, gemv_runs): not at all (the ranks' results are then
 * combined in rank order), as a CPU one, or as a device, whose pieces may
 * also fail for the device's own reasons. */
typedef enum hpk__mpi_parts { HPK__MPI_PARTS_NONE, HPK__MPI_PARTS_CPU, HPK__MPI_PARTS_DEVICE } hpk__mpi_parts;

static inline hpk__mpi_parts hpk__mpi_parts_of(hpk_ctx *ctx, bool has_entry)
{
    if (!has_entry || (ctx->ops->parts_exact && !ctx->ops->parts_exact(ctx)))
        return HPK__MPI_PARTS_NONE;
    return ctx->ops->runner ? HPK__MPI_PARTS_CPU : HPK__MPI_PARTS_DEVICE;
}

/* Fields of the records that must be equal on every rank; kind says how to
 * print a disagreement. */
typedef enum hpk__mpi_kind { HPK__MPI_INT, HPK__MPI_UINT, HPK__MPI_DOUBLE, HPK__MPI_FLOAT, HPK__MPI_HASH } hpk__mpi_kind;

hpk_status hpk__mpi_same(hpk__mpi_call *c, const int64_t *all, int len, int field, const char *name,
                         hpk__mpi_kind kind);

/* A failure status with a message reported identically on every rank from
 * data every rank has: "fn: <message>". */
hpk_status hpk__mpi_fail(hpk__mpi_call *c, hpk_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* HPK_SUCCESS for MPI_SUCCESS; otherwise HPK_ERR_MPI with "fn: what failed:"
 * and MPI_Error_string's text. */
hpk_status hpk__mpi_status(hpk__mpi_call *c, int rc, const char *what);

/* MPI calls on the call's communicator, timed as communication; an MPI error
 * becomes HPK_ERR_MPI with MPI_Error_string's text. */
hpk_status hpk__mpi_allgather(hpk__mpi_call *c, const void *send, int count, MPI_Datatype type, void *recv);
hpk_status hpk__mpi_allgatherv(hpk__mpi_call *c, const void *send, int count, MPI_Datatype send_type, void *recv,
                               const int *counts, const int *displs, MPI_Datatype recv_type);
hpk_status hpk__mpi_alltoallv(hpk__mpi_call *c, const void *send, const int *send_counts,
                              const int *send_displs, void *recv, const int *recv_counts, const int *recv_displs,
                              MPI_Datatype type);

/* Bits of a double or float as a record field, and back. */
int64_t hpk__mpi_bits_d(double v);
int64_t hpk__mpi_bits_s(float v);
double hpk__mpi_double(int64_t bits);

/* The balanced split of n over size ranks: rank r's first element and count. */
void hpk__mpi_split(int64_t n, int size, int rank, int64_t *first, int64_t *count);

/* The canonical order's trees across ranks: split.h. */

/* Out-of-memory failure for a buffer of `bytes`, recorded in the context. */
hpk_status hpk__mpi_no_memory(hpk__mpi_call *c, size_t bytes);

#endif /* HPK_MPI_INTERNAL_H */
