"""Each example in python/examples runs with small sizes, exits 0 and says
"results agree" (its own check of the usual way's result against hpk's).
cl_matvec.py is skipped without pyopencl or an fp64 OpenCL device,
mpi_matvec.py (run as test_mpi.py runs its worker, mpirun -np 2) without
mpirun, mpi4py or hpk's MPI part."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import hpk

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"

SMALL = {
    "batched.py": ["--rows", "1001", "--cols", "7", "--batch", "301", "--size", "5", "--loop", "100", "--repeat", "1"],
    "gemv.py": ["--sizes", "64", "300", "--repeat", "1"],
    "mc_pi.py": ["--samples", "100000", "--workers", "2"],
    "reproducible_sum.py": ["--n", "100003"],
}
# Uneven sizes: block_range gives the two ranks 4096 and 904 rows.
MPI_SMALL = ["--rows", "5000", "--cols", "77", "--n", "100003", "--repeat", "1"]
CL_SMALL = ["--rows", "300", "--cols", "77", "--repeat", "1"]


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES.glob("[!_]*.py")) == sorted([*SMALL, "cl_matvec.py", "mpi_matvec.py"])


def check(run):
    assert run.returncode == 0, run.stdout + run.stderr
    assert "results agree" in run.stdout, run.stdout
    assert "DO NOT agree" not in run.stdout


@pytest.mark.parametrize("name", sorted(SMALL))
def test_example_runs_and_agrees(name):
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *SMALL[name]],
        capture_output=True, text=True, timeout=120,
    )
    check(run)
    if name == "batched.py":  # its hpk.cl part ran, or says why not
        assert "hpk.cl on " in run.stdout or "hpk.cl: skipped" in run.stdout, run.stdout


def test_cl_matvec():
    cl = pytest.importorskip("pyopencl")
    if not hpk.have_opencl:
        pytest.skip("this build of hpk has no OpenCL backend")
    try:
        devices = [d for p in cl.get_platforms() for d in p.get_devices()]
    except cl.Error as e:  # no ICD
        pytest.skip(f"no OpenCL platform: {e}")
    if not any("cl_khr_fp64" in d.extensions for d in devices):
        pytest.skip("no OpenCL device with cl_khr_fp64")
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "cl_matvec.py"), *CL_SMALL],
        capture_output=True, text=True, timeout=120,
    )
    check(run)


def test_mpi_matvec():
    # As test_mpi.py runs mpi_worker.py: the same skips, flags and environment.
    if not hpk.have_mpi:
        pytest.skip("this build of hpk has no MPI part (hpk.have_mpi is False)")
    pytest.importorskip("mpi4py")
    mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
    if mpirun is None:
        pytest.skip("no mpirun")
    version = subprocess.run([mpirun, "--version"], capture_output=True, text=True).stdout
    flags = ["--oversubscribe", "--bind-to", "none"] if "Open MPI" in version or "OpenRTE" in version else []
    # Open MPI refuses root without these (tests/CMakeLists.txt sets the same).
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    cmd = [mpirun, "-np", "2", *flags, sys.executable, str(EXAMPLES / "mpi_matvec.py"), *MPI_SMALL]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    check(run)
    assert "2 ranks" in run.stdout, run.stdout


def test_speed_script_runs():
    # python/bench/speed.py is a benchmark, not a test: this only checks that it
    # runs and prints its three tables, on sizes too small to time anything.
    speed = EXAMPLES.parent / "bench" / "speed.py"
    run = subprocess.run(
        [sys.executable, str(speed), "--sizes", "64", "--threads", "1", "--samples", "10000", "--repeat", "1"],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for heading in ("Per-call overhead", "hpk.gemv vs numpy", "hpk.mc_pi vs multiprocessing"):
        assert heading in run.stdout, run.stdout
