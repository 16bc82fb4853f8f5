// The OpenCL device's own roofline (variant "device"): STREAM-style read
// and triad kernels on device-resident buffers, and host<->device transfer
// bandwidth from pageable memory (what hpk's host-pointer API is given)
// and from pinned memory (CL_MEM_ALLOC_HOST_PTR, mapped).  The device
// rows of the study (hpk_cl_kernel, clblast) are compared with the read;
// the offload model of plots/ uses the transfers.  Bytes follow STREAM's
// convention: 8n for the read, 24n for the triad, 8n per transfer (for a
// device without fp64: 4n, 12n, 4n, named precision s).
#include "opencl.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

namespace hpkb {

static const char *const kSource = R"CLC(
#ifdef HPK_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define REAL double
#else
#define REAL float
#endif
#ifndef V
#define V 2
#endif
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
typedef REAL real;
typedef CAT(REAL, V) realv;
// On a GPU work-item g reads element g, g + G, ... (G the global size), so
// that neighbouring work-items read neighbouring elements (coalesced); on
// a CPU device (HPK_BLOCKED) each work-item reads its own contiguous part,
// as a CPU core streams best.  `passes` passes keep a small array's call
// long enough to measure its cache's bandwidth.
#ifdef HPK_BLOCKED
#define RANGE(g, G, n) ulong i = (n) * (g) / (G), end = (n) * ((g) + 1) / (G), step = 1
#else
#define RANGE(g, G, n) ulong i = (g), end = (n), step = (G)
#endif
// The read loads vectors of V elements (V independent sums: the adds'
// latency is no limit), the last n % V elements on work-item 0.
__kernel void stream_read(__global const real *x, ulong n, ulong passes, __global real *out)
{
    const ulong g = get_global_id(0), G = get_global_size(0), nv = n / V;
    realv acc = 0;
    for (ulong p = 0; p < passes; p++)
        for (RANGE(g, G, nv); i < end; i += step)
            acc += CAT(vload, V)(i, x);
    real lanes[V], s = 0;
    CAT(vstore, V)(acc, 0, lanes);
    for (int l = 0; l < V; l++)
        s += lanes[l];
    if (g == 0)
        for (ulong i = nv * V; i < n; i++)
            s += x[i];
    out[g] = s;  // one value per work-item: under 1% of the bytes read
}
// Pass p adds p to x's index (x holds n + passes elements): no pass
// repeats another, so the passes cannot be merged into one.
__kernel void stream_triad(__global real *z, __global const real *x, __global const real *y, ulong n,
                           ulong passes)
{
    const ulong g = get_global_id(0), G = get_global_size(0);
    for (ulong p = 0; p < passes; p++)
        for (RANGE(g, G, n); i < end; i += step)
            z[i] = x[i + p] + (real)3 * y[i];
}
)CLC";

static bool device_is_cpu()
{
    cl_device_type type = 0;
    clGetDeviceInfo(hpk_ctx_cl_device(opencl_context()), CL_DEVICE_TYPE, sizeof type, &type, nullptr);
    return (type & CL_DEVICE_TYPE_CPU) != 0;
}

// At least 256 MiB per call (several passes over a small array), so that a
// kernel launch (~5-20 us on a GPU) costs a few percent at most.  On a CPU
// device (HPK_BLOCKED) a work-item's part of an array of 16 MiB or more
// (e.g. 1 MiB of 128 MiB over 128 work-items) would still fit its core's
// cache on the next pass and inflate the figure: one pass there, which at
// CPU bandwidths is already milliseconds.
static int64_t passes_for(double bytes)
{
    if (device_is_cpu() && bytes >= double(16 << 20))
        return 1;
    return std::max<int64_t>(1, int64_t((double(256 << 20)) / bytes));
}

static bool device_has_fp64()
{
    cl_device_fp_config fp = 0;
    clGetDeviceInfo(hpk_ctx_cl_device(opencl_context()), CL_DEVICE_DOUBLE_FP_CONFIG, sizeof fp, &fp, nullptr);
    return fp != 0;
}

// Enough work-items to fill the device: 2048 per compute unit (a GPU's
// resident threads per SM; on a CPU device 64 per core, each with a
// contiguous part), never more than the (rounded-up) element count.
static size_t global_size(int64_t n)
{
    cl_uint units = 1;
    clGetDeviceInfo(hpk_ctx_cl_device(opencl_context()), CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units,
                    nullptr);
    const size_t fill = size_t(std::max<cl_uint>(units, 1)) * (device_is_cpu() ? 64 : 2048);
    return std::min(fill, (size_t(n) + 255) / 256 * 256);
}

