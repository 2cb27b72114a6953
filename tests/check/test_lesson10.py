"""Notebook 10's checkers: right answers pass, each common mistake gets its own hint, odd answers never
raise, and no hint gives the answer away. The reference softmax_backward implementations here are
written from scratch (loops over the Jacobian), not calls to attn_lib."""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check
from attn_lib.check import Result

ODD_ANSWERS = [None, ..., "", "16", float("nan"), float("inf"), 10 ** 400, {1, 2}, {"a": 1}, [1, 2], np.ones((2, 2)),
               True, print, object(), 1 + 2j, np.array(["a"]), b"B"]


# ----- exercise 1: a learning rate ten times larger -------------------------------------------------
@pytest.mark.parametrize("answer", ["B", "b", " B ", "(B)", "B.", np.str_("B")])
def test_larger_learning_rate_right(answer):
    assert_right(check.larger_learning_rate(answer))


@pytest.mark.parametrize("answer, fragment", [
    ("A", "helps only while it stays short"),
    ("a", "helps only while it stays short"),
    ("C", "the length of every step"),
    ("D", "look at the loss itself first"),
    ("E", "answer with one of the letters A, B, C, D"),
    ("AB", "answer with one of the letters"),
    (2, "answer with one letter in quotes"),
    (..., "replace the ..."),
])
def test_larger_learning_rate_hints(answer, fragment):
    result = check.larger_learning_rate(answer)
    assert_hint(result, fragment)
    assert_no_leak(result, {"'B'", " B.", "answer is B"})


# ----- exercise 2: without sqrt(d_k) -----------------------------------------------------------------
@pytest.mark.parametrize("answer", [16, 16.0, np.float64(16), np.array([16.0]), 16 + 1e-9])
def test_score_step_factor_right(answer):
    assert_right(check.score_step_factor(answer, d_k=16))


def test_score_step_factor_follows_d_k():
    assert_right(check.score_step_factor(64, d_k=64))
    assert_hint(check.score_step_factor(16, d_k=64), "multiply")          # 2 × √64
    assert_hint(check.score_step_factor(128, d_k=64), "too large")
    assert_hint(check.score_step_factor(8, d_k=64), "how much larger the scores themselves are")


@pytest.mark.parametrize("answer, fragment", [
    (4, "how much larger the scores themselves are"),
    (1, "the only difference between the two models"),
    (0.25, "larger, not smaller"),
    (1 / 16, "larger, not smaller"),
    (8, "multiply"),
    (256, "too large"),
    (64, "too large"),
    (-16, "must be positive"),
    (0, "must be positive"),
    (12, "count the factors"),
    ("16", "remove the quotes"),
])
def test_score_step_factor_hints(answer, fragment):
    result = check.score_step_factor(answer, d_k=16)
    assert_hint(result, fragment)
    assert_no_leak(result, {"16", "4 × 4"})


@pytest.mark.parametrize("d_k", ["16", 1, 2.0, True])
def test_score_step_factor_says_when_the_notebook_passes_a_bad_d_k(d_k):
    with pytest.raises(ValueError, match="d_k"):
        check.score_step_factor(16, d_k=d_k)


# ----- exercise 3: the learner's softmax_backward ------------------------------------------------------
def by_jacobian(weights, grad_weights):
    """dL/ds = J^T g with J[i, j] = w_i ([i = j] - w_j), built entry by entry, row by row."""
    out = np.zeros_like(weights)
    for r, (w, g) in enumerate(zip(weights, grad_weights)):
        for j in range(len(w)):
            out[r, j] = sum(g[i] * w[i] * ((i == j) - w[j]) for i in range(len(w)))
    return out


def by_formula(weights, grad_weights):
    weighted_mean = (grad_weights * weights).sum(axis=1, keepdims=True)
    return weights * (grad_weights - weighted_mean)


def as_lists(weights, grad_weights):
    return by_formula(weights, grad_weights).tolist()              # a list of lists is fine too


@pytest.mark.parametrize("fn", [by_jacobian, by_formula, as_lists])
def test_softmax_backward_function_right(fn):
    assert_right(check.softmax_backward_function(fn))


MISTAKES = [
    (lambda w, g: w * g, "you forgot the weighted mean"),
    (lambda w, g: -by_formula(w, g), "the sign is flipped"),
    (lambda w, g: w * (g - (g * w).sum(axis=0, keepdims=True)), "sum along the last axis"),
    (lambda w, g: w * (g - g.mean(axis=1, keepdims=True)), "the mean must be weighted"),
    (lambda w, g: w * (g - g.sum(axis=1, keepdims=True)), "not the plain sum of g"),
    (lambda w, g: g - (g * w).sum(axis=1, keepdims=True), "multiply by the weights at the end"),
    (lambda w, g: w * (1 - w) * g, "only the diagonal of the Jacobian"),
    (lambda w, g: w * (g - (g * w).sum(axis=1)) if w.shape[0] == w.shape[1] else by_formula(w, g),
     "keepdims=True"),
]


@pytest.mark.parametrize("fn, fragment", MISTAKES)
def test_softmax_backward_function_names_the_mistake(fn, fragment):
    result = check.softmax_backward_function(fn)
    assert_hint(result, fragment)


def test_softmax_backward_function_other_problems():
    assert_hint(check.softmax_backward_function(lambda w, g: None), "forget the return statement")
    assert_hint(check.softmax_backward_function(lambda w, g: w[:, :-1]), "should have shape (10, 10)")
    assert_hint(check.softmax_backward_function(lambda w, g: 1 / 0), "raised ZeroDivisionError")
    assert_hint(check.softmax_backward_function(lambda w, g: w * 0 + 1), "add up to 0")
    assert_hint(check.softmax_backward_function(lambda w, g: 2 * by_formula(w, g)), "each row's weighted mean, subtracted")
    assert_hint(check.softmax_backward_function(by_formula(np.eye(2), np.eye(2))), "without calling it")


def test_softmax_backward_function_gives_no_numbers_away():
    result = check.softmax_backward_function(lambda w, g: w * g)
    assert not any(ch.isdigit() for ch in result.message.replace("Σ_i", ""))


def test_the_learners_inputs_are_copies():
    seen = []

    def changes_its_inputs(weights, grad_weights):
        result = by_formula(weights, grad_weights)
        seen.append(weights.copy())
        weights[:] = 0.0
        return result

    assert_right(check.softmax_backward_function(changes_its_inputs))
    assert len(seen) >= 3 and all(np.allclose(w.sum(axis=1), 1.0) for w in seen)


# ----- every checker, any answer -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["larger_learning_rate", "score_step_factor", "softmax_backward_function"])
@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=lambda a: type(a).__name__)
def test_odd_answers_get_a_one_line_hint(name, answer):
    result = getattr(check, name)(answer)
    assert isinstance(result, Result) and not result
    assert repr(result).startswith("Not yet. Hint: ") and "\n" not in result.message
