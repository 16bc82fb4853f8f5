/* Monte Carlo at the top of the sample range: the last block of a run of
 * UINT64_MAX samples, evaluated alone through the CPU kernels' reduction
 * tree (hpk's internal interface; a whole run would take centuries), on
 * every CPU code path this machine has.  Its hit count must equal a count
 * made here from hpk_philox4x32 and the documented hit rule, and a box
 * integration's last block must hold exactly the samples left -- a loop
 * bound written as i + 16 <= end wraps there and gives neither. */
#include "support.h"

#include "hpk_internal.h"
#include "runner.h"

#include <string.h>

#define BLOCK 4096 /* HPK__MC_BLOCK: samples per leaf of the tree */

static const char *const paths[] = {"avx512", "avx2", "portable", "native"};

/* Hits among samples [first, end) as hpk.h documents them. */
static uint64_t documented_hits(uint64_t seed, uint64_t first, uint64_t end)
{
    uint64_t hits = 0;
    for (uint64_t i = first; i < end; i++) {
        const uint32_t counter[4] = {(uint32_t)i, (uint32_t)(i >> 32), 0, 0};
        const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        uint32_t w[4];
        assert_int_equal(hpk_philox4x32(counter, key, w), HPK_SUCCESS);
        const uint64_t s = (uint64_t)w[0] * w[0], t = (uint64_t)w[1] * w[1];
        hits += s + t >= s;
    }
    return hits;
}

static void test_pi_last_block(void **state)
{
    (void)state;
    static const uint64_t counts[] = {UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 15, UINT64_MAX - 4095};
    int tried = 0;
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        const hpk__ops *ops = hpk__cpu_ops(HPK_BACKEND_SERIAL, paths[p]);
        if (!ops)
            continue; /* not built in, or not this CPU's */
        tried++;
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            const hpk__mc_job job = {.samples = counts[c], .seed = 0x0123456789abcdefu};
            hpk__tree tree;
            ops->mc_tree(&job, &tree);
            const int64_t last = tree.nblocks - 1;
            assert_true(tree.nblocks == (int64_t)((counts[c] - 1) / BLOCK + 1));
            uint64_t hits = UINT64_MAX;
            tree.leaf(tree.job, last, &hits, NULL);
            const uint64_t first = (uint64_t)last * BLOCK, want = documented_hits(job.seed, first, counts[c]);
            if (hits != want)
                fail_msg("path %s, %llu samples: the last block counts %llu hits, the documented rule %llu",
                         paths[p], (unsigned long long)counts[c], (unsigned long long)hits,
                         (unsigned long long)want);
        }
    }
    assert_true(tried > 0);
}

static double one(const double *point, int dim, void *user_data)
{
    (void)point;
    (void)dim;
    (void)user_data;
    return 1.0;
}

static void test_integrate_last_block(void **state)
{
    (void)state;
    const double lower[1] = {0.0}, upper[1] = {1.0};
    const hpk__ops *ops = hpk__cpu_ops(HPK_BACKEND_SERIAL, NULL);
    assert_non_null(ops);
    const hpk__mc_job job = {one, NULL, 1, lower, upper, UINT64_MAX, 7};
    hpk__tree tree;
    ops->mc_tree(&job, &tree);
    _Alignas(max_align_t) unsigned char node[HPK__TREE_NODE_MAX];
    double scratch[1];
    tree.leaf(tree.job, tree.nblocks - 1, node, scratch);
    const double *moments = (const double *)node; /* count, mean, m2 */
    assert_true(moments[0] == (double)(UINT64_MAX - (uint64_t)(tree.nblocks - 1) * BLOCK));
    assert_true(moments[1] == 1.0 && moments[2] == 0.0);
}

int main(int argc, char **argv)
{
    if (test_parse_backend(argc, argv))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pi_last_block),
        cmocka_unit_test(test_integrate_last_block),
    };
    return cmocka_run_group_tests_name("Monte Carlo sample limits", tests, NULL, NULL);
}
