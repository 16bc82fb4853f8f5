// hpk._hpk: what the binding areas share.  One file per area, each with one
// export_* function (module.cpp calls them) and, for its kernels, one table
// of {name, float function, double function, docstring} entries:
//   errors.cpp   the hpk.Error hierarchy, raise_status
//   context.cpp  hpk.Context, hpk.Profile; run() and the "closed" check
//   arrays.cpp   numpy arrays through the buffer protocol: dtype, shape,
//                stride and BLAS-layout checks naming the argument; the
//                strided batches' geometry (host and device arrays alike)
//   host.cpp     hpk.gemv and the reductions on numpy arrays, and their
//                strided batches (gemv on 3-D stacks, reductions' axis=)
//   mc.cpp       hpk.mc_pi, hpk.mc_integrate, hpk.MCResult, integrands
//   opencl.cpp   hpk.cl: the kernels on pyopencl arrays and buffers, and
//                their strided batches (opencl_args.cpp parses those, opencl.h)
//   mpi.cpp      hpk.mpi: the kernels across the ranks of an mpi4py comm
// array_kernels.h binds the reductions over numpy arrays for host.cpp and
// mpi.cpp alike.  A kernel's docstring is written once, in its table entry;
// the stubs (hpk/_hpk/*.pyi) are generated from the module at build time.
// C++ parses and checks every argument; hpk/*.py only re-export.  The GIL
// is released around every call into hpk except box integration of a
// Python callable, which runs on one thread with the GIL held.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <hpk/hpk.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace hpkpy {

namespace nb = nanobind;
using namespace nb::literals;

// ---------------------------------------------------------------- errors.cpp

template <class... Args>
std::string format(const char *fmt, Args... args) {
    int len = std::snprintf(nullptr, 0, fmt, args...);
    std::string s(len > 0 ? (size_t)len : 0, '\0');
    if (len > 0) std::snprintf(&s[0], (size_t)len + 1, fmt, args...);
    return s;
}

[[noreturn]] inline void type_error(const std::string &msg) { throw nb::type_error(msg.c_str()); }
[[noreturn]] inline void value_error(const std::string &msg) { throw nb::value_error(msg.c_str()); }

// Raises the hpk.Error subclass of `status` with hpk's sentence (or the
// status's name when there is none) and the status in its `status`.
[[noreturn]] void raise_status(int status, const std::string &message);

std::string pytype_name(nb::handle h);

// ---------------------------------------------------------------- context.cpp

struct Context {
    hpk_ctx *ctx = nullptr;
    std::mutex mutex;  // hpk contexts are for one thread at a time: calls on one Context queue here
    ~Context() {
        if (ctx) hpk_ctx_destroy(ctx);
    }
    // The open hpk context for the call `fn` (the caller holds `mutex`):
    // "fn: the context is closed" (ValueError) once close() has run.
    hpk_ctx *open(const char *fn) const;
    // Destroys the hpk context (waiting for calls running on it); harmless twice.
    void close();
};

// The Context a call's ctx argument names (nullptr for None: the calling
// thread's default context); TypeError naming ctx for anything else.
Context *as_context(nb::handle obj, const std::string &fn);

const char *backend_name(hpk_backend b);

// Where the time of an OpenCL context's last device call went.
struct Profile {
    double upload_s = 0, kernel_s = 0, download_s = 0, build_s = 0, verify_s = 0;
};

// Runs f(hpk_ctx *) -> hpk_status without the GIL, on the Context's hpk
// context (holding its lock) or on the calling thread's default context
// (c == nullptr); raises the status's exception with hpk's message.
template <class F>
void run(const std::string &fn, Context *c, F &&f) {
    hpk_status st = HPK_SUCCESS;
    std::string message;
    {
        nb::gil_scoped_release release;
        if (c) {
            std::lock_guard<std::mutex> lock(c->mutex);
            hpk_ctx *ctx = c->open(fn.c_str());
            st = f(ctx);
            if (st != HPK_SUCCESS) message = hpk_ctx_error_message(ctx);
        } else {
            st = f(nullptr);
            if (st != HPK_SUCCESS) message = hpk_ctx_error_message(nullptr);
        }
    }
    if (st != HPK_SUCCESS) raise_status(st, message);
}

