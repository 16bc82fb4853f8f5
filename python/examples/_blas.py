"""Which BLAS numpy calls, and how to set its thread count: a few lines of
ctypes shared by the examples and python/bench/speed.py (threadpoolctl does
this more generally when it is installed)."""
import ctypes
import os


def numpy_blas_libraries():
    """Paths of the BLAS/LAPACK libraries mapped into this process (import
    numpy first).  Linux only; [] elsewhere."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line or "lapack" in line}
    except OSError:
        return []
    return sorted(p for p in paths if p.startswith("/"))


def _openblas():
    for path in numpy_blas_libraries():
        try:
            lib = ctypes.CDLL(path)  # already loaded: the same handle numpy uses
            lib.openblas_get_num_threads  # raises AttributeError if not OpenBLAS
            return lib
        except (OSError, AttributeError):
            continue
    return None


def describe():
    """One line naming numpy's BLAS (OpenBLAS's own config string when it is
    OpenBLAS) and the OPENBLAS_* variables that steer it."""
    lib = _openblas()
    if lib is not None:
        lib.openblas_get_config.restype = ctypes.c_char_p
        name = lib.openblas_get_config().decode().strip()
        name += f", {lib.openblas_get_num_threads()} threads by default"
    else:
        name = ", ".join(numpy_blas_libraries()) or "unknown (see numpy.show_config())"
    env = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("OPENBLAS_"))
    return f"numpy's BLAS: {name}" + (f"; {env}" if env else "")


def set_threads(n):
    """Set numpy's BLAS thread count (OpenBLAS only); returns False if it could not."""
    lib = _openblas()
    if lib is None:
        return False
    lib.openblas_set_num_threads(int(n))
    return True
