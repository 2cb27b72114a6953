"""Checkers for notebook 10: watch attention learn."""

from __future__ import annotations

import numbers

import numpy as np

from ..core.backward import softmax_backward
from ..core.softmax import softmax
from ..lessons.lesson10 import example_weights, init_params
from ._base import (
    Result,
    _as_number,
    _check_function,
    _checker,
    _CheckerArgumentError,
    _describe,
    _right,
    _wrong,
)

CHOICES = "ABCD"


def _read_choice(answer):
    """One letter of :data:`CHOICES` from an answer such as "B", "b", " (B) " or "B."; or a hint."""
    if answer is None or answer is Ellipsis:
        return None, _wrong("replace the ... with one letter, such as 'A', in quotes.")
    if not isinstance(answer, str):
        return None, _wrong(f"answer with one letter in quotes, such as 'A'; your answer is {_describe(answer)}.")
    letter = answer.strip().strip("().:").strip().upper()
    if len(letter) != 1 or letter not in CHOICES:
        return None, _wrong(f"answer with one of the letters {', '.join(CHOICES)}, in quotes, such as 'A'.")
    return letter, None


# ----- exercise 1: a learning rate ten times larger ---------------------------------------------

@_checker("one letter, A, B, C or D")
def larger_learning_rate(answer) -> Result:
    """Exercise: what training with a learning rate ten times larger does (multiple choice).

    A: the pattern forms ten times sooner; B: the steps overshoot, the weights and the loss blow up
    within a few steps (right); C: nothing changes; D: the loss falls but attention stays even.

    Parameters
    ----------
    answer : str
        One letter.
    """
    letter, problem = _read_choice(answer)
    if problem is not None:
        return problem
    if letter == "B":
        return _right("a step ten times longer jumps past the bottom of the valley to a point higher up the "
                      "other side; the next step is longer still, and within a few steps the numbers explode.")
    if letter == "A":
        return _wrong("a longer step helps only while it stays short compared with the valley it walks down. "
                      "Run lesson10.train(lr=...) with the larger rate and look at blew_up_at and the losses.")
    if letter == "C":
        return _wrong("the learning rate is the length of every step, so the path changes completely. Run "
                      "lesson10.train(lr=...) with the larger rate and compare its losses with ours.")
    return _wrong("look at the loss itself first: print the losses of the run with the larger rate, and "
                  "its blew_up_at.")


# ----- exercise 2: without the square root of d_k ------------------------------------------------

@_checker("one number")
def score_step_factor(answer, d_k: int = 16) -> Result:
    """Exercise: how many times larger one gradient step makes the change of the scores when the
    scores are not divided by ``sqrt(d_k)`` (answer: ``d_k``, that is ``sqrt(d_k)`` twice).

    Parameters
    ----------
    answer : float
        The learner's factor.
    d_k : int, default 16
        The width of the queries and keys.
    """
    if isinstance(d_k, bool) or not isinstance(d_k, numbers.Integral) or d_k < 2:
        raise _CheckerArgumentError(f"d_k must be a whole number >= 2; got {d_k!r}")
    value, problem = _as_number(answer, "how many times larger, one number")
    if problem is not None:
        return problem
    root = float(np.sqrt(d_k))

    def same(a):
        return bool(np.isclose(value, a, rtol=1e-6, atol=1e-9))

    if same(d_k):
        return _right(f"the division by √d_k = {root:g} is missing twice: once in the gradient of W_q and "
                      f"W_k, once more when the changed W_q and W_k make the scores. {root:g} × {root:g} = "
                      f"{d_k}: like a learning rate {d_k} times larger, for attention alone.")
    if value <= 0:
        return _wrong("a factor that says how many times larger something is must be positive.")
    if same(root):
        return _wrong(f"√d_k = {root:g} is how much larger the scores themselves are, and also the gradient of "
                      "W_q. But a step changes W_q, and the scores are made from W_q without the division "
                      "too: the factor counts once more.")
    if same(1.0):
        return _wrong("the division by √d_k is the only difference between the two models, and it changes "
                      "both the gradient and the scores made from the weights.")
    if same(1 / root) or same(1 / d_k):
        return _wrong("without the division the scores are larger, so the steps are larger, not smaller.")
    if same(2 * root):
        return _wrong(f"the two factors of {root:g} multiply (the larger gradient is then made larger again), "
                      "they do not add.")
    if value > d_k:
        return _wrong(f"too large: count the factors of √d_k = {root:g} between a step on W_q and the scores: "
                      "one in the gradient, one in the scores made from the new W_q.")
    return _wrong(f"count the factors of √d_k = {root:g}: one in the gradient of W_q, one more when the "
                  "changed W_q makes the scores.")


