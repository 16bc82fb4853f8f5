// Reduction points: dot, sum, asum, nrm2 and i?amax over unit-stride
// vectors, in float and double, for hpk's host-pointer API (serial, OpenMP,
// OpenCL end to end), OpenBLAS, BLIS (not sum: BLIS has none) and (dot,
// sum, asum) the plain OpenMP loop;
// in OpenCL builds also device-resident: hpk's cl_mem reductions and
// CLBlast.
#include "blis_api.h"
#include "harness.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

#ifdef HPK_BENCH_OPENCL
#include "opencl.h"
#endif

namespace hpkb {

// Each reduction behind one signature per library, resolved before the
// timed loop.
template <class T> struct Reduction {
    const char *kernel;
    int vectors;        // 1, or 2 for dot
    double flops;       // per element (0: not a floating-point operation count)
    hpk_status (*hpk)(hpk_ctx *, int64_t n, const T *x, const T *y, double *result);
    double (*blas)(int64_t n, const T *x, const T *y);
    double (*blis)(int64_t n, const T *x, const T *y);  // null: BLIS has no such function
};

static const Reduction<double> kDouble[] = {
    {"dot", 2, 2,
     [](hpk_ctx *c, int64_t n, const double *x, const double *y, double *r) { return hpk_ddot(c, n, x, 1, y, 1, r); },
     [](int64_t n, const double *x, const double *y) { return cblas_ddot(blasint(n), x, 1, y, 1); },
     [](int64_t n, const double *x, const double *y) { return double(blis_dot(n, x, y)); }},
    {"sum", 1, 1,
     [](hpk_ctx *c, int64_t n, const double *x, const double *, double *r) { return hpk_dsum(c, n, x, 1, r); },
     [](int64_t n, const double *x, const double *) { return cblas_dsum(blasint(n), x, 1); },
     nullptr},
    {"asum", 1, 1,
     [](hpk_ctx *c, int64_t n, const double *x, const double *, double *r) { return hpk_dasum(c, n, x, 1, r); },
     [](int64_t n, const double *x, const double *) { return cblas_dasum(blasint(n), x, 1); },
     [](int64_t n, const double *x, const double *) { return double(blis_asum(n, x)); }},
    {"nrm2", 1, 2,
     [](hpk_ctx *c, int64_t n, const double *x, const double *, double *r) { return hpk_dnrm2(c, n, x, 1, r); },
     [](int64_t n, const double *x, const double *) { return cblas_dnrm2(blasint(n), x, 1); },
     [](int64_t n, const double *x, const double *) { return double(blis_nrm2(n, x)); }},
    {"iamax", 1, 0,
     [](hpk_ctx *c, int64_t n, const double *x, const double *, double *r) {
         int64_t i;
         const hpk_status s = hpk_idamax(c, n, x, 1, &i);
         *r = double(i);
         return s;
     },
     [](int64_t n, const double *x, const double *) { return double(cblas_idamax(blasint(n), x, 1)); },
     [](int64_t n, const double *x, const double *) { return double(blis_iamax(n, x)); }},
};

static const Reduction<float> kFloat[] = {
    {"dot", 2, 2,
     [](hpk_ctx *c, int64_t n, const float *x, const float *y, double *r) {
         float f;
         const hpk_status s = hpk_sdot(c, n, x, 1, y, 1, &f);
         *r = f;
         return s;
     },
     [](int64_t n, const float *x, const float *y) { return double(cblas_sdot(blasint(n), x, 1, y, 1)); },
     [](int64_t n, const float *x, const float *y) { return double(blis_dot(n, x, y)); }},
    {"sum", 1, 1,
     [](hpk_ctx *c, int64_t n, const float *x, const float *, double *r) {
         float f;
         const hpk_status s = hpk_ssum(c, n, x, 1, &f);
         *r = f;
         return s;
     },
     [](int64_t n, const float *x, const float *) { return double(cblas_ssum(blasint(n), x, 1)); },
     nullptr},
    {"asum", 1, 1,
     [](hpk_ctx *c, int64_t n, const float *x, const float *, double *r) {
         float f;
         const hpk_status s = hpk_sasum(c, n, x, 1, &f);
         *r = f;
         return s;
     },
     [](int64_t n, const float *x, const float *) { return double(cblas_sasum(blasint(n), x, 1)); },
     [](int64_t n, const float *x, const float *) { return double(blis_asum(n, x)); }},
    {"nrm2", 1, 2,
     [](hpk_ctx *c, int64_t n, const float *x, const float *, double *r) {
         float f;
         const hpk_status s = hpk_snrm2(c, n, x, 1, &f);
         *r = f;
         return s;
     },
     [](int64_t n, const float *x, const float *) { return double(cblas_snrm2(blasint(n), x, 1)); },
     [](int64_t n, const float *x, const float *) { return double(blis_nrm2(n, x)); }},
    {"iamax", 1, 0,
     [](hpk_ctx *c, int64_t n, const float *x, const float *, double *r) {
         int64_t i;
         const hpk_status s = hpk_isamax(c, n, x, 1, &i);
         *r = double(i);
         return s;
     },
     [](int64_t n, const float *x, const float *) { return double(cblas_isamax(blasint(n), x, 1)); },
     [](int64_t n, const float *x, const float *) { return double(blis_iamax(n, x)); }},
};

#ifdef HPK_BENCH_OPENCL
// The same reductions on device-resident data: hpk's cl_mem functions and
// CLBlast, whose result is read back to the host, as hpk's reductions return.
template <class T> struct DeviceReduction {
    const char *kernel;
    hpk_status (*hpk)(hpk_ctx *, int64_t n, cl_mem x, cl_mem y, double *result);
    CLBlastStatusCode (*clblast)(size_t n, cl_mem result, cl_mem x, cl_mem y, cl_command_queue *q);
    size_t result_bytes;  // what CLBlast writes: a T, or an unsigned int index
};

// Results as the table's double: a float widened, an index converted.
template <hpk_status (*F)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, float *)>
static hpk_status widened(hpk_ctx *c, int64_t n, cl_mem x, double *r)
{
    float f;
    const hpk_status s = F(c, n, x, 0, 1, &f);
    *r = f;
    return s;
}
template <hpk_status (*F)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, int64_t *)>
static hpk_status index_of(hpk_ctx *c, int64_t n, cl_mem x, double *r)
{
    int64_t i;
    const hpk_status s = F(c, n, x, 0, 1, &i);
    *r = double(i);
    return s;
}

