"""The library and the notebooks point at each other, and the pointers stay true (d2l-style).

Every public core function's docstring says where it is taught, as
"notebook NN, section K (Title)"; that section must exist under that title. Every module of
``attn_lib/core`` and ``attn_lib/lessons`` that a notebook teaches is named by that notebook
(``attn_lib/core/softmax.py``), so "read the library" is a path a learner can follow.
"""

from __future__ import annotations

import inspect
import pathlib
import re

import nbformat
import pytest

import attn_lib.core as core

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = {p.name[:2]: p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
CITATION = re.compile(r"notebook\s+(\d\d),\s+section\s+(\d+)\s+\((.+?)\)", re.S)


def _headings(number: str) -> dict[str, str]:
    """{"3": "Sinusoidal position encodings", ...} for one notebook's ``## N. Title`` headings."""
    found = {}
    for cell in nbformat.read(NOTEBOOKS[number], as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                match = re.match(r"^##\s+(\d+)\.\s+(.+?)\s*$", line)
                if match:
                    found[match[1]] = match[2]
    return found


def _public_core_functions():
    return [(name, getattr(core, name)) for name in core.__all__ if inspect.isfunction(getattr(core, name))]


@pytest.mark.parametrize("name, function", _public_core_functions(), ids=lambda x: x if isinstance(x, str) else "")
def test_each_core_function_names_a_section_that_exists(name, function):
    doc = " ".join((function.__doc__ or "").split())
    assert "Taught in notebook" in doc, f"{name}'s docstring does not say where it is taught"
    for number, section, title in CITATION.findall(doc):
        assert number in NOTEBOOKS, f"{name} cites notebook {number}, which does not exist"
        headings = _headings(number)
        assert headings.get(section) == title, (
            f"{name} cites notebook {number}, section {section} ({title!r}); that notebook has "
            f"section {section} = {headings.get(section)!r}")


def _taught_modules():
    """(notebook number, path) for every core and lessons module whose docstring names its notebook."""
    pairs = []
    for path in sorted((ROOT / "attn_lib" / "core").glob("*.py")) + sorted((ROOT / "attn_lib" / "lessons").glob("lesson*.py")):
        if path.name.startswith("_"):
            continue
        text = path.read_text(encoding="utf-8")
        numbers = {path.stem[-2:]} if path.parent.name == "lessons" else set()
        header = re.match(r'\s*"""(.*?)"""', text, re.S)
        if header:
            numbers |= set(re.findall(r"Taught in notebook (\d\d)", header[1]))
        pairs += [(number, path) for number in sorted(numbers) if number in NOTEBOOKS]
    return pairs


@pytest.mark.parametrize("number, path", _taught_modules(), ids=lambda x: x if isinstance(x, str) else x.name)
def test_each_notebook_names_the_library_files_it_teaches(number, path):
    text = "\n".join(cell.source for cell in nbformat.read(NOTEBOOKS[number], as_version=4).cells
                     if cell.cell_type == "markdown")
    relative = path.relative_to(ROOT).as_posix()
    assert relative in text, f"{NOTEBOOKS[number].name} never names {relative}, which it teaches"
