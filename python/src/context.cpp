// hpk.Context: an hpk context behind a lock; close() and __exit__ are one.
#include "hpk_py.h"

#include <climits>

#ifdef HPK_PY_HAVE_OPENCL
#include <hpk/hpk_cl.h>
#endif

namespace hpkpy {

hpk_ctx *Context::open(const char *fn) const {
    if (!ctx) value_error(format("%s: the context is closed", fn));
    return ctx;
}

void Context::close() {
    nb::gil_scoped_release release;  // waits for calls running on it (and OpenCL's queue)
    std::lock_guard<std::mutex> lock(mutex);
    hpk_ctx_destroy(ctx);
    ctx = nullptr;
}

Context *as_context(nb::handle obj, const std::string &fn) {
    if (obj.is_none()) return nullptr;
    if (!nb::isinstance<Context>(obj))
        type_error(format("%s: ctx must be an hpk.Context or None, not %s", fn.c_str(), pytype_name(obj).c_str()));
    return nb::inst_ptr<Context>(obj);
}

const char *backend_name(hpk_backend b) {
    switch (b) {
    case HPK_BACKEND_SERIAL: return "serial";
    case HPK_BACKEND_OPENMP: return "openmp";
    case HPK_BACKEND_OPENCL: return "opencl";
    }
    return "unknown";
}

namespace {

const char *doc_context = R"(An hpk execution context: a backend, its settings and its device.

backend  "openmp" (multithreaded CPU kernels), "serial" (the reference) or
         "opencl" (offload to an OpenCL device; hpk.have_opencl says whether
         this build has it).
threads  OpenMP threads, None or 0 for all available (capped at the CPUs
         this process may use); ignored by the serial and OpenCL backends.
device   OpenCL only: None ($HPK_CL_DEVICE, else the first GPU, else the
         first device), "gpu", "cpu", "P:D" (platform P, device D) or part
         of a device name.
verify   OpenCL only: verify mode (also the verify property).  True: every
         call that computes on the device also computes on the CPU (the
         serial backend) and compares bit for bit; a difference raises
         hpk.MismatchError naming the kernel, the first differing element
         and both values in hex, with gemv's y holding the device's result.
         Costs the CPU's serial computation of each call, plus reading
         device inputs back for hpk.cl; last_profile.verify_s reports it.
         hpk.cl.mc_integrate is not checked (its integrand is OpenCL C).
         None: as $HPK_CL_VERIFY says (off when unset).

Results do not depend on the backend or the thread count: every CPU
context gives the same bits, and an OpenCL device with fp64 too (hpk.h,
"Reproducibility").  A Context may be shared by Python threads: calls on
it run one at a time.  Use it as a context manager, or call close(); a
closed context raises ValueError when used.

Raises hpk.UnsupportedError when the backend is not built in,
hpk.NoDeviceError when no OpenCL device matches, hpk.DeviceError when the
OpenCL runtime fails, hpk.InvalidArgumentError for threads < 0 or a bad
$HPK_CL_VERIFY.)";

const char *doc_cpu_path = R"(The CPU code path hpk's kernels run in this process: "avx512", "avx2",
"portable" (or "native").  Every path gives the same bits.)";

const char *doc_from_queue = R"(An OpenCL hpk context that enqueues its work on the caller's pyopencl
CommandQueue (hpk_ctx_create_cl_queue): hpk's commands and the caller's run
in the one queue's order, and every buffer of the queue's pyopencl.Context
works with hpk.cl.  The queue must be in order (an out-of-order queue raises
hpk.InvalidArgumentError); without PROFILING_ENABLE everything works but
last_profile raises hpk.UnsupportedError.  The context holds a reference to
the queue and its OpenCL context until close(), which first waits for every
command on the queue.  hpk.UnsupportedError in a build without OpenCL.)";

#ifndef HPK_PY_HAVE_OPENCL
} // namespace

Context *context_from_queue(nb::handle) {
    raise_status(HPK_ERR_UNSUPPORTED, "hpk.Context.from_queue: this build of hpk has no OpenCL backend");
}

