"""attn_lib.vit_views: the drawn image, patches as tokens, and the live patch-attention view.

The view's weights must always be what attn_lib.self_attention gives for the same tokens, and
every control must change the weights, the HTML and its data-version.
"""

from __future__ import annotations

import base64
import re
import time

import numpy as np
import pytest
from matplotlib.figure import Figure

import attn_lib as al
from attn_lib import vit_views
from attn_lib.vit_views import PatchAttentionView, patch_tokens, sample_image

I9 = np.eye(len(vit_views.TOKEN_FEATURES))


def expected_weights(image, patch_size=8, use_positions=True, temperature=1.0):
    """The weights the view must show, straight from attn_lib.self_attention."""
    X = patch_tokens(image, patch_size, use_positions)
    return al.self_attention(X, I9, I9, I9, temperature=temperature)[1]


def printed_weights(view) -> np.ndarray:
    """The numbers printed on the overlay of the view's current HTML, in patch order."""
    values = re.search(r"<g class='vit-values'>(.*?)</g>", view.view.value).group(1)
    return np.array(re.findall(r">(\d\.\d\d)</text>", values), dtype=float)


def shading(view) -> np.ndarray:
    """The overlay opacity of every patch, in patch order."""
    found = re.findall(r"fill-opacity='([\d.]+)' data-patch='(\d+)'", view.view.value)
    assert [int(i) for _, i in found] == list(range(view.rows * view.cols))
    return np.array([float(o) for o, _ in found])


def root_version(view) -> int:
    return int(re.search(r"<div class='vit-attention' data-version='(\d+)'>", view.view.value).group(1))


@pytest.fixture
def view():
    return PatchAttentionView()


# -------------------------------------------------------------------------------- sample image

def test_sample_image_is_deterministic_float_rgb_in_range():
    a, b = sample_image(), sample_image()
    assert a.shape == (48, 48, 3) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert a.std() > 0.1                                            # a scene, not a flat colour


@pytest.mark.parametrize("size", [8, 16, 48, 64, 96])
def test_sample_image_draws_the_same_scene_at_every_size(size):
    img = sample_image(size)
    assert img.shape == (size, size, 3)
    assert img.min() >= 0.0 and img.max() <= 1.0

    def at(fx, fy):
        return img[int(fy * size), int(fx * size)]
    sky, sun, grass, wall = at(0.05, 0.05), at(0.80, 0.20), at(0.75, 0.95), at(0.47, 0.70)
    assert sky[2] > sky[0] and sky[2] > sky[1]                      # blue sky
    assert sun[0] > 0.9 and sun[1] > 0.7 and sun[2] < 0.3           # yellow sun
    assert grass[1] > grass[0] and grass[1] > grass[2]              # green grass
    assert wall[0] > wall[1] and wall[0] > wall[2]                  # red walls


def test_sample_image_does_not_depend_on_global_random_state():
    np.random.seed(1)
    a = sample_image()
    np.random.seed(2)
    np.testing.assert_array_equal(a, sample_image())


@pytest.mark.parametrize("size, exception", [(0, ValueError), (3, ValueError), (-48, ValueError),
                                             (48.0, TypeError), (True, TypeError), ("48", TypeError)])
def test_sample_image_rejects_bad_sizes(size, exception):
    with pytest.raises(exception, match="size"):
        sample_image(size)


# ---------------------------------------------------------------------------- patches to tokens

def test_embedding_matrix_computes_colour_means_and_half_differences(rng):
    image = rng.uniform(size=(16, 16, 3))
    features = al.patchify(image, 8) @ vit_views.embedding_matrix(8)        # (4, 5)
    for k in range(4):
        r, c = divmod(k, 2)
        block = image[r * 8:(r + 1) * 8, c * 8:(c + 1) * 8]
        light = block.mean(axis=2)
        expected = [*block.mean(axis=(0, 1)), light[:4].mean() - light[4:].mean(),
                    light[:, :4].mean() - light[:, 4:].mean()]
        np.testing.assert_allclose(features[k], expected, atol=1e-12)


@pytest.mark.parametrize("args, exception", [((7,), ValueError), ((8, 1), ValueError), ((0,), ValueError),
                                             ((8.0,), TypeError)])
def test_embedding_matrix_rejects_what_it_cannot_build(args, exception):
    with pytest.raises(exception):
        vit_views.embedding_matrix(*args)


def test_standardize_gives_mean_zero_and_unit_spread(rng):
    F = rng.normal(3.0, 5.0, size=(20, 4))
    Z = vit_views.standardize(F)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)
    F[:, 2] = 7.0                                                           # a constant column
    np.testing.assert_array_equal(vit_views.standardize(F)[:, 2], 0.0)


def test_grid_positions_are_sin_and_cos_of_row_and_column():
    P = vit_views.grid_positions(4, 6)
    theta = np.pi / 6
    assert P.shape == (24, 4)
    r, c = divmod(15, 6)
    np.testing.assert_allclose(P[15], [np.sin(r * theta), np.cos(r * theta), np.sin(c * theta), np.cos(c * theta)])


