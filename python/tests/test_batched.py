"""Batches from Python: hpk.gemv on stacked operands (a of shape (b, m, n))
and the reductions' axis= on 2-D arrays, through hpk's strided-batched
calls.  Each result is compared bit for bit with the 1-D/2-D call on its own
problem (on the same context), on every layout numpy makes: C and Fortran
matrices, slices, negative strides, broadcast (stride 0) operands; then
against numpy within a tolerance; then every bad input, by its message."""

import numpy as np
import pytest

import hpk
from conftest import DTYPES, counts_during, eps, longdouble

BATCHES = [1, 3, 17]
SIZES = [1, 5, 33]
UINT = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64, np.dtype(np.int64): np.int64}


def assert_same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype, want.shape)
    assert np.array_equal(got.view(UINT[got.dtype]), want.view(UINT[want.dtype])), (got, want)


@pytest.fixture(scope="module", params=["default", "serial", "openmp-3"])
def ctx(request):
    if request.param == "default":
        yield None
        return
    backend, _, threads = request.param.partition("-")
    with hpk.Context(backend, threads=int(threads or 0)) as c:
        yield c


# ---------------------------------------------------------------------------
# Stacks of matrices and vectors in every layout
# ---------------------------------------------------------------------------


def stacks(rng, b, m, n, dtype):
    """The same b random m x n matrices as 3-D views BLAS can take matrix by matrix."""
    a = rng.uniform(-1, 1, (b, m, n)).astype(dtype)
    big = rng.uniform(-1, 1, (2 * b + 1, m + 3, n + 4)).astype(dtype)
    big[1 : 2 * b + 1 : 2, 2 : m + 2, 1 : n + 1] = a
    big_f = rng.uniform(-1, 1, (b + 2, n + 1, m + 5)).astype(dtype).transpose(0, 2, 1)
    big_f[2:, 3 : m + 3, :n] = a
    rev = np.ascontiguousarray(a[::-1])
    return {
        "C": np.ascontiguousarray(a),
        "F": np.ascontiguousarray(a.transpose(0, 2, 1)).transpose(0, 2, 1),  # column-major matrices
        "C-slice": big[1 : 2 * b + 1 : 2, 2 : m + 2, 1 : n + 1],  # lda = n + 4, every other matrix
        "F-slice": big_f[2:, 3 : m + 3, :n],  # column-major, lda = m + 5
        "reversed": rev[::-1],  # a negative stride between matrices
        "broadcast": np.broadcast_to(a[0], (b, m, n)),  # stride 0: one matrix for every problem
    }


def rows(rng, b, n, dtype):
    """The same b random vectors of n elements as 2-D views of every kind."""
    v = rng.uniform(-1, 1, (b, n)).astype(dtype)
    neg = rng.uniform(-1, 1, (b + 1, 2 * n + 1)).astype(dtype)[1:, 2 * n - 2 :: -2]  # increment -2 in each vector
    neg[...] = v
    inter = np.empty((n, b), dtype).T  # interleaved: stride 1 between vectors, increment b
    inter[...] = v
    rev = np.ascontiguousarray(v[::-1])
    return {
        "C": np.ascontiguousarray(v),
        "negative-inc": neg,
        "interleaved": inter,
        "reversed": rev[::-1],
        "broadcast": np.broadcast_to(v[0], (b, n)),
    }


def outputs(b, n, dtype):
    """Writable 2-D views for y, each with its own layout (zeros)."""
    inter = np.zeros((n, b), dtype).T
    rev = np.zeros((b, n), dtype)[::-1]  # a negative stride between problems
    neg = np.zeros((b, 2 * n + 1), dtype)[:, 2 * n - 2 :: -2]
    return {"C": np.zeros((b, n), dtype), "interleaved": inter, "reversed": rev, "negative-inc": neg}