// ---------------------------------------------------------------- arrays.cpp

enum class DType { F32, F64 };

const char *dtype_name(DType d);

// The geometry of a 1-D, 2-D or 3-D array: element 0's address (a host
// pointer, or a byte offset into an OpenCL buffer), shape and strides in
// elements.
struct Strided {
    DType dtype = DType::F64;
    int ndim = 1;
    int64_t shape[3] = {0, 0, 0};
    int64_t stride[3] = {0, 0, 0};
    intptr_t addr = 0;
    int64_t itemsize = 8;
};

// A numpy array (anything with the buffer protocol), viewed without copying.
struct Array : Strided {
    Py_buffer view{};
    bool held = false;
    Array() = default;
    Array(const Array &) = delete;
    Array &operator=(const Array &) = delete;
    ~Array() {
        if (held) PyBuffer_Release(&view);
    }
};

// Views `obj` as an ndim-dimensional float32/float64 array (or, with
// max_ndim > ndim, one of ndim to max_ndim dimensions); TypeError or
// ValueError naming `name` for anything hpk cannot take as it is.  `hint`
// ends the message of a wrong ndim (" when ..."; "" for none).
void get_array(nb::handle obj, const std::string &fn, const char *name, int ndim, bool writable, Array &a,
               int max_ndim = 0, const char *hint = "");

// A 1-D array as a BLAS vector: the address of its lowest element and an
// increment (numpy's address for a negative stride is logical element 0).
struct Vec {
    intptr_t addr;
    int64_t n, inc;
};
Vec as_vector(const Strided &a, const std::string &fn, const char *name);

// A 2-D array as a BLAS matrix: layout and leading dimension, or a
// ValueError naming `name` when no BLAS layout expresses its strides.
struct Mat {
    hpk_layout layout;
    int64_t m, n, ld;
};
Mat as_matrix(const Strided &a, const std::string &fn, const char *name);

bool overlap(const Strided &a, const Strided &b);
void same_dtype(const Strided &ref, const char *ref_name, const Strided &other, const char *other_name,
                const std::string &fn);
// gemv's length check: x ("x") or y ("y") has `have` elements; a's shape and trans say how many it needs.
void check_gemv_length(const std::string &fn, const char *name, int64_t have, const Mat &a, bool trans);
// The dot products' check: x and y of one length (`where`: words after the counts).
void check_same_length(const std::string &fn, int64_t nx, int64_t ny, const char *where = "");
// gemv's y=None: a new y, so beta must be 0.
void check_new_y(const std::string &fn, double beta);
// y must not share memory with a or x.
void check_separate(const std::string &fn, const Strided &y, const Strided &a, const Strided &x);
// A new numpy vector for y=None (zeros when nothing will be written).
nb::object new_numpy(int64_t n, DType dtype, bool zeros);
// A new C-ordered numpy array of `shape` and dtype ("float64", "int64", ...)
// and the address of its data.
nb::object new_numpy(nb::handle shape, const char *dtype, bool zeros, void **data);

// ---------------------------------------------------------------- arrays.cpp: batches

// hpk.h's and hpk_cl.h's strided batches on 2-D and 3-D arrays (numpy's or
// a device's: addresses are Strided's).

// The vectors of a 2-D array along `axis` (1: its rows, 0: its columns) as
// a strided batch: `batch` vectors of n elements with increment inc, vector
// k's lowest element at addr + k * stride (elements).  A stride 0 along the
// vectors is refused, as for a 1-D array; between them it is fine.  With no
// vectors the strides (numpy's, of an empty array) are not looked at.
struct Lanes {
    intptr_t addr;
    int64_t n, inc, stride, batch;
};
Lanes lanes(const Strided &a, int axis, const std::string &fn, const char *name);

// The axis= of a reduction on a 2-D array: 0 or 1 (-2 and -1 as numpy).
int get_axis(nb::handle obj, const std::string &fn);
// What axis= needs, after "x must be 2-D, not 1-D".
const char *axis_hint(int axis);
// dot's axis=: x and y of one shape.
void check_same_shape(const std::string &fn, const Strided &x, const Strided &y);

