"""The scaling explorer of notebook 03, driven from Python: the slider and the checkbox repaint the
view, and the view shows the spread, the scores and the weights of the current width."""

import base64

import numpy as np
import pytest
from _html_tree import parse, printed, view_table

from attn_lib import softmax
from attn_lib.lessons.lesson03 import D_OPTIONS, score_spread
from attn_lib.views.scaling import ScalingExplorer


def root(explorer):
    return parse(explorer.view.value).one("div", "attn-scaling")


def test_view_changes_with_d():
    w = ScalingExplorer(d=4, scale=False)
    before_html, before_version = w.view.value, w.version
    w.d_slider.value = 1024
    assert w.view.value != before_html
    assert w.version == before_version + 1
    view = root(w)
    assert (view["data-version"], view["data-d"], view["data-scale"]) == (str(w.version), "1024", "false")
    s = w.state()
    assert s["d"] == 1024
    assert s["raw_variance"] == pytest.approx(score_spread(1024)["raw_variance"])
    assert s["weights"].max() > 0.9                         # unscaled at d = 1024: saturated
    assert view.one("div", "attn-scaling-head").text == "d = 1024, scores not divided"


def test_the_spread_table_marks_the_variance_of_the_scores_used():
    w = ScalingExplorer(d=256, scale=False)
    for scale, active in ((False, "q·k"), (True, "q·k / √d")):
        w.scale_box.value = scale
        s, view = w.state(), root(w)
        spread = view_table(view, "spread")
        assert spread.caption == "variance over 2000 random pairs"
        assert spread.rows == ["q·k", "q·k / √d"] and spread.columns == []
        assert spread.texts() == printed([[s["raw_variance"]], [s["scaled_variance"]]])
        panel = view.one("div", "attn-view", data_view="spread")
        assert [tr.one("th").text for tr in panel.find_all("tr", "attn-active")] == [active]


def test_the_scores_table_and_the_bars_show_the_state():
    w = ScalingExplorer(d=64, scale=True)
    s, view = w.state(), root(w)
    scores = view_table(view, "scores")
    assert scores.caption == "one query's scores"
    assert scores.columns == [f"k{j}" for j in range(1, 9)] and scores.rows == ["score"]
    assert scores.texts() == printed([s["scores"]])
    bars = view.one("div", "attn-bars")
    assert [float(v.text) for v in bars.find_all("span", "attn-value")] == [float(f"{v:.2f}") for v in s["weights"]]
    best = s["weights"].max()
    assert view.one("div", "attn-scaling-max").text.startswith(f"largest weight: {best:.2f}")


def test_view_changes_with_the_checkbox():
    w = ScalingExplorer(d=1024, scale=False)
    raw_html, raw_weights = w.view.value, w.state()["weights"]
    w.scale_box.value = True
    s = w.state()
    assert w.view.value != raw_html and root(w)["data-scale"] == "true"
    np.testing.assert_allclose(s["scores"], s["raw_scores"] / 32.0)
    assert s["weights"].max() < raw_weights.max()
    assert root(w).one("div", "attn-scaling-head").text == "d = 1024, scores divided by √d = 32.00"


def test_scores_are_the_dot_products_of_one_query_with_its_keys():
    w = ScalingExplorer(d=16, seed=4)
    rng = np.random.default_rng([4, 1])
    q, K = rng.standard_normal(1024), rng.standard_normal((8, 1024))
    for d in (2, 16, 1024):
        w.d_slider.value = d
        np.testing.assert_allclose(w.state()["raw_scores"], K[:, :d] @ q[:d])
        np.testing.assert_allclose(w.state()["weights"], softmax(K[:, :d] @ q[:d] / np.sqrt(d)))


def test_every_slider_position_repaints():
    w = ScalingExplorer(d=2)
    seen = {w.view.value}
    for d in D_OPTIONS[1:]:
        w.d_slider.value = d
        seen.add(w.view.value)
    assert len(seen) == len(D_OPTIONS)
    assert w.version == len(D_OPTIONS)


def test_mimebundle_has_png_and_text_table():
    w = ScalingExplorer(d=256, scale=True)
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    lines = bundle["text/plain"].splitlines()
    assert lines[0].startswith("d = 256, divided by sqrt(d): yes")
    assert lines[1].split() == [f"k{j}" for j in range(1, 9)]
    weight_line = next(line for line in lines if line.startswith("softmax weight"))
    assert weight_line.split()[2:] == [f"{v:.2f}" for v in w.state()["weights"]]


def test_snapshot_follows_the_controls():
    w = ScalingExplorer(d=64, scale=True)
    before = repr(w.table())
    w.scale_box.value = False
    assert repr(w.table()) != before and "divided by sqrt(d): no" in repr(w.table())
    left, right = w.static_figure().axes
    np.testing.assert_allclose([p.get_height() for p in right.patches], w.state()["weights"])
    np.testing.assert_allclose([p.get_height() for p in left.patches], w.state()["raw_scores"])


@pytest.mark.parametrize("kwargs, error, name", [
    ({"d": 3}, ValueError, "d"), ({"d": 64.0}, TypeError, "d"), ({"scale": "no"}, TypeError, "scale"),
    ({"n_keys": 1}, ValueError, "n_keys"), ({"seed": -1}, ValueError, "seed"),
])
def test_bad_input_names_the_argument(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name} must"):
        ScalingExplorer(**kwargs)
