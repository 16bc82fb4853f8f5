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
        print(hpk.cl.nrm2(y, ctx), ctx.last_profile)

ctx is an OpenCL hpk.Context: hpk.Context.from_queue(queue) adopts your
in-order queue (hpk's commands and yours then run in that queue's order),
or hpk.Context("opencl") makes hpk's own, whose ctx.cl_context and
ctx.cl_queue are pyopencl objects to allocate from and enqueue on.
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

import builtins as _builtins

import numpy as _np

from . import _hpk
from ._hpk import Context, Profile

if not _hpk.have_opencl:
    raise ImportError(
        "hpk.cl: this build of hpk has no OpenCL backend (hpk.have_opencl is False); rebuild it where the "
        "OpenCL ICD loader and headers are installed (Debian: ocl-icd-opencl-dev opencl-headers)"
    )
try:
    import pyopencl as _cl
    import pyopencl.array as _cla
except ImportError as _e:  # pragma: no cover - depends on the machine
    raise ImportError(
        "hpk.cl works on pyopencl arrays and buffers: install pyopencl (Debian: python3-pyopencl)"
    ) from _e

__all__ = ["Context", "Matrix", "Profile", "Vector", "asum", "dot", "gemv", "iamax", "mc_integrate", "nrm2", "sum"]

_DTYPES = {_np.dtype(_np.float32): True, _np.dtype(_np.float64): False}  # dtype -> f32


def _dtype_of(dtype, fn, name):
    try:
        dt = _np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{fn}: {name} has dtype {dtype!r}; hpk takes float32 or float64") from None
    if dt not in _DTYPES:
        raise TypeError(f"{fn}: {name} has dtype {dt}; hpk takes float32 or float64 and does not convert")
    return dt


def _int(v, fn, what):
    if isinstance(v, bool) or not isinstance(v, (int, _np.integer)):
        raise TypeError(f"{fn}: {what} must be an int, not {type(v).__name__}")
    return int(v)


class Vector:
    """Vector(buffer, n, dtype, offset=0, inc=1)

    n elements of dtype (float32 or float64) in a pyopencl.Buffer, as
    hpk_cl.h addresses them: offset counts elements from the start of the
    buffer to the element with the lowest address, inc is the increment
    between logical elements (negative: the vector runs backwards from the
    highest of them).  Every element must lie inside the buffer (hpk checks).
    """

    __slots__ = ("buffer", "n", "dtype", "offset", "inc")

    def __init__(self, buffer, n, dtype, offset=0, inc=1):
        fn = "hpk.cl.Vector"
        if not isinstance(buffer, _cl.Buffer):
            raise TypeError(f"{fn}: buffer must be a pyopencl.Buffer, not {type(buffer).__name__}")
        self.buffer = buffer
        self.n = _int(n, fn, "n")
        self.dtype = _dtype_of(dtype, fn, "the vector")
        self.offset = _int(offset, fn, "offset")
        self.inc = _int(inc, fn, "inc")
        if self.n < 0 or self.offset < 0:
            raise ValueError(f"{fn}: n and offset must not be negative")
        if self.inc == 0 and self.n > 1:
            raise ValueError(f"{fn}: inc must not be 0")

    def __repr__(self):
        return f"hpk.cl.Vector(n={self.n}, dtype={self.dtype}, offset={self.offset}, inc={self.inc})"


class Matrix:
    """Matrix(buffer, shape, dtype, offset=0, ld=None, order="C")

    A rows x cols matrix of dtype in a pyopencl.Buffer: order "C" (row-major,
    ld >= cols, the distance between rows) or "F" (column-major, ld >= rows),
    its element [0, 0] at element `offset` of the buffer.  ld defaults to the
    contiguous value.
    """

    __slots__ = ("buffer", "shape", "dtype", "offset", "ld", "order")

    def __init__(self, buffer, shape, dtype, offset=0, ld=None, order="C"):
        fn = "hpk.cl.Matrix"
        if not isinstance(buffer, _cl.Buffer):
            raise TypeError(f"{fn}: buffer must be a pyopencl.Buffer, not {type(buffer).__name__}")
        if order not in ("C", "F"):
            raise ValueError(f"{fn}: order must be 'C' or 'F', not {order!r}")
        rows, cols = (_int(s, fn, "shape[i]") for s in shape)
        self.buffer = buffer
        self.shape = (rows, cols)
        self.dtype = _dtype_of(dtype, fn, "the matrix")
        self.offset = _int(offset, fn, "offset")
        self.order = order
        self.ld = max(1, cols if order == "C" else rows) if ld is None else _int(ld, fn, "ld")
        if rows < 0 or cols < 0 or self.offset < 0:
            raise ValueError(f"{fn}: shape and offset must not be negative")

    def __repr__(self):
        return (f"hpk.cl.Matrix(shape={self.shape}, dtype={self.dtype}, offset={self.offset}, "
                f"ld={self.ld}, order={self.order!r})")


