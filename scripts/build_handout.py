"""Build the one-page handout: docs/teaching/handout.html and docs/teaching/handout.pdf.

    python scripts/build_handout.py              # both files, in docs/teaching/
    python scripts/build_handout.py --out DIR    # somewhere else (the tests use a temporary folder)
    python scripts/build_handout.py --no-pdf     # the HTML only (no browser needed)

One source: the template below. Every size in it is computed from attn_lib when the script runs
(``course_facts``), and the glossary lines are the first sentence of each term in
notebooks/glossary.md. Every computed number is written as ``<span data-fact="NAME">VALUE</span>``,
so tests/teaching/test_handout.py can recompute each one and check that no other number slipped in.

The PDF is Chromium's print-to-PDF (Debian's /usr/bin/chromium through Playwright, the same
launch as benchmarks/jupyter_harness.py), A4, one page.
"""

from __future__ import annotations

import argparse
import html
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "docs" / "teaching"
GLOSSARY = ROOT / "notebooks" / "glossary.md"

GLOSSARY_TERMS = ("query", "key", "value", "score", "scaling", "softmax", "attention weights",
                  "weight matrices", "mask", "causal", "bidirectional", "head", "multi-head",
                  "position encoding", "temperature", "kv cache")
"""The glossary entries on the handout, in this order (headings of notebooks/glossary.md)."""

WHOLE_ENTRY = {"temperature": 3}
"""Terms that keep more than their first sentence: both temperatures are a misconception to head off."""


# ----- the numbers ---------------------------------------------------------------------------------
def course_facts() -> dict:
    """Every number on the handout, computed from attn_lib.

    Returns
    -------
    dict
        ``n`` tokens of the course sentence; ``d_model`` (attn_lib.D_MODEL); ``d_k`` of the
        attention explorer (notebook 02); ``h`` and ``d_head`` of notebook 07's head viewer;
        ``lesson_d_model`` (the width of notebook 07's inputs); and, when the real model's weights
        are installed, ``minilm_layers``, ``minilm_heads``, ``minilm_d_model``, ``minilm_d_head``.
    """
    sys.path.insert(0, str(ROOT))
    import attn_lib as al
    from attn_lib.lessons import lesson01, lesson07
    from attn_lib.views.explorer import AttentionExplorer
    from attn_lib.views.head_viewer import HeadViewer

    heads = HeadViewer().state()                                 # notebook 07's starting view
    facts = {"n": len(al.tokenize(lesson01.CAT_SENTENCE)), "d_model": al.D_MODEL,
             "d_k": AttentionExplorer().d_k, "lesson_d_model": len(lesson07.LESSON_FEATURES),
             "h": heads["n_heads"], "d_head": heads["d_head"]}
    from attn_lib.model import WeightsNotFoundError

    try:
        model = al.load_pretrained()
    except WeightsNotFoundError:                                   # weights not installed: no column
        return facts
    facts.update(minilm_layers=model.n_layers, minilm_heads=model.n_heads,
                 minilm_d_model=model.d_model, minilm_d_head=model.d_head)
    return facts


# ----- the glossary --------------------------------------------------------------------------------
def glossary_lines(path=GLOSSARY, terms=GLOSSARY_TERMS) -> list[tuple[str, str]]:
    """``(term, its first sentence, or more)`` for each term, from the glossary's ``## term`` sections."""
    sections = re.split(r"^## ", pathlib.Path(path).read_text(encoding="utf-8"), flags=re.MULTILINE)
    bodies = {s.split("\n", 1)[0].strip(): s.split("\n", 1)[1] for s in sections[1:]}
    lines = []
    for term in terms:
        text = " ".join(bodies[term].split())                                     # one line
        text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)                     # links -> their words
        sentences = re.findall(r".+?\.(?=\s|$)", text)
        kept = sentences[:WHOLE_ENTRY.get(term, 1)]
        while len(" ".join(kept)) < 70 and len(kept) < len(sentences):   # a very short first sentence
            kept = sentences[:len(kept) + 1]
        lines.append((term, " ".join(s.strip() for s in kept)))
    return lines


def _inline(text: str) -> str:
    """Markdown inline (`code`, **bold**, *em*) to HTML, escaped."""
    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)
    return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", text)


