"""Which instruction set each library's kernels ran on, and whether hpk and
a peer were compared like for like.

The harness records the kernels each library ran (bench/context.cpp): hpk's
CPU code path (hpk_cpu_path: portable, avx2, avx512), OpenBLAS's core
(openblas_core, from openblas_get_corename(): Prescott, Haswell, SkylakeX,
...) and BLIS's sub-configuration (blis_arch, from bli_arch_string(): zen3,
haswell, skx, generic, ...).  Each name maps to an ISA and its vector width
here; a peer whose width is below hpk's runs narrower vectors than hpk, and
a speedup over it is partly the wider ISA, not a like-for-like result.  A
name not listed here maps to no ISA: the comparison is then "unknown".

OPENBLAS_CORETYPE picks OpenBLAS's core in its DYNAMIC_ARCH builds (Debian's);
scripts/bench --cpu-path sets it to the core of each hpk path's ISA
(SkylakeX for avx512, Haswell for avx2, Prescott -- ARMV8 on aarch64 -- for
portable), and some machines preset it in the environment.
"""
import re

# ISA -> (label, vector bits).  "generic" is BLIS's reference C kernels,
# compiled for the baseline ISA (SSE2 on x86-64, NEON on aarch64).
ISAS = {
    "sse": ("SSE", 128), "sse2": ("SSE2", 128), "sse3": ("SSE3", 128), "ssse3": ("SSSE3", 128),
    "sse4.1": ("SSE4.1", 128), "sse4.2": ("SSE4.2", 128), "avx": ("AVX", 256), "avx2": ("AVX2", 256),
    "avx512": ("AVX-512", 512), "neon": ("NEON", 128), "vsx": ("VSX", 128),
    "sve256": ("SVE, 256-bit", 256), "sve512": ("SVE, 512-bit", 512),
    "generic": ("generic C", 128),
}

# hpk's code paths (kernels/cpu_path.c).  portable is the baseline of the
# architecture: SSE2 on x86-64, NEON on aarch64 (hpk_isa, from the machine);
# native (-march=native) has no fixed ISA.
HPK_PATHS = {"avx512": "avx512", "avx2": "avx2", "portable": "sse2"}
BASELINE = {"x86_64": "sse2", "amd64": "sse2", "aarch64": "neon", "arm64": "neon"}

# OpenBLAS's cores (openblas_get_corename(), any case).
OPENBLAS_CORES = {
    **dict.fromkeys(("katmai", "coppermine"), "sse"),
    **dict.fromkeys(("northwood", "banias", "opteron", "athlon"), "sse2"),
    **dict.fromkeys(("prescott", "barcelona", "opteron(sse3)", "nano"), "sse3"),
    **dict.fromkeys(("core2", "atom", "bobcat"), "ssse3"),
    **dict.fromkeys(("penryn", "dunnington"), "sse4.1"),
    "nehalem": "sse4.2",
    **dict.fromkeys(("sandybridge", "bulldozer", "piledriver", "steamroller", "excavator"), "avx"),
    **dict.fromkeys(("haswell", "zen"), "avx2"),
    **dict.fromkeys(("skylakex", "cooperlake", "sapphirerapids"), "avx512"),
    **dict.fromkeys(("armv8", "cortexa53", "cortexa55", "cortexa57", "cortexa72", "cortexa73", "falkor",
                     "thunderx", "thunderx2t99", "thunderx3t110", "tsv110", "emag8180", "neoversen1",
                     "cortexx1", "cortexx2", "cortexa510", "cortexa710"), "neon"),
    "neoversev1": "sve256",
    "a64fx": "sve512",
    **dict.fromkeys(("power8", "power9", "power10"), "vsx"),
}

# BLIS's sub-configurations (bli_arch_string()).
BLIS_ARCHS = {
    **dict.fromkeys(("skx", "knl", "zen4", "zen5"), "avx512"),
    **dict.fromkeys(("haswell", "zen", "zen2", "zen3"), "avx2"),
    **dict.fromkeys(("sandybridge", "bulldozer", "piledriver", "steamroller", "excavator"), "avx"),
    "penryn": "ssse3",
    **dict.fromkeys(("cortexa53", "cortexa57", "thunderx2", "firestorm", "altra", "altramax"), "neon"),
    "a64fx": "sve512",
    **dict.fromkeys(("power9", "power10"), "vsx"),
    "generic": "generic",
}

