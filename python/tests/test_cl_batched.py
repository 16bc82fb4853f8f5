"""Batches on device arrays: hpk.cl.gemv on stacked pyopencl arrays (a of
shape (b, m, n)) and the reductions' axis= on 2-D device arrays, through
hpk_cl.h's strided-batched calls.  Every result is compared bit for bit with
the host's batched call (hpk.gemv, hpk.nrm2(..., axis=...), ...) on the same
data as numpy arrays, and with hpk.cl's single call on each problem, on the
device views of every numpy layout test_batched.py makes (C and Fortran
matrices, slices, negative strides, stride 0 between problems); then every
bad input, by its message, with nothing written."""
import numpy as np
import pytest

import hpk

from conftest import DTYPES, counts_during
from test_batched import REDUCTIONS, assert_same_bits, matrices, outputs, rows, stacks
from test_cl import cl, cla, ctx, fp64, queue, serial  # noqa: F401,F811  (fixtures)

import hpk.cl  # noqa: E402  (test_cl skips this module without pyopencl or OpenCL)

UINT = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}


@pytest.fixture(params=DTYPES, ids=["float32", "float64"])
def dtype(request, queue):
    # Without fp64 the device's float32 results are close, not bitwise (hpk_cl.h).
    if not fp64(queue):
        pytest.skip("device without fp64: its results are not bitwise the CPU's")
    return request.param


def owner(view):
    """The numpy array that owns view's memory (through np.broadcast_to's and as_strided's wrappers)."""
    root = view
    while getattr(root, "base", None) is not None:
        root = root.base
        if not isinstance(root, np.ndarray):
            root = root.base  # as_strided's DummyArray holds the array as .base
    assert root.flags.c_contiguous or root.flags.f_contiguous
    return root


class Mirror:
    """The device copy of numpy arrays' memory: of(view) is the pyopencl view of view's elements, in a
    buffer that holds its owner's bytes (one buffer per owner), and back(view) reads that buffer and
    returns (the view's elements now, the whole owner now)."""

    def __init__(self, queue):
        self.queue, self.buffers = queue, {}

    def _buffer(self, root):
        if id(root) not in self.buffers:
            self.buffers[id(root)] = (root, cla.to_device(self.queue, root.ravel(order="K")))
        return self.buffers[id(root)][1]

    def of(self, view):
        root = owner(view)
        offset = view.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return cla.Array(self.queue, view.shape, view.dtype, strides=view.strides, data=self._buffer(root).base_data,
                         offset=offset)

    def back(self, view):
        root = owner(view)
        flat = self._buffer(root).get()
        offset = view.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return np.ndarray(view.shape, view.dtype, flat, offset, view.strides), flat


# ---------------------------------------------------------------------------
# hpk.cl.gemv on stacks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("b", [1, 3, 17])
@pytest.mark.parametrize("trans", [False, True])
def test_gemv_stack_bitwise(rng, queue, ctx, serial, dtype, b, trans):
    dev = Mirror(queue)
    for m, n in [(1, 1), (5, 33), (33, 5), (7, 6)]:
        xlen, ylen = (m, n) if trans else (n, m)
        xs = rows(rng, b, xlen, dtype)
        y0 = rng.uniform(-1, 1, (b, ylen)).astype(dtype)
        for a_name, a in stacks(rng, b, m, n, dtype).items():
            ad = dev.of(a)
            for x_name, x in xs.items():
                where = (m, n, a_name, x_name)
                new = hpk.cl.gemv(ad, dev.of(x), trans=trans, ctx=ctx)
                assert isinstance(new, cla.Array) and new.shape == (b, ylen) and new.dtype == dtype, where
                got = new.get()
                assert_same_bits(got, hpk.gemv(a, x, trans=trans, ctx=serial))
                singles = [hpk.cl.gemv(dev.of(a[k]), dev.of(x[k]), trans=trans, ctx=ctx).get() for k in range(b)]
                assert_same_bits(got, np.stack(singles))
            # y in place, in every layout: its elements the host's, nothing else in its buffer written.
            for y_name, y in outputs(b, ylen, dtype).items():
                x = xs["C" if y_name == "C" else "negative-inc"]
                y[...] = y0
                yd = dev.of(y)
                out = hpk.cl.gemv(ad, dev.of(x), yd, alpha=-0.75, beta=1.5, trans=trans, ctx=ctx)
                assert out is yd, (a_name, y_name)
                want = hpk.gemv(a, x, y.copy(), alpha=-0.75, beta=1.5, trans=trans, ctx=serial)
                got, whole = dev.back(y)
                assert_same_bits(np.ascontiguousarray(got), want)
                expect = owner(y).ravel(order="K").copy()
                np.ndarray(y.shape, dtype, expect, got.__array_interface__["data"][0]
                           - whole.__array_interface__["data"][0], y.strides)[...] = want
                assert_same_bits(whole, expect)


