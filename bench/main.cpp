// hpk_bench: registers the study's points, prepares the data, and runs them
// through Google Benchmark in rounds (register_rounds in harness.h).  The
// console shows a progress line; the results go to --benchmark_out.
#include "harness.h"

#ifdef HPK_BENCH_OPENCL
#include "opencl.h"
#endif

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

// Prints nothing per run (runs arrive in bulk, after each point's last
// repetition); the harness shows progress as the runs start.
class SilentReporter : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context &) override { return true; }
    void ReportRuns(const std::vector<Run> &) override {}
};

}  // namespace

int main(int argc, char **argv)
{
    if (!hpkb::parse_options(&argc, argv))
        return 2;
    if (hpkb::options().list_cpu_paths) {
        for (const std::string &path : hpkb::supported_cpu_paths())
            std::printf("%s\n", path.c_str());
        return 0;
    }
    if (!hpkb::check_cpu_path())
        return 2;

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;

    hpkb::register_gemv();
    hpkb::register_reductions();
    hpkb::register_mc();
    hpkb::register_batched();
    hpkb::register_stream();
#ifdef HPK_BENCH_OPENCL
    hpkb::register_device_stream();
#endif
    hpkb::register_rounds();
    if (!hpkb::check_peers())
        return 1;
    if (hpkb::registered_runs() == 0) {
        std::fprintf(stderr, "hpk_bench: the options select no benchmark\n");
        return 2;
    }
    const hpkb::Options &o = hpkb::options();
    if (o.dry_run) {
        std::printf("hpk_bench: the options select %d runs (%d repetitions each)\n", hpkb::registered_runs(),
                    o.repetitions);
        return 0;
    }
    hpkb::add_machine_context();

    std::printf("hpk_bench: %d runs (%d repetitions each), preparing data... ", hpkb::registered_runs(),
                o.repetitions);
    std::fflush(stdout);
    std::printf("%.2f GiB\n", hpkb::prepare_buffers() / (1 << 30));
    // Let the kernel finish its work on the fresh pages before measuring.
    std::this_thread::sleep_for(std::chrono::seconds(1));

    SilentReporter display;
    hpkb::start_progress();
    benchmark::RunSpecifiedBenchmarks(&display);
    hpkb::finish_progress();
    benchmark::Shutdown();
    if (hpkb::failed_runs() > 0) {
        std::fprintf(stderr, "hpk_bench: %d runs failed\n", hpkb::failed_runs());
        return 1;
    }
    return 0;
}
