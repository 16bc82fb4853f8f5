// The harness's command-line flags: which kernels, precisions, variants,
// thread counts and sizes the study sweeps, and how long it measures.
#include "harness.h"
#include "lists.h"

#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace hpkb {

static const char *const kUsage = R"(usage: hpk_bench [options] [Google Benchmark flags]

Sweeps hpk's kernels over sizes, thread counts and variants against OpenBLAS
(and, in OpenCL builds, CLBlast on the OpenCL device), with a STREAM
bandwidth measurement, and reports through Google Benchmark
(write the JSON with --benchmark_out=FILE).  It runs in rounds, one
repetition of every point per round: each round takes the points' groups
(a kernel, precision, size, data and increment: every variant and thread
count) in a new random order, a group's points back to back, so that the
ratios the study reports compare times taken seconds apart.  A run waits
until other libraries' worker threads have stopped spinning.

@KERNELS@
  --precisions=LIST    s d (default: s,d; mc_pi computes in double: d)
@VARIANTS@
  --threads=LIST       thread counts (default: 1, 2, 4, ... and all cores)
  --gemv-sizes=LIST    m = n of the matrices (default: 64:8192:2)
  --vec-sizes=LIST     vector elements (default: 2^10:2^26:4)
  --mc-sizes=LIST      Monte Carlo samples (default: 2^16:2^24:4)
  --batch-bytes=LIST   the batched family's working sets in bytes (default:
                       2^14:2^26:4); each point's problem count is the most
                       problems that fit in one (at least 1)
  --data=LIST          the reductions' inputs: uniform (random in [-1, 1)),
                       zeros (every tenth 0), subnormal, huge (x 1e300, float
                       x 1e30), tiny (x 1e-300, float x 1e-30), nan (every
                       hundredth NaN), equal (all 0.75).  Default: uniform
                       everywhere, every other kind at 2^14 and 2^24
                       elements (where those are vector sizes) on 1 thread
                       for hpk_omp and openblas; given, every kind everywhere
  --incs=LIST          the reductions' increments (dot: both vectors'), 1 to
                       4096.  Default: 1 everywhere, 2 at 2^14 and 2^24
                       elements (where those are vector sizes) on 1 thread,
                       uniform data, for hpk_omp and openblas; given, every
                       increment everywhere for hpk_omp and openblas (the
                       other variants take increment 1 only)
  --repetitions=N      repetitions per point, reported as median (default: 5)
  --min-time=S         seconds per repetition (default: 0.02)
  --warmup=S           seconds of warm-up before the first repetition (default: 0.02)
  --pause=S            seconds from a multithreaded OpenBLAS run to a run of
                       another pool (default: 0.2; from an OpenMP run: S/10)
  --cpu-path=NAME      run hpk's CPU variants (hpk_serial, hpk_omp) on this
                       code path (avx512 avx2 portable; hpk_ctx_set_cpu_path)
                       instead of the best one this CPU has; the JSON's
                       context records it (hpk_cpu_path) beside OpenBLAS's
                       core and BLIS's sub-configuration.  OpenBLAS's core
                       is set by OPENBLAS_CORETYPE in the environment
  --list-cpu-paths     print the code paths this CPU runs, best first, and exit
  --manifest           print the kernel manifest (kernels, groups, variants:
                       bench/manifest.h) as JSON and exit
  --dry-run            check the options and that they select some point,
                       print the number of runs, allocate and run nothing
  --help               this text

A LIST is comma-separated.  Sizes may be written 2^K, and LO:HI:F is the
geometric range LO, LO*F, ... up to HI (e.g. 2^10:2^26:4).
)";

Options &options()
{
    static Options o;
    return o;
}

bool data_check_only(Data data)
{
    return data != Data::uniform && !options().data_given;
}

bool inc_check_only(int64_t inc)
{
    return inc != 1 && !options().incs_given;
}


// ---- the kernel and variant names, from the manifest (manifest.h) ----------
// The kernels hpk_bench runs, in the manifest's order.
static std::vector<const hpkb_kernel *> harness_kernels()
{
    std::vector<const hpkb_kernel *> out;
    for (int i = 0; i < hpkb_kernel_count; i++)
        if (hpkb_kernels[i].harness)
            out.push_back(&hpkb_kernels[i]);
    return out;
}

