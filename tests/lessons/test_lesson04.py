"""attn_lib.lessons.lesson04: context vectors, cosine similarity and the rotating query's vector."""

import numpy as np
import pytest

import attn_lib as al
from attn_lib.lessons.lesson04 import (
    QUERY_KEYS,
    context_vectors,
    cosine_similarity,
    rotated_query,
)

# ------------------------------------------------------------------------------ cosine_similarity

class TestCosineSimilarity:
    @pytest.mark.parametrize("a, b, expected", [
        ([1.0, 0.0], [3.0, 0.0], 1.0),                        # same direction, other length
        ([1.0, 2.0, 3.0], [-2.0, -4.0, -6.0], -1.0),          # opposite
        ([1.0, 0.0], [0.0, 5.0], 0.0),                        # perpendicular
        ([1.0, 0.0], [1.0, 1.0], 1 / np.sqrt(2)),             # 45 degrees
        ([1.0, 0.0], [-1.0, np.sqrt(3.0)], -0.5),             # 120 degrees
        ([3.0, 4.0], [4.0, 3.0], 24 / 25),                    # by hand: 24 / (5 * 5)
    ])
    def test_known_values(self, a, b, expected):
        result = cosine_similarity(np.array(a), np.array(b))
        assert isinstance(result, float)
        assert result == pytest.approx(expected, abs=1e-12)

    def test_matches_the_formula_and_is_symmetric(self, rng):
        a, b = rng.normal(size=8), rng.normal(size=8)
        expected = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
        assert cosine_similarity(a, b) == pytest.approx(expected, abs=1e-12)
        assert cosine_similarity(b, a) == pytest.approx(expected, abs=1e-12)

    def test_positive_scaling_changes_nothing(self, rng):
        a, b = rng.normal(size=5), rng.normal(size=5)
        assert cosine_similarity(7.5 * a, 0.01 * b) == pytest.approx(cosine_similarity(a, b), abs=1e-12)
        assert cosine_similarity(-a, b) == pytest.approx(-cosine_similarity(a, b), abs=1e-12)

    def test_huge_and_tiny_vectors_do_not_overflow_or_underflow(self):
        assert cosine_similarity(np.array([1e200, 1e200]), np.array([1e200, 0.0])) == pytest.approx(1 / np.sqrt(2))
        assert cosine_similarity(np.array([1e-200, 0.0]), np.array([0.0, 1e-200])) == pytest.approx(0.0)

    def test_result_stays_within_minus_one_and_one(self, rng):
        for _ in range(200):
            v = rng.normal(size=6)
            assert -1.0 <= cosine_similarity(v, 3 * v) <= 1.0
            assert -1.0 <= cosine_similarity(v, -v) <= 1.0

    def test_one_vector_against_the_rows_of_a_matrix(self, rng):
        M, v = rng.normal(size=(4, 3)), rng.normal(size=3)
        result = cosine_similarity(M, v)
        assert result.shape == (4,)
        np.testing.assert_allclose(result, [cosine_similarity(row, v) for row in M], atol=1e-12)

    def test_integer_vectors(self):
        assert cosine_similarity(np.array([2, 0]), np.array([5, 5])) == pytest.approx(1 / np.sqrt(2))

    @pytest.mark.parametrize("which", ["a", "b"])
    def test_a_zero_vector_is_refused_by_name(self, which):
        good, zero = np.array([1.0, 2.0]), np.zeros(2)
        args = (zero, good) if which == "a" else (good, zero)
        with pytest.raises(ValueError, match=rf"^{which} must not be a zero vector.*length, which is 0"):
            cosine_similarity(*args)

    def test_a_zero_row_is_located(self):
        with pytest.raises(ValueError, match=r"a must not be a zero vector at batch index \(1,\)"):
            cosine_similarity(np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([1.0, 1.0]))

    def test_lengths_must_match(self):
        with pytest.raises(ValueError, match=r"same length d.*\(3,\).*\(2,\)"):
            cosine_similarity(np.ones(3), np.ones(2))

    def test_batches_must_broadcast(self):
        with pytest.raises(ValueError, match="do not broadcast"):
            cosine_similarity(np.ones((3, 2)), np.ones((4, 2)))

    @pytest.mark.parametrize("bad, error, fragment", [
        ([1.0, 2.0], TypeError, "a must be a numpy array.*np.array"),
        (np.array([1.0, np.nan]), ValueError, "a must contain only finite numbers"),
        (np.array([True, False]), TypeError, "a must hold real numbers"),
        (np.array(3.0), ValueError, "a must have shape"),
    ])
    def test_bad_input_names_the_argument(self, bad, error, fragment):
        with pytest.raises(error, match=fragment):
            cosine_similarity(bad, np.array([1.0, 1.0]))


