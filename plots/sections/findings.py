"""The Findings section: written from this run's data, first in the
report.  Its lines are the other sections' findings (computed with them)
and the comparisons written here: the kernels each library ran, hpk's
further --cpu-path runs against OpenBLAS, and each kernel family against
every peer present, its roofline or its compute rate."""
from helpers import fmt_count, largest, plural
from render import Section
from sections.peers import kernels_text, peer_name, run_kernels
from sections.versus import comparisons, pct_at_largest, versus
import isa

INTRO = ("Written from this run's data.  *Ahead*, *tied*, *behind*: hpk OpenMP's time against the "
         "peer's at the same kernel, precision, size and thread count, a tie when the min–max interval of "
         "the time ratio over the rounds includes 1.")


def roofline_text(rows, kernels, tmax):
    """% of STREAM read of hpk OpenMP at the largest size, per kernel and
    precision, on all threads: 'at 82–106% of STREAM read (lowest: ...)'."""
    got = pct_at_largest(rows, kernels, "pct_stream", variant="hpk_omp", threads=tmax)
    if not got:
        return None
    span, lowest = got
    return f"at the largest size on {plural(tmax)} hpk OpenMP runs at {span} of STREAM read (lowest: {lowest})"


def kernels_line(study):
    compared = kernels_text(study)
    return "- **Kernels compared** (the ISA each library ran): " + "; ".join(compared) + "." if compared else None


def path_lines(study):
    """A line per further --cpu-path run: hpk's path against OpenBLAS."""
    out = []
    samples = any(study.m.samples(k) for k in study.m.measured())
    for path_rows in study.path_rows[1:]:
        k = run_kernels(path_rows, study.m)
        pts = comparisons(path_rows, "hpk_omp", "openblas")
        if k and pts:
            out.append(f"- **hpk's {k['hpk_cpu_path']} path** (`--cpu-path`; "
                       f"{isa.comparison_text(k, 'openblas') or 'OpenBLAS core not recorded'}): against "
                       f"OpenBLAS, " + versus(pts, samples) + " (see CPU paths).")
    return out


def family_lines(study):
    """A line per kernel family (the manifest's) with hpk OpenMP rows."""
    rows, m, tmax = study.rows, study.m, study.tmax
    peers = m.cpu_peers({r["variant"] for r in rows})
    out = []
    for family, kernels in m.families():
        frows = [r for r in rows if r["kernel"] in kernels]
        if not any(r["variant"] == "hpk_omp" for r in frows):
            continue
        samples = any(m.samples(k) for k in kernels)
        parts = []
        for peer in peers + ["naive_omp"]:
            pts = comparisons(frows, "hpk_omp", peer)
            if pts and (peer != "naive_omp" or not parts):
                name = "the textbook version" if peer == "naive_omp" else peer_name(frows, m, peer)
                parts.append(f"against {name}, " + versus(pts, samples))
        if m.memory_bound(kernels[0]):
            roof = roofline_text(frows, kernels, tmax)
            if roof:
                parts.append(roof)
        else:
            r = largest(frows, variant="hpk_omp", threads=tmax)
            if r and r["msamples_per_s"]:
                parts.append(f"{r['msamples_per_s']:.0f} Msamples/s at {fmt_count(r['size'])} samples "
                             f"on {plural(tmax)}" + (f", {r['speedup_vs_1thread']:.2f}× its 1-thread speed"
                                                     if tmax > 1 and r["speedup_vs_1thread"] else "") +
                             " (compute-bound: no roofline)")
        out.append(f"- **{family}** ({', '.join(k for k in kernels if any(r['kernel'] == k for r in frows))}): " +
                   ("; ".join(parts) if parts else "no peer measured") + ".")
    return out


def section(study, trust, sections):
    """The Findings: the trust line, the kernels compared, the --cpu-path
    runs, the families, then the findings of `sections` in order."""
    lines = list(trust.findings) + [kernels_line(study)] + path_lines(study) + family_lines(study)
    lines += [f for s in sections if s for f in s.findings]
    return Section("Findings", intro=[INTRO, "\n".join(line for line in lines if line)])
