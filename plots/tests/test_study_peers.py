"""The study's second peer and accuracy arithmetic, without running either.

- results.csv's speedup_vs_blis: BLIS's median time over the row's, at the
  same size and thread count, for CPU rows other than BLIS's own.
- plots/accuracy.py: the worst error per (kernel, precision, data, library),
  the comparison rule (within 2x is "the same"; an Inf/NaN result is worse
  than any number), the findings sentence, the table, and the report
  sections (sections/peers.py's BLIS table, accuracy.py's table) on synthetic input.
- The peers' kernels (plots/isa.py): every CPU row's hpk_cpu_path,
  openblas_core, blis_arch, their ISAs and the width comparison; report.md
  saying "not like for like" where a peer runs narrower vectors than hpk's
  path (Findings and the vs-peer sections), and the --cpu-path runs
  (cpu-path-PATH/ folders): their rows in results.csv, report.md's CPU paths
  table and finding.
- Issue 19's targets per path (sections/path_targets.py): each met or
  missed, beyond or within the noise, on synthetic points, and report.md's
  "CPU path targets" with a wider path slower than a narrower one.

usage: python3 plots/tests/test_study_peers.py SOURCE_DIR [unittest arguments]
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

# study_fixture puts plots/ on the import path.
from study_fixture import M, md, run_tests, study, tidy, write_manifest

import accuracy  # noqa: E402
import benchdata  # noqa: E402
import isa  # noqa: E402
import render  # noqa: E402
from sections import accuracy as accuracy_section  # noqa: E402
from sections import path_targets  # noqa: E402
from sections import peers  # noqa: E402

SOURCE = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                         os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def blis_section(rows, threads, context):
    """The BLIS part of "hpk OpenMP vs BLIS": (markdown lines, console
    text), or (None, None) without BLIS rows."""
    s = peers.blis_section(study(rows, threads, context))
    return (render.markdown(s), render.text(s)) if s else (None, None)


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
        self.rows = tidy(bench())

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
        md, text = blis_section(self.rows, [1, 2], bench()["context"])
        joined = "\n".join(md)
        self.assertIn("BLIS: ", joined)  # under report.py's "## hpk OpenMP vs BLIS" heading
        self.assertIn("| dot | d | 3.00 (3.00–3.00) | 3.00 (3.00–3.00) |", joined)
        self.assertIn("generic sub-configuration", joined)
        self.assertIn("1.00 in the median", joined)  # BLIS's 1t / 2t time: no speedup
        self.assertNotIn("| sum |", joined)

    def test_no_blis_rows_no_section(self):
        rows = [r for r in self.rows if r["variant"] != "blis"]
        self.assertEqual(blis_section(rows, [1, 2], {}), (None, None))


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
        table = md(accuracy.table(self.rows))
        self.assertIn("| sum | d | uniform | 1 | 2.0e-16 (0.9 ulp) | 1.0e-15 (5 ulp) | no sum | 3.0e-16 (1 ulp) |", table)
        self.assertIn("| nrm2 | d | huge | 1 | 1.0e-16 (0.4 ulp) | 1.0e-16 (0.4 ulp) | 1.0e-14 (40 ulp) | "
                      "Inf/NaN result |", table)
        self.assertIn("| dot | s | cancel | 1e+06 |", table)
        self.assertIn("| exact |", table)

    def test_report_has_both_sections(self):
        write_manifest(self.dir)
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
        self.assertIsNone(accuracy_section.section(self.dir))


def kernels_context(path, core, blis="BLIS 0.9.0, zen3 kernels, OpenMP build", machine="x86_64", **extra):
    """A run's context as bench/context.cpp records it: hpk's path,
    OpenBLAS's core, BLIS's description (its arch inside)."""
    return dict(host_name="test", caches=[], os=f"Linux 6.1.0 {machine}", hpk_cpu_path=path,
                openblas_core=core, blis=blis, **extra)


def bench_on(path, core, speed=1.0, **context):
    """bench()'s points (hpk_omp faster by `speed`) under a run's kernels."""
    data = bench()
    for b in data["benchmarks"]:
        if b["run_name"].split("/")[2] == "hpk_omp":
            b["real_time"] /= speed
    data["context"] = kernels_context(path, core, **context)
    return data


def write_bench(folder, data):
    write_manifest(folder)
    with open(os.path.join(folder, "bench.json"), "w") as f:
        json.dump(data, f)


def run_script(script, folder):
    p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", script + ".py"), folder],
                       capture_output=True, text=True, timeout=120)
    return p


def report_section(test, folder, title):
    """report.md's section `title` after plots/report.py on `folder`, and
    the script's run."""
    p = run_script("report", folder)
    test.assertEqual(p.returncode, 0, p.stderr)
    with open(os.path.join(folder, "report.md")) as f:
        md = f.read()
    return md.split(f"\n## {title}\n")[1].split("\n## ")[0], md, p


