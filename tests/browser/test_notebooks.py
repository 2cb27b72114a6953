"""Every course notebook, run in JupyterLab in a real browser: no errors, every widget live.

Each notebook in notebooks/ is opened in JupyterLab, run with Run > Run All Cells, and checked
the way a learner would see it: every cell ran, no error or traceback is on the page, every
output that holds a widget shows the live widget (not the stored picture, not "Error
displaying widget"), and moving each control of a live view repaints that view.
"""

from __future__ import annotations

import json
import time

import pytest

import jupyter_harness as harness

pytestmark = pytest.mark.browser

NOTEBOOK_PATHS = sorted(harness.NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="module", params=NOTEBOOK_PATHS, ids=[p.stem for p in NOTEBOOK_PATHS])
def course_nb(request, chromium, lab_server, notebook_opener):
    """One course notebook, opened in JupyterLab and run with Run All."""
    with notebook_opener(chromium, lab_server, request.param.name) as nb:
        nb.source = request.param
        nb.expected_widgets = harness.widget_output_cells(request.param)
        nb.rendered = harness.wait_widgets_rendered(nb.page, nb.expected_widgets)
        yield nb


def test_lab_user_settings_turn_windowing_off(lab_server):
    """The settings file written for the test server is the one JupyterLab uses."""
    settings = lab_server.api("/lab/api/settings/@jupyterlab/notebook-extension:tracker")
    assert settings["settings"]["windowingMode"] == "none", settings["raw"]


def test_run_all_executes_every_cell(course_nb):
    cells = json.loads(course_nb.source.read_text())["cells"]
    report = harness.output_report(course_nb.page)
    # Windowing off: every cell is attached to the page, not only those in view.
    assert report["cells"] == len(cells)
    assert not report["content_visibility_mode"]
    assert course_nb.execution["n"] == harness.code_cells(course_nb.source)
    assert course_nb.execution["done"] == course_nb.execution["n"], course_nb.execution["prompts"]


def test_no_error_outputs(course_nb):
    assert course_nb.errors() == []


def test_every_widget_output_is_live(course_nb):
    """At least as many live widget views as cells whose stored output holds a widget."""
    assert course_nb.rendered >= course_nb.expected_widgets, (
        f"{course_nb.rendered} live widget views, but {course_nb.expected_widgets} cells of "
        f"{course_nb.source.name} display a widget")


def test_live_widgets_keep_layout_and_paint_inside(course_nb):
    """Every live widget of attn_lib (class attn-live) gets ``contain: content`` on the page."""
    contains = course_nb.page.evaluate(
        "() => [...document.querySelectorAll('.attn-live')].map(e => getComputedStyle(e).contain)")
    assert all(c == "content" for c in contains), contains


# ----- every control of every live view --------------------------------------------------------
SIGNATURE_JS = """root => [...root.querySelectorAll('.widget-html-content')].map(e => e.innerHTML).join('\\u0001')"""


def _signature(root):
    return root.evaluate(SIGNATURE_JS)


def _wait_changed(page, root, before, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _signature(root) != before:
            return True
        page.wait_for_timeout(100)
    return False


def _settle(page, root, quiet_ms=400, timeout=30.0):
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        now = _signature(root)
        if now != last:
            last, since = now, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return now
        page.wait_for_timeout(100)
    return last


def _spread(items, at_most):
    """At most ``at_most`` of ``items``: the first, the last and some between (a grid of many boxes)."""
    if len(items) <= at_most:
        return items
    step = (len(items) - 1) / (at_most - 1)
    return [items[round(i * step)] for i in range(at_most)]


def _controls(root):
    """(description, action) for the visible sliders, checkboxes and dropdowns of a widget.

    Every slider and dropdown; of the checkboxes at most four, spread over them (the mask
    editor has one per cell of its grid).
    """
    found = []
    handles = root.locator(".widget-slider .noUi-handle, .widget-hslider .noUi-handle")
    for i in range(handles.count()):
        handle = handles.nth(i)

        def move(handle=handle):
            at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            handle.focus()
            for _ in range(5):
                handle.page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        found.append((f"slider {i}", handle, move))
    selects = root.locator(".widget-dropdown select")
    for i in range(selects.count()):
        select = selects.nth(i)

        def choose(select=select):
            n, current = select.evaluate("s => [s.options.length, s.selectedIndex]")
            select.select_option(index=(current + 1) % n)
        found.append((f"dropdown {i}", select, choose))
    boxes = root.locator(".widget-checkbox input[type=checkbox], .widget-toggle-button")
    visible = [i for i in range(boxes.count()) if boxes.nth(i).is_visible()]
    for i in _spread(visible, 4):
        found.append((f"checkbox {i}", boxes.nth(i), boxes.nth(i).click))
    return [(name, action) for name, element, action in found if element.is_visible()]


VERSION_JS = "r => Math.max(0, ...[...r.querySelectorAll('[data-version]')].map(e => Number(e.getAttribute('data-version'))))"


def test_controls_repaint_live_views(course_nb):
    """Moving each slider, checkbox and dropdown of a widget repaints its HTML views.

    A view with a ``data-version`` (the explorers) must also show a higher version.
    """
    page = course_nb.page
    roots = page.locator(".jp-OutputArea-output > .jupyter-widgets")
    checked, failures = 0, []
    for r in range(roots.count()):
        root = roots.nth(r)
        if not root.locator(".widget-html-content").count():
            continue                                   # no view that a control could repaint
        before = _settle(page, root)
        for name, action in _controls(root):
            version = root.evaluate(VERSION_JS)
            action()
            checked += 1
            if not _wait_changed(page, root, before):
                failures.append(f"widget {r}, {name}: the view did not change")
                continue
            before = _settle(page, root)
            after = root.evaluate(VERSION_JS)
            if version and not after > version:
                failures.append(f"widget {r}, {name}: data-version stayed at {version}")
    if checked == 0:
        pytest.skip(f"{course_nb.source.name} has no live view with a control")
    assert failures == []
    assert course_nb.errors() == []