# ---------------------------------------------------------------------------
# hpk.gemv on stacks: bitwise each problem's hpk.gemv
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("b", BATCHES)
@pytest.mark.parametrize("trans", [False, True])
def test_gemv_stack_is_each_matrix_bitwise(rng, ctx, dtype, b, trans):
    for m in SIZES:
        for n in SIZES:
            xlen, ylen = (m, n) if trans else (n, m)
            xs = rows(rng, b, xlen, dtype)
            y0 = rng.uniform(-1, 1, (b, ylen)).astype(dtype)
            for a_name, a in stacks(rng, b, m, n, dtype).items():
                for x_name, x in xs.items():
                    where = (m, n, a_name, x_name)
                    new = hpk.gemv(a, x, trans=trans, ctx=ctx)
                    assert new.shape == (b, ylen) and new.dtype == dtype and new.flags.c_contiguous, where
                    want = np.stack([hpk.gemv(a[k], x[k], trans=trans, ctx=ctx) for k in range(b)])
                    assert_same_bits(new, want)
                for y_name, y in outputs(b, ylen, dtype).items():
                    x = xs["C" if y_name == "C" else "negative-inc"]
                    y[...] = y0
                    out = hpk.gemv(a, x, y, alpha=-0.75, beta=1.5, trans=trans, ctx=ctx)
                    assert out is y, (a_name, y_name)
                    want = np.stack([hpk.gemv(a[k], x[k], y0[k].copy(), alpha=-0.75, beta=1.5, trans=trans, ctx=ctx)
                                     for k in range(b)])
                    assert_same_bits(np.ascontiguousarray(y), want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemv_stack_matches_numpy(rng, dtype):
    for b, m, n in [(1, 1, 1), (3, 5, 33), (17, 33, 5), (17, 33, 33)]:
        for a_name, a in stacks(rng, b, m, n, dtype).items():
            x = rng.uniform(-1, 1, (b, n)).astype(dtype)
            got = hpk.gemv(a, x)
            ref = (longdouble(a) @ longdouble(x)[..., None])[..., 0]
            bound = (n + 4) * eps(dtype) * (np.abs(longdouble(a)) @ np.abs(longdouble(x))[..., None])[..., 0]
            assert np.all(np.abs(longdouble(got) - ref) <= bound), a_name
            np.testing.assert_allclose(got, (a @ x[..., None])[..., 0], rtol=0, atol=float(bound.max()) * 2 + 1e-30)
            got_t = hpk.gemv(a, rng.uniform(-1, 1, (b, m)).astype(dtype), trans=True)
            assert got_t.shape == (b, n)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemv_stack_empty_and_special(rng, dtype):
    # No problems: nothing computed, an empty y.
    assert hpk.gemv(np.zeros((0, 4, 3), dtype), np.zeros((0, 3), dtype)).shape == (0, 4)
    # No terms: a new y is zeros, a given y is left untouched (as for one matrix).
    np.testing.assert_array_equal(hpk.gemv(np.zeros((3, 4, 0), dtype), np.zeros((3, 0), dtype)), np.zeros((3, 4)))
    y = rng.random((3, 4)).astype(dtype)
    before = y.copy()
    hpk.gemv(np.zeros((3, 4, 0), dtype), np.zeros((3, 0), dtype), y, beta=2.0)
    assert_same_bits(y, before)
    # alpha == 0 reads neither a nor x; beta == 1 then leaves y bit for bit.
    a = rng.random((3, 4, 5)).astype(dtype)
    a[1, 2, 3] = np.nan
    x = rng.random((3, 5)).astype(dtype)
    y[0, 0] = np.nan
    before = y.copy()
    hpk.gemv(a, x, y, alpha=0.0, beta=1.0)
    assert_same_bits(y, before)
    # beta == 0 overwrites y without reading it.
    y[...] = np.nan
    hpk.gemv(a[[0, 2]], x[[0, 2]], y[:2], beta=0.0)
    assert np.all(np.isfinite(y[:2]))


def test_gemv_stack_makes_no_copy(rng):
    import tracemalloc

    a = rng.random((40, 100, 130))[:, :, :120]  # C matrices with lda = 130
    x = rng.random((40, 240))[:, ::-2]  # increment -2
    y = np.empty((40, 100))
    af = np.broadcast_to(np.asfortranarray(rng.random((100, 120))), (40, 100, 120))
    tracemalloc.start()
    try:
        for stack in (a, af):
            tracemalloc.reset_peak()
            hpk.gemv(stack, x, y)
            _, peak = tracemalloc.get_traced_memory()
            assert peak < 100_000, peak  # the stack is 3.8 MB: a copy would show
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------------------
# Reductions along an axis: bitwise each row's or column's 1-D call
# ---------------------------------------------------------------------------

REDUCTIONS = ["sum", "asum", "nrm2", "iamax", "dot"]


def matrices(rng, r, c, dtype):
    """The same random r x c matrix as 2-D views of every kind numpy makes."""
    a = rng.uniform(-1, 1, (r, c)).astype(dtype)
    big = rng.uniform(-1, 1, (r + 3, 2 * c + 2)).astype(dtype)
    view = big[r + 1 : 1 : -1, ::-2][:, :c]  # negative strides both ways
    view[...] = a
    sl = rng.uniform(-1, 1, (r + 2, c + 5)).astype(dtype)[1 : r + 1, 2 : c + 2]
    sl[...] = a
    return {
        "C": np.ascontiguousarray(a),
        "F": np.asfortranarray(a),
        "slice": sl,
        "negative": view,
        "every-other": np.repeat(a, 2, axis=0)[::2],
    }


def one_by_one(name, x, y, axis, ctx):
    """The reduction of each row (axis 1) or column (axis 0) by its own 1-D call, as the batch's dtype."""
    fn = getattr(hpk, name)
    lines = x if axis in (1, -1) else x.T
    other = None if y is None else (y if axis in (1, -1) else y.T)
    if name == "dot":
        vals = [fn(lines[k], other[k], ctx=ctx) for k in range(lines.shape[0])]
    else:
        vals = [fn(lines[k], ctx=ctx) for k in range(lines.shape[0])]
    return np.array(vals, dtype=np.int64 if name == "iamax" else x.dtype)


def call(name, x, y, axis, ctx=None):
    fn = getattr(hpk, name)
    return fn(x, y, axis=axis, ctx=ctx) if name == "dot" else fn(x, axis=axis, ctx=ctx)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_reduction_along_axis_is_each_line_bitwise(rng, ctx, dtype, name, axis):
    for r in [0, *SIZES, 17]:
        for c in [0, *SIZES]:
            xs = matrices(rng, r, c, dtype)
            ys = matrices(rng, r, c, dtype)
            for (x_name, x), y in zip(xs.items(), [ys["negative"], ys["C"], ys["F"], ys["every-other"], ys["slice"]]):
                got = call(name, x, y, axis, ctx)
                assert isinstance(got, np.ndarray) and got.ndim == 1, (r, c, x_name)
                assert_same_bits(got, one_by_one(name, x, y, axis, ctx))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_broadcast_lines(rng, dtype, name):
    # Stride 0 between the lines (one vector repeated) is a batch like any other.
    v = rng.uniform(-1, 1, 33).astype(dtype)
    w = rng.uniform(-1, 1, 33).astype(dtype)
    for x, y, axis in [
        (np.broadcast_to(v, (17, 33)), np.broadcast_to(w, (17, 33)), 1),
        (np.broadcast_to(v[:, None], (33, 5)), rng.uniform(-1, 1, (33, 5)).astype(dtype), 0),
    ]:
        got = call(name, x, y, axis)
        assert_same_bits(got, one_by_one(name, x, y, axis, None))
        assert np.unique(got).size == 1 or name == "dot" and axis == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_reductions_match_numpy(rng, dtype):
    e = eps(dtype)
    for r, c in [(1, 1), (17, 33), (33, 5), (1000, 7)]:
        a = rng.standard_normal((r, c)).astype(dtype)
        b = rng.standard_normal((r, c)).astype(dtype)
        for axis in (0, 1):
            n = a.shape[axis]
            bound = (n + 4) * e
            np.testing.assert_allclose(hpk.nrm2(a, axis=axis), np.linalg.norm(a, axis=axis), rtol=bound)
            np.testing.assert_allclose(hpk.asum(a, axis=axis), np.abs(a).sum(axis=axis), rtol=bound)
            absum = np.abs(a).sum(axis=axis)
            assert np.all(np.abs(hpk.sum(a, axis=axis) - a.sum(axis=axis, dtype=np.float64)) <= bound * absum)
            prods = np.abs(a * b).sum(axis=axis)
            ref = np.einsum("ij,ij->j" if axis == 0 else "ij,ij->i", a.astype(np.float64), b.astype(np.float64))
            assert np.all(np.abs(hpk.dot(a, b, axis=axis) - ref) <= bound * prods)
            np.testing.assert_array_equal(hpk.iamax(a, axis=axis), np.argmax(np.abs(a), axis=axis))
        np.testing.assert_allclose(hpk.dot(a, b, axis=1), np.einsum("ij,ij->i", a, b),
                                   atol=float(2 * (c + 4) * e * np.abs(a * b).sum(axis=1).max()))


def test_reductions_along_an_axis_make_no_copy(rng):
    import tracemalloc

    a = rng.random((20000, 60))[::-1, 50:0:-5]  # negative strides, every fifth column
    b = np.asfortranarray(rng.random((20000, 10)))
    tracemalloc.start()
    try:
        for axis in (0, 1):
            for f in (lambda: hpk.nrm2(a, axis=axis), lambda: hpk.dot(a, b, axis=axis),
                      lambda: hpk.iamax(b, axis=axis)):
                tracemalloc.reset_peak()
                f()
                _, peak = tracemalloc.get_traced_memory()
                assert peak < 200_000, peak  # a is 1.6 MB of elements: a copy would show; results <= 160 KB
    finally:
        tracemalloc.stop()


def test_reduction_empty_lines():
    for dtype in DTYPES:
        x = np.zeros((4, 0), dtype)
        assert_same_bits(hpk.sum(x, axis=1), np.zeros(4, dtype))
        assert_same_bits(hpk.nrm2(x, axis=-1), np.zeros(4, dtype))
        assert_same_bits(hpk.dot(x, x, axis=1), np.zeros(4, dtype))
        assert_same_bits(hpk.iamax(x, axis=1), np.full(4, -1, np.int64))
        assert hpk.asum(x, axis=0).shape == (0,) and hpk.iamax(x, axis=0).dtype == np.int64


def test_axis_accepts_numpy_integers(rng):
    a = rng.random((3, 4))
    assert_same_bits(hpk.sum(a, axis=np.int64(1)), hpk.sum(a, axis=1))
    assert_same_bits(hpk.sum(a, axis=np.intp(-2)), hpk.sum(a, axis=0))


def test_opencl_batches_are_single_calls_bitwise(rng, opencl_ctx):
    a = rng.uniform(-1, 1, (3, 33, 5))
    x = rng.uniform(-1, 1, (3, 5))
    want = np.stack([hpk.gemv(a[k], x[k], ctx=opencl_ctx) for k in range(3)])
    assert_same_bits(hpk.gemv(a, x, ctx=opencl_ctx), want)
    m = rng.uniform(-1, 1, (5, 33))
    for name in REDUCTIONS:
        assert_same_bits(call(name, m, m[::-1], 1, opencl_ctx), one_by_one(name, m, m[::-1], 1, opencl_ctx))


def test_gil_is_released_during_a_batch():
    # A second Python thread keeps counting while hpk computes a long batch
    # (one broadcast row, so little memory).
    x = np.broadcast_to(np.random.default_rng(1).random(100_000), (5000, 100_000))
    with hpk.Context("serial") as ctx:
        progressed, elapsed = counts_during(lambda: hpk.nrm2(x, axis=1, ctx=ctx))
    assert progressed > 10_000, (progressed, elapsed)


# ---------------------------------------------------------------------------
# Bad input: the exception, a message naming the argument, nothing written
# ---------------------------------------------------------------------------


def writable_broadcast(row, b):
    return np.lib.stride_tricks.as_strided(row, (b, row.size), (0, row.strides[0]), writeable=True)


GEMV_BATCH_ERRORS = [
    # (name, make (a, x, y) from a (3, 6, 5), x (3, 5), y (3, 6), exception, words)
    ("a 4-D", lambda a, x, y: (a[None], x, y), ValueError, ["hpk.gemv: a must be 2-D or 3-D, not 4-D"]),
    ("a Fortran 3-D", lambda a, x, y: (np.asfortranarray(a), x, y), ValueError, ["a has strides (1, 3, 18)", "matrices' (3, 18)", "np.ascontiguousarray(a)"]),
    ("a int", lambda a, x, y: (a.astype(np.int32), x, y), TypeError, ["a has dtype int32"]),
    ("x 1-D", lambda a, x, y: (a, x[0], y), ValueError, ["x must be 2-D, not 1-D when a is 3-D", "broadcast_to"]),
    ("x 3-D", lambda a, x, y: (a, x[None], y), ValueError, ["x must be 2-D, not 3-D"]),
    ("x batch", lambda a, x, y: (a, x[:2], y), ValueError,
     ["x has shape (2, 5), but a has shape (3, 6, 5), so x needs shape (3, 5) (trans=False)"]),
    ("x length", lambda a, x, y: (a, np.zeros((3, 6)), y), ValueError, ["x has shape (3, 6)", "needs shape (3, 5)"]),
    ("x float32", lambda a, x, y: (a, x.astype(np.float32), y), TypeError, ["x is float32 but a is float64"]),
    ("x stride 0 inside", lambda a, x, y: (a, np.broadcast_to(np.ones((3, 1)), (3, 5)), y), ValueError,
     ["x has stride 0"]),
    ("y batch", lambda a, x, y: (a, x, np.zeros((4, 6))), ValueError,
     ["y has shape (4, 6), but a has shape (3, 6, 5), so y needs shape (3, 6)"]),
    ("y 1-D", lambda a, x, y: (a, x, np.zeros(6)), ValueError, ["y must be 2-D, not 1-D when a is 3-D"]),
    ("y float32", lambda a, x, y: (a, x, y.astype(np.float32)), TypeError, ["y is float32 but a is float64"]),
    ("y read-only", lambda a, x, y: (a, x, np.broadcast_to(y[0], (3, 6))), ValueError, ["y is read-only"]),
    ("y list", lambda a, x, y: (a, x, y.tolist()), TypeError, ["y must be a 2-D float32 or float64 array", "list"]),
]


@pytest.mark.parametrize("case", GEMV_BATCH_ERRORS, ids=[c[0] for c in GEMV_BATCH_ERRORS])
def test_gemv_stack_errors(rng, case):
    _, make, exc, words = case
    a, x, y = rng.random((3, 6, 5)), rng.random((3, 5)), rng.random((3, 6))
    a2, x2, y2 = make(a, x, y)
    outputs = [y2] if isinstance(y2, np.ndarray) and y2.flags.writeable else []
    before = [o.copy() for o in outputs]
    with pytest.raises(exc) as info:
        hpk.gemv(a2, x2, y2)
    message = str(info.value)
    assert message.startswith("hpk.gemv: "), message
    for word in words:
        assert word in message, message
    for o, b in zip(outputs, before):
        assert_same_bits(o, b)


def test_gemv_stack_outputs_must_not_overlap(rng):
    a, x = rng.random((3, 6, 5)), rng.random((3, 5))
    buf = rng.random(40)
    before = buf.copy()
    # Three problems writing one row: hpk's own check, naming y's stride.
    with pytest.raises(hpk.InvalidArgumentError, match="stride_y is 0"):
        hpk.gemv(a, x, writable_broadcast(buf[:6], 3))
    # Rows two elements apart: problems 0 and 1 would share four elements.
    overlapping = np.lib.stride_tricks.as_strided(buf, (3, 6), (16, 8), writeable=True)
    with pytest.raises(hpk.InvalidArgumentError, match="write the same element of y"):
        hpk.gemv(a, x, overlapping)
    assert_same_bits(buf, before)
    with pytest.raises(ValueError, match="hpk.gemv: y shares memory with x"):
        hpk.gemv(a, buf[:15].reshape(3, 5), buf[10:28].reshape(3, 6))
    with pytest.raises(ValueError, match="hpk.gemv: beta is 2 but y is None"):
        hpk.gemv(a, x, beta=2.0)
    assert_same_bits(buf, before)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_axis_errors(rng, name):
    fn = "hpk." + name
    x = rng.random((3, 5))

    def raises(exc, text, *args, **kw):
        with pytest.raises(exc) as info:
            if name == "dot":
                getattr(hpk, name)(*args, args[0] if len(args) == 1 else args[1], **kw)
            else:
                getattr(hpk, name)(args[0], **kw)
        assert str(info.value).startswith(fn + ": ") and text in str(info.value), str(info.value)

    raises(ValueError, "axis 2 is out of range for a 2-D x (-2 <= axis <= 1)", x, axis=2)
    raises(ValueError, "axis -3 is out of range", x, axis=-3)
    raises(ValueError, "axis 100000000000000000000 is out of range", x, axis=10**20)
    raises(TypeError, "axis must be an int or None, not float", x, axis=1.0)
    raises(TypeError, "axis must be an int or None, not bool", x, axis=True)
    raises(ValueError, "x must be 2-D, not 1-D (axis=0 reduces the columns", x[0], axis=0)
    raises(ValueError, "x must be 2-D, not 3-D (axis=1 reduces the rows", x[None], axis=1)
    raises(TypeError, "x has dtype int64", np.arange(6).reshape(2, 3), axis=1)
    raises(TypeError, "x must be a 2-D float32 or float64 array", [[1.0]], axis=1)
    raises(ValueError, "x has stride 0", np.broadcast_to(x[:, :1], (3, 5)), axis=1)
    raises(ValueError, "x must be 1-D, not 2-D", x)  # axis=None: as before


def test_dot_axis_errors(rng):
    x = rng.random((3, 5))
    with pytest.raises(ValueError, match=r"hpk.dot: x has shape \(3, 5\) but y has shape \(3, 4\)"):
        hpk.dot(x, x[:, :4], axis=1)
    with pytest.raises(ValueError, match=r"hpk.dot: x has shape \(3, 5\) but y has shape \(5, 3\)"):
        hpk.dot(x, x.T, axis=0)
    with pytest.raises(TypeError, match="hpk.dot: y is float32 but x is float64"):
        hpk.dot(x, x.astype(np.float32), axis=1)
    with pytest.raises(ValueError, match="hpk.dot: y must be 2-D, not 1-D"):
        hpk.dot(x, x[0], axis=1)
    with pytest.raises(ValueError, match="hpk.dot: y has stride 0"):
        hpk.dot(x, np.broadcast_to(x[:1], (3, 5)), axis=0)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_are_typed_by_axis(name):
    # Two overloads: axis=None returns a number, an int axis an array (the stubs say which).
    sigs = [s[0] for s in getattr(hpk, name).__nb_signature__]
    assert len(sigs) == 2, sigs
    one = "int" if name == "iamax" else "float"
    assert "axis: None = None" in sigs[0] and sigs[0].endswith(f"-> {one}"), sigs[0]
    assert "axis: int," in sigs[1] and "NDArray" in sigs[1].split("->")[1], sigs[1]
    assert isinstance(getattr(hpk, name)(*[np.zeros(3)] * (2 if name == "dot" else 1)), (float, int))
