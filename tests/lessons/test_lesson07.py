"""attn_lib.lessons.lesson07: the shape tracer, each head's columns, the lesson's heads, output_with_heads."""

from __future__ import annotations

import numpy as np
import pytest

import attn_lib as al
from attn_lib.lessons import lesson02
from attn_lib.lessons import lesson07 as hv


def random_layer(rng, n, d_model, batch=()):
    X = rng.normal(size=(*batch, n, d_model))
    W = {name: rng.normal(size=(d_model, d_model)) / np.sqrt(d_model) for name in ("W_q", "W_k", "W_v", "W_o")}
    return X, W


# ----- trace_shapes -----------------------------------------------------------------------------
@pytest.mark.parametrize("n, d_model, h", [(6, 8, 2), (3, 8, 4), (5, 12, 3), (4, 6, 1), (7, 6, 6), (1, 4, 2)])
def test_trace_lists_every_shape(rng, n, d_model, h):
    X, W = random_layer(rng, n, d_model)
    trace = hv.trace_shapes(X, W["W_q"], W["W_k"], W["W_v"], W["W_o"], h)
    d = d_model // h
    expected = [
        ("X", f"({n}, {d_model})"),
        ("Q = X @ W_q", f"({n}, {d_model}) @ ({d_model}, {d_model}) -> ({n}, {d_model})"),
        ("K = X @ W_k", f"({n}, {d_model}) @ ({d_model}, {d_model}) -> ({n}, {d_model})"),
        ("V = X @ W_v", f"({n}, {d_model}) @ ({d_model}, {d_model}) -> ({n}, {d_model})"),
        *[(f"split_heads({m}, {h}): reshape, swap axes", f"({n}, {d_model}) -> ({n}, {h}, {d}) -> ({h}, {n}, {d})")
          for m in "QKV"],
        (f"scores = Q_h @ K_h^T / sqrt({d})", f"({h}, {n}, {d}) @ ({h}, {d}, {n}) -> ({h}, {n}, {n})"),
        ("weights = softmax(scores), row by row", f"({h}, {n}, {n}) -> ({h}, {n}, {n})"),
        ("heads = weights @ V_h", f"({h}, {n}, {n}) @ ({h}, {n}, {d}) -> ({h}, {n}, {d})"),
        ("merge_heads(heads): swap axes, reshape", f"({h}, {n}, {d}) -> ({n}, {h}, {d}) -> ({n}, {d_model})"),
        ("output = merged @ W_o", f"({n}, {d_model}) @ ({d_model}, {d_model}) -> ({n}, {d_model})"),
    ]
    assert trace.rows == expected
    text = repr(trace).splitlines()
    assert text[0] == f"Shapes through multi-head attention: n = {n} tokens, d_model = {d_model}, n_heads = {h}, d_head = {d}"
    assert [line.split()[0] for line in text[1:]] == [step.split()[0] for step, _ in expected]
    assert all(line.endswith(shapes) for line, (_, shapes) in zip(text[1:], expected))
    assert len({line.index(shapes) for line, (_, shapes) in zip(text[1:], expected)}) == 1, "shapes are aligned"


def test_trace_of_a_batch_keeps_the_batch_axis(rng):
    X, W = random_layer(rng, 5, 8, batch=(3,))
    rows = dict(hv.trace_shapes(X, W["W_q"], W["W_k"], W["W_v"], W["W_o"], 4).rows)
    assert rows["split_heads(Q, 4): reshape, swap axes"] == "(3, 5, 8) -> (3, 5, 4, 2) -> (3, 4, 5, 2)"
    assert rows["output = merged @ W_o"] == "(3, 5, 8) @ (8, 8) -> (3, 5, 8)"


def test_the_traced_reshape_is_the_one_split_heads_makes(rng):
    """The intermediate (n, h, d_head) array, swapped, is exactly split_heads' result."""
    X, W = random_layer(rng, 6, 8)
    Q = X @ W["W_q"]
    np.testing.assert_array_equal(np.swapaxes(Q.reshape(6, 2, 4), 0, 1), al.split_heads(Q, 2))
    assert not np.array_equal(Q.reshape(2, 6, 4), al.split_heads(Q, 2))


def test_trace_rejects_a_head_count_that_does_not_divide(rng):
    X, W = random_layer(rng, 6, 8)
    with pytest.raises(ValueError, match="n_heads must divide d_model"):
        hv.trace_shapes(X, W["W_q"], W["W_k"], W["W_v"], W["W_o"], 3)


# ----- columns ----------------------------------------------------------------------------------
@pytest.mark.parametrize("d_model, h", [(8, 2), (8, 4), (12, 3), (6, 6), (5, 1)])
def test_head_slices_match_split_heads(rng, d_model, h):
    Q = rng.normal(size=(4, d_model))
    split = al.split_heads(Q, h)
    for head, cols in enumerate(hv.head_slices(d_model, h)):
        np.testing.assert_array_equal(split[head], Q[:, cols])


def test_divisors():
    assert hv.divisors(8) == [1, 2, 4, 8]
    assert hv.divisors(12) == [1, 2, 3, 4, 6, 12]
    with pytest.raises(ValueError, match="n_heads must divide"):
        hv.head_slices(8, 3)


# ----- the lesson's weights ---------------------------------------------------------------------
def test_lesson_heads_make_the_patterns_they_name():
    tokens = al.tokenize(hv.LESSON_SENTENCE)
    X = hv.lesson_inputs(tokens)
    assert X.shape == (6, 8)
    _, weights = al.multi_head_attention(X, **hv.lesson_weights(), n_heads=2)
    cat = tokens.index("cat")
    assert np.all(weights[0].argmax(axis=1) == cat) and np.all(weights[0][:, cat] > 0.6)
    assert list(weights[1].argmax(axis=1)) == [0, 0, 1, 2, 3, 4]          # the previous word ("The": itself)
    assert np.all(weights[1].max(axis=1) > 0.9)


def test_lesson_inputs_drop_only_columns_that_are_zero_in_the_lesson_sentence():
    tokens = al.tokenize(hv.LESSON_SENTENCE)
    full = lesson02.explorer_inputs(tokens)
    dropped = [j for j, f in enumerate(lesson02.INPUT_FEATURES) if f not in hv.LESSON_FEATURES]
    assert len(dropped) == 2 and not full[:, dropped].any()


# ----- output_with_heads and heads_figure -------------------------------------------------------
def test_output_with_heads(rng):
    X, W = random_layer(rng, 5, 8)
    s = al.multi_head_steps(X, W["W_q"], W["W_k"], W["W_v"], W["W_o"], 4)
    merged, output = hv.output_with_heads(s["heads"], W["W_o"], [True] * 4)
    np.testing.assert_allclose(output, s["output"])
    merged, output = hv.output_with_heads(s["heads"], W["W_o"], [True, False, True, False])
    np.testing.assert_array_equal(merged[:, 2:4], 0)
    np.testing.assert_array_equal(merged[:, 6:8], 0)
    np.testing.assert_allclose(merged[:, :2], s["merged"][:, :2])
    np.testing.assert_allclose(output, merged @ W["W_o"])
    _, nothing = hv.output_with_heads(s["heads"], W["W_o"], [False] * 4)
    np.testing.assert_array_equal(nothing, 0)
    with pytest.raises(ValueError, match="one entry per head"):
        hv.output_with_heads(s["heads"], W["W_o"], [True, False])
