// hpk.Error and its subclasses, one per hpk_status.
#include "hpk_py.h"

namespace hpkpy {

namespace {

struct ErrorType {
    hpk_status status;  // HPK_SUCCESS: the base class
    const char *name, *doc;
    PyObject *bases[2];  // filled in by export_errors
    PyObject *type;
};

// The hierarchy: name, doc and the Python exception it also is.
ErrorType errors[] = {
    {HPK_SUCCESS, "Error", "Base class of the errors hpk reports; .status is hpk's status code.", {}, nullptr},
    {HPK_ERR_INVALID_ARG, "InvalidArgumentError", "hpk rejected an argument (HPK_ERR_INVALID_ARG).", {}, nullptr},
    {HPK_ERR_ALLOC, "OutOfMemoryError", "Host or device memory ran out (HPK_ERR_ALLOC).", {}, nullptr},
    {HPK_ERR_UNSUPPORTED, "UnsupportedError",
     "The backend is not built in, or the context or device cannot do this (HPK_ERR_UNSUPPORTED).", {}, nullptr},
    {HPK_ERR_DEVICE, "DeviceError", "The OpenCL runtime failed (HPK_ERR_DEVICE).", {}, nullptr},
    {HPK_ERR_NO_DEVICE, "NoDeviceError", "No OpenCL platform or device matched (HPK_ERR_NO_DEVICE).", {}, nullptr},
    {HPK_ERR_MPI, "MPIError", "An MPI call failed (HPK_ERR_MPI).", {}, nullptr},
    {HPK_ERR_MISMATCH, "MismatchError",
     "Verify mode (hpk.Context(verify=True)): the OpenCL device's result differs from the CPU's; the message "
     "names the kernel, the first differing element and both values in hex (HPK_ERR_MISMATCH).  The device's "
     "output (gemv's y) is written all the same.", {}, nullptr},
};

PyObject *exception_for(int status) {
    for (const ErrorType &e : errors)
        if (e.status == status && e.status != HPK_SUCCESS) return e.type;
    return errors[0].type;
}

PyObject *make_exception(nb::module_ &m, const ErrorType &e) {
    size_t nbases = e.bases[1] ? 2 : 1;
    nb::object tuple = nb::steal(PyTuple_New((Py_ssize_t)nbases));
    for (size_t i = 0; i < nbases; ++i) {
        Py_INCREF(e.bases[i]);
        PyTuple_SET_ITEM(tuple.ptr(), (Py_ssize_t)i, e.bases[i]);
    }
    std::string qualified = std::string("hpk.") + e.name;
    PyObject *type = PyErr_NewExceptionWithDoc(qualified.c_str(), e.doc, tuple.ptr(), nullptr);
    if (!type) throw nb::python_error();
    m.attr(e.name) = nb::borrow(type);  // the module keeps a reference; so does this file
    nb::setattr(type, "status", nb::int_((int)e.status));
    return type;
}

} // namespace

[[noreturn]] void raise_status(int status, const std::string &message) {
    PyObject *type = exception_for(status);
    std::string text = message.empty() ? std::string(hpk_status_string((hpk_status)status)) : message;
    nb::object exc = nb::borrow(type)(text);
    exc.attr("status") = status;
    PyErr_SetObject(type, exc.ptr());
    throw nb::python_error();
}

std::string pytype_name(nb::handle h) { return nb::type_name(h.type()).c_str(); }

void export_errors(nb::module_ &m) {
    // Bases: Error, then each subclass beside the Python exception it is.
    PyObject *also[] = {PyExc_Exception, PyExc_ValueError, PyExc_MemoryError, PyExc_RuntimeError,
                        PyExc_RuntimeError, nullptr, PyExc_RuntimeError, PyExc_RuntimeError};
    for (size_t i = 0; i < sizeof errors / sizeof *errors; ++i) {
        ErrorType &e = errors[i];
        if (i == 0) e.bases[0] = also[0];
        else if (e.status == HPK_ERR_NO_DEVICE) e.bases[0] = exception_for(HPK_ERR_DEVICE);
        else e.bases[0] = errors[0].type, e.bases[1] = also[i];
        e.type = make_exception(m, e);
    }
    m.def("_raise_status", [](int status, std::string message) { raise_status(status, message); }, "status"_a,
          "message"_a = "", "Raise the hpk.Error subclass of an hpk status (for tests).");
}

} // namespace hpkpy
