// hpk.gemv and the reductions on numpy arrays (hpk.h), on a Context or the
// calling thread's default context.  A 3-D a (a stack of matrices) and the
// reductions' axis= on 2-D arrays go to hpk.h's strided batches, one call
// each, on the numpy views as they are.
#include "array_kernels.h"

namespace hpkpy {

namespace {

template <class T>
using Gemv = hpk_status (*)(hpk_ctx *, hpk_layout, hpk_transpose, int64_t, int64_t, T, const T *, int64_t,
                            const T *, int64_t, T, T *, int64_t);
template <class T>
using Reduce = hpk_status (*)(hpk_ctx *, int64_t, const T *, int64_t, T *);
template <class T>
using Dot = hpk_status (*)(hpk_ctx *, int64_t, const T *, int64_t, const T *, int64_t, T *);
template <class T>
using Iamax = hpk_status (*)(hpk_ctx *, int64_t, const T *, int64_t, int64_t *);

// Their strided batches (hpk.h, "Batches").
template <class T>
using GemvBatch = hpk_status (*)(hpk_ctx *, hpk_layout, hpk_transpose, int64_t, int64_t, T, const T *, int64_t,
                                 int64_t, const T *, int64_t, int64_t, T, T *, int64_t, int64_t, int64_t);
template <class T>
using ReduceBatch = hpk_status (*)(hpk_ctx *, int64_t, const T *, int64_t, int64_t, T *, int64_t);
template <class T>
using DotBatch = hpk_status (*)(hpk_ctx *, int64_t, const T *, int64_t, int64_t, const T *, int64_t, int64_t, T *,
                                int64_t);
template <class T>
using IamaxBatch = hpk_status (*)(hpk_ctx *, int64_t, const T *, int64_t, int64_t, int64_t *, int64_t);

const char *doc_gemv = R"(y = alpha * a @ x + beta * y  (trans=True: alpha * a.T @ x + beta * y).

a is a 2-D float32 or float64 array in C or Fortran order, or any view BLAS
can express: stride 1 in one dimension and a stride at least the other
extent in the other (a slice of rows or columns of a bigger array, a.T).
x and y are 1-D arrays of the same dtype with any stride, negative
included.  Nothing is copied or converted: a wrong dtype, mixed
precisions or an inexpressible layout raise TypeError / ValueError naming
the argument.

A batch of problems in one call: a of shape (b, m, n) holds b matrices,
x of shape (b, n) (trans=True: (b, m)) one vector per matrix, and y of
shape (b, m) (trans=True: (b, n)) gets y[k] = alpha * a[k] @ x[k] +
beta * y[k], each bitwise what hpk.gemv(a[k], x[k], y[k], ...) gives.
Each a[k] follows the 2-D rules above and each x[k], y[k] the 1-D ones;
between problems any constant stride works, 0 included (np.broadcast_to
shares one matrix or vector among them), and the views are passed to
hpk_?gemv_strided_batched as they are.  Problems are spread over the
threads when they are small.

y=None returns a new array (beta must then be 0); otherwise y is written
in place and returned.  y must be writable and must not share memory with
a or x.  BLAS rules hold: beta == 0 overwrites y without reading it (NaN in
y does not survive); alpha == 0 reads neither a nor x; when a has no
elements a given y is left untouched (a new y is zeros).

Each y_i is computed in the data's precision in hpk's fixed order, so the
result is bitwise the same on every backend and thread count.  The GIL is
released during the call.)";

const char *doc_sum = R"(The sum of the elements of the 1-D float32/float64 array x (any stride,
negative included; empty: 0.0).  float32 data is accumulated in double after
short float runs and rounded once (within about half a float ulp on
well-conditioned data); the error grows like log(n).  Bitwise the same on
every backend and thread count.  The GIL is released during the call.)";

const char *doc_asum = R"(The sum of |x_i| (BLAS ?asum) over the 1-D float32/float64 array x, with the
accuracy and reproducibility of hpk.sum.  The GIL is released during the
call.)";

