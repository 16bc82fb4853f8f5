/*
 * hpk_mpi.h — hpk across processes: distributed GEMV, reductions and Monte
 * Carlo over MPI, and the manual for them.  They live in libhpk_mpi, a
 * library of their own on top of libhpk (link hpk::hpk_mpi, or pkg-config's
 * hpk-mpi), built and installed when hpk's configure finds MPI
 * (HPK_WITH_MPI, AUTO by default).
 *
 * The arrangement is the usual hybrid one: one MPI rank per node (or per
 * socket), OpenMP threads inside each rank.  Every function here is the
 * distributed form of a function of hpk.h: each rank computes its share with
 * the kernels of its own context (serial or OpenMP, as in hpk.h), and hpk
 * exchanges the partial results with MPI collectives.  Everything said in
 * hpk.h about vectors, increments, strides and contexts holds here for each
 * rank's local arrays.
 *
 * ---------------------------------------------------------------------------
 * Conventions that hold for every function below
 * ---------------------------------------------------------------------------
 * Collective.  Each call is collective over its communicator: every rank of
 *              `comm` must make the same call, in the same order relative to
 *              its other collective calls on `comm`.  Calls on the same
 *              communicator must not run concurrently.  MPI must be
 *              initialised (MPI_Init or MPI_Init_thread) and not finalised.
 *              hpk makes its MPI calls from the calling thread only, so
 *              MPI_THREAD_FUNNELED is enough even with OpenMP contexts.
 *
 * Communicator.
 *              hpk never communicates on `comm` itself.  The first call on a
 *              communicator duplicates it (MPI_Comm_dup, itself collective)
 *              and caches the duplicate as an attribute of `comm`; later calls
 *              reuse it, and MPI frees it when `comm` is freed (or, for
 *              MPI_COMM_WORLD and MPI_COMM_SELF, in MPI_Finalize).  The
 *              duplicate returns MPI errors instead of aborting, whatever
 *              error handler `comm` has.
 *
 * Context.     ctx is the local backend, exactly as in hpk.h: NULL means the
 *              calling thread's default context.  Its thread count applies
 *              inside each rank.  A failing call records its message in ctx.
 *
 * Threads and binding.
 *              Each rank runs its context's OpenMP threads on the CPUs the
 *              rank may run on (hpk.h's thread cap).  The launcher decides
 *              which those are: Open MPI's mpirun binds each rank to a
 *              single core by default when it starts one or two ranks (to a
 *              socket with more), and a rank bound to one core runs hpk on
 *              one thread, -np 1 included.  Give each rank its cores:
 *                mpirun -np 2 --map-by slot:PE=4 --bind-to core ./app
 *              (4 cores per rank, each rank bound to its own), or
 *                mpirun -np 2 --bind-to none ./app
 *              (no binding: each rank may use every core; set its thread
 *              count, OMP_NUM_THREADS or hpk_ctx_set_num_threads, so that
 *              the ranks' threads together fit the cores).  Under Slurm,
 *              srun --cpus-per-task=N gives each rank N CPUs.
 *
 * Data.        A distributed vector of N elements is split into contiguous
 *              blocks in rank order: rank r holds the n_r elements that
 *              start at logical element n_0 + ... + n_{r-1}, as an ordinary
 *              local vector (pointer, increment) with hpk.h's rules — so a
 *              negative increment walks the rank's own block from its end.
 *              The blocks may have any sizes, 0 included;
 *              hpk_mpi_block_range gives a balanced split at the
 *              boundaries of the reductions' canonical order.
 *
 * Errors.      Arguments are checked on every rank and then compared across
 *              ranks with one collective before any work, so every rank
 *              returns the same status and the same message:
 *                HPK_ERR_INVALID_ARG  an argument is bad on some rank; the
 *                                     message is that rank's own, followed by
 *                                     "(on rank r of P)" (the lowest such
 *                                     rank).
 *                HPK_ERR_MPI          the ranks disagree on an argument that
 *                                     must be the same everywhere (sizes,
 *                                     seeds, ...): the message names it and
 *                                     two ranks' values.  Never a hang.
 *                HPK_ERR_ALLOC, HPK_ERR_UNSUPPORTED
 *                                     as in hpk.h, on any rank; reported on
 *                                     every rank like HPK_ERR_INVALID_ARG.
 *              Two failures are local to one rank, because no agreement is
 *              possible: comm == MPI_COMM_NULL (HPK_ERR_INVALID_ARG) and MPI
 *              not initialised or already finalised (HPK_ERR_MPI).  If an MPI
 *              call itself fails, the call returns HPK_ERR_MPI on the ranks
 *              where MPI reports the failure, with MPI_Error_string's text in
 *              the message.  As in hpk.h, a failing call writes no output on
 *              any rank (the one exception is stated at hpk_mpi_dgemv).
 *
 * Reproducibility.
 *              For a given number of ranks, every result is bitwise the same
 *              on every rank and in every run, for any thread count and CPU
 *              code path.  Partial results of the ranks are combined in rank
 *              order, pairwise (ranks [0, P) split into their first P - P/2
 *              and the rest, recursively — the shape hpk uses for blocks),
 *              identically on every rank; MPI's own reduction operations
 *              are never used for floating point.  Beyond that:
 *                - Monte Carlo results (hpk_mpi_mc_pi, hpk_mpi_mc_integrate)
 *                  are bitwise those of hpk_mc_pi / hpk_mc_integrate on one
 *                  process, for any number of ranks.
 *                - Row-block GEMV (hpk_mpi_dgemv, hpk_mpi_sgemv) gives every
 *                  y element bitwise as hpk_dgemv would on the whole matrix.
 *                - Reductions (sum, asum, dot, nrm2) are bitwise those of
 *                  hpk.h's functions on the whole vector, on every rank,
 *                  for any number of ranks and ANY split
 *                  (blocks of any sizes, 0 included).  The whole vector's
 *                  canonical blocks (hpk.h: 4096 elements) are evaluated
 *                  where they end: a block that straddles ranks belongs to
 *                  the rank holding its last element, and every earlier
 *                  rank holding part of it sends it that part (fewer than
 *                  4096 elements; for dot, of x and of y) -- point to
 *                  point, nonblocking (MPI_Isend / MPI_Irecv).  So each
 *                  rank sends at most one such message (two for dot), of
 *                  the elements after its last block boundary; a rank
 *                  receives one from each earlier rank holding part of its
 *                  first block: usually one neighbour, several when ranks
 *                  hold fewer elements than a block.  On hpk_mpi_block_range's
 *                  split nothing is sent.  Each rank then evaluates the
 *                  subtrees of the global block tree that lie in its
 *                  blocks, and every rank joins all of them in the tree's
 *                  shape (MPI_Allgatherv of at most 128 nodes of 24 bytes
 *                  per rank).  i?amax returns the exact index of the
 *                  whole vector on any split.
 *                - The transposed GEMV (hpk_mpi_?gemv_t) is bitwise
 *                  hpk_?gemv(HPK_ROW_MAJOR, HPK_TRANS) on the whole
 *                  matrix, for any number of ranks and ANY row split.  The
 *                  runs of hpk.h's GEMV order (256 consecutive rows, summed
 *                  in sequence) are summed where their rows are: a run
 *                  that straddles ranks is begun on the rank holding its
 *                  first rows, and its partial sum (n elements) is sent to
 *                  the next rank holding rows, which continues it with its
 *                  own rows (and sends it on again if the run goes on past
 *                  it) -- point to point (MPI_Isend, then MPI_Recv and, on
 *                  a rank inside one run, MPI_Send).  So a rank sends and
 *                  receives at most one n-element vector each, and only at
 *                  a boundary that is not a multiple of 256 rows.  Each
 *                  rank computes the subtrees of the runs' tree that lie in
 *                  its runs, and every rank joins its slice of y over all
 *                  of them in the tree's shape.
 *                - A GPU per rank: all of the above holds for every mix of
 *                  CPU contexts and OpenCL contexts on devices with fp64
 *                  (hpk_cl.h).  A rank with an OpenCL context computes its
 *                  subtrees on its device, each staged as a call of its
 *                  own (so hpk_ctx_last_profile shows the last of them,
 *                  and verify mode checks each); a device failure in one
 *                  is agreed on by all ranks before the join, so every
 *                  rank returns it.  When some rank's device lacks fp64
 *                  (or HPK_CL_NO_FP64 hides it), its float block partials
 *                  are not the CPU's: then every rank reduces its own
 *                  elements (forms its own partial product) and the ranks'
 *                  results are combined pairwise in rank order, identically
 *                  on every rank, and the last bits depend on the split
 *                  (with one rank they equal hpk.h's functions bitwise).
 *
 * Timing.      hpk_mpi_last_times() splits the calling thread's last call
 *              into time spent inside MPI and time spent elsewhere.
 */