class PeerKernels(unittest.TestCase):
    """hpk's path against the peers' kernels, per row and in the report."""

    def test_isa_names(self):
        self.assertEqual(isa.openblas_isa("Haswell"), "avx2")
        self.assertEqual(isa.openblas_isa("HASWELL"), "avx2")  # non-DYNAMIC_ARCH builds spell it so
        self.assertEqual(isa.openblas_isa("SkylakeX"), "avx512")
        self.assertEqual(isa.openblas_isa("Prescott"), "sse3")
        self.assertEqual(isa.openblas_isa("Zen"), "avx2")
        self.assertEqual(isa.blis_isa("zen3"), "avx2")
        self.assertEqual(isa.blis_isa("skx"), "avx512")
        self.assertEqual(isa.blis_isa("generic"), "generic")
        self.assertEqual(isa.hpk_isa("portable", "x86_64"), "sse2")
        self.assertEqual(isa.hpk_isa("portable", "aarch64"), "neon")
        self.assertIsNone(isa.hpk_isa("native"))
        self.assertEqual(isa.compare("avx2", "avx512"), "narrower")
        self.assertEqual(isa.compare("sse3", "sse2"), "same")
        self.assertEqual(isa.compare("avx512", "avx2"), "wider")
        self.assertIsNone(isa.compare(None, "avx2"))

    def test_columns_on_cpu_rows(self):
        rows = tidy(bench_on("avx512", "Haswell"))
        for r in rows:
            if r["variant"] == "hpk_cl_kernel":
                self.assertTrue(all(r[c] is None for c in isa.COLUMNS), r)
                continue
            self.assertEqual((r["hpk_cpu_path"], r["hpk_isa"]), ("avx512", "avx512"))
            self.assertEqual((r["openblas_core"], r["openblas_isa"]), ("Haswell", "avx2"))
            self.assertEqual((r["blis_arch"], r["blis_isa"]), ("zen3", "avx2"))
            self.assertEqual(r["openblas_vs_hpk_isa"], "narrower")
            self.assertEqual(r["blis_vs_hpk_isa"], "narrower")

    def test_same_wider_unknown(self):
        def first(data):
            return next(r for r in tidy(data) if r["variant"] == "hpk_omp")
        r = first(bench_on("portable", "Prescott", blis="BLIS 0.9.0, generic kernels, OpenMP build"))
        self.assertEqual((r["openblas_vs_hpk_isa"], r["blis_vs_hpk_isa"]), ("same", "same"))
        r = first(bench_on("avx2", "SkylakeX", blis_arch="skx"))
        self.assertEqual((r["openblas_vs_hpk_isa"], r["blis_arch"], r["blis_vs_hpk_isa"]),
                         ("wider", "skx", "wider"))
        r = first(bench_on("avx2", "Loongson3R4", blis="none: cannot load BLIS"))
        self.assertEqual((r["openblas_vs_hpk_isa"], r["blis_arch"], r["blis_vs_hpk_isa"]), ("unknown", None, None))
        # A JSON from before the harness recorded the kernels: blank columns, no claim.
        data = bench()
        r = next(r for r in tidy(data) if r["variant"] == "hpk_omp")
        self.assertIsNone(r["openblas_vs_hpk_isa"])
        self.assertIsNone(r["hpk_cpu_path"])

    def test_wording(self):
        row = isa.columns(kernels_context("avx512", "Haswell"))
        text = isa.comparison_text(row, "openblas")
        self.assertTrue(text.startswith("hpk avx512 (AVX-512) vs OpenBLAS Haswell (AVX2): **not like for like**"),
                        text)
        self.assertIn("256-bit vectors, hpk 512-bit", text)
        same = isa.comparison_text(isa.columns(kernels_context("avx2", "Haswell")), "openblas")
        self.assertEqual(same, "hpk avx2 (AVX2) vs OpenBLAS Haswell (AVX2): like for like (256-bit vectors both)")
        self.assertIn("compare with care",
                      isa.comparison_text(isa.columns(kernels_context("avx2", "Foo")), "openblas"))

    def test_report_says_not_like_for_like(self):
        d = tempfile.mkdtemp()
        try:
            write_bench(d, bench_on("avx512", "Haswell", speed=3.0, openblas_coretype_env="Haswell"))
            self.assertEqual(run_script("tidy", d).returncode, 0)
            with open(os.path.join(d, "results.csv"), newline="") as f:
                rows = list(csv.DictReader(f))
            for c in isa.COLUMNS:
                self.assertIn(c, rows[0])
            self.assertEqual({r["openblas_vs_hpk_isa"] for r in rows if r["variant"] != "hpk_cl_kernel"},
                             {"narrower"})
            p = run_script("report", d)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "report.md")) as f:
                md = f.read()
            findings = md.split("\n## Findings\n")[1].split("\n## ")[0]
            claim = "hpk avx512 (AVX-512) vs OpenBLAS Haswell (AVX2): **not like for like**"
            self.assertIn("**Kernels compared**", findings)
            self.assertIn(claim, findings)
            # The family's sentence names the peer's core beside its tally.
            self.assertIn("against OpenBLAS (Haswell, AVX2: narrower than hpk's avx512, not like for like), hpk is "
                          "ahead", findings)
            for section in ("OpenBLAS", "BLIS"):
                body = md.split(f"\n## hpk OpenMP vs {section}\n")[1].split("\n## ")[0]
                self.assertIn(f"Kernels: hpk avx512 (AVX-512) vs {section} ", body)
                self.assertIn("**not like for like**", body)
            self.assertIn("core Haswell (OPENBLAS_CORETYPE=Haswell)", md)
            # The CPU paths table: one path, its OpenBLAS core flagged.
            paths = md.split("\n## CPU paths\n")[1].split("\n## ")[0]
            self.assertIn("| avx512 (AVX-512) | Haswell (AVX2; **not like for like**) | dot | 6.00 (6.00–6.00) | "
                          "6.00 (6.00–6.00) |", paths)
        finally:
            shutil.rmtree(d)

    def test_like_for_like_is_not_flagged(self):
        d = tempfile.mkdtemp()
        try:
            write_bench(d, bench_on("avx2", "Haswell", blis_arch="zen3"))
            p = run_script("report", d)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, "report.md")) as f:
                md = f.read()
            # Only "How to read this" explains the phrase.
            self.assertNotIn("not like for like", md.split("\n## How to read this\n")[0])
            self.assertIn("hpk avx2 (AVX2) vs OpenBLAS Haswell (AVX2): like for like (256-bit vectors both)", md)
        finally:
            shutil.rmtree(d)


