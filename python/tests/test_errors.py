"""Every error path: the documented exception, naming the argument, with
every output untouched."""
import ctypes

import numpy as np
import pytest

import hpk


@pytest.fixture
def data(rng):
    a = rng.uniform(-1, 1, (6, 5))
    x = rng.uniform(-1, 1, 5)
    y = rng.uniform(-1, 1, 6)
    return a, x, y


def ro(array):
    array = array.copy()
    array.flags.writeable = False
    return array


GEMV_ERRORS = [
    # (name, make arguments from (a, x, y), exception, words the message must contain)
    ("a int", lambda a, x, y: (a.astype(np.int64), x, y), TypeError, ["a", "int64"]),
    ("a float16", lambda a, x, y: (a.astype(np.float16), x, y), TypeError, ["a", "float16"]),
    ("a list", lambda a, x, y: (a.tolist(), x, y), TypeError, ["a", "list"]),
    ("a 1-D", lambda a, x, y: (a.ravel(), x, y), ValueError, ["a", "2-D"]),
    ("a 3-D", lambda a, x, y: (a[None], x, y), ValueError, ["a", "2-D"]),
    ("a no unit stride", lambda a, x, y: (np.zeros((12, 10))[::2, ::2], x, y), ValueError, ["a", "strides"]),
    ("a negative stride", lambda a, x, y: (a[::-1], x, y), ValueError, ["a", "strides"]),
    ("a complex", lambda a, x, y: (a.astype(np.complex128), x, y), TypeError, ["a", "complex128"]),
    ("a big-endian", lambda a, x, y: (a.astype(">f8"), x, y), TypeError, ["a", "byte order"]),
    ("x mixed precision", lambda a, x, y: (a, x.astype(np.float32), y), TypeError, ["x", "float32", "a"]),
    ("x wrong length", lambda a, x, y: (a, np.zeros(6), y), ValueError, ["x", "6", "5"]),
    ("x 2-D", lambda a, x, y: (a, x[:, None], y), ValueError, ["x", "1-D"]),
    ("x broadcast", lambda a, x, y: (a, np.broadcast_to(np.float64(1), (5,)), y), ValueError, ["x", "stride 0"]),
    ("y float32", lambda a, x, y: (a, x, np.zeros(6, np.float32)), TypeError, ["y", "float32"]),
    ("y read-only", lambda a, x, y: (a, x, ro(y)), ValueError, ["y", "read-only"]),
    ("y wrong length", lambda a, x, y: (a, x, np.zeros(5)), ValueError, ["y", "5", "6"]),
    ("y int", lambda a, x, y: (a, x, np.zeros(6, np.int32)), TypeError, ["y", "int32"]),
    ("y tuple", lambda a, x, y: (a, x, (0.0,) * 6), TypeError, ["y", "tuple"]),
]


@pytest.mark.parametrize("case", GEMV_ERRORS, ids=[c[0] for c in GEMV_ERRORS])
def test_gemv_errors(data, case):
    _, make, exc, words = case
    a, x, y = data
    a2, x2, y2 = make(a, x, y)
    keep = [np.array(v, copy=True) for v in (a, x, y)]
    outputs = [y2] if isinstance(y2, np.ndarray) else []
    before = [o.copy() for o in outputs]
    with pytest.raises(exc) as info:
        hpk.gemv(a2, x2, y2)
    message = str(info.value)
    assert message.startswith("hpk.gemv: ")
    for word in words:
        assert word in message, message
    for o, b in zip(outputs, before):
        np.testing.assert_array_equal(o, b)
    for v, k in zip((a, x, y), keep):
        np.testing.assert_array_equal(v, k)


def test_gemv_output_sharing_memory_is_refused(rng):
    buf = rng.random(100)
    a = buf[:30].reshape(6, 5)
    x = buf[40:45]
    before = buf.copy()
    with pytest.raises(ValueError, match="y shares memory with a"):
        hpk.gemv(a, x, buf[20:26])
    with pytest.raises(ValueError, match="y shares memory with x"):
        hpk.gemv(a, x, buf[44:50])
    np.testing.assert_array_equal(buf, before)


def test_gemv_beta_needs_y(data):
    a, x, _ = data
    with pytest.raises(ValueError, match="beta"):
        hpk.gemv(a, x, beta=1.0)


def test_gemv_trans_lengths(data):
    a, x, y = data
    with pytest.raises(ValueError, match=r"x has 5 elements.*trans=True"):
        hpk.gemv(a, x, trans=True)


@pytest.mark.parametrize("fn", [hpk.sum, hpk.asum, hpk.nrm2, hpk.iamax])
def test_reduction_errors(fn):
    name = "hpk." + fn.__name__
    with pytest.raises(TypeError, match=f"{name}: x must be a 1-D .* not list"):
        fn([1.0, 2.0])
    with pytest.raises(TypeError, match=f"{name}: x has dtype int64"):
        fn(np.arange(3))
    with pytest.raises(ValueError, match=f"{name}: x must be 1-D, not 2-D"):
        fn(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="stride 0"):
        fn(np.broadcast_to(np.float32(1), (4,)))
    with pytest.raises(TypeError, match="ctx|Context"):
        fn(np.zeros(3), ctx="serial")


def test_dot_errors(rng):
    x = rng.random(5)
    with pytest.raises(TypeError, match="hpk.dot: y is float32 but x is float64"):
        hpk.dot(x, x.astype(np.float32))
    with pytest.raises(ValueError, match="hpk.dot: x has 5 elements but y has 4"):
        hpk.dot(x, x[:4])
    with pytest.raises(TypeError, match="hpk.dot: y must be"):
        hpk.dot(x, None)


