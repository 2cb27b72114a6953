"""The mask editor, driven from Python: every box and button changes the mask, and the view always
shows what attn_lib.attention computes with that mask."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from _html_tree import parse, printed, tables, view_table

import attn_lib as al
from attn_lib.lessons.lesson02 import explorer_inputs, preset_weights
from attn_lib.lessons.lesson05 import MASK_PRESETS, empty_row_message, preset_mask
from attn_lib.views.mask_editor import MaskEditor

SENTENCE = "The cat sat on the mat"
N = 6


def root(editor):
    return parse(editor.view.value).one("div", "attn-mask-editor")


def rendered_weights(editor) -> np.ndarray:
    """The numbers printed in the weights view; NaN for a row shown as an explanation."""
    return view_table(root(editor), "weights").values()


def rendered_mask(editor) -> np.ndarray:
    table = view_table(root(editor), "mask")
    assert all(cell.classes == ({"attn-on"} if cell.text == "1" else {"attn-off"})
               for row in table.cells for cell in row)
    return table.values().astype(bool)


def reference(mask, rows=slice(None)):
    """What attn_lib.attention gives for the editor's default sentence and pattern (only ``rows`` as queries)."""
    W = preset_weights("attend to nouns")
    X = explorer_inputs(al.tokenize(SENTENCE))                    # (6, 10)
    return al.attention(X[rows] @ W["W_Q"], X @ W["W_K"], X @ W["W_V"], mask=mask)


@pytest.fixture
def ed():
    return MaskEditor(SENTENCE)


def test_starts_bidirectional_and_shows_attn_lib_weights(ed):
    assert ed.version == 1 and root(ed)["data-version"] == "1"
    np.testing.assert_array_equal(ed.mask, np.ones((N, N), dtype=bool))
    _, weights = reference(None)
    np.testing.assert_allclose(ed.state()["weights"], weights)
    np.testing.assert_allclose(rendered_weights(ed), np.round(weights, 2), atol=0.006)
    assert len(ed.boxes) == N and all(len(row) == N for row in ed.boxes)
    assert all(box.value for row in ed.boxes for box in row)


def test_three_labelled_tables_show_the_state(ed):
    ed.apply_preset("causal")
    s, shown = ed.state(), tables(root(ed))
    assert list(shown) == ["weights", "scores", "mask"]
    assert [t.caption for t in shown.values()] == ["Attention weights (rows: queries, columns: keys)",
                                                   "Scores after masking (−∞ = hidden)", "Mask (1 = may attend)"]
    for table in shown.values():
        assert table.rows == table.columns == s["tokens"]
    assert shown["weights"].texts() == printed(s["weights"])
    assert shown["scores"].texts() == [["−∞" if m else f"{v:.2f}" for v, m in zip(row, hidden)]
                                       for row, hidden in zip(s["scores"], ~s["mask"])]
    assert shown["mask"].texts() == [["1" if m else "0" for m in row] for row in s["mask"]]


def test_toggling_a_box_changes_mask_weights_view_and_version(ed):
    html_before, version, weights_before = ed.view.value, ed.version, ed.state()["weights"]
    ed.boxes[3][5].value = False                                   # "on" may no longer see "mat"
    assert ed.version == version + 1
    assert root(ed)["data-version"] == str(version + 1) and ed.view.value != html_before
    expected_mask = np.ones((N, N), dtype=bool)
    expected_mask[3, 5] = False
    np.testing.assert_array_equal(ed.mask, expected_mask)
    np.testing.assert_array_equal(rendered_mask(ed), expected_mask)
    output, weights = reference(expected_mask)
    s = ed.state()
    np.testing.assert_allclose(s["weights"], weights)
    np.testing.assert_allclose(s["output"], output)
    assert s["weights"][3, 5] == 0.0 and weights_before[3, 5] > 0.5
    np.testing.assert_allclose(rendered_weights(ed), np.round(weights, 2), atol=0.006)
    ed.boxes[3][5].value = True                                    # and back
    np.testing.assert_allclose(ed.state()["weights"], reference(None)[1])
    assert ed.version == version + 2


def test_masked_scores_show_minus_infinity_where_the_mask_is_false(ed):
    ed.apply_preset("causal")
    s = ed.state()
    np.testing.assert_array_equal(np.isneginf(s["masked_scores"]), ~al.causal_mask(N))
    np.testing.assert_allclose(s["masked_scores"][al.causal_mask(N)], s["scores"][al.causal_mask(N)])
    cells = view_table(root(ed), "scores").cells
    hidden = np.array([[cell.text == "−∞" for cell in row] for row in cells])
    np.testing.assert_array_equal(hidden, ~al.causal_mask(N))
    assert all(cell.classes == {"attn-off"} for row in cells for cell in row if cell.text == "−∞")


@pytest.mark.parametrize("name, expected", [
    ("all", np.ones((N, N), dtype=bool)), ("causal", al.causal_mask(N)), ("only itself", np.eye(N, dtype=bool)),
])
def test_presets_set_the_mask_and_repaint_once(ed, name, expected):
    ed.boxes[0][0].value = False
    version = ed.version
    ed.buttons[name].click()
    assert ed.version == version + 1, "a preset ticks up to 36 boxes but must repaint once"
    np.testing.assert_array_equal(ed.mask, expected)
    np.testing.assert_array_equal([[b.value for b in row] for row in ed.boxes], expected)
    np.testing.assert_array_equal(rendered_mask(ed), expected)
    np.testing.assert_allclose(ed.state()["weights"], reference(expected)[1])
    np.testing.assert_array_equal(preset_mask(name, N), expected)


