// The harness's OpenCL side: one hpk OpenCL context shared by every OpenCL
// point (its programs built once, its queue also used for CLBlast), and
// device copies of the shared input buffers for the device-resident
// variants.  Only in builds with the OpenCL backend (HPK_BENCH_OPENCL),
// which the harness compares with CLBlast.
#ifndef HPK_BENCH_OPENCL_H
#define HPK_BENCH_OPENCL_H

#include "harness.h"

#include <clblast_c.h>
#include <hpk/hpk_cl.h>

#include <functional>
#include <string>

namespace hpkb {

// Creates the shared context on first use.  False (after printing why,
// once) when no OpenCL device can be used: the OpenCL points are then left
// out of the study.
bool opencl_available();
hpk_ctx *opencl_context();
std::string opencl_device_description();  // device, platform and driver

// A device buffer holding the same values as buffer<T>(b), created (and
// copied) on first use, outside any timed loop.
template <class T> cl_mem device_buffer(Buf b);

cl_command_queue opencl_queue();  // the shared context's queue, also CLBlast's
cl_mem result_buffer();           // device scratch for CLBlast's reduction results

// The body of a device-resident point (hpk_cl_kernel, clblast): one call
// before the timed loop (it builds the programs: CLBlast compiles its
// kernels on first use), then the timed loop.  `call` makes one complete
// call (for gemv, up to clFinish; for a reduction, up to the result on the
// host, as hpk's reductions return) and returns "" or what went wrong.
void measure_device(benchmark::State &state, const std::function<std::string()> &call);

// The device's own roofline (device_stream.cpp): kernels cl_stream_read,
// cl_stream_triad, cl_upload[_pinned], cl_download[_pinned], variant device.
void register_device_stream();

// "" for CLBlastSuccess, else a sentence naming the routine and the status.
std::string clblast_error(const char *routine, int status);

}  // namespace hpkb

#endif
