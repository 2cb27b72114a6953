"""The live explorer, driven from Python: every control changes the views, and the views
always show what attn_lib computes for the current weights."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

import attn_lib as al
from attn_lib.explorer import INPUT_FEATURES, MATRICES, PRESETS, AttentionExplorer, explorer_inputs, preset_weights


def rendered_weights(explorer) -> np.ndarray:
    """The numbers printed in the heatmap of the explorer's current HTML view."""
    heat = explorer.view.value.split("data-view='bars'")[0]
    cells = re.findall(r"<td style='background:[^']*'>(-?\d+\.\d+)</td>", heat)
    n = len(explorer.tokens)
    return np.array(cells, dtype=float).reshape(n, n)


@pytest.fixture
def ex():
    return AttentionExplorer()


def test_views_show_what_attn_lib_computes(ex):
    s = ex.state()
    X = explorer_inputs(s["tokens"])
    output, weights = al.self_attention(X, ex.weights["W_Q"], ex.weights["W_K"], ex.weights["W_V"])
    np.testing.assert_allclose(s["weights"], weights)
    np.testing.assert_allclose(s["output"], output)
    np.testing.assert_allclose(rendered_weights(ex), np.round(weights, 2), atol=0.006)


def test_inputs_are_features_then_positions():
    X = explorer_inputs(["The", "cat", "sat"])
    assert X.shape == (3, len(INPUT_FEATURES))
    np.testing.assert_allclose(X[:, :8], al.embed(["The", "cat", "sat"]))
    np.testing.assert_allclose(X[:, 8:], [[0, 1], [np.sin(np.pi / 4), np.cos(np.pi / 4)], [1, 0]], atol=1e-12)


@pytest.mark.parametrize("preset, query, favourite", [
    ("attend to itself", "sat", "sat"),
    ("attend to the previous word", "sat", "cat"),
    ("attend to the previous word", "mat", "the"),
    ("attend to nouns", "on", "mat"),
])
def test_presets_make_the_pattern_they_name(preset, query, favourite):
    ex = AttentionExplorer(preset=preset)
    s = ex.state()
    row = s["weights"][s["tokens"].index(query)]
    assert s["tokens"][int(np.argmax(row))] == favourite
    assert row.max() > 0.5


def test_zeros_preset_attends_uniformly_and_outputs_nothing():
    s = AttentionExplorer(preset="zeros").state()
    np.testing.assert_allclose(s["weights"], 1 / len(s["tokens"]))
    np.testing.assert_allclose(s["output"], 0)


def test_random_preset_depends_on_seed():
    a, b = preset_weights("random", seed=1), preset_weights("random", seed=2)
    assert not np.allclose(a["W_Q"], b["W_Q"])
    np.testing.assert_array_equal(a["W_Q"], preset_weights("random", seed=1)["W_Q"])


def test_editing_a_cell_changes_weights_and_views(ex):
    before, html_before, version = ex.state()["weights"], ex.view.value, ex.version
    ex.cells["W_K"][INPUT_FEATURES.index("action")][0].value = 5.0   # make "sat" answer every query
    assert ex.weights["W_K"][INPUT_FEATURES.index("action"), 0] == 5.0
    assert ex.version == version + 1 and ex.view.value != html_before
    after = ex.state()["weights"]
    assert not np.allclose(before, after)
    np.testing.assert_allclose(rendered_weights(ex), np.round(after, 2), atol=0.006)


@pytest.mark.parametrize("control, value", [
    ("scale_box", False), ("causal_box", True), ("temperature_slider", 3.0), ("query_picker", 3),
])
def test_each_control_repaints(ex, control, value):
    html_before, version = ex.view.value, ex.version
    getattr(ex, control).value = value
    assert ex.version == version + 1
    assert ex.view.value != html_before


def test_causal_toggle_zeroes_the_future(ex):
    ex.causal_box.value = True
    w = ex.state()["weights"]
    np.testing.assert_array_equal(np.triu(w, k=1), 0)
    assert np.all(np.triu(rendered_weights(ex), k=1) == 0)


