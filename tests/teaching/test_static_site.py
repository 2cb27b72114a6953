"""The offline static edition (scripts/build_site.py) opens with no request leaving the machine.

The site is built into a temporary folder from two notebooks (01, with the score sliders, and 05,
with the mask editor) plus the glossary and the index; headless Chromium opens the index over
file://, follows its links, and every request the pages make is routed: file: and data: URLs are
served, anything else is recorded and aborted. The pages must show their figures (every <img>
decoded, the live views' still pictures among them) and no request may have left.

Marked ``browser``; skipped, saying why, without playwright or Chromium, and a failure instead when
ATTN_LAB_REQUIRE_BROWSER=1 (as in tests/browser/).
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import jupyter_harness as harness

pytestmark = pytest.mark.browser
PAGES = ("01_what_is_self_attention.html", "05_masks_gpt_vs_bert.html")
BUILT = {}                                                           # what build() reported


def load_script():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    reason = harness.playwright_missing_reason()
    if reason:
        if os.environ.get("ATTN_LAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the static-site test needs Chromium and playwright: {reason}", pytrace=False)
        pytest.skip(f"the static-site test needs Chromium and playwright: {reason}")
    out = tmp_path_factory.mktemp("site")
    result = load_script().build(out, only=["01", "05"])
    assert result["pages"] == list(PAGES)
    BUILT.update(result)
    return out


@pytest.fixture(scope="module")
def browser():
    chromium = harness.launch_browser()          # on the process's one Playwright (see shared_playwright)
    yield chromium
    chromium.close()


def offline_page(browser):
    """A page whose every request is routed: local files served, anything else recorded and aborted."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    left, served = [], []

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            served.append(url)
            r.continue_()
        else:
            left.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("websocket", lambda ws: left.append(ws.url))
    return context, page, left, served


def figures(page) -> dict:
    return page.evaluate("""() => {
        const images = [...document.images];
        return {count: images.length,
                broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 60)),
                pngs: images.filter(i => i.src.startsWith('data:image/png')).length};
    }""")


def test_the_site_has_an_index_linking_every_page(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in (*PAGES, "glossary.html"):
        assert f'href="{name}"' in index and (site / name).is_file()


LOADED_FROM_ELSEWHERE = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_no_page_loads_anything_from_another_host(site):
    """Links a reader clicks may point elsewhere; nothing the browser loads by itself may."""
    for page in site.glob("*.html"):
        found = LOADED_FROM_ELSEWHERE.findall(page.read_text(encoding="utf-8"))
        assert not found, (page.name, found[:3])


def test_the_check_would_see_a_cdn_script():
    assert LOADED_FROM_ELSEWHERE.search('<script src="https://cdnjs.cloudflare.com/ajax/libs/x.js"></script>')
    assert not LOADED_FROM_ELSEWHERE.search('<a href="https://arxiv.org/abs/1706.03762">paper</a>')


def test_index_and_notebooks_open_offline_with_their_figures(site, browser):
    context, page, left, served = offline_page(browser)
    try:
        page.goto((site / "index.html").as_uri(), wait_until="load")
        assert "offline edition" in page.title()
        for name in PAGES:
            page.click(f'a[href="{name}"]')
            page.wait_for_load_state("load")
            assert page.url.endswith(name)
            shown = figures(page)
            assert shown["count"] >= 3 and shown["pngs"] >= 3, (name, shown)
            assert not shown["broken"], (name, shown["broken"])
            assert page.locator("h2", has_text="Key points").count() >= 1
            if BUILT["mathjax"]:                                     # formulas typeset from the local copy
                page.wait_for_selector(".MathJax, .MathJax_Display, mjx-container", timeout=20_000)
            page.go_back(wait_until="load")
        page.click('a[href="glossary.html"]')
        page.wait_for_load_state("load")
        assert page.locator("#softmax").count() == 1
    finally:
        context.close()
    assert served, "the route saw no request at all"
    assert left == [], f"requests left the machine: {left}"


def test_the_router_would_catch_a_request_to_another_host(site, browser, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text('<img src="https://cdn.example.org/x.png"><script src="https://cdn.example.org/y.js"></script>')
    context, page, left, _ = offline_page(browser)
    try:
        page.goto(probe.as_uri(), wait_until="load")
    finally:
        context.close()
    assert sorted(left) == ["https://cdn.example.org/x.png", "https://cdn.example.org/y.js"]
