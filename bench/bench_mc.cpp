// Monte Carlo points: pi from `size` samples, for hpk (serial, OpenMP,
// OpenCL), the textbook rand()-based OpenMP loop, and the plain per-sample
// loop over hpk's own Philox (philox_loop.c).
#include "harness.h"
#include "philox_loop.h"

#include <cstdlib>

namespace hpkb {

// The Monte Carlo pi of the classic course material: rand() for both
// coordinates, hits summed by an OpenMP reduction.  glibc's rand() is
// thread-safe through a lock, which is the lesson: more threads, slower.
static double naive_mc_pi(int64_t samples, int threads)
{
    int64_t hits = 0;
#pragma omp parallel for num_threads(threads) reduction(+ : hits)
    for (int64_t i = 0; i < samples; i++) {
        const double x = double(std::rand()) / RAND_MAX, y = double(std::rand()) / RAND_MAX;
        if (x * x + y * y <= 1.0)
            hits++;
    }
    return 4.0 * double(hits) / double(samples);
}

static void add_mc_pi(int64_t samples)
{
    Work w;
    w.samples = double(samples);
    Point p{"mc_pi", 'd', "", samples, w, {}};

    // A new seed per call (each call's samples differ, as a user's would).
    add_hpk(p, [=] {
        return [=, seed = uint64_t(42)](hpk_ctx *c) mutable {
            hpk_mc_result r;
            const hpk_status s = hpk_mc_pi(c, uint64_t(samples), seed++, &r);
            benchmark::DoNotOptimize(r);
            return s;
        };
    });
    p.variant = "naive_omp";
    add(p, [=](benchmark::State &st, int threads) {
        std::srand(42);
        for (auto _ : st)
            benchmark::DoNotOptimize(naive_mc_pi(samples, threads));
    });
    // The straightforward loop over hpk's Philox, thread for thread against
    // hpk_omp: it must count exactly hpk's hits (checked untimed, against
    // hpk_mc_pi on the same seed), or the point fails.
    p.variant = "philox_loop";
    add(p, [=](benchmark::State &st, int threads) {
        uint64_t seed = 42;
        Context ctx("hpk_omp", threads);
        hpk_mc_result r;
        if (hpk_mc_pi(ctx.get(), uint64_t(samples), seed, &r) != HPK_SUCCESS)
            return fail(st, ctx.error());
        const uint64_t hits = hpkb_philox_loop_hits(uint64_t(samples), seed, threads);
        // hpk's estimate is 4 (hits / samples) (common/mc_finish.h): the same
        // hit count gives the same bits.
        if (4.0 * (double(hits) / double(samples)) != r.estimate)
            return fail(st, "philox_loop counted " + std::to_string(hits) + " hits of " + std::to_string(samples) +
                                ", hpk_mc_pi about " + std::to_string(r.estimate / 4.0 * double(samples)));
        for (auto _ : st)
            benchmark::DoNotOptimize(hpkb_philox_loop_hits(uint64_t(samples), seed++, threads));
    });
}

void register_mc()
{
    for (const int64_t n : sizes_of("mc_pi"))
        add_mc_pi(n);
}

}  // namespace hpkb