const char *doc_nrm2 = R"(The Euclidean norm sqrt(sum x_i^2) of the 1-D float32/float64 array x, in
one pass that never overflows or underflows for finite input; Inf gives
inf unless a NaN is present, NaN gives nan.  The GIL is released during
the call.)";

// The reductions' axis= paragraph, after the docstring (dot has its own):
// the result's dtype and the C function.
const char *doc_axis = R"(

axis=1 (or -1) on a 2-D x reduces each row, axis=0 (or -2) each column:
the result is a new 1-D array of %s, one per row or column, each
bitwise the 1-D call's on that row or column, all from one call of
%s.  Any 2-D view works as it is, but for one with
stride 0 along the reduced axis; axis=None needs a 1-D x.)";

const char *doc_dot = R"(The dot product of two 1-D arrays of the same dtype (float32 or float64)
and length, each with any stride, negative included.  Mixed precisions
raise TypeError.  The GIL is released during the call.

With axis, x and y are 2-D arrays of one shape: axis=1 (or -1) gives the
dot products of their rows, row k of x with row k of y
(np.einsum('ij,ij->i', x, y)), axis=0 (or -2) those of their columns, as
a new 1-D array of x's dtype, each bitwise the 1-D call's, in one call
(hpk_?dot_strided_batched).  Any 2-D views work as they are but one with
stride 0 along the reduced axis; axis=None needs 1-D arrays.)";

const char *doc_iamax = R"(The 0-based index of the first element of largest absolute value of the
1-D float32/float64 array x (BLAS i?amax, 0-based); a NaN counts as larger
than any number (the first NaN wins); -1 for an empty array.  For a
negative-stride view the index is in the view's own order.  The GIL is
released during the call.)";

// The kernels of hpk.h with their strided batches: one line each.
const auto kernels = std::make_tuple(
    batched(kernel("gemv", hpk_sgemv, hpk_dgemv, doc_gemv), hpk_sgemv_strided_batched, hpk_dgemv_strided_batched),
    batched(kernel("sum", hpk_ssum, hpk_dsum, doc_sum), hpk_ssum_strided_batched, hpk_dsum_strided_batched),
    batched(kernel("asum", hpk_sasum, hpk_dasum, doc_asum), hpk_sasum_strided_batched, hpk_dasum_strided_batched),
    batched(kernel("nrm2", hpk_snrm2, hpk_dnrm2, doc_nrm2), hpk_snrm2_strided_batched, hpk_dnrm2_strided_batched),
    batched(kernel("dot", hpk_sdot, hpk_ddot, doc_dot), hpk_sdot_strided_batched, hpk_ddot_strided_batched),
    batched(kernel("iamax", hpk_isamax, hpk_idamax, doc_iamax), hpk_isamax_strided_batched,
            hpk_idamax_strided_batched));

std::string qualified(const char *name) { return std::string("hpk.") + name; }

// hpk.h's functions take the context and then the arrays.
struct Host {
    static std::string qualified(const char *name) { return hpkpy::qualified(name); }
    static constexpr const char *keywords = "*, ctx: Context | None = None";
    static constexpr const char *per_rank = "";
    static std::tuple<> keyword_args() { return {}; }
    static auto bind(const std::string &) {
        return [](auto f, hpk_ctx *ctx, auto... args) { return f(ctx, args...); };
    }
};

// ------------------------------------------------------------------ batches

