"""Notebook 06's checkers: right answers pass, each common mistake gets its own hint, no hint gives the answer away."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

import attn_lib as al
from attn_lib import check
from attn_lib.lessons.lesson06 import (
    TELL_APART_PAIRS,
    lesson_weights,
    permutation_matrix,
)


def formatted(numbers):
    """Ways a message could spell the numbers of an answer: 2 to 4 decimals, with and without sign."""
    out = set()
    for v in np.ravel(numbers):
        for digits in (2, 3, 4):
            out.add(f"{v:.{digits}f}")
            out.add(f"{abs(v):.{digits}f}")
    return {s for s in out if float(s) != 0}


# ------------------------------------------------------------------------------ position_encoding_pair
POS = 9
TRUTH = al.sinusoidal_positions(POS + 1, 8)[POS, 2:4]                  # computed by the library, not the checker


def test_the_library_agrees_with_the_formula():
    np.testing.assert_allclose(TRUTH, [np.sin(POS / 10), np.cos(POS / 10)])


class TestPositionEncodingPair:
    @pytest.mark.parametrize("answer", [
        TRUTH, TRUTH.tolist(), tuple(TRUTH), np.round(TRUTH, 2), np.round(TRUTH, 3),
        [np.sin(POS / 10000 ** (2 / 8)), np.cos(POS / 10000 ** (2 / 8))],
    ], ids=["array", "list", "tuple", "2 decimals", "3 decimals", "formula"])
    def test_right(self, answer):
        assert_right(check.position_encoding_pair(answer, pos=POS))

    def test_other_positions_and_pairs(self):
        P = al.sinusoidal_positions(12, 16)
        for pos in (0, 3, 11):
            for pair in range(8):
                assert_right(check.position_encoding_pair(P[pos, 2 * pair: 2 * pair + 2], pos, 16, pair))
        assert_right(check.position_encoding_pair(P[7, 0:2], 7, 16, pair=0))

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ([0.4], "expected 2 numbers"),
        ("0.39, 0.92", "should be numbers"),
        ([np.nan, 0.5], "NaN"),
        (TRUTH[::-1], "order is swapped"),
        ([np.sin(POS), np.cos(POS)], "those are columns 0 and 1"),
        ([np.sin(POS / 100), np.cos(POS / 100)], "not the column number 2"),              # exponent 4/8
        ([np.sin(POS / 1e8), np.cos(POS / 1e8)], "divide the exponent 2i by d_model"),    # exponent 2
        ([np.sin(np.radians(POS / 10)), np.cos(np.radians(POS / 10))], "radians"),
        ([np.sin(POS * 10), np.cos(POS * 10)], "instead of multiplying"),
        ([1.5, 0.2], "between -1 and 1"),
        ([0.5, 0.5], "PE[pos, 2i] = sin"),
    ], ids=["None", "Ellipsis", "one number", "text", "nan", "swapped", "pair 0", "column as i",
            "no division by d", "degrees", "multiplied", "out of range", "other"])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.position_encoding_pair(answer, pos=POS)
        assert_hint(result, fragment)
        assert_no_leak(result, formatted(TRUTH))

    def test_rounding_to_one_decimal_is_not_enough(self):
        assert not check.position_encoding_pair(np.round(TRUTH, 1), pos=POS)

    @pytest.mark.parametrize("kwargs, fragment", [
        ({"pos": -1}, "pos must"), ({"pos": 1.5}, "pos must"), ({"pos": 2, "d_model": 7}, "d_model must"),
        ({"pos": 2, "pair": 4}, "pair must"), ({"pos": 2, "pair": -1}, "pair must"),
    ])
    def test_bad_exercise_parameters(self, kwargs, fragment):
        with pytest.raises(ValueError, match=fragment):
            check.position_encoding_pair([0.0, 1.0], **kwargs)


# ------------------------------------------------------------------------------ reordered_weights
ORDER = [2, 0, 1, 3, 4, 5]
TOKENS = al.tokenize("The cat sat on the mat")
WEIGHTS = al.self_attention(al.embed(TOKENS), *lesson_weights())[1]
REORDERED = al.self_attention(al.embed([TOKENS[i] for i in ORDER]), *lesson_weights())[1]


def test_the_expected_answer_is_what_self_attention_gives():
    P = permutation_matrix(ORDER)
    np.testing.assert_allclose(P @ WEIGHTS @ P.T, REORDERED, atol=1e-12)


class TestReorderedWeights:
    @pytest.mark.parametrize("answer", [
        REORDERED, permutation_matrix(ORDER) @ WEIGHTS @ permutation_matrix(ORDER).T,
        WEIGHTS[ORDER][:, ORDER], np.round(REORDERED, 2), REORDERED.tolist(),
    ], ids=["self_attention", "P W P.T", "indexing", "2 decimals", "list"])
    def test_right(self, answer):
        assert_right(check.reordered_weights(answer, WEIGHTS, ORDER))

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("weights", "matrix of numbers"),
        (np.ones((6, 5)), "expected a (6, 6) matrix"),
        (np.full((6, 6), np.inf), "NaN or infinity"),
        (WEIGHTS, "that is the original matrix"),
        (REORDERED.T, "transposed"),
        (WEIGHTS[ORDER], "you moved the rows"),
        (WEIGHTS[:, ORDER], "you moved the columns"),
        (WEIGHTS[np.argsort(ORDER)][:, np.argsort(ORDER)], "the other way round"),
        (REORDERED * 2, "adds up to 1"),
        (REORDERED[::-1, ::-1], "reorder both the rows and the columns"),
    ], ids=["None", "Ellipsis", "text", "shape", "inf", "original", "transposed", "rows only", "columns only",
            "inverse", "not normalised", "other"])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.reordered_weights(answer, WEIGHTS, ORDER)
        assert_hint(result, fragment)
        assert_no_leak(result, formatted(REORDERED))

    def test_the_mistakes_are_really_different_matrices(self):
        inverse = np.argsort(ORDER)
        candidates = [WEIGHTS, REORDERED.T, WEIGHTS[ORDER], WEIGHTS[:, ORDER], WEIGHTS[np.ix_(inverse, inverse)]]
        for wrong in candidates:
            assert not np.allclose(wrong, REORDERED, atol=5e-3)

    def test_bad_exercise_parameters(self):
        with pytest.raises(ValueError, match="weights must be a square"):
            check.reordered_weights(REORDERED, np.ones((6, 5)), ORDER)
        with pytest.raises(ValueError, match="order must list each position"):
            check.reordered_weights(REORDERED, WEIGHTS, [0, 0, 1, 2, 3, 4])


# ------------------------------------------------------------------------------ tell_apart_without_positions
def can_tell_apart(a, b, seeds=range(5)):
    """Independent of the checker: do the outputs' averages differ, for some random weights, without positions?"""
    Xa, Xb = al.embed(a), al.embed(b)
    if Xa.shape != Xb.shape:
        return True
    for seed in seeds:
        W = [al.random_weights(8, 4, seed=10 * seed + i) for i in range(3)]
        if not np.allclose(al.self_attention(Xa, *W)[0].mean(0), al.self_attention(Xb, *W)[0].mean(0)):
            return True
    return False


