"""The study's second peer and accuracy arithmetic, without running either.

- results.csv's speedup_vs_blis: BLIS's median time over the row's, at the
  same size and thread count, for CPU rows other than BLIS's own.
- plots/accuracy.py: the worst error per (kernel, precision, data, library),
  the comparison rule (within 2x is "the same"; an Inf/NaN result is worse
  than any number), the findings sentence, the table, and the report
  sections (peers.py's BLIS table, accuracy.py's table) on synthetic input.

usage: python3 tests/test_study_peers.py SOURCE_DIR [unittest arguments]
"""
import csv
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
import accuracy  # noqa: E402
import benchdata  # noqa: E402
import peers  # noqa: E402


def run(name, times, counters):
    return [dict(name=name, run_name=name, run_type="iteration", real_time=t, time_unit="us", **counters)
            for t in times]


def bench():
    c = dict(working_set=8192, bytes=8192)
    b = []
    for t in (1, 2):
        b += run(f"dot/d/hpk_omp/size:1024/threads:{t}", [1.0, 1.0, 1.1], c)
        b += run(f"dot/d/openblas/size:1024/threads:{t}", [2.0] * 3, c)
        b += run(f"dot/d/blis/size:1024/threads:{t}", [3.0, 3.0, 9.0], c)  # median 3.0
    b += run("dot/d/hpk_cl_kernel/size:1024/threads:1", [5.0] * 3, c)
    b += run("sum/d/hpk_omp/size:1024/threads:1", [1.0] * 3, c)  # BLIS has no sum
    return dict(context=dict(host_name="test", caches=[], blis="BLIS 0.9.0, generic kernels, OpenMP build"),
                benchmarks=b)


ACCURACY = [
    # kernel, precision, data, n, condition, library, rel_error, ulps
    ("sum", "d", "uniform", 1024, 1, "hpk", 1e-16, 0.5),
    ("sum", "d", "uniform", 4096, 1, "hpk", 2e-16, 0.9),      # hpk's worst: 2e-16
    ("sum", "d", "uniform", 1024, 1, "openblas", 1e-15, 5),
    ("sum", "d", "uniform", 4096, 1, "openblas", 3e-16, 1.5),  # within 2x of 2e-16? no: worst is 1e-15
    ("sum", "d", "uniform", 1024, 1, "textbook", 3e-16, 1),   # within 2x of hpk: the same
    ("nrm2", "d", "huge", 1024, 1, "hpk", 1e-16, 0.4),
    ("nrm2", "d", "huge", 1024, 1, "openblas", 1e-16, 0.4),
    ("nrm2", "d", "huge", 1024, 1, "blis", 1e-14, 40),
    ("nrm2", "d", "huge", 1024, 1, "textbook", math.inf, math.inf),
    ("dot", "s", "cancel", 1024, 1e6, "hpk", 1e-3, 1e4),
    ("dot", "s", "cancel", 1024, 1e6, "openblas", 1e-4, 1e3),  # hpk larger here
    ("dot", "s", "cancel", 1024, 1e6, "blis", 0.0, 0.0),
]


def write_accuracy(folder):
    with open(os.path.join(folder, accuracy.ACCURACY_CSV), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kernel", "precision", "data", "n", "condition", "library", "result", "reference",
                    "rel_error", "ulps"])
        for k, p, d, n, cond, lib, rel, ulps in ACCURACY:
            w.writerow([k, p, d, n, cond, lib, 1.0, 1.0, "inf" if math.isinf(rel) else rel,
                        "inf" if math.isinf(ulps) else ulps])


