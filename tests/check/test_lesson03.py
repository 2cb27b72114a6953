"""The checkers of notebook 03: right answers pass, common mistakes get their own hint, no hint gives the answer."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check, softmax
from attn_lib.lessons.lesson03 import STABLE_SCORES


def formatted(numbers):
    """Every way a message could spell the numbers: as integers and with 1 to 4 decimals."""
    out = set()
    for v in np.ravel(numbers):
        if float(v).is_integer():
            out.add(str(int(v)))
        for digits in (1, 2, 3, 4):
            out.add(f"{v:.{digits}f}")
    return {s for s in out if float(s) not in (0.0, 1.0)}      # 0 and 1 are too common to mean anything


COMMON = [(None, "replace the ..."), (..., "replace the ..."), ("64", "not text"), (True, "not True or False"),
          ([1.0, 2.0], "expected one number"), (np.ones((2, 2)), "expected one number"),
          (np.nan, "NaN or infinity"), (np.inf, "NaN or infinity"), ({"a": 1}, "should be a number")]


# ---------------------------------------------------------------------------- dot_product_variance

class TestDotProductVariance:
    @pytest.mark.parametrize("d", [1, 4, 64, 256])
    @pytest.mark.parametrize("kind", [int, float, np.float64, np.int64])
    def test_right(self, d, kind):
        assert_right(check.dot_product_variance(kind(d), d))

    @pytest.mark.parametrize("answer, fragment", [
        (8.0, "standard deviation"), (1, "single product"), (64 ** 2, "not its square"),
        (0, "mean of q·k"), (-64, "never be negative"), (63.07, "simulation estimate"),
        (65.5, "simulation estimate"), (32, "variances of independent terms add"),
        (128, "variances of independent terms add"),
    ] + COMMON)
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        assert_hint(check.dot_product_variance(answer, 64), fragment)

    @pytest.mark.parametrize("d", [16, 64, 256])
    def test_no_message_contains_the_answer(self, d):
        answers = [a for a, _ in COMMON] + [np.sqrt(d), 1, d ** 2, 0, -d, 0.97 * d, d / 2, d]
        for answer in answers:
            assert_no_leak(check.dot_product_variance(answer, d), formatted([d]))


# ----------------------------------------------------------------------------------- scale_divisor

class TestScaleDivisor:
    @pytest.mark.parametrize("d", [4, 64, 256, 1024])
    def test_right(self, d):
        assert_right(check.scale_divisor(np.sqrt(d), d))
        assert_right(check.scale_divisor(d ** 0.5, d))
        assert_right(check.scale_divisor(int(np.sqrt(d)), d))

    def test_right_answer_really_gives_variance_one(self):
        rng = np.random.default_rng(0)
        q, k = rng.standard_normal((4000, 256)), rng.standard_normal((4000, 256))
        c = 16.0
        assert check.scale_divisor(c, 256)
        assert np.var((q * k).sum(axis=1) / c) == pytest.approx(1.0, rel=0.1)

    @pytest.mark.parametrize("answer, fragment", [
        (256, "not by c"), (1 / 16, "multiply by"), (256 ** 2, "far too large"), (1, "changes nothing"),
        (0, "cannot divide by 0"), (-16, "negative divisor"), (16.2, "simulation estimate"),
        (np.sqrt(260.66), "simulation estimate"), (4, "Which positive c"), (32, "Which positive c"),
    ] + COMMON)
    def test_wrong_answers_get_their_hint(self, answer, fragment):
        assert_hint(check.scale_divisor(answer, 256), fragment)

    @pytest.mark.parametrize("d", [16, 64, 256])
    def test_no_message_contains_the_answer(self, d):
        answers = [a for a, _ in COMMON] + [d, 1 / np.sqrt(d), d ** 2, 1, 0, -np.sqrt(d), 1.02 * np.sqrt(d),
                                            np.sqrt(d)]
        for answer in answers:
            assert_no_leak(check.scale_divisor(answer, d), formatted([d, np.sqrt(d)]))


# ---------------------------------------------------------------------------------- stable_softmax

ANSWER = softmax(STABLE_SCORES)
SHIFTED = STABLE_SCORES - STABLE_SCORES.max()


def _naive():
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(STABLE_SCORES) / np.exp(STABLE_SCORES).sum()


STABLE_WRONG = {
    "naive (nan)": (_naive(), "inf / inf is NaN"),
    "shifted scores only": (SHIFTED, "apply exp()"),
    "not normalised": (np.exp(SHIFTED), "divide by the total"),
    "shifted scores divided by their total": (SHIFTED / SHIFTED.sum(), "apply exp() to them first"),
    "reversed": (softmax(-STABLE_SCORES), "order is reversed"),
    "wrong winner": (ANSWER[[1, 0, 2]], "largest score must get the largest weight"),
    "even": (np.full(3, 1 / 3), "even spread"),
    "one-hot": (np.array([0.0, 1.0, 0.0]), "subtract the largest score"),
    "sum not one": (np.array([0.5, 0.3, 0.1]), "add up to 1"),
    "two numbers": (ANSWER[:2], "expected 3 numbers"),
    "text": ("0.04 0.84 0.11", "should be numbers"),
    "inf": (np.array([np.inf, 0.0, 0.0]), "NaN or infinity"),
    "None": (None, "replace the ..."),
    "Ellipsis": (..., "replace the ..."),
}


class TestStableSoftmax:
    @pytest.mark.parametrize("answer", [ANSWER, list(ANSWER), np.round(ANSWER, 2),
                                        np.exp(SHIFTED) / np.exp(SHIFTED).sum(),
                                        np.exp(STABLE_SCORES - 1000.0) / np.exp(STABLE_SCORES - 1000.0).sum()],
                             ids=["softmax", "list", "rounded to 2 decimals", "shift by max", "shift by min"])
    def test_right(self, answer):
        assert_right(check.stable_softmax(answer))

    def test_the_naive_formula_really_gives_nan(self):
        assert np.isnan(_naive()).all()

    def test_scores_overflow_and_differ_from_the_lessons_example(self):
        assert (STABLE_SCORES > np.log(np.finfo(np.float64).max)).all()
        assert not np.allclose(np.sort(ANSWER), np.sort(softmax(np.array([1000.0, 999.0, 998.0]))), atol=0.01)
        assert np.argmax(STABLE_SCORES) != 0

    @pytest.mark.parametrize("case", sorted(STABLE_WRONG))
    def test_wrong_answers_get_their_hint(self, case):
        answer, fragment = STABLE_WRONG[case]
        assert_hint(check.stable_softmax(answer), fragment)

    def test_no_message_contains_the_answer(self):
        forbidden = {f"{v:.{k}f}" for v in ANSWER for k in (2, 3, 4)}
        for answer in [a for a, _ in STABLE_WRONG.values()] + [ANSWER]:
            assert_no_leak(check.stable_softmax(answer), forbidden)
