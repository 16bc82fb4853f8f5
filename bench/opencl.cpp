// The shared OpenCL context and the device copies of the input buffers.
#include "opencl.h"

#include <cstdio>
#include <cstdlib>
#include <map>

namespace hpkb {

static hpk_ctx *g_ctx = nullptr;

bool opencl_available()
{
    static bool tried = false;
    if (!tried) {
        tried = true;
        hpk_ctx *ctx = nullptr;
        if (hpk_ctx_create_cl(&ctx, nullptr) == HPK_SUCCESS)
            g_ctx = ctx;
        else
            std::fprintf(stderr, "hpk_bench: no OpenCL device (%s); the OpenCL points are left out\n",
                         ctx ? hpk_ctx_error_message(ctx) : hpk_ctx_error_message(nullptr));
        if (!g_ctx)
            hpk_ctx_destroy(ctx);
    }
    return g_ctx != nullptr;
}

hpk_ctx *opencl_context() { return opencl_available() ? g_ctx : nullptr; }

static std::string device_info(cl_device_id dev, cl_device_info what)
{
    char text[256] = "";
    clGetDeviceInfo(dev, what, sizeof text - 1, text, nullptr);
    return text;
}

std::string opencl_device_description()
{
    if (!opencl_available())
        return "none (no OpenCL device could be used)";
    const cl_device_id dev = hpk_ctx_cl_device(g_ctx);
    cl_platform_id platform = nullptr;
    char platform_name[256] = "";
    if (clGetDeviceInfo(dev, CL_DEVICE_PLATFORM, sizeof platform, &platform, nullptr) == CL_SUCCESS)
        clGetPlatformInfo(platform, CL_PLATFORM_NAME, sizeof platform_name - 1, platform_name, nullptr);
    return device_info(dev, CL_DEVICE_NAME) + " (" + platform_name + ", driver " +
           device_info(dev, CL_DRIVER_VERSION) + ", " + device_info(dev, CL_DEVICE_VERSION) + ")";
}

cl_command_queue opencl_queue() { return opencl_available() ? hpk_ctx_cl_queue(g_ctx) : nullptr; }

cl_mem result_buffer()
{
    static cl_mem mem = nullptr;
    if (!mem && opencl_available()) {
        cl_int err = CL_SUCCESS;
        mem = clCreateBuffer(hpk_ctx_cl_context(g_ctx), CL_MEM_READ_WRITE, 64, nullptr, &err);
        if (err != CL_SUCCESS) {
            std::fprintf(stderr, "hpk_bench: clCreateBuffer of 64 bytes failed (%d)\n", err);
            std::exit(1);
        }
    }
    return mem;
}

void measure_device(benchmark::State &state, const std::function<std::string()> &call)
{
    std::string error = call();
    if (!error.empty())
        return fail(state, error);
    for (auto _ : state) {
        error = call();
        if (!error.empty()) {
            fail(state, error);
            break;
        }
    }
}

std::string clblast_error(const char *routine, int status)
{
    return status == CLBlastSuccess ? std::string()
                                    : std::string("CLBlast ") + routine + " failed with status " +
                                          std::to_string(status);
}

template <class T> cl_mem device_buffer(Buf b)
{
    static std::map<Buf, cl_mem> buffers;  // one map per T; kept for the whole run
    cl_mem &mem = buffers[b];
    if (!mem && opencl_available()) {
        const size_t bytes = size_t(buffer_elements<T>(b)) * sizeof(T);
        cl_int err = CL_SUCCESS;
        mem = clCreateBuffer(hpk_ctx_cl_context(g_ctx), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes,
                             buffer<T>(b), &err);
        if (err != CL_SUCCESS) {
            std::fprintf(stderr, "hpk_bench: clCreateBuffer of %zu bytes failed (%d)\n", bytes, err);
            std::exit(1);
        }
    }
    return mem;
}
template cl_mem device_buffer<float>(Buf);
template cl_mem device_buffer<double>(Buf);

}  // namespace hpkb
