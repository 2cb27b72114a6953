"""The ScoreSliders of notebook 01, driven from the keyboard in JupyterLab.

The generated notebook builds the same widget as notebook 01 (one slider per word of "The cat
sat on the mat", softmax bars of "cat"). Moving each slider must change its readout and the
bars, and the bars must show the kernel's probabilities.
"""

from __future__ import annotations

import time

import pytest

import jupyter_harness as harness

pytestmark = pytest.mark.browser

BARS_JS = """() => [...document.querySelectorAll('.attn-bars .attn-value')].map(e => e.textContent)"""


def bars(nb):
    return nb.page.evaluate(BARS_JS)


def settle(nb, quiet_ms=500, timeout=30):
    """Until the bars and the slider readouts have not changed for ``quiet_ms``."""
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        readouts = [r.replace("\u2212", "-") for r in nb.page.locator(".widget-readout").all_inner_texts()]
        now = (bars(nb), readouts,                     # the readouts print a minus sign as U+2212
               nb.page.locator(".attn-bars").inner_html())
        if now != last:
            last, since = now, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return now
        nb.page.wait_for_timeout(100)
    raise TimeoutError("the score sliders kept changing")


def assert_matches_kernel(nb):
    shown, readouts, _ = settle(nb)
    kernel = nb.probe().json("{'p': [f'{v:.2f}' for v in sliders.probabilities], "
                             "'raw': [f'{v:.2f}' for v in sliders.raw_scores]}")
    assert shown == kernel["p"]
    assert readouts == kernel["raw"]
    assert nb.errors() == []
    return kernel


def test_bars_start_in_sync(sliders_nb):
    kernel = assert_matches_kernel(sliders_nb)
    assert len(kernel["p"]) == 6


@pytest.mark.parametrize("index", range(6))
def test_each_slider_moves_the_bars(sliders_nb, index):
    nb = sliders_nb
    handle = nb.page.locator(".widget-slider .noUi-handle").nth(index)
    value = float(handle.get_attribute("aria-valuenow"))
    key, step = ("ArrowLeft", -0.01) if value > 3.0 else ("ArrowRight", 0.01)
    before_bars, before_readouts, before_html = settle(nb)
    handle.focus()
    for _ in range(40):
        nb.page.keyboard.press(key)
    kernel = assert_matches_kernel(nb)
    assert float(kernel["raw"][index]) == pytest.approx(value + 40 * step, abs=1e-6)
    assert nb.page.locator(".attn-bars").inner_html() != before_html
    assert bars(nb) != before_bars


def test_fast_drag_ends_in_sync(sliders_nb):
    nb = sliders_nb
    handle = nb.page.locator(".widget-slider .noUi-handle").nth(5)
    handle.focus()
    for i in range(150):
        nb.page.keyboard.press("ArrowLeft" if i % 3 else "ArrowRight")
    assert_matches_kernel(nb)
    assert harness.wait_kernel_idle(nb.page) == "idle"
