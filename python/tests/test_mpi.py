"""hpk.mpi under mpirun (1 and 2 ranks), through a subprocess running
mpi_worker.py: distributed gemv, reductions, mc_pi and mc_integrate (C and
Python integrands) bitwise against one process.  Skipped when mpirun, mpi4py
or hpk's MPI part is missing."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import hpk
from conftest import POLY_C, build_integrand

WORKER = pathlib.Path(__file__).with_name("mpi_worker.py")

if not hpk.have_mpi:
    pytest.skip("this build of hpk has no MPI part (hpk.have_mpi is False)", allow_module_level=True)
pytest.importorskip("mpi4py")
MPIRUN = shutil.which("mpirun") or shutil.which("mpiexec")
if MPIRUN is None:
    pytest.skip("no mpirun", allow_module_level=True)


def mpirun(np, *args):
    version = subprocess.run([MPIRUN, "--version"], capture_output=True, text=True).stdout
    flags = ["--oversubscribe", "--bind-to", "none"] if "Open MPI" in version or "OpenRTE" in version else []
    # Open MPI refuses root without these (tests/CMakeLists.txt sets the same).
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    cmd = [MPIRUN, "-np", str(np), *flags, sys.executable, str(WORKER), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)




@pytest.fixture(scope="module")
def poly_lib(tmp_path_factory):
    """A C integrand for hpk.mpi.mc_integrate (None without a C compiler: the worker then checks
    Python integrands only)."""
    return build_integrand(tmp_path_factory, "poly", POLY_C)


@pytest.mark.parametrize("np_", [1, 2])
@pytest.mark.parametrize("backend", ["openmp", "serial"])
def test_distributed_bitwise(np_, backend, poly_lib):
    r = mpirun(np_, backend, *([poly_lib] if poly_lib else []))
    assert r.returncode == 0, r.stdout + r.stderr
    for rank in range(np_):
        assert f"rank {rank} ok" in r.stdout, r.stdout + r.stderr


def test_import_without_mpi_part(monkeypatch):
    import importlib

    monkeypatch.setattr(hpk._hpk, "have_mpi", False)
    monkeypatch.delitem(sys.modules, "hpk.mpi", raising=False)
    with pytest.raises(ImportError, match="no MPI part"):
        importlib.import_module("hpk.mpi")