class _Dev:
    """One argument as hpk_cl.h takes it, plus what the checks need."""

    __slots__ = ("f32", "dtype", "mem", "mem_id", "offset", "lo", "hi", "queue", "obj")


def _check_ctx(ctx, fn):
    if not isinstance(ctx, Context):
        raise TypeError(f"{fn}: ctx must be an OpenCL hpk.Context (hpk.Context.from_queue(queue) or "
                        f"hpk.Context('opencl')), not {type(ctx).__name__}")
    if ctx.closed:
        raise ValueError(f"{fn}: the context is closed")
    if ctx.backend != "opencl":
        raise ValueError(f"{fn}: ctx is a {ctx.backend} context; hpk.cl needs an OpenCL one")
    return ctx._cl_context_ptr, ctx._cl_queue_ptr


def _not_device(obj, fn, name, ndim):
    if isinstance(obj, _cl.MemoryObjectHolder):
        kind = "hpk.cl.Vector(buffer, n, dtype, offset, inc)" if ndim == 1 else \
            "hpk.cl.Matrix(buffer, shape, dtype, offset, ld, order)"
        return TypeError(f"{fn}: {name} is a bare {type(obj).__name__}, whose size and type hpk cannot "
                         f"know: pass a pyopencl.array.Array or {kind}")
    if isinstance(obj, _np.ndarray):
        return TypeError(f"{fn}: {name} is a numpy.ndarray, a host array: pass a pyopencl.array.Array "
                         f"(pyopencl.array.to_device), or use the host function hpk.{fn.rsplit('.', 1)[1]}")
    what = "a 1-D" if ndim == 1 else "a 2-D"
    return TypeError(f"{fn}: {name} must be {what} pyopencl.array.Array of float32 or float64 "
                     f"(or an hpk.cl.{'Vector' if ndim == 1 else 'Matrix'}), not {type(obj).__name__}")


def _owner(obj, fn, name, ctx_ptr, context):
    if context.int_ptr != ctx_ptr:
        raise ValueError(f"{fn}: {name} belongs to another OpenCL context than ctx's; hpk reads only buffers "
                         f"of ctx.cl_context (use hpk.Context.from_queue with a queue of {name}'s context)")


def _vector(obj, fn, name, ctx_ptr):
    """(n, inc, _Dev) for a 1-D argument."""
    d = _Dev()
    d.obj = obj
    if isinstance(obj, _cla.Array):
        if obj.ndim != 1:
            raise ValueError(f"{fn}: {name} must be 1-D, not {obj.ndim}-D")
        d.dtype = _dtype_of(obj.dtype, fn, name)
        _owner(obj, fn, name, ctx_ptr, obj.context)
        size = d.dtype.itemsize
        n = obj.shape[0]
        stride, off = obj.strides[0], obj.offset
        if stride % size or off % size:
            raise ValueError(f"{fn}: {name}'s stride ({stride} bytes) or offset ({off} bytes) is not a "
                             f"whole number of {d.dtype} elements")
        inc = stride // size if n > 1 else 1
        if inc == 0:
            raise ValueError(f"{fn}: {name} has stride 0 (a broadcast view), which BLAS cannot express")
        first = off // size
        # pyopencl's offset is logical element 0; hpk's is the lowest address.
        d.offset = first + (n - 1) * inc if inc < 0 else first
        d.mem = obj.base_data.int_ptr if (obj.base_data is not None and n > 0) else 0
        d.queue = obj.queue
    elif isinstance(obj, Vector):
        d.dtype = obj.dtype
        _owner(obj, fn, name, ctx_ptr, obj.buffer.context)
        n, inc, d.offset = obj.n, (obj.inc if obj.n > 1 else 1), obj.offset
        d.mem = obj.buffer.int_ptr
        d.queue = None
    else:
        raise _not_device(obj, fn, name, 1)
    d.f32 = _DTYPES[d.dtype]
    d.mem_id = d.mem
    size = d.dtype.itemsize
    d.lo = d.offset * size
    d.hi = d.lo + ((n - 1) * abs(inc) + 1) * size if n > 0 else d.lo
    return n, inc, d


