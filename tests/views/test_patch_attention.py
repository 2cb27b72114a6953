"""The patch attention view of notebook 08, driven from Python.

The view's weights must always be what attn_lib.self_attention gives for the same tokens, and
every control must change the weights, the markup and its data-version.
"""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from _html_tree import parse
from matplotlib.figure import Figure

import attn_lib as al
from attn_lib.lessons.lesson08 import TOKEN_FEATURES, patch_tokens, sample_image
from attn_lib.plots.lesson08 import overlay_darkness
from attn_lib.views import patch_attention
from attn_lib.views.patch_attention import PatchAttentionView

I9 = np.eye(len(TOKEN_FEATURES))


def expected_weights(image, patch_size=8, use_positions=True, temperature=1.0):
    """The weights the view must show, straight from attn_lib.self_attention."""
    X = patch_tokens(image, patch_size, use_positions)
    return al.self_attention(X, I9, I9, I9, temperature=temperature)[1]


def root(view):
    return parse(view.view.value).one("div", "vit-attention")


def printed_weights(view) -> np.ndarray:
    """The numbers printed on the overlay of the view's current markup, in patch order."""
    return np.array([t.text for t in root(view).one("g", "vit-values").find_all("text")], dtype=float)


def shading(view) -> np.ndarray:
    """The overlay opacity of every patch, in patch order."""
    cells = root(view).one("g", "vit-cells").find_all("rect")
    assert [int(c["data-patch"]) for c in cells] == list(range(view.rows * view.cols))
    return np.array([float(c["fill-opacity"]) for c in cells])


def root_version(view) -> int:
    return int(root(view)["data-version"])


@pytest.fixture
def view():
    return PatchAttentionView()


def test_view_starts_on_the_sun_and_shows_attn_lib_weights(view):
    s = view.state()
    assert (s["patch"], s["row"], s["col"]) == (10, 1, 4)
    np.testing.assert_allclose(s["weights"], expected_weights(sample_image()))
    np.testing.assert_allclose(s["output"], s["weights"] @ s["X"])
    np.testing.assert_allclose(printed_weights(view), np.round(s["weights"][10], 2), atol=0.006)
    assert view.version == 1 and root_version(view) == 1


@pytest.mark.parametrize("control, value, patch", [("row_slider", 5, 34), ("col_slider", 0, 6)])
def test_moving_a_patch_slider_changes_the_patch_weights_and_view(view, control, value, patch):
    html_before, row_before = view.view.value, view.state()["weights"][view.patch]
    getattr(view, control).value = value
    s = view.state()
    assert s["patch"] == patch and view.patch == patch
    assert view.version == 2 and root_version(view) == 2
    assert view.view.value != html_before
    assert not np.allclose(s["weights"][patch], row_before)
    np.testing.assert_allclose(printed_weights(view), np.round(expected_weights(sample_image())[patch], 2),
                               atol=0.006)
    r, c = divmod(patch, 6)
    assert root(view).one("div", "vit-title").text == f"Patch {patch} (row {r}, column {c}): where it looks"


def test_temperature_changes_the_weights_and_the_view(view):
    before, html_before = view.state()["weights"], view.view.value
    view.temperature_slider.value = 0.3
    s = view.state()
    assert view.version == 2 and root_version(view) == 2 and view.view.value != html_before
    assert not np.allclose(s["weights"], before)
    np.testing.assert_allclose(s["weights"], expected_weights(sample_image(), temperature=0.3))
    assert s["weights"][10, 10] > before[10, 10]                        # colder: sharper
    np.testing.assert_allclose(printed_weights(view), np.round(s["weights"][10], 2), atol=0.006)


def test_positions_box_changes_the_tokens_weights_and_view(view):
    before, html_before = view.state()["weights"], view.view.value
    view.positions_box.value = False
    s = view.state()
    assert view.version == 2 and root_version(view) == 2 and view.view.value != html_before
    np.testing.assert_array_equal(s["X"][:, 5:], 0.0)
    assert not np.allclose(s["weights"], before)
    np.testing.assert_allclose(s["weights"], expected_weights(sample_image(), use_positions=False))
    assert "Positions off" in root(view).one("div", "vit-note").text


def test_set_patch_repaints_once_and_checks_its_argument(view):
    view.set_patch(32)
    assert (view.patch, view.row_slider.value, view.col_slider.value, view.version) == (32, 5, 2, 2)
    for bad, exception in [(36, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError)]:
        with pytest.raises(exception, match="patch"):
            view.set_patch(bad)
    assert view.version == 2


