"""The study's MPI rows, without running MPI: a synthetic mpi_results.csv
(bench/mpi/hpk_bench_mpi's columns) beside a synthetic bench.json through
plots/mpidata.py, plots/tidy.py, plots/report.py and plots/mpi_scaling.py:

- the arithmetic of an MPI row in results.csv: ranks and threads per rank,
  GB/s from the working set, STREAM and hpk OpenMP on ranks x threads
  threads, the speedup over 1 rank x 1 thread, the compute/communication
  split, and the median of several rounds;
- report.md's "hpk over MPI ranks" section and its findings line, whose
  figures are computed from the rows, with rows of an uneven split beside
  the balanced ones;
- a scripts/bench-mpi folder (no bench.json) gets a results.csv of its MPI
  rows;
- scripts/bench's --ranks checking (bad values refused before any build).

usage: python3 plots/tests/test_study_mpi.py SOURCE_DIR [unittest arguments]
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import test_study
# study_fixture puts plots/ on the import path.
from study_fixture import M, SOURCE, have_matplotlib, run, run_tests, stream_point, tidy, write_manifest

import benchdata  # noqa: E402
import benchjson  # noqa: E402
import mpidata  # noqa: E402
from sections import mpi as mpi_section  # noqa: E402

TITLE = "## " + mpi_section.TITLE

MIB = 1 << 20
N = 1 << 22  # dot's global length: 2 x 32 MiB of doubles
WS = 2 * 8 * N
RAW_COLUMNS = ["kernel", "precision", "variant", "size", "ranks", "threads", "time_s", "compute_s", "comm_s", "gbps",
               "repetitions", "time_min_s", "time_max_s", "time_cv", "working_set_bytes"]


def raw_row(kernel, ranks, threads, time_s, comm_s, spread=0.02, size=N, ws=WS, variant="hpk_mpi_strong"):
    return dict(kernel=kernel, precision="d", variant=variant, size=size, ranks=ranks, threads=threads,
                time_s=time_s, compute_s=time_s - comm_s, comm_s=comm_s, gbps=ws / time_s / 1e9 if ws else "",
                repetitions=5, time_min_s=time_s * (1 - spread), time_max_s=time_s * (1 + spread),
                time_cv=spread / 2, working_set_bytes=ws)


def raw_rows():
    """dot on 1x1, 1x2, 2x1 (two rounds of 2x1: 9 ms and the median 8 ms
    and 20 ms), mc_pi on 1x1 and 2x1."""
    return [raw_row("dot", 1, 1, 0.016, 0.0001), raw_row("dot", 1, 2, 0.010, 0.0002),
            raw_row("dot", 2, 1, 0.009, 0.0018), raw_row("dot", 2, 1, 0.020, 0.0020),
            raw_row("dot", 2, 1, 0.008, 0.0016),
            raw_row("mc_pi", 1, 1, 0.004, 0.0, size=1 << 24, ws=0),
            raw_row("mc_pi", 2, 1, 0.0025, 0.0005, size=1 << 24, ws=0)]


def bench_json():
    """STREAM read at 32 MiB and 128 MiB on 1 and 2 threads (20 and 30
    GB/s, best repetition), hpk OpenMP's dot at N on 1 and 2 threads."""
    b = []
    for threads, gbps in ((1, 20.0), (2, 30.0)):
        for n in (4 * MIB, 16 * MIB):
            best = 8 * n / (gbps * 1e9)  # one 16 MiB+ pass
            b += stream_point(n, threads, [best, best * 1.1, best * 1.3])
    b += run(f"dot/d/hpk_omp/size:{N}/threads:1", [1e6 * t for t in (0.0150, 0.0152, 0.0155)],
             dict(working_set=WS, bytes=WS))
    b += run(f"dot/d/hpk_omp/size:{N}/threads:2", [1e6 * t for t in (0.0119, 0.0120, 0.0121)],
             dict(working_set=WS, bytes=WS))
    return dict(context=dict(host_name="test", caches=[], cores="2"), benchmarks=b)


def write_folder(d, with_json=True):
    write_manifest(d)
    with open(os.path.join(d, mpidata.CSV_NAME), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=RAW_COLUMNS)
        w.writeheader()
        w.writerows(raw_rows())
    if with_json:
        with open(os.path.join(d, benchjson.JSON_NAME), "w") as f:
            json.dump(bench_json(), f)


