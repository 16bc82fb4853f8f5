// Monte Carlo: hpk.mc_pi, hpk.mc_integrate (C and Python integrands),
// hpk.MCResult, hpk.INTEGRAND.
#include "hpk_py.h"

#include <climits>
#include <cmath>
#include <cstring>

namespace hpkpy {

MCResult to_result(const hpk_mc_result &r) { return MCResult{r.estimate, r.std_error, r.samples}; }

uint64_t to_u64(nb::handle h, const std::string &fn_s, const char *name) {
    const char *fn = fn_s.c_str();
    if (PyBool_Check(h.ptr())) type_error(format("%s: %s must be an int, not bool", fn, name));
    PyObject *index = PyNumber_Index(h.ptr());
    if (!index) {
        PyErr_Clear();
        type_error(format("%s: %s must be an int, not %s", fn, name, pytype_name(h).c_str()));
    }
    nb::object owned = nb::steal(index);
    int negative = PyObject_RichCompareBool(index, nb::int_(0).ptr(), Py_LT);
    if (negative < 0) throw nb::python_error();
    if (negative) value_error(format("%s: %s must not be negative", fn, name));
    unsigned long long v = PyLong_AsUnsignedLongLong(index);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        value_error(format("%s: %s does not fit in 64 bits", fn, name));
    }
    return (uint64_t)v;
}

namespace {

std::vector<double> bounds(nb::handle obj, const std::string &fn, const char *name) {
    std::vector<double> out;
    PyObject *it = PyObject_GetIter(obj.ptr());
    if (!it) {
        PyErr_Clear();
        type_error(format("%s: %s must be a sequence of floats, one per dimension, not %s", fn.c_str(), name,
                          pytype_name(obj).c_str()));
    }
    nb::object iter = nb::steal(it);
    while (PyObject *item = PyIter_Next(it)) {
        nb::object owned = nb::steal(item);
        double v = PyFloat_AsDouble(item);
        if (v == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            type_error(format("%s: %s[%zu] must be a float, not %s", fn.c_str(), name, out.size(),
                              pytype_name(owned).c_str()));
        }
        out.push_back(v);
    }
    if (PyErr_Occurred()) throw nb::python_error();
    return out;
}

} // namespace

Box box(nb::handle lower, nb::handle upper, nb::handle samples, nb::handle seed, const std::string &fn) {
    Box b{bounds(lower, fn, "lower"), bounds(upper, fn, "upper"), to_u64(samples, fn, "samples"),
          to_u64(seed, fn, "seed"), 0};
    if (b.lower.size() != b.upper.size())
        value_error(format("%s: lower has %zu bounds but upper has %zu", fn.c_str(), b.lower.size(), b.upper.size()));
    if (b.lower.size() > (size_t)INT_MAX) value_error(format("%s: too many dimensions", fn.c_str()));
    b.dim = (int)b.lower.size();
    return b;
}

namespace {

bool is_int(nb::handle h) { return PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr()); }

uintptr_t to_address(nb::handle h) {
    unsigned long long v = PyLong_AsUnsignedLongLong(h.ptr());
    if (v == (unsigned long long)-1 && PyErr_Occurred()) throw nb::python_error();
    return (uintptr_t)v;
}

// The address a ctypes object or int stands for (user_data).
uintptr_t user_address(nb::handle obj, const std::string &fn) {
    if (obj.is_none()) return 0;
    if (is_int(obj)) {
        if (nb::cast<nb::int_>(obj) < nb::int_(0))
            value_error(format("%s: user_data must be a non-negative address", fn.c_str()));
        return to_address(obj);
    }
    nb::module_ ct = nb::module_::import_("ctypes");
    auto is = [&](std::initializer_list<const char *> names) {
        for (const char *n : names)
            if (PyObject_IsInstance(obj.ptr(), ct.attr(n).ptr()) == 1) return true;
        return false;
    };
    if (is({"_Pointer", "c_void_p", "c_char_p"})) {
        nb::object v = ct.attr("cast")(obj, ct.attr("c_void_p")).attr("value");
        return v.is_none() ? 0 : to_address(v);
    }
    if (is({"_SimpleCData", "Structure", "Union", "Array"})) return to_address(ct.attr("addressof")(obj));
    type_error(format("%s: user_data must be None, an int address or a ctypes object, not %s", fn.c_str(),
                      pytype_name(obj).c_str()));
}

