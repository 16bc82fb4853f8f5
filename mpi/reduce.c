/* Distributed reductions: each rank reduces its block with hpk.h's function,
 * the partials are gathered on every rank and combined in rank order by the
 * same pairwise tree hpk uses for blocks. */
#include "check.h"
#include "mpi_internal.h"
#include "reduce_finish.h"
#include "runner.h"

#include <math.h>
#include <stdlib.h>

typedef enum dist_op { OP_SUM, OP_ASUM, OP_DOT, OP_NRM2, OP_AMAX } dist_op;

typedef struct reduce_args {
    dist_op op;
    bool single;
    int64_t n;
    const void *x, *y;
    int64_t incx, incy;
    void *result; /* double, float or int64_t */
} reduce_args;

/* Each rank's record: status, local length, partial result, local index. */
enum { F_STATUS, F_N, F_VALUE, F_INDEX, RECORD_LEN };

/* ---- the local partial ----------------------------------------------------- */

static hpk_status local_value(hpk_ctx *ctx, const reduce_args *a, double *value)
{
    const int64_t n = a->n;
    hpk_status st;
    if (a->single) {
        float v = 0.0f;
        switch (a->op) {
        case OP_SUM: st = hpk_ssum(ctx, n, a->x, a->incx, &v); break;
        case OP_ASUM: st = hpk_sasum(ctx, n, a->x, a->incx, &v); break;
        case OP_DOT: st = hpk_sdot(ctx, n, a->x, a->incx, a->y, a->incy, &v); break;
        case OP_NRM2: st = hpk_snrm2(ctx, n, a->x, a->incx, &v); break;
        default: st = HPK_ERR_INVALID_ARG; break;
        }
        *value = v;
        return st;
    }
    switch (a->op) {
    case OP_SUM: return hpk_dsum(ctx, n, a->x, a->incx, value);
    case OP_ASUM: return hpk_dasum(ctx, n, a->x, a->incx, value);
    case OP_DOT: return hpk_ddot(ctx, n, a->x, a->incx, a->y, a->incy, value);
    case OP_NRM2: return hpk_dnrm2(ctx, n, a->x, a->incx, value);
    default: return HPK_ERR_INVALID_ARG;
    }
}

