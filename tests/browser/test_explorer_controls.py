"""Every control of the attention explorer, moved in JupyterLab the way a learner moves it.

The generated notebook holds ``ex = al.AttentionExplorer(); ex``. Each test works one control
with the mouse or keyboard and checks that the explorer's view (``.attn-explorer``) repainted:
its ``data-version`` went up, its text changed where the change should show, and the numbers on
the page are the kernel's (read from ``ex`` through a second client of the notebook's kernel).
The tests run in file order and each starts from whatever state the previous one left.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import jupyter_harness as harness
from attn_lib.lessons.lesson02 import INPUT_FEATURES, MATRICES, PRESETS, preset_weights

pytestmark = pytest.mark.browser

WEIGHTS_JS = """() => {
    const view = document.querySelector(".attn-explorer .attn-view[data-view^='Attention weights']");
    const rows = [...view.querySelectorAll('tr')];
    return {tokens: [...rows[0].querySelectorAll('th')].slice(1).map(th => th.textContent),
            rows: rows.slice(1).map(r => r.querySelector('th').textContent),
            weights: rows.slice(1).map(r => [...r.querySelectorAll('td')].map(td => td.textContent)),
            query: (view.querySelector('tr.attn-query th') || {}).textContent || null};
}"""

TABLE_JS = """title => {
    const view = [...document.querySelectorAll('.attn-explorer .attn-view')]
        .find(v => v.getAttribute('data-view') === title);
    return view ? view.innerText : null;
}"""


# ----- helpers ---------------------------------------------------------------------------------
def control(nb, label):
    """The ipywidgets control whose description is ``label`` (e.g. "Preset", "Temperature")."""
    root = nb.page.locator(".attn-explorer-widget")
    return root.locator(".widget-inline-hbox").filter(
        has=nb.page.locator("label.widget-label", has_text=label)).first


def checkbox(nb, text):
    return nb.page.locator(".attn-explorer-widget .widget-checkbox").filter(has_text=text).locator("input")


def synced(nb):
    """Until the page shows the kernel's latest repaint; returns the view (version, text, html)."""
    return harness.wait_synced(nb.page, lambda: nb.probe().json("ex.version"))


def repaint(nb, action, timeout=20):
    """Do ``action``; wait for a higher data-version and for the page to catch up with the kernel.

    Returns the view before and after.
    """
    before = synced(nb)
    action()
    harness.wait_version_above(nb.page, before["version"], timeout=timeout)
    after = synced(nb)
    assert after["version"] > before["version"]
    return before, after


def kernel_view(nb):
    """What the kernel's explorer holds: version, tokens, query, temperature, weights to 2 decimals."""
    return nb.probe().json(
        "{'version': ex.version, 'tokens': ex.tokens, 'query': ex.state()['query'], "
        "'temperature': ex.temperature_slider.value, "
        "'weights': [[f'{v:.2f}' for v in row] for row in ex.state()['weights']]}")


def assert_page_matches_kernel(nb):
    """The page shows exactly the kernel's state, and nothing went wrong."""
    view = synced(nb)
    kernel = kernel_view(nb)
    page = nb.page.evaluate(WEIGHTS_JS)
    assert view["version"] == kernel["version"]
    assert page["tokens"] == kernel["tokens"] and page["rows"] == kernel["tokens"]
    assert page["weights"] == kernel["weights"]
    assert page["query"] == kernel["tokens"][kernel["query"]]
    assert nb.errors() == []
    return kernel


def type_and_enter(locator, text):
    """Click a text box, replace its text and press Enter, as a learner does."""
    locator.click()
    locator.fill(text)
    locator.press("Enter")


# ----- the tests -------------------------------------------------------------------------------
def test_explorer_starts_in_sync(explorer_nb):
    assert explorer_nb.initial["version"] >= 1
    assert_page_matches_kernel(explorer_nb)


def test_sentence_box_enter(explorer_nb):
    box = control(explorer_nb, "Sentence").locator("input")
    before, after = repaint(explorer_nb, lambda: type_and_enter(box, "The dog slept on the rug"))
    assert "dog" in after["text"] and "dog" not in before["text"]
    assert assert_page_matches_kernel(explorer_nb)["tokens"] == ["The", "dog", "slept", "on", "the", "rug"]