def test_gemv_stack_of_buffers_and_other_queues(rng, queue, ctx, serial):
    dtype = np.float64 if fp64(queue) else np.float32
    a = rng.uniform(-1, 1, (4, 6, 5)).astype(dtype)
    xs = rng.uniform(-1, 1, (4, 9)).astype(dtype)
    # x as an hpk.cl.Matrix (rows 9 apart in a buffer), y as one too.
    buf = cl.Buffer(queue.context, cl.mem_flags.READ_WRITE | cl.mem_flags.COPY_HOST_PTR, hostbuf=xs)
    x = hpk.cl.Matrix(buf, (4, 5), dtype, offset=2, ld=9)
    yb = cl.Buffer(queue.context, cl.mem_flags.READ_WRITE, 40 * xs.itemsize)
    y = hpk.cl.Matrix(yb, (4, 6), dtype, offset=3, ld=8)
    assert hpk.cl.gemv(cla.to_device(queue, a), x, y, ctx=ctx) is y
    out = np.empty(40, dtype)
    cl.enqueue_copy(queue, out, yb)
    want = hpk.gemv(a, xs[:, 2:7], ctx=serial)
    assert_same_bits(np.stack([out[3 + 8 * k : 9 + 8 * k] for k in range(4)]), want)
    # Arrays made on another queue of the context: waited for, and y=None on a's queue.
    other = cl.CommandQueue(queue.context)
    new = hpk.cl.gemv(cla.to_device(other, a), cla.to_device(other, xs[:, :5].copy()), ctx=ctx)
    assert new.queue is other
    assert_same_bits(new.get(), hpk.gemv(a, xs[:, :5], ctx=serial))
    assert ctx.last_profile.upload_s == 0  # nothing went through the host


def test_gemv_stack_empty_and_special(rng, queue, ctx, dtype):
    put = lambda v: cla.to_device(queue, v)  # noqa: E731
    assert hpk.cl.gemv(put(np.zeros((0, 4, 3), dtype)), put(np.zeros((0, 3), dtype)), ctx=ctx).shape == (0, 4)
    # No terms: a new y is zeros, a given y is left untouched.
    assert_same_bits(hpk.cl.gemv(put(np.zeros((3, 4, 0), dtype)), put(np.zeros((3, 0), dtype)), ctx=ctx).get(),
                     np.zeros((3, 4), dtype))
    y0 = rng.random((3, 4)).astype(dtype)
    yd = put(y0)
    hpk.cl.gemv(put(np.zeros((3, 4, 0), dtype)), put(np.zeros((3, 0), dtype)), yd, beta=2.0, ctx=ctx)
    assert_same_bits(yd.get(), y0)
    # alpha == 0 and beta == 1 read nothing and leave y bit for bit (a NaN in a and in y).
    a = rng.random((3, 4, 5)).astype(dtype)
    a[1, 2, 3] = np.nan
    y0[0, 0] = np.nan
    yd = put(y0)
    hpk.cl.gemv(put(a), put(rng.random((3, 5)).astype(dtype)), yd, alpha=0.0, beta=1.0, ctx=ctx)
    assert_same_bits(yd.get(), y0)


# ---------------------------------------------------------------------------
# Reductions along an axis
# ---------------------------------------------------------------------------


