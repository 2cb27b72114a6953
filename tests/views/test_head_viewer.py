"""The head viewer of notebook 07, driven from Python: switching heads on and off changes the merged
heads and the output, and every table shows what attn_lib computes."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from _html_tree import parse, printed, tables

import attn_lib as al
from attn_lib.lessons import lesson07 as hv
from attn_lib.views.head_viewer import HeadViewer

OUTPUT = "Output = merged @ W_o"
MERGED = "Merged: the heads side by side (h1.2 = head 1, its column 2; 0 when the head is off)"


def random_layer(rng, n, d_model):
    X = rng.normal(size=(n, d_model))
    W = {name: rng.normal(size=(d_model, d_model)) / np.sqrt(d_model) for name in ("W_q", "W_k", "W_v", "W_o")}
    return X, W


def root(viewer):
    return parse(viewer.view.value).one("div", "head-viewer")


def _tables(viewer):
    """Every table of the viewer, keyed by its caption (also its data-view)."""
    return tables(root(viewer))


def rendered_tables(viewer):
    """The numbers printed in each table of the viewer, keyed by the table's caption."""
    return {name: t.values() for name, t in _tables(viewer).items()}


def data_version(viewer) -> int:
    return int(root(viewer)["data-version"])


@pytest.fixture
def viewer():
    return HeadViewer()


def test_viewer_starts_with_the_lesson_and_every_head_on(viewer):
    s = viewer.state()
    assert viewer.tokens == al.tokenize(hv.LESSON_SENTENCE)
    assert s["n_heads"] == 2 and s["active"].tolist() == [True, True]
    X = hv.lesson_inputs(viewer.tokens)
    output, weights = al.multi_head_attention(X, **hv.lesson_weights(), n_heads=2)
    np.testing.assert_allclose(s["output"], output)
    shown = rendered_tables(viewer)
    np.testing.assert_allclose(shown["Head 0 (columns 0-3)"], np.round(weights[0], 2), atol=0.006)
    np.testing.assert_allclose(shown["Head 1 (columns 4-7)"], np.round(weights[1], 2), atol=0.006)
    np.testing.assert_allclose(shown["Output = merged @ W_o"], np.round(output, 2), atol=0.006)
    assert data_version(viewer) == viewer.version == 1


def test_a_toggle_changes_output_and_view_and_bumps_the_version(viewer):
    before_html, before_output, version = viewer.view.value, viewer.state()["output"], viewer.version
    viewer.toggles[1].value = False
    s = viewer.state()
    assert viewer.version == version + 1 and data_version(viewer) == version + 1
    assert viewer.view.value != before_html
    np.testing.assert_array_equal(s["merged"][:, 4:], 0)
    np.testing.assert_allclose(s["output"][:, :4], before_output[:, :4])
    assert not np.allclose(s["output"], before_output)
    panels = root(viewer).find_all("div", data_head=None)
    assert [(p["data-head"], p.classes) for p in panels] == [("0", {"hv-on"}), ("1", {"hv-off"})]
    assert panels[1].one("caption").text == "Head 1 (columns 4-7): off"
    np.testing.assert_allclose(rendered_tables(viewer)["Output = merged @ W_o"], np.round(s["output"], 2), atol=0.006)
    viewer.toggles[1].value = True
    np.testing.assert_allclose(viewer.state()["output"], before_output)
    assert viewer.version == version + 2


def test_every_head_off_gives_zeros_and_says_so(viewer):
    viewer.set_active([])
    s = viewer.state()
    np.testing.assert_array_equal(s["output"], 0)
    view = root(viewer)
    assert view.one("div", "hv-alert").text.startswith("Every head is off") and view["data-active"] == ""
    assert view.find_all("div", "hv-note") == []
    np.testing.assert_array_equal(rendered_tables(viewer)["Output = merged @ W_o"], 0)
    assert "-0.00" not in view.text
    assert repr(viewer.table()).splitlines()[0] == "Output rows: every head is off, so the output is all zeros"
    bundle = viewer._repr_mimebundle_()                           # the snapshot must not fail either
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")


def test_set_active_repaints_once_and_checks_its_input(viewer):
    version = viewer.version
    viewer.set_active([1])
    assert viewer.version == version + 1
    assert [box.value for box in viewer.toggles] == [False, True]
    with pytest.raises(ValueError, match="numbered 0 to 1"):
        viewer.set_active([2])


