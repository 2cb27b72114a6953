"""Checkers for notebook 03: scores, scaling and softmax."""

from __future__ import annotations

import numpy as np

from ..core.softmax import softmax
from ..lessons.lesson03 import STABLE_SCORES
from ._base import (
    Result,
    _as_number,
    _as_vector,
    _checker,
    _CheckerArgumentError,
    _read_numbers,
    _right,
    _wrong,
)


def _same_number(a, b):
    return bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))


@_checker("one number")
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


@_checker("one number")
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


@_checker("one weight per score")
def stable_softmax(answer) -> Result:
    """Exercise: the softmax of :data:`STABLE_SCORES`, computed without overflowing."""
    n = len(STABLE_SCORES)
    as_floats, _ = _read_numbers(answer, "weights")
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


# ----- exercise 1: the sign of a dot product ------------------------------------------------------

def _query_and_keys_03(q, keys):
    """The checker's own q (d,) and keys (m, d) as float arrays; keys may be a dict of vectors or rows."""
    q = np.asarray(q, dtype=np.float64)
    rows = list(keys.values()) if isinstance(keys, dict) else keys
    keys = np.asarray(rows, dtype=np.float64)
    if q.ndim != 1 or keys.ndim != 2 or keys.shape[1] != q.shape[0] or len(keys) == 0:
        raise _CheckerArgumentError(f"q must have shape (d,) and keys shape (m, d) (or be a dict of m vectors "
                                    f"of length d); got q of shape {q.shape} and keys of shape {keys.shape}")
    return q, keys


@_checker("one sign (1, 0 or -1) per key")
def dot_product_signs(answer, q, keys) -> Result:
    """Checks notebook 03's exercise 1: the sign of ``q · k`` for each key, predicted from a picture.

    Parameters
    ----------
    answer : array_like, shape (m,)
        The learner's signs, in the order of ``keys``: 1 (positive), 0 (zero) or -1 (negative).
    q : array_like, shape (d,)
        The query.
    keys : dict of str to array_like of shape (d,), or array_like of shape (m, d)
        The keys, in the order the answer lists them.

    Returns
    -------
    Result
        Right when every sign matches; otherwise a hint for all signs flipped, for judging by a
        key's length instead of its angle with q, for the key at right angles (sign 0), or a
        count of the signs that are right.
    """
    q, keys = _query_and_keys_03(q, keys)
    m = len(keys)
    what = "one sign per key, each 1, 0 or -1"
    if isinstance(answer, (str, bytes)) or (isinstance(answer, (list, tuple)) and answer and
                                             all(isinstance(a, str) for a in answer)):
        return _wrong("write the signs as numbers, not text: 1 for positive, 0 for zero, -1 for negative.")
    signs, problem = _as_vector(answer, m, what)
    if problem is not None:
        return problem
    if not np.all(np.isin(signs, (-1.0, 0.0, 1.0))):
        return _wrong("write only the sign of each score, not its size: 1 for positive, 0 for zero, -1 for negative.")
    dots = keys @ q                                                         # (m,)
    truth = np.sign(np.where(np.isclose(dots, 0.0, atol=1e-9), 0.0, dots))  # (m,), rounding error counts as 0
    if np.array_equal(signs, truth):
        return _right("the sign follows the angle between q and the key, whatever their lengths.")
    wrong = signs != truth                                                  # (m,) True where the answer errs
    if np.any(truth != 0) and np.array_equal(signs, -truth):
        return _wrong("every sign is flipped: a key that points roughly the same way as q (an angle under "
                      "90°) has a positive score, one that points away (over 90°) a negative one.")
    if np.all(truth[wrong] == 0):
        one = int(wrong.sum()) == 1
        return _wrong(f"the key{'' if one else 's'} you got wrong {'is' if one else 'are'} at exactly 90° from "
                      "q: there the products cancel and the score is 0, neither positive nor negative.")
    longer = np.linalg.norm(keys, axis=1) - np.linalg.norm(q)              # (m,) > 0: longer than q
    by_length = ((longer > 1e-9) & (signs > truth)) | ((longer < -1e-9) & (signs < truth))
    if np.all(by_length[wrong]):
        return _wrong("you seem to judge by length: a long key got too high a sign, or a short one too low. "
                      "Length changes the size of q·k, never its sign; only the angle with q matters.")
    right = m - int(wrong.sum())
    so_far = f"{right} of your {m} signs {'is' if right == 1 else 'are'} right."
    if np.any(wrong & (truth == 0)):
        return _wrong(f"{so_far} Look for the key at exactly 90° from q (score 0), then sort the others by "
                      "their angle with q: under 90° positive, over 90° negative.")
    return _wrong(f"{so_far} Judge each key by its angle with q, "
                  "not by its length or by the side it points to: under 90° positive, exactly 90° zero, "
                  "over 90° negative.")