static const DeviceReduction<double> kDeviceDouble[] = {
    {"dot", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem y, double *r) { return hpk_cl_ddot(c, n, x, 0, 1, y, 0, 1, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem y, cl_command_queue *q) { return CLBlastDdot(n, r, 0, x, 0, 1, y, 0, 1, q, nullptr); },
     sizeof(double)},
    {"sum", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r) { return hpk_cl_dsum(c, n, x, 0, 1, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q) { return CLBlastDsum(n, r, 0, x, 0, 1, q, nullptr); },
     sizeof(double)},
    {"asum", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r) { return hpk_cl_dasum(c, n, x, 0, 1, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q) { return CLBlastDasum(n, r, 0, x, 0, 1, q, nullptr); },
     sizeof(double)},
    {"nrm2", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r) { return hpk_cl_dnrm2(c, n, x, 0, 1, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q) { return CLBlastDnrm2(n, r, 0, x, 0, 1, q, nullptr); },
     sizeof(double)},
    {"iamax", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r) { return index_of<hpk_cl_idamax>(c, n, x, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q) { return CLBlastiDamax(n, r, 0, x, 0, 1, q, nullptr); },
     sizeof(cl_uint)},
};

static const DeviceReduction<float> kDeviceFloat[] = {
    {"dot",
     [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem y, double *r) {
         float f;
         const hpk_status s = hpk_cl_sdot(c, n, x, 0, 1, y, 0, 1, &f);
         *r = f;
         return s;
     },
     [](size_t n, cl_mem r, cl_mem x, cl_mem y, cl_command_queue *q) { return CLBlastSdot(n, r, 0, x, 0, 1, y, 0, 1, q, nullptr); },
     sizeof(float)},
    {"sum", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r) { return widened<hpk_cl_ssum>(c, n, x, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q) { return CLBlastSsum(n, r, 0, x, 0, 1, q, nullptr); },
     sizeof(float)},
    {"asum", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r) { return widened<hpk_cl_sasum>(c, n, x, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q) { return CLBlastSasum(n, r, 0, x, 0, 1, q, nullptr); },
     sizeof(float)},
    {"nrm2", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r) { return widened<hpk_cl_snrm2>(c, n, x, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q) { return CLBlastSnrm2(n, r, 0, x, 0, 1, q, nullptr); },
     sizeof(float)},
    {"iamax", [](hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r) { return index_of<hpk_cl_isamax>(c, n, x, r); },
     [](size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q) { return CLBlastiSamax(n, r, 0, x, 0, 1, q, nullptr); },
     sizeof(cl_uint)},
};

template <class T, size_t N>
static const DeviceReduction<T> *find(const DeviceReduction<T> (&table)[N], const char *kernel)
{
    for (const auto &d : table)
        if (std::string(d.kernel) == kernel)
            return &d;
    return nullptr;
}
static const DeviceReduction<double> *device_reduction(const Reduction<double> &r) { return find(kDeviceDouble, r.kernel); }
static const DeviceReduction<float> *device_reduction(const Reduction<float> &r) { return find(kDeviceFloat, r.kernel); }

