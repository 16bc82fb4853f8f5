/* hpk_cl.h's batches on device buffers: every problem bitwise hpk.h's
 * batched call on the serial backend (which test_batched.c holds to the
 * single calls), with strides that leave gaps, are 0 (one operand for all)
 * or negative, negative increments and offsets; the elements between
 * problems untouched; and the batches' bad input, with nothing written. */
#define _POSIX_C_SOURCE 200809L /* setenv (cl_test.h) */

#include "cl_test.h"

#include <inttypes.h>

static hpk_ctx *serial(void)
{
    hpk_ctx *ctx = NULL;
    if (hpk_ctx_create(&ctx, HPK_BACKEND_SERIAL) != HPK_SUCCESS)
        fail_msg("hpk_ctx_create(serial): %s", hpk_ctx_error_message(NULL));
    return ctx;
}

/* Full-mantissa data over a few binades, either precision. */
static void *random_data(size_t count, bool single)
{
    void *p = test_alloc((count ? count : 1) * elem_size(single));
    if (single)
        test_fill_wide_s(p, count, -6, 6);
    else
        test_fill_wide_d(p, count, -6, 6);
    return p;
}

static void *copy_of(const void *p, size_t bytes)
{
    void *q = test_alloc(bytes ? bytes : 1);
    memcpy(q, p, bytes);
    return q;
}

/* Where problem 0 starts for a stride: at 0, or far enough in for a
 * negative stride to keep the last problem inside. */
static int64_t first_at(int64_t stride, int64_t batch)
{
    return stride < 0 ? -stride * (batch - 1) : 0;
}

static int64_t extent(int64_t stride, int64_t batch, int64_t span)
{
    return (stride < 0 ? -stride : stride) * (batch - 1) + span;
}

/* ---- GEMV ------------------------------------------------------------------ */

typedef struct gemv_case {
    hpk_layout layout;
    hpk_transpose trans;
    int64_t m, n, batch, incx, incy;
    int64_t gap_a, gap_y; /* extra elements between problems; gap_a < 0: A shared (stride 0) */
    bool x_backwards;     /* stride_x negative */
    double alpha, beta;
} gemv_case;

static void gemv_once(hpk_ctx *ctx, hpk_ctx *ref, bool single, const gemv_case *c)
{
    const bool row = c->layout == HPK_ROW_MAJOR, nt = c->trans == HPK_NO_TRANS;
    const int64_t len = row ? c->n : c->m, vecs = row ? c->m : c->n, lda = len + 2;
    const int64_t xlen = nt ? c->n : c->m, ylen = nt ? c->m : c->n;
    const int64_t span_a = (vecs - 1) * lda + len, span_x = (xlen - 1) * llabs(c->incx) + 1;
    const int64_t span_y = (ylen - 1) * llabs(c->incy) + 1;
    const int64_t sa = c->gap_a < 0 ? 0 : span_a + c->gap_a, sx = c->x_backwards ? -(span_x + 1) : span_x;
    const int64_t sy = span_y + c->gap_y;
    const int64_t oa = 1 + first_at(sa, c->batch), ox = 2 + first_at(sx, c->batch), oy = 3;
    const size_t na = (size_t)(oa + extent(sa, c->batch, span_a)), nx = (size_t)(ox + extent(sx, c->batch, span_x));
    const size_t ny = (size_t)(oy + extent(sy, c->batch, span_y) + 2), es = elem_size(single);
    void *a = random_data(na, single), *x = random_data(nx, single), *y = random_data(ny, single);
    void *want = copy_of(y, ny * es), *got = test_alloc(ny * es);
    cl_mem da = buffer(ctx, na * es, a), dx = buffer(ctx, nx * es, x), dy = buffer(ctx, ny * es, y);
    char what[200];
    snprintf(what, sizeof what, "%cgemv %s %s m %" PRId64 " n %" PRId64 " batch %" PRId64 " incx %" PRId64
             " incy %" PRId64 " stride_a %" PRId64 " stride_x %" PRId64 " alpha %g beta %g",
             single ? 's' : 'd', row ? "row" : "col", nt ? "N" : "T", c->m, c->n, c->batch, c->incx, c->incy, sa, sx,
             c->alpha, c->beta);
    hpk_status st;
    if (single) {
        const float *ha = (const float *)a + oa, *hx = (const float *)x + ox;
        expect(hpk_sgemv_strided_batched(ref, c->layout, c->trans, c->m, c->n, (float)c->alpha, ha, lda, sa, hx,
                                         c->incx, sx, (float)c->beta, (float *)want + oy, c->incy, sy, c->batch),
               HPK_SUCCESS, ref, what);
        st = hpk_cl_sgemv_strided_batched(ctx, c->layout, c->trans, c->m, c->n, (float)c->alpha, da, (size_t)oa, lda,
                                          sa, dx, (size_t)ox, c->incx, sx, (float)c->beta, dy, (size_t)oy, c->incy,
                                          sy, c->batch);
    } else {
        const double *ha = (const double *)a + oa, *hx = (const double *)x + ox;
        expect(hpk_dgemv_strided_batched(ref, c->layout, c->trans, c->m, c->n, c->alpha, ha, lda, sa, hx, c->incx, sx,
                                         c->beta, (double *)want + oy, c->incy, sy, c->batch),
               HPK_SUCCESS, ref, what);
        st = hpk_cl_dgemv_strided_batched(ctx, c->layout, c->trans, c->m, c->n, c->alpha, da, (size_t)oa, lda, sa, dx,
                                          (size_t)ox, c->incx, sx, c->beta, dy, (size_t)oy, c->incy, sy, c->batch);
    }
    expect(st, HPK_SUCCESS, ctx, what);
    read_back(ctx, dy, ny * es, got); /* waits for the queue, and so for the kernels */
    if (memcmp(got, want, ny * es) != 0) {
        size_t i = 0;
        while (memcmp((char *)got + i * es, (char *)want + i * es, es) == 0)
            i++;
        fail_msg("%s: y buffer element %zu is %a, hpk.h's batch gives %a", what, i, get(got, i, single),
                 get(want, i, single));
    }
    clReleaseMemObject(da);
    clReleaseMemObject(dx);
    clReleaseMemObject(dy);
    free(a), free(x), free(y), free(want), free(got);
}

