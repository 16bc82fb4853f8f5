// The variant registry, the shared buffers, and add(): registration of a
// point with Google Benchmark, the pause between thread pools, the
// throughput counters and the progress line.
#include "harness.h"

#include "blis_api.h"
#ifdef HPK_BENCH_OPENCL
#include "opencl.h"
#endif

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <tuple>
#include <thread>

namespace hpkb {

// ---- the variant registry --------------------------------------------------
static Pool pool_from_name(const char *name)
{
    const char *const names[] = {"none", "openmp", "openblas", "opencl"};
    for (int p = 0; p < int(sizeof names / sizeof names[0]); p++)
        if (std::strcmp(name, names[p]) == 0)
            return Pool(p);
    std::fprintf(stderr, "hpk_bench: bench/manifest.h names an unknown pool '%s'\n", name);
    std::exit(2);
}

// The manifest's variants that hpk_bench runs (the OpenCL ones in OpenCL
// builds only), in its order.
const std::vector<Variant> &variants()
{
    static const std::vector<Variant> v = [] {
        std::vector<Variant> out;
        for (int i = 0; i < hpkb_variant_count; i++) {
            const hpkb_variant &m = hpkb_variants[i];
#ifndef HPK_BENCH_OPENCL
            if (m.device)
                continue;
#endif
            if (m.harness)
                out.push_back({m.name, pool_from_name(m.pool), m.threaded != 0, m.description});
        }
        return out;
    }();
    return v;
}

const std::vector<std::string> &host_api_variants()
{
    static const std::vector<std::string> v = {
        "hpk_serial", "hpk_omp",
#ifdef HPK_BENCH_OPENCL
        "hpk_cl_e2e",
#endif
    };
    return v;
}

static const Variant *find_variant(const std::string &name)
{
    for (const Variant &v : variants())
        if (name == v.name)
            return &v;
    return nullptr;
}

// ---- hpk contexts ----------------------------------------------------------
Context::Context(const std::string &variant, int threads)
{
#ifdef HPK_BENCH_OPENCL
    if (variant == "hpk_cl_e2e") {
        ctx_ = opencl_context();  // add() registers OpenCL points only when it exists
        owned_ = false;
        opencl_ = true;
        return;
    }
#endif
    const hpk_backend backend = variant == "hpk_serial" ? HPK_BACKEND_SERIAL : HPK_BACKEND_OPENMP;
    if (hpk_ctx_create(&ctx_, backend) != HPK_SUCCESS)
        return;
    hpk_ctx_set_num_threads(ctx_, threads);
    // --cpu-path (checked by check_cpu_path() before any point runs).
    const std::string &path = options().cpu_path;
    if (!path.empty() && hpk_ctx_set_cpu_path(ctx_, path.c_str()) != HPK_SUCCESS) {
        // Never measure another path under this one's name.
        std::fprintf(stderr, "hpk_bench: --cpu-path=%s: %s\n", path.c_str(), hpk_ctx_error_message(ctx_));
        std::exit(1);
    }
}

Context::~Context()
{
    if (owned_)
        hpk_ctx_destroy(ctx_);
}

void Context::profile_call()
{
#ifdef HPK_BENCH_OPENCL
    hpk_profile p;
    if (opencl_ && hpk_ctx_last_profile(ctx_, &p) == HPK_SUCCESS) {
        phases_[0] += p.upload_s;
        phases_[1] += p.kernel_s;
        phases_[2] += p.download_s;
        calls_++;
    }
#endif
}

void Context::report(benchmark::State &state) const
{
    // The code path this context ran, read back from it: the JSON's
    // "label" of every CPU point of hpk.
    if (!opencl_ && ctx_)
        if (const char *path = hpk_ctx_get_cpu_path(ctx_))
            state.SetLabel(std::string("cpu_path:") + path);
    if (calls_ == 0)
        return;
    state.counters["upload_s"] = phases_[0] / double(calls_);
    state.counters["kernel_s"] = phases_[1] / double(calls_);
    state.counters["download_s"] = phases_[2] / double(calls_);
}

// ---- data --------------------------------------------------------------------
static const char *const kDataNames[] = {"uniform", "zeros", "subnormal", "huge", "tiny", "nan", "equal"};

const char *data_name(Data d)
{
    return kDataNames[int(d)];
}

bool data_from_name(const std::string &name, Data *d)
{
    for (int i = 0; i < int(sizeof kDataNames / sizeof kDataNames[0]); i++)
        if (name == kDataNames[i]) {
            *d = Data(i);
            return true;
        }
    return false;
}

// ---- buffers ---------------------------------------------------------------
struct Storage {
    int64_t elements = 0;
    void *data = nullptr;
};
static std::map<std::tuple<Buf, char, Data>, Storage> g_buffers;

// The uniform values made into `data`: every tenth an exact zero; scaled
// into the subnormal range, near the top or the bottom of the exponent
// range (1e+-300 in double, 1e+-30 in float); every hundredth a NaN; all
// equal.
template <class T> static void shape(T *p, int64_t n, Data data)
{
    const bool f = sizeof(T) == sizeof(float);
    const double scale = data == Data::subnormal ? (f ? 0x1p-140 : 0x1p-1060)
                         : data == Data::huge    ? (f ? 1e30 : 1e300)
                         : data == Data::tiny    ? (f ? 1e-30 : 1e-300)
                                                 : 1.0;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) {
        if (data == Data::zeros && i % 10 == 0)
            p[i] = 0;
        else if (data == Data::nan && i % 100 == 7)
            p[i] = T(NAN);
        else if (data == Data::equal)
            p[i] = T(0.75);
        else if (scale != 1.0)
            p[i] = T(double(p[i]) * scale);
    }
}

