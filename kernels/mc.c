/* Monte Carlo pi and box integration: samples in fixed blocks of
 * HPK__MC_BLOCK, each sample's numbers drawn from Philox by its index, block
 * results combined by the runner's pairwise tree. */
#include "cpu_kernels.h"
#include "order.h"
#include "philox.h"
#include "mc_finish.h"
#include "runner.h"
#include "simd.h"

#include <math.h>

/* Work per sample, in vector-element units, for sizing the thread team: a
 * Philox draw costs about as much as streaming a few dozen elements, and a
 * caller's integrand is assumed to cost more. */
#define HPK__PI_SAMPLE_WORK 32.0
#define HPK__INTEGRAND_SAMPLE_WORK 256.0

static int64_t mc_blocks(uint64_t samples)
{
    return (int64_t)((samples - 1) / HPK__MC_BLOCK + 1);
}

static void block_range(uint64_t samples, int64_t block, uint64_t *begin, uint64_t *end)
{
    *begin = (uint64_t)block * HPK__MC_BLOCK;
    *end = samples - *begin < HPK__MC_BLOCK ? samples : *begin + HPK__MC_BLOCK;
}

/* ---- pi ------------------------------------------------------------------ */

typedef hpk__mc_job pi_job; /* samples and seed */

/* Philox4x32-10 for HPK__VD_N counters at once: the words of counter lane
 * l are lane l of c[0..3], kept in 64-bit lanes so that each 32 x 32 ->
 * 64-bit product is one vector multiply.  Bit for bit hpk__philox4x32_10. */
static inline __attribute__((always_inline)) void philox_lanes(hpk__vu c[4], uint32_t k0, uint32_t k1)
{
    const hpk__vu low = (hpk__vu){0} + 0xffffffffu, m0 = (hpk__vu){0} + HPK__PHILOX_M0;
    const hpk__vu m1 = (hpk__vu){0} + HPK__PHILOX_M1;
    for (int round = 0; round < 10; round++) {
        const hpk__vu p0 = hpk__vu_mul32(c[0], m0), p1 = hpk__vu_mul32(c[2], m1);
        c[0] = (p1 >> 32) ^ c[1] ^ k0;
        c[1] = p1 & low;
        c[2] = (p0 >> 32) ^ c[3] ^ k1;
        c[3] = p0 & low;
        k0 += HPK__PHILOX_W0;
        k1 += HPK__PHILOX_W1;
    }
}

/* Hits among HPK__VD_N samples starting at i: the counters' words (0, 1)
 * tested exactly as hpk__pi_hit does, as lane masks (-1 per hit). */
static inline __attribute__((always_inline)) hpk__vu pi_hits(uint64_t seed, uint64_t i)
{
    hpk__vu index = {0};
    for (int l = 0; l < HPK__VD_N; l++)
        index[l] = i + (uint64_t)l;
    const hpk__vu zero = {0};
    hpk__vu c[4] = {index & 0xffffffffu, index >> 32, zero, zero};
    philox_lanes(c, (uint32_t)seed, (uint32_t)(seed >> 32));
    const hpk__vu s = hpk__vu_mul32(c[0], c[0]), t = hpk__vu_mul32(c[1], c[1]);
    return (hpk__vu)(s + t >= s);
}

/* Samples per step: several vectors of counters in flight, so that the
 * multiplies' latency overlaps, as many as the registers hold (four words
 * each, and the keys and constants beside them). */
#define PI_STEP (HPK__VD_N * (HPK__VREGS >= 32 ? 4 : 2))

static void pi_leaf(const void *job_, int64_t block, void *node, void *scratch)
{
    (void)scratch;
    const pi_job *job = job_;
    uint64_t begin, end, i, hits = 0;
    block_range(job->samples, block, &begin, &end);
    hpk__vu hit_lanes = {0};
    for (i = begin; end - i >= PI_STEP; i += PI_STEP) /* i + PI_STEP could wrap near UINT64_MAX */
        HPK__EACH(q, PI_STEP / HPK__VD_N) hit_lanes -= pi_hits(job->seed, i + (uint64_t)(q * HPK__VD_N));
    for (int l = 0; l < HPK__VD_N; l++)
        hits += hit_lanes[l];
    for (; i < end; i++) {
        const hpk__philox4 r = hpk__philox_sample(job->seed, i, 0);
        hits += (uint64_t)hpk__pi_hit(r.v[0], r.v[1]);
    }
    *(uint64_t *)node = hits;
}

static void count_combine(const void *job, void *left, const void *right)
{
    (void)job;
    *(uint64_t *)left += *(const uint64_t *)right;
}

