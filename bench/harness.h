// The benchmark harness: the study's options, the variant registry, the
// shared data buffers, and add(), which registers the points of one
// (kernel, precision, variant, size) with Google Benchmark, once per thread
// count, in the same way for every kernel.
#ifndef HPK_BENCH_HARNESS_H
#define HPK_BENCH_HARNESS_H

#include <benchmark/benchmark.h>
#include <hpk/hpk.h>

#include "manifest.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace hpkb {

// The data a reduction runs on: random values in [-1, 1), or that with a
// feature a reduction may be slow on (data_name() gives the names --data
// takes).
enum class Data { uniform, zeros, subnormal, huge, tiny, nan, equal };
const char *data_name(Data d);
bool data_from_name(const std::string &name, Data *d);

// What the study sweeps; every list can be narrowed on the command line.
struct Options {
    std::vector<std::string> kernels;     // the manifest's harness kernels (manifest.h)
    std::vector<std::string> precisions;  // s d (Monte Carlo computes in double: d)
    std::vector<std::string> variants;    // names from the registry, variants()
    std::vector<int> threads;             // strong scaling: the same problem on 1..all cores
    std::vector<int64_t> gemv_sizes;      // m = n
    std::vector<int64_t> vec_sizes;       // elements (reductions and STREAM)
    std::vector<int64_t> mc_sizes;        // samples
    std::vector<int64_t> batch_bytes;     // working sets of the batched family (bench_batched.cpp)
    // The reductions' inputs.  Without --data (data_given false) uniform
    // data everywhere and every other kind at data_sizes (those of them in
    // vec_sizes), on 1 thread, for hpk_omp and OpenBLAS: the study's check
    // that no data is slow.  With --data, every kind everywhere.
    std::vector<Data> data = {Data::uniform, Data::zeros, Data::subnormal, Data::huge,
                              Data::tiny,    Data::nan,   Data::equal};
    bool data_given = false;
    std::vector<int64_t> data_sizes = {int64_t(1) << 14, int64_t(1) << 24};  // in cache, from DRAM
    // The reductions' increments (dot: both vectors').  Without --incs
    // (incs_given false) unit stride everywhere and every other increment
    // at data_sizes on uniform data, on 1 thread, for hpk_omp and OpenBLAS:
    // the study's check that strided vectors are not slow.  With --incs,
    // every increment everywhere, for hpk_omp and OpenBLAS (the other
    // variants take unit stride only).
    std::vector<int64_t> incs = {1, 2};
    bool incs_given = false;
    int repetitions = 5;
    double min_time = 0.02;  // seconds per repetition
    double warmup = 0.02;    // seconds run before the first repetition
    double pause = 0.2;      // seconds from a multithreaded OpenBLAS run to another pool's run
    bool dry_run = false;    // --dry-run: check the options and the selection, run nothing
    // --cpu-path=NAME: hpk's CPU contexts run this code path
    // (hpk_ctx_set_cpu_path); "" runs the best one this CPU has.
    std::string cpu_path;
    bool list_cpu_paths = false;  // --list-cpu-paths: print the paths this CPU runs and exit
};
Options &options();

// Whether points on `data` belong to the default study's data check (other
// data than uniform without --data): 1 thread, hpk_omp and OpenBLAS, at
// data_sizes only (Options::data).
bool data_check_only(Data data);

// Whether points at increment `inc` belong to the default study's stride
// check (another increment than 1 without --incs; Options::incs).
bool inc_check_only(int64_t inc);

// The largest increment --incs takes.
constexpr int64_t kMaxInc = 4096;

// Parses the harness's own flags and removes them from argv, leaving Google
// Benchmark's.  Returns false after printing why when a flag is bad; --help
// prints the usage and exits.
bool parse_options(int *argc, char **argv);

// Whose threads a variant runs on.  Each library keeps its workers spinning
// for a while after a call, so a run waits until the other pools' workers
// sleep (see settle() in harness.cpp).
enum class Pool { none, openmp, openblas, opencl };

// One implementation of the kernels.  The registry, variants(), is the
// manifest's harness variants (manifest.h); in OpenCL builds also its
// device ones: hpk_cl_kernel, hpk_cl_e2e and clblast, whose points each
// kernel family's bench_*.cpp registers beside the CPU ones, and device,
// the device's own roofline (device_stream.cpp).
struct Variant {
    const char *name;
    Pool pool;
    bool threaded;  // swept over the thread counts; otherwise run on 1 thread
    const char *description;
};
const std::vector<Variant> &variants();

// What one call moves and computes; the rates are derived from these.
struct Work {
    double bytes = 0;        // bytes read plus bytes written per call
    double flops = 0;        // floating-point operations per call
    double samples = 0;      // Monte Carlo samples per call
    double working_set = 0;  // distinct bytes the call touches
};

// Shared inputs: random values in [-1, 1), allocated and first-touched in
// parallel before the study starts, each as large as its largest user.
enum class Buf { a, x, y, z };
template <class T> T *buffer(Buf b, Data data = Data::uniform);
template <class T> int64_t buffer_elements(Buf b);

