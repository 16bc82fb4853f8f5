// hpk.cl: hpk_cl.h's kernels on pyopencl arrays and buffers (their
// arguments: opencl_args.cpp).  hpk checks each buffer again (its context,
// its size).  A 3-D a (a stack of matrices) and the reductions' axis= on
// 2-D arrays go to hpk_cl.h's strided batches ("Batches on the device"),
// one call each, on the device views as they are.
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
// Their strided batches (hpk_cl.h, "Batches on the device").
template <class T>
using GemvBatch = hpk_status (*)(hpk_ctx *, hpk_layout, hpk_transpose, int64_t, int64_t, T, cl_mem, size_t, int64_t,
                                 int64_t, cl_mem, size_t, int64_t, int64_t, T, cl_mem, size_t, int64_t, int64_t,
                                 int64_t);
using Integrate = hpk_status (*)(hpk_ctx *, const char *, int, const double *, const double *, uint64_t, uint64_t,
                                 hpk_mc_result *);

const char *doc_gemv = R"(y = alpha * a @ x + beta * y (trans=True: a.T @ x) on the device
(hpk_cl_?gemv).  a is a 2-D pyopencl Array in C or Fortran order or a
slice of one (or an hpk.cl.Matrix), x and y 1-D Arrays (any stride,
negative included) or hpk.cl.Vectors, all of one dtype.  y=None returns
a new pyopencl Array on a's queue (beta must be 0); otherwise y is
written in place and returned.  The kernels are enqueued on ctx's queue
and the call returns at once: pyopencl's own reads of y on that queue
(y.get()) come after them.  Bitwise the CPU backends' y.

A batch of problems in one launch: a 3-D pyopencl Array a of shape
(b, m, n) holds b matrices, x of shape (b, n) (trans=True: (b, m)) one
vector per matrix, and y of shape (b, m) (trans=True: (b, n)) gets
y[k] = alpha * a[k] @ x[k] + beta * y[k], each bitwise what
hpk.cl.gemv(a[k], x[k], y[k], ...) and hpk.gemv on the same data give.
Each a[k] follows the 2-D rules above and each x[k], y[k] the 1-D ones
(x and y may also be hpk.cl.Matrix rows); between problems any constant
stride works, 0 and negative included, and the views are passed to
hpk_cl_?gemv_strided_batched as they are, without a copy.)";

// The reductions' axis= paragraph, after the docstring: the C function,
// what comes back, the host function.
const char *doc_axis = R"(

axis=1 (or -1) on a 2-D x (a pyopencl Array with any strides, or an
hpk.cl.Matrix) reduces each row, axis=0 (or -2) each column, in one call
of %s.  The result is a new 1-D numpy array %s
on the host, one per row or column, each bitwise the 1-D call's on that
row or column and hpk.%s's with the same axis.  Nothing is copied; a
stride of 0 between rows or columns is fine, along them it is refused.
axis=None needs a 1-D x.  Blocks until the results are read back; the
GIL is released meanwhile.)";

// dot's words on its two arrays, after doc_axis.
const char *doc_dot_axis = R"(  With axis, x and y are 2-D of one
shape: row (column) k of x pairs with row (column) k of y, as in
np.einsum('ij,ij->i', x, y).)";

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

// The kernels of hpk_cl.h with their strided batches: one line each.
const auto kernels = std::make_tuple(
    batched(kernel("gemv", hpk_cl_sgemv, hpk_cl_dgemv, doc_gemv), hpk_cl_sgemv_strided_batched,
            hpk_cl_dgemv_strided_batched),
    batched(kernel("sum", hpk_cl_ssum, hpk_cl_dsum,
                   "The sum of the device vector x (hpk_cl_?sum): bitwise hpk.sum of the same data."),
            hpk_cl_ssum_strided_batched, hpk_cl_dsum_strided_batched),
    batched(kernel("asum", hpk_cl_sasum, hpk_cl_dasum,
                   "The sum of |x_i| of the device vector x (hpk_cl_?asum): bitwise hpk.asum of the same data."),
            hpk_cl_sasum_strided_batched, hpk_cl_dasum_strided_batched),
    batched(kernel("nrm2", hpk_cl_snrm2, hpk_cl_dnrm2,
                   "The Euclidean norm of the device vector x (hpk_cl_?nrm2), overflow- and underflow-safe:\n"
                   "bitwise hpk.nrm2 of the same data."),
            hpk_cl_snrm2_strided_batched, hpk_cl_dnrm2_strided_batched),
    batched(kernel("dot", hpk_cl_sdot, hpk_cl_ddot,
                   "The dot product of two device vectors of one dtype and length (hpk_cl_?dot): bitwise\n"
                   "hpk.dot of the same data."),
            hpk_cl_sdot_strided_batched, hpk_cl_ddot_strided_batched),
    batched(kernel("iamax", hpk_cl_isamax, hpk_cl_idamax,
                   "The 0-based index of the first largest |x_i| of the device vector x (hpk_cl_i?amax;\n"
                   "NaN beats every number, the first NaN wins; -1 when empty), in x's own order."),
            hpk_cl_isamax_strided_batched, hpk_cl_idamax_strided_batched),
    kernel("mc_integrate", hpk_cl_mc_integrate, hpk_cl_mc_integrate, doc_mc_integrate));

