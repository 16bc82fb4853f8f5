// hpk.cl: hpk_cl.h's kernels on pyopencl arrays and buffers (their
// arguments: opencl_args.cpp).  hpk checks each buffer again (its context,
// its size).
#include "hpk_py.h"

#ifdef HPK_PY_HAVE_OPENCL
#include "opencl.h"

namespace hpkpy {

namespace {

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
            nb::handle ctx_obj) {
            std::string fn = qualified(k.name);
            ClCtx cc = need_cl(ctx_obj, fn);
            Context *c = cc.c;
            Dev a, x, y;
            device_arg(a_obj, fn, "a", 2, cc.context, a);
            Mat am = as_matrix(a, fn, "a");
            device_arg(x_obj, fn, "x", 1, cc.context, x);
            same_dtype(a, "a", x, "x", fn);
            check_gemv_length(fn, "x", x.shape[0], am, trans);
            nb::object result = nb::borrow(y_obj);
            if (y_obj.is_none()) {
                check_new_y(fn, beta);
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

// A reduction's call: its name, context and device vectors x (and y).
struct Call {
    std::string fn;
    Context *c;
    cl_mem xm, ym;
    size_t xo, yo;
    Vec xv, yv;
};

// x's (and for dot y's) device vectors, checked and synchronised: calls
// reduce(f, T{}, call) with the float or double function of k.
template <class S, class D, class F>
auto reduction(const Kernel<S, D> &k, nb::handle ctx_obj, nb::handle x_obj, nb::handle y_obj, bool two,
               F &&reduce) {
    std::string fn = qualified(k.name);
    ClCtx cc = need_cl(ctx_obj, fn);
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
    Call call{fn, cc.c, mem(x), mem(y), element(x, xv.addr), element(y, yv.addr), xv, yv};
    return by_dtype(x.dtype, k, [&](auto f, auto zero) { return reduce(f, zero, call); });
}

void def_kernel(nb::module_ &m, const Kernel<Reduce<float>, Reduce<double>> &k) {
    m.def(
        k.name,
        [k](nb::handle x_obj, nb::handle ctx_obj) {
            return reduction(k, ctx_obj, x_obj, nb::none(), false, [](auto f, auto zero, const Call &a) {
                decltype(zero) r = 0;
                run(a.fn, a.c, [&](hpk_ctx *ctx) { return f(ctx, a.xv.n, a.xm, a.xo, a.xv.inc, &r); });
                return (double)r;
            });
        },
        "x"_a.none(), nb::kw_only(), "ctx"_a.none(), k.doc,
        nb::sig(format("def %s(x: %s, *, ctx: hpk.Context) -> float", k.name, HPK_PY_DEVICE_VECTOR).c_str()));
}

void def_kernel(nb::module_ &m, const Kernel<Iamax, Iamax> &k) {
    m.def(
        k.name,
        [k](nb::handle x_obj, nb::handle ctx_obj) {
            return reduction(k, ctx_obj, x_obj, nb::none(), false, [](auto f, auto, const Call &a) {
                int64_t r = -1;
                run(a.fn, a.c, [&](hpk_ctx *ctx) { return f(ctx, a.xv.n, a.xm, a.xo, a.xv.inc, &r); });
                return r;
            });
        },
        "x"_a.none(), nb::kw_only(), "ctx"_a.none(), k.doc,
        nb::sig(format("def %s(x: %s, *, ctx: hpk.Context) -> int", k.name, HPK_PY_DEVICE_VECTOR).c_str()));
}

void def_kernel(nb::module_ &m, const Kernel<Dot<float>, Dot<double>> &k) {
    m.def(
        k.name,
        [k](nb::handle x_obj, nb::handle y_obj, nb::handle ctx_obj) {
            return reduction(k, ctx_obj, x_obj, y_obj, true, [](auto f, auto zero, const Call &a) {
                decltype(zero) r = 0;
                run(a.fn, a.c, [&](hpk_ctx *ctx) {
                    return f(ctx, a.xv.n, a.xm, a.xo, a.xv.inc, a.ym, a.yo, a.yv.inc, &r);
                });
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
            nb::handle ctx_obj) {
            std::string fn = qualified(k.name);
            Context *c = need_cl(ctx_obj, fn).c;
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

void export_opencl(nb::module_ &parent) {
    nb::module_ m = parent.def_submodule("cl", "hpk_cl.h on pyopencl arrays and buffers (import hpk.cl instead).");
    export_cl_views(m);
    for_each(kernels, [&](const auto &k) { def_kernel(m, k); });
}

} // namespace hpkpy

#else

namespace hpkpy {
void export_opencl(nb::module_ &) {}
} // namespace hpkpy

#endif