nb::object device_name(Context &c) {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.open("hpk.Context");
    return nb::none();
}

namespace {
#endif

// Reads c under its lock: get(hpk_ctx *) of the open context.
template <class F>
auto locked(Context &c, F &&get) {
    std::lock_guard<std::mutex> lock(c.mutex);
    return get(c.open("hpk.Context"));
}

// hpk_ctx_set_verify / _get_verify, which only an OpenCL build has.
hpk_status set_verify(hpk_ctx *ctx, bool on) {
#ifdef HPK_PY_HAVE_OPENCL
    return hpk_ctx_set_verify(ctx, on ? 1 : 0);
#else
    (void)ctx, (void)on;
    return HPK_ERR_INVALID_ARG;  // not reached: the callers refuse CPU contexts first
#endif
}

bool get_verify(hpk_ctx *ctx) {
#ifdef HPK_PY_HAVE_OPENCL
    return hpk_ctx_get_verify(ctx) != 0;
#else
    (void)ctx;
    return false;
#endif
}

void init(Context *self, const std::string &backend, nb::handle threads, nb::handle device, nb::handle verify) {
    const char *fn = "hpk.Context";
    hpk_backend b;
    if (backend == "openmp") b = HPK_BACKEND_OPENMP;
    else if (backend == "serial") b = HPK_BACKEND_SERIAL;
    else if (backend == "opencl") b = HPK_BACKEND_OPENCL;
    else value_error(format("%s: backend must be 'openmp', 'serial' or 'opencl', not '%s'", fn, backend.c_str()));
    int nthreads = -1;
    if (!threads.is_none()) {
        if (PyBool_Check(threads.ptr()) || !PyLong_Check(threads.ptr()))
            type_error(format("%s: threads must be an int or None, not %s", fn, pytype_name(threads).c_str()));
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
        if (b != HPK_BACKEND_OPENCL) value_error(format("%s: device is for backend='opencl' only", fn));
        dev = nb::cast<std::string>(device);
    }
    if (!verify.is_none()) {
        if (!PyBool_Check(verify.ptr()))
            type_error(format("%s: verify must be a bool or None, not %s", fn, pytype_name(verify).c_str()));
        if (b != HPK_BACKEND_OPENCL) value_error(format("%s: verify is for backend='opencl' only", fn));
    }
    const bool verify_on = verify.is_none() ? false : verify.ptr() == Py_True;
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
        if (st == HPK_SUCCESS && !threads.is_none()) st = hpk_ctx_set_num_threads(ctx, nthreads);
        if (st == HPK_SUCCESS && !verify.is_none()) st = set_verify(ctx, verify_on);
        if (ctx && st != HPK_SUCCESS) {
            message = hpk_ctx_error_message(ctx);
            hpk_ctx_destroy(ctx);
        }
    }
    if (st != HPK_SUCCESS) raise_status(st, message);
    Context *c = new (self) Context();
    c->ctx = ctx;
}

std::string repr(Context &c) {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (!c.ctx) return "hpk.Context(<closed>)";
    hpk_backend b = hpk_ctx_get_backend(c.ctx);
    if (b == HPK_BACKEND_OPENMP)
        return format("hpk.Context(backend='openmp', threads=%d)", hpk_ctx_get_num_threads(c.ctx));
    return format("hpk.Context(backend='%s')", backend_name(b));
}

} // namespace