# ----- the page ------------------------------------------------------------------------------------
STYLE = """
@page { size: A4; margin: 9mm 11mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 8.4pt; line-height: 1.25; margin: 0; color: #111; }
h1 { font-size: 14pt; margin: 0 0 1mm 0; }
h2 { font-size: 10pt; margin: 2.2mm 0 1mm 0; border-bottom: 0.4pt solid #888; }
p { margin: 0.8mm 0; }
.formula { font-size: 13pt; text-align: center; margin: 1.5mm 0; font-family: "DejaVu Serif", serif; }
table { border-collapse: collapse; width: 100%; margin: 0.5mm 0; }
th, td { border: 0.4pt solid #999; padding: 0.5mm 1.4mm; text-align: left; vertical-align: top; }
th { background: #eee; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }
.cols { column-count: 2; column-gap: 6mm; font-size: 8pt; }
.cols p { break-inside: avoid; margin: 0 0 0.8mm 0; }
.small { font-size: 7.4pt; color: #444; }
.mask td, .mask th { text-align: center; padding: 0.3mm 1.6mm; }
"""


def _fact(facts: dict, name: str) -> str:
    return f'<span data-fact="{name}">{facts[name]}</span>'


def _shape(facts: dict, *names: str) -> str:
    """``(6, 8)`` with each number a fact; a name that is not a fact is printed as it is."""
    return "(" + ", ".join(_fact(facts, x) if x in facts else x for x in names) + ")"


def _shape_rows(f: dict) -> list[tuple[str, str, str, str]]:
    """(what, symbolic shape, the course's shape, MiniLM's shape) for the shape table."""
    real = "minilm_d_model" in f
    m = (lambda *names: _shape(f, *names)) if real else (lambda *names: "")
    return [
        ("inputs <code>X</code>, one row per token", "(n, d_model)", _shape(f, "n", "lesson_d_model"),
         m("n", "minilm_d_model")),
        ("<code>W_q</code>, <code>W_k</code>, <code>W_v</code>, <code>W_o</code>", "(d_model, d_model)",
         _shape(f, "lesson_d_model", "lesson_d_model"), m("minilm_d_model", "minilm_d_model")),
        ("<code>Q = X @ W_q</code> (also K, V)", "(n, d_model)", _shape(f, "n", "lesson_d_model"),
         m("n", "minilm_d_model")),
        ("split into heads", "(h, n, d_head)", _shape(f, "h", "n", "d_head"),
         m("minilm_heads", "n", "minilm_d_head")),
        ("scores and attention weights", "(h, n, n)", _shape(f, "h", "n", "n"), m("minilm_heads", "n", "n")),
        ("each head's output", "(h, n, d_head)", _shape(f, "h", "n", "d_head"),
         m("minilm_heads", "n", "minilm_d_head")),
        ("merged, then <code>@ W_o</code>", "(n, d_model)", _shape(f, "n", "lesson_d_model"),
         m("n", "minilm_d_model")),
    ]


def render_html(facts: dict, glossary: list[tuple[str, str]]) -> str:
    """The whole handout as one HTML page (no scripts, no external resources)."""
    f, real = facts, "minilm_d_model" in facts
    model_th = "<th>MiniLM (notebook 09)</th>" if real else ""

    def model_td(name):
        return f"<td>{_fact(f, name)}</td>" if real else ""

    sizes = [
        ("n", "tokens in the sentence", f"{_fact(f, 'n')} (&ldquo;The cat sat on the mat&rdquo;)",
         "<td>any (&le; its maximum length)</td>" if real else ""),
        ("d_model", "width of a token's vector",
         f"{_fact(f, 'd_model')} (<code>attn_lib.D_MODEL</code>; notebook 07: {_fact(f, 'lesson_d_model')})",
         model_td("minilm_d_model")),
        ("d_k", "width of one query or key", f"{_fact(f, 'd_k')} (the explorer, notebook 02)",
         model_td("minilm_d_head")),
        ("h", "number of heads", f"{_fact(f, 'h')} (notebook 07)", model_td("minilm_heads")),
        ("d_head", "width of one head, d_model / h", f"{_fact(f, 'd_head')} (notebook 07)",
         model_td("minilm_d_head")),
    ]
    if real:
        sizes.append(("layers", "attention layers stacked", "one at a time", model_td("minilm_layers")))
    size_rows = "\n".join(f"<tr><td><code>{s}</code></td><td>{what}</td><td>{ours}</td>{theirs}</tr>"
                          for s, what, ours, theirs in sizes)
    shape_rows = "\n".join(f"<tr><td>{what}</td><td><code>{sym}</code></td><td>{ours}</td>"
                           + (f"<td>{theirs}</td>" if real else "") + "</tr>"
                           for what, sym, ours, theirs in _shape_rows(f))
    gloss = "\n".join(f"<p><b>{html.escape(term)}</b>: {_inline(text)}</p>" for term, text in glossary)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Self-Attention Lab: one-page handout</title>