// gemv on a 3-D a: its matrices as one BLAS matrix (matrix 0's), or a
// ValueError naming a's strides.
Mat batch_matrix(const Strided &a, const std::string &fn);
// A batched gemv's x or y: a's dtype and shape (batch, len).
void check_batch_operand(const std::string &fn, const char *name, const Strided &v, const Strided &a, const Mat &am,
                         bool trans);
// What a batch needs, after "x must be 2-D, not 1-D" (and y's).
extern const char *const batch_x_hint, *const batch_y_hint;

// A batched gemv's problems as a strided-batched call takes them: problem
// 0's a, x and y (lowest elements, as Strided addresses), increments and
// the strides between problems.  y's stride is made >= 0: problems are
// independent, so y's rows running backwards are the same batch taken from
// its last problem, with every stride negated.
struct GemvProblems {
    intptr_t a, x, y;
    int64_t incx, incy, sa, sx, sy, batch;
};
GemvProblems gemv_problems(const Strided &a, const Strided &x, const Strided &y, const std::string &fn);

// gemv's x and y for a 3-D a (am: batch_matrix(a)), in any area: get(obj,
// name, writable, arg, hint) parses x, then y (make_y(shape, zeros) makes
// y=None's), each checked against a; returns y, the call's result.
template <class Arg, class Get, class MakeY>
nb::object batch_operands(const std::string &fn, const Strided &a, const Mat &am, bool trans, double beta,
                          nb::handle x_obj, nb::handle y_obj, Arg &x, Arg &y, Get &&get, MakeY &&make_y);

// ---------------------------------------------------------------- tables

// One kernel of an area: its Python name, its float and double C functions
// and its docstring (the one place it is written).  An area's kernels are
// one tuple of these, bound by def_kernel overloads chosen by the C
// functions' signature.
template <class S, class D>
struct Kernel {
    const char *name;
    S s;
    D d;
    const char *doc;
};
template <class S, class D>
constexpr Kernel<S, D> kernel(const char *name, S s, D d, const char *doc) {
    return {name, s, d, doc};
}

// Calls f(function, T{}) with the float or double function of k.
template <class S, class D, class F>
decltype(auto) by_dtype(DType dtype, const Kernel<S, D> &k, F &&f) {
    if (dtype == DType::F64) return f(k.d, double(0));
    return f(k.s, float(0));
}

template <class Table, class F>
void for_each(const Table &table, F &&f) {
    std::apply([&](const auto &...k) { (f(k), ...); }, table);
}

// A kernel and its strided-batched form: one Python function for both.
template <class S, class D, class BS, class BD>
struct Batched {
    Kernel<S, D> one;
    Kernel<BS, BD> many;
};
template <class S, class D, class BS, class BD>
constexpr Batched<S, D, BS, BD> batched(Kernel<S, D> one, BS s, BD d) {
    return {one, {one.name, s, d, one.doc}};
}

// The results of a batch of reductions: a new 1-D numpy array of `batch`
// T (R = double: the data's dtype) or int64 (R = int64_t: indices), filled
// by call(g, ctx, T{}, out) with k's float or double function g, run
// without the GIL on c.
template <class R, class S, class D, class Call>
nb::object batch_results(const Kernel<S, D> &k, DType dtype, int64_t batch, const std::string &fn, Context *c,
                         Call &&call) {
    return by_dtype(dtype, k, [&](auto g, auto zero) {
        using T = decltype(zero);
        using Out = std::conditional_t<std::is_same_v<R, int64_t>, int64_t, T>;
        void *data = nullptr;
        nb::object out =
            new_numpy(nb::make_tuple(batch), std::is_same_v<R, int64_t> ? "int64" : dtype_name(dtype), false, &data);
        run(fn, c, [&](hpk_ctx *ctx) { return call(g, ctx, zero, (Out *)data); });
        return out;
    });
}

// The stubs' parameters of a reduction on x (and y) of type `array`, with
// %s for axis's part and `ctx` ctx's type (and default).
inline std::string reduction_params(bool two, const char *array, const char *ctx) {
    std::string arrays = two ? format("x: %s, y: %s", array, array) : format("x: %s", array);
    return arrays + ", *, %s, ctx: " + ctx;
}

