// hpk._hpk: the nanobind module behind the Python package hpk.  Arrays come
// in through the buffer protocol and go to libhpk as they are (pointer,
// leading dimension, increments): nothing is copied or converted, and
// anything BLAS cannot express is an error naming the argument.  The GIL is
// released around every call into hpk except box integration of a Python
// callable, which runs on one thread with the GIL held.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <hpk/hpk.h>
#ifdef HPK_PY_HAVE_OPENCL
#include <hpk/hpk_cl.h>
#endif
#ifdef HPK_PY_HAVE_MPI
#include <hpk/hpk_mpi.h>
#include <mpi4py/mpi4py.h>
#endif

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace nb = nanobind;
using namespace nb::literals;

namespace {

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

PyObject *exc_error, *exc_invalid, *exc_alloc, *exc_unsupported, *exc_device, *exc_no_device, *exc_mpi;

template <class... Args>
std::string format(const char *fmt, Args... args) {
    int len = std::snprintf(nullptr, 0, fmt, args...);
    std::string s(len > 0 ? (size_t)len : 0, '\0');
    if (len > 0) std::snprintf(&s[0], (size_t)len + 1, fmt, args...);
    return s;
}

[[noreturn]] void type_error(const std::string &msg) { throw nb::type_error(msg.c_str()); }
[[noreturn]] void value_error(const std::string &msg) { throw nb::value_error(msg.c_str()); }

PyObject *exception_for(int status) {
    switch (status) {
    case HPK_ERR_INVALID_ARG: return exc_invalid;
    case HPK_ERR_ALLOC: return exc_alloc;
    case HPK_ERR_UNSUPPORTED: return exc_unsupported;
    case HPK_ERR_DEVICE: return exc_device;
    case HPK_ERR_NO_DEVICE: return exc_no_device;
    case HPK_ERR_MPI: return exc_mpi;
    default: return exc_error;
    }
}

// Raises the hpk.Error subclass of `status` with hpk's own sentence (or the
// status's name when there is none) and the status in its `status`.
[[noreturn]] void raise_status(int status, const std::string &message) {
    PyObject *type = exception_for(status);
    std::string text = message.empty() ? std::string(hpk_status_string((hpk_status)status)) : message;
    nb::object exc = nb::borrow(type)(text);
    exc.attr("status") = status;
    PyErr_SetObject(type, exc.ptr());
    throw nb::python_error();
}

PyObject *make_exception(nb::module_ &m, const char *name, const char *doc, std::initializer_list<PyObject *> bases) {
    nb::object tuple = nb::steal(PyTuple_New((Py_ssize_t)bases.size()));
    Py_ssize_t i = 0;
    for (PyObject *b : bases) {
        Py_INCREF(b);
        PyTuple_SET_ITEM(tuple.ptr(), i++, b);
    }
    std::string qualified = std::string("hpk.") + name;
    PyObject *type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, tuple.ptr(), nullptr);
    if (!type) throw nb::python_error();
    m.attr(name) = nb::borrow(type);  // the module keeps a reference; so does this file
    return type;
}

// ---------------------------------------------------------------------------
// Contexts
// ---------------------------------------------------------------------------

struct Context {
    hpk_ctx *ctx = nullptr;
    std::mutex mutex;  // hpk contexts are for one thread at a time: calls on one Context queue here
    ~Context() {
        if (ctx) hpk_ctx_destroy(ctx);
    }
};

const char *backend_name(hpk_backend b) {
    switch (b) {
    case HPK_BACKEND_SERIAL: return "serial";
    case HPK_BACKEND_OPENMP: return "openmp";
    case HPK_BACKEND_OPENCL: return "opencl";
    }
    return "unknown";
}

// Runs f(hpk_ctx *) -> hpk_status without the GIL, on the Context's hpk
// context (holding its lock) or on the calling thread's default context
// (c == nullptr); raises the status's exception with hpk's message.
template <class F>
void run(const char *fn, Context *c, F &&f) {
    hpk_status st = HPK_SUCCESS;
    std::string message;
    bool closed = false;
    {
        nb::gil_scoped_release release;
        if (c) {
            std::lock_guard<std::mutex> lock(c->mutex);
            if (!c->ctx) {
                closed = true;
            } else {
                st = f(c->ctx);
                if (st != HPK_SUCCESS) message = hpk_ctx_error_message(c->ctx);
            }
        } else {
            st = f(nullptr);
            if (st != HPK_SUCCESS) message = hpk_ctx_error_message(nullptr);
        }
    }
    if (closed) value_error(format("%s: the context is closed", fn));
    if (st != HPK_SUCCESS) raise_status(st, message);
}

// ---------------------------------------------------------------------------
// Arrays through the buffer protocol
// ---------------------------------------------------------------------------

enum class DType { F32, F64 };

const char *dtype_name(DType d) { return d == DType::F64 ? "float64" : "float32"; }

struct Array {
    Py_buffer view{};
    bool held = false;
    DType dtype = DType::F64;
    int64_t shape[2] = {0, 0};
    int64_t stride[2] = {0, 0};  // in elements
    char *data = nullptr;        // logical element 0 (numpy's data pointer)
    int64_t itemsize = 0;
    Array() = default;
    Array(const Array &) = delete;
    Array &operator=(const Array &) = delete;
    ~Array() {
        if (held) PyBuffer_Release(&view);
    }
};

std::string pytype_name(nb::handle h) { return nb::type_name(h.type()).c_str(); }

// What to call an object's element type in a message: numpy's dtype name
// where there is one, else the buffer's format.
std::string dtype_of(nb::handle obj, const char *format) {
    if (PyObject_HasAttrString(obj.ptr(), "dtype")) {
        PyObject *d = PyObject_GetAttrString(obj.ptr(), "dtype");
        if (d) {
            PyObject *s = PyObject_Str(d);
            Py_DECREF(d);
            if (s) {
                const char *u = PyUnicode_AsUTF8(s);
                std::string r = u ? u : "";
                Py_DECREF(s);
                if (!r.empty()) return r;
            }
        }
        PyErr_Clear();
    }
    return format ? format : "B";
}

