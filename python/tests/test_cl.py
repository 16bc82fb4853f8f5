"""hpk.cl on pyopencl arrays and buffers (PoCL when there is no GPU): results
bitwise hpk's CPU results on the same data, both dtypes, offsets and strides;
adopted queues and their reference counts; the profile; the error paths."""
import ctypes
import gc
import struct

import numpy as np
import pytest

import hpk

from conftest import DTYPES, POLY_C, build_integrand, strided

cl = pytest.importorskip("pyopencl")
cla = pytest.importorskip("pyopencl.array")
if not hpk.have_opencl:
    pytest.skip("this build of hpk has no OpenCL backend", allow_module_level=True)
import hpk.cl  # noqa: E402


def _queue(profiling=True):
    try:
        platforms = cl.get_platforms()
    except cl.Error as e:  # no ICD
        pytest.skip(f"no OpenCL platform: {e}")
    devices = [d for p in platforms for d in p.get_devices()]
    if not devices:
        pytest.skip("no OpenCL device")
    context = cl.Context([devices[0]])
    props = cl.command_queue_properties.PROFILING_ENABLE if profiling else 0
    return cl.CommandQueue(context, properties=props)


@pytest.fixture(scope="module")
def queue():
    return _queue()


@pytest.fixture(scope="module")
def ctx(queue):
    c = hpk.Context.from_queue(queue)
    yield c
    c.close()


@pytest.fixture(scope="module")
def serial():
    c = hpk.Context("serial")
    yield c
    c.close()


def fp64(queue):
    return "cl_khr_fp64" in queue.device.extensions


def refcount(obj):
    info = cl.command_queue_info if isinstance(obj, cl.CommandQueue) else cl.context_info
    return obj.get_info(info.REFERENCE_COUNT)


def dev_view(queue, host_base, view):
    """The pyopencl view of device memory that mirrors the numpy `view` of `host_base`."""
    base = cla.to_device(queue, host_base)
    offset = (view.__array_interface__["data"][0] - host_base.__array_interface__["data"][0])
    return cla.Array(queue, view.shape, view.dtype, strides=view.strides, data=base.base_data,
                     offset=offset)


def strided_pair(rng, queue, n, stride, dtype):
    step = abs(stride)
    base = rng.uniform(-1, 1, size=max(n * step, 1) + 3).astype(dtype)
    view = base[1 : 1 + n * step : step]
    if stride < 0:
        view = view[::-1]
    return view, dev_view(queue, base, view)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [0, 1, 7, 4096, 10007])
