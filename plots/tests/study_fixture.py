"""What the study's tests share: plots/ on the import path, the source
folder (SOURCE, the first argument), the kernel manifest for today's kernels (manifest.json beside this file, in the schema
`hpk_bench --manifest` prints; results folders written by the tests get a
copy), synthetic results and their tidy rows, results folders and their
report.md, rendered tables."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # plots/

import benchdata  # noqa: E402
import manifest  # noqa: E402
import render  # noqa: E402
import sections  # noqa: E402

SOURCE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", ".."))
MANIFEST = os.path.join(HERE, manifest.MANIFEST_NAME)
MIB = 1 << 20
M = manifest.load_file(MANIFEST)


def write_manifest(folder):
    """Puts the manifest into a results folder, as scripts/bench does."""
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(MANIFEST, os.path.join(folder, manifest.MANIFEST_NAME))
    return folder


def tidy(data):
    """benchdata.tidy_rows with the manifest."""
    return benchdata.tidy_rows(data, M)


def md(table):
    """A (header, rows) table as markdown (None for None)."""
    return render.table(*table)[0] if table else None


def study(rows, threads, context=None, folder=""):
    """A sections.Study of rows alone (no folder behind it)."""
    return sections.Study(dir=folder, data=dict(context=context or {}), m=M, rows=rows, threads=threads,
                          cache={}, ctx=context or {}, noise={}, mpi_rows=[], path_rows=[rows])


def run(name, times, counters, unit="us", rounds=False):
    """The repetitions of a point, as Google Benchmark writes them (times in
    `unit`); with `rounds`, each with its round (0, 1, ...) as hpk_bench
    writes it."""
    return [dict(name=name, run_name=name, run_type="iteration", real_time=t, time_unit=unit, **counters,
                 **(dict(round=float(i)) if rounds else {}))
            for i, t in enumerate(times)]


def stream_point(n, threads, seconds_per_call):
    """A STREAM read point of n doubles: a call makes 16 MiB / 8n passes
    (stream.cpp), so it moves 16 MiB whatever n is (at least one pass)."""
    ws = 8 * n
    passes = max(1, 16 * MIB // ws)
    return run(f"stream_read/d/stream/size:{n}/threads:{threads}", [1e6 * s for s in seconds_per_call],
               dict(working_set=ws, bytes=ws * passes))


def synthetic():
    """STREAM at 8 KiB, 512 KiB and 128 MiB on 1 and 2 threads; asum and dot
    (hpk_omp, OpenBLAS) at sizes on and between the STREAM sizes."""
    b = []
    # 1 thread: 200 GB/s at 8 KiB, 100 at 512 KiB, 40 at 128 MiB (best repetition);
    # slower repetitions around them, which the roofline must ignore.
    for n, gbps in ((1024, 200.0), (65536, 100.0), (16 * MIB, 40.0)):
        moved = 8 * n * max(1, 16 * MIB // (8 * n))
        best = moved / (gbps * 1e9)
        b += stream_point(n, 1, [best * 1.5, best, best * 1.2])
    for n, gbps in ((1024, 400.0), (65536, 190.0), (16 * MIB, 50.0)):
        moved = 8 * n * max(1, 16 * MIB // (8 * n))
        best = moved / (gbps * 1e9)
        b += stream_point(n, 2, [best, best * 1.1, best * 2])
    # asum d n = 1024 (8 KiB, 8 KiB moved) at 1 thread: median 81.92 ns -> 100 GB/s.
    b += run("asum/d/hpk_omp/size:1024/threads:1", [0.08192, 0.07, 0.09],
             dict(working_set=8192, bytes=8192, flops=1024))
    b += run("asum/d/openblas/size:1024/threads:1", [0.16384] * 3, dict(working_set=8192, bytes=8192))
    # dot d n = 4096: 64 KiB working set, between the 8 KiB and 512 KiB STREAM points.
    b += run("dot/d/hpk_omp/size:4096/threads:2", [0.65536] * 3, dict(working_set=65536, bytes=65536))
    # asum d n = 2^26 (512 MiB): beyond the largest STREAM size, 2 threads.
    n = 1 << 26
    b += run(f"asum/d/hpk_omp/size:{n}/threads:2", [1e6 * 8 * n / 45e9] * 3,
             dict(working_set=8 * n, bytes=8 * n))
    # A device row: no CPU roofline.
    b += run("asum/d/hpk_cl_kernel/size:1024/threads:1", [10.0] * 3, dict(working_set=8192, bytes=8192))
    # A failed run is left out.
    b.append(dict(name="dot/d/openblas/size:4096/threads:2", run_name="dot/d/openblas/size:4096/threads:2",
                  run_type="iteration", error_occurred=True, error_message="x", real_time=0,
                  time_unit="us"))
    return dict(context=dict(host_name="test", caches=[]), benchmarks=b)


def row(rows, kernel, variant, size, threads):
    (r,) = [r for r in rows if (r["kernel"], r["variant"], r["size"], r["threads"]) ==
            (kernel, variant, size, threads)]
    return r


def write_folder(path, data, accuracy=None):
    write_manifest(path)
    with open(os.path.join(path, "bench.json"), "w") as f:
        json.dump(data, f)
    if accuracy:
        with open(os.path.join(path, "accuracy.csv"), "w") as f:
            f.write(accuracy)
    return path


def render_report(test, folder, data, accuracy=None):
    """Writes data (and accuracy) into folder, runs plots/report.py on it,
    checks that it succeeded, and returns report.md's text and the run."""
    write_folder(folder, data, accuracy)
    p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "report.py"), folder],
                       capture_output=True, text=True, timeout=60)
    test.assertEqual(p.returncode, 0, p.stderr)
    with open(os.path.join(folder, "report.md")) as f:
        return f.read(), p


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def run_tests(needs_bash=False):
    """A test file's main: unittest on the arguments after SOURCE_DIR; exit
    77 (ctest's SKIP_RETURN_CODE) without bash where the tests run scripts."""
    import unittest
    if needs_bash and not shutil.which("bash"):
        print(f"{os.path.basename(sys.argv[0])}: no bash; skipped")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=1)