def call(module, name, x, y, axis, ctx):
    fn = getattr(module, name)
    return fn(x, y, axis=axis, ctx=ctx) if name == "dot" else fn(x, axis=axis, ctx=ctx)


def lines(x, axis):
    return x if axis in (1, -1) else x.T


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_reduction_along_axis_bitwise(rng, queue, ctx, serial, dtype, name, axis):
    dev = Mirror(queue)
    for r in [0, 1, 5, 17]:
        for c in [0, 1, 6, 33]:
            xs, ys = matrices(rng, r, c, dtype), matrices(rng, r, c, dtype)
            for (x_name, x), y in zip(xs.items(), [ys["negative"], ys["C"], ys["F"], ys["every-other"], ys["slice"]]):
                got = call(hpk.cl, name, dev.of(x), dev.of(y), axis, ctx)
                assert isinstance(got, np.ndarray) and got.ndim == 1, (r, c, x_name)
                assert_same_bits(got, call(hpk, name, x, y, axis, serial))
                if r * c and (r, c) != (17, 33):  # each line's own hpk.cl call (not for all: they add up)
                    xl, yl = lines(x, axis), lines(y, axis)
                    one = [getattr(hpk.cl, name)(*[dev.of(v[k]) for v in ((xl, yl) if name == "dot" else (xl,))],
                                                 ctx=ctx) for k in range(xl.shape[0])]
                    assert_same_bits(got, np.array(one, dtype=got.dtype))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_broadcast_lines_and_matrices(rng, queue, ctx, serial, dtype, name):
    dev = Mirror(queue)
    v, w = rng.uniform(-1, 1, 33).astype(dtype), rng.uniform(-1, 1, 33).astype(dtype)
    for x, y, axis in [
        (np.broadcast_to(v, (17, 33)), np.broadcast_to(w, (17, 33)), 1),  # stride 0 between the rows
        (np.broadcast_to(v[:, None], (33, 5)), rng.uniform(-1, 1, (33, 5)).astype(dtype), 0),
    ]:
        assert_same_bits(call(hpk.cl, name, dev.of(x), dev.of(y), axis, ctx), call(hpk, name, x, y, axis, serial))
    # hpk.cl.Matrix in both orders: columns and rows of a matrix in a buffer.
    host = rng.uniform(-1, 1, 200).astype(dtype)
    buf = cl.Buffer(queue.context, cl.mem_flags.READ_ONLY | cl.mem_flags.COPY_HOST_PTR, hostbuf=host)
    for order, strides in (("C", (11, 1)), ("F", (1, 11))):
        mat = hpk.cl.Matrix(buf, (7, 9), dtype, offset=4, ld=11, order=order)
        view = np.lib.stride_tricks.as_strided(host[4:], (7, 9), [s * host.itemsize for s in strides])
        for axis in (0, 1):
            assert_same_bits(call(hpk.cl, name, mat, mat, axis, ctx), call(hpk, name, view, view, axis, serial))


def test_reduction_empty_lines(queue, ctx, dtype):
    x = cla.to_device(queue, np.zeros((4, 0), dtype))
    assert_same_bits(hpk.cl.sum(x, axis=1, ctx=ctx), np.zeros(4, dtype))
    assert_same_bits(hpk.cl.nrm2(x, axis=-1, ctx=ctx), np.zeros(4, dtype))
    assert_same_bits(hpk.cl.dot(x, x, axis=1, ctx=ctx), np.zeros(4, dtype))
    assert_same_bits(hpk.cl.iamax(x, axis=1, ctx=ctx), np.full(4, -1, np.int64))
    assert hpk.cl.asum(x, axis=0, ctx=ctx).shape == (0,) and hpk.cl.iamax(x, axis=0, ctx=ctx).dtype == np.int64


def test_reductions_are_typed_by_axis():
    for name in REDUCTIONS:
        sigs = [s[0] for s in getattr(hpk.cl, name).__nb_signature__]
        assert len(sigs) == 2, sigs
        assert "axis: None = None" in sigs[0] and sigs[0].endswith("-> int" if name == "iamax" else "-> float")
        assert "axis: int," in sigs[1] and "NDArray" in sigs[1].split("->")[1], sigs[1]