struct Kernels {
    cl_kernel read = nullptr, triad = nullptr;
    cl_mem out = nullptr;  // the read's per-work-item sums
    std::string error;
};

// The program, built once (untimed, on a point's first call).
static const Kernels &kernels(bool fp64)
{
    static Kernels k;
    static bool built = false;
    if (built)
        return k;
    built = true;
    const cl_context context = hpk_ctx_cl_context(opencl_context());
    cl_device_id dev = hpk_ctx_cl_device(opencl_context());
    cl_int err = CL_SUCCESS;
    const char *source = kSource;
    cl_program prog = clCreateProgramWithSource(context, 1, &source, nullptr, &err);
    if (err == CL_SUCCESS)
        err = clBuildProgram(prog, 1, &dev,
                             // a CPU: 64-byte vectors, contiguous parts; else 16-byte vectors, coalesced
                             (std::string(fp64 ? "-DHPK_FP64" : "") +
                              (device_is_cpu() ? (fp64 ? " -DHPK_BLOCKED -DV=8" : " -DHPK_BLOCKED -DV=16")
                                               : (fp64 ? " -DV=2" : " -DV=4")))
                                 .c_str(),
                             nullptr, nullptr);
    if (err != CL_SUCCESS) {
        char log[4096] = "";
        if (prog)
            clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, nullptr);
        k.error = "the device roofline's program did not build (" + std::to_string(err) + "): " + log;
        return k;
    }
    k.read = clCreateKernel(prog, "stream_read", &err);
    if (err == CL_SUCCESS)
        k.triad = clCreateKernel(prog, "stream_triad", &err);
    const size_t elem = fp64 ? sizeof(double) : sizeof(float);
    if (err == CL_SUCCESS)
        k.out = clCreateBuffer(context, CL_MEM_READ_WRITE, global_size(int64_t(1) << 40) * elem, nullptr, &err);
    if (err != CL_SUCCESS)
        k.error = "the device roofline's kernels could not be created (" + std::to_string(err) + ")";
    return k;
}

static std::string run_kernel(cl_kernel kernel, size_t global)
{
    const cl_command_queue q = opencl_queue();
    const cl_int err = clEnqueueNDRangeKernel(q, kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr);
    if (err != CL_SUCCESS)
        return "clEnqueueNDRangeKernel failed (" + std::to_string(err) + ")";
    return clFinish(q) == CL_SUCCESS ? "" : "clFinish failed";
}

// A pinned host buffer of `bytes` (CL_MEM_ALLOC_HOST_PTR, mapped for the
// whole run), one per size; nullptr after setting *error.
static void *pinned(size_t bytes, std::string *error)
{
    static std::map<size_t, void *> mapped;
    void *&ptr = mapped[bytes];
    if (ptr)
        return ptr;
    cl_int err = CL_SUCCESS;
    cl_mem mem = clCreateBuffer(hpk_ctx_cl_context(opencl_context()), CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR,
                                bytes, nullptr, &err);
    if (err == CL_SUCCESS)
        ptr = clEnqueueMapBuffer(opencl_queue(), mem, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 0, nullptr,
                                 nullptr, &err);
    if (err != CL_SUCCESS || !ptr) {
        *error = "pinned host memory (CL_MEM_ALLOC_HOST_PTR) of " + std::to_string(bytes) + " bytes failed (" +
                 std::to_string(err) + ")";
        return nullptr;
    }
    return ptr;
}

