// hpk_accuracy: the reductions' rounding errors.  For sum, asum, dot and
// nrm2, in float and double, over sizes and kinds of data (well and badly
// conditioned, huge and tiny), it runs hpk, OpenBLAS, BLIS and the textbook
// loop once each and writes one CSV row per result: its relative error
// against a compensated long-double reference and that error in ulps of the
// reference rounded to the data's precision.  scripts/bench runs it into
// accuracy.csv; plots/accuracy.py turns that into a table and a plot.
#include "blis_api.h"
#include "lists.h"

#include <cblas.h>
#include <hpk/hpk.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char *const kUsage = R"(usage: hpk_accuracy [--sizes=LIST] [--kernels=LIST] [--precisions=LIST] [--out=FILE]

Runs sum, asum, dot and nrm2 of hpk (OpenMP backend), OpenBLAS (1 thread),
BLIS (no sum: it has none) and the textbook loop (one accumulator in the
data's precision, in element order) once per size and kind of data, and
writes CSV (to FILE, default stdout) with the columns
  kernel precision data n condition library result reference rel_error ulps
reference: the exact terms (dot: x_i*y_i split exactly into two doubles
with fma; nrm2: x_i^2 in long double) summed in long double with Neumaier's
compensation -- relative error below 1e-18 at these sizes and conditions;
condition: sum |t_i| / |sum t_i| over the summed terms t_i (1 for asum and
nrm2); rel_error: |result - reference| / |reference| (inf for an Inf or
NaN result); ulps: |result - reference| / the spacing of the data's
precision at the reference.
Data:
  uniform  x (and y) uniform in [0, 1): well conditioned
  cancel   sum: values v and -v at shuffled places, each plus noise in
           [0, 1e-6); dot: x_i = x_j = w and y_i = v, y_j = -v at shuffled
           pairs (i, j), y plus the same noise: nearly orthogonal
  huge     nrm2 of uniform [0.5, 1) x 1e200 (float: x 1e30): squares overflow
  tiny     nrm2 of uniform [0.5, 1) x 1e-200 (float: x 1e-30): squares underflow
  --sizes=LIST       element counts >= 2 (default 2^10:2^24:4); N, 2^K or LO:HI:F
  --kernels=LIST     sum asum dot nrm2 (others, e.g. gemv_n, are ignored;
                     the groups reductions and all select every one)
  --precisions=LIST  s d
)";

using hpkb::parse_sizes;
using hpkb::split;