static void test_gemv(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0), *ref = serial();
    test_seed(41);
    const gemv_case cases[] = {
        {HPK_ROW_MAJOR, HPK_NO_TRANS, 3, 7, 5, 1, 1, 3, 2, false, 1.5, -0.5},
        {HPK_ROW_MAJOR, HPK_TRANS, 17, 5, 4, -2, 1, 0, 1, true, 1.0, 0.0},
        {HPK_COL_MAJOR, HPK_NO_TRANS, 100, 33, 3, 1, -1, -1, 0, false, -2.0, 1.0},
        {HPK_COL_MAJOR, HPK_TRANS, 9, 257, 2, 3, 2, 5, 3, true, 0.75, 0.25},
        {HPK_ROW_MAJOR, HPK_NO_TRANS, 300, 4100, 2, 1, 1, 0, 0, false, 1.0, 0.0}, /* several blocks per row */
        {HPK_ROW_MAJOR, HPK_TRANS, 600, 40, 3, -1, 1, 1, 1, false, 1.0, 0.0},     /* several runs of rows */
        {HPK_COL_MAJOR, HPK_NO_TRANS, 8, 8, 33, 1, 1, 0, 0, false, 0.0, 2.0},    /* alpha 0: y scaled */
        {HPK_ROW_MAJOR, HPK_NO_TRANS, 4, 4, 1, 1, 1, 0, 0, true, 1.0, 1.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int single = 0; single < 2; single++)
            gemv_once(ctx, ref, single, &cases[i]);
    hpk_ctx_destroy(ref);
    hpk_ctx_destroy(ctx);
}

/* ---- reductions ------------------------------------------------------------ */

typedef enum { SUM, ASUM, NRM2, DOT, AMAX } reduction;
static const char *const reduction_names[] = {"sum", "asum", "nrm2", "dot", "amax"};

static hpk_status host_batch(hpk_ctx *ref, reduction r, bool single, int64_t n, const void *x, int64_t incx,
                             int64_t sx, const void *y, int64_t incy, int64_t sy, void *out, int64_t batch)
{
    if (single)
        switch (r) {
        case SUM: return hpk_ssum_strided_batched(ref, n, x, incx, sx, out, batch);
        case ASUM: return hpk_sasum_strided_batched(ref, n, x, incx, sx, out, batch);
        case NRM2: return hpk_snrm2_strided_batched(ref, n, x, incx, sx, out, batch);
        case DOT: return hpk_sdot_strided_batched(ref, n, x, incx, sx, y, incy, sy, out, batch);
        default: return hpk_isamax_strided_batched(ref, n, x, incx, sx, out, batch);
        }
    switch (r) {
    case SUM: return hpk_dsum_strided_batched(ref, n, x, incx, sx, out, batch);
    case ASUM: return hpk_dasum_strided_batched(ref, n, x, incx, sx, out, batch);
    case NRM2: return hpk_dnrm2_strided_batched(ref, n, x, incx, sx, out, batch);
    case DOT: return hpk_ddot_strided_batched(ref, n, x, incx, sx, y, incy, sy, out, batch);
    default: return hpk_idamax_strided_batched(ref, n, x, incx, sx, out, batch);
    }
}

