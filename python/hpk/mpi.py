"""hpk.mpi: hpk across processes, on mpi4py communicators (hpk_mpi.h).

Distributed GEMV, reductions and Monte Carlo: each rank passes its own
block of the data as numpy arrays (float32 or float64, any stride, as in
hpk), computes its share with the kernels of its hpk context and hpk
combines the partial results in a fixed order.  Run under mpirun:

    # mpirun -np 2 python3 this.py
    import numpy as np, hpk, hpk.mpi
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    first, count = hpk.mpi.block_range(10**6, comm=comm)   # this rank's block
    x = np.random.default_rng(0).random(10**6)[first:first + count]
    print(hpk.mpi.sum(x, comm=comm), hpk.mpi.mc_pi(10**7, seed=1, comm=comm))

Every call is collective over comm (all ranks call it, in the same order);
comm and ctx are keyword-only: comm=None is MPI.COMM_WORLD and ctx=None
the calling thread's default context, as in hpk.  Results are the same bits on every rank; Monte Carlo,
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

from . import _hpk

if not _hpk.have_mpi:
    raise ImportError(
        "hpk.mpi: this build of hpk has no MPI part (hpk.have_mpi is False); rebuild it where MPI and mpi4py "
        "are installed (Debian: libopenmpi-dev openmpi-bin python3-mpi4py)"
    )
try:
    from mpi4py import MPI as _MPI  # noqa: F401  initialises MPI
except ImportError as _e:  # pragma: no cover - depends on the machine
    raise ImportError("hpk.mpi takes mpi4py communicators: install mpi4py (Debian: python3-mpi4py)") from _e

from ._hpk.mpi import *  # noqa: E402,F403  hpk_mpi.h's kernels, block_range, last_times, Times
from ._hpk.mpi import __all__  # noqa: E402,F401