#ifndef HPK_HPK_MPI_H
#define HPK_HPK_MPI_H

#include <mpi.h>

#include "hpk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

/* The split of n elements over the ranks of comm at the block boundaries of
 * the reductions' canonical order (hpk.h, "Reproducibility": blocks of 4096
 * elements), balanced in blocks: with B = ceil(n / 4096) blocks, rank r
 * gets the blocks [b_r, b_r + B / P + (r < B % P)), b_r = r * (B / P) +
 * min(r, B % P), so *first = min(n, 4096 b_r) and *count its elements
 * (the last block is shorter; ranks past the last block get 0).  Reductions
 * are bitwise the single-process result on any split; on this one (or any
 * in which every rank but the last one holding elements holds a multiple
 * of 4096) no block straddles two ranks, so no elements move between
 * ranks.  Not collective; uses MPI_Comm_rank and MPI_Comm_size only.
 *   HPK_ERR_INVALID_ARG  n < 0, first or count NULL, comm == MPI_COMM_NULL.
 *   HPK_ERR_MPI          MPI is not initialised, or is finalised.
 * Errors are recorded in the default context (hpk_ctx_error_message(NULL)). */
HPK_API hpk_status hpk_mpi_block_range(MPI_Comm comm, int64_t n, int64_t *first, int64_t *count);