// ---- data -------------------------------------------------------------------
struct Rng {
    uint64_t state;
    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

template <class T> struct Vectors {
    std::vector<T> x, y;
};

// x (and y, for dot) for one kind of data; the seed depends on everything
// that names the row, so each row is reproducible on its own.
template <class T> Vectors<T> make(const std::string &kernel, const std::string &data, int64_t n)
{
    Rng r{uint64_t(n) * 1000003u + std::hash<std::string>()(kernel + data) + sizeof(T)};
    Vectors<T> v;
    v.x.resize(size_t(n));
    if (kernel == "dot")
        v.y.resize(size_t(n));
    if (data == "uniform" || data == "huge" || data == "tiny") {
        const bool f = sizeof(T) == sizeof(float);
        const double scale = data == "huge" ? (f ? 1e30 : 1e200) : data == "tiny" ? (f ? 1e-30 : 1e-200) : 1.0;
        for (int64_t i = 0; i < n; i++)
            v.x[i] = data == "uniform" ? T(r.uniform()) : T((0.5 + 0.5 * r.uniform()) * scale);
        for (T &e : v.y)
            e = T(r.uniform());
        return v;
    }
    // cancel: pairs (i, i + n/2) before the shuffle; an odd last element
    // keeps its noise alone.
    const int64_t half = n / 2;
    std::vector<T> &c = kernel == "dot" ? v.y : v.x;
    for (int64_t k = 0; k < half; k++) {
        const T val = T(r.uniform());
        c[k] = val;
        c[k + half] = -val;
        if (kernel == "dot")
            v.x[k] = v.x[k + half] = T(r.uniform());
    }
    for (int64_t i = 0; i < n; i++)
        c[i] = T(double(c[i]) + 1e-6 * r.uniform());
    if (kernel == "dot" && (n & 1))
        v.x[n - 1] = T(r.uniform());
    for (int64_t i = n - 1; i > 0; i--) {  // Fisher-Yates, the same swaps for x and y
        const int64_t j = int64_t(r.next() % uint64_t(i + 1));
        std::swap(v.x[i], v.x[j]);
        if (kernel == "dot")
            std::swap(v.y[i], v.y[j]);
    }
    return v;
}

// ---- the reference ---------------------------------------------------------
// Neumaier's compensated sum in long double (64-bit significand).
struct Compensated {
    long double s = 0, c = 0, abs = 0;
    void add(long double v)
    {
        const long double t = s + v;
        c += std::fabs(s) >= std::fabs(v) ? (s - t) + v : (v - t) + s;
        s = t;
        abs += std::fabs(v);
    }
    long double value() const { return s + c; }
};

struct Reference {
    long double value;
    double condition;
};

template <class T> Reference reference(const std::string &kernel, const Vectors<T> &v)
{
    Compensated acc;
    const int64_t n = int64_t(v.x.size());
    for (int64_t i = 0; i < n; i++) {
        const T x = v.x[i];
        if (kernel == "sum") {
            acc.add(x);
        } else if (kernel == "asum") {
            acc.add(std::fabs(x));
        } else if (kernel == "nrm2") {
            acc.add((long double)x * x);
        } else if (sizeof(T) == sizeof(float)) {  // dot, float: exact in double
            acc.add(double(x) * double(v.y[i]));
        } else {  // dot, double: p + e == x*y exactly (no underflow here)
            const double p = double(x) * double(v.y[i]);
            acc.add(p);
            acc.add(std::fma(double(x), double(v.y[i]), -p));
        }
    }
    const long double s = acc.value();
    if (kernel == "nrm2")
        return {std::sqrt(s), 1.0};
    return {s, double(acc.abs / std::fabs(s))};
}

// ---- the libraries -----------------------------------------------------------
// The textbook loop: one accumulator in the data's precision, in order.
template <class T> T textbook(const std::string &kernel, const Vectors<T> &v)
{
    T s = 0;
    const size_t n = v.x.size();
    if (kernel == "sum")
        for (size_t i = 0; i < n; i++)
            s += v.x[i];
    else if (kernel == "asum")
        for (size_t i = 0; i < n; i++)
            s += std::fabs(v.x[i]);
    else if (kernel == "dot")
        for (size_t i = 0; i < n; i++)
            s += v.x[i] * v.y[i];
    else {
        for (size_t i = 0; i < n; i++)
            s += v.x[i] * v.x[i];
        s = std::sqrt(s);
    }
    return s;
}

bool hpk_run(hpk_ctx *c, const std::string &k, const Vectors<double> &v, double *r)
{
    const int64_t n = int64_t(v.x.size());
    const double *x = v.x.data();
    hpk_status s = k == "sum"    ? hpk_dsum(c, n, x, 1, r)
                   : k == "asum" ? hpk_dasum(c, n, x, 1, r)
                   : k == "nrm2" ? hpk_dnrm2(c, n, x, 1, r)
                                 : hpk_ddot(c, n, x, 1, v.y.data(), 1, r);
    return s == HPK_SUCCESS;
}
bool hpk_run(hpk_ctx *c, const std::string &k, const Vectors<float> &v, float *r)
{
    const int64_t n = int64_t(v.x.size());
    const float *x = v.x.data();
    hpk_status s = k == "sum"    ? hpk_ssum(c, n, x, 1, r)
                   : k == "asum" ? hpk_sasum(c, n, x, 1, r)
                   : k == "nrm2" ? hpk_snrm2(c, n, x, 1, r)
                                 : hpk_sdot(c, n, x, 1, v.y.data(), 1, r);
    return s == HPK_SUCCESS;
}

double openblas(const std::string &k, const Vectors<double> &v)
{
    const blasint n = blasint(v.x.size());
    return k == "sum"    ? cblas_dsum(n, v.x.data(), 1)
           : k == "asum" ? cblas_dasum(n, v.x.data(), 1)
           : k == "nrm2" ? cblas_dnrm2(n, v.x.data(), 1)
                         : cblas_ddot(n, v.x.data(), 1, v.y.data(), 1);
}
float openblas(const std::string &k, const Vectors<float> &v)
{
    const blasint n = blasint(v.x.size());
    return k == "sum"    ? cblas_ssum(n, v.x.data(), 1)
           : k == "asum" ? cblas_sasum(n, v.x.data(), 1)
           : k == "nrm2" ? cblas_snrm2(n, v.x.data(), 1)
                         : cblas_sdot(n, v.x.data(), 1, v.y.data(), 1);
}

template <class T> T blis(const std::string &k, const Vectors<T> &v)
{
    const int64_t n = int64_t(v.x.size());
    return k == "asum" ? hpkb::blis_asum(n, v.x.data())
           : k == "nrm2" ? hpkb::blis_nrm2(n, v.x.data())
                         : hpkb::blis_dot(n, v.x.data(), v.y.data());
}

// ---- one row ---------------------------------------------------------------
template <class T> void write_row(FILE *out, const std::string &kernel, const std::string &data, int64_t n,
                                  const Reference &ref, const char *library, T result)
{
    const long double err = std::fabs((long double)result - ref.value);
    const T rounded = T(ref.value);
    const double spacing = rounded == 0 ? 0 : std::ldexp(1.0, std::ilogb(rounded) - (std::numeric_limits<T>::digits - 1));
    double rel, ulps;
    if (!std::isfinite(result)) {
        rel = ulps = INFINITY;
    } else {
        rel = ref.value != 0 ? double(err / std::fabs(ref.value)) : (err == 0 ? 0 : INFINITY);
        ulps = spacing > 0 ? double(err / spacing) : (err == 0 ? 0 : INFINITY);
    }
    std::fprintf(out, "%s,%c,%s,%" PRId64 ",%.6g,%s,%.17g,%.21Lg,%.6g,%.6g\n", kernel.c_str(),
                 sizeof(T) == sizeof(float) ? 's' : 'd', data.c_str(), n, ref.condition, library, double(result),
                 ref.value, rel, ulps);
}

template <class T> bool run(FILE *out, hpk_ctx *ctx, const std::string &kernel, const std::string &data, int64_t n)
{
    const Vectors<T> v = make<T>(kernel, data, n);
    const Reference ref = reference(kernel, v);
    T r;
    if (!hpk_run(ctx, kernel, v, &r)) {
        std::fprintf(stderr, "hpk_accuracy: %s failed: %s\n", kernel.c_str(), hpk_ctx_error_message(ctx));
        return false;
    }
    write_row(out, kernel, data, n, ref, "hpk", r);
    write_row(out, kernel, data, n, ref, "openblas", openblas(kernel, v));
    if (kernel != "sum")
        write_row(out, kernel, data, n, ref, "blis", blis(kernel, v));
    write_row(out, kernel, data, n, ref, "textbook", textbook(kernel, v));
    return true;
}

}  // namespace