def _matrix(obj, fn, name, ctx_ptr):
    """(m, n, layout, lda, _Dev) for a 2-D argument (layout 0 row-major, 1 column-major)."""
    d = _Dev()
    d.obj = obj
    if isinstance(obj, _cla.Array):
        if obj.ndim != 2:
            raise ValueError(f"{fn}: {name} must be 2-D, not {obj.ndim}-D")
        d.dtype = _dtype_of(obj.dtype, fn, name)
        _owner(obj, fn, name, ctx_ptr, obj.context)
        size = d.dtype.itemsize
        (m, n), (br, bc), off = obj.shape, obj.strides, obj.offset
        if br % size or bc % size or off % size:
            raise ValueError(f"{fn}: {name}'s strides {obj.strides} or offset ({off} bytes) are not whole "
                             f"numbers of {d.dtype} elements")
        sr, sc = br // size, bc // size
        lda, layout = max(1, n), 0
        if m == 0 or n == 0 or (m == 1 and (n == 1 or sc == 1)):
            pass
        elif (sc == 1 or n == 1) and m > 1 and sr >= max(1, n):
            lda = sr
        elif (sr == 1 or m == 1) and sc >= max(1, m):
            layout, lda = 1, (max(1, m) if n == 1 else sc)
        elif (sr == 1 or m == 1) and n == 1:
            layout, lda = 1, max(1, m)
        else:
            raise ValueError(f"{fn}: {name} has strides ({sr}, {sc}) (in elements), which BLAS cannot "
                             f"express: one dimension needs stride 1 and the other a positive stride at least "
                             f"the first's extent (C or Fortran order, or a slice of one)")
        d.offset = off // size
        d.mem = obj.base_data.int_ptr if (obj.base_data is not None and m * n > 0) else 0
        d.queue = obj.queue
    elif isinstance(obj, Matrix):
        d.dtype = obj.dtype
        _owner(obj, fn, name, ctx_ptr, obj.buffer.context)
        (m, n), layout, lda, d.offset = obj.shape, (0 if obj.order == "C" else 1), obj.ld, obj.offset
        d.mem = obj.buffer.int_ptr
        d.queue = None
    else:
        raise _not_device(obj, fn, name, 2)
    d.f32 = _DTYPES[d.dtype]
    d.mem_id = d.mem
    size = d.dtype.itemsize
    d.lo = d.offset * size
    vecs, length = (m, n) if layout == 0 else (n, m)
    d.hi = d.lo + ((vecs - 1) * lda + length) * size if m * n > 0 else d.lo
    return m, n, layout, lda, d


def _same_dtype(ref, ref_name, other, other_name, fn):
    if ref.dtype != other.dtype:
        raise TypeError(f"{fn}: {other_name} is {other.dtype} but {ref_name} is {ref.dtype}; hpk does not "
                        f"mix precisions or convert")


def _overlap(y, other):
    return y.mem and y.mem == other.mem and y.lo < y.hi and other.lo < other.hi and \
        y.lo < other.hi and other.lo < y.hi


def _sync(queue_ptr, *args):
    """Waits for the queues of arrays that are not on ctx's queue."""
    done = set()
    for d in args:
        q = d.queue
        if q is not None and q.int_ptr != queue_ptr and q.int_ptr not in done:
            q.finish()
            done.add(q.int_ptr)
    return bool(done)


def gemv(a, x, y=None, *, alpha=1.0, beta=0.0, trans=False, ctx):
    """gemv(a, x, y=None, *, alpha=1.0, beta=0.0, trans=False, ctx) -> y

    y = alpha * a @ x + beta * y (trans=True: a.T @ x) on the device
    (hpk_cl_?gemv).  a is a 2-D pyopencl Array in C or Fortran order or a
    slice of one (or an hpk.cl.Matrix), x and y 1-D Arrays (any stride,
    negative included) or hpk.cl.Vectors, all of one dtype.  y=None returns
    a new pyopencl Array on a's queue (beta must be 0); otherwise y is
    written in place and returned.  The kernels are enqueued on ctx's queue
    and the call returns at once: pyopencl's own reads of y on that queue
    (y.get()) come after them.  Bitwise the CPU backends' y.
    """
    fn = "hpk.cl.gemv"
    ctx_ptr, queue_ptr = _check_ctx(ctx, fn)
    m, n, layout, lda, ad = _matrix(a, fn, "a", ctx_ptr)
    xlen, ylen = (m, n) if trans else (n, m)
    which = "trans=True" if trans else "trans=False"
    nx, incx, xd = _vector(x, fn, "x", ctx_ptr)
    _same_dtype(ad, "a", xd, "x", fn)
    if nx != xlen:
        raise ValueError(f"{fn}: x has {nx} elements, but a is {m} x {n}, so x needs {xlen} ({which})")
    if y is None:
        if beta != 0.0:
            raise ValueError(f"{fn}: beta is {beta:g} but y is None; pass y to accumulate into it")
        queue = ad.queue if ad.queue is not None else ctx.cl_queue
        y = (_cla.zeros if xlen == 0 else _cla.empty)(queue, ylen, ad.dtype)
    ny, incy, yd = _vector(y, fn, "y", ctx_ptr)
    _same_dtype(ad, "a", yd, "y", fn)
    if ny != ylen:
        raise ValueError(f"{fn}: y has {ny} elements, but a is {m} x {n}, so y needs {ylen} ({which})")
    if _overlap(yd, ad):
        raise ValueError(f"{fn}: y shares memory with a; y must be a separate array")
    if _overlap(yd, xd):
        raise ValueError(f"{fn}: y shares memory with x; y must be a separate array")
    foreign = _sync(queue_ptr, ad, xd, yd)
    _hpk._cl_gemv(ctx, ad.f32, layout, bool(trans), m, n, float(alpha), ad.mem, ad.offset, lda,
                  xd.mem, xd.offset, incx, float(beta), yd.mem, yd.offset, incy)
    if foreign:
        ctx.cl_queue.finish()  # the arrays' own queues must see y
    return y


