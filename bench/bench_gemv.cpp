// GEMV points: y = A x (gemv_n) and y = A^T x (gemv_t) for square row-major
// A, in float and double, for hpk's host-pointer API (serial, OpenMP,
// OpenCL end to end), OpenBLAS, BLIS and the textbook row-by-row OpenMP matvec;
// in OpenCL builds also device-resident: hpk's cl_mem gemv and CLBlast.
#include "blis_api.h"
#include "harness.h"

#include <cblas.h>

#ifdef HPK_BENCH_OPENCL
#include "opencl.h"
#endif

namespace hpkb {

// The matvec of the classic course material: one dot product per row,
// rows shared among threads.
template <class T> static void naive_gemv(int64_t m, int64_t n, const T *a, const T *x, T *y, int threads)
{
#pragma omp parallel for num_threads(threads)
    for (int64_t i = 0; i < m; i++) {
        T s = 0;
        for (int64_t j = 0; j < n; j++)
            s += a[i * n + j] * x[j];
        y[i] = s;
    }
}

static hpk_status hpk_gemv(hpk_ctx *c, hpk_transpose t, int64_t n, const double *a, const double *x, double *y)
{
    return hpk_dgemv(c, HPK_ROW_MAJOR, t, n, n, 1.0, a, n, x, 1, 0.0, y, 1);
}
static hpk_status hpk_gemv(hpk_ctx *c, hpk_transpose t, int64_t n, const float *a, const float *x, float *y)
{
    return hpk_sgemv(c, HPK_ROW_MAJOR, t, n, n, 1.0f, a, n, x, 1, 0.0f, y, 1);
}
static void blas_gemv(CBLAS_TRANSPOSE t, int64_t n, const double *a, const double *x, double *y)
{
    cblas_dgemv(CblasRowMajor, t, blasint(n), blasint(n), 1.0, a, blasint(n), x, 1, 0.0, y, 1);
}
static void blas_gemv(CBLAS_TRANSPOSE t, int64_t n, const float *a, const float *x, float *y)
{
    cblas_sgemv(CblasRowMajor, t, blasint(n), blasint(n), 1.0f, a, blasint(n), x, 1, 0.0f, y, 1);
}

#ifdef HPK_BENCH_OPENCL
// Device-resident gemv, hpk and CLBlast: enqueued, then waited for.
static std::string cl_gemv(hpk_transpose t, int64_t n, cl_mem a, cl_mem x, cl_mem y, double)
{
    hpk_ctx *c = opencl_context();
    if (hpk_cl_dgemv(c, HPK_ROW_MAJOR, t, n, n, 1.0, a, 0, n, x, 0, 1, 0.0, y, 0, 1) != HPK_SUCCESS)
        return hpk_ctx_error_message(c);
    return clFinish(opencl_queue()) == CL_SUCCESS ? "" : "clFinish failed";
}
static std::string cl_gemv(hpk_transpose t, int64_t n, cl_mem a, cl_mem x, cl_mem y, float)
{
    hpk_ctx *c = opencl_context();
    if (hpk_cl_sgemv(c, HPK_ROW_MAJOR, t, n, n, 1.0f, a, 0, n, x, 0, 1, 0.0f, y, 0, 1) != HPK_SUCCESS)
        return hpk_ctx_error_message(c);
    return clFinish(opencl_queue()) == CL_SUCCESS ? "" : "clFinish failed";
}
static std::string clblast_gemv(CLBlastTranspose t, int64_t n, cl_mem a, cl_mem x, cl_mem y, double)
{
    cl_command_queue q = opencl_queue();
    const std::string e = clblast_error(
        "dgemv", CLBlastDgemv(CLBlastLayoutRowMajor, t, n, n, 1.0, a, 0, n, x, 0, 1, 0.0, y, 0, 1, &q, nullptr));
    return !e.empty() ? e : clFinish(q) == CL_SUCCESS ? "" : "clFinish failed";
}
static std::string clblast_gemv(CLBlastTranspose t, int64_t n, cl_mem a, cl_mem x, cl_mem y, float)
{
    cl_command_queue q = opencl_queue();
    const std::string e = clblast_error(
        "sgemv", CLBlastSgemv(CLBlastLayoutRowMajor, t, n, n, 1.0f, a, 0, n, x, 0, 1, 0.0f, y, 0, 1, &q, nullptr));
    return !e.empty() ? e : clFinish(q) == CL_SUCCESS ? "" : "clFinish failed";
}

template <class T> static void add_gemv_device(Point p, bool trans)
{
    const int64_t n = p.size;
    p.variant = "hpk_cl_kernel";
    add(p, [=](benchmark::State &st, int) {
        const cl_mem a = device_buffer<T>(Buf::a), x = device_buffer<T>(Buf::x), y = device_buffer<T>(Buf::y);
        measure_device(st, [&] { return cl_gemv(trans ? HPK_TRANS : HPK_NO_TRANS, n, a, x, y, T()); });
    });
    p.variant = "clblast";
    add(p, [=](benchmark::State &st, int) {
        const cl_mem a = device_buffer<T>(Buf::a), x = device_buffer<T>(Buf::x), y = device_buffer<T>(Buf::y);
        measure_device(st, [&] {
            return clblast_gemv(trans ? CLBlastTransposeYes : CLBlastTransposeNo, n, a, x, y, T());
        });
    });
}
#endif

template <class T> static void add_gemv(const std::string &kernel, int64_t n)
{
    const bool trans = kernel == "gemv_t";
    const double s = sizeof(T);
    Work w;
    w.bytes = s * (double(n) * n + 2.0 * n);  // A and x read, y written (beta = 0)
    w.flops = 2.0 * n * n;
    w.working_set = w.bytes;
    Point p{kernel, sizeof(T) == 4 ? 's' : 'd', "", n, w, {{Buf::a, n * n}, {Buf::x, n}, {Buf::y, n}}};

    const hpk_transpose t = trans ? HPK_TRANS : HPK_NO_TRANS;
    add_hpk(p, [=] {
        const T *a = buffer<T>(Buf::a), *x = buffer<T>(Buf::x);
        T *y = buffer<T>(Buf::y);
        return [=](hpk_ctx *c) { return hpk_gemv(c, t, n, a, x, y); };
    });
    p.variant = "openblas";
    add(p, [=](benchmark::State &st, int threads) {
        openblas_set_num_threads(threads);
        const T *a = buffer<T>(Buf::a), *x = buffer<T>(Buf::x);
        T *y = buffer<T>(Buf::y);
        for (auto _ : st) {
            blas_gemv(trans ? CblasTrans : CblasNoTrans, n, a, x, y);
            benchmark::ClobberMemory();
        }
    });
    p.variant = "blis";
    add(p, [=](benchmark::State &st, int threads) {
        if (!start_blis(st, threads))
            return;
        const T *a = buffer<T>(Buf::a), *x = buffer<T>(Buf::x);
        T *y = buffer<T>(Buf::y);
        for (auto _ : st) {
            blis_gemv(trans, n, a, x, y);
            benchmark::ClobberMemory();
        }
    });
#ifdef HPK_BENCH_OPENCL
    add_gemv_device<T>(p, trans);
#endif
    if (!trans) {  // the textbook version exists for A x only
        p.variant = "naive_omp";
        add(p, [=](benchmark::State &st, int threads) {
            const T *a = buffer<T>(Buf::a), *x = buffer<T>(Buf::x);
            T *y = buffer<T>(Buf::y);
            for (auto _ : st) {
                naive_gemv(n, n, a, x, y, threads);
                benchmark::ClobberMemory();
            }
        });
    }
}

void register_gemv()
{
    for (const char *kernel : {"gemv_n", "gemv_t"})
        for (const int64_t n : sizes_of(kernel)) {
            add_gemv<float>(kernel, n);
            add_gemv<double>(kernel, n);
        }
}

}  // namespace hpkb
