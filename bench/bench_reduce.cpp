// Reduction points: dot, sum, asum, nrm2 and i?amax over unit-stride
// vectors, in float and double, for hpk and OpenBLAS.
#include "harness.h"

#include <cblas.h>

namespace hpkb {

// Each reduction behind one signature per library, resolved before the
// timed loop.
template <class T> struct Reduction {
    const char *kernel;
    int vectors;        // 1, or 2 for dot
    double flops;       // per element (0: not a floating-point operation count)
    hpk_status (*hpk)(hpk_ctx *, int64_t n, const T *x, const T *y, double *result);
    double (*blas)(int64_t n, const T *x, const T *y);
};

static const Reduction<double> kDouble[] = {
    {"dot", 2, 2,
     [](hpk_ctx *c, int64_t n, const double *x, const double *y, double *r) { return hpk_ddot(c, n, x, 1, y, 1, r); },
     [](int64_t n, const double *x, const double *y) { return cblas_ddot(blasint(n), x, 1, y, 1); }},
    {"sum", 1, 1,
     [](hpk_ctx *c, int64_t n, const double *x, const double *, double *r) { return hpk_dsum(c, n, x, 1, r); },
     [](int64_t n, const double *x, const double *) { return cblas_dsum(blasint(n), x, 1); }},
    {"asum", 1, 1,
     [](hpk_ctx *c, int64_t n, const double *x, const double *, double *r) { return hpk_dasum(c, n, x, 1, r); },
     [](int64_t n, const double *x, const double *) { return cblas_dasum(blasint(n), x, 1); }},
    {"nrm2", 1, 2,
     [](hpk_ctx *c, int64_t n, const double *x, const double *, double *r) { return hpk_dnrm2(c, n, x, 1, r); },
     [](int64_t n, const double *x, const double *) { return cblas_dnrm2(blasint(n), x, 1); }},
    {"iamax", 1, 0,
     [](hpk_ctx *c, int64_t n, const double *x, const double *, double *r) {
         int64_t i;
         const hpk_status s = hpk_idamax(c, n, x, 1, &i);
         *r = double(i);
         return s;
     },
     [](int64_t n, const double *x, const double *) { return double(cblas_idamax(blasint(n), x, 1)); }},
};

static const Reduction<float> kFloat[] = {
    {"dot", 2, 2,
     [](hpk_ctx *c, int64_t n, const float *x, const float *y, double *r) {
         float f;
         const hpk_status s = hpk_sdot(c, n, x, 1, y, 1, &f);
         *r = f;
         return s;
     },
     [](int64_t n, const float *x, const float *y) { return double(cblas_sdot(blasint(n), x, 1, y, 1)); }},
    {"sum", 1, 1,
     [](hpk_ctx *c, int64_t n, const float *x, const float *, double *r) {
         float f;
         const hpk_status s = hpk_ssum(c, n, x, 1, &f);
         *r = f;
         return s;
     },
     [](int64_t n, const float *x, const float *) { return double(cblas_ssum(blasint(n), x, 1)); }},
    {"asum", 1, 1,
     [](hpk_ctx *c, int64_t n, const float *x, const float *, double *r) {
         float f;
         const hpk_status s = hpk_sasum(c, n, x, 1, &f);
         *r = f;
         return s;
     },
     [](int64_t n, const float *x, const float *) { return double(cblas_sasum(blasint(n), x, 1)); }},
    {"nrm2", 1, 2,
     [](hpk_ctx *c, int64_t n, const float *x, const float *, double *r) {
         float f;
         const hpk_status s = hpk_snrm2(c, n, x, 1, &f);
         *r = f;
         return s;
     },
     [](int64_t n, const float *x, const float *) { return double(cblas_snrm2(blasint(n), x, 1)); }},
    {"iamax", 1, 0,
     [](hpk_ctx *c, int64_t n, const float *x, const float *, double *r) {
         int64_t i;
         const hpk_status s = hpk_isamax(c, n, x, 1, &i);
         *r = double(i);
         return s;
     },
     [](int64_t n, const float *x, const float *) { return double(cblas_isamax(blasint(n), x, 1)); }},
};

template <class T> static void add_reduction(const Reduction<T> &r, int64_t n)
{
    Work w;
    w.bytes = double(sizeof(T)) * n * r.vectors;
    w.flops = r.flops * n;
    w.working_set = w.bytes;
    Point p{r.kernel, sizeof(T) == 4 ? 's' : 'd', "", n, w, {{Buf::x, n}}};
    if (r.vectors == 2)
        p.buffers.push_back({Buf::y, n});

    for (const char *variant : {"hpk_serial", "hpk_omp"}) {
        p.variant = variant;
        add(p, [=](benchmark::State &st, int threads) {
            Context ctx(variant, threads);
            const T *x = buffer<T>(Buf::x), *y = r.vectors == 2 ? buffer<T>(Buf::y) : nullptr;
            double result;
            for (auto _ : st) {
                if (r.hpk(ctx.get(), n, x, y, &result) != HPK_SUCCESS) {
                    fail(st, ctx.error());
                    break;
                }
                benchmark::DoNotOptimize(result);
            }
        });
    }
    p.variant = "openblas";
    add(p, [=](benchmark::State &st, int threads) {
        openblas_set_num_threads(threads);
        const T *x = buffer<T>(Buf::x), *y = r.vectors == 2 ? buffer<T>(Buf::y) : nullptr;
        for (auto _ : st)
            benchmark::DoNotOptimize(r.blas(n, x, y));
    });
}

void register_reductions()
{
    for (const int64_t n : options().vec_sizes) {
        for (const auto &r : kFloat)
            add_reduction(r, n);
        for (const auto &r : kDouble)
            add_reduction(r, n);
    }
}

}  // namespace hpkb