// A reduction as two overloads, so that the stubs say which result comes
// back: axis=None (the default) takes 1-D arrays and returns a number
// (`one`); an int axis takes 2-D arrays and returns an array (`many`).
// one_params and many_params are the stubs' parameters with %s for axis's
// part ("x: ..., *, %s, ctx: ..."); ctx_arg is ctx's nb::arg.
template <class CtxArg, class F1, class FN, class... Arrays>
void def_overloads(nb::module_ &m, const char *name, const std::string &doc, const std::string &one_params,
                   const std::string &many_params, const char *one, const char *many, CtxArg ctx_arg, F1 &&f1,
                   FN &&fn, Arrays... arrays) {
    m.def(name, std::forward<F1>(f1), arrays..., nb::kw_only(), "axis"_a.none() = nb::none(), ctx_arg, doc.c_str(),
          nb::sig(format("def %s(%s) -> %s", name, format(one_params.c_str(), "axis: None = None").c_str(), one)
                      .c_str()));
    m.def(name, std::forward<FN>(fn), arrays..., nb::kw_only(), "axis"_a, ctx_arg, doc.c_str(),
          nb::sig(format("def %s(%s) -> %s", name, format(many_params.c_str(), "axis: int").c_str(), many).c_str()));
}

// Type names as the generated stubs spell them.
#define HPK_PY_ARRAY "numpy.typing.NDArray[numpy.float32] | numpy.typing.NDArray[numpy.float64]"

// ---------------------------------------------------------------- mc.cpp

struct MCResult {
    double estimate = 0, std_error = 0;
    uint64_t samples = 0;
};
MCResult to_result(const hpk_mc_result &r);

uint64_t to_u64(nb::handle h, const std::string &fn, const char *name);

// The box, samples and seed of an integration, checked.
struct Box {
    std::vector<double> lower, upper;
    uint64_t samples, seed;
    int dim;
};
Box box(nb::handle lower, nb::handle upper, nb::handle samples, nb::handle seed, const std::string &fn);

// Integrates f (a C integrand, its address, or a Python callable; user_data
// for a C one) with call(ctx, integrand, user_data, result): a C function on
// c (or the default context) without the GIL, a Python callable on one
// thread with the GIL held, on c when it is not OpenMP, else on a serial
// context of the moment (the same bits).  hpk.mc_integrate's rules.
using IntegrateCall = std::function<hpk_status(hpk_ctx *, hpk_integrand, void *, hpk_mc_result *)>;
MCResult integrate(const std::string &fn, nb::handle f, nb::handle user_data, Context *c, const IntegrateCall &call);

// ---------------------------------------------------------------- areas

void export_errors(nb::module_ &m);
void export_context(nb::module_ &m);
void export_host(nb::module_ &m);
void export_mc(nb::module_ &m);
void export_opencl(nb::module_ &m);
void export_mpi(nb::module_ &m);

// Context's OpenCL side (opencl_args.cpp; without OpenCL, context.cpp's:
// hpk.UnsupportedError and None).
Context *context_from_queue(nb::handle queue);
nb::object device_name(Context &c);
#ifdef HPK_PY_HAVE_OPENCL
void export_context_opencl(nb::class_<Context> &cls);
#endif

template <class Arg, class Get, class MakeY>
nb::object batch_operands(const std::string &fn, const Strided &a, const Mat &am, bool trans, double beta,
                          nb::handle x_obj, nb::handle y_obj, Arg &x, Arg &y, Get &&get, MakeY &&make_y) {
    get(x_obj, "x", false, x, batch_x_hint);
    check_batch_operand(fn, "x", x, a, am, trans);
    nb::object result = nb::borrow(y_obj);
    if (y_obj.is_none()) {
        check_new_y(fn, beta);
        // With no terms to sum hpk leaves y alone: start from zeros.
        result = make_y(nb::make_tuple(a.shape[0], trans ? am.n : am.m), (trans ? am.m : am.n) == 0);
    }
    get(result, "y", true, y, batch_y_hint);
    check_batch_operand(fn, "y", y, a, am, trans);
    return result;
}

} // namespace hpkpy
