/* The distributed layer's split-and-join at scale, in one process: P = 1 ..
 * 4096 simulated ranks on random uneven splits (empty ranks, ranks with a
 * few elements, blocks and runs spanning many ranks), driven through the
 * very functions libhpk_mpi runs (mpi/split.h: each rank's plan, what it
 * sends, how it evaluates its pieces, the join), with copies in place of
 * the messages.  Every reduction (s and d) and the transposed GEMV must give
 * the single-process bits on the whole vector (matrix).  Linked against the
 * static libraries, whose internals it reaches. */
#include "support.h"

#include "hpk_internal.h"
#include "split.h"
#include "strided.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- splits -------------------------------------------------------------- */

/* The ways a total is split over P ranks. */
typedef enum split_kind {
    CUTS,    /* P - 1 cut points uniform in [0, N] */
    EMPTIES, /* half the ranks empty, the rest cut uniformly */
    TINY,    /* most ranks 0 .. 3 elements, a few take the rest */
    ONES,    /* every rank the same few elements (a unit spans many ranks) */
    ALIGNED, /* multiples of the unit but for the last holding any */
    KINDS
} split_kind;

static const char *const kind_names[KINDS] = {"cuts", "empties", "tiny", "ones", "aligned"};

static int cmp_i64(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t rand_below(int64_t n) /* [0, n), n > 0 */
{
    return (int64_t)(test_next_u64() % (uint64_t)n);
}

/* first[0 .. P]: rank r holds [first[r], first[r + 1]); returns N.  `n` is
 * the total aimed at. */
static int64_t make_split(split_kind kind, int P, int64_t n, int64_t unit, int64_t *first)
{
    first[0] = 0;
    switch (kind) {
    case CUTS:
    case EMPTIES: {
        int64_t *cuts = test_alloc((size_t)P * sizeof *cuts);
        int used = 0;
        for (int r = 0; r < P - 1; r++)
            if (kind == CUTS || test_sign())
                cuts[used++] = rand_below(n + 1);
        qsort(cuts, (size_t)used, sizeof *cuts, cmp_i64);
        /* the cuts land on random ranks: empty ranks where none falls */
        int r = 1, c = 0;
        for (; r < P; r++)
            first[r] = c < used && (P - r <= used - c || test_sign()) ? cuts[c++] : first[r - 1];
        first[P] = n;
        free(cuts);
        break;
    }
    case TINY:
        for (int r = 0; r < P; r++)
            first[r + 1] = first[r] + (rand_below(16) == 0 ? rand_below(2 * unit + 1) : rand_below(4));
        break;
    case ONES: {
        const int64_t each = 1 + rand_below(3);
        for (int r = 0; r < P; r++)
            first[r + 1] = first[r] + each;
        break;
    }
    case ALIGNED: {
        const int64_t units = n / unit + 1;
        for (int r = 0; r < P; r++)
            first[r + 1] = first[r] + (r == P - 1 ? rand_below(unit) : unit * rand_below(units / P + 2));
        break;
    }
    default: break;
    }
    return first[P];
}

/* The plans of all ranks, with the invariants every plan must keep: the
 * parts cover the rank's elements, the units it owns are those it says it
 * evaluates. */
static hpk__split_plan *plans_of(const hpk__split *s, const int64_t *start)
{
    hpk__split_plan *plans = test_alloc((size_t)s->size * sizeof *plans);
    for (int r = 0; r < s->size; r++) {
        hpk__split_plan *p = &plans[r];
        hpk__split_plan_of(s, start, r, p);
        if (hpk__split_passes(p))
            assert_true(p->head == p->count && p->out == p->count && p->units == 0 && p->direct == 0);
        else
            assert_int_equal(p->head + p->direct + p->out, p->count);
        const int64_t direct_units = (p->direct + s->unit - 1) / s->unit;
        assert_int_equal(p->units, direct_units + (p->head_ends ? 1 : 0));
    }
    return plans;
}

/* ---- reductions -------------------------------------------------------------- */

typedef struct reduction {
    hpk__reduce_op op;
    bool f32;
} reduction;

/* Every reduction with a sum (the operations before i?amax, which is exact
 * on any split already): in double, then in float. */
#define REDUCTIONS (2 * HPK__OP_AMAX)

static reduction reduction_at(int q)
{
    return (reduction){(hpk__reduce_op)(q % HPK__OP_AMAX), q >= HPK__OP_AMAX};
}

/* Logical elements [from, from + count) of a strided vector of n elements
 * as a vector of their own: where its storage begins. */
static const void *view(const void *v, int64_t n, int64_t inc, int64_t from, int64_t count, size_t es)
{
    const int64_t at = count == 0 ? 0 : inc > 0 ? from * inc : (n - from - count) * -inc;
    return (const char *)v + at * (int64_t)es;
}

/* The single-process result (the context's own entry, as hpk.h's function
 * dispatches it), widened to double. */
static double single_process(hpk_ctx *ctx, const reduction *k, int64_t n, const void *x, int64_t incx,
                             const void *y, int64_t incy)
{
    double d = 0.0;
    float f = 0.0f;
    if (n > 0)
        assert_int_equal(hpk__ops_reduce(ctx, k->op, k->f32, n, x, incx, y, incy, k->f32 ? (void *)&f : (void *)&d),
                         HPK_SUCCESS);
    return k->f32 ? f : d;
}

/* The messages of a rank's head unit, delivered when it waits for them:
 * each earlier rank's out elements, packed by that rank, placed where the
 * owner's plan of the sender says. */
typedef struct arrivals {
    const hpk__split_plan *plans;
    const hpk__reduce_job *local;
    int rank;
    size_t es;
    char *unit_x, *unit_y, *out_x, *out_y;
    int *received;
    bool delivered;
} arrivals;

static hpk_status deliver(void *arg)
{
    arrivals *in = arg;
    const hpk__split_plan *p = &in->plans[in->rank];
    assert_true(p->head_ends && !in->delivered);
    in->delivered = true;
    int64_t filled = 0;
    for (int q = p->in_from; q < in->rank; q++) {
        const hpk__split_plan *sender = &in->plans[q];
        if (sender->out == 0)
            continue;
        assert_int_equal(sender->out_to, in->rank);
        assert_true(sender->out < HPK__REDUCE_BLOCK);
        hpk__split_pack(&in->local[q], sender->count - sender->out, sender->out, in->out_x, in->out_y);
        memcpy(in->unit_x + sender->out_at * in->es, in->out_x, (size_t)sender->out * in->es);
        memcpy(in->unit_y + sender->out_at * in->es, in->out_y, (size_t)sender->out * in->es);
        filled += sender->out;
        in->received[q]++;
    }
    assert_int_equal(filled, p->head_at);
    assert_int_equal(p->head_at + p->head, p->head_length);
    return HPK_SUCCESS;
}

/* The reduction over the split, every rank simulated; the result rounded
 * as the MPI entry point rounds it. */
static double simulate_reduction(hpk_ctx *ctx, const reduction *k, const hpk__split *s, const void *x,
                                 int64_t incx, const void *y, int64_t incy)
{
    const int P = s->size;
    const int64_t N = s->first[P];
    const size_t es = k->f32 ? sizeof(float) : sizeof(double);
    int64_t *start = test_alloc(((size_t)P + 1) * sizeof *start);
    hpk__split_units(s, start);
    const hpk__mpi_units units = {start, P};
    hpk__split_plan *plans = plans_of(s, start);
    hpk__reduce_job *local = test_alloc((size_t)P * sizeof *local);
    int64_t *displ = test_alloc(((size_t)P + 1) * sizeof *displ);
    int *received = test_alloc((size_t)P * sizeof *received);
    displ[0] = 0;
    for (int r = 0; r < P; r++) {
        const int64_t f = s->first[r], n = s->first[r + 1] - f;
        local[r] = (hpk__reduce_job){k->op, k->f32, n, view(x, N, incx, f, n, es),
                                     k->op == HPK__OP_DOT ? view(y, N, incy, f, n, es) : NULL, incx, incy};
        displ[r + 1] = displ[r] + hpk__mpi_pieces(&units, r, NULL);
        received[r] = 0;
        assert_true(displ[r + 1] - displ[r] <= HPK__MPI_MAX_PIECES);
    }
    hpk__reduce_node *nodes = test_alloc(((size_t)displ[P] + 1) * sizeof *nodes);
    char *unit_x = test_alloc(2 * HPK__REDUCE_BLOCK * sizeof(double)), *unit_y = unit_x + HPK__REDUCE_BLOCK * es;
    char *out_x = test_alloc(2 * HPK__REDUCE_BLOCK * sizeof(double)), *out_y = out_x + HPK__REDUCE_BLOCK * es;
    for (int r = 0; r < P; r++) {
        const hpk__split_plan *p = &plans[r];
        hpk__reduce_job head = {k->op, k->f32, p->head_length, unit_x, unit_y, 1, 1};
        arrivals in = {plans, local, r, es, unit_x, unit_y, out_x, out_y, received, false};
        const hpk__split_wait wait = {deliver, &in};
        if (p->head_ends) {
            /* the head unit: poison where the messages land, the rank's own
             * head in place */
            memset(unit_x, 0xff, (size_t)p->head_at * es);
            memset(unit_y, 0xff, (size_t)p->head_at * es);
            hpk__split_pack(&local[r], 0, p->head, unit_x + p->head_at * es, unit_y + p->head_at * es);
        }
        assert_int_equal(hpk__split_reduce(ctx, p, &units, r, &local[r], &head, &wait, nodes + displ[r]), HPK_SUCCESS);
        assert_int_equal(in.delivered, p->head_ends);
    }
    for (int r = 0; r < P; r++) /* every out part reached its owner, once */
        assert_int_equal(received[r], plans[r].out > 0 ? 1 : 0);
    const hpk__reduce_job whole = {k->op, k->f32, N, x, y, incx, incy};
    const double r = N == 0 ? 0.0 : ctx->ops->reduce_finish(&whole, &nodes[hpk__split_join_nodes(&units, nodes)]);
    free(start);
    free(plans);
    free(local);
    free(displ);
    free(received);
    free(nodes);
    free(unit_x);
    free(out_x);
    return k->f32 ? (double)(float)r : r;
}

/* Random full-mantissa data, random signs, exponents in [-spread,
 * spread]. */
static void fill(bool f32, void *v, size_t len, int spread)
{
    if (f32)
        test_fill_wide_s(v, len, -spread, spread);
    else
        test_fill_wide_d(v, len, -spread, spread);
}

static const int rank_counts[] = {1, 2, 3, 4, 5, 7, 8, 16, 33, 64, 100, 257, 1000, 4096};
enum { RANK_COUNTS = sizeof rank_counts / sizeof rank_counts[0] };

static void test_reductions_any_split(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(test_backend == HPK_BACKEND_OPENMP ? 3 : 0);
    int64_t *first = test_alloc((4096 + 1) * sizeof *first);
    test_seed(21);
    int cases = 0;
    for (int c = 0; c < RANK_COUNTS; c++) {
        const int P = rank_counts[c];
        for (int kind = 0; kind < KINDS; kind++) {
            const hpk__split s = {first, P, HPK__REDUCE_BLOCK};
            const int64_t N = make_split((split_kind)kind, P, rand_below(12 * HPK__REDUCE_BLOCK) + 1,
                                         HPK__REDUCE_BLOCK, first);
            for (int q = 0; q < REDUCTIONS; q++) {
                const reduction kq = reduction_at(q), *k = &kq;
                const int64_t incx = (q + kind) % 3 == 0 ? -2 : 1, incy = q % 2 ? -1 : 3;
                const size_t es = k->f32 ? sizeof(float) : sizeof(double);
                const size_t lx = test_span(N, incx) + 1, ly = test_span(N, incy) + 1;
                void *x = test_alloc((lx > ly ? lx : ly) * es), *y = test_alloc((lx > ly ? lx : ly) * es);
                /* float: up to 2^60; double: Blue's small and big sums too
                 * (y a quarter of x's spread: dot neither overflows nor
                 * loses everything to underflow) */
                const int spread = k->f32 ? (kind % 2 ? 60 : 12) : kind % 2 ? 600 : 40;
                fill(k->f32, x, lx > ly ? lx : ly, spread);
                fill(k->f32, y, lx > ly ? lx : ly, spread / 4);
                const double want = single_process(ctx, k, N, x, incx, y, incy);
                const double got = simulate_reduction(ctx, k, &s, x, incx, y, incy);
                if (memcmp(&got, &want, sizeof got) != 0)
                    fail_msg("reduction %d (%s), %d ranks (%s split), n %lld: %a, single process %a", (int)k->op,
                             k->f32 ? "float" : "double", P, kind_names[kind], (long long)N, got, want);
                cases++;
                free(x);
                free(y);
            }
        }
    }
    assert_int_equal(cases, RANK_COUNTS * KINDS * REDUCTIONS);
    free(first);
    hpk_ctx_destroy(ctx);
}

/* ---- the transposed GEMV ------------------------------------------------------ */

/* A run state that arrives when the rank waits for it: put back in place
 * from where it was parked, and continued with the rank's head rows. */
typedef struct carried {
    const hpk__split_plan *p;
    const hpk__split_rows *rows;
    char *state;
    bool *full;
    bool done;
    const char *parked;
} carried;

static hpk_status carry_on(void *arg)
{
    carried *in = arg;
    assert_true(in->p->head > 0 && *in->full && !in->done);
    in->done = true;
    *in->full = false;
    memcpy(in->state, in->parked, (size_t)in->rows->n * (in->rows->f32 ? sizeof(float) : sizeof(double)));
    hpk__split_gemv_continue(in->p, in->rows, in->state);
    return HPK_SUCCESS;
}

/* t = A^T x over the split, every rank simulated: the run states forwarded
 * from rank to rank, the pieces joined.  Returns t (n elements). */
static void *simulate_gemv_t(hpk_ctx *ctx, const hpk__split *s, bool f32, int64_t n, const void *a, int64_t lda,
                             const void *x, int64_t incx)
{
    const int P = s->size;
    const int64_t M = s->first[P];
    const size_t es = f32 ? sizeof(float) : sizeof(double), vec = (size_t)n * es;
    int64_t *start = test_alloc(((size_t)P + 1) * sizeof *start);
    hpk__split_units(s, start);
    const hpk__mpi_units units = {start, P};
    hpk__split_plan *plans = plans_of(s, start);
    int64_t *displ = test_alloc(((size_t)P + 1) * sizeof *displ);
    displ[0] = 0;
    for (int r = 0; r < P; r++)
        displ[r + 1] = displ[r] + hpk__mpi_pieces(&units, r, NULL);
    char *slices = test_alloc(((size_t)displ[P] + 1) * vec);
    char *inbox = test_alloc((size_t)P * vec + 1); /* the one run state each rank may receive */
    bool *full = calloc((size_t)P, sizeof *full); /* whether a state waits there */
    assert_non_null(full);
    for (int r = 0; r < P; r++) {
        const hpk__split_plan *p = &plans[r];
        if (p->count == 0)
            continue;
        const hpk__split_rows rows = {f32, p->count, n, (const char *)a + (size_t)(p->first * lda) * es, lda,
                                      view(x, M, incx, p->first, p->count, es), incx};
        if (p->out > 0 && !hpk__split_passes(p)) {
            assert_true(p->next > r && !full[p->next]);
            assert_int_equal(hpk__split_gemv_out(ctx, p, &rows, inbox + (size_t)p->next * vec), HPK_SUCCESS);
            full[p->next] = true;
        }
        /* the previous rank's run arrives (and is continued) when the rank
         * waits for it, after its own runs; the slot it lands in is
         * poisoned until then */
        char *head = inbox + (size_t)r * vec;
        carried in = {p, &rows, head, full + r, false, NULL};
        const hpk__split_wait wait = {carry_on, &in};
        const int mine = (int)(displ[r + 1] - displ[r]), slots = mine + hpk__split_spine(p, &units, r);
        char *t = test_alloc((size_t)slots * vec + 1);
        char *parked = test_alloc(vec + 1);
        if (p->head > 0) {
            assert_true(full[r]);
            memcpy(parked, head, vec);
            memset(head, 0xff, vec);
            in.parked = parked;
        }
        assert_int_equal(hpk__split_gemv_pieces(ctx, p, &units, r, &rows, head, &wait, t), HPK_SUCCESS);
        if (p->head > 0 && !in.done) /* no pieces (a rank inside one run): after them all the same */
            assert_int_equal(carry_on(&in), HPK_SUCCESS);
        if (hpk__split_passes(p)) {
            assert_true(p->next > r && !full[p->next] && mine == 0);
            memcpy(inbox + (size_t)p->next * vec, head, vec);
            full[p->next] = true;
        }
        memcpy(slices + (size_t)displ[r] * vec, t, (size_t)mine * vec);
        free(t);
        free(parked);
    }
    for (int r = 0; r < P; r++)
        assert_false(full[r]); /* every state sent was received */
    void *result = test_alloc(vec + 1);
    if (M > 0)
        memcpy(result, slices + (size_t)hpk__split_join_slices(&units, f32, slices, n) * vec, vec);
    free(start);
    free(plans);
    free(displ);
    free(slices);
    free(inbox);
    free(full);
    return result;
}

static void test_gemv_t_any_split(void **state)
{
    (void)state;
    hpk_ctx *ctx = test_ctx(test_backend == HPK_BACKEND_OPENMP ? 3 : 0);
    int64_t *first = test_alloc((4096 + 1) * sizeof *first);
    test_seed(2121);
    int cases = 0;
    for (int c = 0; c < RANK_COUNTS; c++) {
        const int P = rank_counts[c];
        for (int kind = 0; kind < KINDS; kind++) {
            const hpk__split s = {first, P, HPK__GEMV_RUN};
            const int64_t M = make_split((split_kind)kind, P, rand_below(12 * HPK__GEMV_RUN) + 1, HPK__GEMV_RUN,
                                         first);
            if (M == 0)
                continue;
            for (int f32 = 0; f32 <= 1; f32++) {
                const int64_t n = 1 + rand_below(P >= 1000 ? 9 : 40), lda = n + rand_below(3);
                const int64_t incx = (kind + f32) % 2 ? -2 : 1;
                const size_t es = f32 ? sizeof(float) : sizeof(double);
                const size_t la = (size_t)(M * lda), lx = test_span(M, incx);
                void *a = test_alloc(la * es), *x = test_alloc(lx * es), *want = test_alloc((size_t)n * es);
                fill(f32, a, la, f32 ? 20 : 60);
                fill(f32, x, lx, f32 ? 5 : 15);
                assert_int_equal(f32 ? hpk_sgemv(ctx, HPK_ROW_MAJOR, HPK_TRANS, M, n, 1.0f, a, lda, x, incx, 0.0f,
                                                 want, 1)
                                     : hpk_dgemv(ctx, HPK_ROW_MAJOR, HPK_TRANS, M, n, 1.0, a, lda, x, incx, 0.0,
                                                 want, 1),
                                 HPK_SUCCESS);
                void *got = simulate_gemv_t(ctx, &s, f32, n, a, lda, x, incx);
                for (int64_t j = 0; j < n; j++)
                    if (memcmp((char *)got + j * es, (char *)want + j * es, es) != 0)
                        fail_msg("%sgemv_t, %d ranks (%s split), m %lld, n %lld: y[%lld] %a, single process %a",
                                 f32 ? "s" : "d", P, kind_names[kind], (long long)M, (long long)n, (long long)j,
                                 f32 ? ((float *)got)[j] : ((double *)got)[j],
                                 f32 ? ((float *)want)[j] : ((double *)want)[j]);
                cases++;
                free(a);
                free(x);
                free(want);
                free(got);
            }
        }
    }
    assert_true(cases >= RANK_COUNTS * (KINDS - 1) * 2);
    free(first);
    hpk_ctx_destroy(ctx);
}

/* The plans of a hand-made split: a block that begins on rank 0 and ends on
 * rank 4, through empty and one-element ranks. */
static void test_plan_by_hand(void **state)
{
    (void)state;
    const int64_t B = HPK__REDUCE_BLOCK;
    /* rank:            0       1       2       3       4           5       6 */
    const int64_t first[] = {0, B + 10, B + 10, B + 11, B + 20, 3 * B + 5, 4 * B, 4 * B};
    const hpk__split s = {first, 7, B};
    int64_t start[8];
    hpk__split_units(&s, start);
    const int64_t want_start[] = {0, 1, 1, 1, 1, 3, 4, 4};
    assert_memory_equal(start, want_start, sizeof start);
    hpk__split_plan p;
    hpk__split_plan_of(&s, start, 0, &p); /* one whole block, then 10 elements out to rank 4 */
    assert_true(p.head == 0 && p.direct == B && p.out == 10 && p.out_to == 4 && p.out_at == 0 && p.units == 1);
    hpk__split_plan_of(&s, start, 1, &p); /* empty */
    assert_true(p.count == 0 && p.units == 0 && p.out == 0 && p.head == 0);
    hpk__split_plan_of(&s, start, 2, &p); /* one element inside block 1: passes it on */
    assert_true(hpk__split_passes(&p) && p.out == 1 && p.out_to == 4 && p.out_at == 10 && p.prev == 0 &&
                p.next == 3);
    hpk__split_plan_of(&s, start, 3, &p);
    assert_true(hpk__split_passes(&p) && p.out == 9 && p.out_to == 4 && p.out_at == 11);
    hpk__split_plan_of(&s, start, 4, &p); /* completes block 1, holds block 2, starts block 3 */
    assert_true(p.head == B - 20 && p.head_ends && p.in_from == 0 && p.head_at == 20 && p.head_length == B);
    assert_true(p.unit0 == 1 && p.units == 2 && p.direct == B && p.out == 5 && p.out_to == 5);
    hpk__split_plan_of(&s, start, 5, &p); /* completes block 3, the last */
    assert_true(p.head == B - 5 && p.head_ends && p.in_from == 4 && p.head_at == 5 && p.units == 1 && p.out == 0 &&
                p.next == -1);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_by_hand),
        cmocka_unit_test(test_reductions_any_split),
        cmocka_unit_test(test_gemv_t_any_split),
    };
    return cmocka_run_group_tests_name("mpi split (simulated ranks)", tests, NULL, NULL);
}