def test_reset_returns_to_the_starting_mask():
    start = al.causal_mask(N)
    ed = MaskEditor(SENTENCE, mask=start)
    np.testing.assert_allclose(ed.state()["weights"], reference(start)[1])
    ed.apply_preset("all")
    ed.boxes[2][2].value = False
    version = ed.version
    ed.buttons["reset"].click()
    assert ed.version == version + 1
    np.testing.assert_array_equal(ed.mask, start)
    assert tuple(ed.buttons) == MASK_PRESETS


def test_an_empty_row_is_explained_and_the_other_rows_still_show(ed):
    for box in ed.boxes[1]:                                        # untick every key of "cat"
        box.value = False
    s = ed.state()
    assert s["empty_rows"] == [1]
    assert np.isnan(s["weights"][1]).all() and np.isnan(s["output"][1]).all()
    view = root(ed)
    weights = view_table(view, "weights")
    (explanation,) = weights.cells[1]                               # one cell spanning the row
    assert explanation.classes == {"attn-error"} and explanation["colspan"] == str(N)
    assert explanation.text == empty_row_message("cat", 1)
    assert [tr.get("class") for tr in view.one("div", "attn-view", data_view="weights").find_all("tr")][1:] == \
        [None, "attn-empty", None, None, None, None]
    assert view.one("div", "attn-note").text.startswith("1 query has nothing to attend to ('cat')")
    others = [0, 2, 3, 4, 5]
    mask = ed.mask
    _, expected = reference(mask[others], others)                         # the other rows, with attn_lib
    np.testing.assert_allclose(s["weights"][others], expected)
    shown = rendered_weights(ed)
    assert np.isnan(shown[1]).all()
    np.testing.assert_allclose(shown[others], np.round(expected, 2), atol=0.006)
    with pytest.raises(ValueError, match=r"query row 1 .* attend to nothing"):
        reference(mask)                                            # attn_lib itself refuses the mask
    ed.boxes[1][1].value = True                                    # one key is enough again
    assert ed.state()["empty_rows"] == [] and root(ed).find_all(cls="attn-error") == []


def test_every_row_empty_does_not_raise(ed):
    ed.set_mask(np.zeros((N, N), dtype=bool))
    assert ed.state()["empty_rows"] == list(range(N))
    view = root(ed)
    assert len(view.find_all("td", "attn-error")) == N
    assert view.one("div", "attn-note").text.startswith("6 queries have nothing to attend to")
    assert base64.b64decode(ed._repr_mimebundle_()["image/png"]).startswith(b"\x89PNG")


def test_set_mask_rejects_bad_masks(ed):
    with pytest.raises(TypeError, match="dtype bool"):
        ed.set_mask(np.ones((N, N), dtype=int))
    with pytest.raises(ValueError, match=r"shape \(n, n\) = \(6, 6\)"):
        ed.set_mask(np.ones((N, N - 1), dtype=bool))
    with pytest.raises(ValueError, match="name must be one of"):
        ed.apply_preset("window")
    with pytest.raises(ValueError, match=r"\(3, 3\)"):
        MaskEditor("The dog slept", mask=np.ones((N, N), dtype=bool))


def test_the_sentence_and_pattern_are_used():
    ed = MaskEditor("The dog slept", pattern="attend to itself")
    assert ed.tokens == ["The", "dog", "slept"]
    weights = ed.state()["weights"]
    assert weights.shape == (3, 3)
    assert np.all(np.argmax(weights, axis=1) == [0, 1, 2])
    assert view_table(root(ed), "mask").rows == ["The", "dog", "slept"]


def test_static_snapshot_and_text_for_readers_without_a_kernel(ed):
    ed.boxes[4][4].value = False
    bundle = ed._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    text = bundle["text/plain"]
    assert text.splitlines()[0] == "Attention weights with the current mask"
    assert text.splitlines()[1].split() == al.tokenize(SENTENCE)
    assert f"{ed.state()['weights'][4, 5]:.2f}" in text.splitlines()[6]
    for box in ed.boxes[2]:
        box.value = False
    assert "(nan: 'sat' may attend to nothing)" in ed._repr_mimebundle_()["text/plain"]


def test_one_hundred_toggles(ed):
    """Times 100 box changes (kernel side: recompute and rebuild the view); prints, never asserts, the time."""
    version = ed.version
    start = time.perf_counter()
    for k in range(100):
        box = ed.boxes[k % N][(k // N) % N]
        box.value = not box.value
    elapsed = time.perf_counter() - start
    print(f"\n100 toggles: {1000 * elapsed:.1f} ms in total, {10 * elapsed:.2f} ms per event")
    assert ed.version == version + 100
    np.testing.assert_array_equal(ed.mask, [[b.value for b in row] for row in ed.boxes])
    np.testing.assert_array_equal(rendered_mask(ed), ed.mask)