# ------------------------------------------------------------------------------ context_vectors

def _rule_weights():
    W_q = np.zeros((al.D_MODEL, al.D_MODEL))
    W_q[al.FEATURES.index("money"), al.FEATURES.index("money")] = 6.0
    W_q[al.FEATURES.index("nature"), al.FEATURES.index("nature")] = 6.0
    return W_q, np.eye(al.D_MODEL), np.eye(al.D_MODEL)


class TestContextVectors:
    @pytest.mark.parametrize("sentence", ["I sat on the river bank", ["I", "paid", "at", "the", "bank"]])
    def test_matches_self_attention(self, sentence):
        W_q, W_k, W_v = _rule_weights()
        result = context_vectors(sentence, W_q, W_k, W_v)
        tokens = al.tokenize(sentence) if isinstance(sentence, str) else sentence
        X = al.embed(tokens)
        outputs, weights = al.self_attention(X, W_q, W_k, W_v)
        assert result.tokens == tokens
        np.testing.assert_array_equal(result.embeddings, X)
        np.testing.assert_allclose(result.weights, weights, atol=1e-12)
        np.testing.assert_allclose(result.outputs, outputs, atol=1e-12)
        np.testing.assert_allclose(result.outputs, result.weights @ (X @ W_v), atol=1e-12)

    def test_unpacks_like_a_tuple_and_forwards_options(self, rng):
        W_q, W_k, W_v = (rng.normal(size=(al.D_MODEL, 4)) for _ in range(3))
        tokens, X, weights, outputs = context_vectors("The cat sat on the mat", W_q, W_k, W_v,
                                                      mask=al.causal_mask(6), temperature=0.5, scale=False)
        expected_out, expected_w = al.self_attention(X, W_q, W_k, W_v, mask=al.causal_mask(6),
                                                     temperature=0.5, scale=False)
        np.testing.assert_allclose(weights, expected_w, atol=1e-12)
        np.testing.assert_allclose(outputs, expected_out, atol=1e-12)
        assert np.allclose(np.triu(weights, k=1), 0.0)

    def test_the_same_word_gets_different_context_vectors(self):
        W_q, W_k, W_v = _rule_weights()
        river = context_vectors("I sat on the river bank", W_q, W_k, W_v)
        money = context_vectors("I paid at the bank", W_q, W_k, W_v)
        bank_r, bank_m = river.outputs[river.tokens.index("bank")], money.outputs[money.tokens.index("bank")]
        nature, cash = al.FEATURES.index("nature"), al.FEATURES.index("money")
        assert bank_r[nature] > bank_m[nature] and bank_m[cash] > bank_r[cash]

    def test_bad_weights_raise_the_library_error(self):
        with pytest.raises(ValueError, match="W_q must have shape"):
            context_vectors("The cat", np.ones((3, 2)), np.ones((8, 2)), np.ones((8, 2)))


# ------------------------------------------------------------------------------ the rotating query

class TestRotatedQuery:
    @pytest.mark.parametrize("angle, length, expected", [
        (0, 1.0, (1.0, 0.0)), (90, 2.0, (0.0, 2.0)), (180.0, 1.0, (-1.0, 0.0)),
        (-90, 0.5, (0.0, -0.5)), (450, 1.0, (0.0, 1.0)), (60, 2.0, (1.0, np.sqrt(3.0))),
    ])
    def test_values(self, angle, length, expected):
        np.testing.assert_allclose(rotated_query(angle, length), expected, atol=1e-12)

    @pytest.mark.parametrize("angle, length, error, fragment", [
        ("30", 1.0, TypeError, "angle must be a finite number of degrees"),
        (float("nan"), 1.0, TypeError, "angle"),
        (True, 1.0, TypeError, "angle"),
        (30, 0.0, ValueError, "length must be a finite number > 0"),
        (30, -1.0, ValueError, "length"),
    ])
    def test_bad_input(self, angle, length, error, fragment):
        with pytest.raises(error, match=fragment):
            rotated_query(angle, length)


def test_the_query_keys_point_in_different_directions():
    K = np.array(list(QUERY_KEYS.values()))                                 # (n_keys, 2)
    assert K.shape[1] == 2 and len(QUERY_KEYS) >= 3
    angles = np.sort(np.degrees(np.arctan2(K[:, 1], K[:, 0])) % 360)
    assert np.diff(np.r_[angles, angles[0] + 360]).min() > 20             # each key has its own direction
