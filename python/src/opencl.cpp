// OpenCL: hpk.cl (hpk_cl.h on pyopencl arrays and buffers, and on
// hpk.cl.Vector / hpk.cl.Matrix views of buffers) and Context's OpenCL side.
// Every argument is parsed and checked here; hpk checks each buffer again
// (its context, its size).
#include "hpk_py.h"

#include <nanobind/stl/pair.h>

#include <algorithm>

#ifdef HPK_PY_HAVE_OPENCL
#include <hpk/hpk_cl.h>

namespace hpkpy {

namespace {

// ------------------------------------------------------------ the context

const char *doc_from_queue = R"(An OpenCL hpk context that enqueues its work on the caller's pyopencl
CommandQueue (hpk_ctx_create_cl_queue): hpk's commands and the caller's run
in the one queue's order, and every buffer of the queue's pyopencl.Context
works with hpk.cl.  The queue must be in order (an out-of-order queue raises
hpk.InvalidArgumentError); without PROFILING_ENABLE everything works but
last_profile raises hpk.UnsupportedError.  The context holds a reference to
the queue and its OpenCL context until close(), which first waits for every
command on the queue.  hpk.UnsupportedError in a build without OpenCL.)";

const char *doc_last_profile = R"(An hpk.Profile of the last call on this OpenCL context that used the
device: upload_s, kernel_s, download_s and build_s in seconds (all zero
before any such call).  After hpk.cl.gemv, which returns before its kernels
run, reading it waits for them.  hpk.UnsupportedError for a from_queue
context whose queue has no profiling; hpk.InvalidArgumentError for a CPU
context.)";

enum class ClObject { Queue, Context, Device };

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

// hpk's OpenCL objects as pyopencl objects (each holding its own reference).
nb::object cl_object(Context &c, ClObject what) {
    uintptr_t p = cl_pointer(c, what);
    if (!p) return nb::none();
    nb::module_ cl = nb::module_::import_("pyopencl");
    if (what == ClObject::Device) return cl.attr("Device").attr("from_int_ptr")(p);
    return cl.attr(what == ClObject::Queue ? "CommandQueue" : "Context").attr("from_int_ptr")(p, "retain"_a = true);
}

// The int_ptr of a pyopencl object (CommandQueue, Context, Buffer).
uintptr_t int_ptr_of(nb::handle obj, const char *fn, const char *name, const char *kind) {
    nb::object mod = nb::borrow(obj.type()).attr("__module__");
    std::string module = nb::isinstance<nb::str>(mod) ? nb::cast<std::string>(mod) : std::string();
    if (module.rfind("pyopencl", 0) != 0 || !nb::hasattr(obj, "int_ptr"))
        type_error(format("%s: %s must be a %s, not %s", fn, name, kind, pytype_name(obj).c_str()));
    return nb::cast<uintptr_t>(obj.attr("int_ptr"));
}

