// Reduction points: dot, sum, asum, nrm2 and i?amax over unit-stride
// vectors, in float and double, for hpk's host-pointer API (serial, OpenMP,
// OpenCL end to end), OpenBLAS, BLIS (not sum: BLIS has none) and (dot,
// sum, asum) the plain OpenMP loop; over strided vectors (--incs) for
// hpk's OpenMP variant and OpenBLAS;
// in OpenCL builds also device-resident: hpk's cl_mem reductions and
// CLBlast.
#include "blis_api.h"
#include "harness.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>

#ifdef HPK_BENCH_OPENCL
#include "opencl.h"
#define HPKB_OPENCL(...) , __VA_ARGS__
#else
#define HPKB_OPENCL(...)
#endif

namespace hpkb {

// ---- each library's functions behind one signature per type ----------------
// The typed C functions as the table's entries: y ignored by the kernels of
// one vector, inc both vectors' increment, the result (a float, or an
// index) widened to double.
template <class T, class R, hpk_status (*F)(hpk_ctx *, int64_t, const T *, int64_t, R *)>
static hpk_status hpk1(hpk_ctx *c, int64_t n, const T *x, const T *, int64_t inc, double *r)
{
    R v;
    const hpk_status s = F(c, n, x, inc, &v);
    *r = double(v);
    return s;
}
template <class T, class R, hpk_status (*F)(hpk_ctx *, int64_t, const T *, int64_t, const T *, int64_t, R *)>
static hpk_status hpk2(hpk_ctx *c, int64_t n, const T *x, const T *y, int64_t inc, double *r)
{
    R v;
    const hpk_status s = F(c, n, x, inc, y, inc, &v);
    *r = double(v);
    return s;
}
template <class T, class R, R (*F)(blasint, const T *, blasint)>
static double blas1(int64_t n, const T *x, const T *, int64_t inc)
{
    return double(F(blasint(n), x, blasint(inc)));
}
template <class T, class R, R (*F)(blasint, const T *, blasint, const T *, blasint)>
static double blas2(int64_t n, const T *x, const T *y, int64_t inc)
{
    return double(F(blasint(n), x, blasint(inc), y, blasint(inc)));
}
template <class T, class R, R (*F)(int64_t, const T *)> static double blis1(int64_t n, const T *x, const T *)
{
    return double(F(n, x));
}
template <class T, class R, R (*F)(int64_t, const T *, const T *)> static double blis2(int64_t n, const T *x, const T *y)
{
    return double(F(n, x, y));
}

// The price of reproducibility: the plain OpenMP loop a user would write
// (reduction(+:s), vectorised with simd, accumulating in double like hpk),
// whose result depends on the thread count and the compiler.
template <class T> static double naive_dot(int64_t n, const T *x, const T *y, int threads)
{
    double s = 0.0;
#pragma omp parallel for simd num_threads(threads) reduction(+ : s)
    for (int64_t i = 0; i < n; i++)
        s += double(x[i]) * double(y[i]);
    return s;
}
template <class T> static double naive_sum(int64_t n, const T *x, const T *, int threads)
{
    double s = 0.0;
#pragma omp parallel for simd num_threads(threads) reduction(+ : s)
    for (int64_t i = 0; i < n; i++)
        s += double(x[i]);
    return s;
}
template <class T> static double naive_asum(int64_t n, const T *x, const T *, int threads)
{
    double s = 0.0;
#pragma omp parallel for simd num_threads(threads) reduction(+ : s)
    for (int64_t i = 0; i < n; i++)
        s += std::fabs(double(x[i]));
    return s;
}

#ifdef HPK_BENCH_OPENCL
// The same on device-resident data: hpk's cl_mem functions and CLBlast's,
// whose result stays on the device (read back by the point's body).
template <class R, hpk_status (*F)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, R *)>
static hpk_status cl1(hpk_ctx *c, int64_t n, cl_mem x, cl_mem, double *r)
{
    R v;
    const hpk_status s = F(c, n, x, 0, 1, &v);
    *r = double(v);
    return s;
}
template <class R, hpk_status (*F)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, cl_mem, size_t, int64_t, R *)>
static hpk_status cl2(hpk_ctx *c, int64_t n, cl_mem x, cl_mem y, double *r)
{
    R v;
    const hpk_status s = F(c, n, x, 0, 1, y, 0, 1, &v);
    *r = double(v);
    return s;
}
using ClblastFn = CLBlastStatusCode (*)(size_t n, cl_mem result, cl_mem x, cl_mem y, cl_command_queue *q);
template <CLBlastStatusCode (*F)(size_t, cl_mem, size_t, cl_mem, size_t, size_t, cl_command_queue *, cl_event *)>
static CLBlastStatusCode clblast1(size_t n, cl_mem r, cl_mem x, cl_mem, cl_command_queue *q)
{
    return F(n, r, 0, x, 0, 1, q, nullptr);
}
template <CLBlastStatusCode (*F)(size_t, cl_mem, size_t, cl_mem, size_t, size_t, cl_mem, size_t, size_t,
                                 cl_command_queue *, cl_event *)>
