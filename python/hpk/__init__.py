"""hpk: fast, reproducible numerical kernels for numpy arrays.

GEMV, reductions (sum, asum, dot, nrm2, iamax) and Monte Carlo (pi, box
integration) on hpk's serial, OpenMP and OpenCL backends, working on numpy
arrays in place: nothing is copied or converted, and an array hpk cannot
use as it is raises TypeError or ValueError naming the argument.  Results
are bitwise the same on every backend and thread count (hpk.h,
"Reproducibility").

    import numpy as np, hpk
    a = np.random.default_rng(1).random((1000, 500))
    y = hpk.gemv(a, np.ones(500))              # a @ x on the default context
    with hpk.Context("serial") as ctx:
        print(hpk.nrm2(y, ctx=ctx), hpk.mc_pi(10**7, seed=42, ctx=ctx))

Every function takes ctx=None: None is the calling thread's default
context (OpenMP, all available threads); an hpk.Context selects another
backend or thread count.  Failures reported by the C library raise an
hpk.Error subclass carrying hpk's own message and status.

Two submodules, imported on demand: hpk.cl runs the kernels on pyopencl
arrays already on an OpenCL device (hpk.Context.from_queue adopts a
pyopencl queue), and hpk.mpi runs them across MPI ranks on mpi4py
communicators.  hpk.have_opencl and hpk.have_mpi say whether this build has
them.
"""

import ctypes as _ctypes

from ._hpk import (
    Context,
    DeviceError,
    Error,
    InvalidArgumentError,
    MCResult,
    MPIError,
    NoDeviceError,
    OutOfMemoryError,
    Profile,
    UnsupportedError,
    __version__,
    _mc_integrate_address,
    _mc_integrate_python,
    asum,
    cpu_path,
    dot,
    gemv,
    have_mpi,
    have_opencl,
    iamax,
    mc_pi,
    nrm2,
    sum,
)

__all__ = [
    "Context",
    "DeviceError",
    "Error",
    "InvalidArgumentError",
    "MCResult",
    "MPIError",
    "NoDeviceError",
    "OutOfMemoryError",
    "Profile",
    "UnsupportedError",
    "__version__",
    "asum",
    "cpu_path",
    "dot",
    "gemv",
    "have_mpi",
    "have_opencl",
    "iamax",
    "mc_integrate",
    "mc_pi",
    "nrm2",
    "sum",
]

for _cls in (Context, MCResult, Profile):
    _cls.__module__ = "hpk"

INTEGRAND = _ctypes.CFUNCTYPE(
    _ctypes.c_double, _ctypes.POINTER(_ctypes.c_double), _ctypes.c_int, _ctypes.c_void_p
)
INTEGRAND.__doc__ = (
    "The ctypes type of a C integrand, double f(const double *point, int dim, void *user_data) "
    "(hpk.h's hpk_integrand)."
)
__all__.append("INTEGRAND")

_CFuncPtr = _ctypes._CFuncPtr  # the base of every CFUNCTYPE object


def _address(obj, name, fn="hpk.mc_integrate"):
    """The address a ctypes object or int stands for (user_data)."""
    if obj is None:
        return 0
    if isinstance(obj, int) and not isinstance(obj, bool):
        if obj < 0:
            raise ValueError(f"{fn}: {name} must be a non-negative address")
        return obj
    if isinstance(obj, (_ctypes._Pointer, _ctypes.c_void_p, _ctypes.c_char_p)):
        return _ctypes.cast(obj, _ctypes.c_void_p).value or 0
    if isinstance(obj, (_ctypes._SimpleCData, _ctypes.Structure, _ctypes.Union, _ctypes.Array)):
        return _ctypes.addressof(obj)
    raise TypeError(
        f"{fn}: {name} must be None, an int address or a ctypes object, "
        f"not {type(obj).__name__}"
    )


def _check_signature(f, fn="hpk.mc_integrate"):
    restype = getattr(f, "restype", None)
    argtypes = getattr(f, "argtypes", None)
    expected = (_ctypes.POINTER(_ctypes.c_double), _ctypes.c_int, _ctypes.c_void_p)
    if restype is not _ctypes.c_double or (
        argtypes is not None and tuple(argtypes) != expected
    ):
        got = ", ".join(getattr(t, "__name__", str(t)) for t in (argtypes or ()))
        raise TypeError(
            f"{fn}: f must be a C function double f(const double *point, int dim, "
            "void *user_data), i.e. hpk.INTEGRAND (CFUNCTYPE(c_double, POINTER(c_double), c_int, "
            f"c_void_p)); got restype {getattr(restype, '__name__', restype)} and argtypes ({got})"
        )


def mc_integrate(f, lower, upper, samples, seed=0, ctx=None, *, user_data=None):
    """mc_integrate(f, lower, upper, samples, seed=0, ctx=None, *, user_data=None) -> MCResult

    Estimate the integral of f over the box [lower[d], upper[d]), d < len(lower),
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
    cannot run on the device).
    """
    kind, target, ud = _integrand(f, user_data, "hpk.mc_integrate")  # f stays referenced during the call
    if kind == "address":
        return _mc_integrate_address(target, ud, lower, upper, samples, seed, ctx)
    return _mc_integrate_python(target, lower, upper, samples, seed, ctx)


def _integrand(f, user_data, fn):
    """("address", function address, user_data address) for a C integrand,
    ("python", f, 0) for a Python callable (shared with hpk.mpi)."""
    if isinstance(f, _CFuncPtr):
        _check_signature(f, fn)
        address = _ctypes.cast(f, _ctypes.c_void_p).value or 0
        return "address", address, _address(user_data, "user_data", fn)
    if isinstance(f, int) and not isinstance(f, bool):
        if f <= 0:
            raise ValueError(f"{fn}: f, a function address, must be positive")
        return "address", f, _address(user_data, "user_data", fn)
    if callable(f):
        if user_data is not None:
            raise ValueError(f"{fn}: user_data is for C integrands only; a Python f can close over its data")
        return "python", f, 0
    raise TypeError(
        f"{fn}: f must be a Python callable, a ctypes C function (hpk.INTEGRAND) "
        f"or a function address, not {type(f).__name__}"
    )
