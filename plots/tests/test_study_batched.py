"""The batched family in the study (issue 20), on synthetic results.

- The manifest's batched kernels: their problem from the name, not in the
  default "all", each in the harness's table (bench/bench_batched.cpp).
- report.md's "Batched problems": the table against the loop of OpenBLAS
  calls, and each target's line (met, missed, within the noise, not
  judged) with its figures, also in the Findings.
- scripts/bench: --batch-bytes checked, --kernels batched accepted, --help.

usage: python3 plots/tests/test_study_batched.py SOURCE_DIR [unittest arguments]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

# study_fixture puts plots/ on the import path.
from study_fixture import MIB, M, SOURCE, have_matplotlib, md, render_report, run, run_tests, stream_point, \
    study, tidy, write_folder

from sections import batched  # noqa: E402
from test_study import BenchScript  # noqa: E402

BATCHED = [f"gemv_batched_{n}" for n in (4, 8, 16, 32, 64, 256)] + \
    [f"{op}_rows_{n}" for op in ("nrm2", "dot") for n in (3, 16, 100, 1000)]
DRAM = 64 * MIB
L3 = 4 * MIB


def point(kernel, variant, size, threads, times, ws, prec="d"):
    """A batched point moving its working set once per call (times in us)."""
    return run(f"{kernel}/{prec}/{variant}/size:{size}/threads:{threads}", times, dict(working_set=ws, bytes=ws))


def pair(kernel, size, threads, ws, hpk_us, ratio, spread=0.01, peer_spread=0.01):
    """hpk OpenMP at hpk_us per call and the OpenBLAS loop at ratio times
    that, each with three repetitions spread by +-spread around the median."""
    loop = hpk_us * ratio
    return (point(kernel, "hpk_omp", size, threads, [hpk_us * (1 - spread), hpk_us, hpk_us * (1 + spread)], ws) +
            point(kernel, "openblas", size, threads, [loop * (1 - peer_spread), loop, loop * (1 + peer_spread)], ws))


def us_at(ws, gbps):
    """Microseconds per call moving ws bytes at gbps."""
    return 1e6 * ws / (gbps * 1e9)


def batched_data(stream=True, l3=True):
    """STREAM read at 8 KiB and 64 MiB (best repetition 100 and 40 GB/s on 2
    threads), L3 4 MiB, and:
      gemv_batched_16: 4x and 3.5x the OpenBLAS loop at 16 KiB on 1 and 2
        threads, 3.2x and 3.3x at 64 MiB (N <= 32: met; 95% of STREAM on 2
        threads at 64 MiB);
      gemv_batched_256: 1.2x on 1 thread, 0.9x on 2 threads at 64 MiB (N >= 256:
        missed; 80% of STREAM: the DRAM target missed);
      nrm2_rows_100: 2.5x everywhere (met);
      dot_rows_3: 1.9x by the medians, repetitions reaching 2.1x (missed within
        the noise)."""
    b = []
    if stream:
        for t, small, big in ((1, 50.0, 20.0), (2, 100.0, 40.0)):
            b += stream_point(1024, t, [16 * MIB / (small * 1e9)] * 3)  # a call moves 16 MiB
            b += stream_point(DRAM // 8, t, [DRAM / (big * 1e9)] * 3)
    for t in (1, 2):
        b += pair("gemv_batched_16", 55, t, 16 << 10, 2.0, 4.0 if t == 1 else 3.5)
    b += pair("gemv_batched_16", 233016, 1, DRAM, us_at(DRAM, 19.0), 3.2)
    b += pair("gemv_batched_16", 233016, 2, DRAM, us_at(DRAM, 38.0), 3.3)
    b += pair("gemv_batched_256", 127, 1, DRAM, us_at(DRAM, 18.0), 1.2)
    b += pair("gemv_batched_256", 127, 2, DRAM, us_at(DRAM, 32.0), 0.9)
    for t in (1, 2):
        b += pair("nrm2_rows_100", 20, t, 16 << 10, 1.0, 2.5)
        b += pair("dot_rows_3", 585, t, 16 << 10, 1.0, 2.5 if t == 1 else 1.9, spread=0.05, peer_spread=0.05)
    caches = [dict(type="Data", level=1, size=32 << 10)] + ([dict(type="Unified", level=3, size=L3)] if l3 else [])
    return dict(context=dict(host_name="test", caches=caches), benchmarks=b)


def batched_study(data):
    s = study(tidy(data), [1, 2], context=data["context"])
    s.cache = {c["level"]: c["size"] for c in data["context"]["caches"] if c["type"] in ("Data", "Unified")}
    return s


def line(section, start):
    (found,) = [f for f in section.findings if f.startswith(f"- **{start}**")]
    return found


class Manifest(unittest.TestCase):
    def test_kernels(self):
        self.assertEqual(M.kernels(family="batched"), BATCHED)
        self.assertEqual(M.doc["groups"]["batched"], BATCHED)
        for k in BATCHED:
            fields = M.kernel(k)
            self.assertEqual((fields["group"], fields["size"], fields["size_label"], fields["precisions"],
                              fields["measure"], fields["harness"], fields["in_all"], fields["mpi"]),
                             ("batched", "problems", "problems per call", ["s", "d"], "bandwidth", True, False,
                              False), k)
            self.assertNotIn(k, M.doc["groups"]["all"])
        self.assertEqual([M.problem(k) for k in ("gemv_batched_4", "gemv_batched_256", "nrm2_rows_3", "dot_rows_1000")],
                         [("gemv", 4), ("gemv", 256), ("nrm2", 3), ("dot", 1000)])
        self.assertEqual([M.problem(k) for k in ("gemv_n", "dot", "gemv_batched")], [None, None, None])

    def test_offload_bytes(self):
        # A batch's outputs come down: N elements per gemv problem, one result per row.
        import stats
        ws = 8 * 10 * (16 * 16 + 2 * 16)
        self.assertEqual(stats.offload_bytes(M.size("gemv_batched_16"), "d", 10, ws, M.problem("gemv_batched_16")),
                         (ws - 8 * 10 * 16, 8 * 10 * 16))
        ws = 4 * 50 * (2 * 100 + 1)
        self.assertEqual(stats.offload_bytes(M.size("dot_rows_100"), "s", 50, ws, M.problem("dot_rows_100")),
                         (ws - 4 * 50, 4 * 50))

    def test_break_even_text(self):
        from sections import opencl
        self.assertEqual(opencl.size_text(M, "dot_rows_3", 1 << 20), "2^20 problems")
        self.assertEqual(opencl.size_text(M, "dot", 1 << 20), "n = 2^20")

    def test_harness_table(self):
        # Each kernel of the manifest is a line of the harness's table, with its operation and N.
        with open(os.path.join(SOURCE, "bench", "bench_batched.cpp")) as f:
            text = f.read()
        for k in BATCHED:
            op, n = M.problem(k)
            self.assertIn(f'{{"{k}", Op::{op}, {n}}}', text)
        with open(os.path.join(SOURCE, "bench", "main.cpp")) as f:
            self.assertIn("register_batched();", f.read())


class Section(unittest.TestCase):
    def test_table(self):
        s = batched.section(batched_study(batched_data()))
        header, rows = s.table
        self.assertEqual(header[:5], ["kernel", "problem", "prec", "OpenBLAS loop time / hpk time, 1 thread",
                                      "OpenBLAS loop time / hpk time, 2 threads"])
        self.assertEqual([r[:3] for r in rows], [["gemv_batched_16", "16×16", "d"],
                                                 ["gemv_batched_256", "256×256", "d"],
                                                 ["nrm2_rows_100", "rows of 100", "d"],
                                                 ["dot_rows_3", "rows of 3", "d"]])
        g16 = rows[0]
        self.assertEqual(g16[3], "3.60 (3.20–4.00)")  # 1 thread: 4.0 at 16 KiB, 3.2 at 64 MiB
        self.assertEqual(g16[4], "3.40 (3.30–3.50)")
        self.assertEqual(g16[5], "4 ahead / 0 tied / 0 behind")
        self.assertEqual(g16[6], "38.0 (95%)")  # 64 MiB on 2 threads, against STREAM's 40 GB/s
        self.assertEqual(g16[7], "11.5")  # 38 / 3.3
        self.assertEqual([r[-1] for r in rows], ["≥ 3×", "≥ 1×", "≥ 2×", "≥ 2×"])
        self.assertEqual(rows[1][5], "1 ahead / 0 tied / 1 behind")

    def test_targets(self):
        s = batched.section(batched_study(batched_data()))
        small = line(s, "strided-batched gemv, N ≤ 32")
        self.assertIn("(target ≥ 3× at every point): met;", small)
        self.assertIn("median 3.40× over 4 points (3.20–4.00; 4 ahead / 0 tied / 0 behind)", small)
        self.assertIn("lowest 3.20× at gemv_batched_16 d 64 MiB (233016 problems) on 1 thread", small)
        big = line(s, "strided-batched gemv, N ≥ 256")
        self.assertIn("(target ≥ 1× at every point): **missed**;", big)
        self.assertIn("lowest 0.90× at gemv_batched_256 d 64 MiB (127 problems) on 2 threads", big)
        dram = line(s, "strided-batched gemv from DRAM sizes")
        self.assertIn("on 2 threads, working sets beyond L3; target ≥ 85% of STREAM read): **missed**;", dram)
        self.assertIn("median 88% over 2 points (80–95%), lowest 80% (32.0 of 40.0 GB/s) at gemv_batched_256 d "
                      "64 MiB (127 problems).", dram)
        self.assertIn("(target ≥ 2× at every point): met;", line(s, "row norms (nrm2)"))
        dots = line(s, "row dots")
        self.assertIn("**missed (within the noise)**", dots)
        self.assertIn("lowest 1.90× at dot_rows_3 d 16 KiB (585 problems) on 2 threads; min–max 1.72–2.10", dots)
        # The lines follow the table, in the targets' order.
        self.assertEqual(s.after[1].split("\n"), s.findings)
        self.assertEqual([f.split("**")[1] for f in s.findings],
                         ["strided-batched gemv, N ≤ 32", "strided-batched gemv, N ≥ 256",
                          "strided-batched gemv from DRAM sizes", "row norms (nrm2)", "row dots"])

    def test_met_at_dram(self):
        data = batched_data()
        data["benchmarks"] = [b for b in data["benchmarks"] if not b["name"].startswith("gemv_batched_256/")]
        dram = line(batched.section(batched_study(data)), "strided-batched gemv from DRAM sizes")
        self.assertIn("met; median 95% over 1 points", dram)

    def test_not_judged(self):
        s = batched.section(batched_study(batched_data(stream=False)))
        self.assertIn("not judged: no STREAM read rows in this run", line(s, "strided-batched gemv from DRAM sizes"))
        s = batched.section(batched_study(batched_data(l3=False)))
        self.assertIn("not judged: the run recorded no L3 size", line(s, "strided-batched gemv from DRAM sizes"))
        data = batched_data()
        data["benchmarks"] = [b for b in data["benchmarks"] if "size:1024/" in b["name"] or "size:55/" in b["name"]
                              or "_rows_" in b["name"]]
        s = batched.section(batched_study(data))
        self.assertIn("not judged: no point beyond L3 (4 MiB)", line(s, "strided-batched gemv from DRAM sizes"))

    def test_without_rows(self):
        self.assertIsNone(batched.section(batched_study(dict(context=dict(caches=[]), benchmarks=stream_point(
            1024, 1, [1.0] * 3)))))
        # Without OpenBLAS rows: the table, no ratio target judged.
        data = batched_data()
        data["benchmarks"] = [b for b in data["benchmarks"] if "/openblas/" not in b["name"]]
        s = batched.section(batched_study(data))
        self.assertEqual([f.split("**")[1] for f in s.findings], ["strided-batched gemv from DRAM sizes"])
        self.assertEqual(s.table[1][0][3], "–")

    def test_report(self):
        d = tempfile.mkdtemp()
        try:
            text, p = render_report(self, os.path.join(d, "r"), batched_data())
            self.assertIn("## Batched problems", text)
            findings = text.split("## Noise and trust")[0]
            self.assertIn("- **row norms (nrm2)** against a loop of OpenBLAS calls", findings)
            self.assertIn(md(batched.section(batched_study(batched_data())).table), text)
            self.assertIn("Batched problems (OpenBLAS loop time / hpk time", p.stdout)
        finally:
            shutil.rmtree(d)

    @unittest.skipUnless(have_matplotlib(), "no matplotlib")
    def test_plots(self):
        d = tempfile.mkdtemp()
        try:
            write_folder(d, batched_data())
            for script in ("throughput", "vs_peer"):
                p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", script + ".py"), d],
                                   capture_output=True, text=True, timeout=120)
                self.assertEqual(p.returncode, 0, p.stderr)
            for png in ("throughput_d.png", "vs_openblas.png"):
                self.assertGreater(os.path.getsize(os.path.join(d, png)), 1000, png)
        finally:
            shutil.rmtree(d)


class BenchOptions(BenchScript):
    def test_batch_bytes_checked(self):
        self.check_refused(["--batch-bytes", "0"], "'0'", "LO:HI:F")
        self.check_refused(["--batch-bytes=2^26:2^14:4"], "'2^26:2^14:4'")
        self.check_refused(["--kernels", "batched,gemv_batched_5"], "'gemv_batched_5'", "gemv_batched_256",
                           "dot_rows_1000", "batched")

    def test_batched_accepted(self):
        # Good options get past the checks: the stubbed scripts/deps step runs next.
        p = self.bench("--quick", "--kernels", "batched,stream", "--batch-bytes", "2^15,2^26",
                       "--out", os.path.join(self.tmp, "o"))
        self.assertNotIn("nothing was built", p.stderr)
        self.assertTrue(os.path.exists(self.mark), p.stderr)

    def test_help(self):
        p = self.bench("--help")
        self.assertEqual(p.returncode, 0)
        for text in ("--batch-bytes LIST", "gemv_batched_N", "nrm2_rows_N", "leaves\n                       batched out"):
            self.assertIn(text, p.stdout)


if __name__ == "__main__":
    run_tests(needs_bash=True)
