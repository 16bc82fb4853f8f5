"""hpk OpenMP across threads in the study's report, on synthetic results.

- Monte Carlo pi against the plain Philox loop (variant philox_loop): its
  registration, the per-thread-count ratios and the 2x target (met, missed,
  within the noise), report.md's table and finding.
- Threads never hurt: hpk OpenMP's worst T-thread / 1-thread ratio per
  kernel, precision and T (ok, slower, within the noise), report.md's table
  and finding.

usage: python3 plots/tests/test_study_threads.py SOURCE_DIR [unittest arguments]
"""
import os
import shutil
import tempfile
import unittest

# study_fixture puts plots/ on the import path.
from study_fixture import M, SOURCE, md, render_report, row, run, run_tests, synthetic, tidy

from sections import threads as threads_section  # noqa: E402
from test_study_rows import scaling_data  # noqa: E402


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
        v = M.variant("philox_loop")
        self.assertTrue(v["threaded"])
        self.assertFalse(M.is_peer("philox_loop"))
        rows = tidy(philox_data())
        self.assertNotIn("philox_loop", M.cpu_peers({r["variant"] for r in rows}))
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
        rows = tidy(philox_data())
        r = row(rows, "mc_pi", "philox_loop", 1 << 20, 1)
        self.assertAlmostEqual(r["msamples_per_s"], (1 << 20) / 4000.0, places=6)
        pts = threads_section.philox_points(rows)
        self.assertEqual(sorted(pts), [1, 2])
        self.assertEqual([round(p["ratio"], 9) for p in pts[1]], [3.0, 2.5])
        self.assertEqual(threads_section.philox_outcome(pts[1])[0], "met")
        word, low = threads_section.philox_outcome(pts[2])
        self.assertEqual((word, low["size"]), ("missed", 1 << 20))

    def test_within_the_noise(self):
        data = philox_data()
        # 2 threads, 2^20: 1.9x by the medians, but the repetitions reach 2.
        data["benchmarks"] = [b for b in data["benchmarks"] if "/size:1048576/threads:2" not in b["run_name"]]
        data["benchmarks"] += mc_point("hpk_omp", 1 << 20, 2, [600.0, 800.0, 1000.0])
        data["benchmarks"] += mc_point("philox_loop", 1 << 20, 2, [1400.0, 1520.0, 1600.0])
        pts = threads_section.philox_points(tidy(data))
        self.assertEqual(threads_section.philox_outcome(pts[2])[0], "missed (within the noise)")

    def test_table_and_finding(self):
        rows = tidy(philox_data())
        lines = md(threads_section.philox_table(rows)).splitlines()
        self.assertIn("target ≥ 2× at every size", lines[0])
        self.assertEqual(lines[2].split(" | ")[-1], "met |")
        self.assertIn("2.75 (2.50–3.00)", lines[2])
        self.assertIn("2.50 (2^20 samples;", lines[2])
        self.assertEqual(lines[3].split(" | ")[-1], "**missed** |")
        f = threads_section.philox_finding(rows)
        self.assertIn("target missed on 2 threads", f)
        self.assertIn("2.75× on 1 thread (lowest 2.50× at 2^20 samples): met", f)
        self.assertIn("1.95× on 2 threads (lowest 1.50× at 2^20 samples): missed", f)
        self.assertIsNone(threads_section.philox_table(tidy(synthetic())))
        self.assertIsNone(threads_section.philox_finding(tidy(synthetic())))

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
        self.report = threads_section
        self.rows = tidy(threads_data())

    def test_marks(self):
        pts = self.report.threads_points(self.rows, M)
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
        lines = md(self.report.threads_table(self.rows, M)).splitlines()
        self.assertEqual(lines[0], "| kernel | prec | 2 threads: worst time 1t / time 2t over sizes (size): mark | "
                                   "4 threads: worst time 1t / time 4t over sizes (size): mark |")
        self.assertEqual(lines[2], "| gemv_n | d | 0.97 at 2^6 (32 KiB): ok | 1.50 at 2^6 (32 KiB): ok |")
        self.assertEqual(lines[3], "| dot | s | 0.60 at 2^12 (32 KiB): **slower** (1 of 1 sizes) | "
                                   "1.50 at 2^12 (32 KiB): ok |")
        self.assertEqual(lines[4], "| sum | d | 0.90 at 2^14 (128 KiB): within the noise | – |")

    def test_finding(self):
        f = self.report.threads_finding(self.rows, M)
        self.assertIn("1 point slower than on 1 thread: dot s at 2^12 on 2 threads (0.60×)", f)
        self.assertIn("below 0.95 within the noise: sum d at 2^14 on 2 threads (0.90×)", f)
        ok = [b for b in threads_data()["benchmarks"] if not b["run_name"].startswith(("dot/", "sum/"))]
        f = self.report.threads_finding(tidy(dict(context={}, benchmarks=ok)), M)
        self.assertIn("no kernel slower on 2 or 4 threads than on 1 (worst 0.97× gemv_n d at 2^6 on 2 threads)", f)
        self.assertIsNone(self.report.threads_finding(tidy(scaling_data([1])), M))

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


if __name__ == "__main__":
    run_tests()
