// The machine context recorded in the JSON beside Google Benchmark's own
// (host, CPU count, caches, date): CPU model, compilers and flags, library
// versions, the kernels each library ran (hpk's CPU code path, OpenBLAS's
// core, BLIS's sub-configuration), the OpenMP/OpenBLAS environment and the
// harness's settings.  check_peers() makes sure BLIS, loaded beside
// OpenBLAS, shadows none of OpenBLAS's functions; check_cpu_path() that
// --cpu-path names a path this CPU runs.
#include "blis_api.h"
#include "build_info.h"
#include "harness.h"

#ifdef HPK_BENCH_OPENCL
#include "opencl.h"
#endif

#include <cblas.h>
#include <omp.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char **environ;

namespace hpkb {

static std::string cpu_model()
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            const size_t colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    return "unknown";
}

template <class T> static std::string join(const std::vector<T> &v)
{
    std::ostringstream out;
    for (size_t i = 0; i < v.size(); i++)
        out << (i ? "," : "") << v[i];
    return out.str();
}

static std::string env_or(const char *name, const char *fallback)
{
    const char *v = std::getenv(name);
    return v && *v ? v : fallback;
}

bool check_peers()
{
    const Options &o = options();
    if (std::find(o.variants.begin(), o.variants.end(), "blis") == o.variants.end())
        return true;
    std::string why;
    if (blis_usable(reinterpret_cast<const void *>(&cblas_ddot), &why))
        return true;
    std::fprintf(stderr, "hpk_bench: %s (install libblis-dev, or leave out --variants blis)\n", why.c_str());
    return false;
}

std::vector<std::string> supported_cpu_paths()
{
    // Every name hpk_ctx_set_cpu_path knows, best first; a serial context
    // accepts exactly those this CPU and this build of hpk can run.
    static const char *const names[] = {"avx512", "avx2", "portable", "native"};
    std::vector<std::string> out;
    hpk_ctx *ctx = nullptr;
    if (hpk_ctx_create(&ctx, HPK_BACKEND_SERIAL) != HPK_SUCCESS)
        return out;
    for (const char *name : names)
        if (hpk_ctx_set_cpu_path(ctx, name) == HPK_SUCCESS)
            out.push_back(name);
    hpk_ctx_destroy(ctx);
    return out;
}

std::string cpu_path_in_use()
{
    const std::string &forced = options().cpu_path;
    return forced.empty() ? hpk_cpu_path() : forced;
}

bool check_cpu_path()
{
    const std::string &path = options().cpu_path;
    if (path.empty())
        return true;
    const std::vector<std::string> paths = supported_cpu_paths();
    if (std::find(paths.begin(), paths.end(), path) != paths.end())
        return true;
    std::fprintf(stderr, "hpk_bench: --cpu-path=%s: not a code path this CPU runs (it runs: %s)\n", path.c_str(),
                 join(paths).c_str());
    return false;
}

void add_machine_context()
{
    using benchmark::AddCustomContext;
    const Options &o = options();

    AddCustomContext("cpu_model", cpu_model());
    AddCustomContext("cores", std::to_string(omp_get_num_procs()));
    struct utsname u;
    if (uname(&u) == 0)
        AddCustomContext("os", std::string(u.sysname) + " " + u.release + " " + u.machine);

    AddCustomContext("hpk_version", hpk_version_string());
    // The path hpk's CPU variants ran (--cpu-path, else the best this CPU
    // has) and the one hpk picks by itself.
    AddCustomContext("hpk_cpu_path", cpu_path_in_use());
    AddCustomContext("hpk_default_cpu_path", hpk_cpu_path());
    AddCustomContext("hpk_cpu_paths_supported", join(supported_cpu_paths()));
    AddCustomContext("hpk_commit", env_or("HPK_BENCH_COMMIT", "unknown"));
    AddCustomContext("hpk_build_type", HPK_BENCH_BUILD_TYPE);
    AddCustomContext("hpk_c_compiler", HPK_BENCH_C_COMPILER);
    AddCustomContext("hpk_c_flags", HPK_BENCH_C_FLAGS);
    AddCustomContext("bench_cxx_compiler", HPK_BENCH_CXX_COMPILER);
    AddCustomContext("bench_cxx_flags", HPK_BENCH_CXX_FLAGS);
    AddCustomContext("openmp_version", std::to_string(_OPENMP));
    AddCustomContext("benchmark_version", HPK_BENCH_BENCHMARK_VERSION);

    AddCustomContext("openblas_config", openblas_get_config());
    // The core OpenBLAS runs (its kernels' ISA), and what asked for it:
    // OPENBLAS_CORETYPE (scripts/bench --cpu-path sets it; some machines
    // preset it), else OpenBLAS's own detection.
    AddCustomContext("openblas_core", openblas_get_corename());
    AddCustomContext("openblas_coretype_env", env_or("OPENBLAS_CORETYPE", "(not set)"));
    static const char *const parallel[] = {"sequential", "pthreads", "openmp"};
    const int par = openblas_get_parallel();
    AddCustomContext("openblas_parallel", par >= 0 && par <= 2 ? parallel[par] : "unknown");
    AddCustomContext("openblas_library", HPK_BENCH_OPENBLAS_LIBRARY);
    AddCustomContext("blis", blis_description());
    AddCustomContext("blis_arch", blis_arch());

#ifdef HPK_BENCH_OPENCL
    AddCustomContext("opencl_device", opencl_device_description());
#else
    AddCustomContext("opencl_device", "none (hpk built without HPK_WITH_OPENCL)");
#endif
    AddCustomContext("clblast_version", HPK_BENCH_CLBLAST_VERSION);

    // Threading environment: binding and wait policies change the results.
    std::string threading;
    for (char **e = environ; *e; e++)
        for (const char *prefix : {"OMP_", "GOMP_", "KMP_", "OPENBLAS_", "GOTO_"})
            if (std::strncmp(*e, prefix, std::strlen(prefix)) == 0)
                threading += (threading.empty() ? "" : " ") + std::string(*e);
    AddCustomContext("threading_env", threading.empty() ? "(none set)" : threading);

    AddCustomContext("command", env_or("HPK_BENCH_COMMAND", "hpk_bench"));
    // scripts/bench samples the load before it builds (the build's own load
    // is in Google Benchmark's load_avg, read as the runs start).
    AddCustomContext("load_before_build", env_or("HPK_BENCH_LOAD_BEFORE_BUILD", "not recorded"));
    AddCustomContext("kernels", join(o.kernels));
    AddCustomContext("variants", join(o.variants));
    AddCustomContext("threads", join(o.threads));
    std::ostringstream settings;
    settings << "repetitions=" << o.repetitions << " min_time=" << o.min_time << "s warmup=" << o.warmup
             << "s pause=" << o.pause << "s rounds=grouped real_time=true";
    AddCustomContext("harness", settings.str());
}

}  // namespace hpkb
