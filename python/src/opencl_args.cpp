// hpk.cl's arguments: pyopencl arrays, hpk.cl.Vector and hpk.cl.Matrix
// parsed and checked, and Context's OpenCL side (from_queue, device, its
// pyopencl objects, last_profile).
#include "opencl.h"

#ifdef HPK_PY_HAVE_OPENCL

#include <nanobind/stl/pair.h>

#include <algorithm>

namespace hpkpy {

namespace {

// ------------------------------------------------------------ the context

const char *doc_last_profile = R"(An hpk.Profile of the last call on this OpenCL context that used the
device: upload_s, kernel_s, download_s, build_s and verify_s (verify mode)
in seconds (all zero before any such call).  After hpk.cl.gemv, which returns before its kernels
run, reading it waits for them.  hpk.UnsupportedError for a from_queue
context whose queue has no profiling; hpk.InvalidArgumentError for a CPU
context.)";

// The context's OpenCL object `what` (0 for a CPU context).
uintptr_t cl_pointer(Context &c, ClObject what) {
    std::lock_guard<std::mutex> lock(c.mutex);
    hpk_ctx *ctx = c.open("hpk.Context");
    if (hpk_ctx_get_backend(ctx) != HPK_BACKEND_OPENCL) return 0;
    switch (what) {
    case ClObject::Queue: return (uintptr_t)hpk_ctx_cl_queue(ctx);
    case ClObject::Context: return (uintptr_t)hpk_ctx_cl_context(ctx);
    default: return (uintptr_t)hpk_ctx_cl_device(ctx);
    }
}

// The int_ptr of a pyopencl object (CommandQueue, Context, Buffer).
uintptr_t int_ptr_of(nb::handle obj, const char *fn, const char *name, const char *kind) {
    nb::object mod = nb::borrow(obj.type()).attr("__module__");
    std::string module = nb::isinstance<nb::str>(mod) ? nb::cast<std::string>(mod) : std::string();
    if (module.rfind("pyopencl", 0) != 0 || !nb::hasattr(obj, "int_ptr"))
        type_error(format("%s: %s must be a %s, not %s", fn, name, kind, pytype_name(obj).c_str()));
    return nb::cast<uintptr_t>(obj.attr("int_ptr"));
}

Profile last_profile(Context &c) {
    hpk_profile p{};
    run("hpk.Context.last_profile", &c, [&](hpk_ctx *ctx) { return hpk_ctx_last_profile(ctx, &p); });
    return Profile{p.upload_s, p.kernel_s, p.download_s, p.build_s, p.verify_s};
}

// ------------------------------------------------------------ device arguments

nb::module_ pyopencl() { return nb::module_::import_("pyopencl"); }

DType dtype_of(nb::handle dtype, const std::string &fn, const std::string &name) {
    nb::object dt;
    try {
        dt = nb::module_::import_("numpy").attr("dtype")(dtype);
    } catch (nb::python_error &) {
        type_error(format("%s: %s has dtype %s; hpk takes float32 or float64", fn.c_str(), name.c_str(),
                          nb::cast<std::string>(nb::repr(dtype)).c_str()));
    }
    std::string s = nb::cast<std::string>(nb::str(dt));
    if (s == "float32") return DType::F32;
    if (s == "float64") return DType::F64;
    type_error(format("%s: %s has dtype %s; hpk takes float32 or float64 and does not convert", fn.c_str(),
                      name.c_str(), s.c_str()));
}

int64_t to_int(nb::handle v, const char *fn, const char *what) {
    if (PyBool_Check(v.ptr()) || !PyIndex_Check(v.ptr()))
        type_error(format("%s: %s must be an int, not %s", fn, what, pytype_name(v).c_str()));
    return nb::cast<int64_t>(nb::steal(PyNumber_Index(v.ptr())));
}

void check_buffer(nb::handle buffer, const char *fn) {
    if (PyObject_IsInstance(buffer.ptr(), pyopencl().attr("Buffer").ptr()) != 1)
        type_error(format("%s: buffer must be a pyopencl.Buffer, not %s", fn, pytype_name(buffer).c_str()));
}

// n elements of a buffer (hpk.cl.Vector) or a matrix in one (hpk.cl.Matrix).
struct BufferView {
    nb::object buffer, dtype;
    int64_t offset = 0;
    DType type = DType::F64;
};

struct VectorView : BufferView {
    int64_t n = 0, inc = 1;
};

struct MatrixView : BufferView {
    int64_t rows = 0, cols = 0, ld = 0;
    std::string order;
};

void init_view(BufferView &v, const char *fn, nb::handle buffer, nb::handle dtype, nb::handle offset,
               const char *what) {
    check_buffer(buffer, fn);
    v.buffer = nb::borrow(buffer);
    v.type = dtype_of(dtype, fn, what);
    v.dtype = nb::module_::import_("numpy").attr("dtype")(dtype_name(v.type));
    v.offset = to_int(offset, fn, "offset");
}

const char *doc_vector = R"(n elements of dtype (float32 or float64) in a pyopencl.Buffer, as
hpk_cl.h addresses them: offset counts elements from the start of the
buffer to the element with the lowest address, inc is the increment
between logical elements (negative: the vector runs backwards from the
highest of them).  Every element must lie inside the buffer (hpk checks).)";

