"""Checks `hpk_bench --manifest` (bench/manifest.h as JSON) against the
manifest's schema: every field plots/ reads, of the right kind; names
unique; the groups exactly the harness kernels by group, "all" every one
marked in_all;
peers that are variants; and the output nothing but the JSON.

usage: check_manifest.py HPK_BENCH [OTHER...]
Each OTHER prints the same JSON: a program run with --manifest (e.g.
hpk_bench_mpi), or a .c file (bench/manifest.c) compiled alone with the C
compiler, if there is one, and run (what scripts/bench checks its options
against before the build).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

KERNEL_FIELDS = {"name": str, "title": str, "group": str, "family": str, "size": str, "size_label": str,
                 "precisions": list, "measure": str, "roofline": (str, type(None)),
                 "transfer": (dict, type(None)), "harness": bool, "in_all": bool, "mpi": bool,
                 "mpi_title": str}
VARIANT_FIELDS = {"name": str, "library": str, "threaded": bool, "device": bool, "peer": (str, type(None)),
                  "cpu_path": bool, "label": str, "short": str, "harness": bool}
SIZES = {"matrix", "elements", "samples", "bytes", "problems"}
MEASURES = {"bandwidth", "samples"}


def check(m):
    """The problems of manifest m, as sentences."""
    bad = []
    if m.get("schema") != 1:
        bad.append(f"schema is {m.get('schema')!r}, not 1")
    for kind, fields in (("kernels", KERNEL_FIELDS), ("variants", VARIANT_FIELDS)):
        names = [e.get("name") for e in m.get(kind, [])]
        if not names or len(set(names)) != len(names):
            bad.append(f"{kind}: empty or repeated names: {names}")
        for e in m.get(kind, []):
            for field, types in fields.items():
                if field not in e or not isinstance(e[field], types):
                    bad.append(f"{kind} {e.get('name')}: field {field} missing or not {types}")
    variants = {v["name"] for v in m.get("variants", [])}
    for v in m.get("variants", []):
        if v.get("peer") is not None and v["peer"] not in variants:
            bad.append(f"variant {v['name']}: peer {v['peer']} is no variant")
    harness = [k for k in m.get("kernels", []) if k.get("harness")]
    for k in m.get("kernels", []):
        if k.get("size") not in SIZES:
            bad.append(f"kernel {k['name']}: size {k.get('size')!r} not one of {sorted(SIZES)}")
        if k.get("measure") not in MEASURES:
            bad.append(f"kernel {k['name']}: measure {k.get('measure')!r} not one of {sorted(MEASURES)}")
        if not k.get("precisions") or not set(k["precisions"]) <= {"s", "d"}:
            bad.append(f"kernel {k['name']}: precisions {k.get('precisions')}")
        if k.get("roofline") not in (None, "cpu", "device"):
            bad.append(f"kernel {k['name']}: roofline {k['roofline']!r}")
        t = k.get("transfer")
        if t is not None and (t.get("direction") not in ("upload", "download") or
                              t.get("memory") not in ("pageable", "pinned") or k.get("roofline") != "device"):
            bad.append(f"kernel {k['name']}: transfer {t}")
        if not k.get("harness") and not k.get("mpi"):
            bad.append(f"kernel {k['name']}: run by neither driver")
    groups = {}
    for k in harness:
        groups.setdefault(k["group"], []).append(k["name"])
    groups["all"] = [k["name"] for k in harness if k.get("in_all")]
    for k in m.get("kernels", []):
        if k.get("in_all") and not k.get("harness"):
            bad.append(f"kernel {k['name']}: in all but not run by hpk_bench")
    if m.get("groups") != groups:
        bad.append(f"groups {m.get('groups')} are not the harness kernels by group: {groups}")
    elif list(m["groups"]) != list(groups):
        bad.append(f"groups in the order {list(m['groups'])}, not {list(groups)}")
    return bad


def run(command):
    p = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or p.stderr:
        sys.exit(f"{' '.join(command)}: exit {p.returncode}, stderr {p.stderr!r}")
    return p.stdout


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    text = run([sys.argv[1], "--manifest"])
    bad = check(json.loads(text))
    cc = shutil.which(os.environ.get("CC", "cc"))
    with tempfile.TemporaryDirectory() as d:
        for other in filter(None, sys.argv[2:]):  # (an empty one: a program this build lacks)
            if other.endswith(".c"):
                if not cc:
                    continue
                exe = os.path.join(d, "manifest")
                run([cc, "-std=c11", "-DHPK_BENCH_MANIFEST_MAIN", "-o", exe, other])
                printed = run([exe])
            else:
                printed = run([other, "--manifest"])
            if printed != text:
                bad.append(f"{other} prints another manifest than {sys.argv[1]} --manifest")
    for b in bad:
        print(f"check_manifest.py: {b}", file=sys.stderr)
    if not bad:
        m = json.loads(text)
        print(f"manifest: {len(m['kernels'])} kernels in {len(m['groups']) - 1} groups, {len(m['variants'])} variants")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
