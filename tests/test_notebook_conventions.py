"""The course's conventions, checked on every stored notebook (see CONTRIBUTING.md)."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text())


def source(cell):
    return "".join(cell["source"])


def is_solution(cell):
    return cell["cell_type"] == "code" and "solution" in cell["metadata"].get("tags", [])


def test_the_course_has_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS][:2] == ["00", "01"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_from_one_clean_run_without_widget_state(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"], "widget state must not be saved"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and source(c).strip()]
    # One clean Run All, solutions included: every code cell numbered 1, 2, 3, ... (a solution keeps its
    # number; only its outputs are dropped, see test_solutions.py).
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"stored error outputs: {[e['ename'] for e in errors]}"
    assert not any("execution" in c["metadata"] for c in code), "nbclient timestamps were saved"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_objectives_and_minutes_and_closes_with_key_points(path):
    cells = load(path)["cells"]
    opening = source(cells[0]).lower()
    assert cells[0]["cell_type"] == "markdown" and "min" in opening
    assert re.search(r"objective|you will", opening), "the first cell states the objectives"
    headings = [source(c) for c in cells if c["cell_type"] == "markdown"]
    assert any(re.search(r"^#+ .*key points", h, re.I | re.M) for h in headings)
    if path.name[:2] != "00":
        assert any(re.search(r"^#+ .*exercise", h, re.I | re.M) for h in headings)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_are_checked_and_solutions_hidden(path):
    cells = load(path)["cells"]
    solutions = [c for c in cells if "solution" in c["metadata"].get("tags", [])]
    if path.name[:2] != "00":
        assert len(solutions) >= 2, "each lesson has at least two exercises with solutions"
    for cell in solutions:
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True
        assert source(cell).startswith("# Solution")
        assert "check." in source(cell), "a solution shows that the checker accepts it"
        # Its "Correct!" is never stored (tests/test_solutions.py runs every solution and asks).
    for i, cell in enumerate(cells):
        if cell in solutions:
            attempt = next(c for c in reversed(cells[:i]) if c["cell_type"] == "code")
            assert "Not yet" in json.dumps(attempt["outputs"]), "the learner's cell starts unanswered"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ignored_outputs_give_a_reason(path):
    for cell in load(path)["cells"]:
        lines = source(cell).splitlines()
        if lines and lines[0].strip() == "# NBVAL_IGNORE_OUTPUT":
            assert len(lines) > 1 and lines[1].startswith("#") and len(lines[1]) > 15, "say why on line 2"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_import_the_library_rather_than_copying_it(path):
    # A function the learner builds (its skeleton and its solution call a ``check.*_function``
    # checker, which compares it with attn_lib) is an exercise, not a copy.
    code = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "code"
                     and not re.search(r"\bcheck\.\w+_function\(", source(c)))
    assert "attn_lib" in code
    for name in ("softmax", "attention", "self_attention", "scores", "multi_head_attention"):
        assert not re.search(rf"^def {name}\(", code, re.M), f"{path.name} redefines attn_lib.{name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_readme_and_start_here_link_every_notebook(path):
    assert f"(notebooks/{path.name})" in (ROOT / "README.md").read_text()
    start = json.dumps(load(ROOT / "notebooks" / "00_start_here.ipynb"))
    if path.name[:2] != "00":
        assert f"({path.name})" in start, f"00_start_here's map does not link {path.name}"