// gemv on a 3-D a: y[k] = alpha op(a[k]) x[k] + beta y[k], one strided-batched call.
template <class K>
nb::object gemv_stack(const K &k, const std::string &fn, Context *c, const Array &a, nb::handle x_obj,
                      nb::handle y_obj, double alpha, double beta, bool trans) {
    Mat am = batch_matrix(a, fn);
    Array x, y;
    nb::object result = batch_operands(
        fn, a, am, trans, beta, x_obj, y_obj, x, y,
        [&](nb::handle obj, const char *name, bool writable, Array &v, const char *hint) {
            get_array(obj, fn, name, 2, writable, v, 0, hint);
        },
        [&](nb::handle shape, bool zeros) {
            void *unused;
            return new_numpy(shape, dtype_name(a.dtype), zeros, &unused);
        });
    check_separate(fn, y, a, x);
    GemvProblems g = gemv_problems(a, x, y, fn);
    hpk_transpose tr = trans ? HPK_TRANS : HPK_NO_TRANS;
    by_dtype(a.dtype, k, [&](auto f, auto zero) {
        using T = decltype(zero);
        run(fn, c, [&](hpk_ctx *ctx) {
            return f(ctx, am.layout, tr, am.m, am.n, (T)alpha, (const T *)g.a, am.ld, g.sa, (const T *)g.x, g.incx,
                     g.sx, (T)beta, (T *)g.y, g.incy, g.sy, g.batch);
        });
    });
    return result;
}

// ------------------------------------------------------------------ bindings

template <class BS, class BD>
void def_kernel(nb::module_ &m, const Batched<Gemv<float>, Gemv<double>, BS, BD> &kb) {
    const auto &k = kb.one;
    m.def(
        k.name,
        [kb](nb::handle a_obj, nb::handle x_obj, nb::handle y_obj, double alpha, double beta, bool trans,
             nb::handle ctx_obj) {
            const auto &k = kb.one;
            std::string fn = qualified(k.name);
            Context *c = as_context(ctx_obj, fn);
            Array a, x, y;
            get_array(a_obj, fn, "a", 2, false, a, 3);
            if (a.ndim == 3) return gemv_stack(kb.many, fn, c, a, x_obj, y_obj, alpha, beta, trans);
            Mat am = as_matrix(a, fn, "a");
            get_array(x_obj, fn, "x", 1, false, x);
            same_dtype(a, "a", x, "x", fn);
            check_gemv_length(fn, "x", x.shape[0], am, trans);
            nb::object result = nb::borrow(y_obj);
            if (y_obj.is_none()) {
                check_new_y(fn, beta);
                // With no terms to sum hpk leaves y alone: start from zeros.
                int64_t terms = trans ? am.m : am.n;
                result = new_numpy(trans ? am.n : am.m, a.dtype, terms == 0);
            }
            get_array(result, fn, "y", 1, true, y);
            same_dtype(a, "a", y, "y", fn);
            check_gemv_length(fn, "y", y.shape[0], am, trans);
            check_separate(fn, y, a, x);
            Vec xv = as_vector(x, fn, "x"), yv = as_vector(y, fn, "y");
            hpk_transpose tr = trans ? HPK_TRANS : HPK_NO_TRANS;
            by_dtype(a.dtype, k, [&](auto f, auto zero) {
                using T = decltype(zero);
                run(fn, c, [&](hpk_ctx *ctx) {
                    return f(ctx, am.layout, tr, am.m, am.n, (T)alpha, (const T *)a.addr, am.ld, (const T *)xv.addr,
                             xv.inc, (T)beta, (T *)yv.addr, yv.inc);
                });
            });
            return result;
        },
        "a"_a.none(), "x"_a.none(), "y"_a.none() = nb::none(), nb::kw_only(), "alpha"_a = 1.0, "beta"_a = 0.0,
        "trans"_a = false, "ctx"_a.none() = nb::none(), k.doc,
        nb::sig(format("def %s(a: %s, x: %s, y: %s | None = None, *, alpha: float = 1.0, beta: float = 0.0, "
                       "trans: bool = False, ctx: Context | None = None) -> %s",
                       k.name, HPK_PY_ARRAY, HPK_PY_ARRAY, HPK_PY_ARRAY, HPK_PY_ARRAY)
                    .c_str()));
}

// The stubs' parameters of a reduction on x (and y).
std::string reduction_params(bool two) { return hpkpy::reduction_params(two, HPK_PY_ARRAY, "Context | None = None"); }