const char *doc_matrix = R"(A rows x cols matrix of dtype in a pyopencl.Buffer: order "C" (row-major,
ld >= cols, the distance between rows) or "F" (column-major, ld >= rows),
its element [0, 0] at element `offset` of the buffer.  ld defaults to the
contiguous value.)";

uintptr_t context_of(nb::handle buffer_or_array) {
    return nb::cast<uintptr_t>(buffer_or_array.attr("context").attr("int_ptr"));
}

void check_owner(uintptr_t context, uintptr_t ctx_context, const std::string &fn, const char *name) {
    if (context != ctx_context)
        value_error(format("%s: %s belongs to another OpenCL context than ctx's; hpk reads only buffers of "
                           "ctx.cl_context (use hpk.Context.from_queue with a queue of %s's context)",
                           fn.c_str(), name, name));
}

[[noreturn]] void not_device(nb::handle obj, const std::string &fn, const char *name, int ndim, int max_ndim) {
    const char *cls = ndim == 1 ? "Vector" : "Matrix";
    if (PyObject_IsInstance(obj.ptr(), pyopencl().attr("MemoryObjectHolder").ptr()) == 1)
        type_error(format("%s: %s is a bare %s, whose size and type hpk cannot know: pass a pyopencl.array.Array "
                          "or %s",
                          fn.c_str(), name, nb::cast<std::string>(obj.type().attr("__name__")).c_str(),
                          ndim == 1 ? "hpk.cl.Vector(buffer, n, dtype, offset, inc)"
                                    : "hpk.cl.Matrix(buffer, shape, dtype, offset, ld, order)"));
    if (PyObject_IsInstance(obj.ptr(), nb::module_::import_("numpy").attr("ndarray").ptr()) == 1)
        type_error(format("%s: %s is a numpy.ndarray, a host array: pass a pyopencl.array.Array "
                          "(pyopencl.array.to_device), or use the host function hpk.%s",
                          fn.c_str(), name, fn.substr(fn.rfind('.') + 1).c_str()));
    std::string kinds = max_ndim == ndim ? format("a %d-D", ndim) : format("a %d-D or %d-D", ndim, max_ndim);
    type_error(format("%s: %s must be %s pyopencl.array.Array of float32 or float64 (or an hpk.cl.%s), not %s",
                      fn.c_str(), name, kinds.c_str(), cls, pytype_name(obj).c_str()));
}

} // namespace

Context *context_from_queue(nb::handle queue) {
    const char *fn = "hpk.Context.from_queue";
    uintptr_t q = int_ptr_of(queue, fn, "queue", "pyopencl.CommandQueue");
    hpk_ctx *ctx = nullptr;
    hpk_status st;
    std::string message;
    {
        nb::gil_scoped_release release;
        st = hpk_ctx_create_cl_queue(&ctx, (cl_command_queue)q);
        if (st != HPK_SUCCESS) message = hpk_ctx_error_message(nullptr);
    }
    if (st != HPK_SUCCESS) raise_status(st, message);
    Context *c = new Context();
    c->ctx = ctx;
    return c;
}

