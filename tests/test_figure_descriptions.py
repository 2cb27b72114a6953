"""Every picture a notebook shows is described in words, for readers who cannot see it.

The rule, for every notebook in notebooks/: a code cell's PNG outputs (static figures, and the
snapshots that live widgets store for readers without a kernel) are described by the nearest
markdown cell above it. That markdown cell holds one paragraph per PNG drawn by the code cells
between it and the next markdown cell, each a line that starts ``*Figure:*`` followed by one
sentence of at least eight words ending with a full stop. A PNG output above the first markdown
cell, or more PNGs than descriptions, is a failure that names the notebook and the cell.
"""

from __future__ import annotations

import copy
import json
import pathlib
import re

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
DESCRIPTION = re.compile(r"^\*Figure:\*\s+(?P<text>\S.*)$", re.MULTILINE)
MIN_WORDS = 8


def descriptions(markdown: str) -> list[str]:
    """The well-formed ``*Figure:*`` sentences of a markdown cell, in order."""
    found = [m["text"].strip() for m in DESCRIPTION.finditer(markdown)]
    return [text for text in found if len(text.split()) >= MIN_WORDS and text.endswith(".")]


def png_outputs(cell: dict) -> int:
    return sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def undescribed(cells: list[dict]) -> list[str]:
    """One message per markdown cell (or notebook start) whose following figures lack descriptions."""
    problems, described, drawn, owner = [], 0, 0, None

    def close():
        if drawn > described:
            where = "before the first markdown cell" if owner is None else f"after markdown cell {owner}"
            problems.append(f"{drawn} PNG output(s) {where}, but {described} '*Figure:*' description(s)")

    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            close()
            owner, drawn = index, 0
            described = len(descriptions("".join(cell["source"])))
        elif cell["cell_type"] == "code":
            drawn += png_outputs(cell)
    close()
    return problems


def load(path) -> list[dict]:
    return json.loads(pathlib.Path(path).read_text())["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_png_output_is_described(path):
    assert undescribed(load(path)) == []


def test_the_course_has_figures_to_describe():
    """The rule is not vacuous: the notebooks hold dozens of PNG outputs."""
    assert sum(png_outputs(cell) for path in NOTEBOOKS for cell in load(path)) >= 40


# ----- the rule itself, on small notebooks --------------------------------------------------------
def _md(text):
    return {"cell_type": "markdown", "source": [text]}


def _code(pngs):
    return {"cell_type": "code", "source": ["fig"], "outputs": [{"data": {"image/png": "x"}}] * pngs}


GOOD = "*Figure:* A heatmap of the attention weights, queries as rows and keys as columns."


def test_a_described_figure_passes():
    assert undescribed([_md("Some text.\n\n" + GOOD), _code(1)]) == []


def test_a_description_also_covers_a_figure_a_few_code_cells_below():
    assert undescribed([_md(GOOD), _code(0), _code(1)]) == []


@pytest.mark.parametrize("markdown", [
    "Some text without a description.",
    "*Figure:* A heatmap.",                                              # too short
    "*Figure:* A heatmap of the attention weights, queries as rows and keys as columns",  # no full stop
    "The figure: *Figure:* A heatmap of the attention weights, queries as rows and keys as columns.",  # not a line
])
def test_a_missing_or_malformed_description_fails(markdown):
    assert undescribed([_md(markdown), _code(1)]) != []


def test_two_figures_need_two_descriptions():
    assert undescribed([_md(GOOD), _code(1), _code(1)]) != []
    assert undescribed([_md(GOOD + "\n\n" + GOOD), _code(1), _code(1)]) == []


def test_a_figure_before_any_markdown_fails():
    assert undescribed([_code(1), _md(GOOD)]) != []


def test_removing_one_description_from_a_course_notebook_is_caught():
    """The deliberate break: drop the first description of a real notebook and the rule names it."""
    path = next(p for p in NOTEBOOKS if any(png_outputs(c) for c in load(p)))
    cells = copy.deepcopy(load(path))
    cell = next(c for c in cells if c["cell_type"] == "markdown" and descriptions("".join(c["source"])))
    cell["source"] = [re.sub(r"\*Figure:\*", "Figure", "".join(cell["source"]), count=1)]
    assert len(undescribed(cells)) == 1
