// MPI: hpk.mpi, hpk_mpi.h on mpi4py communicators.  comm=None is
// MPI.COMM_WORLD.  Every call is collective over comm.
#include "array_kernels.h"

#include <nanobind/stl/pair.h>

#ifdef HPK_PY_HAVE_MPI
#include <hpk/hpk_mpi.h>
#include <mpi4py/mpi4py.h>

#include <exception>

namespace hpkpy {

namespace {

// mpi4py's C API, imported on first use: importing mpi4py.MPI initialises
// MPI, which `import hpk` must not do.
MPI_Comm get_comm(nb::handle obj, const std::string &fn) {
    static bool imported = false;
    if (!imported) {
        if (import_mpi4py() < 0) throw nb::python_error();
        imported = true;
    }
    nb::object comm = obj.is_none() ? nb::module_::import_("mpi4py.MPI").attr("COMM_WORLD") : nb::borrow(obj);
    if (!PyObject_TypeCheck(comm.ptr(), &PyMPIComm_Type))
        type_error(format("%s: comm must be an mpi4py.MPI.Comm (e.g. MPI.COMM_WORLD), not %s", fn.c_str(),
                          pytype_name(comm).c_str()));
    MPI_Comm *p = PyMPIComm_Get(comm.ptr());
    if (!p) throw nb::python_error();
    return *p;
}

std::string qualified(const char *name) { return std::string("hpk.mpi.") + name; }

#define HPK_PY_KW "*, comm: mpi4py.MPI.Comm | None = None, ctx: hpk.Context | None = None"

template <class T>
using Gemv = hpk_status (*)(hpk_ctx *, MPI_Comm, hpk_mpi_y, int64_t, int64_t, T, const T *, int64_t, const T *,
                            int64_t, T, T *, int64_t);
template <class T>
using GemvT = hpk_status (*)(hpk_ctx *, MPI_Comm, int64_t, int64_t, T, const T *, int64_t, const T *, int64_t, T,
                             T *, int64_t);
template <class T>
using Reduce = hpk_status (*)(hpk_ctx *, MPI_Comm, int64_t, const T *, int64_t, T *);
template <class T>
using Dot = hpk_status (*)(hpk_ctx *, MPI_Comm, int64_t, const T *, int64_t, const T *, int64_t, T *);
template <class T>
using Iamax = hpk_status (*)(hpk_ctx *, MPI_Comm, int64_t, const T *, int64_t, int64_t *);
using Pi = hpk_status (*)(hpk_ctx *, MPI_Comm, uint64_t, uint64_t, hpk_mc_result *);
using Integrate = hpk_status (*)(hpk_ctx *, MPI_Comm, hpk_integrand, void *, int, const double *, const double *,
                                 uint64_t, uint64_t, hpk_mc_result *);

const char *doc_gemv = R"(The global matrix A is split by rows: a is this rank's block (row-major,
C order or a slice of rows), all blocks having the same columns.

trans=False (hpk_mpi_?gemv): y = alpha * A @ x + beta * y with the whole
x on every rank.  gathered=False: y is this rank's block of the result
(a.shape[0] elements); gathered=True: y is the whole result (sum of the
ranks' rows) on every rank.  Every y element is bitwise hpk.gemv's on
the whole matrix, for any split.

trans=True (hpk_mpi_?gemv_t): y = alpha * A.T @ x + beta * y, x
distributed like A's rows (this rank's a.shape[0] elements) and y whole
(a.shape[1] elements) on every rank.

y=None returns a new zeroed array (beta must be 0; with gathered=True
the rows are counted with one extra allreduce).)";

const char *doc_mc_integrate = R"(hpk.mc_integrate with the samples shared among the ranks of comm
(hpk_mpi_mc_integrate): each rank evaluates f on its contiguous range of
sample indices and every rank receives the result, bitwise
hpk.mc_integrate(f, lower, upper, samples, seed) on one process for any
number of ranks and threads.  samples, seed, len(lower) and the bounds
must agree on every rank (hpk.MPIError otherwise); f is each rank's own
and must compute the same function everywhere.

f is as in hpk.mc_integrate: a C function (hpk.INTEGRAND or its address,
user_data passed to it) run on the threads of ctx with the GIL released,
or a Python callable f(point) -> float run with the GIL held on one
thread (ctx itself when serial, else a serial context of the moment: the
same bits).  An exception raised by a Python f stops its calls on that
rank; the collective still completes and the exception propagates on
that rank only.  ctx must be a CPU context (hpk.UnsupportedError
otherwise).)";

