"""Matrix-vector product on an OpenCL device: the classic teaching kernel
(one work-item per row, a plain loop over the columns, double precision)
beside hpk.cl.gemv, on the same pyopencl arrays and the same queue.

    python python/examples/cl_matvec.py                     # 4096 x 4096, ~1 s on PoCL
    python python/examples/cl_matvec.py --rows 16384 --cols 8192 --device gpu

hpk adopts your queue with hpk.Context.from_queue(queue): its kernels go on
the queue your own commands use, so ordering needs no extra synchronisation
and nothing is copied to or from the host.  Prints the best kernel time of
each (pyopencl's event profiling for the naive kernel, ctx.last_profile for
hpk) and whether the two y agree within cols * eps * (|a| @ |x|) per element,
the error bound of any order of summation.  Also checks that hpk.cl.gemv's
y is bit for bit hpk.gemv's on the host (hpk sums in one fixed order on
every backend).  Exits 1 if either check fails.
"""
import argparse

import numpy as np
import pyopencl as cl
import pyopencl.array as cla

import hpk
import hpk.cl

# The textbook kernel: work-item i computes y[i] = sum_j a[i, j] * x[j] with
# a row-major.  Simple and correct, but on a GPU neighbouring work-items read
# addresses `cols` doubles apart (no coalescing) and each re-reads x.
NAIVE_SRC = """
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void matvec(const int rows, const int cols,
                     __global const double *a, __global const double *x,
                     __global double *y)
{
    const int i = get_global_id(0);
    if (i >= rows) return;
    __global const double *row = a + (size_t)i * cols;
    double s = 0.0;
    for (int j = 0; j < cols; ++j)
        s += row[j] * x[j];
    y[i] = s;
}
"""


def pick_device(spec):
    """The device named by spec ("gpu", "cpu", "P:D" or part of a name), else the
    first GPU, else the first device; it must have cl_khr_fp64."""
    found = [(p_i, d_i, d) for p_i, p in enumerate(cl.get_platforms())
             for d_i, d in enumerate(p.get_devices())]
    if spec in ("gpu", "cpu"):
        kind = cl.device_type.GPU if spec == "gpu" else cl.device_type.CPU
        found = [f for f in found if f[2].type & kind]
    elif spec and ":" in spec:
        found = [f for f in found if f"{f[0]}:{f[1]}" == spec]
    elif spec:
        found = [f for f in found if spec.lower() in f[2].name.lower()]
    else:
        found.sort(key=lambda f: not f[2].type & cl.device_type.GPU)  # GPUs first
    found = [f for f in found if "cl_khr_fp64" in f[2].extensions]
    if not found:
        raise SystemExit(f"no OpenCL device with cl_khr_fp64 matches {spec or 'any'}")
    return found[0][2]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=4096)
    p.add_argument("--cols", type=int, default=4096)
    p.add_argument("--repeat", type=int, default=10, help="timed runs of each kernel (best is kept)")
    p.add_argument("--device", default=None, help='"gpu", "cpu", "P:D" or part of a device name')
    args = p.parse_args()
    rows, cols = args.rows, args.cols

    device = pick_device(args.device)
    context = cl.Context([device])
    # One in-order queue with profiling: pyopencl's commands and hpk's share it.
    queue = cl.CommandQueue(context, properties=cl.command_queue_properties.PROFILING_ENABLE)
    ctx = hpk.Context.from_queue(queue)
    print(f"device: {device.name} ({device.platform.name}); hpk {hpk.__version__}")
    print(f"{rows} x {cols} doubles, best of {args.repeat} runs")

    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (rows, cols))  # float64, C order
    x = rng.uniform(-1, 1, cols)
    a_d, x_d = cla.to_device(queue, a), cla.to_device(queue, x)  # uploaded once, used by both
    y_naive = cla.zeros(queue, rows, np.float64)
    y_hpk = cla.zeros(queue, rows, np.float64)

    matvec = cl.Program(context, NAIVE_SRC).build().matvec
    matvec.set_scalar_arg_dtypes([np.int32, np.int32, None, None, None])

    naive_s = hpk_s = float("inf")
    for _ in range(args.repeat + 1):  # the first run of each is a warm-up
        event = matvec(queue, (rows,), None, rows, cols, a_d.data, x_d.data, y_naive.data)
        event.wait()
        naive_s = min(naive_s, (event.profile.end - event.profile.start) * 1e-9)
        hpk.cl.gemv(a_d, x_d, y_hpk, ctx=ctx)  # enqueued; returns at once
        profile = ctx.last_profile  # waits for hpk's kernels, then reads their events
        hpk_s = min(hpk_s, profile.kernel_s)
    gb = 8 * rows * cols / 1e9  # the matrix is read once
    print(f"naive kernel: {naive_s * 1e3:9.3f} ms  {gb / naive_s:6.1f} GB/s")
    print(f"hpk.cl.gemv:  {hpk_s * 1e3:9.3f} ms  {gb / hpk_s:6.1f} GB/s")

    # Checks, on the host.
    yn, yh = y_naive.get(), y_hpk.get()  # .get() on the same queue: after the kernels
    bound = cols * np.finfo(np.float64).eps * (np.abs(a) @ np.abs(x))
    ratio = float(np.max(np.abs(yn - yh) / bound)) if rows else 0.0
    with hpk.Context("openmp") as cpu:
        y_cpu = hpk.gemv(a, x, ctx=cpu)
    same_bits = yh.tobytes() == y_cpu.tobytes()
    print(f"max |naive - hpk| / bound: {ratio:.2e}; "
          f"hpk.cl.gemv bit for bit hpk.gemv on the CPU: {'yes' if same_bits else 'NO'}")
    ctx.close()

    ok = ratio <= 1.0 and same_bits
    print("results agree (within cols*eps*|a||x|; hpk's device bits identical to its CPU bits)"
          if ok else "results DO NOT agree")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
