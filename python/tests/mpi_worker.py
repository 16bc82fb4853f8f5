"""Run under mpirun by test_mpi.py: hpk.mpi on this rank's blocks, checked
bitwise against hpk's single-process results on the whole data (which every
rank computes itself).  Prints "rank R ok" on success; any failure raises.
Arguments: the backend ("openmp" or "serial") and, optionally, a shared
library exporting the C integrand double poly(const double *, int, void *)."""
import ctypes
import struct
import sys

import numpy as np
from mpi4py import MPI

import hpk
import hpk.mpi

comm = MPI.COMM_WORLD
rank, size = comm.rank, comm.size
serial = hpk.Context("serial")
backend = sys.argv[1] if len(sys.argv) > 1 else "openmp"
ctx = hpk.Context(backend, threads=1 if backend == "openmp" else None)

for dtype in (np.float64, np.float32):
    rng = np.random.default_rng(7)  # the same data on every rank
    N = 3 * 4096 + 123
    x = rng.uniform(-1, 1, 2 * N).astype(dtype)[::2]  # strided
    y = rng.uniform(-1, 1, N).astype(dtype)
    first, count = hpk.mpi.block_range(N, comm=comm)
    xl, yl = x[first : first + count], y[first : first + count]
    for name in ("sum", "asum", "nrm2"):
        got = getattr(hpk.mpi, name)(xl, comm=comm, ctx=ctx)
        assert got == getattr(hpk, name)(x, ctx=serial), (name, dtype)
    assert hpk.mpi.dot(xl, yl, comm=comm, ctx=ctx) == hpk.dot(x, y, ctx=serial)
    assert hpk.mpi.iamax(xl, comm=comm, ctx=ctx) == hpk.iamax(x, ctx=serial)
    t = hpk.mpi.last_times()
    assert t.total_s >= t.comm_s >= 0 and t.total_s >= t.compute_s >= 0

    # Row-block gemv on an uneven split (rows need not follow block_range).
    M, n = 37 + 5 * size, 29
    a = rng.uniform(-1, 1, (M, n)).astype(dtype)
    xv = rng.uniform(-1, 1, n).astype(dtype)
    y0 = rng.uniform(-1, 1, M).astype(dtype)
    counts = [M // size + (1 if r < M % size else 0) + (r - size // 2) for r in range(size)]
    counts[-1] = M - sum(counts[:-1])
    lo = sum(counts[:rank])
    al = a[lo : lo + counts[rank]]
    want = hpk.gemv(a, xv, y0.copy(), alpha=0.5, beta=2.0, ctx=serial)
    local = hpk.mpi.gemv(al, xv, y0[lo : lo + counts[rank]].copy(), alpha=0.5, beta=2.0, comm=comm, ctx=ctx)
    assert np.array_equal(local, want[lo : lo + counts[rank]])
    whole = hpk.mpi.gemv(al, xv, y0.copy(), alpha=0.5, beta=2.0, gathered=True, comm=comm, ctx=ctx)
    assert np.array_equal(whole, want)
    assert np.array_equal(hpk.mpi.gemv(al, xv, gathered=True, comm=comm), hpk.gemv(a, xv, ctx=serial))
    # Transposed, over a 256-row-aligned split: bitwise hpk.gemv(trans=True).
    M2 = 256 * size + 77
    a2 = rng.uniform(-1, 1, (M2, n)).astype(dtype)
    x2 = rng.uniform(-1, 1, M2).astype(dtype)
    lo2 = 256 * rank
    hi2 = M2 if rank == size - 1 else lo2 + 256
    yt = hpk.mpi.gemv(a2[lo2:hi2], x2[lo2:hi2], trans=True, comm=comm, ctx=ctx)
    assert np.array_equal(yt, hpk.gemv(a2, x2, trans=True, ctx=serial)), dtype

r = hpk.mpi.mc_pi(10**6 + 3, seed=11, comm=comm, ctx=ctx)
s = hpk.mc_pi(10**6 + 3, seed=11, ctx=serial)
assert (r.estimate, r.std_error, r.samples) == (s.estimate, s.std_error, s.samples)



# Monte Carlo integration: bitwise one process's hpk.mc_integrate.
def py_poly(p):
    s = 1.0
    for d, c in enumerate(p):
        s = s + float(d + 1) * c * c
    return s


def bits(m):
    return struct.pack("<dd", m.estimate, m.std_error), m.samples


box = ([-1.0, 0.0, 0.5], [0.5, 2.0, 1.0])
n_mc = 5 * 4096 + 17  # five whole blocks and a partial one
want = hpk.mc_integrate(py_poly, *box, n_mc, 9, ctx=serial)
assert bits(hpk.mpi.mc_integrate(py_poly, *box, n_mc, 9, ctx=ctx, comm=comm)) == bits(want)
assert bits(hpk.mpi.mc_integrate(py_poly, *box, n_mc, seed=9)) == bits(want)  # default comm and ctx
one = hpk.mpi.mc_integrate(lambda p: 2.5, [0.0], [2.0], 1, comm=comm)  # one sample: NaN std_error
assert one.estimate == 5.0 and one.std_error != one.std_error and one.samples == 1
if len(sys.argv) > 2:
    dll = ctypes.CDLL(sys.argv[2])
    f = hpk.INTEGRAND(("poly", dll))
    assert bits(hpk.mc_integrate(f, *box, n_mc, 9, ctx=serial)) == bits(want)
    with hpk.Context("openmp", threads=3) as o:
        for c in (ctx, o, None):
            assert bits(hpk.mpi.mc_integrate(f, *box, n_mc, 9, ctx=c, comm=comm)) == bits(want)
        address = ctypes.cast(f, ctypes.c_void_p).value
        assert bits(hpk.mpi.mc_integrate(address, *box, n_mc, 9, ctx=o, comm=comm)) == bits(want)
        big = hpk.mpi.mc_integrate(f, *box, 10**6 + 1, 4, ctx=o, comm=comm)
        assert bits(big) == bits(hpk.mc_integrate(f, *box, 10**6 + 1, 4, ctx=o))
# A Python integrand raising on one rank: the exception there, the collective completed everywhere.
def failing(p):
    if rank == 0:
        raise ZeroDivisionError("rank 0 fails")
    return 1.0


try:
    r_fail = hpk.mpi.mc_integrate(failing, [0.0], [1.0], 10_000, comm=comm)
except ZeroDivisionError:
    assert rank == 0
else:
    assert rank != 0 and r_fail.samples == 10_000
comm.Barrier()
if size > 1:
    try:
        hpk.mpi.mc_integrate(py_poly, [0.0], [1.0 + rank], 100, comm=comm)  # the bounds disagree
    except hpk.MPIError:
        pass
    else:
        raise AssertionError("disagreeing bounds were accepted")
try:
    hpk.mpi.mc_integrate(py_poly, [0.0], [0.0], 100, comm=comm)
except hpk.InvalidArgumentError:
    pass
else:
    raise AssertionError("an empty box was accepted")
try:
    hpk.mpi.mc_integrate("poly", [0.0], [1.0], 100, comm=comm)
except TypeError as e:
    assert "hpk.mpi.mc_integrate: f must be" in str(e), str(e)
else:
    raise AssertionError("a str integrand was accepted")
try:
    hpk.mpi.mc_integrate(py_poly, [0.0], [1.0, 2.0], 100, comm=comm)
except ValueError as e:
    assert "lower has 1 bounds but upper has 2" in str(e), str(e)
else:
    raise AssertionError("mismatched bounds were accepted")

# Errors: reported on every rank, the same.
if size > 1:
    try:
        hpk.mpi.mc_pi(1000, seed=rank, comm=comm)  # the seeds disagree
    except hpk.MPIError as e:
        assert "seed" in str(e), str(e)
    else:
        raise AssertionError("disagreeing seeds were accepted")
# hpk's own check failing on one rank is reported on every rank, the same.
try:
    hpk.mpi.mc_pi(0 if rank == size - 1 else 1000, comm=comm)
except hpk.InvalidArgumentError as e:
    messages = comm.allgather(str(e))
    assert len(set(messages)) == 1 and "samples" in messages[0], messages
else:
    raise AssertionError("samples=0 was accepted")
try:
    hpk.mpi.sum(np.zeros(4, np.int64), comm=comm)
except TypeError as e:
    assert "x has dtype int64" in str(e)
else:
    raise AssertionError("int64 data was accepted")
try:
    hpk.mpi.sum(np.zeros(4), comm="world")
except TypeError as e:
    assert "mpi4py.MPI.Comm" in str(e)
else:
    raise AssertionError("a str communicator was accepted")
sub = comm.Split(rank % 2, rank)
assert hpk.mpi.sum(np.ones(3), comm=sub) == 3.0 * sub.size
sub.Free()

comm.Barrier()
print(f"rank {rank} ok", flush=True)