// The kernels of hpk_mpi.h: one line each.
const auto kernels = std::make_tuple(
    kernel("gemv", std::make_pair(hpk_mpi_sgemv, hpk_mpi_sgemv_t), std::make_pair(hpk_mpi_dgemv, hpk_mpi_dgemv_t),
           doc_gemv),
    kernel("sum", hpk_mpi_ssum, hpk_mpi_dsum,
           "The sum of the distributed vector whose block on this rank is x (hpk_mpi_?sum)."),
    kernel("asum", hpk_mpi_sasum, hpk_mpi_dasum,
           "The sum of |x_i| of the distributed vector whose block on this rank is x (hpk_mpi_?asum)."),
    kernel("nrm2", hpk_mpi_snrm2, hpk_mpi_dnrm2,
           "The Euclidean norm of the distributed vector whose block on this rank is x (hpk_mpi_?nrm2),\n"
           "overflow- and underflow-safe."),
    kernel("dot", hpk_mpi_sdot, hpk_mpi_ddot,
           "The dot product of two distributed vectors (this rank's blocks x and y, of one length and\n"
           "dtype) (hpk_mpi_?dot)."),
    kernel("iamax", hpk_mpi_isamax, hpk_mpi_idamax,
           "The global 0-based index of the first largest |x_i| of the distributed vector (hpk_mpi_i?amax):\n"
           "the ranks' block sizes before this rank plus the local index; -1 when it is empty."),
    kernel("mc_pi", hpk_mpi_mc_pi, hpk_mpi_mc_pi,
           "Estimate pi from `samples` Philox points shared among the ranks (hpk_mpi_mc_pi): bitwise\n"
           "hpk.mc_pi(samples, seed) on one process, for any number of ranks.  ctx must be a CPU context."),
    kernel("mc_integrate", hpk_mpi_mc_integrate, hpk_mpi_mc_integrate, doc_mc_integrate));

// a: the rank's row block, row-major (C order or a slice of rows): its lda.
int64_t row_block(const Array &a, const std::string &fn) {
    int64_t m = a.shape[0], n = a.shape[1], sr = a.stride[0], sc = a.stride[1];
    int64_t lda = n > 1 ? n : 1;
    if (m == 0 || n == 0) return lda;
    if (sc != 1 && n > 1)
        value_error(format("%s: a has strides (%lld, %lld) (in elements); hpk.mpi needs row-major blocks "
                           "(stride 1 along rows, C order or a slice of rows): np.ascontiguousarray(a) makes a "
                           "copy that works",
                           fn.c_str(), (long long)sr, (long long)sc));
    if (m > 1) {
        if (sr < lda)
            value_error(format("%s: a's row stride %lld (in elements) is smaller than its %lld columns", fn.c_str(),
                               (long long)sr, (long long)n));
        lda = sr;
    }
    return lda;
}

