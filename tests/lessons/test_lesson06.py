"""attn_lib.lessons.lesson06: orders and permutation matrices, the lesson's attention, the shift rotation."""

import numpy as np
import pytest

import attn_lib as al
from attn_lib.lessons import lesson06 as pv

SWAPPED = "The mat sat on the cat"


class TestOrders:
    def test_permutation_matrix_moves_rows(self, rng):
        order = [2, 0, 3, 1]
        P = pv.permutation_matrix(order)
        X = rng.normal(size=(4, 3))
        np.testing.assert_array_equal(P @ X, X[order])
        np.testing.assert_array_equal(P @ P.T, np.eye(4))
        W = rng.normal(size=(4, 4))
        np.testing.assert_array_equal(P @ W @ P.T, W[np.ix_(order, order)])

    @pytest.mark.parametrize("order, error", [
        ([0, 0, 1], ValueError), ([1, 2, 3], ValueError), ([], TypeError), ("012", TypeError),
        ([0, 1.5], TypeError), ([True, False], TypeError),
    ])
    def test_bad_orders(self, order, error):
        with pytest.raises(error, match="order"):
            pv.permutation_matrix(order)

    def test_shuffled_order_is_reproducible_and_zero_is_the_identity(self):
        assert pv.shuffled_order(6, 0) == [0, 1, 2, 3, 4, 5]
        assert pv.shuffled_order(6, 3) == pv.shuffled_order(6, 3)
        assert sorted(pv.shuffled_order(6, 3)) == list(range(6))
        assert len({tuple(pv.shuffled_order(6, s)) for s in range(1, 21)}) > 10
        with pytest.raises(ValueError, match="seed"):
            pv.shuffled_order(6, -1)
        with pytest.raises(ValueError, match="^n must be >= 1"):
            pv.shuffled_order(0, 1)

    def test_order_of_matches_repeated_words_left_to_right(self):
        tokens = al.tokenize("The cat sat on the mat")
        assert pv.order_of(tokens, al.tokenize(SWAPPED)) == [0, 5, 2, 3, 4, 1]
        assert pv.order_of(tokens, al.tokenize("the mat sat on The cat")) == [4, 5, 2, 3, 0, 1]
        assert pv.order_of(["a", "b", "a"], ["a", "a", "b"]) == [0, 2, 1]
        with pytest.raises(ValueError, match="'dog' is not one of them"):
            pv.order_of(tokens, al.tokenize("The dog sat on the mat"))
        with pytest.raises(ValueError, match=r"\['mat'\] are missing"):
            pv.order_of(tokens, al.tokenize("The cat sat on the"))

    def test_sentence_attention_is_self_attention_with_positions_added(self):
        tokens = al.tokenize("The cat sat on the mat")
        W_q, W_k, W_v = pv.lesson_weights()
        X = al.embed(tokens)
        for positions, X_in in ((False, X), (True, X + al.sinusoidal_positions(6, 8))):
            out, w = pv.sentence_attention(tokens, W_q, W_k, W_v, positions=positions)
            out_ref, w_ref = al.self_attention(X_in, W_q, W_k, W_v)
            np.testing.assert_allclose(w, w_ref)
            np.testing.assert_allclose(out, out_ref)

    def test_lesson_weights_are_fixed(self):
        a, b = pv.lesson_weights(), pv.lesson_weights()
        assert [W.shape for W in a] == [(8, 4)] * 3
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
        np.testing.assert_allclose(a[0], 3.0 * al.random_weights(8, 4, seed=3))


class TestShiftMatrix:
    @pytest.mark.parametrize("k", [1, 3, -2, 10])
    @pytest.mark.parametrize("d_model", [2, 8, 16])
    def test_moves_every_encoding_k_positions_on(self, k, d_model):
        P = al.sinusoidal_positions(40, d_model)
        M = pv.shift_matrix(k, d_model)
        lo, hi = max(0, -k), 40 - max(0, k)
        np.testing.assert_allclose(P[lo:hi] @ M, P[lo + k: hi + k], atol=1e-9)
        np.testing.assert_allclose(M.T @ M, np.eye(d_model), atol=1e-12)

    def test_shifts_compose_and_zero_is_the_identity(self):
        np.testing.assert_allclose(pv.shift_matrix(0, 8), np.eye(8), atol=1e-15)
        np.testing.assert_allclose(pv.shift_matrix(2, 8) @ pv.shift_matrix(3, 8), pv.shift_matrix(5, 8), atol=1e-12)

    @pytest.mark.parametrize("k, d_model, error, fragment", [
        (1.5, 8, TypeError, "^k must"), (True, 8, TypeError, "^k must"), (1, 7, ValueError, "^d_model must be even"),
        (1, 0, ValueError, "^d_model must be >= 1"),
    ])
    def test_bad_input(self, k, d_model, error, fragment):
        with pytest.raises(error, match=fragment):
            pv.shift_matrix(k, d_model)




def test_without_positions_reordering_the_words_just_reorders_the_weights():
    tokens, weights = al.tokenize(pv.LESSON_SENTENCE), pv.lesson_weights()
    order = pv.order_of(tokens, al.tokenize(SWAPPED))
    P = pv.permutation_matrix(order)
    _, W = pv.sentence_attention(tokens, *weights)
    _, W_swapped = pv.sentence_attention(al.tokenize(SWAPPED), *weights)
    np.testing.assert_allclose(W_swapped, P @ W @ P.T, atol=1e-12)
    _, W_pos = pv.sentence_attention(tokens, *weights, positions=True)
    _, W_pos_swapped = pv.sentence_attention(al.tokenize(SWAPPED), *weights, positions=True)
    assert not np.allclose(W_pos_swapped, P @ W_pos @ P.T)