def test_mc_pi_errors():
    with pytest.raises(hpk.InvalidArgumentError, match="samples") as info:
        hpk.mc_pi(0)
    assert isinstance(info.value, ValueError) and info.value.status == -1
    with pytest.raises(ValueError, match="samples must not be negative"):
        hpk.mc_pi(-1)
    with pytest.raises(TypeError, match="samples must be an int, not float"):
        hpk.mc_pi(1e6)
    with pytest.raises(ValueError, match="seed does not fit in 64 bits"):
        hpk.mc_pi(10, seed=2**64)
    assert hpk.mc_pi(10, seed=2**64 - 1).samples == 10


def test_mc_integrate_errors():
    f = lambda p: p[0]
    with pytest.raises(ValueError, match="lower has 2 bounds but upper has 1"):
        hpk.mc_integrate(f, [0, 0], [1], 10)
    with pytest.raises(hpk.InvalidArgumentError):
        hpk.mc_integrate(f, [1.0], [0.0], 10)
    with pytest.raises(hpk.InvalidArgumentError):
        hpk.mc_integrate(f, [0.0], [np.inf], 10)
    with pytest.raises(hpk.InvalidArgumentError):
        hpk.mc_integrate(f, [], [], 10)
    with pytest.raises(TypeError, match="lower must be a sequence"):
        hpk.mc_integrate(f, 0.0, [1.0], 10)
    with pytest.raises(TypeError, match=r"upper\[0\] must be a float"):
        hpk.mc_integrate(f, [0.0], ["one"], 10)
    with pytest.raises(TypeError, match="f must be a Python callable"):
        hpk.mc_integrate("f", [0.0], [1.0], 10)
    with pytest.raises(ValueError, match="user_data is for C integrands"):
        hpk.mc_integrate(f, [0.0], [1.0], 10, user_data=1)
    wrong = ctypes.CFUNCTYPE(ctypes.c_float, ctypes.POINTER(ctypes.c_double), ctypes.c_int, ctypes.c_void_p)
    with pytest.raises(TypeError, match="f must be a C function"):
        hpk.mc_integrate(wrong(lambda p, d, u: 0.0), [0.0], [1.0], 10)
    with pytest.raises(ValueError, match="NULL function pointer|must be positive"):
        hpk.mc_integrate(0, [0.0], [1.0], 10)
    with pytest.raises(hpk.InvalidArgumentError, match="samples"):
        hpk.mc_integrate(f, [0.0], [1.0], 0)


def test_context_errors():
    with pytest.raises(ValueError, match="backend must be 'openmp', 'serial' or 'opencl', not 'cuda'"):
        hpk.Context("cuda")
    with pytest.raises(ValueError, match="device is for backend='opencl' only"):
        hpk.Context("serial", device="cpu")
    with pytest.raises(hpk.InvalidArgumentError, match="num_threads is -1"):
        hpk.Context("openmp", threads=-1)
    with pytest.raises(TypeError, match="threads must be an int"):
        hpk.Context("openmp", threads=2.0)
    ctx = hpk.Context("serial")
    ctx.close()
    ctx.close()  # harmless
    assert ctx.closed and "closed" in repr(ctx)
    for call in (lambda: hpk.sum(np.zeros(3), ctx=ctx), lambda: hpk.mc_pi(10, ctx=ctx),
                 lambda: hpk.gemv(np.eye(2), np.ones(2), ctx=ctx), lambda: ctx.backend,
                 lambda: hpk.mc_integrate(lambda p: 1.0, [0], [1], 10, ctx=ctx)):
        with pytest.raises(ValueError, match="closed"):
            call()
    with hpk.Context("openmp", threads=2) as c:
        with pytest.raises(hpk.InvalidArgumentError):
            c.threads = -5
        assert c.threads == 2


def test_opencl_errors():
    if not hpk.have_opencl:
        with pytest.raises(hpk.UnsupportedError):
            hpk.Context("opencl")
        return
    with pytest.raises(hpk.NoDeviceError) as info:
        hpk.Context("opencl", device="no-such-device-anywhere")
    assert isinstance(info.value, hpk.DeviceError) and info.value.status == -5
    try:
        ctx = hpk.Context("opencl")
    except hpk.DeviceError:
        pytest.skip("no OpenCL device")
    with ctx:
        with pytest.raises(hpk.UnsupportedError):
            hpk.mc_integrate(lambda p: 1.0, [0.0], [1.0], 10, ctx=ctx)


@pytest.mark.parametrize(
    "status, cls, builtin",
    [(-1, hpk.InvalidArgumentError, ValueError), (-2, hpk.OutOfMemoryError, MemoryError),
     (-3, hpk.UnsupportedError, RuntimeError), (-4, hpk.DeviceError, RuntimeError),
     (-5, hpk.NoDeviceError, RuntimeError), (-6, hpk.MPIError, RuntimeError), (-99, hpk.Error, Exception)],
)
def test_status_mapping(status, cls, builtin):
    from hpk import _hpk

    with pytest.raises(cls) as info:
        _hpk._raise_status(status, "hpk_x: what went wrong")
    assert type(info.value) is cls
    assert isinstance(info.value, hpk.Error) and isinstance(info.value, builtin)
    assert info.value.status == status and str(info.value) == "hpk_x: what went wrong"
    with pytest.raises(cls) as info:
        _hpk._raise_status(status)
    assert str(info.value)  # hpk_status_string's name when hpk gave no sentence
