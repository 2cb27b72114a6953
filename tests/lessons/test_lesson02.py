"""attn_lib.lessons.lesson02: the explorer's inputs (features and two position features) and its presets."""

import numpy as np
import pytest

import attn_lib as al
from attn_lib.lessons.lesson02 import (
    EXPLORER_WEIGHT_SHAPE,
    INPUT_FEATURES,
    MATRICES,
    PRESETS,
    explorer_inputs,
    preset_weights,
)


def preset_attention(preset, sentence="The cat sat on the mat", **kwargs):
    """(tokens, weights, output) of a preset on a sentence, computed with attn_lib.self_attention."""
    tokens = al.tokenize(sentence)
    W = preset_weights(preset, **kwargs)
    output, weights = al.self_attention(explorer_inputs(tokens), *(W[name] for name in MATRICES))
    return tokens, weights, output


def test_inputs_are_features_then_positions():
    X = explorer_inputs(["The", "cat", "sat"])
    assert X.shape == (3, len(INPUT_FEATURES))
    np.testing.assert_allclose(X[:, :8], al.embed(["The", "cat", "sat"]))
    np.testing.assert_allclose(X[:, 8:], [[0, 1], [np.sin(np.pi / 4), np.cos(np.pi / 4)], [1, 0]], atol=1e-12)


def test_position_features_repeat_every_8_tokens():
    X = explorer_inputs(list("abcdefghi"))
    np.testing.assert_allclose(X[8, 8:], X[0, 8:], atol=1e-12)
    assert not np.allclose(X[7, 8:], X[0, 8:])


@pytest.mark.parametrize("preset, query, favourite", [
    ("attend to itself", "sat", "sat"),
    ("attend to the previous word", "sat", "cat"),
    ("attend to the previous word", "mat", "the"),
    ("attend to nouns", "on", "mat"),
])
def test_presets_make_the_pattern_they_name(preset, query, favourite):
    tokens, weights, _ = preset_attention(preset)
    row = weights[tokens.index(query)]
    assert tokens[int(np.argmax(row))] == favourite
    assert row.max() > 0.5


def test_zeros_preset_attends_uniformly_and_outputs_nothing():
    tokens, weights, output = preset_attention("zeros")
    np.testing.assert_allclose(weights, 1 / len(tokens))
    np.testing.assert_array_equal(output, 0)


def test_every_preset_has_the_explorers_shape():
    for preset in PRESETS:
        W = preset_weights(preset)
        assert sorted(W) == sorted(MATRICES)
        assert all(W[name].shape == EXPLORER_WEIGHT_SHAPE == (len(INPUT_FEATURES), 4) for name in MATRICES)
    assert preset_weights("identity", d_k=6)["W_Q"].shape == (10, 6)


def test_random_preset_depends_on_seed():
    a, b = preset_weights("random", seed=1), preset_weights("random", seed=2)
    assert not np.allclose(a["W_Q"], b["W_Q"])
    np.testing.assert_array_equal(a["W_Q"], preset_weights("random", seed=1)["W_Q"])


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="preset must be one of"):
        preset_weights("attend to verbs")