/* i?amax: the local index and |x| there (-1 and -1 for an empty block). */
static hpk_status local_amax(hpk_ctx *ctx, const reduce_args *a, int64_t *index, double *value)
{
    const hpk_status st = a->single ? hpk_isamax(ctx, a->n, a->x, a->incx, index)
                                    : hpk_idamax(ctx, a->n, a->x, a->incx, index);
    *value = -1.0;
    if (st == HPK_SUCCESS && *index >= 0) {
        const int64_t at = a->incx > 0 ? *index * a->incx : (a->n - 1 - *index) * -a->incx;
        *value = a->single ? fabs((double)((const float *)a->x)[at]) : fabs(((const double *)a->x)[at]);
    }
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

/* As within one process (kernels/reduce_finish.h). */
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

/* ---- the common body -------------------------------------------------------- */

static hpk_status check_local(hpk_ctx *ctx, const char *fn, const reduce_args *a)
{
    const size_t elem = a->single ? sizeof(float) : sizeof(double);
    hpk_status st = hpk__check_vector(ctx, fn, "x", a->n, a->x, a->incx, elem);
    if (st == HPK_SUCCESS && a->op == OP_DOT)
        st = hpk__check_vector(ctx, fn, "y", a->n, a->y, a->incy, elem);
    if (st == HPK_SUCCESS)
        st = hpk__check_result(ctx, fn, a->op == OP_AMAX ? "index" : "result", a->result);
    return st;
}

static hpk_status reduce(hpk_ctx *ctx, MPI_Comm comm, const char *fn, const reduce_args *a)
{
    hpk__mpi_call c;
    hpk_status st = hpk__mpi_begin(&c, ctx, fn, comm);
    if (st != HPK_SUCCESS)
        return hpk__mpi_end(&c, st);

    int64_t record[RECORD_LEN] = {0, a->n, 0, -1};
    double value = 0.0;
    int64_t index = -1;
    hpk_status local = check_local(c.ctx, fn, a);
    if (local == HPK_SUCCESS)
        local = a->op == OP_AMAX ? local_amax(c.ctx, a, &index, &value) : local_value(c.ctx, a, &value);
    record[F_VALUE] = hpk__mpi_bits_d(value);
    record[F_INDEX] = index;

    int64_t *all = malloc((size_t)c.size * (RECORD_LEN + 1) * sizeof *all);
    if (!all)
        return hpk__mpi_end(&c, hpk__mpi_no_memory(&c, (size_t)c.size * (RECORD_LEN + 1) * sizeof *all));
    int64_t *first = all + (size_t)c.size * RECORD_LEN;
    if ((st = hpk__mpi_exchange(&c, local, record, RECORD_LEN, all)) != HPK_SUCCESS)
        goto done;

    int64_t total = 0;
    for (int r = 0; r < c.size; r++) {
        first[r] = total;
        if (__builtin_add_overflow(total, all[(size_t)r * RECORD_LEN + F_N], &total)) {
            st = hpk__mpi_fail(&c, HPK_ERR_INVALID_ARG, "the blocks' lengths add up to more than int64_t holds");
            goto done;
        }
    }

    combine_job j = {all, first, 0.0};
    if (a->op == OP_AMAX) {
        amax_node root;
        combine_ranks(&j, c.size, sizeof root, amax_leaf, amax_combine, &root);
        *(int64_t *)a->result = root.index;
    } else {
        double r;
        if (a->op == OP_NRM2)
            r = combine_nrm2(&j, c.size);
        else
            combine_ranks(&j, c.size, sizeof r, sum_leaf, add, &r);
        if (a->single)
            *(float *)a->result = (float)r;
        else
            *(double *)a->result = r;
    }
done:
    free(all);
    return hpk__mpi_end(&c, st);
}

/* ---- entry points ----------------------------------------------------------- */

hpk_status hpk_mpi_dsum(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                        double *result)
{
    const reduce_args a = {OP_SUM, false, n_local, x, NULL, incx, 0, result};
    return reduce(ctx, comm, "hpk_mpi_dsum", &a);
}

hpk_status hpk_mpi_ssum(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                        float *result)
{
    const reduce_args a = {OP_SUM, true, n_local, x, NULL, incx, 0, result};
    return reduce(ctx, comm, "hpk_mpi_ssum", &a);
}

hpk_status hpk_mpi_dasum(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                         double *result)
{
    const reduce_args a = {OP_ASUM, false, n_local, x, NULL, incx, 0, result};
    return reduce(ctx, comm, "hpk_mpi_dasum", &a);
}

hpk_status hpk_mpi_sasum(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                         float *result)
{
    const reduce_args a = {OP_ASUM, true, n_local, x, NULL, incx, 0, result};
    return reduce(ctx, comm, "hpk_mpi_sasum", &a);
}

hpk_status hpk_mpi_dnrm2(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                         double *result)
{
    const reduce_args a = {OP_NRM2, false, n_local, x, NULL, incx, 0, result};
    return reduce(ctx, comm, "hpk_mpi_dnrm2", &a);
}

hpk_status hpk_mpi_snrm2(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                         float *result)
{
    const reduce_args a = {OP_NRM2, true, n_local, x, NULL, incx, 0, result};
    return reduce(ctx, comm, "hpk_mpi_snrm2", &a);
}

hpk_status hpk_mpi_ddot(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                        const double *y, int64_t incy, double *result)
{
    const reduce_args a = {OP_DOT, false, n_local, x, y, incx, incy, result};
    return reduce(ctx, comm, "hpk_mpi_ddot", &a);
}

hpk_status hpk_mpi_sdot(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                        const float *y, int64_t incy, float *result)
{
    const reduce_args a = {OP_DOT, true, n_local, x, y, incx, incy, result};
    return reduce(ctx, comm, "hpk_mpi_sdot", &a);
}

hpk_status hpk_mpi_idamax(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const double *x, int64_t incx,
                          int64_t *index)
{
    const reduce_args a = {OP_AMAX, false, n_local, x, NULL, incx, 0, index};
    return reduce(ctx, comm, "hpk_mpi_idamax", &a);
}

hpk_status hpk_mpi_isamax(hpk_ctx *ctx, MPI_Comm comm, int64_t n_local, const float *x, int64_t incx,
                          int64_t *index)
{
    const reduce_args a = {OP_AMAX, true, n_local, x, NULL, incx, 0, index};
    return reduce(ctx, comm, "hpk_mpi_isamax", &a);
}
