"""The benchmark study's arithmetic on synthetic results, without running it.

- The CSV arithmetic: a small synthetic bench.json through plots/benchdata.py
  (stream_gbps from the bytes STREAM moved, the best repetition, the
  interpolation rule, pct_stream, the speedups).
- The device roofline: device_stream_gbps and pct_device_stream of the
  device-resident OpenCL rows, the offload model's predicted time and
  break-even, and report.md's Device roofline table and OpenCL finding.
- The noise: ties where a ratio's min–max interval includes 1, the
  three-thread-count rule for Amdahl and Karp–Flatt, the repetition of
  noisy points (plots/reruns.py), the trust assessment (plots/trust.py), and
  report.md's findings on a synthetic bench.json (with an accuracy.csv).

usage: python3 plots/tests/test_study_rows.py SOURCE_DIR [unittest arguments]
"""
import math
import shutil
import tempfile
import types
import unittest

# study_fixture puts plots/ on the import path.
from study_fixture import M, md, render_report, row, run, run_tests, synthetic, tidy, write_folder

import reruns  # noqa: E402
import stats  # noqa: E402
import trust  # noqa: E402
from sections import threads as threads_section  # noqa: E402

MIB = 1 << 20


class StreamNormalisation(unittest.TestCase):
    def setUp(self):
        self.rows = tidy(synthetic())

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
        r = row(tidy(data), "asum", "hpk_omp", 1024, 1)
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
        self.rows = tidy(device_synthetic())

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
        self.assertEqual(stats.roofline_curves(self.rows, M)["cl_stream_read"], [(8192, r["gbps_best"]),
                                                                                  (8 * MIB, 20.0)])

    def test_other_rows_have_no_device_roofline(self):
        for kernel, variant, size in (("asum", "hpk_omp", 1024), ("dot", "hpk_cl_e2e", 1 << 20),
                                      ("cl_stream_read", "device", 1024), ("cl_upload", "device", 1024)):
            r = row(self.rows, kernel, variant, size, 1)
            self.assertIsNone(r["device_stream_gbps"], (kernel, variant))
            self.assertIsNone(r["pct_device_stream"], (kernel, variant))
        # Without the device rows, the OpenCL rows have no device roofline either.
        data = synthetic()
        r = row(tidy(data), "asum", "hpk_cl_kernel", 1024, 1)
        self.assertIsNone(r["device_stream_gbps"])

    def test_device_rows_are_no_peer(self):
        self.assertNotIn("device", M.cpu_peers({r["variant"] for r in self.rows}))
        self.assertTrue(M.device("device"))

    def test_offload_model_formula(self):
        up = [(8192, 1.0), (8 * MIB, 10.0)]
        down = [(8192, 2.0), (8 * MIB, 20.0)]
        read = [(8192, 100.0), (8 * MIB, 20.0)]
        # 16 MiB up (beyond the largest transfer: 10 GB/s), read at 20 GB/s, nothing down.
        t = stats.predicted_offload_s(16 * MIB, 0, 16 * MIB, up, down, read)
        self.assertAlmostEqual(t, 16 * MIB / 10e9 + 16 * MIB / 20e9, places=15)
        # gemv-like: 8 MiB up, 8 KiB down, 8 MiB + 8 KiB read.
        t = stats.predicted_offload_s(8 * MIB, 8192, 8 * MIB + 8192, up, down, read)
        r = stats.curve_at(read, 8 * MIB + 8192)
        self.assertAlmostEqual(t, 8 * MIB / 10e9 + (8 * MIB + 8192) / (r * 1e9) + 8192 / 2e9, places=15)
        self.assertIsNone(stats.predicted_offload_s(8192, 0, 8192, [], down, read))
        self.assertEqual(stats.offload_bytes(M.size("gemv_n"), "d", 100, 8 * (100 * 100 + 200)),
                         (8 * (100 * 100 + 100), 800))
        self.assertEqual(stats.offload_bytes(M.size("dot"), "s", 100, 800), (800, 0))

    def test_predicted_break_even(self):
        # {size: (offload seconds, CPU seconds)}: the offload wins from 2 on at every larger size.
        self.assertEqual(stats.predicted_break_even({1: (2, 1), 2: (1, 2), 4: (0.5, 1), 8: (0.4, 2)}), 2)
        # A win followed by a loss does not count: only from 4.
        self.assertEqual(stats.predicted_break_even({1: (1, 2), 2: (3, 1), 4: (1, 2)}), 4)
        self.assertIsNone(stats.predicted_break_even({1: (2, 1), 2: (2, 1)}))
        self.assertIsNone(stats.predicted_break_even({1: (None, 1)}))

    def test_offload_prediction_from_rows(self):
        pred = stats.offload_prediction(self.rows, M, "dot", "d", 1)
        ws = 16 * MIB
        # CPU: STREAM read on 1 thread at 16 MiB, 5/8 of the way in log2 from 512 KiB (100) to 128 MiB (40).
        cpu = 100 + (math.log2(ws / 524288) / math.log2(128 * MIB / 524288)) * (40 - 100)
        self.assertEqual(list(pred), [1 << 20])
        off, c = pred[1 << 20]
        self.assertAlmostEqual(off, ws / 10e9 + ws / 20e9, places=15)
        self.assertAlmostEqual(c, ws / (cpu * 1e9), places=15)
        pinned = stats.offload_prediction(self.rows, M, "dot", "d", 1, "pinned")[1 << 20][0]
        self.assertAlmostEqual(pinned, ws / 20e9 + ws / 20e9, places=15)
        self.assertIsNone(stats.predicted_break_even(pred))  # 0.0025 s against 0.00027 s
        self.assertEqual(stats.offload_prediction(tidy(synthetic()), M, "dot", "d", 1), {})

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


