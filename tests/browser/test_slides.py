"""The live slides of the 90-minute plan: jupyterlab-rise in JupyterLab, with a live kernel.

The deck (docs/teaching/slides/attention_90min.ipynb) is copied into the served folder and
opened in JupyterLab as a teacher opens it: Run All, then Alt+R starts RISE, which shows the deck
as a reveal.js slideshow in a panel of its own (an iframe on ``/rise/<path>``). The test
advances with the space bar and the right arrow to the explorer's slide, changes the explorer's
preset there, and waits for the view's ``data-version`` to rise: the kernel repainted it.

jupyterlab-rise is an optional extra (requirements-teach.txt): without it these tests skip,
saying why, unless ATTN_LAB_REQUIRE_EXTRAS=1 (CI), where that is a failure.

The live way, at the end of this file: Voila's reveal template (scripts/present_slides.py) with
reveal.js's style sheets and jQuery served from docs/teaching/slides/.reveal/ (installed by
scripts/setup_slides.py; without it that test skips, or fails under ATTN_LAB_REQUIRE_EXTRAS=1).
There the explorer on its slide is live, and the page asks nothing from another host but Font
Awesome's style sheets (Voila's template names them; its icons are bundled).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pathlib
import re
import shutil
import time

import jupyter_harness as harness
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DECK = ROOT / "docs" / "teaching" / "slides" / "attention_90min.ipynb"
NAME = "attention_90min.ipynb"
REQUIRE_ENV = "ATTN_LAB_REQUIRE_EXTRAS"


def rise_missing_reason() -> str | None:
    if importlib.util.find_spec("jupyterlab_rise") is None:
        return ("jupyterlab-rise is not installed (python -m pip install -r requirements-teach.txt); "
                f"set {REQUIRE_ENV}=1 to make this a failure")
    return None


pytestmark = [pytest.mark.browser, pytest.mark.teach]
needs_rise = pytest.mark.skipif(rise_missing_reason() is not None and os.environ.get(REQUIRE_ENV) != "1",
                                reason=str(rise_missing_reason()))

# The slide on show: reveal.js marks the current (sub)slide's <section> with the class "present".
PRESENT_JS = """() => {
    const outer = document.querySelector('.reveal .slides > section.present');
    if (!outer) return null;
    const inner = outer.querySelector(':scope > section.present') || outer;
    return {id: inner.id, title: (inner.querySelector('h1, h2, h3') || {}).textContent || '',
            explorer: !!inner.querySelector('.attn-explorer[data-version]')};
}"""


@pytest.fixture(scope="module")
def deck(served_notebooks):
    """The deck, copied into the folder JupyterLab serves."""
    reason = rise_missing_reason()
    if reason is not None:
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    shutil.copy(DECK, served_notebooks / NAME)
    return NAME


@pytest.fixture(scope="module")
def slideshow(chromium, lab_server, deck, notebook_opener):
    """The deck in JupyterLab after Run All, with RISE started (Alt+R); yields (notebook, rise frame)."""
    with notebook_opener(chromium, lab_server, deck) as nb:
        nb.page.wait_for_selector(".jp-NotebookPanel .attn-explorer[data-version]", timeout=60_000)
        nb.page.locator(".jp-NotebookPanel .jp-MarkdownCell").first.click()
        nb.page.keyboard.press("Escape")                   # command mode, the notebook focused
        nb.page.keyboard.press("Alt+r")
        frame = wait_rise_frame(nb.page)
        frame.wait_for_selector(".reveal .slides > section.present", timeout=60_000)
        yield nb, frame


def wait_rise_frame(page, timeout: float = 60):
    """The iframe in which RISE shows the deck (its URL is ``.../rise/<path>``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if f"/rise/{NAME}" in frame.url:
                return frame
        page.wait_for_timeout(200)
    raise TimeoutError(f"no RISE frame after {timeout} s: frames {[f.url for f in page.frames]}")


def present(frame) -> dict:
    return frame.evaluate(PRESENT_JS)


def press_until(nb, frame, keys, title: str) -> list[dict]:
    """Press the keys one by one until the slide titled ``title...`` is on show; returns each slide
    seen, after each key (a key that shows a fragment leaves the slide as it was)."""
    seen = [present(frame)]
    for key in keys:
        if seen[-1]["title"].startswith(title):
            break
        nb.page.keyboard.press(key)
        nb.page.wait_for_timeout(400)                     # reveal.js moves without a transition here
        seen.append(present(frame))
    return seen


@needs_rise
def test_rise_shows_the_deck_as_a_reveal_slideshow(slideshow):
    nb, frame = slideshow
    assert frame.locator(".reveal .slides > section").count() >= 8
    assert present(frame)["title"].startswith("Self-attention in 90 minutes")
    assert nb.context.external_requests == []


PROMPT_JS = """() => { const p = document.querySelector('.reveal section.present .jp-CodeCell .jp-InputArea-prompt');
    return p ? p.textContent : null; }"""


@needs_rise
def test_advance_to_the_explorer_slide_and_run_its_cell(slideshow):
    nb, frame = slideshow
    frame.locator(".reveal .slides > section.present h1").first.click()   # keys go to the slideshow
    seen = press_until(nb, frame, ["ArrowRight"] + ["Space"] * 15, "Queries, keys and values")
    titles = [s["title"] for s in seen]
    assert seen[-1]["title"].startswith("Queries, keys and values"), f"slides seen: {titles}"
    assert len({s["id"] for s in seen}) >= 5, f"slides seen: {titles}"
    # The kernel is live: Shift+Enter on the slide runs its cell again, with a new execution count.
    before = frame.evaluate(PROMPT_JS)
    frame.locator(".reveal section.present .jp-CodeCell .jp-InputArea-prompt").first.click()
    nb.page.keyboard.press("Shift+Enter")
    frame.wait_for_function(f"() => ({PROMPT_JS})() !== {before!r} && /\\[\\d+\\]/.test(({PROMPT_JS})())",
                            timeout=30_000)
    assert nb.probe().json("explorer.version") >= 1
    assert nb.context.external_requests == []


@needs_rise
@pytest.mark.xfail(strict=True, reason="jupyterlab-rise 0.43.1 cannot load the ipywidgets 8 manager "
                   "(jupyterlab_widgets 3.0.x): its slideshow app bundles JupyterLab 4.3 and the widget "
                   "extension fails with 'Shared module @jupyterlab/console doesn't exist in shared scope', "
                   "so widgets show their PNG snapshot. Upstream: jupyterlab-contrib/rise issue 119 (open).")
def test_the_explorer_on_the_slide_is_live(slideshow):
    nb, frame = slideshow
    assert present(frame)["title"].startswith("Queries, keys and values")
    frame.wait_for_selector(".reveal section.present .attn-explorer[data-version]", timeout=15_000)
    explorer = ".reveal section.present .attn-explorer"
    before = harness.view_state(frame, explorer)
    preset = (frame.locator(".reveal section.present .attn-explorer-widget .widget-inline-hbox")
              .filter(has=frame.locator("label.widget-label", has_text="Preset")).first.locator("select"))
    preset.select_option("attend to the previous word")
    after = harness.wait_version_above(frame, before["version"], selector=explorer, timeout=30)
    assert after["version"] > before["version"] and after["text"] != before["text"]
    assert nb.probe().json("explorer.preset_picker.value") == "attend to the previous word"


# ----- issue 14: the live way, Voila's reveal template with local reveal.js -----------------------
def load_present_slides():
    spec = importlib.util.spec_from_file_location("present_slides", ROOT / "scripts" / "present_slides.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


present_slides = load_present_slides()
# Voila's template links Font Awesome's style sheets from jsdelivr; its icons are bundled, so the
# blocked requests change nothing on the slides (as in test_other_frontends.py).
ALLOWED_OFFLINE_MISSES = re.compile(r"^https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@[^/]+/css/[\w.-]+\.css$")
EXPLORER = ".reveal section.present .attn-explorer"


@pytest.fixture(scope="module")
def voila_slides(chromium, browser_workdir):
    """Voila showing a copy of the deck as reveal.js slides, with a copy of the local reveal.js and
    jQuery beside it (``.reveal/node_modules/``), as beside the deck."""
    reason = present_slides.reveal_missing_reason()
    if reason is not None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to make this a failure")
    folder = browser_workdir / "voila_slides_deck"
    folder.mkdir(exist_ok=True)
    shutil.copy(DECK, folder / NAME)
    for served in ("reveal.js/dist", "jquery/dist"):          # Voila serves no symlink out of its root
        shutil.copytree(DECK.parent / present_slides.NODE_MODULES / served,
                        folder / present_slides.NODE_MODULES / served, dirs_exist_ok=True)
    server = harness.Server("voila", folder, browser_workdir / "voila_slides", voila_notebook=folder / NAME,
                            extra_args=present_slides.reveal_options())
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


def press_until_page(page, keys, title: str) -> list[dict]:
    """``press_until`` for a page that is itself the slideshow."""
    seen = [present(page)]
    for key in keys:
        if seen[-1]["title"].startswith(title):
            break
        page.keyboard.press(key)
        page.wait_for_timeout(300)
        seen.append(present(page))
    return seen


def test_voila_reveal_slides_are_live_and_offline(chromium, voila_slides):
    context = harness.new_offline_context(chromium)
    page = context.new_page()
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    try:
        page.goto(f"{voila_slides.base_url}/", timeout=120_000)            # Voila runs the deck first
        page.wait_for_selector(".reveal .slides > section.present", state="visible", timeout=90_000)
        assert present(page)["title"].startswith("Self-attention in 90 minutes")
        # The local style sheets are in use: reveal.css lays the slides out at absolute positions.
        assert page.evaluate("getComputedStyle(document.querySelector('.reveal .slides')).position") == "absolute"
        seen = press_until_page(page, ["ArrowRight"] + ["Space"] * 15, "Queries, keys and values")
        titles = [s["title"] for s in seen]
        assert seen[-1]["title"].startswith("Queries, keys and values") and seen[-1]["explorer"], titles
        assert len(set(titles)) >= 5, titles                           # nbconvert's sections have no id
        # The explorer on the slide is a live widget: dragging its temperature slider with the mouse
        # repaints it (the kernel answered). The mouse, not the arrow keys: reveal.js takes those
        # for itself even when the slider's handle has the focus, and moves to the next slide.
        handle = page.locator(f"{EXPLORER}-widget .widget-slider .noUi-handle").first
        handle.wait_for(state="visible", timeout=30_000)
        before = harness.wait_quiet(page, EXPLORER, quiet_ms=500, timeout=30)
        assert before["version"] >= 1
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 40, y, steps=6)
        page.mouse.up()
        after = harness.wait_version_above(page, before["version"], selector=EXPLORER, timeout=20)
        assert after["text"] != before["text"]
        assert present(page)["title"].startswith("Queries, keys and values")
        assert harness.page_errors(page, log_console=False) == []
        # Voila's bundled reveal.js calls MathJax 2's MathJax.Hub on every slide change, but Voila
        # typesets with its own MathJax and defines no window.MathJax: a harmless error per slide.
        assert [e for e in script_errors if "reading 'Hub'" not in e] == []
        needed = [url for url in context.external_requests if not ALLOWED_OFFLINE_MISSES.match(url)]
        assert needed == [], f"the slides asked the internet for {needed}"
        assert harness.kernel_websocket_nodelay(voila_slides)[-1:] == ["1"], voila_slides.log_tail(40)
    except Exception:
        with contextlib.suppress(Exception):
            shot = voila_slides.workdir / "failure-voila-slides.png"
            page.screenshot(path=str(shot))
            print(f"screenshot: {shot}\nblocked requests: {context.external_requests}\n"
                  f"{voila_slides.log_tail(30)}")
        raise
    finally:
        context.close()
