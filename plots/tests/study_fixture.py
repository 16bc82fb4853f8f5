"""What the study's tests share: plots/ on the import path, the kernel
manifest for today's kernels (manifest.json beside this file, in the schema
`hpk_bench --manifest` prints; results folders written by the tests get a
copy), and the tidy rows and rendered tables of synthetic results."""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # plots/

import benchdata  # noqa: E402
import manifest  # noqa: E402
import render  # noqa: E402
import sections  # noqa: E402

MANIFEST = os.path.join(HERE, manifest.MANIFEST_NAME)
M = manifest.load_file(MANIFEST)


def write_manifest(folder):
    """Puts the manifest into a results folder, as scripts/bench does."""
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(MANIFEST, os.path.join(folder, manifest.MANIFEST_NAME))
    return folder


def tidy(data):
    """benchdata.tidy_rows with the manifest."""
    return benchdata.tidy_rows(data, M)


def md(table):
    """A (header, rows) table as markdown (None for None)."""
    return render.table(*table)[0] if table else None


def study(rows, threads, context=None, folder=""):
    """A sections.Study of rows alone (no folder behind it)."""
    return sections.Study(dir=folder, data=dict(context=context or {}), m=M, rows=rows, threads=threads,
                          cache={}, ctx=context or {}, noise={}, mpi_rows=[], path_rows=[rows])