@pytest.mark.parametrize("stride", [1, 3, -2])
def test_reductions_bitwise_cpu(rng, queue, ctx, serial, dtype, n, stride):
    if dtype == np.float64 and not fp64(queue):
        pytest.skip("device without fp64")
    x, xd = strided_pair(rng, queue, n, stride, dtype)
    y, yd = strided_pair(rng, queue, n, -stride, dtype)
    exact = fp64(queue)  # float data is bitwise only on fp64 devices
    for name in ("sum", "asum", "nrm2"):
        got, want = getattr(hpk.cl, name)(xd, ctx=ctx), getattr(hpk, name)(x, ctx=serial)
        assert got == want if exact else got == pytest.approx(want, rel=1e-5), name
    got, want = hpk.cl.dot(xd, yd, ctx=ctx), hpk.dot(x, y, ctx=serial)
    assert got == want if exact else got == pytest.approx(want, rel=1e-5)
    assert hpk.cl.iamax(xd, ctx=ctx) == hpk.iamax(x, ctx=serial)
    if n:
        assert hpk.cl.sum(xd, ctx=ctx) == pytest.approx(float(np.sum(x.astype(np.float64))), rel=1e-5, abs=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F", "slice"])
@pytest.mark.parametrize("trans", [False, True])
def test_gemv_bitwise_cpu(rng, queue, ctx, serial, dtype, order, trans):
    if dtype == np.float64 and not fp64(queue):
        pytest.skip("device without fp64")
    big = rng.uniform(-1, 1, size=(70, 90)).astype(dtype, order="F" if order == "F" else "C")
    a = big[3:60, 5:75] if order == "slice" else big
    ad = dev_view(queue, big, a)
    m, n = a.shape
    xlen, ylen = (m, n) if trans else (n, m)
    x, xd = strided_pair(rng, queue, xlen, -2, dtype)
    y0, yd = strided_pair(rng, queue, ylen, 3, dtype)
    want = hpk.gemv(a, x, y0.copy(), alpha=0.75, beta=-1.5, trans=trans, ctx=serial)
    out = hpk.cl.gemv(ad, xd, yd, alpha=0.75, beta=-1.5, trans=trans, ctx=ctx)
    assert out is yd
    # Read y's whole buffer back: y's elements are hpk's CPU result, bitwise,
    # and nothing outside y's stride changed.
    host = np.empty(yd.base_data.size // np.dtype(dtype).itemsize, dtype)
    cl.enqueue_copy(queue, host, yd.base_data)
    orig = y0.base.copy()
    expect = orig.copy()
    offset = y0.__array_interface__["data"][0] - y0.base.__array_interface__["data"][0]
    expect_view = np.ndarray(y0.shape, dtype, expect, offset, y0.strides)
    expect_view[...] = want
    assert np.array_equal(host, expect)
    np.testing.assert_allclose(want, (a.T if trans else a).astype(np.float64) @ x * 0.75 - 1.5 * y0,
                               rtol=1e-4, atol=1e-4)
    # y=None: a new array on a's queue, bitwise the host's.
    y = hpk.cl.gemv(ad, xd, trans=trans, ctx=ctx)
    assert isinstance(y, cla.Array) and y.dtype == dtype
    assert np.array_equal(y.get(), hpk.gemv(a, x, trans=trans, ctx=serial))


def test_buffers_with_offsets(rng, queue, ctx, serial):
    dtype = np.float64 if fp64(queue) else np.float32
    host = rng.uniform(-1, 1, size=1000).astype(dtype)
    buf = cl.Buffer(queue.context, cl.mem_flags.READ_WRITE | cl.mem_flags.COPY_HOST_PTR, hostbuf=host)
    x = hpk.cl.Vector(buf, 100, dtype, offset=17, inc=3)
    assert hpk.cl.sum(x, ctx=ctx) == hpk.sum(host[17 : 17 + 300 : 3], ctx=serial)
    xr = hpk.cl.Vector(buf, 100, dtype, offset=17, inc=-3)
    assert hpk.cl.iamax(xr, ctx=ctx) == hpk.iamax(host[17 : 17 + 300 : 3][::-1], ctx=serial)
    a = hpk.cl.Matrix(buf, (20, 10), dtype, offset=400, ld=12)
    a_host = np.lib.stride_tricks.as_strided(host[400:], (20, 10), (12 * host.itemsize, host.itemsize))
    yb = cl.Buffer(queue.context, cl.mem_flags.READ_WRITE, 40 * host.itemsize)
    y = hpk.cl.gemv(a, hpk.cl.Vector(buf, 10, dtype), hpk.cl.Vector(yb, 20, dtype, offset=5), ctx=ctx)
    out = np.empty(40, dtype)
    cl.enqueue_copy(queue, out, yb)
    assert np.array_equal(out[5:25], hpk.gemv(a_host, host[:10], ctx=serial))
    assert isinstance(y, hpk.cl.Vector)
    with pytest.raises(hpk.InvalidArgumentError, match="x"):
        hpk.cl.sum(hpk.cl.Vector(buf, 1000, dtype, offset=1), ctx=ctx)  # past the buffer's end: hpk's check


def test_own_context_exposes_pyopencl_objects(rng, serial):
    try:
        c = hpk.Context("opencl")
    except hpk.DeviceError as e:
        pytest.skip(str(e))
    with c:
        q, context = c.cl_queue, c.cl_context
        assert isinstance(q, cl.CommandQueue) and isinstance(context, cl.Context)
        assert q.int_ptr == c._cl_queue_ptr and context.int_ptr == c._cl_context_ptr
        assert isinstance(c.cl_device, cl.Device)
        dtype = np.float64 if "cl_khr_fp64" in q.device.extensions else np.float32
        x = rng.uniform(-1, 1, 5000).astype(dtype)
        assert hpk.cl.asum(cla.to_device(q, x), ctx=c) == pytest.approx(hpk.asum(x, ctx=serial), rel=1e-6)
    assert hpk.Context("serial").cl_queue is None


def test_arrays_on_another_queue_are_waited_for(rng, queue, serial):
    other = cl.CommandQueue(queue.context)  # same context, another queue
    dtype = np.float64 if fp64(queue) else np.float32
    with hpk.Context.from_queue(queue) as c:
        a = rng.uniform(-1, 1, (64, 48)).astype(dtype)
        x = rng.uniform(-1, 1, 48).astype(dtype)
        ad, xd = cla.to_device(other, a), cla.to_device(other, x)
        y = hpk.cl.gemv(ad, xd, ctx=c)
        assert y.queue is other
        assert np.array_equal(y.get(), hpk.gemv(a, x, ctx=serial))


def test_adopted_queue_reference_counts(queue):
    q = _queue()
    context = q.context  # one wrapper: each q.context is a new reference
    qc, cc = refcount(q), refcount(context)
    c = hpk.Context.from_queue(q)
    assert refcount(q) == qc + 1 and refcount(context) > cc
    hpk.cl.sum(cla.to_device(q, np.ones(100, np.float32)), ctx=c)  # hpk's programs and buffers too
    assert c.backend == "opencl" and c.device == q.device.name
    view = c.cl_queue
    assert view.int_ptr == q.int_ptr
    del view
    gc.collect()
    gc.collect()
    c.close()
    assert refcount(q) == qc and refcount(context) == cc
    c.close()  # twice is harmless


def test_profile(rng, queue, ctx):
    dtype = np.float64 if fp64(queue) else np.float32
    a = cla.to_device(queue, rng.uniform(-1, 1, (256, 256)).astype(dtype))
    x = cla.to_device(queue, rng.uniform(-1, 1, 256).astype(dtype))
    hpk.cl.gemv(a, x, ctx=ctx)
    p = ctx.last_profile
    assert isinstance(p, hpk.Profile)
    assert p.kernel_s > 0 and p.upload_s == 0 and p.download_s == 0 and p.build_s >= 0
    hpk.cl.nrm2(x, ctx=ctx)
    p = ctx.last_profile
    assert p.kernel_s > 0 and p.download_s > 0 and p.upload_s == 0
    assert "kernel_s=" in repr(p)
    # Host-array calls on an OpenCL context upload.
    hpk.sum(rng.uniform(-1, 1, 1000).astype(dtype), ctx=ctx)
    assert ctx.last_profile.upload_s > 0


def test_profile_without_profiling_queue():
    q = _queue(profiling=False)
    with hpk.Context.from_queue(q) as c:
        with pytest.raises(hpk.UnsupportedError):
            c.last_profile
    with hpk.Context("serial") as c, pytest.raises(hpk.InvalidArgumentError):
        c.last_profile


def test_out_of_order_queue_refused(queue):
    props = cl.command_queue_properties.OUT_OF_ORDER_EXEC_MODE_ENABLE
    if not queue.device.queue_properties & props:
        pytest.skip("the device has no out-of-order queues")
    q = cl.CommandQueue(queue.context, properties=props)
    before = refcount(q)
    with pytest.raises(hpk.InvalidArgumentError, match="order"):
        hpk.Context.from_queue(q)
    assert refcount(q) == before


def test_errors(rng, queue, ctx):
    x64 = cla.to_device(queue, rng.uniform(-1, 1, 10))
    x32 = cla.to_device(queue, rng.uniform(-1, 1, 10).astype(np.float32))
    a64 = cla.to_device(queue, rng.uniform(-1, 1, (10, 10)))
    with pytest.raises(TypeError, match="x has dtype int32"):
        hpk.cl.sum(cla.to_device(queue, np.arange(10, dtype=np.int32)), ctx=ctx)
    with pytest.raises(TypeError, match="y is float32 but x is float64"):
        hpk.cl.dot(x64, x32, ctx=ctx)
    with pytest.raises(TypeError, match="x is a numpy.ndarray"):
        hpk.cl.sum(np.ones(3), ctx=ctx)
    with pytest.raises(TypeError, match="bare Buffer"):
        hpk.cl.sum(x64.base_data, ctx=ctx)
    with pytest.raises(TypeError, match="ctx must be an OpenCL hpk.Context"):
        hpk.cl.sum(x64, ctx=None)
    with hpk.Context("serial") as s, pytest.raises(ValueError, match="serial context"):
        hpk.cl.sum(x64, ctx=s)
    other = _queue()
    with pytest.raises(ValueError, match="x belongs to another OpenCL context"):
        hpk.cl.sum(cla.to_device(other, np.ones(4)), ctx=ctx)
    with pytest.raises(ValueError, match="a has strides"):
        hpk.cl.gemv(a64[::2, ::2], x64[:5], ctx=ctx)
    with pytest.raises(ValueError, match="x has 5 elements"):
        hpk.cl.gemv(a64, x64[:5], ctx=ctx)
    with pytest.raises(ValueError, match="y shares memory with x"):
        hpk.cl.gemv(a64, x64, x64, ctx=ctx)
    with pytest.raises(ValueError, match="beta"):
        hpk.cl.gemv(a64, x64, beta=1.0, ctx=ctx)
    with pytest.raises(ValueError, match="must be 1-D"):
        hpk.cl.nrm2(a64, ctx=ctx)
    with pytest.raises(TypeError, match="a must be a 2-D"):
        hpk.cl.gemv([1.0], x64, ctx=ctx)
    c = hpk.Context.from_queue(queue)
    c.close()
    with pytest.raises(ValueError, match="closed"):
        hpk.cl.sum(x64, ctx=c)
    with pytest.raises(TypeError, match="pyopencl.CommandQueue"):
        hpk.Context.from_queue(42)


# 1 + sum_d (d + 1) p_d^2 with only + and * (no libm, no contraction: the
# C, Python and OpenCL versions give the same bits).
POLY_CL = r"""
double hpk_integrand(const double *point, int dim) {
    double s = 1.0;
    for (int d = 0; d < dim; ++d) s = s + (double)(d + 1) * point[d] * point[d];
    return s;
}
"""


def py_poly(p):
    s = 1.0
    for d, c in enumerate(p):
        s = s + float(d + 1) * c * c
    return s


def same(r, q):
    """Bitwise equal MCResults (a NaN std_error, one sample, equals itself)."""
    bits = lambda m: (struct.pack("<dd", m.estimate, m.std_error), m.samples)  # noqa: E731
    return bits(r) == bits(q)


@pytest.fixture(scope="module")
def c_poly(tmp_path_factory):
    lib = build_integrand(tmp_path_factory, "poly", POLY_C)
    if not lib:
        pytest.skip("no C compiler to build the test integrand")
    dll = ctypes.CDLL(lib)
    return dll, hpk.INTEGRAND(("poly", dll))


@pytest.mark.parametrize("dim,samples,seed", [(1, 1, 0), (3, 100_003, 5), (5, 3 * 4096, 2**63 + 1)])
def test_mc_integrate_bitwise_cpu(queue, ctx, serial, c_poly, dim, samples, seed):
    if not fp64(queue):
        pytest.skip("device without fp64")
    lower = [-1.0 + 0.25 * d for d in range(dim)]
    upper = [0.5 + 0.75 * d for d in range(dim)]
    r = hpk.cl.mc_integrate(POLY_CL, lower, upper, samples, seed, ctx=ctx)
    assert r.samples == samples
    _, f = c_poly
    assert same(r, hpk.mc_integrate(f, lower, upper, samples, seed, ctx=serial))
    if samples <= 100_003:
        assert same(r, hpk.mc_integrate(py_poly, lower, upper, samples, seed, ctx=serial))
    # Again from the program cache, and on hpk's own context.
    assert same(hpk.cl.mc_integrate(POLY_CL, lower, upper, samples, seed=seed, ctx=ctx), r)
    try:
        own = hpk.Context("opencl")
    except hpk.DeviceError as e:
        pytest.skip(str(e))
    with own:
        if "cl_khr_fp64" in own.cl_queue.device.extensions:
            assert same(hpk.cl.mc_integrate(POLY_CL, lower, upper, samples, seed, ctx=own), r)
    if samples > 1:
        exact = 1.0
        for d in range(dim):
            w = upper[d] - lower[d]
            exact += (d + 1) * (upper[d] ** 3 - lower[d] ** 3) / 3 / w
        vol = 1.0
        for d in range(dim):
            vol *= upper[d] - lower[d]
        assert abs(r.estimate - exact * vol) < 6 * r.std_error


def test_mc_integrate_errors(queue, ctx, serial):
    if not fp64(queue):
        with pytest.raises(hpk.UnsupportedError):
            hpk.cl.mc_integrate(POLY_CL, [0.0], [1.0], 10, ctx=ctx)
        return
    broken = "double hpk_integrand(const double *point, int dim) { return point[0] + undeclared_name; }"
    with pytest.raises(hpk.DeviceError, match="undeclared_name") as e:
        hpk.cl.mc_integrate(broken, [0.0], [1.0], 10, ctx=ctx)
    assert e.value.status == hpk.DeviceError.status
    with pytest.raises(hpk.DeviceError):
        hpk.cl.mc_integrate("double not_the_integrand(void) { return 1.0; }", [0.0], [1.0], 10, ctx=ctx)
    with pytest.raises(ValueError, match="lower has 1 bounds but upper has 2"):
        hpk.cl.mc_integrate(POLY_CL, [0.0], [1.0, 2.0], 10, ctx=ctx)
    with pytest.raises(hpk.InvalidArgumentError, match="upper"):
        hpk.cl.mc_integrate(POLY_CL, [0.0, 1.0], [1.0, 1.0], 10, ctx=ctx)
    with pytest.raises(hpk.InvalidArgumentError, match="samples"):
        hpk.cl.mc_integrate(POLY_CL, [0.0], [1.0], 0, ctx=ctx)
    with pytest.raises(hpk.InvalidArgumentError):
        hpk.cl.mc_integrate(POLY_CL, [], [], 10, ctx=ctx)
    with pytest.raises(hpk.InvalidArgumentError):
        hpk.cl.mc_integrate(POLY_CL, [0.0], [float("inf")], 10, ctx=ctx)
    with pytest.raises(hpk.InvalidArgumentError):
        hpk.cl.mc_integrate(POLY_CL, [0.0] * 257, [1.0] * 257, 10, ctx=ctx)
    with pytest.raises(ValueError, match="samples must not be negative"):
        hpk.cl.mc_integrate(POLY_CL, [0.0], [1.0], -1, ctx=ctx)
    with pytest.raises(ValueError, match="NUL"):
        hpk.cl.mc_integrate(POLY_CL + "\0", [0.0], [1.0], 10, ctx=ctx)
    with pytest.raises(TypeError, match="source must be a str"):
        hpk.cl.mc_integrate(POLY_CL.encode(), [0.0], [1.0], 10, ctx=ctx)
    with pytest.raises(TypeError, match="lower"):
        hpk.cl.mc_integrate(POLY_CL, 0.0, [1.0], 10, ctx=ctx)
    with pytest.raises(ValueError, match="serial context"):
        hpk.cl.mc_integrate(POLY_CL, [0.0], [1.0], 10, ctx=serial)
    with pytest.raises(TypeError, match="ctx must be an OpenCL hpk.Context"):
        hpk.cl.mc_integrate(POLY_CL, [0.0], [1.0], 10, ctx=None)
    with pytest.raises(TypeError):
        hpk.cl.mc_integrate(POLY_CL, [0.0], [1.0], 10)  # ctx is keyword-only and required
    # The context still works after the failures.
    assert hpk.cl.mc_integrate(POLY_CL, [0.0], [1.0], 1, ctx=ctx).samples == 1


def test_import_error_without_opencl(monkeypatch):
    import importlib
    import sys

    monkeypatch.setattr(hpk._hpk, "have_opencl", False)
    monkeypatch.delitem(sys.modules, "hpk.cl")
    with pytest.raises(ImportError, match="no OpenCL backend"):
        importlib.import_module("hpk.cl")
