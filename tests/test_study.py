"""The benchmark study's arithmetic and option checking, without running it.

- The CSV arithmetic: a small synthetic bench.json through plots/benchdata.py
  (stream_gbps from the bytes STREAM moved, the best repetition, the
  interpolation rule, pct_stream, the speedups), and plots/report.py on an
  empty or unfinished folder (a message, no traceback).
- The device roofline: device_stream_gbps and pct_device_stream of the
  device-resident OpenCL rows, the offload model's predicted time and
  break-even, and report.md's Device roofline table and OpenCL finding.
- The option checking of scripts/bench: bad values stop it with the valid
  values listed, before it installs, builds or creates any folder.
- The noise: ties where a ratio's min–max interval includes 1, the
  three-thread-count rule for Amdahl and Karp–Flatt, the repetition of
  noisy points (plots/noise.py), the verdict, and report.md's findings on a
  synthetic bench.json (with an accuracy.csv).
- Monte Carlo pi against the plain Philox loop (variant philox_loop): its
  registration, the per-thread-count ratios and the 2x target (met, missed,
  within the noise), report.md's table and finding.
- Threads never hurt: hpk OpenMP's worst T-thread / 1-thread ratio per
  kernel, precision and T (ok, slower, within the noise), report.md's table
  and finding.
- The run-to-run comparison (plots/compare.py, scripts/bench --compare):
  the Mann–Whitney U test, synthetic folders with the same and with shifted
  times, and the folder checks.

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
import compare  # noqa: E402
import noise  # noqa: E402

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
            for col in ("stream_gbps", "pct_stream", "gbps_best", "device_stream_gbps", "pct_device_stream"):
                self.assertIn(col, header)
        finally:
            shutil.rmtree(d)


def device_synthetic():
    """synthetic() plus the device roofline: read at 8 KiB (100 GB/s) and
    8 MiB (20 GB/s), transfers of 8 KiB and 8 MiB (pageable 1 and 10 GB/s,
    pinned 2 and 20 GB/s, both ways); hpk OpenCL and CLBlast dot at 64 KiB
    (30 and 15 GB/s) and an end-to-end dot at 16 MiB."""
    data = synthetic()
    b = data["benchmarks"]
    for n, gbps in ((1024, 100.0), (1 << 20, 20.0)):
        ws = 8 * n
        moved = ws * max(1, 256 * MIB // ws)  # device_stream.cpp: at least 256 MiB per call
        best = moved / (gbps * 1e9)
        b += run(f"cl_stream_read/d/device/size:{n}/threads:1", [1e6 * best * 1.3, 1e6 * best, 1e6 * best * 1.1],
                 dict(working_set=ws, bytes=moved))
        for kernel, scale in (("cl_upload", 1), ("cl_download", 1), ("cl_upload_pinned", 2),
                              ("cl_download_pinned", 2)):
            g = scale * (1.0 if n == 1024 else 10.0)
            b += run(f"{kernel}/d/device/size:{n}/threads:1", [1e6 * ws / (g * 1e9)] * 2,
                     dict(working_set=ws, bytes=ws))
    for variant, gbps in (("hpk_cl_kernel", 30.0), ("clblast", 15.0)):
        b += run(f"dot/d/{variant}/size:4096/threads:1", [1e6 * 65536 / (gbps * 1e9)] * 3,
                 dict(working_set=65536, bytes=65536))
    ws = 16 * MIB
    b += run(f"dot/d/hpk_cl_e2e/size:{1 << 20}/threads:1", [1e6 * ws / 5e9] * 3, dict(working_set=ws, bytes=ws))
    b += run(f"dot/d/hpk_omp/size:{1 << 20}/threads:1", [1e6 * ws / 50e9] * 3, dict(working_set=ws, bytes=ws))
    return data


class DeviceRoofline(unittest.TestCase):
    def setUp(self):
        self.rows = benchdata.tidy_rows(device_synthetic())

    def test_device_resident_rows_against_the_device_read(self):
        # 64 KiB: 3/10 of the way in log2 from 8 KiB (100 GB/s) to 8 MiB (20 GB/s).
        expected = 100 + (math.log2(65536 / 8192) / math.log2(8 * MIB / 8192)) * (20 - 100)
        self.assertAlmostEqual(expected, 76.0)
        for variant, gbps in (("hpk_cl_kernel", 30.0), ("clblast", 15.0)):
            r = row(self.rows, "dot", variant, 4096, 1)
            self.assertAlmostEqual(r["gbps"], gbps, places=6)
            self.assertAlmostEqual(r["device_stream_gbps"], expected, places=6)
            self.assertAlmostEqual(r["pct_device_stream"], 100 * gbps / expected, places=6)
            self.assertIsNone(r["stream_gbps"])  # the CPU's STREAM is not the device's roofline

    def test_read_counts_the_passes_and_takes_the_best(self):
        r = row(self.rows, "cl_stream_read", "device", 1024, 1)
        self.assertAlmostEqual(r["gbps_best"], 100.0, places=6)
        self.assertAlmostEqual(r["gbps"], 100.0 / 1.1, places=6)
        self.assertEqual(benchdata.roofline_curves(self.rows)["cl_stream_read"], [(8192, r["gbps_best"]),
                                                                                  (8 * MIB, 20.0)])

    def test_other_rows_have_no_device_roofline(self):
        for kernel, variant, size in (("asum", "hpk_omp", 1024), ("dot", "hpk_cl_e2e", 1 << 20),
                                      ("cl_stream_read", "device", 1024), ("cl_upload", "device", 1024)):
            r = row(self.rows, kernel, variant, size, 1)
            self.assertIsNone(r["device_stream_gbps"], (kernel, variant))
            self.assertIsNone(r["pct_device_stream"], (kernel, variant))
        # Without the device rows, the OpenCL rows have no device roofline either.
        data = synthetic()
        r = row(benchdata.tidy_rows(data), "asum", "hpk_cl_kernel", 1024, 1)
        self.assertIsNone(r["device_stream_gbps"])

    def test_device_rows_are_no_peer(self):
        self.assertNotIn("device", benchdata.cpu_peers(self.rows))
        self.assertTrue(benchdata.device("device"))

    def test_offload_model_formula(self):
        up = [(8192, 1.0), (8 * MIB, 10.0)]
        down = [(8192, 2.0), (8 * MIB, 20.0)]
        read = [(8192, 100.0), (8 * MIB, 20.0)]
        # 16 MiB up (beyond the largest transfer: 10 GB/s), read at 20 GB/s, nothing down.
        t = benchdata.predicted_offload_s(16 * MIB, 0, 16 * MIB, up, down, read)
        self.assertAlmostEqual(t, 16 * MIB / 10e9 + 16 * MIB / 20e9, places=15)
        # gemv-like: 8 MiB up, 8 KiB down, 8 MiB + 8 KiB read.
        t = benchdata.predicted_offload_s(8 * MIB, 8192, 8 * MIB + 8192, up, down, read)
        r = benchdata.curve_at(read, 8 * MIB + 8192)
        self.assertAlmostEqual(t, 8 * MIB / 10e9 + (8 * MIB + 8192) / (r * 1e9) + 8192 / 2e9, places=15)
        self.assertIsNone(benchdata.predicted_offload_s(8192, 0, 8192, [], down, read))
        self.assertEqual(benchdata.offload_bytes("gemv_n", "d", 100, 8 * (100 * 100 + 200)),
                         (8 * (100 * 100 + 100), 800))
        self.assertEqual(benchdata.offload_bytes("dot", "s", 100, 800), (800, 0))

    def test_predicted_break_even(self):
        # {size: (offload seconds, CPU seconds)}: the offload wins from 2 on at every larger size.
        self.assertEqual(benchdata.predicted_break_even({1: (2, 1), 2: (1, 2), 4: (0.5, 1), 8: (0.4, 2)}), 2)
        # A win followed by a loss does not count: only from 4.
        self.assertEqual(benchdata.predicted_break_even({1: (1, 2), 2: (3, 1), 4: (1, 2)}), 4)
        self.assertIsNone(benchdata.predicted_break_even({1: (2, 1), 2: (2, 1)}))
        self.assertIsNone(benchdata.predicted_break_even({1: (None, 1)}))

    def test_offload_prediction_from_rows(self):
        pred = benchdata.offload_prediction(self.rows, "dot", "d", 1)
        ws = 16 * MIB
        # CPU: STREAM read on 1 thread at 16 MiB, 5/8 of the way in log2 from 512 KiB (100) to 128 MiB (40).
        cpu = 100 + (math.log2(ws / 524288) / math.log2(128 * MIB / 524288)) * (40 - 100)
        self.assertEqual(list(pred), [1 << 20])
        off, c = pred[1 << 20]
        self.assertAlmostEqual(off, ws / 10e9 + ws / 20e9, places=15)
        self.assertAlmostEqual(c, ws / (cpu * 1e9), places=15)
        pinned = benchdata.offload_prediction(self.rows, "dot", "d", 1, "pinned")[1 << 20][0]
        self.assertAlmostEqual(pinned, ws / 20e9 + ws / 20e9, places=15)
        self.assertIsNone(benchdata.predicted_break_even(pred))  # 0.0025 s against 0.00027 s
        self.assertEqual(benchdata.offload_prediction(benchdata.tidy_rows(synthetic()), "dot", "d", 1), {})

    def test_report_tables_and_findings(self):
        d = tempfile.mkdtemp()
        try:
            md, p = render_report(self, d, device_synthetic())
            self.assertIn("### Device roofline", md)
            self.assertIn("| 2^10 | 8 KiB | 24 KiB | 100.0 | – | 1.0 | 2.0 | 1.0 | 2.0 |", md)
            self.assertIn("The offload model", md)
            self.assertIn("hpk % of device read, largest", md)
            cl = next(line for line in md.splitlines() if line.startswith("- **OpenCL**"))
            self.assertIn("runs at 1–39% of the device's own read bandwidth at the largest size (lowest: asum d 8 KiB, 1%)", cl)
            self.assertIn("offload model (see OpenCL) predicts a break-even at none of the 1 pairs", cl)
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


def write_folder(path, data, accuracy=None):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "bench.json"), "w") as f:
        json.dump(data, f)
    if accuracy:
        with open(os.path.join(path, "accuracy.csv"), "w") as f:
            f.write(accuracy)
    return path


class Ties(unittest.TestCase):
    def test_interval_and_verdict(self):
        self.assertEqual(benchdata.ratio_interval([2.0, 3.0], [1.0, 1.5]), (2.0 / 1.5, 3.0))
        self.assertEqual(benchdata.verdict((1.2, 3.0)), "ahead")
        self.assertEqual(benchdata.verdict((0.5, 0.9)), "behind")
        self.assertEqual(benchdata.verdict((0.95, 1.3)), "tie")
        self.assertIsNone(benchdata.ratio_interval([], [1.0]))

    def test_overlapping_repetitions_are_a_tie(self):
        data = synthetic()
        # dot 2 threads: OpenBLAS 5% slower by the median, but the repetitions overlap.
        data["benchmarks"] += run("dot/d/openblas/size:4096/threads:2", [0.69, 0.60, 0.75],
                                  dict(working_set=65536, bytes=65536))
        data["benchmarks"] = [b for b in data["benchmarks"]
                              if not (b["run_name"] == "dot/d/hpk_omp/size:4096/threads:2")]
        data["benchmarks"] += run("dot/d/hpk_omp/size:4096/threads:2", [0.65, 0.62, 0.70],
                                  dict(working_set=65536, bytes=65536))
        rows = benchdata.tidy_rows(data)
        r = row(rows, "dot", "hpk_omp", 4096, 2)
        self.assertGreater(r["speedup_vs_peer"], 1)
        self.assertEqual(r["vs_peer"], "tie")
        self.assertAlmostEqual(r["speedup_vs_peer_lo"], 0.60 / 0.70)
        self.assertAlmostEqual(r["speedup_vs_peer_hi"], 0.75 / 0.62)
        # asum 1 thread: OpenBLAS's every repetition slower than hpk's slowest: ahead.
        self.assertEqual(row(rows, "asum", "hpk_omp", 1024, 1)["vs_peer"], "ahead")


def render_report(test, folder, data, accuracy=None):
    """Writes data (and accuracy) into folder, runs plots/report.py on it,
    checks that it succeeded, and returns report.md's text and the run."""
    write_folder(folder, data, accuracy)
    p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "report.py"), folder],
                       capture_output=True, text=True, timeout=60)
    test.assertEqual(p.returncode, 0, p.stderr)
    with open(os.path.join(folder, "report.md")) as f:
        return f.read(), p


