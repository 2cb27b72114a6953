"""The exercise checkers: right answers pass, each wrong answer gets its own hint, no hint gives the answer away."""

import re

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check, softmax
from attn_lib.check import Result
from attn_lib.lessons.lesson01 import CAT_PROBABILITIES


def formatted(numbers):
    """Every way a message could spell the numbers of an answer: 1 to 4 decimals, with and without sign."""
    out = set()
    for v in np.ravel(numbers):
        for digits in (1, 2, 3, 4):
            out.add(f"{v:.{digits}f}")
            out.add(f"{abs(v):.{digits}f}")
    return {s for s in out if float(s) != 0}                # a zero is too common to mean anything


def test_result_truthiness_and_repr():
    assert bool(Result(True, "ok")) and not bool(Result(False, "no"))
    assert repr(Result(True, "ok")) == "Correct! ok"
    assert repr(Result(False, "no")) == "Not yet. no"


# ------------------------------------------------------------------------------ raw_scores_for_cat

LOG_P = np.log(CAT_PROBABILITIES)
CAT_WRONG = {
    "probabilities": (CAT_PROBABILITIES, "probabilities themselves"),
    "flipped signs": (-LOG_P, "signs are flipped"),
    "something else": (np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), "natural log"),
    "log10": (np.log10(CAT_PROBABILITIES), "natural log"),
    "too short": (LOG_P[:5], "expected 6 numbers"),
    "matrix": (np.stack([LOG_P, LOG_P]), "expected 6 numbers"),
    "not numbers": (["a", "b", "c", "d", "e", "f"], "should be numbers"),
    "nan": (np.array([np.nan, 0, 0, 0, 0, 0]), "NaN or infinity"),
    "-inf": (np.array([-np.inf, 0, 0, 0, 0, 0]), "NaN or infinity"),
    "None": (None, "replace the ..."),
    "Ellipsis": (..., "replace the ..."),
}


class TestRawScoresForCat:
    @pytest.mark.parametrize("answer", [LOG_P, LOG_P + 3.0, LOG_P - 10.0, list(LOG_P), np.round(LOG_P, 4)],
                             ids=["log", "shifted up", "shifted down", "list", "4 decimals"])
    def test_right(self, answer):
        result = check.raw_scores_for_cat(answer)
        assert_right(result)
        np.testing.assert_allclose(softmax(np.asarray(answer, dtype=float)), CAT_PROBABILITIES, atol=1e-4)

    @pytest.mark.parametrize("case", sorted(CAT_WRONG))
    def test_wrong_answers_get_their_hint(self, case):
        answer, fragment = CAT_WRONG[case]
        assert_hint(check.raw_scores_for_cat(answer), fragment)

    def test_no_message_contains_the_answer(self):
        forbidden = formatted(LOG_P) | formatted(LOG_P - LOG_P.max())
        answers = [a for a, _ in CAT_WRONG.values()] + [LOG_P, LOG_P + 3.0]
        for answer in answers:
            assert_no_leak(check.raw_scores_for_cat(answer), forbidden)

    def test_logs_rounded_to_two_decimals_are_accepted(self):
        assert check.raw_scores_for_cat([-2.30, -0.92, -1.20, -3.00, -3.00, -2.30])


# ------------------------------------------------------------------------- cat_attends_most_to_mat

class TestCatAttendsMostToMat:
    @pytest.mark.parametrize("answer", [[0, 0, 0, 0, 0, 2.0], [1, 2, 3, 4, 5, 10], np.array([-5, -5, -5, -5, -5, 0.0])])
    def test_right(self, answer):
        result = check.cat_attends_most_to_mat(answer)
        assert_right(result)
        share = softmax(np.asarray(answer, dtype=float))[5]
        assert share >= 0.5
        assert f"{share:.2f}" in result.message                  # tells the learner their own share

    def test_exactly_half_is_enough(self):
        answer = [0.0, -1000.0, -1000.0, -1000.0, -1000.0, 0.0]   # "The" and "mat" share it: 1/2 each
        assert softmax(np.array(answer))[5] == 0.5
        assert_right(check.cat_attends_most_to_mat(answer))

    @pytest.mark.parametrize("answer, fragment", [
        ([0, 0, 0, 0, 0, 1.0], "favourite but has less than half"),
        ([1.0, 1.0, 1.0, 1.0, 1.0, 1.5], "favourite but has less than half"),
        ([0, 3.0, 0, 0, 0, 0], "raise the score of 'mat'"),
        ([0, 0, 0, 0, 0, 0.0], "raise the score of 'mat'"),      # a tie is not a favourite
        ([0, 0, 0], "expected 6 numbers"),
        ("high", "should be numbers"),
        ([0, 0, 0, 0, 0, np.inf], "NaN or infinity"),
        (None, "replace the ..."),
        (..., "replace the ..."),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.cat_attends_most_to_mat(answer)
        assert_hint(result, fragment)
        # No concrete score or share (such as log(5) = 1.61, the smallest winning gap) in a hint.
        assert not re.search(r"\d\.\d", result.message), result.message


# ---------------------------------------------------------------------------------- weighted_sum

WEIGHTS = np.array([0.2, 0.5, 0.3])
V = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 4.0]])
ANSWER = WEIGHTS @ V                                          # [1.85, 1.1]
SUM_WRONG = {
    "plain average": (V.mean(axis=0), "plain average"),
    "unweighted sum": (V.sum(axis=0), "unweighted sum"),
    "weights times first column": (WEIGHTS * V[:, 0], "expected 2 numbers"),
    "transposed product": (V.T @ WEIGHTS[::-1], "multiply row j of V by weights[j]"),
    "one row of V": (V[1], "multiply row j of V by weights[j]"),
    "not numbers": ({"a": 1}, "should be numbers"),
    "nan": ([np.nan, 1.0], "NaN or infinity"),
    "None": (None, "replace the ..."),
    "Ellipsis": (..., "replace the ..."),
}


