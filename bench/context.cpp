// The machine context recorded in the JSON beside Google Benchmark's own
// (host, CPU count, caches, date): CPU model, compilers and flags, library
// versions, hpk's CPU code path, the OpenMP/OpenBLAS environment and the
// harness's settings.  check_peers() makes sure BLIS, loaded beside
// OpenBLAS, shadows none of OpenBLAS's functions.
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
    AddCustomContext("hpk_cpu_path", hpk_cpu_path());
    AddCustomContext("hpk_commit", env_or("HPK_BENCH_COMMIT", "unknown"));
    AddCustomContext("hpk_build_type", HPK_BENCH_BUILD_TYPE);
    AddCustomContext("hpk_c_compiler", HPK_BENCH_C_COMPILER);
    AddCustomContext("hpk_c_flags", HPK_BENCH_C_FLAGS);
    AddCustomContext("bench_cxx_compiler", HPK_BENCH_CXX_COMPILER);
    AddCustomContext("bench_cxx_flags", HPK_BENCH_CXX_FLAGS);
    AddCustomContext("openmp_version", std::to_string(_OPENMP));
    AddCustomContext("benchmark_version", HPK_BENCH_BENCHMARK_VERSION);

    AddCustomContext("openblas_config", openblas_get_config());
    AddCustomContext("openblas_core", openblas_get_corename());
    static const char *const parallel[] = {"sequential", "pthreads", "openmp"};
    const int par = openblas_get_parallel();
    AddCustomContext("openblas_parallel", par >= 0 && par <= 2 ? parallel[par] : "unknown");
    AddCustomContext("openblas_library", HPK_BENCH_OPENBLAS_LIBRARY);
    AddCustomContext("blis", blis_description());

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
             << "s pause=" << o.pause << "s random_interleaving=true real_time=true";
    AddCustomContext("harness", settings.str());
}

}  // namespace hpkb