#define HPK_PY_DEVICE_VECTOR "pyopencl.array.Array | Vector"
#define HPK_PY_DEVICE_MATRIX "pyopencl.array.Array | Matrix"

std::string qualified(const char *name) { return std::string("hpk.cl.") + name; }

// ------------------------------------------------------------------ gemv

// y=None's y: a new pyopencl Array of `shape` and a's dtype on a's queue
// (ctx's for a buffer), zeros when hpk will not write it.
nb::object new_device(const ClCtx &cc, const Dev &a, nb::handle shape, bool zeros) {
    nb::object queue = a.queue.is_none() ? cl_object(*cc.c, ClObject::Queue) : a.queue;
    return pyopencl_array().attr(zeros ? "zeros" : "empty")(queue, shape, dtype_name(a.dtype));
}

// y must not share memory with a or x.
void check_device_separate(const std::string &fn, const Dev &y, const Dev &a, const Dev &x) {
    if (y.mem && y.mem == a.mem && overlap(y, a))
        value_error(format("%s: y shares memory with a; y must be a separate array", fn.c_str()));
    if (y.mem && y.mem == x.mem && overlap(y, x))
        value_error(format("%s: y shares memory with x; y must be a separate array", fn.c_str()));
}

// Runs an enqueueing call f(hpk_ctx *) on c; with arrays of other queues
// (`foreign`) waits for it, so that their queues see y.
template <class F>
void enqueue(const std::string &fn, Context *c, bool foreign, F &&f) {
    run(fn, c, [&](hpk_ctx *ctx) {
        hpk_status st = f(ctx);
        if (st == HPK_SUCCESS && foreign) clFinish(hpk_ctx_cl_queue(ctx));
        return st;
    });
}

// gemv on a 3-D a: y[k] = alpha op(a[k]) x[k] + beta y[k], one strided-batched call.
template <class K>
nb::object gemv_stack(const K &k, const std::string &fn, const ClCtx &cc, const Dev &a, nb::handle x_obj,
                      nb::handle y_obj, double alpha, double beta, bool trans) {
    Mat am = batch_matrix(a, fn);
    Dev x, y;
    nb::object result = batch_operands(
        fn, a, am, trans, beta, x_obj, y_obj, x, y,
        [&](nb::handle obj, const char *name, bool, Dev &v, const char *hint) {
            device_arg(obj, fn, name, 2, cc.context, v, 0, hint);
        },
        [&](nb::handle shape, bool zeros) { return new_device(cc, a, shape, zeros); });
    check_device_separate(fn, y, a, x);
    GemvProblems g = gemv_problems(a, x, y, fn);
    bool foreign = sync(cc, {&a, &x, &y});
    hpk_transpose tr = trans ? HPK_TRANS : HPK_NO_TRANS;
    by_dtype(a.dtype, k, [&](auto f, auto zero) {
        using T = decltype(zero);
        enqueue(fn, cc.c, foreign, [&](hpk_ctx *ctx) {
            return f(ctx, am.layout, tr, am.m, am.n, (T)alpha, mem(a), element(a, g.a), am.ld, g.sa, mem(x),
                     element(x, g.x), g.incx, g.sx, (T)beta, mem(y), element(y, g.y), g.incy, g.sy, g.batch);
        });
    });
    return result;
}

