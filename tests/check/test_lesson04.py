"""Notebook 04's checkers: right answers pass, each common mistake gets its own hint, no hint gives the answer away."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check
from attn_lib.lessons.lesson04 import QUERY_KEYS


def formatted(numbers):
    """Every way a message could spell the numbers of an answer: 0 to 4 decimals, with and without sign."""
    out = set()
    for v in np.ravel(numbers):
        for digits in (0, 1, 2, 3, 4):
            out.add(f"{v:.{digits}f}")
            out.add(f"{abs(v):.{digits}f}")
    return {s for s in out if float(s) != 0}


# ------------------------------------------------------------------------------ equal_scores_angle

RIVER, MONEY = np.array(QUERY_KEYS["river"]), np.array(QUERY_KEYS["money"])
NAMES = ("river", "money")
DIFF = RIVER - MONEY
SOLUTION = float(np.degrees(np.arctan2(DIFF[1], DIFF[0]))) + 90.0          # q perpendicular to k_a - k_b
ALONG = float(np.degrees(np.arctan2(DIFF[1], DIFF[0])))                    # q along k_a - k_b


def scores_at(angle, length=1.0):
    q = length * np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
    return q @ RIVER, q @ MONEY


def test_the_solution_really_gives_equal_scores():
    for angle in (SOLUTION, SOLUTION + 180.0):
        a, b = scores_at(angle, length=2.5)
        assert a == pytest.approx(b, abs=1e-12)
    assert 0 < SOLUTION < 90                                               # the one the notebook expects


class TestEqualScoresAngle:
    @pytest.mark.parametrize("answer", [
        SOLUTION, SOLUTION + 180.0, SOLUTION - 180.0, SOLUTION + 720.0, round(SOLUTION),
        SOLUTION + 0.9, np.float64(SOLUTION), np.array([SOLUTION]), int(round(SOLUTION + 180)),
    ], ids=["exact", "opposite", "negative", "two turns", "nearest degree", "within 1 degree",
            "numpy scalar", "one-element array", "int opposite"])
    def test_right(self, answer):
        assert_right(check.equal_scores_angle(answer, RIVER, MONEY, NAMES))

    def test_other_keys_and_lists(self):
        # keys (1, 0) and (0, 1): equal scores on the diagonal, 45 or 225 degrees
        assert_right(check.equal_scores_angle(45, [1, 0], [0, 1]))
        assert_right(check.equal_scores_angle(225.0, (1, 0), (0, 1)))
        assert_hint(check.equal_scores_angle(0.0, [1, 0], [0, 1]), "key_a")

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("47", "should be a number"),
        (True, "should be a number"),
        ([SOLUTION, SOLUTION + 180], "expected one number"),
        (float("nan"), "NaN or infinity"),
        (np.radians(SOLUTION), "radians"),
        (np.radians(SOLUTION + 180), "radians"),
        (ALONG, "differ the most"),
        (ALONG + 180.0, "differ the most"),
        (SOLUTION + 1.5, "Keep turning"),
        (0.0, "'river' scores higher than 'money'"),
        (80.0, "'money' scores higher than 'river'"),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        result = check.equal_scores_angle(answer, RIVER, MONEY, NAMES)
        assert_hint(result, fragment)

    def test_the_hint_says_which_key_really_wins(self):
        for angle in (0.0, 10.0, 30.0, 60.0, 80.0, 150.0, 300.0):
            if abs((angle - SOLUTION + 90) % 180 - 90) <= 1.5:
                continue
            a, b = scores_at(angle)
            higher = "river" if a > b else "money"
            message = check.equal_scores_angle(angle, RIVER, MONEY, NAMES).message
            if "scores higher" in message:
                assert f"'{higher}' scores higher" in message

    def test_no_message_contains_the_answer(self):
        forbidden = formatted([SOLUTION, SOLUTION + 180, SOLUTION - 180, SOLUTION - 360])
        answers = [None, ..., "x", 0.0, 80.0, ALONG, np.radians(SOLUTION), SOLUTION + 1.5, SOLUTION,
                   SOLUTION + 180]
        for answer in answers:
            assert_no_leak(check.equal_scores_angle(answer, RIVER, MONEY, NAMES), forbidden)

    def test_bad_keys_are_the_callers_error(self):
        with pytest.raises(ValueError, match="must differ"):
            check.equal_scores_angle(10.0, RIVER, RIVER.copy())
        with pytest.raises(ValueError, match=r"key_a must have shape \(2,\)"):
            check.equal_scores_angle(10.0, np.ones(3), MONEY)
        with pytest.raises(ValueError, match="key_b must be finite and not all zeros"):
            check.equal_scores_angle(10.0, RIVER, np.zeros(2))


# ------------------------------------------------------------------------------ cosine

A = np.array([0.0, 0.2, 0.0, 0.6, 0.0, 0.5, 0.5, 0.0])          # "bank"
B = np.array([0.0, 0.1, 0.0, 0.0, 0.0, 0.9, 0.0, 0.1])          # "loan"
DOT, NA, NB = A @ B, np.linalg.norm(A), np.linalg.norm(B)
COS = DOT / (NA * NB)


class TestCosine:
    @pytest.mark.parametrize("answer", [COS, np.float64(COS), round(COS, 3), np.array([COS]),
                                        A @ B / np.sqrt((A @ A) * (B @ B))],
                             ids=["exact", "numpy scalar", "3 decimals", "one-element array", "other formula"])
    def test_right(self, answer):
        assert_right(check.cosine(answer, A, B))

    def test_lists_and_known_values(self):
        assert_right(check.cosine(0.0, [1, 0], [0, 1]))
        assert_right(check.cosine(-1.0, [1, 2], [-2, -4]))
        assert_right(check.cosine(1 / np.sqrt(2), [1.0, 0.0], [3.0, 3.0]))

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("0.6", "should be a number"),
        (A * B, "expected one number"),
        (float("inf"), "NaN or infinity"),
        (DOT, "plain dot product"),
        (DOT / NA, "not just one"),
        (DOT / NB, "not just one"),
        (DOT / (NA ** 2 * NB ** 2), "not the squared lengths"),
        (DOT / (NA + NB), "instead of adding"),
        (np.arccos(COS), "angle between the vectors"),
        (np.degrees(np.arccos(COS)), "angle between the vectors"),
        (1 - COS, "cosine distance"),
        (-COS, "sign is flipped"),
        (COS + 0.006, "keep at least three decimals"),
        (1.7, "between -1 and 1"),
        (0.05, "product of their lengths"),
    ])
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        assert_hint(check.cosine(answer, A, B), fragment)

    def test_no_message_contains_the_answer(self):
        forbidden = formatted(COS) - {"1", "0"}
        answers = [None, ..., "x", DOT, DOT / NA, 1 - COS, -COS, 1.7, 0.05, COS + 0.006, COS]
        for answer in answers:
            assert_no_leak(check.cosine(answer, A, B), forbidden)

    def test_bad_vectors_are_the_callers_error(self):
        with pytest.raises(ValueError, match="a must be finite and not all zeros"):
            check.cosine(0.5, np.zeros(8), B)
        with pytest.raises(ValueError, match=r"b must have shape \(8,\)"):
            check.cosine(0.5, A, np.ones(3))
