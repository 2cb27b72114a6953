"""Every link from a notebook into the glossary lands on a term that the glossary defines."""

from __future__ import annotations

import pathlib
import re

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "notebooks" / "glossary.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def anchor(heading: str) -> str:
    """The anchor JupyterLab and GitHub give a markdown heading: lowercase, spaces to hyphens."""
    text = re.sub(r"[^\w\s-]", "", heading.strip().lower())
    return re.sub(r"\s", "-", text)


def glossary_anchors() -> set[str]:
    return {anchor(m[1]) for m in re.finditer(r"^#{2,3}\s+(.+?)\s*$", GLOSSARY.read_text(encoding="utf-8"), re.M)}


def test_the_glossary_defines_the_terms_the_issue_names():
    terms = {"logits", "mlp", "layer-normalisation", "gelu", "activation", "pre-trained", "fine-tuned", "convolution"}
    assert terms <= glossary_anchors(), sorted(terms - glossary_anchors())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_glossary_links_land_on_a_term(path):
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    links = re.findall(r"\]\(glossary\.md#([^)\s]+)\)", text)
    missing = sorted(set(links) - glossary_anchors())
    assert not missing, f"{path.name} links to glossary terms that do not exist: {missing}"


def test_every_term_has_the_same_anchor_in_jupyterlab_and_on_github():
    """JupyterLab keeps a heading's case and punctuation in its anchor (spaces become hyphens);
    GitHub lowercases and drops punctuation. Lowercase headings of words and hyphens agree."""
    headings = re.findall(r"^#{2,3}\s+(.+?)\s*$", GLOSSARY.read_text(encoding="utf-8"), re.M)
    assert headings
    differ = [h for h in headings if h.replace(" ", "-") != anchor(h)]
    assert not differ, f"these headings get different anchors in JupyterLab and on GitHub: {differ}"