/* Wall-clock time of the calling thread's most recent hpk_mpi_* call (other
 * than the helpers): total_s in all, comm_s inside MPI calls (communication,
 * and waiting for the other ranks to get there), compute_s the rest (local
 * kernels, checks, combining partial results).  All zero before any call. */
typedef struct hpk_mpi_times {
    double total_s, compute_s, comm_s;
} hpk_mpi_times;

HPK_API hpk_mpi_times hpk_mpi_last_times(void);

/* ---------------------------------------------------------------------------
 * GEMV over row blocks: y := alpha * A * x + beta * y
 * ---------------------------------------------------------------------------
 * A is an M x n matrix, row-major, split by rows: rank r holds rows
 * [M_0 + ... + M_{r-1}, ... + M_r) as its own row-major m_local x n block
 * `a` with leading dimension lda >= max(1, n).  Every rank holds the whole
 * x (n elements, increment incx).  M = sum of m_local over the ranks.
 *
 * hpk_mpi_y says where y lives:
 *   HPK_MPI_Y_LOCAL     y is the rank's own block: m_local elements.  Each
 *                       rank computes its block; no communication follows the
 *                       argument check.
 *   HPK_MPI_Y_GATHERED  y is the whole vector, M elements, on every rank.
 *                       Each rank computes its block from its own copy of
 *                       that block (beta * y reads only those elements of y)
 *                       and the blocks are then gathered (MPI_Allgatherv)
 *                       into every rank's y, overwriting all M elements.
 *                       M must fit in an int (the counts of MPI_Allgatherv).
 *
 * Every y element is computed exactly as hpk_dgemv computes it (row-major,
 * HPK_NO_TRANS) on the whole matrix: bitwise the same, for any split.
 *
 * Must agree on every rank (else HPK_ERR_MPI): n and ydist; with
 * HPK_MPI_Y_GATHERED also alpha and beta.  m_local, lda, incx and incy are
 * the rank's own.
 *
 * Edge cases follow hpk_dgemv, taken globally: n == 0, M == 0, or alpha == 0
 * with beta == 1 leaves y untouched on every rank; alpha == 0 reads neither A
 * nor x; beta == 0 writes y without reading it.  A rank with m_local == 0 may
 * pass a == NULL (and, with HPK_MPI_Y_LOCAL, y == NULL).
 *
 * Errors: those of hpk_dgemv for the rank's block (a, lda, x, incx, incy,
 * m_local < 0, n < 0), a ydist that is not an hpk_mpi_y value, with
 * HPK_MPI_Y_GATHERED a y that is NULL or too long for int64_t addressing with
 * M elements (HPK_ERR_INVALID_ARG) or M > INT_MAX (HPK_ERR_UNSUPPORTED); and
 * the disagreements above.
 *
 * The exception to "failures write nothing": with HPK_MPI_Y_LOCAL, the local
 * product runs after the collective check and is not followed by one, so if
 * it fails on one rank (HPK_ERR_ALLOC, a device error) that rank alone
 * reports it, and the other ranks have already written their blocks. */