// The points of one (kernel, precision, variant, size).  Each is named
// kernel/precision/variant/size:N/threads:T in the JSON, with /data:NAME
// after the size for data other than uniform and /inc:K after that for an
// increment other than 1.
struct Point {
    std::string kernel;
    char precision;  // 's' or 'd'
    std::string variant;
    int64_t size;
    Work work;
    std::vector<std::pair<Buf, int64_t>> buffers;  // elements used from each buffer
    Data data = Data::uniform;                     // what fills those buffers
    int64_t inc = 1;                               // the vectors' increment (reductions)
};

// A point's body: the timed loop `for (auto _ : state)` for `threads`
// threads.  What comes before the loop is not timed.  A body that fails
// calls fail() and leaves the loop.
using Body = std::function<void(benchmark::State &state, int threads)>;

// Adds p's runs, one per thread count (one, on 1 thread, for a variant that
// is not threaded), unless the options leave it out.  Its kernel and
// variant must be the manifest's (manifest.h): the program stops otherwise.
void add(const Point &p, Body body);

// Registers the added runs with Google Benchmark in rounds, one repetition
// of every run per round (the JSON's "round" counter).  A round takes the
// groups of runs (one kernel, precision, size, data and increment: every
// variant and thread count of it) in an order shuffled anew each round,
// and a group's runs back to back: the times the study compares, hpk's
// against its peer's or against its own on 1 thread, are taken seconds
// apart, so that a slow stretch of the machine (a neighbour on the memory
// bus) hits both sides of a ratio alike, and the ratio is taken round by
// round (plots/stats.py).  Rounds sweep the whole selection, so slow drifts hit
// every group alike.
void register_rounds();
void fail(benchmark::State &state, const std::string &message);

// The sizes a kernel's points take: --gemv-sizes, --vec-sizes or
// --mc-sizes, by what its size counts in the manifest (matrix, elements,
// samples).
const std::vector<int64_t> &sizes_of(const std::string &kernel);

// Before a BLIS body's loop: BLIS on `threads` threads; false (after
// fail()) when BLIS is not loaded.
bool start_blis(benchmark::State &state, int threads);

// The variants that run hpk's host-pointer API, each through its own
// context: hpk_serial, hpk_omp, and in OpenCL builds hpk_cl_e2e (the same
// calls on an OpenCL context: upload, compute, download).
const std::vector<std::string> &host_api_variants();

// An hpk context for one of host_api_variants() and a thread count.  The
// OpenCL one is the harness's shared context (opencl.h), borrowed.
class Context {
public:
    Context(const std::string &variant, int threads);
    ~Context();
    Context(const Context &) = delete;
    Context &operator=(const Context &) = delete;
    hpk_ctx *get() const { return ctx_; }
    const char *error() const { return hpk_ctx_error_message(ctx_); }

    // After each successful call in the timed loop: on an OpenCL context,
    // adds the call's upload, kernel and download times (from its events);
    // elsewhere nothing.  report() then sets the counters upload_s,
    // kernel_s and download_s, seconds per call; on a CPU context it labels
    // the point with the code path the context ran ("cpu_path:avx2").
    void profile_call();
    void report(benchmark::State &state) const;

private:
    hpk_ctx *ctx_ = nullptr;
    bool owned_ = true;
    bool opencl_ = false;
    double phases_[3] = {0, 0, 0};
    int64_t calls_ = 0;
};

// The body of a point of hpk's host-pointer API (a variant of
// host_api_variants()): a context for `variant` on `threads` threads, one
// untimed call (it builds the programs and faults the data in), then the
// timed loop of calls, each profiled (Context::profile_call), and the
// context's report.  `call(ctx)` makes one call and returns its status; a
// failing call fails the point.
template <class Call> void measure_hpk(benchmark::State &state, const std::string &variant, int threads, Call call)
{
    Context ctx(variant, threads);
    if (call(ctx.get()) != HPK_SUCCESS)
        return fail(state, ctx.error());
    for (auto _ : state) {
        if (call(ctx.get()) != HPK_SUCCESS) {
            fail(state, ctx.error());
            break;
        }
        ctx.profile_call();
    }
    ctx.report(state);
}

// Registers p for each of host_api_variants() (hpk_omp alone when
// `omp_only`), each with measure_hpk's body: `make()`, called in the body
// once the buffers exist, returns its `call`.
template <class MakeCall> void add_hpk(Point p, MakeCall make, bool omp_only = false)
{
    for (const std::string &variant : host_api_variants()) {
        if (omp_only && variant != "hpk_omp")
            continue;
        p.variant = variant;
        add(p, [=](benchmark::State &state, int threads) { measure_hpk(state, variant, threads, make()); });
    }
}

// The kernel families, one file each.
void register_gemv();
void register_reductions();
void register_mc();
void register_batched();
void register_stream();

// Driving the run (main.cpp): buffers, progress, totals, machine context.
double prepare_buffers();            // returns the bytes allocated
int registered_runs();               // points x repetitions
int failed_runs();
void start_progress();
void finish_progress();
void add_machine_context();          // context.cpp
// hpk's CPU code paths this CPU (and this build of hpk) can run, best first
// (context.cpp): the names --cpu-path takes.
std::vector<std::string> supported_cpu_paths();
// The path hpk's CPU contexts run: --cpu-path, else hpk_cpu_path().
std::string cpu_path_in_use();
bool check_cpu_path();               // context.cpp: --cpu-path names a supported path
bool check_peers();                  // context.cpp: BLIS loads, OpenBLAS still answers cblas_ calls

}  // namespace hpkb

#endif
