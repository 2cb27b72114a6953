"""Notebook 11's checkers: right answers pass, each common mistake gets its own hint, odd answers never raise,
and no hint gives the answer away."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check, softmax
from attn_lib.check.lesson11 import COURSE_LOGITS
from attn_lib.lessons.lesson11 import apply_temperature_and_top_k

ODD_ANSWERS = [None, ..., "3", float("nan"), float("inf"), 10 ** 400, {1, 2}, {"a": 1}, [1, 2], np.ones((2, 2)),
               True, print, object(), 1 + 2j]


# ----- exercise 1: apply_temperature_and_top_k ---------------------------------------------------------
def keep_top(logits, k):
    return np.where(logits >= np.sort(logits)[-k], logits, -np.inf)


def right(logits, temperature, top_k):
    return softmax(keep_top(logits, top_k) / temperature)


def right_by_argsort(logits, temperature, top_k):
    keep = np.argsort(logits)[::-1][:top_k]
    z = (logits[keep] - logits[keep].max()) / temperature
    probabilities = np.zeros(len(logits))
    probabilities[keep] = np.exp(z) / np.exp(z).sum()
    return probabilities


def multiplies(logits, temperature, top_k):
    return softmax(keep_top(logits, top_k) * temperature)


def keeps_one_more(logits, temperature, top_k):
    return softmax(keep_top(logits, min(top_k + 1, len(logits))) / temperature)


def keeps_the_smallest(logits, temperature, top_k):
    return softmax(np.where(logits <= np.sort(logits)[top_k - 1], logits, -np.inf) / temperature)


def forgets_to_renormalise(logits, temperature, top_k):
    probabilities = softmax(logits / temperature)
    probabilities[logits < np.sort(logits)[-top_k]] = 0.0
    return probabilities


def cuts_to_zero(logits, temperature, top_k):
    return softmax(np.where(logits >= np.sort(logits)[-top_k], logits / temperature, 0.0))


def overflows(logits, temperature, top_k):
    e = np.exp(keep_top(logits, top_k) / temperature)
    return e / e.sum()


def ignores_top_k(logits, temperature, top_k):
    return softmax(logits / temperature)


def ignores_temperature(logits, temperature, top_k):
    return softmax(keep_top(logits, top_k))


@pytest.mark.parametrize("fn", [right, right_by_argsort, apply_temperature_and_top_k])
def test_right_functions_pass(fn):
    assert_right(check.apply_temperature_and_top_k_function(fn))


@pytest.mark.parametrize("fn, fragment", [
    (multiplies, "do not multiply"),
    (keeps_one_more, "one too many"),
    (keeps_the_smallest, "LARGEST"),
    (forgets_to_renormalise, "add up to 1 again"),
    (cuts_to_zero, "-np.inf"),
    (overflows, "overflows"),
    (ignores_top_k, "top_k seems to change nothing"),
    (ignores_temperature, "temperature seems to change nothing"),
    (lambda logits, T, k: print(right(logits, T, k)), "printed its result"),
    (lambda logits, T, k: right(logits, T, k)[:-1], "shape"),
    (lambda logits, T, k: 1 / 0, "ZeroDivisionError"),
    (lambda logits, T: right(logits, T, 1), "TypeError"),
    (lambda logits, T, k: np.abs(np.sin(logits)), "add up to 1"),
    (right(COURSE_LOGITS, 1.0, 3), "without calling it"),
    (..., "replace the ..."),
])
def test_each_typical_bug_gets_its_hint(fn, fragment):
    assert_hint(check.apply_temperature_and_top_k_function(fn), fragment)


@pytest.mark.parametrize("answer", ODD_ANSWERS)
def test_the_function_checker_never_raises(answer):
    result = check.apply_temperature_and_top_k_function(answer)
    assert not result and "\n" not in repr(result)


# ----- exercise 2: the temperature that lets nonsense in ----------------------------------------------
ALLOWED = np.arange(7)                                       # the seven largest logits of COURSE_LOGITS


def forbidden(temperature):
    return 1 - apply_temperature_and_top_k(COURSE_LOGITS, temperature)[ALLOWED].sum()


def truth():
    return min(t for t in (0.5, 1, 2, 3, 4, 8) if forbidden(t) > 0.1)


def test_the_right_temperature_passes_and_names_the_share():
    t = truth()
    assert forbidden(t) > 0.1 > max(forbidden(s) for s in (0.5, 1, 2, 3, 4, 8) if s < t)
    result = check.nonsense_temperature(t, COURSE_LOGITS, ALLOWED)
    assert_right(result)
    assert f"{forbidden(t):.1%}" in result.message
    assert_right(check.nonsense_temperature(float(t), COURSE_LOGITS, list(ALLOWED)))
    assert_right(check.nonsense_temperature(np.array([t]), COURSE_LOGITS, ALLOWED))


def test_too_low_and_too_high_get_different_hints_without_the_answer():
    t = truth()
    lower = [s for s in (0.5, 1, 2, 3, 4, 8) if s < t]
    higher = [s for s in (0.5, 1, 2, 3, 4, 8) if s > t]
    for s in lower:
        result = check.nonsense_temperature(s, COURSE_LOGITS, ALLOWED)
        assert_hint(result, "only")
        assert_no_leak(result, {f"T = {t:g}", f"{forbidden(t):.1%}"})
    for s in higher:
        result = check.nonsense_temperature(s, COURSE_LOGITS, ALLOWED)
        assert_hint(result, "a smaller temperature of the list already does")
        assert_no_leak(result, {f"T = {t:g}", f"{forbidden(t):.1%}"})
    assert_hint(check.nonsense_temperature(2.5, COURSE_LOGITS, ALLOWED), "one of the temperatures")


@pytest.mark.parametrize("answer", ODD_ANSWERS)
def test_the_temperature_checker_never_raises(answer):
    result = check.nonsense_temperature(answer, COURSE_LOGITS, ALLOWED)
    assert not result and "\n" not in repr(result)


def test_a_broken_exercise_cell_is_loud():
    with pytest.raises(ValueError):
        check.nonsense_temperature(2, COURSE_LOGITS, [30])
    with pytest.raises(ValueError):
        check.nonsense_temperature(2, COURSE_LOGITS, ALLOWED, candidates=(0.1, 0.2))


# ----- exercise 3: attention's multiply-adds with the cache --------------------------------------------
def cost(ts, per_t):
    return sum(per_t(t) for t in ts)


def test_the_right_count_passes_and_compares_with_no_cache():
    d = 32
    with_cache = cost(range(1, 16), lambda t: 2 * t * d)
    without = cost(range(4, 16), lambda t: 2 * t * t * d)
    assert (with_cache, without) == (7680, 78464)
    result = check.attention_multiply_adds(with_cache, 4, 12, d)
    assert_right(result)
    assert "78,464" in result.message and "10.2 times" in result.message
    assert_right(check.attention_multiply_adds(2 * with_cache, 4, 12, d, n_layers=2))
    assert_right(check.attention_multiply_adds(float(with_cache), 4, 12, d))


@pytest.mark.parametrize("answer, fragment", [
    (78464, "WITHOUT the cache"),
    (cost(range(1, 17), lambda t: 64 * t), "one token too many"),
    (cost(range(4, 16), lambda t: 64 * t), "start t at 1"),
    (3840, "two products"),
    (15360, "factor 2"),
    (7680.5, "whole number"),
    (-5, "whole number"),
    (1000, "add 2·t·d"),
    ("7680", "not text"),
    (None, "replace the ..."),
])
def test_each_counting_mistake_gets_its_hint(answer, fragment):
    result = check.attention_multiply_adds(answer, 4, 12, 32)
    assert_hint(result, fragment)
    assert_no_leak(result, {"7680", "7,680"})


@pytest.mark.parametrize("answer", ODD_ANSWERS)
def test_the_counting_checker_never_raises(answer):
    result = check.attention_multiply_adds(answer, 4, 12, 32)
    assert not result and "\n" not in repr(result)


def test_bad_checker_arguments_are_loud():
    with pytest.raises(ValueError, match="n_new"):
        check.attention_multiply_adds(1, 4, 0, 32)