void def_kernel(nb::module_ &m, const Kernel<std::pair<Gemv<float>, GemvT<float>>,
                                             std::pair<Gemv<double>, GemvT<double>>> &k) {
    m.def(
        k.name,
        [k](nb::handle a_obj, nb::handle x_obj, nb::handle y_obj, double alpha, double beta, bool trans,
            bool gathered, nb::handle comm_obj, nb::handle ctx_obj) {
            std::string fn = qualified(k.name);
            Context *c = as_context(ctx_obj, fn);
            MPI_Comm comm = get_comm(comm_obj, fn);
            Array a, x, y;
            // A new gathered y counts every rank's rows: join that collective before raising.
            std::exception_ptr failed;
            try {
                get_array(a_obj, fn, "a", 2, false, a);
            } catch (...) {
                failed = std::current_exception();
            }
            nb::object result = nb::borrow(y_obj);
            if (y_obj.is_none()) {
                int64_t rows = failed ? 0 : a.shape[0], total = rows;
                if (gathered && !trans) {
                    nb::gil_scoped_release release;
                    MPI_Allreduce(&rows, &total, 1, MPI_INT64_T, MPI_SUM, comm);
                }
                if (failed) std::rethrow_exception(failed);
                check_new_y(fn, beta);
                result = new_numpy(trans ? a.shape[1] : total, a.dtype, true);
            }
            if (failed) std::rethrow_exception(failed);
            int64_t lda = row_block(a, fn);
            get_array(x_obj, fn, "x", 1, false, x);
            same_dtype(a, "a", x, "x", fn);
            get_array(result, fn, "y", 1, true, y);
            same_dtype(a, "a", y, "y", fn);
            int64_t rows = a.shape[0], cols = a.shape[1];
            if (x.shape[0] != (trans ? rows : cols))
                value_error(format("%s: x has %lld elements, but this rank's a is %lld x %lld, so x needs %lld",
                                   fn.c_str(), (long long)x.shape[0], (long long)rows, (long long)cols,
                                   (long long)(trans ? rows : cols)));
            if (!gathered && !trans && y.shape[0] != rows)
                value_error(format("%s: y has %lld elements, but this rank's a has %lld rows (y='local')", fn.c_str(),
                                   (long long)y.shape[0], (long long)rows));
            if (trans && y.shape[0] != cols)
                value_error(format("%s: y has %lld elements, but a has %lld columns (trans=True)", fn.c_str(),
                                   (long long)y.shape[0], (long long)cols));
            check_separate(fn, y, a, x);
            Vec xv = as_vector(x, fn, "x"), yv = as_vector(y, fn, "y");
            hpk_mpi_y yd = gathered ? HPK_MPI_Y_GATHERED : HPK_MPI_Y_LOCAL;
            by_dtype(a.dtype, k, [&](auto f, auto zero) {
                using T = decltype(zero);
                const T *ap = rows == 0 ? nullptr : (const T *)a.addr;
                run(fn, c, [&](hpk_ctx *ctx) {
                    if (trans)
                        return f.second(ctx, comm, rows, cols, (T)alpha, ap, lda, (const T *)xv.addr, xv.inc, (T)beta,
                                        (T *)yv.addr, yv.inc);
                    return f.first(ctx, comm, yd, rows, cols, (T)alpha, ap, lda, (const T *)xv.addr, xv.inc, (T)beta,
                                   (T *)yv.addr, yv.inc);
                });
            });
            return result;
        },
        "a"_a.none(), "x"_a.none(), "y"_a.none() = nb::none(), nb::kw_only(), "alpha"_a = 1.0, "beta"_a = 0.0,
        "trans"_a = false, "gathered"_a = false, "comm"_a.none() = nb::none(), "ctx"_a.none() = nb::none(), k.doc,
        nb::sig(format("def %s(a: %s, x: %s, y: %s | None = None, *, alpha: float = 1.0, beta: float = 0.0, "
                       "trans: bool = False, gathered: bool = False, comm: mpi4py.MPI.Comm | None = None, "
                       "ctx: hpk.Context | None = None) -> %s",
                       k.name, HPK_PY_ARRAY, HPK_PY_ARRAY, HPK_PY_ARRAY, HPK_PY_ARRAY)
                    .c_str()));
}

// hpk_mpi.h's functions take the context, the communicator and then the arrays.
struct Mpi {
    static std::string qualified(const char *name) { return hpkpy::qualified(name); }
    static constexpr const char *keywords = HPK_PY_KW;
    static constexpr const char *per_rank = " on this rank";
    static auto keyword_args() { return std::make_tuple("comm"_a.none() = nb::none()); }
    static auto bind(const std::string &fn, nb::handle comm_obj) {
        MPI_Comm comm = get_comm(comm_obj, fn);
        return [comm](auto f, hpk_ctx *ctx, auto... args) { return f(ctx, comm, args...); };
    }
};

void def_kernel(nb::module_ &m, const Kernel<Reduce<float>, Reduce<double>> &k) {
    ArrayKernels<Mpi, nb::handle>::unary<double>(m, k, "float");
}

void def_kernel(nb::module_ &m, const Kernel<Iamax<float>, Iamax<double>> &k) {
    ArrayKernels<Mpi, nb::handle>::unary<int64_t>(m, k, "int");
}

void def_kernel(nb::module_ &m, const Kernel<Dot<float>, Dot<double>> &k) { ArrayKernels<Mpi, nb::handle>::binary(m, k); }

