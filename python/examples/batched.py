"""Many small problems in one call: row norms, row dot products and a batch of
small matrix-vector products, numpy's way beside hpk's batched calls.

    python python/examples/batched.py                # ~1 s
    python python/examples/batched.py --rows 2000000 --cols 8 --batch 200000 --size 16

numpy: np.linalg.norm(a, axis=1), np.einsum('ij,ij->i', a, b) and the stacked
matmul a @ x[..., None] (one small product per problem).  hpk: hpk.nrm2(a,
axis=1), hpk.dot(a, b, axis=1) and hpk.gemv on the stack, each one call of
hpk's strided-batched functions on the arrays as they are, on all threads;
and, for scale, a Python loop of hpk's single calls over the first --loop
problems, its time scaled to the whole batch.

Checks: every hpk result within the error bound of any order of summation
of numpy's (2 n eps times the sum of |terms|, n terms per result), and the
batched results bit for bit the single calls' on the first problems.  Then,
where pyopencl and an OpenCL device with fp64 are at hand, the same three
batches with hpk.cl on device copies of the arrays (one call each, results
on the host or a pyopencl array), bit for bit the CPU's; otherwise a line
says why that part is skipped.
Prints `results agree`, or `results DO NOT agree` and exits 1.
"""
import argparse
import time

import numpy as np

import hpk


def best(f, repeat):
    """f()'s value and its best time in seconds over `repeat` calls (after one to warm up)."""
    value = f()
    seconds = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        seconds = min(seconds, time.perf_counter() - start)
    return value, seconds


def on_device(a, b, m, x, host):
    """The three batches with hpk.cl on device copies of a, b, m and x: whether they are bit for bit
    `host` (hpk's CPU results); True, after a line saying why, where there is no device to run on."""
    try:
        import pyopencl.array as cla

        import hpk.cl
    except ImportError as e:
        print(f"hpk.cl: skipped ({e})")
        return True
    try:
        ctx = hpk.Context("opencl")
    except hpk.DeviceError as e:
        print(f"hpk.cl: skipped ({e})")
        return True
    with ctx:
        queue = ctx.cl_queue
        if "cl_khr_fp64" not in queue.device.extensions:
            print(f"hpk.cl: skipped ({ctx.device} has no fp64)")
            return True
        ad, bd, md, xd = (cla.to_device(queue, v) for v in (a, b, m, x))
        got = [hpk.cl.nrm2(ad, axis=1, ctx=ctx), hpk.cl.dot(ad, bd, axis=1, ctx=ctx), hpk.cl.gemv(md, xd, ctx=ctx).get()]
        same = all(g.tobytes() == h.tobytes() for g, h in zip(got, host))
        print(f"hpk.cl on {ctx.device}: the same batches, one call each on device arrays, "
              f"{'bit for bit' if same else 'NOT bit for bit'} the CPU's")
    return same


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=200_000, help="rows of the row-norm and row-dot matrices")
    p.add_argument("--cols", type=int, default=16)
    p.add_argument("--batch", type=int, default=50_000, help="matrices in the matvec batch")
    p.add_argument("--size", type=int, default=8, help="their size (size x size)")
    p.add_argument("--loop", type=int, default=1000, help="problems timed and checked one call at a time")
    p.add_argument("--repeat", type=int, default=5, help="timed calls per point (best is kept)")
    args = p.parse_args()

    rng = np.random.default_rng(0)
    eps = np.finfo(np.float64).eps
    a = rng.standard_normal((args.rows, args.cols))
    b = rng.standard_normal((args.rows, args.cols))
    m = rng.standard_normal((args.batch, args.size, args.size))
    x = rng.standard_normal((args.batch, args.size))
    lines = min(args.loop, args.rows)
    mats = min(args.loop, args.batch)

    cases = [
        # (what, numpy, hpk batched, hpk one problem at a time (k -> result), problems, bound per result)
        (f"row norms, {args.rows} x {args.cols}",
         lambda: np.linalg.norm(a, axis=1), lambda: hpk.nrm2(a, axis=1),
         lambda k: hpk.nrm2(a[k]), lines,
         2 * (args.cols + 2) * eps * np.linalg.norm(a, axis=1)),
        (f"row dots, {args.rows} x {args.cols}",
         lambda: np.einsum("ij,ij->i", a, b), lambda: hpk.dot(a, b, axis=1),
         lambda k: hpk.dot(a[k], b[k]), lines,
         2 * args.cols * eps * np.abs(a * b).sum(axis=1)),
        (f"matvecs, {args.batch} of {args.size} x {args.size}",
         lambda: (m @ x[..., None])[..., 0], lambda: hpk.gemv(m, x),
         lambda k: hpk.gemv(m[k], x[k]), mats,
         2 * args.size * eps * (np.abs(m) @ np.abs(x)[..., None])[..., 0]),
    ]
    print(f"hpk {hpk.__version__}, CPU path {hpk.cpu_path()}; float64, best of {args.repeat} calls")
    print(f"{'':34} {'numpy ms':>9} {'hpk ms':>9} {'loop of hpk ms':>15}")
    ok = True
    results = []
    for what, with_numpy, batched, single, first, bound in cases:
        ref, t_np = best(with_numpy, args.repeat)
        got, t_hpk = best(batched, args.repeat)
        results.append(got)
        ones, t_loop = best(lambda: [single(k) for k in range(first)], 1)
        ok &= bool(np.all(np.abs(got - ref) <= bound))
        # The batch is its single calls, bit for bit.
        ok &= np.stack([np.asarray(v) for v in ones]).tobytes() == got[:first].tobytes()
        t_loop *= len(got) / max(first, 1)  # the whole batch, at the loop's pace
        print(f"{what:34} {t_np * 1e3:>9.2f} {t_hpk * 1e3:>9.2f} {t_loop * 1e3:>15.2f}")
    ok &= on_device(a, b, m, x, results)

    print("results agree (within 2 n eps sum|terms| of numpy's; the batches bit for bit hpk's single calls)"
          if ok else "results DO NOT agree")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