void export_context(nb::module_ &m) {
    m.attr("__version__") = hpk_version_string();
    m.def("cpu_path", [] { return std::string(hpk_cpu_path()); }, doc_cpu_path);

    nb::class_<Context> cls(m, "Context", doc_context);
    cls.def("__init__", &init, "backend"_a = "openmp", "threads"_a.none() = nb::none(),
            "device"_a.none() = nb::none(), "verify"_a.none() = nb::none(),
            nb::sig("def __init__(self, backend: typing.Literal['openmp', 'serial', 'opencl'] = 'openmp', "
                    "threads: int | None = None, device: str | None = None, verify: bool | None = None) -> None"))
        .def_prop_ro(
            "backend", [](Context &c) { return locked(c, [](hpk_ctx *x) { return std::string(backend_name(hpk_ctx_get_backend(x))); }); },
            "The backend: 'serial', 'openmp' or 'opencl'.")
        .def_prop_rw(
            "threads", [](Context &c) { return locked(c, hpk_ctx_get_num_threads); },
            [](Context &c, int n) {
                run("hpk.Context.threads", &c, [&](hpk_ctx *ctx) { return hpk_ctx_set_num_threads(ctx, n); });
            },
            "OpenMP threads (0: all available); the serial and OpenCL backends ignore it.")
        .def_prop_rw(
            "verify", [](Context &c) { return locked(c, get_verify); },
            [](Context &c, bool on) {
#ifndef HPK_PY_HAVE_OPENCL
                locked(c, [](hpk_ctx *) { return 0; });  // "closed" first, as with OpenCL
                raise_status(HPK_ERR_INVALID_ARG,
                             "hpk_ctx_set_verify: ctx is not an OpenCL context (verify mode is for OpenCL only)");
#endif
                run("hpk.Context.verify", &c, [&](hpk_ctx *ctx) { return set_verify(ctx, on); });
            },
            "Verify mode of an OpenCL context (see hpk.Context): every device call also computed on the CPU and "
            "compared bit for bit, hpk.MismatchError on a difference.  Always False for a CPU context, where "
            "setting it raises hpk.InvalidArgumentError.")
        .def_prop_ro(
            "cpu_path",
            [](Context &c) -> nb::object {
                const char *p = locked(c, hpk_ctx_get_cpu_path);
                return p ? nb::object(nb::str(p)) : nb::none();
            },
            nb::sig("def cpu_path(self) -> str | None"),
            "The CPU code path of a CPU context ('avx2', ...), None for OpenCL.")
        .def_prop_ro("closed", [](Context &c) { return c.ctx == nullptr; }, "Whether close() has been called.")
        .def("close", &Context::close,
             "Destroy the hpk context (OpenCL: after its queue finishes).  Closing twice is harmless.")
        .def("__enter__", [](nb::handle self) { return nb::borrow(self); }, nb::sig("def __enter__(self) -> Context"))
        .def("__exit__", [](Context &c, nb::args) { c.close(); }, nb::sig("def __exit__(self, *args) -> None"),
             "Close the context.")
        .def("__repr__", &repr);
    nb::class_<Profile>(m, "Profile", "Where the time of an OpenCL context's last device call went (seconds).")
        .def_ro("upload_s", &Profile::upload_s, "Host-to-device transfers (host-array functions only).")
        .def_ro("kernel_s", &Profile::kernel_s, "Kernels.")
        .def_ro("download_s", &Profile::download_s, "Device-to-host transfers (results, y).")
        .def_ro("build_s", &Profile::build_s, "Building OpenCL programs from source (0 when cached).")
        .def_ro("verify_s", &Profile::verify_s,
                "Verify mode's work: reading inputs back, the CPU's computation, the comparison (0 when off).")
        .def("__repr__", [](const Profile &p) {
            return format("Profile(upload_s=%.6g, kernel_s=%.6g, download_s=%.6g, build_s=%.6g, verify_s=%.6g)",
                          p.upload_s, p.kernel_s, p.download_s, p.build_s, p.verify_s);
        });
    cls.def_prop_ro("device", &device_name, nb::sig("def device(self) -> str | None"),
                    "The OpenCL device's name (CL_DEVICE_NAME); None for a CPU context.")
        .def_static("from_queue", &context_from_queue, "queue"_a, nb::rv_policy::take_ownership, doc_from_queue,
                    nb::sig("def from_queue(queue: pyopencl.CommandQueue) -> Context"));
#ifdef HPK_PY_HAVE_OPENCL
    export_context_opencl(cls);
#endif
    m.attr("have_opencl") = nb::bool_(
#ifdef HPK_PY_HAVE_OPENCL
        true
#else
        false
#endif
    );
}

} // namespace hpkpy
