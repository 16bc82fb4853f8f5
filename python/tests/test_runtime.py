"""The package around the kernels: version, stubs, contexts, the GIL,
reference counts and leaks, and Monte Carlo integration of C and Python
integrands."""
import ast
import ctypes
import gc
import importlib.metadata
import math
import pathlib
import re
import sys
import threading
import tracemalloc

import numpy as np
import pytest

import hpk
from conftest import build_integrand, counts_during, stubs

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_version_is_the_libraries():
    header = (ROOT / "include/hpk/hpk.h").read_text()
    parts = [re.search(rf"#define HPK_VERSION_{p} (\d+)", header).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
    assert hpk.__version__ == ".".join(parts)
    assert importlib.metadata.version("hpk") == hpk.__version__


def test_stubs_cover_the_api():
    # The stubs nanobind generates for hpk._hpk at build time (test_stubs.py checks they are current).
    stub = stubs(pathlib.Path(hpk._hpk.__file__).parent).get("__init__.pyi")
    assert stub and pathlib.Path(hpk.__file__).with_name("py.typed").exists()
    tree = ast.parse(stub)
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            names.add(node.target.id)
    assert set(hpk.__all__) <= names, set(hpk.__all__) - names
    for name in hpk.__all__:
        obj = getattr(hpk, name)
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__ and len(obj.__doc__) > 80, name


def test_context_properties():
    with hpk.Context() as c:
        assert c.backend == "openmp" and c.threads == 0 and c.device is None
        assert c.cpu_path == hpk.cpu_path()
        c.threads = 3
        assert c.threads == 3 and repr(c) == "hpk.Context(backend='openmp', threads=3)"
    assert c.closed
    with hpk.Context("serial", threads=4) as s:
        assert s.backend == "serial" and s.threads == 4
    assert hpk.cpu_path() in ("avx512", "avx2", "portable", "native")


def test_opencl_context_properties(opencl_ctx):
    assert opencl_ctx.backend == "opencl" and opencl_ctx.cpu_path is None
    assert isinstance(opencl_ctx.device, str) and opencl_ctx.device


def test_gil_is_released_during_a_long_call():
    # A second Python thread keeps counting while hpk computes.
    with hpk.Context("serial") as ctx:
        progressed, elapsed = counts_during(lambda: hpk.mc_pi(200_000_000, ctx=ctx))
    assert progressed > 10_000, (progressed, elapsed)


def test_a_context_shared_by_threads():
    rng = np.random.default_rng(5)
    xs = [rng.random(100_001) for _ in range(4)]
    with hpk.Context("serial") as serial:
        expected = [hpk.dot(x, x, ctx=serial) for x in xs]
    results = {}
    with hpk.Context("openmp", threads=2) as shared:
        def work(i):
            for _ in range(20):
                results.setdefault(i, set()).add(hpk.dot(xs[i], xs[i], ctx=shared))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [results[i] for i in range(4)] == [{e} for e in expected]


def test_no_leaks_over_many_small_calls():
    rng = np.random.default_rng(3)
    a = rng.random((4, 3))
    x = rng.random(3)
    y = rng.random(4)
    v = rng.random(7)[::-1]
    ctx = hpk.Context("serial")
    objects = (a, x, y, v, ctx)

    def burst(k):
        for _ in range(k):
            hpk.gemv(a, x, y, ctx=ctx)
            hpk.gemv(a, x)
            hpk.dot(v, v, ctx=ctx)
            hpk.sum(v)
            hpk.iamax(v, ctx=ctx)
            hpk.mc_pi(10, ctx=ctx)
            try:
                hpk.dot(v, x)
            except ValueError:
                pass
            try:
                hpk.mc_pi(0, ctx=ctx)
            except hpk.InvalidArgumentError:
                pass

    burst(1000)  # warm up caches and interned objects
    gc.collect()
    refs = [sys.getrefcount(o) for o in objects]
    tracemalloc.start()
    try:
        burst(100)
        gc.collect()
        base, _ = tracemalloc.get_traced_memory()
        burst(12_500)  # 10^5 calls
        gc.collect()
        now, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [sys.getrefcount(o) for o in objects] == refs
    assert now - base < 20_000, now - base
    ctx.close()


# ---------------------------------------------------------------------------
# Monte Carlo integration
# ---------------------------------------------------------------------------

GAUSS_C = r"""
#include <math.h>
double gauss(const double *p, int dim, void *user_data) {
    double s = 0.0;
    for (int d = 0; d < dim; ++d) s += p[d] * p[d];
    double v = exp(-s);
    return user_data ? v * *(const double *)user_data : v;
}
"""


@pytest.fixture(scope="module")
def c_gauss(tmp_path_factory):
    lib = build_integrand(tmp_path_factory, "gauss", GAUSS_C, "-lm")
    if not lib:
        pytest.skip("no C compiler to build the test integrand")
    dll = ctypes.CDLL(lib)
    f = hpk.INTEGRAND(("gauss", dll))
    return dll, f


def py_gauss(p):
    s = 0.0
    for c in p:
        s += c * c
    return math.exp(-s)


def same(r, q):
    return (r.estimate, r.std_error, r.samples) == (q.estimate, q.std_error, q.samples)


def test_c_integrand_on_every_thread_count(c_gauss):
    dll, f = c_gauss
    box = ([0.0, 0.0], [1.0, 1.0])
    n = 400_003
    with hpk.Context("serial") as s, hpk.Context("openmp", threads=3) as o:
        r = hpk.mc_integrate(f, *box, n, seed=11, ctx=s)
        assert same(hpk.mc_integrate(f, *box, n, seed=11, ctx=o), r)
        assert same(hpk.mc_integrate(f, *box, n, 11), r)
        address = ctypes.cast(f, ctypes.c_void_p).value
        assert same(hpk.mc_integrate(address, *box, n, seed=11, ctx=o), r)
        # user_data reaches the C function: scaling by 2 is exact.
        two = ctypes.c_double(2.0)
        q = hpk.mc_integrate(f, *box, n, seed=11, ctx=o, user_data=two)
        assert (q.estimate, q.std_error) == (2 * r.estimate, 2 * r.std_error)
        q = hpk.mc_integrate(f, *box, n, seed=11, ctx=o, user_data=ctypes.addressof(two))
        assert q.estimate == 2 * r.estimate
        # The same integrand as a Python callable: the same samples, the same bits.
        assert same(hpk.mc_integrate(py_gauss, *box, n, seed=11, ctx=s), r)
    exact = (math.sqrt(math.pi) / 2 * math.erf(1.0)) ** 2
    assert r.samples == n
    assert abs(r.estimate - exact) < 5 * r.std_error
    # A numpy vectorised estimate of the same integral (its own random points).
    pts = np.random.default_rng(0).random((n, 2))
    vals = np.exp(-(pts**2).sum(axis=1))
    np_est, np_err = vals.mean(), vals.std(ddof=1) / math.sqrt(n)
    assert abs(r.estimate - np_est) < 5 * math.hypot(r.std_error, np_err)
    assert r.std_error == pytest.approx(np_err, rel=0.05)


def test_python_callable_equals_its_ctypes_callback():
    calls = []

    def f(p):
        calls.append(threading.get_ident())
        return math.sin(p[0]) * p[1] ** 2 + p[2]

    cb = hpk.INTEGRAND(lambda p, dim, ud: math.sin(p[0]) * p[1] ** 2 + p[2])
    box = ([0.0, -1.0, 2.0], [math.pi, 1.0, 3.0])
    with hpk.Context("serial") as s:
        r = hpk.mc_integrate(f, *box, 5001, seed=3, ctx=s)
        assert same(hpk.mc_integrate(cb, *box, 5001, seed=3, ctx=s), r)
    assert set(calls) == {threading.get_ident()} and len(calls) == 5001
    # On an OpenMP context or the default one: one thread, the same bits.
    with hpk.Context("openmp", threads=3) as o:
        assert same(hpk.mc_integrate(f, *box, 5001, seed=3, ctx=o), r)
    assert same(hpk.mc_integrate(f, *box, 5001, 3), r)
    assert set(calls) == {threading.get_ident()}
    exact = 2.0 * (2.0 / 3.0) + math.pi * 2.0 * 2.5  # integral of sin(x) y^2 + z over the box
    assert abs(r.estimate - exact) < 5 * r.std_error


def test_python_integrand_exceptions_propagate():
    count = [0]

    def f(p):
        count[0] += 1
        if count[0] == 100:
            raise ZeroDivisionError("boom at 100")
        return p[0]

    with pytest.raises(ZeroDivisionError, match="boom at 100"):
        hpk.mc_integrate(f, [0.0], [1.0], 10_000)
    assert count[0] == 100  # no calls after the exception
    with pytest.raises(TypeError):
        hpk.mc_integrate(lambda p: "one", [0.0], [1.0], 10)
    # A float-like result is fine.
    assert hpk.mc_integrate(lambda p: np.float32(2.0), [0.0], [1.0], 10).estimate == 2.0
    # One sample: no variance.
    assert math.isnan(hpk.mc_integrate(lambda p: 1.0, [0.0], [1.0], 1).std_error)


def test_submodule_stubs_cover_their_api():
    files = stubs(pathlib.Path(hpk._hpk.__file__).parent)
    top = {n.name for n in ast.parse(files["__init__.pyi"]).body if isinstance(n, ast.ClassDef)}
    for name in ("cl", "mpi"):
        if not getattr(hpk, f"have_{'opencl' if name == 'cl' else name}"):
            continue  # this build lacks it: no stub
        stub = files.get(f"{name}.pyi")
        assert stub, name
        names = {n.name for n in ast.parse(stub).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        names |= {a.name for n in ast.parse(stub).body if isinstance(n, ast.ImportFrom) for a in n.names}
        names |= top  # hpk.cl re-exports hpk.Context and hpk.Profile
        try:
            module = importlib.import_module(f"hpk.{name}")
        except ImportError:
            continue  # this build (or machine) lacks it
        assert set(module.__all__) <= names, set(module.__all__) - names