// Views `obj` as an ndim-dimensional float32/float64 array without copying.
void get_array(nb::handle obj, const char *fn, const char *name, int ndim, bool writable, Array &a) {
    const char *kinds = ndim == 1 ? "a 1-D" : "a 2-D";
    if (!PyObject_CheckBuffer(obj.ptr()))
        type_error(format("%s: %s must be %s float32 or float64 array (numpy.ndarray), not %s; hpk does not "
                          "convert its inputs",
                          fn, name, kinds, pytype_name(obj).c_str()));
    int flags = PyBUF_STRIDES | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj.ptr(), &a.view, flags) != 0) {
        PyErr_Clear();
        if (writable && PyObject_GetBuffer(obj.ptr(), &a.view, PyBUF_STRIDES | PyBUF_FORMAT) == 0) {
            PyBuffer_Release(&a.view);
            value_error(format("%s: %s is read-only; hpk writes its result into %s", fn, name, name));
        }
        PyErr_Clear();
        type_error(format("%s: %s (%s) does not expose its memory as a strided buffer", fn, name,
                          pytype_name(obj).c_str()));
    }
    a.held = true;
    if (writable && a.view.readonly)
        value_error(format("%s: %s is read-only; hpk writes its result into %s", fn, name, name));

    const char *f = a.view.format ? a.view.format : "B";
    bool foreign_order = false;
    if (*f == '@' || *f == '=') {
        ++f;
    } else if (*f == '<' || *f == '>' || *f == '!') {
        bool little = *f == '<';
        const uint16_t probe = 1;
        bool host_little = *(const uint8_t *)&probe == 1;
        foreign_order = little != host_little;
        ++f;
    }
    if (foreign_order)
        type_error(format("%s: %s has dtype %s in non-native byte order; hpk does not convert (use "
                          "%s.astype(%s.dtype.newbyteorder('=')))",
                          fn, name, dtype_of(obj, a.view.format).c_str(), name, name));
    if (std::strcmp(f, "d") == 0 && a.view.itemsize == 8) {
        a.dtype = DType::F64;
    } else if (std::strcmp(f, "f") == 0 && a.view.itemsize == 4) {
        a.dtype = DType::F32;
    } else {
        type_error(format("%s: %s has dtype %s; hpk takes float32 or float64 and does not convert", fn, name,
                          dtype_of(obj, a.view.format).c_str()));
    }
    if (a.view.ndim != ndim)
        value_error(format("%s: %s must be %d-D, not %d-D", fn, name, ndim, a.view.ndim));
    a.itemsize = a.view.itemsize;
    a.data = (char *)a.view.buf;
    for (int d = 0; d < ndim; ++d) {
        a.shape[d] = a.view.shape[d];
        Py_ssize_t s = a.view.strides ? a.view.strides[d] : 0;
        if (s % a.itemsize != 0)
            value_error(format("%s: %s's strides (in bytes) are not a multiple of its item size", fn, name));
        a.stride[d] = s / a.itemsize;
    }
    if ((uintptr_t)a.data % (uintptr_t)a.itemsize != 0)
        value_error(format("%s: %s is not aligned to its item size", fn, name));
}

// A 1-D array as a BLAS vector: the pointer to its lowest-addressed element
// and an increment (numpy's pointer for a negative stride is logical
// element 0, the highest address; BLAS's is the lowest).
struct Vector {
    char *ptr;
    int64_t n;
    int64_t inc;
};

Vector as_vector(const Array &a, const char *fn, const char *name) {
    int64_t n = a.shape[0], s = a.stride[0];
    if (n <= 1) return {a.data, n, 1};
    if (s == 0)
        value_error(format("%s: %s has stride 0 (a broadcast view), which BLAS cannot express", fn, name));
    if (s > 0) return {a.data, n, s};
    return {a.data + (n - 1) * s * a.itemsize, n, s};
}

// [lo, hi) of the bytes an array's elements occupy (empty when it has none).
void byte_range(const Array &a, int ndim, char *&lo, char *&hi) {
    lo = hi = a.data;
    for (int d = 0; d < ndim; ++d)
        if (a.shape[d] == 0) return;
    int64_t low = 0, high = 0;
    for (int d = 0; d < ndim; ++d) {
        int64_t span = (a.shape[d] - 1) * a.stride[d] * a.itemsize;
        if (span < 0) low += span; else high += span;
    }
    lo = a.data + low;
    hi = a.data + high + a.itemsize;
}

bool overlap(const Array &a, int ndim_a, const Array &b, int ndim_b) {
    char *alo, *ahi, *blo, *bhi;
    byte_range(a, ndim_a, alo, ahi);
    byte_range(b, ndim_b, blo, bhi);
    return alo < ahi && blo < bhi && alo < bhi && blo < ahi;
}

void same_dtype(const Array &ref, const char *ref_name, const Array &other, const char *other_name, const char *fn) {
    if (ref.dtype != other.dtype)
        type_error(format("%s: %s is %s but %s is %s; hpk does not mix precisions or convert", fn, other_name,
                          dtype_name(other.dtype), ref_name, dtype_name(ref.dtype)));
}

nb::object numpy_new(const char *function, int64_t n, DType dtype) {
    nb::object np = nb::module_::import_("numpy");
    return np.attr(function)(n, "dtype"_a = dtype_name(dtype));
}

// ---------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------

nb::object gemv(nb::handle a_obj, nb::handle x_obj, nb::handle y_obj, double alpha, double beta, bool trans,
                Context *c) {
    const char *fn = "hpk.gemv";
    Array a, x, y;
    get_array(a_obj, fn, "a", 2, false, a);
    int64_t m = a.shape[0], n = a.shape[1], sr = a.stride[0], sc = a.stride[1];
    hpk_layout layout = HPK_ROW_MAJOR;
    int64_t lda = n > 1 ? n : 1;
    if (m == 0 || n == 0 || (m == 1 && (n == 1 || sc == 1))) {
        // nothing to lay out, or one contiguous row: lda = max(1, n)
    } else if ((sc == 1 || n == 1) && m > 1 && sr >= (n > 1 ? n : 1)) {
        lda = sr;
    } else if ((sr == 1 || m == 1) && sc >= (m > 1 ? m : 1)) {
        layout = HPK_COL_MAJOR;
        lda = n == 1 ? (m > 1 ? m : 1) : sc;
    } else if ((sr == 1 || m == 1) && n == 1) {
        layout = HPK_COL_MAJOR;
        lda = m > 1 ? m : 1;
    } else {
        value_error(format("%s: a has strides (%lld, %lld) (in elements), which BLAS cannot express: one "
                           "dimension needs stride 1 and the other a positive stride at least the first's "
                           "extent (C or Fortran order, or a slice of one); np.ascontiguousarray(a) makes a "
                           "copy that works",
                           fn, (long long)sr, (long long)sc));
    }
    int64_t xlen = trans ? m : n, ylen = trans ? n : m;
    const char *which = trans ? "trans=True" : "trans=False";

    get_array(x_obj, fn, "x", 1, false, x);
    same_dtype(a, "a", x, "x", fn);
    if (x.shape[0] != xlen)
        value_error(format("%s: x has %lld elements, but a is %lld x %lld, so x needs %lld (%s)", fn,
                           (long long)x.shape[0], (long long)m, (long long)n, (long long)xlen, which));

    nb::object result;
    if (y_obj.is_none()) {
        if (beta != 0.0)
            value_error(format("%s: beta is %g but y is None; pass y to accumulate into it", fn, beta));
        // With no terms to sum (xlen == 0) hpk leaves y alone: start from zeros.
        result = numpy_new(xlen == 0 ? "zeros" : "empty", ylen, a.dtype);
    } else {
        result = nb::borrow(y_obj);
    }
    get_array(result, fn, "y", 1, true, y);
    same_dtype(a, "a", y, "y", fn);
    if (y.shape[0] != ylen)
        value_error(format("%s: y has %lld elements, but a is %lld x %lld, so y needs %lld (%s)", fn,
                           (long long)y.shape[0], (long long)m, (long long)n, (long long)ylen, which));
    if (overlap(y, 1, a, 2)) value_error(format("%s: y shares memory with a; y must be a separate array", fn));
    if (overlap(y, 1, x, 1)) value_error(format("%s: y shares memory with x; y must be a separate array", fn));

    Vector xv = as_vector(x, fn, "x"), yv = as_vector(y, fn, "y");
    hpk_transpose tr = trans ? HPK_TRANS : HPK_NO_TRANS;
    if (a.dtype == DType::F64) {
        run(fn, c, [&](hpk_ctx *ctx) {
            return hpk_dgemv(ctx, layout, tr, m, n, alpha, (const double *)a.data, lda, (const double *)xv.ptr,
                             xv.inc, beta, (double *)yv.ptr, yv.inc);
        });
    } else {
        run(fn, c, [&](hpk_ctx *ctx) {
            return hpk_sgemv(ctx, layout, tr, m, n, (float)alpha, (const float *)a.data, lda,
                             (const float *)xv.ptr, xv.inc, (float)beta, (float *)yv.ptr, yv.inc);
        });
    }
    return result;
}