# The columns every CPU row of results.csv carries (benchdata.tidy_rows).
COLUMNS = ["hpk_cpu_path", "hpk_isa", "openblas_core", "openblas_isa", "blis_arch", "blis_isa",
           "openblas_vs_hpk_isa", "blis_vs_hpk_isa"]

PEERS = {"openblas": ("OpenBLAS", "openblas_core", "openblas_isa", "openblas_vs_hpk_isa"),
         "blis": ("BLIS", "blis_arch", "blis_isa", "blis_vs_hpk_isa")}


def hpk_isa(path, machine=""):
    """The ISA of an hpk code path on `machine` (uname -m); None for
    native or an unknown path."""
    if path == "portable":
        return BASELINE.get((machine or "x86_64").lower())
    return HPK_PATHS.get(path)


def openblas_isa(core):
    return OPENBLAS_CORES.get((core or "").strip().lower())


def blis_isa(arch):
    return BLIS_ARCHS.get((arch or "").strip().lower())


def label(isa):
    return ISAS[isa][0] if isa in ISAS else "ISA unknown"


def bits(isa):
    return ISAS[isa][1] if isa in ISAS else None


def compare(peer, hpk):
    """A peer's ISA against hpk's: 'narrower', 'same' or 'wider' vectors;
    None when either is unknown."""
    p, h = bits(peer), bits(hpk)
    if p is None or h is None:
        return None
    return "narrower" if p < h else "wider" if p > h else "same"


def blis_arch_of(context):
    """BLIS's sub-configuration from a run's context: blis_arch, else the
    "BLIS 0.9.0, zen3 kernels, ..." description; None without BLIS."""
    arch = context.get("blis_arch")
    if arch:
        return arch
    found = re.match(r"BLIS [^,]*, (\S+) kernels", context.get("blis", ""))
    return found.group(1) if found else None


def columns(context):
    """The COLUMNS of one hpk_bench run, from its JSON's context."""
    machine = (context.get("os") or "").split()[-1:] or [""]
    path = context.get("hpk_cpu_path") or None
    core = context.get("openblas_core") or None
    arch = blis_arch_of(context)
    h, o, b = hpk_isa(path, machine[0]), openblas_isa(core), blis_isa(arch)
    return dict(hpk_cpu_path=path, hpk_isa=h, openblas_core=core, openblas_isa=o if core else None,
                blis_arch=arch, blis_isa=b if arch else None,
                openblas_vs_hpk_isa=(compare(o, h) or "unknown") if core and path else None,
                blis_vs_hpk_isa=(compare(b, h) or "unknown") if arch and path else None)


def comparison_text(row, peer):
    """One sentence on hpk's path against a peer's kernels, from a row's
    COLUMNS: 'hpk avx512 (AVX-512) vs OpenBLAS Haswell (AVX2): **not like
    for like** ...'; None where the row has no such peer."""
    name, kernel_col, isa_col, vs_col = PEERS[peer]
    if not row.get(kernel_col) or not row.get("hpk_cpu_path"):
        return None
    h, p = row.get("hpk_isa"), row.get(isa_col)
    head = (f"hpk {row['hpk_cpu_path']} ({label(h)}) vs {name} {row[kernel_col]} ({label(p)})")
    vs = row.get(vs_col)
    if vs == "narrower":
        return (f"{head}: **not like for like** — {name} runs {bits(p)}-bit vectors, hpk {bits(h)}-bit, "
                f"so part of any lead of hpk over {name} is the wider ISA")
    if vs == "wider":
        return (f"{head}: **not like for like** — {name} runs wider vectors ({bits(p)}-bit) than hpk "
                f"({bits(h)}-bit)")
    if vs == "same":
        return f"{head}: like for like ({bits(h)}-bit vectors both)"
    return f"{head}: the study does not know one of these ISAs; compare with care"


def short_tag(row, peer):
    """'Haswell, AVX2' or, when the widths differ, 'Haswell, AVX2:
    narrower than hpk's avx512, not like for like'; None without the peer."""
    name, kernel_col, isa_col, vs_col = PEERS[peer]
    if not row.get(kernel_col):
        return None
    tag = f"{row[kernel_col]}, {label(row.get(isa_col))}"
    vs = row.get(vs_col)
    if vs in ("narrower", "wider"):
        tag += f": {vs} than hpk's {row['hpk_cpu_path']}, not like for like"
    return tag
