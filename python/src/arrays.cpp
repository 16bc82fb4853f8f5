// numpy arrays through the buffer protocol, and the checks every area's
// arrays share (hpk.cl's device arrays too): nothing is copied or
// converted, and anything BLAS cannot express is an error naming the
// argument; and the geometry of hpk's strided batches on 2-D and 3-D arrays.
#include "hpk_py.h"

#include <algorithm>
#include <cstring>

namespace hpkpy {

const char *dtype_name(DType d) { return d == DType::F64 ? "float64" : "float32"; }

namespace {

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

} // namespace

void get_array(nb::handle obj, const std::string &fn_s, const char *name, int ndim, bool writable, Array &a,
               int max_ndim, const char *hint) {
    const char *fn = fn_s.c_str();
    if (max_ndim < ndim) max_ndim = ndim;
    std::string kinds = max_ndim == ndim ? format("a %d-D", ndim) : format("a %d-D or %d-D", ndim, max_ndim);
    if (!PyObject_CheckBuffer(obj.ptr()))
        type_error(format("%s: %s must be %s float32 or float64 array (numpy.ndarray), not %s; hpk does not "
                          "convert its inputs",
                          fn, name, kinds.c_str(), pytype_name(obj).c_str()));
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
    if (a.view.ndim < ndim || a.view.ndim > max_ndim) {
        if (max_ndim == ndim) value_error(format("%s: %s must be %d-D, not %d-D%s", fn, name, ndim, a.view.ndim, hint));
        value_error(format("%s: %s must be %d-D or %d-D, not %d-D%s", fn, name, ndim, max_ndim, a.view.ndim, hint));
    }
    ndim = a.view.ndim;
    a.ndim = ndim;
    a.itemsize = a.view.itemsize;
    a.addr = (intptr_t)a.view.buf;
    for (int d = 0; d < ndim; ++d) {
        a.shape[d] = a.view.shape[d];
        Py_ssize_t s = a.view.strides ? a.view.strides[d] : 0;
        if (s % a.itemsize != 0)
            value_error(format("%s: %s's strides (in bytes) are not a multiple of its item size", fn, name));
        a.stride[d] = s / a.itemsize;
    }
    if ((uintptr_t)a.addr % (uintptr_t)a.itemsize != 0)
        value_error(format("%s: %s is not aligned to its item size", fn, name));
}

Vec as_vector(const Strided &a, const std::string &fn, const char *name) {
    int64_t n = a.shape[0], s = a.stride[0];
    if (n <= 1) return {a.addr, n, 1};
    if (s == 0)
        value_error(format("%s: %s has stride 0 (a broadcast view), which BLAS cannot express", fn.c_str(), name));
    if (s > 0) return {a.addr, n, s};
    return {a.addr + (intptr_t)((n - 1) * s * a.itemsize), n, s};
}

Mat as_matrix(const Strided &a, const std::string &fn, const char *name) {
    int64_t m = a.shape[0], n = a.shape[1], sr = a.stride[0], sc = a.stride[1];
    int64_t m1 = m > 1 ? m : 1, n1 = n > 1 ? n : 1;
    if (m == 0 || n == 0 || (m == 1 && (n == 1 || sc == 1))) return {HPK_ROW_MAJOR, m, n, n1};
    if ((sc == 1 || n == 1) && m > 1 && sr >= n1) return {HPK_ROW_MAJOR, m, n, sr};
    if ((sr == 1 || m == 1) && sc >= m1) return {HPK_COL_MAJOR, m, n, n == 1 ? m1 : sc};
    if ((sr == 1 || m == 1) && n == 1) return {HPK_COL_MAJOR, m, n, m1};
    value_error(format("%s: %s has strides (%lld, %lld) (in elements), which BLAS cannot express: one "
                       "dimension needs stride 1 and the other a positive stride at least the first's "
                       "extent (C or Fortran order, or a slice of one); np.ascontiguousarray(%s) makes a "
                       "copy that works",
                       fn.c_str(), name, (long long)sr, (long long)sc, name));
}

namespace {

// [lo, hi) of the bytes an array's elements occupy (empty when it has none).
void byte_range(const Strided &a, intptr_t &lo, intptr_t &hi) {
    lo = hi = a.addr;
    for (int d = 0; d < a.ndim; ++d)
        if (a.shape[d] == 0) return;
    int64_t low = 0, high = 0;
    for (int d = 0; d < a.ndim; ++d) {
        int64_t span = (a.shape[d] - 1) * a.stride[d] * a.itemsize;
        if (span < 0) low += span;
        else high += span;
    }
    lo = a.addr + (intptr_t)low;
    hi = a.addr + (intptr_t)(high + a.itemsize);
}

} // namespace

bool overlap(const Strided &a, const Strided &b) {
    intptr_t alo, ahi, blo, bhi;
    byte_range(a, alo, ahi);
    byte_range(b, blo, bhi);
    return alo < ahi && blo < bhi && alo < bhi && blo < ahi;
}

void same_dtype(const Strided &ref, const char *ref_name, const Strided &other, const char *other_name,
                const std::string &fn) {
    if (ref.dtype != other.dtype)
        type_error(format("%s: %s is %s but %s is %s; hpk does not mix precisions or convert", fn.c_str(),
                          other_name, dtype_name(other.dtype), ref_name, dtype_name(ref.dtype)));
}

void check_gemv_length(const std::string &fn, const char *name, int64_t have, const Mat &a, bool trans) {
    bool is_x = name[0] == 'x';
    int64_t want = is_x == trans ? a.m : a.n;
    if (have != want)
        value_error(format("%s: %s has %lld elements, but a is %lld x %lld, so %s needs %lld (%s)", fn.c_str(),
                           name, (long long)have, (long long)a.m, (long long)a.n, name, (long long)want,
                           trans ? "trans=True" : "trans=False"));
}

void check_same_length(const std::string &fn, int64_t nx, int64_t ny, const char *where) {
    if (nx != ny)
        value_error(format("%s: x has %lld elements but y has %lld%s", fn.c_str(), (long long)nx, (long long)ny, where));
}

void check_new_y(const std::string &fn, double beta) {
    if (beta != 0.0) value_error(format("%s: beta is %g but y is None; pass y to accumulate into it", fn.c_str(), beta));
}

void check_separate(const std::string &fn, const Strided &y, const Strided &a, const Strided &x) {
    if (overlap(y, a)) value_error(format("%s: y shares memory with a; y must be a separate array", fn.c_str()));
    if (overlap(y, x)) value_error(format("%s: y shares memory with x; y must be a separate array", fn.c_str()));
}

nb::object new_numpy(int64_t n, DType dtype, bool zeros) {
    void *data;
    return new_numpy(nb::make_tuple(n), dtype_name(dtype), zeros, &data);
}

nb::object new_numpy(nb::handle shape, const char *dtype, bool zeros, void **data) {
    nb::object np = nb::module_::import_("numpy");
    nb::object out = np.attr(zeros ? "zeros" : "empty")(shape, "dtype"_a = dtype);
    Py_buffer view;
    if (PyObject_GetBuffer(out.ptr(), &view, PyBUF_WRITABLE) != 0) throw nb::python_error();
    *data = view.buf;  // numpy's own array: it keeps its memory while `out` lives
    PyBuffer_Release(&view);
    return out;
}

// ------------------------------------------------------------------ batches

Lanes lanes(const Strided &a, int axis, const std::string &fn, const char *name) {
    if (a.shape[1 - axis] == 0) return {a.addr, a.shape[axis], 1, 0, 0};
    Strided v = a;
    v.ndim = 1;
    v.shape[0] = a.shape[axis];
    v.stride[0] = a.stride[axis];
    Vec vec = as_vector(v, fn, name);
    int64_t batch = a.shape[1 - axis];
    return {vec.addr, vec.n, vec.inc, batch > 1 ? a.stride[1 - axis] : 0, batch};
}

int get_axis(nb::handle obj, const std::string &fn) {
    if (PyBool_Check(obj.ptr()) || !PyIndex_Check(obj.ptr()))
        type_error(format("%s: axis must be an int or None, not %s", fn.c_str(), pytype_name(obj).c_str()));
    nb::object index = nb::steal(PyNumber_Index(obj.ptr()));
    if (!index.is_valid()) throw nb::python_error();
    int overflow = 0;
    long long axis = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow || axis < -2 || axis > 1)
        value_error(format("%s: axis %s is out of range for a 2-D x (-2 <= axis <= 1)", fn.c_str(),
                           nb::str(index).c_str()));
    return axis < 0 ? (int)(axis + 2) : (int)axis;
}

