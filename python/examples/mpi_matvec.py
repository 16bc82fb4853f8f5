"""Distributed matrix-vector product and sum: the classic mpi4py exercises
(rows split among the ranks, each rank multiplies its block with numpy and
the pieces of y are put together with Allgatherv; local sums added with
Allreduce) beside hpk.mpi.gemv(..., gathered=True) and hpk.mpi.sum on the
same blocks.

    mpirun -np 2 python python/examples/mpi_matvec.py          # ~2 s
    mpirun -np 4 python python/examples/mpi_matvec.py --rows 32768 --cols 4096 --n 100000000

(as root, Open MPI also wants --allow-run-as-root, or the environment
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; see python/examples/README.md.)

Rank 0 makes the data and scatters the blocks; the split is
hpk.mpi.block_range's (4096-element blocks of hpk's summation order, so the
distributed results are hpk's single-process bits).  Prints the best time
of each (the slowest rank's) and checks: numpy/mpi4py's results and hpk's
agree within cols * eps * (|a| @ |x|) per element and n * eps * sum(|x|);
hpk.mpi's results are the same bits on every rank and the same bits as
hpk.gemv / hpk.sum on the whole data in one process.  Exits 1 otherwise.
"""
import argparse

import numpy as np
from mpi4py import MPI

import hpk
import hpk.mpi
import _blas  # python/examples/_blas.py: numpy's BLAS thread count


def best_time(comm, f, repeat):
    """f's result and the best over `repeat` runs of the slowest rank's time."""
    best = float("inf")
    for _ in range(repeat):
        comm.Barrier()  # everyone starts together
        start = MPI.Wtime()
        value = f()
        best = min(best, comm.allreduce(MPI.Wtime() - start, op=MPI.MAX))
    return value, best


def scatter_blocks(comm, whole, count, row_len=1):
    """Rank 0's `whole` (rows of row_len doubles) split into each rank's `count` rows."""
    counts = np.array(comm.allgather(count)) * row_len
    displs = np.concatenate(([0], np.cumsum(counts)[:-1]))
    block = np.empty(count * row_len) if row_len == 1 else np.empty((count, row_len))
    comm.Scatterv([whole, counts, displs, MPI.DOUBLE] if comm.rank == 0 else None, block, root=0)
    return block


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=8192)
    p.add_argument("--cols", type=int, default=2048)
    p.add_argument("--n", type=int, default=10_000_000, help="length of the vector summed")
    p.add_argument("--threads", type=int, default=1, help="threads per rank (numpy's BLAS and hpk)")
    p.add_argument("--repeat", type=int, default=10, help="timed runs of each (best is kept)")
    args = p.parse_args()
    comm = MPI.COMM_WORLD
    rank, size = comm.rank, comm.size
    rows, cols, n = args.rows, args.cols, args.n
    _blas.set_threads(args.threads)
    ctx = hpk.Context("openmp", threads=args.threads)

    # Rank 0 makes the data; x (the vector multiplied) goes to every rank.
    a = v = None
    x = np.empty(cols)
    if rank == 0:
        rng = np.random.default_rng(0)
        a = rng.uniform(-1, 1, (rows, cols))
        x[:] = rng.uniform(-1, 1, cols)
        v = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)  # terms that round visibly
    comm.Bcast(x, root=0)
    # This rank's rows of a and elements of v.
    first, count = hpk.mpi.block_range(rows, comm=comm)
    a_local = scatter_blocks(comm, a, count, cols)
    v_first, v_count = hpk.mpi.block_range(n, comm=comm)
    v_local = scatter_blocks(comm, v, v_count)

    # The classic row-block matvec: local product, then every rank gathers all pieces
    # (Allgatherv: block_range's pieces need not all be the same size).
    y_counts = np.array(comm.allgather(count))
    y_displs = np.concatenate(([0], np.cumsum(y_counts)[:-1]))
    y_mpi4py = np.empty(rows)

    def mpi4py_gemv():
        y_local = a_local @ x
        comm.Allgatherv(y_local, [y_mpi4py, y_counts, y_displs, MPI.DOUBLE])
        return y_mpi4py

    def mpi4py_sum():
        total = np.empty(1)
        comm.Allreduce(np.array([np.sum(v_local)]), total, op=MPI.SUM)
        return float(total[0])

    y_hpk = np.zeros(rows)  # hpk.mpi.gemv(gathered=True) writes the whole y on every rank
    y_np, t_np_gemv = best_time(comm, mpi4py_gemv, args.repeat)
    _, t_hpk_gemv = best_time(
        comm, lambda: hpk.mpi.gemv(a_local, x, y_hpk, gathered=True, comm=comm, ctx=ctx), args.repeat)
    gemv_times = hpk.mpi.last_times()
    s_np, t_np_sum = best_time(comm, mpi4py_sum, args.repeat)
    s_hpk, t_hpk_sum = best_time(comm, lambda: hpk.mpi.sum(v_local, comm=comm, ctx=ctx), args.repeat)

    # hpk's bits: the same on every rank ...
    same_on_ranks = comm.allreduce(
        y_hpk.tobytes() == comm.bcast(y_hpk.tobytes(), root=0) and s_hpk == comm.bcast(s_hpk, root=0),
        op=MPI.LAND)
    # ... and one process's hpk on the whole data (rank 0 has it), plus the tolerance checks.
    ok = same_on_ranks
    if rank == 0:
        y_one, s_one = hpk.gemv(a, x, ctx=ctx), hpk.sum(v, ctx=ctx)
        as_one = y_hpk.tobytes() == y_one.tobytes() and s_hpk == s_one
        eps = np.finfo(np.float64).eps
        gemv_ratio = float(np.max(np.abs(y_np - y_hpk) / (cols * eps * (np.abs(a) @ np.abs(x)))))
        sum_ratio = abs(s_np - s_hpk) / (n * eps * float(np.sum(np.abs(v))))
        ok = ok and as_one and gemv_ratio <= 1.0 and sum_ratio <= 1.0

        print(f"{size} ranks, {args.threads} thread(s) each; hpk {hpk.__version__}; best of {args.repeat}")
        gemv_label, sum_label = f"gemv {rows} x {cols}:", f"sum of {n}:"
        w = max(len(gemv_label), len(sum_label))
        print(f"{gemv_label:<{w}} Allgatherv {t_np_gemv * 1e3:8.3f} ms   hpk.mpi.gemv {t_hpk_gemv * 1e3:8.3f} ms"
              f"  (its last call: compute {gemv_times.compute_s * 1e3:.3f} ms, comm {gemv_times.comm_s * 1e3:.3f} ms)")
        print(f"{sum_label:<{w}} Allreduce  {t_np_sum * 1e3:8.3f} ms   hpk.mpi.sum  {t_hpk_sum * 1e3:8.3f} ms")
        print(f"max |diff| / bound: gemv {gemv_ratio:.2e}, sum {sum_ratio:.2e}; hpk's bits the same on every "
              f"rank: {'yes' if same_on_ranks else 'NO'}, as one process: {'yes' if as_one else 'NO'}")
        print("results agree (within the bounds; hpk.mpi bitwise one process's hpk on every rank)"
              if ok else "results DO NOT agree")
    ok = comm.bcast(ok, root=0)
    ctx.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