template <class BS, class BD>
void def_kernel(nb::module_ &m, const Batched<Gemv<float>, Gemv<double>, BS, BD> &kb) {
    const auto &k = kb.one;
    m.def(
        k.name,
        [kb](nb::handle a_obj, nb::handle x_obj, nb::handle y_obj, double alpha, double beta, bool trans,
             nb::handle ctx_obj) {
            const auto &k = kb.one;
            std::string fn = qualified(k.name);
            ClCtx cc = need_cl(ctx_obj, fn);
            Dev a, x, y;
            device_arg(a_obj, fn, "a", 2, cc.context, a, 3);
            if (a.ndim == 3) return gemv_stack(kb.many, fn, cc, a, x_obj, y_obj, alpha, beta, trans);
            Mat am = as_matrix(a, fn, "a");
            device_arg(x_obj, fn, "x", 1, cc.context, x);
            same_dtype(a, "a", x, "x", fn);
            check_gemv_length(fn, "x", x.shape[0], am, trans);
            nb::object result = nb::borrow(y_obj);
            if (y_obj.is_none()) {
                check_new_y(fn, beta);
                int64_t terms = trans ? am.m : am.n;
                result = new_device(cc, a, nb::make_tuple(trans ? am.n : am.m), terms == 0);
            }
            device_arg(result, fn, "y", 1, cc.context, y);
            same_dtype(a, "a", y, "y", fn);
            check_gemv_length(fn, "y", y.shape[0], am, trans);
            check_device_separate(fn, y, a, x);
            bool foreign = sync(cc, {&a, &x, &y});
            Vec xv = as_vector(x, fn, "x"), yv = as_vector(y, fn, "y");
            hpk_transpose tr = trans ? HPK_TRANS : HPK_NO_TRANS;
            by_dtype(a.dtype, k, [&](auto f, auto zero) {
                using T = decltype(zero);
                enqueue(fn, cc.c, foreign, [&](hpk_ctx *ctx) {
                    return f(ctx, am.layout, tr, am.m, am.n, (T)alpha, mem(a), element(a, a.addr), am.ld, mem(x),
                             element(x, xv.addr), xv.inc, (T)beta, mem(y), element(y, yv.addr), yv.inc);
                });
            });
            return result;
        },
        "a"_a.none(), "x"_a.none(), "y"_a.none() = nb::none(), nb::kw_only(), "alpha"_a = 1.0, "beta"_a = 0.0,
        "trans"_a = false, "ctx"_a.none(), k.doc,
        nb::sig(format("def %s(a: %s, x: %s | Matrix, y: %s | Matrix | None = None, *, alpha: float = 1.0, "
                       "beta: float = 0.0, trans: bool = False, ctx: hpk.Context) -> %s | Matrix",
                       k.name, HPK_PY_DEVICE_MATRIX, HPK_PY_DEVICE_VECTOR, HPK_PY_DEVICE_VECTOR, HPK_PY_DEVICE_VECTOR)
                    .c_str()));
}

// ------------------------------------------------------------------ reductions

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

// A batch of reductions along an axis: the rows or columns of x (and y).
struct Lines {
    cl_mem xm, ym;
    size_t xo, yo;
    Lanes xv, yv;
};

// x's (and for dot y's) rows or columns, checked and synchronised: returns
// the batch's results (R: batch_results'), lines' k-th by reduce(g, ctx,
// lines, out) with the float or double function g of k.
template <class R, class S, class D, class F>
nb::object reduction_lines(const Kernel<S, D> &k, nb::handle ctx_obj, nb::handle x_obj, nb::handle y_obj,
                           nb::handle axis_obj, bool two, F &&reduce) {
    std::string fn = qualified(k.name);
    ClCtx cc = need_cl(ctx_obj, fn);
    int axis = get_axis(axis_obj, fn);
    Dev x, y;
    device_arg(x_obj, fn, "x", 2, cc.context, x, 0, axis_hint(axis));
    if (two) {
        device_arg(y_obj, fn, "y", 2, cc.context, y, 0, axis_hint(axis));
        same_dtype(x, "x", y, "y", fn);
        check_same_shape(fn, x, y);
    }
    Lanes xv = lanes(x, axis, fn, "x"), yv = two ? lanes(y, axis, fn, "y") : Lanes{0, 0, 1, 0, 0};
    sync(cc, {&x, &y});
    Lines lines{mem(x), mem(y), element(x, xv.addr), element(y, yv.addr), xv, yv};
    return batch_results<R>(k, x.dtype, xv.batch, fn, cc.c,
                            [&](auto g, hpk_ctx *ctx, auto, auto *out) { return reduce(g, ctx, lines, out); });
}