template <class T> static void fill_random(T *p, int64_t n, uint64_t seed)
{
    // splitmix64 of the index: the same values whatever the thread count,
    // written by the threads that will read them (first touch).
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) {
        uint64_t z = seed + uint64_t(i) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        p[i] = T(double(z >> 11) * 0x1.0p-52 - 1.0);
    }
}

double prepare_buffers()
{
    double bytes = 0;
    uint64_t seed = 1;
    for (auto &[key, s] : g_buffers) {
        const size_t elem = std::get<1>(key) == 's' ? sizeof(float) : sizeof(double);
        const size_t size = (size_t(s.elements) * elem + 4095) / 4096 * 4096;
        s.data = std::aligned_alloc(4096, size);
        if (!s.data) {
            std::fprintf(stderr, "hpk_bench: cannot allocate %zu bytes\n", size);
            std::exit(1);
        }
        const Data data = std::get<2>(key);
        if (std::get<1>(key) == 's') {
            fill_random(static_cast<float *>(s.data), s.elements, seed++);
            shape(static_cast<float *>(s.data), s.elements, data);
        } else {
            fill_random(static_cast<double *>(s.data), s.elements, seed++);
            shape(static_cast<double *>(s.data), s.elements, data);
        }
        bytes += double(size);
    }
    return bytes;
}

template <class T> T *buffer(Buf b, Data data)
{
    return static_cast<T *>(g_buffers[{b, sizeof(T) == sizeof(float) ? 's' : 'd', data}].data);
}
template float *buffer<float>(Buf, Data);
template double *buffer<double>(Buf, Data);

template <class T> int64_t buffer_elements(Buf b)
{
    return g_buffers[{b, sizeof(T) == sizeof(float) ? 's' : 'd', Data::uniform}].elements;
}
template int64_t buffer_elements<float>(Buf);
template int64_t buffer_elements<double>(Buf);

// ---- progress --------------------------------------------------------------
// Google Benchmark calls a run's body several times (its warm-up, the calls
// that size its iteration count, the timed one), so progress is counted
// here: a call that follows a call of another run starts that run.
using Clock = std::chrono::steady_clock;
static int g_runs_total = 0, g_runs_started = 0, g_failed = 0;
static int g_last_run = -1;
static Clock::time_point g_start, g_last_print;
static bool g_tty = false;

int registered_runs() { return g_runs_total; }
int failed_runs() { return g_failed; }

static std::string clock_text(double s)
{
    char buf[32];
    const long t = long(s + 0.5);
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
    return buf;
}

void start_progress()
{
    g_tty = isatty(STDOUT_FILENO);
    g_start = g_last_print = Clock::now();
}

