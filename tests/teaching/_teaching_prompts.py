"""The "Try this" and "Why?" prompts of the notebooks, each with an id, for tests/teaching/test_guide.py.

An id is ``NN.S.K``: notebook NN, section S (its ``## S. Title`` heading), the K-th bullet of the
section's "**Try this:**" list; a "Why?" outside such a list is ``NN.S.whyK``. The guide
(docs/teaching/answers.md) answers each one on a line starting ``- **[id]**`` that quotes the
prompt's first words.
"""

from __future__ import annotations

import pathlib
import re

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HEADING = re.compile(r"^##\s+(\d+)\.\s+(.+?)\s*$")


def section_headings(path) -> dict[int, str]:
    """``{S: "S. Title"}`` for every ``## S. Title`` heading of the notebook."""
    headings = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                match = HEADING.match(line)
                if match:
                    headings[int(match[1])] = f"{match[1]}. {match[2]}"
    return headings


def first_words(text: str, n: int = 5) -> str:
    return " ".join(text.split()[:n])


def prompts(path) -> list[dict]:
    """Every prompt of one notebook: ``{"id", "notebook", "section", "text"}``."""
    number, section, found = pathlib.Path(path).name[:2], None, []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        in_list, bullets, why = False, [], 0
        for line in cell.source.splitlines():
            match = HEADING.match(line)
            if match:
                section = int(match[1])
            if line.strip() == "**Try this:**":
                in_list, bullets = True, []
                continue
            if in_list:
                if line.startswith("- "):
                    bullets.append(line[2:])
                elif line.startswith("  ") and bullets:
                    bullets[-1] += " " + line.strip()
                elif line.strip() and bullets:
                    in_list = False
            elif "Why?" in line:
                why += 1
                before = line[: line.index("Why?") + 4]
                found.append({"id": f"{number}.{section}.why{why}", "notebook": path.name, "section": section,
                              "text": " ".join(before.split()[-6:])})
        found.extend({"id": f"{number}.{section}.{k}", "notebook": path.name, "section": section,
                      "text": first_words(text)} for k, text in enumerate(bullets, start=1))
    return found


def all_prompts() -> list[dict]:
    return [p for path in NOTEBOOKS for p in prompts(path)]
