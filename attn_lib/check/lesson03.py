"""Checkers for notebook 03: scores, scaling and softmax."""

from __future__ import annotations

import numpy as np

from ..core.softmax import softmax
from ..lessons.lesson03 import STABLE_SCORES
from ._base import Result, _as_number, _as_vector, _right, _wrong


def _same_number(a, b):
    return bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))


def dot_product_variance(answer, d: int) -> Result:
    """Exercise: the variance of ``q . k`` for random q, k with d independent entries of mean 0, variance 1.

    Parameters
    ----------
    answer : float
        The learner's exact variance.
    d : int
        The width of q and k.
    """
    value, problem = _as_number(answer, "the variance of q·k, one number")
    if problem is not None:
        return problem
    if _same_number(value, d):
        return _right("q·k adds up d products q_m k_m, each of variance 1, and the variances of "
                      "independent terms add.")
    if value < 0:
        return _wrong("a variance is an average of squares, so it can never be negative.")
    if _same_number(value, 0.0):
        return _wrong("0 is the mean of q·k (positive and negative products cancel out on average). "
                      "The variance measures the spread around that mean.")
    if _same_number(value, np.sqrt(d)):
        return _wrong("that is the standard deviation, the typical size of q·k. The variance is its square.")
    if _same_number(value, 1.0):
        return _wrong("that is the variance of a single product q_m k_m; the dot product adds up d of them.")
    if _same_number(value, float(d) ** 2):
        return _wrong("too large: the variance of a sum of independent terms is the sum of their "
                      "variances, not its square.")
    if abs(value - d) <= 0.1 * d:
        return _wrong("close: that looks like a simulation estimate. The exact value is a whole number; "
                      "add up the variances of the d products.")
    return _wrong("q·k = q_1 k_1 + ... + q_d k_d. Each product has mean 0 and variance 1, and the "
                  "variances of independent terms add.")


def scale_divisor(answer, d: int) -> Result:
    """Exercise: the positive number c such that ``q . k / c`` has variance 1 (answer: sqrt(d)).

    Parameters
    ----------
    answer : float
        The learner's divisor.
    d : int
        The width of q and k (so that ``Var(q . k) = d``).
    """
    value, problem = _as_number(answer, "the number to divide q·k by, one number")
    if problem is not None:
        return problem
    if _same_number(value, np.sqrt(d)):
        return _right("dividing by c divides the variance by c², and c² = d brings it to 1. "
                      "That is the √d of scaled dot-product attention.")
    if _same_number(value, 0.0):
        return _wrong("you cannot divide by 0.")
    if value < 0:
        return _wrong("a negative divisor flips the sign of every score, so the worst-matching key "
                      "would win. Use a positive number.")
    if _same_number(value, 1.0):
        return _wrong("dividing by 1 changes nothing: the variance stays as large as it was.")
    if _same_number(value, d):
        return _wrong("too large: dividing by c divides the variance by c², not by c, so this makes "
                      "the variance far smaller than 1.")
    if _same_number(value, 1 / np.sqrt(d)):
        return _wrong("that is the number to multiply by; the question asks what to divide by.")
    if _same_number(value, float(d) ** 2):
        return _wrong("far too large: dividing by c divides the variance by c².")
    if abs(value - np.sqrt(d)) <= 0.05 * np.sqrt(d):
        return _wrong("close: that looks like it comes from a simulation estimate. Use the exact "
                      "variance of q·k from the previous exercise.")
    return _wrong("Var(q·k / c) = Var(q·k) / c². Which positive c makes that equal to 1?")


def stable_softmax(answer) -> Result:
    """Exercise: the softmax of :data:`STABLE_SCORES`, computed without overflowing."""
    n = len(STABLE_SCORES)
    try:
        as_floats = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        as_floats = None
    if as_floats is not None and as_floats.shape == (n,) and np.isnan(as_floats).any():
        return _wrong("your answer contains NaN: exp(1000) overflows to inf, and inf / inf is NaN. "
                      "Subtract the largest score from every score before exp().")
    weights, problem = _as_vector(answer, n, "one weight per score of check.STABLE_SCORES")
    if problem is not None:
        return problem
    shifted = STABLE_SCORES - STABLE_SCORES.max()
    if np.allclose(weights, softmax(STABLE_SCORES), atol=5e-3):             # weights rounded to 0.01 pass
        return _right("shifting the scores so the largest is 0 keeps every exp() at most 1, and it "
                      "does not change the weights.")
    if np.allclose(weights, shifted, atol=1e-6):
        return _wrong("those are the shifted scores; now apply exp() and divide by the total.")
    if np.allclose(weights, np.exp(shifted), atol=1e-6):
        return _wrong("good shift and exp(); now divide by the total so the weights add up to 1.")
    if np.allclose(weights, shifted / shifted.sum(), atol=1e-6):
        return _wrong("you divided the shifted scores by their total; apply exp() to them first.")
    if np.allclose(weights, softmax(-STABLE_SCORES), atol=1e-6):
        return _wrong("the order is reversed: the largest score must get the largest weight.")
    if np.allclose(weights, np.full(n, 1 / n), atol=1e-6):
        return _wrong("an even spread would mean equal scores; these differ, so the weights differ too.")
    if not np.isclose(weights.sum(), 1.0, atol=1e-6):
        return _wrong("weights must add up to 1: divide each exp() by the total of all of them.")
    if int(np.argmax(weights)) != int(np.argmax(STABLE_SCORES)):
        return _wrong("the largest score must get the largest weight: exp() keeps the order of the scores.")
    return _wrong("subtract the largest score from every score, apply exp(), then divide by the total.")