Context *from_queue(nb::handle queue) {
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

Profile last_profile(Context &c) {
    hpk_profile p{};
    run("hpk.Context.last_profile", &c, [&](hpk_ctx *ctx) { return hpk_ctx_last_profile(ctx, &p); });
    return Profile{p.upload_s, p.kernel_s, p.download_s, p.build_s};
}

// ------------------------------------------------------------ device arguments

nb::module_ pyopencl() { return nb::module_::import_("pyopencl"); }
nb::module_ pyopencl_array() { return nb::module_::import_("pyopencl.array"); }

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

// One hpk.cl argument: its geometry (addr: byte offset of logical element 0
// in the buffer), its buffer and the queue it was made on (None: none).
struct Dev : Strided {
    uintptr_t mem = 0;
    nb::object queue = nb::none();
};

uintptr_t context_of(nb::handle buffer_or_array) {
    return nb::cast<uintptr_t>(buffer_or_array.attr("context").attr("int_ptr"));
}

void check_owner(uintptr_t context, uintptr_t ctx_context, const std::string &fn, const char *name) {
    if (context != ctx_context)
        value_error(format("%s: %s belongs to another OpenCL context than ctx's; hpk reads only buffers of "
                           "ctx.cl_context (use hpk.Context.from_queue with a queue of %s's context)",
                           fn.c_str(), name, name));
}

[[noreturn]] void not_device(nb::handle obj, const std::string &fn, const char *name, int ndim) {
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
    type_error(format("%s: %s must be %s pyopencl.array.Array of float32 or float64 (or an hpk.cl.%s), not %s",
                      fn.c_str(), name, ndim == 1 ? "a 1-D" : "a 2-D", cls, pytype_name(obj).c_str()));
}

void device_arg(nb::handle obj, const std::string &fn, const char *name, int ndim, uintptr_t ctx_context, Dev &d) {
    d.ndim = ndim;
    d.queue = nb::none();
    if (PyObject_IsInstance(obj.ptr(), pyopencl_array().attr("Array").ptr()) == 1) {
        int k = nb::cast<int>(obj.attr("ndim"));
        if (k != ndim) value_error(format("%s: %s must be %d-D, not %d-D", fn.c_str(), name, ndim, k));
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
        not_device(obj, fn, name, ndim);
    }
    d.dtype = view->type;
    d.itemsize = d.dtype == DType::F64 ? 8 : 4;
    d.addr *= (intptr_t)d.itemsize;
    check_owner(context_of(view->buffer), ctx_context, fn, name);
    d.mem = nb::cast<uintptr_t>(view->buffer.attr("int_ptr"));
}

// The OpenCL context and queue of ctx, which must be an open OpenCL Context.
struct ClCtx {
    uintptr_t context, queue;
};

ClCtx need_cl(Context *c, const std::string &fn) {
    if (!c) type_error(format("%s: ctx must be an OpenCL hpk.Context, not None", fn.c_str()));
    std::lock_guard<std::mutex> lock(c->mutex);
    hpk_ctx *ctx = c->open(fn.c_str());
    if (hpk_ctx_get_backend(ctx) != HPK_BACKEND_OPENCL)
        value_error(format("%s: ctx is a %s context; hpk.cl needs an OpenCL one", fn.c_str(),
                           backend_name(hpk_ctx_get_backend(ctx))));
    return {(uintptr_t)hpk_ctx_cl_context(ctx), (uintptr_t)hpk_ctx_cl_queue(ctx)};
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

cl_mem mem(const Dev &d) { return (cl_mem)d.mem; }
size_t element(const Dev &d, intptr_t addr) { return (size_t)(addr / d.itemsize); }

// ------------------------------------------------------------ kernels

template <class T>
using Gemv = hpk_status (*)(hpk_ctx *, hpk_layout, hpk_transpose, int64_t, int64_t, T, cl_mem, size_t, int64_t,
                            cl_mem, size_t, int64_t, T, cl_mem, size_t, int64_t);
template <class T>
using Reduce = hpk_status (*)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, T *);
template <class T>
using Dot = hpk_status (*)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, cl_mem, size_t, int64_t, T *);
using Iamax = hpk_status (*)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, int64_t *);
using Integrate = hpk_status (*)(hpk_ctx *, const char *, int, const double *, const double *, uint64_t, uint64_t,
                                 hpk_mc_result *);

const char *doc_gemv = R"(y = alpha * a @ x + beta * y (trans=True: a.T @ x) on the device
(hpk_cl_?gemv).  a is a 2-D pyopencl Array in C or Fortran order or a
slice of one (or an hpk.cl.Matrix), x and y 1-D Arrays (any stride,
negative included) or hpk.cl.Vectors, all of one dtype.  y=None returns
a new pyopencl Array on a's queue (beta must be 0); otherwise y is
written in place and returned.  The kernels are enqueued on ctx's queue
and the call returns at once: pyopencl's own reads of y on that queue
(y.get()) come after them.  Bitwise the CPU backends' y.)";

const char *doc_mc_integrate = R"(hpk.mc_integrate on the device (hpk_cl_mc_integrate), the integrand given
as OpenCL C source (a str) that defines

    double hpk_integrand(const double *point, int dim)