int main(int argc, char **argv)
{
    std::vector<int64_t> sizes;
    parse_sizes("2^10:2^24:4", &sizes);
    std::vector<std::string> kernels = {"sum", "asum", "dot", "nrm2"}, precisions = {"d", "s"};
    const char *path = nullptr;
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        const size_t eq = a.find('=');
        const std::string name = a.substr(0, eq), value = eq == std::string::npos ? "" : a.substr(eq + 1);
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (name == "--sizes" && parse_sizes(value, &sizes) &&
                   std::all_of(sizes.begin(), sizes.end(), [](int64_t n) { return n >= 2; })) {
        } else if (name == "--kernels" && !value.empty()) {
            std::vector<std::string> want;
            for (const std::string &k : split(value))
                if (k == "reductions" || k == "all")
                    want = {"sum", "asum", "dot", "nrm2"};
                else if ((k == "sum" || k == "asum" || k == "dot" || k == "nrm2") &&
                         std::find(want.begin(), want.end(), k) == want.end())
                    want.push_back(k);
            kernels = want;
        } else if (name == "--precisions" && !value.empty()) {
            precisions = split(value);
            for (const std::string &p : precisions)
                if (p != "s" && p != "d") {
                    std::fprintf(stderr, "hpk_accuracy: unknown precision '%s' (s, d)\n", p.c_str());
                    return 2;
                }
        } else if (name == "--out" && !value.empty()) {
            path = argv[i] + 6;
        } else {
            std::fprintf(stderr, "hpk_accuracy: bad argument '%s'\n%s", a.c_str(), kUsage);
            return 2;
        }
    }
    if (kernels.empty()) {
        std::fprintf(stderr, "hpk_accuracy: no accuracy kernel selected (sum, asum, dot, nrm2)\n");
        return 3;
    }
    std::string why;
    if (!hpkb::blis_usable(reinterpret_cast<const void *>(&cblas_ddot), &why)) {
        std::fprintf(stderr, "hpk_accuracy: %s\n", why.c_str());
        return 1;
    }
    openblas_set_num_threads(1);
    hpkb::blis_set_threads(1);
    hpk_ctx *ctx = nullptr;
    if (hpk_ctx_create(&ctx, HPK_BACKEND_OPENMP) != HPK_SUCCESS) {
        std::fprintf(stderr, "hpk_accuracy: no OpenMP context\n");
        return 1;
    }
    FILE *out = path ? std::fopen(path, "w") : stdout;
    if (!out) {
        std::fprintf(stderr, "hpk_accuracy: cannot write %s: %s\n", path, std::strerror(errno));
        return 1;
    }
    std::fprintf(out, "kernel,precision,data,n,condition,library,result,reference,rel_error,ulps\n");
    bool ok = true;
    for (const std::string &kernel : kernels) {
        std::vector<std::string> kinds = {"uniform"};
        if (kernel == "sum" || kernel == "dot")
            kinds.push_back("cancel");
        if (kernel == "nrm2")
            kinds.insert(kinds.end(), {"huge", "tiny"});
        for (const std::string &p : precisions)
            for (const std::string &data : kinds)
                for (const int64_t n : sizes)
                    ok = ok && (p == "d" ? run<double>(out, ctx, kernel, data, n) : run<float>(out, ctx, kernel, data, n));
    }
    hpk_ctx_destroy(ctx);
    if (path && std::fclose(out) != 0)
        ok = false;
    return ok ? 0 : 1;
}