class SecondPeer(unittest.TestCase):
    def setUp(self):
        self.rows = benchdata.tidy_rows(bench())

    def get(self, kernel, variant, threads):
        return next(r for r in self.rows if (r["kernel"], r["variant"], r["threads"]) == (kernel, variant, threads))

    def test_speedup_vs_blis(self):
        self.assertAlmostEqual(self.get("dot", "hpk_omp", 1)["speedup_vs_blis"], 3.0)
        self.assertAlmostEqual(self.get("dot", "openblas", 2)["speedup_vs_blis"], 1.5)
        self.assertIsNone(self.get("dot", "blis", 1)["speedup_vs_blis"])
        self.assertIsNone(self.get("dot", "hpk_cl_kernel", 1)["speedup_vs_blis"])
        self.assertIsNone(self.get("sum", "hpk_omp", 1)["speedup_vs_blis"])
        # BLIS's own peer column is OpenBLAS.
        self.assertAlmostEqual(self.get("dot", "blis", 1)["speedup_vs_peer"], 2.0 / 3.0)

    def test_blis_section(self):
        md, text = peers.blis_section(self.rows, [1, 2], bench()["context"])
        joined = "\n".join(md)
        self.assertIn("BLIS: ", joined)  # under report.py's "## hpk OpenMP vs BLIS" heading
        self.assertIn("| dot | d | 3.00 (3.00–3.00) | 3.00 (3.00–3.00) |", joined)
        self.assertIn("generic sub-configuration", joined)
        self.assertIn("1.00 in the median", joined)  # BLIS's 1t / 2t time: no speedup
        self.assertNotIn("| sum |", joined)

    def test_no_blis_rows_no_section(self):
        rows = [r for r in self.rows if r["variant"] != "blis"]
        self.assertEqual(peers.blis_section(rows, [1, 2], {}), (None, None))


class Accuracy(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        write_accuracy(self.dir)
        self.rows = accuracy.load(self.dir)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_worst_over_sizes(self):
        w = accuracy.worst(self.rows)
        self.assertEqual(w[("sum", "d", "uniform", "hpk")]["rel_error"], 2e-16)
        self.assertEqual(w[("sum", "d", "uniform", "hpk")]["n"], 4096)
        self.assertEqual(w[("sum", "d", "uniform", "openblas")]["rel_error"], 1e-15)
        self.assertTrue(math.isinf(w[("nrm2", "d", "huge", "textbook")]["rel_error"]))

    def test_compare(self):
        r = lambda e: dict(rel_error=e)
        self.assertEqual(accuracy.compare(r(1e-16), r(1e-15)), "smaller")
        self.assertEqual(accuracy.compare(r(1e-16), r(1.9e-16)), "same")
        self.assertEqual(accuracy.compare(r(1e-15), r(1e-16)), "larger")
        self.assertEqual(accuracy.compare(r(1e-16), r(math.inf)), "smaller")
        self.assertEqual(accuracy.compare(r(math.inf), r(math.inf)), "same")
        self.assertEqual(accuracy.compare(r(0.0), r(0.0)), "same")

    def test_findings(self):
        text = " ".join(accuracy.findings(self.rows))
        self.assertIn("hpk's worst error over every kernel and size is 0.9 ulp in double", text)
        # OpenBLAS: sum smaller, nrm2 huge same, dot cancel larger.
        self.assertIn("Against OpenBLAS, hpk's worst relative error is smaller (by more than 2×) in 1 of 3 "
                      "cases, about the same in 1 and larger in 1", text)
        # BLIS: nrm2 huge smaller, dot cancel larger (BLIS exact).
        self.assertIn("Against BLIS, hpk's worst relative error is smaller (by more than 2×) in 1 of 2 cases, "
                      "about the same in 0 and larger in 1", text)
        self.assertIn("the textbook loop overflows or underflows", text)

    def test_table(self):
        md, _ = accuracy.table(self.rows)
        self.assertIn("| sum | d | uniform | 1 | 2.0e-16 (0.9 ulp) | 1.0e-15 (5 ulp) | no sum | 3.0e-16 (1 ulp) |", md)
        self.assertIn("| nrm2 | d | huge | 1 | 1.0e-16 (0.4 ulp) | 1.0e-16 (0.4 ulp) | 1.0e-14 (40 ulp) | "
                      "Inf/NaN result |", md)
        self.assertIn("| dot | s | cancel | 1e+06 |", md)
        self.assertIn("| exact |", md)

    def test_report_has_both_sections(self):
        with open(os.path.join(self.dir, "bench.json"), "w") as f:
            json.dump(bench(), f)
        p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "report.py"), self.dir],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.dir, "report.md")) as f:
            md = f.read()
        self.assertIn("\n## hpk OpenMP vs BLIS\n", md)
        self.assertIn("\n## Accuracy\n", md)

    def test_plot(self):
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            self.skipTest("no matplotlib")
        p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "accuracy.py"), self.dir],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.getsize(os.path.join(self.dir, "accuracy.png")) > 0)

    def test_no_csv_no_section(self):
        os.remove(os.path.join(self.dir, accuracy.ACCURACY_CSV))
        self.assertEqual(accuracy.section(self.dir), (None, None))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=1)
