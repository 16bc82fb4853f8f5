/* Tests of the cl_mem reductions of hpk_cl.h (sum, asum, dot, nrm2, i?amax)
 * with offsets and negative increments: bitwise the host-pointer functions'
 * results on the same context, run-to-run repetition, and n == 0. */
#define _POSIX_C_SOURCE 200809L
#include "cl_test.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* ---- cl_mem reductions ---------------------------------------------------------- */

typedef enum op { SUM, ASUM, DOT, NRM2, AMAX, OP_COUNT } op;
static const char *const op_names[OP_COUNT] = {"sum", "asum", "dot", "nrm2", "amax"};

typedef struct outcome {
    hpk_status status;
    double value; /* float results widened */
    int64_t index;
} outcome;

static outcome device_reduce(hpk_ctx *ctx, op o, bool single, int64_t n, cl_mem x, size_t xo, int64_t incx, cl_mem y,
                             size_t yo, int64_t incy)
{
    outcome r = {HPK_SUCCESS, NAN, -7};
    double d = NAN;
    float s = NAN;
    switch (o) {
    case SUM: r.status = single ? hpk_cl_ssum(ctx, n, x, xo, incx, &s) : hpk_cl_dsum(ctx, n, x, xo, incx, &d); break;
    case ASUM: r.status = single ? hpk_cl_sasum(ctx, n, x, xo, incx, &s) : hpk_cl_dasum(ctx, n, x, xo, incx, &d); break;
    case NRM2: r.status = single ? hpk_cl_snrm2(ctx, n, x, xo, incx, &s) : hpk_cl_dnrm2(ctx, n, x, xo, incx, &d); break;
    case DOT:
        r.status = single ? hpk_cl_sdot(ctx, n, x, xo, incx, y, yo, incy, &s)
                          : hpk_cl_ddot(ctx, n, x, xo, incx, y, yo, incy, &d);
        break;
    case AMAX:
        r.status = single ? hpk_cl_isamax(ctx, n, x, xo, incx, &r.index) : hpk_cl_idamax(ctx, n, x, xo, incx, &r.index);
        break;
    case OP_COUNT: break;
    }
    r.value = single ? (double)s : d;
    return r;
}

static outcome host_reduce(hpk_ctx *ctx, op o, bool single, int64_t n, const void *x, int64_t incx, const void *y,
                           int64_t incy)
{
    outcome r = {HPK_SUCCESS, NAN, -7};
    double d = NAN;
    float s = NAN;
    switch (o) {
    case SUM: r.status = single ? hpk_ssum(ctx, n, x, incx, &s) : hpk_dsum(ctx, n, x, incx, &d); break;
    case ASUM: r.status = single ? hpk_sasum(ctx, n, x, incx, &s) : hpk_dasum(ctx, n, x, incx, &d); break;
    case NRM2: r.status = single ? hpk_snrm2(ctx, n, x, incx, &s) : hpk_dnrm2(ctx, n, x, incx, &d); break;
    case DOT: r.status = single ? hpk_sdot(ctx, n, x, incx, y, incy, &s) : hpk_ddot(ctx, n, x, incx, y, incy, &d); break;
    case AMAX: r.status = single ? hpk_isamax(ctx, n, x, incx, &r.index) : hpk_idamax(ctx, n, x, incx, &r.index); break;
    case OP_COUNT: break;
    }
    r.value = single ? (double)s : d;
    return r;
}

static bool same(op o, const outcome *a, const outcome *b)
{
    return o == AMAX ? a->index == b->index : memcmp(&a->value, &b->value, sizeof a->value) == 0;
}

static void test_device_reductions(void **state)
{
    (void)state;
    static const struct {
        int64_t n, incx, incy;
        size_t xo, yo;
    } cases[] = {{1, 1, 1, 0, 0},         {2, -1, 2, 1, 0},          {1000, -3, 1, 5, 2},
                 {4097, 2, -2, 0, 7},     {3 * 4096 + 7, -1, -1, 3, 1}, {100003, 1, 1, 1, 0},
                 {100003, 1, -1, 0, 4}};
    hpk_ctx *ctx = test_ctx(0);
    test_seed(81);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int single = 0; single <= 1; single++) {
            const size_t es = elem_size(single);
            const int64_t n = cases[k].n;
            const size_t tx = cases[k].xo + test_span(n, cases[k].incx) + 2;
            const size_t ty = cases[k].yo + test_span(n, cases[k].incy) + 2;
            void *x = strided_data(tx, cases[k].xo, n, cases[k].incx, single, -1, 2);
            void *y = strided_data(ty, cases[k].yo, n, cases[k].incy, single, -2, 1);
            put(x, cases[k].xo + (size_t)test_index(n / 2, n, cases[k].incx), single, 7.0); /* a clear maximum */
            cl_mem dx = buffer(ctx, tx * es, x), dy = buffer(ctx, ty * es, y);
            for (int o = 0; o < OP_COUNT; o++) {
                const outcome want = host_reduce(ctx, o, single, n, (char *)x + cases[k].xo * es, cases[k].incx,
                                                 (char *)y + cases[k].yo * es, cases[k].incy);
                const outcome got =
                    device_reduce(ctx, o, single, n, dx, cases[k].xo, cases[k].incx, dy, cases[k].yo, cases[k].incy);
                const outcome again =
                    device_reduce(ctx, o, single, n, dx, cases[k].xo, cases[k].incx, dy, cases[k].yo, cases[k].incy);
                expect(want.status, HPK_SUCCESS, ctx, "host-pointer reduction");
                expect(got.status, HPK_SUCCESS, ctx, "cl_mem reduction");
                if (!same(o, &got, &want) || !same(o, &again, &got))
                    fail_msg("hpk_cl_%c%s(n = %" PRId64 ", offset %zu, incx %" PRId64 "): %.17g / index %" PRId64
                             " (again: %.17g / %" PRId64 "), the host-pointer call gives %.17g / %" PRId64,
                             single ? 's' : 'd', op_names[o], n, cases[k].xo, cases[k].incx, got.value, got.index,
                             again.value, again.index, want.value, want.index);
                if (o == AMAX && got.index != n / 2)
                    fail_msg("i%camax: index %" PRId64 ", expected %" PRId64, single ? 's' : 'd', got.index, n / 2);
            }
            clReleaseMemObject(dx);
            clReleaseMemObject(dy);
            free(x);
            free(y);
        }

    /* n == 0: 0 and -1, NULL buffers allowed. */
    for (int single = 0; single <= 1; single++)
        for (int o = 0; o < OP_COUNT; o++) {
            const outcome r = device_reduce(ctx, o, single, 0, NULL, 0, 1, NULL, 0, 1);
            expect(r.status, HPK_SUCCESS, ctx, "a reduction with n == 0");
            assert_true(o == AMAX ? r.index == -1 : r.value == 0.0);
        }
    hpk_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    if (!cl_test_start(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_reductions),
    };
    return cmocka_run_group_tests_name("opencl reductions on device buffers", tests, NULL, NULL);
}
