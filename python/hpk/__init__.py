"""hpk: fast, reproducible numerical kernels for numpy arrays.

GEMV, reductions (sum, asum, dot, nrm2, iamax) and Monte Carlo (pi, box
integration) on hpk's serial, OpenMP and OpenCL backends, working on numpy
arrays in place: nothing is copied or converted, and an array hpk cannot
use as it is raises TypeError or ValueError naming the argument.  Results
are bitwise the same on every backend and thread count (hpk.h,
"Reproducibility").

    import numpy as np, hpk
    a = np.random.default_rng(1).random((1000, 500))
    y = hpk.gemv(a, np.ones(500))              # a @ x on the default context
    with hpk.Context("serial") as ctx:
        print(hpk.nrm2(y, ctx=ctx), hpk.mc_pi(10**7, seed=42, ctx=ctx))

Many small problems go in one call: hpk.gemv takes stacks of matrices (a of
shape (b, m, n), x of shape (b, n)), and the reductions take axis= on 2-D
arrays (hpk.nrm2(a, axis=1) is the norm of each row), each result bitwise
the single call's on its own problem.

Every function takes a keyword-only ctx=None: None is the calling thread's default
context (OpenMP, all available threads); an hpk.Context selects another
backend or thread count.  Failures reported by the C library raise an
hpk.Error subclass carrying hpk's own message and status.

Two submodules, imported on demand: hpk.cl runs the kernels on pyopencl
arrays already on an OpenCL device (hpk.Context.from_queue adopts a
pyopencl queue), and hpk.mpi runs them across MPI ranks on mpi4py
communicators.  hpk.have_opencl and hpk.have_mpi say whether this build has
them.
"""

from ._hpk import *  # noqa: F403  the compiled core's public names (its __all__)
from ._hpk import __all__, __version__  # noqa: F401
