"""Writes RESULTS_DIR/report.md: findings written from the data (the kernels
each library ran and whether hpk and each peer ran the same vector width,
isa.py; per kernel family: where hpk is ahead of, tied with or behind each
peer present, how close to the roofline it runs, whether hpk OpenMP on T
threads is ever more than 5% slower than on 1, Monte Carlo pi against a
plain scalar Philox loop (target 2x), the offload break-even, the accuracy
study's outcome when accuracy.csv exists), the run's noise and whether it
can be trusted (noise.json, plots/trust.py), the machine, the STREAM
roofline, the headline ratios (hpk OpenMP against each CPU peer -- with
BLIS's threading and kernel choice -- and against the textbook versions),
Monte Carlo pi against the plain Philox loop (per thread count, the 2x
target met or missed), batched problems against a loop of OpenBLAS calls
(issue 20's targets met or missed, sections/batched.py), hpk against OpenBLAS per hpk code path run ("CPU
paths": the folder's own run and each scripts/bench --cpu-path run in
cpu-path-PATH/) and issue 19's targets per path met or missed ("CPU path
targets", sections/path_targets.py), the accuracy study (accuracy.py), strong scaling at the
largest size, the worst T-thread / 1-thread ratio of every kernel and
precision ("Threads never hurt"), hpk over MPI ranks (from
mpi_results.csv) and the plots; prints the findings and the headline
tables.  Run the plot scripts first so the images exist.

The report is a list of sections (render.Section, built in sections/ from
the folder read once: sections.read), rendered twice: as markdown into
report.md and as text on the console.

usage: /usr/bin/python3 plots/report.py RESULTS_DIR
"""
import os

import benchjson
import render
import sections
from sections import accuracy, batched, findings, machine, mpi, noise, opencl, path_targets, peers, threads


def build(study):
    """The report's sections: (the markdown's sections in order, the
    console's)."""
    trust = noise.section(study)
    peer = peers.peer_sections(study)
    paths = peers.cpu_paths_section(study)
    targets = path_targets.section(study)
    acc = accuracy.section(study.dir)
    philox = threads.philox_section(study)
    never_hurt = threads.threads_section(study)
    ranks = mpi.section(study)
    cl = opencl.section(study)
    stream = machine.stream_section(study)
    batch = batched.section(study)
    found = findings.section(study, trust, [never_hurt, philox, batch, cl, ranks, acc])
    md = [found, trust, machine.machine(study), stream] + peer + [
        paths, targets, acc, peers.textbook_section(study), philox, batch,
        threads.scaling_section(study), never_hurt, ranks, machine.data_section(study), machine.strided_section(study), cl,
        machine.how_to_read(), machine.plots_section(study)]
    blis = next((s for p in peer for s in p.subsections), None)
    text = [paths, blis, philox, batch, never_hurt, ranks, acc, cl] + (cl.subsections if cl else [])
    return [s for s in md if s], (found, trust, stream, peer, [s for s in text if s])


def main():
    results_dir = benchjson.results_dir_from_argv("plots/report.py")
    study = sections.read(results_dir)
    md_sections, (found, trust, stream, peer, text) = build(study)
    md = [f"# hpk benchmark study: {study.ctx.get('host_name', '?')}, {study.ctx.get('date', '?')}", "",
          f"Command: `{study.ctx.get('command', '?').strip()}`", ""]
    for s in md_sections:
        md += render.markdown(s)
    path = os.path.join(results_dir, "report.md")
    with open(path, "w") as f:
        f.write("\n".join(md))
    print(f"wrote {path}")
    print()
    print("\n".join(render.plain(found)))
    print()
    print("\n".join(render.plain(trust, heading=False)))
    print()
    print(render.text(stream))
    print()
    for s in peer:
        print(render.text(s))
    for s in text:
        block = render.text(s)
        if block:
            print()
            print(block)


if __name__ == "__main__":
    benchjson.main_guard(main)