// f as a C integrand's address, 0 for a Python callable.
uintptr_t c_address(nb::handle f, nb::handle user_data, const std::string &fn) {
    nb::module_ ct = nb::module_::import_("ctypes");
    if (PyObject_IsInstance(f.ptr(), ct.attr("_CFuncPtr").ptr()) == 1) {
        nb::object restype = nb::getattr(f, "restype", nb::none()), argtypes = nb::getattr(f, "argtypes", nb::none());
        nb::object expected = nb::make_tuple(ct.attr("POINTER")(ct.attr("c_double")), ct.attr("c_int"),
                                             ct.attr("c_void_p"));
        if (!restype.is(ct.attr("c_double")) || (!argtypes.is_none() && !nb::tuple(argtypes).equal(expected))) {
            std::string got;
            if (!argtypes.is_none())
                for (nb::handle t : argtypes) {
                    if (!got.empty()) got += ", ";
                    got += nb::cast<std::string>(nb::str(nb::getattr(t, "__name__", nb::str(t))));
                }
            type_error(format("%s: f must be a C function double f(const double *point, int dim, void *user_data), "
                              "i.e. hpk.INTEGRAND (CFUNCTYPE(c_double, POINTER(c_double), c_int, c_void_p)); got "
                              "restype %s and argtypes (%s)",
                              fn.c_str(), nb::cast<std::string>(nb::str(nb::getattr(restype, "__name__", restype))).c_str(),
                              got.c_str()));
        }
        nb::object v = ct.attr("cast")(f, ct.attr("c_void_p")).attr("value");
        uintptr_t address = v.is_none() ? 0 : to_address(v);
        if (address == 0) value_error(format("%s: f is a NULL function pointer", fn.c_str()));
        return address;
    }
    if (is_int(f)) {
        if (nb::cast<nb::int_>(f) <= nb::int_(0))
            value_error(format("%s: f, a function address, must be positive", fn.c_str()));
        return to_address(f);
    }
    if (PyCallable_Check(f.ptr())) {
        if (!user_data.is_none())
            value_error(format("%s: user_data is for C integrands only; a Python f can close over its data", fn.c_str()));
        return 0;
    }
    type_error(format("%s: f must be a Python callable, a ctypes C function (hpk.INTEGRAND) or a function address, "
                      "not %s",
                      fn.c_str(), pytype_name(f).c_str()));
}

// A Python callable as an hpk_integrand: called with the GIL held, one
// sample at a time; the first exception stops further calls and is raised
// once hpk returns.
struct PyIntegrand {
    PyObject *f;
    PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
    bool failed = false;
};

double py_integrand(const double *point, int dim, void *user_data) {
    auto *s = (PyIntegrand *)user_data;
    if (s->failed) return NAN;
    PyObject *args = PyTuple_New(dim);
    PyObject *res = nullptr;
    if (args) {
        bool ok = true;
        for (int d = 0; d < dim && ok; ++d) {
            PyObject *v = PyFloat_FromDouble(point[d]);
            if (!v) ok = false;
            else PyTuple_SET_ITEM(args, d, v);
        }
        if (ok) res = PyObject_CallFunctionObjArgs(s->f, args, nullptr);
        Py_DECREF(args);
    }
    double v = NAN;
    if (res) {
        v = PyFloat_AsDouble(res);
        Py_DECREF(res);
        if (v == -1.0 && PyErr_Occurred()) res = nullptr;
    }
    if (!res) {
        s->failed = true;
        PyErr_Fetch(&s->type, &s->value, &s->traceback);
        return NAN;
    }
    return v;
}