class Ties(unittest.TestCase):
    def test_interval_and_position(self):
        self.assertEqual(stats.ratio_interval([2.0, 3.0], [1.0, 1.5]), (2.0 / 1.5, 3.0))
        self.assertEqual(stats.position((1.2, 3.0)), "ahead")
        self.assertEqual(stats.position((0.5, 0.9)), "behind")
        self.assertEqual(stats.position((0.95, 1.3)), "tie")
        self.assertIsNone(stats.ratio_interval([], [1.0]))

    def test_overlapping_repetitions_are_a_tie(self):
        data = synthetic()
        # dot 2 threads: OpenBLAS 5% slower by the median, but the repetitions overlap.
        data["benchmarks"] += run("dot/d/openblas/size:4096/threads:2", [0.69, 0.60, 0.75],
                                  dict(working_set=65536, bytes=65536))
        data["benchmarks"] = [b for b in data["benchmarks"]
                              if not (b["run_name"] == "dot/d/hpk_omp/size:4096/threads:2")]
        data["benchmarks"] += run("dot/d/hpk_omp/size:4096/threads:2", [0.65, 0.62, 0.70],
                                  dict(working_set=65536, bytes=65536))
        rows = tidy(data)
        r = row(rows, "dot", "hpk_omp", 4096, 2)
        self.assertGreater(r["speedup_vs_peer"], 1)
        self.assertEqual(r["vs_peer"], "tie")
        self.assertAlmostEqual(r["speedup_vs_peer_lo"], 0.60 / 0.70)
        self.assertAlmostEqual(r["speedup_vs_peer_hi"], 0.75 / 0.62)
        # asum 1 thread: OpenBLAS's every repetition slower than hpk's slowest: ahead.
        self.assertEqual(row(rows, "asum", "hpk_omp", 1024, 1)["vs_peer"], "ahead")

    def rounds_data(self, hpk_times, peer_times, rounds=True):
        """dot d 4096 on 1 and 2 threads, hpk and OpenBLAS, with rounds."""
        data = dict(context=dict(host_name="test", caches=[]), benchmarks=[])
        c = dict(working_set=65536, bytes=65536)
        for t, scale in ((1, 1.0), (2, 0.5)):
            data["benchmarks"] += run(f"dot/d/hpk_omp/size:4096/threads:{t}", [x * scale for x in hpk_times], c,
                                      rounds=rounds)
            data["benchmarks"] += run(f"dot/d/openblas/size:4096/threads:{t}", peer_times, c, rounds=rounds)
        return data

    def test_rounds_pair_the_ratio(self):
        # The machine slows down 4x over the rounds; in each round OpenBLAS
        # takes 1.1x hpk's time.  Apart, the repetitions overlap (a tie);
        # round by round hpk is ahead by exactly 1.1x.
        hpk = [1.0, 2.0, 4.0, 1.5, 3.0]
        rows = tidy(self.rounds_data(hpk, [1.1 * t for t in hpk]))
        r = row(rows, "dot", "hpk_omp", 4096, 1)
        self.assertAlmostEqual(r["speedup_vs_peer"], 1.1)
        self.assertAlmostEqual(r["speedup_vs_peer_lo"], 1.1)
        self.assertAlmostEqual(r["speedup_vs_peer_hi"], 1.1)
        self.assertEqual(r["vs_peer"], "ahead")
        # 2 threads: half hpk's 1-thread time in every round, so 2x, paired.
        r2 = row(rows, "dot", "hpk_omp", 4096, 2)
        self.assertAlmostEqual(r2["speedup_vs_1thread"], 2.0)
        self.assertAlmostEqual(r2["speedup_vs_1thread_lo"], 2.0)
        self.assertAlmostEqual(r2["speedup_vs_1thread_hi"], 2.0)
        self.assertIsNone(r["speedup_vs_1thread_lo"])
        # The same times without rounds: the medians' ratio and a tie.
        r = row(tidy(self.rounds_data(hpk, [1.1 * t for t in hpk], rounds=False)), "dot", "hpk_omp", 4096, 1)
        self.assertAlmostEqual(r["speedup_vs_peer"], 1.1)
        self.assertEqual(r["vs_peer"], "tie")
        self.assertAlmostEqual(r["speedup_vs_peer_lo"], 1.1 * 1.0 / 4.0)

    def test_rounds_that_do_not_pair_up_fall_back(self):
        hpk = [1.0, 2.0, 4.0]
        data = self.rounds_data(hpk, [1.1 * t for t in hpk])
        # one of OpenBLAS's repetitions from a rerun pass: its rounds no longer match
        data["benchmarks"][3]["hpk_round"] = 1
        r = row(tidy(data), "dot", "hpk_omp", 4096, 1)
        self.assertEqual(r["vs_peer"], "tie")
        self.assertAlmostEqual(r["speedup_vs_peer_hi"], 1.1 * 4.0 / 1.0)
        self.assertIsNone(stats.round_times(dict(times=[1.0, 2.0], rounds=[(0, 0.0), (0, 0.0)])))
        self.assertEqual(stats.paired_ratio(None, dict(times=[1.0])), (None, None))


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
        self.assertIsNone(stats.amdahl_fraction([(1, 1.0), (2, 1.8)]))
        rows = tidy(scaling_data([1, 2]))
        self.assertIsNone(rows[-1]["karp_flatt"])

    def test_three_thread_counts_fit(self):
        pts = [(p, 1 / (0.1 + 0.9 / p)) for p in (1, 2, 4)]
        self.assertAlmostEqual(stats.amdahl_fraction(pts), 0.1, places=9)
        rows = tidy(scaling_data([1, 2, 4]))
        self.assertAlmostEqual(row(rows, "mc_pi", "hpk_omp", 1 << 20, 4)["karp_flatt"], 0.1, places=6)

    def test_memory_bound_no_serial_fraction(self):
        rows = tidy(scaling_data([1, 2, 4], kernel="dot"))
        self.assertIsNone(row(rows, "dot", "hpk_omp", 4096, 4)["karp_flatt"])

    def test_bandwidth_ideal(self):
        # dot 64 KiB on 2 threads against STREAM at 64 KiB: 2 threads / 1 thread, interpolated.
        data = synthetic()
        data["benchmarks"] += run("dot/d/hpk_omp/size:4096/threads:1", [1.31072] * 3,
                                  dict(working_set=65536, bytes=65536))
        r = row(tidy(data), "dot", "hpk_omp", 4096, 2)
        f = math.log2(65536 / 8192) / math.log2(524288 / 8192)
        ideal = (400 + f * (190 - 400)) / (200 + f * (100 - 200))
        self.assertAlmostEqual(r["bw_ideal_speedup"], ideal, places=6)
        self.assertAlmostEqual(r["vs_bw_ideal"], 2.0 / ideal, places=6)

    def test_report_scaling_table(self):
        text = md(threads_section.scaling_table(tidy(scaling_data([1, 2])), [1, 2], M))
        self.assertIn("needs 3", text)
        text = md(threads_section.scaling_table(tidy(scaling_data([1, 2, 4])), [1, 2, 4], M))
        self.assertIn("0.100", text)