static void show_progress(const std::string &name)
{
    const Clock::time_point now = Clock::now();
    const double since_print = std::chrono::duration<double>(now - g_last_print).count();
    if (since_print < (g_tty ? 0.5 : 15.0))
        return;
    g_last_print = now;
    const double elapsed = std::chrono::duration<double>(now - g_start).count();
    const double done = double(std::min(g_runs_started, g_runs_total)) / std::max(g_runs_total, 1);
    const double left = done > 0.02 ? elapsed * (1 - done) / done : NAN;
    std::printf("%s[%3.0f%%] %s elapsed, %s left  %-60s%s", g_tty ? "\r" : "", 100 * done,
                clock_text(elapsed).c_str(), std::isnan(left) ? "?" : clock_text(left).c_str(),
                name.c_str(), g_tty ? "" : "\n");
    std::fflush(stdout);
}

void finish_progress()
{
    const double elapsed = std::chrono::duration<double>(Clock::now() - g_start).count();
    std::printf("%s[100%%] %d runs measured in %s%s\n", g_tty ? "\r" : "", g_runs_total,
                clock_text(elapsed).c_str(), g_tty ? std::string(60, ' ').c_str() : "");
}

// ---- the pause between thread pools ------------------------------------------
// After a call on several threads, OpenBLAS's pthreads workers spin for
// about 0.1 s (2^28 cycles) and libgomp's for about 10 ms before they sleep;
// a run that starts meanwhile shares its cores with them.  So a run waits
// until the workers of every other pool have gone to sleep: options().pause
// seconds after a multithreaded OpenBLAS run, a tenth of that after an
// OpenMP or OpenCL one (the OpenCL device's threads work on every core).
// Single-threaded CPU runs wake no workers.
constexpr int kPools = int(Pool::opencl) + 1;
static Clock::time_point g_spinning_until[kPools];

static void settle(Pool pool)
{
    for (int q = 0; q < kPools; q++)
        if (q != int(pool))
            std::this_thread::sleep_until(g_spinning_until[q]);
}

static void ran(Pool pool, int threads)
{
    if ((threads > 1 && pool != Pool::none) || pool == Pool::opencl) {
        const double spin = pool == Pool::openblas ? options().pause : options().pause / 10;
        g_spinning_until[int(pool)] =
            Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spin));
    }
}

void fail(benchmark::State &state, const std::string &message)
{
    static std::map<std::string, bool> reported;
    if (!reported[message]) {
        std::fprintf(stderr, "\nhpk_bench: %s\n", message.c_str());
        reported[message] = true;
    }
    g_failed++;
    state.SkipWithError(message.c_str());
}

bool start_blis(benchmark::State &state, int threads)
{
    std::string why;
    if (!blis_available(&why)) {
        fail(state, why);
        return false;
    }
    blis_set_threads(threads);
    return true;
}

// ---- registration ----------------------------------------------------------
const std::vector<int64_t> &sizes_of(const std::string &kernel)
{
    const Options &o = options();
    const hpkb_kernel *k = hpkb_find_kernel(kernel.c_str());
    const std::string size = k ? k->size : "";
    if (size == "matrix")
        return o.gemv_sizes;
    if (size == "samples")
        return o.mc_sizes;
    if (size != "elements") {
        std::fprintf(stderr, "hpk_bench: kernel %s: no --*-sizes option for its size '%s' (bench/manifest.h)\n",
                     kernel.c_str(), size.c_str());
        std::exit(2);
    }
    return o.vec_sizes;
}

// The runs add() collects, each with its group (kernel, precision, size,
// data and increment: the runs whose times the study compares), for
// register_rounds().
struct Pending {
    std::string group, name;
    std::function<void(benchmark::State &)> run;
};
static std::vector<Pending> g_pending;