using DRed = hpk_status (*)(hpk_ctx *, int64_t, const double *, int64_t, double *);
using SRed = hpk_status (*)(hpk_ctx *, int64_t, const float *, int64_t, float *);

double reduce(const char *fn, nb::handle x_obj, Context *c, DRed fd, SRed fs) {
    Array x;
    get_array(x_obj, fn, "x", 1, false, x);
    Vector v = as_vector(x, fn, "x");
    if (x.dtype == DType::F64) {
        double r = 0;
        run(fn, c, [&](hpk_ctx *ctx) { return fd(ctx, v.n, (const double *)v.ptr, v.inc, &r); });
        return r;
    }
    float r = 0;
    run(fn, c, [&](hpk_ctx *ctx) { return fs(ctx, v.n, (const float *)v.ptr, v.inc, &r); });
    return (double)r;
}

double dot(nb::handle x_obj, nb::handle y_obj, Context *c) {
    const char *fn = "hpk.dot";
    Array x, y;
    get_array(x_obj, fn, "x", 1, false, x);
    get_array(y_obj, fn, "y", 1, false, y);
    same_dtype(x, "x", y, "y", fn);
    if (x.shape[0] != y.shape[0])
        value_error(format("%s: x has %lld elements but y has %lld", fn, (long long)x.shape[0],
                           (long long)y.shape[0]));
    Vector xv = as_vector(x, fn, "x"), yv = as_vector(y, fn, "y");
    if (x.dtype == DType::F64) {
        double r = 0;
        run(fn, c, [&](hpk_ctx *ctx) {
            return hpk_ddot(ctx, xv.n, (const double *)xv.ptr, xv.inc, (const double *)yv.ptr, yv.inc, &r);
        });
        return r;
    }
    float r = 0;
    run(fn, c, [&](hpk_ctx *ctx) {
        return hpk_sdot(ctx, xv.n, (const float *)xv.ptr, xv.inc, (const float *)yv.ptr, yv.inc, &r);
    });
    return (double)r;
}

int64_t iamax(nb::handle x_obj, Context *c) {
    const char *fn = "hpk.iamax";
    Array x;
    get_array(x_obj, fn, "x", 1, false, x);
    Vector v = as_vector(x, fn, "x");
    int64_t r = -1;
    if (x.dtype == DType::F64)
        run(fn, c, [&](hpk_ctx *ctx) { return hpk_idamax(ctx, v.n, (const double *)v.ptr, v.inc, &r); });
    else
        run(fn, c, [&](hpk_ctx *ctx) { return hpk_isamax(ctx, v.n, (const float *)v.ptr, v.inc, &r); });
    return r;
}

// ---------------------------------------------------------------------------
// Monte Carlo
// ---------------------------------------------------------------------------

struct MCResult {
    double estimate = 0, std_error = 0;
    uint64_t samples = 0;
};

MCResult to_result(const hpk_mc_result &r) { return MCResult{r.estimate, r.std_error, r.samples}; }

