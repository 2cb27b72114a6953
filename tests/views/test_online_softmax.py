"""The online-softmax stepper of notebook 12, driven from Python: the slider picks a block, and the
view shows that block's running maximum, rescale factor, running sum and partial output."""

import base64

import numpy as np
import pytest
from _html_tree import parse, printed, view_table

from attn_lib import softmax
from attn_lib.lessons.lesson12 import ONLINE_ROW, ONLINE_VALUES, online_softmax_trace
from attn_lib.views import OnlineSoftmaxView


def root(view):
    return parse(view.view.value).one("div", "online-softmax")


def test_the_slider_repaints_and_names_the_step():
    w = OnlineSoftmaxView()
    assert (w.step_slider.min, w.step_slider.max, w.step_slider.value) == (1, 3, 1)
    assert w.step_slider.description == "Blocks read" and "blocks of 4 keys" in w.step_slider.tooltip
    before_html, before_version = w.view.value, w.version
    w.step_slider.value = 2
    assert w.view.value != before_html and w.version == before_version + 1
    view = root(w)
    assert (view["data-version"], view["data-step"]) == (str(w.version), "2")
    assert view.one("div", "os-head").text == "Block 2 of 3: keys 5 to 8 (k5–k8)"


def test_every_step_repaints_differently():
    w = OnlineSoftmaxView(block_size=3)
    seen = {w.view.value}
    for step in range(2, 5):
        w.step_slider.value = step
        seen.add(w.view.value)
    assert len(seen) == 4 and w.version == 4


def test_the_scores_table_marks_read_current_and_unread_keys():
    w = OnlineSoftmaxView(step=2)
    table = view_table(root(w), "scores")
    assert table.columns == [f"k{j}" for j in range(1, 13)]
    assert table.rows == ["block", "score", "weight so far"]
    assert table.texts()[1] == printed([ONLINE_ROW])[0]
    classes = [cell["class"] for cell in table.cells[1]]
    assert classes == ["os-seen"] * 4 + ["os-current"] * 4 + ["os-unseen"] * 4
    now = online_softmax_trace(ONLINE_ROW, ONLINE_VALUES, 4)[1]
    assert table.texts()[2] == [f"{v:.3f}" for v in now["weights"][:8]] + ["·"] * 4


def test_the_running_table_has_one_row_per_block_read():
    steps = online_softmax_trace(ONLINE_ROW, ONLINE_VALUES, 4)
    w = OnlineSoftmaxView()
    for step in (1, 2, 3):
        w.step_slider.value = step
        view = root(w)
        table = view_table(view, "running")
        assert table.rows == [f"block {k}" for k in range(1, step + 1)]
        assert table.columns == ["keys", "block max", "running max", "rescale", "running sum"]
        assert [row[1:] for row in table.texts()] == [
            [f"{s['block_max']:.2f}", f"{s['running_max']:.2f}", f"{s['rescale']:.3f}", f"{s['running_sum']:.3f}"]
            for s in steps[:step]]
        active = view.one("div", "attn-view", data_view="running").find_all("tr", "attn-active")
        assert [tr.one("th").text for tr in active] == [f"block {step}"]


def test_the_output_table_rescales_then_adds_and_ends_at_softmax_times_v():
    final = softmax(ONLINE_ROW) @ ONLINE_VALUES
    w = OnlineSoftmaxView(step=2)
    s = w.state()["now"]
    table = view_table(root(w), "output")
    assert table.columns == ["v[0]", "v[1]"]
    assert table.rows[1] == f"× rescale {s['rescale']:.3f}" and s["rescale"] < 1
    assert table.texts() == printed([s["acc_before"], s["acc_before"] * s["rescale"], s["block_output"], s["acc"],
                                     s["acc"] / s["running_sum"], final])
    w.step_slider.value = 3
    rows = view_table(root(w), "output").texts()
    assert rows[4] == rows[5] == printed([final])[0]


def test_the_sentence_says_whether_the_maximum_rose():
    w = OnlineSoftmaxView()
    assert root(w).one("div", "os-note").text.startswith("First block")
    w.step_slider.value = 2
    note = root(w).one("div", "os-note").text
    assert "beats the running maximum 1.00" in note and "= 0.135" in note
    w.step_slider.value = 3
    assert "does not beat the running maximum 3.00" in root(w).one("div", "os-note").text


def test_the_verdict_appears_only_when_every_block_is_read():
    w = OnlineSoftmaxView()
    assert root(w).one("div", "os-verdict").text.startswith("Not finished: the output so far leaves out keys k5 to k12")
    w.step_slider.value = 3
    assert root(w).one("div", "os-verdict").text.startswith("Every block read: the output equals softmax(x) @ V")


def test_a_block_size_that_does_not_divide_n():
    x = np.array([0.0, 2.0, -1.0, 5.0, 1.0])
    V = np.arange(10.0).reshape(5, 2)
    w = OnlineSoftmaxView(x, V, block_size=2, step=3)
    assert w.step_slider.max == 3
    assert root(w).one("div", "os-head").text == "Block 3 of 3: keys 5 to 5 (k5–k5)"
    np.testing.assert_allclose(w.state()["now"]["output"], softmax(x) @ V)


def test_mimebundle_has_png_and_text_table():
    w = OnlineSoftmaxView(step=2)
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    lines = bundle["text/plain"].splitlines()
    assert lines[0].startswith("Online softmax after block 2 of 3 (blocks of 4 keys)")
    assert lines[1].split()[:4] == ["block", "max", "running", "max"]
    assert [line.split()[:2] for line in lines[2:]] == [["block", "1"], ["block", "2"]]


def test_snapshot_follows_the_slider():
    w = OnlineSoftmaxView()
    before = repr(w.table())
    w.step_slider.value = 3
    assert repr(w.table()) != before and len(repr(w.table()).splitlines()) == 5
    left, right = w.static_figure().axes
    np.testing.assert_allclose([p.get_height() for p in left.patches], ONLINE_ROW)
    np.testing.assert_allclose([p.get_height() for p in right.patches], softmax(ONLINE_ROW))
    w.step_slider.value = 1
    heights = [p.get_height() for p in w.static_figure().axes[1].patches]
    assert heights[4:] == [0.0] * 8 and sum(heights) == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"step": 0}, ValueError, "step"), ({"step": 4}, ValueError, "step"), ({"block_size": 0}, ValueError, "block_size"),
    ({"V": ONLINE_VALUES[:3]}, ValueError, "V"), ({"x": [1.0, 2.0]}, TypeError, "x"),
])
def test_bad_input_names_the_argument(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name} must"):
        OnlineSoftmaxView(**kwargs)
