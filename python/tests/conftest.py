"""Shared helpers of the hpk Python tests: random data (never only zeros or
ones), strided views of it, and the error bounds of hpk.h's Accuracy section."""
import math
import pathlib
import shutil
import subprocess
import threading
import time
import zlib

import numpy as np
import pytest

import hpk

DTYPES = [np.float32, np.float64]

# A C integrand of +, * only: bitwise the same result compiled anywhere
# (without contraction) and on an OpenCL device.
POLY_C = r"""
double poly(const double *point, int dim, void *user_data) {
    (void)user_data;
    double s = 1.0;
    for (int d = 0; d < dim; ++d) s = s + (double)(d + 1) * point[d] * point[d];
    return s;
}
"""


def stubs(folder):
    """The stubs of hpk._hpk in `folder` (site-packages' hpk, or stubgen's output) by module:
    {"__init__.pyi": text, "cl.pyi": ..., "mpi.pyi": ...}.  A build without the submodules
    has one file, _hpk.pyi."""
    folder = pathlib.Path(folder)
    if (folder / "_hpk").is_dir():
        return {p.name: p.read_text() for p in (folder / "_hpk").glob("*.pyi")}
    single = folder / "_hpk.pyi"
    return {"__init__.pyi": single.read_text()} if single.exists() else {}


def build_integrand(tmp_path_factory, name, source, *libs):
    """The path of a shared library built from C `source` (its function
    `name`), or None without a C compiler."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    d = tmp_path_factory.mktemp("integrand")
    (d / f"{name}.c").write_text(source)
    lib = d / f"lib{name}.so"
    subprocess.run([cc, "-O2", "-ffp-contract=off", "-shared", "-fPIC", "-o", str(lib), str(d / f"{name}.c"),
                    *libs], check=True)
    return str(lib)


@pytest.fixture
def rng(request):
    # One stream per test, the same on every run.
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def strided(rng, n, stride, dtype, low=-1.0, high=1.0):
    """A 1-D view of n random elements with the given element stride
    (negative: a reversed view, whose numpy data pointer is logical element 0)."""
    step = abs(stride)
    base = rng.uniform(low, high, size=max(n * step, 1) + 3).astype(dtype)
    view = base[1 : 1 + n * step : step]
    return view[::-1] if stride < 0 else view


def counts_during(call, tries=5, enough=10_000):
    """How far a second Python thread counts while call() runs (the best of up to `tries` calls, stopping
    at `enough`), and that call's seconds: a call that holds the GIL lets it count next to nothing."""
    counter, stop, started = [0], threading.Event(), threading.Event()

    def count():
        started.set()
        while not stop.is_set():
            counter[0] += 1

    worker = threading.Thread(target=count)
    worker.start()
    started.wait()
    try:
        for _ in range(tries):
            before = counter[0]
            t0 = time.perf_counter()
            call()
            elapsed = time.perf_counter() - t0
            progressed = counter[0] - before
            if progressed > enough:
                break
    finally:
        stop.set()
        worker.join()
    return progressed, elapsed


def eps(dtype):
    return float(np.finfo(dtype).eps)


def ulp(value, dtype):
    return float(np.spacing(np.abs(np.asarray(value, dtype=dtype))))


def sum_bound(terms_abs_sum, n, dtype):
    """Error bound for hpk's blocked pairwise sums: log2(n) growth in double;
    float data adds runs of 16 in float before carrying into double."""
    levels = math.log2(max(n, 2)) + 4
    if dtype == np.float32:
        return (16 + levels) * eps(np.float32) * terms_abs_sum
    return levels * eps(np.float64) * terms_abs_sum


def longdouble(x):
    return np.asarray(x).astype(np.longdouble)


@pytest.fixture(scope="session")
def opencl_ctx():
    if not hpk.have_opencl:
        pytest.skip("this build of hpk has no OpenCL backend")
    try:
        ctx = hpk.Context("opencl")
    except hpk.DeviceError as e:  # NoDeviceError included
        pytest.skip(f"no OpenCL device: {e}")
    yield ctx
    ctx.close()
