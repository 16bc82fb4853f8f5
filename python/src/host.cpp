// hpk.gemv and the reductions on numpy arrays (hpk.h), on a Context or the
// calling thread's default context.
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

const char *doc_gemv = R"(y = alpha * a @ x + beta * y  (trans=True: alpha * a.T @ x + beta * y).

a is a 2-D float32 or float64 array in C or Fortran order, or any view BLAS
can express: stride 1 in one dimension and a stride at least the other
extent in the other (a slice of rows or columns of a bigger array, a.T).
x and y are 1-D arrays of the same dtype with any stride, negative
included.  Nothing is copied or converted: a wrong dtype, mixed
precisions or an inexpressible layout raise TypeError / ValueError naming
the argument.

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

const char *doc_dot = R"(The dot product of two 1-D arrays of the same dtype (float32 or float64)
and length, each with any stride, negative included.  Mixed precisions
raise TypeError.  The GIL is released during the call.)";

const char *doc_iamax = R"(The 0-based index of the first element of largest absolute value of the
1-D float32/float64 array x (BLAS i?amax, 0-based); a NaN counts as larger
than any number (the first NaN wins); -1 for an empty array.  For a
negative-stride view the index is in the view's own order.  The GIL is
released during the call.)";

// The kernels of hpk.h: one line each.
const auto kernels = std::make_tuple(
    kernel("gemv", hpk_sgemv, hpk_dgemv, doc_gemv),
    kernel("sum", hpk_ssum, hpk_dsum, doc_sum),
    kernel("asum", hpk_sasum, hpk_dasum, doc_asum),
    kernel("nrm2", hpk_snrm2, hpk_dnrm2, doc_nrm2),
    kernel("dot", hpk_sdot, hpk_ddot, doc_dot),
    kernel("iamax", hpk_isamax, hpk_idamax, doc_iamax));

std::string qualified(const char *name) { return std::string("hpk.") + name; }

void def_kernel(nb::module_ &m, const Kernel<Gemv<float>, Gemv<double>> &k) {
    m.def(
        k.name,
        [k](nb::handle a_obj, nb::handle x_obj, nb::handle y_obj, double alpha, double beta, bool trans,
            nb::handle ctx_obj) {
            std::string fn = qualified(k.name);
            Context *c = as_context(ctx_obj, fn);
            Array a, x, y;
            get_array(a_obj, fn, "a", 2, false, a);
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

void def_kernel(nb::module_ &m, const Kernel<Reduce<float>, Reduce<double>> &k) {
    ArrayKernels<Host>::unary<double>(m, k, "float");
}

void def_kernel(nb::module_ &m, const Kernel<Iamax<float>, Iamax<double>> &k) {
    ArrayKernels<Host>::unary<int64_t>(m, k, "int");
}

void def_kernel(nb::module_ &m, const Kernel<Dot<float>, Dot<double>> &k) { ArrayKernels<Host>::binary(m, k); }

} // namespace

void export_host(nb::module_ &m) {
    for_each(kernels, [&](const auto &k) { def_kernel(m, k); });
}

} // namespace hpkpy
