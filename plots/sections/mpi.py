"""report.md's MPI part: the "hpk over MPI ranks" section and its line in
the findings, from the MPI rows of results.csv (plots/mpidata.py).  Every
figure is computed from those rows."""
import statistics

from helpers import fmt_count
from mpidata import is_uneven, is_weak, uneven_costs
from render import Section

TITLE = "hpk over MPI ranks"


def config(r):
    return f"{r['ranks']}×{r['threads']}"


def _share(r):
    return f"{100 * r['comm_share']:.1f}%" if r["comm_share"] is not None else "–"


def _num(v, spec=".2f"):
    return "–" if v is None else f"{v:{spec}}"


def section(study):
    """The section on hpk over MPI ranks; None without MPI rows."""
    mpi_rows, m = study.mpi_rows, study.m
    if not mpi_rows:
        return None
    header = ["kernel", "prec", "size", "ranks × threads", "time ms", "comm", "speedup vs 1×1", "efficiency",
              "hpk OpenMP time / MPI time", "% of STREAM"]
    body = []
    for r in sorted(mpi_rows, key=lambda r: (r["variant"], m.order(r["kernel"]), r["kernel"], r["precision"], r["size"],
                                             r["ranks"] * r["threads"], r["ranks"])):
        vs = "–" if r["speedup_vs_peer"] is None else f"{r['speedup_vs_peer']:.2f} ({r['vs_peer']})"
        label = r["kernel"] + (" (weak)" if is_weak(r["variant"]) else "")
        label += " (uneven)" if is_uneven(r["variant"]) else ""
        body.append([label, r["precision"], fmt_count(r["size"]), config(r), f"{1e3 * r['time_s']:.3g}", _share(r),
                     _num(r["speedup_vs_1thread"]), _num(r["efficiency"]), vs, _num(r["pct_stream"], ".0f")])
    intro = ("hpk's distributed kernels (hpk_mpi.h) under mpirun, strong scaling: the global problem of "
             "each kernel's largest size split over P ranks of T OpenMP threads, on every P × T that fits the "
             "cores (bench/mpi/hpk_bench_mpi; raw rows in mpi_results.csv, tidy ones in results.csv with "
             "`ranks`).  *time*: the median repetition of the slowest rank's call.  *comm*: the share of "
             "it outside the slowest rank's computation (transfers, and waiting for the slowest rank).  "
             "*speedup vs 1×1*: over 1 rank × 1 thread; *efficiency*: that over P × T.  *hpk OpenMP time / "
             "MPI time*: one process on P × T threads at the same size over the MPI call (> 1: ranks beat "
             "threads; a tie when the min–max interval over the repetitions includes 1).  *% of STREAM*: "
             "against STREAM read on P × T threads.  *(uneven)*: every boundary between ranks moved off the "
             "canonical blocks (`hpk_bench_mpi --split uneven`), so that a block (a run of rows) straddles it "
             "and is completed across ranks.")
    return Section(TITLE, intro=[intro], table=(header, body), findings=[finding(mpi_rows, m)],
                   text_title="hpk over MPI ranks (strong scaling; hpk OpenMP time / MPI time on ranks x threads "
                              "threads):")


def finding(mpi_rows, m):
    """The findings' line on ranks, or None without MPI rows."""
    strong = [r for r in mpi_rows if r["variant"] == "hpk_mpi_strong"]
    if not strong:
        return None
    kernels = sorted({r["kernel"] for r in strong}, key=lambda k: (m.order(k), k))
    largest = max(strong, key=lambda r: (r["ranks"] * r["threads"], r["ranks"]))
    parts = [f"strong scaling at each kernel's largest size on {len({config(r) for r in strong})} "
             f"ranks × threads configurations up to {config(largest)}"]
    compared = [r for r in strong if r["vs_peer"] and r["ranks"] > 1]
    if compared:
        counts = {v: sum(r["vs_peer"] == v for r in compared) for v in ("ahead", "tie", "behind")}
        ratios = [r["speedup_vs_peer"] for r in compared]
        parts.append(f"with 2 or more ranks, against hpk OpenMP on the same number of threads, hpk over MPI is "
                     f"ahead at {counts['ahead']}, tied at {counts['tie']}, behind at {counts['behind']} of "
                     f"{len(compared)} points (OpenMP time / MPI time median {statistics.median(ratios):.2f}, "
                     f"range {min(ratios):.2f}–{max(ratios):.2f})")
    shared = [r for r in strong if r["comm_share"] is not None and r["ranks"] > 1]
    if shared:
        worst = max(shared, key=lambda r: r["comm_share"])
        parts.append(f"communication takes at most {_share(worst)} of a call "
                     f"({worst['kernel']} {worst['precision']} on {config(worst)})")
    best = [r for r in strong if r["speedup_vs_1thread"] and r["ranks"] > 1]
    if best:
        top = max(best, key=lambda r: r["speedup_vs_1thread"])
        parts.append(f"best speedup over 1×1 {top['speedup_vs_1thread']:.2f}× "
                     f"({top['kernel']} {top['precision']} on {config(top)}, efficiency {top['efficiency']:.2f})")
    costs = uneven_costs(mpi_rows)
    if costs:
        ratios = [c for _, c in costs]
        worst = min(costs, key=lambda rc: rc[1])
        parts.append(f"an uneven split (blocks straddling ranks) against the balanced one: balanced time / uneven "
                     f"time median {statistics.median(ratios):.2f}, range {min(ratios):.2f}–{max(ratios):.2f} over "
                     f"{len(costs)} points (lowest: {worst[0]['kernel']} {worst[0]['precision']} on "
                     f"{config(worst[0])})")
    return f"- **MPI ranks** ({', '.join(kernels)}): " + "; ".join(parts) + "."