def scaling_data(threads, kernel="mc_pi"):
    """hpk_omp Monte Carlo (or dot) on the given thread counts, Amdahl f = 0.1."""
    b = []
    for t in threads:
        s = 1 / (0.1 + 0.9 / t)
        counters = dict(samples=1 << 20) if kernel == "mc_pi" else dict(working_set=8 * 4096, bytes=8 * 4096)
        b += run(f"{kernel}/d/hpk_omp/size:{1 << 20 if kernel == 'mc_pi' else 4096}/threads:{t}",
                 [1000 / s] * 3, counters)
    return dict(context=dict(host_name="test", caches=[]), benchmarks=b)


class AmdahlRule(unittest.TestCase):
    def test_two_thread_counts_no_fit(self):
        self.assertIsNone(benchdata.amdahl_fraction([(1, 1.0), (2, 1.8)]))
        rows = benchdata.tidy_rows(scaling_data([1, 2]))
        self.assertIsNone(rows[-1]["karp_flatt"])

    def test_three_thread_counts_fit(self):
        pts = [(p, 1 / (0.1 + 0.9 / p)) for p in (1, 2, 4)]
        self.assertAlmostEqual(benchdata.amdahl_fraction(pts), 0.1, places=9)
        rows = benchdata.tidy_rows(scaling_data([1, 2, 4]))
        self.assertAlmostEqual(row(rows, "mc_pi", "hpk_omp", 1 << 20, 4)["karp_flatt"], 0.1, places=6)

    def test_memory_bound_no_serial_fraction(self):
        rows = benchdata.tidy_rows(scaling_data([1, 2, 4], kernel="dot"))
        self.assertIsNone(row(rows, "dot", "hpk_omp", 4096, 4)["karp_flatt"])

    def test_bandwidth_ideal(self):
        # dot 64 KiB on 2 threads against STREAM at 64 KiB: 2 threads / 1 thread, interpolated.
        data = synthetic()
        data["benchmarks"] += run("dot/d/hpk_omp/size:4096/threads:1", [1.31072] * 3,
                                  dict(working_set=65536, bytes=65536))
        r = row(benchdata.tidy_rows(data), "dot", "hpk_omp", 4096, 2)
        f = math.log2(65536 / 8192) / math.log2(524288 / 8192)
        ideal = (400 + f * (190 - 400)) / (200 + f * (100 - 200))
        self.assertAlmostEqual(r["bw_ideal_speedup"], ideal, places=6)
        self.assertAlmostEqual(r["vs_bw_ideal"], 2.0 / ideal, places=6)

    def test_report_scaling_table(self):
        import report
        md, _ = report.scaling_table(benchdata.tidy_rows(scaling_data([1, 2])), [1, 2])
        self.assertIn("needs 3", md)
        md, _ = report.scaling_table(benchdata.tidy_rows(scaling_data([1, 2, 4])), [1, 2, 4])
        self.assertIn("0.100", md)