static CLBlastStatusCode clblast2(size_t n, cl_mem r, cl_mem x, cl_mem y, cl_command_queue *q)
{
    return F(n, r, 0, x, 0, 1, y, 0, 1, q, nullptr);
}
#endif

// ---- the reductions: one row each, both types ------------------------------
template <class T> struct Functions {
    hpk_status (*hpk)(hpk_ctx *, int64_t n, const T *x, const T *y, int64_t inc, double *result);
    double (*blas)(int64_t n, const T *x, const T *y, int64_t inc);
    double (*blis)(int64_t n, const T *x, const T *y);                // null: BLIS has no such function
    double (*naive)(int64_t n, const T *x, const T *y, int threads);  // null: no textbook loop
#ifdef HPK_BENCH_OPENCL
    hpk_status (*cl)(hpk_ctx *, int64_t n, cl_mem x, cl_mem y, double *result);
    ClblastFn clblast;
#endif
};

struct Reduction {
    const char *kernel;
    int vectors;   // 1, or 2 for dot
    double flops;  // per element (0: not a floating-point operation count)
    bool index;    // the result is an index (CLBlast writes an unsigned int)
    Functions<float> s;
    Functions<double> d;
    template <class T> const Functions<T> &of() const
    {
        if constexpr (sizeof(T) == sizeof(float))
            return s;
        else
            return d;
    }
};

static const Reduction kReductions[] = {
    {"dot", 2, 2, false,
     {hpk2<float, float, hpk_sdot>, blas2<float, float, cblas_sdot>, blis2<float, float, blis_dot>, naive_dot<float>
          HPKB_OPENCL(cl2<float, hpk_cl_sdot>, clblast2<CLBlastSdot>)},
     {hpk2<double, double, hpk_ddot>, blas2<double, double, cblas_ddot>, blis2<double, double, blis_dot>,
      naive_dot<double> HPKB_OPENCL(cl2<double, hpk_cl_ddot>, clblast2<CLBlastDdot>)}},
    {"sum", 1, 1, false,
     {hpk1<float, float, hpk_ssum>, blas1<float, float, cblas_ssum>, nullptr, naive_sum<float>
          HPKB_OPENCL(cl1<float, hpk_cl_ssum>, clblast1<CLBlastSsum>)},
     {hpk1<double, double, hpk_dsum>, blas1<double, double, cblas_dsum>, nullptr, naive_sum<double>
          HPKB_OPENCL(cl1<double, hpk_cl_dsum>, clblast1<CLBlastDsum>)}},
    {"asum", 1, 1, false,
     {hpk1<float, float, hpk_sasum>, blas1<float, float, cblas_sasum>, blis1<float, float, blis_asum>,
      naive_asum<float> HPKB_OPENCL(cl1<float, hpk_cl_sasum>, clblast1<CLBlastSasum>)},
     {hpk1<double, double, hpk_dasum>, blas1<double, double, cblas_dasum>, blis1<double, double, blis_asum>,
      naive_asum<double> HPKB_OPENCL(cl1<double, hpk_cl_dasum>, clblast1<CLBlastDasum>)}},
    {"nrm2", 1, 2, false,
     {hpk1<float, float, hpk_snrm2>, blas1<float, float, cblas_snrm2>, blis1<float, float, blis_nrm2>, nullptr
          HPKB_OPENCL(cl1<float, hpk_cl_snrm2>, clblast1<CLBlastSnrm2>)},
     {hpk1<double, double, hpk_dnrm2>, blas1<double, double, cblas_dnrm2>, blis1<double, double, blis_nrm2>, nullptr
          HPKB_OPENCL(cl1<double, hpk_cl_dnrm2>, clblast1<CLBlastDnrm2>)}},
    {"iamax", 1, 0, true,
     {hpk1<float, int64_t, hpk_isamax>, blas1<float, CBLAS_INDEX, cblas_isamax>, blis1<float, int64_t, blis_iamax>,
      nullptr HPKB_OPENCL(cl1<int64_t, hpk_cl_isamax>, clblast1<CLBlastiSamax>)},
     {hpk1<double, int64_t, hpk_idamax>, blas1<double, CBLAS_INDEX, cblas_idamax>, blis1<double, int64_t, blis_iamax>,
      nullptr HPKB_OPENCL(cl1<int64_t, hpk_cl_idamax>, clblast1<CLBlastiDamax>)}},
};

