"""The kernel manifest: every fact about a kernel or a variant that the
study's scripts need, read from RESULTS_DIR/manifest.json (written by
scripts/bench from `hpk_bench --manifest`; bench/manifest.h is its one
table).  No other file in plots/ lists kernels or variants: a new kernel
or variant reaches the tables, the plots and the report through it.

A kernel's fields: name, title, group, family (the report's family, in
manifest order), size (what a size counts: matrix, elements, samples,
bytes, problems: a batched call's problem count, the problem in the
name: problem()), size_label (the axis label), precisions, measure (bandwidth:
memory-bound, GB/s against STREAM; samples: Msamples/s, compute-bound),
roofline (null, cpu or device), transfer (null or {direction, memory}),
harness and mpi (which driver runs it).  A variant's: name, library,
threaded, device, peer (what its speedup is measured against at the same
thread count), cpu_path (a --cpu-path run measures it), label, short.
The arrays' order is the display order.
"""
import json
import os
import re

from benchjson import NoResults

MANIFEST_NAME = "manifest.json"
SCHEMA = 1
# The libraries that are hpk's own or the study's yardsticks: every other
# library of a variant is a peer hpk is compared with.
OWN_LIBRARIES = ("hpk", "baseline", "roofline")


class Manifest:
    def __init__(self, doc, where="manifest"):
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or \
                not isinstance(doc.get("kernels"), list) or not isinstance(doc.get("variants"), list):
            raise NoResults(f"{where} is not a schema-{SCHEMA} kernel manifest (rerun scripts/bench)")
        self.doc = doc
        self._kernels = {k["name"]: k for k in doc["kernels"]}
        self._variants = {v["name"]: v for v in doc["variants"]}

    # ---- kernels ----------------------------------------------------------------
    def kernel(self, name):
        """A kernel's fields ({} for a name the manifest does not know)."""
        return self._kernels.get(name, {})

    def kernels(self, **want):
        """Kernel names in display order whose fields equal `want`."""
        return [k["name"] for k in self.doc["kernels"] if all(k.get(f) == v for f, v in want.items())]

    def measured(self):
        """The kernels the harness measures that are no roofline: the
        report's rows (gemv, the reductions, Monte Carlo ...), in order."""
        return self.kernels(harness=True, roofline=None)

    def order(self, name):
        """A kernel's place in the display order (unknown names last)."""
        names = list(self._kernels)
        return names.index(name) if name in names else len(names)

    def title(self, name, mpi=False):
        k = self.kernel(name)
        return (mpi and k.get("mpi_title")) or k.get("title", name)

    def size_label(self, name):
        return self.kernel(name).get("size_label", "vector elements n")

    def size(self, name):
        """What a size of this kernel counts: matrix, elements, samples or bytes."""
        return self.kernel(name).get("size", "elements")

    def problem(self, name):
        """A batched kernel's problem, from its name (bench/manifest.h:
        gemv_batched_N, N x N; nrm2_rows_N and dot_rows_N, rows of N):
        (operation, N), e.g. ("gemv", 16); None for other kernels."""
        if self.kernel(name).get("size") != "problems":
            return None
        match = re.fullmatch(r"(gemv)_batched_(\d+)|(nrm2|dot)_rows_(\d+)", name)
        if not match:
            return None
        op, n = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        return op, int(n)

    def memory_bound(self, name):
        """A bandwidth kernel moves more bytes than it computes on: its
        scaling limit is the memory bandwidth, STREAM(t) / STREAM(1)."""
        return self.kernel(name).get("measure", "bandwidth") == "bandwidth"

    def samples(self, name):
        """A compute-bound kernel measured in samples per second."""
        return self.kernel(name).get("measure") == "samples"

    def families(self):
        """[(family, [kernels of the harness that are no roofline])] in order."""
        out = {}
        for name in self.measured():
            out.setdefault(self.kernel(name)["family"], []).append(name)
        return list(out.items())

    def roofline(self, kind):
        """The roofline kernels of `kind` (cpu, device) in order."""
        return self.kernels(roofline=kind)

    def roofline_read(self, kind):
        """The roofline's read-only kernel of `kind`: its first kernel that is
        no transfer (STREAM read, the device read)."""
        return next((k for k in self.roofline(kind) if not self.kernel(k).get("transfer")), None)

    def transfer(self, direction, memory):
        """The device kernel that transfers that way ({direction, memory})."""
        for k in self.doc["kernels"]:
            t = k.get("transfer") or {}
            if (t.get("direction"), t.get("memory")) == (direction, memory):
                return k["name"]
        return None

    # ---- variants ---------------------------------------------------------------
    def variant(self, name):
        return self._variants.get(name, {})

    def variants(self, **want):
        return [v["name"] for v in self.doc["variants"] if all(v.get(f) == x for f, x in want.items())]

    def threaded(self, name):
        return bool(self.variant(name).get("threaded"))

    def device(self, name):
        """True for the variants that run on the OpenCL device (the device
        roofline's too)."""
        return bool(self.variant(name).get("device"))

    def peer(self, name):
        return self.variant(name).get("peer")

    def label(self, name):
        return self.variant(name).get("label", name)

    def short(self, name):
        """The library alone: OpenBLAS, CLBlast, hpk OpenMP, ..."""
        return self.variant(name).get("short") or self.label(name)

    def is_peer(self, name):
        """A variant of a library hpk is compared with (a variant the
        manifest does not know is taken for one too)."""
        return self.variant(name).get("library", name) not in OWN_LIBRARIES

    def is_roofline(self, name):
        return self.variant(name).get("library") == "roofline"

    def is_hpk(self, name):
        return self.variant(name).get("library") == "hpk"

    def cpu_peers(self, present=None):
        """The CPU peer libraries (in present, when given), in order."""
        out = [v for v in self._variants if self.is_peer(v) and not self.device(v)]
        return [v for v in out if present is None or v in present]

    def device_peers(self):
        return [v for v in self._variants if self.is_peer(v) and self.device(v)]

    def second_peer(self):
        """The second CPU peer: a peer measured against the first one
        (BLIS against OpenBLAS); every CPU row has its speedup over it."""
        return next((v for v in self.cpu_peers() if self.peer(v)), None)

    def device_resident(self):
        """The device variants compared with the device's own read
        bandwidth: those with a device peer, and the peers themselves."""
        out = [v for v in self._variants if self.device(v) and self.peer(v) and self.device(self.peer(v))]
        return out + [p for p in self.device_peers() if p not in out]


def load_file(path):
    try:
        with open(path) as f:
            return Manifest(json.load(f), path)
    except (OSError, ValueError) as e:
        raise NoResults(f"{path} is not readable ({e}); rerun scripts/bench")


def load(results_dir):
    """The results folder's manifest; NoResults without one."""
    path = os.path.join(results_dir, MANIFEST_NAME)
    if not os.path.exists(path):
        raise NoResults(f"{results_dir} has no {MANIFEST_NAME}: results from before hpk's kernel manifest; "
                        "rerun scripts/bench")
    return load_file(path)
