"""Matrix-vector product: numpy's `a @ x` (its BLAS, dgemv) beside hpk.gemv,
at 1, 2 and all threads, on a few square sizes.

    python python/examples/gemv.py                 # ~5 s
    python python/examples/gemv.py --sizes 4096 8192 --repeat 10

Prints the best time of each, the bandwidth it implies (gemv reads the
matrix once: 8 n^2 bytes) and whether the two results agree within
n * eps * (|a| @ |x|) per element, the error bound of any order of summation.
Exits 1 if they do not, or if hpk's result changes with the thread count
(it must not: hpk's order of summation does not depend on it).
"""
import argparse
import os
import time

import numpy as np

import hpk
import _blas  # python/examples/_blas.py: numpy's BLAS name and thread count


def best_time(f, repeat, min_block=0.02):
    """Best seconds per call over `repeat` blocks of calls, each block >= min_block s."""
    f()  # warm up (threads started, pages touched)
    calls, t = 1, 0.0
    while t < min_block:  # grow the block until it is long enough to time
        start = time.perf_counter()
        for _ in range(calls):
            f()
        t = time.perf_counter() - start
        calls *= 2
    best = t / (calls // 2)
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(calls):
            f()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    p.add_argument("--repeat", type=int, default=5, help="timed blocks per point (best is kept)")
    args = p.parse_args()

    all_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    thread_counts = sorted({1, 2, all_threads})
    print(_blas.describe())
    print(f"hpk {hpk.__version__}, CPU path {hpk.cpu_path()}; best of {args.repeat} blocks per point")
    print(f"{'n':>6} {'threads':>7} {'numpy us':>10} {'GB/s':>6} {'hpk us':>10} {'GB/s':>6}  max |diff| / bound")

    ok = True
    rng = np.random.default_rng(0)
    for n in args.sizes:
        a = rng.uniform(-1, 1, (n, n))  # float64, C order
        x = rng.uniform(-1, 1, n)
        y = np.empty(n)
        bound = n * np.finfo(np.float64).eps * (np.abs(a) @ np.abs(x))  # |error| <= this, any order
        hpk_bits = None
        for t in thread_counts:
            _blas.set_threads(t)  # numpy's BLAS at t threads (OpenBLAS; no-op otherwise)
            ctx = hpk.Context("openmp", threads=t)
            t_np = best_time(lambda: np.dot(a, x, out=y), args.repeat)
            time.sleep(0.2)  # let BLAS's spinning workers go idle before hpk runs
            t_hpk = best_time(lambda: hpk.gemv(a, x, y, ctx=ctx), args.repeat)
            time.sleep(0.2)

            y_np, y_hpk = a @ x, hpk.gemv(a, x, ctx=ctx)
            ratio = float(np.max(np.abs(y_np - y_hpk) / bound))
            ok &= ratio <= 1.0
            if hpk_bits is None:
                hpk_bits = y_hpk.tobytes()
            ok &= y_hpk.tobytes() == hpk_bits  # the same bits at every thread count
            gb = 8 * n * n / 1e9
            print(f"{n:>6} {t:>7} {t_np * 1e6:>10.1f} {gb / t_np:>6.1f} "
                  f"{t_hpk * 1e6:>10.1f} {gb / t_hpk:>6.1f}  {ratio:.2e}")
            ctx.close()

    print("results agree (within n*eps*|a||x|; hpk's bits identical at every thread count)"
          if ok else "results DO NOT agree")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