// The Python callable f on one thread with the GIL held.  A serial or
// OpenCL Context is used as it is (OpenCL refuses C callbacks); for an
// OpenMP one or the default context a serial context of the moment gives
// the same bits (the result does not depend on the thread count).
MCResult integrate_python(const std::string &fn, nb::handle f, Context *c, const IntegrateCall &call) {
    PyIntegrand state{f.ptr()};
    hpk_mc_result r{};
    hpk_status st;
    std::string message;
    std::unique_lock<std::mutex> lock;
    hpk_ctx *ctx = nullptr, *temporary = nullptr;
    if (c) {
        {
            nb::gil_scoped_release release;  // never wait for the lock holding the GIL
            lock = std::unique_lock<std::mutex>(c->mutex);
        }
        hpk_ctx *own = c->open(fn.c_str());
        if (hpk_ctx_get_backend(own) != HPK_BACKEND_OPENMP) ctx = own;
    }
    if (!ctx) {
        st = hpk_ctx_create(&temporary, HPK_BACKEND_SERIAL);
        if (st != HPK_SUCCESS) raise_status(st, hpk_ctx_error_message(nullptr));
        ctx = temporary;
    }
    st = call(ctx, py_integrand, (void *)&state, &r);
    if (st != HPK_SUCCESS) message = hpk_ctx_error_message(ctx);
    if (temporary) hpk_ctx_destroy(temporary);
    if (lock.owns_lock()) lock.unlock();
    if (state.failed) {
        PyErr_Restore(state.type, state.value, state.traceback);
        throw nb::python_error();
    }
    if (st != HPK_SUCCESS) raise_status(st, message);
    return to_result(r);
}

} // namespace

MCResult integrate(const std::string &fn, nb::handle f, nb::handle user_data, Context *c, const IntegrateCall &call) {
    uintptr_t address = c_address(f, user_data, fn);
    if (address == 0) return integrate_python(fn, f, c, call);
    uintptr_t ud = user_address(user_data, fn);
    hpk_integrand g;
    static_assert(sizeof g == sizeof address, "function pointers are addresses");
    std::memcpy(&g, &address, sizeof g);
    hpk_mc_result r{};
    run(fn, c, [&](hpk_ctx *ctx) { return call(ctx, g, (void *)ud, &r); });
    return to_result(r);
}

namespace {

const char *doc_mc_pi = R"(Estimate pi from `samples` points in the unit square, drawn from
Philox4x32-10 keyed by (seed, sample index): bitwise the same estimate on
every backend, thread count and device.  samples must be a positive int.
The GIL is released during the call.)";

const char *doc_mc_integrate = R"(Estimate the integral of f over the box [lower[d], upper[d]), d < len(lower),
from `samples` points drawn from Philox4x32-10 keyed by (seed, sample index).
Returns MCResult(estimate, std_error, samples); std_error is one standard
error (nan for one sample).  The result does not depend on the backend's
thread count: the same f, box, samples and seed give the same bits.

f is one of:

- a C function, double f(const double *point, int dim, void *user_data):
  a ctypes function object (hpk.INTEGRAND, i.e. CFUNCTYPE(c_double,
  POINTER(c_double), c_int, c_void_p), e.g. from a ctypes.CDLL) or its
  address as an int.  It runs at C speed on every thread of the context,
  with the GIL released, and must be thread-safe; user_data (None, an int
  address or a ctypes object) is passed to it.  A CFUNCTYPE made from a
  Python function also works, but takes the GIL on every call, and ctypes
  prints and swallows its exceptions: pass the Python function instead.
- a Python callable f(point) -> float, point a tuple of len(lower) floats.
  It is called with the GIL held, on one thread: on the context itself
  when it is serial, else on a serial context of the moment (the same
  result bits as any CPU context).  An exception raised by f stops the
  integration and propagates.

lower and upper are sequences of floats with lower[d] < upper[d], both
finite (hpk.InvalidArgumentError otherwise); samples is a positive int.
An OpenCL context raises hpk.UnsupportedError (a C or Python function
cannot run on the device).)";

// The Monte Carlo kernels of hpk.h (no float/double pair: one entry each).
const auto kernels = std::make_tuple(kernel("mc_pi", hpk_mc_pi, hpk_mc_pi, doc_mc_pi),
                                     kernel("mc_integrate", hpk_mc_integrate, hpk_mc_integrate, doc_mc_integrate));