template <class T> static void add_reduction_device(Point p, const Reduction<T> &r)
{
    const DeviceReduction<T> *found = device_reduction(r);
    if (!found)
        return;
    const DeviceReduction<T> d = *found;
    const int64_t n = p.size;
    const bool two = r.vectors == 2;
    p.variant = "hpk_cl_kernel";
    add(p, [=](benchmark::State &st, int) {
        const cl_mem x = device_buffer<T>(Buf::x), y = two ? device_buffer<T>(Buf::y) : nullptr;
        measure_device(st, [&] {
            double result;
            if (d.hpk(opencl_context(), n, x, y, &result) != HPK_SUCCESS)
                return std::string(hpk_ctx_error_message(opencl_context()));
            benchmark::DoNotOptimize(result);
            return std::string();
        });
    });
    p.variant = "clblast";
    add(p, [=](benchmark::State &st, int) {
        const cl_mem x = device_buffer<T>(Buf::x), y = two ? device_buffer<T>(Buf::y) : nullptr;
        const cl_mem out = result_buffer();
        measure_device(st, [&] {
            cl_command_queue q = opencl_queue();
            const std::string e = clblast_error(d.kernel, d.clblast(size_t(n), out, x, y, &q));
            if (!e.empty())
                return e;
            double result = 0;
            if (clEnqueueReadBuffer(q, out, CL_TRUE, 0, d.result_bytes, &result, 0, nullptr, nullptr) != CL_SUCCESS)
                return std::string("clEnqueueReadBuffer failed");
            benchmark::DoNotOptimize(result);
            return std::string();
        });
    });
}
#endif

// The price of reproducibility: the plain OpenMP loop a user would write
// (reduction(+:s), vectorised with simd, accumulating in double like hpk),
// whose result depends on the thread count and the compiler.
template <class T> static double naive_reduce(const char *kernel, int64_t n, const T *x, const T *y, int threads)
{
    double s = 0.0;
    if (kernel[0] == 'd') {  // dot
#pragma omp parallel for simd num_threads(threads) reduction(+ : s)
        for (int64_t i = 0; i < n; i++)
            s += double(x[i]) * double(y[i]);
    } else if (kernel[0] == 's') {  // sum
#pragma omp parallel for simd num_threads(threads) reduction(+ : s)
        for (int64_t i = 0; i < n; i++)
            s += double(x[i]);
    } else {  // asum
#pragma omp parallel for simd num_threads(threads) reduction(+ : s)
        for (int64_t i = 0; i < n; i++)
            s += std::fabs(double(x[i]));
    }
    return s;
}

static bool has_naive(const char *kernel)
{
    return std::string(kernel) == "dot" || std::string(kernel) == "sum" || std::string(kernel) == "asum";
}

template <class T> static void add_reduction(const Reduction<T> &r, int64_t n, Data data)
{
    Work w;
    w.bytes = double(sizeof(T)) * n * r.vectors;
    w.flops = r.flops * n;
    w.working_set = w.bytes;
    Point p{r.kernel, sizeof(T) == 4 ? 's' : 'd', "", n, w, {{Buf::x, n}}, data};
    if (r.vectors == 2)
        p.buffers.push_back({Buf::y, n});

    // The default study's check of other data: hpk_omp and OpenBLAS only.
    const bool check_only = data_check_only(data);
    add_hpk(
        p,
        [=] {
            const T *x = buffer<T>(Buf::x, data), *y = r.vectors == 2 ? buffer<T>(Buf::y, data) : nullptr;
            return [=](hpk_ctx *c) {
                double result;
                const hpk_status s = r.hpk(c, n, x, y, &result);
                benchmark::DoNotOptimize(result);
                return s;
            };
        },
        check_only);
    p.variant = "openblas";
    add(p, [=](benchmark::State &st, int threads) {
        openblas_set_num_threads(threads);
        const T *x = buffer<T>(Buf::x, data), *y = r.vectors == 2 ? buffer<T>(Buf::y, data) : nullptr;
        for (auto _ : st)
            benchmark::DoNotOptimize(r.blas(n, x, y));
    });
    if (r.blis && !check_only) {
        p.variant = "blis";
        add(p, [=](benchmark::State &st, int threads) {
            if (!start_blis(st, threads))
                return;
            const T *x = buffer<T>(Buf::x, data), *y = r.vectors == 2 ? buffer<T>(Buf::y, data) : nullptr;
            for (auto _ : st)
                benchmark::DoNotOptimize(r.blis(n, x, y));
        });
    }
    if (has_naive(r.kernel) && !check_only) {
        p.variant = "naive_omp";
        add(p, [=](benchmark::State &st, int threads) {
            const T *x = buffer<T>(Buf::x, data), *y = r.vectors == 2 ? buffer<T>(Buf::y, data) : nullptr;
            for (auto _ : st)
                benchmark::DoNotOptimize(naive_reduce(r.kernel, n, x, y, threads));
        });
    }
#ifdef HPK_BENCH_OPENCL
    if (data == Data::uniform)  // the device copies hold uniform data
        add_reduction_device(p, r);
#endif
}

// Whether the reductions run on `data` at n elements (see Options::data).
static bool runs_on(Data data, int64_t n)
{
    const Options &o = options();
    return !data_check_only(data) || std::find(o.data_sizes.begin(), o.data_sizes.end(), n) != o.data_sizes.end();
}

void register_reductions()
{
    for (const Data data : options().data)
        for (const int64_t n : options().vec_sizes) {
            if (!runs_on(data, n))
                continue;
            for (const auto &r : kFloat)
                add_reduction(r, n, data);
            for (const auto &r : kDouble)
                add_reduction(r, n, data);
        }
}

}  // namespace hpkb
