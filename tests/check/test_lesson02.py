"""The checkers of notebook 02: right answers pass, each wrong answer gets its own hint, no hint gives the answer away."""

import re

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_right

from attn_lib import check, softmax, tokenize
from attn_lib.lessons.lesson01 import CAT_SENTENCE
from attn_lib.lessons.lesson02 import INPUT_FEATURES, explorer_inputs

ROW = {feature: i for i, feature in enumerate(INPUT_FEATURES)}


def matrix(*entries):
    """A (10, 4) matrix with ``value`` at (row of ``feature``, ``column``) for each (feature, column, value)."""
    W = np.zeros((len(INPUT_FEATURES), 4))
    for feature, column, value in entries:
        W[ROW[feature], column] = value
    return W


def cat_to_mat(W_Q, W_K):
    """The weight 'cat' gives 'mat', computed independently of the checker."""
    X = explorer_inputs(tokenize(CAT_SENTENCE))
    Q, K = X @ np.asarray(W_Q, dtype=float), X @ np.asarray(W_K, dtype=float)
    return softmax(Q @ K.T / np.sqrt(Q.shape[1]))[1, 5]


# -------------------------------------------------------------------- cat_attends_to_mat_weights

SOLUTION_Q, SOLUTION_K = matrix(("animal", 0, 3.0)), matrix(("object", 0, 3.0))
ZERO = np.zeros((10, 4))

CAT_MAT_RIGHT = {
    "animal -> object in d1": (SOLUTION_Q, SOLUTION_K),
    "same idea in d3": (matrix(("animal", 2, 3.0)), matrix(("object", 2, 3.0))),
    "negative times negative": (matrix(("animal", 1, -4.0)), matrix(("object", 1, -4.0))),
    "lists": (SOLUTION_Q.tolist(), SOLUTION_K.tolist()),
    "integers": (SOLUTION_Q.astype(int), SOLUTION_K.astype(int)),
    "symmetric but working": (matrix(("animal", 0, 3.0), ("object", 0, 3.0), ("place", 0, 3.0)),
                              matrix(("animal", 0, 3.0), ("object", 0, 3.0), ("place", 0, 3.0))),
}

CAT_MAT_WRONG = {
    "both ...": (..., ..., "replace the ... with your W_Q"),
    "W_K None": (SOLUTION_Q, None, "replace the ... with your W_K"),
    "W_Q transposed": (SOLUTION_Q.T, SOLUTION_K, "W_Q has shape (4, 10); it looks transposed"),
    "W_K transposed": (SOLUTION_Q, SOLUTION_K.T, "W_K has shape (4, 10); it looks transposed"),
    "only meaning rows": (SOLUTION_Q[:8], SOLUTION_K[:8], "should have shape (10, 4)"),
    "d_k of 8": (np.zeros((10, 8)), np.zeros((10, 8)), "should have shape (10, 4)"),
    "a vector": (np.zeros(10), SOLUTION_K, "should have shape (10, 4)"),
    "not numbers": ("big", SOLUTION_K, "should hold numbers"),
    "nan": (np.where(SOLUTION_Q == 0, np.nan, SOLUTION_Q), SOLUTION_K, "NaN or infinity"),
    "all zeros": (ZERO, ZERO, "spread evenly"),
    "W_Q zero": (ZERO, SOLUTION_K, "spread evenly"),
    "same matrix": (SOLUTION_Q + SOLUTION_K, SOLUTION_Q + SOLUTION_K, "W_Q and W_K are equal"),
    "swapped roles": (SOLUTION_K, SOLUTION_Q, "now 'mat' attends to 'cat'"),
    "entries too small": (SOLUTION_Q / 3, SOLUTION_K / 3, "favourite of 'cat' but gets less than half"),
    "different columns": (matrix(("animal", 0, 3.0)), matrix(("object", 1, 3.0)), "spread evenly"),
    "cat looks for actions": (matrix(("animal", 0, 3.0)), matrix(("action", 0, 3.0)), "q_cat · k_mat"),
    "only positions": (matrix(("pos sin", 0, 5.0)), matrix(("pos sin", 0, 5.0), ("pos cos", 1, 5.0)),
                       "q_cat · k_mat"),
}


