"""Build the offline static edition of the course: every notebook as HTML, the glossary and an index.

    python scripts/build_site.py               # into build/site
    python scripts/build_site.py OUTDIR        # anywhere else
    python scripts/build_site.py OUTDIR --notebooks 01 02   # only some notebooks (the tests use this)

For the room where the network fails: open OUTDIR/index.html from a USB stick or a shared drive.
Nothing is executed: each notebook is exported with nbconvert's ``lab`` template from its stored
outputs, so every live view appears as the still picture (PNG) stored beside it, and every table
and figure as it was when the notebook was last run.

No request leaves the machine. nbconvert's templates load require.js, MathJax and mermaid from
CDNs; this script removes those script tags and every other reference to another host in a ``src``
or ``href`` that the browser would load (links that a reader clicks stay). The formulas:

* if the ``jupyter-server-mathjax`` package is installed (MathJax 2.7 as a pip package, in
  requirements-teach.txt), its MathJax is copied into OUTDIR/mathjax and every page loads it from
  there, so formulas render offline;
* otherwise the pages load no MathJax and formulas show as their LaTeX source (for example
  ``$\\sqrt{d_k}$``), which is still readable. The script says which it did.

What a learner loses against the live course: no kernel, so no slider moves and no exercise is
checked; each live view is one still picture of its starting state.
"""

from __future__ import annotations

import argparse
import copy
import html
import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "build" / "site"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"          # the configs jupyter-server-mathjax ships


# ----- MathJax --------------------------------------------------------------------------------------
def local_mathjax() -> pathlib.Path | None:
    """The folder holding MathJax.js from the jupyter-server-mathjax package, or None."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        return None
    static = pathlib.Path(jupyter_server_mathjax.__file__).parent / "static"
    return static if (static / "MathJax.js").is_file() else None


# ----- one page ---------------------------------------------------------------------------------------
def without_live_views(nb):
    """A copy of the notebook whose widget outputs keep only their static fallback (PNG, text)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_MIME, None)
    return nb


def local_links(text: str) -> str:
    """Links between notebooks and to the glossary point at the pages of the site."""
    text = re.sub(r'href="((?:\./)?\d\d_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', text)
    return re.sub(r'href="((?:\./)?glossary)\.md(#[^"]*)?"', r'href="\1.html\2"', text)


def offline(page: str, mathjax_url: str | None) -> str:
    """The page with every script, stylesheet or font from another host removed."""
    page = re.sub(r"<script[^>]*\bsrc=\"\"[^>]*>\s*</script>", "", page)                # require.js, emptied
    page = re.sub(r"<script type=\"module\">(?:(?!</script>).)*mermaid(?:(?!</script>).)*</script>", "", page,
                  flags=re.DOTALL)
    if mathjax_url is None:
        page = re.sub(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", "", page, flags=re.DOTALL)
    page = re.sub(r"<(script|link)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//[^>]*>(?:\s*</script>)?", "", page,
                  flags=re.IGNORECASE)
    return local_links(page)


def export_notebook(path: pathlib.Path, mathjax_url: str | None) -> tuple[str, str]:
    """(title, HTML page) of one notebook, from its stored outputs."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = without_live_views(nbformat.read(path, as_version=4))
    exporter = HTMLExporter(template_name="lab", embed_images=True, require_js_url="",
                            mathjax_url=mathjax_url or "", mermaid_js_url="")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    return notebook_title(nb, path), offline(body, mathjax_url)


def notebook_title(nb, path) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match[1].strip()
    return path.stem


def export_glossary(mathjax_url: str | None) -> str:
    """The glossary (notebooks/glossary.md) as a page like the notebooks'."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        (NOTEBOOKS / "glossary.md").read_text(encoding="utf-8"))])
    exporter = HTMLExporter(template_name="lab", require_js_url="", mathjax_url=mathjax_url or "",
                            mermaid_js_url="", exclude_input_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": "Glossary"}})
    return offline(body, mathjax_url)


def index_page(entries: list[tuple[str, str]], with_mathjax: bool) -> str:
    rows = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in entries)
    maths = ("Formulas are typeset by a copy of MathJax in this folder." if with_mathjax else
             "Formulas appear as their LaTeX source (MathJax was not installed when this edition was built).")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Self-Attention Lab: offline edition</title>
<style>body {{ font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.5; padding: 0 1em; }}
li {{ margin: 0.3em 0; }}</style></head>
<body>
<h1>Self-Attention Lab: offline edition</h1>
<p>The course's notebooks as static pages, with the outputs and pictures stored in them. Nothing here
needs a network or a running kernel; the live views (sliders, editors) show a still picture of their
starting state. To change the numbers yourself, open the notebooks in JupyterLab. {maths}</p>
<ol start="0">
{rows}
</ol>
<p><a href="glossary.html">Glossary</a>: every term the course uses.</p>
<p>Licences: code MIT; the notebooks' prose and figures, and the glossary, CC BY 4.0 (Self-Attention Lab
contributors).</p>
</body></html>
"""


# ----- the site --------------------------------------------------------------------------------------
def build(out_dir=DEFAULT_OUT, only=None) -> dict:
    """Write the site into ``out_dir``; ``only`` is a list of notebook numbers ("01", ...) or None."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    mathjax = local_mathjax()
    mathjax_url = None
    if mathjax is not None:
        shutil.copytree(mathjax, out_dir / "mathjax", dirs_exist_ok=True)
        mathjax_url = f"mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if only:
        notebooks = [p for p in notebooks if p.name[:2] in set(only)]
    entries = []
    for path in notebooks:
        title, page = export_notebook(path, mathjax_url)
        (out_dir / f"{path.stem}.html").write_text(page, encoding="utf-8")
        entries.append((f"{path.stem}.html", title))
    (out_dir / "glossary.html").write_text(export_glossary(mathjax_url), encoding="utf-8")
    (out_dir / "index.html").write_text(index_page(entries, mathjax is not None), encoding="utf-8")
    return {"pages": [href for href, _ in entries], "mathjax": mathjax is not None}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", default=str(DEFAULT_OUT), help="output folder (default build/site)")
    parser.add_argument("--notebooks", nargs="*", help="only these notebook numbers, e.g. 01 02")
    args = parser.parse_args(argv)
    result = build(args.out_dir, args.notebooks)
    print(f"wrote {len(result['pages'])} notebooks, the glossary and index.html into {args.out_dir}; formulas: "
          + ("MathJax copied from jupyter-server-mathjax" if result["mathjax"] else
             "LaTeX source (pip install jupyter-server-mathjax to typeset them offline)"))


if __name__ == "__main__":
    sys.exit(main())