def _reduce(op, fn, ctx, x, y=None):
    ctx_ptr, queue_ptr = _check_ctx(ctx, fn)
    n, incx, xd = _vector(x, fn, "x", ctx_ptr)
    if op == "dot":
        ny, incy, yd = _vector(y, fn, "y", ctx_ptr)
        _same_dtype(xd, "x", yd, "y", fn)
        if ny != n:
            raise ValueError(f"{fn}: x has {n} elements but y has {ny}")
        _sync(queue_ptr, xd, yd)
        return _hpk._cl_reduce(op, ctx, xd.f32, n, xd.mem, xd.offset, incx, yd.mem, yd.offset, incy)
    _sync(queue_ptr, xd)
    return _hpk._cl_reduce(op, ctx, xd.f32, n, xd.mem, xd.offset, incx)


def sum(x, ctx):
    """The sum of the device vector x (hpk_cl_?sum): bitwise hpk.sum of the same data."""
    return _reduce("sum", "hpk.cl.sum", ctx, x)


def asum(x, ctx):
    """The sum of |x_i| of the device vector x (hpk_cl_?asum): bitwise hpk.asum of the same data."""
    return _reduce("asum", "hpk.cl.asum", ctx, x)


def nrm2(x, ctx):
    """The Euclidean norm of the device vector x (hpk_cl_?nrm2), overflow- and underflow-safe:
    bitwise hpk.nrm2 of the same data."""
    return _reduce("nrm2", "hpk.cl.nrm2", ctx, x)


def dot(x, y, ctx):
    """The dot product of two device vectors of one dtype and length (hpk_cl_?dot): bitwise
    hpk.dot of the same data."""
    return _reduce("dot", "hpk.cl.dot", ctx, x, y)


def iamax(x, ctx):
    """The 0-based index of the first largest |x_i| of the device vector x (hpk_cl_i?amax;
    NaN beats every number, the first NaN wins; -1 when empty), in x's own order."""
    return _reduce("iamax", "hpk.cl.iamax", ctx, x)


def mc_integrate(source, lower, upper, samples, seed=0, *, ctx):
    """mc_integrate(source, lower, upper, samples, seed=0, *, ctx) -> MCResult

    hpk.mc_integrate on the device (hpk_cl_mc_integrate), the integrand given
    as OpenCL C source (a str) that defines

        double hpk_integrand(const double *point, int dim)

    (helper functions and constants too; names starting with hpk_ are
    reserved), dim being len(lower).  The sample points are hpk.mc_integrate's
    and are combined in hpk.h's canonical order, so an integrand whose values
    are bit for bit those of a C (or Python) integrand gives bitwise
    hpk.mc_integrate's MCResult on a CPU context; otherwise the result differs
    only as the integrand values do.  The built program is cached per context
    and on disk, keyed by the source and dim.  Needs fp64
    (hpk.UnsupportedError without it).  Blocks until the result is read back;
    the GIL is released meanwhile.

    The source is compiled with the rights of this process (an #include in it
    can read any file the process can read): pass only sources you would
    compile yourself.  A source that does not build raises hpk.DeviceError
    whose message holds the build log (some drivers, PoCL among them, also
    print an error count to stderr).  Bounds must be finite with
    lower[d] < upper[d], 1 <= len(lower) <= 256 and samples >= 1
    (hpk.InvalidArgumentError, a ValueError, otherwise).
    """
    fn = "hpk.cl.mc_integrate"
    _check_ctx(ctx, fn)
    return _hpk._cl_mc_integrate(source, lower, upper, samples, seed, ctx)


del _builtins
