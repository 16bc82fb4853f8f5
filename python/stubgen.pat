# Patterns for nanobind's stub generator (python/CMakeLists.txt, and
# tests/test_stubs.py when it regenerates the stubs): the objects of
# hpk._hpk that are not nanobind's own, the hpk.Error classes (errors.cpp)
# and the ctypes type hpk.INTEGRAND (mc.cpp).
^hpk\._hpk\.Error$:
    class Error(Exception):
        status: int

^hpk\._hpk\.InvalidArgumentError$:
    class InvalidArgumentError(Error, ValueError): ...

^hpk\._hpk\.OutOfMemoryError$:
    class OutOfMemoryError(Error, MemoryError): ...

^hpk\._hpk\.UnsupportedError$:
    class UnsupportedError(Error, RuntimeError): ...

^hpk\._hpk\.DeviceError$:
    class DeviceError(Error, RuntimeError): ...

^hpk\._hpk\.NoDeviceError$:
    class NoDeviceError(DeviceError): ...

^hpk\._hpk\.MPIError$:
    class MPIError(Error, RuntimeError): ...

^hpk\._hpk\.MismatchError$:
    class MismatchError(Error, RuntimeError): ...

^hpk\._hpk\.INTEGRAND$:
    INTEGRAND: type[ctypes._CFuncPtr]

^hpk\._hpk\.mpi\.Times$:
    from typing import NamedTuple
    class Times(NamedTuple):
        total_s: float
        compute_s: float
        comm_s: float

^hpk\._hpk\.__version__$:
    __version__: str