@pytest.mark.parametrize("count", [1, 4, 8])
def test_changing_the_number_of_heads_rebuilds_the_toggles(viewer, count):
    version = viewer.version
    viewer.heads_picker.value = count
    assert viewer.version == version + 1, "one repaint per change"
    assert len(viewer.toggles) == count == len(viewer.toggle_box.children)
    assert all(box.value for box in viewer.toggles)
    _, weights = al.multi_head_attention(viewer.X, **viewer.weights, n_heads=count)
    np.testing.assert_allclose(viewer.state()["weights"], weights)
    assert len(root(viewer).find_all("div", data_head=None)) == count
    assert root(viewer)["data-n-heads"] == str(count)
    viewer.toggles[0].value = False                              # the new toggles are wired up
    assert viewer.version == version + 2


def test_old_toggles_no_longer_repaint(viewer):
    old = viewer.toggles[0]
    viewer.heads_picker.value = 4
    version = viewer.version
    old.value = False
    assert viewer.version == version


def test_picker_offers_the_divisors_of_d_model(viewer):
    assert list(viewer.heads_picker.options) == [1, 2, 4, 8]


def test_custom_inputs(rng):
    X, W = random_layer(rng, 5, 12)
    v = HeadViewer(X, list("abcde"), W, n_heads=3)
    assert [box.description for box in v.toggles] == ["head 0", "head 1", "head 2"]
    output, _ = al.multi_head_attention(X, **W, n_heads=3)
    np.testing.assert_allclose(v.state()["output"], output)
    assert list(v.heads_picker.options) == [1, 2, 3, 4, 6, 12]
    assert v.columns == [f"d{j}" for j in range(1, 13)]


def test_bad_arguments(rng):
    X, W = random_layer(rng, 5, 8)
    with pytest.raises(ValueError, match="n_heads must divide"):
        HeadViewer(X, list("abcde"), W, n_heads=3)
    with pytest.raises(ValueError, match="one label per row"):
        HeadViewer(X, list("abc"), W)
    with pytest.raises(ValueError, match="W_q, W_k, W_v and W_o"):
        HeadViewer(X, list("abcde"), {"W_q": W["W_q"]})
    with pytest.raises(ValueError, match="one label per column"):
        HeadViewer(X, list("abcde"), W, columns=["a"])


def test_static_snapshot_and_text_for_readers_without_a_kernel(viewer):
    viewer.set_active([0])
    bundle = viewer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    text = bundle["text/plain"].splitlines()
    assert text[0] == "Output rows (heads on: 0 of 2)"
    assert text[4].split()[0] == "sat" and text[4].split()[5:] == ["0.00"] * 4
    fig = viewer.static_figure()
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["head 0", "head 1 (off)", "Output (heads on: 0)"]


def test_one_hundred_toggles(viewer):
    """Kernel time per toggle (printed with -s; speed is judged by benchmarks, not asserted)."""
    start = time.perf_counter()
    for i in range(100):
        box = viewer.toggles[i % 2]
        box.value = not box.value
    per_event_ms = (time.perf_counter() - start) * 1000 / 100
    print(f"\nHeadViewer: {per_event_ms:.2f} ms per toggle (kernel side, 100 toggles)")
    assert viewer.version == 101 and data_version(viewer) == 101
    assert viewer.state()["active"].tolist() == [True, True]     # each toggle flipped an even number of times


def test_every_table_is_labelled_and_shows_the_state(viewer):
    viewer.set_active([0])
    s, shown = viewer.state(), _tables(viewer)
    assert list(shown) == ["Head 0 (columns 0-3)", "Head 1 (columns 4-7): off", MERGED, OUTPUT]
    for h, name in enumerate(list(shown)[:2]):
        assert shown[name].rows == shown[name].columns == s["tokens"]
        assert shown[name].texts() == printed(s["weights"][h])
    assert shown[MERGED].columns == [f"h{j // 4}.{j % 4}" for j in range(8)]
    assert shown[MERGED].texts() == printed(np.round(s["merged"], 2) + 0.0)
    assert shown[OUTPUT].columns == viewer.columns and shown[OUTPUT].rows == s["tokens"]
    assert shown[OUTPUT].texts() == printed(np.round(s["output"], 2) + 0.0)
    assert root(viewer).one("div", "hv-note").text == "Heads on: 0 of 2 (d_head = 4). Rows: queries; columns: keys."


def test_head_tables_are_shaded_and_the_outputs_are_not(viewer):
    for table in _tables(viewer).values():
        styled = {"style" in cell.attrs for row in table.cells for cell in row}
        assert styled == ({True} if table.caption.startswith("Head") else {False})