nb::object device_name(Context &c) {
    cl_device_id d = (cl_device_id)cl_pointer(c, ClObject::Device);
    char name[256] = {0};
    if (d && clGetDeviceInfo(d, CL_DEVICE_NAME, sizeof name - 1, name, nullptr) == CL_SUCCESS) return nb::str(name);
    return nb::none();
}

nb::module_ pyopencl_array() { return nb::module_::import_("pyopencl.array"); }

// hpk's OpenCL objects as pyopencl objects (each holding its own reference).
nb::object cl_object(Context &c, ClObject what) {
    uintptr_t p = cl_pointer(c, what);
    if (!p) return nb::none();
    nb::module_ cl = nb::module_::import_("pyopencl");
    if (what == ClObject::Device) return cl.attr("Device").attr("from_int_ptr")(p);
    return cl.attr(what == ClObject::Queue ? "CommandQueue" : "Context").attr("from_int_ptr")(p, "retain"_a = true);
}

void device_arg(nb::handle obj, const std::string &fn, const char *name, int ndim, uintptr_t ctx_context, Dev &d,
                int max_ndim, const char *hint) {
    if (max_ndim < ndim) max_ndim = ndim;
    d.ndim = ndim;
    d.queue = nb::none();
    if (PyObject_IsInstance(obj.ptr(), pyopencl_array().attr("Array").ptr()) == 1) {
        int k = nb::cast<int>(obj.attr("ndim"));
        if (k < ndim || k > max_ndim) {
            if (max_ndim == ndim)
                value_error(format("%s: %s must be %d-D, not %d-D%s", fn.c_str(), name, ndim, k, hint));
            value_error(format("%s: %s must be %d-D or %d-D, not %d-D%s", fn.c_str(), name, ndim, max_ndim, k, hint));
        }
        ndim = d.ndim = k;
        d.dtype = dtype_of(obj.attr("dtype"), fn, name);
        check_owner(context_of(obj), ctx_context, fn, name);
        d.itemsize = d.dtype == DType::F64 ? 8 : 4;
        nb::tuple shape = obj.attr("shape"), strides = obj.attr("strides");
        int64_t off = nb::cast<int64_t>(obj.attr("offset")), size = 1;
        bool whole = off % d.itemsize == 0;
        for (int i = 0; i < ndim; ++i) {
            d.shape[i] = nb::cast<int64_t>(shape[i]);
            int64_t s = nb::cast<int64_t>(strides[i]);
            whole = whole && s % d.itemsize == 0;
            d.stride[i] = s / d.itemsize;
            size *= d.shape[i];
        }
        if (!whole)
            value_error(format("%s: %s's strides %s or offset (%lld bytes) are not whole numbers of %s elements",
                               fn.c_str(), name, nb::cast<std::string>(nb::str(strides)).c_str(), (long long)off,
                               dtype_name(d.dtype)));
        d.addr = (intptr_t)off;
        nb::object base = obj.attr("base_data");
        d.mem = (!base.is_none() && size > 0) ? nb::cast<uintptr_t>(base.attr("int_ptr")) : 0;
        d.queue = obj.attr("queue");
        return;
    }
    const BufferView *view = nullptr;
    if (ndim == 1 && nb::isinstance<VectorView>(obj)) {
        const VectorView &v = nb::cast<const VectorView &>(obj);
        int64_t inc = v.n > 1 ? v.inc : 1;
        d.shape[0] = v.n;
        d.stride[0] = inc;
        d.addr = (intptr_t)(v.offset + (inc < 0 ? (v.n - 1) * -inc : 0));
        view = &v;
    } else if (ndim == 2 && nb::isinstance<MatrixView>(obj)) {
        const MatrixView &v = nb::cast<const MatrixView &>(obj);
        bool c_order = v.order == "C";
        d.shape[0] = v.rows;
        d.shape[1] = v.cols;
        d.stride[0] = c_order ? v.ld : 1;
        d.stride[1] = c_order ? 1 : v.ld;
        d.addr = (intptr_t)v.offset;
        view = &v;
    } else {
        not_device(obj, fn, name, ndim, max_ndim);
    }
    d.dtype = view->type;
    d.itemsize = d.dtype == DType::F64 ? 8 : 4;
    d.addr *= (intptr_t)d.itemsize;
    check_owner(context_of(view->buffer), ctx_context, fn, name);
    d.mem = nb::cast<uintptr_t>(view->buffer.attr("int_ptr"));
}