// The --kernels groups, in the order of their first kernel ("all" not included).
static std::vector<std::string> kernel_groups()
{
    std::vector<std::string> out;
    for (const hpkb_kernel *k : harness_kernels())
        if (std::find(out.begin(), out.end(), k->group) == out.end())
            out.push_back(k->group);
    return out;
}

// Whether a group's kernels span both rooflines (the CPU's and the device's).
static bool both_rooflines(const std::string &group)
{
    bool cpu = false, device = false;
    for (const hpkb_kernel *k : harness_kernels())
        if (group == k->group && k->roofline) {
            cpu = cpu || std::strcmp(k->roofline, "cpu") == 0;
            device = device || std::strcmp(k->roofline, "device") == 0;
        }
    return cpu && device;
}

// Whether a group's kernels run only when asked for (harness 2: not in "all").
static bool only_when_asked(const std::string &group)
{
    for (const hpkb_kernel *k : harness_kernels())
        if (group == k->group && k->harness == 1)
            return false;
    return true;
}

static std::string joined(const std::vector<std::string> &words, const char *sep = " ")
{
    std::string out;
    for (const std::string &w : words)
        out += (out.empty() ? "" : sep) + w;
    return out;
}

// One option of the usage: its name, then `text` wrapped to 78 columns
// with the continuation lines under the text's first column.
static std::string usage_entry(const std::string &option, const std::string &text)
{
    const size_t indent = 23;
    std::string out = "  " + option + std::string(indent - 2 - option.size(), ' '), line;
    std::istringstream words(text);
    for (std::string w; words >> w;) {
        if (!line.empty() && indent + line.size() + 1 + w.size() > 78) {
            out += line + "\n" + std::string(indent, ' ');
            line.clear();
        }
        line += (line.empty() ? "" : " ") + w;
    }
    return out + line + "\n";
}

static std::string usage()
{
    std::vector<std::string> host, device, groups;
    for (const hpkb_kernel *k : harness_kernels())
        (k->roofline && std::strcmp(k->roofline, "device") == 0 ? device : host).push_back(k->name);
    for (const std::string &g : kernel_groups())
        groups.push_back(both_rooflines(g) ? g + " (both rooflines)" : only_when_asked(g) ? g + " (not in all)" : g);
    const std::string kernels = joined(host) + ", and the OpenCL device's roofline (variant device): " +
                                joined(device) + "; groups: " + joined(groups) + " all (default: all)";
    std::vector<std::string> cpu, opencl;
    for (int i = 0; i < hpkb_variant_count; i++) {
        const hpkb_variant &v = hpkb_variants[i];
        if (v.harness)
            (v.device ? opencl : cpu).push_back(std::string(v.name) + (v.note ? std::string(" (") + v.note + ")" : ""));
    }
    const std::string variants = joined(cpu) + ", and in OpenCL builds " + joined(opencl) + " (default: all)";
    std::string text = kUsage;
    text.replace(text.find("@KERNELS@\n"), 10, usage_entry("--kernels=LIST", kernels));
    text.replace(text.find("@VARIANTS@\n"), 11, usage_entry("--variants=LIST", variants));
    return text;
}

// --kernels: kernel names and groups (also "all") to kernel names.
static std::vector<std::string> expand_kernels(const std::vector<std::string> &names, bool *ok)
{
    std::vector<std::string> out;
    for (const std::string &n : names) {
        bool known = false;
        for (const hpkb_kernel *k : harness_kernels())
            if (n == k->name || n == k->group || (n == "all" && k->harness == 1)) {
                out.push_back(k->name);
                known = true;
            }
        if (!known) {
            std::vector<std::string> all;
            for (const hpkb_kernel *k : harness_kernels())
                all.push_back(k->name);
            std::fprintf(stderr, "hpk_bench: unknown kernel '%s' (%s, or %s all)\n", n.c_str(), joined(all).c_str(),
                         joined(kernel_groups()).c_str());
            *ok = false;
        }
    }
    return out;
}

static void set_defaults(Options &o)
{
    bool ok = true;
    o.kernels = expand_kernels({"all"}, &ok);
    o.precisions = {"s", "d"};
    for (const Variant &v : variants())
        o.variants.push_back(v.name);
    const int cores = omp_get_num_procs();
    for (int t = 1; t < cores; t *= 2)
        o.threads.push_back(t);
    o.threads.push_back(cores);
    parse_sizes("64:8192:2", &o.gemv_sizes);
    parse_sizes("2^10:2^26:4", &o.vec_sizes);
    parse_sizes("2^16:2^24:4", &o.mc_sizes);
    parse_sizes("2^14:2^26:4", &o.batch_bytes);
}

