"""hpk's kernels against numpy references computed in long double, on every
dtype, layout and stride; and bitwise agreement between contexts."""
import math

import numpy as np
import pytest

import hpk
from conftest import DTYPES, eps, longdouble, strided, sum_bound, ulp

SIZES = [0, 1, 17, 63, 4097, 70001]  # none a multiple of 16, 64 or 4096 (but 0)
STRIDES = [1, 2, -1, -3]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("stride", STRIDES)
def test_reductions_match_numpy(rng, dtype, n, stride):
    x = strided(rng, n, stride, dtype)
    y = strided(rng, n, -stride, dtype)
    xl, yl = longdouble(x), longdouble(y)

    got = hpk.sum(x)
    assert abs(got - float(xl.sum())) <= sum_bound(float(np.abs(xl).sum()), n, dtype) + 1e-300
    got = hpk.asum(x)
    assert abs(got - float(np.abs(xl).sum())) <= sum_bound(float(np.abs(xl).sum()), n, dtype) + 1e-300
    got = hpk.dot(x, y)
    ref = float((xl * yl).sum())
    assert abs(got - ref) <= sum_bound(float(np.abs(xl * yl).sum()), n, dtype) + 1e-300
    got = hpk.nrm2(x)
    ref = float(np.sqrt((xl * xl).sum()))
    # nrm2 squares and sums in double (snrm2 too): a few roundings of the result's precision.
    assert abs(got - ref) <= 2 * ulp(ref, dtype) + (math.log2(max(n, 2)) + 4) * eps(np.float64) * ref
    assert got == pytest.approx(np.linalg.norm(x.astype(np.float64)), rel=4 * eps(dtype), abs=1e-300)
    if n:
        assert hpk.iamax(x) == int(np.argmax(np.abs(x)))
    else:
        assert hpk.iamax(x) == -1
        assert hpk.sum(x) == hpk.asum(x) == hpk.dot(x, y) == hpk.nrm2(x) == 0.0


@pytest.mark.parametrize("n", [1000, 4097, 70001, 2**18 + 5])
def test_float_sums_within_an_ulp_on_positive_data(rng, n):
    # hpk.h: float sum/asum/dot stay within about half a float ulp on well-conditioned data.
    x = rng.random(n).astype(np.float32)
    y = rng.random(n).astype(np.float32)
    xl, yl = longdouble(x), longdouble(y)
    for got, ref in [(hpk.sum(x), xl.sum()), (hpk.asum(x), xl.sum()), (hpk.dot(x, y), (xl * yl).sum())]:
        assert abs(got - float(ref)) <= ulp(float(ref), np.float32)


def test_iamax_first_nan_and_first_of_ties(rng):
    x = rng.uniform(-1, 1, 1000)
    x[10] = 7.0
    x[20] = -7.0
    assert hpk.iamax(x) == 10
    assert hpk.iamax(x[::-1]) == 999 - 20
    x[500] = np.nan
    x[600] = np.nan
    assert hpk.iamax(x) == 500


def test_nrm2_neither_overflows_nor_underflows():
    big = np.full(1000, 1e300)
    assert hpk.nrm2(big) == pytest.approx(1e300 * math.sqrt(1000), rel=1e-14)
    tiny = np.full(1000, 1e-300)
    assert hpk.nrm2(tiny) == pytest.approx(1e-300 * math.sqrt(1000), rel=1e-14)
    assert hpk.nrm2(np.array([np.inf, 1.0])) == np.inf
    assert math.isnan(hpk.nrm2(np.array([np.inf, np.nan])))


def layouts(rng, m, n, dtype):
    """The same random m x n matrix in every layout BLAS can express."""
    a = rng.uniform(-1, 1, (m, n)).astype(dtype)
    big_c = rng.uniform(-1, 1, (m + 2, n + 5)).astype(dtype)
    big_c[1 : m + 1, 2 : n + 2] = a
    big_f = np.asfortranarray(rng.uniform(-1, 1, (m + 7, n + 1)).astype(dtype))
    big_f[3 : m + 3, :n] = a
    return {
        "C": np.ascontiguousarray(a),
        "F": np.asfortranarray(a),
        "C-slice": big_c[1 : m + 1, 2 : n + 2],  # row stride > n: lda
        "F-slice": big_f[3 : m + 3, :n],  # column stride > m: lda
        "T-of-C": np.ascontiguousarray(a.T).T,  # a Fortran view made by transposing
    }