using Pi = hpk_status (*)(hpk_ctx *, uint64_t, uint64_t, hpk_mc_result *);
using Integrate = hpk_status (*)(hpk_ctx *, hpk_integrand, void *, int, const double *, const double *, uint64_t,
                                 uint64_t, hpk_mc_result *);

void def_kernel(nb::module_ &m, const Kernel<Pi, Pi> &k) {
    m.def(
        k.name,
        [k](nb::handle samples_obj, nb::handle seed_obj, nb::handle ctx_obj) {
            std::string fn = std::string("hpk.") + k.name;
            Context *c = as_context(ctx_obj, fn);
            uint64_t samples = to_u64(samples_obj, fn, "samples"), seed = to_u64(seed_obj, fn, "seed");
            hpk_mc_result r{};
            run(fn, c, [&](hpk_ctx *ctx) { return k.d(ctx, samples, seed, &r); });
            return to_result(r);
        },
        "samples"_a.none(), "seed"_a.none() = 0, nb::kw_only(), "ctx"_a.none() = nb::none(), k.doc,
        nb::sig(format("def %s(samples: int, seed: int = 0, *, ctx: Context | None = None) -> MCResult", k.name).c_str()));
}

void def_kernel(nb::module_ &m, const Kernel<Integrate, Integrate> &k) {
    m.def(
        k.name,
        [k](nb::handle f, nb::handle lower, nb::handle upper, nb::handle samples, nb::handle seed,
            nb::handle ctx_obj, nb::handle user_data) {
            std::string fn = std::string("hpk.") + k.name;
            Context *c = as_context(ctx_obj, fn);
            Box b = box(lower, upper, samples, seed, fn);
            return integrate(fn, f, user_data, c, [&](hpk_ctx *ctx, hpk_integrand g, void *ud, hpk_mc_result *r) {
                return k.d(ctx, g, ud, b.dim, b.lower.data(), b.upper.data(), b.samples, b.seed, r);
            });
        },
        "f"_a.none(), "lower"_a.none(), "upper"_a.none(), "samples"_a.none(), "seed"_a.none() = 0, nb::kw_only(),
        "ctx"_a.none() = nb::none(), "user_data"_a.none() = nb::none(), k.doc,
        nb::sig(format("def %s(f: collections.abc.Callable[[tuple[float, ...]], float] | ctypes._CFuncPtr | int, "
                       "lower: collections.abc.Sequence[float], upper: collections.abc.Sequence[float], samples: int, "
                       "seed: int = 0, *, ctx: Context | None = None, user_data: int | ctypes._CData | None = None) "
                       "-> MCResult",
                       k.name)
                    .c_str()));
}

} // namespace

void export_mc(nb::module_ &m) {
    nb::class_<MCResult>(m, "MCResult", "The result of a Monte Carlo estimate.")
        .def_ro("estimate", &MCResult::estimate, "The estimate.")
        .def_ro("std_error", &MCResult::std_error, "One standard error of the estimate (nan for one sample).")
        .def_ro("samples", &MCResult::samples, "The number of samples taken.")
        .def("__repr__", [](const MCResult &r) {
            return format("MCResult(estimate=%.17g, std_error=%.17g, samples=%llu)", r.estimate, r.std_error,
                          (unsigned long long)r.samples);
        });
    nb::module_ ct = nb::module_::import_("ctypes");
    nb::object integrand = ct.attr("CFUNCTYPE")(ct.attr("c_double"), ct.attr("POINTER")(ct.attr("c_double")),
                                                ct.attr("c_int"), ct.attr("c_void_p"));
    integrand.attr("__doc__") = "The ctypes type of a C integrand, double f(const double *point, int dim, void "
                                "*user_data) (hpk.h's hpk_integrand).";
    m.attr("INTEGRAND") = integrand;
    for_each(kernels, [&](const auto &k) { def_kernel(m, k); });
}

} // namespace hpkpy