(helper functions and constants too; names starting with hpk_ are
reserved), dim being len(lower).  The sample points are hpk.mc_integrate's
and are combined in hpk.h's canonical order, so an integrand whose values
are bit for bit those of a C (or Python) integrand gives bitwise
hpk.mc_integrate's MCResult on a CPU context; otherwise the result differs
only as the integrand values do.  The built program is cached per context
and on disk, keyed by the source and dim.  Needs fp64
(hpk.UnsupportedError without it).  Blocks until the result is read back;
the GIL is released meanwhile.

The source is compiled with the rights of this process (an #include in it
can read any file the process can read): pass only sources you would
compile yourself.  A source that does not build raises hpk.DeviceError
whose message holds the build log (some drivers, PoCL among them, also
print an error count to stderr).  Bounds must be finite with
lower[d] < upper[d], 1 <= len(lower) <= 256 and samples >= 1
(hpk.InvalidArgumentError, a ValueError, otherwise).)";

// The kernels of hpk_cl.h: one line each.
const auto kernels = std::make_tuple(
    kernel("gemv", hpk_cl_sgemv, hpk_cl_dgemv, doc_gemv),
    kernel("sum", hpk_cl_ssum, hpk_cl_dsum,
           "The sum of the device vector x (hpk_cl_?sum): bitwise hpk.sum of the same data."),
    kernel("asum", hpk_cl_sasum, hpk_cl_dasum,
           "The sum of |x_i| of the device vector x (hpk_cl_?asum): bitwise hpk.asum of the same data."),
    kernel("nrm2", hpk_cl_snrm2, hpk_cl_dnrm2,
           "The Euclidean norm of the device vector x (hpk_cl_?nrm2), overflow- and underflow-safe:\n"
           "bitwise hpk.nrm2 of the same data."),
    kernel("dot", hpk_cl_sdot, hpk_cl_ddot,
           "The dot product of two device vectors of one dtype and length (hpk_cl_?dot): bitwise\n"
           "hpk.dot of the same data."),
    kernel("iamax", hpk_cl_isamax, hpk_cl_idamax,
           "The 0-based index of the first largest |x_i| of the device vector x (hpk_cl_i?amax;\n"
           "NaN beats every number, the first NaN wins; -1 when empty), in x's own order."),
    kernel("mc_integrate", hpk_cl_mc_integrate, hpk_cl_mc_integrate, doc_mc_integrate));

#define HPK_PY_DEVICE_VECTOR "pyopencl.array.Array | Vector"

std::string qualified(const char *name) { return std::string("hpk.cl.") + name; }