uint64_t to_u64(nb::handle h, const char *fn, const char *name) {
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

MCResult mc_pi(nb::handle samples_obj, nb::handle seed_obj, Context *c) {
    const char *fn = "hpk.mc_pi";
    uint64_t samples = to_u64(samples_obj, fn, "samples"), seed = to_u64(seed_obj, fn, "seed");
    hpk_mc_result r{};
    run(fn, c, [&](hpk_ctx *ctx) { return hpk_mc_pi(ctx, samples, seed, &r); });
    return to_result(r);
}

std::vector<double> bounds(nb::handle obj, const char *fn, const char *name) {
    std::vector<double> out;
    PyObject *it = PyObject_GetIter(obj.ptr());
    if (!it) {
        PyErr_Clear();
        type_error(format("%s: %s must be a sequence of floats, one per dimension, not %s", fn, name,
                          pytype_name(obj).c_str()));
    }
    nb::object iter = nb::steal(it);
    while (PyObject *item = PyIter_Next(it)) {
        nb::object owned = nb::steal(item);
        double v = PyFloat_AsDouble(item);
        if (v == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            type_error(format("%s: %s[%zu] must be a float, not %s", fn, name, out.size(),
                              pytype_name(owned).c_str()));
        }
        out.push_back(v);
    }
    if (PyErr_Occurred()) throw nb::python_error();
    return out;
}

struct Box {
    std::vector<double> lower, upper;
    uint64_t samples, seed;
    int dim;
};

Box box(nb::handle lower, nb::handle upper, nb::handle samples, nb::handle seed, const char *fn) {
    Box b{bounds(lower, fn, "lower"), bounds(upper, fn, "upper"), to_u64(samples, fn, "samples"),
          to_u64(seed, fn, "seed"), 0};
    if (b.lower.size() != b.upper.size())
        value_error(format("%s: lower has %zu bounds but upper has %zu", fn, b.lower.size(), b.upper.size()));
    if (b.lower.size() > (size_t)INT_MAX) value_error(format("%s: too many dimensions", fn));
    b.dim = (int)b.lower.size();
    return b;
}

// f(point, dim, user_data) given as a C function address: runs on every
// thread of the context, without the GIL.
MCResult mc_integrate_address(uintptr_t address, uintptr_t user_data, nb::handle lower, nb::handle upper,
                              nb::handle samples, nb::handle seed, Context *c) {
    const char *fn = "hpk.mc_integrate";
    if (address == 0) value_error(format("%s: f is a NULL function pointer", fn));
    Box b = box(lower, upper, samples, seed, fn);
    hpk_integrand f;
    static_assert(sizeof f == sizeof address, "function pointers are addresses");
    std::memcpy(&f, &address, sizeof f);
    hpk_mc_result r{};
    run(fn, c, [&](hpk_ctx *ctx) {
        return hpk_mc_integrate(ctx, f, (void *)user_data, b.dim, b.lower.data(), b.upper.data(), b.samples,
                                b.seed, &r);
    });
    return to_result(r);
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

// Integrates the Python callable f over the box b with call(ctx, integrand,
// state) -> hpk_status, on one thread with the GIL held.  A serial or OpenCL
// Context is used as it is (OpenCL refuses C callbacks); for an OpenMP one or
// the default context a serial context of the moment gives the same bits
// (the result does not depend on the thread count).
template <class Call>
MCResult integrate_python(const char *fn, nb::handle f, Context *c, Call &&call) {
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
        if (!c->ctx) value_error(format("%s: the context is closed", fn));
        if (hpk_ctx_get_backend(c->ctx) != HPK_BACKEND_OPENMP) ctx = c->ctx;
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

MCResult mc_integrate_python(nb::handle f, nb::handle lower, nb::handle upper, nb::handle samples,
                             nb::handle seed, Context *c) {
    const char *fn = "hpk.mc_integrate";
    Box b = box(lower, upper, samples, seed, fn);
    return integrate_python(fn, f, c, [&](hpk_ctx *ctx, hpk_integrand g, void *state, hpk_mc_result *r) {
        return hpk_mc_integrate(ctx, g, state, b.dim, b.lower.data(), b.upper.data(), b.samples, b.seed, r);
    });
}

// ---------------------------------------------------------------------------
// OpenCL: device-resident data (hpk.cl) and adopted queues
// ---------------------------------------------------------------------------
// hpk/cl.py turns pyopencl arrays and buffers into (cl_mem, offset, inc)
// triples and checks them; these functions only call hpk, which checks every
// buffer again (its context, its size).  Device functions need an explicit
// OpenCL Context.

struct Profile {
    double upload_s = 0, kernel_s = 0, download_s = 0, build_s = 0;
};

#ifdef HPK_PY_HAVE_OPENCL
Context *need_cl(Context *c, const char *fn) {
    if (!c) type_error(format("%s: ctx must be an OpenCL hpk.Context, not None", fn));
    std::lock_guard<std::mutex> lock(c->mutex);
    if (!c->ctx) value_error(format("%s: the context is closed", fn));
    if (hpk_ctx_get_backend(c->ctx) != HPK_BACKEND_OPENCL)
        value_error(format("%s: ctx is a %s context; hpk.cl needs an OpenCL one", fn,
                           backend_name(hpk_ctx_get_backend(c->ctx))));
    return c;
}

cl_mem as_mem(uintptr_t p) { return (cl_mem)p; }

void cl_gemv(Context *c, bool f32, int layout, bool trans, int64_t m, int64_t n, double alpha, uintptr_t a,
             size_t a_off, int64_t lda, uintptr_t x, size_t x_off, int64_t incx, double beta, uintptr_t y,
             size_t y_off, int64_t incy) {
    const char *fn = "hpk.cl.gemv";
    need_cl(c, fn);
    hpk_layout lay = layout == 0 ? HPK_ROW_MAJOR : HPK_COL_MAJOR;
    hpk_transpose tr = trans ? HPK_TRANS : HPK_NO_TRANS;
    run(fn, c, [&](hpk_ctx *ctx) {
        if (f32)
            return hpk_cl_sgemv(ctx, lay, tr, m, n, (float)alpha, as_mem(a), a_off, lda, as_mem(x), x_off, incx,
                                (float)beta, as_mem(y), y_off, incy);
        return hpk_cl_dgemv(ctx, lay, tr, m, n, alpha, as_mem(a), a_off, lda, as_mem(x), x_off, incx, beta,
                            as_mem(y), y_off, incy);
    });
}

// op: "sum", "asum", "nrm2", "dot", "iamax".
nb::object cl_reduce(const std::string &op, Context *c, bool f32, int64_t n, uintptr_t x, size_t x_off,
                     int64_t incx, uintptr_t y, size_t y_off, int64_t incy) {
    std::string name = "hpk.cl." + op;
    const char *fn = name.c_str();
    need_cl(c, fn);
    if (op == "iamax") {
        int64_t r = -1;
        run(fn, c, [&](hpk_ctx *ctx) {
            return f32 ? hpk_cl_isamax(ctx, n, as_mem(x), x_off, incx, &r)
                       : hpk_cl_idamax(ctx, n, as_mem(x), x_off, incx, &r);
        });
        return nb::int_(r);
    }
    using DF = hpk_status (*)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, double *);
    using SF = hpk_status (*)(hpk_ctx *, int64_t, cl_mem, size_t, int64_t, float *);
    DF df = nullptr;
    SF sf = nullptr;
    if (op == "sum") df = hpk_cl_dsum, sf = hpk_cl_ssum;
    else if (op == "asum") df = hpk_cl_dasum, sf = hpk_cl_sasum;
    else if (op == "nrm2") df = hpk_cl_dnrm2, sf = hpk_cl_snrm2;
    else if (op != "dot") value_error(format("hpk.cl: unknown reduction '%s'", op.c_str()));
    double rd = 0;
    float rs = 0;
    run(fn, c, [&](hpk_ctx *ctx) {
        if (op == "dot")
            return f32 ? hpk_cl_sdot(ctx, n, as_mem(x), x_off, incx, as_mem(y), y_off, incy, &rs)
                       : hpk_cl_ddot(ctx, n, as_mem(x), x_off, incx, as_mem(y), y_off, incy, &rd);
        return f32 ? sf(ctx, n, as_mem(x), x_off, incx, &rs) : df(ctx, n, as_mem(x), x_off, incx, &rd);
    });
    return nb::float_(f32 ? (double)rs : rd);
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

// hpk's OpenCL objects as pyopencl objects (each holding its own reference).
nb::object cl_object(Context &c, const char *what) {
    uintptr_t p = 0;
    {
        std::lock_guard<std::mutex> lock(c.mutex);
        if (!c.ctx) value_error("hpk.Context: the context is closed");
        if (hpk_ctx_get_backend(c.ctx) != HPK_BACKEND_OPENCL) return nb::none();
        if (std::strcmp(what, "queue") == 0) p = (uintptr_t)hpk_ctx_cl_queue(c.ctx);
        else if (std::strcmp(what, "context") == 0) p = (uintptr_t)hpk_ctx_cl_context(c.ctx);
        else p = (uintptr_t)hpk_ctx_cl_device(c.ctx);
    }
    nb::module_ cl = nb::module_::import_("pyopencl");
    const char *cls = std::strcmp(what, "queue") == 0 ? "CommandQueue"
                      : std::strcmp(what, "context") == 0 ? "Context" : "Device";
    if (std::strcmp(what, "device") == 0) return cl.attr(cls).attr("from_int_ptr")(p);
    return cl.attr(cls).attr("from_int_ptr")(p, "retain"_a = true);
}

uintptr_t cl_pointer(Context &c, const char *what) {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (!c.ctx) value_error("hpk.Context: the context is closed");
    if (hpk_ctx_get_backend(c.ctx) != HPK_BACKEND_OPENCL) return 0;
    if (std::strcmp(what, "queue") == 0) return (uintptr_t)hpk_ctx_cl_queue(c.ctx);
    if (std::strcmp(what, "context") == 0) return (uintptr_t)hpk_ctx_cl_context(c.ctx);
    return (uintptr_t)hpk_ctx_cl_device(c.ctx);
}

// The integrand as OpenCL C source defining
// double hpk_integrand(const double *point, int dim).
MCResult cl_mc_integrate(nb::handle source_obj, nb::handle lower, nb::handle upper, nb::handle samples,
                         nb::handle seed, Context *c) {
    const char *fn = "hpk.cl.mc_integrate";
    if (!nb::isinstance<nb::str>(source_obj))
        type_error(format("%s: source must be a str of OpenCL C defining double hpk_integrand(const double "
                          "*point, int dim), not %s",
                          fn, pytype_name(source_obj).c_str()));
    std::string source = nb::cast<std::string>(source_obj);
    if (source.find('\0') != std::string::npos) value_error(format("%s: source contains a NUL character", fn));
    Box b = box(lower, upper, samples, seed, fn);
    need_cl(c, fn);
    hpk_mc_result r{};
    run(fn, c, [&](hpk_ctx *ctx) {
        return hpk_cl_mc_integrate(ctx, source.c_str(), b.dim, b.lower.data(), b.upper.data(), b.samples, b.seed,
                                   &r);
    });
    return to_result(r);
}

Profile last_profile(Context &c) {
    hpk_profile p{};
    run("hpk.Context.last_profile", &c, [&](hpk_ctx *ctx) { return hpk_ctx_last_profile(ctx, &p); });
    return Profile{p.upload_s, p.kernel_s, p.download_s, p.build_s};
}
#endif

// ---------------------------------------------------------------------------
// MPI: hpk_mpi.h on mpi4py communicators (hpk.mpi)
// ---------------------------------------------------------------------------
#ifdef HPK_PY_HAVE_MPI
// mpi4py's C API, imported on first use: importing mpi4py.MPI initialises
// MPI, which `import hpk` must not do.
MPI_Comm get_comm(nb::handle obj, const char *fn) {
    static bool imported = false;
    if (!imported) {
        if (import_mpi4py() < 0) throw nb::python_error();
        imported = true;
    }
    if (!PyObject_TypeCheck(obj.ptr(), &PyMPIComm_Type))
        type_error(format("%s: comm must be an mpi4py.MPI.Comm (e.g. MPI.COMM_WORLD), not %s", fn,
                          pytype_name(obj).c_str()));
    MPI_Comm *p = PyMPIComm_Get(obj.ptr());
    if (!p) throw nb::python_error();
    return *p;
}

nb::tuple mpi_block_range(nb::handle comm_obj, int64_t n) {
    const char *fn = "hpk.mpi.block_range";
    MPI_Comm comm = get_comm(comm_obj, fn);
    int64_t first = 0, count = 0;
    hpk_status st = hpk_mpi_block_range(comm, n, &first, &count);
    if (st != HPK_SUCCESS) raise_status(st, hpk_ctx_error_message(nullptr));
    return nb::make_tuple(first, count);
}

// a: the rank's row block, row-major (C order or a slice of rows).
void row_block(const Array &a, const char *fn, int64_t &lda) {
    int64_t m = a.shape[0], n = a.shape[1], sr = a.stride[0], sc = a.stride[1];
    lda = n > 1 ? n : 1;
    if (m == 0 || n == 0) return;
    if (sc != 1 && n > 1)
        value_error(format("%s: a has strides (%lld, %lld) (in elements); hpk.mpi needs row-major blocks "
                           "(stride 1 along rows, C order or a slice of rows): np.ascontiguousarray(a) makes a "
                           "copy that works",
                           fn, (long long)sr, (long long)sc));
    if (m > 1) {
        if (sr < lda)
            value_error(format("%s: a's row stride %lld (in elements) is smaller than its %lld columns", fn,
                               (long long)sr, (long long)n));
        lda = sr;
    }
}

// y := alpha * A x + beta * y (trans: alpha * A^T x + beta * y) over row blocks.
void mpi_gemv(nb::handle a_obj, nb::handle x_obj, nb::handle y_obj, double alpha, double beta, bool gathered,
              bool trans, nb::handle comm_obj, Context *c) {
    const char *fn = "hpk.mpi.gemv";
    MPI_Comm comm = get_comm(comm_obj, fn);
    Array a, x, y;
    get_array(a_obj, fn, "a", 2, false, a);
    int64_t lda;
    row_block(a, fn, lda);
    get_array(x_obj, fn, "x", 1, false, x);
    same_dtype(a, "a", x, "x", fn);
    get_array(y_obj, fn, "y", 1, true, y);
    same_dtype(a, "a", y, "y", fn);
    int64_t m = a.shape[0], n = a.shape[1];
    int64_t xlen = trans ? m : n;
    if (x.shape[0] != xlen)
        value_error(format("%s: x has %lld elements, but this rank's a is %lld x %lld, so x needs %lld", fn,
                           (long long)x.shape[0], (long long)m, (long long)n, (long long)xlen));
    if (!gathered && !trans && y.shape[0] != m)
        value_error(format("%s: y has %lld elements, but this rank's a has %lld rows (y='local')", fn,
                           (long long)y.shape[0], (long long)m));
    if (trans && y.shape[0] != n)
        value_error(format("%s: y has %lld elements, but a has %lld columns (trans=True)", fn,
                           (long long)y.shape[0], (long long)n));
    if (overlap(y, 1, a, 2)) value_error(format("%s: y shares memory with a; y must be a separate array", fn));
    if (overlap(y, 1, x, 1)) value_error(format("%s: y shares memory with x; y must be a separate array", fn));
    Vector xv = as_vector(x, fn, "x"), yv = as_vector(y, fn, "y");
    hpk_mpi_y yd = gathered ? HPK_MPI_Y_GATHERED : HPK_MPI_Y_LOCAL;
    const void *ap = m == 0 ? nullptr : a.data;
    run(fn, c, [&](hpk_ctx *ctx) {
        if (a.dtype == DType::F64) {
            if (trans)
                return hpk_mpi_dgemv_t(ctx, comm, m, n, alpha, (const double *)ap, lda, (const double *)xv.ptr,
                                       xv.inc, beta, (double *)yv.ptr, yv.inc);
            return hpk_mpi_dgemv(ctx, comm, yd, m, n, alpha, (const double *)ap, lda, (const double *)xv.ptr,
                                 xv.inc, beta, (double *)yv.ptr, yv.inc);
        }
        if (trans)
            return hpk_mpi_sgemv_t(ctx, comm, m, n, (float)alpha, (const float *)ap, lda, (const float *)xv.ptr,
                                   xv.inc, (float)beta, (float *)yv.ptr, yv.inc);
        return hpk_mpi_sgemv(ctx, comm, yd, m, n, (float)alpha, (const float *)ap, lda, (const float *)xv.ptr,
                             xv.inc, (float)beta, (float *)yv.ptr, yv.inc);
    });
}

nb::object mpi_reduce(const std::string &op, nb::handle x_obj, nb::handle y_obj, nb::handle comm_obj, Context *c) {
    std::string name = "hpk.mpi." + op;
    const char *fn = name.c_str();
    MPI_Comm comm = get_comm(comm_obj, fn);
    Array x, y;
    get_array(x_obj, fn, "x", 1, false, x);
    Vector xv = as_vector(x, fn, "x"), yv{nullptr, 0, 1};
    if (op == "dot") {
        get_array(y_obj, fn, "y", 1, false, y);
        same_dtype(x, "x", y, "y", fn);
        if (x.shape[0] != y.shape[0])
            value_error(format("%s: x has %lld elements but y has %lld on this rank", fn, (long long)x.shape[0],
                               (long long)y.shape[0]));
        yv = as_vector(y, fn, "y");
    }
    bool f32 = x.dtype == DType::F32;
    if (op == "iamax") {
        int64_t r = -1;
        run(fn, c, [&](hpk_ctx *ctx) {
            return f32 ? hpk_mpi_isamax(ctx, comm, xv.n, (const float *)xv.ptr, xv.inc, &r)
                       : hpk_mpi_idamax(ctx, comm, xv.n, (const double *)xv.ptr, xv.inc, &r);
        });
        return nb::int_(r);
    }
    using DF = hpk_status (*)(hpk_ctx *, MPI_Comm, int64_t, const double *, int64_t, double *);
    using SF = hpk_status (*)(hpk_ctx *, MPI_Comm, int64_t, const float *, int64_t, float *);
    DF df = nullptr;
    SF sf = nullptr;
    if (op == "sum") df = hpk_mpi_dsum, sf = hpk_mpi_ssum;
    else if (op == "asum") df = hpk_mpi_dasum, sf = hpk_mpi_sasum;
    else if (op == "nrm2") df = hpk_mpi_dnrm2, sf = hpk_mpi_snrm2;
    else if (op != "dot") value_error(format("hpk.mpi: unknown reduction '%s'", op.c_str()));
    double rd = 0;
    float rs = 0;
    run(fn, c, [&](hpk_ctx *ctx) {
        if (op == "dot")
            return f32 ? hpk_mpi_sdot(ctx, comm, xv.n, (const float *)xv.ptr, xv.inc, (const float *)yv.ptr, yv.inc,
                                      &rs)
                       : hpk_mpi_ddot(ctx, comm, xv.n, (const double *)xv.ptr, xv.inc, (const double *)yv.ptr,
                                      yv.inc, &rd);
        return f32 ? sf(ctx, comm, xv.n, (const float *)xv.ptr, xv.inc, &rs)
                   : df(ctx, comm, xv.n, (const double *)xv.ptr, xv.inc, &rd);
    });
    return nb::float_(f32 ? (double)rs : rd);
}

MCResult mpi_mc_pi(nb::handle samples_obj, nb::handle seed_obj, nb::handle comm_obj, Context *c) {
    const char *fn = "hpk.mpi.mc_pi";
    MPI_Comm comm = get_comm(comm_obj, fn);
    uint64_t samples = to_u64(samples_obj, fn, "samples"), seed = to_u64(seed_obj, fn, "seed");
    hpk_mc_result r{};
    run(fn, c, [&](hpk_ctx *ctx) { return hpk_mpi_mc_pi(ctx, comm, samples, seed, &r); });
    return to_result(r);
}

// f(point, dim, user_data) given as a C function address: each rank's own,
// run on its context's threads without the GIL.
MCResult mpi_mc_integrate_address(uintptr_t address, uintptr_t user_data, nb::handle lower, nb::handle upper,
                                  nb::handle samples, nb::handle seed, nb::handle comm_obj, Context *c) {
    const char *fn = "hpk.mpi.mc_integrate";
    MPI_Comm comm = get_comm(comm_obj, fn);
    if (address == 0) value_error(format("%s: f is a NULL function pointer", fn));
    Box b = box(lower, upper, samples, seed, fn);
    hpk_integrand f;
    std::memcpy(&f, &address, sizeof f);
    hpk_mc_result r{};
    run(fn, c, [&](hpk_ctx *ctx) {
        return hpk_mpi_mc_integrate(ctx, comm, f, (void *)user_data, b.dim, b.lower.data(), b.upper.data(),
                                    b.samples, b.seed, &r);
    });
    return to_result(r);
}

// A Python callable: on one thread with the GIL held, as hpk.mc_integrate
// runs it (the collective still completes on every rank when f raises).
MCResult mpi_mc_integrate_python(nb::handle f, nb::handle lower, nb::handle upper, nb::handle samples,
                                 nb::handle seed, nb::handle comm_obj, Context *c) {
    const char *fn = "hpk.mpi.mc_integrate";
    MPI_Comm comm = get_comm(comm_obj, fn);
    Box b = box(lower, upper, samples, seed, fn);
    return integrate_python(fn, f, c, [&](hpk_ctx *ctx, hpk_integrand g, void *state, hpk_mc_result *r) {
        return hpk_mpi_mc_integrate(ctx, comm, g, state, b.dim, b.lower.data(), b.upper.data(), b.samples, b.seed,
                                    r);
    });
}
#endif

// ---------------------------------------------------------------------------
// Docstrings: the Python manual
// ---------------------------------------------------------------------------

const char *doc_context = R"(Context(backend="openmp", threads=None, device=None)

An hpk execution context: a backend, its settings and its device.

backend  "openmp" (multithreaded CPU kernels), "serial" (the reference) or
         "opencl" (offload to an OpenCL device; hpk.have_opencl says whether
         this build has it).
threads  OpenMP threads, None or 0 for all available (capped at the CPUs
         this process may use); ignored by the serial and OpenCL backends.
device   OpenCL only: None ($HPK_CL_DEVICE, else the first GPU, else the
         first device), "gpu", "cpu", "P:D" (platform P, device D) or part
         of a device name.

Results do not depend on the backend or the thread count: every CPU
context gives the same bits, and an OpenCL device with fp64 too (hpk.h,
"Reproducibility").  A Context may be shared by Python threads: calls on
it run one at a time.  Use it as a context manager, or call close(); a
closed context raises ValueError when used.

Raises hpk.UnsupportedError when the backend is not built in,
hpk.NoDeviceError when no OpenCL device matches, hpk.DeviceError when the
OpenCL runtime fails, hpk.InvalidArgumentError for threads < 0.)";

const char *doc_from_queue = R"(Context.from_queue(queue) -> Context

An OpenCL hpk context that enqueues its work on the caller's pyopencl
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

const char *doc_mc_pi = R"(Estimate pi from `samples` points in the unit square, drawn from
Philox4x32-10 keyed by (seed, sample index): bitwise the same estimate on
every backend, thread count and device.  samples must be a positive int.
The GIL is released during the call.)";

const char *doc_cpu_path = R"(The CPU code path hpk's kernels run in this process: "avx512", "avx2",
"portable" (or "native").  Every path gives the same bits.)";

} // namespace