def mpi_row(rows, kernel, ranks, threads):
    (r,) = [r for r in rows if (r["kernel"], r["ranks"], r["threads"]) == (kernel, ranks, threads)]
    return r


class Rows(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        write_folder(self.tmp)
        self.rows = mpidata.read_rows(self.tmp, tidy(bench_json()), M)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_median_round(self):
        self.assertEqual(len(self.rows), 5)
        self.assertAlmostEqual(mpi_row(self.rows, "dot", 2, 1)["time_s"], 0.009)

    def test_bandwidth_and_stream_on_all_cores(self):
        r = mpi_row(self.rows, "dot", 2, 1)
        self.assertAlmostEqual(r["gbps"], WS / 0.009 / 1e9)
        # STREAM on ranks x threads = 2 threads at 64 MiB: between 32 MiB and
        # 128 MiB, both 30 GB/s.
        self.assertAlmostEqual(r["stream_gbps"], 30.0, places=6)
        self.assertAlmostEqual(r["pct_stream"], 100 * WS / 0.009 / 1e9 / 30.0)
        self.assertAlmostEqual(r["bw_ideal_speedup"], 1.5, places=6)
        self.assertAlmostEqual(mpi_row(self.rows, "dot", 1, 1)["stream_gbps"], 20.0, places=6)

    def test_peer_is_hpk_openmp_on_the_same_cores(self):
        r = mpi_row(self.rows, "dot", 2, 1)
        self.assertEqual(r["peer"], "hpk_omp")
        self.assertAlmostEqual(r["speedup_vs_peer"], 0.0120 / 0.009)
        self.assertAlmostEqual(r["speedup_vs_peer_lo"], 0.0119 / (0.009 * 1.02))
        self.assertEqual(r["vs_peer"], "ahead")
        one = mpi_row(self.rows, "dot", 1, 1)  # 16 ms against 15.2 ms, intervals apart
        self.assertAlmostEqual(one["speedup_vs_peer"], 0.0152 / 0.016)
        self.assertEqual(one["vs_peer"], "behind")
        self.assertIsNone(mpi_row(self.rows, "mc_pi", 2, 1)["peer"])  # no OpenMP mc_pi in bench.json

    def test_scaling_and_split(self):
        r = mpi_row(self.rows, "dot", 1, 2)
        self.assertAlmostEqual(r["speedup_vs_1thread"], 1.6)
        self.assertAlmostEqual(r["efficiency"], 0.8)
        self.assertAlmostEqual(r["vs_bw_ideal"], 1.6 / 1.5, places=6)
        pi = mpi_row(self.rows, "mc_pi", 2, 1)
        self.assertAlmostEqual(pi["comm_share"], 0.2)
        self.assertAlmostEqual(pi["msamples_per_s"], (1 << 24) / 0.0025 / 1e6)
        self.assertIsNone(pi["gbps"])
        self.assertIsNone(pi["bw_ideal_speedup"])

    def test_results_csv(self):
        subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "tidy.py"), self.tmp], check=True,
                       capture_output=True)
        with open(os.path.join(self.tmp, benchdata.CSV_NAME), newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual({r["ranks"] for r in rows if not r["variant"].startswith("hpk_mpi")}, {"1"})
        mpi = [r for r in rows if r["variant"] == "hpk_mpi_strong"]
        self.assertEqual(len(mpi), 5)
        r = [r for r in mpi if (r["kernel"], r["ranks"], r["threads"]) == ("dot", "2", "1")][0]
        self.assertAlmostEqual(float(r["comm_share"]), 0.2, places=5)
        self.assertAlmostEqual(float(r["speedup_vs_peer"]), 0.0120 / 0.009, places=4)


class Report(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        write_folder(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_section_and_finding(self):
        p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "report.py"), self.tmp],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.tmp, "report.md")) as f:
            md = f.read()
        self.assertIn("\n" + TITLE + "\n", md)
        # dot 2x1 against hpk OpenMP on 2 threads: 12.0 / 9.0 ms, ahead.
        self.assertIn("| dot | d | 2^22 | 2×1 | 9 | 20.0% | 1.78 | 0.89 | 1.33 (ahead) |", md)
        finding = [line for line in md.splitlines() if line.startswith("- **MPI ranks**")]
        self.assertEqual(len(finding), 1)
        self.assertIn("(dot, mc_pi)", finding[0])
        self.assertIn("ahead at 1, tied at 0, behind at 0 of 1 points", finding[0])
        self.assertIn("at most 20.0% of a call", finding[0])
        self.assertIn("best speedup over 1×1 1.78× (dot d on 2×1", finding[0])

    def test_no_mpi_rows_no_section(self):
        os.remove(os.path.join(self.tmp, mpidata.CSV_NAME))
        subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "report.py"), self.tmp], check=True,
                       capture_output=True)
        with open(os.path.join(self.tmp, "report.md")) as f:
            md = f.read()
        self.assertNotIn(TITLE, md)
        self.assertNotIn("**MPI ranks**", md)

    @unittest.skipUnless(have_matplotlib(), "no matplotlib")
    def test_plot(self):
        out = os.path.join(self.tmp, "mpi_scaling.png")
        subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "mpi_scaling.py"), self.tmp],
                       check=True, capture_output=True, timeout=120)
        self.assertGreater(os.path.getsize(out), 10000)