// One flag "--name=value"; returns false when it is not one of ours.
static bool parse_flag(Options &o, const std::string &name, const std::string &value, bool *ok)
{
    auto number = [&](double lo) {
        char *end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        if (value.empty() || *end || !(v >= lo)) {
            std::fprintf(stderr, "hpk_bench: --%s needs a number >= %g\n", name.c_str(), lo);
            *ok = false;
        }
        return v;
    };
    auto sizes = [&](std::vector<int64_t> *out) {
        if (!parse_sizes(value, out)) {
            std::fprintf(stderr,
                         "hpk_bench: bad list --%s=%s (counts >= 1 written N or 2^K, or ranges LO:HI:F "
                         "with LO <= HI and F >= 2)\n",
                         name.c_str(), value.c_str());
            *ok = false;
        }
    };
    if (name == "kernels")
        o.kernels = expand_kernels(split(value), ok);
    else if (name == "precisions")
        o.precisions = split(value);
    else if (name == "variants")
        o.variants = split(value);
    else if (name == "threads") {
        std::vector<int64_t> t;
        sizes(&t);
        o.threads.assign(t.begin(), t.end());
    } else if (name == "gemv-sizes")
        sizes(&o.gemv_sizes);
    else if (name == "vec-sizes")
        sizes(&o.vec_sizes);
    else if (name == "mc-sizes")
        sizes(&o.mc_sizes);
    else if (name == "batch-bytes")
        sizes(&o.batch_bytes);
    else if (name == "data") {
        o.data.clear();
        o.data_given = true;
        for (const std::string &d : split(value)) {
            Data kind;
            if (!data_from_name(d, &kind)) {
                std::fprintf(stderr,
                             "hpk_bench: unknown data '%s' (uniform zeros subnormal huge tiny nan equal)\n",
                             d.c_str());
                *ok = false;
            } else {
                o.data.push_back(kind);
            }
        }
    } else if (name == "incs") {
        o.incs_given = true;
        sizes(&o.incs);
        if (std::any_of(o.incs.begin(), o.incs.end(), [](int64_t inc) { return inc > kMaxInc; })) {
            std::fprintf(stderr, "hpk_bench: --incs=%s: an increment above %lld\n", value.c_str(),
                         (long long)kMaxInc);
            *ok = false;
        }
    } else if (name == "repetitions")
        o.repetitions = int(number(1));
    else if (name == "min-time")
        o.min_time = number(1e-4);
    else if (name == "warmup")
        o.warmup = number(0);
    else if (name == "pause")
        o.pause = number(0);
    else if (name == "cpu-path")
        o.cpu_path = value;
    else
        return false;
    return true;
}

bool parse_options(int *argc, char **argv)
{
    Options &o = options();
    set_defaults(o);
    bool ok = true;
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage().c_str(), stdout);
            std::exit(0);
        }
        if (arg == "--manifest") {
            hpkb_manifest_write(stdout);
            std::exit(std::ferror(stdout) ? 1 : 0);
        }
        if (arg == "--dry-run") {
            o.dry_run = true;
            continue;
        }
        if (arg == "--list-cpu-paths") {
            o.list_cpu_paths = true;
            continue;
        }
        const size_t eq = arg.find('=');
        if (arg.rfind("--", 0) == 0 && eq != std::string::npos &&
            parse_flag(o, arg.substr(2, eq - 2), arg.substr(eq + 1), &ok))
            continue;
        argv[kept++] = argv[i];
    }
    *argc = kept;
    for (const std::string &v : o.variants) {
        bool known = false;
        for (const Variant &r : variants())
            known = known || v == r.name;
        if (!known) {
            std::string names;
            for (const Variant &r : variants())
                names += std::string(names.empty() ? "" : " ") + r.name;
            std::fprintf(stderr, "hpk_bench: unknown variant '%s' (%s)\n", v.c_str(), names.c_str());
            ok = false;
        }
    }
    for (const std::string &p : o.precisions)
        if (p != "s" && p != "d") {
            std::fprintf(stderr, "hpk_bench: unknown precision '%s' (s, d)\n", p.c_str());
            ok = false;
        }
    return ok;
}

}  // namespace hpkb