def gemv_reference(a, x, y0, alpha, beta, trans):
    al, xl = longdouble(a), longdouble(x)
    prod = (al.T if trans else al) @ xl
    ref = alpha * prod + (beta * longdouble(y0) if beta != 0 else 0)
    absprod = np.abs(al.T if trans else al) @ np.abs(xl)
    return ref, absprod


def check_gemv(a, x, y0, out, alpha, beta, trans, dtype):
    ref, absprod = gemv_reference(a, x, y0, alpha, beta, trans)
    k = a.shape[0] if trans else a.shape[1]
    levels = min(k, 256) + math.log2(max(k, 2)) + 4
    bound = levels * eps(dtype) * (abs(alpha) * absprod + (abs(beta) * np.abs(longdouble(y0)) if beta else 0))
    err = np.abs(longdouble(out) - ref)
    assert np.all(err <= bound + 4 * np.spacing(np.abs(ref).astype(dtype)).astype(np.longdouble))


SHAPES = [(1, 1), (1, 9), (9, 1), (17, 33), (65, 4099), (300, 257)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("trans", [False, True])
def test_gemv_matches_numpy_every_layout(rng, dtype, shape, trans):
    m, n = shape
    xlen, ylen = (m, n) if trans else (n, m)
    for name, a in layouts(rng, m, n, dtype).items():
        for xs, ys in [(1, 1), (-2, 3), (3, -1)]:
            x = strided(rng, xlen, xs, dtype)
            y0 = strided(rng, ylen, ys, dtype)
            y = y0.copy() if ys == 1 else strided(rng, ylen, ys, dtype)
            y[...] = y0
            for alpha, beta in [(1.0, 0.0), (-0.75, 1.5)]:
                y[...] = y0
                out = hpk.gemv(a, x, y, alpha=alpha, beta=beta, trans=trans)
                assert out is y, name
                check_gemv(a, x, y0, y, alpha, beta, trans, dtype)
            new = hpk.gemv(a, x, trans=trans)
            assert new.dtype == dtype and new.shape == (ylen,) and new.flags.c_contiguous
            check_gemv(a, x, y0, new, 1.0, 0.0, trans, dtype)
            # The layouts are one matrix: the same order, so the same bits? Only within a
            # storage order (dot form vs axpy form differ); C and C-slice agree exactly.
            if name == "C-slice":
                np.testing.assert_array_equal(new, hpk.gemv(np.ascontiguousarray(a), x, trans=trans))


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemv_alpha_beta_special_values(rng, dtype):
    a = rng.uniform(-1, 1, (37, 29)).astype(dtype)
    x = rng.uniform(-1, 1, 29).astype(dtype)
    y0 = rng.uniform(-1, 1, 37).astype(dtype)
    # alpha == 0: a and x are not read (NaN there does not reach y): y = beta * y.
    an, xn = a.copy(), x.copy()
    an[3, 4] = np.nan
    xn[5] = np.nan
    y = y0.copy()
    hpk.gemv(an, xn, y, alpha=0.0, beta=2.0)
    np.testing.assert_array_equal(y, (dtype(2.0) * y0).astype(dtype))
    # alpha == 0, beta == 1: y untouched, bit for bit (NaN included).
    y = y0.copy()
    y[0] = np.nan
    before = y.copy()
    hpk.gemv(an, xn, y, alpha=0.0, beta=1.0)
    np.testing.assert_array_equal(y.view(np.uint8), before.view(np.uint8))
    # beta == 0 overwrites y without reading it: NaN and Inf in y do not survive.
    y = np.full(37, np.nan, dtype=dtype)
    y[1] = np.inf
    hpk.gemv(a, x, y, alpha=-3.0, beta=0.0)
    assert np.all(np.isfinite(y))
    check_gemv(a, x, y0, y, -3.0, 0.0, False, dtype)
    # alpha == beta == 0: zeros.
    y = y0.copy()
    hpk.gemv(a, x, y, alpha=0.0, beta=0.0)
    assert not np.any(y)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemv_empty(rng, dtype):
    assert hpk.gemv(np.zeros((0, 5), dtype), rng.random(5).astype(dtype)).shape == (0,)
    # No terms: a new y is zeros, a given y is left untouched (BLAS).
    a = np.zeros((4, 0), dtype)
    out = hpk.gemv(a, np.zeros(0, dtype))
    np.testing.assert_array_equal(out, np.zeros(4, dtype))
    y = rng.random(4).astype(dtype)
    before = y.copy()
    hpk.gemv(a, np.zeros(0, dtype), y, beta=3.0)
    np.testing.assert_array_equal(y, before)
    assert hpk.gemv(a, rng.random(4).astype(dtype), trans=True).shape == (0,)


def test_gemv_makes_no_copy_of_its_inputs(rng):
    import tracemalloc

    a = np.asfortranarray(rng.random((1000, 999)))
    big = rng.random((1000, 1100))[:, :999]  # a C slice with lda = 1100
    x = rng.random(1998)[::-2]
    y = np.empty(1000)
    tracemalloc.start()
    try:
        for m in (a, big):
            tracemalloc.reset_peak()
            hpk.gemv(m, x, y)
            _, peak = tracemalloc.get_traced_memory()
            assert peak < 100_000, peak  # the matrix is 8 MB: a copy would show
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------------------
# Bitwise: the library promises the same bits on every CPU context (and on an
# OpenCL device with fp64).
# ---------------------------------------------------------------------------


def all_results(rng, dtype, ctx):
    r = np.random.default_rng(1234)
    n = 300_001
    x = r.uniform(-1, 1, 2 * n).astype(dtype)[::-2]
    y = r.uniform(0, 2, n).astype(dtype)
    out = [hpk.sum(x, ctx=ctx), hpk.asum(x, ctx=ctx), hpk.dot(x, y, ctx=ctx), hpk.nrm2(x, ctx=ctx),
           hpk.iamax(x, ctx=ctx)]
    a = r.uniform(-1, 1, (700, 1100)).astype(dtype)
    xa = r.uniform(-1, 1, 1100).astype(dtype)
    xt = r.uniform(-1, 1, 700).astype(dtype)
    y0 = r.uniform(-1, 1, 700).astype(dtype)
    for m in (a, np.asfortranarray(a)):
        y = y0.copy()
        out.append(hpk.gemv(m, xa, y, alpha=0.5, beta=-2.0, ctx=ctx).tobytes())
        out.append(hpk.gemv(m, xt[::-1], trans=True, ctx=ctx).tobytes())
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_cpu_context_gives_the_same_bits(rng, dtype):
    with hpk.Context("serial") as serial, hpk.Context("openmp", threads=3) as omp3, \
            hpk.Context("openmp", threads=1) as omp1:
        ref = all_results(rng, dtype, serial)
        assert all_results(rng, dtype, omp3) == ref
        assert all_results(rng, dtype, omp1) == ref
        assert all_results(rng, dtype, None) == ref


@pytest.mark.parametrize("dtype", DTYPES)
def test_opencl_gives_the_cpu_bits(rng, dtype, opencl_ctx):
    with hpk.Context("serial") as serial:
        assert all_results(rng, dtype, opencl_ctx) == all_results(rng, dtype, serial)


def test_mc_pi_is_the_same_everywhere():
    with hpk.Context("serial") as s, hpk.Context("openmp", threads=3) as o:
        r = hpk.mc_pi(1_000_003, seed=7, ctx=s)
        for ctx in (o, None):
            q = hpk.mc_pi(1_000_003, seed=7, ctx=ctx)
            assert (q.estimate, q.std_error, q.samples) == (r.estimate, r.std_error, r.samples)
    assert r.samples == 1_000_003
    assert abs(r.estimate - math.pi) < 5 * r.std_error
    p = r.estimate / 4
    assert r.std_error == pytest.approx(4 * math.sqrt(p * (1 - p) / r.samples))
    assert hpk.mc_pi(1000, seed=8).estimate != hpk.mc_pi(1000, seed=9).estimate
    assert "estimate=" in repr(r)