class NoisyPoints(unittest.TestCase):
    def test_selection_and_filter(self):
        data = synthetic()
        names = reruns.noisy_points(data, share=1)
        # STREAM's and asum's varied repetitions are above 10%; the constant
        # ones are not, but asum's OpenBLAS point runs again with hpk's, its
        # group (the same kernel, precision, size and data).
        self.assertIn("asum/d/hpk_omp/size:1024/threads:1", names)
        self.assertIn("asum/d/openblas/size:1024/threads:1", names)
        self.assertNotIn("dot/d/hpk_omp/size:4096/threads:2", names)
        regex = reruns.benchmark_filter(names)
        import re
        for n in names:
            self.assertTrue(re.search(regex, n + "/min_time:0.010/repeats:3"))
            self.assertTrue(re.search(regex, n))
        self.assertFalse(re.search(regex, "dot/d/hpk_omp/size:4096/threads:2"))
        self.assertFalse(re.search(regex, "asum/d/hpk_omp/size:1024/threads:10"))
        # A tenth of the 11 points (one): still one whole group, that of the
        # noisiest point (a 2-thread STREAM point, CV 33%, with its 1-thread
        # twin); a third (three): no room for a second group of two.
        few = reruns.noisy_points(data, share=0.1)
        self.assertEqual(len(few), 2)
        self.assertEqual(len({reruns.group_of(n) for n in few}), 1)
        self.assertTrue(all(n.startswith("stream_read/") for n in few))
        self.assertEqual(reruns.noisy_points(data, share=1 / 3), few)

    def test_merge_keeps_the_quieter_round(self):
        data = synthetic()
        name = "asum/d/hpk_omp/size:1024/threads:1"
        quiet = dict(benchmarks=run(name, [0.08, 0.081, 0.079], dict(working_set=8192, bytes=8192)))
        loud = dict(benchmarks=run("dot/d/hpk_omp/size:4096/threads:2", [0.1, 1.0, 3.0],
                                   dict(working_set=65536, bytes=65536)))
        result = reruns.merge(data, quiet, 1)
        self.assertTrue(result[name][2])
        for got, want in zip(sorted(reruns.point_times(data)[name]), [0.079e-6, 0.08e-6, 0.081e-6]):
            self.assertAlmostEqual(got, want, places=15)
        result = reruns.merge(data, loud, 2)
        self.assertFalse(result["dot/d/hpk_omp/size:4096/threads:2"][2])
        for got in reruns.point_times(data)["dot/d/hpk_omp/size:4096/threads:2"]:
            self.assertAlmostEqual(got, 0.65536e-6, places=15)

    def test_merge_replaces_a_whole_group(self):
        # hpk's asum is quieter in the rerun, OpenBLAS's louder, the group's
        # highest CV lower (12% -> 5%): both points replaced, both tagged
        # with the rerun's round, so that their rounds still pair up.
        c = dict(working_set=8192, bytes=8192)
        data = dict(benchmarks=run("asum/d/hpk_omp/size:1024/threads:1", [0.08, 0.1, 0.12], c, rounds=True) +
                    run("asum/d/openblas/size:1024/threads:1", [0.16, 0.16, 0.16], c, rounds=True))
        rerun = dict(benchmarks=run("asum/d/hpk_omp/size:1024/threads:1", [0.08, 0.08, 0.08], c, rounds=True) +
                     run("asum/d/openblas/size:1024/threads:1", [0.15, 0.16, 0.17], c, rounds=True))
        result = reruns.merge(data, rerun, 1)
        self.assertTrue(all(rep for *_, rep in result.values()))
        self.assertEqual(len(data["benchmarks"]), 6)
        self.assertTrue(all(b["hpk_round"] == 1 for b in data["benchmarks"]))
        r = row(tidy(data), "asum", "hpk_omp", 1024, 1)
        self.assertAlmostEqual(r["speedup_vs_peer"], 2.0)
        self.assertAlmostEqual(r["speedup_vs_peer_lo"], 0.15 / 0.08)
        # A louder group is kept whole.
        before = [dict(b) for b in data["benchmarks"]]
        louder = dict(benchmarks=run("asum/d/hpk_omp/size:1024/threads:1", [0.05, 0.08, 0.2], c, rounds=True) +
                      run("asum/d/openblas/size:1024/threads:1", [0.16, 0.16, 0.16], c, rounds=True))
        reruns.merge(data, louder, 2)
        self.assertEqual(data["benchmarks"], before)

    def test_trust_assessment(self):
        rows = tidy(synthetic())
        good = dict(threads=2, repetitions=7, median_1=0.02, median_all=0.0202, parallelism=1.98)
        a = trust.assess(rows, dict(baseline=dict(start=good, end=good)))
        cvs = [r["time_cv"] for r in rows if r["time_cv"] is not None]
        self.assertEqual(bool(a["reasons"]), sorted(cvs)[len(cvs) // 2] > trust.TRUST_CV)
        flat = [dict(r, time_cv=0.01) for r in rows]
        self.assertEqual(trust.assess(flat, dict(baseline=dict(start=good, end=good)))["reasons"], [])
        busy = dict(good, median_all=0.03, parallelism=1.33)
        reasons = trust.assess(flat, dict(baseline=dict(start=good, end=busy)))["reasons"]
        self.assertTrue(any("did not have all the cores" in r for r in reasons))
        self.assertTrue(any("changed between start and end" in r for r in reasons))


ACCURACY = """kernel,precision,data,n,library,rel_error
dot,d,uniform,1048576,hpk,1e-16
dot,d,uniform,1048576,openblas,4e-15
nrm2,d,huge,1048576,hpk_omp,2e-16
nrm2,d,huge,1048576,openblas,inf
sum,d,uniform,1048576,openblas,not-a-number
"""


class StridedPoints(unittest.TestCase):
    """Points at another increment than 1 (hpk_bench --incs, name .../inc:K/...):
    kept out of results.csv's rows, in strided.csv's against OpenBLAS and
    against unit stride, and in report.md's Strided vectors table."""

    @staticmethod
    def data():
        c = dict(working_set=8 * 4096, bytes=8 * 4096)
        b = []
        for name, times in (("dot/d/hpk_omp/size:4096/threads:1", [1.0, 2.0, 1.5]),
                            ("dot/d/openblas/size:4096/threads:1", [1.1, 2.2, 1.65]),
                            # strided: hpk at half its unit-stride rate, OpenBLAS 0.8x hpk's time
                            ("dot/d/hpk_omp/size:4096/inc:2/threads:1", [2.0, 4.0, 3.0]),
                            ("dot/d/openblas/size:4096/inc:2/threads:1", [1.6, 3.2, 2.4])):
            b += run(name, times, c, rounds=True)
        return dict(context=dict(host_name="test", caches=[]), benchmarks=b)

    def test_the_name_carries_the_increment(self):
        import benchjson
        self.assertEqual(benchjson.parse_name("dot/d/hpk_omp/size:4096/inc:2/threads:1")["inc"], 2)
        self.assertEqual(benchjson.parse_name("dot/d/hpk_omp/size:4096/data:nan/threads:1")["inc"], 1)
        self.assertNotEqual(reruns.group_of("dot/d/hpk_omp/size:4096/inc:2/threads:1"),
                            reruns.group_of("dot/d/hpk_omp/size:4096/threads:1"))

    def test_unit_rows_only_in_results(self):
        rows = tidy(self.data())
        self.assertEqual(len([r for r in rows if r["kernel"] == "dot" and r["variant"] == "hpk_omp"]), 1)
        self.assertAlmostEqual(row(rows, "dot", "hpk_omp", 4096, 1)["speedup_vs_peer"], 1.1)

    def test_strided_rows(self):
        import benchdata
        (r,) = benchdata.strided_rows(self.data())
        self.assertEqual((r["kernel"], r["precision"], r["size"], r["threads"], r["inc"]), ("dot", "d", 4096, 1, 2))
        self.assertAlmostEqual(r["speedup_vs_peer"], 0.8)
        self.assertAlmostEqual(r["speedup_vs_peer_lo"], 0.8)
        self.assertAlmostEqual(r["vs_unit"], 0.5)
        self.assertAlmostEqual(r["gbps"], 8 * 4096 / 3e-6 / 1e9)
        unit_only = dict(benchmarks=self.data()["benchmarks"][:6])
        self.assertEqual(benchdata.strided_rows(unit_only), [])

    def test_report_table(self):
        from sections import machine
        section = machine.strided_section(types.SimpleNamespace(dir="", data=self.data()))
        text = md(section.table)
        self.assertIn("| dot | d | 4096 | 2 | 1 |", text)
        self.assertIn("0.80 **below 0.9** (0.80-0.80)", text)
        unit_only = types.SimpleNamespace(dir="", data=dict(benchmarks=self.data()["benchmarks"][:6]))
        self.assertIsNone(machine.strided_section(unit_only))

    def test_every_cpu_path_run(self):
        # A study with --cpu-path: the folder's own run (avx512) and a
        # cpu-path-avx2/ run, each row with its path.
        import os
        from sections import machine
        own = dict(self.data(), context=dict(hpk_cpu_path="avx512"))
        other = dict(self.data(), context=dict(hpk_cpu_path="avx2"))
        folder = tempfile.mkdtemp()
        try:
            write_folder(folder, own)
            write_folder(os.path.join(folder, "cpu-path-avx2"), other)
            text = md(machine.strided_section(types.SimpleNamespace(dir=folder, data=own)).table)
            self.assertIn("| hpk path |", text)
            self.assertIn("| avx512 | dot | d | 4096 | 2 | 1 |", text)
            self.assertIn("| avx2 | dot | d | 4096 | 2 | 1 |", text)
        finally:
            shutil.rmtree(folder)


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
            self.assertIn("hpk's error is smaller than openblas's (by more than 2×) in 2, about the same in 0 and "
                      "larger in 0 of 2 cases", acc)
            self.assertIn("## hpk OpenMP vs BLIS", md)
            self.assertIn("spin-loop", md.lower())
            self.assertIn("no noise.json", md)
        finally:
            shutil.rmtree(d)


if __name__ == "__main__":
    run_tests()
