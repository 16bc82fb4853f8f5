"""The benchmark study's arithmetic and option checking, without running it.

- The CSV arithmetic: a small synthetic bench.json through plots/benchdata.py
  (stream_gbps from the bytes STREAM moved, the best repetition, the
  interpolation rule, pct_stream, the speedups), and plots/report.py on an
  empty or unfinished folder (a message, no traceback).
- The option checking of scripts/bench: bad values stop it with the valid
  values listed, before it installs, builds or creates any folder.

usage: python3 tests/test_study.py SOURCE_DIR [unittest arguments]
Exits 77 (ctest's SKIP_RETURN_CODE) where bash is missing; only the plot
case needs matplotlib (skipped without it: benchdata.py, tidy.py and
report.py do not import it).
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(SOURCE, "plots"))
import benchdata  # noqa: E402

MIB = 1 << 20


def run(name, times, counters, unit="us"):
    """One repetition of a point, as Google Benchmark writes it (times in
    `unit`)."""
    return [dict(name=name, run_name=name, run_type="iteration", real_time=t, time_unit=unit, **counters)
            for t in times]


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


class StreamNormalisation(unittest.TestCase):
    def setUp(self):
        self.rows = benchdata.tidy_rows(synthetic())

    def test_stream_rows_count_the_bytes_moved(self):
        # 1 thread, 8 KiB: the median repetition moved 16 MiB at 200/1.2 GB/s.
        r = row(self.rows, "stream_read", "stream", 1024, 1)
        self.assertAlmostEqual(r["gbps"], 200 / 1.2, places=6)
        self.assertAlmostEqual(r["gbps_best"], 200.0, places=6)
        self.assertAlmostEqual(r["stream_gbps"], 200.0, places=6)

    def test_same_working_set_and_threads(self):
        # asum n = 1024: 8 KiB at 1 thread against STREAM's 8 KiB point on 1
        # thread (best: 200 GB/s), not against 8 KiB over a 16 MiB call's time.
        r = row(self.rows, "asum", "hpk_omp", 1024, 1)
        self.assertAlmostEqual(r["gbps"], 100.0, places=6)
        self.assertAlmostEqual(r["stream_gbps"], 200.0, places=6)
        self.assertAlmostEqual(r["pct_stream"], 50.0, places=6)
        o = row(self.rows, "asum", "openblas", 1024, 1)
        self.assertAlmostEqual(o["pct_stream"], 25.0, places=6)
        self.assertAlmostEqual(r["speedup_vs_peer"], 2.0, places=9)

    def test_interpolated_in_log_working_set(self):
        # 64 KiB on 2 threads: 3/6 of the way from 8 KiB (400 GB/s) to 512 KiB (190) in log2.
        r = row(self.rows, "dot", "hpk_omp", 4096, 2)
        expected = 400 + (math.log2(65536 / 8192) / math.log2(524288 / 8192)) * (190 - 400)
        self.assertAlmostEqual(r["stream_gbps"], expected, places=6)
        self.assertAlmostEqual(r["gbps"], 100.0, places=6)
        self.assertAlmostEqual(r["pct_stream"], 100 * 100.0 / expected, places=6)
        self.assertIsNone(r["peer"])  # OpenBLAS's only run failed

    def test_beyond_the_measured_sizes_takes_the_nearest(self):
        r = row(self.rows, "asum", "hpk_omp", 1 << 26, 2)
        self.assertAlmostEqual(r["stream_gbps"], 50.0, places=6)
        self.assertAlmostEqual(r["pct_stream"], 90.0, places=6)

    def test_no_cpu_roofline_for_the_device(self):
        r = row(self.rows, "asum", "hpk_cl_kernel", 1024, 1)
        self.assertIsNone(r["stream_gbps"])
        self.assertIsNone(r["pct_stream"])

    def test_no_stream_no_roofline(self):
        data = synthetic()
        data["benchmarks"] = [b for b in data["benchmarks"] if not b["name"].startswith("stream")]
        r = row(benchdata.tidy_rows(data), "asum", "hpk_omp", 1024, 1)
        self.assertIsNone(r["stream_gbps"])
        self.assertIsNone(r["pct_stream"])

    def test_csv_written(self):
        import tidy
        d = tempfile.mkdtemp()
        try:
            path = tidy.write_csv(d, self.rows)
            with open(path) as f:
                header = f.readline().strip().split(",")
            for col in ("stream_gbps", "pct_stream", "gbps_best"):
                self.assertIn(col, header)
        finally:
            shutil.rmtree(d)


class UnfinishedFolders(unittest.TestCase):
    def report(self, folder):
        return subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "report.py"), folder],
                              capture_output=True, text=True, timeout=60)

    def test_messages_not_tracebacks(self):
        d = tempfile.mkdtemp()
        try:
            cases = {"empty": None, "truncated": '{"context": {}, "benchmarks": [',
                     "no measurement": json.dumps(dict(context={}, benchmarks=[]))}
            for what, text in cases.items():
                if text is not None:
                    with open(os.path.join(d, "bench.json"), "w") as f:
                        f.write(text)
                p = self.report(d)
                self.assertEqual(p.returncode, 1, f"{what}: {p.stderr}")
                self.assertNotIn("Traceback", p.stderr, what)
                self.assertIn("report.py:", p.stderr, what)
            p = self.report(os.path.join(d, "missing"))
            self.assertEqual(p.returncode, 1)
            self.assertNotIn("Traceback", p.stderr)
        finally:
            shutil.rmtree(d)

    def test_report_on_synthetic_results(self):
        d = tempfile.mkdtemp()
        try:
            with open(os.path.join(d, "bench.json"), "w") as f:
                json.dump(synthetic(), f)
            p = self.report(d)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "report.md")) as f:
                md = f.read()
            self.assertIn("OpenBLAS time / hpk time, 1 thread", md)
        finally:
            shutil.rmtree(d)


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


@unittest.skipUnless(have_matplotlib(), "no matplotlib")
class Plots(unittest.TestCase):
    def test_plot_scripts_on_synthetic_results(self):
        d = tempfile.mkdtemp()
        try:
            with open(os.path.join(d, "bench.json"), "w") as f:
                json.dump(synthetic(), f)
            for script in ("tidy", "throughput", "vs_peer", "scaling", "offload", "report"):
                p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", script + ".py"), d],
                                   capture_output=True, text=True, timeout=120)
                self.assertEqual(p.returncode, 0, f"{script}: {p.stderr}")
            for name in ("results.csv", "throughput_d.png", "vs_openblas.png", "report.md"):
                self.assertTrue(os.path.getsize(os.path.join(d, name)) > 0, name)
        finally:
            shutil.rmtree(d)


class BenchOptions(unittest.TestCase):
    """scripts/bench refuses bad options before scripts/deps, cmake or any
    folder: cmake, sudo and apt-get are replaced by stubs that leave a mark."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.stubs = os.path.join(self.tmp, "bin")
        os.mkdir(self.stubs)
        self.mark = os.path.join(self.tmp, "ran")
        for tool in ("cmake", "sudo", "apt-get", "dpkg-query"):
            path = os.path.join(self.stubs, tool)
            with open(path, "w") as f:
                f.write(f"#!/bin/sh\necho {tool} >> '{self.mark}'\nexit 1\n")
            os.chmod(path, 0o755)
        results = os.path.join(SOURCE, "results")
        self.before = sorted(os.listdir(results)) if os.path.isdir(results) else None
        self.latest = os.path.realpath(os.path.join(results, "latest"))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def bench(self, *args):
        env = dict(os.environ, PATH=self.stubs + os.pathsep + os.environ.get("PATH", ""))
        return subprocess.run(["bash", os.path.join(SOURCE, "scripts", "bench"), *args], env=env,
                              capture_output=True, text=True, timeout=60)

    def check_refused(self, args, *valid):
        out = os.path.join(self.tmp, "out")
        for extra in (["--out", out], []):  # with --out, and with the default results/ folder
            p = self.bench(*args, *extra)
            what = " ".join(args + extra)
            self.assertEqual(p.returncode, 2, f"{what}: {p.stdout}{p.stderr}")
            for v in valid:
                self.assertIn(v, p.stderr, what)
            self.assertNotIn("line ", p.stderr, what)  # no bash error
            self.assertFalse(os.path.exists(out), what)
            self.assertFalse(os.path.exists(self.mark), f"{what}: ran {open(self.mark).read()}"
                             if os.path.exists(self.mark) else what)
            results = os.path.join(SOURCE, "results")
            self.assertEqual(sorted(os.listdir(results)) if os.path.isdir(results) else None,
                             self.before, what)
            self.assertEqual(os.path.realpath(os.path.join(results, "latest")), self.latest, what)

    def test_unknown_kernel(self):
        self.check_refused(["--kernels", "dot,foo"], "'foo'", "gemv_n", "stream_triad", "reductions")

    def test_zero_threads(self):
        self.check_refused(["--threads", "0"], "'0'", "2^K", "LO:HI:F")

    def test_bad_size_range(self):
        self.check_refused(["--gemv-sizes=64:abc"], "'64:abc'", "LO:HI:F")
        self.check_refused(["--vec-sizes", "2^12:2^10:4"], "'2^12:2^10:4'")

    def test_unknown_variant(self):
        self.check_refused(["--variants", "openblas,cuda"], "'cuda'", "hpk_omp", "clblast", "stream")

    def test_unknown_precision_and_data(self):
        self.check_refused(["--precisions", "q"], "'q'", "s, d")
        self.check_refused(["--data", "nan,pink"], "'pink'", "subnormal")

    def test_numbers(self):
        self.check_refused(["--repetitions", "0"], "whole number")
        self.check_refused(["--min-time", "abc"], "number")
        self.check_refused(["--warmup", "-1"], "number")
        self.check_refused(["--pause", "x"], "number")

    def test_missing_value(self):
        self.check_refused(["--repetitions"], "--repetitions needs a value")
        self.check_refused(["--repetitions", "--quick"], "--repetitions needs a value")

    def test_unknown_option(self):
        self.check_refused(["--kernel", "dot"], "unknown option '--kernel'")

    def test_every_error_at_once(self):
        self.check_refused(["--kernels", "foo", "--threads", "0", "--variants", "cuda"],
                           "'foo'", "'0'", "'cuda'")

    def test_warmup_accepted(self):
        # Good options get past the checks: the stubbed scripts/deps step runs next.
        p = self.bench("--warmup", "0.01", "--quick", "--kernels", "dot", "--out", os.path.join(self.tmp, "o"))
        self.assertNotIn("warmup", p.stderr)
        self.assertNotIn("nothing was built", p.stderr)

    def test_help(self):
        p = self.bench("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--warmup", p.stdout)


if __name__ == "__main__":
    if not shutil.which("bash"):
        print("test_study.py: no bash; skipped")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=1)
