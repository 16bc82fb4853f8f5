"""Loading a results folder: the one reader of Google Benchmark's JSON
(bench.json and the reruns' files), its run names, and the messages for a
folder without usable results.  Everything else takes the repetitions
from here.
"""
import json
import os
import sys

JSON_NAME = "bench.json"
UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


class NoResults(Exception):
    """A results folder without usable results (its message says why)."""


def succeeded(b):
    """Whether a benchmark entry is a repetition that ran."""
    return b.get("run_type") == "iteration" and not b.get("error_occurred") and not b.get("skipped")


def load_json(results_dir):
    """The folder's bench.json; NoResults when the folder, the file or its
    measurements are missing or unreadable."""
    if not os.path.isdir(results_dir):
        raise NoResults(f"{results_dir} is not a folder")
    path = os.path.join(results_dir, JSON_NAME)
    if not os.path.exists(path):
        raise NoResults(f"{results_dir} has no {JSON_NAME}: the study did not run there or did not "
                        "finish (run scripts/bench, or scripts/bench --out DIR)")
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise NoResults(f"{path} is not readable JSON ({e}): the study did not finish writing it")
    if not isinstance(data, dict) or not any(succeeded(b) for b in data.get("benchmarks", [])):
        raise NoResults(f"{path} holds no successful measurement")
    return data


def parse_name(run_name):
    """kernel/precision/variant/size:N[/data:D][/inc:K]/threads:T[/min_time:...]
    -> dict (data "uniform" and inc 1 when the name has none)."""
    parts = run_name.split("/")
    point = dict(kernel=parts[0], precision=parts[1], variant=parts[2], data="uniform", inc=1)
    for part in parts[3:]:
        key, _, value = part.partition(":")
        if key in ("size", "threads", "inc"):
            point[key] = int(value)
        elif key == "data":
            point["data"] = value
    return point


def round_of(b):
    """A repetition's round: (its hpk_bench pass, 0 for the first and K for
    the K-th rerun, round within the pass), or None without one (results
    from before hpk_bench ran in rounds)."""
    return (b.get("hpk_round", 0), b["round"]) if "round" in b else None


def repetitions(data):
    """Every successful repetition: (run name, its parse_name point, its
    time in seconds, the benchmark entry with its counters)."""
    for b in data.get("benchmarks", []):
        if succeeded(b):
            yield b["run_name"], parse_name(b["run_name"]), b["real_time"] * UNIT[b["time_unit"]], b


def results_dir_from_argv(script):
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(f"usage: {script} RESULTS_DIR   (a folder holding {JSON_NAME})", file=sys.stderr)
        sys.exit(2)
    return sys.argv[1]


def main_guard(main):
    """Runs a script's main(), turning NoResults into a one-line message and
    exit status 1 instead of a traceback."""
    try:
        main()
    except NoResults as e:
        print(f"{os.path.basename(sys.argv[0])}: {e}", file=sys.stderr)
        sys.exit(1)
