"""hpk.mpi: hpk across processes, on mpi4py communicators (hpk_mpi.h).

Distributed GEMV, reductions and Monte Carlo: each rank passes its own
block of the data as numpy arrays (float32 or float64, any stride, as in
hpk), computes its share with the kernels of its hpk context and hpk
combines the partial results in a fixed order.  Run under mpirun:

    # mpirun -np 2 python3 this.py
    import numpy as np, hpk, hpk.mpi
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    first, count = hpk.mpi.block_range(10**6, comm)   # this rank's block
    x = np.random.default_rng(0).random(10**6)[first:first + count]
    print(hpk.mpi.sum(x, comm), hpk.mpi.mc_pi(10**7, seed=1, comm=comm))

Every call is collective over comm (all ranks call it, in the same order);
comm=None is MPI.COMM_WORLD and ctx=None the calling thread's default
context, as in hpk.  Results are the same bits on every rank; Monte Carlo,
row-block gemv and (over block_range's split) the reductions are bitwise
hpk's single-process results (hpk_mpi.h, "Reproducibility").  The GIL is
released during the calls (except while a Python integrand runs).  Argument
errors found by hpk are reported on every rank (hpk.InvalidArgumentError,
hpk.MPIError when the ranks disagree);
TypeError / ValueError raised before the call are local to one rank, like
any Python exception in an MPI program.

Importing hpk.mpi imports mpi4py.MPI (which initialises MPI) and raises
ImportError when hpk was built without its MPI part (hpk.have_mpi is False:
it needs hpk's MPI layer and mpi4py when the extension is built) or mpi4py
is missing.
"""

from collections import namedtuple as _namedtuple

import numpy as _np

from . import _hpk
from . import _integrand

if not _hpk.have_mpi:
    raise ImportError(
        "hpk.mpi: this build of hpk has no MPI part (hpk.have_mpi is False); rebuild it where MPI and mpi4py "
        "are installed (Debian: libopenmpi-dev openmpi-bin python3-mpi4py)"
    )
try:
    from mpi4py import MPI as _MPI
except ImportError as _e:  # pragma: no cover - depends on the machine
    raise ImportError("hpk.mpi takes mpi4py communicators: install mpi4py (Debian: python3-mpi4py)") from _e

__all__ = ["Times", "asum", "block_range", "dot", "gemv", "iamax", "last_times", "mc_integrate", "mc_pi", "nrm2",
           "sum"]

Times = _namedtuple("Times", ["total_s", "compute_s", "comm_s"])
Times.__doc__ = "Wall-clock time of the last hpk.mpi call: in all, outside MPI, inside MPI (seconds)."
Times.__module__ = "hpk.mpi"


def _comm(comm):
    return _MPI.COMM_WORLD if comm is None else comm


def block_range(n, comm=None):
    """block_range(n, comm=None) -> (first, count)

    This rank's share of n elements, split at the 4096-element blocks of
    hpk's canonical order and balanced in blocks (hpk_mpi_block_range):
    reductions over this split are bitwise the single-process result.  Not
    collective."""
    return _hpk._mpi_block_range(_comm(comm), n)


def gemv(a, x, y=None, *, alpha=1.0, beta=0.0, trans=False, gathered=False, comm=None, ctx=None):
    """gemv(a, x, y=None, *, alpha=1.0, beta=0.0, trans=False, gathered=False, comm=None, ctx=None) -> y

    The global matrix A is split by rows: a is this rank's block (row-major,
    C order or a slice of rows), all blocks having the same columns.

    trans=False (hpk_mpi_?gemv): y = alpha * A @ x + beta * y with the whole
    x on every rank.  gathered=False: y is this rank's block of the result
    (a.shape[0] elements); gathered=True: y is the whole result (sum of the
    ranks' rows) on every rank.  Every y element is bitwise hpk.gemv's on
    the whole matrix, for any split.

    trans=True (hpk_mpi_?gemv_t): y = alpha * A.T @ x + beta * y, x
    distributed like A's rows (this rank's a.shape[0] elements) and y whole
    (a.shape[1] elements) on every rank.

    y=None returns a new zeroed array (beta must be 0; with gathered=True
    the rows are counted with one extra allreduce).
    """
    comm = _comm(comm)
    if y is None:
        if beta != 0.0:
            raise ValueError(f"hpk.mpi.gemv: beta is {beta:g} but y is None; pass y to accumulate into it")
        dtype = getattr(a, "dtype", _np.float64)
        shape = getattr(a, "shape", (0, 0))
        if len(shape) != 2 or _np.dtype(dtype) not in (_np.dtype(_np.float32), _np.dtype(_np.float64)):
            dtype, shape = _np.float64, (0, 0)  # the extension reports what is wrong with a
        if trans:
            ylen = shape[1]
        elif gathered:
            ylen = comm.allreduce(shape[0])
        else:
            ylen = shape[0]
        y = _np.zeros(ylen, dtype=dtype)
    _hpk._mpi_gemv(a, x, y, float(alpha), float(beta), bool(gathered), bool(trans), comm, ctx)
    return y


