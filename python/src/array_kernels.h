// The reductions over numpy arrays (sum-like, iamax-like, dot-like),
// bound once for every area whose C functions take host arrays: hpk.h's
// f(ctx, n, x, incx, result) and hpk_mpi.h's f(ctx, comm, n, x, incx,
// result).  An Area says what comes before the array arguments:
//   static std::string qualified(const char *name)   "hpk.sum", "hpk.mpi.sum"
//   static constexpr const char *keywords             the stubs' "*, ..." part
//   static auto keyword_args()                        its nb::arg()s before ctx, as a tuple
//   static auto bind(const std::string &fn, Extra...) g(f, ctx, args...) calling f with them
//   static constexpr const char *per_rank             words for a length mismatch ("" or " on this rank")
// unary and binary bind a kernel; reduce and reduce_pair are their calls on
// 1-D arrays, for an area that binds more (host.cpp's axis= on 2-D arrays).
#pragma once

#include "hpk_py.h"

#include <type_traits>

namespace hpkpy {

template <class T>
using ArrayReduce = hpk_status (*)(hpk_ctx *, int64_t, const T *, int64_t, T *);

template <class Area, class... Extra>
struct ArrayKernels {
    // x -> a T (as R: double), or an index (R = int64_t), by `call` (Area::bind's).
    template <class R, class S, class D, class Call>
    static R reduce(const Kernel<S, D> &k, const std::string &fn, Context *c, const Call &call, nb::handle x_obj) {
        Array x;
        get_array(x_obj, fn, "x", 1, false, x);
        Vec v = as_vector(x, fn, "x");
        return by_dtype(x.dtype, k, [&](auto g, auto zero) {
            using T = decltype(zero);
            std::conditional_t<std::is_same_v<R, int64_t>, int64_t, T> r = std::is_same_v<R, int64_t> ? -1 : 0;
            run(fn, c, [&](hpk_ctx *ctx) { return call(g, ctx, v.n, (const T *)v.addr, v.inc, &r); });
            return (R)r;
        });
    }

    // (x, y) of one dtype and length -> a T (as a double), by `call`.
    template <class S, class D, class Call>
    static double reduce_pair(const Kernel<S, D> &k, const std::string &fn, Context *c, const Call &call,
                              nb::handle x_obj, nb::handle y_obj) {
        Array x, y;
        get_array(x_obj, fn, "x", 1, false, x);
        get_array(y_obj, fn, "y", 1, false, y);
        same_dtype(x, "x", y, "y", fn);
        check_same_length(fn, x.shape[0], y.shape[0], Area::per_rank);
        Vec xv = as_vector(x, fn, "x"), yv = as_vector(y, fn, "y");
        return by_dtype(x.dtype, k, [&](auto g, auto zero) {
            using T = decltype(zero);
            T r = 0;
            run(fn, c, [&](hpk_ctx *ctx) {
                return call(g, ctx, xv.n, (const T *)xv.addr, xv.inc, (const T *)yv.addr, yv.inc, &r);
            });
            return (double)r;
        });
    }

    // x -> a T (as a float), or an index (R = int64_t).
    template <class R, class S, class D>
    static void unary(nb::module_ &m, const Kernel<S, D> &k, const char *result) {
        auto f = [k](nb::handle x_obj, Extra... extra, nb::handle ctx_obj) {
            std::string fn = Area::qualified(k.name);
            Context *c = as_context(ctx_obj, fn);
            return reduce<R>(k, fn, c, Area::bind(fn, extra...), x_obj);
        };
        std::string sig = format("def %s(x: %s, %s) -> %s", k.name, HPK_PY_ARRAY, Area::keywords, result);
        std::apply(
            [&](auto... keyword) {
                m.def(k.name, f, "x"_a.none(), nb::kw_only(), keyword..., "ctx"_a.none() = nb::none(), k.doc,
                      nb::sig(sig.c_str()));
            },
            Area::keyword_args());
    }

    // (x, y) of one dtype and length -> a T (as a float).
    template <class S, class D>
    static void binary(nb::module_ &m, const Kernel<S, D> &k) {
        auto f = [k](nb::handle x_obj, nb::handle y_obj, Extra... extra, nb::handle ctx_obj) {
            std::string fn = Area::qualified(k.name);
            Context *c = as_context(ctx_obj, fn);
            return reduce_pair(k, fn, c, Area::bind(fn, extra...), x_obj, y_obj);
        };
        std::string sig = format("def %s(x: %s, y: %s, %s) -> float", k.name, HPK_PY_ARRAY, HPK_PY_ARRAY, Area::keywords);
        std::apply(
            [&](auto... keyword) {
                m.def(k.name, f, "x"_a.none(), "y"_a.none(), nb::kw_only(), keyword..., "ctx"_a.none() = nb::none(),
                      k.doc, nb::sig(sig.c_str()));
            },
            Area::keyword_args());
    }
};

} // namespace hpkpy