class TestCatAttendsToMatWeights:
    @pytest.mark.parametrize("case", sorted(CAT_MAT_RIGHT))
    def test_right(self, case):
        W_Q, W_K = CAT_MAT_RIGHT[case]
        share = cat_to_mat(W_Q, W_K)
        assert share >= 0.5
        result = check.cat_attends_to_mat_weights(W_Q, W_K)
        assert_right(result)
        assert f"{share:.2f}" in result.message                      # tells the learner their own share

    def test_threshold_is_half(self):
        # Scale the solution down until 'mat' gets just under, then just over, one half.
        strengths = np.linspace(1.0, 3.0, 401)
        shares = np.array([cat_to_mat(SOLUTION_Q, SOLUTION_K * s / 3) for s in strengths])
        below, above = strengths[shares < 0.5].max(), strengths[shares >= 0.5].min()
        assert not check.cat_attends_to_mat_weights(SOLUTION_Q, SOLUTION_K * below / 3)
        assert check.cat_attends_to_mat_weights(SOLUTION_Q, SOLUTION_K * above / 3)

    def test_inputs_are_not_modified(self):
        W_Q, W_K = SOLUTION_Q.copy(), SOLUTION_K.copy()
        check.cat_attends_to_mat_weights(W_Q, W_K)
        assert np.array_equal(W_Q, SOLUTION_Q) and np.array_equal(W_K, SOLUTION_K)

    @pytest.mark.parametrize("case", sorted(CAT_MAT_WRONG))
    def test_wrong_answers_get_their_hint(self, case):
        W_Q, W_K, fragment = CAT_MAT_WRONG[case]
        if not isinstance(W_Q, str) and W_Q is not None and W_Q is not ...:
            if np.shape(W_Q) == (10, 4) and np.shape(W_K) == (10, 4) and np.isfinite(W_Q).all():
                assert cat_to_mat(W_Q, W_K) < 0.5                    # the case really is wrong
        assert_hint(check.cat_attends_to_mat_weights(W_Q, W_K), fragment)

    @pytest.mark.parametrize("case", sorted(CAT_MAT_WRONG))
    def test_no_hint_gives_the_answer_away(self, case):
        W_Q, W_K, _ = CAT_MAT_WRONG[case]
        message = check.cat_attends_to_mat_weights(W_Q, W_K).message
        assert not re.search(r"\d\.\d", message), message           # no strength or share
        for feature in ("animal", "object"):                         # no row of the solution
            assert feature not in message, message


# ---------------------------------------------------------------------- values_pass_only_animal

ANIMAL_ONLY = matrix(("animal", 0, 1.0))

VALUES_WRONG = {
    "...": (..., "replace the ... with your W_V"),
    "None": (None, "replace the ... with your W_V"),
    "transposed": (ANIMAL_ONLY.T, "looks transposed"),
    "meaning rows only": (ANIMAL_ONLY[:8], "should have shape (10, 4)"),
    "text": ("animal", "should hold numbers"),
    "inf": (np.where(ANIMAL_ONLY == 1, np.inf, 0.0), "NaN or infinity"),
    "zeros": (ZERO, "all zeros"),
    "identity (the presets' W_V)": (np.eye(10, 4), "the rows object, action, place are not all zero"),
    "column d1 all ones": (np.ones((10, 1)) * [1, 0, 0, 0], "passed on too"),
    "position leaks in": (matrix(("animal", 0, 1.0), ("pos cos", 0, 1.0)), "the rows pos cos are not all zero"),
    "wrong column": (matrix(("animal", 2, 1.0)), "not in d1"),
    "animal row all ones": (matrix(*[("animal", j, 1.0) for j in range(4)]), "more than one column"),
    "scaled": (matrix(("animal", 0, 2.0)), "scaled"),
    "negated": (matrix(("animal", 0, -1.0)), "scaled"),
}


class TestValuesPassOnlyAnimal:
    @pytest.mark.parametrize("answer", [ANIMAL_ONLY, ANIMAL_ONLY.tolist(), ANIMAL_ONLY.astype(int),
                                        ANIMAL_ONLY + 1e-12], ids=["array", "list", "int", "rounding"])
    def test_right(self, answer):
        assert_right(check.values_pass_only_animal(answer))

    def test_right_answer_passes_exactly_the_animal_feature(self):
        X = explorer_inputs(tokenize(CAT_SENTENCE))
        V = X @ ANIMAL_ONLY
        assert np.allclose(V[:, 0], X[:, ROW["animal"]]) and not V[:, 1:].any()

    @pytest.mark.parametrize("case", sorted(VALUES_WRONG))
    def test_wrong_answers_get_their_hint(self, case):
        answer, fragment = VALUES_WRONG[case]
        assert_hint(check.values_pass_only_animal(answer), fragment)

    @pytest.mark.parametrize("case", sorted(VALUES_WRONG))
    def test_no_hint_gives_the_answer_away(self, case):
        answer, _ = VALUES_WRONG[case]
        message = check.values_pass_only_animal(answer).message
        for leak in ("1.0", "[0, 0]", "[0,0]", "= 1", "by 1", "row 0"):
            assert leak not in message, message


# ---------------------------------------------------------------------- which_matrix_for_values

class TestWhichMatrixForValues:
    @pytest.mark.parametrize("answer", ["W_V", "w_v", "W_v", " W_V ", "WV", "W V"])
    def test_right(self, answer):
        assert_right(check.which_matrix_for_values(answer))

    @pytest.mark.parametrize("answer, fragment", [
        ("W_Q", "W_Q builds the queries"),
        ("w_q", "W_Q builds the queries"),
        ("W_K", "W_K builds the keys"),
        ("V", "name the weight matrix"),
        ("Q", "name the weight matrix"),
        ("W_O", "one of the three weight matrices"),
        ("", "one of the three weight matrices"),
        (3, "as a string"),
        (["W_Q"], "as a string"),
        (None, "replace the ..."),
        (..., "replace the ..."),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        assert_hint(check.which_matrix_for_values(answer), fragment)

    @pytest.mark.parametrize("answer", [None, ..., 3, "", "V", "Q", "K", "W_Q", "W_K", "W_O", "W_V"])
    def test_no_message_names_the_answer(self, answer):
        message = check.which_matrix_for_values(answer).message.upper().replace(" ", "")
        assert "W_V" not in message and "WV" not in message, message