# ----- exercise 3: the learner's softmax_backward ------------------------------------------------

def _softmax_backward_mistakes_10(w, g):
    """The typical wrong gradients for weights w and gradient g (both 2-D), each with its hint."""
    mean = (g * w).sum(axis=-1, keepdims=True)                                 # (n, 1): weighted mean
    mistakes = [
        (("you forgot the weighted mean: raising one score also lowers every other weight of its row, so "
          "subtract Σ_i w_i g_i (one number per row) from g before multiplying by the weights."), w * g),
        (("the sign is flipped: it is w_j × (g_j − mean), the gradient minus the weighted mean, not the "
          "mean minus the gradient."), -w * (g - mean)),
        (("sum along the last axis (axis=-1): each row is one softmax, and the mean must be taken over its "
          "own keys, not down a column."), w * (g - (g * w).sum(axis=0, keepdims=True))),
        ("the mean must be weighted: Σ_i w_i g_i, each gradient times its weight, not the plain average of g.",
         w * (g - g.mean(axis=-1, keepdims=True))),
        (("subtract the weighted mean Σ_i w_i g_i, each gradient multiplied by its weight, not the plain sum "
          "of g."), w * (g - g.sum(axis=-1, keepdims=True))),
        (("multiply by the weights at the end: a score whose weight is 0 cannot move anything, so its "
          "gradient is w_j × (g_j − mean)."), g - mean),
        (("that keeps only the diagonal of the Jacobian, w_j (1 − w_j): a score also moves every other weight "
          "of its row (the −w_i w_j terms), which is where the weighted mean comes from."), w * (1 - w) * g),
    ]
    if w.shape[0] == w.shape[1]:
        mistakes.append((("keep the mean as a column with keepdims=True: without it numpy subtracts the mean "
                          "of row i from column i."), w * (g - (g * w).sum(axis=-1))))
    return [(hint, {0: candidate}) for hint, candidate in mistakes]


def _softmax_backward_cases_10():
    rng = np.random.default_rng(10)
    course = example_weights(init_params(seed=3))                              # (10, 10), causal: zeros
    inputs = [
        (course, rng.normal(size=course.shape)),
        (softmax(rng.normal(0.0, 2.0, size=(3, 5))), rng.normal(size=(3, 5))),
        (softmax(rng.normal(0.0, 1.0, size=(4, 4))), rng.normal(size=(4, 4))),
        (np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5]]), np.array([[2.0, -1.0, 0.5], [1.0, 1.0, 1.0]])),
        (softmax(rng.normal(0.0, 1.0, size=(2, 6))), 100.0 * rng.normal(size=(2, 6))),
    ]
    return [{"args": (w, g), "truth": (softmax_backward(w, g),), "mistakes": _softmax_backward_mistakes_10(w, g),
             "nonfinite": "your function gives NaN or infinity; no division is needed in this formula."}
            for w, g in inputs]


def _softmax_backward_generic_10(arrays, truth):
    (grad,) = arrays
    if not np.allclose(grad.sum(axis=-1), 0.0, atol=1e-6):
        return ("each row of dL/ds should add up to 0: adding the same number to every score of a row does "
                "not change its softmax. Compute w_j × (g_j − Σ_i w_i g_i), row by row.")
    return "dL/ds_j = w_j × (g_j − Σ_i w_i g_i): each row's weighted mean, subtracted, then times the weights."


@_checker("a function softmax_backward(weights, grad_weights)")
def softmax_backward_function(fn) -> Result:
    """Exercise: the learner's ``softmax_backward(weights, grad_weights)`` for 2-D arrays, along each row.

    Compared with :func:`attn_lib.softmax_backward` on the causal attention weights of notebook 10's
    example sentence (many exact zeros), on seeded random rows (square and not), on a one-hot row
    and on large gradients; typical mistakes (no weighted mean, wrong axis, flipped sign, unweighted
    mean, no keepdims, the Jacobian's diagonal alone) get their own hint.

    Parameters
    ----------
    fn : callable
        ``fn(weights, grad_weights)`` with both of shape (n, m); returns ``dL/dscores`` of shape (n, m).
    """
    problem = _check_function(fn, "softmax_backward(weights, grad_weights)", ("gradient",),
                              _softmax_backward_cases_10(), _softmax_backward_generic_10,
                              meanings=("the shape of weights",))
    if problem is not None:
        return problem
    return _right("your softmax_backward agrees with attn_lib.softmax_backward on every test: each score's "
                  "gradient is its weight times how far its own gradient lies above the weighted mean.")