typedef enum hpk_mpi_y {
    HPK_MPI_Y_LOCAL = 0,
    HPK_MPI_Y_GATHERED = 1
} hpk_mpi_y;

HPK_API hpk_status hpk_mpi_dgemv(hpk_ctx *ctx, MPI_Comm comm, hpk_mpi_y ydist, int64_t m_local, int64_t n,
                                 double alpha, const double *a, int64_t lda, const double *x, int64_t incx,
                                 double beta, double *y, int64_t incy);
HPK_API hpk_status hpk_mpi_sgemv(hpk_ctx *ctx, MPI_Comm comm, hpk_mpi_y ydist, int64_t m_local, int64_t n,
                                 float alpha, const float *a, int64_t lda, const float *x, int64_t incx,
                                 float beta, float *y, int64_t incy);

/* ---------------------------------------------------------------------------
 * Transposed GEMV over row blocks: y := alpha * A^T * x + beta * y
 * ---------------------------------------------------------------------------
 * A is M x n, row-major, split by rows as for hpk_mpi_dgemv — equivalently,
 * A^T (n x M) is split by columns.  x is distributed like A's rows: rank r
 * holds the m_local elements of x that meet its rows (increment incx).  y
 * (n elements, increment incy) is whole on every rank, and every rank's y is
 * updated.
 *
 * Each rank computes the subtrees of hpk.h's tree of row
 * runs that lie in its rows (a run that straddles ranks is carried from
 * rank to rank: "Reproducibility" above), n elements each; every rank sums
 * one contiguous slice of the elements over all ranks' subtrees in the
 * tree's shape (MPI_Alltoallv), and the sums are gathered on every rank
 * (MPI_Allgatherv); then y_i := alpha * t_i + beta * y_i (alpha * t_i when
 * beta == 0) with the rank's own y: bitwise hpk_?gemv on the whole matrix.
 * When some rank's device lacks fp64 ("Reproducibility" above), each rank
 * forms t_r = A_r^T x_r instead and the partials are summed in rank order,
 * pairwise, in double (sgemv_t rounds each sum to float once).
 *
 * Must agree on every rank (else HPK_ERR_MPI): n, alpha, beta.
 * Edge cases, globally: n == 0, M == 0, or alpha == 0 with beta == 1 leaves
 * y untouched; alpha == 0 gives y := beta * y without communication.
 * Errors: those of hpk_dgemv (row-major, HPK_TRANS) for the rank's block,
 * and n > INT_MAX (HPK_ERR_UNSUPPORTED). */
HPK_API hpk_status hpk_mpi_dgemv_t(hpk_ctx *ctx, MPI_Comm comm, int64_t m_local, int64_t n, double alpha,
                                   const double *a, int64_t lda, const double *x, int64_t incx,
                                   double beta, double *y, int64_t incy);
HPK_API hpk_status hpk_mpi_sgemv_t(hpk_ctx *ctx, MPI_Comm comm, int64_t m_local, int64_t n, float alpha,
                                   const float *a, int64_t lda, const float *x, int64_t incx,
                                   float beta, float *y, int64_t incy);