def sum(x, comm=None, ctx=None):
    """The sum of the distributed vector whose block on this rank is x (hpk_mpi_?sum)."""
    return _hpk._mpi_reduce("sum", x, None, _comm(comm), ctx)


def asum(x, comm=None, ctx=None):
    """The sum of |x_i| of the distributed vector whose block on this rank is x (hpk_mpi_?asum)."""
    return _hpk._mpi_reduce("asum", x, None, _comm(comm), ctx)


def nrm2(x, comm=None, ctx=None):
    """The Euclidean norm of the distributed vector whose block on this rank is x (hpk_mpi_?nrm2),
    overflow- and underflow-safe."""
    return _hpk._mpi_reduce("nrm2", x, None, _comm(comm), ctx)


def dot(x, y, comm=None, ctx=None):
    """The dot product of two distributed vectors (this rank's blocks x and y, of one length and
    dtype) (hpk_mpi_?dot)."""
    return _hpk._mpi_reduce("dot", x, y, _comm(comm), ctx)


def iamax(x, comm=None, ctx=None):
    """The global 0-based index of the first largest |x_i| of the distributed vector (hpk_mpi_i?amax):
    the ranks' block sizes before this rank plus the local index; -1 when it is empty."""
    return _hpk._mpi_reduce("iamax", x, None, _comm(comm), ctx)


def mc_pi(samples, seed=0, comm=None, ctx=None):
    """Estimate pi from `samples` Philox points shared among the ranks (hpk_mpi_mc_pi): bitwise
    hpk.mc_pi(samples, seed) on one process, for any number of ranks.  ctx must be a CPU context."""
    return _hpk._mpi_mc_pi(samples, seed, _comm(comm), ctx)


def mc_integrate(f, lower, upper, samples, seed=0, *, ctx=None, comm=None, user_data=None):
    """mc_integrate(f, lower, upper, samples, seed=0, *, ctx=None, comm=None, user_data=None) -> MCResult

    hpk.mc_integrate with the samples shared among the ranks of comm
    (hpk_mpi_mc_integrate): each rank evaluates f on its contiguous range of
    sample indices and every rank receives the result, bitwise
    hpk.mc_integrate(f, lower, upper, samples, seed) on one process for any
    number of ranks and threads.  samples, seed, len(lower) and the bounds
    must agree on every rank (hpk.MPIError otherwise); f is each rank's own
    and must compute the same function everywhere.

    f is as in hpk.mc_integrate: a C function (hpk.INTEGRAND or its address,
    user_data passed to it) run on the threads of ctx with the GIL released,
    or a Python callable f(point) -> float run with the GIL held on one
    thread (ctx itself when serial, else a serial context of the moment: the
    same bits).  An exception raised by a Python f stops its calls on that
    rank; the collective still completes and the exception propagates on
    that rank only.  ctx must be a CPU context (hpk.UnsupportedError
    otherwise).
    """
    fn = "hpk.mpi.mc_integrate"
    comm = _comm(comm)
    kind, target, ud = _integrand(f, user_data, fn)  # f stays referenced during the call
    if kind == "address":
        return _hpk._mpi_mc_integrate_address(target, ud, lower, upper, samples, seed, comm, ctx)
    return _hpk._mpi_mc_integrate_python(target, lower, upper, samples, seed, comm, ctx)


def last_times():
    """Times(total_s, compute_s, comm_s) of this thread's last hpk.mpi call (zeros before any)."""
    return Times(*_hpk._mpi_last_times())