def test_sentence_without_words_shows_a_message_then_recovers(explorer_nb):
    page = explorer_nb.page
    box = control(explorer_nb, "Sentence").locator("input")
    type_and_enter(box, "   ")
    page.wait_for_selector(".attn-explorer .attn-error", timeout=20_000)
    assert "at least one word" in page.locator(".attn-explorer .attn-error").inner_text()
    before = explorer_nb.probe().json("ex.version")
    type_and_enter(box, "The cat sat on the mat")
    harness.wait_version_above(page, before)
    assert assert_page_matches_kernel(explorer_nb)["tokens"] == ["The", "cat", "sat", "on", "the", "mat"]


def test_query_word_picker(explorer_nb):
    select = control(explorer_nb, "Query word").locator("select")
    current = select.evaluate("s => s.selectedIndex")
    target = 2 if current != 2 else 3
    before, after = repaint(explorer_nb, lambda: select.select_option(index=target))
    word = explorer_nb.probe().json("ex.tokens")[target]
    assert f"Softmax scores of '{word}'" in after["text"]
    assert after["text"] != before["text"]
    assert assert_page_matches_kernel(explorer_nb)["query"] == target


def test_each_preset(explorer_nb):
    select = control(explorer_nb, "Preset").locator("select")
    current = select.input_value()
    for preset in [p for p in PRESETS if p != current] + [current]:
        before, after = repaint(explorer_nb, lambda: select.select_option(preset))
        assert after["text"] != before["text"], f"preset {preset!r} did not change the view"
        assert explorer_nb.probe().json("ex.preset_picker.value") == preset
        weights = explorer_nb.probe().json("{k: v.tolist() for k, v in ex.weights.items()}")
        seed = explorer_nb.probe().json("ex.seed_box.value")
        for name, W in preset_weights(preset, 4, seed).items():
            np.testing.assert_allclose(weights[name], W, err_msg=f"{preset}: {name}")
        assert_page_matches_kernel(explorer_nb)


def test_seed_with_random_preset(explorer_nb):
    select = control(explorer_nb, "Preset").locator("select")
    if select.input_value() != "random":
        repaint(explorer_nb, lambda: select.select_option("random"))
    seed_box = control(explorer_nb, "Seed").locator("input")
    seed = int(seed_box.input_value()) + 7
    before, after = repaint(explorer_nb, lambda: type_and_enter(seed_box, str(seed)))
    assert after["text"] != before["text"]
    W_Q = explorer_nb.probe().json("ex.weights['W_Q'].tolist()")
    np.testing.assert_allclose(W_Q, preset_weights("random", 4, seed)["W_Q"])
    assert_page_matches_kernel(explorer_nb)


def test_reset_button(explorer_nb):
    button = explorer_nb.page.locator(".attn-explorer-widget button", has_text="Reset")
    before, after = repaint(explorer_nb, button.click)
    # Back to the start: the same text as right after Run All (only the version differs).
    assert after["text"] == explorer_nb.initial["text"]
    assert before["text"] != after["text"]
    assert control(explorer_nb, "Preset").locator("select").input_value() == "attend to nouns"
    assert control(explorer_nb, "Sentence").locator("input").input_value() == "The cat sat on the mat"
    assert_page_matches_kernel(explorer_nb)


def test_scale_checkbox(explorer_nb):
    box = checkbox(explorer_nb, "divide by √d_k")
    was = box.is_checked()
    before, after = repaint(explorer_nb, box.click)
    assert box.is_checked() != was
    assert explorer_nb.probe().json("ex.scale_box.value") == (not was)
    shown = "Scores (not scaled)" if was else "Scaled scores (÷√d_k)"
    assert shown in after["text"] and shown not in before["text"]
    assert_page_matches_kernel(explorer_nb)


def test_causal_checkbox(explorer_nb):
    box = checkbox(explorer_nb, "causal mask")
    assert not box.is_checked()
    before, after = repaint(explorer_nb, box.click)
    assert after["text"] != before["text"]
    weights = assert_page_matches_kernel(explorer_nb)["weights"]
    n = len(weights)
    assert all(weights[i][j] == "0.00" for i in range(n) for j in range(i + 1, n)), weights


def test_temperature_slider_keyboard(explorer_nb):
    slider = control(explorer_nb, "Temperature")
    handle = slider.locator(".noUi-handle")
    start = float(handle.get_attribute("aria-valuenow"))
    key = "ArrowLeft" if start > 0.5 else "ArrowRight"       # the handle's value is the exponent

    def drag():
        handle.focus()
        for _ in range(30):
            explorer_nb.page.keyboard.press(key)
    before, after = repaint(explorer_nb, drag)
    exponent = start + (0.3 if key == "ArrowRight" else -0.3)
    kernel = assert_page_matches_kernel(explorer_nb)
    assert kernel["temperature"] == pytest.approx(10 ** exponent, rel=1e-6)
    assert slider.locator(".widget-readout").inner_text() == f"{10 ** exponent:.2f}"
    assert after["text"] != before["text"]


