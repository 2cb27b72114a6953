"""attn_lib.lessons.lesson06.just_reordered: order only moves the answer without a mask, not under a causal mask."""

from __future__ import annotations

import numpy as np
import pytest

import attn_lib as al
from attn_lib.lessons.lesson06 import (
    just_reordered,
    lesson_weights,
    permutation_matrix,
    shuffled_order,
)


def random_layer(seed, n=6, d_model=5, d_k=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d_model)), *(rng.normal(size=(d_model, d_k)) for _ in range(3))


@pytest.mark.parametrize("seed", range(8))
def test_without_a_mask_every_order_only_reorders(seed):
    X, W_q, W_k, W_v = random_layer(seed)
    assert just_reordered(X, shuffled_order(len(X), seed + 1), W_q, W_k, W_v)


@pytest.mark.parametrize("seed", range(8))
def test_under_a_causal_mask_a_real_reordering_changes_the_answer(seed):
    X, W_q, W_k, W_v = random_layer(seed)
    order = shuffled_order(len(X), seed + 1)
    assert order != list(range(len(X)))
    assert not just_reordered(X, order, W_q, W_k, W_v, causal=True)


def test_under_a_causal_mask_the_original_order_is_just_reordered():
    X, W_q, W_k, W_v = random_layer(0)
    assert just_reordered(X, list(range(len(X))), W_q, W_k, W_v, causal=True)


def test_the_causal_answer_agrees_with_a_direct_computation():
    # Swap the first two rows: under the mask the new first word sees only itself.
    X, W_q, W_k, W_v = random_layer(3)
    order = [1, 0, 2, 3, 4, 5]
    out_p, _ = al.self_attention(X[order], W_q, W_k, W_v, mask=al.causal_mask(6))
    assert np.allclose(out_p[0], X[1] @ W_v)
    out, _ = al.self_attention(X, W_q, W_k, W_v, mask=al.causal_mask(6))
    assert not np.allclose(out_p, permutation_matrix(order) @ out)
    assert not just_reordered(X, order, W_q, W_k, W_v, causal=True)


def test_identical_rows_swapped_change_nothing_even_under_a_mask():
    # "The" and "the" share one embedding, so swapping them leaves the input and the answer as they were.
    # Without a mask their outputs are equal too, so P out = out; under the mask they differ
    # ("the" at place 4 sees more words), so the unchanged answer is not P out.
    X = al.embed(al.tokenize("The cat sat on the mat"))
    W_q, W_k, W_v = lesson_weights()
    order = [4, 1, 2, 3, 0, 5]
    assert np.allclose(X[order], X)
    assert just_reordered(X, order, W_q, W_k, W_v)
    assert not just_reordered(X, order, W_q, W_k, W_v, causal=True)


@pytest.mark.parametrize("order, error", [([0, 1], ValueError), ([0, 0, 1, 2, 3, 4], ValueError),
                                          ("abc", TypeError), ([0.5, 1, 2, 3, 4, 5], TypeError)])
def test_bad_orders_are_refused_with_a_clear_message(order, error):
    X, W_q, W_k, W_v = random_layer(0)
    with pytest.raises(error, match="order"):
        just_reordered(X, order, W_q, W_k, W_v)


def test_a_batch_is_refused():
    X, W_q, W_k, W_v = random_layer(0)
    with pytest.raises(ValueError, match="X must be a matrix"):
        just_reordered(X[None], list(range(6)), W_q, W_k, W_v)