def test_verify_mode_checks_each_problem(rng, queue, serial, dtype):
    # In verify mode each problem runs as its single call, checked against the CPU: the same bits.
    with hpk.Context.from_queue(queue) as c:
        c.verify = True
        a, x = rng.uniform(-1, 1, (5, 9, 7)).astype(dtype), rng.uniform(-1, 1, (5, 7)).astype(dtype)
        y = hpk.cl.gemv(cla.to_device(queue, a), cla.to_device(queue, x), ctx=c)
        assert_same_bits(y.get(), hpk.gemv(a, x, ctx=serial))
        assert c.last_profile.verify_s > 0
        m = np.asfortranarray(rng.uniform(-1, 1, (6, 11)).astype(dtype))
        md = cla.to_device(queue, m)
        for name in REDUCTIONS:
            assert_same_bits(call(hpk.cl, name, md, md, 0, c), call(hpk, name, m, m, 0, serial))
            assert c.last_profile.verify_s > 0, name


def test_gil_is_released_during_a_batch(queue, ctx):
    # A second Python thread keeps counting while the device reduces a long
    # batch (one row repeated: stride 0 between the rows, little memory).
    row = cla.to_device(queue, np.random.default_rng(1).random(100_000).astype(np.float32))
    x = cla.Array(queue, (2000, 100_000), np.float32, strides=(0, 4), data=row.base_data)
    progressed, elapsed = counts_during(lambda: hpk.cl.nrm2(x, axis=1, ctx=ctx))
    assert progressed > 10_000, (progressed, elapsed)


# ---------------------------------------------------------------------------
# Bad input: the exception, a message naming the argument, nothing written
# ---------------------------------------------------------------------------


def broadcast_rows(d, b):
    """A writable device view of d's first row repeated b times (stride 0 between the rows)."""
    return cla.Array(d.queue, (b, d.shape[1]), d.dtype, strides=(0, d.strides[1]), data=d.base_data, offset=d.offset)


GEMV_STACK_ERRORS = [
    # (name, make (a, x, y) from device a (3, 6, 5), x (3, 5), y (3, 6), exception, words)
    ("a 4-D", lambda a, x, y: (a.reshape(1, 3, 6, 5), x, y), ValueError, ["a must be 2-D or 3-D, not 4-D"]),
    ("a Fortran 3-D", lambda a, x, y: (cla.to_device(a.queue, np.asfortranarray(a.get())), x, y), ValueError,
     ["a has strides (1, 3, 18)", "matrices' (3, 18)"]),
    ("a numpy", lambda a, x, y: (a.get(), x, y), TypeError, ["a is a numpy.ndarray", "hpk.gemv"]),
    ("x 1-D", lambda a, x, y: (a, x[0], y), ValueError, ["x must be 2-D, not 1-D when a is 3-D", "broadcast_to"]),
    ("x batch", lambda a, x, y: (a, x[:2], y), ValueError,
     ["x has shape (2, 5), but a has shape (3, 6, 5), so x needs shape (3, 5) (trans=False)"]),
    ("x float32", lambda a, x, y: (a, x.astype(np.float32), y), TypeError, ["x is float32 but a is float64"]),
    ("x stride 0 inside", lambda a, x, y: (a, cla.Array(x.queue, (3, 5), x.dtype, strides=(8, 0), data=x.base_data),
                                           y), ValueError, ["x has stride 0"]),
    ("x Vector", lambda a, x, y: (a, hpk.cl.Vector(x.base_data, 5, np.float64), y), TypeError,
     ["x must be a 2-D pyopencl.array.Array", "hpk.cl.Matrix"]),
    ("y batch", lambda a, x, y: (a, x, cla.zeros(a.queue, (4, 6), np.float64)), ValueError,
     ["y has shape (4, 6), but a has shape (3, 6, 5), so y needs shape (3, 6)"]),
    ("y 1-D", lambda a, x, y: (a, x, y[0]), ValueError, ["y must be 2-D, not 1-D when a is 3-D"]),
    ("y float32", lambda a, x, y: (a, x, y.astype(np.float32)), TypeError, ["y is float32 but a is float64"]),
    ("y numpy", lambda a, x, y: (a, x, np.zeros((3, 6))), TypeError, ["y is a numpy.ndarray"]),
    ("y on x", lambda a, x, y: (a, x, cla.Array(x.queue, (3, 6), x.dtype, strides=(16, 8), data=x.base_data)),
     ValueError, ["y shares memory with x"]),
    ("y stride 0", lambda a, x, y: (a, x, broadcast_rows(y, 3)), hpk.InvalidArgumentError, ["stride_y is 0"]),
]


