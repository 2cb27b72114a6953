"""The rotating query of notebook 04, driven from Python: the SVG arrows, the score bars and the
weight bars always show the query at the sliders' angle and length."""

import base64

import numpy as np
import pytest
from _html_tree import parse
from matplotlib.figure import Figure

from attn_lib.lessons.lesson04 import QUERY_KEYS
from attn_lib.views.query_rotation import QueryRotation


def root(view):
    return parse(view.view.value).one("div", "query-rotation")


def arrow_tip(group):
    """An arrow's tip in the SVG (pixels, y down): the first point of its head."""
    x, y = group.one("polygon")["points"].split()[0].split(",")
    return float(x), float(y)


class TestQueryRotation:
    def test_scores_are_dot_products_at_the_displayed_angle(self):
        w = QueryRotation(angle=30.0, length=1.5)
        K = np.array(list(QUERY_KEYS.values()))
        for angle, length in [(30.0, 1.5), (117.0, 0.75), (250.0, 3.0), (0.0, 1.0)]:
            w.angle_slider.value, w.length_slider.value = angle, length
            theta = np.deg2rad(angle)
            q = length * np.array([np.cos(theta), np.sin(theta)])
            np.testing.assert_allclose(w.query, q, atol=1e-12)
            np.testing.assert_allclose(w.scores, K @ q, atol=1e-12)
            np.testing.assert_allclose(w.weights, np.exp(K @ q) / np.exp(K @ q).sum(), atol=1e-12)
            view = root(w)
            bars = view.one("div", "attn-view", data_view="scores").find_all("div", "attn-signed-bar")
            assert [b["data-label"] for b in bars] == w.words
            np.testing.assert_allclose([float(b["data-value"]) for b in bars], K @ q, atol=1e-6)
            assert [b.one("span", "attn-value").text for b in bars] == [f"{v:+.2f}" for v in K @ q]
            weights = view.one("div", "qr-weights").find_all("span", "attn-value")
            assert [v.text for v in weights] == [f"{p:.2f}" for p in w.weights]
            assert view["data-angle"] == f"{angle:.2f}" and view["data-length"] == f"{length:.2f}"
            tip_x, tip_y = arrow_tip(view.one("g", "qr-query"))              # the drawn arrow points along q
            assert np.degrees(np.arctan2(-tip_y, tip_x)) % 360 == pytest.approx(angle % 360, abs=0.5)
            assert np.hypot(tip_x, tip_y) == pytest.approx(length * w._scale, abs=0.2)

    def test_one_arrow_per_key_as_wide_as_its_weight(self):
        w = QueryRotation(angle=80.0, length=2.0)
        keys = root(w).find_all("g", "qr-key")
        assert [k["data-word"] for k in keys] == w.words
        np.testing.assert_allclose([float(k["data-weight"]) for k in keys], w.weights, atol=1e-4)
        widths = [float(k.one("line")["stroke-width"]) for k in keys]
        assert np.argsort(widths).tolist() == np.argsort(w.weights).tolist()
        for key, (x, y) in zip(keys, w.key_matrix):                         # each arrow points at its key
            tip_x, tip_y = arrow_tip(key)
            assert np.degrees(np.arctan2(-tip_y, tip_x)) == pytest.approx(np.degrees(np.arctan2(y, x)), abs=0.5)

    def test_moving_the_angle_repaints_the_view(self):
        w = QueryRotation(angle=30.0)
        before_html, before_version, before_scores = w.view.value, w.version, w.scores
        assert root(w)["data-version"] == str(before_version) == "1"
        w.angle_slider.value = 200.0
        assert w.view.value != before_html
        assert w.version == int(root(w)["data-version"]) == before_version + 1
        assert not np.allclose(w.scores, before_scores)
        before_tip = arrow_tip(parse(before_html).one("g", "qr-query"))
        assert arrow_tip(root(w).one("g", "qr-query")) != before_tip
        w.length_slider.value = 2.5
        assert root(w)["data-version"] == str(before_version + 2)

    def test_the_best_key_follows_the_query(self):
        w = QueryRotation()
        for word, (x, y) in QUERY_KEYS.items():
            w.angle_slider.value = float(round(np.degrees(np.arctan2(y, x)) % 360))
            w.length_slider.value = 3.0
            best = w.words[int(np.argmax(w.weights))]
            assert best == word
            bold = [t.text for t in root(w).one("svg", "qr-plot").find_all("text", font_weight="bold")]
            assert bold == [best, "query"]

    def test_the_caption_gives_the_query(self):
        w = QueryRotation(angle=90.0, length=2.0)
        assert root(w).one("div", "qr-caption").text == "query at 90°, length 2.00: q = (+0.00, +2.00)"

    def test_a_longer_query_sharpens_the_weights(self):
        w = QueryRotation(angle=30.0, length=0.5)
        soft = w.weights.max()
        w.length_slider.value = 3.0
        assert w.weights.max() > soft

    def test_the_style_is_sent_once_not_with_every_repaint(self):
        w = QueryRotation()
        assert "<style" not in w.view.value
        assert w.children[0].value.count(".query-rotation") > 0           # the hidden style widget

    def test_mimebundle_has_png_and_text_table(self):
        w = QueryRotation(angle=45.0, length=2.0)
        w.angle_slider.value = 100.0
        bundle = w._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
        lines = bundle["text/plain"].splitlines()
        assert lines[0] == "Query at 100°, length 2.00"
        assert lines[1].split() == list(QUERY_KEYS)
        score_line = next(line for line in lines if line.startswith("score q·k"))
        assert score_line.split()[2:] == [f"{s:.2f}" for s in w.scores]
        weight_line = next(line for line in lines if line.startswith("weight"))
        assert weight_line.split()[1:] == [f"{p:.2f}" for p in w.weights]

    def test_static_figure_shows_the_current_state(self):
        w = QueryRotation(angle=10.0)
        fig = w.static_figure()
        assert isinstance(fig, Figure)
        arrows, bars = fig.axes[:2]
        assert arrows.get_title() == "Query at 10°, length 1.50"
        np.testing.assert_allclose([p.get_height() for p in bars.patches], w.weights)

    def test_custom_keys(self):
        w = QueryRotation({"left": (-1.0, 0.0), "right": (1.0, 0.0)}, angle=0.0, length=1.0)
        np.testing.assert_allclose(w.scores, [-1.0, 1.0], atol=1e-12)
        assert w.words == ["left", "right"]

    @pytest.mark.parametrize("keys, fragment", [
        ({"only": (1.0, 0.0)}, "at least two"),
        ({"a": (1.0, 0.0, 0.0), "b": (0.0, 1.0, 0.0)}, r"\(x, y\) pair"),
        ({"a": (1.0, 0.0), "b": (0.0, 0.0)}, "zero vector"),
        ({"a": (1.0, np.nan), "b": (0.0, 1.0)}, "finite"),
    ])
    def test_bad_keys(self, keys, fragment):
        with pytest.raises(ValueError, match=fragment):
            QueryRotation(keys)

    def test_bad_start_values(self):
        with pytest.raises(ValueError, match="length"):
            QueryRotation(length=0.0)
        with pytest.raises(TypeError, match="angle"):
            QueryRotation(angle="north")
