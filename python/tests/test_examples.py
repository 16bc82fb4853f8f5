"""Each example in python/examples runs with small sizes, exits 0 and says
"results agree" (its own check of numpy's result against hpk's)."""
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"

SMALL = {
    "gemv.py": ["--sizes", "64", "300", "--repeat", "1"],
    "mc_pi.py": ["--samples", "100000", "--workers", "2"],
    "reproducible_sum.py": ["--n", "100003"],
}


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES.glob("[!_]*.py")) == sorted(SMALL)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_example_runs_and_agrees(name):
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *SMALL[name]],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "results agree" in run.stdout, run.stdout
    assert "DO NOT agree" not in run.stdout


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