/* ---------------------------------------------------------------------------
 * Reductions over distributed vectors
 * ---------------------------------------------------------------------------
 * x (and y, for dot) of N elements, split in contiguous blocks: rank r passes
 * its n_local elements (both x and y blocks have n_local elements).  Every
 * rank receives the result.  sum, asum, dot and nrm2 evaluate the canonical blocks of the whole vector, those that straddle
 * ranks on the rank holding their end, and join them in hpk.h's tree
 * ("Reproducibility" above): bitwise hpk.h's function on the whole vector,
 * on any split.  Otherwise (some rank's device lacks fp64: "Reproducibility"
 * above), and for i?amax always, each rank reduces its block with hpk.h's function, then
 * the P partials are exchanged (MPI_Allgather) and combined in rank order,
 * pairwise, identically on every rank:
 *   sum, asum, dot  the partials are added.
 *   nrm2            overflow- and underflow-safe: with s the largest partial
 *                   norm, s * sqrt(sum of (norm_r / s)^2).  A NaN anywhere
 *                   gives NaN, otherwise an Inf gives +Inf, as in hpk_dnrm2.
 *   i?amax          the global 0-based index of the first largest |x_i|:
 *                   (n_0 + ... + n_{r-1}) + the local index on rank r.  A
 *                   NaN beats every number and the first NaN wins; among
 *                   equal values the smallest global index wins — the rules
 *                   of hpk_idamax, over the whole vector.  -1 when N == 0.
 * There the float variants convert each rank's float result to double,
 * combine in double and round once.  N == 0 gives 0 (i?amax: -1).
 *
 * Errors: those of the hpk.h function for any rank's arguments (n_local < 0,
 * a zero increment, a NULL result, a NULL x/y with n_local > 0).  Nothing has
 * to agree across ranks. */
HPK_API hpk_status hpk_mpi_dsum(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                                double *result);
HPK_API hpk_status hpk_mpi_ssum(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                                float *result);
HPK_API hpk_status hpk_mpi_dasum(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                                 double *result);
HPK_API hpk_status hpk_mpi_sasum(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                                 float *result);
HPK_API hpk_status hpk_mpi_dnrm2(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                                 double *result);
HPK_API hpk_status hpk_mpi_snrm2(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                                 float *result);
HPK_API hpk_status hpk_mpi_ddot(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                                const double *y, int64_t incy, double *result);
HPK_API hpk_status hpk_mpi_sdot(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                                const float *y, int64_t incy, float *result);
HPK_API hpk_status hpk_mpi_idamax(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                                  int64_t *index);
HPK_API hpk_status hpk_mpi_isamax(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                                  int64_t *index);

/* ---------------------------------------------------------------------------
 * Monte Carlo across ranks
 * ---------------------------------------------------------------------------
 * The same estimates as hpk_mc_pi and hpk_mc_integrate (see hpk.h for the
 * sampling scheme), with the samples shared among the ranks: each rank
 * computes a contiguous range of sample indices — whole subtrees of the
 * fixed pairwise tree over blocks of samples that hpk.h's functions use —
 * with its context's threads; the subtrees' partial results are gathered on
 * every rank (MPI_Allgatherv of a few bytes each) and joined in the same
 * tree.  So the result is bitwise that of hpk_mc_pi / hpk_mc_integrate with
 * the same (samples, seed) — and for integration the same box and integrand —
 * on one process, for any number of ranks and threads, and every rank
 * receives it.
 *
 * Must agree on every rank (else HPK_ERR_MPI): samples and seed; for
 * integration also dim and the bounds (compared bit for bit through a 64-bit
 * hash).  f and user_data are each rank's own: f must compute the same
 * function on every rank, and is called only for that rank's samples (from
 * several threads at once on an OpenMP context).
 *
 * Errors: those of hpk_mc_pi / hpk_mc_integrate on any rank, and
 * HPK_ERR_UNSUPPORTED on a context that is not a CPU context (serial or
 * OpenMP). */
HPK_API hpk_status hpk_mpi_mc_pi(hpk_ctx *ctx, MPI_Comm comm, uint64_t samples, uint64_t seed,
                                 hpk_mc_result *result);
HPK_API hpk_status hpk_mpi_mc_integrate(hpk_ctx *ctx, MPI_Comm comm, hpk_integrand f, void *user_data,
                                        int dim, const double *lower, const double *upper, uint64_t samples,
                                        uint64_t seed, hpk_mc_result *result);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HPK_HPK_MPI_H */