// ---- the points ----------------------------------------------------------------
#ifdef HPK_BENCH_OPENCL
template <class T> static void add_reduction_device(Point p, const Reduction &r)
{
    const Functions<T> f = r.of<T>();
    const size_t result_bytes = r.index ? sizeof(cl_uint) : sizeof(T);
    const int64_t n = p.size;
    const bool two = r.vectors == 2;
    p.variant = "hpk_cl_kernel";
    add(p, [=](benchmark::State &st, int) {
        const cl_mem x = device_buffer<T>(Buf::x), y = two ? device_buffer<T>(Buf::y) : nullptr;
        measure_device(st, [&] {
            double result;
            if (f.cl(opencl_context(), n, x, y, &result) != HPK_SUCCESS)
                return std::string(hpk_ctx_error_message(opencl_context()));
            benchmark::DoNotOptimize(result);
            return std::string();
        });
    });
    p.variant = "clblast";
    const char *kernel = r.kernel;
    add(p, [=](benchmark::State &st, int) {
        const cl_mem x = device_buffer<T>(Buf::x), y = two ? device_buffer<T>(Buf::y) : nullptr;
        const cl_mem out = result_buffer();
        measure_device(st, [&] {
            cl_command_queue q = opencl_queue();
            const std::string e = clblast_error(kernel, f.clblast(size_t(n), out, x, y, &q));
            if (!e.empty())
                return e;
            double result = 0;
            if (clEnqueueReadBuffer(q, out, CL_TRUE, 0, result_bytes, &result, 0, nullptr, nullptr) != CL_SUCCESS)
                return std::string("clEnqueueReadBuffer failed");
            benchmark::DoNotOptimize(result);
            return std::string();
        });
    });
}
#endif

// The points of one reduction on n elements of `data` at increment inc.
// Their bytes are the elements' (GB/s: elements read per second, whatever
// the increment), their working set the span the vectors cover.
template <class T> static void add_reduction(const Reduction &r, int64_t n, Data data, int64_t inc)
{
    const Functions<T> f = r.of<T>();
    const int64_t span = (n - 1) * inc + 1;
    Work w;
    w.bytes = double(sizeof(T)) * n * r.vectors;
    w.flops = r.flops * n;
    w.working_set = double(sizeof(T)) * span * r.vectors;
    Point p{r.kernel, sizeof(T) == 4 ? 's' : 'd', "", n, w, {{Buf::x, span}}, data, inc};
    const bool two = r.vectors == 2;
    if (two)
        p.buffers.push_back({Buf::y, span});

    // The default study's check of other data, and strided vectors: hpk_omp
    // and OpenBLAS only (the others take unit stride).
    const bool check_only = data_check_only(data) || inc != 1;
    add_hpk(
        p,
        [=] {
            const T *x = buffer<T>(Buf::x, data), *y = two ? buffer<T>(Buf::y, data) : nullptr;
            return [=](hpk_ctx *c) {
                double result;
                const hpk_status s = f.hpk(c, n, x, y, inc, &result);
                benchmark::DoNotOptimize(result);
                return s;
            };
        },
        check_only);
    p.variant = "openblas";
    add(p, [=](benchmark::State &st, int threads) {
        openblas_set_num_threads(threads);
        const T *x = buffer<T>(Buf::x, data), *y = two ? buffer<T>(Buf::y, data) : nullptr;
        for (auto _ : st)
            benchmark::DoNotOptimize(f.blas(n, x, y, inc));
    });
    if (f.blis && !check_only) {
        p.variant = "blis";
        add(p, [=](benchmark::State &st, int threads) {
            if (!start_blis(st, threads))
                return;
            const T *x = buffer<T>(Buf::x, data), *y = two ? buffer<T>(Buf::y, data) : nullptr;
            for (auto _ : st)
                benchmark::DoNotOptimize(f.blis(n, x, y));
        });
    }
    if (f.naive && !check_only) {
        p.variant = "naive_omp";
        add(p, [=](benchmark::State &st, int threads) {
            const T *x = buffer<T>(Buf::x, data), *y = two ? buffer<T>(Buf::y, data) : nullptr;
            for (auto _ : st)
                benchmark::DoNotOptimize(f.naive(n, x, y, threads));
        });
    }
#ifdef HPK_BENCH_OPENCL
    if (data == Data::uniform && inc == 1)  // the device copies hold uniform data, read at unit stride
        add_reduction_device<T>(p, r);
#endif
}

// Whether the reductions run on `data` at n elements and increment inc (see
// Options::data and Options::incs): the default checks of other data and
// of strided vectors at data_sizes only, the strided one on uniform data.
static bool runs_on(Data data, int64_t n, int64_t inc)
{
    const Options &o = options();
    const bool check_size = std::find(o.data_sizes.begin(), o.data_sizes.end(), n) != o.data_sizes.end();
    return (!data_check_only(data) || check_size) &&
           (!inc_check_only(inc) || (check_size && data == Data::uniform));
}

void register_reductions()
{
    // Every reduction's size counts elements (the manifest): one list of sizes.
    for (const Data data : options().data)
        for (const int64_t n : sizes_of(kReductions[0].kernel))
            for (const int64_t inc : options().incs) {
                if (!runs_on(data, n, inc))
                    continue;
                for (const Reduction &r : kReductions)
                    add_reduction<float>(r, n, data, inc);
                for (const Reduction &r : kReductions)
                    add_reduction<double>(r, n, data, inc);
            }
}

}  // namespace hpkb
