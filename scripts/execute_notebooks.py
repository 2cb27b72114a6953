"""Re-execute notebooks top to bottom and save them with their outputs.

Usage (from the repository root)::

    python scripts/execute_notebooks.py              # every notebook in notebooks/
    python scripts/execute_notebooks.py notebooks/01_what_is_self_attention.ipynb

Each notebook runs in a fresh kernel of the current environment, in the
notebooks/ folder, exactly as nbval will later re-run it. Widget state is not
saved (it would bloat the files and GitHub rejects partial widget metadata),
and execution counts come out as 1, 2, 3, ... from one clean Run All.

Solutions stay hidden: every cell tagged ``solution`` runs (so the cells after it see the same
state) but is saved without its outputs, its source folded, and tagged ``nbval-skip`` so nbval
does not compare it. ``tests/test_solutions.py`` runs every solution and asks its checker.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


SOLUTION_TAG = "solution"
SKIP_TAG = "nbval-skip"


def is_solution(cell) -> bool:
    """A worked solution: a code cell tagged ``solution``."""
    return cell.cell_type == "code" and SOLUTION_TAG in cell.metadata.get("tags", [])


def hide_solution(cell) -> None:
    """Fold the solution's source and drop its outputs, so no stored output shows the answer.

    It keeps its execution count: the notebook still reads as one clean Run All (1, 2, 3, ...),
    and a number shows nothing of the answer."""
    cell.outputs = []
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    tags = cell.metadata.setdefault("tags", [])
    if SKIP_TAG not in tags:
        tags.append(SKIP_TAG)


def execute(path: pathlib.Path, timeout: int = 600) -> float:
    """Run one notebook in place; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=False, allow_errors=False)
    start = time.perf_counter()
    client.execute()
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:                     # nbclient's timestamps would churn every diff
        cell.metadata.pop("execution", None)
        if is_solution(cell):
            hide_solution(cell)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                       "name": "python3"}
    nbformat.write(notebook, path)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path,
                        help="notebooks to run (default: all of notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for path in paths:
        print(f"executing {path.name} ...", end=" ", flush=True)
        print(f"{execute(path.resolve()):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
