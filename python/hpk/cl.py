"""hpk.cl: hpk's OpenCL kernels on data that already lives on the device.

The functions of hpk_cl.h (hpk_cl_?gemv, hpk_cl_?dot, ...) on pyopencl
objects: pyopencl.array.Array of float32 or float64 (offsets and strides
included, negative 1-D strides too), or a pyopencl.Buffer described by
hpk.cl.Vector / hpk.cl.Matrix.  Nothing goes through the host: the kernels
read the buffers where they are, and the results are bitwise those of hpk's
CPU backends on the same data (hpk_cl.h, "Results and reproducibility";
float32 bitwise only on devices with fp64).

    import numpy as np, pyopencl as cl, pyopencl.array as cla, hpk, hpk.cl
    queue = cl.CommandQueue(cl.create_some_context())
    with hpk.Context.from_queue(queue) as ctx:      # hpk shares your queue
        a = cla.to_device(queue, np.random.rand(1000, 500))
        x = cla.to_device(queue, np.ones(500))
        y = hpk.cl.gemv(a, x, ctx=ctx)              # a pyopencl Array, on the device
        print(hpk.cl.nrm2(y, ctx=ctx), ctx.last_profile)

Batches, one call each (hpk_cl.h, "Batches on the device"): hpk.cl.gemv
takes stacks, a of shape (b, m, n) with x of shape (b, n), giving y of
shape (b, m) on the device; the reductions take axis= on 2-D device arrays
(row or column norms, sums, dots, i?amax), giving a numpy array.  Strided
views, stride 0 and negative strides between problems included, are used
as they are.

ctx, keyword-only and required, is an OpenCL hpk.Context:
hpk.Context.from_queue(queue) adopts your in-order queue (hpk's commands
and yours then run in that queue's order), or hpk.Context("opencl") makes
hpk's own, whose ctx.cl_context and ctx.cl_queue are pyopencl objects to
allocate from and enqueue on.
Every array must belong to ctx's OpenCL context.  An array whose queue is
not ctx's queue is waited for (its queue finished) before hpk reads it, and
gemv then waits for hpk's kernels so that the array's queue sees y.

Arguments hpk cannot use raise TypeError (not a device array, a wrong or
mixed dtype) or ValueError (another OpenCL context, a stride that is not a
whole number of elements, a layout BLAS cannot express, mismatched sizes,
y overlapping a or x), naming the argument; hpk's own checks raise
hpk.Error subclasses with hpk's message.

Importing hpk.cl raises ImportError when hpk was built without OpenCL or
pyopencl is missing.
"""

from . import _hpk

if not _hpk.have_opencl:
    raise ImportError(
        "hpk.cl: this build of hpk has no OpenCL backend (hpk.have_opencl is False); rebuild it where the "
        "OpenCL ICD loader and headers are installed (Debian: ocl-icd-opencl-dev opencl-headers)"
    )
try:
    import pyopencl  # noqa: F401  hpk.cl's arguments are pyopencl objects
    import pyopencl.array  # noqa: F401
except ImportError as _e:  # pragma: no cover - depends on the machine
    raise ImportError(
        "hpk.cl works on pyopencl arrays and buffers: install pyopencl (Debian: python3-pyopencl)"
    ) from _e

from ._hpk import Context, Profile  # noqa: E402
from ._hpk.cl import *  # noqa: E402,F403  hpk_cl.h's kernels, Vector, Matrix
from ._hpk.cl import __all__ as _names  # noqa: E402

__all__ = ["Context", "Profile", *_names]