void def_kernel(nb::module_ &m, const Kernel<Pi, Pi> &k) {
    m.def(
        k.name,
        [k](nb::handle samples_obj, nb::handle seed_obj, nb::handle comm_obj, nb::handle ctx_obj) {
            std::string fn = qualified(k.name);
            Context *c = as_context(ctx_obj, fn);
            MPI_Comm comm = get_comm(comm_obj, fn);
            uint64_t samples = to_u64(samples_obj, fn, "samples"), seed = to_u64(seed_obj, fn, "seed");
            hpk_mc_result r{};
            run(fn, c, [&](hpk_ctx *ctx) { return k.d(ctx, comm, samples, seed, &r); });
            return to_result(r);
        },
        "samples"_a.none(), "seed"_a.none() = 0, nb::kw_only(), "comm"_a.none() = nb::none(),
        "ctx"_a.none() = nb::none(), k.doc,
        nb::sig(format("def %s(samples: int, seed: int = 0, " HPK_PY_KW ") -> hpk.MCResult", k.name).c_str()));
}

void def_kernel(nb::module_ &m, const Kernel<Integrate, Integrate> &k) {
    m.def(
        k.name,
        [k](nb::handle f, nb::handle lower, nb::handle upper, nb::handle samples, nb::handle seed,
            nb::handle comm_obj, nb::handle ctx_obj, nb::handle user_data) {
            std::string fn = qualified(k.name);
            Context *c = as_context(ctx_obj, fn);
            MPI_Comm comm = get_comm(comm_obj, fn);
            Box b = box(lower, upper, samples, seed, fn);
            return integrate(fn, f, user_data, c, [&](hpk_ctx *ctx, hpk_integrand g, void *ud, hpk_mc_result *r) {
                return k.d(ctx, comm, g, ud, b.dim, b.lower.data(), b.upper.data(), b.samples, b.seed, r);
            });
        },
        "f"_a.none(), "lower"_a.none(), "upper"_a.none(), "samples"_a.none(), "seed"_a.none() = 0, nb::kw_only(),
        "comm"_a.none() = nb::none(), "ctx"_a.none() = nb::none(), "user_data"_a.none() = nb::none(), k.doc,
        nb::sig(format("def %s(f: collections.abc.Callable[[tuple[float, ...]], float] | ctypes._CFuncPtr | int, "
                       "lower: collections.abc.Sequence[float], upper: collections.abc.Sequence[float], samples: int, "
                       "seed: int = 0, " HPK_PY_KW ", user_data: int | ctypes._CData | None = None) -> hpk.MCResult",
                       k.name)
                    .c_str()));
}

} // namespace

void export_mpi(nb::module_ &parent) {
    parent.attr("have_mpi") = true;
    nb::module_ m = parent.def_submodule("mpi", "hpk_mpi.h on mpi4py communicators (import hpk.mpi instead).");
    m.def(
        "block_range",
        [](int64_t n, nb::handle comm_obj) {
            const char *fn = "hpk.mpi.block_range";
            MPI_Comm comm = get_comm(comm_obj, fn);
            int64_t first = 0, count = 0;
            hpk_status st = hpk_mpi_block_range(comm, n, &first, &count);
            if (st != HPK_SUCCESS) raise_status(st, hpk_ctx_error_message(nullptr));
            return std::make_pair(first, count);
        },
        "n"_a, nb::kw_only(), "comm"_a.none() = nb::none(),
        R"(This rank's share (first, count) of n elements, split at the 4096-element blocks of
hpk's canonical order and balanced in blocks (hpk_mpi_block_range):
reductions over this split are bitwise the single-process result.  Not
collective.)",
        nb::sig("def block_range(n: int, *, comm: mpi4py.MPI.Comm | None = None) -> tuple[int, int]"));
    nb::object times = nb::module_::import_("collections").attr("namedtuple")(
        "Times", nb::make_tuple("total_s", "compute_s", "comm_s"), "module"_a = "hpk.mpi");
    times.attr("__doc__") = "Wall-clock time of the last hpk.mpi call: in all, outside MPI, inside MPI (seconds).";
    m.attr("Times") = times;
    m.def(
        "last_times",
        [times]() {
            hpk_mpi_times t = hpk_mpi_last_times();
            return times(t.total_s, t.compute_s, t.comm_s);
        },
        "Times(total_s, compute_s, comm_s) of this thread's last hpk.mpi call (zeros before any).",
        nb::sig("def last_times() -> Times"));
    for_each(kernels, [&](const auto &k) { def_kernel(m, k); });
}

} // namespace hpkpy

#else

namespace hpkpy {
void export_mpi(nb::module_ &parent) { parent.attr("have_mpi") = false; }
} // namespace hpkpy

#endif