class PathRuns(unittest.TestCase):
    """scripts/bench --cpu-path: the first path in the folder, each further
    one in cpu-path-PATH/, OpenBLAS on the core of its ISA."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        write_bench(self.dir, bench_on("avx512", "SkylakeX", speed=2.0, blis_arch="zen4"))
        write_bench(os.path.join(self.dir, "cpu-path-portable"), bench_on("portable", "Prescott", speed=0.5))
        write_bench(os.path.join(self.dir, "cpu-path-avx2"), bench_on("avx2", "Haswell", speed=1.0))
        os.makedirs(os.path.join(self.dir, "cpu-path-avx9"))  # no bench.json: not a run

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_path_runs_best_first(self):
        self.assertEqual([p for p, _ in benchdata.path_runs(self.dir)], ["avx2", "portable"])
        self.assertEqual(benchdata.path_runs(os.path.join(self.dir, "cpu-path-avx2")), [])

    def test_results_csv_has_every_path(self):
        p = run_script("tidy", self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("from the other --cpu-path runs", p.stdout)
        with open(os.path.join(self.dir, "results.csv"), newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["variant"] == "hpk_omp" and r["kernel"] == "dot"]
        got = [(r["hpk_cpu_path"], r["openblas_core"], r["threads"], r["speedup_vs_peer"]) for r in rows]
        self.assertEqual(got, [("avx512", "SkylakeX", "1", "4"), ("avx512", "SkylakeX", "2", "4"),
                               ("avx2", "Haswell", "1", "2"), ("avx2", "Haswell", "2", "2"),
                               ("portable", "Prescott", "1", "1"), ("portable", "Prescott", "2", "1")])

    def test_a_run_without_its_manifest_takes_the_folders(self):
        os.remove(os.path.join(self.dir, "cpu-path-avx2", "manifest.json"))
        runs = benchdata.all_path_rows(self.dir, m=M)
        self.assertEqual([run[0]["hpk_cpu_path"] for run in runs], ["avx512", "avx2", "portable"])

    def test_mpi_comparison_takes_the_folders_own_run(self):
        try:
            import mpi_scaling  # imports matplotlib
        except ImportError:
            self.skipTest("no matplotlib")
        self.assertEqual(run_script("tidy", self.dir).returncode, 0)
        # hpk OpenMP's time from the folder's own run (its rows come first), not a later path's.
        self.assertAlmostEqual(mpi_scaling.omp_times(self.dir)[("dot", "d", 1024, 1)], 0.5e-6)

    def test_report_table_and_findings(self):
        paths, md, p = report_section(self, self.dir, "CPU paths")
        lines = [l for l in paths.splitlines() if l.startswith("| ") and "| dot |" in l]
        self.assertEqual(lines, [
            "| avx512 (AVX-512) | SkylakeX (AVX-512) | dot | 4.00 (4.00–4.00) | 4.00 (4.00–4.00) | "
            "2 ahead / 0 tied / 0 behind |",
            "| avx2 (AVX2) | Haswell (AVX2) | dot | 2.00 (2.00–2.00) | 2.00 (2.00–2.00) | "
            "2 ahead / 0 tied / 0 behind |",
            "| portable (SSE2) | Prescott (SSE3) | dot | 1.00 (1.00–1.00) | 1.00 (1.00–1.00) | "
            "0 ahead / 2 tied / 0 behind |"])
        findings = md.split("\n## Findings\n")[1].split("\n## ")[0]
        self.assertIn("**hpk's avx2 path** (`--cpu-path`; hpk avx2 (AVX2) vs OpenBLAS Haswell (AVX2): like for like",
                      findings)
        self.assertIn("**hpk's portable path**", findings)
        self.assertIn("hpk avx512 (AVX-512) vs BLIS zen4 (AVX-512): like for like", findings)
        self.assertIn("hpk OpenMP vs OpenBLAS per hpk code path", p.stdout)


def point(kernel, prec, size, threads, ratio, ws, interval=None):
    return dict(kernel=kernel, precision=prec, size=size, threads=threads, ratio=ratio, working_set=ws,
                interval=interval or (ratio * 0.99, ratio * 1.01))


class PathTargets(unittest.TestCase):
    """Issue 19's targets on synthetic comparison points."""

    def test_median_over_sizes(self):
        pts = [point("dot", "d", n, 1, r, 8 * n) for n, r in ((1024, 0.8), (4096, 1.2), (16384, 0.9))]
        pts += [point("dot", "d", 1024, 2, 1.5, 8192)]
        line = path_targets.median_line(pts)
        self.assertIn("(2 kernel, precision and thread count groups): **missed** in 1: dot d 1t 0.90.", line)
        self.assertTrue(path_targets.median_line(pts[3:]).endswith("met."))

    def test_floor_from_256_kib(self):
        pts = [point("sum", "s", 2 ** 15, 1, 0.5, 128 * 1024),  # below 256 KiB: not judged
               point("sum", "s", 2 ** 18, 1, 0.85, 1 << 20, (0.80, 0.95)),  # within the noise
               point("sum", "s", 2 ** 20, 1, 0.70, 4 << 20, (0.60, 0.80)),  # beyond it
               point("sum", "s", 2 ** 22, 1, 1.00, 16 << 20)]
        line = path_targets.floor_line(pts)
        self.assertIn("(3 points): **missed** at 2, 1 of them beyond the noise", line)
        self.assertIn("sum s 4 MiB 1t 0.70", line)
        self.assertNotIn("0.85", line)
        self.assertTrue(path_targets.floor_line(pts[3:]).endswith("met."))
        self.assertIn("not judged", path_targets.floor_line(pts[:1]))

    def test_gemv_geometric_mean(self):
        pts = [point("gemv_n", "d", 64, 1, 0.1, 32768),  # below n = 256: left out
               point("gemv_n", "d", 256, 1, 1.0, 1 << 19), point("gemv_n", "d", 1024, 1, 1.21, 1 << 23),
               point("gemv_t", "d", 256, 1, 1.0, 1 << 19),
               point("gemv_n", "s", 256, 1, 0.1, 1 << 18)]  # float: not this target
        n_line, t_line = path_targets.geomean_lines(pts)
        self.assertIn("dgemv N: geometric mean over n = 256 … 8192 ≥ 1.10×**: met; 1.10 on 1 thread.", n_line)
        self.assertIn("dgemv T", t_line)
        self.assertIn("**missed**; 1.00 on 1 thread.", t_line)

    def test_nrm2_and_iamax(self):
        pts = [point("nrm2", "d", 1024, 1, 2.5, 8192), point("nrm2", "d", 4096, 1, 1.5, 32768),
               point("nrm2", "d", 16384, 1, 3.0, 131072),
               point("iamax", "s", 1024, 1, 1.3, 4096), point("iamax", "s", 4096, 1, 0.98, 16384, (0.9, 1.05)),
               point("iamax", "d", 1024, 1, 0.8, 8192, (0.7, 0.9))]
        lines = path_targets.vector_path_lines(pts)
        self.assertIn("- **dnrm2 ≥ 2× (median over the sizes)**: d: met, median 2.50 (1t).", lines)
        iamax = [l for l in lines if "i?amax" in l][0]
        self.assertIn("d: **missed**, lowest 0.80 (iamax d 8 KiB 1t)", iamax)
        self.assertIn("s: **missed** (within the noise), lowest 0.98", iamax)

    def test_portable_median(self):
        pts = [point("dot", "s", 1024, 1, r, 4096) for r in (0.5, 0.95, 2.0)]
        self.assertEqual(path_targets.portable_lines(pts),
                         ["- **median over all 3 points ≥ 0.9×**: met; 0.95 (0.50–2.00)."])
        self.assertIn("**missed**", path_targets.portable_lines(pts[:2])[0])


class PathTargetsInTheReport(unittest.TestCase):
    """report.md's "CPU path targets" from --cpu-path runs: avx2 slower than
    portable is called out."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        write_bench(self.dir, bench_on("avx2", "Haswell", speed=1.0))
        write_bench(os.path.join(self.dir, "cpu-path-portable"), bench_on("portable", "Prescott", speed=2.0))

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_section(self):
        targets = report_section(self, self.dir, "CPU path targets")[0]
        self.assertIn("**avx2** (AVX2) against OpenBLAS Haswell (AVX2):", targets)
        self.assertIn("**portable** (SSE2) against OpenBLAS Prescott (SSE3):", targets)
        self.assertIn("- **median over all 2 points ≥ 0.9×**: met; 4.00", targets)
        self.assertIn("- **avx2 never slower than portable** (hpk OpenMP, portable time / avx2 time ≥ 0.95 at "
                      "each of 3 shared points, in the two paths' own processes): **missed** at 3, 3 of them "
                      "beyond the noise: dot d 8 KiB 1t 0.50", targets)


if __name__ == "__main__":
    run_tests()
