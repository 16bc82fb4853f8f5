/* Reductions (sum, asum, dot, nrm2, i?amax): fixed blocks of HPK__REDUCE_BLOCK
 * logical elements, each summed in HPK__LANES independent lanes, the blocks
 * combined pairwise by the runner's tree.  float data is converted to double
 * as it is loaded, so the s variants share every line with the d ones. */
#include "cpu_kernels.h"
#include "cpu_path.h"
#include "runner.h"
#include "vec.h"

#include <float.h>
#include <math.h>

#define HPK__REDUCE_BLOCK 4096 /* 32 KiB of doubles: one block stays in L1 */

typedef enum reduce_op { OP_SUM, OP_ASUM, OP_DOT, OP_NRM2 } reduce_op;

typedef struct reduce_job {
    hpk__vec x, y;
    int64_t n;
} reduce_job;

/* Partial sums; nrm2 keeps Blue's three accumulators (small, medium, big). */
typedef struct reduce_node {
    double s[3];
} reduce_node;

/* Blue's scaling constants for double (Anderson, "Algorithm 978", 2017; the
 * LAPACK 3.10 ?nrm2): squares of numbers in [tsml, tbig] neither overflow nor
 * underflow; smaller ones are scaled up by ssml, bigger ones down by sbig. */
static const double blue_tsml = 0x1p-511, blue_tbig = 0x1p+486;
static const double blue_ssml = 0x1p+537, blue_sbig = 0x1p-538;

static inline int64_t block_length(int64_t n, int64_t block)
{
    const int64_t rest = n - block * HPK__REDUCE_BLOCK;
    return rest < HPK__REDUCE_BLOCK ? rest : HPK__REDUCE_BLOCK;
}

static inline __attribute__((always_inline)) void
reduce_leaf(reduce_op op, const reduce_job *job, int64_t block, reduce_node *out)
{
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    double acc[3][HPK__LANES] = {{0}};
    double xbuf[HPK__LANES], ybuf[HPK__LANES];
    for (int64_t k = 0; k < len; k += HPK__LANES) {
        const int64_t count = len - k < HPK__LANES ? len - k : HPK__LANES;
        const double *cx = hpk__vec_chunk(&job->x, first + k, count, xbuf);
        const double *cy = op == OP_DOT ? hpk__vec_chunk(&job->y, first + k, count, ybuf) : cx;
        for (int l = 0; l < HPK__LANES; l++) {
            const double v = cx[l];
            if (op == OP_SUM) {
                acc[0][l] += v;
            } else if (op == OP_ASUM) {
                acc[0][l] += fabs(v);
            } else if (op == OP_DOT) {
                acc[0][l] += v * cy[l];
            } else {
                /* Branch-free: each |v| goes to exactly one accumulator; a NaN
                 * fails both range tests and lands in the medium one. */
                const double av = fabs(v);
                const double sml = av < blue_tsml ? av * blue_ssml : 0.0;
                const double big = av > blue_tbig ? av * blue_sbig : 0.0;
                const double med = (av < blue_tsml || av > blue_tbig) ? 0.0 : av;
                acc[0][l] += sml * sml;
                acc[1][l] += med * med;
                acc[2][l] += big * big;
            }
        }
    }
    for (int s = 0; s < 3; s++)
        out->s[s] = s == 0 || op == OP_NRM2 ? hpk__lanes_total(acc[s]) : 0.0;
}

HPK__CLONES static void sum_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaf(OP_SUM, job, b, node);
}

HPK__CLONES static void asum_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaf(OP_ASUM, job, b, node);
}

HPK__CLONES static void dot_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaf(OP_DOT, job, b, node);
}

HPK__CLONES static void nrm2_leaf(const void *job, int64_t b, void *node, void *scratch)
{
    (void)scratch;
    reduce_leaf(OP_NRM2, job, b, node);
}

static void reduce_combine(const void *job, void *left, const void *right)
{
    (void)job;
    reduce_node *l = left;
    const reduce_node *r = right;
    for (int s = 0; s < 3; s++)
        l->s[s] += r->s[s];
}

/* sqrt of Blue's three accumulators, as LAPACK 3.10 finishes ?nrm2. */
static double nrm2_finish(const reduce_node *node)
{
    double asml = node->s[0], amed = node->s[1], abig = node->s[2];
    if (abig > 0.0) {
        if (amed > 0.0 || isnan(amed))
            abig += (amed * blue_sbig) * blue_sbig;
        return sqrt(abig) / blue_sbig;
    }
    if (asml > 0.0) {
        if (amed > 0.0 || isnan(amed)) {
            amed = sqrt(amed);
            asml = sqrt(asml) / blue_ssml;
            const double ymin = asml > amed ? amed : asml, ymax = asml > amed ? asml : amed;
            const double ratio = ymin / ymax;
            return sqrt(ymax * ymax * (1.0 + ratio * ratio));
        }
        return sqrt(asml) / blue_ssml;
    }
    return sqrt(amed);
}

static hpk_status run_reduction(hpk_ctx *ctx, reduce_op op, int64_t n, hpk__vec x, hpk__vec y, double *result)
{
    static void (*const leaves[])(const void *, int64_t, void *, void *) = {
        [OP_SUM] = sum_leaf, [OP_ASUM] = asum_leaf, [OP_DOT] = dot_leaf, [OP_NRM2] = nrm2_leaf};
    const reduce_job job = {x, y, n};
    const hpk__tree tree = {
        .nblocks = (n + HPK__REDUCE_BLOCK - 1) / HPK__REDUCE_BLOCK,
        .node_size = sizeof(reduce_node),
        .job = &job,
        .leaf = leaves[op],
        .combine = reduce_combine,
    };
    reduce_node root;
    hpk_status st = ctx->ops->runner->tree(ctx, &tree, &root);
    if (st == HPK_SUCCESS)
        *result = op == OP_NRM2 ? nrm2_finish(&root) : root.s[0];
    return st;
}

