"""Answers stay hidden until a learner asks, and every worked solution is right.

A learner notebook is stored executed, but no stored output may show a checker's success message
or a solution's output: on a projector the whole room would read the answers. Solutions are code
cells tagged ``solution``, folded, stored without outputs and tagged ``nbval-skip``
(``scripts/execute_notebooks.py`` does this). Here each notebook is also run with its solutions,
and every solution's own checker must say "Correct!".
"""

from __future__ import annotations

import pathlib

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SUCCESS = "Correct!"          # how attn_lib.check.Result shows a right answer
FAILURE = "Not yet."


def _text(output) -> str:
    """Everything a reader can see of one output, as text."""
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join(output.traceback)
    data = output.get("data", {})
    return "\n".join(str(data[k]) for k in ("text/plain", "text/html", "text/markdown") if k in data)


def _solutions(notebook):
    return [cell for cell in notebook.cells
            if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_output_gives_an_answer_away(path):
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        shown = "\n".join(_text(o) for o in cell.get("outputs", []))
        assert SUCCESS not in shown, (f"{path.name} cell {index} stores a checker's success message: "
                                      f"{shown[:200]!r}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_are_folded_and_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in _solutions(notebook):
        first_line = cell.source.splitlines()[0] if cell.source else ""
        assert first_line == "# Solution: click to reveal", f"{path.name}: {first_line!r}"
        assert cell.get("outputs", []) == [], f"{path.name}: a solution stores its output: {cell.source[:80]!r}"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{path.name}: {cell.source[:80]!r}"
        assert "nbval-skip" in cell.metadata["tags"], f"{path.name}: {cell.source[:80]!r}"


def _exercise_notebooks():
    return [p for p in NOTEBOOKS if _solutions(nbformat.read(p, as_version=4))]


@pytest.mark.parametrize("path", _exercise_notebooks(), ids=lambda p: p.stem)
def test_every_solution_runs_and_its_checker_says_correct(path):
    """Run the whole notebook, solutions included, as a learner who reveals them all would."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    solutions = _solutions(notebook)
    assert solutions
    for cell in solutions:
        shown = "\n".join(_text(o) for o in cell.outputs)
        assert SUCCESS in shown and FAILURE not in shown, (
            f"{path.name}: this solution is not judged right by its checker:\n{cell.source}\n--- output:\n{shown}")