// The stubs' parameters of a reduction on x (and y) of type `array`.
std::string reduction_params(bool two, const char *array) { return hpkpy::reduction_params(two, array, "hpk.Context"); }

// sum, asum, nrm2 (R = double: a float per vector) and iamax (R = int64_t:
// an index); `results` the docstring's words for the batch's array.
template <class R, class K>
void def_reduction(nb::module_ &m, const K &kb, const char *one, const char *many, const char *results,
                   const char *batched) {
    def_overloads(
        m, kb.one.name, std::string(kb.one.doc) + format(doc_axis, batched, results, kb.one.name),
        reduction_params(false, HPK_PY_DEVICE_VECTOR), reduction_params(false, HPK_PY_DEVICE_MATRIX), one, many,
        "ctx"_a.none(),
        [kb](nb::handle x_obj, nb::none, nb::handle ctx_obj) {
            return reduction(kb.one, ctx_obj, x_obj, nb::none(), false, [](auto f, auto zero, const Call &a) {
                std::conditional_t<std::is_same_v<R, int64_t>, int64_t, decltype(zero)> r =
                    std::is_same_v<R, int64_t> ? -1 : 0;
                run(a.fn, a.c, [&](hpk_ctx *ctx) { return f(ctx, a.xv.n, a.xm, a.xo, a.xv.inc, &r); });
                return (R)r;
            });
        },
        [kb](nb::handle x_obj, nb::handle axis_obj, nb::handle ctx_obj) {
            return reduction_lines<R>(kb.many, ctx_obj, x_obj, nb::none(), axis_obj, false,
                                      [](auto g, hpk_ctx *ctx, const Lines &l, auto *out) {
                                          return g(ctx, l.xv.n, l.xm, l.xo, l.xv.inc, l.xv.stride, out, l.xv.batch);
                                      });
        },
        "x"_a.none());
}

template <class BS, class BD>
void def_kernel(nb::module_ &m, const Batched<Reduce<float>, Reduce<double>, BS, BD> &k) {
    def_reduction<double>(m, k, "float", HPK_PY_ARRAY, "of x's dtype",
                          format("hpk_cl_?%s_strided_batched", k.one.name).c_str());
}

template <class BS, class BD>
void def_kernel(nb::module_ &m, const Batched<Iamax, Iamax, BS, BD> &k) {
    def_reduction<int64_t>(m, k, "int", "numpy.typing.NDArray[numpy.int64]", "of int64 indices",
                           "hpk_cl_i?amax_strided_batched");
}

template <class BS, class BD>
void def_kernel(nb::module_ &m, const Batched<Dot<float>, Dot<double>, BS, BD> &kb) {
    def_overloads(
        m, kb.one.name,
        std::string(kb.one.doc) + format(doc_axis, "hpk_cl_?dot_strided_batched", "of x's dtype", "dot") +
            doc_dot_axis,
        reduction_params(true, HPK_PY_DEVICE_VECTOR), reduction_params(true, HPK_PY_DEVICE_MATRIX), "float",
        HPK_PY_ARRAY, "ctx"_a.none(),
        [kb](nb::handle x_obj, nb::handle y_obj, nb::none, nb::handle ctx_obj) {
            return reduction(kb.one, ctx_obj, x_obj, y_obj, true, [](auto f, auto zero, const Call &a) {
                decltype(zero) r = 0;
                run(a.fn, a.c, [&](hpk_ctx *ctx) {
                    return f(ctx, a.xv.n, a.xm, a.xo, a.xv.inc, a.ym, a.yo, a.yv.inc, &r);
                });
                return (double)r;
            });
        },
        [kb](nb::handle x_obj, nb::handle y_obj, nb::handle axis_obj, nb::handle ctx_obj) {
            return reduction_lines<double>(kb.many, ctx_obj, x_obj, y_obj, axis_obj, true,
                                           [](auto g, hpk_ctx *ctx, const Lines &l, auto *out) {
                                               return g(ctx, l.xv.n, l.xm, l.xo, l.xv.inc, l.xv.stride, l.ym, l.yo,
                                                        l.yv.inc, l.yv.stride, out, l.xv.batch);
                                           });
        },
        "x"_a.none(), "y"_a.none());
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
