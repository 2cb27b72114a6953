"""check.dot_product_signs and check.largest_working_temperature (notebook 03, exercises 1 and 2)."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check, softmax

# ------------------------------------------------------------------------------- dot_product_signs

Q_SIGN = np.array([1.0, 2.0])                                   # the notebook's query and keys
SIGN_KEYS = {"a": np.array([4.0, -1.0]), "b": np.array([-0.8, 1.2]), "c": np.array([-4.0, 1.0]),
             "d": np.array([-2.0, 1.0]), "e": np.array([-1.0, -3.0])}
TRUE_SIGNS = [1, 1, -1, 0, -1]


def signs(answer, q=Q_SIGN, keys=SIGN_KEYS):
    return check.dot_product_signs(answer, q, keys)


def test_the_notebooks_keys_test_what_they_should():
    """b is short yet positive, c long yet negative, d at right angles: each mistake can be made."""
    dots = np.array([Q_SIGN @ k for k in SIGN_KEYS.values()])
    lengths = np.linalg.norm(np.stack(list(SIGN_KEYS.values())), axis=1)
    assert np.sign(dots).tolist() == TRUE_SIGNS
    assert lengths[1] < np.linalg.norm(Q_SIGN) < lengths[2]


@pytest.mark.parametrize("answer", [
    TRUE_SIGNS, tuple(TRUE_SIGNS), np.array(TRUE_SIGNS), np.array(TRUE_SIGNS, dtype=float),
    [1.0, 1.0, -1.0, 0.0, -1.0], [1, 1, -1, -0.0, -1],
])
def test_right_signs(answer):
    assert_right(signs(answer))


def test_keys_may_be_rows_of_an_array_and_of_any_width():
    assert_right(signs(TRUE_SIGNS, keys=np.stack(list(SIGN_KEYS.values()))))
    q = np.array([1.0, 0.0, 1.0])
    keys = np.array([[1.0, 5.0, 0.0], [0.0, 3.0, 0.0], [-2.0, 0.1, 1.0]])        # signs 1, 0, -1
    assert_right(signs([1, 0, -1], q, keys))
    assert_hint(signs([-1, 0, 1], q, keys), "every sign is flipped")


def test_rounding_error_counts_as_a_right_angle():
    q = np.array([0.1, 0.2])
    key = np.array([0.2, -0.1])                                              # q · key = 1e-17 in floats, not 0
    assert_right(signs([0], q, {"k": key}))


SIGN_MISTAKES = [
    ([-1, -1, 1, 0, 1], "every sign is flipped"),
    ([1, -1, 1, 0, -1], "judge by length"),                # short b negative, long c positive
    ([1, 0, -1, 0, -1], "judge by length"),                # short b "too small to count"
    ([1, 1, 1, 0, -1], "judge by length"),                 # long c positive
    ([1, 1, -1, 0, 1], "judge by length"),                 # long e positive
    ([1, -1, 1, 0, 1], "judge by length"),
    ([1, 1, -1, 1, -1], "the key you got wrong is at exactly 90°"),
    ([1, 1, -1, -1, -1], "the key you got wrong is at exactly 90°"),
    ([1, 1, 1, 1, 1], "2 of your 5 signs are right. Look for the key at exactly 90°"),
    ([0, 0, 0, 0, 0], "1 of your 5 signs is right. Judge each key by its angle"),
    ([-1, 1, -1, 0, -1], "4 of your 5 signs are right. Judge each key by its angle"),
    ([2, 1.6, -2, 0, -7], "not its size"),
    ([1, 1, -1, 0.5, -1], "not its size"),
    (["+", "+", "-", "0", "-"], "not text"),
    ("1, 1, -1, 0, -1", "not text"),
    ([1, 1, -1, 0], "expected 5 numbers"),
    ([[1, 1, -1, 0, -1]], "expected 5 numbers"),
    ([1, 1, -1, np.nan, -1], "NaN or infinity"),
    ({"a": 1}, "not a dict"),
    ({1, 0, -1}, "not a set"),
    (None, "replace the ..."),
    (..., "replace the ..."),
]


@pytest.mark.parametrize("answer, fragment", SIGN_MISTAKES)
def test_each_sign_mistake_gets_its_hint(answer, fragment):
    assert_hint(signs(answer), fragment)


@pytest.mark.parametrize("answer, fragment", SIGN_MISTAKES)
def test_no_sign_hint_gives_a_key_away(answer, fragment):
    forbidden = {"1, 1, -1, 0, -1", "[ 1  1 -1  0 -1]", "1 1 -1 0 -1"} | {
        f"{word} {name}{end}" for word in ("key", "Key") for name in SIGN_KEYS for end in " ,.:;)"} | {
        f"{quote}{name}{quote}" for name in SIGN_KEYS for quote in "'\""}
    assert_no_leak(signs(answer), forbidden)


@pytest.mark.parametrize("q, keys, match", [
    (np.ones((2, 2)), SIGN_KEYS, "q must have shape"),
    (Q_SIGN, np.ones((5, 3)), "keys shape"),
    (Q_SIGN, {}, "keys shape"),
])
def test_the_notebooks_own_sign_mistakes_still_raise(q, keys, match):
    with pytest.raises(ValueError, match=match):
        check.dot_product_signs(TRUE_SIGNS, q, keys)


# --------------------------------------------------------------------- largest_working_temperature

MAT_SCORES = np.array([0.4, 1.2, 0.8, 0.1, 0.4, 1.8])          # the notebook's exercise
CANDIDATES = (0.25, 0.5, 1, 2, 4)


def temperature(answer, scores=MAT_SCORES, target_index=5, level=0.5, candidates=CANDIDATES, **kwargs):
    return check.largest_working_temperature(answer, scores, target_index, level, candidates, **kwargs)


def test_the_exercise_has_the_answer_the_solution_says():
    shares = {T: softmax(MAT_SCORES / T)[5] for T in CANDIDATES}
    assert [T for T, share in shares.items() if share >= 0.5] == [0.25, 0.5]
    assert softmax(MAT_SCORES * 2)[5] >= 0.5                    # "T multiplies" would pick 2 or 4


@pytest.mark.parametrize("answer", [0.5, 1 / 2, np.float64(0.5), np.array(0.5), np.array([0.5]), 0.5000000001])
def test_right_temperature(answer):
    assert_right(temperature(answer))


def test_the_largest_working_candidate_is_found_for_other_numbers():
    scores = np.array([0.0, 1.0, 0.0, 0.0])                      # at T = 1 the target gets 0.475
    candidates = (0.5, 0.8, 0.9, 0.95, 1, 2)
    assert_right(temperature(0.9, scores, 1, 0.5, candidates))
    assert_hint(temperature(0.8, scores, 1, 0.5, candidates), "a larger one on the list works too")
    assert_hint(temperature(0.95, scores, 1, 0.5, candidates), "flattens the weights too much")
    assert_hint(temperature(1, scores, 1, 0.5, candidates), "at T = 1 the scores stay as they are")


TEMPERATURE_MISTAKES = [
    (0.25, "a larger one on the list works too"),
    (2, "It is not a multiplier"),
    (4, "It is not a multiplier"),
    (1, "at T = 1 the scores stay as they are"),
    (1.0, "at T = 1 the scores stay as they are"),
    (0.3, "choose one of the temperatures on the exercise's list"),
    (8, "choose one of the temperatures"),
    (0, "must be positive"),
    (-0.5, "must be positive"),
    (MAT_SCORES / 0.5, "not the scores divided by it"),
    (softmax(MAT_SCORES / 0.5), "not the scores divided by it"),
    ([0.25, 0.5], "expected one number"),
    ("0.5", "not text"),
    (True, "not True or False"),
    (np.inf, "NaN or infinity"),
    (10 ** 400, "too large for a float"),
    (None, "replace the ..."),
    (..., "replace the ..."),
]


@pytest.mark.parametrize("answer, fragment", TEMPERATURE_MISTAKES)
def test_each_temperature_mistake_gets_its_hint(answer, fragment):
    assert_hint(temperature(answer), fragment)


@pytest.mark.parametrize("answer, fragment", TEMPERATURE_MISTAKES)
def test_no_temperature_hint_gives_the_answer(answer, fragment):
    assert_no_leak(temperature(answer), {"0.5", "1/2", "½", "0.50", "0.63"})


def test_the_hints_name_the_word_when_given():
    assert "'mat'" in temperature(1, word="mat").message
    assert "the target word" in temperature(1).message


@pytest.mark.parametrize("kwargs, match", [
    ({"candidates": (2, 4)}, "no candidate temperature"),
    ({"candidates": (0.5, -1)}, "positive temperatures"),
    ({"level": 1.5}, "level lie in"),
    ({"target_index": 6}, "target_index lie in"),
    ({"scores": np.ones((2, 3))}, "scores must have shape"),
])
def test_the_notebooks_own_temperature_mistakes_still_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        temperature(0.5, **kwargs)