TRUTH_PAIRS = [can_tell_apart(a, b) for a, b in TELL_APART_PAIRS]


def test_the_pairs_mix_both_answers():
    assert TRUTH_PAIRS == [False, True, False]


class TestTellApart:
    def test_right(self):
        assert_right(check.tell_apart_without_positions(TRUTH_PAIRS))
        assert_right(check.tell_apart_without_positions(tuple(TRUTH_PAIRS)))
        assert_right(check.tell_apart_without_positions([np.bool_(t) for t in TRUTH_PAIRS]))

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        (["False", "True", "False"], "without quotes"),
        ([0, 1, 0], "True/False values"),
        (True, "True/False values"),
        ([False, True], "there are 3 pairs"),
        ([True, True, True], "not every pair can be told apart"),
        ([False, False, False], "some pairs differ in their words"),
        ([True, True, False], "1 of your 3 answers is not right"),
        ([True, False, True], "3 of your 3 answers are not right"),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.tell_apart_without_positions(answer)
        assert_hint(result, fragment)
        if fragment.startswith(("1 of", "3 of")):
            assert "pair 1" not in result.message and "first" not in result.message   # does not say which one

    def test_every_single_mistake_is_caught(self):
        for i in range(3):
            answer = list(TRUTH_PAIRS)
            answer[i] = not answer[i]
            assert not check.tell_apart_without_positions(answer)


def test_the_notebook_does_not_print_exercise_1s_answer_before_its_solution():
    import json
    import pathlib
    import re

    path = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "06_positions.ipynb"
    cells = json.loads(path.read_text())["cells"]
    shown = "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                      for c in cells if c["cell_type"] == "code" and "solution" not in c["metadata"].get("tags", [])
                      for o in c["outputs"])
    assert "check.position_encoding_pair(answer, pos=9, d_model=8, pair=1)" in json.dumps(cells)
    pattern = rf"{TRUTH[0]:.2f}\s+{TRUTH[1]:.2f}"                                  # a printed row "0.78  0.62"
    assert not re.search(pattern, shown), "a stored output shows PE[9, 2:4] of d_model = 8"