class TestWeightedSum:
    @pytest.mark.parametrize("answer", [ANSWER, list(ANSWER), ANSWER + 1e-9,
                                        sum(WEIGHTS[j] * V[j] for j in range(3))])
    def test_right(self, answer):
        assert_right(check.weighted_sum(answer, WEIGHTS, V))

    def test_lists_are_accepted_for_weights_and_values(self):
        assert_right(check.weighted_sum(ANSWER, WEIGHTS.tolist(), V.tolist()))

    @pytest.mark.parametrize("case", sorted(SUM_WRONG))
    def test_wrong_answers_get_their_hint(self, case):
        answer, fragment = SUM_WRONG[case]
        assert_hint(check.weighted_sum(answer, WEIGHTS, V), fragment)

    def test_no_message_contains_the_answer(self):
        forbidden = formatted(ANSWER)
        for answer in [a for a, _ in SUM_WRONG.values()] + [ANSWER]:
            assert_no_leak(check.weighted_sum(answer, WEIGHTS, V), forbidden)


# -------------------------------------------------------------------------------- causal_visible

SENTENCE = "The cat sat on the mat"


def _leak_strings(visible):
    return {repr(visible), repr(tuple(visible)), " ".join(visible), ", ".join(visible), str(visible)}


class TestCausalVisible:
    @pytest.mark.parametrize("query, visible", [
        ("The", ["The"]),
        ("sat", ["The", "cat", "sat"]),
        ("on", ["The", "cat", "sat", "on"]),
        ("mat", ["The", "cat", "sat", "on", "the", "mat"]),
    ])
    def test_right(self, query, visible):
        assert_right(check.causal_visible(visible, SENTENCE, query))
        assert_right(check.causal_visible(tuple(visible), SENTENCE, query))

    @pytest.mark.parametrize("answer, fragment", [
        (["The", "cat"], "may always attend to itself"),
        ([], "may always attend to itself"),
        (["The", "cat", "sat", "on"], "no word after the query"),
        (["The", "cat", "sat", "mat"], "no word after the query"),
        (["cat", "sat"], "from the start of the sentence"),
        (["sat", "cat", "The"], "from the start of the sentence"),
        (["The", "The", "cat", "sat"], "from the start of the sentence"),
        ("The cat sat", "answer with a list of words"),
        ([1, 2, 3], "answer with a list of words"),
        (["The", None, "sat"], "answer with a list of words"),
        (3, "answer with a list of words"),                      # not iterable: a hint, not a crash
        ({"The", "cat", "sat"}, "answer with a list of words"),  # a set has no order
        (None, "replace the ..."),
        (..., "replace the ..."),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.causal_visible(answer, SENTENCE, "sat")
        assert_hint(result, fragment)
        assert_no_leak(result, _leak_strings(["The", "cat", "sat"]))

    @pytest.mark.parametrize("query, visible", [("on", ["The", "cat", "sat", "on"]),
                                                ("mat", ["The", "cat", "sat", "on", "the", "mat"])])
    def test_no_message_contains_the_answer(self, query, visible):
        answers = [None, ..., "x", [1], [query], visible[:-1], visible[::-1], visible + ["zzz"], visible]
        for answer in answers:
            assert_no_leak(check.causal_visible(answer, SENTENCE, query), _leak_strings(visible))

    def test_example_in_hint_is_not_the_answer_for_cat(self):
        for answer in (None, "The cat"):
            assert_no_leak(check.causal_visible(answer, SENTENCE, "cat"), _leak_strings(["The", "cat"]))