void def_kernel(nb::module_ &m, const Kernel<Gemv<float>, Gemv<double>> &k) {
    m.def(
        k.name,
        [k](nb::handle a_obj, nb::handle x_obj, nb::handle y_obj, double alpha, double beta, bool trans,
            Context *c) {
            std::string fn = qualified(k.name);
            ClCtx cc = need_cl(c, fn);
            Dev a, x, y;
            device_arg(a_obj, fn, "a", 2, cc.context, a);
            Mat am = as_matrix(a, fn, "a");
            device_arg(x_obj, fn, "x", 1, cc.context, x);
            same_dtype(a, "a", x, "x", fn);
            check_gemv_length(fn, "x", x.shape[0], am, trans);
            nb::object result = nb::borrow(y_obj);
            if (y_obj.is_none()) {
                if (beta != 0.0)
                    value_error(format("%s: beta is %g but y is None; pass y to accumulate into it", fn.c_str(), beta));
                nb::object queue = a.queue.is_none() ? cl_object(*c, ClObject::Queue) : a.queue;
                int64_t terms = trans ? am.m : am.n;
                result = pyopencl_array().attr(terms == 0 ? "zeros" : "empty")(queue, trans ? am.n : am.m,
                                                                               dtype_name(a.dtype));
            }
            device_arg(result, fn, "y", 1, cc.context, y);
            same_dtype(a, "a", y, "y", fn);
            check_gemv_length(fn, "y", y.shape[0], am, trans);
            if (y.mem && y.mem == a.mem && overlap(y, a))
                value_error(format("%s: y shares memory with a; y must be a separate array", fn.c_str()));
            if (y.mem && y.mem == x.mem && overlap(y, x))
                value_error(format("%s: y shares memory with x; y must be a separate array", fn.c_str()));
            bool foreign = sync(cc, {&a, &x, &y});
            Vec xv = as_vector(x, fn, "x"), yv = as_vector(y, fn, "y");
            hpk_transpose tr = trans ? HPK_TRANS : HPK_NO_TRANS;
            by_dtype(a.dtype, k, [&](auto f, auto zero) {
                using T = decltype(zero);
                run(fn, c, [&](hpk_ctx *ctx) {
                    hpk_status st = f(ctx, am.layout, tr, am.m, am.n, (T)alpha, mem(a), element(a, a.addr), am.ld,
                                      mem(x), element(x, xv.addr), xv.inc, (T)beta, mem(y), element(y, yv.addr),
                                      yv.inc);
                    if (st == HPK_SUCCESS && foreign) clFinish(hpk_ctx_cl_queue(ctx));  // their queues must see y
                    return st;
                });
            });
            return result;
        },
        "a"_a.none(), "x"_a.none(), "y"_a.none() = nb::none(), nb::kw_only(), "alpha"_a = 1.0, "beta"_a = 0.0,
        "trans"_a = false, "ctx"_a.none(), k.doc,
        nb::sig(format("def %s(a: pyopencl.array.Array | Matrix, x: %s, y: %s | None = None, *, alpha: float = 1.0, "
                       "beta: float = 0.0, trans: bool = False, ctx: hpk.Context) -> %s",
                       k.name, HPK_PY_DEVICE_VECTOR, HPK_PY_DEVICE_VECTOR, HPK_PY_DEVICE_VECTOR)
                    .c_str()));
}

// x's (and for dot y's) device vectors, checked and synchronised: calls
// reduce(f, T{}, x, y) with the float or double function of k.
template <class S, class D, class F>
auto reduction(const Kernel<S, D> &k, Context *c, nb::handle x_obj, nb::handle y_obj, bool two, F &&reduce) {
    std::string fn = qualified(k.name);
    ClCtx cc = need_cl(c, fn);
    Dev x, y;
    device_arg(x_obj, fn, "x", 1, cc.context, x);
    Vec xv = as_vector(x, fn, "x"), yv{0, 0, 1};
    if (two) {
        device_arg(y_obj, fn, "y", 1, cc.context, y);
        same_dtype(x, "x", y, "y", fn);
        check_same_length(fn, x.shape[0], y.shape[0]);
        yv = as_vector(y, fn, "y");
    }
    sync(cc, {&x, &y});
    return by_dtype(x.dtype, k, [&](auto f, auto zero) {
        return reduce(f, zero, fn, mem(x), element(x, xv.addr), xv, mem(y), element(y, yv.addr), yv);
    });
}

void def_kernel(nb::module_ &m, const Kernel<Reduce<float>, Reduce<double>> &k) {
    m.def(
        k.name,
        [k](nb::handle x_obj, Context *c) {
            return reduction(k, c, x_obj, nb::none(), false,
                             [&](auto f, auto zero, const std::string &fn, cl_mem xm, size_t xo, Vec xv, cl_mem,
                                 size_t, Vec) {
                                 decltype(zero) r = 0;
                                 run(fn, c, [&](hpk_ctx *ctx) { return f(ctx, xv.n, xm, xo, xv.inc, &r); });
                                 return (double)r;
                             });
        },
        "x"_a.none(), nb::kw_only(), "ctx"_a.none(), k.doc,
        nb::sig(format("def %s(x: %s, *, ctx: hpk.Context) -> float", k.name, HPK_PY_DEVICE_VECTOR).c_str()));
}

