"""Reproducible reductions: a plain Python loop, numpy's sum, and the classic
"split the array among threads, sum the chunks, add the partial sums" beside
hpk.sum and hpk.dot on the serial backend and on 1, 2 and 3 OpenMP threads.

    python python/examples/reproducible_sum.py        # 2*10^6 doubles, ~2 s
    python python/examples/reproducible_sum.py --n 50000000

Floating-point addition is not associative, so the chunked sum's last bits
depend on how many chunks there are; hpk adds in one fixed order (blocks of
4096, 16 lanes, a pairwise tree) whatever the thread count, so its bits do
not.  Every result is checked against math.fsum (correctly rounded) with the
bound n * eps * sum(|x|) of any order of summation; hpk's results must also
be bit-for-bit the same in every configuration.  Exits 1 otherwise.
"""
import argparse
import math
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import hpk


def python_loop(x):
    s = 0.0
    for v in x:  # x as a list of Python floats
        s += v
    return s


def chunked(op, arrays, threads):
    """The classic threaded reduction: one contiguous chunk per thread (numpy
    releases the GIL inside the op), partial results added in chunk order."""
    bounds = np.linspace(0, len(arrays[0]), threads + 1).astype(int)
    chunks = [[a[lo:hi] for a in arrays] for lo, hi in zip(bounds[:-1], bounds[1:])]
    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(lambda c: float(op(*c)), chunks))


def timed(f, repeat=3):
    """The value of f() and the best of `repeat` timings."""
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        value = f()
        best = min(best, time.perf_counter() - start)
    return value, best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2_000_000)
    args = p.parse_args()
    n = args.n

    # Terms of both signs spanning six decades: rounding errors that show.
    rng = np.random.default_rng(7)
    x = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)
    y = rng.standard_normal(n)
    xs = x.tolist()
    eps = np.finfo(np.float64).eps
    serial = hpk.Context("serial")
    omp = {k: hpk.Context("openmp", threads=k) for k in (1, 2, 3)}
    ok = True

    for name, exact, bound, runs in [
        ("sum", math.fsum(x), n * eps * float(np.abs(x).sum()), [
            ("Python loop", lambda: python_loop(xs)),
            ("np.sum", lambda: float(np.sum(x))),
            *[(f"numpy, {k} chunks on {k} threads", lambda k=k: chunked(np.sum, [x], k)) for k in (2, 3, 4)],
            ("hpk.sum serial", lambda: hpk.sum(x, ctx=serial)),
            *[(f"hpk.sum openmp, threads={k}", lambda k=k: hpk.sum(x, ctx=omp[k]))
              for k in (1, 2, 3)],
        ]),
        ("dot", math.fsum(x * y), 2 * n * eps * float(np.abs(x * y).sum()), [  # x*y exact to 1 rounding
            ("np.dot", lambda: float(np.dot(x, y))),
            *[(f"numpy, {k} chunks on {k} threads", lambda k=k: chunked(np.dot, [x, y], k)) for k in (2, 3, 4)],
            ("hpk.dot serial", lambda: hpk.dot(x, y, ctx=serial)),
            *[(f"hpk.dot openmp, threads={k}", lambda k=k: hpk.dot(x, y, ctx=omp[k]))
              for k in (1, 2, 3)],
        ]),
    ]:
        print(f"{name} of {n} doubles; math.fsum (correctly rounded) = {exact!r}")
        hpk_values, numpy_values = set(), set()
        for label, f in runs:
            value, seconds = timed(f)
            err = abs(value - exact)
            ok &= err <= bound
            (hpk_values if label.startswith("hpk") else numpy_values).add(value)
            print(f"  {label:34} {value!r:>24}  error {err / math.ulp(exact):8.1f} ulp  {seconds * 1e3:8.2f} ms (best of 3)")
        print(f"  -> distinct results: numpy/Python {len(numpy_values)}, hpk {len(hpk_values)}")
        ok &= len(hpk_values) == 1

    print("results agree (all within n*eps*sum|terms| of math.fsum; hpk's bits identical in every configuration)"
          if ok else "results DO NOT agree")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
