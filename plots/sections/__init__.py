"""The sections of report.md.  Each module builds its sections
(render.Section: title, intro, table, findings) from one Study, the
results folder read once; report.py orders them and renders them as
markdown and as console text."""
from dataclasses import dataclass

import benchdata
import benchjson
import manifest
import mpidata
import reruns
from helpers import thread_counts


@dataclass
class Study:
    dir: str
    data: dict
    m: manifest.Manifest
    rows: list
    threads: list
    cache: dict
    ctx: dict
    noise: dict
    mpi_rows: list
    path_rows: list  # [(rows of one --cpu-path run)], the folder's own first

    @property
    def tmax(self):
        return self.threads[-1]


def read(results_dir):
    data = benchjson.load_json(results_dir)
    m = manifest.load(results_dir)
    rows = benchdata.tidy_rows(data, m)
    return Study(dir=results_dir, data=data, m=m, rows=rows, threads=thread_counts(rows),
                 cache=benchdata.caches(data), ctx=data.get("context", {}), noise=reruns.read_noise(results_dir),
                 mpi_rows=mpidata.read_rows(results_dir, rows, m),
                 path_rows=benchdata.all_path_rows(results_dir, rows, m))