# ----- exercise 2: the largest temperature that still works --------------------------------------

@_checker("one temperature T")
def largest_working_temperature(answer, scores, target_index: int, level: float, candidates,
                                word: str | None = None) -> Result:
    """Checks notebook 03's exercise 2: the largest candidate temperature that still gives the target enough attention.

    A temperature T works when ``softmax(scores / T)[target_index] >= level``; the answer is the
    largest of ``candidates`` that works.

    Parameters
    ----------
    answer : float
        The learner's temperature T.
    scores : array_like, shape (n,)
        The raw scores of one query.
    target_index : int
        The position of the word that should get at least ``level`` of the attention.
    level : float
        The share it needs, between 0 and 1 (0.5: at least half).
    candidates : sequence of float
        The temperatures the learner chooses from, all positive.
    word : str, optional
        The target word, for the hints (default: "the target word").

    Returns
    -------
    Result
        Right for the largest working candidate; otherwise a hint for a working but smaller T,
        for a T that flattens too much, for treating T as a multiplier, for T = 1 and for a T
        that is not on the list.
    """
    scores = np.asarray(scores, dtype=np.float64)
    candidates = np.asarray(candidates, dtype=np.float64)
    if scores.ndim != 1 or not 0 <= target_index < len(scores):
        raise _CheckerArgumentError(f"scores must have shape (n,) and target_index lie in 0..n-1; got scores of "
                                    f"shape {scores.shape} and target_index={target_index}")
    if candidates.ndim != 1 or not np.all(candidates > 0) or not 0.0 < level < 1.0:
        raise _CheckerArgumentError(f"candidates must be positive temperatures and level lie in (0, 1); got "
                                    f"candidates of shape {candidates.shape} and level={level}")

    def share(T):
        return float(softmax(scores / T)[target_index])

    working = [T for T in candidates if share(T) >= level]
    if not working:
        raise _CheckerArgumentError("no candidate temperature gives the target the level asked for")
    best = max(working)
    word = f"'{word}'" if word else "the target word"
    needed = f"at least {level:.0%}"
    given, _ = _read_numbers(answer, "the temperature T")
    if given is not None and given.shape == scores.shape:
        return _wrong("give the temperature T itself, one number, not the scores divided by it.")
    T, problem = _as_number(answer, "the temperature T, one number")
    if problem is not None:
        return problem
    if T <= 0:
        return _wrong("a temperature must be positive: dividing by 0 is undefined, and a negative T turns "
                      "the order of the scores upside down.")
    if not np.any(np.isclose(T, candidates, rtol=1e-6, atol=1e-9)):
        return _wrong("choose one of the temperatures on the exercise's list.")
    if _same_number(T, best):
        return _right(f"at this temperature {word} gets {share(T):.2f} of the attention, and the next larger "
                      "one on the list would flatten the weights too much.")
    if share(T) >= level:
        return _wrong(f"that temperature works ({word} gets {needed}), but a larger one on the list works "
                      "too. The question asks for the largest: the mildest sharpening that is enough.")
    if T > 1 and float(softmax(scores * T)[target_index]) >= level:
        return _wrong("a temperature divides the scores, softmax(s / T): a T above 1 shrinks the gaps "
                      "between them and flattens the attention. It is not a multiplier.")
    if _same_number(T, 1.0):
        return _wrong(f"at T = 1 the scores stay as they are, and {word} gets less than {level:.0%} (the "
                      "cell above printed how much). A temperature below 1 sharpens the weights.")
    return _wrong(f"at that temperature {word} gets less than {level:.0%}: it flattens the weights too "
                  "much. Smaller temperatures stretch the gaps between the scores and sharpen them.")
