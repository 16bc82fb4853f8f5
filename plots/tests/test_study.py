"""The benchmark study's scripts on folders, and scripts/bench's option
checking, without running a study.

- plots/report.py on an empty or unfinished folder, or one from before the
  kernel manifest (a message, no traceback), and on synthetic results.
- The kernel manifest (plots/manifest.py): its fields and the facts the
  study derives from them.
- The plot scripts on synthetic results.
- The option checking of scripts/bench: bad values stop it with the valid
  values listed, before it installs, builds or creates any folder.

usage: python3 plots/tests/test_study.py SOURCE_DIR [unittest arguments]
Exits 77 (ctest's SKIP_RETURN_CODE) where bash is missing; only the plot
case needs matplotlib (skipped without it: benchdata.py, tidy.py and
report.py do not import it).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

# study_fixture puts plots/ on the import path.
from study_fixture import M, SOURCE, have_matplotlib, run_tests, synthetic, write_manifest

import benchjson  # noqa: E402
import manifest  # noqa: E402


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
            # Results from before the kernel manifest: said so, no traceback.
            with open(os.path.join(d, "bench.json"), "w") as f:
                json.dump(synthetic(), f)
            p = self.report(d)
            self.assertEqual(p.returncode, 1)
            self.assertNotIn("Traceback", p.stderr)
            self.assertIn("no manifest.json", p.stderr)
        finally:
            shutil.rmtree(d)

    def test_report_on_synthetic_results(self):
        d = write_manifest(tempfile.mkdtemp())
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



class Manifest(unittest.TestCase):
    """plots/manifest.py on the manifest of today's kernels (manifest.json
    here, in the schema of `hpk_bench --manifest`): the fields the study
    reads, and the facts it derives from them."""
    KERNEL_FIELDS = ("name", "title", "group", "family", "size", "size_label", "precisions", "measure",
                     "roofline", "transfer", "harness", "in_all", "mpi")
    VARIANT_FIELDS = ("name", "library", "threaded", "device", "peer", "cpu_path", "label", "short")

    def test_schema(self):
        for k in M.doc["kernels"]:
            for field in self.KERNEL_FIELDS:
                self.assertIn(field, k, k["name"])
        for v in M.doc["variants"]:
            for field in self.VARIANT_FIELDS:
                self.assertIn(field, v, v["name"])
        # "all": every harness kernel but those run only when asked for (the batched family).
        self.assertEqual(M.doc["groups"]["all"], M.kernels(harness=True, in_all=True))
        self.assertEqual(M.kernels(harness=True, in_all=False), M.doc["groups"]["batched"])
        for name in M.doc["groups"]["all"]:
            self.assertIn(name, [k for g, ks in M.doc["groups"].items() if g != "all" for k in ks])

    def test_queries(self):
        batched = [f"gemv_batched_{n}" for n in (4, 8, 16, 32, 64, 256)] + \
            [f"{op}_rows_{n}" for op in ("nrm2", "dot") for n in (3, 16, 100, 1000)]
        self.assertEqual(M.measured(), ["gemv_n", "gemv_t", "dot", "sum", "asum", "nrm2", "iamax", "mc_pi"] + batched)
        self.assertEqual(M.families(), [("gemv", ["gemv_n", "gemv_t"]),
                                        ("reductions", ["dot", "sum", "asum", "nrm2", "iamax"]),
                                        ("Monte Carlo", ["mc_pi"]), ("batched", batched)])
        self.assertEqual((M.roofline_read("cpu"), M.roofline_read("device")), ("stream_read", "cl_stream_read"))
        self.assertEqual(M.transfer("download", "pinned"), "cl_download_pinned")
        self.assertEqual(M.cpu_peers(), ["openblas", "blis"])
        self.assertEqual(M.cpu_peers({"blis", "hpk_omp"}), ["blis"])
        self.assertEqual(M.device_peers(), ["clblast"])
        self.assertEqual(M.second_peer(), "blis")
        self.assertEqual(M.device_resident(), ["hpk_cl_kernel", "clblast"])
        self.assertTrue(M.memory_bound("dot") and not M.memory_bound("mc_pi") and M.samples("mc_pi"))
        self.assertEqual((M.title("gemv_n"), M.title("gemv_n", mpi=True)),
                         ("gemv  y = A x", "gemv  y = A x  (y in blocks)"))
        self.assertEqual((M.label("clblast"), M.short("clblast")), ("CLBlast (device-resident)", "CLBlast"))
        # A name it does not know: its own label, no facts.
        self.assertEqual((M.title("gemv_batched"), M.label("x"), M.peer("x"), M.device("x")),
                         ("gemv_batched", "x", None, False))

    @unittest.skipUnless(os.environ.get("HPK_BENCH"), "no hpk_bench (a build without HPK_BUILD_BENCH)")
    def test_fixture_is_the_harness_manifest(self):
        # The manifest here is what this build's `hpk_bench --manifest` prints, in every field plots/ reads.
        bench = os.environ["HPK_BENCH"]
        usage = subprocess.run([bench, "--help"], capture_output=True, text=True, timeout=60)
        if "--manifest" not in usage.stdout + usage.stderr:
            self.skipTest("this hpk_bench has no --manifest")
        p = subprocess.run([bench, "--manifest"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = json.loads(p.stdout)
        self.assertEqual(got["schema"], M.doc["schema"])
        self.assertEqual(got["groups"], M.doc["groups"])
        for what, fields in (("kernels", self.KERNEL_FIELDS + ("mpi_title",)),
                             ("variants", self.VARIANT_FIELDS + ("harness",))):
            self.assertEqual([{f: x.get(f) for f in fields} for x in got[what]],
                             [{f: x.get(f) for f in fields} for x in M.doc[what]], what)

    def test_bad_manifest(self):
        d = tempfile.mkdtemp()
        try:
            with open(os.path.join(d, "manifest.json"), "w") as f:
                json.dump(dict(schema=99, kernels=[], variants=[]), f)
            with self.assertRaises(benchjson.NoResults) as e:
                manifest.load(d)
            self.assertIn("schema-1 kernel manifest", str(e.exception))
        finally:
            shutil.rmtree(d)

@unittest.skipUnless(have_matplotlib(), "no matplotlib")
class Plots(unittest.TestCase):
    def test_plot_scripts_on_synthetic_results(self):
        d = write_manifest(tempfile.mkdtemp())
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
    run_tests(needs_bash=True)