<style>{STYLE}</style></head>
<body>
<h1>Self-attention on one page</h1>
<p class="small">Self-Attention Lab handout. Built by <code>python scripts/build_handout.py</code>; every size below
is computed from <code>attn_lib</code>. Licence: CC BY 4.0, Self-Attention Lab contributors.</p>

<h2>The formula</h2>
<p class="formula">Attention(Q, K, V) = softmax( Q K<sup>T</sup> / &radic;d<sub>k</sub> ) V</p>
<p><b>Q = X W<sub>q</sub></b>, <b>K = X W<sub>k</sub></b>, <b>V = X W<sub>v</sub></b>: one row per token (row vectors).
Scores <code>Q @ K.T</code>: row <i>i</i> is query <i>i</i> against every key. Divide by &radic;d<sub>k</sub> so wider
vectors do not give sharper softmaxes. The softmax runs <b>along each row</b>: each row of weights is positive and
adds up to one. Output row <i>i</i> = the weighted mix of the value rows.
Multi-head: cut the columns of Q, K, V into h slices of width d_head, attend in each, put the slices side by side
again and multiply by W<sub>o</sub>.</p>

<h2>Sizes in this course</h2>
<table><tr><th>symbol</th><th>meaning</th><th>this course</th>{model_th}</tr>
{size_rows}
</table>

<h2>Shapes through one multi-head layer</h2>
<table><tr><th>step</th><th>shape</th><th>notebook 07</th>{model_th}</tr>
{shape_rows}
</table>

<h2>The mask convention</h2>
<p>In this course a mask is a True/False grid, one entry per (query, key): <b>True means &ldquo;may attend&rdquo;</b>.
Masked scores become &minus;&infin; <b>before</b> the softmax, so they get weight zero and the row still adds up to one.
A causal (GPT) mask is True on and below the diagonal: a token sees itself and earlier tokens.
A padding mask is False in the columns of <code>[PAD]</code> keys.</p>
<p><b>Careful with PyTorch:</b> in <code>nn.MultiheadAttention</code> a boolean <code>attn_mask</code> or
<code>key_padding_mask</code> means the <b>opposite</b>, True = <i>not</i> allowed; pass <code>~mask</code>.
<code>F.scaled_dot_product_attention</code> uses the course's convention (True = may attend).</p>

<h2>Key terms (from the glossary)</h2>
<div class="cols glossary">
{gloss}
</div>
</body></html>
"""


# ----- the files -------------------------------------------------------------------------------------
def write_pdf(html_path: pathlib.Path, pdf_path: pathlib.Path) -> None:
    """Chromium's print-to-PDF of ``html_path``, A4, with its background colours."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import jupyter_harness as harness

    reason = harness.playwright_missing_reason()
    if reason:
        raise SystemExit(f"cannot write the PDF: {reason}")
    browser = harness.launch_browser()           # the process's one Playwright: tests call this too
    try:
        context = harness.new_offline_context(browser)
        page = context.new_page()
        page.goto(html_path.resolve().as_uri())
        page.pdf(path=str(pdf_path), format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        browser.close()


def build(out_dir=OUT_DIR, pdf: bool = True) -> dict:
    """Write handout.html (and handout.pdf) into ``out_dir``; return the facts used."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    facts = course_facts()
    html_path = out_dir / "handout.html"
    html_path.write_text(render_html(facts, glossary_lines()), encoding="utf-8")
    if pdf:
        write_pdf(html_path, out_dir / "handout.pdf")
    return facts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(OUT_DIR), help="output folder (default docs/teaching)")
    parser.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    args = parser.parse_args(argv)
    facts = build(args.out, pdf=not args.no_pdf)
    print(f"wrote {args.out}/handout.html" + ("" if args.no_pdf else " and handout.pdf"), facts)


if __name__ == "__main__":
    main()
