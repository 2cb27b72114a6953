"""The minutes agree everywhere: each notebook's own table, the map in 00 and the README.

Every notebook opens with a table ``| Section | Minutes |`` whose rows name its numbered
``## N. ...`` sections and end with ``| **Total** | **M** |``. The rows add up to the total, every
row names a section that exists, and the map in 00 and the README's table give each notebook
that same total.
"""

from __future__ import annotations

import pathlib
import re

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ROW = re.compile(r"^\|\s*(?P<section>[^|]+?)\s*\|\s*(?P<minutes>\*{0,2}\d+\*{0,2})\s*\|\s*$")


def _markdown(path) -> list[str]:
    return [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown"]


def minutes_table(path) -> tuple[dict[str, int], int]:
    """The notebook's ``| Section | Minutes |`` table: {section: minutes}, and its total."""
    for text in _markdown(path):
        lines = text.splitlines()
        for start, line in enumerate(lines):
            if re.match(r"^\|\s*Section\s*\|\s*Minutes\s*\|\s*$", line):
                rows, total = {}, None
                for row in lines[start + 2:]:
                    match = ROW.match(row)
                    if not match:
                        break
                    section, minutes = match["section"], int(match["minutes"].strip("*"))
                    if section.strip("*") == "Total":
                        total = minutes
                    else:
                        rows[section] = minutes
                return rows, total
    raise AssertionError(f"{path.name} has no '| Section | Minutes |' table")


def section_headings(path) -> list[str]:
    """The ``## N. Title`` headings, as ``N. Title`` (a trailing "(N min)" is not part of it)."""
    headings = []
    for text in _markdown(path):
        for line in text.splitlines():
            match = re.match(r"^##\s+(\d+\.\s+.+?)\s*$", line)
            if match:
                headings.append(re.sub(r"\s*\(\d+ min\)$", "", match[1]))
    return headings


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebooks_sections_add_up_to_its_total(path):
    rows, total = minutes_table(path)
    assert total is not None, f"{path.name}: the minutes table has no **Total** row"
    assert sum(rows.values()) == total, f"{path.name}: the sections add up to {sum(rows.values())}, not {total}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_row_of_the_minutes_table_is_a_section_of_the_notebook(path):
    rows, _ = minutes_table(path)
    headings = section_headings(path)
    missing = [section for section in rows if section not in headings]
    assert not missing, f"{path.name}: rows {missing} name no '## N. ...' heading; headings are {headings}"


def _map_rows(text) -> dict[str, int]:
    """{notebook file name: minutes} from a markdown table that links each notebook."""
    found = {}
    for line in text.splitlines():
        link = re.search(r"\]\((?:notebooks/)?(\d\d_[\w-]+\.ipynb)\)", line)
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        numbers = [c for c in cells if re.fullmatch(r"\d+", c)]
        if line.startswith("|") and numbers:
            name = link[1] if link else None
            if name is None and cells[0] == "00":
                name = NOTEBOOKS[0].name                  # 00 names itself without a link
            if name:
                found[name] = int(numbers[-1])
    return found


def test_the_map_in_00_gives_every_notebooks_own_total():
    course_map = {}
    for text in _markdown(NOTEBOOKS[0]):
        course_map.update(_map_rows(text))
    totals = {path.name: minutes_table(path)[1] for path in NOTEBOOKS}
    assert course_map == totals


def test_the_readme_gives_every_notebooks_own_total():
    readme = _map_rows((ROOT / "README.md").read_text(encoding="utf-8"))
    totals = {path.name: minutes_table(path)[1] for path in NOTEBOOKS}
    assert readme == totals