class NoisyPoints(unittest.TestCase):
    def test_selection_and_filter(self):
        data = synthetic()
        names = noise.noisy_points(data, share=1)
        # STREAM's and asum's varied repetitions are above 10%; the constant ones are not.
        self.assertIn("asum/d/hpk_omp/size:1024/threads:1", names)
        self.assertNotIn("asum/d/openblas/size:1024/threads:1", names)
        regex = noise.benchmark_filter(names)
        import re
        for n in names:
            self.assertTrue(re.search(regex, n + "/min_time:0.010/repeats:3"))
            self.assertTrue(re.search(regex, n))
        self.assertFalse(re.search(regex, "asum/d/openblas/size:1024/threads:1"))
        self.assertFalse(re.search(regex, "asum/d/hpk_omp/size:1024/threads:10"))
        self.assertLessEqual(len(noise.noisy_points(data, share=0.1)), max(1, int(0.1 * 12)))

    def test_merge_keeps_the_quieter_round(self):
        data = synthetic()
        name = "asum/d/hpk_omp/size:1024/threads:1"
        quiet = dict(benchmarks=run(name, [0.08, 0.081, 0.079], dict(working_set=8192, bytes=8192)))
        loud = dict(benchmarks=run("dot/d/hpk_omp/size:4096/threads:2", [0.1, 1.0, 3.0],
                                   dict(working_set=65536, bytes=65536)))
        result = noise.merge(data, quiet, 1)
        self.assertTrue(result[name][2])
        for got, want in zip(sorted(noise.point_times(data)[name]), [0.079e-6, 0.08e-6, 0.081e-6]):
            self.assertAlmostEqual(got, want, places=15)
        result = noise.merge(data, loud, 2)
        self.assertFalse(result["dot/d/hpk_omp/size:4096/threads:2"][2])
        for got in noise.point_times(data)["dot/d/hpk_omp/size:4096/threads:2"]:
            self.assertAlmostEqual(got, 0.65536e-6, places=15)

    def test_verdict(self):
        rows = benchdata.tidy_rows(synthetic())
        good = dict(threads=2, repetitions=7, median_1=0.02, median_all=0.0202, parallelism=1.98)
        a = noise.assess(rows, dict(baseline=dict(start=good, end=good)))
        cvs = [r["time_cv"] for r in rows if r["time_cv"] is not None]
        self.assertEqual(bool(a["reasons"]), sorted(cvs)[len(cvs) // 2] > noise.TRUST_CV)
        flat = [dict(r, time_cv=0.01) for r in rows]
        self.assertEqual(noise.assess(flat, dict(baseline=dict(start=good, end=good)))["reasons"], [])
        busy = dict(good, median_all=0.03, parallelism=1.33)
        reasons = noise.assess(flat, dict(baseline=dict(start=good, end=busy)))["reasons"]
        self.assertTrue(any("did not have all the cores" in r for r in reasons))
        self.assertTrue(any("changed between start and end" in r for r in reasons))


ACCURACY = """kernel,precision,data,n,library,rel_error
dot,d,uniform,1048576,hpk,1e-16
dot,d,uniform,1048576,openblas,4e-15
nrm2,d,huge,1048576,hpk_omp,2e-16
nrm2,d,huge,1048576,openblas,inf
sum,d,uniform,1048576,openblas,not-a-number
"""


class Findings(unittest.TestCase):
    def test_findings_on_synthetic_results(self):
        d = tempfile.mkdtemp()
        try:
            data = synthetic()
            # gemv on 1 thread: hpk ahead at 16 KiB, tied at 128 KiB, behind at 8 MiB.
            for n, hpk, blas in ((32, [1.0, 1.01, 1.02], [2.0, 2.1, 2.2]), (128, [1.0, 1.1, 1.2], [1.05, 1.1, 1.15]),
                                 (1024, [2.0, 2.1, 2.2], [1.0, 1.01, 1.02])):
                c = dict(working_set=8 * n * n, bytes=8 * n * n)
                data["benchmarks"] += run(f"gemv_n/d/hpk_omp/size:{n}/threads:1", hpk, c)
                data["benchmarks"] += run(f"gemv_n/d/openblas/size:{n}/threads:1", blas, c)
            data["benchmarks"] += run("gemv_n/d/blis/size:32/threads:1", [1.0, 1.01, 1.02],
                                      dict(working_set=8 * 32 * 32, bytes=8 * 32 * 32))
            md, p = render_report(self, d, data, ACCURACY)
            self.assertLess(md.index("## Findings"), md.index("## Noise and trust"))
            self.assertLess(md.index("## Noise and trust"), md.index("## Machine"))
            gemv = next(line for line in md.splitlines() if line.startswith("- **gemv**"))
            self.assertIn("against OpenBLAS, hpk is ahead at 1 (gemv_n d 8 KiB 1t: 2.08), tied at 1 "
                          "(gemv_n d 128 KiB 1t: 1.00), behind at 1 (gemv_n d 8 MiB 1t: 0.48) of 3 points", gemv)
            self.assertEqual(gemv.count("against BLIS, hpk is tied at 1 (gemv_n d 8 KiB 1t: 1.00) of 1 point;"), 1)
            red = next(line for line in md.splitlines() if line.startswith("- **reductions**"))
            self.assertIn("ahead at 1 (asum d 8 KiB 1t: 2.00)", red)
            self.assertIn("of STREAM read", red)
            acc = next(line for line in md.splitlines() if line.startswith("- **Accuracy**"))
            self.assertIn("2 cases", acc)
            self.assertIn("hpk's error is at most openblas's in 2 of 2 cases", acc)
            self.assertIn("## hpk OpenMP vs BLIS", md)
            self.assertIn("spin-loop", md.lower())
            self.assertIn("no noise.json", md)
        finally:
            shutil.rmtree(d)


def mc_point(variant, samples, threads, times):
    """An mc_pi point: `times` in microseconds per call."""
    return run(f"mc_pi/d/{variant}/size:{samples}/threads:{threads}", times, dict(samples=samples))


def philox_data():
    """mc_pi, hpk_omp against philox_loop at 2^16 and 2^20 samples on 1 and 2
    threads: 3x and 2.5x on 1 thread (met), on 2 threads 2.4x and 1.5x with
    tight repetitions (missed)."""
    b = []
    for samples, t, hpk, loop in ((1 << 16, 1, 100.0, 300.0), (1 << 20, 1, 1600.0, 4000.0),
                                  (1 << 16, 2, 60.0, 144.0), (1 << 20, 2, 800.0, 1200.0)):
        b += mc_point("hpk_omp", samples, t, [hpk * 0.99, hpk, hpk * 1.01])
        b += mc_point("philox_loop", samples, t, [loop * 0.99, loop, loop * 1.01])
    return dict(context=dict(host_name="test", caches=[]), benchmarks=b)


class PhiloxLoop(unittest.TestCase):
    """Monte Carlo pi against the plain scalar Philox loop (variant
    philox_loop): registered everywhere the variants are listed, and the
    report's per-thread-count table against the 2x target."""

    def test_registered(self):
        v = benchdata.VARIANTS["philox_loop"]
        self.assertTrue(v["threaded"])
        self.assertIn("philox_loop", benchdata.HPK_OWN)
        rows = benchdata.tidy_rows(philox_data())
        self.assertNotIn("philox_loop", benchdata.cpu_peers(rows))
        import throughput
        self.assertIn("philox_loop", throughput.ORDER)
        # The manifest (the harness's registry and usage, scripts/bench's list: threaded, on
        # OpenMP's pool), the harness's points and build, and scripts/bench's help.
        for path, text in (("bench/manifest.h", 'X("philox_loop", "baseline", 1, 0, "openblas", 0, "plain Philox loop", '
                                                '"plain Philox loop", 1, "openmp",'),
                           ("bench/bench_mc.cpp", 'p.variant = "philox_loop";'),
                           ("bench/CMakeLists.txt", "philox_loop.c"),
                           ("scripts/bench", "blis naive_omp philox_loop")):
            with open(os.path.join(SOURCE, path)) as f:
                self.assertIn(text, f.read(), path)

    def test_rows_and_ratios(self):
        rows = benchdata.tidy_rows(philox_data())
        r = row(rows, "mc_pi", "philox_loop", 1 << 20, 1)
        self.assertAlmostEqual(r["msamples_per_s"], (1 << 20) / 4000.0, places=6)
        import report
        pts = report.philox_points(rows)
        self.assertEqual(sorted(pts), [1, 2])
        self.assertEqual([round(p["ratio"], 9) for p in pts[1]], [3.0, 2.5])
        self.assertEqual(report.philox_verdict(pts[1])[0], "met")
        word, low = report.philox_verdict(pts[2])
        self.assertEqual((word, low["size"]), ("missed", 1 << 20))

    def test_within_the_noise(self):
        import report
        data = philox_data()
        # 2 threads, 2^20: 1.9x by the medians, but the repetitions reach 2.
        data["benchmarks"] = [b for b in data["benchmarks"] if "/size:1048576/threads:2" not in b["run_name"]]
        data["benchmarks"] += mc_point("hpk_omp", 1 << 20, 2, [600.0, 800.0, 1000.0])
        data["benchmarks"] += mc_point("philox_loop", 1 << 20, 2, [1400.0, 1520.0, 1600.0])
        pts = report.philox_points(benchdata.tidy_rows(data))
        self.assertEqual(report.philox_verdict(pts[2])[0], "missed (within the noise)")

    def test_table_and_finding(self):
        import report
        rows = benchdata.tidy_rows(philox_data())
        md, text = report.philox_table(rows)
        lines = md.splitlines()
        self.assertIn("target ≥ 2× at every size", lines[0])
        self.assertEqual(lines[2].split(" | ")[-1], "met |")
        self.assertIn("2.75 (2.50–3.00)", lines[2])
        self.assertIn("2.50 (2^20 samples;", lines[2])
        self.assertEqual(lines[3].split(" | ")[-1], "**missed** |")
        f = report.philox_finding(rows)
        self.assertIn("target missed on 2 threads", f)
        self.assertIn("2.75× on 1 thread (lowest 2.50× at 2^20 samples): met", f)
        self.assertIn("1.95× on 2 threads (lowest 1.50× at 2^20 samples): missed", f)
        self.assertIsNone(report.philox_table(benchdata.tidy_rows(synthetic())))
        self.assertIsNone(report.philox_finding(benchdata.tidy_rows(synthetic())))

    def test_report(self):
        d = tempfile.mkdtemp()
        try:
            md, p = render_report(self, d, philox_data())
            self.assertIn("## Monte Carlo pi against a plain Philox loop", md)
            self.assertIn("- **Monte Carlo pi vs a plain Philox loop**", md)
            self.assertLess(md.index("- **Monte Carlo pi vs a plain Philox loop**"), md.index("## Noise and trust"))
            self.assertIn("target >= 2x", p.stdout)
        finally:
            shutil.rmtree(d)


def threads_data():
    """hpk_omp on 1, 2 and 4 threads (times in us, three repetitions each):
    gemv_n d at 2^6 and 2^10, 0.97x at worst (ok); dot s at 2^12 0.60x with
    tight repetitions on 2 threads (slower), 1.5x on 4; sum d at 2^14 0.90x
    by the medians but repetitions reaching 1 (within the noise)."""
    b = []

    def point(kernel, prec, n, ws, t, times):
        return run(f"{kernel}/{prec}/hpk_omp/size:{n}/threads:{t}", times, dict(working_set=ws, bytes=ws))
    for n, two, four in ((64, 0.97, 1.5), (1024, 1.6, 2.0)):
        ws = 8 * n * n
        b += point("gemv_n", "d", n, ws, 1, [100.0] * 3)
        b += point("gemv_n", "d", n, ws, 2, [100.0 / two] * 3)
        b += point("gemv_n", "d", n, ws, 4, [100.0 / four] * 3)
    b += point("dot", "s", 4096, 32768, 1, [10.0, 10.1, 9.9])
    b += point("dot", "s", 4096, 32768, 2, [10.0 / 0.6, 10.1 / 0.6, 9.9 / 0.6])
    b += point("dot", "s", 4096, 32768, 4, [10.0 / 1.5] * 3)
    b += point("sum", "d", 16384, 131072, 1, [9.0, 10.0, 11.0])
    b += point("sum", "d", 16384, 131072, 2, [9.5, 10.0 / 0.9, 12.0])
    return dict(context=dict(host_name="test", caches=[]), benchmarks=b)


class ThreadsNeverHurt(unittest.TestCase):
    """report.md's Threads never hurt: hpk OpenMP on T threads against 1,
    the worst size per kernel, precision and T, ok / slower / within the
    noise."""

    def setUp(self):
        import report
        self.report = report
        self.rows = benchdata.tidy_rows(threads_data())

    def test_marks(self):
        pts = self.report.threads_points(self.rows)
        self.assertEqual(list(pts), [("gemv_n", "d"), ("dot", "s"), ("sum", "d")])
        mark, worst, slower = self.report.threads_mark(pts[("gemv_n", "d")][2])
        self.assertEqual((mark, worst["size"]), ("ok", 64))
        self.assertAlmostEqual(worst["speedup_vs_1thread"], 0.97)
        mark, worst, slower = self.report.threads_mark(pts[("dot", "s")][2])
        self.assertEqual((mark, len(slower)), ("slower", 1))
        self.assertEqual(self.report.threads_mark(pts[("dot", "s")][4])[0], "ok")
        mark, worst, slower = self.report.threads_mark(pts[("sum", "d")][2])
        self.assertEqual((mark, slower), ("within the noise", []))
        self.assertAlmostEqual(worst["speedup_vs_1thread"], 0.9)
        self.assertNotIn(4, pts[("sum", "d")])

    def test_table(self):
        md, _ = self.report.threads_table(self.rows)
        lines = md.splitlines()
        self.assertEqual(lines[0], "| kernel | prec | 2 threads: worst time 1t / time 2t over sizes (size): mark | "
                                   "4 threads: worst time 1t / time 4t over sizes (size): mark |")
        self.assertEqual(lines[2], "| gemv_n | d | 0.97 at 2^6 (32 KiB): ok | 1.50 at 2^6 (32 KiB): ok |")
        self.assertEqual(lines[3], "| dot | s | 0.60 at 2^12 (32 KiB): **slower** (1 of 1 sizes) | "
                                   "1.50 at 2^12 (32 KiB): ok |")
        self.assertEqual(lines[4], "| sum | d | 0.90 at 2^14 (128 KiB): within the noise | – |")

    def test_finding(self):
        f = self.report.threads_finding(self.rows)
        self.assertIn("1 point slower than on 1 thread: dot s at 2^12 on 2 threads (0.60×)", f)
        self.assertIn("below 0.95 within the noise: sum d at 2^14 on 2 threads (0.90×)", f)
        ok = [b for b in threads_data()["benchmarks"] if not b["run_name"].startswith(("dot/", "sum/"))]
        f = self.report.threads_finding(benchdata.tidy_rows(dict(context={}, benchmarks=ok)))
        self.assertIn("no kernel slower on 2 or 4 threads than on 1 (worst 0.97× gemv_n d at 2^6 on 2 threads)", f)
        self.assertIsNone(self.report.threads_finding(benchdata.tidy_rows(scaling_data([1]))))

    def test_report(self):
        d = tempfile.mkdtemp()
        try:
            md, p = render_report(self, d, threads_data())
            self.assertIn("## Threads never hurt", md)
            self.assertIn("within the noise", md)
            self.assertLess(md.index("## Strong scaling at the largest size"), md.index("## Threads never hurt"))
            finding = next(line for line in md.splitlines() if line.startswith("- **Threads never hurt**"))
            self.assertIn("dot s at 2^12 on 2 threads (0.60×)", finding)
        finally:
            shutil.rmtree(d)


class MannWhitney(unittest.TestCase):
    def test_exact_values(self):
        self.assertAlmostEqual(compare.mann_whitney([1, 2, 3], [4, 5, 6]), 0.1)
        self.assertAlmostEqual(compare.mann_whitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), 2 / 252)
        self.assertEqual(compare.mann_whitney([1, 3, 5], [2, 4, 6]), 1.0 if False else compare.mann_whitney(
            [2, 4, 6], [1, 3, 5]))
        self.assertAlmostEqual(compare.smallest_p(3, 3), 0.1)

    def test_against_scipy(self):
        try:
            from scipy.stats import mannwhitneyu
        except ImportError:
            self.skipTest("no scipy")
        import random
        rng = random.Random(7)
        for _ in range(200):
            n1, n2 = rng.randint(1, 8), rng.randint(1, 8)
            digits = rng.choice([1, 6])  # 1: ties
            x = [round(rng.gauss(0, 1), digits) for _ in range(n1)]
            y = [round(rng.gauss(rng.choice([0, 2]), 1), digits) for _ in range(n2)]
            self.assertAlmostEqual(compare.mann_whitney(x, y),
                                   mannwhitneyu(x, y, alternative="two-sided").pvalue, places=9, msg=(x, y))


def comparable(scale=1.0, reps=6, seed=0):
    """Two points with `reps` repetitions each, times scaled by `scale`."""
    import random
    rng = random.Random(seed)
    b = []
    for name, base, c in (("dot/d/hpk_omp/size:4096/threads:1", 10.0, dict(working_set=65536, bytes=65536)),
                          ("mc_pi/d/hpk_omp/size:1048576/threads:2", 500.0, dict(samples=1 << 20))):
        b += run(name, [scale * base * (1 + 0.02 * rng.random()) for _ in range(reps)], c)
    return dict(context=dict(host_name="test", cpu_model="x", hpk_commit="abc"), benchmarks=b)


class Compare(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def bench_compare(self, *args):
        return subprocess.run(["bash", os.path.join(SOURCE, "scripts", "bench"), "--compare", *args],
                              capture_output=True, text=True, timeout=120,
                              env=dict(os.environ, PATH="/nonexistent-no-cmake:" + os.environ.get("PATH", "")))

    def read_csv(self, path):
        import csv
        with open(path) as f:
            return list(csv.DictReader(f))

    def test_same_data_no_change(self):
        old = write_folder(os.path.join(self.tmp, "old"), comparable(seed=1))
        new = write_folder(os.path.join(self.tmp, "new"), comparable(seed=2))
        rows, only_old, only_new = compare.compare(benchdata.load_json(old), benchdata.load_json(new))
        self.assertEqual(len(rows), 2)
        self.assertEqual({r["change"] for r in rows}, {"same"})
        self.assertEqual((only_old, only_new), ([], []))

    def test_shifted_data_reported(self):
        old = write_folder(os.path.join(self.tmp, "old"), comparable(seed=1))
        new = write_folder(os.path.join(self.tmp, "new"), comparable(scale=0.8, seed=2))
        rows, _, _ = compare.compare(benchdata.load_json(old), benchdata.load_json(new))
        self.assertEqual({r["change"] for r in rows}, {"faster"})
        for r in rows:
            self.assertLess(r["p_value"], 0.05)
            self.assertAlmostEqual(r["speedup"], 1.25, delta=0.05)
        rows, _, _ = compare.compare(benchdata.load_json(new), benchdata.load_json(old))
        self.assertEqual({r["change"] for r in rows}, {"slower"})

    def test_small_shift_is_not_a_change(self):
        old = write_folder(os.path.join(self.tmp, "old"), comparable(seed=1))
        new = write_folder(os.path.join(self.tmp, "new"), comparable(scale=0.97, seed=1))
        rows, _, _ = compare.compare(benchdata.load_json(old), benchdata.load_json(new))
        self.assertEqual({r["change"] for r in rows}, {"same"})  # significant, but under 5%

    def test_scripts_bench_compare(self):
        old = write_folder(os.path.join(self.tmp, "old"), comparable(seed=1))
        new = write_folder(os.path.join(self.tmp, "new"), comparable(scale=0.5, seed=2))
        out = os.path.join(self.tmp, "cmp")
        p = self.bench_compare(old, new, "--out", out)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("2 faster, 0 slower", p.stdout)
        rows = self.read_csv(os.path.join(out, "compare.csv"))
        self.assertEqual([r["change"] for r in rows], ["faster", "faster"])
        with open(os.path.join(out, "compare.md")) as f:
            md = f.read()
        self.assertIn("**2 faster**", md)
        if have_matplotlib():
            self.assertGreater(os.path.getsize(os.path.join(out, "compare.png")), 0)
        # A folder with itself: nothing changes.
        p = self.bench_compare(old, old, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("0 faster, 0 slower", p.stdout)

    def test_folder_checks(self):
        old = write_folder(os.path.join(self.tmp, "old"), comparable())
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        for args, message in (([old], "needs two results folders"),
                              ([old, os.path.join(self.tmp, "missing")], "is not a folder"),
                              ([old, empty], "has no bench.json"),
                              ([old, old, "--kernels", "dot"], "--compare takes two results folders")):
            p = self.bench_compare(*args)
            self.assertEqual(p.returncode, 2, f"{args}: {p.stdout}{p.stderr}")
            self.assertIn(message, p.stderr, args)
            self.assertNotIn("Traceback", p.stderr)
        other = write_folder(os.path.join(self.tmp, "other"), dict(context={}, benchmarks=run(
            "sum/s/openblas/size:8/threads:1", [1.0], dict(bytes=32))))
        p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "compare.py"), old, other],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no point in common", p.stderr)
        self.assertNotIn("Traceback", p.stderr)


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


class BenchScript(unittest.TestCase):
    """Runs scripts/bench with cmake, sudo and apt-get replaced by stubs that
    leave a mark; check_refused: options refused before scripts/deps, cmake
    or any folder."""

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



class BenchOptions(BenchScript):
    """scripts/bench refuses bad options before it installs, builds or writes."""

    def test_unknown_kernel(self):
        self.check_refused(["--kernels", "dot,foo"], "'foo'", "gemv_n", "stream_triad", "cl_upload_pinned", "reductions")

    def test_zero_threads(self):
        self.check_refused(["--threads", "0"], "'0'", "2^K", "LO:HI:F")

    def test_bad_size_range(self):
        self.check_refused(["--gemv-sizes=64:abc"], "'64:abc'", "LO:HI:F")
        self.check_refused(["--vec-sizes", "2^12:2^10:4"], "'2^12:2^10:4'")

    def test_unknown_variant(self):
        self.check_refused(["--variants", "openblas,cuda"], "'cuda'", "hpk_omp", "clblast", "stream", "device",
                           "philox_loop")

    def test_unknown_precision_and_data(self):
        self.check_refused(["--precisions", "q"], "'q'", "s, d")
        self.check_refused(["--data", "nan,pink"], "'pink'", "subnormal")

    def test_numbers(self):
        self.check_refused(["--repetitions", "0"], "whole number")
        self.check_refused(["--min-time", "abc"], "number")
        self.check_refused(["--warmup", "-1"], "number")
        self.check_refused(["--pause", "x"], "number")

    def test_reruns(self):
        self.check_refused(["--reruns", "x"], "'x'", "0 to 9")
        self.check_refused(["--reruns=-1"], "0 to 9")

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
        self.assertIn("--cpu-path", p.stdout)
        self.assertIn("OPENBLAS_CORETYPE=SkylakeX", p.stdout)

    def test_cpu_path_names(self):
        self.check_refused(["--cpu-path", "avx2,sse9"], "'sse9'", "avx512", "avx2", "portable", "all")
        self.check_refused(["--cpu-path=native"], "'native'")
        self.check_refused(["--cpu-path="], "--cpu-path needs")
        self.check_refused(["--cpu-path"], "--cpu-path needs a value")

    def test_cpu_path_all_stands_alone(self):
        self.check_refused(["--cpu-path", "all,portable"], "all stands alone")

    def test_cpu_path_needs_an_hpk_cpu_variant(self):
        self.check_refused(["--cpu-path", "portable", "--variants", "openblas,blis"],
                           "--variants needs hpk_serial or hpk_omp")

    def test_cpu_path_this_cpu_lacks(self):
        # Refused before the build where /proc/cpuinfo lacks the path's features.
        try:
            with open("/proc/cpuinfo") as f:
                flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), None)
        except OSError:
            flags = None
        if flags is None or "avx512f" in flags:
            self.skipTest("this CPU runs avx512 (or has no /proc/cpuinfo)")
        self.check_refused(["--cpu-path", "avx512"], "this CPU cannot run 'avx512'", "portable")

    def test_cpu_path_accepted(self):
        # A good --cpu-path gets past the checks: the stubbed scripts/deps step runs next.
        p = self.bench("--cpu-path", "portable", "--quick", "--kernels", "dot", "--out",
                       os.path.join(self.tmp, "o"))
        self.assertNotIn("cpu-path", p.stderr)
        self.assertNotIn("nothing was built", p.stderr)
        p = self.bench("--cpu-path=all", "--variants", "hpk_omp,openblas", "--out", os.path.join(self.tmp, "o"))
        self.assertNotIn("cpu-path", p.stderr)
        self.assertNotIn("nothing was built", p.stderr)


if __name__ == "__main__":
    if not shutil.which("bash"):
        print("test_study.py: no bash; skipped")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=1)
