// hpk.cl's arguments (opencl_args.cpp) as its kernels (opencl.cpp) take
// them: pyopencl arrays, hpk.cl.Vector and hpk.cl.Matrix, and the OpenCL
// objects of an hpk.Context.
#pragma once

#include "hpk_py.h"

#include <hpk/hpk_cl.h>

#include <initializer_list>

namespace hpkpy {

enum class ClObject { Queue, Context, Device };

// The context's OpenCL object as a pyopencl object (None for a CPU context).
nb::object cl_object(Context &c, ClObject what);

// One hpk.cl argument: its geometry (addr: byte offset of logical element 0
// in the buffer), its buffer and the queue it was made on (None: none).
struct Dev : Strided {
    uintptr_t mem = 0;
    nb::object queue = nb::none();
};

// Parses obj, a pyopencl array (ndim-D, or with max_ndim > ndim ndim- to
// max_ndim-D) or an hpk.cl.Vector (ndim 1) / hpk.cl.Matrix (ndim 2) of
// ctx's OpenCL context, into d; errors name `name`.  `hint` ends the message
// of a wrong ndim, as get_array's.
void device_arg(nb::handle obj, const std::string &fn, const char *name, int ndim, uintptr_t ctx_context, Dev &d,
                int max_ndim = 0, const char *hint = "");

// ctx, which must be an open OpenCL hpk.Context, and its OpenCL context and queue.
struct ClCtx {
    Context *c;
    uintptr_t context, queue;
};
ClCtx need_cl(nb::handle ctx, const std::string &fn);

// Waits for the queues of arguments that are not on ctx's queue; whether any were.
bool sync(const ClCtx &cc, std::initializer_list<const Dev *> args);

inline cl_mem mem(const Dev &d) { return (cl_mem)d.mem; }
// The element offset hpk_cl.h takes for the byte address `addr` of d's buffer.
inline size_t element(const Dev &d, intptr_t addr) { return (size_t)(addr / d.itemsize); }

nb::module_ pyopencl_array();

// hpk.cl.Vector and hpk.cl.Matrix.
void export_cl_views(nb::module_ &m);

} // namespace hpkpy