const char *axis_hint(int axis) {
    return axis ? " (axis=1 reduces the rows of a 2-D array)" : " (axis=0 reduces the columns of a 2-D array)";
}

void check_same_shape(const std::string &fn, const Strided &x, const Strided &y) {
    if (x.shape[0] != y.shape[0] || x.shape[1] != y.shape[1])
        value_error(format("%s: x has shape (%lld, %lld) but y has shape (%lld, %lld); with axis they must be the "
                           "same",
                           fn.c_str(), (long long)x.shape[0], (long long)x.shape[1], (long long)y.shape[0],
                           (long long)y.shape[1]));
}

Mat batch_matrix(const Strided &a, const std::string &fn) {
    // No problems: any strides will do (a row-major m x n matrix's).
    if (a.shape[0] == 0) return {HPK_ROW_MAJOR, a.shape[1], a.shape[2], std::max<int64_t>(a.shape[2], 1)};
    Strided m = a;  // matrix 0
    m.ndim = 2;
    m.shape[0] = a.shape[1], m.shape[1] = a.shape[2];
    m.stride[0] = a.stride[1], m.stride[1] = a.stride[2];
    try {
        return as_matrix(m, fn, "a");
    } catch (const nb::builtin_exception &) {
        value_error(format("%s: a has strides (%lld, %lld, %lld) (in elements), and BLAS cannot express its "
                           "matrices' (%lld, %lld): one dimension needs stride 1 and the other a positive stride at "
                           "least the first's extent (C or Fortran order, or a slice of one); "
                           "np.ascontiguousarray(a) makes a copy that works",
                           fn.c_str(), (long long)a.stride[0], (long long)a.stride[1], (long long)a.stride[2],
                           (long long)a.stride[1], (long long)a.stride[2]));
    }
}