ClCtx need_cl(nb::handle ctx_obj, const std::string &fn) {
    if (ctx_obj.is_none() || !nb::isinstance<Context>(ctx_obj))
        type_error(format("%s: ctx must be an OpenCL hpk.Context (hpk.Context.from_queue(queue) or "
                          "hpk.Context('opencl')), not %s",
                          fn.c_str(), ctx_obj.is_none() ? "None" : pytype_name(ctx_obj).c_str()));
    Context *c = nb::inst_ptr<Context>(ctx_obj);
    std::lock_guard<std::mutex> lock(c->mutex);
    hpk_ctx *ctx = c->open(fn.c_str());
    if (hpk_ctx_get_backend(ctx) != HPK_BACKEND_OPENCL)
        value_error(format("%s: ctx is a %s context; hpk.cl needs an OpenCL one", fn.c_str(),
                           backend_name(hpk_ctx_get_backend(ctx))));
    return {c, (uintptr_t)hpk_ctx_cl_context(ctx), (uintptr_t)hpk_ctx_cl_queue(ctx)};
}

// Waits for the queues of arguments that are not on ctx's queue; whether any were.
bool sync(const ClCtx &cc, std::initializer_list<const Dev *> args) {
    std::vector<uintptr_t> done;
    for (const Dev *d : args) {
        if (d->queue.is_none()) continue;
        uintptr_t q = nb::cast<uintptr_t>(d->queue.attr("int_ptr"));
        if (q == cc.queue || std::find(done.begin(), done.end(), q) != done.end()) continue;
        d->queue.attr("finish")();
        done.push_back(q);
    }
    return !done.empty();
}


void export_context_opencl(nb::class_<Context> &cls) {
    cls.def_prop_ro(
            "cl_queue", [](Context &c) { return cl_object(c, ClObject::Queue); },
            nb::sig("def cl_queue(self) -> pyopencl.CommandQueue | None"),
            "The context's OpenCL command queue as a pyopencl.CommandQueue (in order; the caller's own for "
            "Context.from_queue); None for a CPU context.  Enqueue your own work on it to order it with hpk's.")
        .def_prop_ro(
            "cl_context", [](Context &c) { return cl_object(c, ClObject::Context); },
            nb::sig("def cl_context(self) -> pyopencl.Context | None"),
            "The context's OpenCL context as a pyopencl.Context (buffers for hpk.cl come from it); None for a "
            "CPU context.")
        .def_prop_ro(
            "cl_device", [](Context &c) { return cl_object(c, ClObject::Device); },
            nb::sig("def cl_device(self) -> pyopencl.Device | None"),
            "The context's OpenCL device as a pyopencl.Device; None for a CPU context.")
        .def_prop_ro("_cl_queue_ptr", [](Context &c) { return cl_pointer(c, ClObject::Queue); })
        .def_prop_ro("_cl_context_ptr", [](Context &c) { return cl_pointer(c, ClObject::Context); })
        .def_prop_ro("last_profile", &last_profile, doc_last_profile);
}