void def_kernel(nb::module_ &m, const Kernel<Iamax, Iamax> &k) {
    m.def(
        k.name,
        [k](nb::handle x_obj, Context *c) {
            return reduction(k, c, x_obj, nb::none(), false,
                             [&](auto f, auto, const std::string &fn, cl_mem xm, size_t xo, Vec xv, cl_mem, size_t,
                                 Vec) {
                                 int64_t r = -1;
                                 run(fn, c, [&](hpk_ctx *ctx) { return f(ctx, xv.n, xm, xo, xv.inc, &r); });
                                 return r;
                             });
        },
        "x"_a.none(), nb::kw_only(), "ctx"_a.none(), k.doc,
        nb::sig(format("def %s(x: %s, *, ctx: hpk.Context) -> int", k.name, HPK_PY_DEVICE_VECTOR).c_str()));
}

void def_kernel(nb::module_ &m, const Kernel<Dot<float>, Dot<double>> &k) {
    m.def(
        k.name,
        [k](nb::handle x_obj, nb::handle y_obj, Context *c) {
            return reduction(k, c, x_obj, y_obj, true,
                             [&](auto f, auto zero, const std::string &fn, cl_mem xm, size_t xo, Vec xv, cl_mem ym,
                                 size_t yo, Vec yv) {
                                 decltype(zero) r = 0;
                                 run(fn, c, [&](hpk_ctx *ctx) { return f(ctx, xv.n, xm, xo, xv.inc, ym, yo, yv.inc, &r); });
                                 return (double)r;
                             });
        },
        "x"_a.none(), "y"_a.none(), nb::kw_only(), "ctx"_a.none(), k.doc,
        nb::sig(format("def %s(x: %s, y: %s, *, ctx: hpk.Context) -> float", k.name, HPK_PY_DEVICE_VECTOR,
                       HPK_PY_DEVICE_VECTOR)
                    .c_str()));
}

void def_kernel(nb::module_ &m, const Kernel<Integrate, Integrate> &k) {
    m.def(
        k.name,
        [k](nb::handle source_obj, nb::handle lower, nb::handle upper, nb::handle samples, nb::handle seed,
            Context *c) {
            std::string fn = qualified(k.name);
            need_cl(c, fn);
            if (!nb::isinstance<nb::str>(source_obj))
                type_error(format("%s: source must be a str of OpenCL C defining double hpk_integrand(const double "
                                  "*point, int dim), not %s",
                                  fn.c_str(), pytype_name(source_obj).c_str()));
            std::string source = nb::cast<std::string>(source_obj);
            if (source.find('\0') != std::string::npos)
                value_error(format("%s: source contains a NUL character", fn.c_str()));
            Box b = box(lower, upper, samples, seed, fn);
            hpk_mc_result r{};
            run(fn, c, [&](hpk_ctx *ctx) {
                return k.d(ctx, source.c_str(), b.dim, b.lower.data(), b.upper.data(), b.samples, b.seed, &r);
            });
            return to_result(r);
        },
        "source"_a.none(), "lower"_a.none(), "upper"_a.none(), "samples"_a.none(), "seed"_a.none() = 0,
        nb::kw_only(), "ctx"_a.none(), k.doc,
        nb::sig(format("def %s(source: str, lower: collections.abc.Sequence[float], upper: "
                       "collections.abc.Sequence[float], samples: int, seed: int = 0, *, ctx: hpk.Context) -> "
                       "hpk.MCResult",
                       k.name)
                    .c_str()));
}

} // namespace

void export_context_opencl(nb::class_<Context> &cls) {
    cls.def_prop_ro("device", &device_name, nb::sig("def device(self) -> str | None"),
                    "The OpenCL device's name (CL_DEVICE_NAME); None for a CPU context.")
        .def_static("from_queue", &from_queue, "queue"_a, nb::rv_policy::take_ownership, doc_from_queue,
                    nb::sig("def from_queue(queue: pyopencl.CommandQueue) -> Context"))
        .def_prop_ro(
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

void export_opencl(nb::module_ &parent) {
    nb::module_ m = parent.def_submodule("cl", "hpk_cl.h on pyopencl arrays and buffers (import hpk.cl instead).");
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
    for_each(kernels, [&](const auto &k) { def_kernel(m, k); });
}

} // namespace hpkpy

#else

namespace hpkpy {
void export_opencl(nb::module_ &) {}
} // namespace hpkpy

#endif