class UnevenSplit(unittest.TestCase):
    """Rows of hpk_bench_mpi --split uneven beside the balanced ones: their
    label in the table, the plot, and the findings' cost line (balanced time
    / uneven time over the points on 2 or more ranks measured both ways)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        write_folder(self.tmp)
        uneven = [raw_row("dot", 1, 1, 0.016, 0.0001, variant="hpk_mpi_strong_uneven"),
                  raw_row("dot", 2, 1, 0.010, 0.0020, variant="hpk_mpi_strong_uneven"),
                  raw_row("mc_pi", 2, 1, 0.0020, 0.0005, size=1 << 24, ws=0, variant="hpk_mpi_strong_uneven")]
        with open(os.path.join(self.tmp, mpidata.CSV_NAME), "a", newline="") as f:
            csv.DictWriter(f, fieldnames=RAW_COLUMNS).writerows(uneven)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_costs(self):
        rows = mpidata.read_rows(self.tmp, tidy(bench_json()), M)
        costs = sorted((r["kernel"], c) for r, c in mpidata.uneven_costs(rows))
        # dot 2x1: balanced 9 ms (the median round) / uneven 10 ms; mc_pi
        # 2.5 / 2.0; the 1-rank point is not a split.
        self.assertEqual([k for k, _ in costs], ["dot", "mc_pi"])
        self.assertAlmostEqual(costs[0][1], 0.9)
        self.assertAlmostEqual(costs[1][1], 1.25)

    def test_report(self):
        p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "report.py"), self.tmp],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.tmp, "report.md")) as f:
            md = f.read()
        self.assertIn("| dot (uneven) | d | 2^22 | 2×1 | 10 |", md)
        finding = [line for line in md.splitlines() if line.startswith("- **MPI ranks**")][0]
        self.assertIn("balanced time / uneven time median 1.07, range 0.90–1.25 over 2 points "
                      "(lowest: dot d on 2×1)", finding)
        # the balanced rows' figures are as without the uneven ones
        self.assertIn("best speedup over 1×1 1.78× (dot d on 2×1", finding)

    @unittest.skipUnless(have_matplotlib(), "no matplotlib")
    def test_plot(self):
        out = os.path.join(self.tmp, "mpi_scaling.png")
        p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "mpi_scaling.py"), self.tmp],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(os.path.getsize(out), 10000)


class BenchMpiFolder(unittest.TestCase):
    def test_mpi_rows_alone(self):
        d = tempfile.mkdtemp()
        try:
            write_folder(d, with_json=False)
            p = subprocess.run([sys.executable, "-B", os.path.join(SOURCE, "plots", "tidy.py"), d],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(d, benchdata.CSV_NAME), newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), 5)
            self.assertTrue(all(r["variant"] == "hpk_mpi_strong" and r["peer"] == "" for r in rows))
        finally:
            shutil.rmtree(d)


class RanksOption(test_study.BenchScript):
    def test_bad_ranks(self):
        self.check_refused(["--ranks", "0"], "--ranks", "'0'", "2^K")
        self.check_refused(["--ranks=1:x:2"], "'1:x:2'", "LO:HI:F")

    def test_variant_listed(self):
        self.check_refused(["--variants", "hpk_mpi,mpi"], "'mpi'", "hpk_mpi")

    def test_help(self):
        p = self.bench("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--ranks", p.stdout)
        self.assertIn("hpk_mpi", p.stdout)


if __name__ == "__main__":
    run_tests(needs_bash=True)