static hpk__tree pi_tree(const pi_job *job)
{
    return (hpk__tree){
        .nblocks = mc_blocks(job->samples),
        .block_work = HPK__MC_BLOCK * HPK__PI_SAMPLE_WORK,
        .node_size = sizeof(uint64_t),
        .job = job,
        .leaf = pi_leaf,
        .combine = count_combine,
    };
}

static void pi_finish(uint64_t samples, uint64_t hits, hpk_mc_result *result)
{
    hpk__mc_pi_result(samples, hits, result);
}

hpk_status HPK__CPU(mc_pi)(hpk_ctx *ctx, uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    const pi_job job = {.samples = samples, .seed = seed};
    const hpk__tree tree = pi_tree(&job);
    uint64_t hits;
    hpk_status st = ctx->ops->runner->tree(ctx, &tree, &hits);
    if (st != HPK_SUCCESS)
        return st;
    pi_finish(samples, hits, result);
    return HPK_SUCCESS;
}

/* ---- integration over a box ---------------------------------------------- */

typedef hpk__mc_job integrate_job;

typedef hpk__moments moments;

/* Coordinate d of sample i: the (d % 2)-th pair of words of counter d / 2. */
static void sample_point(const integrate_job *job, uint64_t i, double *point)
{
    for (int d = 0; d < job->dim; d += 2) {
        const hpk__philox4 r = hpk__philox_sample(job->seed, i, (uint32_t)(d / 2));
        for (int k = 0; k < 2 && d + k < job->dim; k++) {
            const double u = hpk__u01_53(r.v[2 * k], r.v[2 * k + 1]);
            point[d + k] = job->lower[d + k] + (job->upper[d + k] - job->lower[d + k]) * u;
        }
    }
}

/* Sums shifted by the block's first value keep the variance accurate when the
 * mean is large against the spread. */
static void integrate_leaf(const void *job_, int64_t block, void *node, void *scratch)
{
    const integrate_job *job = job_;
    double *point = scratch;
    uint64_t begin, end;
    block_range(job->samples, block, &begin, &end);
    double shift = 0.0, s1 = 0.0, s2 = 0.0;
    for (uint64_t i = begin; i < end; i++) {
        sample_point(job, i, point);
        const double v = job->f(point, job->dim, job->user_data);
        if (i == begin)
            shift = v;
        const double d = v - shift;
        s1 += d;
        s2 += d * d;
    }
    const double count = (double)(end - begin);
    moments *out = node;
    out->count = count;
    out->mean = shift + s1 / count;
    out->m2 = s2 - s1 * s1 / count;
}

static void moments_combine(const void *job, void *left, const void *right)
{
    (void)job;
    hpk__moments_merge(left, right);
}

static hpk__tree integrate_tree(const integrate_job *job)
{
    return (hpk__tree){
        .nblocks = mc_blocks(job->samples),
        .block_work = HPK__MC_BLOCK * HPK__INTEGRAND_SAMPLE_WORK * job->dim,
        .node_size = sizeof(moments),
        .scratch_size = (size_t)job->dim * sizeof(double),
        .job = job,
        .leaf = integrate_leaf,
        .combine = moments_combine,
    };
}

static void integrate_finish(const integrate_job *job, const moments *total, hpk_mc_result *result)
{
    hpk__mc_integrate_result(job->dim, job->lower, job->upper, job->samples, total, result);
}

hpk_status HPK__CPU(mc_integrate)(hpk_ctx *ctx, hpk_integrand f, void *user_data, int dim,
                                  const double *lower, const double *upper,
                                  uint64_t samples, uint64_t seed, hpk_mc_result *result)
{
    const integrate_job job = {f, user_data, dim, lower, upper, samples, seed};
    const hpk__tree tree = integrate_tree(&job);
    moments total;
    hpk_status st = ctx->ops->runner->tree(ctx, &tree, &total);
    if (st != HPK_SUCCESS)
        return st;
    integrate_finish(&job, &total, result);
    return HPK_SUCCESS;
}

/* ---- the two halves, for callers that evaluate the tree in pieces -------- */

void HPK__CPU(mc_tree)(const hpk__mc_job *job, hpk__tree *tree)
{
    *tree = job->f ? integrate_tree(job) : pi_tree(job);
}

void HPK__CPU(mc_finish)(const hpk__mc_job *job, const void *root, hpk_mc_result *result)
{
    if (job->f)
        integrate_finish(job, root, result);
    else
        pi_finish(job->samples, *(const uint64_t *)root, result);
}
