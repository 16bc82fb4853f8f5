// Loading BLIS beside OpenBLAS without either shadowing the other: dlopen
// with RTLD_LOCAL (its symbols stay out of the global scope, so the
// program's cblas_/BLAS calls still resolve to OpenBLAS) and RTLD_DEEPBIND
// (BLIS's own references resolve inside BLIS first), then dlsym of the typed
// bli_ functions.  blis.h gives their exact types; nothing here links BLIS.
#include "blis_api.h"

#include <blis.h>
#include <dlfcn.h>

#include <mutex>

#ifndef HPK_BENCH_BLIS_LIBRARY
#define HPK_BENCH_BLIS_LIBRARY "libblis.so.4"
#endif

namespace hpkb {

namespace {

struct Api {
    decltype(&bli_ddotv) ddotv;
    decltype(&bli_sdotv) sdotv;
    decltype(&bli_dasumv) dasumv;
    decltype(&bli_sasumv) sasumv;
    decltype(&bli_dnormfv) dnormfv;
    decltype(&bli_snormfv) snormfv;
    decltype(&bli_damaxv) damaxv;
    decltype(&bli_samaxv) samaxv;
    decltype(&bli_dgemv) dgemv;
    decltype(&bli_sgemv) sgemv;
    decltype(&bli_thread_set_num_threads) set_num_threads;
    decltype(&bli_info_get_version_str) version;
    decltype(&bli_info_get_enable_openmp) openmp;
    decltype(&bli_info_get_enable_pthreads) pthreads;
    decltype(&bli_arch_query_id) arch_id;
    decltype(&bli_arch_string) arch_string;
};

Api g_api;
void *g_handle = nullptr;
std::string g_error;
std::once_flag g_once;

template <class F> bool lookup(F *f, const char *name)
{
    *f = reinterpret_cast<F>(dlsym(g_handle, name));
    if (!*f)
        g_error = std::string("BLIS has no ") + name;
    return *f != nullptr;
}

void load()
{
    g_handle = dlopen(HPK_BENCH_BLIS_LIBRARY, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!g_handle) {
        const char *e = dlerror();
        g_error = std::string("cannot load BLIS (") + HPK_BENCH_BLIS_LIBRARY + "): " + (e ? e : "?");
        return;
    }
    Api a;
    if (lookup(&a.ddotv, "bli_ddotv") && lookup(&a.sdotv, "bli_sdotv") && lookup(&a.dasumv, "bli_dasumv") &&
        lookup(&a.sasumv, "bli_sasumv") && lookup(&a.dnormfv, "bli_dnormfv") &&
        lookup(&a.snormfv, "bli_snormfv") && lookup(&a.damaxv, "bli_damaxv") &&
        lookup(&a.samaxv, "bli_samaxv") && lookup(&a.dgemv, "bli_dgemv") && lookup(&a.sgemv, "bli_sgemv") &&
        lookup(&a.set_num_threads, "bli_thread_set_num_threads") &&
        lookup(&a.version, "bli_info_get_version_str") && lookup(&a.openmp, "bli_info_get_enable_openmp") &&
        lookup(&a.pthreads, "bli_info_get_enable_pthreads") && lookup(&a.arch_id, "bli_arch_query_id") &&
        lookup(&a.arch_string, "bli_arch_string"))
        g_api = a;
    else
        g_handle = nullptr;
}

const Api &api()
{
    std::call_once(g_once, load);
    return g_api;
}

}  // namespace

bool blis_available(std::string *why)
{
    api();
    if (!g_handle && why)
        *why = g_error;
    return g_handle != nullptr;
}

std::string blis_description()
{
    std::string why;
    if (!blis_available(&why))
        return "none: " + why;
    const Api &a = api();
    const char *threading = a.openmp() ? "OpenMP" : a.pthreads() ? "pthreads" : "single-threaded";
    return std::string("BLIS ") + a.version() + ", " + a.arch_string(a.arch_id()) + " kernels, " + threading +
           " build, " + HPK_BENCH_BLIS_LIBRARY + " (dlopen, RTLD_LOCAL | RTLD_DEEPBIND)";
}

std::string blis_arch()
{
    if (!blis_available())
        return "";
    const Api &a = api();
    return a.arch_string(a.arch_id());
}

void blis_set_threads(int threads) { api().set_num_threads(dim_t(threads)); }

// BLIS's typed API takes non-const pointers for its inputs; it does not
// write them.
template <class T> static T *in(const T *p) { return const_cast<T *>(p); }

double blis_dot(int64_t n, const double *x, const double *y)
{
    double r;
    api().ddotv(BLIS_NO_CONJUGATE, BLIS_NO_CONJUGATE, dim_t(n), in(x), 1, in(y), 1, &r);
    return r;
}
float blis_dot(int64_t n, const float *x, const float *y)
{
    float r;
    api().sdotv(BLIS_NO_CONJUGATE, BLIS_NO_CONJUGATE, dim_t(n), in(x), 1, in(y), 1, &r);
    return r;
}
double blis_asum(int64_t n, const double *x)
{
    double r;
    api().dasumv(dim_t(n), in(x), 1, &r);
    return r;
}
float blis_asum(int64_t n, const float *x)
{
    float r;
    api().sasumv(dim_t(n), in(x), 1, &r);
    return r;
}
double blis_nrm2(int64_t n, const double *x)
{
    double r;
    api().dnormfv(dim_t(n), in(x), 1, &r);
    return r;
}
float blis_nrm2(int64_t n, const float *x)
{
    float r;
    api().snormfv(dim_t(n), in(x), 1, &r);
    return r;
}
int64_t blis_iamax(int64_t n, const double *x)
{
    dim_t i;
    api().damaxv(dim_t(n), in(x), 1, &i);
    return int64_t(i);
}
int64_t blis_iamax(int64_t n, const float *x)
{
    dim_t i;
    api().samaxv(dim_t(n), in(x), 1, &i);
    return int64_t(i);
}
void blis_gemv(bool trans, int64_t n, const double *a, const double *x, double *y)
{
    double one = 1.0, zero = 0.0;
    api().dgemv(trans ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, BLIS_NO_CONJUGATE, dim_t(n), dim_t(n), &one, in(a),
                inc_t(n), 1, in(x), 1, &zero, y, 1);
}
void blis_gemv(bool trans, int64_t n, const float *a, const float *x, float *y)
{
    float one = 1.0f, zero = 0.0f;
    api().sgemv(trans ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, BLIS_NO_CONJUGATE, dim_t(n), dim_t(n), &one, in(a),
                inc_t(n), 1, in(x), 1, &zero, y, 1);
}

std::string blis_check_isolation(const void *program_cblas_ddot)
{
    if (!blis_available())
        return "";
    const void *blis_own = dlsym(g_handle, "cblas_ddot");
    // The call the program makes, and what a global lookup finds now that
    // BLIS is loaded: both must be OpenBLAS's.
    const void *global = dlsym(RTLD_DEFAULT, "cblas_ddot");
    for (const void *f : {program_cblas_ddot, global}) {
        if (!f)
            return "no cblas_ddot in the program's global scope";
        if (f == blis_own)
            return "cblas_ddot resolves to BLIS's, not OpenBLAS's";
        Dl_info info;
        if (!dladdr(f, &info) || !info.dli_fname || std::string(info.dli_fname).find("openblas") == std::string::npos)
            return std::string("cblas_ddot resolves to ") + (info.dli_fname ? info.dli_fname : "?") + ", not OpenBLAS";
    }
    return "";
}

bool blis_usable(const void *program_cblas_ddot, std::string *why)
{
    if (!blis_available(why))
        return false;
    const std::string shadowed = blis_check_isolation(program_cblas_ddot);
    if (!shadowed.empty())
        *why = "BLIS shadows OpenBLAS: " + shadowed;
    return shadowed.empty();
}

}  // namespace hpkb