@pytest.mark.parametrize("case", GEMV_STACK_ERRORS, ids=[c[0] for c in GEMV_STACK_ERRORS])
def test_gemv_stack_errors(rng, queue, ctx, case):
    if not fp64(queue):
        pytest.skip("device without fp64")
    _, make, exc, words = case
    put = lambda v: cla.to_device(queue, v)  # noqa: E731
    a, x, y = put(rng.random((3, 6, 5))), put(rng.random((3, 5))), put(rng.random((3, 6)))
    before = y.get(), x.get()
    a2, x2, y2 = make(a, x, y)
    with pytest.raises(exc) as info:
        hpk.cl.gemv(a2, x2, y2, ctx=ctx)
    message = str(info.value)
    assert message.startswith("hpk.cl.gemv: ") or exc is hpk.InvalidArgumentError, message
    for word in words:
        assert word in message, message
    assert_same_bits(y.get(), before[0])
    assert_same_bits(x.get(), before[1])


def test_gemv_stack_new_y_needs_beta_0(queue, ctx):
    a, x = cla.zeros(queue, (2, 3, 4), np.float32), cla.zeros(queue, (2, 4), np.float32)
    with pytest.raises(ValueError, match="hpk.cl.gemv: beta is 2 but y is None"):
        hpk.cl.gemv(a, x, beta=2.0, ctx=ctx)
    with pytest.raises(TypeError, match="hpk.cl.gemv: a must be a 2-D or 3-D pyopencl.array.Array"):
        hpk.cl.gemv([[[1.0]]], x, ctx=ctx)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_axis_errors(rng, queue, ctx, name):
    fn = "hpk.cl." + name
    x = cla.to_device(queue, rng.random((3, 5)).astype(np.float32))

    def raises(exc, text, arg, y=None, **kw):
        with pytest.raises(exc) as info:
            call(hpk.cl, name, arg, arg if y is None else y, kw.pop("axis", None), ctx)
        assert str(info.value).startswith(fn + ": ") and text in str(info.value), str(info.value)

    raises(ValueError, "axis 2 is out of range for a 2-D x (-2 <= axis <= 1)", x, axis=2)
    raises(ValueError, "axis -3 is out of range", x, axis=-3)
    raises(TypeError, "axis must be an int or None, not float", x, axis=1.0)
    raises(ValueError, "x must be 2-D, not 1-D (axis=0 reduces the columns", x[0], axis=0)
    raises(ValueError, "x must be 2-D, not 3-D (axis=1 reduces the rows", x.reshape(1, 3, 5), axis=1)
    raises(TypeError, "x has dtype int32", cla.zeros(queue, (2, 3), np.int32), axis=1)
    raises(TypeError, "x is a numpy.ndarray, a host array", x.get(), axis=1)
    raises(TypeError, "x must be a 2-D pyopencl.array.Array", hpk.cl.Vector(x.base_data, 5, np.float32), axis=1)
    raises(ValueError, "x has stride 0",
           cla.Array(queue, (3, 5), x.dtype, strides=(4, 0), data=x.base_data), axis=1)
    raises(ValueError, "x must be 1-D, not 2-D", x)  # axis=None: as before
    if name == "dot":
        raises(ValueError, "x has shape (3, 5) but y has shape (3, 4)", x, x[:, :4], axis=1)
        raises(TypeError, "y is float64 but x is float32", x, cla.zeros(queue, (3, 5), np.float64), axis=0)
        raises(ValueError, "y must be 2-D, not 1-D", x, x[0], axis=1)