static hpk_status reduce_d(hpk_ctx *ctx, reduce_op op, int64_t n, const double *x, int64_t incx,
                           const double *y, int64_t incy, double *result)
{
    const hpk__vec vy = y ? hpk__vec_make(y, n, incy, false) : (hpk__vec){0};
    return run_reduction(ctx, op, n, hpk__vec_make(x, n, incx, false), vy, result);
}

static hpk_status reduce_s(hpk_ctx *ctx, reduce_op op, int64_t n, const float *x, int64_t incx,
                           const float *y, int64_t incy, float *result)
{
    const hpk__vec vy = y ? hpk__vec_make(y, n, incy, true) : (hpk__vec){0};
    double r;
    hpk_status st = run_reduction(ctx, op, n, hpk__vec_make(x, n, incx, true), vy, &r);
    if (st == HPK_SUCCESS)
        *result = (float)r;
    return st;
}

hpk_status hpk__cpu_dsum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduce_d(ctx, OP_SUM, n, x, incx, NULL, 0, result);
}

hpk_status hpk__cpu_ssum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduce_s(ctx, OP_SUM, n, x, incx, NULL, 0, result);
}

hpk_status hpk__cpu_dasum(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduce_d(ctx, OP_ASUM, n, x, incx, NULL, 0, result);
}

hpk_status hpk__cpu_sasum(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduce_s(ctx, OP_ASUM, n, x, incx, NULL, 0, result);
}

hpk_status hpk__cpu_dnrm2(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, double *result)
{
    return reduce_d(ctx, OP_NRM2, n, x, incx, NULL, 0, result);
}

hpk_status hpk__cpu_snrm2(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, float *result)
{
    return reduce_s(ctx, OP_NRM2, n, x, incx, NULL, 0, result);
}

hpk_status hpk__cpu_ddot(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx,
                         const double *y, int64_t incy, double *result)
{
    return reduce_d(ctx, OP_DOT, n, x, incx, y, incy, result);
}

hpk_status hpk__cpu_sdot(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx,
                         const float *y, int64_t incy, float *result)
{
    return reduce_s(ctx, OP_DOT, n, x, incx, y, incy, result);
}

/* ---- i?amax: the first largest |x_i|, a NaN beating every number ---------- */

typedef struct amax_node {
    int64_t index;
    double value; /* |x_index|, or NaN */
} amax_node;

/* Per block: the lanes' maxima and a NaN flag in one vectorizable pass, then
 * a scan of the (L1-resident) block for the first element that attains it. */
HPK__CLONES static void amax_leaf(const void *job_, int64_t block, void *node, void *scratch)
{
    (void)scratch;
    const reduce_job *job = job_;
    const int64_t first = block * HPK__REDUCE_BLOCK, len = block_length(job->n, block);
    double best[HPK__LANES], buf[HPK__LANES];
    int nan_seen = 0;
    for (int l = 0; l < HPK__LANES; l++)
        best[l] = -1.0;
    for (int64_t k = 0; k < len; k += HPK__LANES) {
        const int64_t count = len - k < HPK__LANES ? len - k : HPK__LANES;
        const double *c = hpk__vec_chunk(&job->x, first + k, count, buf);
        for (int l = 0; l < HPK__LANES; l++) {
            const double av = fabs(c[l]);
            nan_seen |= av != av;
            best[l] = av > best[l] ? av : best[l];
        }
    }
    double top = best[0];
    for (int l = 1; l < HPK__LANES; l++)
        top = best[l] > top ? best[l] : top;
    amax_node *out = node;
    for (int64_t i = 0; i < len; i++) {
        const double av = fabs(hpk__vec_at(&job->x, first + i));
        if (nan_seen ? isnan(av) : av == top) {
            out->index = first + i;
            out->value = av;
            return;
        }
    }
}

static void amax_combine(const void *job, void *left, const void *right)
{
    (void)job;
    amax_node *l = left;
    const amax_node *r = right;
    if (isnan(l->value))
        return;
    if (isnan(r->value) || r->value > l->value)
        *l = *r;
}

static hpk_status run_amax(hpk_ctx *ctx, int64_t n, hpk__vec x, int64_t *index)
{
    const reduce_job job = {x, {0}, n};
    const hpk__tree tree = {
        .nblocks = (n + HPK__REDUCE_BLOCK - 1) / HPK__REDUCE_BLOCK,
        .node_size = sizeof(amax_node),
        .job = &job,
        .leaf = amax_leaf,
        .combine = amax_combine,
    };
    amax_node root;
    hpk_status st = ctx->ops->runner->tree(ctx, &tree, &root);
    if (st == HPK_SUCCESS)
        *index = root.index;
    return st;
}

hpk_status hpk__cpu_idamax(hpk_ctx *ctx, int64_t n, const double *x, int64_t incx, int64_t *index)
{
    return run_amax(ctx, n, hpk__vec_make(x, n, incx, false), index);
}

hpk_status hpk__cpu_isamax(hpk_ctx *ctx, int64_t n, const float *x, int64_t incx, int64_t *index)
{
    return run_amax(ctx, n, hpk__vec_make(x, n, incx, true), index);
}