void check_batch_operand(const std::string &fn, const char *name, const Strided &v, const Strided &a, const Mat &am,
                         bool trans) {
    same_dtype(a, "a", v, name, fn);
    int64_t len = (name[0] == 'x') == trans ? am.m : am.n;
    if (v.shape[0] != a.shape[0] || v.shape[1] != len)
        value_error(format("%s: %s has shape (%lld, %lld), but a has shape (%lld, %lld, %lld), so %s needs shape "
                           "(%lld, %lld) (%s)",
                           fn.c_str(), name, (long long)v.shape[0], (long long)v.shape[1], (long long)a.shape[0],
                           (long long)a.shape[1], (long long)a.shape[2], name, (long long)a.shape[0], (long long)len,
                           trans ? "trans=True" : "trans=False"));
}

const char *const batch_x_hint =
    " when a is 3-D (a row per matrix; np.broadcast_to(x, (b, x.size)) shares one x)";
const char *const batch_y_hint = " when a is 3-D (a row per matrix)";

GemvProblems gemv_problems(const Strided &a, const Strided &x, const Strided &y, const std::string &fn) {
    int64_t b = a.shape[0];
    Lanes xv = lanes(x, 1, fn, "x"), yv = lanes(y, 1, fn, "y");
    GemvProblems g{a.addr, xv.addr, yv.addr, xv.inc, yv.inc, b > 1 ? a.stride[0] : 0, xv.stride, yv.stride, b};
    if (g.sy < 0) {
        g.a += (intptr_t)((b - 1) * g.sa * a.itemsize), g.sa = -g.sa;
        g.x += (intptr_t)((b - 1) * g.sx * x.itemsize), g.sx = -g.sx;
        g.y += (intptr_t)((b - 1) * g.sy * y.itemsize), g.sy = -g.sy;
    }
    return g;
}

} // namespace hpkpy