template <class T> static void add_device_stream(int64_t n)
{
    const char prec = sizeof(T) == sizeof(double) ? 'd' : 's';
    const bool fp64 = prec == 'd';
    const double bytes = double(sizeof(T)) * double(n);
    const size_t global = global_size(n);

    Work w;
    w.working_set = bytes;
    const int64_t read_passes = passes_for(bytes);
    w.bytes = bytes * double(read_passes);
    add(Point{"cl_stream_read", prec, "device", n, w, {{Buf::x, n}}}, [=](benchmark::State &st, int) {
        const Kernels &k = kernels(fp64);
        if (!k.error.empty())
            return fail(st, k.error);
        const cl_mem x = device_buffer<T>(Buf::x);
        const cl_ulong un = cl_ulong(n), up = cl_ulong(read_passes);
        clSetKernelArg(k.read, 0, sizeof x, &x);
        clSetKernelArg(k.read, 1, sizeof un, &un);
        clSetKernelArg(k.read, 2, sizeof up, &up);
        clSetKernelArg(k.read, 3, sizeof k.out, &k.out);
        measure_device(st, [&] { return run_kernel(k.read, global); });
    });

    w.working_set = 3 * bytes;
    const int64_t triad_passes = passes_for(3 * bytes);
    w.bytes = 3 * bytes * double(triad_passes);
    w.flops = 2.0 * double(n) * double(triad_passes);
    add(Point{"cl_stream_triad", prec, "device", n, w, {{Buf::x, n + triad_passes}, {Buf::y, n}, {Buf::z, n}}},
        [=](benchmark::State &st, int) {
            const Kernels &k = kernels(fp64);
            if (!k.error.empty())
                return fail(st, k.error);
            const cl_mem x = device_buffer<T>(Buf::x), y = device_buffer<T>(Buf::y), z = device_buffer<T>(Buf::z);
            const cl_ulong un = cl_ulong(n), up = cl_ulong(triad_passes);
            clSetKernelArg(k.triad, 0, sizeof z, &z);
            clSetKernelArg(k.triad, 1, sizeof x, &x);
            clSetKernelArg(k.triad, 2, sizeof y, &y);
            clSetKernelArg(k.triad, 3, sizeof un, &un);
            clSetKernelArg(k.triad, 4, sizeof up, &up);
            measure_device(st, [&] { return run_kernel(k.triad, global); });
        });

    // Transfers of n elements, blocking, as hpk's host-pointer calls make
    // them: host x (pageable) or a pinned copy of it into the device's z
    // (which only the triad writes), and the device's x back into host z
    // (which only the CPU triad writes) or into the pinned buffer.
    Work t;
    t.working_set = t.bytes = bytes;
    const size_t nbytes = size_t(bytes);
    for (const bool pin : {false, true}) {
        const std::string suffix = pin ? "_pinned" : "";
        add(Point{"cl_upload" + suffix, prec, "device", n, t, {{Buf::x, n}, {Buf::z, n}}},
            [=](benchmark::State &st, int) {
                std::string error;
                const T *src = buffer<T>(Buf::x);
                if (pin) {
                    void *p = pinned(nbytes, &error);
                    if (!p)
                        return fail(st, error);
                    std::memcpy(p, src, nbytes);
                    src = static_cast<const T *>(p);
                }
                const cl_mem dst = device_buffer<T>(Buf::z);
                measure_device(st, [&] {
                    return clEnqueueWriteBuffer(opencl_queue(), dst, CL_TRUE, 0, nbytes, src, 0, nullptr,
                                                nullptr) == CL_SUCCESS
                               ? ""
                               : "clEnqueueWriteBuffer failed";
                });
            });
        add(Point{"cl_download" + suffix, prec, "device", n, t, {{Buf::x, n}, {Buf::z, n}}},
            [=](benchmark::State &st, int) {
                std::string error;
                T *dst = buffer<T>(Buf::z);
                if (pin) {
                    dst = static_cast<T *>(pinned(nbytes, &error));
                    if (!dst)
                        return fail(st, error);
                }
                const cl_mem src = device_buffer<T>(Buf::x);
                measure_device(st, [&] {
                    return clEnqueueReadBuffer(opencl_queue(), src, CL_TRUE, 0, nbytes, dst, 0, nullptr,
                                               nullptr) == CL_SUCCESS
                               ? ""
                               : "clEnqueueReadBuffer failed";
                });
            });
    }
}

void register_device_stream()
{
    const Options &o = options();
    const bool wanted = std::find(o.variants.begin(), o.variants.end(), "device") != o.variants.end() &&
                        std::any_of(o.kernels.begin(), o.kernels.end(), [](const std::string &k) {
                            const hpkb_kernel *m = hpkb_find_kernel(k.c_str());
                            return m && m->roofline && std::strcmp(m->roofline, "device") == 0;
                        });
    if (!wanted || !opencl_available())
        return;
    const bool fp64 = device_has_fp64();
    for (const int64_t n : sizes_of("cl_stream_read")) {
        if (fp64)
            add_device_stream<double>(n);
        else
            add_device_stream<float>(n);
    }
}

}  // namespace hpkb
