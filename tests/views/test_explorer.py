"""The live explorer, driven from Python: every control changes the views, and the views
always show what attn_lib computes for the current weights."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from _html_tree import parse, printed, tables, view_table

import attn_lib as al
from attn_lib.lessons.lesson02 import (
    INPUT_FEATURES,
    MATRICES,
    PRESETS,
    explorer_inputs,
    preset_weights,
)
from attn_lib.views._html import shade
from attn_lib.views.explorer import AttentionExplorer

WEIGHTS = "Attention weights (rows: queries, columns: keys)"


def root(explorer):
    return parse(explorer.view.value).one("div", "attn-explorer")


def rendered_weights(explorer) -> np.ndarray:
    """The numbers printed in the heatmap of the explorer's current view."""
    return view_table(root(explorer), WEIGHTS).values()


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


def test_every_table_is_labelled_and_shows_its_part_of_the_state(ex):
    s, view = ex.state(), root(ex)
    assert view["data-version"] == str(ex.version)
    shown = tables(view)
    cols = ["d1", "d2", "d3", "d4"]
    expected = {WEIGHTS: (s["weights"], s["tokens"]), "Raw scores Q·Kᵀ": (s["raw_scores"], s["tokens"]),
                "Scaled scores (÷√d_k)": (s["scaled_scores"], s["tokens"]), "Q (queries)": (s["Q"], cols),
                "K (keys)": (s["K"], cols), "V (values)": (s["V"], cols),
                "Output (context vectors)": (s["output"], cols)}
    assert list(shown) == list(expected)
    for name, (values, columns) in expected.items():
        table = shown[name]
        assert table.caption == name                  # the caption names the table (and is its data-view)
        assert table.rows == s["tokens"] and table.columns == columns
        assert table.texts() == printed(values)


def test_the_query_row_is_marked_and_its_bars_are_its_weights(ex):
    ex.query_picker.value = 4
    s, view = ex.state(), root(ex)
    for panel in view.find_all("div", "attn-view"):
        marked = [tr.one("th").text for tr in panel.find_all("tr", "attn-query")]
        assert marked in ([], ["the"])
    assert len(view.find_all("tr", "attn-query")) == 5           # weights, both scores, Q and the output
    bars = view.one("div", "attn-view", data_view="bars").one("div", "attn-bars")
    assert bars.elements[0].text == "Softmax scores of 'the'"
    shown = [float(v.text) for v in bars.find_all("span", "attn-value")]
    np.testing.assert_allclose(shown, np.round(s["weights"][4], 2), atol=0.006)


def test_weights_cells_are_shaded_with_their_weight(ex):
    table, weights = view_table(root(ex), WEIGHTS), ex.state()["weights"]
    colours = [[cell["style"] for cell in row] for row in table.cells]
    assert colours == [[f"background:{shade(w)};color:{'#000' if w > 0.5 else '#fff'}" for w in row]
                       for row in weights]


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
    assert ex.version == version + 1 == int(root(ex)["data-version"])
    assert ex.view.value != html_before


def test_unscaled_scores_are_named_so(ex):
    ex.scale_box.value = False
    view = root(ex)
    assert "Scores (not scaled)" in tables(view)
    assert view_table(view, "Scores (not scaled)").texts() == printed(ex.state()["raw_scores"])


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
    table = view_table(root(ex), WEIGHTS)
    assert table.rows == table.columns == ex.tokens
    assert table.values().shape == (5, 5)


def test_empty_sentence_shows_an_error_and_keeps_the_last_state(ex):
    tokens = ex.tokens
    ex.sentence_box.value = "   "
    error = parse(ex.view.value).one("div", "attn-explorer").one("div", "attn-error")
    assert "text must contain" in error.text
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


@pytest.mark.parametrize("preset, query, favourite", [
    ("attend to itself", "sat", "sat"),
    ("attend to the previous word", "sat", "cat"),
    ("attend to nouns", "on", "mat"),
])
def test_the_view_shows_the_pattern_a_preset_names(preset, query, favourite):
    ex = AttentionExplorer(preset=preset)
    table = view_table(root(ex), WEIGHTS)
    row = table.values()[table.rows.index(query)]
    assert table.columns[int(np.argmax(row))] == favourite


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
    assert root(short).find_all("div", "attn-note") == []
    assert "repeat every 8 tokens" in root(long).one("div", "attn-note").text


def _captions(explorer) -> list[str]:
    return [caption.text for caption in parse(explorer.view.value).find_all("caption")]


def test_a_long_sentence_starts_with_its_score_tables_folded_away_and_the_box_brings_them_back():
    """32 tokens: the two n x n score tables were most of the cells a repaint had to paint."""
    ex = AttentionExplorer("The cat sat on the mat")
    assert ex.scores_box.value is True
    assert "Raw scores Q·Kᵀ" in _captions(ex)
    ex.sentence_box.value = " ".join(["the cat sat on the mat because it was warm"] * 4)   # 40 tokens
    assert len(ex.tokens) > 12 and ex.scores_box.value is False
    captions = _captions(ex)
    assert "Raw scores Q·Kᵀ" not in captions and not any(c.startswith("Scaled scores") for c in captions)
    assert any(c.startswith("Attention weights") for c in captions)       # the heatmap stays
    notes = [n.text for n in parse(ex.view.value).find_all(cls="attn-note") if "score tables" in n.text]
    assert len(notes) == 1 and "40 × 40" in notes[0]
    assert ex.state()["raw_scores"].shape == (40, 40)                     # the numbers are still there
    ex.scores_box.value = True
    assert "Raw scores Q·Kᵀ" in _captions(ex)
    ex.sentence_box.value = "The cat sat"                                # short again: shown again
    assert ex.scores_box.value is True and "Raw scores Q·Kᵀ" in _captions(ex)