def test_position_dot_products_fall_with_distance_in_the_grid():
    P = vit_views.grid_positions(6, 6)
    along_row = [P[0] @ P[c] for c in range(6)]                            # patch 0 with (0, c)
    down_column = [P[0] @ P[6 * r] for r in range(6)]                      # patch 0 with (r, 0)
    assert np.all(np.diff(along_row) < 0) and np.all(np.diff(down_column) < 0)
    assert P[17] @ P[23] > P[17] @ P[18]                                   # below beats "next in the count"


def test_patch_tokens_are_standardised_content_then_scaled_positions():
    img = sample_image()
    X = patch_tokens(img, 8)
    assert X.shape == (36, len(vit_views.TOKEN_FEATURES))
    content = vit_views.standardize(al.patchify(img, 8) @ vit_views.embedding_matrix(8))
    np.testing.assert_allclose(X[:, :5], content)
    np.testing.assert_allclose(X[:, 5:], vit_views.POSITION_STRENGTH * vit_views.grid_positions(6, 6))
    X_off = patch_tokens(img, 8, use_positions=False)
    np.testing.assert_array_equal(X_off[:, 5:], 0.0)
    np.testing.assert_allclose(X_off[:, :5], content)


def test_patch_tokens_need_a_colour_image():
    with pytest.raises(ValueError, match="3 colour channels"):
        patch_tokens(np.zeros((16, 16, 4)), 8)
    with pytest.raises(ValueError, match="image"):
        patch_tokens(np.zeros((16, 16)), 8)


def test_patch_attention_is_self_attention_with_identity_weights():
    img = sample_image()
    output, weights = vit_views.patch_attention(img, 8, temperature=0.5)
    X = patch_tokens(img, 8)
    np.testing.assert_allclose(weights, al.softmax(X @ X.T / 3.0 / 0.5, axis=-1))
    np.testing.assert_allclose(output, weights @ X)


def test_top_patches_are_largest_first_with_ties_by_index():
    assert list(vit_views.top_patches([0.1, 0.3, 0.3, 0.2, 0.1], k=3)) == [1, 2, 3]


# ------------------------------------------------------------------------------ the live view

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
    assert f"Patch {patch} (row {r}, column {c})" in view.view.value


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
    assert "Positions off" in view.view.value


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
    outline = re.search(r"class='vit-query' x='([\d.]+)' y='([\d.]+)'", view.view.value)
    cell = view.display_size / view.cols
    assert (round(float(outline.group(1)) / cell), round(float(outline.group(2)) / cell)) == (2, 0)


def test_top_five_bars_list_the_largest_weights(view):
    view.set_patch(14)
    w = view.state()["weights"][14]
    top = np.argsort(-w)[:5]
    bars = view.view.value.split("class='attn-bars'")[1]
    labels = re.findall(r">(\d+) \((\d),(\d)\)</span>", bars)
    assert [int(j) for j, _, _ in labels] == list(top)
    assert all(int(j) == 6 * int(r) + int(c) for j, r, c in labels)
    values = re.findall(r"class='attn-value'>(\d\.\d\d)<", bars)
    np.testing.assert_allclose(np.array(values, dtype=float), np.round(w[top], 2), atol=0.006)


def test_the_image_is_encoded_once(monkeypatch):
    view = PatchAttentionView()
    uri = view._uri
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"

    def fail(image):
        raise AssertionError("the PNG was encoded again during an update")
    monkeypatch.setattr(vit_views, "_png_data_uri", fail)
    view.set_patch(0)
    view.temperature_slider.value = 2.0
    view.positions_box.value = False
    assert view.view.value.count(uri) == 1


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
    assert "height='512'" in view.view.value                                  # 8 rows of 64 px


@pytest.mark.parametrize("kwargs, exception", [({"patch": 36}, ValueError), ({"patch": "sun"}, TypeError),
                                               ({"patch_size": 5}, ValueError), ({"temperature": 0}, ValueError),
                                               ({"image": [[0.0]]}, TypeError)])
def test_bad_view_arguments_are_named(kwargs, exception):
    with pytest.raises(exception):
        PatchAttentionView(**kwargs)


def test_figures_return_figures_with_numbered_patches():
    img = sample_image()
    grid = vit_views.patch_grid_figure(img, 8)
    assert [t.get_text() for t in grid.axes[0].texts] == [str(i) for i in range(36)]
    assert len(vit_views.patch_sequence_figure(img, 8).axes) == 36
    assert isinstance(vit_views.image_figure(img), Figure)
    assert len(vit_views.feature_maps_figure(patch_tokens(img), 6, 6).axes) == 6     # 5 maps and a colour bar
    with pytest.raises(ValueError, match="weights_row"):
        vit_views.overlay_figure(img, np.ones(35) / 35, 0)


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