static hpk_status device_batch(hpk_ctx *ctx, reduction r, bool single, int64_t n, cl_mem x, size_t ox, int64_t incx,
                               int64_t sx, cl_mem y, size_t oy, int64_t incy, int64_t sy, void *out, int64_t batch)
{
    if (single)
        switch (r) {
        case SUM: return hpk_cl_ssum_strided_batched(ctx, n, x, ox, incx, sx, out, batch);
        case ASUM: return hpk_cl_sasum_strided_batched(ctx, n, x, ox, incx, sx, out, batch);
        case NRM2: return hpk_cl_snrm2_strided_batched(ctx, n, x, ox, incx, sx, out, batch);
        case DOT: return hpk_cl_sdot_strided_batched(ctx, n, x, ox, incx, sx, y, oy, incy, sy, out, batch);
        default: return hpk_cl_isamax_strided_batched(ctx, n, x, ox, incx, sx, out, batch);
        }
    switch (r) {
    case SUM: return hpk_cl_dsum_strided_batched(ctx, n, x, ox, incx, sx, out, batch);
    case ASUM: return hpk_cl_dasum_strided_batched(ctx, n, x, ox, incx, sx, out, batch);
    case NRM2: return hpk_cl_dnrm2_strided_batched(ctx, n, x, ox, incx, sx, out, batch);
    case DOT: return hpk_cl_ddot_strided_batched(ctx, n, x, ox, incx, sx, y, oy, incy, sy, out, batch);
    default: return hpk_cl_idamax_strided_batched(ctx, n, x, ox, incx, sx, out, batch);
    }
}

static void reduce_once(hpk_ctx *ctx, hpk_ctx *ref, reduction r, bool single, int64_t n, int64_t batch,
                        int64_t incx, int64_t stride_kind)
{
    const int64_t span = (n - 1) * llabs(incx) + 1;
    /* stride_kind: 1 gaps between problems, 0 one vector for all, -1 backwards */
    const int64_t sx = stride_kind > 0 ? span + 3 : stride_kind == 0 ? 0 : -(span + 1), sy = span + 1;
    const int64_t ox = 2 + first_at(sx, batch), oy = 1;
    const size_t nx = (size_t)(ox + extent(sx, batch, span)), ny = (size_t)(oy + extent(sy, batch, span));
    const size_t es = elem_size(single), rs = r == AMAX ? sizeof(int64_t) : es;
    void *x = random_data(nx, single), *y = random_data(ny, single);
    cl_mem dx = buffer(ctx, nx * es, x), dy = buffer(ctx, ny * es, y);
    void *want = test_alloc((size_t)batch * rs), *got = test_alloc((size_t)batch * rs);
    memset(got, 0x7f, (size_t)batch * rs);
    char what[160];
    snprintf(what, sizeof what, "%c%s n %" PRId64 " batch %" PRId64 " incx %" PRId64 " stride_x %" PRId64,
             single ? 's' : 'd', reduction_names[r], n, batch, incx, sx);
    expect(host_batch(ref, r, single, n, (char *)x + (size_t)ox * es, incx, sx, (char *)y + (size_t)oy * es, -1, sy,
                      want, batch),
           HPK_SUCCESS, ref, what);
    expect(device_batch(ctx, r, single, n, dx, (size_t)ox, incx, sx, dy, (size_t)oy, -1, sy, got, batch), HPK_SUCCESS,
           ctx, what);
    for (int64_t k = 0; k < batch; k++)
        if (memcmp((char *)got + (size_t)k * rs, (char *)want + (size_t)k * rs, rs) != 0)
            fail_msg("%s: problem %" PRId64 ": device %a / %" PRId64 ", hpk.h's batch %a / %" PRId64, what, k,
                     r == AMAX ? 0.0 : get(got, (size_t)k, single), r == AMAX ? ((int64_t *)got)[k] : 0,
                     r == AMAX ? 0.0 : get(want, (size_t)k, single), r == AMAX ? ((int64_t *)want)[k] : 0);
    clReleaseMemObject(dx);
    clReleaseMemObject(dy);
    free(x), free(y), free(want), free(got);
}

