"""The installed type stubs of hpk._hpk (and its submodules cl and mpi) are
what nanobind's stub generator makes of the installed module: regenerated
here into a temporary folder and compared file by file.  The pure-Python
modules hpk, hpk.cl and hpk.mpi only re-export these names."""
import pathlib
import subprocess
import sys

import pytest

import hpk
from conftest import stubs

ROOT = pathlib.Path(__file__).resolve().parents[2]
INSTALLED = pathlib.Path(hpk._hpk.__file__).parent

pytest.importorskip("nanobind.stubgen")


def test_installed_stubs_match_the_module(tmp_path):
    subprocess.run([sys.executable, "-m", "nanobind.stubgen", "-q", "-r", "-m", "hpk._hpk",
                    "-p", str(ROOT / "python/stubgen.pat"), "-O", str(tmp_path)], check=True)
    generated, installed = stubs(tmp_path), stubs(INSTALLED)
    assert "__init__.pyi" in generated
    assert sorted(installed) == sorted(generated)
    for name, text in generated.items():
        assert installed[name] == text, f"{name} is stale: rebuild hpk"


def _modules():
    import importlib

    names = ["hpk"] + [m for m, have in (("hpk.cl", hpk.have_opencl), ("hpk.mpi", hpk.have_mpi)) if have]
    out = []
    for name in names:
        try:
            out.append(importlib.import_module(name))
        except ImportError:  # pyopencl or mpi4py missing
            pass
    return out


def test_ctx_and_comm_are_keyword_only():
    seen = 0
    for module in _modules():
        for name in module.__all__:
            sig = getattr(getattr(module, name), "__nb_signature__", None)
            if not sig:
                continue
            text = sig[0][0]
            for arg in ("ctx:", "comm:"):
                if arg in text:
                    seen += 1
                    assert "*, " in text and text.index("*, ") < text.index(arg), (module.__name__, name, text)
    assert seen >= 8