CELL_EDITS = {                 # matrix: (input feature, column, the view that must change)
    "W_Q": ("pos sin", 1, "Q (queries)"),
    "W_K": ("pos cos", 1, "K (keys)"),
    "W_V": ("animal", 2, "V (values)"),
}


@pytest.mark.parametrize("matrix", MATRICES)
def test_weight_grid_cell(explorer_nb, matrix):
    page = explorer_nb.page
    feature, column, table = CELL_EDITS[matrix]
    row = INPUT_FEATURES.index(feature)
    page.locator(".attn-explorer-widget .lm-TabBar-tab", has_text=matrix).click()
    grid = page.locator(".attn-explorer-widget .widget-gridbox:visible")
    assert grid.count() == 1
    cell = grid.locator("input").nth(row * 4 + column)       # inputs only: 4 per feature row
    old = explorer_nb.probe().json(f"float(ex.weights['{matrix}'][{row}, {column}])")
    new = 2.5 if old != 2.5 else -1.5
    table_before = page.evaluate(TABLE_JS, table)
    before, after = repaint(explorer_nb, lambda: type_and_enter(cell, str(new)))
    assert explorer_nb.probe().json(f"float(ex.weights['{matrix}'][{row}, {column}])") == new
    assert page.evaluate(TABLE_JS, table) != table_before, f"editing {matrix} did not change {table}"
    assert_page_matches_kernel(explorer_nb)


def test_fast_drag_ends_in_sync(explorer_nb):
    """200 key presses on the temperature slider in about 2 s; the last state wins everywhere."""
    page = explorer_nb.page
    slider = control(explorer_nb, "Temperature")
    handle = slider.locator(".noUi-handle")
    handle.focus()
    # 130 to the right saturates at the slider's maximum (exponent 1.0) from anywhere >= -0.3,
    # then 70 to the left leaves it at exponent 0.3 (temperature 10**0.3 = 2.00).
    for _ in range(15):                                      # from wherever it is, to >= -0.3
        page.keyboard.press("ArrowRight")
    synced(explorer_nb)
    keys = ["ArrowRight"] * 130 + ["ArrowLeft"] * 70
    start = time.monotonic()
    for i, key in enumerate(keys):
        page.keyboard.press(key)
        pause = start + (i + 1) * 0.010 - time.monotonic()
        if pause > 0:
            page.wait_for_timeout(pause * 1000)
    elapsed = time.monotonic() - start
    harness.wait_quiet(page, quiet_ms=1000)
    kernel = assert_page_matches_kernel(explorer_nb)
    assert float(handle.get_attribute("aria-valuenow")) == pytest.approx(0.3, abs=1e-9)
    assert kernel["temperature"] == pytest.approx(10 ** 0.3, rel=1e-6)
    assert slider.locator(".widget-readout").inner_text() == "2.00"
    assert harness.wait_kernel_idle(explorer_nb.page) == "idle"       # alive and answering
    assert explorer_nb.probe().run("print(1 + 1)").strip() == "2"
    print(f"200 key presses sent in {elapsed:.1f} s")


# ----- what keeps the repaint fast ---------------------------------------------------------------
def test_kernel_websocket_sends_without_nagle_delay(explorer_nb):
    """attn_lib_server (enabled by installing attn_lib) turned Nagle's algorithm off on this
    notebook's kernel websocket; the server logs the option as read back from the socket."""
    log = explorer_nb.server.log_path.read_text(errors="replace")
    assert "attn_lib_server: kernel websockets use NoDelay" in log, explorer_nb.server.log_tail(40)
    assert harness.kernel_websocket_nodelay(explorer_nb.server)[-1:] == ["1"], explorer_nb.server.log_tail(40)


def test_live_widget_keeps_layout_and_paint_inside(explorer_nb):
    """The explorer's root has ``contain: content`` from the (hidden) style widget LiveView adds,
    so moving a slider does not repaint the rest of the notebook."""
    contain, style_hidden = explorer_nb.page.evaluate("""() => {
        const root = document.querySelector('.attn-explorer-widget');
        const style = [...root.querySelectorAll('.widget-html')].find(e => e.querySelector('style'));
        return [getComputedStyle(root).contain, style ? getComputedStyle(style).display : null];
    }""")
    assert contain == "content"
    assert style_hidden == "none"