static void test_reductions(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0), *ref = serial();
    test_seed(43);
    static const int64_t sizes[] = {1, 7, 100, 4097, 9000};
    for (int r = SUM; r <= AMAX; r++)
        for (int single = 0; single < 2; single++)
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
                for (int kind = -1; kind <= 1; kind++)
                    reduce_once(ctx, ref, (reduction)r, single, sizes[i], i % 2 ? 3 : 17, i % 3 == 1 ? -2 : 1, kind);
    hpk_ctx_destroy(ref);
    hpk_ctx_destroy(ctx);
}

/* ---- bad input ------------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(0);
    double host[64];
    for (int i = 0; i < 64; i++)
        host[i] = i + 0.5;
    cl_mem a = buffer(ctx, sizeof host, host), x = buffer(ctx, sizeof host, host), y = buffer(ctx, sizeof host, host);
    double results[4] = {-1, -1, -1, -1}, back[64];

    expect(hpk_cl_dsum_strided_batched(ctx, 4, x, 0, 1, 4, results, -1), HPK_ERR_INVALID_ARG, ctx, "batch -1");
    expect_message(ctx, "batch is -1", "batch -1");
    expect(hpk_cl_dsum_strided_batched(ctx, 4, NULL, 0, 1, 4, NULL, 0), HPK_SUCCESS, ctx, "batch 0, NULLs");
    expect(hpk_cl_dsum_strided_batched(ctx, 4, x, 0, 1, 4, NULL, 2), HPK_ERR_INVALID_ARG, ctx, "result NULL");
    /* the last problem past the buffer's end: 16 problems of 4, stride 5 */
    expect(hpk_cl_dsum_strided_batched(ctx, 4, x, 0, 1, 5, results, 16), HPK_ERR_INVALID_ARG, ctx, "past the end");
    expect_message(ctx, "holds 64 elements", "past the end");
    /* a negative stride that would start a problem before the buffer */
    expect(hpk_cl_dasum_strided_batched(ctx, 4, x, 3, 1, -4, results, 2), HPK_ERR_INVALID_ARG, ctx, "before");
    expect_message(ctx, "before the buffer", "before");
    expect(hpk_cl_ddot_strided_batched(ctx, 4, x, 0, 0, 4, y, 0, 1, 4, results, 2), HPK_ERR_INVALID_ARG, ctx,
           "incx 0");
    for (int k = 0; k < 4; k++)
        if (results[k] != -1)
            fail_msg("a failed reduction wrote result %d", k);

    /* GEMV: outputs that overlap, y past its buffer, lda too small */
    expect(hpk_cl_dgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0, a, 0, 2, 4, x, 0, 1, 2, 0.0, y, 0,
                                        1, 1, 3),
           HPK_ERR_INVALID_ARG, ctx, "overlapping y");
    expect_message(ctx, "overlap", "overlapping y");
    expect(hpk_cl_dgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0, a, 0, 2, 4, x, 0, 1, 2, 0.0, y, 60,
                                        1, 2, 3),
           HPK_ERR_INVALID_ARG, ctx, "y past the end");
    expect(hpk_cl_dgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0, a, 0, 1, 4, x, 0, 1, 2, 0.0, y, 0,
                                        1, 2, 3),
           HPK_ERR_INVALID_ARG, ctx, "lda");
    expect(hpk_cl_sgemv_strided_batched(ctx, HPK_ROW_MAJOR, HPK_NO_TRANS, 2, 2, 1.0f, a, 0, 2, 4, x, 0, 1, 2, 0.0f, y,
                                        0, 1, 2, -3),
           HPK_ERR_INVALID_ARG, ctx, "gemv batch -3");
    read_back(ctx, y, sizeof back, back);
    if (memcmp(back, host, sizeof host) != 0)
        fail_msg("a failed batched gemv wrote y");
    clReleaseMemObject(a);
    clReleaseMemObject(x);
    clReleaseMemObject(y);
    hpk_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    if (!cl_test_start(argc, argv))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemv),
        cmocka_unit_test(test_reductions),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name("cl_batched", tests, NULL, NULL);
}