static bool selected(const std::vector<std::string> &list, const std::string &item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

void add(const Point &p, Body body)
{
    const Options &o = options();
    const Variant *v = find_variant(p.variant);
    const hpkb_kernel *k = hpkb_find_kernel(p.kernel.c_str());
    if (!v || !k || !k->harness || !std::strchr(k->precisions, p.precision)) {
        std::fprintf(stderr, "hpk_bench: %s is not in the manifest (bench/manifest.h)\n",
                     !v ? ("variant " + p.variant).c_str()
                        : ("kernel " + p.kernel + (k ? std::string(" in precision ") + p.precision : "")).c_str());
        std::exit(2);
    }
    // The rooflines (STREAM, the device's) serve every precision: --precisions does not drop them.
    const bool precision_ok = selected(o.precisions, std::string(1, p.precision)) || k->roofline;
    if (!selected(o.kernels, p.kernel) || !precision_ok || !selected(o.variants, p.variant))
        return;
#ifdef HPK_BENCH_OPENCL
    if (v->pool == Pool::opencl && !opencl_available())
        return;
#endif
    for (const auto &[buf, elements] : p.buffers) {
        Storage &s = g_buffers[{buf, p.precision, p.data}];
        s.elements = std::max(s.elements, elements);
    }
    // Points of the default study's data and stride checks run on 1 thread (Options::data, incs).
    const bool one_thread = !v->threaded || data_check_only(p.data) || inc_check_only(p.inc);
    const std::vector<int> threads = one_thread ? std::vector<int>{1} : o.threads;
    for (const int t : threads) {
        // after the size: the data and the increment where they are not the default
        const std::string inputs = (p.data == Data::uniform ? "" : std::string("/data:") + data_name(p.data)) +
                                   (p.inc == 1 ? "" : "/inc:" + std::to_string(p.inc));
        const std::string name = p.kernel + "/" + p.precision + "/" + p.variant + "/size:" +
                                 std::to_string(p.size) + inputs + "/threads:" + std::to_string(t);
        const Work w = p.work;
        const Pool pool = v->pool;
        const std::string group = p.kernel + "/" + p.precision + "/size:" + std::to_string(p.size) + inputs;
        g_pending.push_back({group, name, [=](benchmark::State &state) {
            settle(pool);
            body(state, t);
            ran(pool, t);

            using C = benchmark::Counter;
            state.counters["size"] = C(double(p.size));
            state.counters["threads"] = C(t);
            state.counters["working_set"] = C(w.working_set);
            if (w.bytes > 0) {
                state.counters["bytes"] = C(w.bytes);
                state.counters["GB/s"] = C(w.bytes / 1e9, C::kIsIterationInvariantRate);
            }
            if (w.flops > 0) {
                state.counters["flops"] = C(w.flops);
                state.counters["GFLOP/s"] = C(w.flops / 1e9, C::kIsIterationInvariantRate);
            }
            if (w.samples > 0) {
                state.counters["samples"] = C(w.samples);
                state.counters["Msamples/s"] = C(w.samples / 1e6, C::kIsIterationInvariantRate);
            }
        }});
    }
}

void register_rounds()
{
    const Options &o = options();
    // The groups in the order they were added, each with its runs.
    std::vector<std::string> groups;
    std::map<std::string, std::vector<const Pending *>> runs;
    for (const Pending &r : g_pending) {
        if (runs.find(r.group) == runs.end())
            groups.push_back(r.group);
        runs[r.group].push_back(&r);
    }
    std::mt19937 shuffle_rng(20261207);
    for (int round = 0; round < o.repetitions; round++) {
        std::shuffle(groups.begin(), groups.end(), shuffle_rng);
        for (const std::string &g : groups) {
            const std::vector<const Pending *> &members = runs[g];
            for (size_t i = 0; i < members.size(); i++) {
                // Each round starts the group at another run, so that no
                // variant always runs first (or right after another one).
                const Pending *r = members[(i + size_t(round)) % members.size()];
                const int id = g_runs_total;
                benchmark::RegisterBenchmark(r->name.c_str(), [r, round, id](benchmark::State &state) {
                    if (g_last_run != id) {  // the first of the run's calls
                        g_runs_started++;
                        g_last_run = id;
                    }
                    show_progress(r->name);
                    r->run(state);
                    state.counters["round"] = benchmark::Counter(round);
                })
                    ->UseRealTime()
                    ->Unit(benchmark::kMicrosecond)
                    ->MinTime(o.min_time)
                    ->MinWarmUpTime(o.warmup)
                    ->Repetitions(1);
                g_runs_total++;
            }
        }
    }
}

}  // namespace hpkb