// sum, asum, nrm2 (R = double: a float per vector) and iamax (R = int64_t:
// an index).  `results` is the docstring's words for the batch's array,
// `batched` its C functions.
template <class R, class K>
void def_reduction(nb::module_ &m, const K &kb, const char *one, const char *many, const char *results,
                   const char *batched) {
    def_overloads(
        m, kb.one.name, std::string(kb.one.doc) + format(doc_axis, results, batched), reduction_params(false),
        reduction_params(false), one, many, "ctx"_a.none() = nb::none(),
        [kb](nb::handle x_obj, nb::none, nb::handle ctx_obj) {
            std::string fn = qualified(kb.one.name);
            Context *c = as_context(ctx_obj, fn);
            return ArrayKernels<Host>::reduce<R>(kb.one, fn, c, Host::bind(fn), x_obj);
        },
        [kb](nb::handle x_obj, nb::handle axis_obj, nb::handle ctx_obj) {
            std::string fn = qualified(kb.one.name);
            Context *c = as_context(ctx_obj, fn);
            int axis = get_axis(axis_obj, fn);
            Array x;
            get_array(x_obj, fn, "x", 2, false, x, 0, axis_hint(axis));
            Lanes v = lanes(x, axis, fn, "x");
            return batch_results<R>(kb.many, x.dtype, v.batch, fn, c, [&](auto g, hpk_ctx *ctx, auto zero, auto *out) {
                using T = decltype(zero);
                return g(ctx, v.n, (const T *)v.addr, v.inc, v.stride, out, v.batch);
            });
        },
        "x"_a.none());
}

template <class BS, class BD>
void def_kernel(nb::module_ &m, const Batched<Reduce<float>, Reduce<double>, BS, BD> &k) {
    def_reduction<double>(m, k, "float", HPK_PY_ARRAY, "x's dtype",
                          format("hpk_?%s_strided_batched", k.one.name).c_str());
}

template <class BS, class BD>
void def_kernel(nb::module_ &m, const Batched<Iamax<float>, Iamax<double>, BS, BD> &k) {
    def_reduction<int64_t>(m, k, "int", "numpy.typing.NDArray[numpy.int64]", "int64", "hpk_i?amax_strided_batched");
}

// dot: x and y 1-D with axis=None, else 2-D of one shape and a strided batch.
template <class BS, class BD>
void def_kernel(nb::module_ &m, const Batched<Dot<float>, Dot<double>, BS, BD> &kb) {
    def_overloads(
        m, kb.one.name, kb.one.doc, reduction_params(true), reduction_params(true), "float", HPK_PY_ARRAY,
        "ctx"_a.none() = nb::none(),
        [kb](nb::handle x_obj, nb::handle y_obj, nb::none, nb::handle ctx_obj) {
            std::string fn = qualified(kb.one.name);
            Context *c = as_context(ctx_obj, fn);
            return ArrayKernels<Host>::reduce_pair(kb.one, fn, c, Host::bind(fn), x_obj, y_obj);
        },
        [kb](nb::handle x_obj, nb::handle y_obj, nb::handle axis_obj, nb::handle ctx_obj) {
            std::string fn = qualified(kb.one.name);
            Context *c = as_context(ctx_obj, fn);
            int axis = get_axis(axis_obj, fn);
            Array x, y;
            get_array(x_obj, fn, "x", 2, false, x, 0, axis_hint(axis));
            get_array(y_obj, fn, "y", 2, false, y, 0, axis_hint(axis));
            same_dtype(x, "x", y, "y", fn);
            check_same_shape(fn, x, y);
            Lanes xv = lanes(x, axis, fn, "x"), yv = lanes(y, axis, fn, "y");
            return batch_results<double>(kb.many, x.dtype, xv.batch, fn, c, [&](auto g, hpk_ctx *ctx, auto zero, auto *out) {
                using T = decltype(zero);
                return g(ctx, xv.n, (const T *)xv.addr, xv.inc, xv.stride, (const T *)yv.addr, yv.inc, yv.stride, out,
                         xv.batch);
            });
        },
        "x"_a.none(), "y"_a.none());
}

} // namespace

void export_host(nb::module_ &m) {
    for_each(kernels, [&](const auto &k) { def_kernel(m, k); });
}

} // namespace hpkpy
