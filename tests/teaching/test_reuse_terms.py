"""The reuse terms: the MIT licence, the CC BY 4.0 notice and a CITATION.cff that parses."""

from __future__ import annotations

import datetime
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
REQUIRED_CFF_KEYS = {"cff-version", "message", "title", "authors", "license", "version", "date-released",
                     "repository-code"}


def test_the_code_licence_is_mit():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 Self-Attention Lab contributors" in text
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


def test_the_content_licence_is_cc_by_4_with_a_link_to_the_legal_code():
    text = (ROOT / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "Attribution 4.0 International" in text
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in text
    for covered in ("notebooks/", "docs/", "glossary"):
        assert covered in text


def test_citation_cff_parses_with_the_required_keys():
    try:
        import yaml
    except ImportError:
        pytest.skip("PyYAML is not installed (it comes with transformers: python -m pip install pyyaml)")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert REQUIRED_CFF_KEYS <= set(cff), REQUIRED_CFF_KEYS - set(cff)
    assert cff["cff-version"] == "1.2.0"
    assert cff["authors"] == [{"name": "Self-Attention Lab contributors"}]      # an entity, not a person
    assert cff["license"] == ["MIT", "CC-BY-4.0"]
    assert cff["version"] == "0.1.0"
    datetime.date.fromisoformat(str(cff["date-released"]))
    assert cff["repository-code"] == "https://github.com/self-attention-lab/self-attention-lab"


def test_the_citation_version_is_the_librarys():
    import attn_lib

    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f"version: {attn_lib.__version__}\n" in text
