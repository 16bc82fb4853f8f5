"""Monte Carlo pi: the classic multiprocessing.Pool version (each worker draws
its points with numpy's random generator and counts the hits in the quarter
circle) beside hpk.mc_pi (Philox4x32-10 keyed by the sample index, summed
on OpenMP threads with the GIL released).

    python python/examples/mc_pi.py                    # 10^8 samples, ~1 s
    python python/examples/mc_pi.py --samples 1e9 --workers 4

Prints samples per second for each and whether the two estimates agree:
|pi_pool - pi_hpk| <= 5 * sqrt(se_pool^2 + se_hpk^2), and each within 5
standard errors of math.pi.  Exits 1 if not.
"""
import argparse
import math
import multiprocessing as mp
import os
import time

import numpy as np

import hpk


def count_hits(args):
    """One worker's share: draw n points in the unit square, count x^2 + y^2 < 1."""
    n, seed = args
    rng = np.random.default_rng(seed)  # an independent stream per worker
    hits, chunk = 0, 1 << 20  # in chunks, so memory stays small whatever n is
    while n > 0:
        m = min(n, chunk)
        x, y = rng.random(m), rng.random(m)
        hits += int(np.count_nonzero(x * x + y * y < 1.0))
        n -= m
    return hits


def pool_pi(pool, samples, workers, seed):
    """The classic version: split the samples among the workers, add their hits."""
    shares = [samples // workers + (i < samples % workers) for i in range(workers)]
    seeds = np.random.SeedSequence(seed).spawn(workers)
    hits = sum(pool.map(count_hits, zip(shares, seeds)))
    p = hits / samples
    return 4 * p, 4 * math.sqrt(p * (1 - p) / samples)  # estimate, standard error


def main():
    all_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--samples", type=float, default=1e8)
    p.add_argument("--workers", type=int, default=all_cpus, help="processes and hpk threads")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    n, w = int(args.samples), args.workers

    # The pool's start-up is paid once per program; it is timed apart from the work.
    start = time.perf_counter()
    with mp.Pool(w) as pool:
        pool.map(count_hits, [(1, 0)] * w)  # make sure every worker is up
        t_start = time.perf_counter() - start
        start = time.perf_counter()
        pi_pool, se_pool = pool_pi(pool, n, w, args.seed)
        t_pool = time.perf_counter() - start

    with hpk.Context("openmp", threads=w) as ctx:
        hpk.mc_pi(w * 4096, ctx=ctx)  # start OpenMP's threads, as the pool's were started
        start = time.perf_counter()
        r = hpk.mc_pi(n, seed=args.seed, ctx=ctx)
        t_hpk = time.perf_counter() - start

    print(f"{n} samples, {w} workers / threads (pool start-up {t_start * 1e3:.0f} ms, not counted)")
    print(f"  multiprocessing + numpy: pi = {pi_pool:.6f} +- {se_pool:.6f}  "
          f"{n / t_pool / 1e6:8.1f} Msamples/s")
    print(f"  hpk.mc_pi              : pi = {r.estimate:.6f} +- {r.std_error:.6f}  "
          f"{n / t_hpk / 1e6:8.1f} Msamples/s  ({t_pool / t_hpk:.1f}x)")

    k = 5.0  # tolerance in standard errors; a correct pair fails about once in 10^6 seeds
    ok = (abs(pi_pool - r.estimate) <= k * math.hypot(se_pool, r.std_error)
          and abs(pi_pool - math.pi) <= k * se_pool
          and abs(r.estimate - math.pi) <= k * r.std_error)
    print(f"results agree (within {k:g} standard errors, of each other and of pi)"
          if ok else "results DO NOT agree")
    return 0 if ok else 1


if __name__ == "__main__":  # required: with the spawn start method, workers import this file
    raise SystemExit(main())