def test_temperature_and_scaling_reach_the_softmax(ex):
    s = ex.state()
    ex.temperature_slider.value = 2.0
    ex.scale_box.value = False
    expected = al.softmax(al.scores(s["Q"], s["K"], scale=False), temperature=2.0)
    np.testing.assert_allclose(ex.state()["weights"], expected)


def test_new_sentence_keeps_the_weights(ex):
    ex.cells["W_Q"][0][1].value = 1.5
    kept = {k: v.copy() for k, v in ex.weights.items()}
    ex.sentence_box.value = "I paid at the bank"
    assert ex.tokens == ["I", "paid", "at", "the", "bank"]
    assert [label for label, _ in ex.query_picker.options][-1] == "4: bank"
    for name in MATRICES:
        np.testing.assert_array_equal(ex.weights[name], kept[name])
    assert rendered_weights(ex).shape == (5, 5)


def test_empty_sentence_shows_an_error_and_keeps_the_last_state(ex):
    tokens = ex.tokens
    ex.sentence_box.value = "   "
    assert "attn-error" in ex.view.value and "text must contain" in ex.view.value
    assert ex.tokens == tokens


def test_preset_reset_and_set_weights_repaint_once(ex):
    version = ex.version
    ex.preset_picker.value = "zeros"
    assert ex.version == version + 1, "a preset sets 120 cells but must repaint once"
    assert all(cell.value == 0 for row in ex.cells["W_Q"] for cell in row)
    ex.temperature_slider.value = 0.5
    ex.reset_button.click()
    assert ex.preset_picker.value == "attend to nouns" and ex.temperature_slider.value == 1.0
    np.testing.assert_array_equal(ex.weights["W_K"], preset_weights("attend to nouns")["W_K"])
    cell_values = np.array([[c.value for c in row] for row in ex.cells["W_K"]])
    np.testing.assert_array_equal(cell_values, ex.weights["W_K"])


def test_seed_changes_random_weights_only_for_the_random_preset(ex):
    before = ex.weights["W_Q"].copy()
    ex.seed_box.value = 7
    np.testing.assert_array_equal(ex.weights["W_Q"], before)
    ex.preset_picker.value = "random"
    first = ex.weights["W_Q"].copy()
    ex.seed_box.value = 8
    assert not np.allclose(first, ex.weights["W_Q"])


def test_set_weights_rejects_bad_input(ex):
    with pytest.raises(ValueError, match=r"W_Q must have shape \(10, 4\)"):
        ex.set_weights(W_Q=np.zeros((8, 4)))
    with pytest.raises(TypeError, match="W_X"):
        ex.set_weights(W_X=np.zeros((10, 4)))
    with pytest.raises(ValueError, match="preset must be one of"):
        preset_weights("attend to verbs")


def test_long_sentence_renders_every_row():
    ex = AttentionExplorer(sentence=" ".join(["The cat sat on the mat"] * 5) + " and slept")
    assert len(ex.tokens) == 32
    assert rendered_weights(ex).shape == (32, 32)


def test_static_snapshot_and_text_for_readers_without_a_kernel(ex):
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    text = bundle["text/plain"]
    assert text.splitlines()[0] == "Attention weights" and "mat" in text
    assert f"{ex.state()['weights'][1, 5]:.2f}" in text


def test_every_preset_is_listed_in_the_picker(ex):
    assert tuple(ex.preset_picker.options) == PRESETS


def test_reset_repaints_exactly_once(ex):
    ex.preset_picker.value = "random"
    ex.causal_box.value = True
    ex.sentence_box.value = "I paid at the bank"
    version = ex.version
    ex.reset_button.click()
    assert ex.version == version + 1
    assert ex.tokens == al.tokenize("The cat sat on the mat")
    np.testing.assert_allclose(rendered_weights(ex), np.round(AttentionExplorer().state()["weights"], 2), atol=0.006)


def test_long_sentences_warn_that_positions_repeat():
    short = AttentionExplorer(sentence="a b c d e f g h")
    long = AttentionExplorer(sentence="a b c d e f g h i")
    assert "class='attn-note'" not in short.view.value
    assert "repeat every 8 tokens" in long.view.value
    np.testing.assert_allclose(explorer_inputs(list("abcdefghi"))[8, 8:], explorer_inputs(["a"])[0, 8:], atol=1e-12)