void export_cl_views(nb::module_ &m) {
    nb::class_<VectorView>(m, "Vector", doc_vector)
        .def(
            "__init__",
            [](VectorView *self, nb::handle buffer, nb::handle n, nb::handle dtype, nb::handle offset,
               nb::handle inc) {
                const char *fn = "hpk.cl.Vector";
                VectorView v;
                init_view(v, fn, buffer, dtype, offset, "the vector");
                v.n = to_int(n, fn, "n");
                v.inc = to_int(inc, fn, "inc");
                if (v.n < 0 || v.offset < 0) value_error(format("%s: n and offset must not be negative", fn));
                if (v.inc == 0 && v.n > 1) value_error(format("%s: inc must not be 0", fn));
                new (self) VectorView(std::move(v));
            },
            "buffer"_a, "n"_a, "dtype"_a, "offset"_a = 0, "inc"_a = 1,
            nb::sig("def __init__(self, buffer: pyopencl.Buffer, n: int, dtype: numpy.typing.DTypeLike, offset: int "
                    "= 0, inc: int = 1) -> None"))
        .def_ro("buffer", &VectorView::buffer, nb::sig("def buffer(self) -> pyopencl.Buffer"))
        .def_ro("n", &VectorView::n)
        .def_ro("dtype", &VectorView::dtype, nb::sig("def dtype(self) -> numpy.dtype"))
        .def_ro("offset", &VectorView::offset)
        .def_ro("inc", &VectorView::inc)
        .def("__repr__", [](const VectorView &v) {
            return format("hpk.cl.Vector(n=%lld, dtype=%s, offset=%lld, inc=%lld)", (long long)v.n,
                          dtype_name(v.type), (long long)v.offset, (long long)v.inc);
        });
    nb::class_<MatrixView>(m, "Matrix", doc_matrix)
        .def(
            "__init__",
            [](MatrixView *self, nb::handle buffer, nb::handle shape, nb::handle dtype, nb::handle offset,
               nb::handle ld, nb::handle order) {
                const char *fn = "hpk.cl.Matrix";
                MatrixView v;
                check_buffer(buffer, fn);
                if (!nb::isinstance<nb::str>(order) || (nb::cast<std::string>(order) != "C" &&
                                                        nb::cast<std::string>(order) != "F"))
                    value_error(format("%s: order must be 'C' or 'F', not %s", fn,
                                       nb::cast<std::string>(nb::repr(order)).c_str()));
                std::vector<int64_t> dims;
                for (nb::handle s : shape) dims.push_back(to_int(s, fn, "shape[i]"));
                if (dims.size() != 2) value_error(format("%s: shape must be (rows, cols)", fn));
                init_view(v, fn, buffer, dtype, offset, "the matrix");
                v.rows = dims[0];
                v.cols = dims[1];
                v.order = nb::cast<std::string>(order);
                int64_t contiguous = v.order == "C" ? v.cols : v.rows;
                v.ld = ld.is_none() ? (contiguous > 1 ? contiguous : 1) : to_int(ld, fn, "ld");
                if (v.rows < 0 || v.cols < 0 || v.offset < 0)
                    value_error(format("%s: shape and offset must not be negative", fn));
                new (self) MatrixView(std::move(v));
            },
            "buffer"_a, "shape"_a, "dtype"_a, "offset"_a = 0, "ld"_a.none() = nb::none(), "order"_a = "C",
            nb::sig("def __init__(self, buffer: pyopencl.Buffer, shape: tuple[int, int], dtype: "
                    "numpy.typing.DTypeLike, offset: int = 0, ld: int | None = None, order: str = 'C') -> None"))
        .def_ro("buffer", &MatrixView::buffer, nb::sig("def buffer(self) -> pyopencl.Buffer"))
        .def_prop_ro("shape", [](const MatrixView &v) { return std::make_pair(v.rows, v.cols); },
                     nb::sig("def shape(self) -> tuple[int, int]"))
        .def_ro("dtype", &MatrixView::dtype, nb::sig("def dtype(self) -> numpy.dtype"))
        .def_ro("offset", &MatrixView::offset)
        .def_ro("ld", &MatrixView::ld)
        .def_ro("order", &MatrixView::order)
        .def("__repr__", [](const MatrixView &v) {
            return format("hpk.cl.Matrix(shape=(%lld, %lld), dtype=%s, offset=%lld, ld=%lld, order='%s')",
                          (long long)v.rows, (long long)v.cols, dtype_name(v.type), (long long)v.offset,
                          (long long)v.ld, v.order.c_str());
        });
}

} // namespace hpkpy

#endif