NB_MODULE(_hpk, m) {
    m.doc() = "The compiled core of the hpk package (import hpk instead).";

    exc_error = make_exception(m, "Error", "Base class of the errors hpk reports; .status is hpk's status code.",
                               {PyExc_Exception});
    exc_invalid = make_exception(m, "InvalidArgumentError", "hpk rejected an argument (HPK_ERR_INVALID_ARG).",
                                 {exc_error, PyExc_ValueError});
    exc_alloc = make_exception(m, "OutOfMemoryError", "Host or device memory ran out (HPK_ERR_ALLOC).",
                               {exc_error, PyExc_MemoryError});
    exc_unsupported = make_exception(
        m, "UnsupportedError",
        "The backend is not built in, or the context or device cannot do this (HPK_ERR_UNSUPPORTED).",
        {exc_error, PyExc_RuntimeError});
    exc_device = make_exception(m, "DeviceError", "The OpenCL runtime failed (HPK_ERR_DEVICE).",
                                {exc_error, PyExc_RuntimeError});
    exc_no_device = make_exception(m, "NoDeviceError", "No OpenCL platform or device matched (HPK_ERR_NO_DEVICE).",
                                   {exc_device});
    exc_mpi = make_exception(m, "MPIError", "An MPI call failed (HPK_ERR_MPI).", {exc_error, PyExc_RuntimeError});
    for (PyObject *e : {exc_error, exc_invalid, exc_alloc, exc_unsupported, exc_device, exc_no_device, exc_mpi})
        PyObject_SetAttrString(e, "status", nb::int_(0).ptr());
    nb::setattr(exc_invalid, "status", nb::int_((int)HPK_ERR_INVALID_ARG));
    nb::setattr(exc_alloc, "status", nb::int_((int)HPK_ERR_ALLOC));
    nb::setattr(exc_unsupported, "status", nb::int_((int)HPK_ERR_UNSUPPORTED));
    nb::setattr(exc_device, "status", nb::int_((int)HPK_ERR_DEVICE));
    nb::setattr(exc_no_device, "status", nb::int_((int)HPK_ERR_NO_DEVICE));
    nb::setattr(exc_mpi, "status", nb::int_((int)HPK_ERR_MPI));

    m.attr("__version__") = hpk_version_string();
#ifdef HPK_PY_HAVE_OPENCL
    m.attr("have_opencl") = true;
#else
    m.attr("have_opencl") = false;
#endif
    m.def("cpu_path", [] { return std::string(hpk_cpu_path()); }, doc_cpu_path);
    m.def("_raise_status", [](int status, std::string message) { raise_status(status, message); },
          "status"_a, "message"_a = "", "Raise the hpk.Error subclass of an hpk status (for tests).");

    nb::class_<Context>(m, "Context", doc_context)
        .def(
            "__init__",
            [](Context *self, std::string backend, nb::handle threads, nb::object device) {
                const char *fn = "hpk.Context";
                hpk_backend b;
                if (backend == "openmp") b = HPK_BACKEND_OPENMP;
                else if (backend == "serial") b = HPK_BACKEND_SERIAL;
                else if (backend == "opencl") b = HPK_BACKEND_OPENCL;
                else value_error(format("%s: backend must be 'openmp', 'serial' or 'opencl', not '%s'", fn,
                                        backend.c_str()));
                int nthreads = -1;
                if (!threads.is_none()) {
                    if (PyBool_Check(threads.ptr()) || !PyLong_Check(threads.ptr()))
                        type_error(format("%s: threads must be an int or None, not %s", fn,
                                          pytype_name(threads).c_str()));
                    long long t = PyLong_AsLongLong(threads.ptr());
                    if (t == -1 && PyErr_Occurred()) {
                        PyErr_Clear();
                        t = LLONG_MAX;
                    }
                    if (t > INT_MAX) value_error(format("%s: threads is too large", fn));
                    nthreads = t < INT_MIN ? INT_MIN : (int)t;  // hpk rejects negative counts
                }
                std::string dev;
                bool have_device = !device.is_none();
                if (have_device) {
                    if (!nb::isinstance<nb::str>(device))
                        type_error(format("%s: device must be a str or None, not %s", fn, pytype_name(device).c_str()));
                    if (b != HPK_BACKEND_OPENCL)
                        value_error(format("%s: device is for backend='opencl' only", fn));
                    dev = nb::cast<std::string>(device);
                }
                hpk_ctx *ctx = nullptr;
                hpk_status st;
                std::string message;
                {
                    nb::gil_scoped_release release;
#ifdef HPK_PY_HAVE_OPENCL
                    if (b == HPK_BACKEND_OPENCL && have_device) st = hpk_ctx_create_cl(&ctx, dev.c_str());
                    else st = hpk_ctx_create(&ctx, b);
#else
                    st = hpk_ctx_create(&ctx, b);
#endif
                    if (st != HPK_SUCCESS) message = hpk_ctx_error_message(nullptr);
                    if (st == HPK_SUCCESS && !threads.is_none()) {
                        st = hpk_ctx_set_num_threads(ctx, nthreads);
                        if (st != HPK_SUCCESS) {
                            message = hpk_ctx_error_message(ctx);
                            hpk_ctx_destroy(ctx);
                        }
                    }
                }
                if (st != HPK_SUCCESS) raise_status(st, message);
                Context *c = new (self) Context();
                c->ctx = ctx;
            },
            "backend"_a = "openmp", "threads"_a.none() = nb::none(), "device"_a.none() = nb::none())
        .def_prop_ro(
            "backend",
            [](Context &c) {
                std::lock_guard<std::mutex> lock(c.mutex);
                if (!c.ctx) value_error("hpk.Context: the context is closed");
                return std::string(backend_name(hpk_ctx_get_backend(c.ctx)));
            },
            "The backend: 'serial', 'openmp' or 'opencl'.")
        .def_prop_rw(
            "threads",
            [](Context &c) {
                std::lock_guard<std::mutex> lock(c.mutex);
                if (!c.ctx) value_error("hpk.Context: the context is closed");
                return hpk_ctx_get_num_threads(c.ctx);
            },
            [](Context &c, int n) {
                run("hpk.Context.threads", &c, [&](hpk_ctx *ctx) { return hpk_ctx_set_num_threads(ctx, n); });
            },
            "OpenMP threads (0: all available); the serial and OpenCL backends ignore it.")
        .def_prop_ro(
            "cpu_path",
            [](Context &c) -> nb::object {
                std::lock_guard<std::mutex> lock(c.mutex);
                if (!c.ctx) value_error("hpk.Context: the context is closed");
                const char *p = hpk_ctx_get_cpu_path(c.ctx);
                return p ? nb::object(nb::str(p)) : nb::none();
            },
            "The CPU code path of a CPU context ('avx2', ...), None for OpenCL.")
        .def_prop_ro(
            "device",
            [](Context &c) -> nb::object {
                std::lock_guard<std::mutex> lock(c.mutex);
                if (!c.ctx) value_error("hpk.Context: the context is closed");
#ifdef HPK_PY_HAVE_OPENCL
                if (hpk_ctx_get_backend(c.ctx) == HPK_BACKEND_OPENCL) {
                    char name[256] = {0};
                    if (clGetDeviceInfo(hpk_ctx_cl_device(c.ctx), CL_DEVICE_NAME, sizeof name - 1, name, nullptr) ==
                        CL_SUCCESS)
                        return nb::str(name);
                }
#endif
                return nb::none();
            },
            "The OpenCL device's name (CL_DEVICE_NAME); None for a CPU context.")
        .def_prop_ro(
            "closed", [](Context &c) { return c.ctx == nullptr; }, "Whether close() has been called.")
        .def(
            "close",
            [](Context &c) {
                hpk_ctx *ctx;
                {
                    nb::gil_scoped_release release;  // waits for calls running on it (and OpenCL's queue)
                    std::lock_guard<std::mutex> lock(c.mutex);
                    ctx = c.ctx;
                    c.ctx = nullptr;
                    hpk_ctx_destroy(ctx);
                }
            },
            "Destroy the hpk context (OpenCL: after its queue finishes).  Closing twice is harmless.")
        .def_static(
            "from_queue",
            [](nb::handle queue) -> Context * {
#ifdef HPK_PY_HAVE_OPENCL
                return from_queue(queue);
#else
                (void)queue;
                raise_status(HPK_ERR_UNSUPPORTED, "hpk.Context.from_queue: this build of hpk has no OpenCL backend");
#endif
            },
            "queue"_a, nb::rv_policy::take_ownership, doc_from_queue,
            nb::sig("def from_queue(queue: pyopencl.CommandQueue) -> hpk.Context"))
#ifdef HPK_PY_HAVE_OPENCL
        .def_prop_ro(
            "cl_queue", [](Context &c) { return cl_object(c, "queue"); },
            "The context's OpenCL command queue as a pyopencl.CommandQueue (in order; the caller's own for "
            "Context.from_queue); None for a CPU context.  Enqueue your own work on it to order it with hpk's.")
        .def_prop_ro(
            "cl_context", [](Context &c) { return cl_object(c, "context"); },
            "The context's OpenCL context as a pyopencl.Context (buffers for hpk.cl come from it); None for a "
            "CPU context.")
        .def_prop_ro(
            "cl_device", [](Context &c) { return cl_object(c, "device"); },
            "The context's OpenCL device as a pyopencl.Device; None for a CPU context.")
        .def_prop_ro("_cl_queue_ptr", [](Context &c) { return cl_pointer(c, "queue"); })
        .def_prop_ro("_cl_context_ptr", [](Context &c) { return cl_pointer(c, "context"); })
        .def_prop_ro("last_profile", &last_profile, doc_last_profile)
#endif
        .def("__enter__", [](nb::handle self) { return nb::borrow(self); })
        .def(
            "__exit__",
            [](Context &c, nb::args) {
                nb::gil_scoped_release release;
                std::lock_guard<std::mutex> lock(c.mutex);
                hpk_ctx_destroy(c.ctx);
                c.ctx = nullptr;
            },
            "Close the context.")
        .def("__repr__", [](Context &c) {
            std::lock_guard<std::mutex> lock(c.mutex);
            if (!c.ctx) return std::string("hpk.Context(<closed>)");
            hpk_backend b = hpk_ctx_get_backend(c.ctx);
            if (b == HPK_BACKEND_OPENMP)
                return format("hpk.Context(backend='openmp', threads=%d)", hpk_ctx_get_num_threads(c.ctx));
            return format("hpk.Context(backend='%s')", backend_name(b));
        });

    nb::class_<Profile>(m, "Profile", "Where the time of an OpenCL context's last device call went (seconds).")
        .def_ro("upload_s", &Profile::upload_s, "Host-to-device transfers (host-array functions only).")
        .def_ro("kernel_s", &Profile::kernel_s, "Kernels.")
        .def_ro("download_s", &Profile::download_s, "Device-to-host transfers (results, y).")
        .def_ro("build_s", &Profile::build_s, "Building OpenCL programs from source (0 when cached).")
        .def("__repr__", [](const Profile &p) {
            return format("Profile(upload_s=%.6g, kernel_s=%.6g, download_s=%.6g, build_s=%.6g)", p.upload_s,
                          p.kernel_s, p.download_s, p.build_s);
        });

#ifdef HPK_PY_HAVE_OPENCL
    m.def("_cl_gemv", &cl_gemv, "ctx"_a.none(), "f32"_a, "layout"_a, "trans"_a, "m"_a, "n"_a, "alpha"_a, "a"_a,
          "a_off"_a, "lda"_a, "x"_a, "x_off"_a, "incx"_a, "beta"_a, "y"_a, "y_off"_a, "incy"_a);
    m.def("_cl_reduce", &cl_reduce, "op"_a, "ctx"_a.none(), "f32"_a, "n"_a, "x"_a, "x_off"_a, "incx"_a, "y"_a = 0,
          "y_off"_a = 0, "incy"_a = 1);
    m.def("_cl_mc_integrate", &cl_mc_integrate, "source"_a.none(), "lower"_a.none(), "upper"_a.none(),
          "samples"_a.none(), "seed"_a.none(), "ctx"_a.none());
#endif
#ifdef HPK_PY_HAVE_MPI
    m.attr("have_mpi") = true;
    m.def("_mpi_block_range", &mpi_block_range, "comm"_a, "n"_a);
    m.def("_mpi_gemv", &mpi_gemv, "a"_a.none(), "x"_a.none(), "y"_a.none(), "alpha"_a, "beta"_a, "gathered"_a,
          "trans"_a, "comm"_a.none(), "ctx"_a.none());
    m.def("_mpi_reduce", &mpi_reduce, "op"_a, "x"_a.none(), "y"_a.none(), "comm"_a.none(), "ctx"_a.none());
    m.def("_mpi_mc_pi", &mpi_mc_pi, "samples"_a.none(), "seed"_a.none(), "comm"_a.none(), "ctx"_a.none());
    m.def("_mpi_mc_integrate_address", &mpi_mc_integrate_address, "address"_a, "user_data"_a, "lower"_a.none(),
          "upper"_a.none(), "samples"_a.none(), "seed"_a.none(), "comm"_a.none(), "ctx"_a.none());
    m.def("_mpi_mc_integrate_python", &mpi_mc_integrate_python, "f"_a, "lower"_a.none(), "upper"_a.none(),
          "samples"_a.none(), "seed"_a.none(), "comm"_a.none(), "ctx"_a.none());
    m.def("_mpi_last_times", [] {
        hpk_mpi_times t = hpk_mpi_last_times();
        return nb::make_tuple(t.total_s, t.compute_s, t.comm_s);
    });
#else
    m.attr("have_mpi") = false;
#endif

    nb::class_<MCResult>(m, "MCResult", "The result of a Monte Carlo estimate.")
        .def_ro("estimate", &MCResult::estimate, "The estimate.")
        .def_ro("std_error", &MCResult::std_error, "One standard error of the estimate (nan for one sample).")
        .def_ro("samples", &MCResult::samples, "The number of samples taken.")
        .def("__repr__", [](const MCResult &r) {
            return format("MCResult(estimate=%.17g, std_error=%.17g, samples=%llu)", r.estimate, r.std_error,
                          (unsigned long long)r.samples);
        });

    m.def("gemv", &gemv, "a"_a.none(), "x"_a.none(), "y"_a.none() = nb::none(), nb::kw_only(), "alpha"_a = 1.0, "beta"_a = 0.0,
          "trans"_a = false, "ctx"_a.none() = nb::none(), doc_gemv, nb::sig("def gemv(a: numpy.ndarray, x: numpy.ndarray, y: numpy.ndarray | None = None, *, alpha: float = 1.0, beta: float = 0.0, trans: bool = False, ctx: hpk.Context | None = None) -> numpy.ndarray"));
    m.def(
        "sum", [](nb::handle x, Context *c) { return reduce("hpk.sum", x, c, hpk_dsum, hpk_ssum); }, "x"_a.none(),
        "ctx"_a.none() = nb::none(), doc_sum, nb::sig("def sum(x: numpy.ndarray, ctx: hpk.Context | None = None) -> float"));
    m.def(
        "asum", [](nb::handle x, Context *c) { return reduce("hpk.asum", x, c, hpk_dasum, hpk_sasum); }, "x"_a.none(),
        "ctx"_a.none() = nb::none(), doc_asum, nb::sig("def asum(x: numpy.ndarray, ctx: hpk.Context | None = None) -> float"));
    m.def(
        "nrm2", [](nb::handle x, Context *c) { return reduce("hpk.nrm2", x, c, hpk_dnrm2, hpk_snrm2); }, "x"_a.none(),
        "ctx"_a.none() = nb::none(), doc_nrm2, nb::sig("def nrm2(x: numpy.ndarray, ctx: hpk.Context | None = None) -> float"));
    m.def("dot", &dot, "x"_a.none(), "y"_a.none(), "ctx"_a.none() = nb::none(), doc_dot, nb::sig("def dot(x: numpy.ndarray, y: numpy.ndarray, ctx: hpk.Context | None = None) -> float"));
    m.def("iamax", &iamax, "x"_a.none(), "ctx"_a.none() = nb::none(), doc_iamax, nb::sig("def iamax(x: numpy.ndarray, ctx: hpk.Context | None = None) -> int"));
    m.def("mc_pi", &mc_pi, "samples"_a.none(), "seed"_a.none() = 0, "ctx"_a.none() = nb::none(), doc_mc_pi, nb::sig("def mc_pi(samples: int, seed: int = 0, ctx: hpk.Context | None = None) -> hpk.MCResult"));
    m.def("_mc_integrate_address", &mc_integrate_address, "address"_a, "user_data"_a, "lower"_a.none(), "upper"_a.none(),
          "samples"_a.none(), "seed"_a.none(), "ctx"_a.none());
    m.def("_mc_integrate_python", &mc_integrate_python, "f"_a, "lower"_a.none(), "upper"_a.none(), "samples"_a.none(), "seed"_a.none(),
          "ctx"_a.none());
}