def test_overlay_brightest_where_attention_is_largest_and_query_outlined(view):
    view.set_patch(2)
    w = view.state()["weights"][2]
    opacity = shading(view)
    assert opacity[int(np.argmax(w))] == 0.0
    assert np.all(np.diff(opacity[np.argsort(w)]) <= 1e-3)               # less attention, darker
    outline = root(view).one("rect", "vit-query")
    cell = view.display_size / view.cols
    assert (round(float(outline["x"]) / cell), round(float(outline["y"]) / cell)) == (2, 0)
    np.testing.assert_allclose(opacity, np.round(overlay_darkness(w), 3), atol=1e-9)


def test_top_five_bars_list_the_largest_weights(view):
    view.set_patch(14)
    w = view.state()["weights"][14]
    top = np.argsort(-w)[:5]
    bars = root(view).one("div", "vit-side").one("div", "attn-bars")
    rows = bars.elements[1:]                                            # after the title
    assert bars.elements[0].text == "Top 5 patches (row, column)"
    assert [row.elements[0].text for row in rows] == [f"{j} ({j // 6},{j % 6})" for j in top]
    assert [row.one("span", "attn-value").text for row in rows] == [f"{v:.2f}" for v in w[top]]


def test_the_image_is_encoded_once(monkeypatch):
    view = PatchAttentionView()
    uri = view._uri
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"

    def fail(image):
        raise AssertionError("the PNG was encoded again during an update")
    monkeypatch.setattr(patch_attention, "png_data_uri", fail)
    view.set_patch(0)
    view.temperature_slider.value = 2.0
    view.positions_box.value = False
    assert [image["href"] for image in root(view).find_all("image")] == [uri]


def test_the_data_version_counts_every_repaint(view):
    for k, patch in enumerate([0, 7, 35, 20], start=2):
        view.set_patch(patch)
        assert view.version == k and root_version(view) == k
    with view._batch():
        view.row_slider.value, view.col_slider.value = 3, 3
        view.temperature_slider.value = 0.5
    assert view.version == 6 and root_version(view) == 6 and view.patch == 21


def test_mimebundle_has_png_snapshot_and_text_table(view):
    view.set_patch(26)
    bundle = view._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["text/plain"] == repr(view.table())
    assert "Attention of patch 26 (row 4, column 2)" in bundle["text/plain"]
    table = view.table()
    np.testing.assert_allclose(table.values, view.state()["weights"][26].reshape(6, 6))
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_static_figure_shows_overlay_and_bars(view):
    fig = view.static_figure()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    overlay, bars = fig.axes
    texts = [t.get_text() for t in overlay.texts]
    assert texts == [f"{v:.2f}" for v in view.state()["weights"][10]]
    assert [t.get_text() for t in bars.get_xticklabels()] == [str(j) for j in view.state()["top"]]


def test_a_non_square_image_gets_a_non_square_grid():
    img = np.concatenate([sample_image(48), sample_image(48)[:16]], axis=0)   # 64 x 48
    view = PatchAttentionView(img, 8, patch=40)
    assert (view.rows, view.cols, view.row_slider.max, view.col_slider.max) == (8, 6, 7, 5)
    assert (view.row_slider.value, view.col_slider.value) == (6, 4)
    np.testing.assert_allclose(view.state()["weights"], expected_weights(img))
    svg = root(view).one("svg", "vit-overlay")
    assert (svg["width"], svg["height"]) == ("384", "512")                   # 8 rows of 64 px


@pytest.mark.parametrize("kwargs, exception", [({"patch": 36}, ValueError), ({"patch": "sun"}, TypeError),
                                               ({"patch_size": 5}, ValueError), ({"temperature": 0}, ValueError),
                                               ({"image": [[0.0]]}, TypeError)])
def test_bad_view_arguments_are_named(kwargs, exception):
    with pytest.raises(exception):
        PatchAttentionView(**kwargs)


def test_time_100_updates(view):
    """Kernel-side time per repaint (printed for the report; no timing assertion)."""
    start = time.perf_counter()
    for k in range(100):
        view.set_patch(k % 36)
    per_patch = (time.perf_counter() - start) / 100
    start = time.perf_counter()
    for k in range(100):
        view.temperature_slider.value = float(10 ** (-1 + 2 * k / 99))
    per_temperature = (time.perf_counter() - start) / 100
    print(f"\nPatchAttentionView: {per_patch * 1e3:.2f} ms per patch change, "
          f"{per_temperature * 1e3:.2f} ms per temperature change (100 updates each)")
    assert view.version == 201
